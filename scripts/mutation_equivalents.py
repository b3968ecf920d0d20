"""The mutants `make mutation` counts as equivalent: shown to change nothing a caller can
see, each with why. Read by scripts/mutation.py; kept apart from the runner because the list
grows with every module run."""

# Mutants shown to change nothing a caller can see: (module, text of the original line,
# text the mutated line still has or None, operators or None for any) -> why. Matched by
# text, not line numbers, so entries survive edits elsewhere in the module.
_KEY_DEPTH = (
    "Only the depth given to a JSON key changed. A key is a string, cleaned just before its "
    "value, which is one level deeper and checked against the same bound (the value's depth "
    "is untouched): no key depth that does not exceed the value's changes anything."
)
SIGNATURE = (
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
    "`==` made `<=` against the first state in sort order (`failed`, of clips, songs and "
    "tasks alike) or `>=` against the last (a song's `succeeded`): no other state sorts "
    "before or after it."
)
_LAST_KIND = (
    "`kind == VOX` made `>=`: `vox` sorts last of the persona kinds (persona, voice, vox), "
    "so only a v2 persona passes either way."
)
_FRAGMENT_RELATION = (
    "`relation == REPLACED` made `>=` in a join's `is_infill`: only a fragment gets there "
    "(the join is refused for any other song), and a fragment is `extended` or `replaced`; "
    "`extended` sorts before, so the same fragments are infills."
)
_RESULT_MODES = (
    '`result_mode == "full_song"` made `>=`: the two modes the forms accept are '
    "`candidates` and `full_song`, and `candidates` sorts before."
)
_METHODS = (
    '`request.method == "POST"` made `>=`: only GET, HEAD and POST reach the view '
    "(require_http_methods), and GET and HEAD sort before POST."
)
_LAST_RELATION = (
    "`relation == UPLOADED` made `>=`: `uploaded` sorts last of the song relations, so only "
    "an upload passes either way."
)
_ONE_CHAR = (
    '`== "1"` made `is "1"`: CPython keeps one object per one-character Latin-1 '
    "string, so a form value `1` is that object and identity agrees with equality."
)
_REASON_KEPT = (
    "`song.state == FAILED` made `is` where a failed clip's reason is written: it differs "
    "only for a song failed before this answer (its state as read, a plain string), whose "
    "reason was written when it failed."
)
_PROVIDERS = (
    '`provider == "relay"` made `<=`: a task\'s provider is `relay` or `sunohub`, and '
    "`relay` sorts first."
)
_RESULT_MEMBER = (
    "`==` made `is` on a JobResult's state: every reader in music/upstream sets it to a "
    "JobState member (enum lookups return the members themselves), so identity holds "
    "whenever equality does."
)
_LOWER_PROGRESS = (
    "The repeat check's `progress !=` made `>`: an answer whose progress is below the task's "
    "(and nothing else new) is then taken as a repeat. Applied, it would change nothing the "
    "repeat check looks at: progress only rises (`max`), and a state or clip change is "
    "caught by the check's other tests."
)
_BYTE_BOUND = (
    "`!= 0xFF` (or `!= 0xE0` of a byte masked with 0xE0) made `<`: a byte is never above "
    "0xFF, nor a masked one above its mask, so `<` and `!=` pick the same bytes."
)
_FIELD_BOUND = (
    "A frame header's bitrate `!= 0xF` or sample rate `!= 0b11` made `<`: the bitrate is "
    "four bits and the rate two, never above those values, so `<` and `!=` agree."
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
        "buf[0] != 0xFF or buf[1] & 0xE0 != 0xE0:  # a frame header",
        None,
        frozenset({"core/ReplaceComparisonOperator_NotEq_Lt"}),
    ): _BYTE_BOUND,
    (
        "music/services/mediatypes.py",
        "and bitrate != 0xF and rate != 0b11",
        None,
        frozenset({"core/ReplaceComparisonOperator_NotEq_Lt"}),
    ): _FIELD_BOUND,
    (
        "music/services/tasks/leases.py",
        '_process = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"',
        None,
        frozenset({"core/NumberReplacer"}),
    ): _PROCESS_TAG,
    (
        "music/services/tasks/applying.py",
        "if clip.state == ClipState.FAILED and song.state == SongState.FAILED:",
        "clip.state <= ClipState.FAILED",
        None,
    ): _STATE_ENDS,
    (
        "music/services/tasks/applying.py",
        "if clip.state == ClipState.FAILED and song.state == SongState.FAILED:",
        "song.state <= SongState.FAILED",
        None,
    ): _STATE_ENDS,
    (
        "music/services/tasks/applying.py",
        "late_made = song.state == SongState.FAILED and target in MADE",
        "song.state <= SongState.FAILED",
        None,
    ): _STATE_ENDS,
    (
        "music/services/actions.py",
        '"is_infill": song.relation == Relation.REPLACED,',
        "song.relation >= Relation.REPLACED",
        None,
    ): _FRAGMENT_RELATION,
    (
        "music/services/actions.py",
        'if result_mode == "full_song" and not capabilities.sends_controls(song.account):',
        'result_mode >= "full_song"',
        None,
    ): _RESULT_MODES,
    (
        "music/services/actions.py",
        'whole = result_mode == "full_song"',
        'result_mode >= "full_song"',
        None,
    ): _RESULT_MODES,
    (
        "music/views/songs.py",
        'if request.method == "POST":',
        'request.method >= "POST"',
        None,
    ): _METHODS,
    (
        "music/views/songs.py",
        'request.POST.get("on") == "1"',
        'request.POST.get("on") is "1"',
        None,
    ): _ONE_CHAR,
    (
        "music/views/songs.py",
        'request.GET.get("download") == "1"',
        'request.GET.get("download") is "1"',
        None,
    ): _ONE_CHAR,
    (
        "music/services/tasks/applying.py",
        "task.state == TaskState.SUCCEEDED",
        "task.state is TaskState.SUCCEEDED",
        None,
    ): _JUST_ASSIGNED,
    (
        "music/services/tasks/applying.py",
        "task.state == TaskState.FAILED",
        "task.state <= TaskState.FAILED",
        None,
    ): _STATE_ENDS,
    (
        "music/services/tasks/applying.py",
        'or task.provider == "relay",',
        'task.provider <= "relay"',
        None,
    ): _PROVIDERS,
    (
        "music/services/tasks/applying.py",
        "task.state == TaskState.SUCCEEDED",
        "task.state >= TaskState.SUCCEEDED",
        None,
    ): _AFTER_RANK,
    (
        "music/services/tasks/applying.py",
        "if target == SongState.SAVING and (",
        "target is SongState.SAVING",
        None,
    ): _MEMBER_IS,
    (
        "music/services/tasks/applying.py",
        "if clip.state == ClipState.FAILED and song.state == SongState.FAILED:",
        "song.state is SongState.FAILED",
        None,
    ): _REASON_KEPT,
    (
        "music/services/actions.py",
        "song, replacement, *, model, is_pro, auto_concat=False",
        None,
        frozenset({"core/ReplaceBinaryOperator_Mul_Div"}),
    ): SIGNATURE,
    (
        "music/services/actions.py",
        "    *,",
        None,
        frozenset({"core/ReplaceBinaryOperator_Mul_Div"}),
    ): (SIGNATURE),
    (
        "music/services/actions.py",
        "if song.relation == Relation.UPLOADED else Action.",
        "song.relation >= Relation.UPLOADED",
        None,
    ): _LAST_RELATION,
    (
        "music/views/songs.py",
        "and m.state == SongState.SUCCEEDED",
        "m.state >= SongState.SUCCEEDED",
        None,
    ): _STATE_ENDS,
    (
        "music/services/actions.py",
        "vox = persona.kind == PersonaKind.VOX",
        "persona.kind >= PersonaKind.VOX",
        None,
    ): _LAST_KIND,
    (
        "music/services/tasks/applying.py",
        "elif task.state == TaskState.FAILED:",
        "task.state <= TaskState.FAILED",
        None,
    ): _STATE_ENDS,
    (
        "music/services/tasks/applying.py",
        "    if result.state == JobState.FAILED:",
        "result.state is JobState.FAILED",
        None,
    ): _RESULT_MEMBER,
    (
        "music/services/tasks/applying.py",
        "if result.progress is not None and result.progress != task.progress:",
        "result.progress > task.progress",
        None,
    ): _LOWER_PROGRESS,
    (
        "music/services/tasks/applying.py",
        "if target == SongState.SUCCEEDED and not song.audio_file:",
        "target >= SongState.SUCCEEDED",
        None,
    ): _STATE_ENDS,
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
    (
        "music/services/tasks/applying.py",
        "    if task.state == TaskState.SUCCEEDED:",
        "task.state is TaskState.SUCCEEDED",
        None,
    ): _JUST_ASSIGNED,
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
    ): SIGNATURE,
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
    ): SIGNATURE,
    (
        "music/upstream/http.py",
        "def call(client, method, path, *, json_body=None, error_parser=None):",
        None,
        frozenset({"core/ReplaceBinaryOperator_Mul_Div"}),
    ): SIGNATURE,
}
