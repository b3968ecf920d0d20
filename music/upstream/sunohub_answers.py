"""How SunoHub's answers read (seed 003; AceData's Suno API): clips, jobs, errors, and the
answers of its synchronous side calls. Nothing here sends anything."""

from django.utils.translation import gettext_noop

from music.upstream import parsing
from music.upstream.base import (
    Clip,
    ClipState,
    JobResult,
    JobState,
    Reason,
    SideResult,
    UpstreamError,
)

CLIP_STATES = {
    "pending": ClipState.PENDING,
    "queued": ClipState.PENDING,
    "submitted": ClipState.PENDING,
    "running": ClipState.RUNNING,
    "streaming": ClipState.RUNNING,
    "succeeded": ClipState.SUCCEEDED,
    "complete": ClipState.SUCCEEDED,
    "error": ClipState.FAILED,
    "failed": ClipState.FAILED,
}


def malformed(what, raw=None):
    return UpstreamError(
        gettext_noop("The provider's answer did not look like the SunoHub format."),
        details=what,
        code="malformed",
        accepted=True,
        raw=raw if isinstance(raw, dict) else None,
    )


def parse_error(body):
    """SunoHub errors: `{"success": false, "error": {"code", "message"}, "trace_id"}`."""
    if isinstance(body, dict):
        err = body.get("error")
        if isinstance(err, dict):
            return str(err.get("code") or ""), str(err.get("message") or "")
        if isinstance(err, str):
            return "", err
        if isinstance(body.get("message"), str):
            return str(body.get("code") or ""), body["message"]
    return "", ""


def parse_clip(raw):
    clip_id = parsing.identifier(raw.get("id")) if isinstance(raw, dict) else ""
    if not clip_id:
        raise malformed("a clip without a usable id", raw)
    state_name = parsing.text(raw.get("state") or raw.get("status")).lower()
    state = CLIP_STATES.get(state_name)
    audio_url = parsing.url(raw.get("audio_url"))
    if state is None:
        # Callback bodies omit `state`; a clip with audio is a finished clip there.
        state = ClipState.SUCCEEDED if audio_url else ClipState.RUNNING
    history = raw.get("concat_history")
    return Clip(
        id=clip_id,
        state=state,
        title=parsing.text(raw.get("title")),
        prompt=parsing.text(raw.get("prompt")),
        lyric=parsing.text(raw.get("lyric")),
        style=parsing.text(raw.get("style")),
        model=parsing.text(raw.get("model")),
        duration=parsing.duration(raw.get("duration")),
        audio_url=audio_url,
        image_url=parsing.url(raw.get("image_url")),
        video_url=parsing.url(raw.get("video_url")),
        created_at=parsing.text(raw.get("created_at")),
        error=parsing.text(raw.get("error_message") or raw.get("error")),
        concat_history=history if isinstance(history, list) else [],
        raw=raw,
    )


def job_state(clips):
    states = {c.state for c in clips}
    if not clips:
        return JobState.PENDING
    if states & {ClipState.PENDING, ClipState.RUNNING}:
        return JobState.RUNNING if ClipState.RUNNING in states else JobState.PENDING
    if ClipState.SUCCEEDED in states:
        return JobState.SUCCEEDED
    return JobState.FAILED


def parse_audios_answer(upstream_id, body):
    """Turn an `/suno/audios`-shaped answer (also a task's `response`) into a JobResult."""
    if not isinstance(body, dict):
        raise malformed("the answer is not an object", body)
    if body.get("success") is False:
        code, message = parse_error(body)
        why = Reason(gettext_noop("The provider could not make this song."), message)
        return JobResult(
            upstream_id,
            JobState.FAILED,
            error=why.render(),
            error_code=code,
            error_reason=why,
            raw=body,
        )
    data = body.get("data")
    if data is None:
        return JobResult(upstream_id, JobState.PENDING, raw=body)
    if not isinstance(data, list):
        raise malformed("`data` is not a list of clips", body)
    clips = [parse_clip(item) for item in data]
    state = job_state(clips)
    error, why = "", None
    if state == JobState.FAILED:
        words = next((c.error for c in clips if c.error), "")
        why = Reason(gettext_noop("The provider could not make this song."), words)
        error = why.render()
    return JobResult(upstream_id, state, clips=clips, error=error, error_reason=why, raw=body)


def parse_upload(answer):
    data = answer.get("data") if isinstance(answer, dict) else None
    if not isinstance(data, dict) or not parsing.identifier(data.get("audio_id")):
        raise malformed("no `audio_id` in the upload answer", answer)
    clip = parse_clip({**data, "id": data["audio_id"], "state": "succeeded"})
    return SideResult(upstream_id=parsing.identifier(answer.get("task_id")), clip=clip, raw=answer)


def parse_persona(answer):
    data = answer.get("data") if isinstance(answer, dict) else None
    persona_id = parsing.identifier(data.get("persona_id")) if isinstance(data, dict) else ""
    if not persona_id:
        raise malformed("no `persona_id` in the answer", answer)
    return SideResult(
        upstream_id=parsing.identifier(answer.get("task_id")), persona_id=persona_id, raw=answer
    )


def parse_timing(answer):
    found = parsing.timing(answer.get("data") if isinstance(answer, dict) else None)
    if found is None:
        raise malformed("no usable `aligned_words` in the timing answer", answer)
    return SideResult(
        upstream_id=parsing.identifier(answer.get("task_id")), timing=found, raw=answer
    )


def parse_wav(answer):
    data = answer.get("data") if isinstance(answer, dict) else None
    if isinstance(data, list):
        data = data[0] if data else None
    url = parsing.url(data.get("file_url")) if isinstance(data, dict) else ""
    if not url:
        raise malformed("no `file_url` in the WAV answer", answer)
    return SideResult(
        upstream_id=parsing.identifier(answer.get("task_id")), file_url=url, raw=answer
    )


def parse_mp4(answer):
    data = answer.get("data") if isinstance(answer, dict) else None
    url = parsing.url(data.get("video_url")) if isinstance(data, dict) else ""
    if not url:
        raise malformed("no `video_url` in the MP4 answer", answer)
    return SideResult(
        upstream_id=parsing.identifier(answer.get("task_id")), file_url=url, raw=answer
    )
