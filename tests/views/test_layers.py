"""Add instrumental, Add vocals and the cover of an upload from the song page (issue #15): the
forms, their refusals, and the result through the whole path (queue, httpx, simulator,
archive, family tree), in both formats."""

import numpy as np
import pytest
from django.urls import reverse

from music.models import ProviderAccount, Relation, Song, SongState, Task, TaskState
from music.services.naming import full_title
from music.upstream.simulator.audio import SAMPLE_RATE as SR
from tests.helpers import make_song, run_queued

LYRIC = "[Verse]\nFirst line here\nSecond line here\n[Chorus]\nSing it loud\nSing it proud"
NEW_WORDS = "[Verse]\nBrand new words tonight\nSinging in the light"


@pytest.fixture
def song(team, member, simulator):
    return make_song(team, member, lyric=LYRIC, is_pro=True)


@pytest.fixture
def instrumental(team, member, simulator):
    return make_song(team, member, is_pro=True, custom=True, instrumental=True, style="lofi piano")


def url(name, song):
    return reverse(f"music:{name}", args=[song.pk])


def made_from(song, relation):
    return list(Song.objects.filter(parent=song, relation=relation).order_by("created_at"))


def provider_mix(simulator, song):
    return simulator.mix(simulator._clip(song.upstream_id)).astype(np.int32)


def energy(x):
    return float(np.mean(np.square(np.asarray(x, dtype=np.float64) / 32767)))


def assert_layer_only_in_window(simulator, source, made, start, end):
    a, b = int(round(start * SR)), int(round(end * SR))
    before, after = provider_mix(simulator, source), provider_mix(simulator, made)
    assert np.array_equal(after[:a], before[:a]) and np.array_equal(after[b:], before[b:])
    assert energy(after[a:b]) > energy(before[a:b])


# --- Add instrumental -----------------------------------------------------------------------
def test_add_instrumental_makes_two_songs_with_a_band_in_the_window(member_client, song, simulator):
    data = {"model": "chirp-v5", "start": "2", "end": "6", "style": "warm piano, soft drums"}
    assert member_client.post(url("add_instrumental", song), data).status_code == 302
    run_queued()
    task = Task.objects.get(action="underpainting")
    sent = task.request_payload
    assert (sent["action"], sent["underpainting_start"], sent["underpainting_end"]) == (
        "underpainting",
        2.0,
        6.0,
    )
    assert (sent["model"], sent["style"], sent["is_pro"]) == ("chirp-v5", data["style"], True)
    made = made_from(song, Relation.INSTRUMENTAL_ADDED)
    assert len(made) == 2
    for new in made:
        assert new.state == SongState.SUCCEEDED and new.audio_file
        assert new.root == song
        assert_layer_only_in_window(simulator, song, new, 2, 6)
    assert full_title(made[0]).endswith("— instrumental added A")
    page = member_client.get(url("song", made[0])).content.decode()
    assert "Instrumental added to" in page


# --- Add vocals -----------------------------------------------------------------------------
def test_add_vocals_sings_the_given_lyrics_in_the_window(member_client, instrumental, simulator):
    data = {"model": "chirp-v4-5", "start": "1.5", "end": "7.5", "lyric": NEW_WORDS}
    data["style"] = "soul, female vocals"
    assert member_client.post(url("add_vocals", instrumental), data).status_code == 302
    run_queued()
    sent = Task.objects.get(action="overpainting").request_payload
    assert sent["lyric"] == NEW_WORDS and sent["custom"] is True
    assert (sent["overpainting_start"], sent["overpainting_end"]) == (1.5, 7.5)
    made = made_from(instrumental, Relation.VOCALS_ADDED)
    assert len(made) == 2
    for new in made:
        assert new.state == SongState.SUCCEEDED
        assert new.lyric == NEW_WORDS
        assert_layer_only_in_window(simulator, instrumental, new, 1.5, 7.5)
    page = member_client.get(url("song", made[1])).content.decode()
    assert "Vocals added to" in page


def bad_layer(song, **changes):
    return {"model": "chirp-v5", "start": "1", "end": "5", "lyric": NEW_WORDS, **changes}


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"end": "999"}, "end the new part inside it"),
        ({"start": "5", "end": "3"}, "The end must come after the start."),
        ({"start": "2", "end": "3"}, "Leave at least 2 seconds between the start and the end."),
        ({"start": "-1"}, "Start at 0 seconds or later."),
        ({"model": "chirp-v4"}, "not one of the available choices"),
        ({"lyric": ""}, "Write the lyrics to sing."),
        ({"end": "soon"}, "Give the time in seconds"),
    ],
)
def test_add_vocals_validation(member_client, song, changes, message):
    response = member_client.post(url("add_vocals", song), bad_layer(song, **changes))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Task.objects.exists() or not Task.objects.filter(action="overpainting").exists()


