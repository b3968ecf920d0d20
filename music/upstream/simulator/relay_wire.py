"""The relay wire format of new-api-style gateways on top of the engine (seed 000; DESIGN.md 4).

Native Suno fields (`prompt` = lyrics, `gpt_description_prompt`, `tags`, `mv`, `task`,
`continue_clip_id`, ...) are posted to `/suno/submit/*` and answer a task id; tasks come back
from `/suno/fetch` as `{task_id, action, status, progress, data: [native clips]}`. Successes are
wrapped in `{"code": "success", "message": "", "data": ...}` (except the persona, answered raw),
errors are `{"code", "message", "data": null}` with the HTTP status.

A relay has no Pro pool, so every order is a Pro order. Stems, timing and MP4 are only offered
for clips made with chirp-auk (v4.5), as the seed's scene list says.

Sellers differ. `RelayWire.variants` (set from a seller profile with `use_profile`) makes this
wire answer the way other gateways do, so the client is tested against each shape it must read:
see VARIANTS and PROFILES.
"""

import re
from contextlib import contextmanager

from music.upstream.simulator import words
from music.upstream.simulator.engine import ApiError, Order, bad_request
from music.upstream.simulator.relay_answers import (
    AUK,
    KEYS_BY_NAME,
    LYRICS_ACTION,
    RELAY_NAMES,
    RelayAnswers,
    ok,
)
from music.upstream.simulator.relay_layers import LAYER_TASKS, RelayLayers
from music.upstream.simulator.sunohub_wire import (
    _seconds,
    _text,
    aligned_words,
    status_line,
)

NOT_AUK = "{what} only available for chirp-auk (v4.5) songs."
TASKS = (
    "extend",
    "upload_extend",
    "cover",
    "infill",
    "artist_consistency",
    "gen_stem",
    *LAYER_TASKS,
)
# Tasks that make a song from words (a cover keeps its source's, an infill has its own).
WORDED_TASKS = ("", "extend", "upload_extend", "artist_consistency")

# Engine field names -> the relay's, so refusals name the fields the caller actually sent.
COMMON_NAMES = {"style": "tags", "style_negative": "negative_tags", "model": "mv"}
CUSTOM_NAMES = {**COMMON_NAMES, "lyric": "prompt", "prompt": "gpt_description_prompt"}

# Paths this wire answers for, known or not, so even its 404s and 405s are relay-shaped.
CLAIMED = ("/suno/submit/", "/suno/fetch", "/suno/feed/", "/suno/act/", "/suno/uploads/")
MODELS_PATH = "/v1/models"  # the OpenAI-style model list every new-api gateway serves

# How real gateways answer differently from the seed's full set (issue #11).
VARIANTS = {
    "upload_id": "/suno/uploads/audio-url answers `data` as the new clip's id string",
    "stems_clips": "/suno/act/stems answers the stem clips at once instead of a task id",
    "file_url": "/suno/act/wav|mp4 answer `{code: 200, data: <the file's URL>}`",
    "file_feed": "/suno/act/wav|mp4 answer `data` as an id to follow in /suno/feed",
    "lyrics_clip": "a /suno/submit/lyrics task ends as a clip with the words in metadata.prompt",
    "strict_prompt": "/suno/submit/music refuses a body without `prompt` or a description",
    "stock": "stock new-api: only MUSIC and LYRICS (no `task`, act, concat, upload, persona, feed)",
}
PROFILES = {
    "full": frozenset(),  # everything seed 000 documents, in the shapes DESIGN.md gives
    "stock": frozenset({"stock", "strict_prompt"}),
    "reseller": frozenset({"upload_id", "stems_clips", "file_url", "lyrics_clip", "strict_prompt"}),
    "feed": frozenset({"upload_id", "stems_clips", "file_feed", "lyrics_clip", "strict_prompt"}),
}
# Model names of the model list: new-api's own two, and those a reseller adds to price
# its extra actions.
STOCK_MODELS = ("suno_music", "suno_lyrics")
RESELLER_MODELS = (
    "suno_extend",
    "suno_upload",
    "suno_concat",
    "suno_cover",
    "suno_infill",
    "suno_persona",
    "suno_act_stems",
    "suno_act_timing",
    "suno_act_wav",
    "suno_act_mp4",
    "suno_underpainting",
    "suno_overpainting",
)
# What stock new-api routes: anything else answers like its unknown-route handler.
STOCK_PATHS = ("/suno/submit/music", "/suno/submit/lyrics", "/suno/fetch")


def _flag(value):
    """JSON booleans, and the string/number spellings some clients send."""
    if isinstance(value, str):
        return value.strip().lower() in ("true", "1", "yes")
    return value is True or (isinstance(value, int) and value == 1)


