"""Remaster, change speed and sample from the song page (issue #15): the form, its refusals,
and the result through the whole path (queue, httpx, simulator, archive, family tree)."""

import numpy as np
import pytest
from django.urls import reverse

from music.models import ProviderAccount, Relation, Song, SongState, Task, TaskState
from music.upstream.simulator import media
from music.upstream.simulator.audio import mp3_duration
from tests.helpers import make_song, run_queued

LYRIC = "[Verse]\nFirst line here\nSecond line here\n[Chorus]\nSing it loud\nSing it proud"


@pytest.fixture
def song(team, member, simulator):
    simulator.max_duration = 8  # short songs: speed changes are the slow part
    return make_song(team, member, lyric=LYRIC, is_pro=True)


def url(name, song):
    return reverse(f"music:{name}", args=[song.pk])


def archived_pcm(song):
    song.audio_file.open("rb")
    try:
        return media.to_float(media.decode(song.audio_file.read()))
    finally:
        song.audio_file.close()


def rms_db(x):
    return 20 * np.log10(np.sqrt(np.mean(np.square(x, dtype=np.float64))))


def made_from(song, relation):
    return list(Song.objects.filter(parent=song, relation=relation).order_by("created_at"))


# --- remaster -------------------------------------------------------------------------------
def test_remaster_makes_two_louder_masters_in_the_family_tree(member_client, song):
    data = {"model": "chirp-v5", "variation_category": "normal"}
    assert member_client.post(url("remaster", song), data).status_code == 302
    run_queued()
    task = Task.objects.get(action="remaster")
    assert task.request_payload["variation_category"] == "normal"
    assert (task.request_payload["model"], task.request_payload["is_pro"]) == ("chirp-v5", True)
    masters = made_from(song, Relation.REMASTERED)
    assert len(masters) == 2
    source = archived_pcm(song)
    for master in masters:
        assert master.state == SongState.SUCCEEDED and master.is_pro
        assert master.title == f"{song.title} (Remastered)"
        # Measured on the archived MP3s: the loudness the simulator promises survives.
        assert rms_db(archived_pcm(master)) - rms_db(source) > 2.5
    page = member_client.get(url("song", song)).content.decode()
    assert "Remastered from" in page


def test_remaster_offers_only_the_models_that_can_and_keeps_variation_to_v5(member_client, song):
    form = member_client.get(url("remaster", song)).context["form"]
    keys = [key for key, _ in form.fields["model"].choices]
    assert keys[:2] == ["chirp-v4-5-plus", "chirp-v5"]  # then the newer ones
    assert "chirp-v4" not in keys and "chirp-v4-5" not in keys
    assert form["model"].value() == "chirp-v5"  # the song's own v4 cannot remaster
    data = {"model": "chirp-v4-5-plus", "variation_category": "high"}
    response = member_client.post(url("remaster", song), data)
    assert response.status_code == 200
    assert "v4.5+ takes no variation setting" in response.content.decode()
    response = member_client.post(url("remaster", song), {"model": "chirp-v4"})
    assert response.status_code == 200 and "not one of the available choices" in (
        response.content.decode()
    )
    assert not Task.objects.filter(action="remaster").exists()


# --- change speed ---------------------------------------------------------------------------
def test_a_faster_copy_keeping_the_pitch_is_half_as_long(member_client, song):
    data = {"speed_multiplier": "2", "keep_pitch": "on"}
    assert member_client.post(url("adjust_speed", song), data).status_code == 302
    run_queued()
    task = Task.objects.get(action="adjust_speed")
    payload = {k: v for k, v in task.request_payload.items() if k != "callback_url"}
    assert payload == {
        "action": "adjust_speed",
        "audio_id": song.upstream_id,
        "speed_multiplier": 2.0,
        "keep_pitch": True,
    }
    (fast,) = made_from(song, Relation.SPEED_CHANGED)
    assert fast.duration == pytest.approx(song.duration / 2, abs=0.01)
    fast.audio_file.open("rb")
    assert mp3_duration(fast.audio_file.read()) == pytest.approx(song.duration / 2, abs=0.1)
    fast.audio_file.close()
    assert fast.title == f"{song.title} (2x)" and fast.is_pro  # the source's pool


