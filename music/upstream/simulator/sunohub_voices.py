"""SunoHub's side endpoints for voices and files (issue #15; AceData's docs): `/suno/midi`,
`/suno/mp3`, `/suno/vox`, `/suno/voices`, and the key's personas (`GET`/`DELETE
/suno/persona`; `POST /suno/persona` with `vox_audio_id` makes a persona v2)."""

import uuid
from datetime import UTC, datetime

from music.upstream.simulator.engine import bad_request


def _text(body, name):
    value = body.get(name)
    return "" if value is None else value if isinstance(value, str) else str(value)


def _seconds(body, name):
    value = body.get(name)
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise bad_request(f"`{name}` must be a number of seconds.")
    return float(value)


def _answer(data):
    return {
        "success": True,
        "task_id": str(uuid.uuid4()),
        "trace_id": str(uuid.uuid4()),
        "data": data,
    }


class VoiceRoutes:
    """Handlers of a `SunoHubWire` (a mixin: `self.sim` is the engine, `self.side` keeps a
    paid side call in the task listing)."""

    def voice_routes(self):
        return {
            ("POST", "/suno/midi"): self.midi,
            ("POST", "/suno/mp3"): self.mp3,
            ("POST", "/suno/vox"): self.vox,
            ("POST", "/suno/voices"): self.voices,
            ("GET", "/suno/persona"): self.persona_list,
            ("DELETE", "/suno/persona"): self.persona_delete,
        }

    def midi(self, body):
        instruments = self.sim.midi(_text(body, "audio_id"))
        answer = _answer([{"state": "complete", "instruments": instruments}])
        return self.side("/suno/midi", body, answer)

    def mp3(self, body):
        url = self.sim.fresh_mp3(_text(body, "audio_id"))
        return self.side("/suno/mp3", body, _answer([{"file_url": url}]))

    def vox(self, body):
        start, end = _seconds(body, "vocal_start"), _seconds(body, "vocal_end")
        job_id, vox_id = self.sim.vox(_text(body, "audio_id"), start, end)
        clip = self.sim._clip(vox_id)
        spec = self.sim.spec(clip)
        answer = {
            "success": True,
            "task_id": job_id,
            "trace_id": str(uuid.uuid4()),
            "data": {
                "id": vox_id,
                "source_clip_id": spec["source"],
                "status": "complete",
                "vocal_audio_url": self.sim.media_url(f"{vox_id}.mp3"),
                "vocal_end_s": spec["end"],
                "vocal_start_s": spec["start"],
            },
        }
        self.sim.store_answer(job_id, {**answer, "_path": "/suno/vox"})
        return answer

    def persona_v2(self, body):
        persona_id = self.sim.create_vox_persona(
            _text(body, "name"),
            _text(body, "description"),
            _text(body, "audio_id"),
            _text(body, "vox_audio_id"),
            _seconds(body, "vocal_start"),
            _seconds(body, "vocal_end"),
        )
        answer = {"success": True, "task_id": str(uuid.uuid4()), "data": {"persona_id": persona_id}}
        return self.side("/suno/persona", body, answer)

    def voices(self, body):
        name = _text(body, "name")
        persona_id = self.sim.create_voice(
            name, _text(body, "description"), _text(body, "audio_url")
        )
        answer = {
            "success": True,
            "task_id": str(uuid.uuid4()),
            "data": {"persona_id": persona_id, "name": name.strip(), "is_public": False},
        }
        return self.side("/suno/voices", body, answer)

    def persona_list(self, body):
        return {
            "success": True,
            "data": [
                {
                    "persona_id": row["id"],
                    "name": row["name"],
                    "description": row["description"],
                    "audio_id": row["clip_id"],
                    "type": row["kind"] or "persona",
                    "is_public": False,
                    "created_at": datetime.fromtimestamp(row["created"], UTC)
                    .isoformat(timespec="milliseconds")
                    .replace("+00:00", "Z"),
                }
                for row in self.sim.list_personas()
            ],
        }

    def persona_delete(self, body):
        persona_id = _text(body, "persona_id")
        self.sim.delete_persona(persona_id)
        return {"success": True, "data": {"persona_id": persona_id, "deleted": True}}
