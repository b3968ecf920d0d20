"""Answer parsing: tasks, clips, lyrics and links in the shapes relay sellers really answer
with, read defensively."""

from django.utils.translation import gettext_noop

from music import catalogue
from music.upstream import parsing
from music.upstream.base import (
    Clip,
    ClipState,
    JobResult,
    JobState,
    Lyrics,
    Reason,
    UpstreamError,
)

TASK_STATES = {
    "NOT_START": JobState.PENDING,
    "SUBMITTED": JobState.PENDING,
    "QUEUED": JobState.PENDING,
    "IN_PROGRESS": JobState.RUNNING,
    "SUCCESS": JobState.SUCCEEDED,
    "FAILURE": JobState.FAILED,
    "UNKNOWN": JobState.RUNNING,  # keep following it; the deadline ends hopeless cases
}
CLIP_STATES = {
    "submitted": ClipState.PENDING,
    "queued": ClipState.PENDING,
    "streaming": ClipState.RUNNING,
    "complete": ClipState.SUCCEEDED,
    "error": ClipState.FAILED,
}
# `code` values that mean success: new-api's word, and the HTTP-style and zero codes many
# resellers answer with (`{"code": 200, "msg": "ok", "data": ...}`).
SUCCESS = ("success", "ok", "200", "0")
# Words in a gateway's model names -> the studio action they price (`suno_act_stems`, ...).
MODEL_TOKENS = (
    ("lyric", "lyrics"),
    ("extend", "extend"),
    ("continue", "extend"),
    ("upload", "upload"),
    ("concat", "concat"),
    ("cover", "cover"),
    ("infill", "replace_section"),
    ("replace", "replace_section"),
    ("persona", "persona"),
    ("artist", "persona"),
    ("stem", "stems"),
    ("timing", "timing"),
    ("wav", "wav"),
    ("mp4", "mp4"),
    ("video", "mp4"),
    ("underpaint", "underpainting"),  # Add instrumental
    ("overpaint", "overpainting"),  # Add vocals
)
# Where sellers put an export's link: in the answer's object, or on the clip in the feed.
FILE_KEYS = {
    "wav": ("wav_file_url", "wav_url", "file_url", "url"),
    "mp4": ("video_url", "mp4_file_url", "mp4_url", "file_url", "url"),
}


def malformed(what, raw=None):
    return UpstreamError(
        gettext_noop("The gateway's answer did not look like the relay format."),
        details=what,
        code="malformed",
        accepted=True,
        raw=raw if isinstance(raw, dict) else None,
    )


def parse_error(body):
    """Relay errors: HTTP status + `{"code", "message", "data": null}` (or OpenAI-style)."""
    if isinstance(body, dict):
        if isinstance(body.get("error"), dict):
            err = body["error"]
            return str(err.get("code") or err.get("type") or ""), str(err.get("message") or "")
        return str(body.get("code") or ""), str(body.get("message") or body.get("msg") or "")
    return "", ""


def _progress(value):
    if isinstance(value, int | float):
        return max(0, min(100, int(value)))
    if isinstance(value, str) and value.strip().rstrip("%").strip().isdigit():
        return max(0, min(100, int(value.strip().rstrip("%"))))
    return None


def model_key(mv):
    for model in catalogue.MODELS:
        if mv in (model.key, model.wire_name("relay")):
            return model.key
    return mv


def parse_clip(raw):
    clip_id = parsing.identifier(raw.get("id")) if isinstance(raw, dict) else ""
    if not clip_id:
        raise malformed("a clip without a usable id", raw)
    meta = raw.get("metadata") if isinstance(raw.get("metadata"), dict) else {}
    status = parsing.text(raw.get("status")).lower()
    state = CLIP_STATES.get(status)
    if state is None:
        state = ClipState.SUCCEEDED if parsing.url(raw.get("audio_url")) else ClipState.RUNNING
    history = meta.get("concat_history")
    return Clip(
        id=clip_id,
        state=state,
        title=parsing.text(raw.get("title")),
        prompt=parsing.text(meta.get("gpt_description_prompt")),
        lyric=parsing.text(meta.get("prompt")),
        style=parsing.text(meta.get("tags")),
        model=model_key(parsing.text(raw.get("model_name"))),
        duration=parsing.duration(meta.get("duration")),
        audio_url=parsing.url(raw.get("audio_url")) if state == ClipState.SUCCEEDED else "",
        image_url=parsing.url(raw.get("image_large_url")) or parsing.url(raw.get("image_url")),
        video_url=parsing.url(raw.get("video_url")),
        created_at=parsing.text(raw.get("created_at")),
        error=parsing.text(meta.get("error_message")),
        concat_history=history if isinstance(history, list) else [],
        raw=raw,
    )


