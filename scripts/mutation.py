"""`make mutation`: mutation testing (cosmic-ray) of the modules where a bug costs money or
leaks data, each against the tests that cover it. Prints per module the mutants, how many
were run, killed, survived, not covered and equivalent, the score, the seconds per mutant,
and the surviving mutants. Not part of CI (a pytest run per mutant).

    .venv/bin/python scripts/mutation.py                      # every module below
    .venv/bin/python scripts/mutation.py music/upstream/http.py ...
    .venv/bin/python scripts/mutation.py --survivors music/upstream/http.py   # after new tests

Each module is mutated in its own copy of the project (under var/mutation/), never in the
working tree: cosmic-ray edits the file on disk while a mutant's tests run. `--survivors`
refreshes that copy from the working tree and runs only the mutants that survived its last
run (and any it had not reached; not those explained as equivalent), against the (new)
tests: minutes instead of the whole module again. `--quick` skips, at each arithmetic
operator, the replacements that are redundant with its plain inverse (`+` made `-` is run;
`+` made `**`, `<<`, `|`... are not): the report counts them apart.

Each mutant runs only the tests that execute what it changed (scripts/mutation_select.py):
once per module, before any mutant, the module's tests run under coverage with one context
per test (scripts/mutation_contexts.py), which gives line -> node ids; that run is also the
baseline (a module whose tests fail unmutated is skipped). cosmic-ray's test command is then
`scripts/mutation_select.py <module>`: it diffs the mutated module against the pristine copy,
widens the changed lines to their statement (a `def` line or decorator to the whole function,
module-level code and class bodies to every test: they run at import), and runs pytest on
those node ids, the quickest first. A mutant on a line no test runs is not run at all:
it counts as a survivor, listed as NOT COVERED. A mutant then takes seconds instead of about
a minute, so a module's test list can be wide: a test that never reaches a line costs nothing.
"""

import argparse
import shutil
import subprocess
import sys
import time
from pathlib import Path

try:
    from scripts import mutation_select
    from scripts.mutation_equivalents import EQUIVALENT, SIGNATURE
except ImportError:  # run as `python scripts/mutation.py`: scripts/ is on the path, not the root
    import mutation_select
    from mutation_equivalents import EQUIVALENT, SIGNATURE

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "var" / "mutation"
COSMIC_RAY = str(Path(sys.executable).parent / "cosmic-ray")
# Each mutant's tests start from a copy of one migrated SQLite file (scripts/mutation_testdb.py).
PYTEST_OPTIONS = ["-x", "-q", "-p", "no:randomly", "-p", "scripts.mutation_testdb"]
PYTEST = [sys.executable, "-m", "pytest", *PYTEST_OPTIONS]

