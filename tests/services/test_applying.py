"""Applying a provider's result: states never go back, another team's songs are never touched."""

from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from music import upstream
from music.models import Relation, Song, SongState, Task, TaskState
from music.services import actions, tasks
from music.upstream.base import Clip, ClipState, JobResult, JobState, SongRequest
from tests.factories import MembershipFactory, SongFactory, TaskFactory, TeamFactory
from tests.helpers import make_song, run_queued
from tests.mediafiles import mp3_frames

GENERATE = {"action": "generate", "prompt": "a slow one", "model": "chirp-v4"}


def test_a_stale_pending_result_never_moves_a_running_task_back(team, member, simulator):
    simulator.running_seconds = 3600  # still being made for the whole test
    task = tasks.start_task(team=team, user=member, action="generate", params=GENERATE)
    tasks.submit(task.pk)
    Task.objects.filter(pk=task.pk).update(next_poll_at=timezone.now())
    tasks.poll_due()
    task.refresh_from_db()
    assert task.state == TaskState.RUNNING  # the task is not finished: no early return
    songs = {s.upstream_id: s.state for s in task.songs.all()}
    assert set(songs.values()) == {SongState.RUNNING}

    # An answer from before (a slow poll, a re-delivered callback fetch) arrives late.
    stale = JobResult(
        task.upstream_id,
        JobState.PENDING,
        clips=[Clip(id=clip_id, state=ClipState.PENDING) for clip_id in songs],
        progress=task.progress,
    )
    tasks.apply_result(task.pk, stale)

    task.refresh_from_db()
    assert task.state == TaskState.RUNNING
    assert {s.upstream_id: s.state for s in task.songs.all()} == songs
    assert list(task.events.values_list("state", flat=True)).count(TaskState.SUBMITTED) == 1


@pytest.mark.parametrize("theirs_first", [False, True])
def test_a_clip_that_is_another_teams_song_is_never_overwritten(db, simulator, theirs_first):
    """A provider answer naming a clip id another team already owns (a bug or a forgery),
    whichever team came first."""
    if theirs_first:
        other_team = MembershipFactory(role="owner").team
    membership = MembershipFactory(role="member")
    team, member = membership.team, membership.user
    if not theirs_first:
        other_team = MembershipFactory(role="owner").team
    theirs = SongFactory(team=other_team, title="Their song", lyric="their words")
    theirs.audio_file.save("audio.mp3", ContentFile(mp3_frames(0.3)))
    before = Song.objects.filter(pk=theirs.pk).values().get()

    job = upstream.get_provider().submit(SongRequest(prompt="ours")).upstream_id
    ours = submitted_task(team, member, job)
    result = JobResult(
        job,
        JobState.SUCCEEDED,
        clips=[
            Clip(
                id=theirs.upstream_id,
                state=ClipState.SUCCEEDED,
                title="Overwritten",
                lyric="not their words",
                audio_url=f"{upstream.SIMULATOR_BASE_URL}/media/{theirs.upstream_id}.mp3",
            )
        ],
    )
    tasks.apply_result(ours.pk, result)

    assert Song.objects.filter(pk=theirs.pk).values().get() == before
    assert not Song.objects.filter(team=team).exists()
    assert not Song.objects.filter(task=ours).exists()


def submitted_task(team, member, job, *, action="generate", source_song=None, **params):
    """A task sent upstream as `job`, waiting for its answer (a generation unless told)."""
    base = GENERATE if action == "generate" else {"action": action}
    return TaskFactory(
        team=team,
        created_by=member,
        source_song=source_song,
        state=TaskState.SUBMITTED,
        upstream_id=job,
        action=action,
        params={**base, **params},
    )


def test_a_providers_over_long_values_are_cut_to_their_columns(team, member):
    """PostgreSQL refuses a value longer than its column: the song would never be stored."""
    task = submitted_task(team, member, "job-long")
    clip = Clip(
        id="clip-long",
        state=ClipState.RUNNING,
        title="T" * 300,
        style="s" * 1200,
        model="m" * 60,
        concat_history=[{"id": "p" * 150, "continue_at": 3.5}, "not a part"],
    )
    tasks.apply_result(task.pk, JobResult("job-long", JobState.RUNNING, clips=[clip]))
    song = Song.objects.get(task=task)
    assert (song.title, song.style, song.model_name) == ("T" * 200, "s" * 1000, "m" * 40)
    assert song.parts == [{"id": "p" * 100, "continue_at": 3.5}]

    failed = JobResult("job-long", JobState.FAILED, clips=[clip], error_code="E" * 80)
    tasks.apply_result(task.pk, failed)
    task.refresh_from_db()
    assert (task.state, task.error_code) == (TaskState.FAILED, "E" * 50)


