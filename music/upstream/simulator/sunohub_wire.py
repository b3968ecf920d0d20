"""SunoHub's wire format on top of the engine (seed 003; the same as AceData Cloud's Suno API).

Routes, request parsing into an `Order`, the JSON answers and the error shape
`{"success": false, "error": {"code", "message"}, "trace_id"}`. Everything about jobs, clips and
audio lives in the engine, so another format can sit beside this one.
"""

import json
import math
import time
import uuid
from datetime import UTC, datetime

from music.upstream.simulator import blend_wire, steering, words
from music.upstream.simulator.engine import ApiError, Order, bad_request, poisoned
from music.upstream.simulator.sunohub_voices import VoiceRoutes

REASONS = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    429: "Too Many Requests",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}


def error_body(code, message):
    return {
        "success": False,
        "error": {"code": code, "message": message},
        "trace_id": str(uuid.uuid4()),
    }


def status_line(status):
    return f"{status} {REASONS.get(status, 'Error')}"


def _text(body, name):
    value = body.get(name)
    if value is None:
        return ""
    return value if isinstance(value, str) else str(value)


def _seconds(body, name):
    value = body.get(name)
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise bad_request(f"`{name}` must be a number of seconds.")
    try:
        number = float(value)
    except (TypeError, ValueError) as exc:
        raise bad_request(f"`{name}` must be a number of seconds.") from exc
    if not math.isfinite(number):
        raise bad_request(f"`{name}` must be a number of seconds.")
    return number


def _flag(body, name):
    value = body.get(name, False)
    if not isinstance(value, bool):
        raise bad_request(f"`{name}` must be true or false.")
    return value


def read_rework(order, body):
    """The fields of remaster, adjust_speed, samples, underpainting and overpainting
    (issue #15) onto an order."""
    order.variation_category = _text(body, "variation_category")
    speed = body.get("speed_multiplier")
    if speed is not None and (isinstance(speed, bool) or not isinstance(speed, int | float)):
        raise bad_request("`speed_multiplier` must be a number.")
    order.speed_multiplier = None if speed is None else float(speed)
    order.keep_pitch = _flag(body, "keep_pitch")
    order.samples_start = _seconds(body, "samples_start")
    order.samples_end = _seconds(body, "samples_end")
    # AceData: "`replace_section_result_mode` defaults to `full_song`".
    order.result_mode = _text(body, "replace_section_result_mode") or "full_song"
    for name in ("underpainting", "overpainting"):
        setattr(order, f"{name}_start", _seconds(body, f"{name}_start"))
        setattr(order, f"{name}_end", _seconds(body, f"{name}_end"))
    order.stem_type = _text(body, "stem_type")
    order.audio_format = _text(body, "audio_format")


def iso(timestamp):
    return (
        datetime.fromtimestamp(timestamp, UTC)
        .isoformat(timespec="milliseconds")
        .replace("+00:00", "Z")
    )


