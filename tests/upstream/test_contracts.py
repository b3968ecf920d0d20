"""The exact JSON each action sends, in each wire format (seed 003 and seed 000/DESIGN)."""

import pytest

from music.upstream.base import SongRequest, UpstreamError
from music.upstream.relay import Relay
from music.upstream.sunohub import SunoHub

HOOK = "https://studio.example/hooks/suno/t/secret/"
SUNOHUB = SunoHub(client=None)
RELAY = Relay(client=None)


def r(**kwargs):
    return SongRequest(**kwargs)


SUNOHUB_CASES = [
    # Seed 003, "基本使用" request example.
    (
        r(prompt="A song for Christmas", model="chirp-v4"),
        {
            "action": "generate",
            "prompt": "A song for Christmas",
            "model": "chirp-v4",
            "custom": False,
            "instrumental": False,
        },
    ),
    (
        r(custom=True, lyric="[Verse]\nSnow", style="pop", title="Winter", model="chirp-v4"),
        {
            "action": "generate",
            "lyric": "[Verse]\nSnow",
            "style": "pop",
            "title": "Winter",
            "model": "chirp-v4",
            "custom": True,
            "instrumental": False,
        },
    ),
    (
        r(
            action="extend",
            audio_id="7b0df74e",
            continue_at=213.5,
            custom=True,
            lyric="[Verse]\n天空",
            style="pop",
            model="chirp-v4",
        ),
        {
            "action": "extend",
            "audio_id": "7b0df74e",
            "continue_at": 213.5,
            "lyric": "[Verse]\n天空",
            "style": "pop",
            "model": "chirp-v4",
            "custom": True,
            "instrumental": False,
        },
    ),
    # Seed 003, "获取完整歌曲" example.
    (
        r(action="concat", audio_id="19ba4bb9-c90a-41ba-874d-40e5942e7d26"),
        {"action": "concat", "audio_id": "19ba4bb9-c90a-41ba-874d-40e5942e7d26"},
    ),
    # Seed 003, "获取人声分离" example.
    (
        r(action="stems", audio_id="4d6ddd0b-067a-4aa2-bb7d-1a720a3a0291"),
        {"action": "stems", "audio_id": "4d6ddd0b-067a-4aa2-bb7d-1a720a3a0291"},
    ),
    # Seed 003, "音乐翻唱" example.
    (
        r(
            action="cover",
            lyric="girl girl girl",
            style="rock, punk",
            model="chirp-v4-5",
            is_pro=True,
            audio_id="84ad2f40-4cae-42fa-8a74-8117edbfd6fc",
        ),
        {
            "action": "cover",
            "lyric": "girl girl girl",
            "style": "rock, punk",
            "model": "chirp-v4-5",
            "is_pro": True,
            "audio_id": "84ad2f40-4cae-42fa-8a74-8117edbfd6fc",
        },
    ),
    # Seed 003, "替换片段" example.
    (
        r(
            action="replace_section",
            lyric="[Verse]\n窗外\n桃花\n",
            prompt="桃花\n",
            replace_section_start=7.340425531914894,
            replace_section_end=52.9188829787234,
            model="chirp-v4",
            audio_id="54c07904-dd3b-469f-b5d5-47cbcf1e506e",
        ),
        {
            "action": "replace_section",
            "lyric": "[Verse]\n窗外\n桃花\n",
            "prompt": "桃花\n",
            "replace_section_start": 7.340425531914894,
            "replace_section_end": 52.9188829787234,
            # Not in seed 003: AceData's default became two whole songs; the studio joins
            # the section itself, so it asks for the candidates.
            "replace_section_result_mode": "candidates",
            "model": "chirp-v4",
            "audio_id": "54c07904-dd3b-469f-b5d5-47cbcf1e506e",
            "custom": False,
            "instrumental": False,
        },
    ),
    # Seed 003, "自定义歌手风格生成" example.
    (
        r(
            action="artist_consistency",
            prompt="A song for Christmas",
            model="chirp-v4-5",
            is_pro=True,
            audio_id="04734644-d4c8-4d1e-ac53-be95289c5b6b",
            persona_id="89f20346-51f0-4b35-a88e-ed8fa5bb5cac",
        ),
        {
            "action": "artist_consistency",
            "prompt": "A song for Christmas",
            "model": "chirp-v4-5",
            "custom": False,
            "instrumental": False,
            "is_pro": True,
            "audio_id": "04734644-d4c8-4d1e-ac53-be95289c5b6b",
            "persona_id": "89f20346-51f0-4b35-a88e-ed8fa5bb5cac",
        },
    ),
    (
        r(
            action="upload_generate",
            audio_url="https://cdn.example/a.mp3",
            continue_at=10,
            custom=True,
            lyric="[Verse]\nboy",
            style="male vocals, pop",
            prompt="boy",
        ),
        {
            "action": "upload_generate",
            "audio_url": "https://cdn.example/a.mp3",
            "continue_at": 10,
            "custom": True,
            "instrumental": False,
            "lyric": "[Verse]\nboy",
            "style": "male vocals, pop",
            "prompt": "boy",
            "model": "chirp-v4",
        },
    ),
    (
        r(action="upload_extend", audio_id="up-1", continue_at=10, custom=True, lyric="la"),
        {
            "action": "upload_extend",
            "audio_id": "up-1",
            "continue_at": 10,
            "custom": True,
            "instrumental": False,
            "lyric": "la",
            "model": "chirp-v4",
        },
    ),
]