def test_a_failure_of_our_own_keeps_its_code_to_the_column(team, member):
    task = submitted_task(team, member, "job-own")
    tasks.fail(task.pk, "The studio gave up.", code="c" * 80)
    task.refresh_from_db()
    assert (task.state, task.error_code) == (TaskState.FAILED, "c" * 50)


@pytest.mark.django_db(transaction=True)
def test_results_are_never_applied_inside_a_callers_transaction(team, member):
    """Archive jobs are queued once the songs are committed: inside another transaction they
    would look for rows not there yet, so applying refuses to run nested."""
    task = submitted_task(team, member, "job-nested")
    running = JobResult("job-nested", JobState.RUNNING, progress=10)
    with pytest.raises(RuntimeError), transaction.atomic():
        tasks.apply_result(task.pk, running)
    tasks.apply_result(task.pk, running)
    task.refresh_from_db()
    assert task.state == TaskState.RUNNING


# --- an upload the member asked to continue -------------------------------------------------
THEN = {"continue_at": 2, "lyric": "[Verse]\nRain again", "style": "folk", "model": "chirp-v4"}


def test_an_upload_asked_to_continue_is_continued_once_it_is_made(team, member, simulator):
    source = make_song(team, member)
    membership = member.memberships.get(team=team)
    url = f"{simulator.base_url}/media/{source.upstream_id}.mp3"
    upload = actions.upload(membership, url, title="Rainy tuesday", then={**THEN, "title": ""})
    run_queued()
    uploaded = Song.objects.get(task=upload)
    assert uploaded.relation == Relation.UPLOADED
    continued = Task.objects.get(action="upload_extend")
    assert continued.source_song == uploaded
    # The words asked for, from the uploaded song, under its name (an empty title is no title).
    assert {k: continued.params[k] for k in (*THEN, "title", "audio_id", "custom")} == {
        **THEN,
        "title": "Rainy tuesday",
        "audio_id": uploaded.upstream_id,
        "custom": True,
    }
    run_queued()
    continued.refresh_from_db()
    assert continued.state == TaskState.SUCCEEDED
    assert Song.objects.filter(task=continued, parent=uploaded, root=uploaded).count() == 2


def test_an_upload_still_being_made_is_not_continued_yet(team, member):
    task = submitted_task(
        team, member, "job-upload", action="upload", audio_url="https://x.example/a", then=THEN
    )
    clip = Clip(id="up-clip", state=ClipState.RUNNING)
    tasks.apply_result(task.pk, JobResult("job-upload", JobState.RUNNING, clips=[clip]))
    assert Song.objects.filter(task=task).exists()
    assert not Task.objects.filter(action="upload_extend").exists()


# --- polls that only move the progress, a late failure, a team past id 256 -------------------
def test_a_poll_that_only_moves_the_progress_moves_it(team, member):
    task = submitted_task(team, member, "job-progress")
    clip = Clip(id="p-clip", state=ClipState.RUNNING)
    for progress in (10, 40):
        result = JobResult("job-progress", JobState.RUNNING, clips=[clip], progress=progress)
        tasks.apply_result(task.pk, result)
        task.refresh_from_db()
        assert (task.state, task.progress) == (TaskState.RUNNING, progress)
    # Never backwards: an older answer's lower figure.
    tasks.apply_result(task.pk, JobResult("job-progress", JobState.RUNNING, [clip], progress=20))
    task.refresh_from_db()
    assert task.progress == 40
    # The figure is no event: one for running, whatever the progress did.
    assert list(task.events.values_list("state", flat=True)) == [TaskState.RUNNING]
    assert (task.finished_at, task.error_message, task.error_code) == (None, "", "")


def test_a_success_ends_the_task_at_full_progress_without_a_reason(team, member):
    task = submitted_task(team, member, "job-done")
    Task.objects.filter(pk=task.pk).update(error_message="A slow answer.", progress=40)
    done = Clip(id="done-clip", state=ClipState.SUCCEEDED, audio_url="https://x.example/a")
    tasks.apply_result(task.pk, JobResult("job-done", JobState.SUCCEEDED, [done]))
    task.refresh_from_db()
    assert (task.state, task.progress, task.error_message) == (TaskState.SUCCEEDED, 100, "")
    assert task.finished_at is not None


def test_a_task_failed_for_want_of_an_answer_is_looked_at_after_the_late_pause(
    team, member, settings
):
    settings.SUNO_LATE_POLL_SECONDS = 300
    task = submitted_task(team, member, "job-quiet")
    before = timezone.now()
    tasks.fail(task.pk, "No answer in time.", code="deadline", late=True)
    task.refresh_from_db()
    assert (
        before + timedelta(seconds=300)
        <= task.next_poll_at
        <= timezone.now() + timedelta(seconds=300)
    )
    assert task.is_watched_late