def test_the_forms_offer_v4_5_and_newer_and_default_the_window_to_the_song(member_client, song):
    form = member_client.get(url("add_instrumental", song)).context["form"]
    keys = [key for key, _ in form.fields["model"].choices]
    assert keys[0] == "chirp-v4-5" and "chirp-v4" not in keys
    assert form["model"].value() == "chirp-v5"  # the song's own v4 cannot
    assert form["start"].value() == 0 and form["end"].value() == round(song.duration, 2)
    assert form["style"].value() == song.style


def test_errors_are_in_chinese_for_a_chinese_reader(member_client, song):
    member_client.post(reverse("set_language"), {"language": "zh-hans", "next": "/"})
    response = member_client.post(url("add_vocals", song), bad_layer(song, start="5", end="3"))
    html = response.content.decode()
    assert "终点必须在起点之后。" in html
    assert "添加人声" in html


def test_posting_the_same_form_twice_pays_once(member_client, song):
    data = {"model": "chirp-v5", "start": "0", "end": "4", "request_key": "same-key-456"}
    member_client.post(url("add_instrumental", song), data)
    member_client.post(url("add_instrumental", song), data)
    assert Task.objects.filter(action="underpainting").count() == 1


def test_viewers_cannot_add_layers(client, viewer, song):
    client.force_login(viewer)
    data = {"model": "chirp-v5", "start": "0", "end": "4", "lyric": NEW_WORDS}
    assert client.post(url("add_instrumental", song), data).status_code == 403
    assert client.post(url("add_vocals", song), data).status_code == 403
    assert not Task.objects.filter(action__in=["underpainting", "overpainting"]).exists()


def test_the_song_page_offers_both_layers(member_client, song):
    html = member_client.get(url("song", song)).content.decode()
    assert url("add_instrumental", song) in html and url("add_vocals", song) in html


def test_a_relay_account_adds_vocals_through_metadata_params(
    member_client, team, member, simulator
):
    ProviderAccount.objects.create(
        team=team, name="Relay", format="relay", base_url="http://simulator.local", is_default=True
    )
    relayed = make_song(
        team, member, custom=True, instrumental=True, style="lofi", model="chirp-v4"
    )
    data = {"model": "chirp-v4-5", "start": "1.4", "end": "6.8", "lyric": NEW_WORDS}
    assert member_client.post(url("add_vocals", relayed), data).status_code == 302
    run_queued()
    sent = Task.objects.get(action="overpainting").request_payload
    assert sent["task"] == "overpainting" and sent["prompt"] == NEW_WORDS
    assert sent["metadata_params"] == {
        "overpainting_clip_id": relayed.upstream_id,
        "overpainting_start_s": 1,
        "overpainting_end_s": 6,
    }
    made = made_from(relayed, Relation.VOCALS_ADDED)
    assert len(made) == 2 and all(s.state == SongState.SUCCEEDED for s in made)
    assert_layer_only_in_window(simulator, relayed, made[0], 1, 6)


# --- the cover of an upload -----------------------------------------------------------------
def test_an_uploaded_song_is_covered_with_upload_cover(member_client, song, simulator):
    link = f"{simulator.base_url}/media/{song.upstream_id}.mp3"
    member_client.post(reverse("music:upload"), {"audio_url": link, "mode": "upload"})
    run_queued()
    uploaded = Song.objects.get(relation=Relation.UPLOADED)
    page = member_client.get(url("song", uploaded)).content.decode()
    assert url("cover", uploaded) in page
    data = {"style": "jazz, brushes", "model": "chirp-v4", "is_pro": "on"}
    response = member_client.post(url("cover", uploaded), data)
    assert response.status_code == 302
    run_queued()
    task = Task.objects.get(source_song=uploaded)
    assert task.action == "upload_cover"
    assert task.request_payload["action"] == "upload_cover"
    covers = made_from(uploaded, Relation.COVERED)
    assert len(covers) == 2 and all(c.state == SongState.SUCCEEDED for c in covers)


def test_a_failed_add_vocals_can_be_tried_again_from_its_form(member_client, song, simulator):
    data = {"model": "chirp-v5", "start": "1", "end": "5.5", "lyric": NEW_WORDS, "style": "soul"}
    member_client.post(url("add_vocals", song), data)
    simulator.faults.next_errors.append((403, "forbidden", "Vocals refused"))
    run_queued()
    failed = Task.objects.get(action="overpainting")
    assert failed.state == TaskState.FAILED and "Vocals refused" in failed.error_message
    retry = f"{url('add_vocals', song)}?retry={failed.pk}"
    assert retry in member_client.get(url("song", song)).content.decode()
    form = member_client.get(retry).context["form"]
    assert (form["start"].value(), form["end"].value()) == (1.0, 5.5)
    assert (form["lyric"].value(), form["style"].value()) == (NEW_WORDS, "soul")
    assert form["model"].value() == "chirp-v5"