# A custom instrumental from a style alone still carries the `prompt` the formats require.
SUNOHUB_CASES.append(
    (
        r(custom=True, instrumental=True, style="ambient piano", title="Calm", model="chirp-v4"),
        {
            "action": "generate",
            "prompt": "ambient piano",
            "style": "ambient piano",
            "title": "Calm",
            "model": "chirp-v4",
            "custom": True,
            "instrumental": True,
        },
    )
)

RELAY_CASES = [
    (
        r(prompt="A song for Christmas", model="chirp-v4-5"),
        {
            "gpt_description_prompt": "A song for Christmas",
            "mv": "chirp-auk",
            "make_instrumental": False,
        },
    ),
    (
        r(
            custom=True,
            lyric="[Verse]\nSnow",
            style="pop",
            style_negative="metal",
            title="Winter",
            model="chirp-v5",
            instrumental=False,
        ),
        {
            "prompt": "[Verse]\nSnow",
            "tags": "pop",
            "negative_tags": "metal",
            "title": "Winter",
            "mv": "chirp-crow",
            "make_instrumental": False,
        },
    ),
    (
        r(
            action="extend",
            audio_id="clip-a",
            continue_at=120.5,
            lyric="[Verse]\nmore",
            style="pop",
            model="chirp-v4",
            source_task_id="task-a",
        ),
        {
            "task": "extend",
            "continue_clip_id": "clip-a",
            "continue_at": 120.5,
            "task_id": "task-a",
            "prompt": "[Verse]\nmore",
            "tags": "pop",
            "mv": "chirp-v4",
            "make_instrumental": False,
        },
    ),
    (r(action="concat", audio_id="clip-b"), {"clip_id": "clip-b", "is_infill": False}),
    (
        r(action="concat", audio_id="clip-f", is_infill=True),
        {"clip_id": "clip-f", "is_infill": True},
    ),
    (
        r(action="cover", audio_id="clip-a", style="rock, punk", model="chirp-v4-5"),
        {
            "task": "cover",
            "cover_clip_id": "clip-a",
            "tags": "rock, punk",
            "mv": "chirp-auk",
            "make_instrumental": False,
        },
    ),
    (
        r(
            action="replace_section",
            audio_id="clip-a",
            lyric="[Verse]\n窗外\n桃花\n",
            prompt="桃花\n",
            replace_section_start=7.34,
            replace_section_end=52.92,
            model="chirp-v4-5",
        ),
        {
            "task": "infill",
            "continue_clip_id": "clip-a",
            "infill_start_s": 7.34,
            "infill_end_s": 52.92,
            "prompt": "[Verse]\n窗外\n桃花\n",
            "infill_lyrics": "桃花\n",
            "mv": "chirp-auk",
            "make_instrumental": False,
        },
    ),
    (
        r(
            action="artist_consistency",
            prompt="A song for Christmas",
            model="chirp-v4-5",
            persona_id="p-1",
            audio_id="clip-a",
        ),
        {
            "task": "artist_consistency",
            "persona_id": "p-1",
            "artist_clip_id": "clip-a",
            "gpt_description_prompt": "A song for Christmas",
            "mv": "chirp-auk",
            "make_instrumental": False,
        },
    ),
    (
        r(action="upload_extend", audio_id="up-1", continue_at=10, lyric="la"),
        {
            "task": "upload_extend",
            "continue_clip_id": "up-1",
            "continue_at": 10,
            "prompt": "la",
            "mv": "chirp-v4",
            "make_instrumental": False,
        },
    ),
    (
        r(custom=True, instrumental=True, style="ambient piano", title="Calm", model="chirp-v4"),
        {
            "prompt": "ambient piano",
            "tags": "ambient piano",
            "title": "Calm",
            "mv": "chirp-v4",
            "make_instrumental": True,
        },
    ),
    (
        r(
            action="extend",
            audio_id="clip-a",
            continue_at=30,
            custom=True,
            instrumental=True,
            title="T",
        ),
        {
            "task": "extend",
            "continue_clip_id": "clip-a",
            "continue_at": 30,
            "prompt": "T",
            "title": "T",
            "mv": "chirp-v4",
            "make_instrumental": True,
        },
    ),
]