def test_a_late_failure_ends_the_watch_with_the_providers_reason(team, member):
    task = submitted_task(team, member, "job-late")
    tasks.fail(task.pk, "No answer in time.", code="deadline", late=True)
    failed = JobResult("job-late", JobState.FAILED, error="content policy", error_code="X" * 80)
    tasks.apply_result(task.pk, failed)
    task.refresh_from_db()
    assert (task.state, task.error_code, task.late_until) == (TaskState.FAILED, "X" * 50, None)
    assert "content policy" in task.error_message
    assert not task.is_watched_late


def test_a_team_with_a_large_id_gets_its_songs_updated(member, simulator):
    """Ids past 256 are distinct int objects: the team check must compare values."""
    team = TeamFactory(pk=4000)
    own = MembershipFactory(team=team, role="member").user
    task = submitted_task(team, own, "job-big-team")
    running = Clip(id="big-clip", state=ClipState.RUNNING, title="First")
    tasks.apply_result(task.pk, JobResult("job-big-team", JobState.RUNNING, [running], progress=5))
    done = Clip(id="big-clip", state=ClipState.SUCCEEDED, title="Final title")
    tasks.apply_result(task.pk, JobResult("job-big-team", JobState.SUCCEEDED, [done]))
    song = Song.objects.get(task=task)
    assert (song.title, song.state) == ("Final title", SongState.SAVING)


def test_a_clips_links_are_kept_when_a_later_answer_leaves_them_out(team, member):
    task = submitted_task(team, member, "job-links")
    links = {
        "audio_url": "https://cdn1.suno.ai/a.mp3",
        "image_url": "https://cdn1.suno.ai/a.jpeg",
        "video_url": "https://cdn1.suno.ai/a.mp4",
    }
    first = Clip(id="links-clip", state=ClipState.RUNNING, duration=12.5, **links)
    tasks.apply_result(task.pk, JobResult("job-links", JobState.RUNNING, [first], progress=50))
    bare = Clip(id="links-clip", state=ClipState.RUNNING)
    tasks.apply_result(task.pk, JobResult("job-links", JobState.RUNNING, [bare], progress=60))
    song = Song.objects.get(task=task)
    assert {name: getattr(song, name) for name in links} == links
    assert song.duration == 12.5


def test_a_poll_that_repeats_what_is_known_writes_nothing(team, member, django_assert_num_queries):
    """Most polls of a running job say nothing new: no lock, no write, for every task of a pass."""
    task = submitted_task(team, member, "job-same")
    clip = Clip(id="same-clip", state=ClipState.RUNNING)
    running = JobResult("job-same", JobState.RUNNING, clips=[clip], progress=30)
    tasks.apply_result(task.pk, running)
    task = Task.objects.select_related("source_song").get(pk=task.pk)
    known = {s.upstream_id: s for s in Song.objects.filter(task=task)}
    with django_assert_num_queries(0):
        tasks.apply_result(task.pk, running, task=task, known=known)


def test_a_clip_whose_file_was_refused_is_not_sent_to_the_archive_again(team, member):
    """A finished clip kept without its file (refused: not media) stays as it is when the
    job's later polls name it again."""
    task = submitted_task(team, member, "job-refused")
    done = Clip(id="refused-clip", state=ClipState.SUCCEEDED, audio_url="https://x.example/a")
    other = Clip(id="other-clip", state=ClipState.RUNNING)
    Song.objects.create(
        team=team,
        task=task,
        author=member,
        provider=task.provider,
        upstream_id="refused-clip",
        state=SongState.SUCCEEDED,
        archive_error="The provider's file is not audio or video the studio can keep.",
    )
    running = JobResult("job-refused", JobState.RUNNING, [done, other], progress=60)
    tasks.apply_result(task.pk, running)
    song = Song.objects.get(upstream_id="refused-clip")
    assert (song.state, song.archive_due_at, bool(song.archive_error)) == (
        SongState.SUCCEEDED,
        None,
        True,
    )


