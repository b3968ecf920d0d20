"""Jobs a provider has lost, and how the provider's words and ours are put together."""

from datetime import timedelta

import pytest
from django.utils import timezone, translation

from music.models import ProviderAccount, SongState, Task, TaskState
from music.services import tasks
from music.services.tasks import timing
from music.services.tasks.applying import sentence
from tests.helpers import finish_all_tasks

GENERATE = {"action": "generate", "prompt": "a song that goes missing", "model": "chirp-v4"}


@pytest.fixture(params=["builtin", "relay"])
def lost(request, team, member, run_on_commit):
    """A task whose job the provider no longer knows (its id points nowhere)."""
    account = None
    if request.param == "relay":
        account = ProviderAccount.objects.create(
            team=team, name="r", format="relay", base_url="http://simulator.local", is_default=True
        )
    task = run_on_commit(
        tasks.start_task, team=team, user=member, action="generate", params=GENERATE
    )
    task.refresh_from_db()
    assert task.state == TaskState.SUBMITTED and task.account == account
    real_id = task.upstream_id
    Task.objects.filter(pk=task.pk).update(upstream_id="gone-" + real_id[:20])
    return task, real_id


def look(times=1):
    for _ in range(times):
        Task.objects.update(next_poll_at=timezone.now())
        tasks.poll_due()


def test_a_lost_job_fails_after_a_few_answers_over_a_minute_and_lands_if_it_turns_up(lost):
    task, real_id = lost
    look(3)
    task.refresh_from_db()
    # Three "not found" answers in a few seconds: could be a lagging replica, keep asking.
    assert task.state == TaskState.SUBMITTED and task.missing_polls == 3
    assert task.error_message == "The provider does not list this job (yet); checking again."
    Task.objects.filter(pk=task.pk).update(missing_since=timezone.now() - timedelta(minutes=2))
    look()
    task.refresh_from_db()
    assert task.state == TaskState.FAILED and task.error_code == "lost"
    assert task.error_message.startswith("The provider says it has no such job.")
    assert "Check with the provider before trying again" in task.error_message
    assert task.late_until is not None  # still watched: a late appearance lands
    before = timezone.now()
    look()  # still missing: from now on it is looked at slowly, not at every pass
    after = timezone.now()
    task.refresh_from_db()
    assert before + timing.late_poll() <= task.next_poll_at <= after + timing.late_poll()

    Task.objects.filter(pk=task.pk).update(upstream_id=real_id)
    look()
    task.refresh_from_db()
    assert task.state == TaskState.SUCCEEDED
    assert task.songs.filter(state=SongState.SUCCEEDED).count() == 2


def test_the_third_missing_answer_over_a_minute_is_the_one_that_fails_it(lost):
    task, _ = lost
    look(2)
    Task.objects.filter(pk=task.pk).update(missing_since=timezone.now() - timedelta(minutes=2))
    look()  # the third answer without the job, two minutes after the first
    task.refresh_from_db()
    assert (task.state, task.error_code, task.missing_polls) == (TaskState.FAILED, "lost", 3)


def test_a_failed_check_of_a_failed_task_keeps_why_it_failed(lost, simulator):
    task, _ = lost
    look(3)
    Task.objects.filter(pk=task.pk).update(missing_since=timezone.now() - timedelta(minutes=2))
    look()
    task.refresh_from_db()
    assert task.error_code == "lost"
    reason = task.error_message
    simulator.faults.next_errors.append((500, "api_error", "Database is down"))
    look()  # the slow watch's check fails: the failure's reason is still what the user reads
    task.refresh_from_db()
    assert (task.state, task.error_message) == (TaskState.FAILED, reason)


def test_an_answer_with_the_job_starts_the_count_again(lost):
    task, real_id = lost
    look(2)
    Task.objects.filter(pk=task.pk).update(upstream_id=real_id)
    look()
    task.refresh_from_db()
    assert (task.state, task.missing_polls, task.missing_since) == (TaskState.SUCCEEDED, 0, None)
    assert task.error_message == ""


