"""The call ledger: every submit call, the jobs it made, the faults that hit it, and
whether it was billed, kept in the simulator's own SQLite file."""

import hashlib
import json
import threading

from music.upstream.simulator.faults.plan import JOBLESS_PAID


class CallLedger:
    """Records submit calls and the jobs they make; `FaultLayer` builds on it."""

    def __init__(self, sim):
        self.sim = sim
        self._local = threading.local()  # the call being handled on this thread
        self._migrate()

    def _migrate(self):
        with self.sim.db:
            self.sim.db.executescript(
                """
                CREATE TABLE IF NOT EXISTS fault_calls (
                    serial INTEGER PRIMARY KEY AUTOINCREMENT, created REAL, method TEXT,
                    path TEXT, request TEXT, handled INTEGER, answered INTEGER,
                    faults TEXT, answer TEXT);
                CREATE TABLE IF NOT EXISTS fault_jobs (
                    job_id TEXT PRIMARY KEY, serial INTEGER, seq INTEGER);
                """
            )

    def _open_call(self, method, path, request):
        with self.sim.db:
            cursor = self.sim.db.execute(
                "INSERT INTO fault_calls (created, method, path, request, faults)"
                " VALUES (?, ?, ?, ?, '[]')",
                (self.sim.clock(), method, path, json.dumps(request, ensure_ascii=False)),
            )
        return cursor.lastrowid

    def _close_call(self, serial, handled, answered, faults, answer=None):
        with self.sim.db:
            self.sim.db.execute(
                "UPDATE fault_calls SET handled = ?, answered = ?, faults = ?, answer = ?"
                " WHERE serial = ?",
                (handled, answered, json.dumps(faults), answer, serial),
            )

    def note_job(self, job_id):
        """Called for every job the engine creates: tie it to the call being handled."""
        call = getattr(self._local, "call", None)
        if call is None:
            return
        call["jobs"] += 1
        with self.sim.db:
            self.sim.db.execute(
                "INSERT OR REPLACE INTO fault_jobs (job_id, serial, seq) VALUES (?, ?, ?)",
                (job_id, call["serial"], call["jobs"]),
            )

    def ledger(self):
        """Every job, and every paid call that makes no job (a relay's timing, WAV, MP4 and
        persona calls, listed as `call:<serial>`), oldest first.

        Each entry: `id`, `created`, `request` (as received, with its callback URL), `phase`
        (pending | running | succeeded | error), `clip_ids`, `path` (the endpoint that made
        it: the side answer's `_path`, else the call's path), `billable` (made by a submit
        endpoint, and not a sub-job such as the upload inside `upload_generate`), `call`
        (serial, faults that hit it, handled and answered HTTP status; 0 = timed out) and,
        for side calls, `side` (a small summary of the answer: persona id, file URL).
        """
        db = self.sim.db
        calls = {row["serial"]: row for row in db.execute("SELECT * FROM fault_calls")}
        links = {row["job_id"]: row for row in db.execute("SELECT * FROM fault_jobs")}
        last_seq = {}
        for link in links.values():
            last_seq[link["serial"]] = max(last_seq.get(link["serial"], 0), link["seq"])
        out = []
        for job in db.execute("SELECT * FROM jobs ORDER BY created, id"):
            link = links.get(job["id"])
            call = calls.get(link["serial"]) if link else None
            answer = json.loads(job["answer"]) if job["answer"] else None
            path = (answer or {}).get("_path") or (call["path"] if call else "")
            out.append(
                {
                    "id": job["id"],
                    "created": job["created"],
                    "request": json.loads(job["request"]),
                    "phase": self.sim.phase(job),
                    "clip_ids": json.loads(job["clip_ids"]),
                    "path": path,
                    # The last job a paid call made is what it was paid for; an earlier one
                    # (the upload inside upload_generate) is part of it; a refused call (a
                    # 4xx from the handler, e.g. after that upload) is not paid for.
                    "billable": bool(call)
                    and _ok(call["handled"])
                    and link["seq"] == last_seq[link["serial"]],
                    "call": _call_json(call),
                    "side": _side_summary(answer),
                }
            )
        linked = {link["serial"] for link in links.values()}
        for serial, call in calls.items():
            if serial in linked or not _ok(call["handled"]):
                continue
            if not call["path"].startswith(JOBLESS_PAID):
                continue
            answer = _loads(call["answer"])
            out.append(
                {
                    "id": f"call:{serial}",
                    "created": call["created"],
                    "request": _loads(call["request"]) or {},
                    "phase": "succeeded",
                    "clip_ids": [],
                    "path": call["path"],
                    "billable": True,
                    "call": _call_json(call),
                    "side": _side_summary(answer),
                }
            )
        out.sort(key=lambda entry: (entry["created"], entry["id"]))
        return out

    def call_counts(self):
        """Submit calls by path and by the faults that hit them."""
        by_fault, by_path = {}, {}
        for row in self.sim.db.execute("SELECT path, faults FROM fault_calls"):
            by_path[row["path"]] = by_path.get(row["path"], 0) + 1
            for fault in json.loads(row["faults"] or "[]") or ["none"]:
                by_fault[fault] = by_fault.get(fault, 0) + 1
        return {"by_path": by_path, "by_fault": by_fault}


def key_fingerprint(authorization):
    """A short stand-in for the API key of an `Authorization: Bearer <key>` header (the
    ledger lists keys by it, never in clear); "" for none."""
    key = authorization.removeprefix("Bearer ").strip()
    return hashlib.sha256(key.encode()).hexdigest()[:12] if key else ""


def _ok(status):
    return status is not None and 200 <= status < 300


def _loads(text):
    if not text:
        return None
    try:
        return json.loads(text)
    except ValueError:
        return None


def _call_json(call):
    if call is None:
        return None
    return {
        "serial": call["serial"],
        "method": call["method"],
        "path": call["path"],
        "faults": json.loads(call["faults"] or "[]"),
        "handled": call["handled"],
        "answered": call["answered"],
    }


def _side_summary(answer):
    """What a side call's answer says it made: a persona id, a file URL, an audio id."""
    if not isinstance(answer, dict):
        return None
    data = answer.get("data")
    summary = {}
    if isinstance(data, dict):
        for name in ("persona_id", "audio_id", "video_url", "wav_file_url"):
            if isinstance(data.get(name), str):
                summary[name] = data[name]
    elif isinstance(data, list) and data and isinstance(data[0], dict) and data[0].get("file_url"):
        summary["file_url"] = str(data[0]["file_url"])
    if isinstance(answer.get("id"), str) and "root_clip_id" in answer:  # relay persona
        summary["persona_id"] = answer["id"]
    return summary or None
