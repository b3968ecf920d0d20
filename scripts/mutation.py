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
except ImportError:  # run as `python scripts/mutation.py`: scripts/ is on the path, not the root
    import mutation_select

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
    ],
    "music/views/sharing.py": ["tests/views/test_sharing.py"],
    "music/views/exports.py": ["tests/views/test_exports.py"],
    "music/services/sharing.py": ["tests/views/test_sharing.py", "tests/views/test_trash.py"],
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
        "tests/services/test_tasks.py",
        "tests/services/test_reconcile.py",
        "tests/services/test_archiving.py",
    ],
    "music/services/tasks/poller.py": ["tests/test_queue_tick.py"],
}

# Mutants shown to change nothing a caller can see: (module, text of the original line,
# text the mutated line still has or None, operators or None for any) -> why. Matched by
# text, not line numbers, so entries survive edits elsewhere in the module.
_KEY_DEPTH = (
    "Only the depth given to a JSON key changed. A key is a string, cleaned just before its "
    "value, which is one level deeper and checked against the same bound (the value's depth "
    "is untouched): no key depth that does not exceed the value's changes anything."
)
_SIGNATURE = (
    "`*` made `/`: the first parameters positional-only, the rest positional-or-keyword. "
    "Every caller passes the first ones by position and the rest by name, which both "
    "signatures accept alike."
)
_SENTINEL_EQ = (
    "`is` made `==` (or `is not` made `!=`) against a sentinel: it is a bare object() and "
    "the value a model, an id or None; none defines equality with a foreign object, so == "
    "falls back to identity."
)
_LOG_ONLY = (
    "Only the attempt number printed in an info log line changes; nothing is stored, sent "
    "or shown from it."
)
_TOKEN_BYTES = (
    "The callback secret made from 23 or 25 random bytes instead of 24: still a URL-safe "
    "secret of over 180 bits, stored hashed and compared whole; nothing reads its length."
)
_GRACE_EDGE = (
    "`>` made `>=` at the end of a finished task's grace: they differ only for a task "
    "finished exactly one grace period (to the microsecond) before the callback's `now`."
)
_PASS_LIMIT = (
    "The default cap on the tasks one poll pass claims per account (500, made 499 or 501): "
    "tasks beyond it wait for the next pass a second later; it bounds a pass's size, and "
    "only a pass with over 499 tasks of one account due could show the change."
)
_LOST_EDGE = (
    "`>=` made `>` at the minute a job must have been missing before it is lost: they differ "
    "only when the pass's `now` is exactly one minute (to the microsecond) after the first "
    "missing answer; the count of answers (also needed, tested at its edge) is unchanged."
)
_MISSING_DEFAULT = (
    "The default count of missing answers when the update has none: that is only when the "
    "job was in the answer, and then `missing_since` is absent too, so the job is not lost "
    "whatever the default."
)
_STATE_IS = (
    "The state read back is a plain str, never the enum member, so `is not` is always true: "
    "the `no_trace` branch then also runs for tasks that finished in this pass (a deadline "
    "failure or success: the first branch takes the in-flight ones), where fail() returns at "
    "once because the task is terminal."
)
_DEADLINE_EDGE = (
    "`>` made `>=` at the deadline clamp: they differ only when the deadline is exactly the "
    "pass's `now` (to the microsecond), where the clamp gives `now` against a later look: "
    "the task is expired in this very pass either way."
)
_DEADLINE_PAST = (
    "`>` made `!=` at the deadline clamp: it differs only for a deadline already past, and "
    "such a task in flight is failed in this very pass (expire_overdue), which sets its next "
    "look anew; a finished one is not looked at again."
)
_STATE_ORDER = (
    "`==` made `>=` or `<=` on the state after a pass's last look: in-flight states are taken "
    "by the branch before; of the rest, `unconfirmed` still matches and the extra ones are "
    "`succeeded` and `failed`, where fail() returns at once (terminal)."
)
_RELATION_ORDER = (
    "`== UPLOADED` made `>=`: no relation's value sorts after `uploaded`, so only an "
    "uploaded song matches either way."
)
_SKIP_LOCKED = (
    "The claim runs under the account's poll lease, so no two passes ever lock the same "
    "rows (tests/services/test_poll_leases.py); SQLite has no row locks at all. Waiting on "
    "a lock (skip_locked False) is then never reached."
)
_TOLERANCE_EDGE = (
    "`>` made `>=` against the song's end plus a microsecond of float tolerance: they differ "
    "only for an end of exactly that sum, which no form or caller produces."
)
_FAILED_ORDER = (
    "`!= FAILED` made `> FAILED` (or `== FAILED` made `<=`): every other watched state "
    "(submitted, running, unconfirmed) sorts after `failed`, so the same rows match."
)
_STEMS_POOL = (
    "`is_pro` sent as false (or left out) with `stems`: the provider splits a song only if it "
    "was made in the Pro pool and decides that from the song (seed 003: the request is just "
    "`action` and `audio_id`); the flag rides along for a gateway that routes by it. The "
    "simulator, like the documented API, ignores it, and the stems inherit the song's pool."
)
_CHUNK = (
    "The size of the pieces a range is streamed in (256 KiB, made 255): the same bytes go "
    "out, in pieces a little smaller; only memory per listener could show it."
)
_MEMBER_IS = (
    "`==` made `is` against an enum member: the value compared is always a member itself "
    "(a mapping's value or the member just assigned), never a string read back, so "
    "identity and equality agree."
)
_FINAL_STATUS = (
    "`!= 200` made `> 200`: no final HTTP answer has a status under 200 (a 1xx is an interim "
    "answer the client reads past), so the same answers are refused."
)
_LEAST_GROUPS = (
    '`== ("", "")` made `<=`: a match\'s two groups are strings, and no pair of '
    "strings sorts before two empty ones."
)
_LAST_READ = (
    "The read loop's `length > 0` made `>= 0`, `> -1` or `!= 0`: what is left never goes "
    "below zero (each read is at most what is left), and with nothing left a read gets "
    "nothing and ends the loop: the same bytes go out."
)
_AFTER_RANK = (
    "`== SUCCEEDED` made `>=` after the rank step: the only state sorting after `succeeded` is "
    "`unconfirmed`, and any result moves an unconfirmed task on (a pending one to "
    "`submitted`, of the same rank), so the same tasks match."
)
_LATE_STATES = (
    "`== FAILED` made `<=` in apply_late: it is only given a finished job (a late `pending` "
    "or `running` answer is turned away before), and `succeeded` does not sort before "
    "`failed`."
)
_JUST_ASSIGNED = (
    "`==` made `is` on a task's state: it is the outcome only of the assignment just made, "
    "of the enum member itself (a task already ended is turned away before), so identity "
    "holds whenever equality does."
)
_TAKES = "`takes > 1` made `!= 1`: `takes` is the number of clips being looped over, never 0."
_SMALL_INT_IS = (
    "`!=` made `is not` between two progress figures: they are 0 to 100, and CPython keeps "
    "one object per small integer, so identity and equality agree."
)
_RETRY_DEFAULT = (
    "ArchivedMedia's `retry` default made True: every failed result names its own `retry`, "
    "and a successful one is never asked (its files are stored first)."
)
_LOG_WHEN = (
    'Only whether an info log line ("trying again later") is written changes; nothing is '
    "stored, sent or shown from it."
)
_DISPATCH_LIMIT = (
    "The cap on the archive jobs one dispatch re-sends (200, made 201): the rest go a second "
    "later; only a backlog of over 200 due songs at once could show it."
)
_GAVE_UP_EDGE = (
    "`>` made `>=` where a song's archive tries end: they differ only for a song made "
    "exactly the grace plus the deadline (to the microsecond) before the try."
)
_RETRY_MESSAGE = (
    "A retried download's message cut at 299 or 301 characters instead of 300: it is one of "
    "our fixed sentences (no link yet, timed out, the file server did not answer), all "
    "under 100 characters, so nothing is ever cut."
)
_CLOSER_LOOK = (
    "`!=` made `<` where a result is first compared with the task (it only decides whether "
    "an answer is looked at closer). The two differ only where the answer's state sorts "
    "after the task's: either a state ranked before the task's (found unchanged, or changing "
    "nothing: states never go back), or a task still `queued`, which has no job to answer."
)
_EXPORT_KIND = (
    "An export's `== WAV` / `== MP4` made an ordering: only a WAV or an MP4 reaches that "
    "line, and `mp4` sorts before `wav`, so the same one of the two is picked."
)
_SAVED_TWICE = (
    "The export's file saved with `save=True`: the song row is written once more on the "
    "spot, and again just after with the same values."
)
_STILL_WAITING = (
    "`late = state == FAILED` made `<=`: a task reaching that line is in flight or (watched "
    "late) `failed`, and no state in flight (queued, submitting, unconfirmed, submitted, "
    "running) sorts before `failed`."
)
_SWEEP_BATCH = (
    "The cap on the tasks one sweep handles of each kind (200, made 199 or 201): the rest "
    "are handled by the next sweep a minute later; only over 199 at once could show it."
)
_HOLDER_CUT = (
    "The lease holder's name cut at 99 characters instead of 100: it is only ever compared "
    "with itself (taking and giving back both make it the same way), and it is far shorter."
)
_STATE_ENDS = (
    "`==` made `<=` against the first state in sort order (a clip's `failed`) or `>=` "
    "against the last (a song's `succeeded`): no other state sorts before or after it."
)
_MADE_EITHER_WAY = (
    "`target == SAVING` made `>=` in late_made: the extra target, `succeeded` (a song whose "
    "file is stored), moves a failed song on either way (the same rank), and only `saving` "
    "queues an archive job."
)
_BYTE_BOUND = (
    "`!= 0xFF` (or `!= 0xE0` of a byte masked with 0xE0) made `<`: a byte is never above "
    "0xFF, nor a masked one above its mask, so `<` and `!=` pick the same bytes."
)
_SHORT_ID3 = (
    "The ID3 check's length bound made 2: the three bytes compared cannot equal `ID3` in a "
    "shorter buffer either way."
)
_PROCESS_TAG = (
    "The process's random tag in a lease holder's name made 7 or 9 hex digits instead of 8: "
    "still one name per process, compared only with itself."
)
_HEAD_SIZE = (
    "How much of a file's start the matchers read (8 KiB, made a byte more or less): every "
    "type is told by its first bytes, Matroska's by a doctype in its EBML header, which "
    "comes within its first hundred bytes."
)
_ROW_WIDTH = (
    "zip's strict check over a values_list row of exactly FIELDS: the row always has that "
    "many values."
)
EQUIVALENT = {
    (
        "music/services/mediatypes.py",
        "HEAD_BYTES = 8192",
        None,
        frozenset({"core/NumberReplacer"}),
    ): _HEAD_SIZE,
    (
        "music/services/mediatypes.py",
        "if len(buf) < 3 or buf[0] != 0xFF or buf[1] & 0xE0 != 0xE0:",
        None,
        frozenset({"core/ReplaceComparisonOperator_NotEq_Lt"}),
    ): _BYTE_BOUND,
    (
        "music/services/mediatypes.py",
        'if len(buf) >= 3 and bytes(buf[:3]) == b"ID3":',
        "len(buf) >= 2",
        None,
    ): _SHORT_ID3,
    (
        "music/services/tasks/leases.py",
        '_process = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"',
        None,
        frozenset({"core/NumberReplacer"}),
    ): _PROCESS_TAG,
    (
        "music/services/tasks/applying.py",
        "if clip.state == ClipState.FAILED:",
        "clip.state <= ClipState.FAILED",
        None,
    ): _STATE_ENDS,
    (
        "music/services/tasks/applying.py",
        "if target == SongState.SUCCEEDED and not song.audio_file:",
        "target >= SongState.SUCCEEDED",
        None,
    ): _STATE_ENDS,
    (
        "music/services/tasks/applying.py",
        "late_made = song.state == SongState.FAILED and target == SongState.SAVING",
        "target >= SongState.SAVING",
        None,
    ): _MADE_EITHER_WAY,
    (
        "music/services/tasks/housekeeping.py",
        '.values_list("pk", flat=True)[:200]:',
        None,
        frozenset({"core/NumberReplacer"}),
    ): _SWEEP_BATCH,
    (
        "music/services/tasks/leases.py",
        'return f"{_process}:{threading.get_ident()}"[:100]',
        None,
        frozenset({"core/NumberReplacer"}),
    ): _HOLDER_CUT,
    (
        "music/services/tasks/applying.py",
        "late = task.state == TaskState.FAILED",
        "task.state <= TaskState.FAILED",
        None,
    ): _STILL_WAITING,
    (
        "music/services/tasks/applying.py",
        'if task.state == TaskState.SUCCEEDED and task.params.get("then"):',
        "task.state is TaskState.SUCCEEDED",
        None,
    ): _JUST_ASSIGNED,
    (
        "music/services/tasks/side_results.py",
        "if task.action == Action.MP4:",
        "task.action <= Action.MP4",
        None,
    ): _EXPORT_KIND,
    (
        "music/services/tasks/side_results.py",
        'field = "wav_file" if task.action == Action.WAV else "video_file"',
        "task.action >= Action.WAV",
        None,
    ): _EXPORT_KIND,
    (
        "music/services/tasks/side_results.py",
        "save=False,",
        None,
        frozenset({"core/ReplaceFalseWithTrue"}),
    ): _SAVED_TWICE,
    (
        "music/services/tasks/side_results.py",
        "late = task.state == TaskState.FAILED",
        "task.state <= TaskState.FAILED",
        None,
    ): _STILL_WAITING,
    (
        "music/services/tasks/applying.py",
        "if JOB_TO_TASK_STATE[result.state] != task.state or result.state == JobState.SUCCEEDED:",
        "JOB_TO_TASK_STATE[result.state] < task.state",
        None,
    ): _CLOSER_LOOK,
    (
        "music/services/tasks/archiving.py",
        "gave_up = now - song.created_at > timing.late_grace() + timing.deadline()",
        ">= timing.late_grace()",
        None,
    ): _GAVE_UP_EDGE,
    (
        "music/services/tasks/archiving.py",
        "song.archive_error = fetched.error[:300]",
        None,
        frozenset({"core/NumberReplacer"}),
    ): _RETRY_MESSAGE,
    ("music/services/tasks/archiving.py", 'if outcome == "retry":', None, None): _LOG_WHEN,
    (
        "music/services/tasks/archiving.py",
        "def dispatch_due(now=None, limit=200):",
        None,
        frozenset({"core/NumberReplacer"}),
    ): _DISPATCH_LIMIT,
    (
        "music/services/tasks/applying.py",
        'if task.state == TaskState.SUCCEEDED and task.params.get("then"):',
        "task.state >= TaskState.SUCCEEDED",
        None,
    ): _AFTER_RANK,
    (
        "music/services/media.py",
        "retry: bool = False  # a transient failure: try again later",
        None,
        frozenset({"core/ReplaceFalseWithTrue"}),
    ): _RETRY_DEFAULT,
    (
        "music/services/tasks/applying.py",
        "if target == SongState.SUCCEEDED and not song.audio_file:",
        "target is SongState.SUCCEEDED",
        None,
    ): _MEMBER_IS,
    (
        "music/services/tasks/applying.py",
        "if result.progress is not None and result.progress != task.progress:",
        "result.progress is not task.progress",
        None,
    ): _SMALL_INT_IS,
    (
        "music/services/tasks/applying.py",
        "    if result.state == JobState.FAILED:",
        "result.state <= JobState.FAILED",
        None,
    ): _LATE_STATES,
    (
        "music/services/tasks/applying.py",
        "elif task.state == TaskState.FAILED:",
        "task.state is TaskState.FAILED",
        None,
    ): _JUST_ASSIGNED,
    (
        "music/services/tasks/applying.py",
        "song.take = index + 1 if takes > 1 else 0",
        "takes != 1",
        None,
    ): _TAKES,
    (
        "music/services/tasks/applying.py",
        "    if task.state == TaskState.SUCCEEDED:",
        "task.state >= TaskState.SUCCEEDED",
        None,
    ): _AFTER_RANK,
    ("music/services/media.py", "while length > 0:", "length >= 0", None): _LAST_READ,
    ("music/services/media.py", "while length > 0:", "length > -1", None): _LAST_READ,
    ("music/services/media.py", "while length > 0:", "length != 0", None): _LAST_READ,
    (
        "music/services/media.py",
        "if fetched.status_code != 200:",
        "fetched.status_code > 200",
        None,
    ): _FINAL_STATUS,
    (
        "music/services/media.py",
        'if header and (not match or match.groups() == ("", "")):',
        'match.groups() <= ("", "")',
        None,
    ): _LEAST_GROUPS,
    (
        "music/services/tasks/applying.py",
        "late_made = song.state == SongState.FAILED and target == SongState.SAVING",
        "target is SongState.SAVING",
        None,
    ): _MEMBER_IS,
    ("music/services/media.py", "RANGE_CHUNK = 256 * 1024", None, None): _CHUNK,
    (
        "music/services/actions.py",
        'params = {"action": Action.STEMS, "audio_id": song.upstream_id, "is_pro": True}',
        None,
        frozenset({"core/ReplaceTrueWithFalse"}),
    ): _STEMS_POOL,
    (
        "music/services/tasks/polling.py",
        'if error is not None and row["upstream_id"] and row["state"] != TaskState.FAILED:',
        '["state"] > TaskState.FAILED',
        None,
    ): _FAILED_ORDER,
    (
        "music/services/tasks/polling.py",
        'if row["state"] == TaskState.FAILED:',
        '["state"] <= TaskState.FAILED',
        None,
    ): _FAILED_ORDER,
    (
        "music/services/tasks/polling.py",
        "return [dict(zip(FIELDS, row, strict=True)) for row in rows]",
        None,
        frozenset({"core/ReplaceTrueWithFalse"}),
    ): _ROW_WIDTH,
    (
        "music/services/tasks/polling.py",
        "return min(when, deadline) if deadline and deadline > now else when",
        "deadline is not now",
        None,
    ): _DEADLINE_PAST,
    (
        "music/services/actions.py",
        "if not 0 <= start < end or (song.duration and end > song.duration + 1e-6):",
        "end >= song.duration + 1e-6",
        None,
    ): _TOLERANCE_EDGE,
    (
        "music/services/tasks/polling.py",
        'update.get("missing_polls", 0) >= timing.LOST_AFTER_MISSES',
        ">= timing.LOST_AFTER_MISSES",
        frozenset({"core/NumberReplacer"}),
    ): _MISSING_DEFAULT,
    (
        "music/services/tasks/polling.py",
        "elif state == TaskState.UNCONFIRMED:",
        "is not TaskState.UNCONFIRMED",
        None,
    ): _STATE_IS,
    (
        "music/services/tasks/polling.py",
        "elif state == TaskState.UNCONFIRMED:",
        None,
        frozenset(
            {"core/ReplaceComparisonOperator_Eq_GtE", "core/ReplaceComparisonOperator_Eq_LtE"}
        ),
    ): _STATE_ORDER,
    (
        "music/services/tasks/polling.py",
        'expire_overdue([r for r in rows if r["deadline_at"] and r["deadline_at"] <= now])',
        '["deadline_at"] < now]',
        None,
    ): _DEADLINE_EDGE,
    (
        "music/services/tasks/polling.py",
        "if account_id is not ANY:",
        "account_id != ANY",
        None,
    ): _SENTINEL_EQ,
    (
        "music/services/actions.py",
        "action = Action.UPLOAD_EXTEND if song.relation == Relation.UPLOADED else Action.EXTEND",
        ">= Relation.UPLOADED",
        None,
    ): _RELATION_ORDER,
    (
        "music/services/tasks/polling.py",
        "return min(when, deadline) if deadline and deadline > now else when",
        "deadline >= now",
        None,
    ): _DEADLINE_EDGE,
    (
        "music/services/tasks/polling.py",
        "return min(when, deadline) if deadline and deadline > now else when",
        "deadline != now",
        None,
    ): _DEADLINE_PAST,
    (
        "music/services/tasks/polling.py",
        "due.select_for_update(skip_locked=True)",
        "skip_locked=False",
        None,
    ): _SKIP_LOCKED,
    (
        "music/services/tasks/polling.py",
        "and now - since >= timing.LOST_AFTER",
        "> timing.LOST_AFTER",
        frozenset({"core/ReplaceComparisonOperator_GtE_Gt"}),
    ): _LOST_EDGE,
    (
        "music/services/tasks/polling.py",
        "def poll_due(limit=500):",
        None,
        frozenset({"core/NumberReplacer"}),
    ): _PASS_LIMIT,
    (
        "music/services/tasks/polling.py",
        "def claim_due(now, limit=500, account_id=ANY):",
        None,
        frozenset({"core/NumberReplacer"}),
    ): _PASS_LIMIT,
    (
        "music/services/tasks/callbacks.py",
        "return bool(task.finished_at and task.finished_at > now - timing.late_grace())",
        ">= now - timing.late_grace()",
        frozenset({"core/ReplaceComparisonOperator_Gt_GtE"}),
    ): _GRACE_EDGE,
    (
        "music/services/tasks/sending.py",
        'def confirm(task_id, upstream_id, *, raw=None, via=""):',
        None,
        frozenset({"core/ReplaceBinaryOperator_Mul_Div"}),
    ): _SIGNATURE,
    (
        "music/services/tasks/sending.py",
        "token = secrets.token_urlsafe(24)",
        None,
        frozenset({"core/NumberReplacer"}),
    ): _TOKEN_BYTES,
    (
        "music/services/tasks/sending.py",
        'log.info("task %s: %s; trying again (attempt %s)", task_id, exc, attempt + 2)',
        None,
        None,
    ): _LOG_ONLY,
    (
        "music/services/actions.py",
        "if account is DEFAULT:",
        None,
        frozenset({"core/ReplaceComparisonOperator_Is_Eq"}),
    ): _SENTINEL_EQ,
    (
        "music/services/tasks/starting.py",
        "if account is DEFAULT:",
        None,
        frozenset({"core/ReplaceComparisonOperator_Is_Eq"}),
    ): _SENTINEL_EQ,
    (
        "music/upstream/http.py",
        "return {_clean(k, depth + 1): _clean(v, depth + 1) for k, v in value.items()}",
        ": _clean(v, depth + 1) for k, v in value.items()}",
        None,
    ): _KEY_DEPTH,
    (
        "music/upstream/http.py",
        "def make_client(base_url, api_key, *, timeout=30.0, transport=None):",
        None,
        frozenset({"core/ReplaceBinaryOperator_Mul_Div"}),
    ): _SIGNATURE,
    (
        "music/upstream/http.py",
        "def call(client, method, path, *, json_body=None, error_parser=None):",
        None,
        frozenset({"core/ReplaceBinaryOperator_Mul_Div"}),
    ): _SIGNATURE,
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
        return _SIGNATURE
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
