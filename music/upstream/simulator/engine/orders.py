"""Orders: each action validated like the real service and planned as clip specs."""

from music import catalogue
from music.upstream.simulator import steering, words
from music.upstream.simulator.audio import SAMPLE_RATE as SR
from music.upstream.simulator.engine.common import ApiError, Order, bad_request
from music.upstream.simulator.engine.rendering import audio_voice, lines_to_lyric

AUDIO_ACTIONS = (
    "generate",
    "extend",
    "upload_generate",
    "concat",
    "replace_section",
    "upload_extend",
    "stems",
    "artist_consistency",
    "artist_consistency_vox",  # engine.voices: a Persona-v2-vox's song
    "cover",
    # Reworking a clip's own audio (engine.rework).
    "remaster",
    "adjust_speed",
    "samples",
    # A layer added in a window, and covers of uploads (engine.layers).
    "underpainting",
    "overpainting",
    "upload_cover",
    # Stems of a clip (engine.stems).
    "all_stems",
    "extract_stem",
    "add_stem",
    # Songs made from other songs (engine.blend).
    "mashup",
    "inspo",
)
# Clips that are a piece of a song until concatenated.
FRAGMENT_KINDS = {"extend", "replace"}
REPLACE_MAX_WINDOW = 60.0
SECOND_TAKE = "#take2"  # appended to a melody seed: the same song, another tune