# Module -> the tests that cover it (a mutant's run stops at the first failure).
MODULES = {
    "music/views/decorators.py": [
        "tests/views/test_decorators.py",
        "tests/test_url_walls.py",  # editor_required and the refusal pages, on every URL
        "tests/views/test_trash.py::test_only_owners_empty_the_trash_after_a_confirmation",
    ],
    "music/upstream/http.py": ["tests/upstream/test_http.py"],
    "music/views/callbacks.py": ["tests/views/test_callbacks.py"],
    # The download views (songs' files) and the public ones (share links, ZIPs).
    "music/views/songs.py": [
        "tests/views/test_downloads.py",
        "tests/views/test_songs.py",
        "tests/views/test_favourites.py",
        "tests/views/test_song_edit.py",
        "tests/views/test_song_names.py",
        "tests/views/test_live.py",  # the song page's live parts
        "tests/views/test_stems.py",  # the stem mixer's set
        "tests/views/test_task_retry.py",
        "tests/test_url_walls.py",
        "tests/views/test_sharing.py",  # share links serve the song's files
        "tests/views/test_exports.py",  # the stems' ZIP offered or not
        "tests/views/test_song_karaoke.py",  # the song page's waveform and timed lines
    ],
    "music/views/sharing.py": ["tests/views/test_sharing.py"],
    "music/views/exports.py": ["tests/views/test_exports.py"],
    "music/services/sharing.py": [
        "tests/services/test_sharing.py",
        "tests/views/test_sharing.py",
        "tests/views/test_trash.py",
    ],
    "music/services/actions.py": [
        "tests/views/test_actions.py",
        "tests/views/test_create.py",
        "tests/views/test_rework.py",  # remaster, change speed, sample
        "tests/views/test_personas.py",
        "tests/views/test_uploads.py",
        "tests/views/test_editor.py",  # replace a section
        "tests/services/test_actions.py",  # the song's own limits, called directly
        "tests/services/test_formats.py::test_upload_generate",
        "tests/services/test_relay_sellers.py",  # upload_generate through a relay
        "tests/views/test_voices.py",  # require_ready
        "tests/views/test_result_mode_and_duration.py",  # a whole song with a section replaced
    ],
    "music/services/media.py": [
        "tests/services/test_media.py",
        "tests/services/test_archiving.py",
        "tests/services/test_archiving_fresh_links.py",
        "tests/services/test_mediatypes.py",
        "tests/services/test_object_storage.py",
        "tests/services/test_uploads.py",
        "tests/views/test_downloads.py",  # serve_file: ranges, types, names
        "tests/views/test_downloads_s3.py",  # redirect_to_bucket
        "tests/views/test_songs.py",
        "tests/views/test_sharing.py",
        "tests/views/test_uploads.py",
    ],
    "music/services/mediatypes.py": [
        "tests/services/test_mediatypes.py",
        "tests/services/test_media.py",
    ],
    "music/services/tasks/starting.py": ["tests/services/test_starting.py"],
    "music/services/tasks/sending.py": [
        "tests/services/test_sending.py",
        "tests/services/test_tasks.py",
        "tests/services/test_reconcile.py",  # a late or found job's confirm
        "tests/views/test_uploads.py",  # a member's file: its link sent, its token kept out
        "tests/views/test_actions.py",  # each side action (timing, WAV, MP4...) to its endpoint
    ],
    # Every finished job goes through it: the tests that run actions to their end.
    "music/services/tasks/applying.py": [
        "tests/services/test_applying.py",
        "tests/services/test_tasks.py",
        "tests/services/test_reconcile.py",  # late results, adopted jobs
        "tests/services/test_lost_tasks.py",
        "tests/services/test_lifecycle_paced.py",
        "tests/services/test_lineage.py",
        "tests/services/test_relay_sellers.py",
        "tests/services/test_stems.py",
        "tests/services/test_uploads.py",
        "tests/services/test_archiving.py",
        "tests/views/test_stems.py",
        "tests/views/test_editor.py",  # a replaced section joined
        "tests/views/test_layers.py",
        "tests/views/test_result_mode_and_duration.py",
        "tests/views/test_personas.py",
        "tests/views/test_uploads.py",
        "tests/views/test_rework.py",
        "tests/views/test_blend.py",
    ],
    # A synchronous answer: an export, the lyric timing, a persona, an upload, a voice.
    "music/services/tasks/side_results.py": [
        "tests/services/test_side_results.py",
        "tests/views/test_actions.py",
        "tests/services/test_sending.py",
        "tests/services/test_reconcile.py",  # a side answer found after a lost one
        "tests/services/test_uploads.py",
        "tests/services/test_relay_upload_retry.py",
        "tests/views/test_uploads.py",
        "tests/views/test_personas.py",
        "tests/views/test_voices.py",
        "tests/views/test_song_karaoke.py",
        "tests/services/test_lyric_editor.py",
    ],
    "music/services/tasks/polling.py": [
        "tests/services/test_tasks.py",
        "tests/services/test_reconcile.py",
        "tests/services/test_lost_tasks.py",
        "tests/services/test_poll_leases.py",
        "tests/services/test_lifecycle_paced.py",  # running states, back-off, deadlines
        "tests/test_queue_tick.py",  # the poller's wait for the next due task (next_due)
    ],
    "music/services/tasks/callbacks.py": [
        "tests/views/test_callbacks.py",
        # The callbacks that adopt a job, land late, replay, come in bursts or after the grace.
        *(
            f"tests/services/test_reconcile.py::{name}"
            for name in (
                "test_a_callback_naming_the_job_adopts_an_unconfirmed_task",
                "test_a_late_callback_completes_a_deadline_failure",
                "test_after_the_grace_period_a_failure_is_final",
                "test_a_deeply_nested_callback_body_is_a_400",
                "test_replayed_callbacks_for_a_finished_task_enqueue_nothing",
                "test_a_burst_of_callbacks_for_a_running_task_queues_one_refresh",
            )
        ),
    ],
    "music/services/tasks/archiving.py": [
        "tests/services/test_archiving.py",
        "tests/services/test_archiving_fresh_links.py",  # an expired link asked for anew
        "tests/test_queue_tick.py",  # the poller wakes for the next due archive work
    ],
    "music/services/tasks/housekeeping.py": [
        "tests/services/test_tasks.py",
        "tests/services/test_archiving.py",
        "tests/services/test_reconcile.py",  # sends that died, tasks never sent by the deadline
        "tests/test_queue_tick.py",
    ],
    "music/services/tasks/leases.py": ["tests/services/test_poll_leases.py"],
    "music/services/tasks/reconciling.py": [
        "tests/services/test_reconcile.py",
        "tests/services/test_lost_tasks.py",
        "tests/services/test_relay_upload_retry.py",
        "tests/services/test_sending.py",
    ],
    "music/services/tasks/timing.py": [
        "tests/services/test_timing.py",
        "tests/services/test_tasks.py",
        "tests/services/test_reconcile.py",
        "tests/services/test_archiving.py",
    ],
    "music/services/tasks/poller.py": ["tests/test_queue_tick.py"],
}


