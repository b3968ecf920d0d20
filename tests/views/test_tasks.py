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


def test_a_task_that_names_nothing_says_its_action_once(member_client, team):
    TaskFactory(team=team, action="stems", params={"action": "stems", "audio_id": "x"})
    html = member_client.get(reverse("music:tasks")).content.decode()
    assert "Stems" in html and "Stems · Stems" not in html


def test_progress_is_the_providers_or_else_the_steps(member_client, team):
    TaskFactory(team=team, state=TaskState.RUNNING, progress=0, upstream_id="job-a")
    html = member_client.get(reverse("music:tasks")).content.decode()
    assert "<progress" not in html  # no 0%: the provider gave no figure
    assert 'class="steps"' in html
    assert '<li class="now" aria-current="step">Making</li>' in html


def test_a_failure_reads_in_the_readers_language_on_the_tasks_pages(member_client, team):
    from music.reasons import Reason

    reason = Reason("Could not reach the provider.", "ConnectError")
    task = TaskFactory(
        team=team,
        state=TaskState.FAILED,
        error_message=reason.english(),
        error_reason=reason.as_json(),
    )
    member_client.post(reverse("set_language"), {"language": "zh-hans", "next": "/"})
    for url in (reverse("music:tasks"), reverse("music:task", args=[task.pk])):
        html = member_client.get(url).content.decode()
        assert "无法连接服务商" in html, url
        assert "Could not reach the provider" not in html, url
        assert "ConnectError" in html  # the technical words, kept apart under Details


def test_an_old_failure_without_a_reason_still_reads(member_client, team):
    task = TaskFactory(team=team, state=TaskState.FAILED, error_message="Old stored text.")
    html = member_client.get(reverse("music:task", args=[task.pk])).content.decode()
    assert "Old stored text." in html
