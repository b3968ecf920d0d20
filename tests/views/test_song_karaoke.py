"""The song page carries what its waveform and karaoke lyrics are drawn from, at no query cost."""

import json
import re

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.urls import reverse

from music.models import LyricTiming
from music.services import remembered
from tests.factories import SongFactory
from tests.mediafiles import mp3_frames

WORDS = [
    {"word": "[Verse]\nMorning light\n", "start": 1.0, "end": 3.5},
    {"word": "Coffee ", "start": 4.0, "end": 4.6},
    {"word": "warm\n", "start": 4.6, "end": 6.0},
    {"word": "[Chorus]\nWe sing along\n", "start": 8.25, "end": 11.0},
]


def playable(team, **fields):
    song = SongFactory(team=team, **fields)
    song.audio_file.save("a.mp3", ContentFile(mp3_frames(0.2)), save=True)
    return song


def timing_of(html):
    found = re.search(r'<script id="song-timing" type="application/json">(.*?)</script>', html)
    return json.loads(found.group(1)) if found else None


def page(client, song):
    response = client.get(reverse("music:song", args=[song.pk]))
    assert response.status_code == 200
    return response.content.decode()


def queries_of(client, song):
    """The song page's queries at a first look (nothing remembered for the version)."""
    remembered.forget()
    seen = []

    def count(execute, sql, params, many, context):
        seen.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        client.get(reverse("music:song", args=[song.pk]))
    return len(seen)


def test_a_timed_song_brings_its_lines_and_peaks(member_client, team):
    song = playable(team, lyric="[Verse]\nMorning light\nCoffee warm\n[Chorus]\nWe sing along")
    LyricTiming.objects.create(song=song, words=WORDS, waveform=[0.1, 0.5, 0.25, 0.0] * 600)
    html = page(member_client, song)

    data = timing_of(html)
    assert data["lines"] == [
        {"header": "[Verse]", "text": "Morning light", "start": 1.0, "end": 3.5},
        {"header": "", "text": "Coffee warm", "start": 4.0, "end": 6.0},
        {"header": "[Chorus]", "text": "We sing along", "start": 8.25, "end": 11.0},
    ]
    # Downsampled for a page-wide waveform, loudest at 1.
    assert len(data["peaks"]) == 800 and max(data["peaks"]) == 1.0
    assert 'id="karaoke"' in html and "data-song-wave" in html
    assert "js/song-page.js" in html
    # Without the script the lyrics read as before.
    assert '<pre class="lyrics">' in html


def test_a_song_without_timing_has_a_waveform_but_no_karaoke(member_client, team):
    song = playable(team, lyric="[Verse]\nMorning light")
    html = page(member_client, song)
    assert timing_of(html) is None
    assert 'id="karaoke"' not in html
    wave = re.search(r"<div class=\"song-wave\"[^>]*>", html).group(0)
    # Drawn from the audio itself (no peaks on the server), the bar's own URL.
    assert f'data-src="{reverse("music:song_audio", args=[song.pk])}"' in wave
    assert 'data-duration="120.0"' in wave


def test_an_instrumental_with_timing_draws_peaks_but_has_no_lines(member_client, team):
    song = playable(team, instrumental=True, lyric="")
    LyricTiming.objects.create(song=song, words=[], waveform=[0.2, 0.4])
    html = page(member_client, song)
    assert timing_of(html) == {"lines": [], "peaks": [0.5, 1.0]}
    assert 'id="karaoke"' not in html


def test_a_song_not_yet_archived_has_neither(member_client, team):
    song = SongFactory(team=team)  # no audio file: nothing for the bar to play
    LyricTiming.objects.create(song=song, words=WORDS, waveform=[0.2])
    html = page(member_client, song)
    assert timing_of(html) is None
    assert 'id="karaoke"' not in html and "data-song-wave" not in html


def test_timing_costs_the_song_page_no_query(member_client, team):
    plain = playable(team)
    timed = playable(team)
    LyricTiming.objects.create(song=timed, words=WORDS, waveform=[0.3] * 100)
    page(member_client, plain)  # once: per-process lookups
    assert queries_of(member_client, timed) == queries_of(member_client, plain)
    # The timing row comes with the song (one join), not from a query of its own.
    with_timing = []

    def record(execute, sql, params, many, context):
        with_timing.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        member_client.get(reverse("music:song", args=[timed.pk]))
    assert not [q for q in with_timing if q.lstrip().startswith('SELECT "music_lyrictiming"')]


@pytest.mark.parametrize("name", ["music:library", "music:tasks"])
def test_every_page_says_its_csp_nonce_for_the_waveform_style(member_client, name):
    # Navigation that swaps only the page's content keeps the first page's <head> and CSP:
    # the song page's waveform then styles itself with that page's nonce.
    response = member_client.get(reverse(name))
    nonce = re.search(r'<meta name="csp-nonce" nonce="([^"]+)">', response.content.decode())
    assert nonce and f"'nonce-{nonce.group(1)}'" in response["Content-Security-Policy"]
