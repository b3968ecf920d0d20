"""Lists remembered per team version (music/services/remembered.py)."""

from django.urls import reverse

from music.models import TaskState
from music.services.remembered import remembered
from tests.factories import TaskFactory


def test_the_same_version_computes_once_and_a_new_version_again():
    calls = []

    def compute():
        calls.append(1)
        return len(calls)

    assert remembered(1, 7, ("k",), compute) == 1
    assert remembered(1, 7, ("k",), compute) == 1
    assert remembered(1, 8, ("k",), compute) == 2
    assert remembered(2, 8, ("k",), compute) == 3  # another team
    assert remembered(1, 8, ("other",), compute) == 4


def test_without_a_version_nothing_is_remembered():
    assert remembered(1, 0, ("k",), lambda: [1]) is not remembered(1, 0, ("k",), lambda: [1])


def test_the_library_shows_a_new_failure_at_once(member_client, team, member):
    """A task failing changes the team's version, so the remembered failure cards are not
    shown again: the card is there on the next look."""
    url = reverse("music:library")
    first = member_client.get(url).content.decode()
    assert 'id="failed-jobs"' not in first
    task = TaskFactory(team=team, created_by=member, state=TaskState.RUNNING, upstream_id="j1")
    task.state = TaskState.FAILED
    task.error_message = "Upstream refused the lyrics"
    task.save()
    assert 'id="failed-jobs"' in member_client.get(url).content.decode()
