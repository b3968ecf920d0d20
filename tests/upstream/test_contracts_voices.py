"""The exact JSON the voice and side-file calls of issue #15 send in the SunoHub format, and
how the docs' answers are read (AceData's `suno_midi`, `suno_vox`, `suno_persona`, MP3 URL
and Voices guides); the relay format has no way to ask for any of them."""

import pytest

from music.upstream.base import SongRequest, UpstreamError
from music.upstream.relay import Relay
from music.upstream.sunohub import SunoHub

HOOK = "https://studio.example/hooks/suno/t/secret/"
AUDIO = "42599b24-fb14-4cd3-a444-e15ffde3661b"
VOX = "24f0827e-5847-4011-b9b7-fc0b62032b65"


@pytest.fixture
def wire(monkeypatch):
    """A SunoHub whose calls are recorded and answered with the docs' examples."""
    hub = SunoHub(client=None)
    sent = []

    def call(method, path, body=None):
        sent.append((method, path, body))
        return ANSWERS[(method, path)]

    monkeypatch.setattr(hub, "_call", call)
    hub.sent = sent
    return hub


ANSWERS = {
    ("POST", "/suno/midi"): {
        "success": True,
        "task_id": "4f94486d-5013-4bcc-922f-39bd52b5cd4a",
        "data": [
            {
                "state": "complete",
                "instruments": [
                    {
                        "name": "Synth Voice",
                        "notes": [
                            {"pitch": 55, "start": 29.78125, "end": 31.78125, "velocity": 0.496},
                            {"pitch": 52, "start": 32.807, "end": 32.9375, "velocity": 0.496},
                        ],
                    }
                ],
            }
        ],
    },
    ("POST", "/suno/mp3"): {
        "success": True,
        "task_id": "t-mp3",
        "data": [{"file_url": "https://platform2.cdn.acedata.cloud/suno/ef1ec21e.mp3"}],
    },
    ("POST", "/suno/vox"): {
        "success": True,
        "task_id": "9d5ce870-18e3-4c17-a1d9-7ef5a07918e9",
        "data": {
            "id": VOX,
            "source_clip_id": AUDIO,
            "status": "complete",
            "vocal_audio_url": f"https://cdn1.suno.ai/processed_{VOX}_vocals.m4a",
            "vocal_end_s": 30,
            "vocal_start_s": 20,
        },
    },
    ("POST", "/suno/persona"): {
        "success": True,
        "task_id": "e04b06a1-ff61-48e2-9fcc-15284bd18481",
        "data": {"persona_id": "49bef16d-6a09-49d1-8c24-a81663698b98"},
    },
    ("POST", "/suno/voices"): {
        "success": True,
        "task_id": "8e808558-f056-456f-91d6-b97fd94eb3be",
        "data": {
            "persona_id": "dde0be60-5280-4bd2-89a0-4020ddd3db52",
            "name": "My Voice",
            "is_public": False,
        },
    },
    ("GET", "/suno/persona"): {
        "success": True,
        "data": [
            {"persona_id": "p1", "name": "Ana", "description": "", "audio_id": AUDIO},
            {"persona_id": "p2", "name": "V2", "audio_id": VOX, "type": "vox"},
            {"name": "no id: skipped"},
        ],
    },
    ("DELETE", "/suno/persona"): {"success": True, "data": {"persona_id": "p1"}},
}


def test_midi(wire):
    found = wire.midi("c65e6ffd-ead3-4926-9c8c-a42ce202946b")
    assert wire.sent == [
        ("POST", "/suno/midi", {"audio_id": "c65e6ffd-ead3-4926-9c8c-a42ce202946b"})
    ]
    (part,) = found.instruments
    assert part["name"] == "Synth Voice" and [n["pitch"] for n in part["notes"]] == [55, 52]


