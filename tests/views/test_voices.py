"""MIDI, personas at the provider, persona v2 and voices from the song and personas pages
(issue #15), through the whole path (queue, httpx, simulator, storage)."""

import numpy as np
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils.text import slugify

from music.models import Persona, PersonaKind, ProviderAccount, Relation, Song, Task
from music.services import midi
from music.upstream.simulator import media
from tests.factories import MembershipFactory
from tests.helpers import make_song, run_queued

LYRIC = "[Verse]\nFirst line here\nSecond line here\n[Chorus]\nSing it loud\nSing it proud"


@pytest.fixture
def song(team, member, simulator):
    simulator.max_duration = 30
    return make_song(team, member, lyric=LYRIC, is_pro=True)


def url(name, *args):
    return reverse(f"music:{name}", args=args)


# --- MIDI -----------------------------------------------------------------------------------
def test_midi_is_made_from_the_song_page_and_holds_the_simulators_notes(
    member_client, song, simulator
):
    page = member_client.get(url("song", song.pk)).content.decode()
    assert url("quick_action", song.pk, "midi") in page
    assert member_client.post(url("quick_action", song.pk, "midi")).status_code == 302
    run_queued()
    task = Task.objects.get(action="midi")
    assert task.request_payload == {"audio_id": song.upstream_id}
    song.refresh_from_db()
    response = member_client.get(url("song_midi", song.pk))
    assert response.status_code == 200 and response["Content-Type"] == "audio/midi"
    name = f"{slugify(song.title)}-{song.upstream_id[:8]}.mid"
    assert response["Content-Disposition"] == f'attachment; filename="{name}"'
    got = midi.read_notes(b"".join(response.streaming_content))
    planned = simulator.played_notes(simulator._clip(song.upstream_id))
    want = sorted(
        (
            (part["name"], n["pitch"], n["start"], n["end"])
            for part in planned
            for n in part["notes"]
        ),
        key=lambda n: (n[0], n[2], n[1]),
    )
    assert len(got) == len(want) > 6
    tick = 1 / 960  # 480 ticks a beat at 120 BPM
    for (name_got, pitch_got, start, end), (name_want, pitch_want, s, e) in zip(
        got, want, strict=True
    ):
        assert (name_got, pitch_got) == (name_want, pitch_want)
        assert abs(start - s) <= tick and abs(end - e) <= tick
    page = member_client.get(url("song", song.pk)).content.decode()
    assert "Download MIDI" in page
    assert url("quick_action", song.pk, "midi") not in page  # made: no second button


def test_midi_is_for_team_members_only(member_client, song, client, outsider):
    member_client.post(url("quick_action", song.pk, "midi"))
    run_queued()
    client.force_login(outsider)
    assert client.get(url("song_midi", song.pk)).status_code == 404


def test_a_relay_song_page_says_there_is_no_way_to_make_midi(member_client, team, song):
    account = ProviderAccount.objects.create(
        team=team, name="Relay", format="relay", base_url="https://relay.example.com"
    )
    Song.objects.filter(pk=song.pk).update(account=account)
    page = member_client.get(url("song", song.pk)).content.decode()
    assert url("quick_action", song.pk, "midi") not in page
    assert "no way to ask for “MIDI export”" in page
    response = member_client.post(url("quick_action", song.pk, "midi"), follow=True)
    assert "no way to ask for “MIDI export”" in response.content.decode()
    assert not Task.objects.filter(action="midi").exists()


# --- personas at the provider ---------------------------------------------------------------
@pytest.fixture
def persona(member_client, song):
    member_client.post(url("persona_create", song.pk), {"name": "Warm tenor"})
    run_queued()
    return Persona.objects.get()


def test_deleting_a_persona_deletes_it_at_the_provider(member_client, persona, simulator):
    assert persona.upstream_id in {p["id"] for p in simulator.list_personas()}
    response = member_client.post(url("persona_delete", persona.pk), follow=True)
    assert "Persona “Warm tenor” deleted." in response.content.decode()
    assert ("DELETE", "/suno/persona") in simulator.requests
    assert not Persona.objects.exists()
    assert simulator.list_personas() == []


def test_a_persona_deleted_at_the_provider_is_marked_and_cannot_sing(
    member_client, persona, simulator
):
    simulator.delete_persona(persona.upstream_id)
    page = member_client.get(url("personas")).content.decode()
    assert "Deleted at the provider" in page
    persona.refresh_from_db()
    assert persona.gone_upstream_at is not None
    assert url("persona_sing", persona.pk) not in page
    response = member_client.post(url("persona_sing", persona.pk), {"prompt": "x", "is_pro": "on"})
    assert response.status_code == 409
    assert not Task.objects.filter(action="artist_consistency").exists()


def test_personas_made_elsewhere_on_the_teams_account_are_brought_in(
    member_client, team, song, simulator, outsider, client
):
    account = ProviderAccount.objects.create(
        team=team, name="Sim", format="simulator", base_url="", is_default=True
    )
    other = simulator.create_persona("Made on the site", "", song.upstream_id)
    page = member_client.get(url("personas")).content.decode()
    assert "Made on the site" in page
    found = Persona.objects.get(upstream_id=other)
    assert (found.team, found.account, found.kind) == (team, account, PersonaKind.PERSONA)
    assert found.source_song is None or found.source_song.team == team
    member_client.get(url("personas"))
    assert Persona.objects.filter(upstream_id=other).count() == 1  # brought in once
    client.force_login(outsider)
    assert "Made on the site" not in client.get(url("personas")).content.decode()


