"""SunoHub's wire format (seed 003; the same as AceData Cloud's Suno API).

`POST /suno/audios` takes an `action`; with `callback_url` it answers `{task_id}` at once.
`POST /suno/tasks` retrieves one job (`retrieve`) or many (`retrieve_batch`).
"""

from music.upstream import http, parsing
from music.upstream.base import (
    Clip,
    ClipState,
    JobResult,
    JobState,
    Lyrics,
    Provider,
    SideResult,
    SongRequest,
    Submission,
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
        f"The provider's answer did not look like SunoHub's format: {what}.",
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
    if not isinstance(raw, dict) or not isinstance(raw.get("id"), str) or not raw["id"]:
        raise malformed("a clip without an id")
    state_name = parsing.text(raw.get("state") or raw.get("status")).lower()
    state = CLIP_STATES.get(state_name)
    if state is None:
        # Callback bodies omit `state`; a clip with audio is a finished clip there.
        state = ClipState.SUCCEEDED if parsing.text(raw.get("audio_url")) else ClipState.RUNNING
    history = raw.get("concat_history")
    return Clip(
        id=raw["id"],
        state=state,
        title=parsing.text(raw.get("title")),
        prompt=parsing.text(raw.get("prompt")),
        lyric=parsing.text(raw.get("lyric")),
        style=parsing.text(raw.get("style")),
        model=parsing.text(raw.get("model")),
        duration=parsing.number(raw.get("duration")),
        audio_url=parsing.text(raw.get("audio_url")),
        image_url=parsing.text(raw.get("image_url")),
        video_url=parsing.text(raw.get("video_url")),
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
        return JobResult(
            upstream_id,
            JobState.FAILED,
            error=message or "The job failed.",
            error_code=code,
            raw=body,
        )
    data = body.get("data")
    if data is None:
        return JobResult(upstream_id, JobState.PENDING, raw=body)
    if not isinstance(data, list):
        raise malformed("`data` is not a list of clips", body)
    clips = [parse_clip(item) for item in data]
    state = job_state(clips)
    error = ""
    if state == JobState.FAILED:
        error = next((c.error for c in clips if c.error), "") or "The provider could not make it."
    return JobResult(upstream_id, state, clips=clips, error=error, raw=body)


WORDS = ("prompt", "lyric", "style", "style_negative", "title", "custom", "instrumental", "model")
# Which request fields each `/suno/audios` action takes (seed 003's examples).
ACTION_FIELDS = {
    "generate": WORDS,
    "extend": ("audio_id", "continue_at", *WORDS),
    "upload_generate": ("audio_url", "continue_at", *WORDS),
    "upload_extend": ("audio_id", "continue_at", *WORDS),
    "concat": ("audio_id",),
    # Seed 003's cover example sends no custom/instrumental flags.
    "cover": ("audio_id", "prompt", "lyric", "style", "style_negative", "title", "model"),
    "replace_section": (
        "audio_id",
        "replace_section_start",
        "replace_section_end",
        *WORDS,
    ),
    "stems": ("audio_id",),
    "artist_consistency": ("audio_id", "persona_id", *WORDS),
}


class SunoHub(Provider):
    name = "sunohub"

    def _post(self, path, body):
        """POST and return the answer object; `success: false` is the provider refusing."""
        answer = http.call(self.client, "POST", path, json_body=body, error_parser=parse_error)
        if not isinstance(answer, dict):
            raise malformed("the answer is not an object", answer)
        if answer.get("success") is False:
            code, message = parse_error(answer)
            raise UpstreamError(
                message or "The provider refused the request.",
                code=code or "refused",
                permanent=True,
                accepted=False,
                raw=answer,
            )
        return answer

    def __init__(self, client, batch_size=0):
        self.client = client
        # The format documents no limit on `retrieve_batch`: one request per tick unless
        # the operator configures one.
        self.batch_size = batch_size or None

    # --- requests -------------------------------------------------------------------
    def build_payload(self, request: SongRequest, callback_url: str = "") -> dict:
        """The `/suno/audios` body for an action: only the fields that action takes."""
        payload = {"action": request.action}
        for name in ACTION_FIELDS.get(request.action, ()):
            value = getattr(request, name)
            if name in ("custom", "instrumental"):
                payload[name] = bool(value)
            elif value not in (None, ""):
                payload[name] = value
        if request.action == "generate" and not request.custom:
            # Inspiration mode: the upstream writes the words.
            payload.pop("lyric", None)
            payload.pop("title", None)
        if request.is_pro:
            payload["is_pro"] = True
        if callback_url:
            payload["callback_url"] = callback_url
        return payload

    def submit(self, request: SongRequest, callback_url: str = "") -> Submission:
        body = self._post("/suno/audios", self.build_payload(request, callback_url))
        task_id = body.get("task_id")
        if not isinstance(task_id, str) or not task_id:
            raise malformed("no `task_id` in the answer", body)
        result = parse_audios_answer(task_id, body) if body.get("data") is not None else None
        return Submission(upstream_id=task_id, result=result, raw=body)

    def fetch(self, upstream_ids):
        results = {}
        ids = list(dict.fromkeys(upstream_ids))
        size = self.batch_size or len(ids) or 1
        for start in range(0, len(ids), size):
            chunk = ids[start : start + size]
            if len(chunk) == 1:
                items = [self._post("/suno/tasks", {"id": chunk[0], "action": "retrieve"})]
            else:
                body = self._post("/suno/tasks", {"ids": chunk, "action": "retrieve_batch"})
                items = body.get("items")
                if not isinstance(items, list):
                    raise malformed("`items` is missing from the batch answer", body)
            for item in items:
                if not isinstance(item, dict) or not isinstance(item.get("id"), str):
                    continue
                try:
                    results[item["id"]] = self.parse_task(item)
                except UpstreamError as exc:
                    results[item["id"]] = JobResult(
                        item["id"],
                        JobState.FAILED,
                        error=exc.message,
                        error_code=exc.code,
                        raw=item,
                    )
        return results

    def parse_task(self, item):
        response = item.get("response")
        if response is None:
            return JobResult(item["id"], JobState.PENDING, raw=item)
        result = parse_audios_answer(item["id"], response)
        result.raw = item
        return result

    def check(self):
        """A cheap authenticated call: an empty batch retrieve."""
        body = self._post("/suno/tasks", {"ids": [], "action": "retrieve_batch"})
        if not isinstance(body.get("items"), list):
            raise malformed("no `items` in the answer", body)

    def parse_callback(self, body):
        if not isinstance(body, dict) or not isinstance(body.get("task_id"), str):
            raise malformed("the callback has no `task_id`", body)
        return body["task_id"]

    def lyrics(self, prompt):
        body, data = self._data("/suno/lyrics", {"prompt": prompt})
        if isinstance(data, list):
            data = data[0] if data else None
        if not isinstance(data, dict) or not isinstance(data.get("text"), str):
            raise malformed("no lyrics in the answer", body)
        tags = data.get("tags")
        if isinstance(tags, list):
            tags = ", ".join(str(t) for t in tags)
        return Lyrics(
            text=data["text"], title=parsing.text(data.get("title")), tags=parsing.text(tags)
        )

    def style(self, prompt):
        body, data = self._data("/suno/style", {"prompt": prompt})
        tags = data.get("upsampled_tags") if isinstance(data, dict) else None
        if not isinstance(tags, str) or not tags.strip():
            raise malformed("no `upsampled_tags` in the answer", body)
        return tags.strip()

    # --- side endpoints (synchronous answers) ---------------------------------------
    def _data(self, path, body):
        answer = self._post(path, body)
        return answer, answer.get("data")

    def upload(self, audio_url):
        answer, data = self._data("/suno/upload", {"audio_url": audio_url})
        if not isinstance(data, dict) or not isinstance(data.get("audio_id"), str):
            raise malformed("no `audio_id` in the upload answer", answer)
        clip = parse_clip({**data, "id": data["audio_id"], "state": "succeeded"})
        return SideResult(upstream_id=parsing.text(answer.get("task_id")), clip=clip, raw=answer)

    def create_persona(self, name, description, audio_id):
        answer, data = self._data(
            "/suno/persona", {"name": name, "description": description, "audio_id": audio_id}
        )
        if not isinstance(data, dict) or not isinstance(data.get("persona_id"), str):
            raise malformed("no `persona_id` in the answer", answer)
        return SideResult(
            upstream_id=parsing.text(answer.get("task_id")),
            persona_id=data["persona_id"],
            raw=answer,
        )

    def timing(self, audio_id):
        answer, data = self._data("/suno/timing", {"audio_id": audio_id})
        found = parsing.timing(data)
        if found is None:
            raise malformed("no usable `aligned_words` in the timing answer", answer)
        return SideResult(
            upstream_id=parsing.text(answer.get("task_id")),
            timing=found,
            raw=answer if isinstance(answer, dict) else {},
        )

    def wav(self, audio_id):
        answer, data = self._data("/suno/wav", {"audio_id": audio_id})
        if isinstance(data, list):
            data = data[0] if data else None
        url = data.get("file_url") if isinstance(data, dict) else None
        if not isinstance(url, str) or not url:
            raise malformed("no `file_url` in the WAV answer", answer)
        return SideResult(upstream_id=parsing.text(answer.get("task_id")), file_url=url, raw=answer)

    def mp4(self, audio_id):
        answer, data = self._data("/suno/mp4", {"audio_id": audio_id})
        url = data.get("video_url") if isinstance(data, dict) else None
        if not isinstance(url, str) or not url:
            raise malformed("no `video_url` in the MP4 answer", answer)
        return SideResult(upstream_id=parsing.text(answer.get("task_id")), file_url=url, raw=answer)
