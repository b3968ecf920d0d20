from django.urls import reverse

from music.models import TaskState
from tests.factories import TaskFactory


def test_tasks_page_lists_the_teams_queue_with_failure_reasons(member_client, team, member):
    TaskFactory(
        team=team,
        created_by=member,
        state=TaskState.FAILED,
        error_message="Prompt likely copyrighted.",
    )
    TaskFactory(
        team=team, created_by=member, state=TaskState.RUNNING, progress=40, upstream_id="job-2"
    )
    TaskFactory(error_message="another team's problem")
    html = member_client.get(reverse("music:tasks")).content.decode()
    assert "Prompt likely copyrighted." in html
    assert 'value="40"' in html
    assert "another team" not in html
    assert 'hx-trigger="every 1s"' in html


def test_tasks_filter_by_state(member_client, team):
    TaskFactory(team=team, state=TaskState.FAILED)
    TaskFactory(team=team, state=TaskState.SUCCEEDED)
    page = member_client.get(reverse("music:tasks"), {"state": "failed"}).context["page"]
    assert [t.state for t in page] == [TaskState.FAILED]


def test_task_detail_shows_request_and_answer(member_client, team):
    task = TaskFactory(
        team=team,
        request_payload={"action": "generate", "prompt": "hello"},
        response={"task_id": "abc"},
    )
    html = member_client.get(reverse("music:task", args=[task.pk])).content.decode()
    assert "&quot;prompt&quot;: &quot;hello&quot;" in html
    assert "&quot;task_id&quot;: &quot;abc&quot;" in html


def test_outsiders_get_404_for_tasks(client, outsider, team):
    task = TaskFactory(team=team)
    client.force_login(outsider)
    assert client.get(reverse("music:task", args=[task.pk])).status_code == 404


def test_an_unconfirmed_task_says_what_is_going_on_and_shows_its_history(member_client, team):
    from music.models import TaskEvent

    task = TaskFactory(
        team=team,
        state=TaskState.UNCONFIRMED,
        error_message="The provider did not answer in time. It was not sent again.",
    )
    TaskEvent.objects.create(task=task, state=TaskState.QUEUED)
    TaskEvent.objects.create(task=task, state=TaskState.UNCONFIRMED, note="no answer in time")

    html = member_client.get(reverse("music:task", args=[task.pk])).content.decode()
    assert "Sent; waiting for the provider to confirm" in html
    assert "It was not sent again." in html
    assert "no answer in time" in html
    listing = member_client.get(reverse("music:tasks"), {"state": "active"}).content.decode()
    assert "waiting for the provider to confirm" in listing  # unconfirmed is still in progress
