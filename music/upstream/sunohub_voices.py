"""SunoHub's calls for voices and side files (issue #15; AceData's docs): `/suno/midi`,
`/suno/mp3`, `/suno/vox`, persona v2 (`/suno/persona` with `vox_audio_id`), `/suno/voices`
and the key's personas (`GET` and `DELETE /suno/persona`)."""

from music.upstream import parsing
from music.upstream.base import SideResult, UpstreamPersona
from music.upstream.sunohub_answers import malformed, parse_persona

# The body of each synchronous call, from a task's parameters (task listings keep it).
SIDE_FIELDS = {
    "midi": ("audio_id",),
    "vox": ("audio_id", "vocal_start", "vocal_end"),
    "persona_vox": ("name", "description", "audio_id", "vocal_start", "vocal_end", "vox_audio_id"),
    "voice": ("audio_url", "name", "description"),
}
SIDE_PATHS = {
    "midi": "/suno/midi",
    "vox": "/suno/vox",
    "persona_vox": "/suno/persona",
    "voice": "/suno/voices",
}
PERSONA_KINDS = ("persona", "vox", "voice")


def _task_id(answer):
    return parsing.identifier(answer.get("task_id"))


def parse_midi(answer):
    data = answer.get("data") if isinstance(answer, dict) else None
    item = data[0] if isinstance(data, list) and data else data
    parts = item.get("instruments") if isinstance(item, dict) else None
    if not isinstance(parts, list):
        raise malformed("no `instruments` in the MIDI answer", answer)
    instruments = []
    for part in parts:
        notes = part.get("notes") if isinstance(part, dict) else None
        if not isinstance(notes, list):
            raise malformed("an instrument without `notes`", answer)
        instruments.append(
            {"name": parsing.text(part.get("name"))[:100], "notes": [n for n in notes if _note(n)]}
        )
    return SideResult(upstream_id=_task_id(answer), instruments=instruments, raw=answer)


def _note(note):
    """A note the studio can write: numbers where numbers belong, in MIDI's ranges."""
    if not isinstance(note, dict):
        return False
    try:
        pitch, start, end = int(note["pitch"]), float(note["start"]), float(note["end"])
        velocity = float(note.get("velocity", 0.8))
    except (KeyError, TypeError, ValueError):
        return False
    return 0 <= pitch <= 127 and 0 <= start <= end < 86400 and 0 <= velocity <= 1


def parse_file(answer):
    data = answer.get("data") if isinstance(answer, dict) else None
    item = data[0] if isinstance(data, list) and data else data
    url = parsing.url(item.get("file_url")) if isinstance(item, dict) else ""
    if not url:
        raise malformed("no `file_url` in the MP3 answer", answer)
    return SideResult(upstream_id=_task_id(answer), file_url=url, raw=answer)


def parse_vox(answer):
    data = answer.get("data") if isinstance(answer, dict) else None
    vox_id = parsing.identifier(data.get("id")) if isinstance(data, dict) else ""
    if not vox_id:
        raise malformed("no `id` in the vox answer", answer)
    return SideResult(
        upstream_id=_task_id(answer),
        vox_id=vox_id,
        file_url=parsing.url(data.get("vocal_audio_url")),
        raw=answer,
    )


def parse_personas(answer):
    data = answer.get("data") if isinstance(answer, dict) else None
    if not isinstance(data, list):
        raise malformed("no list of personas in the answer", answer)
    found = []
    for item in data:
        persona_id = parsing.identifier(item.get("persona_id")) if isinstance(item, dict) else ""
        if not persona_id:
            continue
        kind = parsing.text(item.get("type"))
        found.append(
            UpstreamPersona(
                persona_id=persona_id,
                name=parsing.text(item.get("name"))[:100],
                description=parsing.text(item.get("description")),
                audio_id=parsing.identifier(item.get("audio_id")),
                kind=kind if kind in PERSONA_KINDS else "persona",
            )
        )
    return found


class VoiceCalls:
    """The calls themselves (a `SunoHub` mixin: `_post` and `_call` send)."""

    def midi(self, audio_id):
        return parse_midi(self._post("/suno/midi", {"audio_id": audio_id}))

    def fresh_mp3(self, audio_id):
        return parse_file(self._post("/suno/mp3", {"audio_id": audio_id}))

    def vox(self, audio_id, start, end):
        body = {"audio_id": audio_id, "vocal_start": start, "vocal_end": end}
        return parse_vox(self._post("/suno/vox", body))

    def create_vox_persona(self, name, description, audio_id, vox_id, start, end):

        body = {
            "name": name,
            "description": description,
            "audio_id": audio_id,
            "vocal_start": start,
            "vocal_end": end,
            "vox_audio_id": vox_id,
        }
        return parse_persona(self._post("/suno/persona", body))

    def create_voice(self, name, description, audio_url):

        body = {"audio_url": audio_url, "name": name, "description": description}
        return parse_persona(self._post("/suno/voices", body))

    def personas(self):
        return parse_personas(self._call("GET", "/suno/persona"))

    def delete_persona(self, persona_id):
        self._call("DELETE", "/suno/persona", {"persona_id": persona_id})
