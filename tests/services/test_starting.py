"""Starting a task: the same form, or a once-per-song action, at the same moment pays once.

`start_task` looks for an existing task, then inserts. When another request inserts in
between, the database's unique index refuses the second row and `start_task` returns the
other request's task. These tests make that interleaving happen for real: a hook on the
connection runs the other request's insert right after the look-up, or two threads on
PostgreSQL, each on its own connection, are held at a barrier until both have looked.
"""

import threading
from datetime import timedelta

import pytest
from django.db import connection, connections
from django.utils import timezone

from music.models import ProviderAccount, Task, TaskState
from music.services import tasks
from tests.factories import SongFactory, TaskFactory

GENERATE = {"action": "generate", "prompt": "a race to the same song", "model": "chirp-v4"}


def is_task_lookup(sql):
    return sql.lstrip().upper().startswith("SELECT") and '"music_task"' in sql


def after_first_lookup(action):
    """A connection hook that runs `action` once, right after the first look-up of tasks."""
    done = []

    def hook(execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        if not done and is_task_lookup(sql):
            done.append(True)  # before acting: the action's own queries pass through here
            action()
        return result

    return hook, done


def paid_calls(simulator):
    return [r for r in simulator.requests if r == ("POST", "/suno/audios")]


def test_the_same_form_inserted_in_between_returns_the_other_task(
    team, member, simulator, django_capture_on_commit_callbacks
):
    other = {}

    def other_request_inserts():
        other["task"] = TaskFactory(
            team=team,
            created_by=member,
            state=TaskState.QUEUED,
            params=GENERATE,
            request_key="race-key",
        )

    hook, looked = after_first_lookup(other_request_inserts)
    with django_capture_on_commit_callbacks() as callbacks, connection.execute_wrapper(hook):
        task = tasks.start_task(
            team=team, user=member, action="generate", params=GENERATE, request_key="race-key"
        )
    assert looked, "the look-up for an existing task did not run"
    assert task.pk == other["task"].pk
    assert Task.objects.count() == 1
    assert callbacks == []  # the refused insert queued nothing: the other request sends it


def test_a_once_per_song_action_inserted_in_between_returns_the_other_task(
    team, member, django_capture_on_commit_callbacks
):
    song = SongFactory(team=team)
    stems = {"action": "stems"}
    other = {}

    def other_member_clicks():
        other["task"] = TaskFactory(
            team=team,
            created_by=member,
            state=TaskState.QUEUED,
            action="stems",
            params=stems,
            source_song=song,
        )

    hook, looked = after_first_lookup(other_member_clicks)
    with django_capture_on_commit_callbacks() as callbacks, connection.execute_wrapper(hook):
        task = tasks.start_task(
            team=team, user=member, action="stems", params=stems, source_song=song
        )
    assert looked
    assert task.pk == other["task"].pk
    assert Task.objects.filter(action="stems").count() == 1
    assert callbacks == []


@pytest.mark.django_db(transaction=True)
def test_two_requests_racing_on_postgresql_pay_once(simulator):
    """Two threads, two connections: both look (nothing there), then both insert."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite locks the whole database: two writers cannot race an insert")
    from tests.factories import MembershipFactory

    membership = MembershipFactory(role="member")
    team, user = membership.team, membership.user
    both_looked = threading.Barrier(2, timeout=10)
    results, errors = [], []

    def wait_for_the_other(execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        if is_task_lookup(sql) and not getattr(local, "waited", False):
            local.waited = True
            both_looked.wait()
        return result

    local = threading.local()

    def request():
        try:
            with connection.execute_wrapper(wait_for_the_other):
                results.append(
                    tasks.start_task(
                        team=team,
                        user=user,
                        action="generate",
                        params=GENERATE,
                        request_key="race-key",
                    )
                )
        except Exception as error:  # reported below, with the thread's own traceback
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=request) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not errors, errors
    assert len(results) == 2
    assert results[0].pk == results[1].pk
    assert Task.objects.filter(team=team).count() == 1
    assert len(paid_calls(simulator)) == 1  # the winner's commit sent it; the loser sent nothing


# --- One request, one row, one message: what start_task promises when nothing races. ---


def make_account(team, name, **fields):
    return ProviderAccount.objects.create(team=team, name=name, format="relay", **fields)


def test_a_request_is_one_queued_row_sent_once_after_commit(
    team, member, simulator, settings, django_capture_on_commit_callbacks
):
    settings.SUNO_TASK_DEADLINE_MINUTES = 7
    with django_capture_on_commit_callbacks() as callbacks:
        task = tasks.start_task(
            team=team, user=member, action="generate", params=GENERATE, request_key="form-1"
        )
    task.refresh_from_db()
    assert (task.team, task.created_by, task.action, task.params) == (
        team,
        member,
        "generate",
        GENERATE,
    )
    assert (task.state, task.provider, task.account, task.request_key) == (
        TaskState.QUEUED,
        "sunohub",
        None,
        "form-1",
    )
    # The sweep ends it unsent past this: the deadline is the setting's, counted from now.
    assert task.deadline_at - task.created_at == timedelta(minutes=7)
    assert abs(task.created_at - timezone.now()) < timedelta(minutes=1)
    assert list(task.events.values_list("state", flat=True)) == [TaskState.QUEUED]
    assert paid_calls(simulator) == []  # nothing is sent before the transaction commits
    assert len(callbacks) == 1
    callbacks[0]()
    assert len(paid_calls(simulator)) == 1
    task.refresh_from_db()
    assert task.state != TaskState.QUEUED


def test_the_same_form_posted_again_returns_the_first_task_and_pays_once(
    team, member, simulator, run_on_commit
):
    first = run_on_commit(
        tasks.start_task,
        team=team,
        user=member,
        action="generate",
        params=GENERATE,
        request_key="form-2",
    )
    again = run_on_commit(
        tasks.start_task,
        team=team,
        user=member,
        action="generate",
        params=GENERATE,
        request_key="form-2",
    )
    assert again.pk == first.pk
    assert Task.objects.count() == 1
    assert len(paid_calls(simulator)) == 1
    other = run_on_commit(
        tasks.start_task,
        team=team,
        user=member,
        action="generate",
        params=GENERATE,
        request_key="form-3",
    )
    assert other.pk != first.pk  # another form is another request
    without_key = [
        run_on_commit(tasks.start_task, team=team, user=member, action="generate", params=GENERATE)
        for _ in range(2)
    ]
    assert without_key[0].pk != without_key[1].pk  # no key: nothing to match, each one counts
    assert len(paid_calls(simulator)) == 4


def test_another_teams_form_key_is_not_this_teams_task(team, member, outsider):
    mine = tasks.start_task(
        team=team, user=member, action="generate", params=GENERATE, request_key="same-key"
    )
    theirs = tasks.start_task(
        team=outsider.memberships.get().team,
        user=outsider,
        action="generate",
        params=GENERATE,
        request_key="same-key",
    )
    assert theirs.pk != mine.pk
    assert theirs.team != team


def test_a_second_click_on_a_once_per_song_action_lands_on_the_active_task(team, member):
    song = SongFactory(team=team)
    stems = {"action": "stems"}
    first = tasks.start_task(team=team, user=member, action="stems", params=stems, source_song=song)
    again = tasks.start_task(team=team, user=member, action="stems", params=stems, source_song=song)
    assert again.pk == first.pk
    # Another once-per-song action on the same song is another request.
    wav = tasks.start_task(
        team=team, user=member, action="wav", params={"action": "wav"}, source_song=song
    )
    assert wav.pk != first.pk
    # Once the first has ended, asking again is a new (paid) request.
    Task.objects.filter(pk=first.pk).update(state=TaskState.SUCCEEDED)
    later = tasks.start_task(team=team, user=member, action="stems", params=stems, source_song=song)
    assert later.pk != first.pk


def test_actions_that_may_run_twice_on_a_song_are_not_merged(team, member):
    song = SongFactory(team=team)
    extend = {"action": "extend", "prompt": "more", "model": "chirp-v4"}
    first = tasks.start_task(
        team=team, user=member, action="extend", params=extend, source_song=song
    )
    second = tasks.start_task(
        team=team, user=member, action="extend", params=extend, source_song=song
    )
    assert first.pk != second.pk  # two extensions are two songs the member asked for


def test_work_on_a_song_goes_to_the_account_that_made_it(team, member):
    default = make_account(team, "Default", base_url="https://a.example.com", is_default=True)
    maker = make_account(team, "Maker", base_url="https://b.example.com")
    song = SongFactory(team=team, account=maker)
    task = tasks.start_task(
        team=team, user=member, action="stems", params={"action": "stems"}, source_song=song
    )
    assert task.account == maker  # its clip ids exist there only
    new = tasks.start_task(team=team, user=member, action="generate", params=GENERATE)
    assert new.account == default
    assert (new.provider, task.provider) == ("relay", "relay")


def test_without_a_default_account_new_songs_use_the_built_in_provider(team, member):
    make_account(team, "Not the default", base_url="https://a.example.com")
    task = tasks.start_task(team=team, user=member, action="generate", params=GENERATE)
    assert task.account is None
    assert tasks.default_account(team) is None


def test_a_chosen_account_is_used_as_given(team, member):
    make_account(team, "Default", base_url="https://a.example.com", is_default=True)
    task = tasks.start_task(
        team=team, user=member, action="generate", params=GENERATE, account=None
    )
    assert task.account is None  # the member chose the built-in provider