def test_a_failed_check_is_not_a_missing_job(lost, simulator):
    task, _ = lost
    simulator.faults.next_errors.extend([(500, "api_error", "down")] * 5)
    look(4)
    task.refresh_from_db()
    assert task.state == TaskState.SUBMITTED and task.missing_polls == 0


def test_an_unconfirmed_task_is_reconciled_not_counted(team, member, run_on_commit, simulator):
    simulator.faults.after_errors.append((500, "api_error", "Internal error."))
    task = run_on_commit(
        tasks.start_task, team=team, user=member, action="generate", params=GENERATE
    )
    task.refresh_from_db()
    assert task.state == TaskState.UNCONFIRMED
    Task.objects.filter(pk=task.pk).update(missing_since=timezone.now() - timedelta(hours=1))
    look(4)
    task.refresh_from_db()
    # Found in the provider's task listing by reconciliation, then finished.
    assert task.state == TaskState.SUCCEEDED and task.missing_polls == 0


# --- the provider's words, then ours --------------------------------------------------------
@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("invalid token", "invalid token."),
        ("Invalid token.", "Invalid token."),
        ("Slow down!", "Slow down!"),
        ("Could not reach it (ConnectError)", "Could not reach it (ConnectError)."),
        ("“Done.”", "“Done.”"),
        ("令牌无效", "令牌无效。"),
        ("额度不足。", "额度不足。"),
        ("  ", ""),
    ],
)
def test_a_providers_message_is_made_a_sentence(message, expected):
    assert sentence(message) == expected


def test_a_refusal_without_a_full_stop_reads_as_two_sentences(
    team, member, run_on_commit, simulator
):
    simulator.faults.next_errors.append((401, "invalid_token", "invalid token"))
    task = run_on_commit(
        tasks.start_task, team=team, user=member, action="generate", params=GENERATE
    )
    task.refresh_from_db()
    assert task.error_message == (
        "The provider answered with an error (HTTP 401). Nothing was charged; you can try "
        "again. Details: “invalid token”."
    )


@pytest.mark.parametrize(
    "worker, reader, expected",
    [
        ("en", "zh-hans", "服务商返回了错误（HTTP 401）。未扣费，可以重试。"),
        (
            "zh-hans",
            "en",
            "The provider answered with an error (HTTP 401). Nothing was charged; you can "
            "try again.",
        ),
    ],
)
def test_a_failure_reads_in_the_readers_language_with_the_providers_words_apart(
    team, member, run_on_commit, simulator, worker, reader, expected
):
    """The queue worker's language (LANGUAGE_CODE) is nobody's: the reason is stored
    untranslated and read in the reader's; the provider's words stay as they were said."""
    simulator.faults.next_errors.append((401, "invalid_token", "invalid token"))
    with translation.override(worker):
        task = run_on_commit(
            tasks.start_task, team=team, user=member, action="generate", params=GENERATE
        )
    task.refresh_from_db()
    with translation.override(reader):
        assert task.error.message == expected
        assert task.error.details == "invalid token"
    # The admin's text is English whoever failed it.
    assert task.error_message.startswith("The provider answered with an error (HTTP 401).")
    event = task.events.get(state="failed")
    with translation.override(reader):
        assert event.note_text.startswith(expected)


def test_an_unclear_answer_without_a_full_stop_reads_as_two_sentences(
    team, member, run_on_commit, simulator
):
    simulator.faults.after_errors.append((502, "bad_gateway", "upstream hiccup"))
    task = run_on_commit(
        tasks.start_task, team=team, user=member, action="generate", params=GENERATE
    )
    task.refresh_from_db()
    assert task.error_message.startswith(
        "The provider answered with an error (HTTP 502). The provider may have received"
    )
    finish_all_tasks()
