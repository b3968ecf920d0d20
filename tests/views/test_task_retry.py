"""“Try again” on a failed song's card (music/views/tasks.py task_retry): the way to the form
is found when it is pressed, within the team."""

from django.urls import reverse

from music.models import Action, TaskState
from tests.factories import SongFactory, TaskFactory


def url(task):
    return reverse("music:task_retry", args=[task.pk])


def test_leads_to_the_form_that_asked_filled_in(member_client, team):
    song = SongFactory(team=team)
    task = TaskFactory(team=team, action=Action.EXTEND, state=TaskState.FAILED, source_song=song)
    response = member_client.get(url(task))
    assert response.status_code == 302
    assert response.url == f"{reverse('music:extend', args=[song.pk])}?retry={task.pk}"


def test_a_task_nothing_can_ask_again_leads_to_its_page(member_client, team):
    task = TaskFactory(team=team, state=TaskState.SUCCEEDED)
    response = member_client.get(url(task))
    assert response.url == reverse("music:task", args=[task.pk])


def test_viewers_are_shown_the_task_not_the_form(client, viewer, team):
    task = TaskFactory(team=team, action=Action.GENERATE, state=TaskState.FAILED)
    client.force_login(viewer)
    assert client.get(url(task)).url == reverse("music:task", args=[task.pk])


def test_another_teams_task_is_not_found(member_client):
    task = TaskFactory(action=Action.GENERATE, state=TaskState.FAILED)
    assert member_client.get(url(task)).status_code == 404