def original_line(diff, source, line):
    """(line number, text) of the line the mutant changed, read from its diff (the code as
    it was when the mutant ran), else from the source at `line`."""
    number = None
    for row in (diff or "").splitlines():
        if row.startswith("@@"):
            number = int(row.split()[1].lstrip("-").split(",")[0])
        elif number is not None and row.startswith("-") and not row.startswith("---"):
            return number, row[1:]
        elif number is not None and not row.startswith("+"):
            number += 1
    return line, source[line - 1] if 0 < line <= len(source) else ""


def mutated_line(diff):
    return next(
        (x[1:] for x in (diff or "").splitlines() if x.startswith("+") and not x.startswith("++")),
        "",
    )


def equivalent(module, line_text, diff, operator):
    """Why a surviving mutant changes nothing, or None."""
    if (
        operator == "core/ReplaceBinaryOperator_Mul_Div"
        and line_text.lstrip().startswith("def ")
        and ", /," in mutated_line(diff)
    ):
        # Any function's keyword-only marker made positional-only: a caller passing one of
        # the first parameters by name, or a later one by position, would have failed.
        return SIGNATURE
    for (where, text, still, operators), why in EQUIVALENT.items():
        if where != module or text not in line_text:
            continue
        if operators is not None and operator not in operators:
            continue
        if still is not None and still not in mutated_line(diff):
            continue
        return why
    return None


def copy_project(dest, keep=None):
    kept = keep.read_bytes() if keep is not None and keep.exists() else None
    if dest.exists():
        shutil.rmtree(dest)
    shutil.copytree(
        ROOT,
        dest,
        ignore=shutil.ignore_patterns(".venv", "var", ".git", "__pycache__", "*.egg-info"),
    )
    if kept is not None:
        keep.write_bytes(kept)


# `--quick`: arithmetic replacements other than the plain inverse (and `|` <-> `&`, which
# join query conditions), almost always killed by the same test as the inverse (a
# TypeError, or a value far off), yet each costs a test run.
KEPT = "Add_Sub|Sub_Add|Mul_Div|Div_Mul|Pow_Mul|BitOr_BitAnd|BitAnd_BitOr"
QUICK_SKIP = rf"core/ReplaceBinaryOperator_(?!({KEPT})$)"


def config(module, timeout, max_tests=None):
    # Each mutant runs only the tests that execute its lines (scripts/mutation_select.py).
    cap = ["--max-tests", str(max_tests)] if max_tests else []
    command = [sys.executable, "scripts/mutation_select.py", module, *cap, *PYTEST_OPTIONS]
    return "\n".join(
        [
            "[cosmic-ray]",
            f'module-path = "{module}"',
            f"timeout = {timeout}",
            "excluded-modules = []",
            f'test-command = "{" ".join(command)}"',
            "",
            "[cosmic-ray.distributor]",
            'name = "local"',
            "",
            "[cosmic-ray.filters.operators-filter]",
            f"exclude-operators = ['{QUICK_SKIP}']",
            "",
        ]
    )


def make_test_database(copy):
    """Migrate the copy's test database once, as the template every mutant's run starts from."""
    seed = copy / "var" / "mutation-testdb" / "test_migrated.py"
    seed.parent.mkdir(parents=True, exist_ok=True)
    seed.write_text("def test_migrated(db):\n    pass\n")
    for command in (
        [*PYTEST, str(seed.relative_to(copy))],
        [sys.executable, "-c", "from scripts.mutation_testdb import keep_template as k; k()"],
    ):
        subprocess.run(command, cwd=copy, check=True, capture_output=True)


