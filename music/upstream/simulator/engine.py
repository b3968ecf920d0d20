"""The simulator's engine: jobs, clips and their audio, whatever the wire format.

A job holds the clips one request made and progresses by the clock: `pending` for
`queued_seconds`, `running` for `running_seconds`, then `succeeded` (or `error` when the
`fail_jobs` fault was set). Each clip keeps a *spec*: what it is made from, either a song
recipe (seed, melody, style, take, voice, lyric) or other clips and times (extend, concat,
replace, stems). Its int16 PCM stems are rendered once, lazily, the first time the finished clip
is needed; every render is deterministic from the spec.

Wire formats (SunoHub's now, a relay later) turn their requests into an `Order`, call
`submit`, and read `ClipView`s back; refusals are `ApiError(status, code, message)`, which each
format dresses in its own error shape.
"""

import hashlib
import json
import logging
import sqlite3
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from music import catalogue
from music.upstream.simulator import media, steering, words
from music.upstream.simulator.audio import SAMPLE_RATE as SR

log = logging.getLogger(__name__)

AUDIO_ACTIONS = (
    "generate",
    "extend",
    "upload_generate",
    "concat",
    "replace_section",
    "upload_extend",
    "stems",
    "artist_consistency",
    "cover",
)
# Clip kinds whose audio is a song rendered from a recipe (`spec["song"]`).
SONG_KINDS = {"gen", "extend", "cover", "replace", "persona"}
# Clips that are a piece of a song until concatenated.
FRAGMENT_KINDS = {"extend", "replace"}
CONCAT_FADE = 0.04  # seconds of crossfade at each join
REPLACE_MAX_WINDOW = 60.0
SECOND_TAKE = "#take2"  # appended to a melody seed: the same song, another tune
MEDIA_TYPES = {"mp3": "audio/mpeg", "png": "image/png", "wav": "audio/wav", "mp4": "video/mp4"}


class ApiError(Exception):
    """A refusal with an HTTP status and a machine code; wire formats shape the body."""

    def __init__(self, status, code, message):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def bad_request(message):
    return ApiError(400, "bad_request", message)


def poisoned(clip):
    """A clip answer with the values real providers have sent that break careless clients:
    over-long text, NUL bytes, NaN, impossible ports, script URLs, wrong types. The audio
    link stays good, so a careful client still gets the song."""
    return {
        **clip,
        "title": "\x00" + "Poisoned " * 40,
        "lyric": (clip.get("lyric") or "") + "\x00",
        "duration": float("nan"),
        "image_url": "http://cdn.example.invalid:99999/cover.png",
        "video_url": "javascript:alert(1)",
        "style": 12345,
        "model": ["not", "a", "string"],
    }


@dataclass
class Faults:
    """Knobs for failure injection. `next_errors` are consumed one request at a time."""

    next_errors: list = field(default_factory=list)  # [(status, code, message), ...]
    malformed: bool = False  # answer garbage instead of JSON
    delay: float = 0.0  # seconds to sleep before answering
    fail_jobs: str = ""  # a message: jobs end with clips in state `error`
    lose_callbacks: bool = False
    # Faults *after* a request was handled (the job exists, and is billed): the answer is
    # replaced by one of these errors, or arrives only after `after_delay` seconds.
    after_errors: list = field(default_factory=list)  # [(status, code, message), ...]
    after_delay: float = 0.0
    poison: bool = False  # clips carry values a careless client would choke on

    def reset(self):
        self.next_errors.clear()
        self.malformed = False
        self.delay = 0.0
        self.fail_jobs = ""
        self.lose_callbacks = False
        self.after_errors.clear()
        self.after_delay = 0.0
        self.poison = False


@dataclass
class Order:
    """A song request in neutral terms; each wire format fills one from its own fields."""

    action: str = "generate"
    model: str = ""
    is_pro: bool = False
    custom: bool = False
    instrumental: bool = False
    prompt: str = ""
    lyric: str = ""
    style: str = ""
    style_negative: str = ""
    title: str = ""
    audio_id: str = ""
    audio_url: str = ""
    continue_at: float | None = None
    replace_section_start: float | None = None
    replace_section_end: float | None = None
    persona_id: str = ""
    callback_url: str = ""
    raw: dict = field(default_factory=dict)  # the request as received, for task records
    controls: dict = field(default_factory=dict)  # validated advanced controls (steering.py)


@dataclass
class ClipView:
    """What a wire format needs to describe one clip."""

    id: str
    job_id: str
    kind: str
    state: str  # pending | running | succeeded | error
    created: float
    title: str
    prompt: str | None
    lyric: str
    style: str
    model: str
    is_pro: bool
    duration: float | None = None
    audio_url: str = ""
    image_url: str = ""
    video_url: str = ""
    error: str = ""
    concat_history: list | None = None
    spec: dict = field(default_factory=dict)


