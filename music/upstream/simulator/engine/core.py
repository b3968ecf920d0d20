"""The engine: its state database, jobs and their phases, clip views and specs."""

import json
import logging
import sqlite3
import threading
import time
import uuid
from pathlib import Path

from music.upstream.simulator.engine.blend import BLEND_KINDS, Blends
from music.upstream.simulator.engine.common import SONG_KINDS, ClipView, Faults
from music.upstream.simulator.engine.layers import LAYER_KINDS, Layers
from music.upstream.simulator.engine.orders import Orders
from music.upstream.simulator.engine.rendering import Rendering
from music.upstream.simulator.engine.rework import REWORK_KINDS, Reworks
from music.upstream.simulator.engine.side import SideRequests
from music.upstream.simulator.engine.stems import STEM_KINDS, StemOrders
from music.upstream.simulator.engine.voices import VoiceRequests

log = logging.getLogger(__name__)


class Engine(Orders, Reworks, Layers, StemOrders, Blends, SideRequests, VoiceRequests, Rendering):
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
                ("personas", "kind", "TEXT DEFAULT 'persona'"),
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
        if kind in BLEND_KINDS:
            return self.blend_identity(spec)
        if (
            kind in ("stem", "vox")
            or kind in REWORK_KINDS
            or kind in LAYER_KINDS
            or kind in STEM_KINDS
        ):
            return self.identity(self._clip(spec["source"]))
        # An upload has no plan: its content seeds one, and the request's style shapes it.
        seed = f"upload:{spec['sha256']}"
        return {"seed": seed, "melody": seed, "style": None, "variant": 0, "voice": None}
