"""Starting a task: the same form, or a once-per-song action, at the same moment pays once.

`start_task` looks for an existing task, then inserts. When another request inserts in
between, the database's unique index refuses the second row and `start_task` returns the
other request's task. These tests make that interleaving happen for real: a hook on the
connection runs the other request's insert right after the look-up, or two threads on
PostgreSQL, each on its own connection, are held at a barrier until both have looked.
"""

import threading

import pytest
from django.db import connection, connections

from music.models import Task, TaskState
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
