from django.http import HttpResponseBadRequest, HttpResponseNotFound, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from music.services import tasks
from music.upstream.http import BadJSON, decode_json


@csrf_exempt
@require_POST
def suno_callback(request, task_id, token):
    """The provider's "your job changed" hint. Authenticated by the per-task secret."""
    try:
        body = decode_json(request.body or b"{}")
    except BadJSON:
        return HttpResponseBadRequest("invalid JSON")
    if not isinstance(body, dict):
        return HttpResponseBadRequest("expected a JSON object")
    if not tasks.accept_callback(task_id, token, body):
        return HttpResponseNotFound("unknown task")
    return JsonResponse({"ok": True})