class Engine:
    def __init__(
        self,
        state_dir,
        *,
        base_url="http://simulator.local",
        queued_seconds=2.0,
        running_seconds=6.0,
        max_duration=150.0,
        clock=time.time,
    ):
        self.state_dir = Path(state_dir)
        self.state_dir.mkdir(parents=True, exist_ok=True)
        self.media_dir = self.state_dir / "media"
        self.media_dir.mkdir(exist_ok=True)
        self.stems_dir = self.state_dir / "stems"
        self.stems_dir.mkdir(exist_ok=True)
        self.base_url = base_url.rstrip("/")
        self.queued_seconds = queued_seconds
        self.running_seconds = running_seconds
        self.max_duration = max_duration
        self.clock = clock
        self.faults = Faults()
        self._local = threading.local()
        # One lock per clip, not per process: different clips render at once (a concat, a
        # stem, takes its parts' locks after its own; parts never need their whole, so the
        # order is always whole -> part and cannot deadlock). Re-entrant for the same reason.
        self._render_locks = {}
        self._render_locks_guard = threading.Lock()
        self._migrate()

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

    def _migrate(self):
        with self.db:
            self.db.executescript(
                """
                CREATE TABLE IF NOT EXISTS jobs (
                    id TEXT PRIMARY KEY, created REAL, request TEXT, clip_ids TEXT,
                    callback_url TEXT, fail TEXT);
                CREATE TABLE IF NOT EXISTS clips (
                    id TEXT PRIMARY KEY, job_id TEXT, variant INTEGER, spec TEXT,
                    duration REAL);
                CREATE TABLE IF NOT EXISTS personas (
                    id TEXT PRIMARY KEY, name TEXT, description TEXT, clip_id TEXT,
                    created REAL);
                """
            )
            # State files from before these columns existed keep working.
            for table, column, kind in (
                ("jobs", "instant", "INTEGER DEFAULT 0"),
                ("jobs", "answer", "TEXT"),
                ("clips", "rendered", "TEXT"),
            ):
                names = {r[1] for r in self.db.execute(f"PRAGMA table_info({table})")}
                if column not in names:
                    self.db.execute(f"ALTER TABLE {table} ADD COLUMN {column} {kind}")

    def _job(self, job_id):
        return self.db.execute("SELECT * FROM jobs WHERE id = ?", (job_id,)).fetchone()

    def _clips(self, job_id):
        return self.db.execute(
            "SELECT * FROM clips WHERE job_id = ? ORDER BY variant", (job_id,)
        ).fetchall()

    def _clip(self, clip_id):
        return self.db.execute("SELECT * FROM clips WHERE id = ?", (clip_id,)).fetchone()

    def _persona(self, persona_id):
        return self.db.execute("SELECT * FROM personas WHERE id = ?", (persona_id,)).fetchone()

    def _create_job(self, order_raw, specs, callback_url="", *, instant=False):
        job_id = str(uuid.uuid4())
        clip_ids = [str(uuid.uuid4()) for _ in specs]
        with self.db:
            self.db.execute(
                "INSERT INTO jobs (id, created, request, clip_ids, callback_url, fail, instant)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    job_id,
                    self.clock(),
                    json.dumps(order_raw),
                    json.dumps(clip_ids),
                    callback_url,
                    "" if instant else self.faults.fail_jobs,
                    int(instant),
                ),
            )
            for variant, (clip_id, spec) in enumerate(zip(clip_ids, specs, strict=True)):
                self.db.execute(
                    "INSERT INTO clips (id, job_id, variant, spec, duration) "
                    "VALUES (?, ?, ?, ?, NULL)",
                    (clip_id, job_id, variant, json.dumps(spec)),
                )
        return job_id, clip_ids

    def record_side(self, request):
        """Keep a synchronous side call (persona, timing, WAV, MP4) as a finished job, the way
        the real service lists every call it billed under `/suno/tasks`."""
        job_id, _ = self._create_job(request, [], instant=True)
        return job_id

    def store_answer(self, job_id, answer):
        """The answer a side call gave, for the task listing (`answer["task_id"]` is the job)."""
        answer["task_id"] = job_id
        with self.db:
            self.db.execute("UPDATE jobs SET answer = ? WHERE id = ?", (json.dumps(answer), job_id))

    def jobs_between(self, start, end, limit, offset):
        """Jobs created in [start, end], oldest first (the service's task listing)."""
        return self.db.execute(
            "SELECT * FROM jobs WHERE created >= ? AND created <= ? ORDER BY created, id"
            " LIMIT ? OFFSET ?",
            (start, end, limit, offset),
        ).fetchall()

    def finishes_in(self, job_id):
        """Seconds until a job is done (0 when it is)."""
        job = self._job(job_id)
        if job is None or job["instant"]:
            return 0.0
        end = job["created"] + self.queued_seconds + self.running_seconds
        return max(0.0, end - self.clock())

    # --- progress -------------------------------------------------------------------
    def phase(self, job):
        if job["instant"]:
            return "succeeded"
        elapsed = self.clock() - job["created"]
        if elapsed < self.queued_seconds:
            return "pending"
        if elapsed < self.queued_seconds + self.running_seconds:
            return "running"
        return "error" if job["fail"] else "succeeded"

    def progress(self, job):
        """0..100 by the clock, for formats that report a percentage."""
        if job["instant"]:
            return 100
        total = self.queued_seconds + self.running_seconds
        if total <= 0:
            return 100
        return max(0, min(100, int(100 * (self.clock() - job["created"]) / total)))

    def clip_state(self, row):
        return self.phase(self._job(row["job_id"]))

    def job_views(self, job_id):
        """(job row, phase, clip views) for one job, or None if there is no such job."""
        job = self._job(job_id)
        if job is None:
            return None
        phase = self.phase(job)
        return job, phase, [self.clip_view(row, phase, job) for row in self._clips(job_id)]

    def clip_view(self, row, phase, job):
        spec = self.spec(row)
        view = ClipView(
            id=row["id"],
            job_id=row["job_id"],
            kind=spec["kind"],
            state=phase,
            created=job["created"],
            title=spec.get("title", ""),
            prompt=spec.get("prompt"),
            lyric=spec.get("lyric", ""),
            style=spec.get("style", ""),
            model=spec.get("model", ""),
            is_pro=bool(spec.get("is_pro")),
            concat_history=spec.get("history"),
            spec=spec,
        )
        if phase == "succeeded":
            view.duration = self.ensure_rendered(row)["duration"]
            view.audio_url = self.media_url(f"{row['id']}.mp3")
            view.image_url = self.media_url(f"image_{row['id']}.png")
            if self._media_path(f"{row['id']}.mp4").exists():
                view.video_url = self.media_url(f"{row['id']}.mp4")
        elif phase == "error":
            view.error = job["fail"]
        return view

    # --- specs ----------------------------------------------------------------------
    def spec(self, row):
        """A clip's spec; specs stored before clips had kinds are plain generations."""
        spec = json.loads(row["spec"])
        if "kind" not in spec:
            spec["kind"] = "gen"
            spec["song"] = {
                "seed": spec["seed"],
                "melody": None,
                "style": spec["style"],
                "variant": row["variant"],
                "voice": None,
                "lyric": spec["lyric"],
                "instrumental": spec["instrumental"],
                "max_duration": spec["max_duration"],
                "min_duration": min(8.0, spec["max_duration"]),
            }
        return spec

    def identity(self, row):
        """The musical identity a clip passes on: seed, melody seed, style, take and voice."""
        spec = self.spec(row)
        kind = spec["kind"]
        if kind in SONG_KINDS:
            song = spec["song"]
            return {
                "seed": song["seed"],
                "melody": song.get("melody") or song["seed"],
                "style": song["style"],
                "variant": song["variant"],
                "voice": song.get("voice"),
            }
        if kind == "concat":
            return self.identity(self._clip(spec["segments"][-1]["clip"]))
        if kind == "stem":
            return self.identity(self._clip(spec["source"]))
        # An upload has no plan: its content seeds one, and the request's style shapes it.
        seed = f"upload:{spec['sha256']}"
        return {"seed": seed, "melody": seed, "style": None, "variant": 0, "voice": None}

    # --- orders ---------------------------------------------------------------------
    def submit(self, order: Order):
        """Validate an order like the real service and create its job; returns the job id."""
        action = order.action or "generate"
        if action not in AUDIO_ACTIONS:
            raise bad_request(f"Unknown action: {action}")
        specs = getattr(self, f"_order_{action}")(order)
        job_id, _ = self._create_job(order.raw, specs, order.callback_url)
        return job_id

    def _model(self, order, default=None):
        key = order.model or default or catalogue.DEFAULT_MODEL
        model = catalogue.MODELS_BY_KEY.get(key)
        if model is None:
            raise bad_request(f"Unknown model: {key}")
        if model.needs_pro and not order.is_pro:
            raise bad_request(f"{model.label} is only served from the Pro pool.")
        return model

    def _check_words(self, order, model, *, description=False):
        if description and len(order.prompt) > catalogue.DESCRIPTION_MAX:
            raise bad_request("`prompt` is too long.")
        if not description and len(order.prompt) > model.lyric_max:
            raise bad_request(f"`prompt` is over {model.lyric_max} characters.")
        if len(order.lyric) > model.lyric_max:
            raise bad_request(f"`lyric` is over {model.lyric_max} characters.")
        if len(order.style) > model.style_max:
            raise bad_request(f"`style` is over {model.style_max} characters.")
        if len(order.style_negative) > model.style_max:
            raise bad_request(f"`style_negative` is over {model.style_max} characters.")
        if len(order.title) > model.title_max:
            raise bad_request(f"`title` is over {model.title_max} characters.")
        if words.is_copyrighted(order.prompt, order.lyric, order.title):
            raise ApiError(403, "forbidden", "Prompt likely copyrighted.")

    def _max_duration(self, model):
        return min(self.max_duration, model.max_seconds)

    def source(self, clip_id, field_name="audio_id"):
        """A finished clip to work from (rendered, so its duration is known)."""
        if not clip_id:
            raise bad_request(f"`{field_name}` is required.")
        row = self._clip(clip_id)
        if row is None:
            raise ApiError(404, "not_found", f"No such audio: {clip_id}")
        state = self.clip_state(row)
        if state != "succeeded":
            if state == "error":
                raise bad_request(f"The audio {clip_id} failed; there is nothing to work from.")
            raise bad_request(f"The audio {clip_id} is not finished yet.")
        info = self.ensure_rendered(row)
        return row, self.spec(row), info

    @staticmethod
    def _song(ident, *, lyric, instrumental, max_duration, min_duration=None, style=None, take=0):
        melody = ident["melody"] + (SECOND_TAKE if take else "")
        return {
            "seed": ident["seed"],
            "melody": melody,
            "style": ident["style"] if style is None else style,
            "variant": ident["variant"],
            "voice": ident["voice"],
            "lyric": lyric,
            "instrumental": instrumental,
            "max_duration": max_duration,
            "min_duration": min(8.0, max_duration) if min_duration is None else min_duration,
        }

    def _order_generate(self, order):
        model = self._model(order)
        custom = order.custom
        if custom:
            if not order.lyric and not order.instrumental:
                raise bad_request("Custom mode needs `lyric`.")
        elif not order.prompt:
            raise bad_request("`prompt` is required.")
        self._check_words(order, model, description=not custom)
        prompt, lyric, style = order.prompt, order.lyric, order.style
        seed = prompt or lyric or style
        max_duration = self._max_duration(model)
        base = {
            "kind": "gen",
            "seed": seed,
            "prompt": prompt,
            "lyric": lyric if custom else words.invent_lyric(prompt, order.instrumental),
            "style": style or words.invent_style(prompt),
            "title": order.title or words.invent_title(prompt or lyric),
            "instrumental": order.instrumental,
            "model": model.key,
            "max_duration": max_duration,
            "is_pro": order.is_pro,
        }
        ident = {"seed": seed, "melody": None, "style": base["style"], "voice": None}
        specs = []
        for variant in (0, 1):
            song = {
                **ident,
                "variant": variant,
                "lyric": base["lyric"],
                "instrumental": order.instrumental,
                "max_duration": max_duration,
                "min_duration": min(8.0, max_duration),
            }
            specs.append({**base, "song": song})
        return steering.steer(order, specs)

    def _continue_at(self, order, duration=None):
        at = order.continue_at
        if at is None:
            raise bad_request("`continue_at` is required (seconds into the song, above 0).")
        if not at > 0:
            raise bad_request("`continue_at` must be above 0.")
        if duration is not None and at > duration + 1e-6:
            raise bad_request(f"`continue_at` must be at most the song's duration ({duration} s).")
        return float(at)

    def _extension_words(self, order):
        lyric = order.lyric or (
            words.invent_lyric(order.prompt, order.instrumental) if order.prompt else ""
        )
        if not lyric and not order.instrumental:
            raise bad_request("Extending a song needs `lyric` (or a `prompt` to write it from).")
        return lyric

    def _extension_specs(self, order, parent_row, parent_spec, info, model):
        continue_at = self._continue_at(order, info["duration"])
        lyric = self._extension_words(order)
        ident = self.identity(parent_row)
        style = order.style or parent_spec.get("style", "")
        max_duration = self._max_duration(model)
        base = {
            "kind": "extend",
            "seed": order.prompt or lyric or ident["seed"],
            "prompt": order.prompt,
            "lyric": lyric,
            "style": style,
            "title": order.title or parent_spec.get("title", ""),
            "instrumental": order.instrumental,
            "model": model.key,
            "max_duration": max_duration,
            "is_pro": order.is_pro,
            "parent": parent_row["id"],
            "continue_at": continue_at,
        }
        # Same seed, style and take as the parent: the plan (key, tempo, band, singer) matches,
        # so the new part continues the song; only the words (and, for take two, the tunes)
        # are new. An upload has no style of its own, so the request's style shapes it.
        plan_style = ident["style"] if ident["style"] is not None else style
        return [
            {
                **base,
                "song": self._song(
                    ident,
                    lyric=lyric,
                    instrumental=order.instrumental,
                    max_duration=max_duration,
                    style=plan_style,
                    take=take,
                ),
            }
            for take in (0, 1)
        ]

    def _order_extend(self, order):
        row, spec, info = self.source(order.audio_id)
        model = self._model(order, spec.get("model") or None)
        self._check_words(order, model)
        if spec["kind"] == "upload":
            raise bad_request("Use `upload_extend` to continue an uploaded song.")
        return self._extension_specs(order, row, spec, info, model)

    def _order_upload_extend(self, order):
        row, spec, info = self.source(order.audio_id)
        model = self._model(order)
        self._check_words(order, model)
        if spec["kind"] != "upload":
            raise bad_request("`upload_extend` continues an uploaded song; use `extend`.")
        return self._extension_specs(order, row, spec, info, model)

    def _order_upload_generate(self, order):
        model = self._model(order)
        self._check_words(order, model)
        if not order.audio_url:
            raise bad_request("`audio_url` is required.")
        self._continue_at(order)
        self._extension_words(order)
        _, clip_id = self.upload(order.audio_url)
        row, spec, info = self.source(clip_id)
        return self._extension_specs(order, row, spec, info, model)

    def _order_concat(self, order):
        row, spec, _ = self.source(order.audio_id)
        if spec["kind"] not in FRAGMENT_KINDS:
            raise bad_request(
                "There is nothing to concatenate: the audio is not an extension or a "
                "replaced section."
            )
        segments, history, lyric = self._concat_plan(row)
        first = self._clip(history[0]["id"])
        root = self.spec(first)
        parts = [self.spec(self._clip(s["clip"])) for s in segments]
        return [
            {
                "kind": "concat",
                "seed": f"{root.get('seed', '')}#concat",
                "prompt": root.get("prompt"),
                "lyric": lyric,
                "style": root.get("style", ""),
                "title": root.get("title", ""),
                "instrumental": all(p.get("instrumental") for p in parts),
                "model": root.get("model", ""),
                # A song joined from Pro-made parts still lives in the Pro pool.
                "is_pro": order.is_pro or all(p.get("is_pro") for p in parts),
                "segments": segments,
                "history": history,
            }
        ]

    def _concat_plan(self, row):
        """Segments (clip, start, end seconds), concat_history and lyric for a fragment."""
        spec = self.spec(row)
        if spec["kind"] == "replace":
            source = self._clip(spec["source"])
            source_spec = self.spec(source)
            start, end = spec["start"], spec["end"]
            segments = [
                {"clip": source["id"], "start": 0.0, "end": start},
                {"clip": row["id"], "start": 0.0, "end": None},
                {"clip": source["id"], "start": end, "end": None},
            ]
            history = [
                {
                    "id": source["id"],
                    "continue_at": start,
                    "type": self._history_type(source_spec),
                    "source": "web",
                    "infill": True,
                    "infill_start": start,
                    "infill_end": end,
                },
                {"id": row["id"]},
            ]
            after = [ln for ln in self.ensure_rendered(source)["lines"] if ln["start"] >= end]
            lyric = "\n".join(
                part for part in (spec.get("lyric", "").strip("\n"), lines_to_lyric(after)) if part
            )
            return segments, history, lyric
        chain = [(row, None)]
        while spec["kind"] == "extend":
            at = spec["continue_at"]
            row = self._clip(spec["parent"])
            spec = self.spec(row)
            chain.append((row, at))
        chain.reverse()
        segments = [{"clip": r["id"], "start": 0.0, "end": at} for r, at in chain]
        history = []
        for i, (r, at) in enumerate(chain):
            if at is None:
                history.append({"id": r["id"]})
                continue
            entry = {"id": r["id"], "continue_at": at, "type": self._history_type(self.spec(r))}
            if i == 0:
                entry["source"] = "web"
            entry["infill"] = False
            history.append(entry)
        lyric = "\n".join(self.spec(r).get("lyric", "") for r, _ in chain)
        return segments, history, lyric

    @staticmethod
    def _history_type(spec):
        return "upload" if spec["kind"] == "upload" else "gen"

    def _order_cover(self, order):
        if not order.is_pro:
            raise bad_request("cover requires the Pro pool (`is_pro`: true).")
        row, spec, _ = self.source(order.audio_id)
        model = self._model(order)
        self._check_words(order, model)
        ident = self.identity(row)
        lyric = order.lyric or spec.get("lyric", "")
        # Without a new style a cover would be the same record again.
        style = order.style or words.merge_styles(spec.get("style", ""), "acoustic")
        instrumental = order.instrumental or not lyric
        max_duration = self._max_duration(model)
        base = {
            "kind": "cover",
            "seed": f"{ident['seed']}#cover:{style}",
            "prompt": order.prompt or lyric[:80],
            "lyric": lyric,
            "style": style,
            "title": order.title or spec.get("title", ""),
            "instrumental": instrumental,
            "model": model.key,
            "max_duration": max_duration,
            "is_pro": True,
            "source": row["id"],
        }
        specs = []
        for variant in (0, 1):
            # The original's seed and melody seed keep key and tunes; the new style brings
            # the band, tempo and singer, and the two takes differ like a generation's do.
            song = self._song(
                {**ident, "variant": variant, "voice": None},
                lyric=lyric,
                instrumental=instrumental,
                max_duration=max_duration,
                style=style,
            )
            specs.append({**base, "song": song})
        return specs

    def _order_replace_section(self, order):
        row, spec, info = self.source(order.audio_id)
        model = self._model(order, spec.get("model") or None)
        self._check_words(order, model)
        if not order.lyric:
            raise bad_request("`lyric` (the lyrics up to and including the new lines) is required.")
        if not order.prompt:
            raise bad_request("`prompt` (the new lines) is required.")
        if not words.contains_lines(order.lyric, order.prompt):
            raise bad_request("`prompt` (the new lines) must be part of `lyric`.")
        start, end = order.replace_section_start, order.replace_section_end
        if start is None or end is None:
            raise bad_request("`replace_section_start` and `replace_section_end` are required.")
        duration = info["duration"]
        if not 0 <= start < end:
            raise bad_request("`replace_section_start` must be at least 0 and before the end.")
        if end > duration + 1e-6:
            raise bad_request(
                f"`replace_section_end` must be inside the song (at most {duration} s)."
            )
        if end - start > REPLACE_MAX_WINDOW + 1e-6:
            raise bad_request("The section to replace can be at most 60 seconds long.")
        window = end - start
        ident = self.identity(row)
        plan_style = ident["style"] if ident["style"] is not None else order.style
        base = {
            "kind": "replace",
            "seed": f"{ident['seed']}#replace:{order.prompt}",
            "prompt": order.prompt,
            "lyric": order.lyric,
            "style": order.style or spec.get("style", ""),
            "title": order.title or spec.get("title", ""),
            "instrumental": False,
            "model": model.key,
            "max_duration": window,
            "is_pro": order.is_pro,
            "source": row["id"],
            "start": float(start),
            "end": float(end),
            "samples": int(round(end * SR)) - int(round(start * SR)),
        }
        return [
            {
                **base,
                "song": self._song(
                    ident,
                    lyric=order.prompt,
                    instrumental=False,
                    max_duration=window,
                    min_duration=window,
                    style=plan_style,
                    take=take,
                ),
            }
            for take in (0, 1)
        ]

    def _order_stems(self, order):
        row, spec, _ = self.source(order.audio_id)
        if not spec.get("is_pro"):
            raise bad_request("stems are only available for songs made in the Pro pool.")
        title = spec.get("title", "")
        base = {
            "kind": "stem",
            "seed": spec.get("seed", row["id"]),
            "prompt": None,
            "style": spec.get("style", ""),
            "instrumental": False,
            "model": "",
            "is_pro": True,
            "source": row["id"],
        }
        return [
            {**base, "stem": "vocals", "title": f"{title} - Vocals", "lyric": spec.get("lyric")},
            {**base, "stem": "instrumental", "title": f"{title} - Instrumental", "lyric": ""},
        ]

    def _order_artist_consistency(self, order):
        if not order.is_pro:
            raise bad_request("artist_consistency requires the Pro pool (`is_pro`: true).")
        if not order.persona_id:
            raise bad_request("`persona_id` is required.")
        persona = self._persona(order.persona_id)
        if persona is None:
            raise ApiError(404, "not_found", f"No such persona: {order.persona_id}")
        if order.audio_id and self._clip(order.audio_id) is None:
            raise ApiError(404, "not_found", f"No such audio: {order.audio_id}")
        model = self._model(order)
        if order.custom:
            if not order.lyric and not order.instrumental:
                raise bad_request("Custom mode needs `lyric`.")
        elif not order.prompt:
            raise bad_request("`prompt` is required.")
        self._check_words(order, model, description=not order.custom)
        source = self._clip(persona["clip_id"])
        source_spec = self.spec(source)
        ident = self.identity(source)
        voice = ident["voice"] or list(
            audio_voice(ident["seed"], ident["style"] or "", ident["variant"])
        )
        prompt = order.prompt
        lyric = order.lyric if order.custom else words.invent_lyric(prompt, order.instrumental)
        style = words.merge_styles(order.style, source_spec.get("style", ""))
        seed = prompt or order.lyric or style
        max_duration = self._max_duration(model)
        base = {
            "kind": "persona",
            "seed": seed,
            "prompt": prompt,
            "lyric": lyric,
            "style": style,
            "title": order.title or words.invent_title(prompt or order.lyric),
            "instrumental": order.instrumental,
            "model": model.key,
            "max_duration": max_duration,
            "is_pro": True,
            "persona_id": persona["id"],
            "source": source["id"],
        }
        specs = []
        for variant in (0, 1):
            # New words and tunes, the persona's singer (pinned, whatever the take) and tags.
            song = self._song(
                {"seed": seed, "melody": seed, "style": style, "variant": variant, "voice": voice},
                lyric=lyric,
                instrumental=order.instrumental,
                max_duration=max_duration,
            )
            specs.append({**base, "song": song})
        return specs

    # --- side requests --------------------------------------------------------------
    def upload(self, url):
        """Fetch and decode an audio URL into a finished clip; returns (job id, clip id)."""
        url = (url or "").strip()
        if not url:
            raise bad_request("`audio_url` is required.")
        if not url.lower().startswith(("http://", "https://")):
            raise bad_request("`audio_url` must be an http(s) URL.")
        try:
            data = self._read_url(url)
            pcm = media.decode(data)
        except media.MediaError as exc:
            raise bad_request(str(exc)) from exc
        digest = hashlib.sha256(pcm.tobytes()).hexdigest()
        spec = {
            "kind": "upload",
            "seed": f"upload:{digest}",
            "prompt": "",
            "lyric": "",
            "style": "",
            "title": f"up-{uuid.uuid4()}",
            "instrumental": True,
            "model": "",
            "is_pro": False,
            "audio_url": url,
            "sha256": digest,
        }
        job_id, (clip_id,) = self._create_job(
            {"action": "upload", "audio_url": url}, [spec], instant=True
        )
        # The file is decoded already: it is the instrumental stem, with silent vocals.
        self._store(self._clip(clip_id), np.zeros_like(pcm), pcm, [])
        return job_id, clip_id

    def _read_url(self, url):
        own = f"{self.base_url}/media/"
        if url.startswith(own):
            try:
                return self.media(url.removeprefix(own).split("?")[0])[1]
            except ApiError as exc:
                raise media.MediaError(f"Could not fetch `audio_url`: {exc.message}") from exc
        return self._fetch_url(url)

    @staticmethod
    def _fetch_url(url):
        """GET a caller's link through the outbound guard (public addresses only, pinned,
        every redirect checked, a deadline and a size cap).

        The messages say which rule refused, never what answered: "connection refused" or
        a time-out for one port and not another would map this server's network.
        """
        from music.upstream import netguard

        # The studio lends members' files through signed links under its public URL (often
        # loopback in development): that one host and port is allowed, as for callbacks.
        policy = netguard.callback_policy(
            deadline=media.FETCH_TIMEOUT, max_bytes=media.FETCH_MAX_BYTES
        )
        try:
            fetched = netguard.request("GET", url, policy=policy)
        except netguard.NotAllowed as exc:
            raise media.MediaError(
                "`audio_url` is not allowed: it must be a public http(s) address."
            ) from exc
        except netguard.TooLarge as exc:
            raise media.MediaError("The file at `audio_url` is larger than 50 MB.") from exc
        except netguard.TimedOut as exc:
            raise media.MediaError("Could not fetch `audio_url`: it timed out.") from exc
        except netguard.OutboundError as exc:
            raise media.MediaError("Could not fetch `audio_url`.") from exc
        if fetched.status_code != 200:
            raise media.MediaError(
                f"Could not fetch `audio_url`: the server answered HTTP {fetched.status_code}."
            )
        return fetched.content

    def create_persona(self, name, description, clip_id):
        name = (name or "").strip()
        if not name:
            raise bad_request("`name` is required.")
        row, spec, _ = self.source(clip_id)
        if spec["kind"] == "upload":
            raise bad_request("A persona cannot be made from an uploaded song.")
        if not spec.get("is_pro"):
            raise bad_request("A persona can only be made from a song made in the Pro pool.")
        persona_id = str(uuid.uuid4())
        with self.db:
            self.db.execute(
                "INSERT INTO personas VALUES (?, ?, ?, ?, ?)",
                (persona_id, name, description or "", row["id"], self.clock()),
            )
        return persona_id

    def timing(self, clip_id):
        """Sung lines (with their section groups) and the mix's envelope."""
        row, _, info = self.source(clip_id)
        return {
            "lines": info["lines"],
            "waveform": media.waveform(self.mix(row)),
            "duration": info["duration"],
            "hoot_cer": 0.02 + 0.2 * _unit(row["id"], "cer"),
        }

    def wav(self, clip_id):
        """The lossless file of a Pro-made clip: exactly the PCM its MP3 was made from."""
        row, spec, _ = self.source(clip_id)
        if not spec.get("is_pro"):
            raise bad_request("WAV files are only available for songs made in the Pro pool.")
        path = self._media_path(f"{row['id']}.wav")
        if not path.exists():
            media.write_atomic(path, media.wav_bytes(self.mix(row)))
        return self.media_url(path.name)

    def mp4(self, clip_id):
        row, _, _ = self.source(clip_id)
        path = self._media_path(f"{row['id']}.mp4")
        if not path.exists():
            try:
                media.render_mp4(self.cover_png(row), self.mix(row), path)
            except media.MediaError as exc:
                raise ApiError(500, "api_error", str(exc)) from exc
        return self.media_url(path.name)

    # --- rendering ------------------------------------------------------------------
    def ensure_rendered(self, row):
        """Render a clip's stems and MP3 once; returns {duration, samples, lines}."""
        info = json.loads(row["rendered"]) if row["rendered"] else None
        if info is not None and all(p.exists() for p in self._files(row["id"])):
            return info
        with self.render_lock(row["id"]):
            row = self._clip(row["id"])  # another thread may have just done it
            info = json.loads(row["rendered"]) if row["rendered"] else None
            if info is not None and all(p.exists() for p in self._files(row["id"])):
                return info
            spec = self.spec(row)
            if spec["kind"] == "upload":
                raise ApiError(500, "api_error", "The uploaded file's audio was lost.")
            vocals, instrumental, lines = self._render(row, spec)
            return self._store(row, vocals, instrumental, lines)

    def render_lock(self, clip_id):
        with self._render_locks_guard:
            lock = self._render_locks.get(clip_id)
            if lock is None:
                lock = self._render_locks[clip_id] = threading.RLock()
            return lock

    def _files(self, clip_id):
        return (
            self.stems_dir / f"{clip_id}.vocals.npy",
            self.stems_dir / f"{clip_id}.instrumental.npy",
            self._media_path(f"{clip_id}.mp3"),
        )

    def _store(self, row, vocals, instrumental, lines):
        vocal_path, inst_path, mp3_path = self._files(row["id"])
        media.save_pcm(vocal_path, vocals)
        media.save_pcm(inst_path, instrumental)
        media.write_atomic(mp3_path, media.mp3_bytes(media.mix(vocals, instrumental)))
        info = {
            "duration": round(len(vocals) / SR, 3),
            "samples": len(vocals),
            "lines": lines,
        }
        with self.db:
            self.db.execute(
                "UPDATE clips SET duration = ?, rendered = ? WHERE id = ?",
                (info["duration"], json.dumps(info, ensure_ascii=False), row["id"]),
            )
        return info

    def stems(self, row):
        """The clip's (vocals, instrumental) int16 stems, rendering them if needed."""
        self.ensure_rendered(row)
        vocal_path, inst_path, _ = self._files(row["id"])
        return media.load_pcm(vocal_path), media.load_pcm(inst_path)

    def mix(self, row):
        return media.mix(*self.stems(row))

    def _render(self, row, spec):
        kind = spec["kind"]
        if kind in SONG_KINDS:
            return self._render_song(spec)
        if kind == "stem":
            vocals, instrumental = self.stems(self._clip(spec["source"]))
            silent = np.zeros_like(vocals)
            if spec["stem"] == "vocals":
                return vocals, silent, self.ensure_rendered(self._clip(spec["source"]))["lines"]
            return silent, instrumental, []
        if kind == "concat":
            return self._render_concat(spec["segments"])
        raise ApiError(500, "api_error", f"Cannot render a clip of kind {kind}.")

    def _render_song(self, spec):
        from music.upstream.simulator import audio

        song = spec["song"]
        rendering = audio.render_song(
            seed=song["seed"],
            lyric=song["lyric"],
            style=song["style"],
            instrumental=song["instrumental"],
            variant=song["variant"],
            max_duration=song["max_duration"],
            min_duration=song["min_duration"],
            melody_seed=song.get("melody"),
            voice=tuple(song["voice"]) if song.get("voice") else None,
        )
        vocals, instrumental = rendering.vocals, rendering.instrumental
        lines = song_lines(rendering)
        want = spec.get("samples")
        if want is not None:  # a replaced section fills exactly the window it replaces
            vocals, instrumental = _fit(vocals, want), _fit(instrumental, want)
            end = want / SR
            lines = [{**ln, "end": min(ln["end"], end)} for ln in lines if ln["start"] < end]
        v16, i16 = media.quantize(vocals, instrumental)
        return v16, i16, lines

    def _render_concat(self, segments):
        from music.upstream.simulator import audio

        vocal_parts, inst_parts, windows = [], [], []
        for seg in segments:
            row = self._clip(seg["clip"])
            info = self.ensure_rendered(row)
            vocals, instrumental = self.stems(row)
            a = min(len(vocals), int(round(seg["start"] * SR)))
            b = len(vocals) if seg["end"] is None else min(len(vocals), int(round(seg["end"] * SR)))
            b = max(a, b)
            vocal_parts.append(media.to_float(vocals[a:b]))
            inst_parts.append(media.to_float(instrumental[a:b]))
            windows.append((a, b, info["lines"]))
        offsets = join_offsets([len(p) for p in vocal_parts], CONCAT_FADE)
        lines = []
        for k, (offset, (a, b, seg_lines)) in enumerate(zip(offsets, windows, strict=True)):
            if offset is None:
                continue
            # A line is heard in the join when it starts inside the kept window.
            shift = (offset - a) / SR
            lines += [
                {
                    **ln,
                    "group": f"{k}:{ln['group']}",
                    "start": ln["start"] + shift,
                    "end": min(ln["end"], b / SR) + shift,
                }
                for ln in seg_lines
                if a / SR <= ln["start"] < b / SR
            ]
        vocals = audio.crossfade_concat(vocal_parts, CONCAT_FADE)
        instrumental = audio.crossfade_concat(inst_parts, CONCAT_FADE)
        v16, i16 = media.quantize(vocals, instrumental)
        return v16, i16, lines

    # --- media ----------------------------------------------------------------------
    def media_url(self, name):
        return f"{self.base_url}/media/{name}"

    def _media_path(self, name):
        return self.media_dir / name

    def cover_png(self, row):
        from music.upstream.simulator import artwork

        path = self._media_path(f"image_{row['id']}.png")
        if not path.exists():
            spec = self.spec(row)
            png = artwork.render_cover(
                seed=f"{spec.get('seed', row['id'])}#{row['variant']}",
                title=spec.get("title", ""),
                style=spec.get("style", ""),
            )
            media.write_atomic(path, png)
        return path.read_bytes()

    def media(self, name):
        """(content type, bytes) of a finished clip's file; ApiError 404 otherwise."""
        stem, _, ext = name.rpartition(".")
        content_type = MEDIA_TYPES.get(ext)
        clip_id = stem.removeprefix("image_") if ext == "png" else stem
        if content_type is None or (ext == "png") != stem.startswith("image_") or "/" in name:
            raise ApiError(404, "not_found", "No such file.")
        row = self._clip(clip_id)
        if row is None or self.clip_state(row) != "succeeded":
            raise ApiError(404, "not_found", "No such file.")
        if ext == "png":
            return content_type, self.cover_png(row)
        if ext == "mp3":
            self.ensure_rendered(row)
        path = self._media_path(name)
        if not path.exists():  # WAV and MP4 files exist once asked for
            raise ApiError(404, "not_found", "No such file.")
        return content_type, path.read_bytes()