def test_a_clip_that_failed_alone_says_so_and_its_finished_sibling_does_not(team, member):
    task = submitted_task(team, member, "job-split")
    clips = [
        Clip(id="ok-clip", state=ClipState.SUCCEEDED, audio_url="https://cdn1.suno.ai/ok.mp3"),
        Clip(id="bad-clip", state=ClipState.FAILED, error="silence detected"),
    ]
    tasks.apply_result(task.pk, JobResult("job-split", JobState.RUNNING, clips, progress=80))
    ok, bad = Song.objects.get(upstream_id="ok-clip"), Song.objects.get(upstream_id="bad-clip")
    assert (ok.state, ok.error_message) == (SongState.SAVING, "")
    assert bad.state == SongState.FAILED
    assert bad.error_message.startswith("The provider could not make this clip.")
    assert "silence detected" in bad.error_message


def test_a_take_failing_while_nothing_else_moved_still_fails_its_song(team, member):
    """Same job state, same progress: still news when one take failed."""
    task = submitted_task(team, member, "job-one-fails")
    running = [Clip(id=f"take-{n}", state=ClipState.RUNNING) for n in "ab"]
    tasks.apply_result(task.pk, JobResult("job-one-fails", JobState.RUNNING, running, progress=50))
    failed = [Clip(id="take-a", state=ClipState.FAILED, error="silence"), running[1]]
    tasks.apply_result(task.pk, JobResult("job-one-fails", JobState.RUNNING, failed, progress=50))
    states = dict(Song.objects.filter(task=task).values_list("upstream_id", "state"))
    assert states == {"take-a": SongState.FAILED, "take-b": SongState.RUNNING}


def test_a_failed_clip_never_comes_back_on_a_stale_answer(team, member):
    task = submitted_task(team, member, "job-stale")
    failed = Clip(id="stale-clip", state=ClipState.FAILED, error="boom")
    tasks.apply_result(task.pk, JobResult("job-stale", JobState.RUNNING, [failed], progress=50))
    for state in (ClipState.RUNNING, ClipState.PENDING):
        stale = Clip(id="stale-clip", state=state)
        tasks.apply_result(task.pk, JobResult("job-stale", JobState.RUNNING, [stale], progress=60))
    assert Song.objects.get(upstream_id="stale-clip").state == SongState.FAILED


def test_a_stored_song_never_turns_failed_on_a_later_answer(team, member):
    """The other take is still being made; a glitching answer calls this one failed after its
    file was stored. The song is in the library: it stays there as made."""
    task = submitted_task(team, member, "job-kept")
    made = Clip(id="kept-clip", state=ClipState.SUCCEEDED, audio_url="https://x.example/k.mp3")
    other = Clip(id="other-clip", state=ClipState.RUNNING)
    tasks.apply_result(task.pk, JobResult("job-kept", JobState.RUNNING, [made, other], progress=50))
    song = Song.objects.get(upstream_id="kept-clip")
    song.audio_file.save("kept.mp3", ContentFile(mp3_frames(0.3)), save=False)
    Song.objects.filter(pk=song.pk).update(state=SongState.SUCCEEDED, audio_file=song.audio_file)

    glitch = Clip(id="kept-clip", state=ClipState.FAILED, error="boom")
    tasks.apply_result(
        task.pk, JobResult("job-kept", JobState.RUNNING, [glitch, other], progress=60)
    )

    song.refresh_from_db()
    assert (song.state, song.error_message) == (SongState.SUCCEEDED, "")


def test_a_failed_song_whose_file_is_stored_is_made_after_all(team, member):
    """A song failed with its task (no answer in time) though its file was already stored:
    a late answer saying it was made brings it back as it is, without a second download."""
    task = submitted_task(team, member, "job-back")
    song = SongFactory(team=team, task=task, upstream_id="back-clip", state=SongState.FAILED)
    song.audio_file.save("back.mp3", ContentFile(mp3_frames(0.3)))
    tasks.fail(task.pk, "No answer in time.", code="deadline", late=True)
    made = Clip(id="back-clip", state=ClipState.SUCCEEDED, audio_url="https://x.example/b.mp3")
    tasks.apply_result(task.pk, JobResult("job-back", JobState.SUCCEEDED, [made]))
    song.refresh_from_db()
    assert (song.state, song.archive_due_at) == (SongState.SUCCEEDED, None)


def test_the_providers_latest_answer_is_kept_on_the_task(team, member):
    """The admin reads what the provider last said; an answer without a body keeps it."""
    task = submitted_task(team, member, "job-answers")
    running = {"status": "running", "progress": 10}
    clip = Clip(id="answer-clip", state=ClipState.RUNNING)
    tasks.apply_result(
        task.pk, JobResult("job-answers", JobState.RUNNING, [clip], progress=10, raw=running)
    )
    assert Task.objects.get(pk=task.pk).response == running
    made = Clip(id="answer-clip", state=ClipState.SUCCEEDED, audio_url="https://x.example/a")
    tasks.apply_result(task.pk, JobResult("job-answers", JobState.SUCCEEDED, [made]))
    task.refresh_from_db()
    assert (task.state, task.response) == (TaskState.SUCCEEDED, running)