def forget_survivors(session, module):
    """Drop the results of the mutants that survived, so that `exec` runs them again; those
    explained as equivalent are kept (running them again would show nothing new). Those
    whose test command could not even start (INCOMPETENT: the interpreter missing, say) are
    run again too: that says nothing about the mutant."""
    import sqlite3

    from cosmic_ray.work_item import TestOutcome, WorkerOutcome

    source = (ROOT / module).read_text().splitlines()
    # SQLAlchemy keeps an Enum column as the member's name.
    with sqlite3.connect(session) as db:
        rows = db.execute(
            "SELECT r.job_id, r.diff, r.output, s.start_pos_row, s.operator_name "
            "FROM work_results r "
            "JOIN mutation_specs s ON s.job_id = r.job_id "
            "WHERE r.test_outcome = ? AND r.worker_outcome = ?",
            (TestOutcome.SURVIVED.name, WorkerOutcome.NORMAL.name),
        ).fetchall()
        gone = [
            (job,)
            for job, diff, output, line, operator in rows
            if not equivalent(module, original_line(diff, source, line)[1], diff, operator)
            or mutation_select.NOT_COVERED in (output or "")
        ]
        db.executemany("DELETE FROM work_results WHERE job_id = ?", gone)
        unrun = db.execute(
            "DELETE FROM work_results WHERE test_outcome = ?", (TestOutcome.INCOMPETENT.name,)
        ).rowcount
    return len(gone) + unrun


