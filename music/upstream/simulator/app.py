"""An offline upstream that speaks SunoHub's wire format over real HTTP (WSGI).

Jobs progress by the clock: `pending` for `queued_seconds`, `running` for `running_seconds`,
then `succeeded` with real audio and cover art rendered from the request. State lives in a
small SQLite file so the web server, the queue workers and a standalone simulator process
all see the same jobs. Fault knobs drive the reliability tests.
"""

import hashlib
import json
import logging
import sqlite3
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

import httpx

from music import catalogue

log = logging.getLogger(__name__)

# Songs the simulator refuses like the real service does ("Prompt likely copyrighted").
COPYRIGHTED = ("bohemian rhapsody", "yesterday by the beatles", "shape of you")

AUDIO_ACTIONS = {
    "generate",
    "extend",
    "upload_generate",
    "concat",
    "replace_section",
    "upload_extend",
    "stems",
    "artist_consistency",
    "cover",
}


@dataclass
class Faults:
    """Knobs for failure injection. `next_errors` are consumed one request at a time."""

    next_errors: list = field(default_factory=list)  # [(status, code, message), ...]
    malformed: bool = False  # answer garbage instead of JSON
    delay: float = 0.0  # seconds to sleep before answering
    fail_jobs: str = ""  # a message: jobs end with clips in state `error`
    lose_callbacks: bool = False

    def reset(self):
        self.next_errors.clear()
        self.malformed = False
        self.delay = 0.0
        self.fail_jobs = ""
        self.lose_callbacks = False