def test_a_song_is_titled_as_asked_until_the_provider_names_it_and_keeps_that_name(team, member):
    task = submitted_task(team, member, "job-names", title="Asked title")
    answers = (("", "Asked title"), ("Coastal Line", "Coastal Line"), ("", "Coastal Line"))
    for progress, (title, expected) in enumerate(answers, start=1):
        clip = Clip(id="named-clip", state=ClipState.RUNNING, title=title)
        result = JobResult("job-names", JobState.RUNNING, [clip], progress=progress * 10)
        tasks.apply_result(task.pk, result)
        assert Song.objects.get(upstream_id="named-clip").title == expected


def test_a_later_answer_that_leaves_out_the_words_style_and_model_keeps_them(team, member):
    task = submitted_task(team, member, "job-words", title="", style="", model="")
    full = Clip(
        id="words-clip",
        state=ClipState.RUNNING,
        lyric="[Verse]\nSalt wind",
        style="sea shanty",
        model="chirp-v4-5",
    )
    bare = Clip(id="words-clip", state=ClipState.RUNNING)
    for progress, clip in ((10, full), (20, bare)):
        result = JobResult("job-words", JobState.RUNNING, [clip], progress=progress)
        tasks.apply_result(task.pk, result)
        song = Song.objects.get(upstream_id="words-clip")
        assert (song.lyric, song.style, song.model_name) == (
            "[Verse]\nSalt wind",
            "sea shanty",
            "chirp-v4-5",
        )


def test_a_song_named_like_a_stem_is_a_stem_only_when_a_split_made_it(team, member):
    task = submitted_task(team, member, "job-stemlike")
    clip = Clip(id="stemlike-clip", state=ClipState.RUNNING, title="Harbour (Vocals)")
    tasks.apply_result(task.pk, JobResult("job-stemlike", JobState.RUNNING, [clip], progress=5))
    assert Song.objects.get(upstream_id="stemlike-clip").stem_type == ""
    split = submitted_task(team, member, "job-split-stems", action="all_stems")
    part = Clip(id="part-clip", state=ClipState.RUNNING, title="Harbour (Vocals)")
    tasks.apply_result(split.pk, JobResult("job-split-stems", JobState.RUNNING, [part], progress=5))
    assert Song.objects.get(upstream_id="part-clip").stem_type == "vocals"
    # A later answer naming it otherwise does not make it another part.
    renamed = Clip(id="part-clip", state=ClipState.RUNNING, title="Harbour (Bass)")
    tasks.apply_result(
        split.pk, JobResult("job-split-stems", JobState.RUNNING, [renamed], progress=9)
    )
    assert Song.objects.get(upstream_id="part-clip").stem_type == "vocals"


def test_a_failure_says_nothing_was_charged_only_when_the_provider_took_nothing(team, member):
    """A job that went quiet may have been paid for: never tell the musician otherwise."""
    quiet = submitted_task(team, member, "job-quiet-money")
    song = SongFactory(team=team, task=quiet, state=SongState.RUNNING)
    tasks.fail(quiet.pk, "No answer in time.", code="deadline", late=True)
    quiet.refresh_from_db()
    song.refresh_from_db()
    assert quiet.error_message == song.error_message == "No answer in time."
    refused = submitted_task(team, member, "job-refused-money")
    tasks.fail(refused.pk, "Refused.", code="bad_request", not_charged=True)
    refused.refresh_from_db()
    assert refused.error_message == "Refused. Nothing was charged; you can try again."


def test_a_success_naming_only_clips_already_stored_still_ends_the_task(team, member):
    """Providers mark clips done before the job, and their files may be stored by then; the
    job's own success changes only the job's state (no progress, the same clips): still news."""
    task = submitted_task(team, member, "job-done-late")
    clips = [
        Clip(id=f"early-{n}", state=ClipState.SUCCEEDED, audio_url=f"https://x.example/{n}")
        for n in "ab"
    ]
    tasks.apply_result(task.pk, JobResult("job-done-late", JobState.RUNNING, clips, progress=80))
    Song.objects.filter(task=task).update(state=SongState.SUCCEEDED)  # their files stored
    tasks.apply_result(task.pk, JobResult("job-done-late", JobState.SUCCEEDED, clips))
    task.refresh_from_db()
    assert (task.state, task.progress) == (TaskState.SUCCEEDED, 100)


