"""Building `replace_section` from aligned words, against seed 003's worked example."""

import json
from pathlib import Path

import pytest

from music.services.lyric_editor import (
    build_replacement,
    compact_peaks,
    normalise_words,
    selected_text,
    timed_lines,
    to_lrc,
    to_srt,
)

SEED = json.loads((Path(__file__).parent.parent / "data/seed_timing.json").read_text())
NEW = "桃花潭水深千尺藏\n桃花潭水深千尺藏\n桃花潭水深千尺藏"


@pytest.fixture
def lines():
    return timed_lines(normalise_words(SEED["aligned_words"]))


def test_lines_carry_their_section_headers_and_times(lines):
    assert len(lines) == 32
    assert (lines[0].header, lines[0].text) == ("[Verse]", "窗外鞭炮声震天响")
    assert (lines[1].header, lines[1].text) == ("", "红灯笼挂满了各家巷")
    assert (lines[4].header, lines[4].text) == ("[Chorus]", "新年快乐大家喜洋洋")
    assert lines[0].start == pytest.approx(7.340425531914894)
    assert lines[7].end == pytest.approx(52.9188829787234)


def test_the_seed_example_is_rebuilt_exactly(lines):
    # Seed 003 replaces the last three lines of the first chorus.
    r = build_replacement(lines, 5, 7, NEW, duration=140)
    assert r.ok
    assert r.prompt == "桃花潭水深千尺藏\n桃花潭水深千尺藏\n桃花潭水深千尺藏\n"
    assert r.lyric == (
        "[Verse]\n窗外鞭炮声震天响\n红灯笼挂满了各家巷\n新衣服带着福气登场\n笑声绕满了欢乐厅堂\n"
        "[Chorus]\n新年快乐大家喜洋洋\n桃花潭水深千尺藏\n桃花潭水深千尺藏\n桃花潭水深千尺藏\n"
    )
    assert r.end == pytest.approx(52.9188829787234)  # the seed's replace_section_end
    assert r.start == pytest.approx(27.127659574468087)
    assert r.prompt in r.lyric


def test_replacing_a_whole_section_keeps_its_header_in_the_prompt(lines):
    # The seed's 11111/55555 example: a whole [Verse 2] is replaced, header included.
    r = build_replacement(lines, 8, 11, "55555\n55555\n55555\n55555", duration=140)
    assert r.prompt == "[Verse 2]\n55555\n55555\n55555\n55555\n"
    assert r.lyric.endswith(
        "[Chorus]\n新年快乐大家喜洋洋\n好运满满心中全是光\n团圆饭香飘四周飘荡\n"
        "愿望成真心花绽满芳\n[Verse 2]\n55555\n55555\n55555\n55555\n"
    )


def test_a_repeated_chorus_is_replaced_where_it_was_selected(lines):
    first = build_replacement(lines, 5, 5, "新词", duration=140)
    third = build_replacement(lines, 21, 21, "新词", duration=140)
    assert first.start == pytest.approx(27.127659574468087)
    assert third.start == pytest.approx(100.45212765957447)
    assert third.lyric.count("[Chorus]") == 3


def test_a_selection_across_sections_shows_and_keeps_inner_headers(lines):
    assert selected_text(lines, 3, 4) == "笑声绕满了欢乐厅堂\n[Chorus]\n新年快乐大家喜洋洋"
    r = build_replacement(lines, 3, 4, "新的一句\n[Chorus]\n新的副歌", duration=140)
    assert r.ok
    assert r.prompt == "新的一句\n[Chorus]\n新的副歌\n"


def test_blank_lines_in_the_new_text_are_dropped(lines):
    r = build_replacement(lines, 5, 5, "\n  新词一  \n\n\n新词二\n", duration=140)
    assert r.prompt == "新词一\n新词二\n"


def test_a_window_of_exactly_60_seconds_is_allowed_and_longer_is_not(lines):
    assert build_replacement(lines, 5, 7, NEW, start=10, end=70, duration=140).ok
    too_long = build_replacement(lines, 5, 7, NEW, start=10, end=70.5, duration=140)
    assert "at most 60 s" in too_long.errors[0]


def test_selections_longer_than_a_minute_are_refused(lines):
    r = build_replacement(lines, 0, 12, NEW, duration=140)
    assert not r.ok
    assert "Select fewer lines" in r.errors[0]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"start": 30, "end": 20}, "must come after its start"),
        ({"start": -1, "end": 20}, "inside the song"),
        ({"start": 130, "end": 150}, "inside the song"),
    ],
)
def test_bad_windows_are_refused(lines, kwargs, message):
    r = build_replacement(lines, 5, 7, NEW, duration=140, **kwargs)
    assert any(message in e for e in r.errors)


def test_empty_new_lines_are_refused(lines):
    for text in ("", "   \n  ", "[Chorus]"):
        r = build_replacement(lines, 5, 7, text, duration=140)
        assert "Write the new lines" in r.errors[0]


def test_a_bad_selection_is_refused(lines):
    assert not build_replacement(lines, 7, 5, NEW).ok
    assert not build_replacement(lines, 0, 99, NEW).ok
    assert not build_replacement([], 0, 0, NEW).ok


def test_word_level_alignment_is_gathered_into_lines():
    words = [
        {"word": "Hello ", "start": 1, "end": 1.5},
        {"word": "world\n", "start": 1.5, "end": 2},
        {"word": "[Chorus]\nSing ", "start": 3, "end": 3.5},
        {"word": "loud\n\n", "start": 3.5, "end": 4},
    ]
    lines = timed_lines(words)
    assert [(ln.header, ln.text, ln.start, ln.end) for ln in lines] == [
        ("", "Hello world", 1, 2),
        ("[Chorus]", "Sing loud", 3, 4),
    ]


def test_lrc_and_srt(lines):
    lrc = to_lrc(lines[:2], title="新年快乐")
    assert lrc.splitlines() == [
        "[ti:新年快乐]",
        "[00:07.34]窗外鞭炮声震天响",
        "[00:10.85]红灯笼挂满了各家巷",
    ]
    srt = to_srt(lines[:2])
    assert srt.startswith("1\n00:00:07,340 --> 00:00:10,691\n窗外鞭炮声震天响\n\n2\n")


def test_peaks_are_compact():
    peaks = compact_peaks([0.1, 0.5, -1.0, 0.2] * 1000, points=100)
    assert len(peaks) == 100
    assert max(peaks) == 1.0 and min(peaks) >= 0


def test_peaks_take_the_loudest_of_each_bucket_whichever_way_they_are_read():
    waveform = [((i * 37) % 101) / 100 - 0.5 for i in range(4801)]
    peaks = compact_peaks(waveform, points=800)
    size = len(waveform) / 800
    loudest = [
        max(abs(v) for v in waveform[int(i * size) : int((i + 1) * size)]) for i in range(800)
    ]
    assert peaks == [round(v / max(loudest), 2) for v in loudest]
    # A stray value from a provider (read the slow way) changes nothing else.
    assert compact_peaks([*waveform[:2400], "n/a", *waveform[2400:]], points=800) == peaks
