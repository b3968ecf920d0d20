"""The exact JSON the stem actions send (issue #15): AceData's docs' examples for
`all_stems`, "Add Stem" and "Extract Stem" (`async` aside: the studio is told by callback or
polls); the relay format has no way to ask for them."""

import pytest

from music.upstream.base import SongRequest, UpstreamError
from music.upstream.relay import Relay
from music.upstream.sunohub import SunoHub

HOOK = "https://studio.example/hooks/suno/t/secret/"
SUNOHUB = SunoHub(client=None)
RELAY = Relay(client=None)
AUDIO = "dead4ee5-df4d-417b-8f7e-717722fae51a"

CASES = [
    # "all_stems": {"action": "all_stems", "audio_id": ...}
    (
        SongRequest(action="all_stems", audio_id="bdf23a5a-59f5-4103-b452-054a824a7f9f"),
        {"action": "all_stems", "audio_id": "bdf23a5a-59f5-4103-b452-054a824a7f9f"},
    ),
    # "Extract Stem"
    (
        SongRequest(action="extract_stem", audio_id=AUDIO, stem_type="bass", audio_format="mp3"),
        {"action": "extract_stem", "audio_id": AUDIO, "stem_type": "bass", "audio_format": "mp3"},
    ),
    # ... `audio_format` is optional: not sent when not chosen.
    (
        SongRequest(action="extract_stem", audio_id=AUDIO, stem_type="drums"),
        {"action": "extract_stem", "audio_id": AUDIO, "stem_type": "drums"},
    ),
    # "Add Stem", every documented field of its example.
    (
        SongRequest(
            action="add_stem",
            audio_id=AUDIO,
            stem_type="bass",
            model="chirp-v6",
            prompt="Add warm bass guitar",
            style="minimal piano pulse with warm bass guitar",
            style_negative="vocals",
            variety="normal",
        ),
        {
            "action": "add_stem",
            "audio_id": AUDIO,
            "stem_type": "bass",
            "model": "chirp-v6",
            "prompt": "Add warm bass guitar",
            "style": "minimal piano pulse with warm bass guitar",
            "negative_tags": "vocals",
            "variety": "normal",
        },
    ),
    # What the song page's form sends: the part, and words only when typed.
    (
        SongRequest(action="add_stem", audio_id=AUDIO, stem_type="strings", model=""),
        {"action": "add_stem", "audio_id": AUDIO, "stem_type": "strings"},
    ),
]


@pytest.mark.parametrize(("request_", "expected"), CASES)
def test_sunohub_stem_payloads(request_, expected):
    assert SUNOHUB.build_payload(request_) == expected
    assert SUNOHUB.build_payload(request_, HOOK) == {**expected, "callback_url": HOOK}


def test_add_stem_sends_max_mode_only_when_on():
    on = SongRequest(action="add_stem", audio_id=AUDIO, stem_type="bass", max_mode=True)
    assert SUNOHUB.build_payload(on)["max_mode"] is True
    off = SongRequest(action="add_stem", audio_id=AUDIO, stem_type="bass")
    assert "max_mode" not in SUNOHUB.build_payload(off)


@pytest.mark.parametrize("action", ["all_stems", "add_stem", "extract_stem"])
def test_the_relay_format_says_it_has_no_way_to_ask_for_them(action):
    with pytest.raises(UpstreamError) as refused:
        RELAY.submit(SongRequest(action=action, audio_id="a1", stem_type="bass"))
    assert refused.value.code == "unsupported"
    assert refused.value.permanent and not refused.value.accepted