@pytest.mark.parametrize(("request_", "expected"), SUNOHUB_CASES)
def test_sunohub_payloads(request_, expected):
    assert SUNOHUB.build_payload(request_) == expected
    assert SUNOHUB.build_payload(request_, HOOK) == {**expected, "callback_url": HOOK}


@pytest.mark.parametrize(("request_", "expected"), RELAY_CASES)
def test_relay_payloads(request_, expected):
    assert RELAY.build_payload(request_) == expected
    assert RELAY.build_payload(request_, HOOK) == {**expected, "notify_hook": HOOK}


def test_seed_000_persona_body(monkeypatch):
    sent = {}

    def fake_data(method, path, body=None):
        sent.update(method=method, path=path, body=body)
        return {"id": "p-9"}, {"id": "p-9"}

    monkeypatch.setattr(RELAY, "_data", fake_data)
    assert RELAY.create_persona("Persona 标题", "Persona 描述", "2dd391cd").persona_id == "p-9"
    assert sent == {
        "method": "POST",
        "path": "/suno/persona/create",
        "body": {
            "root_clip_id": "2dd391cd",
            "name": "Persona 标题",
            "description": "Persona 描述",
            "clips": ["2dd391cd"],
            "is_public": False,
        },
    }


# --- reworking a clip's audio (issue #15; AceData's docs, "Remaster Feature" and the action
# table of `/suno/audios`) --------------------------------------------------------------------
REWORK_CASES = [
    # The docs' remaster example, with the model and pool the studio always names.
    (
        r(
            action="remaster",
            audio_id="21fd46d4-45c3-4826-bec9-3f3df667902e",
            model="chirp-v5",
            variation_category="high",
            is_pro=True,
        ),
        {
            "action": "remaster",
            "audio_id": "21fd46d4-45c3-4826-bec9-3f3df667902e",
            "model": "chirp-v5",
            "variation_category": "high",
            "is_pro": True,
        },
    ),
    # No variation asked for: the provider's default, so the field is left out.
    (
        r(action="remaster", audio_id="a1", model="chirp-v4-5-plus", is_pro=True),
        {"action": "remaster", "audio_id": "a1", "model": "chirp-v4-5-plus", "is_pro": True},
    ),
    (
        r(action="adjust_speed", audio_id="a1", speed_multiplier=1.25, keep_pitch=True, title="T"),
        {
            "action": "adjust_speed",
            "audio_id": "a1",
            "speed_multiplier": 1.25,
            "keep_pitch": True,
            "title": "T",
        },
    ),
    # keep_pitch false is said, not left to a default.
    (
        r(action="adjust_speed", audio_id="a1", speed_multiplier=0.5, keep_pitch=False),
        {"action": "adjust_speed", "audio_id": "a1", "speed_multiplier": 0.5, "keep_pitch": False},
    ),
    (
        r(action="samples", audio_id="a1", samples_start=12.5, samples_end=20.0),
        {"action": "samples", "audio_id": "a1", "samples_start": 12.5, "samples_end": 20.0},
    ),
]


@pytest.mark.parametrize(("request_", "expected"), REWORK_CASES)
def test_sunohub_rework_payloads(request_, expected):
    assert SUNOHUB.build_payload(request_) == expected
    assert SUNOHUB.build_payload(request_, HOOK) == {**expected, "callback_url": HOOK}


@pytest.mark.parametrize("action", ["remaster", "adjust_speed", "samples"])
def test_the_relay_format_says_it_has_no_way_to_rework(action):
    """No relay seller documents these: refused before anything is sent (no client here)."""
    with pytest.raises(UpstreamError) as refused:
        RELAY.submit(r(action=action, audio_id="a1", speed_multiplier=2.0))
    assert refused.value.code == "unsupported"
    assert refused.value.permanent and not refused.value.accepted
    assert "no way" in refused.value.message