def test_an_unconfirmed_task_the_provider_lists_as_waiting_is_confirmed(team, member):
    """Its send ended unclear; an answer saying the job waits its turn means it was taken."""
    task = submitted_task(team, member, "job-unclear")
    Task.objects.filter(pk=task.pk).update(state=TaskState.UNCONFIRMED)
    waiting = Clip(id="unclear-clip", state=ClipState.PENDING)
    tasks.apply_result(task.pk, JobResult("job-unclear", JobState.PENDING, [waiting]))
    assert Task.objects.get(pk=task.pk).state == TaskState.SUBMITTED


def test_only_a_plain_upload_keeps_the_name_it_was_given(team, member):
    """A cover of an upload is a new song: it takes the provider's title, as other songs do."""
    for action, expected in (("upload", "my-take.wav"), ("upload_cover", "Harbour Lights")):
        task = submitted_task(team, member, f"job-{action}", action=action, title="my-take.wav")
        clip = Clip(id=f"clip-{action}", state=ClipState.RUNNING, title="Harbour Lights")
        tasks.apply_result(
            task.pk, JobResult(f"job-{action}", JobState.RUNNING, [clip], progress=5)
        )
        assert Song.objects.get(upstream_id=f"clip-{action}").title == expected


def test_a_late_answer_is_kept_as_the_tasks_answer(team, member):
    """The provider's own words stay on the task for the admin, whichever way it ended."""
    made = Clip(id="late-clip", state=ClipState.SUCCEEDED, audio_url="https://x.example/l.mp3")
    for job, result in (
        ("job-late-ok", JobResult("job-late-ok", JobState.SUCCEEDED, [made], raw={"s": "ok"})),
        ("job-late-no", JobResult("job-late-no", JobState.FAILED, error="x", raw={"s": "no"})),
    ):
        task = submitted_task(team, member, job)
        Task.objects.filter(pk=task.pk).update(response={"status": "running"})
        tasks.fail(task.pk, "No answer in time.", code="deadline", late=True)
        tasks.apply_result(task.pk, result)
        task.refresh_from_db()
        assert task.response == result.raw
        assert task.progress == (100 if result.state == JobState.SUCCEEDED else 0)
    # An answer without a body of its own leaves the last one in place.
    quiet = submitted_task(team, member, "job-late-quiet")
    Task.objects.filter(pk=quiet.pk).update(response={"status": "running"})
    tasks.fail(quiet.pk, "No answer in time.", code="deadline", late=True)
    tasks.apply_result(quiet.pk, JobResult("job-late-quiet", JobState.FAILED, error="x"))
    assert Task.objects.get(pk=quiet.pk).response == {"status": "running"}


def test_a_song_without_words_of_its_own_keeps_the_prompt_it_was_asked_with(team, member):
    task = submitted_task(team, member, "job-prompt")
    clip = Clip(id="prompt-clip", state=ClipState.RUNNING)
    tasks.apply_result(task.pk, JobResult("job-prompt", JobState.RUNNING, [clip], progress=5))
    assert Song.objects.get(upstream_id="prompt-clip").prompt == GENERATE["prompt"]


def test_an_extension_is_joined_only_when_the_team_asked_for_it(team, member, simulator):
    """A join is a paid job: never started unless asked (`auto_concat`)."""
    song = make_song(team, member)
    membership = member.memberships.get(team=team)
    words = {"lyric": "[Verse]\nOn and on", "style": "pop", "model": "chirp-v4"}
    actions.extend(membership, song, words, continue_at=2)
    run_queued()
    assert Song.objects.filter(relation=Relation.EXTENDED, state=SongState.SUCCEEDED).exists()
    assert not Task.objects.filter(action="concat").exists()


def test_a_clip_still_being_made_is_not_sent_to_the_archive(team, member):
    task = submitted_task(team, member, "job-early")
    for state in (ClipState.PENDING, ClipState.RUNNING):
        clip = Clip(id="early-clip", state=state, audio_url="https://cdn1.suno.ai/early.mp3")
        tasks.apply_result(task.pk, JobResult("job-early", JobState.RUNNING, [clip], progress=9))
        song = Song.objects.get(upstream_id="early-clip")
        assert (song.state, song.archive_due_at) == (state.value, None)


def test_a_relay_song_counts_as_pro_made(team, member):
    """A relay has no pools: its songs may take what needs the Pro pool (WAV, stems)."""
    task = submitted_task(team, member, "job-relay")
    Task.objects.filter(pk=task.pk).update(provider="relay")
    clip = Clip(id="relay-clip", state=ClipState.RUNNING)
    tasks.apply_result(task.pk, JobResult("job-relay", JobState.RUNNING, [clip], progress=5))
    assert Song.objects.get(upstream_id="relay-clip").is_pro


