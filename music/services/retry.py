"""“Try again” for a failed task: the form that asked, filled in with what it asked.

Sending it again is a new, paid request with a new request key (the form makes one), so it
is never deduplicated into the failed task.
"""

import uuid

from django.urls import reverse

from music import controls
from music.models import Action, Persona, Task, TaskState

# The fields of a song-making form a task's parameters fill in.
WORD_FIELDS = ("prompt", "lyric", "style", "style_negative", "title", "model", "instrumental")
# ... and those of the forms that rework a song's audio.
REWORK_FIELDS = (
    "variation_category",
    "speed_multiplier",
    "keep_pitch",
    "samples_start",
    "samples_end",
    "stem_type",
    "audio_format",
)
# Add instrumental / Add vocals keep their window under the form's own names.
LAYER_WINDOWS = {Action.UNDERPAINTING: "underpainting", Action.OVERPAINTING: "overpainting"}
# Song-page forms: trying again is the same form, filled in.
REWORK_URLS = {
    Action.REMASTER: "music:remaster",
    Action.ADJUST_SPEED: "music:adjust_speed",
    Action.SAMPLES: "music:sample",
    Action.UNDERPAINTING: "music:add_instrumental",
    Action.OVERPAINTING: "music:add_vocals",
    Action.ADD_STEM: "music:add_stem",
    Action.EXTRACT_STEM: "music:extract_stem",
    # A persona v2 that failed at any step is asked for again from its range.
    Action.VOX: "music:persona_v2",
    Action.PERSONA_VOX: "music:persona_v2",
}
# The create page's other forms (issue #15): the same songs picked again.
BLEND_URLS = {Action.MASHUP: "music:mashup", Action.INSPO: "music:inspo"}
# Actions a song page's buttons ask for: trying again is pressing the button again there.
SONG_PAGE_ACTIONS = {
    Action.CONCAT,
    Action.STEMS,
    Action.ALL_STEMS,
    Action.TIMING,
    Action.WAV,
    Action.MP4,
    Action.MIDI,
}
RETRY_PARAM = "retry"


def retry_url(task):
    """Where “Try again” leads for a failed task, or "" when nothing can ask again."""
    if task.state != TaskState.FAILED:
        return ""
    query = f"?{RETRY_PARAM}={task.pk}"
    if task.action == Action.GENERATE:
        return reverse("music:create") + query
    if task.action in BLEND_URLS:
        return reverse(BLEND_URLS[task.action]) + query
    if task.action == Action.VOICE:
        return reverse("music:voice_create")
    if task.source_song_id is None:
        return ""
    song = task.source_song_id
    if task.action == Action.EXTEND:
        return reverse("music:extend", args=[song]) + query
    if task.action in (Action.COVER, Action.UPLOAD_COVER):
        return reverse("music:cover", args=[song]) + query
    if task.action in REWORK_URLS:
        return reverse(REWORK_URLS[task.action], args=[song]) + query
    if task.action == Action.PERSONA:
        return reverse("music:persona_create", args=[song]) + query
    if task.action in (Action.ARTIST_CONSISTENCY, Action.ARTIST_CONSISTENCY_VOX):
        persona = persona_of(task)
        return reverse("music:persona_sing", args=[persona.pk]) + query if persona else ""
    if task.action == Action.REPLACE_SECTION:
        return reverse("music:section_editor", args=[song])
    if task.action in SONG_PAGE_ACTIONS:
        return reverse("music:song", args=[song])
    return ""


def persona_of(task):
    persona_id = task.params.get("persona_id")
    if not persona_id:
        return None
    return Persona.objects.filter(team_id=task.team_id, upstream_id=persona_id).first()


def failed_task(request, action):
    """The team's failed task of `action` named by the request's `?retry=`, or None."""
    if request.method != "GET":
        return None
    try:
        task_id = uuid.UUID(request.GET.get(RETRY_PARAM, ""))
    except ValueError:  # absent, or not a task id
        return None
    return Task.objects.filter(
        team=request.team, action=action, state=TaskState.FAILED, pk=task_id
    ).first()


def initial(task):
    """The form's initial values from the failed task's parameters."""
    p = task.params
    values = {name: p[name] for name in WORD_FIELDS if name in p}
    if "is_pro" in p:
        values["is_pro"] = bool(p["is_pro"])
    if task.action == Action.GENERATE:
        values["mode"] = "custom" if p.get("custom") else "inspiration"
        values.update(controls.chosen(p))  # the advanced controls asked for
        if task.account_id:
            values["account"] = str(task.account_id)
    values.update({name: p[name] for name in REWORK_FIELDS if name in p})
    window = LAYER_WINDOWS.get(task.action)
    if window:
        values.update(start=p.get(f"{window}_start"), end=p.get(f"{window}_end"))
    if p.get("continue_at") is not None:
        values["continue_at"] = p["continue_at"]
    if task.action == Action.PERSONA:
        values = {"name": p.get("name", ""), "description": p.get("description", "")}
    if task.action == Action.MASHUP:
        values.update(song_a=str(task.source_song_id or ""), song_b=p.get("other_song", ""))
        if not p.get("custom"):
            values.pop("title", None)  # the studio's "A × B", not the member's
    if task.action == Action.INSPO:
        values["references"] = list(p.get("reference_songs", []))
        if p.get("audio_weight") is not None:
            values["audio_weight"] = p["audio_weight"]
    return values


def refill(request, form, action):
    """Fill an unbound form in from the failed task `?retry=` names; returns that task."""
    task = failed_task(request, action)
    if task is not None and not form.is_bound:
        form.initial.update(initial(task))
    return task
