"""The real django-q2 broker (ORM by default, Redis when REDIS_URL is set) carries our work."""

import importlib

import pytest
from django.conf import settings
from django_q.brokers import get_broker
from django_q.conf import Conf
from django_q.signing import SignedPackage

from music.models import Task, TaskState
from music.services import tasks


@pytest.fixture
def broker(db, monkeypatch):
    monkeypatch.setattr(Conf, "SYNC", False)
    broker = get_broker()
    broker.purge_queue()
    yield broker
    broker.purge_queue()


def run_message(payload):
    """What a worker does with one message."""
    package = SignedPackage.loads(payload)
    module, name = package["func"].rsplit(".", 1)
    getattr(importlib.import_module(module), name)(*package["args"], **package["kwargs"])


def test_the_configured_broker_is_the_one_in_use(broker):
    expected = "Redis" if settings.REDIS_URL else "ORM"
    assert type(broker).__name__ == expected


def test_a_submit_travels_through_the_broker_and_a_redelivery_pays_nothing(
    broker, team, member, run_on_commit, simulator
):
    task = run_on_commit(
        tasks.start_task,
        team=team,
        user=member,
        action="generate",
        params={"action": "generate", "prompt": "queue", "model": "chirp-v4"},
    )
    assert Task.objects.get(pk=task.pk).state == TaskState.QUEUED
    assert simulator.requests == []  # nothing is sent before a worker takes the message

    messages = broker.dequeue()
    assert len(messages) == 1
    ack_id, payload = messages[0]
    run_message(payload)
    run_message(payload)  # at-least-once delivery: the same message again
    broker.acknowledge(ack_id)

    task.refresh_from_db()
    assert task.state == TaskState.SUBMITTED
    assert simulator.requests.count(("POST", "/suno/audios")) == 1


def test_nothing_is_queued_when_the_transaction_rolls_back(
    broker, team, member, simulator, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        tasks.start_task(
            team=team,
            user=member,
            action="generate",
            params={"action": "generate", "prompt": "x", "model": "chirp-v4"},
        )
    # The request's transaction never committed, so the hooks never run.
    assert len(callbacks) == 1
    assert not broker.dequeue()


def test_run_studio_notices_a_cluster_that_takes_no_work(broker):
    from datetime import timedelta

    from django.utils import timezone
    from django_q.models import Success
    from django_q.tasks import async_task

    from music.management.commands.run_studio import QueueWatch

    watch = QueueWatch()
    assert not watch.wedged()  # nothing waiting
    async_task("music.tasks.tick")
    assert not watch.wedged()  # waiting, but the cluster only just started
    watch.started -= Conf.TIMEOUT + 60
    assert watch.wedged()  # waiting longer than any job may run, and nothing finished

    now = timezone.now()
    Success.objects.create(
        id="0" * 32,
        name="recent",
        func="music.tasks.tick",
        started=now - timedelta(seconds=1),
        stopped=now,
        success=True,
    )
    assert not watch.wedged()  # a job just finished: busy, not stuck