@pytest.mark.parametrize(("theirs", "ours"), [("sunohub", "relay"), ("relay", "sunohub")])
def test_a_clip_id_another_provider_already_uses_still_makes_this_tasks_song(
    team, member, theirs, ours
):
    """Songs are told apart by provider and clip id: another provider's song of the same id
    is not this task's song, and does not make the answer look already applied."""
    SongFactory(team=team, provider=theirs, upstream_id="shared-id", state=SongState.RUNNING)
    task = submitted_task(team, member, "job-shared")
    Task.objects.filter(pk=task.pk).update(state=TaskState.RUNNING, provider=ours)
    task.refresh_from_db()
    clip = Clip(id="shared-id", state=ClipState.RUNNING, title="Ours")
    running = JobResult("job-shared", JobState.RUNNING, [clip], progress=task.progress)
    tasks.apply_result(task.pk, running)
    ours = Song.objects.get(task=task)
    assert (ours.provider, ours.upstream_id, ours.title) == (task.provider, "shared-id", "Ours")


def test_a_song_takes_the_providers_title_and_an_upload_its_files_name(team, member):
    asked = submitted_task(team, member, "job-title", title="Asked title")
    clip = Clip(id="title-clip", state=ClipState.RUNNING, title="The provider's title")
    tasks.apply_result(asked.pk, JobResult("job-title", JobState.RUNNING, [clip], progress=5))
    assert Song.objects.get(upstream_id="title-clip").title == "The provider's title"
    upload = submitted_task(
        team,
        member,
        "job-up-title",
        action="upload",
        audio_url="https://x.example/a",
        title="Demo 3",
    )
    made = Clip(id="up-title-clip", state=ClipState.RUNNING, title="up-4f1c")
    tasks.apply_result(upload.pk, JobResult("job-up-title", JobState.RUNNING, [made], progress=5))
    assert Song.objects.get(upstream_id="up-title-clip").title == "Demo 3"


def test_a_replacement_is_joined_only_once_it_succeeded(team, member):
    """`auto_concat` joins the new section when the job is done, not while a take is saving,
    and never after the job failed (a join is paid)."""
    source = SongFactory(team=team, upstream_id="source-clip", state=SongState.SUCCEEDED)
    params = {
        "audio_id": "source-clip",
        "auto_concat": True,
        "replace_section_result_mode": "candidates",
    }
    for job, ending in (("job-rs-run", JobState.RUNNING), ("job-rs-fail", JobState.FAILED)):
        task = submitted_task(
            team, member, job, action="replace_section", source_song=source, **params
        )
        saving = Clip(id=f"{job}-a", state=ClipState.SUCCEEDED, audio_url="https://x.example/a")
        tasks.apply_result(task.pk, JobResult(job, ending, [saving], progress=70, error="x"))
        # A made take is there to join (saving, or kept without its refused file).
        made = Song.objects.get(upstream_id=f"{job}-a").state
        assert made in (SongState.SAVING, SongState.SUCCEEDED)
    assert not Task.objects.filter(action="concat").exists()


def test_a_rework_is_pro_made_only_when_its_source_was_or_it_was_asked(team, member):
    pro, plain = (
        SongFactory(team=team, upstream_id=f"{name}-src", is_pro=flag, state=SongState.SUCCEEDED)
        for name, flag in (("pro", True), ("plain", False))
    )
    cases = [
        ("concat", plain, {}, False),  # the same audio, joined: as its source
        ("concat", pro, {}, True),
        ("cover", pro, {"is_pro": False}, False),  # new audio: as it was asked
        ("cover", plain, {"is_pro": True}, True),
    ]
    for n, (action, parent, extra, expected) in enumerate(cases):
        task = submitted_task(
            team,
            member,
            f"job-pro-{n}",
            action=action,
            source_song=parent,
            audio_id=parent.upstream_id,
            **extra,
        )
        clip = Clip(id=f"pro-clip-{n}", state=ClipState.RUNNING)
        tasks.apply_result(task.pk, JobResult(f"job-pro-{n}", JobState.RUNNING, [clip], progress=5))
        assert Song.objects.get(upstream_id=f"pro-clip-{n}").is_pro is expected, (action, extra)