def test_fresh_mp3(wire):
    found = wire.fresh_mp3("ef1ec21e-1540-4eb6-8fa5-26cb8b90d28f")
    assert wire.sent == [
        ("POST", "/suno/mp3", {"audio_id": "ef1ec21e-1540-4eb6-8fa5-26cb8b90d28f"})
    ]
    assert found.file_url == "https://platform2.cdn.acedata.cloud/suno/ef1ec21e.mp3"


def test_vox_then_persona_v2(wire):
    vox = wire.vox(AUDIO, 20, 30)
    persona = wire.create_vox_persona("test", "", AUDIO, vox.vox_id, 20, 30)
    assert wire.sent == [
        ("POST", "/suno/vox", {"audio_id": AUDIO, "vocal_start": 20, "vocal_end": 30}),
        (
            "POST",
            "/suno/persona",
            {
                "name": "test",
                "description": "",
                "audio_id": AUDIO,
                "vocal_start": 20,
                "vocal_end": 30,
                "vox_audio_id": VOX,
            },
        ),
    ]
    assert vox.vox_id == VOX and persona.persona_id == "49bef16d-6a09-49d1-8c24-a81663698b98"


def test_voices(wire):
    made = wire.create_voice(
        "My Voice", "A clear male vocal", "https://cdn.acedata.cloud/suno_demo.mp3"
    )
    assert wire.sent == [
        (
            "POST",
            "/suno/voices",
            {
                "audio_url": "https://cdn.acedata.cloud/suno_demo.mp3",
                "name": "My Voice",
                "description": "A clear male vocal",
            },
        )
    ]
    assert made.persona_id == "dde0be60-5280-4bd2-89a0-4020ddd3db52"


def test_persona_list_and_delete(wire):
    found = wire.personas()
    assert [(p.persona_id, p.kind, p.audio_id) for p in found] == [
        ("p1", "persona", AUDIO),
        ("p2", "vox", VOX),
    ]
    wire.delete_persona("p1")
    assert wire.sent == [
        ("GET", "/suno/persona", None),
        ("DELETE", "/suno/persona", {"persona_id": "p1"}),
    ]


def test_artist_consistency_vox_payload():
    request = SongRequest(
        action="artist_consistency_vox",
        audio_id="97efc9f4-0e8d-4b3e-88df-14568fa1b11f",
        persona_id="e0d7319e-aa2a-44cb-b00a-916218d7cb0b",
        prompt="a new day",
        model="chirp-v4",
        is_pro=True,
    )
    assert SunoHub(client=None).build_payload(request, HOOK) == {
        "action": "artist_consistency_vox",
        "audio_id": "97efc9f4-0e8d-4b3e-88df-14568fa1b11f",
        "persona_id": "e0d7319e-aa2a-44cb-b00a-916218d7cb0b",
        "prompt": "a new day",
        "model": "chirp-v4",
        "custom": False,
        "instrumental": False,
        "is_pro": True,
        "callback_url": HOOK,
    }


@pytest.mark.parametrize(
    ("call", "args"),
    [
        ("midi", ("a1",)),
        ("fresh_mp3", ("a1",)),
        ("personas", ()),
        ("delete_persona", ("p1",)),
        ("vox", ("a1", 1.0, 9.0)),
        ("create_vox_persona", ("n", "", "a1", "v1", 1.0, 9.0)),
        ("create_voice", ("n", "", "https://example.com/a.mp3")),
    ],
)
def test_the_relay_format_has_no_way_to_ask(call, args):
    """Refused before anything is sent: this relay has no HTTP client at all."""
    with pytest.raises(UpstreamError) as refused:
        getattr(Relay(client=None), call)(*args)
    assert refused.value.code == "unsupported"
    assert refused.value.permanent and not refused.value.accepted


def test_the_relay_format_has_no_way_to_sing_a_persona_v2():
    with pytest.raises(UpstreamError) as refused:
        Relay(client=None).submit(SongRequest(action="artist_consistency_vox", persona_id="p"))
    assert refused.value.code == "unsupported"
