"""Every action of the studio, in both wire formats, through httpx and the simulator."""

import pytest

from music.models import LyricTiming, Persona, ProviderAccount, Relation, Song, SongState, Task
from music.services import actions, lyric_editor, writing
from music.services.actions import ActionRefused
from music.upstream.simulator.audio import mp3_duration
from tests.helpers import run_queued

LYRIC = "[Verse]\nLine one here\nLine two here\n[Chorus]\nSing it now\nSing it loud"
WORDS = {
    "lyric": "[Verse]\nMore words\nAnd more",
    "style": "pop",
    "model": "chirp-v4-5",
    "is_pro": True,
}


@pytest.fixture(params=["sunohub", "relay"])
def account(request, team):
    return ProviderAccount.objects.create(
        team=team,
        name=request.param,
        format=request.param,
        base_url="http://simulator.local",
        pro_pool=True,
        is_default=True,
    )


@pytest.fixture
def membership(member, team, account):
    return member.memberships.get(team=team)


@pytest.fixture
def song(membership, simulator):
    simulator.max_duration = 30
    from music.services import tasks

    task = tasks.start_task(
        team=membership.team,
        user=membership.user,
        action="generate",
        params={
            "action": "generate",
            "custom": True,
            "lyric": LYRIC,
            "style": "folk",
            "model": "chirp-v4-5",
            "is_pro": True,
        },
    )
    run_queued()
    return Song.objects.filter(task=task).order_by("created_at").first()


def children(song, relation):
    return list(Song.objects.filter(parent=song, relation=relation).order_by("created_at"))


def test_generate(song, account):
    assert song.state == SongState.SUCCEEDED
    assert song.account == account and song.provider == account.format
    assert song.model_name == "chirp-v4-5"  # relay's chirp-auk maps back to the catalogue
    assert song.lyric.startswith("[Verse]")
    assert abs(mp3_duration(song.audio_file.read()) - song.duration) < 0.2
    assert Task.objects.get(songs=song).account == account


def test_extend_then_concat(membership, song):
    actions.extend(membership, song, WORDS, continue_at=5)
    run_queued()
    fragment = children(song, Relation.EXTENDED)[0]
    assert fragment.is_fragment and fragment.state == SongState.SUCCEEDED
    actions.concat(membership, fragment)
    run_queued()
    whole = children(fragment, Relation.CONCATENATED)[0]
    assert [p["id"] for p in whole.parts] == [song.upstream_id, fragment.upstream_id]
    assert abs(whole.duration - (5 + fragment.duration)) < 0.5


def test_cover(membership, song):
    actions.cover(membership, song, {"style": "punk rock", "model": "chirp-v4-5"})
    run_queued()
    assert len(children(song, Relation.COVERED)) == 2


def test_stems(membership, song):
    actions.stems(membership, song)
    run_queued()
    stems = children(song, Relation.STEM)
    assert len(stems) == 2
    assert all(abs(s.duration - song.duration) < 0.1 for s in stems)


def test_upload_and_upload_extend(membership, song, simulator):
    actions.upload(membership, f"{simulator.base_url}/media/{song.upstream_id}.mp3")
    run_queued()
    uploaded = Song.objects.get(relation=Relation.UPLOADED)
    assert abs(uploaded.duration - song.duration) < 0.3
    actions.extend(membership, uploaded, WORDS, continue_at=4)
    run_queued()
    assert Task.objects.get(source_song=uploaded).action == "upload_extend"
    assert len(children(uploaded, Relation.EXTENDED)) == 2


def test_upload_generate(membership, song, simulator):
    actions.upload_generate(
        membership, f"{simulator.base_url}/media/{song.upstream_id}.mp3", WORDS, continue_at=4
    )
    run_queued()
    task = Task.objects.get(action="upload_generate")
    assert task.songs.filter(state=SongState.SUCCEEDED).count() == 2