def run_module(module, tests, timeout, survivors=False, quick=False, max_tests=None):
    copy = WORK / module.replace("/", ".").removesuffix(".py")
    session = copy / "session.sqlite"
    if survivors and not session.exists():
        print(f"== {module}: no earlier run to take the survivors of; running every mutant")
        survivors = False
    # cosmic-ray finds a mutant again by its operator's occurrence in the module: once the
    # module itself has changed, the earlier run's mutants are not the module's any more.
    mutated_source = copy / "mutated-source.py"
    if survivors and (
        not mutated_source.exists() or mutated_source.read_bytes() != (ROOT / module).read_bytes()
    ):
        print(f"== {module}: changed since its last run; running every mutant")
        survivors = False
    copy_project(copy, keep=session if survivors else None)
    shutil.copyfile(ROOT / module, mutated_source)
    (copy / "cosmic-ray.toml").write_text(config(module, timeout, max_tests))
    where = subprocess.run(
        [sys.executable, "-c", "import music; print(music.__file__)"],
        cwd=copy,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert where.startswith(f"{copy}/"), f"the tests would import {where}, not the copy"
    make_test_database(copy)
    # The baseline run, under coverage: which tests run which line of the module.
    mapped = time.monotonic()
    baseline = mutation_select.build_map(copy, module, PYTEST_OPTIONS, tests)
    if baseline.returncode != 0:
        print(f"== {module}: the tests fail unmutated; skipped\n{baseline.stdout[-2000:]}")
        return None
    print(f"== {module}: line -> tests map in {time.monotonic() - mapped:.0f} s")
    started = time.monotonic()
    if survivors:
        print(f"== {module}: running its {forget_survivors(session, module)} survivors again")
        steps = ("exec",)
    else:
        steps = ("init", "exec")
    before = finished_count(session)
    for step in steps:
        if step == "exec" and quick:
            filters = str(Path(sys.executable).parent / "cr-filter-operators")
            subprocess.run([filters, str(session), "cosmic-ray.toml"], cwd=copy, check=True)
        subprocess.run(
            [COSMIC_RAY, step, "cosmic-ray.toml", str(session)],
            cwd=copy,
            check=True,
            env=mutation_select.mutant_env(),
        )
    ran = finished_count(session) - before
    per_mutant = (time.monotonic() - started) / ran if ran else 0.0
    return report(module, session, per_mutant)


def finished_count(session):
    """Mutants with a result, skipped ones (--quick) apart: they cost no test run."""
    import sqlite3

    if not session.exists():
        return 0
    with sqlite3.connect(session) as db:
        try:
            (count,) = db.execute(
                "SELECT count(*) FROM work_results WHERE worker_outcome != 'SKIPPED'"
            ).fetchone()
        except sqlite3.OperationalError:  # before `init` made the tables
            return 0
    return count


def report(module, session, per_mutant):
    """Print a module's score and its survivors from a finished session."""
    from cosmic_ray.work_db import WorkDB, use_db
    from cosmic_ray.work_item import TestOutcome, WorkerOutcome

    source = (ROOT / module).read_text().splitlines()
    killed, survivors, explained, incompetent, skipped, mutants = 0, [], [], 0, 0, 0
    capped_keys = set()
    with use_db(str(session), WorkDB.Mode.open) as db:
        unreached = db.num_work_items - db.num_results  # a run stopped before its end
        for item, result in db.completed_work_items:
            mutants += 1
            mutation = item.mutations[0]
            line, text = original_line(result.diff, source, mutation.start_pos[0])
            uncovered = mutation_select.NOT_COVERED in (result.output or "")
            key = (module, line, mutation.operator_name, uncovered)
            why = equivalent(module, text, result.diff, mutation.operator_name)
            if uncovered:
                why = None  # an equivalence is only claimed for a mutant its tests ran
            if result.worker_outcome == WorkerOutcome.SKIPPED:
                skipped += 1  # left out by --quick
            elif result.worker_outcome != WorkerOutcome.NORMAL:
                incompetent += 1  # the mutant could not even be applied or run
            elif result.test_outcome == TestOutcome.SURVIVED and why:
                explained.append((key, why))
            elif result.test_outcome == TestOutcome.SURVIVED:
                survivors.append((key, result.diff))
                if mutation_select.CAPPED in (result.output or ""):
                    capped_keys.add(key)
            elif result.test_outcome == TestOutcome.INCOMPETENT:
                incompetent += 1
            else:
                killed += 1
    uncovered = sum(1 for key, _diff in survivors if key[3])
    run = killed + len(survivors) + len(explained) - uncovered
    scored = killed + len(survivors) + len(explained)
    score = 100 * (killed + len(explained)) / scored if scored else 100.0
    print(
        f"\n== {module}: {score:.1f}% killed ({mutants} mutants, {run} run: {killed} killed, "
        f"{len(survivors) - uncovered} survived, {uncovered} not covered, "
        f"{len(explained)} equivalent, {incompetent} not runnable, {skipped} skipped by "
        f"--quick) at {per_mutant:.1f} s per mutant"
        + (f"; {unreached} not reached yet (--survivors runs them)" if unreached else "")
    )
    for why in dict.fromkeys(why for _key, why in explained):
        which = ", ".join(f"{k[1]} {k[2].removeprefix('core/')}" for k, w in explained if w == why)
        print(f"   equivalent ({which}): {why}")
    for key, diff in survivors:
        capped = " (its first tests only: --max-tests)" if key in capped_keys else ""
        print(f"   {'NOT COVERED' if key[3] else 'SURVIVED'} {key[0]}:{key[1]} {key[2]}{capped}")
        lines = [x for x in (diff or "").splitlines() if x and not x.startswith(("---", "+++"))]
        print("      " + "\n      ".join(lines))
    return score, survivors


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("modules", nargs="*", help="modules to mutate (default: all)")
    parser.add_argument("--timeout", type=float, default=300.0, help="seconds per mutant")
    parser.add_argument(
        "--quick",
        action="store_true",
        help="skip arithmetic replacements redundant with the plain inverse (see QUICK_SKIP)",
    )
    parser.add_argument(
        "--max-tests",
        type=int,
        help="run each mutant against at most its N first tests (known killers, then the "
        "quickest); a survivor is then marked as having survived only those",
    )
    parser.add_argument(
        "--survivors",
        action="store_true",
        help="run only the mutants that survived the module's last run, against today's tests",
    )
    args = parser.parse_args()
    unknown = [m for m in args.modules if m not in MODULES]
    if unknown:
        parser.error(f"no test list for {unknown}; known: {', '.join(MODULES)}")
    results = {}
    for module in args.modules or MODULES:
        results[module] = run_module(
            module, MODULES[module], args.timeout, args.survivors, args.quick, args.max_tests
        )
    print("\n== Mutation scores")
    for module, outcome in results.items():
        text = "skipped" if outcome is None else f"{outcome[0]:.1f}% ({len(outcome[1])} survived)"
        print(f"   {module}: {text}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
