"""The exact JSON of Add instrumental, Add vocals and covers of uploads in each format
(issue #15), from the docs' own examples: AceData's `/suno/audios` guide for SunoHub, the
resellers' `/suno/submit/music` pages for the relay."""

import pytest

from music.upstream.base import SongRequest
from music.upstream.relay import Relay
from music.upstream.sunohub import SunoHub

HOOK = "https://studio.example/hooks/suno/t/secret/"
SUNOHUB = SunoHub(client=None)
RELAY = Relay(client=None)
STYLE = (
    "Pop rap, uplifting, magnetic male vocals, piano, synth, electric guitar, driving bass, "
    "clear structure"
)
WORDS = "Yea your were the best I could get \\nBut I knew that it couldn’t last"
UPLOADED = "92254cab-3372-4d9e-bce9-cdcfdbc39070"


def r(**kwargs):
    return SongRequest(**kwargs)


SUNOHUB_CASES = [
    # "Add Instrumental Function": the docs' payload, word for word (a window from 0 sends
    # only its end, 0 being the documented default start).
    (
        r(
            action="underpainting",
            model="chirp-v4-5",
            style=STYLE,
            audio_id=UPLOADED,
            underpainting_start=0,
            underpainting_end=120,
        ),
        {
            "action": "underpainting",
            "model": "chirp-v4-5",
            "style": STYLE,
            "audio_id": UPLOADED,
            "underpainting_end": 120,
        },
    ),
    # "Add Vocals Feature": the docs' payload (custom mode, the words in `lyric`).
    (
        r(
            action="overpainting",
            model="chirp-v4-5",
            lyric=WORDS,
            custom=True,
            audio_id=UPLOADED,
            overpainting_start=0,
            overpainting_end=120,
        ),
        {
            "action": "overpainting",
            "model": "chirp-v4-5",
            "lyric": WORDS,
            "custom": True,
            "audio_id": UPLOADED,
            "overpainting_end": 120,
        },
    ),
    # A window that starts later says so; a studio song is in the Pro pool when its model is.
    (
        r(
            action="overpainting",
            model="chirp-v5",
            lyric="[Verse]\nHello",
            custom=True,
            style="soul",
            title="ignored",
            audio_id="a1",
            overpainting_start=12.5,
            overpainting_end=40.0,
            is_pro=True,
        ),
        {
            "action": "overpainting",
            "model": "chirp-v5",
            "lyric": "[Verse]\nHello",
            "custom": True,
            "style": "soul",
            "audio_id": "a1",
            "overpainting_start": 12.5,
            "overpainting_end": 40.0,
            "is_pro": True,
        },
    ),
    # "Music Reproduction": a cover of uploaded music is `upload_cover`, as `cover` otherwise.
    (
        r(
            action="upload_cover",
            audio_id="0a1e1b10-c36a-41c9-9bfb-b26d9d25db98",
            prompt="A song for Christmas",
            model="chirp-v4-5",
        ),
        {
            "action": "upload_cover",
            "audio_id": "0a1e1b10-c36a-41c9-9bfb-b26d9d25db98",
            "prompt": "A song for Christmas",
            "model": "chirp-v4-5",
        },
    ),
]


@pytest.mark.parametrize(("request_", "expected"), SUNOHUB_CASES)
def test_sunohub_layer_payloads(request_, expected):
    assert SUNOHUB.build_payload(request_) == expected
    assert SUNOHUB.build_payload(request_, HOOK) == {**expected, "callback_url": HOOK}


RELAY_CASES = [
    # The reseller's "生成歌曲（添加伴奏）" example: empty prompt, the window in whole seconds.
    (
        r(
            action="underpainting",
            model="chirp-v5",
            style="ambient",
            title="添加伴奏",
            audio_id="xxx-clip-id",
            underpainting_start=0,
            underpainting_end=30,
        ),
        {
            "mv": "chirp-crow",
            "prompt": "",
            "tags": "ambient",
            "title": "添加伴奏",
            "task": "underpainting",
            "metadata_params": {
                "underpainting_clip_id": "xxx-clip-id",
                "underpainting_start_s": 0,
                "underpainting_end_s": 30,
            },
        },
    ),
    # "生成歌曲（添加人声）": the words in `prompt`; fractions go down to whole seconds.
    (
        r(
            action="overpainting",
            model="chirp-v5",
            lyric="[Verse]\n新歌词",
            custom=True,
            style="pop,female voice",
            title="添加人声",
            audio_id="xxx-clip-id",
            overpainting_start=2.6,
            overpainting_end=30.9,
        ),
        {
            "mv": "chirp-crow",
            "prompt": "[Verse]\n新歌词",
            "tags": "pop,female voice",
            "title": "添加人声",
            "task": "overpainting",
            "metadata_params": {
                "overpainting_clip_id": "xxx-clip-id",
                "overpainting_start_s": 2,
                "overpainting_end_s": 30,
            },
        },
    ),
]


@pytest.mark.parametrize(("request_", "expected"), RELAY_CASES)
def test_relay_layer_payloads(request_, expected):
    assert RELAY.build_payload(request_) == expected
    assert RELAY.build_payload(request_, HOOK) == {**expected, "notify_hook": HOOK}


def test_a_relay_cover_of_an_upload_is_a_cover_task():
    body = RELAY.build_payload(
        r(action="upload_cover", audio_id="up1", model="chirp-v4", style="jazz")
    )
    assert body["task"] == "cover" and body["cover_clip_id"] == "up1"


def test_sunohub_sends_a_custom_songs_duration_and_not_an_inspirations():
    words = {"custom": True, "lyric": "[Verse]\nSnow", "style": "pop", "model": "chirp-v5"}
    payload = SUNOHUB.build_payload(r(**words, duration=120))
    assert payload["duration"] == 120
    described = SUNOHUB.build_payload(r(prompt="a sea song", model="chirp-v5", duration=120))
    assert "duration" not in described  # AceData: "used for song generation in custom mode"


@pytest.mark.parametrize("mode", ["full_song", "candidates"])
def test_sunohub_sends_the_chosen_replace_section_result_mode(mode):
    # The docs' replace_section example (custom false, the new lines in `prompt`).
    request_ = r(
        action="replace_section",
        audio_id="18db7ed0-2b8a-41db-91c1-b0781dcca0d4",
        model="chirp-v5-5",
        lyric="[Chorus]\nPlum blossoms bloom, spring fills the ground",
        prompt="Plum blossoms bloom, spring fills the ground",
        replace_section_start=30.0,
        replace_section_end=60.0,
        replace_section_result_mode=mode,
    )
    assert SUNOHUB.build_payload(request_) == {
        "action": "replace_section",
        "audio_id": "18db7ed0-2b8a-41db-91c1-b0781dcca0d4",
        "model": "chirp-v5-5",
        "custom": False,
        "instrumental": False,
        "lyric": "[Chorus]\nPlum blossoms bloom, spring fills the ground",
        "prompt": "Plum blossoms bloom, spring fills the ground",
        "replace_section_start": 30.0,
        "replace_section_end": 60.0,
        "replace_section_result_mode": mode,
    }