# --- persona v2 -----------------------------------------------------------------------------
def test_persona_v2_isolates_the_range_makes_the_persona_and_sings(member_client, song, simulator):
    form = member_client.get(url("persona_v2", song.pk))
    assert form.status_code == 200 and "Vocals from (seconds)" in form.content.decode()
    data = {
        "name": "Range",
        "vocal_start": "1",
        "vocal_end": "9",
        "prompt": "a new day",
        "is_pro": "on",
        "model": "chirp-v4",
    }
    assert member_client.post(url("persona_v2", song.pk), data).status_code == 302
    for _ in range(3):  # vox, then the persona, then the song: each starts the next
        run_queued()
    vox = Task.objects.get(action="vox")
    assert vox.request_payload == {
        "audio_id": song.upstream_id,
        "vocal_start": 1.0,
        "vocal_end": 9.0,
    }
    made = Task.objects.get(action="persona_vox").request_payload
    assert made["vox_audio_id"] == vox.params["vox_audio_id"]
    persona = Persona.objects.get(kind=PersonaKind.VOX)
    assert persona.source_song == song and persona.name == "Range"
    sung = Task.objects.get(action="artist_consistency_vox").request_payload
    assert sung["persona_id"] == persona.upstream_id and sung["action"] == "artist_consistency_vox"
    songs = Song.objects.filter(relation=Relation.PERSONA_V2, parent=song)
    assert songs.count() == 2
    page = member_client.get(url("song", song.pk)).content.decode()
    assert "Persona v2 from" in page


@pytest.mark.parametrize(
    ("start", "end", "words"),
    [
        ("5", "5", "after the start"),
        ("0", "3", "at least 5 seconds"),
        ("0", "999", "long; end the range"),
    ],
)
def test_persona_v2_refuses_a_bad_range_before_paying(member_client, song, start, end, words):
    data = {
        "name": "R",
        "vocal_start": start,
        "vocal_end": end,
        "prompt": "x",
        "is_pro": "on",
        "model": "chirp-v4",
    }
    response = member_client.post(url("persona_v2", song.pk), data)
    assert words in response.content.decode()
    assert not Task.objects.filter(action="vox").exists()


# --- voices ---------------------------------------------------------------------------------
def wav(seconds):
    t = np.arange(int(seconds * media.SR)) / media.SR
    pcm = media.to_pcm16(0.3 * np.sin(2 * np.pi * 220 * t))
    return SimpleUploadedFile("me.wav", media.wav_bytes(pcm), content_type="audio/wav")


def test_a_voice_needs_ten_seconds_and_says_so(member_client):
    data = {"name": "Me", "audio_file": wav(4)}
    response = member_client.post(url("voice_create"), data)
    assert "a voice needs at least 10 seconds" in response.content.decode()
    assert not Task.objects.filter(action="voice").exists()


def test_a_voice_from_an_uploaded_recording_is_listed_with_the_personas(
    live_server, settings, client, simulator
):
    """The simulator fetches the file from the studio's signed link over HTTP, as a provider
    would, and checks its length again."""
    settings.STUDIO_PUBLIC_URL = live_server.url
    client.force_login(MembershipFactory(role="member").user)
    response = client.post(url("voice_create"), {"name": "Me", "audio_file": wav(12)})
    assert response.status_code == 302
    run_queued()
    task = Task.objects.get(action="voice")
    assert "/files/" in task.request_payload["audio_url"]
    assert task.request_payload["name"] == "Me"
    voice = Persona.objects.get(kind=PersonaKind.VOICE)
    assert voice.source_song is None and voice.upstream_id
    page = client.get(url("personas")).content.decode()
    assert "Me" in page and "From a recording" in page


def test_a_voice_from_a_team_song(member_client, song, simulator):
    response = member_client.post(url("voice_create"), {"name": "Sung", "song": str(song.pk)})
    assert response.status_code == 302
    run_queued()
    task = Task.objects.get(action="voice")
    assert task.request_payload["audio_url"] == song.audio_url
    voice = Persona.objects.get(kind=PersonaKind.VOICE)
    page = member_client.get(url("personas")).content.decode()
    assert "Sung" in page and "Voice (from a recording)" in page
    assert voice.upstream_id in {p["id"] for p in simulator.list_personas()}


def test_viewers_make_no_voices(client, team):
    client.force_login(MembershipFactory(team=team, role="viewer").user)
    assert client.post(url("voice_create"), {"name": "x"}).status_code == 403


def test_a_voice_sings_a_new_song(member_client, song, simulator):
    member_client.post(url("voice_create"), {"name": "Sung", "song": str(song.pk)})
    run_queued()
    voice = Persona.objects.get(kind=PersonaKind.VOICE)
    data = {"prompt": "a song in my voice", "model": "chirp-v4", "is_pro": "on"}
    assert member_client.post(url("persona_sing", voice.pk), data).status_code == 302
    run_queued()
    payload = Task.objects.get(action="artist_consistency").request_payload
    assert payload["persona_id"] == voice.upstream_id and "audio_id" not in payload
    assert Song.objects.filter(relation=Relation.PERSONA).count() == 2


def test_a_relay_persona_is_deleted_here_and_the_page_says_the_provider_keeps_it(
    member_client, team, member, song, simulator
):
    account = ProviderAccount.objects.create(
        team=team, name="Relay", format="relay", base_url="https://relay.example.com"
    )
    persona = Persona.objects.create(
        team=team,
        name="Relay voice",
        upstream_id="relay-p1",
        provider="relay",
        account=account,
        created_by=member,
    )
    simulator.requests.clear()
    assert "Relay voice" in member_client.get(url("personas")).content.decode()
    response = member_client.post(url("persona_delete", persona.pk), follow=True)
    html = response.content.decode()
    assert "no way to delete it at the provider" in html
    assert not Persona.objects.filter(pk=persona.pk).exists()
    assert simulator.requests == []  # the relay was not asked, nor the built-in provider
