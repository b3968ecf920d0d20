"""The `Relay` provider: calls to the gateway, polling and follow-ups."""

import time

from django.utils.translation import gettext_noop

from music.upstream import http, parsing
from music.upstream.base import (
    Clip,
    ClipState,
    Found,
    JobResult,
    JobState,
    Provider,
    Reason,
    SideResult,
    SongRequest,
    Submission,
    UpstreamError,
)
from music.upstream.relay.answers import (
    FILE_KEYS,
    MODEL_TOKENS,
    SUCCESS,
    clip_list,
    clip_set_id,
    file_url,
    job_state,
    lyrics_of,
    malformed,
    parse_clip,
    parse_error,
    parse_task,
)
from music.upstream.relay.payload import NO_WAY, build_payload, describe_request, persona_body

LYRICS_WAIT = 30.0  # seconds a "write lyrics" click may wait for the gateway's job
FILE_WAIT = 30.0  # seconds a WAV/MP4 export may wait for its file to show in the feed


def sleep(seconds):
    time.sleep(seconds)


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
        return build_payload(request, callback_url)

    def describe_request(self, action, params, callback_url=""):
        return describe_request(action, params, callback_url)

    def mashup_lyrics(self, lyrics_a, lyrics_b):
        raise UpstreamError(
            gettext_noop("The relay format has no way to ask for this."),
            details="mashup-lyrics",
            code="unsupported",
            permanent=True,
            accepted=False,
        )

    def submit(self, request: SongRequest, callback_url: str = "") -> Submission:
        if request.action in NO_WAY:
            raise UpstreamError(
                gettext_noop("The relay format has no way to ask for this."),
                details=request.action,
                code="unsupported",
                permanent=True,
                accepted=False,
            )
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
    def lyrics(self, prompt, model=""):
        # `/suno/submit/lyrics` takes only `prompt` (seed 000): the format has no lyrics model.
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
