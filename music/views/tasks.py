import json

from django.shortcuts import render

from music.models import ACTIVE_TASK_STATES, TaskState
from music.services import library
from music.views.decorators import team_required


@team_required
def task_list(request):
    tasks = library.team_tasks(request.team)
    state = request.GET.get("state", "")
    if state in TaskState.values:
        tasks = tasks.filter(state=state)
    elif state == "active":
        tasks = tasks.filter(state__in=ACTIVE_TASK_STATES)
    page = library.paginate(tasks, request.GET.get("page"), library.TASKS_PER_PAGE)
    context = {
        "page": page,
        "state": state,
        "live": any(task.is_active for task in page),
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