class Orders:
    """The `_order_<action>` planners and the checks they share (an `Engine` mixin)."""

    def submit(self, order: Order):
        """Validate an order like the real service and create its job; returns the job id."""
        action = order.action or "generate"
        if action not in AUDIO_ACTIONS:
            raise bad_request(f"Unknown action: {action}")
        specs = getattr(self, f"_order_{action}")(order)
        job_id, _ = self._create_job(order.raw, specs, order.callback_url)
        return job_id

    def _model(self, order, default=None):
        key = order.model or default or catalogue.DEFAULT_MODEL
        model = catalogue.MODELS_BY_KEY.get(key)
        if model is None:
            raise bad_request(f"Unknown model: {key}")
        if model.needs_pro and not order.is_pro:
            raise bad_request(f"{model.label} is only served from the Pro pool.")
        return model

    def _check_words(self, order, model, *, description=False):
        if description and len(order.prompt) > catalogue.DESCRIPTION_MAX:
            raise bad_request("`prompt` is too long.")
        if not description and len(order.prompt) > model.lyric_max:
            raise bad_request(f"`prompt` is over {model.lyric_max} characters.")
        if len(order.lyric) > model.lyric_max:
            raise bad_request(f"`lyric` is over {model.lyric_max} characters.")
        if len(order.style) > model.style_max:
            raise bad_request(f"`style` is over {model.style_max} characters.")
        if len(order.style_negative) > model.style_max:
            raise bad_request(f"`style_negative` is over {model.style_max} characters.")
        if len(order.title) > model.title_max:
            raise bad_request(f"`title` is over {model.title_max} characters.")
        if words.is_copyrighted(order.prompt, order.lyric, order.title):
            raise ApiError(403, "forbidden", "Prompt likely copyrighted.")

    def _max_duration(self, model):
        return min(self.max_duration, model.max_seconds)

    def source(self, clip_id, field_name="audio_id"):
        """A finished clip to work from (rendered, so its duration is known)."""
        if not clip_id:
            raise bad_request(f"`{field_name}` is required.")
        row = self._clip(clip_id)
        if row is None:
            raise ApiError(404, "not_found", f"No such audio: {clip_id}")
        state = self.clip_state(row)
        if state != "succeeded":
            if state == "error":
                raise bad_request(f"The audio {clip_id} failed; there is nothing to work from.")
            raise bad_request(f"The audio {clip_id} is not finished yet.")
        info = self.ensure_rendered(row)
        return row, self.spec(row), info

    @staticmethod
    def _song(ident, *, lyric, instrumental, max_duration, min_duration=None, style=None, take=0):
        melody = ident["melody"] + (SECOND_TAKE if take else "")
        return {
            "seed": ident["seed"],
            "melody": melody,
            "style": ident["style"] if style is None else style,
            "variant": ident["variant"],
            "voice": ident["voice"],
            "lyric": lyric,
            "instrumental": instrumental,
            "max_duration": max_duration,
            "min_duration": min(8.0, max_duration) if min_duration is None else min_duration,
        }

    def _order_generate(self, order):
        model = self._model(order)
        custom = order.custom
        if custom:
            if not order.lyric and not order.instrumental:
                raise bad_request("Custom mode needs `lyric`.")
        elif not order.prompt:
            raise bad_request("`prompt` is required.")
        self._check_words(order, model, description=not custom)
        prompt, lyric, style = order.prompt, order.lyric, order.style
        seed = prompt or lyric or style
        max_duration = self._max_duration(model)
        base = {
            "kind": "gen",
            "seed": seed,
            "prompt": prompt,
            "lyric": lyric if custom else words.invent_lyric(prompt, order.instrumental),
            "style": style or words.invent_style(prompt),
            "title": order.title or words.invent_title(prompt or lyric),
            "instrumental": order.instrumental,
            "model": model.key,
            "max_duration": max_duration,
            "is_pro": order.is_pro,
        }
        ident = {"seed": seed, "melody": None, "style": base["style"], "voice": None}
        specs = []
        for variant in (0, 1):
            song = {
                **ident,
                "variant": variant,
                "lyric": base["lyric"],
                "instrumental": order.instrumental,
                "max_duration": max_duration,
                "min_duration": min(8.0, max_duration),
            }
            specs.append({**base, "song": song})
        return steering.steer(order, specs)

    def _continue_at(self, order, duration=None):
        at = order.continue_at
        if at is None:
            raise bad_request("`continue_at` is required (seconds into the song, above 0).")
        if not at > 0:
            raise bad_request("`continue_at` must be above 0.")
        if duration is not None and at > duration + 1e-6:
            raise bad_request(f"`continue_at` must be at most the song's duration ({duration} s).")
        return float(at)

    def _extension_words(self, order):
        lyric = order.lyric or (
            words.invent_lyric(order.prompt, order.instrumental) if order.prompt else ""
        )
        if not lyric and not order.instrumental:
            raise bad_request("Extending a song needs `lyric` (or a `prompt` to write it from).")
        return lyric

    def _extension_specs(self, order, parent_row, parent_spec, info, model):
        continue_at = self._continue_at(order, info["duration"])
        lyric = self._extension_words(order)
        ident = self.identity(parent_row)
        style = order.style or parent_spec.get("style", "")
        max_duration = self._max_duration(model)
        base = {
            "kind": "extend",
            "seed": order.prompt or lyric or ident["seed"],
            "prompt": order.prompt,
            "lyric": lyric,
            "style": style,
            "title": order.title or parent_spec.get("title", ""),
            "instrumental": order.instrumental,
            "model": model.key,
            "max_duration": max_duration,
            "is_pro": order.is_pro,
            "parent": parent_row["id"],
            "continue_at": continue_at,
        }
        # Same seed, style and take as the parent: the plan (key, tempo, band, singer) matches,
        # so the new part continues the song; only the words (and, for take two, the tunes)
        # are new. An upload has no style of its own, so the request's style shapes it.
        plan_style = ident["style"] if ident["style"] is not None else style
        return [
            {
                **base,
                "song": self._song(
                    ident,
                    lyric=lyric,
                    instrumental=order.instrumental,
                    max_duration=max_duration,
                    style=plan_style,
                    take=take,
                ),
            }
            for take in (0, 1)
        ]

    def _order_extend(self, order):
        row, spec, info = self.source(order.audio_id)
        model = self._model(order, spec.get("model") or None)
        self._check_words(order, model)
        if spec["kind"] == "upload":
            raise bad_request("Use `upload_extend` to continue an uploaded song.")
        return self._extension_specs(order, row, spec, info, model)

    def _order_upload_extend(self, order):
        row, spec, info = self.source(order.audio_id)
        model = self._model(order)
        self._check_words(order, model)
        if spec["kind"] != "upload":
            raise bad_request("`upload_extend` continues an uploaded song; use `extend`.")
        return self._extension_specs(order, row, spec, info, model)

    def _order_upload_generate(self, order):
        model = self._model(order)
        self._check_words(order, model)
        if not order.audio_url:
            raise bad_request("`audio_url` is required.")
        self._continue_at(order)
        self._extension_words(order)
        _, clip_id = self.upload(order.audio_url)
        row, spec, info = self.source(clip_id)
        return self._extension_specs(order, row, spec, info, model)

    def _order_concat(self, order):
        row, spec, _ = self.source(order.audio_id)
        if spec["kind"] not in FRAGMENT_KINDS or spec.get("full_song"):
            raise bad_request(
                "There is nothing to concatenate: the audio is not an extension or a "
                "replaced section."
            )
        segments, history, lyric = self._concat_plan(row)
        first = self._clip(history[0]["id"])
        root = self.spec(first)
        parts = [self.spec(self._clip(s["clip"])) for s in segments]
        return [
            {
                "kind": "concat",
                "seed": f"{root.get('seed', '')}#concat",
                "prompt": root.get("prompt"),
                "lyric": lyric,
                "style": root.get("style", ""),
                "title": root.get("title", ""),
                "instrumental": all(p.get("instrumental") for p in parts),
                "model": root.get("model", ""),
                # A song joined from Pro-made parts still lives in the Pro pool.
                "is_pro": order.is_pro or all(p.get("is_pro") for p in parts),
                "segments": segments,
                "history": history,
            }
        ]

    def _concat_plan(self, row):
        """Segments (clip, start, end seconds), concat_history and lyric for a fragment."""
        spec = self.spec(row)
        if spec["kind"] == "replace":
            source = self._clip(spec["source"])
            source_spec = self.spec(source)
            start, end = spec["start"], spec["end"]
            segments = [
                {"clip": source["id"], "start": 0.0, "end": start},
                {"clip": row["id"], "start": 0.0, "end": None},
                {"clip": source["id"], "start": end, "end": None},
            ]
            history = [
                {
                    "id": source["id"],
                    "continue_at": start,
                    "type": self._history_type(source_spec),
                    "source": "web",
                    "infill": True,
                    "infill_start": start,
                    "infill_end": end,
                },
                {"id": row["id"]},
            ]
            after = [ln for ln in self.ensure_rendered(source)["lines"] if ln["start"] >= end]
            lyric = "\n".join(
                part for part in (spec.get("lyric", "").strip("\n"), lines_to_lyric(after)) if part
            )
            return segments, history, lyric
        chain = [(row, None)]
        while spec["kind"] == "extend":
            at = spec["continue_at"]
            row = self._clip(spec["parent"])
            spec = self.spec(row)
            chain.append((row, at))
        chain.reverse()
        segments = [{"clip": r["id"], "start": 0.0, "end": at} for r, at in chain]
        history = []
        for i, (r, at) in enumerate(chain):
            if at is None:
                history.append({"id": r["id"]})
                continue
            entry = {"id": r["id"], "continue_at": at, "type": self._history_type(self.spec(r))}
            if i == 0:
                entry["source"] = "web"
            entry["infill"] = False
            history.append(entry)
        lyric = "\n".join(self.spec(r).get("lyric", "") for r, _ in chain)
        return segments, history, lyric

    @staticmethod
    def _history_type(spec):
        return "upload" if spec["kind"] == "upload" else "gen"

    def _order_cover(self, order):
        if not order.is_pro:
            raise bad_request(f"{order.action} requires the Pro pool (`is_pro`: true).")
        row, spec, _ = self.source(order.audio_id)
        if (spec["kind"] == "upload") != (order.action == "upload_cover"):
            raise bad_request(
                "Use `upload_cover` to cover an uploaded song."
                if spec["kind"] == "upload"
                else "`upload_cover` covers an uploaded song; use `cover`."
            )
        model = self._model(order)
        self._check_words(order, model)
        ident = self.identity(row)
        lyric = order.lyric or spec.get("lyric", "")
        # Without a new style a cover would be the same record again.
        style = order.style or words.merge_styles(spec.get("style", ""), "acoustic")
        instrumental = order.instrumental or not lyric
        max_duration = self._max_duration(model)
        base = {
            "kind": "cover",
            "seed": f"{ident['seed']}#cover:{style}",
            "prompt": order.prompt or lyric[:80],
            "lyric": lyric,
            "style": style,
            "title": order.title or spec.get("title", ""),
            "instrumental": instrumental,
            "model": model.key,
            "max_duration": max_duration,
            "is_pro": True,
            "source": row["id"],
        }
        specs = []
        for variant in (0, 1):
            # The original's seed and melody seed keep key and tunes; the new style brings
            # the band, tempo and singer, and the two takes differ like a generation's do.
            song = self._song(
                {**ident, "variant": variant, "voice": None},
                lyric=lyric,
                instrumental=instrumental,
                max_duration=max_duration,
                style=style,
            )
            specs.append({**base, "song": song})
        return specs

    def _order_replace_section(self, order):
        row, spec, info = self.source(order.audio_id)
        model = self._model(order, spec.get("model") or None)
        self._check_words(order, model)
        if not order.lyric:
            raise bad_request("`lyric` (the lyrics up to and including the new lines) is required.")
        if not order.prompt:
            raise bad_request("`prompt` (the new lines) is required.")
        if not words.contains_lines(order.lyric, order.prompt):
            raise bad_request("`prompt` (the new lines) must be part of `lyric`.")
        start, end = order.replace_section_start, order.replace_section_end
        if start is None or end is None:
            raise bad_request("`replace_section_start` and `replace_section_end` are required.")
        duration = info["duration"]
        if not 0 <= start < end:
            raise bad_request("`replace_section_start` must be at least 0 and before the end.")
        if end > duration + 1e-6:
            raise bad_request(
                f"`replace_section_end` must be inside the song (at most {duration} s)."
            )
        if end - start > REPLACE_MAX_WINDOW + 1e-6:
            raise bad_request("The section to replace can be at most 60 seconds long.")
        window = end - start
        ident = self.identity(row)
        plan_style = ident["style"] if ident["style"] is not None else order.style
        base = {
            "kind": "replace",
            "seed": f"{ident['seed']}#replace:{order.prompt}",
            "prompt": order.prompt,
            "lyric": order.lyric,
            "style": order.style or spec.get("style", ""),
            "title": order.title or spec.get("title", ""),
            "instrumental": False,
            "model": model.key,
            "max_duration": window,
            "is_pro": order.is_pro,
            "source": row["id"],
            "start": float(start),
            "end": float(end),
            "samples": int(round(end * SR)) - int(round(start * SR)),
            "full_song": order.result_mode == "full_song",  # engine.layers splices it in
        }
        return [
            {
                **base,
                "song": self._song(
                    ident,
                    lyric=order.prompt,
                    instrumental=False,
                    max_duration=window,
                    min_duration=window,
                    style=plan_style,
                    take=take,
                ),
            }
            for take in (0, 1)
        ]

    def _order_stems(self, order):
        row, spec, _ = self.source(order.audio_id)
        if not spec.get("is_pro"):
            raise bad_request("stems are only available for songs made in the Pro pool.")
        title = spec.get("title", "")
        base = {
            "kind": "stem",
            "seed": spec.get("seed", row["id"]),
            "prompt": None,
            "style": spec.get("style", ""),
            "instrumental": False,
            "model": "",
            "is_pro": True,
            "source": row["id"],
        }
        return [
            {**base, "stem": "vocals", "title": f"{title} - Vocals", "lyric": spec.get("lyric")},
            {**base, "stem": "instrumental", "title": f"{title} - Instrumental", "lyric": ""},
        ]

    def _order_artist_consistency(self, order):
        if not order.is_pro:
            raise bad_request("artist_consistency requires the Pro pool (`is_pro`: true).")
        if not order.persona_id:
            raise bad_request("`persona_id` is required.")
        persona = self._persona(order.persona_id)
        if persona is None:
            raise ApiError(404, "not_found", f"No such persona: {order.persona_id}")
        if (persona["kind"] == "vox") != (order.action == "artist_consistency_vox"):
            raise bad_request("A Persona-v2-vox sings with `artist_consistency_vox`, others not.")
        if order.audio_id and self._clip(order.audio_id) is None:
            raise ApiError(404, "not_found", f"No such audio: {order.audio_id}")
        model = self._model(order)
        if order.custom:
            if not order.lyric and not order.instrumental:
                raise bad_request("Custom mode needs `lyric`.")
        elif not order.prompt:
            raise bad_request("`prompt` is required.")
        self._check_words(order, model, description=not order.custom)
        source = self._clip(persona["clip_id"])
        source_spec = self.spec(source)
        ident = self.identity(source)
        voice = ident["voice"] or list(
            audio_voice(ident["seed"], ident["style"] or "", ident["variant"])
        )
        prompt = order.prompt
        lyric = order.lyric if order.custom else words.invent_lyric(prompt, order.instrumental)
        style = words.merge_styles(order.style, source_spec.get("style", ""))
        seed = prompt or order.lyric or style
        max_duration = self._max_duration(model)
        base = {
            "kind": "persona",
            "seed": seed,
            "prompt": prompt,
            "lyric": lyric,
            "style": style,
            "title": order.title or words.invent_title(prompt or order.lyric),
            "instrumental": order.instrumental,
            "model": model.key,
            "max_duration": max_duration,
            "is_pro": True,
            "persona_id": persona["id"],
            "source": source["id"],
        }
        specs = []
        for variant in (0, 1):
            # New words and tunes, the persona's singer (pinned, whatever the take) and tags.
            song = self._song(
                {"seed": seed, "melody": seed, "style": style, "variant": variant, "voice": voice},
                lyric=lyric,
                instrumental=order.instrumental,
                max_duration=max_duration,
            )
            specs.append({**base, "song": song})
        return specs
