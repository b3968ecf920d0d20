"""The relay wire format of new-api-style gateways (seed 000; DESIGN.md section 4).

Native Suno fields (`gpt_description_prompt`, `tags`, `mv`, `continue_clip_id`, ...) go to
`/suno/submit/*`; tasks come back from `/suno/fetch` with a status, a progress percentage
and native clips. Sellers add and rename fields, so everything is read defensively: an
answer we cannot understand fails with a clear reason instead of a crash.
"""

import time

from django.utils.translation import gettext_noop

from music import catalogue
from music.upstream import http, parsing
from music.upstream.base import (
    Clip,
    ClipState,
    Found,
    JobResult,
    JobState,
    Lyrics,
    Provider,
    Reason,
    SideResult,
    SongRequest,
    Submission,
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
# What each studio action becomes in the native `task` field.
NATIVE_TASK = {
    "extend": "extend",
    "upload_extend": "upload_extend",
    "cover": "cover",
    "replace_section": "infill",
    "artist_consistency": "artist_consistency",
}
# `code` values that mean success: new-api's word, and the HTTP-style and zero codes many
# resellers answer with (`{"code": 200, "msg": "ok", "data": ...}`).
SUCCESS = ("success", "ok", "200", "0")
# Actions that are a GET of one of a clip's artifacts (`/suno/act/{action}/{clip_id}`).
ACT_ACTIONS = ("stems", "timing", "wav", "mp4")
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
)
LYRICS_WAIT = 30.0  # seconds a "write lyrics" click may wait for the gateway's job
FILE_WAIT = 30.0  # seconds a WAV/MP4 export may wait for its file to show in the feed
# Actions whose words may be all style (a custom instrumental): the format still wants a
# `prompt`, and strict sellers refuse a body without one.
WORDED_ACTIONS = ("generate", "extend", "upload_extend", "upload_generate", "artist_consistency")
# Where sellers put an export's link: in the answer's object, or on the clip in the feed.
FILE_KEYS = {
    "wav": ("wav_file_url", "wav_url", "file_url", "url"),
    "mp4": ("video_url", "mp4_file_url", "mp4_url", "file_url", "url"),
}


def sleep(seconds):
    time.sleep(seconds)


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


def mv_for(model_key):
    return catalogue.get_model(model_key).wire_name("relay")


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


def persona_body(name, description, audio_id):
    """Seed 000's `/suno/persona/create` body (private: a team's voice is its own)."""
    return {
        "root_clip_id": audio_id,
        "name": name,
        "description": description,
        "clips": [audio_id],
        "is_public": False,
    }


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


