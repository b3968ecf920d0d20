"""The 12 stems, extracting a stem and adding one, from the song page (issue #15): the forms,
their refusals, and the results through the whole path (queue, httpx, simulator, archive,
family tree, the song page's mixer, the stems ZIP)."""

import io
import zipfile

import pytest
from django.urls import reverse

from music.models import ProviderAccount, Relation, Song, SongState, Task, TaskState
from music.services import stems
from tests.helpers import make_song, run_queued

LYRIC = "[Verse]\nFirst line here\nSecond line here\n[Chorus]\nSing it loud\nSing it proud"
TWELVE = [name for name, _label in stems.STEM_TYPES]


@pytest.fixture
def song(team, member, simulator):
    simulator.max_duration = 8
    return make_song(team, member, lyric=LYRIC, style="pop piano strings", is_pro=True)


def url(name, song):
    return reverse(f"music:{name}", args=[song.pk])


def quick(song, action):
    return reverse("music:quick_action", args=[song.pk, action])


def made_from(song, relation):
    return list(Song.objects.filter(parent=song, relation=relation).order_by("created_at"))


def test_twelve_stems_land_in_the_family_tree_and_the_mixer(member_client, song):
    response = member_client.post(quick(song, "all_stems"), {"request_key": "k-12"})
    assert response.status_code == 302
    run_queued()
    task = Task.objects.get(action="all_stems")
    assert task.state == TaskState.SUCCEEDED
    assert task.request_payload["action"] == "all_stems"
    assert task.request_payload["audio_id"] == song.upstream_id
    parts = made_from(song, Relation.ALL_STEMS)
    assert sorted(p.stem_type for p in parts) == sorted(TWELVE)
    assert all(p.state == SongState.SUCCEEDED and p.audio_file for p in parts)
    page = member_client.get(url("song", song))
    html = page.content.decode()
    rows = page.context["mixer"]
    assert [row["song"].stem_type for row in rows] == TWELVE
    assert html.count("data-mixer-row") == 12
    for part in parts:
        assert reverse("music:song_audio", args=[part.pk]) in html
    assert "Backing vocals" in html and "Woodwinds" in html
    assert reverse("music:stems_zip", args=[song.pk]) in html
    # A second click pays for nothing: the stems are there.
    member_client.post(quick(song, "all_stems"), {"request_key": "k-12b"})
    assert Task.objects.filter(action="all_stems").count() == 1
    assert "12 stems of" in member_client.get(url("song", parts[0])).content.decode()


def test_twelve_stems_zip_holds_every_stem(member_client, song):
    member_client.post(quick(song, "all_stems"))
    run_queued()
    response = member_client.get(reverse("music:stems_zip", args=[song.pk]))
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    assert len([n for n in archive.namelist() if n.endswith(".mp3")]) == 12


def test_posting_twelve_stems_twice_pays_once(member_client, song):
    member_client.post(quick(song, "all_stems"), {"request_key": "same"})
    member_client.post(quick(song, "all_stems"), {"request_key": "same"})
    assert Task.objects.filter(action="all_stems").count() == 1


def test_extract_a_stem_makes_the_part_and_the_rest(member_client, song):
    data = {"stem_type": "bass", "audio_format": "mp3", "request_key": "x-1"}
    assert member_client.post(url("extract_stem", song), data).status_code == 302
    assert member_client.post(url("extract_stem", song), data).status_code == 302
    run_queued()
    task = Task.objects.get(action="extract_stem")  # posted twice, paid once
    payload = task.request_payload
    assert {k: payload[k] for k in ("action", "audio_id", "stem_type", "audio_format")} == {
        "action": "extract_stem",
        "audio_id": song.upstream_id,
        "stem_type": "bass",
        "audio_format": "mp3",
    }
    made = made_from(song, Relation.STEM_EXTRACTED)
    assert [m.stem_type for m in made] == ["bass", "without:bass"]
    html = member_client.get(url("song", song)).content.decode()
    assert "Without bass" in html
    assert "Stem extracted from" in member_client.get(url("song", made[0])).content.decode()


def test_add_a_stem_makes_two_takes(member_client, song):
    data = {"stem_type": "strings", "prompt": "soft strings", "style": ""}
    assert member_client.post(url("add_stem", song), data).status_code == 302
    run_queued()
    task = Task.objects.get(action="add_stem")
    assert task.request_payload["stem_type"] == "strings"
    assert task.request_payload["prompt"] == "soft strings"
    assert "style" not in task.request_payload and "model" not in task.request_payload
    made = made_from(song, Relation.STEM_ADDED)
    assert len(made) == 2 and all(m.state == SongState.SUCCEEDED for m in made)
    assert "Stem added to" in member_client.get(url("song", made[0])).content.decode()


