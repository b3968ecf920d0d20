"""SunoHub's wire format (seed 003; the same as AceData Cloud's Suno API).

`POST /suno/audios` takes an `action`; with `callback_url` it answers `{task_id}` at once.
`POST /suno/tasks` retrieves one job (`retrieve`) or many (`retrieve_batch`).
"""

from django.utils.translation import gettext_noop

from music import controls
from music.upstream import http, parsing, sunohub_blend, sunohub_layers, sunohub_voices
from music.upstream.base import (
    SECRET_MARK,
    Found,
    JobResult,
    JobState,
    Lyrics,
    Provider,
    SentRequest,
    SongRequest,
    Submission,
    UpstreamError,
)
from music.upstream.sunohub_answers import (
    malformed,
    parse_audios_answer,
    parse_error,
    parse_mp4,
    parse_persona,
    parse_timing,
    parse_upload,
    parse_wav,
)
from music.upstream.sunohub_stems import STEM_ACTION_FIELDS

# Where each synchronous side call goes (task listings name it as the record's `path`).
# The body of each synchronous side call, from the task's parameters.
SIDE_FIELDS = {
    "upload": ("audio_url",),
    "persona": ("name", "description", "audio_id"),
    "timing": ("audio_id",),
    "wav": ("audio_id",),
    "mp4": ("audio_id",),
    **sunohub_voices.SIDE_FIELDS,
}
SIDE_PATHS = {
    "upload": "/suno/upload",
    "persona": "/suno/persona",
    "timing": "/suno/timing",
    "wav": "/suno/wav",
    "mp4": "/suno/mp4",
    **sunohub_voices.SIDE_PATHS,
}
LISTING_PAGE = 100
LISTING_MAX_PAGES = 20
LISTING_MARGIN = 120.0  # seconds around our send times: clocks differ, queues lag

WORDS = ("prompt", "lyric", "style", "style_negative", "title", "custom", "instrumental", "model")
# The advanced controls `generate` takes (AceData's current docs; music.controls).
CONTROLS = (
    "vocal_gender",
    "weirdness",
    "style_influence",
    "audio_weight",
    "variety",
    "max_mode",
    "lyric_prompt",
    "duration",
)
# The studio's field -> its name on this wire: AceData's docs now name the excluded styles
# `negative_tags` (seed 003's `style_negative` is gone from them).
WIRE_NAMES = {"style_negative": "negative_tags"}
# Which request fields each `/suno/audios` action takes (seed 003's examples, AceData's docs).
ACTION_FIELDS = {
    "generate": (*WORDS, *CONTROLS),
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
    # A persona v2 (from `/suno/vox`) sings with its own action (AceData's docs).
    "artist_consistency_vox": ("audio_id", "persona_id", *WORDS),
}

# Reworking a clip's own audio (issue #15; AceData's docs). adjust_speed's `keep_pitch` is
# sent when false too: a reader of the task can tell "pitch follows the speed" was asked.
ACTION_FIELDS |= {
    "remaster": ("audio_id", "model", "variation_category"),
    "adjust_speed": ("audio_id", "speed_multiplier", "keep_pitch", "title"),
    "samples": ("audio_id", "samples_start", "samples_end"),
}
ACTION_FIELDS |= sunohub_layers.LAYER_FIELDS
ACTION_FIELDS |= STEM_ACTION_FIELDS
ACTION_FIELDS |= sunohub_blend.ACTION_FIELDS  # mashup and inspo


# Actions whose words may be all style (a custom instrumental), yet need a `prompt`.
WORDED_ACTIONS = (
    "generate",
    "extend",
    "upload_generate",
    "upload_extend",
    "artist_consistency",
    "artist_consistency_vox",
)


SIDE_PARSERS = {
    "upload": parse_upload,
    "persona": parse_persona,
    "timing": parse_timing,
    "wav": parse_wav,
    "mp4": parse_mp4,
    "midi": sunohub_voices.parse_midi,
    "vox": sunohub_voices.parse_vox,
    "persona_vox": parse_persona,
    "voice": parse_persona,
}


def matches(sent: SentRequest, record):
    """Whether a task record of the provider's is the request we sent."""
    request = record.get("request")
    if not isinstance(request, dict):
        return False
    ours = sent.payload.get("callback_url") or ""
    if ours:
        # Our callback URL names our task; only its secret is not stored on our side.
        prefix = ours.split(SECRET_MARK)[0]
        theirs = request.get("callback_url")
        return bool(prefix) and isinstance(theirs, str) and theirs.startswith(prefix)
    path = SIDE_PATHS.get(sent.action)
    return (
        path is not None
        and record.get("path") == path
        and all(request.get(k) == v for k, v in sent.payload.items())
    )