class Relay(Provider):
    name = "relay"

    def __init__(self, client, batch_size=0):
        self.client = client
        self.batch_size = batch_size or None
        # Audio URL -> the clip its paid upload made, kept between attempts of one submit.
        self.uploaded = {}

    # --- plumbing ---------------------------------------------------------------------
    def _call(self, method, path, body=None):
        answer = http.call(self.client, method, path, json_body=body, error_parser=parse_error)
        code = answer.get("code") if isinstance(answer, dict) else "success"
        if isinstance(answer, dict) and "code" in answer and str(code).lower() not in SUCCESS:
            code, message = parse_error(answer)
            raise UpstreamError(
                gettext_noop("The gateway refused the request."),
                details=message,
                code=code or "refused",
                permanent=True,
                accepted=False,
                raw=answer,
            )
        return answer

    def _data(self, method, path, body=None):
        answer = self._call(method, path, body)
        if isinstance(answer, dict) and "data" in answer:
            return answer, answer["data"]
        return answer, answer  # some gateways answer the object itself

    # --- requests -----------------------------------------------------------------------
    def build_payload(self, request: SongRequest, callback_url: str = "") -> dict:
        r = request
        if r.action == "concat":
            payload = {"clip_id": r.audio_id, "is_infill": bool(r.is_infill)}
        elif r.action == "stems":
            payload = {"clip_id": r.audio_id}
        else:
            payload = {"mv": mv_for(r.model), "make_instrumental": bool(r.instrumental)}
            if r.lyric:
                payload["prompt"] = r.lyric
            elif r.action == "replace_section":
                payload["prompt"] = r.prompt
            elif r.prompt:
                payload["gpt_description_prompt"] = r.prompt
            elif r.custom and r.action in WORDED_ACTIONS and (r.style or r.title):
                # A custom instrumental from a style alone: `prompt` (the words) is required,
                # and an instrumental sings none of it.
                payload["prompt"] = r.style or r.title
            for name, value in (
                ("tags", r.style),
                ("negative_tags", r.style_negative),
                ("title", r.title),
            ):
                if value:
                    payload[name] = value
            task = NATIVE_TASK.get(r.action)
            if r.action == "upload_generate":
                task = "upload_extend"  # after the upload step in submit()
            if task:
                payload["task"] = task
            if r.action in ("extend", "upload_extend", "replace_section"):
                payload["continue_clip_id"] = r.audio_id
            if r.action in ("extend", "upload_extend", "upload_generate"):
                payload["continue_at"] = r.continue_at
            if r.action == "extend" and r.source_task_id:
                payload["task_id"] = r.source_task_id
            if r.action == "cover":
                payload["cover_clip_id"] = r.audio_id
            if r.action == "replace_section":
                payload["infill_start_s"] = r.replace_section_start
                payload["infill_end_s"] = r.replace_section_end
                payload["infill_lyrics"] = r.prompt
            if r.action == "artist_consistency":
                payload["persona_id"] = r.persona_id
                payload["artist_clip_id"] = r.audio_id
        if callback_url and r.action != "stems":
            payload["notify_hook"] = callback_url
        return payload

    def describe_request(self, action, params, callback_url=""):
        audio_id = params.get("audio_id", "")
        if action in ACT_ACTIONS:
            return {"method": "GET", "path": f"/suno/act/{action}/{audio_id}"}
        if action == "upload":
            return {"url": params.get("audio_url", "")}
        if action == "persona":
            return persona_body(params.get("name", ""), params.get("description", ""), audio_id)
        return self.build_payload(SongRequest.from_params(params), callback_url)

    def submit(self, request: SongRequest, callback_url: str = "") -> Submission:
        payload = self.build_payload(request, callback_url)
        if request.action == "concat":
            answer, data = self._data("POST", "/suno/submit/concat", payload)
        elif request.action == "stems":
            answer, data = self._data("GET", f"/suno/act/stems/{request.audio_id}")
            clips = clip_list(data)
            if clips:
                # The stems themselves, at once: a job known by its clips.
                parsed = [parse_clip(item) for item in clips]
                upstream_id = clip_set_id(parsed)
                result = JobResult(upstream_id, job_state(parsed), clips=parsed, raw=answer)
                raw = answer if isinstance(answer, dict) else {}
                return Submission(upstream_id=upstream_id, result=result, raw=raw)
        else:
            if request.action == "upload_generate":
                # The relay has no one-step upload-and-continue: upload, then continue it.
                # The upload is paid for: when the continue step is refused for now (a 429)
                # and sent again, it continues the clip already uploaded.
                url = request.audio_url
                if url not in self.uploaded:
                    self.uploaded[url] = self.upload(url).clip.id
                payload["continue_clip_id"] = self.uploaded[url]
            answer, data = self._data("POST", "/suno/submit/music", payload)
        if isinstance(data, dict):
            data = data.get("task_id") or data.get("id")
        task_id = parsing.identifier(data)
        if not task_id:
            raise malformed("no task id in the answer", answer)
        return Submission(upstream_id=task_id, raw=answer if isinstance(answer, dict) else {})

    def fetch(self, upstream_ids):
        results = {}
        ids = list(dict.fromkeys(upstream_ids))
        size = self.batch_size or len(ids) or 1
        for start in range(0, len(ids), size):
            chunk = ids[start : start + size]
            answer, data = self._data("POST", "/suno/fetch", {"ids": chunk, "action": "MUSIC"})
            if not isinstance(data, list):
                raise malformed("`data` is not a list of tasks", answer)
            for item in data:
                task_id = parsing.identifier(item.get("task_id")) if isinstance(item, dict) else ""
                if not task_id:
                    continue
                try:
                    results[task_id] = parse_task(item)
                except UpstreamError as exc:
                    results[task_id] = JobResult(
                        task_id,
                        JobState.FAILED,
                        error=exc.message,
                        error_code=exc.code,
                        error_reason=exc.reason,
                        raw=item,
                    )
        missing = [i for i in ids if i not in results]
        if missing:
            results.update(self.from_feed(missing))
        return results

    def from_feed(self, ids):
        """Jobs known by their clips (an upload's clip, stems answered at once) are not
        tasks `/suno/fetch` knows: the feed has them. Best effort: a gateway without a
        feed simply leaves them missing."""
        clip_ids = list(dict.fromkeys(c for i in ids for c in i.split(",") if c))
        try:
            clips = {c.id: c for c in self.feed(clip_ids)}
        except UpstreamError:
            return {}
        found = {}
        for job_id in ids:
            mine = [clips[c] for c in job_id.split(",") if c in clips]
            if mine:
                found[job_id] = JobResult(job_id, job_state(mine), clips=mine)
        return found

    def feed(self, clip_ids):
        """Clips by id (`GET /suno/feed/{id1},{id2}`); unreadable ones are left out."""
        if not clip_ids:
            return []
        answer, data = self._data("GET", f"/suno/feed/{','.join(clip_ids)}")
        clips = []
        for item in clip_list(data):
            try:
                clips.append(parse_clip(item))
            except UpstreamError:
                continue
        return clips

    def parse_callback(self, body):
        if isinstance(body, dict) and isinstance(body.get("data"), dict):
            body = body["data"]
        task_id = parsing.identifier(body.get("task_id")) if isinstance(body, dict) else ""
        if not task_id:
            raise malformed("the callback has no `task_id`", body)
        return task_id

    def find_sent(self, sent):
        """Relays keep no task listing a key can search, so lost generation answers wait for
        their callback. Timing, WAV and MP4 are GETs of a clip's artifact, which the gateway
        keeps: asking again reads the same artifact rather than making a new one."""
        found = {}
        for request in sent:
            if request.action in ("timing", "wav", "mp4"):
                # Stored as the GET that was sent (older rows: the clip id).
                path = request.payload.get("path", "")
                audio_id = request.payload.get("audio_id") or path.rsplit("/", 1)[-1]
                if not audio_id:
                    continue
                try:
                    side = getattr(self, request.action)(audio_id)
                except UpstreamError:
                    continue
                found[request.key] = Found(upstream_id="", side=side)
        return found

    def offers(self):
        """What the gateway's model list (`GET /v1/models`, OpenAI-style, served by every
        new-api gateway for the key's group) prices: stock new-api lists `suno_music` and
        `suno_lyrics` only; resellers add a model per extra action. A list without Suno
        models, or no list, tells nothing."""
        try:
            answer = http.call(self.client, "GET", "/v1/models", error_parser=parse_error)
        except UpstreamError:
            return None
        data = answer.get("data") if isinstance(answer, dict) else answer
        names = [
            parsing.text(item.get("id") if isinstance(item, dict) else item).lower()
            for item in (data if isinstance(data, list) else [])
        ]
        suno = [name for name in names if name.startswith("suno")]
        if not suno:
            return None
        return {action for name in suno for token, action in MODEL_TOKENS if token in name}

    def check(self):
        """A cheap authenticated call: an empty batch fetch."""
        answer, data = self._data("POST", "/suno/fetch", {"ids": [], "action": "MUSIC"})
        if not isinstance(data, list):
            raise malformed("`data` is not a list", answer)

    # --- words ----------------------------------------------------------------------------
    def lyrics(self, prompt):
        answer, task_id = self._data("POST", "/suno/submit/lyrics", {"prompt": prompt})
        if isinstance(task_id, dict):
            task_id = task_id.get("task_id") or task_id.get("id")
        task_id = parsing.identifier(task_id)
        if not task_id:
            raise malformed("no task id for the lyrics", answer)
        deadline = time.monotonic() + LYRICS_WAIT
        while True:
            answer, task = self._data("GET", f"/suno/fetch/{task_id}")
            status = parsing.text(task.get("status")).upper() if isinstance(task, dict) else ""
            if status == "SUCCESS":
                found = lyrics_of(task.get("data"))
                if found is None:
                    raise malformed("no lyrics in the finished task", answer)
                return found
            if status == "FAILURE":
                raise UpstreamError(
                    gettext_noop("The gateway could not write the lyrics."),
                    details=parsing.text(task.get("fail_reason")),
                    code="failed",
                    permanent=True,
                    accepted=True,
                )
            if time.monotonic() > deadline:
                raise UpstreamError(
                    gettext_noop("The gateway took too long to write the lyrics."),
                    code="timeout",
                    accepted=True,
                )
            sleep(1.0)

    def style(self, prompt):
        raise UpstreamError(
            gettext_noop("This provider does not offer style boosting."),
            code="unsupported",
            permanent=True,
            accepted=False,
        )

    # --- side endpoints -----------------------------------------------------------------
    def upload(self, audio_url):
        answer, data = self._data("POST", "/suno/uploads/audio-url", {"url": audio_url})
        if isinstance(data, dict) and isinstance(data.get("clip"), dict):
            data = data["clip"]
        if isinstance(data, dict) and parsing.url(data.get("audio_url")):
            clip = parse_clip(data)
        else:
            # Only the new clip's id (a string, or `{id}` / `{clip_id}`): the feed has the rest.
            clip_id = parsing.identifier(
                data.get("clip_id") or data.get("id") if isinstance(data, dict) else data
            )
            if not clip_id:
                raise malformed("no clip in the upload answer", answer)
            try:
                clip = next(iter(self.feed([clip_id])), None)
            except UpstreamError:
                clip = None
            clip = clip or Clip(id=clip_id, state=ClipState.SUCCEEDED)
        clip.state = ClipState.SUCCEEDED
        # Some gateways answer before the clip has its own link: the uploaded file is it.
        clip.audio_url = clip.audio_url or parsing.url(audio_url)
        return SideResult(upstream_id="", clip=clip, raw=answer if isinstance(answer, dict) else {})

    def create_persona(self, name, description, audio_id):
        body = persona_body(name, description, audio_id)
        answer, data = self._data("POST", "/suno/persona/create", body)
        persona_id = (
            parsing.identifier(data.get("id") or data.get("persona_id"))
            if isinstance(data, dict)
            else ""
        )
        if not persona_id:
            raise malformed("no persona `id` in the answer", answer)
        return SideResult(persona_id=persona_id, raw=answer if isinstance(answer, dict) else {})

    def timing(self, audio_id):
        answer, data = self._data("GET", f"/suno/act/timing/{audio_id}")
        found = parsing.timing(data)
        if found is None:
            raise malformed("no usable `aligned_words` in the timing answer", answer)
        return SideResult(timing=found, raw=answer if isinstance(answer, dict) else {})

    def _file(self, kind, audio_id):
        """A WAV or MP4 export: its link (`{wav_file_url}`, `{code, data: <url>}`), or an
        id whose clip shows the link in the feed once it is made."""
        keys = FILE_KEYS[kind]
        answer, data = self._data("GET", f"/suno/act/{kind}/{audio_id}")
        raw = answer if isinstance(answer, dict) else {}
        url = file_url(data, keys)
        if url:
            return SideResult(file_url=url, raw=raw)
        follow = parsing.identifier(
            (data.get("id") or data.get("clip_id") or data.get("task_id"))
            if isinstance(data, dict)
            else data
        )
        if not follow:
            raise malformed("no file link in the answer", answer)
        deadline = time.monotonic() + FILE_WAIT
        while True:
            clip = next((c for c in self.feed([follow]) if c.id == follow), None)
            url = file_url(clip.raw, keys) if clip else ""
            if url:
                return SideResult(file_url=url, raw=raw)
            if clip and clip.state == ClipState.FAILED:
                raise UpstreamError(
                    Reason(
                        gettext_noop("The gateway could not make the %(kind)s file."),
                        kind=kind.upper(),
                    ),
                    details=clip.error,
                    code="failed",
                    permanent=True,
                    accepted=True,
                )
            if time.monotonic() > deadline:
                raise UpstreamError(
                    Reason(
                        gettext_noop("The gateway took too long to make the %(kind)s file."),
                        kind=kind.upper(),
                    ),
                    code="timeout",
                    accepted=True,
                )
            sleep(1.0)

    def wav(self, audio_id):
        return self._file("wav", audio_id)

    def mp4(self, audio_id):
        return self._file("mp4", audio_id)
