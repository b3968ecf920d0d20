"""The create form's advanced controls: documented ranges, 0 kept, model and account gating."""

import pytest

from music import catalogue
from music.forms import CreateSongForm
from music.models import ProviderAccount, ProviderFormat


def form(team, model="chirp-v5-5", accounts=(), **fields):
    data = {"mode": "custom", "model": model, "lyric": "la la", "style": "pop", "is_pro": "on"}
    data.update(fields)
    return CreateSongForm(data, team=team, accounts=list(accounts))


def test_no_control_set_sends_none(team):
    f = form(team)
    assert f.is_valid(), f.errors
    params = f.to_params()
    assert not {"vocal_gender", "weirdness", "variety", "max_mode", "lyric_prompt"} & set(params)


def test_every_control_is_sent_and_zero_is_a_value(team):
    f = form(
        team,
        vocal_gender="f",
        weirdness="0",
        style_influence="1",
        audio_weight="0",
        variety="max",
        max_mode="on",
    )
    assert f.is_valid(), f.errors
    params = f.to_params()
    assert params["weirdness"] == 0.0 and params["audio_weight"] == 0.0
    assert params["style_influence"] == 1.0
    assert (params["vocal_gender"], params["variety"], params["max_mode"]) == ("f", "max", True)


@pytest.mark.parametrize("value", ["-0.01", "1.01", "loud"])
@pytest.mark.parametrize("name", ["weirdness", "style_influence", "audio_weight"])
def test_sliders_outside_0_to_1_are_refused_with_the_range(team, name, value):
    f = form(team, **{name: value})
    assert not f.is_valid()
    assert list(f.errors) == [name]
    assert f.errors[name] == ["Give a number from 0 to 1."]


def test_wrong_choices_are_refused(team):
    f = form(team, vocal_gender="x", variety="extreme")
    assert not f.is_valid()
    assert set(f.errors) == {"vocal_gender", "variety"}


def test_an_older_model_refuses_the_controls_it_does_not_take_and_says_which_do(team):
    f = form(team, model="chirp-v4", is_pro="", vocal_gender="m", weirdness="0")
    assert not f.is_valid()
    assert set(f.errors) == {"vocal_gender", "weirdness"}
    message = f.errors["weirdness"][0]
    assert "v4 does not take “Weirdness”" in message and "v5.5" in message


def test_a_lyrics_idea_goes_to_every_model_and_stands_in_for_lyrics(team):
    f = form(team, model="chirp-v4", is_pro="", lyric="", lyric_prompt="a rainy bus ride")
    assert f.is_valid(), f.errors
    assert f.to_params()["lyric_prompt"] == "a rainy bus ride"


def test_inspiration_mode_keeps_voice_and_variety_and_drops_custom_only_controls(team):
    f = form(
        team,
        mode="inspiration",
        prompt="a summer song",
        vocal_gender="f",
        variety="off",
        weirdness="0.5",
        max_mode="on",
    )
    assert f.is_valid(), f.errors
    params = f.to_params()
    assert (params["vocal_gender"], params["variety"]) == ("f", "off")
    assert "weirdness" not in params and "max_mode" not in params


def test_a_relay_account_cannot_send_them_and_the_form_says_so(team):
    relay = ProviderAccount.objects.create(
        team=team,
        name="Gate",
        format=ProviderFormat.RELAY,
        base_url="https://relay.example",
        is_default=True,
    )
    f = form(team, accounts=[relay], weirdness="0.3")
    assert not f.is_valid()
    assert "relay format, which cannot send “Weirdness”" in f.errors["weirdness"][0]
    assert not form(team, accounts=[relay]).offers_controls
    assert form(team, accounts=[relay]).is_valid()


def test_the_model_list_has_todays_models_with_their_limits():
    v55 = catalogue.MODELS_BY_KEY["chirp-v5-5"]
    assert (v55.lyric_max, v55.style_max, v55.max_seconds) == (5000, 1000, 480)
    assert v55.wire_name("relay") == "chirp-fenix"
    relay = {m.key: m.wire_name("relay") for m in catalogue.MODELS}
    assert relay["chirp-v4-5"] == "chirp-auk"
    assert relay["chirp-v4-5-plus"] == "chirp-bluejay"
    assert relay["chirp-v5"] == "chirp-crow"
    assert {"chirp-v6", "chirp-v6-wild", "chirp-v6-mini"} <= set(catalogue.MODELS_BY_KEY)
    assert not catalogue.MODELS_BY_KEY["chirp-v4"].advanced
