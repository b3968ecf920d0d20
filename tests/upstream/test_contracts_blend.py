"""The exact JSON of mashup, inspo and the lyrics helpers (issue #15), from AceData's docs:
"Mashup Song Generation", "Inspo Inspiration Creation", the Lyrics and MashupLyrics guides."""

import pytest

from music.upstream import sunohub_blend
from music.upstream.base import SongRequest, UpstreamError
from music.upstream.relay import Relay
from music.upstream.sunohub import SunoHub

HOOK = "https://studio.example/hooks/suno/t/secret/"
SUNOHUB = SunoHub(client=None)
RELAY = Relay(client=None)
IDS = ["9f102969-0024-479e-b38f-c0c5db21383d", "6aebb715-701c-433f-b976-a7ff5cf16255"]
LYRIC = "Sambuy come back  \nBluespawn, greenspawn are making you a spawn"
REFERENCE = "https://cdn.acedata.cloud/uploads/a0bc051f-42c2-4a46-aeb4-582dcc884ad2"

CASES = [
    # The docs' mashup example: custom lyrics, model, both flags, the two ids.
    (
        SongRequest(
            action="mashup",
            lyric=LYRIC,
            model="chirp-v4-5",
            custom=True,
            instrumental=False,
            mashup_audio_ids=IDS,
        ),
        {
            "action": "mashup",
            "lyric": LYRIC,
            "model": "chirp-v4-5",
            "custom": True,
            "instrumental": False,
            "mashup_audio_ids": IDS,
        },
    ),
    # Described instead of written (custom false needs a prompt): no lyrics, no title.
    (
        SongRequest(
            action="mashup",
            prompt="a summer anthem of both",
            title="A × B",
            style="pop",
            model="chirp-v5",
            is_pro=True,
            mashup_audio_ids=IDS,
        ),
        {
            "action": "mashup",
            "prompt": "a summer anthem of both",
            "style": "pop",
            "model": "chirp-v5",
            "custom": False,
            "instrumental": False,
            "is_pro": True,
            "mashup_audio_ids": IDS,
        },
    ),
    # The docs' inspo example.
    (
        SongRequest(
            action="inspo",
            model="chirp-v6",
            audio_urls=[REFERENCE],
            prompt="Rework these references as warm acoustic folk with soft vocals",
        ),
        {
            "action": "inspo",
            "model": "chirp-v6",
            "audio_urls": [REFERENCE],
            "prompt": "Rework these references as warm acoustic folk with soft vocals",
        },
    ),
    # Every documented inspo field; an `audio_weight` of 0 is a value and is sent.
    (
        SongRequest(
            action="inspo",
            model="chirp-v5",
            audio_urls=[REFERENCE, f"{REFERENCE}-2"],
            title="Inspo Demo",
            style="acoustic, folk, warm",
            audio_weight=0.0,
            lyric="never sent",
            custom=True,
        ),
        {
            "action": "inspo",
            "model": "chirp-v5",
            "audio_urls": [REFERENCE, f"{REFERENCE}-2"],
            "title": "Inspo Demo",
            "style": "acoustic, folk, warm",
            "audio_weight": 0.0,
        },
    ),
]


@pytest.mark.parametrize(("request_", "expected"), CASES)
def test_sunohub_mashup_and_inspo_payloads(request_, expected):
    assert SUNOHUB.build_payload(request_) == expected
    assert SUNOHUB.build_payload(request_, HOOK) == {**expected, "callback_url": HOOK}


def test_lyrics_bodies():
    # The Lyrics guide: `prompt`, and `model` (`default` or `remi-v1`) only when chosen.
    assert sunohub_blend.lyrics_body("A song about winter") == {"prompt": "A song about winter"}
    assert sunohub_blend.lyrics_body("A song about winter", "remi-v1") == {
        "prompt": "A song about winter",
        "model": "remi-v1",
    }
    # The MashupLyrics guide.
    assert sunohub_blend.mashup_lyrics_body("a", "b") == {"lyrics_a": "a", "lyrics_b": "b"}


@pytest.mark.parametrize("action", ["mashup", "inspo"])
def test_the_relay_format_says_it_has_no_way_to_blend(action):
    with pytest.raises(UpstreamError) as refused:
        RELAY.submit(SongRequest(action=action, mashup_audio_ids=IDS, audio_urls=[REFERENCE]))
    assert refused.value.code == "unsupported" and not refused.value.accepted
    with pytest.raises(UpstreamError) as refused:
        RELAY.mashup_lyrics("a", "b")
    assert refused.value.code == "unsupported"