class SunoHub(sunohub_voices.VoiceCalls, Provider):
    name = "sunohub"
    needs_callback_url = True

    def _post(self, path, body):
        return self._call("POST", path, body)

    def _call(self, method, path, body=None):
        """Send and return the answer object; `success: false` is the provider refusing."""
        answer = http.call(self.client, method, path, json_body=body, error_parser=parse_error)
        if not isinstance(answer, dict):
            raise malformed("the answer is not an object", answer)
        if answer.get("success") is False:
            code, message = parse_error(answer)
            raise UpstreamError(
                gettext_noop("The provider refused the request."),
                details=message,
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
            elif controls.is_set(name, value):
                payload[WIRE_NAMES.get(name, name)] = value
        if request.action == "generate" and not request.custom:
            # Inspiration mode: the upstream writes the words; custom-only controls go too.
            for name in ("lyric", "title", *controls.CUSTOM_ONLY):
                payload.pop(name, None)
        if payload.get("lyric"):
            payload.pop("lyric_prompt", None)  # only read when there are no lyrics
        if request.action == "replace_section":
            # The documented default is now two whole songs; the studio joins the section
            # itself (its "join into the whole song" step), so it asks for the candidates.
            payload["replace_section_result_mode"] = (
                request.replace_section_result_mode or "candidates"
            )
        wordless = not payload.get("prompt") and not payload.get("lyric")
        if request.action in WORDED_ACTIONS and request.custom and wordless:
            # A custom instrumental from a style alone: seed 003 marks `prompt` required.
            payload["prompt"] = request.style or request.title
            if not payload["prompt"]:
                del payload["prompt"]
        sunohub_layers.shape(payload)
        sunohub_blend.shape(request, payload)
        if request.is_pro:
            payload["is_pro"] = True
        if callback_url:
            payload["callback_url"] = callback_url
        return payload

    def describe_request(self, action, params, callback_url=""):
        if action in SIDE_FIELDS:
            return {name: params.get(name, "") for name in SIDE_FIELDS[action]}
        return self.build_payload(SongRequest.from_params(params), callback_url)

    def submit(self, request: SongRequest, callback_url: str = "") -> Submission:
        body = self._post("/suno/audios", self.build_payload(request, callback_url))
        task_id = parsing.identifier(body.get("task_id"))
        if not task_id:
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
                try:
                    items = [self._post("/suno/tasks", {"id": chunk[0], "action": "retrieve"})]
                except UpstreamError as exc:
                    if exc.status == 404 and exc.raw is not None:
                        continue  # "task not found", in JSON: the job is missing, like in a batch
                    raise
            else:
                body = self._post("/suno/tasks", {"ids": chunk, "action": "retrieve_batch"})
                items = body.get("items")
                if not isinstance(items, list):
                    raise malformed("`items` is missing from the batch answer", body)
            for item in items:
                job_id = parsing.identifier(item.get("id")) if isinstance(item, dict) else ""
                if job_id:
                    results[job_id] = self.parse_task(job_id, item)
        return results

    def parse_task(self, job_id, item):
        response = item.get("response")
        try:
            if response is None:
                return JobResult(job_id, JobState.PENDING, raw=item)
            result = parse_audios_answer(job_id, response)
        except UpstreamError as exc:
            return JobResult(
                job_id,
                JobState.FAILED,
                error=exc.message,
                error_code=exc.code,
                error_reason=exc.reason,
                raw=item,
            )
        result.raw = item
        return result

    def find_sent(self, sent):
        """Search the key's task listing around our send times (`retrieve_batch` with
        `created_at_min/max`, a page at a time) for records of the requests we sent."""
        if not sent:
            return {}
        start = min(s.sent_at for s in sent) - LISTING_MARGIN
        end = max(s.sent_at for s in sent) + LISTING_MARGIN
        waiting = list(sent)
        found = {}
        for page in range(LISTING_MAX_PAGES):
            body = self._post(
                "/suno/tasks",
                {
                    "action": "retrieve_batch",
                    "created_at_min": start,
                    "created_at_max": end,
                    "limit": LISTING_PAGE,
                    "offset": page * LISTING_PAGE,
                },
            )
            items = body.get("items")
            if not isinstance(items, list):
                raise malformed("`items` is missing from the task listing", body)
            for record in items:
                job_id = parsing.identifier(record.get("id")) if isinstance(record, dict) else ""
                match = job_id and next((s for s in waiting if matches(s, record)), None)
                if not match:
                    continue
                waiting.remove(match)
                found[match.key] = self.found(match, job_id, record)
            if len(items) < LISTING_PAGE or not waiting:
                break
        return found

    def found(self, sent, job_id, record):
        parser = SIDE_PARSERS.get(sent.action)
        if parser is None:
            return Found(job_id, result=self.parse_task(job_id, record))
        response = record.get("response")
        try:
            side = parser(response) if response is not None else None
        except UpstreamError:
            side = None  # a record we cannot read yet: the next look may
        return Found(job_id, side=side)

    def check(self):
        """A cheap authenticated call: an empty batch retrieve."""
        body = self._post("/suno/tasks", {"ids": [], "action": "retrieve_batch"})
        if not isinstance(body.get("items"), list):
            raise malformed("no `items` in the answer", body)

    def parse_callback(self, body):
        task_id = parsing.identifier(body.get("task_id")) if isinstance(body, dict) else ""
        if not task_id:
            raise malformed("the callback has no `task_id`", body)
        return task_id

    def lyrics(self, prompt, model=""):
        return self._lyrics("/suno/lyrics", sunohub_blend.lyrics_body(prompt, model))

    def mashup_lyrics(self, lyrics_a, lyrics_b):
        body = sunohub_blend.mashup_lyrics_body(lyrics_a, lyrics_b)
        return self._lyrics("/suno/mashup-lyrics", body)

    def _lyrics(self, path, body):
        answer, data = self._data(path, body)
        found = sunohub_blend.lyrics_data(data)
        if found is None:
            raise malformed("no lyrics in the answer", answer)
        text, title, tags = found
        return Lyrics(text=text, title=title, tags=tags)

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
        return parse_upload(self._post("/suno/upload", {"audio_url": audio_url}))

    def create_persona(self, name, description, audio_id):
        body = {"name": name, "description": description, "audio_id": audio_id}
        return parse_persona(self._post("/suno/persona", body))

    def timing(self, audio_id):
        return parse_timing(self._post("/suno/timing", {"audio_id": audio_id}))

    def wav(self, audio_id):
        return parse_wav(self._post("/suno/wav", {"audio_id": audio_id}))

    def mp4(self, audio_id):
        return parse_mp4(self._post("/suno/mp4", {"audio_id": audio_id}))