def test_a_made_clips_archive_job_is_due_again_only_after_its_lease(team, member, monkeypatch):
    """The job is queued with the row: re-sent by the sweep only if it has not run by then.
    (The queue is held here, as a busy one would be: the job has not run yet.)"""
    from music.services.tasks import archiving, timing

    queued = []
    monkeypatch.setattr(archiving, "enqueue", queued.extend)
    task = submitted_task(team, member, "job-lease")
    done = Clip(id="lease-clip", state=ClipState.SUCCEEDED, audio_url="https://x.example/a")
    before = timezone.now()
    tasks.apply_result(task.pk, JobResult("job-lease", JobState.RUNNING, [done], progress=90))
    song = Song.objects.get(upstream_id="lease-clip")
    assert song.state == SongState.SAVING
    assert before + timing.ARCHIVE_QUEUE_LEASE <= song.archive_due_at
    assert song.archive_due_at <= timezone.now() + timing.ARCHIVE_QUEUE_LEASE
    assert queued == [song.pk]
    assert archiving.dispatch_due() == 0  # not sent twice
    assert queued == [song.pk]


def test_a_song_already_saving_is_not_sent_to_the_archive_again_by_later_answers(
    team, member, monkeypatch
):
    """Each poll repeats "made" until the job ends: one archive job, its retries kept."""
    from music.services.tasks import archiving

    queued = []
    monkeypatch.setattr(archiving, "enqueue", queued.extend)
    task = submitted_task(team, member, "job-saving")
    done = Clip(id="saving-clip", state=ClipState.SUCCEEDED, audio_url="https://x.example/s")
    tasks.apply_result(task.pk, JobResult("job-saving", JobState.RUNNING, [done], progress=90))
    song = Song.objects.get(upstream_id="saving-clip")
    retrying = timezone.now() + timedelta(seconds=30)
    Song.objects.filter(pk=song.pk).update(archive_attempts=2, archive_due_at=retrying)

    tasks.apply_result(task.pk, JobResult("job-saving", JobState.RUNNING, [done], progress=95))

    song.refresh_from_db()
    assert (song.state, song.archive_attempts, song.archive_due_at) == (
        SongState.SAVING,
        2,
        retrying,
    )
    assert queued == [song.pk]


def test_a_failure_keeps_the_providers_answer_when_it_has_one(team, member):
    answered = submitted_task(team, member, "job-raw")
    tasks.fail(answered.pk, "Refused.", code="bad_request", raw={"error": "lyrics refused"})
    assert Task.objects.get(pk=answered.pk).response == {"error": "lyrics refused"}
    quiet = submitted_task(team, member, "job-no-raw")
    Task.objects.filter(pk=quiet.pk).update(response={"status": "running"})
    tasks.fail(quiet.pk, "No answer in time.", code="deadline")
    assert Task.objects.get(pk=quiet.pk).response == {"status": "running"}


def test_a_replacement_asked_to_join_is_joined_once_as_an_infill(team, member):
    source = SongFactory(team=team, upstream_id="join-src", state=SongState.SUCCEEDED)
    task = submitted_task(
        team,
        member,
        "job-join",
        action="replace_section",
        source_song=source,
        audio_id="join-src",
        auto_concat=True,
    )
    takes = [
        Clip(id=f"join-{n}", state=ClipState.SUCCEEDED, audio_url="https://x.example/a")
        for n in "ab"
    ]
    for _ in range(2):  # a repeated answer joins nothing more
        tasks.apply_result(task.pk, JobResult("job-join", JobState.SUCCEEDED, takes))
    (joined,) = Task.objects.filter(action="concat")
    assert joined.params == {"action": "concat", "audio_id": "join-a", "is_infill": True}
    assert joined.source_song.upstream_id == "join-a"


def test_two_takes_are_lettered_and_a_single_one_is_not(team, member):
    pair = submitted_task(team, member, "job-pair")
    clips = [Clip(id=f"pair-{n}", state=ClipState.RUNNING) for n in "ab"]
    tasks.apply_result(pair.pk, JobResult("job-pair", JobState.RUNNING, clips, progress=5))
    single = submitted_task(team, member, "job-single")
    alone = [Clip(id="single", state=ClipState.RUNNING)]
    tasks.apply_result(single.pk, JobResult("job-single", JobState.RUNNING, alone, progress=5))
    takes = dict(Song.objects.values_list("upstream_id", "take"))
    assert takes == {"pair-a": 1, "pair-b": 2, "single": 0}
    # One job's takes keep the provider's order wherever songs are sorted by time.
    in_time = Song.objects.filter(task=pair).order_by("created_at")
    assert [s.upstream_id for s in in_time] == ["pair-a", "pair-b"]


def test_a_clips_own_prompt_is_kept(team, member):
    task = submitted_task(team, member, "job-own-prompt")
    clip = Clip(id="own-prompt", state=ClipState.RUNNING, prompt="The provider's words")
    tasks.apply_result(task.pk, JobResult("job-own-prompt", JobState.RUNNING, [clip], progress=5))
    assert Song.objects.get(upstream_id="own-prompt").prompt == "The provider's words"
