import json

from django.shortcuts import redirect, render
from django.views.decorators.http import require_safe

from music.models import TaskState
from music.services import library, retry
from music.templatetags.music_tags import task_url
from music.views import cards, live
from music.views.decorators import team_required


@live.refreshable
@team_required
def task_list(request):
    activity = library.team_activity(request.team)  # before the rows: see live.py
    tasks = library.team_tasks(request.team)
    state = request.GET.get("state", "")
    count = None
    if state in TaskState.values:
        tasks = tasks.filter(state=state)
    elif state == "active":
        tasks = library.active_tasks(tasks)
    else:
        count = activity.tasks
    page = library.paginate(tasks, request.GET.get("page"), library.TASKS_PER_PAGE, count=count)
    live_now = any(task.is_active for task in page)
    params = [("state", state)]
    if page.number > 1:
        params.append(("page", page.number))
    context = {
        "page": page,
        "rows": cards.task_rows(page),
        "state": state,
        "live": live_now,
        "refresh_url": live.refresh_url(request, activity.version, request.path, params)
        if live_now
        else "",
        "refresh_seconds": live.REFRESH_SECONDS,
        "states": TaskState.choices,
    }
    template = "music/partials/task_rows.html" if request.htmx else "music/task_list.html"
    return render(request, template, context)


@team_required
def task_detail(request, task_id):
    task = library.get_task(request.team, task_id)
    context = {
        "task": task,
        "songs": task.songs.select_related("author").order_by("created_at"),
        "events": task.events.all(),
        "request_json": json.dumps(task.request_payload, indent=2, ensure_ascii=False),
        "response_json": json.dumps(task.response, indent=2, ensure_ascii=False),
    }
    return render(request, "music/task_detail.html", context)


@require_safe
@team_required
def task_retry(request, task_id):
    """“Try again” on a failed song's card: the form that asked for it, filled in (the card
    links here so the library needs no query to know the way); the task page otherwise."""
    task = library.get_task(request.team, task_id)
    url = retry.retry_url(task) if request.membership.can_spend else ""
    return redirect(url or task_url(task.pk))