class Simulator:
    def __init__(
        self,
        state_dir,
        *,
        base_url="http://simulator.local",
        api_key="",
        queued_seconds=2.0,
        running_seconds=6.0,
        max_duration=150.0,
        send_callbacks=True,
        clock=time.time,
    ):
        self.state_dir = Path(state_dir)
        self.state_dir.mkdir(parents=True, exist_ok=True)
        (self.state_dir / "media").mkdir(exist_ok=True)
        self.base_url = base_url.rstrip("/")
        self.api_key = api_key
        self.queued_seconds = queued_seconds
        self.running_seconds = running_seconds
        self.max_duration = max_duration
        self.send_callbacks = send_callbacks
        self.clock = clock
        self.faults = Faults()
        self.requests = []  # (method, path) of every request, for tests and benchmarks
        self._local = threading.local()
        self._render_lock = threading.Lock()
        with self.db:
            self.db.executescript(
                """
                CREATE TABLE IF NOT EXISTS jobs (
                    id TEXT PRIMARY KEY, created REAL, request TEXT, clip_ids TEXT,
                    callback_url TEXT, fail TEXT);
                CREATE TABLE IF NOT EXISTS clips (
                    id TEXT PRIMARY KEY, job_id TEXT, variant INTEGER, spec TEXT,
                    duration REAL);
                """
            )

    # --- storage --------------------------------------------------------------------
    @property
    def db(self):
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(self.state_dir / "simulator.sqlite3", timeout=20)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.row_factory = sqlite3.Row
            self._local.conn = conn
        return conn

    def _job(self, job_id):
        return self.db.execute("SELECT * FROM jobs WHERE id = ?", (job_id,)).fetchone()

    def _clips(self, job_id):
        return self.db.execute(
            "SELECT * FROM clips WHERE job_id = ? ORDER BY variant", (job_id,)
        ).fetchall()

    def _clip(self, clip_id):
        return self.db.execute("SELECT * FROM clips WHERE id = ?", (clip_id,)).fetchone()

    # --- WSGI -----------------------------------------------------------------------
    def __call__(self, environ, start_response):
        method = environ["REQUEST_METHOD"]
        path = environ.get("PATH_INFO", "")
        self.requests.append((method, path))
        if self.faults.delay:
            time.sleep(self.faults.delay)
        try:
            status, headers, body = self.route(environ, method, path)
        except ApiError as exc:
            status, headers, body = self.error(exc.status, exc.code, exc.message)
        except Exception:  # a real server answers 500 rather than dropping the connection
            log.exception("simulator error on %s %s", method, path)
            status, headers, body = self.error(500, "api_error", "Internal simulator error.")
        start_response(status, headers)
        return [body]

    def route(self, environ, method, path):
        if method == "GET" and path.startswith("/media/"):
            return self.media(path.removeprefix("/media/"))
        if method != "POST":
            raise ApiError(405, "method_not_allowed", "Use POST.")
        if self.api_key and environ.get("HTTP_AUTHORIZATION") != f"Bearer {self.api_key}":
            raise ApiError(401, "invalid_token", "Invalid or missing API token.")
        if self.faults.next_errors:
            status, code, message = self.faults.next_errors.pop(0)
            raise ApiError(status, code, message)
        if self.faults.malformed:
            return "200 OK", [("Content-Type", "application/json")], b"<html>oops</html>"
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
            body = json.loads(environ["wsgi.input"].read(length) or b"{}")
        except (ValueError, UnicodeDecodeError) as exc:
            raise ApiError(400, "bad_request", "The body is not valid JSON.") from exc
        if not isinstance(body, dict):
            raise ApiError(400, "bad_request", "The body must be a JSON object.")
        handlers = {
            "/suno/audios": self.audios,
            "/suno/tasks": self.tasks,
            "/suno/lyrics": self.lyrics,
            "/suno/style": self.style,
        }
        handler = handlers.get(path)
        if handler is None:
            raise ApiError(404, "not_found", f"No such endpoint: {path}")
        return self.json(handler(body))

    def json(self, payload, status="200 OK"):
        return (
            status,
            [("Content-Type", "application/json")],
            json.dumps(payload, ensure_ascii=False).encode(),
        )

    def error(self, status, code, message):
        reasons = {
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
        payload = {
            "success": False,
            "error": {"code": code, "message": message},
            "trace_id": str(uuid.uuid4()),
        }
        return self.json(payload, f"{status} {reasons.get(status, 'Error')}")

    # --- endpoints ------------------------------------------------------------------
    def audios(self, body):
        action = body.get("action") or "generate"
        if action not in AUDIO_ACTIONS:
            raise ApiError(400, "bad_request", f"Unknown action: {action}")
        if action != "generate":
            raise ApiError(400, "bad_request", f"The simulator does not do `{action}` yet.")
        model = catalogue.MODELS_BY_KEY.get(body.get("model") or catalogue.DEFAULT_MODEL)
        if model is None:
            raise ApiError(400, "bad_request", f"Unknown model: {body.get('model')}")
        if model.needs_pro and not body.get("is_pro"):
            raise ApiError(400, "bad_request", f"{model.label} is only served from the Pro pool.")
        custom = bool(body.get("custom"))
        prompt = str(body.get("prompt") or "")
        lyric = str(body.get("lyric") or "")
        style = str(body.get("style") or "")
        if custom:
            if not lyric and not body.get("instrumental"):
                raise ApiError(400, "bad_request", "Custom mode needs `lyric`.")
            if len(lyric) > model.lyric_max:
                raise ApiError(400, "bad_request", f"`lyric` is over {model.lyric_max} characters.")
        elif not prompt:
            raise ApiError(400, "bad_request", "`prompt` is required.")
        elif len(prompt) > catalogue.DESCRIPTION_MAX:
            raise ApiError(400, "bad_request", "`prompt` is too long.")
        if len(style) > model.style_max:
            raise ApiError(400, "bad_request", f"`style` is over {model.style_max} characters.")
        text = " ".join([prompt, lyric, str(body.get("title") or "")]).lower()
        if any(title in text for title in COPYRIGHTED):
            raise ApiError(403, "forbidden", "Prompt likely copyrighted.")

        job_id = str(uuid.uuid4())
        now = self.clock()
        spec = {
            "seed": prompt or lyric or style,
            "prompt": prompt,
            "lyric": lyric if custom else self.invent_lyric(prompt, body),
            "style": style or self.invent_style(prompt),
            "title": str(body.get("title") or "") or self.invent_title(prompt or lyric),
            "instrumental": bool(body.get("instrumental")),
            "model": model.key,
            "max_duration": min(self.max_duration, model.max_seconds),
        }
        clip_ids = [str(uuid.uuid4()), str(uuid.uuid4())]
        callback_url = str(body.get("callback_url") or "")
        with self.db:
            self.db.execute(
                "INSERT INTO jobs VALUES (?, ?, ?, ?, ?, ?)",
                (
                    job_id,
                    now,
                    json.dumps(body),
                    json.dumps(clip_ids),
                    callback_url,
                    self.faults.fail_jobs,
                ),
            )
            for variant, clip_id in enumerate(clip_ids):
                self.db.execute(
                    "INSERT INTO clips VALUES (?, ?, ?, ?, NULL)",
                    (clip_id, job_id, variant, json.dumps(spec)),
                )
        if callback_url:
            self.schedule_callback(job_id, callback_url)
            return {"task_id": job_id}
        return self.audios_answer(job_id)

    def tasks(self, body):
        action = body.get("action")
        if action == "retrieve":
            job_id = body.get("id")
            if not isinstance(job_id, str) or self._job(job_id) is None:
                raise ApiError(404, "not_found", "No such task.")
            return self.task_record(job_id)
        if action == "retrieve_batch":
            ids = body.get("ids")
            if not isinstance(ids, list):
                raise ApiError(400, "bad_request", "`ids` must be a list.")
            items = [self.task_record(i) for i in ids if isinstance(i, str) and self._job(i)]
            return {"items": items, "count": len(items)}
        raise ApiError(400, "bad_request", "`action` must be retrieve or retrieve_batch.")

    def lyrics(self, body):
        prompt = str(body.get("prompt") or "").strip()
        if not prompt:
            raise ApiError(400, "bad_request", "`prompt` is required.")
        return {
            "success": True,
            "task_id": str(uuid.uuid4()),
            "data": {
                "text": self.invent_lyric(prompt, {}),
                "title": self.invent_title(prompt),
                "status": "complete",
            },
        }

    def style(self, body):
        prompt = str(body.get("prompt") or "").strip()
        if not prompt:
            raise ApiError(400, "bad_request", "`prompt` is required.")
        return {
            "success": True,
            "task_id": str(uuid.uuid4()),
            "data": {"upsampled_tags": boost_style(prompt)},
        }

    # --- job progress ---------------------------------------------------------------
    def phase(self, job):
        elapsed = self.clock() - job["created"]
        if elapsed < self.queued_seconds:
            return "pending"
        if elapsed < self.queued_seconds + self.running_seconds:
            return "running"
        return "error" if job["fail"] else "succeeded"

    def audios_answer(self, job_id):
        job = self._job(job_id)
        phase = self.phase(job)
        data = [self.clip_json(row, phase, job) for row in self._clips(job_id)]
        return {"success": True, "task_id": job_id, "trace_id": str(uuid.uuid4()), "data": data}

    def task_record(self, job_id):
        job = self._job(job_id)
        request = json.loads(job["request"])
        request.pop("callback_url", None)
        record = {
            "id": job_id,
            "created_at": job["created"],
            "request": request,
            "response": None,
        }
        if self.phase(job) != "pending":
            record["response"] = self.audios_answer(job_id)
        return record

    def clip_json(self, row, phase, job):
        spec = json.loads(row["spec"])
        clip = {
            "id": row["id"],
            "title": spec["title"],
            "image_url": "",
            "lyric": spec["lyric"],
            "audio_url": "",
            "video_url": "",
            "created_at": datetime.fromtimestamp(job["created"], UTC)
            .isoformat(timespec="milliseconds")
            .replace("+00:00", "Z"),
            "model": spec["model"],
            "state": phase,
            "prompt": spec["prompt"],
            "style": spec["style"],
        }
        if phase == "succeeded":
            clip["duration"] = self.ensure_rendered(row)
            clip["audio_url"] = f"{self.base_url}/media/{row['id']}.mp3"
            clip["image_url"] = f"{self.base_url}/media/image_{row['id']}.png"
        elif phase == "error":
            clip["error_message"] = job["fail"]
        return clip

    def callback_body(self, job_id):
        answer = self.audios_answer(job_id)
        answer.pop("trace_id", None)
        return answer

    def schedule_callback(self, job_id, url):
        if not self.send_callbacks:
            return
        delay = self.queued_seconds + self.running_seconds + 0.5

        def fire():
            if self.faults.lose_callbacks:
                return
            try:
                httpx.post(url, json=self.callback_body(job_id), timeout=10)
            except httpx.HTTPError as exc:
                log.info("simulator callback to %s failed: %s", url, exc)

        timer = threading.Timer(delay, fire)
        timer.daemon = True
        timer.start()

    # --- media ----------------------------------------------------------------------
    def ensure_rendered(self, row):
        """Render a clip's audio once and remember its duration."""
        if row["duration"] is not None and self._media_path(row["id"], "mp3").exists():
            return row["duration"]
        from music.upstream.simulator import audio

        with self._render_lock:
            spec = json.loads(row["spec"])
            rendering = audio.render_song(
                seed=spec["seed"],
                lyric=spec["lyric"],
                style=spec["style"],
                instrumental=spec["instrumental"],
                variant=row["variant"],
                max_duration=spec["max_duration"],
                min_duration=min(8.0, spec["max_duration"]),
            )
            path = self._media_path(row["id"], "mp3")
            tmp = path.with_suffix(".part")
            tmp.write_bytes(audio.encode_mp3(rendering.mix))
            tmp.replace(path)
            duration = round(rendering.duration, 2)
            with self.db:
                self.db.execute("UPDATE clips SET duration = ? WHERE id = ?", (duration, row["id"]))
            return duration

    def _media_path(self, clip_id, ext):
        return self.state_dir / "media" / f"{clip_id}.{ext}"

    def media(self, name):
        from music.upstream.simulator import artwork

        if name.startswith("image_") and name.endswith(".png"):
            row = self._clip(name.removeprefix("image_").removesuffix(".png"))
            if row is None:
                raise ApiError(404, "not_found", "No such image.")
            spec = json.loads(row["spec"])
            png = artwork.render_cover(
                seed=f"{spec['seed']}#{row['variant']}", title=spec["title"], style=spec["style"]
            )
            return "200 OK", [("Content-Type", "image/png")], png
        if name.endswith(".mp3"):
            row = self._clip(name.removesuffix(".mp3"))
            if row is None or self.phase(self._job(row["job_id"])) != "succeeded":
                raise ApiError(404, "not_found", "No such audio.")
            self.ensure_rendered(row)
            data = self._media_path(row["id"], "mp3").read_bytes()
            return "200 OK", [("Content-Type", "audio/mpeg")], data
        raise ApiError(404, "not_found", "No such file.")

    # --- words ----------------------------------------------------------------------
    @staticmethod
    def invent_title(text):
        """A short title from the first words, without a leading article."""
        words = [w for w in (text or "Untitled").replace("\n", " ").split(" ") if w]
        if len(words) > 2 and words[0].lower() in ("a", "an", "the"):
            words = words[1:]
        title = " ".join(words[:5])[:60]
        return title.title() if title.isascii() else title

    @staticmethod
    def invent_style(prompt):
        return boost_style(prompt, short=True)

    @staticmethod
    def invent_lyric(prompt, body):
        """Deterministic lyrics in the prompt's language and the usual song structure."""
        if body.get("instrumental"):
            return ""
        seed = int(hashlib.sha256(prompt.encode()).hexdigest(), 16)
        cjk = any("\u4e00" <= ch <= "\u9fff" for ch in prompt)
        if cjk:
            bank = [
                "灯火照亮回家的路",
                "风里有你轻声的歌",
                "把心愿写进夜空里",
                "我们一起慢慢走过",
                "星光落在你的眼眸",
                "明天会更好的理由",
                "岁月温柔地停留",
                "笑声飘过每个街口",
            ]
            hook = prompt.strip()[:8] or "唱吧"
        else:
            bank = [
                "Lights are glowing down the street",
                "Hear the rhythm in your feet",
                "Every heartbeat finds a rhyme",
                "We are dancing out of time",
                "Hold the moment, hold it tight",
                "Stars are shining through the night",
                "Sing it louder, sing it clear",
                "All the ones we love are here",
            ]
            hook = " ".join(prompt.split()[:4]) or "Sing along"

        def pick(n, offset):
            return [bank[(seed >> (i * 3) + offset) % len(bank)] for i in range(n)]

        verse1, verse2 = pick(4, 0), pick(4, 7)
        chorus = [hook, pick(1, 13)[0], hook, pick(1, 17)[0]]
        parts = ["[Verse]", *verse1, "[Chorus]", *chorus, "[Verse 2]", *verse2, "[Chorus]", *chorus]
        return "\n".join(parts)


def boost_style(prompt, short=False):
    """A deterministic 'upsampled' style from a few words."""
    text = prompt.lower()
    genre = next(
        (
            g
            for g in (
                "rock",
                "jazz",
                "edm",
                "folk",
                "hip hop",
                "ballad",
                "punk",
                "lo-fi",
                "r&b",
                "classical",
                "pop",
            )
            if g in text
        ),
        "pop",
    )
    mood = next(
        (m for m in ("sad", "dark", "happy", "warm", "dreamy", "festive", "calm") if m in text),
        "uplifting",
    )
    chinese = any("\u4e00" <= ch <= "\u9fff" for ch in prompt) or "chinese" in text
    tags = [mood, genre]
    if chinese:
        tags += ["chinese", "guzheng"]
    if short:
        return ", ".join(tags)
    instruments = {
        "rock": "driving electric guitars and live drums",
        "jazz": "brushed drums, upright bass and warm piano",
        "edm": "punchy four-on-the-floor kick and bright supersaw synths",
        "folk": "fingerpicked acoustic guitar and soft harmonies",
        "ballad": "tender piano and sweeping strings",
    }.get(genre, "glossy synths, tight drums and a catchy bass line")
    extra = ", with pentatonic guzheng and erhu accents" if chinese else ""
    return (
        f"{mood.capitalize()} {genre} with {instruments}{extra}; intimate verses open "
        f"into a wide, memorable chorus, then a short bridge before the final chorus."
    )


class ApiError(Exception):
    def __init__(self, status, code, message):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def host_of(url):
    return urlsplit(url).hostname or ""