def test_replace_section_then_concat(membership, song):
    actions.fetch_timing(membership, song)
    run_queued()
    timing = LyricTiming.objects.get(song=song)
    lines = lyric_editor.timed_lines(lyric_editor.normalise_words(timing.words))
    replacement = lyric_editor.build_replacement(
        lines, 1, 1, "A brand new line", duration=song.duration
    )
    assert replacement.ok, replacement.errors
    actions.replace_section(
        membership, song, replacement, model="chirp-v4-5", is_pro=True, auto_concat=True
    )
    run_queued()
    run_queued()
    whole = Song.objects.get(relation=Relation.CONCATENATED)
    assert abs(whole.duration - song.duration) < 1.0
    assert Task.objects.get(action="concat").params["is_infill"] is True


def test_persona_and_a_song_sung_by_it(membership, song):
    actions.make_persona(membership, song, name="Voice", description="warm")
    run_queued()
    persona = Persona.objects.get()
    assert persona.upstream_id and persona.source_song == song
    actions.persona_song(
        membership, persona, {"prompt": "a rainy day song", "model": "chirp-v4-5", "custom": False}
    )
    run_queued()
    assert Song.objects.filter(relation=Relation.PERSONA, state=SongState.SUCCEEDED).count() == 2


def test_exports(membership, song):
    for export in (actions.fetch_timing, actions.export_wav, actions.export_mp4):
        export(membership, song)
    run_queued()
    song.refresh_from_db()
    assert LyricTiming.objects.get(song=song).words
    assert song.wav_file.open("rb").read(4) == b"RIFF"
    assert song.video_file.open("rb").read(8)[4:8] == b"ftyp"


def test_lyrics_helper(account):
    result = writing.write_lyrics("a road trip", account)
    assert result.ok, result.error
    assert "[Verse]" in result.lyrics.text


def test_style_boost(account):
    result = writing.boost_style("sad jazz", account)
    if account.format == "relay":
        assert "does not offer" in result.error
    else:
        assert "jazz" in result.style


def test_polling_batches_per_account(membership, song, simulator):
    from django.utils import timezone

    from music.services import tasks

    simulator.running_seconds = 60
    for _ in range(3):
        tasks.start_task(
            team=membership.team,
            user=membership.user,
            action="generate",
            params={"action": "generate", "prompt": "x", "model": "chirp-v4"},
        )
    for pk in Task.objects.filter(state="queued").values_list("pk", flat=True):
        tasks.submit(pk)
    simulator.requests.clear()
    Task.objects.update(next_poll_at=timezone.now())
    tasks.poll_due()
    fetches = [r for r in simulator.requests if r[0] == "POST"]
    assert fetches == [("POST", "/suno/tasks" if song.provider == "sunohub" else "/suno/fetch")]


def test_relay_offers_stems_only_for_v45_songs(team, member):
    from music.services import tasks

    relay = ProviderAccount.objects.create(
        team=team, name="r", format="relay", base_url="http://simulator.local"
    )
    task = tasks.start_task(
        team=team,
        user=member,
        action="generate",
        account=relay,
        params={"action": "generate", "prompt": "x", "model": "chirp-v4"},
    )
    run_queued()
    v4_song = task.songs.first()
    with pytest.raises(ActionRefused, match="v4.5"):
        actions.stems(member.memberships.get(team=team), v4_song)


def test_one_request_per_account_per_tick(team, member, simulator):
    from django.utils import timezone

    from music.services import tasks

    simulator.running_seconds = 60
    for fmt in ("sunohub", "relay"):
        account = ProviderAccount.objects.create(
            team=team, name=fmt, format=fmt, base_url="http://simulator.local"
        )
        for _ in range(3):
            tasks.start_task(
                team=team,
                user=member,
                action="generate",
                account=account,
                params={"action": "generate", "prompt": "x", "model": "chirp-v4"},
            )
    for pk in Task.objects.filter(state="queued").values_list("pk", flat=True):
        tasks.submit(pk)
    simulator.requests.clear()
    Task.objects.update(next_poll_at=timezone.now())
    assert tasks.poll_due() == 6
    assert sorted(simulator.requests) == [("POST", "/suno/fetch"), ("POST", "/suno/tasks")]
