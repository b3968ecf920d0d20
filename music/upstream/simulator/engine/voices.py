"""Voices and side files of finished clips (issue #15): MIDI, fresh MP3 links, the key's
personas (listed and deleted), vocal ranges (`/suno/vox`) and voices from recordings.

MIDI is what the simulator synthesised, not a transcription: a song's notes come from its
render (`Rendering.notes`), and a clip made from another clip's audio (a stem, a remaster, a
sample, a speed change) carries its source's notes, moved as its audio was.
"""

import math
import uuid

from music.upstream.simulator import media
from music.upstream.simulator.audio import SAMPLE_RATE as SR
from music.upstream.simulator.engine.common import SONG_KINDS, ApiError, bad_request
from music.upstream.simulator.engine.rendering import notes_between

VOICE_MIN_SECONDS, VOICE_MAX_SECONDS = 10.0, 240.0  # AceData's `/suno/voices` limits
FRESH_PREFIX = "fresh-"  # a link `/suno/mp3` made: it outlives the expired original


class VoiceRequests:
    """MIDI, MP3 links, personas, vox and voices (an `Engine` mixin)."""

    # --- MIDI -----------------------------------------------------------------------
    def midi(self, clip_id):
        row, _, _ = self.source(clip_id)
        return self.played_notes(row)

    def played_notes(self, row):
        """[{name, notes: [{pitch, start, end, velocity}]}] of a finished clip."""
        spec = self.spec(row)
        kind = spec["kind"]
        if kind in SONG_KINDS:
            info = self.ensure_rendered(row)
            if "notes" not in info:  # rendered before notes were kept: the plan again
                return self._render_song(spec)[3]
            return info["notes"]
        if kind in ("stem", "vox", "remaster", "sample", "speed"):
            notes = self.played_notes(self._clip(spec["source"]))
        else:
            return []  # a concat or an upload: nothing the simulator played itself
        if kind == "stem":
            vocal = spec["stem"] == "vocals"
            return [p for p in notes if (p["name"] != "Lead") == vocal]
        if kind in ("sample", "vox"):
            start = round(spec["start"] * SR) / SR
            end = round(spec["end"] * SR) / SR
            notes = notes_between(notes, start, end, shift=-start)
            return notes if kind == "sample" else [p for p in notes if p["name"] != "Lead"]
        if kind == "speed":
            factor, keep = spec["factor"], spec["keep_pitch"]
            steps = 0 if keep else round(12 * math.log2(factor))
            return [
                {
                    **part,
                    "notes": [
                        {
                            **n,
                            "pitch": n["pitch"] + steps,
                            "start": round(n["start"] / factor, 6),
                            "end": round(n["end"] / factor, 6),
                        }
                        for n in part["notes"]
                    ],
                }
                for part in notes
            ]
        return notes  # a remaster plays the same notes, louder

    # --- fresh MP3 links ------------------------------------------------------------
    def fresh_mp3(self, clip_id):
        """A new link to a finished clip's MP3 (the old one may have expired)."""
        row, _, _ = self.source(clip_id)
        return self.media_url(f"{FRESH_PREFIX}{row['id']}.mp3")

    # --- the key's personas ---------------------------------------------------------
    def list_personas(self):
        rows = self.db.execute("SELECT * FROM personas ORDER BY created, id").fetchall()
        return [dict(row) for row in rows]

    def delete_persona(self, persona_id):
        if not persona_id:
            raise bad_request("`persona_id` is required.")
        with self.db:
            gone = self.db.execute("DELETE FROM personas WHERE id = ?", (persona_id,)).rowcount
        if not gone:
            raise ApiError(404, "not_found", f"No such persona: {persona_id}")

    def _new_persona(self, name, description, clip_id, kind):
        persona_id = str(uuid.uuid4())
        with self.db:
            self.db.execute(
                "INSERT INTO personas (id, name, description, clip_id, created, kind)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (persona_id, name, description or "", clip_id, self.clock(), kind),
            )
        return persona_id

    # --- a song's vocal range (`/suno/vox`), and personas v2 from it -----------------
    def vox(self, clip_id, start, end):
        """Isolate the vocals of [start, end] of a clip: a finished clip of its own."""
        row, spec, info = self.source(clip_id)
        if start is None or end is None:
            raise bad_request("`vocal_start` and `vocal_end` are required.")
        if not 0 <= start < end:
            raise bad_request("`vocal_start` must be at least 0 and before `vocal_end`.")
        if end > info["duration"] + 1e-6:
            raise bad_request(
                f"`vocal_end` must be inside the song (at most {info['duration']} s)."
            )
        if spec.get("instrumental") or spec["kind"] == "upload":
            raise bad_request("The audio has no vocals to isolate.")
        vox = {
            "kind": "vox",
            "seed": f"{spec.get('seed', row['id'])}#vox",
            "title": f"{spec.get('title', '')} (Vocals)".strip(),
            "style": spec.get("style", ""),
            "lyric": "",
            "prompt": "",
            "instrumental": False,
            "model": spec.get("model", ""),
            "is_pro": bool(spec.get("is_pro")),
            "source": row["id"],
            "start": float(start),
            "end": float(end),
        }
        body = {"action": "vox", "audio_id": row["id"], "vocal_start": start, "vocal_end": end}
        job_id, (vox_id,) = self._create_job(body, [vox], instant=True)
        self.ensure_rendered(self._clip(vox_id))
        return job_id, vox_id

    def render_vox(self, spec):
        """The source's vocal stem in the range, and silence under it."""
        vocals, _ = self.stems(self._clip(spec["source"]))
        a, b = int(round(spec["start"] * SR)), int(round(spec["end"] * SR))
        part = vocals[a:b].copy()
        return part, part * 0, []

    def create_vox_persona(self, name, description, clip_id, vox_id, start, end):
        """Persona v2: a voice from an isolated vocal range (`vox_audio_id`)."""
        name = (name or "").strip()
        if not name:
            raise bad_request("`name` is required.")
        vox = self._clip(vox_id)
        if vox is None or self.spec(vox)["kind"] != "vox":
            raise ApiError(404, "not_found", f"No such vox audio: {vox_id}")
        spec = self.spec(vox)
        if clip_id and spec["source"] != clip_id:
            raise bad_request("`vox_audio_id` was not made from `audio_id`.")
        if start is not None and end is not None and (start, end) != (spec["start"], spec["end"]):
            raise bad_request("`vocal_start` and `vocal_end` differ from the vox audio's range.")
        return self._new_persona(name, description, vox["id"], "vox")

    # --- a voice from a recording (`/suno/voices`) ----------------------------------
    def create_voice(self, name, description, audio_url):
        name = (name or "").strip()
        if not name:
            raise bad_request("`name` is required.")
        _, clip_id = self.upload(audio_url)
        seconds = self.ensure_upload_seconds(clip_id)
        if not VOICE_MIN_SECONDS <= seconds <= VOICE_MAX_SECONDS:
            raise bad_request(
                f"The recording must be 10 to 240 seconds long; it is {seconds:.1f} s."
            )
        return self._new_persona(name, description, clip_id, "voice")

    def ensure_upload_seconds(self, clip_id):
        vocal_path, _, _ = self._files(clip_id)
        return len(media.load_pcm(vocal_path)) / SR

    # --- a persona v2's song ----------------------------------------------------------
    def _order_artist_consistency_vox(self, order):
        """As `artist_consistency`, with a persona made from a vocal range."""
        return self._order_artist_consistency(order)
