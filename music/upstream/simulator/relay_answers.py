"""How the relay wire answers (seed 000): tasks as `/suno/fetch` shows them and notify_hook
posts them, and native Suno clips as the feed shows them (RelayAnswers, mixed into
relay_wire.RelayWire)."""

import json

from music import catalogue
from music.upstream.simulator import words
from music.upstream.simulator.engine import ApiError, bad_request
from music.upstream.simulator.sunohub_wire import iso

# Catalogue key <-> model name on this wire (`mv`, `model_name`).
RELAY_NAMES = {m.key: m.wire_name("relay") for m in catalogue.MODELS}
KEYS_BY_NAME = {name: key for key, name in RELAY_NAMES.items()}
AUK = KEYS_BY_NAME["chirp-auk"]
DEFAULT_MV = RELAY_NAMES[catalogue.DEFAULT_MODEL]

TASK_STATUS = {
    "pending": "SUBMITTED",
    "running": "IN_PROGRESS",
    "succeeded": "SUCCESS",
    "error": "FAILURE",
}
CLIP_STATUS = {
    "pending": "queued",
    "running": "streaming",
    "succeeded": "complete",
    "error": "error",
}
# Engine clip kinds -> native `metadata.type`. Suno marks extensions and persona songs as
# plain generations; `history` / `persona_id` tell them apart.
CLIP_TYPES = {
    "gen": "gen",
    "extend": "gen",
    "persona": "gen",
    "cover": "cover",
    "replace": "infill",
    "concat": "concat",
    "upload": "upload",
    "stem": "stem",
}
# Kinds whose engine `prompt` is the user's description (inspiration mode).
DESCRIBED_KINDS = {"gen", "extend", "persona"}
LYRICS_ACTION = "lyrics"  # the stored request action of a /suno/submit/lyrics job


def ok(data):
    return {"code": "success", "message": "", "data": data}


class RelayAnswers:
    """Tasks and clips in the relay's words (needs `self.sim` and `self.variants`)."""

    # --- tasks ----------------------------------------------------------------------
    def fetch_one(self, task_id):
        if not task_id or self.sim._job(task_id) is None:
            raise ApiError(404, "not_found", f"No such task: {task_id}")
        return ok(self.task_object(task_id))

    def fetch_many(self, body):
        ids = body.get("ids")
        if not isinstance(ids, list):
            raise bad_request("`ids` must be a list of task ids.")
        known = [i for i in dict.fromkeys(x for x in ids if isinstance(x, str)) if self.sim._job(i)]
        return ok([self.task_object(i) for i in known])

    def task_object(self, job_id):
        """The task as `/suno/fetch` shows it (and as notify_hook callbacks post it)."""
        job, phase, views = self.sim.job_views(job_id)
        request = json.loads(job["request"])
        lyrics = request.get("action") == LYRICS_ACTION
        created = job["created"]
        if job["instant"]:
            started = finished = created
        else:
            started = created + self.sim.queued_seconds
            finished = started + self.sim.running_seconds
        if lyrics:
            data = None
            if phase == "succeeded":
                prompt = request.get("prompt", "")
                data = {
                    "text": words.invent_lyric(prompt),
                    "title": words.invent_title(prompt),
                    "tags": "",
                    "status": "complete",
                }
                if "lyrics_clip" in self.variants:
                    # Some gateways end a lyrics task as a clip carrying the words.
                    data = [
                        {
                            "id": job_id,
                            "status": "complete",
                            "title": data["title"],
                            "metadata": {"prompt": data["text"], "tags": "", "type": "lyrics"},
                        }
                    ]
        else:
            data = [self.clip_json(view) for view in views]
        return {
            "task_id": job_id,
            "action": "LYRICS" if lyrics else "MUSIC",
            "status": TASK_STATUS[phase],
            "fail_reason": job["fail"] if phase == "error" else "",
            "submit_time": int(created),
            "start_time": int(started) if phase != "pending" else 0,
            "finish_time": int(finished) if phase in ("succeeded", "error") else 0,
            "progress": f"{self.sim.progress(job)}%",
            "data": data,
        }

    # --- native clips ---------------------------------------------------------------
    def view(self, clip_id):
        row = self.sim._clip(clip_id)
        job = self.sim._job(row["job_id"])
        return self.sim.clip_view(row, self.sim.phase(job), job)

    def model_of(self, spec):
        """A clip's catalogue key; stems carry the model of the song they were split from."""
        if spec["kind"] == "stem" and not spec.get("model"):
            return self.model_of(self.sim.spec(self.sim._clip(spec["source"])))
        return spec.get("model", "")

    def clip_json(self, view):
        spec, kind = view.spec, view.kind
        key = self.model_of(spec)
        model = catalogue.MODELS_BY_KEY.get(key)
        done, failed = view.state == "succeeded", view.state == "error"
        metadata = {
            "tags": view.style,
            "prompt": view.lyric or "",
            "gpt_description_prompt": (view.prompt or "") if kind in DESCRIBED_KINDS else "",
            "type": CLIP_TYPES.get(kind, kind),
            "duration": view.duration,
            "concat_history": view.concat_history,
            "history": self.history(spec),
            "infill": kind == "replace",
            "stem_from_id": spec.get("source") if kind == "stem" else None,
            "persona_id": spec.get("persona_id"),
            "error_type": "generation_failed" if failed else None,
            "error_message": view.error if failed else None,
        }
        if kind == "replace":
            metadata["infill_start_s"], metadata["infill_end_s"] = spec["start"], spec["end"]
        if kind == "cover":
            metadata["cover_clip_id"] = spec.get("source")
        extra = {}
        wav = self.sim._media_path(f"{view.id}.wav")
        if "file_feed" in self.variants and wav.exists():
            extra["wav_file_url"] = self.sim.media_url(wav.name)  # where such a seller says
        return {
            **extra,
            "id": view.id,
            "entity_type": "song_schema",
            "status": CLIP_STATUS[view.state],
            "audio_url": view.audio_url if done else "",
            "video_url": view.video_url,
            "image_url": view.image_url,
            "image_large_url": view.image_url,
            "title": view.title,
            "model_name": RELAY_NAMES.get(key, key),
            "major_model_version": model.label if model else "",
            "display_tags": view.style,
            "is_public": False,
            "created_at": iso(view.created),
            "metadata": metadata,
        }

    def history(self, spec):
        """Where a fragment continues from, as Suno's `metadata.history` says it."""
        kind = spec["kind"]
        if kind not in ("extend", "replace"):
            return None
        parent_id = spec["parent"] if kind == "extend" else spec["source"]
        parent = self.sim._clip(parent_id)
        entry = {
            "id": parent_id,
            "continue_at": spec["continue_at"] if kind == "extend" else spec["start"],
            "type": self.sim._history_type(self.sim.spec(parent)) if parent else "gen",
            "source": "web",
            "infill": kind == "replace",
        }
        if kind == "replace":  # the same keys as the engine's concat_history
            entry["infill_start"], entry["infill_end"] = spec["start"], spec["end"]
        return [entry]

    def feed(self, ids):
        known = [i for i in dict.fromkeys(ids.split(",")) if i and self.sim._clip(i)]
        return ok([self.clip_json(self.view(i)) for i in known])