def job_state(clips):
    """A job's state from its clips (answers that carry clips but no task)."""
    states = {c.state for c in clips}
    if states & {ClipState.PENDING, ClipState.RUNNING}:
        return JobState.RUNNING if ClipState.RUNNING in states else JobState.PENDING
    return JobState.SUCCEEDED if ClipState.SUCCEEDED in states else JobState.FAILED


def clip_list(data):
    """The clip objects in an answer: a list, `{clips: [...]}`, or one clip object (which,
    unlike a task object, has a link or metadata)."""
    if isinstance(data, dict):
        if isinstance(data.get("clips"), list):
            data = data["clips"]
        elif "audio_url" in data or "metadata" in data:
            data = [data]
    return [item for item in data if isinstance(item, dict)] if isinstance(data, list) else []


def clip_set_id(clips):
    """An id for a job known only by its clips (stems some sellers answer at once): the
    comma-joined clip ids, which is what `/suno/feed/` takes, within the stored length."""
    ids = []
    for clip in clips:
        if len(",".join([*ids, clip.id])) > parsing.MAX_ID:
            break
        ids.append(clip.id)
    return ",".join(ids)


def file_url(data, keys):
    """An export's link: `data` itself, or the first of `keys` in its object."""
    if isinstance(data, list):
        data = data[0] if data else None
    if isinstance(data, str):
        return parsing.url(data)
    if isinstance(data, dict):
        return next((parsing.url(data[k]) for k in keys if parsing.url(data.get(k))), "")
    return ""


def lyrics_of(data):
    """Lyrics from a finished lyrics task: `{text, title, tags}`, or a clip carrying the
    words in `metadata.prompt` (or `text`, `lyric`) as some gateways end it."""
    if isinstance(data, list):
        data = data[0] if data else None
    if not isinstance(data, dict):
        return None
    meta = data.get("metadata") if isinstance(data.get("metadata"), dict) else {}
    text = next(
        (
            v
            for v in (
                data.get("text"),
                data.get("lyrics"),
                data.get("lyric"),
                meta.get("prompt"),
                meta.get("text"),
                data.get("prompt"),
            )
            if isinstance(v, str) and v.strip()
        ),
        None,
    )
    if text is None:
        return None
    return Lyrics(
        text=parsing.text(text),
        title=parsing.text(data.get("title")),
        tags=parsing.text(data.get("tags") or meta.get("tags")),
    )


def parse_task(raw):
    """A gateway task object: `{task_id, status, progress, fail_reason, data: [clips]}`."""
    task_id = parsing.identifier(raw.get("task_id")) if isinstance(raw, dict) else ""
    if not task_id:
        raise malformed("a task without `task_id`", raw)
    status = parsing.text(raw.get("status")).upper()
    state = TASK_STATES.get(status)
    if state is None:
        raise malformed(f"unknown task status {status!r}", raw)
    data = raw.get("data")
    clips = [parse_clip(item) for item in data] if isinstance(data, list) else []
    if state == JobState.SUCCEEDED and not clips:
        raise malformed("a finished task without clips", raw)
    error, why = "", None
    if state == JobState.FAILED:
        words = parsing.text(raw.get("fail_reason")) or next(
            (c.error for c in clips if c.error), ""
        )
        why = Reason(gettext_noop("The gateway could not make this song."), words)
        error = why.render()
    progress = _progress(raw.get("progress"))
    return JobResult(
        task_id, state, clips=clips, error=error, error_reason=why, progress=progress, raw=raw
    )