@pytest.mark.parametrize("name", ["extract_stem", "add_stem"])
def test_a_part_must_be_one_of_the_twelve(member_client, song, name):
    response = member_client.post(url(name, song), {"stem_type": "kazoo"})
    assert response.status_code == 200
    assert "Pick one of the twelve parts." in response.content.decode()
    assert not Task.objects.filter(action=name).exists()


def test_the_song_page_offers_the_stem_actions(member_client, song):
    html = member_client.get(url("song", song)).content.decode()
    assert quick(song, "all_stems") in html
    assert f'href="{url("extract_stem", song)}"' in html
    assert f'href="{url("add_stem", song)}"' in html


def test_a_relay_account_says_it_has_no_way_to_ask_for_stems(
    member_client, team, member, simulator
):
    ProviderAccount.objects.create(
        team=team, name="Relay", format="relay", base_url="http://simulator.local", is_default=True
    )
    simulator.max_duration = 8
    relayed = make_song(team, member, lyric=LYRIC, model="chirp-v4")
    html = member_client.get(url("song", relayed)).content.decode()
    assert quick(relayed, "all_stems") not in html
    assert "The relay format has no way to ask for “12 stems”" in html
    response = member_client.post(url("extract_stem", relayed), {"stem_type": "bass"})
    assert response.status_code == 409
    assert "no way to ask for “Extract a stem”" in response.content.decode()
    member_client.post(quick(relayed, "all_stems"))
    assert not Task.objects.filter(action__in=["all_stems", "extract_stem"]).exists()


def test_a_failed_extraction_can_be_tried_again_from_its_form(member_client, song, simulator):
    member_client.post(url("extract_stem", song), {"stem_type": "drums", "audio_format": "mp3"})
    simulator.faults.next_errors.append((403, "forbidden", "Separation refused"))
    run_queued()
    failed = Task.objects.get(action="extract_stem")
    assert failed.state == TaskState.FAILED
    retry = f"{url('extract_stem', song)}?retry={failed.pk}"
    assert retry in member_client.get(url("song", song)).content.decode()
    assert member_client.get(retry).context["form"]["stem_type"].value() == "drums"


def test_viewers_cannot_ask_for_stems(client, viewer, song):
    client.force_login(viewer)
    assert client.post(quick(song, "all_stems")).status_code == 403
    assert client.post(url("extract_stem", song), {"stem_type": "bass"}).status_code == 403
    assert client.post(url("add_stem", song), {"stem_type": "bass"}).status_code == 403
    assert not Task.objects.filter(action__in=["all_stems", "extract_stem", "add_stem"]).exists()


def test_the_account_form_says_a_relay_cannot_offer_the_stem_actions(client, owner, team):
    relay = ProviderAccount.objects.create(
        team=team, name="Relay", format="relay", base_url="http://simulator.local"
    )
    client.force_login(owner)
    html = client.get(reverse("music:account_edit", args=[relay.pk])).content.decode()
    for label in ("12 stems", "Extract a stem", "Add a stem"):
        assert f"{label} (not in the relay format)" in html
    assert "Split stems (not in the relay format)" not in html


def test_a_stem_is_named_by_its_part_and_an_added_stem_by_its_take():
    from music.services.naming import title_suffix

    assert title_suffix(Relation.ALL_STEMS, 4, "Coastal Line (Bass)") == "— stem"
    assert title_suffix(Relation.STEM_EXTRACTED, 2, "Coastal Line (Without Bass)") == "— stem"
    assert title_suffix(Relation.STEM_ADDED, 2, "Coastal Line (+Bass)") == "— stem added B"


def archived_pcm(song):
    from music.upstream.simulator import media

    song.audio_file.open("rb")
    try:
        return media.decode(song.audio_file.read()).astype("float64")
    finally:
        song.audio_file.close()


def test_the_archived_twelve_stems_add_up_to_the_archived_song(member_client, song):
    member_client.post(quick(song, "all_stems"))
    run_queued()
    song.refresh_from_db()
    mix = archived_pcm(song)
    decoded = [archived_pcm(stem) for stem in made_from(song, Relation.ALL_STEMS)]
    n = min(len(mix), *(len(d) for d in decoded))
    total = sum(d[:n] for d in decoded)

    def rms(x):
        return float((x**2).mean() ** 0.5)

    # Each MP3 has its own small coding error; twelve of them stay far under the music.
    assert rms(total - mix[:n]) < 0.05 * rms(mix[:n])
    assert rms(decoded[0][:n]) > 0.1 * rms(mix[:n])  # vocals first, and they are there