# --- helpers ------------------------------------------------------------------------


def audio_voice(seed, style, variant):
    from music.upstream.simulator import audio

    return audio.voice_of(seed, style, variant)


def _unit(*parts):
    digest = hashlib.sha256("\x1f".join(str(p) for p in parts).encode()).digest()
    return int.from_bytes(digest[:6], "big") / float(1 << 48)


def _fit(x, n):
    if len(x) >= n:
        return x[:n]
    return np.concatenate([x, np.zeros(n - len(x), dtype=x.dtype)])


def song_lines(rendering):
    """Sung lines with the index of the section (block) each one is sung in."""
    starts = [start for _, start, _ in rendering.sections]
    out = []
    for line in rendering.lines:
        if not line.text:
            continue  # instrumentals list sections, not words
        group = max((i for i, s in enumerate(starts) if s <= line.start + 1e-9), default=0)
        out.append(
            {
                "text": line.text,
                "section": line.section,
                "start": line.start,
                "end": line.end,
                "group": str(group),
            }
        )
    return out


def join_offsets(lengths, fade):
    """Where each part starts in `audio.crossfade_concat`'s output (None for empty parts)."""
    want = max(0, int(round(fade * SR)))
    offsets, total, started = [], 0, False
    for n in lengths:
        if n == 0:
            offsets.append(None)
            continue
        if not started:
            offsets.append(0)
            total, started = n, True
            continue
        overlap = min(want, total, n)
        offsets.append(total - overlap)
        total += n - overlap
    return offsets


def lines_to_lyric(lines):
    """Lyric text ("[Section]" headers and lines) for timed lines, grouped by section."""
    out, group = [], None
    for line in lines:
        if line["group"] != group:
            out.append(f"[{line['section']}]")
            group = line["group"]
        out.append(line["text"])
    return "\n".join(out)
