"""Processes a benchmark starts itself: each in its own process group, all stopped at exit.

`Procs` keeps every `Proc` it started; `stop_all()` runs from `finally`, from `atexit` and on
SIGTERM/SIGINT, and kills whole process groups (a qcluster's workers with it), never anything
the benchmark did not start. `ClusterLog` follows a qcluster's log to know its worker
processes (django-q logs "Process-… ready for work at <pid>") and what each one runs.
"""

import atexit
import contextlib
import os
import re
import signal
import subprocess
import time
from pathlib import Path


class Proc:
    def __init__(self, name, args, *, env, cwd, log_dir):
        self.name, self.args, self.env, self.cwd = name, args, env, cwd
        self.log_path = Path(log_dir) / f"{name}.log"
        self.popen = None
        self.starts = 0

    def start(self):
        log = open(self.log_path, "ab")  # noqa: SIM115  (kept open by the child)
        try:
            self.popen = subprocess.Popen(
                self.args,
                cwd=self.cwd,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: killed as a whole
            )
        finally:
            log.close()
        self.starts += 1
        return self

    @property
    def pid(self):
        return self.popen.pid if self.popen else None

    def alive(self):
        return self.popen is not None and self.popen.poll() is None

    def kill_group(self, sig=signal.SIGKILL):
        """Signal the whole group (the process and every child it forked). SIGKILL reaches
        every descendant too: `run_studio` starts its children in groups of their own, and
        a killed parent could not pass it on."""
        if self.popen is None:
            return
        tree = descendants(self.popen.pid) if sig == signal.SIGKILL else []
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.popen.pid, sig)
        for pid in tree:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, sig)

    def stop(self, grace=10.0):
        if self.popen is None:
            return
        if self.alive():
            self.kill_group(signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.popen.wait(timeout=grace)
        self.kill_group(signal.SIGKILL)  # stragglers of the group, if any
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.popen.wait(timeout=5)

    def tail(self, lines=30):
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])


class Procs:
    def __init__(self):
        self.procs = []
        self._stopped = False
        atexit.register(self.stop_all)
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, self._on_signal)

    def _on_signal(self, signum, frame):
        raise KeyboardInterrupt(signal.Signals(signum).name)

    def add(self, proc):
        self.procs.append(proc)
        return proc

    def stop_all(self):
        if self._stopped:
            return
        self._stopped = True
        for proc in reversed(self.procs):
            proc.stop()


def children(pid):
    """Direct children of a process, from /proc (Linux)."""
    out = []
    try:
        for task in Path(f"/proc/{pid}/task").iterdir():
            text = (task / "children").read_text()
            out += [int(p) for p in text.split()]
    except OSError:
        pass
    return out


def descendants(pid):
    found, todo = [], [pid]
    while todo:
        for child in children(todo.pop()):
            found.append(child)
            todo.append(child)
    return found


def is_running(pid):
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state not in ("Z", "X")


READY = re.compile(r"(Process-[0-9a-f]+) ready for work at (\d+)")
PROCESSING = re.compile(r"(Process-[0-9a-f]+) processing (\S+) ")
DONE = re.compile(r"(?:Processed|Failed) '[^']*' \((\S+?)\)")


class ClusterLog:
    """What a qcluster's log says about its workers: pid per worker, task per worker."""

    def __init__(self, path):
        self.path = Path(path)
        self.offset = 0
        self.pids = {}  # worker name -> pid
        self.running = {}  # worker name -> task name it is processing
        self.done = set()

    def update(self):
        try:
            with open(self.path, "rb") as fh:
                fh.seek(self.offset)
                chunk = fh.read()
        except OSError:
            return
        end = chunk.rfind(b"\n")
        if end < 0:
            return
        self.offset += end + 1
        for line in chunk[: end + 1].decode(errors="replace").splitlines():
            if m := READY.search(line):
                self.pids[m[1]] = int(m[2])
                self.running.pop(m[1], None)
            elif m := PROCESSING.search(line):
                self.running[m[1]] = m[2]
            elif m := DONE.search(line):
                self.done.add(m[1])

    def workers(self, cluster_pid):
        """Live worker pids that belong to the cluster process `cluster_pid`."""
        self.update()
        family = set(descendants(cluster_pid))
        return {name: pid for name, pid in self.pids.items() if pid in family and is_running(pid)}

    def busy_with(self, cluster_pid, prefix):
        """Live workers whose current task's name starts with `prefix` (e.g. "submit-")."""
        workers = self.workers(cluster_pid)
        return [
            pid
            for name, pid in workers.items()
            if self.running.get(name, "").startswith(prefix) and self.running[name] not in self.done
        ]


def wait_for(predicate, timeout, every=0.3):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(every)
    return predicate()