def test_pitch_following_the_speed_is_asked_for_plainly(member_client, song):
    data = {"speed_multiplier": "0.5", "title": "Slow one"}  # keep_pitch unticked
    member_client.post(url("adjust_speed", song), data)
    run_queued()
    task = Task.objects.get(action="adjust_speed")
    assert task.request_payload["keep_pitch"] is False
    (slow,) = made_from(song, Relation.SPEED_CHANGED)
    assert slow.title == "Slow one"
    assert slow.duration == pytest.approx(song.duration * 2, abs=0.01)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"speed_multiplier": "5"}, "0.25 to 4 times the original"),
        ({"speed_multiplier": "0.1"}, "0.25 to 4 times the original"),
        ({"speed_multiplier": "1"}, "the song&#x27;s own speed"),
        ({"speed_multiplier": ""}, "how much faster or slower"),
        ({"speed_multiplier": "2", "title": "x" * 81}, "the limit is 80"),
    ],
)
def test_change_speed_validation(member_client, song, simulator, data, message):
    posts = len(simulator.requests)
    response = member_client.post(url("adjust_speed", song), data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert len(simulator.requests) == posts


# --- sample ---------------------------------------------------------------------------------
def test_a_sample_is_the_chosen_seconds(member_client, song):
    data = {"samples_start": "1.5", "samples_end": "4"}
    assert member_client.post(url("sample", song), data).status_code == 302
    run_queued()
    (piece,) = made_from(song, Relation.SAMPLED)
    assert piece.duration == pytest.approx(2.5, abs=0.001)
    assert piece.root == song and piece.is_pro
    assert Task.objects.get(action="samples").request_payload["samples_start"] == 1.5
    assert "Sampled from" in member_client.get(url("song", piece)).content.decode()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"samples_start": "3", "samples_end": "2"}, "The end must come after the start"),
        ({"samples_start": "-1", "samples_end": "2"}, "Start at 0 seconds or later"),
        ({"samples_start": "0", "samples_end": "999"}, "end the sample inside it"),
        ({"samples_start": "0", "samples_end": ""}, "Say where the sample ends"),
    ],
)
def test_sample_validation(member_client, song, data, message):
    response = member_client.post(url("sample", song), data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Task.objects.filter(action="samples").exists()


# --- the song page, other providers, failures ---------------------------------------------
def test_the_song_page_offers_the_three_reworks(member_client, song):
    html = member_client.get(url("song", song)).content.decode()
    for name in ("remaster", "adjust_speed", "sample"):
        assert f'href="{url(name, song)}"' in html


def test_a_relay_account_says_it_has_no_way_to_rework(member_client, team, member, simulator):
    ProviderAccount.objects.create(
        team=team, name="Relay", format="relay", base_url="http://simulator.local", is_default=True
    )
    simulator.max_duration = 8
    relayed = make_song(team, member, lyric=LYRIC, model="chirp-v4")
    html = member_client.get(url("song", relayed)).content.decode()
    assert url("remaster", relayed) not in html and url("sample", relayed) not in html
    assert "The relay format has no way to ask for “Remaster”" in html
    response = member_client.post(url("adjust_speed", relayed), {"speed_multiplier": "2"})
    assert response.status_code == 409
    assert "The relay format has no way to ask for “Change speed”" in response.content.decode()
    assert not Task.objects.filter(action="adjust_speed").exists()


def test_a_failed_speed_change_can_be_tried_again_from_its_form(member_client, song, simulator):
    data = {"speed_multiplier": "1.5", "title": "Quick"}
    member_client.post(url("adjust_speed", song), data)
    simulator.faults.next_errors.append((403, "forbidden", "Speed refused"))
    run_queued()
    failed = Task.objects.get(action="adjust_speed")
    assert failed.state == TaskState.FAILED and "Speed refused" in failed.error_message
    retry = f"{url('adjust_speed', song)}?retry={failed.pk}"
    assert retry in member_client.get(url("song", song)).content.decode()
    form = member_client.get(retry).context["form"]
    assert form["speed_multiplier"].value() == 1.5
    assert form["keep_pitch"].value() is False
    assert form["title"].value() == "Quick"


def test_viewers_cannot_rework(client, viewer, song):
    client.force_login(viewer)
    assert client.post(url("remaster", song), {"model": "chirp-v5"}).status_code == 403
    assert client.post(url("sample", song), {"samples_start": "0"}).status_code == 403


def test_the_account_form_says_which_actions_a_relay_cannot_offer(client, owner, team):
    relay = ProviderAccount.objects.create(
        team=team, name="Relay", format="relay", base_url="http://simulator.local"
    )
    client.force_login(owner)
    html = client.get(reverse("music:account_edit", args=[relay.pk])).content.decode()
    for label in ("Remaster", "Change speed", "Sample"):
        assert f"{label} (not in the relay format)" in html
    assert "Cover (not in the relay format)" not in html