class SunoHubWire(VoiceRoutes):
    def __init__(self, simulator):
        self.sim = simulator  # the engine, plus callbacks
        # Seed 003 marks `prompt` required: a strict seller refuses a song request that has
        # neither `prompt` nor `lyric` (a custom instrumental from a style alone).
        self.strict_prompt = False

    def match(self, method, path):
        """The handler for a request in this format (JSON body in, JSON answer out)."""
        if method != "POST":
            return self.voice_routes().get((method, path))
        return self.routes().get(path) or self.voice_routes().get((method, path))

    @staticmethod
    def error(status, code, message):
        return status_line(status), error_body(code, message)

    def routes(self):
        return {
            "/suno/audios": self.audios,
            "/suno/tasks": self.tasks,
            "/suno/lyrics": self.lyrics,
            "/suno/mashup-lyrics": blend_wire.mashup_lyrics,
            "/suno/style": self.style,
            "/suno/upload": self.upload,
            "/suno/persona": self.persona,
            "/suno/timing": self.timing,
            "/suno/wav": self.wav,
            "/suno/mp4": self.mp4,
        }

    # --- /suno/audios ---------------------------------------------------------------
    @staticmethod
    def order(body):
        action = _text(body, "action") or "generate"
        custom = bool(body.get("custom"))
        lyric = _text(body, "lyric")
        lyric_prompt = _text(body, "lyric_prompt").strip()
        if custom and not lyric.strip() and lyric_prompt and not body.get("instrumental"):
            lyric = words.invent_lyric(lyric_prompt)  # AceData writes them from `lyric_prompt`
        order = Order(
            action=action,
            model=_text(body, "model"),
            is_pro=bool(body.get("is_pro")),
            custom=custom,
            instrumental=bool(body.get("instrumental")),
            prompt=_text(body, "prompt"),
            lyric=lyric,
            style=_text(body, "style"),
            # AceData's docs now say `negative_tags`; seed 003's `style_negative` still works.
            style_negative=_text(body, "negative_tags") or _text(body, "style_negative"),
            controls=steering.validate(body, action),
            title=_text(body, "title"),
            audio_id=_text(body, "audio_id"),
            audio_url=_text(body, "audio_url"),
            continue_at=_seconds(body, "continue_at"),
            replace_section_start=_seconds(body, "replace_section_start"),
            replace_section_end=_seconds(body, "replace_section_end"),
            persona_id=_text(body, "persona_id"),
            callback_url=_text(body, "callback_url"),
            raw=body,
        )
        read_rework(order, body)
        blend_wire.read_blend(order, body)
        return order

    def audios(self, body):
        order = self.order(body)
        worded = order.action in ("generate", "extend", "upload_extend", "upload_generate")
        if self.strict_prompt and worded and not (order.prompt.strip() or order.lyric.strip()):
            raise bad_request("prompt is required.")
        job_id = self.sim.submit(order)
        if order.callback_url:
            self.sim.schedule_callback(job_id, order.callback_url)
            return {"task_id": job_id}
        # Seed 003: without `callback_url` the answer comes only once the songs are made.
        time.sleep(self.sim.finishes_in(job_id))
        return self.audios_answer(job_id)

    def audios_answer(self, job_id):
        _, _, views = self.sim.job_views(job_id)
        data = [self.clip_json(view) for view in views]
        if self.sim.faults.poison:
            data = [poisoned(clip) for clip in data]
        return {"success": True, "task_id": job_id, "trace_id": str(uuid.uuid4()), "data": data}

    def callback_body(self, job_id):
        answer = self.audios_answer(job_id)
        answer.pop("trace_id", None)
        return answer

    @staticmethod
    def clip_json(view):
        clip = {
            "id": view.id,
            "title": view.title,
            "image_url": view.image_url,
            "lyric": view.lyric,
            "audio_url": view.audio_url,
            "video_url": view.video_url,
            "created_at": iso(view.created),
            "model": view.model,
            "state": view.state,
            "prompt": view.prompt,
            "style": view.style,
        }
        if view.state == "succeeded":
            clip["duration"] = view.duration
        elif view.state == "error":
            clip["error_message"] = view.error
        if view.concat_history:
            clip["concat_history"] = view.concat_history
        return clip

    # --- /suno/tasks ----------------------------------------------------------------
    def tasks(self, body):
        action = body.get("action")
        if action == "retrieve":
            job_id = body.get("id")
            if not isinstance(job_id, str) or self.sim._job(job_id) is None:
                raise ApiError(404, "not_found", "No such task.")
            return self.task_record(job_id)
        if action == "retrieve_batch":
            ids = body.get("ids")
            if ids is None:
                return self.task_listing(body)
            if not isinstance(ids, list):
                raise bad_request("`ids` must be a list.")
            items = [self.task_record(i) for i in ids if isinstance(i, str) and self.sim._job(i)]
            return {"items": items, "count": len(items)}
        raise bad_request("`action` must be retrieve or retrieve_batch.")

    def task_listing(self, body):
        """The key's tasks by creation time (AceData's `created_at_min/max`, `limit`, `offset`)."""
        start = _seconds(body, "created_at_min")
        end = _seconds(body, "created_at_max")
        limit, offset = body.get("limit", 20), body.get("offset", 0)
        if not isinstance(limit, int) or not 1 <= limit <= 100:
            raise bad_request("`limit` must be between 1 and 100.")
        if not isinstance(offset, int) or offset < 0:
            raise bad_request("`offset` must be 0 or more.")
        rows = self.sim.jobs_between(
            0.0 if start is None else start, 1e12 if end is None else end, limit, offset
        )
        items = [self.task_record(row["id"]) for row in rows]
        return {"items": items, "count": len(items)}

    def task_record(self, job_id):
        job = self.sim._job(job_id)
        request = json.loads(job["request"])
        record = {"id": job_id, "created_at": job["created"], "request": request, "response": None}
        if job["answer"]:
            side = json.loads(job["answer"])
            record["path"] = side.pop("_path", "")
            record["response"] = side
        elif self.sim.phase(job) != "pending":
            record["response"] = self.audios_answer(job_id)
        return record

    def side(self, path, body, answer):
        """Answer a side call and keep it in the task listing, as the service bills it."""
        answer["task_id"] = self.sim.record_side(body)
        self.sim.store_answer(answer["task_id"], {**answer, "_path": path})
        return answer

    # --- words ----------------------------------------------------------------------
    def lyrics(self, body):
        prompt = _text(body, "prompt").strip()
        if not prompt:
            raise bad_request("`prompt` is required.")
        model = blend_wire.lyrics_model(body)
        if model == "remi-v1":
            # Another lyrics model writes other lines from the same idea.
            prompt = f"{prompt} "
        return {
            "success": True,
            "task_id": str(uuid.uuid4()),
            "data": {
                "text": words.invent_lyric(prompt),
                "title": words.invent_title(prompt),
                "status": "complete",
            },
        }

    def style(self, body):
        prompt = _text(body, "prompt").strip()
        if not prompt:
            raise bad_request("`prompt` is required.")
        return {
            "success": True,
            "task_id": str(uuid.uuid4()),
            "data": {"upsampled_tags": words.boost_style(prompt)},
        }

    # --- side endpoints -------------------------------------------------------------
    def upload(self, body):
        job_id, clip_id = self.sim.upload(_text(body, "audio_url"))
        row = self.sim._clip(clip_id)
        _, _, (view,) = self.sim.job_views(job_id)
        answer = {
            "success": True,
            "task_id": job_id,
            "data": {
                "audio_id": row["id"],
                "lyric": "",
                "style": view.style,
                "image_url": view.image_url,
                "image_large_url": view.image_url,
                "audio_url": view.audio_url,
                "title": view.title,
                "duration": view.duration,
            },
        }
        self.sim.store_answer(job_id, {**answer, "_path": "/suno/upload"})
        return answer

    def persona(self, body):
        if body.get("vox_audio_id"):
            return self.persona_v2(body)  # Persona-v2-vox, from a `/suno/vox` range
        name = _text(body, "name")
        description = _text(body, "description")
        persona_id = self.sim.create_persona(name, description, _text(body, "audio_id"))
        answer = {
            "success": True,
            "task_id": str(uuid.uuid4()),
            "data": {"persona_id": persona_id, "name": name.strip(), "description": description},
        }
        return self.side("/suno/persona", body, answer)

    def timing(self, body):
        timing = self.sim.timing(_text(body, "audio_id"))
        answer = {
            "success": True,
            "task_id": str(uuid.uuid4()),
            "trace_id": str(uuid.uuid4()),
            "data": {
                "aligned_words": aligned_words(timing["lines"], timing["duration"]),
                "waveform_data": timing["waveform"],
                "hoot_cer": timing["hoot_cer"],
                "is_streamed": False,
            },
        }
        return self.side("/suno/timing", body, answer)

    def wav(self, body):
        url = self.sim.wav(_text(body, "audio_id"))
        answer = {
            "success": True,
            "task_id": str(uuid.uuid4()),
            "trace_id": str(uuid.uuid4()),
            "data": [{"file_url": url}],
        }
        return self.side("/suno/wav", body, answer)

    def mp4(self, body):
        url = self.sim.mp4(_text(body, "audio_id"))
        answer = {
            "success": True,
            "task_id": str(uuid.uuid4()),
            "trace_id": str(uuid.uuid4()),
            "data": {"video_url": url},
        }
        return self.side("/suno/mp4", body, answer)


def aligned_words(lines, duration):
    """One entry per sung line, as in seed 003: "[Verse]\\nfirst\\n", ..., "last\\n\\n"."""
    out = []
    for i, line in enumerate(lines):
        first = i == 0 or lines[i - 1]["group"] != line["group"]
        last = i == len(lines) - 1 or lines[i + 1]["group"] != line["group"]
        word = f"[{line['section']}]\n" if first else ""
        word += line["text"] + "\n" + ("\n" if last else "")
        out.append(
            {
                "word": word,
                "success": True,
                "start_s": round(min(line["start"], duration), 6),
                "end_s": round(min(line["end"], duration), 6),
                "p_align": 0.99,
            }
        )
    return out