@contextmanager
def relay_names(names):
    """Re-raise engine refusals with the relay's field names in their messages."""
    try:
        yield
    except ApiError as exc:
        message = re.sub(r"`([a-z_]+)`", lambda m: f"`{names.get(m[1], m[1])}`", exc.message)
        raise ApiError(exc.status, exc.code, message) from exc


def _refuse(status, code, message):
    def handler(body):
        raise ApiError(status, code, message)

    return handler


class RelayWire(RelayLayers, RelayAnswers):
    def __init__(self, simulator):
        self.sim = simulator  # the engine, plus callbacks
        self.variants = set()  # names of VARIANTS this seller answers with

    def use_profile(self, name):
        """Answer like one kind of seller (a key of PROFILES)."""
        self.variants = set(PROFILES[name])

    # --- routing --------------------------------------------------------------------
    def match(self, method, path):
        """The handler for a request in this format; GET handlers get their path argument."""
        if path == MODELS_PATH:
            if method != "GET":
                return _refuse(405, "method_not_allowed", f"Use GET for {path}.")
            return lambda body: self.models()
        if not (path.startswith(CLAIMED) or path == "/suno/persona/create"):
            return None
        if "stock" in self.variants and not (
            path in STOCK_PATHS or path.startswith("/suno/fetch/")
        ):
            # new-api's answer to a route it does not have.
            return _refuse(404, "invalid_request", f"Invalid URL ({method} {path})")
        post, get = self.routes()
        if path in post:
            if method != "POST":
                return _refuse(405, "method_not_allowed", f"Use POST for {path}.")
            return post[path]
        for prefix, handler in get.items():
            if path.startswith(prefix):
                if method != "GET":
                    return _refuse(405, "method_not_allowed", f"Use GET for {prefix}...")
                arg = path.removeprefix(prefix)
                return lambda body, handler=handler: handler(arg)
        return _refuse(404, "not_found", f"No such endpoint: {path}")

    def routes(self):
        """(POST routes by path, GET routes by path prefix)."""
        post = {
            "/suno/submit/music": self.submit_music,
            "/suno/submit/concat": self.submit_concat,
            "/suno/submit/lyrics": self.submit_lyrics,
            "/suno/fetch": self.fetch_many,
            "/suno/uploads/audio-url": self.upload,
            "/suno/persona/create": self.persona_create,
        }
        get = {
            "/suno/fetch/": self.fetch_one,
            "/suno/feed/": self.feed,
            "/suno/act/stems/": self.stems,
            "/suno/act/timing/": self.timing,
            "/suno/act/wav/": self.wav,
            "/suno/act/mp4/": self.mp4,
        }
        return post, get

    @staticmethod
    def error(status, code, message):
        return status_line(status), {"code": code, "message": message, "data": None}

    def models(self):
        """The model list (`GET /v1/models`): what this key may buy, OpenAI-style."""
        names = [*STOCK_MODELS, *(() if "stock" in self.variants else RESELLER_MODELS)]
        names.append("gpt-4o-mini")  # gateways sell more than music
        return {
            "object": "list",
            "data": [{"id": n, "object": "model", "owned_by": "custom"} for n in names],
            "success": True,
        }

    # --- /suno/submit/music ---------------------------------------------------------
    def submit_music(self, body):
        task = _text(body, "task").strip()
        if task and "stock" in self.variants:
            raise bad_request("`task` is not supported: this gateway only makes new songs.")
        if task and task not in TASKS:
            raise bad_request(f"Unknown `task`: {task} (use one of {', '.join(TASKS)}).")
        if "strict_prompt" in self.variants and task in WORDED_TASKS:
            words_given = (
                _text(body, "prompt").strip() or _text(body, "gpt_description_prompt").strip()
            )
            if not words_given:
                raise bad_request("prompt is required (prompt_empty).")
        order, names = getattr(self, f"_order_{task or 'generate'}")(body)
        return ok(self._submit(order, names))

    def _submit(self, order, names):
        with relay_names(names):
            job_id = self.sim.submit(order)
        if order.callback_url:
            self.sim.schedule_callback(job_id, order.callback_url, body=self.task_object)
        return job_id

    @staticmethod
    def _model_key(body):
        """The catalogue key for `mv`; "" lets the engine pick (default, or the source's)."""
        mv = _text(body, "mv").strip()
        if not mv:
            return ""
        key = KEYS_BY_NAME.get(mv)
        if key is None:
            names = ", ".join(RELAY_NAMES.values())
            raise bad_request(f"Unknown model `mv`: {mv} (use one of {names}).")
        return key

    def _order(self, body, action, **fields):
        return Order(
            action=action,
            model=self._model_key(body),
            is_pro=True,  # a relay has no Pro pool: nothing is held back from its users
            instrumental=_flag(body.get("make_instrumental")),
            style=_text(body, "tags"),
            style_negative=_text(body, "negative_tags"),
            title=_text(body, "title"),
            callback_url=_text(body, "notify_hook").strip(),
            raw=body,
            **fields,
        )

    @staticmethod
    def _words(body, *, need=True):
        """(custom, lyric, description): lyrics in `prompt` win over a description."""
        lyric = _text(body, "prompt")
        description = _text(body, "gpt_description_prompt")
        # A custom instrumental has no lyrics, only tags, like Suno's own custom mode.
        custom = bool(lyric.strip()) or (
            _flag(body.get("make_instrumental"))
            and not description.strip()
            and bool(_text(body, "tags").strip())
        )
        if need and not custom and not description.strip():
            raise bad_request(
                "Either `prompt` (lyrics) or `gpt_description_prompt` (a description of the "
                "song) is required."
            )
        return custom, lyric, description

    def _order_generate(self, body):
        custom, lyric, description = self._words(body)
        if custom:
            order = self._order(body, "generate", custom=True, lyric=lyric)
        else:
            order = self._order(body, "generate", prompt=description)
        return order, CUSTOM_NAMES

    def _continuation(self, body, action, field):
        order = self._order(
            body,
            action,
            audio_id=_text(body, field).strip(),
            continue_at=_seconds(body, "continue_at"),
            lyric=_text(body, "prompt"),
            prompt=_text(body, "gpt_description_prompt"),
        )
        return order, {**CUSTOM_NAMES, "audio_id": field}

    def _order_extend(self, body):
        # `task_id` (the source clip's task) is accepted and not needed: clip ids are unique.
        return self._continuation(body, "extend", "continue_clip_id")

    def _order_upload_extend(self, body):
        return self._continuation(body, "upload_extend", "continue_clip_id")

    def _order_cover(self, body):
        clip_id = _text(body, "cover_clip_id").strip()
        row = self.sim._clip(clip_id) if clip_id else None
        # One `task` covers any clip here; the engine knows an upload's cover by its name.
        uploaded = row is not None and self.sim.spec(row)["kind"] == "upload"
        order = self._order(
            body,
            "upload_cover" if uploaded else "cover",
            audio_id=clip_id,
            lyric=_text(body, "prompt"),
            prompt=_text(body, "gpt_description_prompt"),
        )
        return order, {**CUSTOM_NAMES, "audio_id": "cover_clip_id"}

    def _order_infill(self, body):
        order = self._order(
            body,
            "replace_section",
            audio_id=_text(body, "continue_clip_id").strip(),
            lyric=_text(body, "prompt"),
            prompt=_text(body, "infill_lyrics"),
            replace_section_start=_seconds(body, "infill_start_s"),
            replace_section_end=_seconds(body, "infill_end_s"),
        )
        names = {
            **COMMON_NAMES,
            "audio_id": "continue_clip_id",
            "lyric": "prompt",
            "prompt": "infill_lyrics",
            "replace_section_start": "infill_start_s",
            "replace_section_end": "infill_end_s",
        }
        return order, names

    def _order_artist_consistency(self, body):
        custom, lyric, description = self._words(body)
        order = self._order(
            body,
            "artist_consistency",
            custom=custom,
            lyric=lyric if custom else "",
            prompt="" if custom else description,
            persona_id=_text(body, "persona_id").strip(),
            audio_id=_text(body, "artist_clip_id").strip(),
        )
        return order, {**CUSTOM_NAMES, "audio_id": "artist_clip_id"}

    def _order_gen_stem(self, body):
        clip_id = _text(body, "continue_clip_id").strip()
        self._require_auk(clip_id, "continue_clip_id", "Stems are")
        order = self._order(body, "stems", audio_id=clip_id)
        return order, {**COMMON_NAMES, "audio_id": "continue_clip_id"}

    # --- /suno/submit/concat and /suno/submit/lyrics --------------------------------
    def submit_concat(self, body):
        clip_id = _text(body, "clip_id").strip()
        row = self.sim._clip(clip_id) if clip_id else None
        if row is not None and "is_infill" in body:
            # The flag says how to join; a wrong one would splice the song in the wrong place.
            infill = self.sim.spec(row)["kind"] == "replace"
            if _flag(body.get("is_infill")) and not infill:
                raise bad_request("`is_infill` is true but the clip is not an infill section.")
            if infill and not _flag(body.get("is_infill")):
                raise bad_request("The clip is an infill section: send `is_infill`: true.")
        order = Order(
            action="concat",
            audio_id=clip_id,
            is_pro=True,
            callback_url=_text(body, "notify_hook").strip(),
            raw=body,
        )
        return ok(self._submit(order, {"audio_id": "clip_id"}))

    def submit_lyrics(self, body):
        prompt = _text(body, "prompt").strip()
        if not prompt:
            raise bad_request("`prompt` is required.")
        if words.is_copyrighted(prompt):
            raise ApiError(403, "forbidden", "Prompt likely copyrighted.")
        hook = _text(body, "notify_hook").strip()
        # A job without clips: it runs on the same clock as music and its words are
        # invented from the prompt when it is read.
        job_id, _ = self.sim._create_job({"action": LYRICS_ACTION, "prompt": prompt}, [], hook)
        if hook:
            self.sim.schedule_callback(job_id, hook, body=self.task_object)
        return ok(job_id)

    # --- uploads and personas -------------------------------------------------------
    def upload(self, body):
        with relay_names({"audio_url": "url"}):
            _, clip_id = self.sim.upload(_text(body, "url"))
        if "upload_id" in self.variants:
            return ok(clip_id)  # the clip is read from the feed
        return ok(self.clip_json(self.view(clip_id)))

    def persona_create(self, body):
        root = _text(body, "root_clip_id").strip()
        clips = body.get("clips")
        if clips is None:
            clips = [root]
        if not isinstance(clips, list) or not all(isinstance(c, str) for c in clips):
            raise bad_request("`clips` must be a list of clip ids.")
        for clip_id in clips:
            if self.sim._clip(clip_id) is None:
                raise ApiError(404, "not_found", f"No such clip: {clip_id}")
        name, description = _text(body, "name"), _text(body, "description")
        with relay_names({"audio_id": "root_clip_id"}):
            persona_id = self.sim.create_persona(name, description, root)
        root_clip = self.clip_json(self.view(root))
        members = list(dict.fromkeys([root, *clips]))
        # Answered raw, not in the success envelope, as the seed's example shows.
        return {
            "id": persona_id,
            "name": name.strip(),
            "description": description,
            "image_s3_id": root_clip["image_large_url"],
            "root_clip_id": root,
            "clip": root_clip,
            "user_display_name": "Simulator",
            "user_handle": "simulator",
            "user_image_url": "",
            "persona_clips": [
                {"clip": self.clip_json(self.view(c)), "id": i} for i, c in enumerate(members)
            ],
            "is_suno_persona": False,
            "is_trashed": False,
            "is_owned": True,
            "is_public": _flag(body.get("is_public")),
            "is_public_approved": False,
            "is_loved": False,
            "upvote_count": 0,
            "clip_count": len(members),
        }

    # --- /suno/act/... --------------------------------------------------------------
    def _require_auk(self, clip_id, field, what):
        """Refuse a clip not made with chirp-auk (the seed: "仅限chirp_auk")."""
        _, spec, _ = self.sim.source(clip_id, field)
        if self.model_of(spec) != AUK:
            raise ApiError(400, "model_not_supported", NOT_AUK.format(what=what))
        return spec

    def stems(self, clip_id):
        self._require_auk(clip_id, "clip_id", "Stems are")
        order = Order(action="stems", audio_id=clip_id, is_pro=True, raw={"task": "gen_stem"})
        job_id = self._submit(order, {"audio_id": "clip_id"})
        if "stems_clips" in self.variants:
            # The split is quick: such a seller answers the stem clips, not a task.
            _, _, views = self.sim.job_views(job_id)
            return ok([self.clip_json(view) for view in views])
        return ok(job_id)

    def timing(self, clip_id):
        self._require_auk(clip_id, "clip_id", "Timing is")
        timing = self.sim.timing(clip_id)
        return ok(
            {
                "aligned_words": aligned_words(timing["lines"], timing["duration"]),
                "waveform_data": timing["waveform"],
                "hoot_cer": timing["hoot_cer"],
                "is_streamed": False,
            }
        )

    def wav(self, clip_id):
        _, spec, _ = self.sim.source(clip_id, "clip_id")
        if spec["kind"] == "upload":
            # The engine keeps WAVs for Pro-made songs; an upload is neither made nor Pro.
            raise bad_request("WAV files are made for generated songs, not for uploads.")
        with relay_names({"audio_id": "clip_id"}):
            return self._file(clip_id, "wav_file_url", self.sim.wav(clip_id))

    def mp4(self, clip_id):
        self._require_auk(clip_id, "clip_id", "MP4 videos are")
        with relay_names({"audio_id": "clip_id"}):
            return self._file(clip_id, "video_url", self.sim.mp4(clip_id))

    def _file(self, clip_id, key, url):
        if "file_url" in self.variants:
            return {"code": 200, "data": url}  # the link itself, HTTP-style code, no message
        if "file_feed" in self.variants:
            return ok(clip_id)  # the clip to follow in the feed, where the file appears
        return ok({key: url})
