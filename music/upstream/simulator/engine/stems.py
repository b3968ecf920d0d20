"""all_stems, extract_stem and add_stem (issue #15; AceData's docs): orders and renders.

The twelve stems of a clip are worked out once (`parts12`, kept beside the clip's own stems)
from the instruments that played it, so they add up to its mix exactly; extract_stem answers
with one of them and what is left without it, add_stem with the song and one more instrument.
"""

import io

import numpy as np

from music.upstream.simulator import media
from music.upstream.simulator.audio import parts
from music.upstream.simulator.engine.common import SONG_KINDS, bad_request
from music.upstream.simulator.engine.rendering import render_plan

STEM_KINDS = {"part", "added"}
AUDIO_FORMATS = ("mp3",)  # AceData: "the current public dual-channel contract supports only mp3"
WORDS_MAX = {"prompt": 500, "style": 1000, "title": 100}


class StemOrders:
    """Orders and renders for stems of a clip (an `Engine` mixin)."""

    @staticmethod
    def _stem_type(order):
        if not order.stem_type:
            raise bad_request("`stem_type` is required.")
        if order.stem_type not in parts.STEM_TYPES:
            raise bad_request("`stem_type` must be one of: " + ", ".join(parts.STEM_TYPES) + ".")
        return order.stem_type

    def _stem_base(self, row, spec, kind):
        return {
            "kind": kind,
            "seed": spec.get("seed", row["id"]),
            "prompt": None,
            "style": spec.get("style", ""),
            "instrumental": False,
            "model": "",
            "is_pro": bool(spec.get("is_pro")),
            "source": row["id"],
        }

    def _order_all_stems(self, order):
        row, spec, _ = self.source(order.audio_id)
        title = spec.get("title", "")
        base = self._stem_base(row, spec, "part")
        return [
            {
                **base,
                "stem": stem,
                "role": "isolated",
                "title": f"{title} ({parts.STEM_TITLES[stem]})".strip(),
                "lyric": spec.get("lyric", "") if stem == "vocals" else "",
            }
            for stem in parts.STEM_TYPES
        ]

    def _order_extract_stem(self, order):
        stem = self._stem_type(order)
        if order.audio_format and order.audio_format not in AUDIO_FORMATS:
            raise bad_request("`audio_format` supports only mp3.")
        row, spec, _ = self.source(order.audio_id)
        title, name = spec.get("title", ""), parts.STEM_TITLES[stem]
        base = {**self._stem_base(row, spec, "part"), "stem": stem}
        lyric = spec.get("lyric", "")
        return [
            {
                **base,
                "role": "isolated",
                "title": f"{title} ({name})".strip(),
                "lyric": lyric if stem == "vocals" else "",
            },
            {
                **base,
                "role": "remainder",
                "title": f"{title} (Without {name})".strip(),
                "lyric": "" if stem == "vocals" else lyric,
            },
        ]

    def _order_add_stem(self, order):
        stem = self._stem_type(order)
        # No model asked for: the song's own (a newer one may need the Pro pool).
        model_key = self._model(order).key if order.model else ""
        for name, limit in WORDS_MAX.items():
            if len(getattr(order, name)) > limit:
                raise bad_request(f"`{name}` is over {limit} characters.")
        row, spec, _ = self.source(order.audio_id)
        base = self._stem_base(row, spec, "added")
        title = order.title or f"{spec.get('title', '')} (+{parts.STEM_TITLES[stem]})".strip()
        return [
            {
                **base,
                "stem": stem,
                "take": take,
                "title": title,
                "lyric": spec.get("lyric", ""),
                "style": order.style or spec.get("style", ""),
                "model": model_key or spec.get("model", ""),
            }
            for take in (0, 1)
        ]

    # --- the twelve parts of a clip -------------------------------------------------------
    def parts12(self, row):
        """{stem: (vocals, instrumental) int16} of a finished clip, summing to its mix."""
        path = self.stems_dir / f"{row['id']}.parts12.npz"
        with self.render_lock(f"{row['id']}#parts12"):
            if not path.exists():
                vocals, instrumental = self.stems(row)
                split = parts.split(instrumental, self._band_envelopes(row, len(instrumental)))
                buf = io.BytesIO()
                np.savez(buf, vocals=vocals, **split)
                media.write_atomic(path, buf.getvalue())
            with np.load(path, allow_pickle=False) as stored:
                found = {name: stored[name] for name in stored.files}
        vocals = found.pop("vocals")
        silent = np.zeros_like(vocals)
        out = {stem: (silent, found.get(stem, silent)) for stem in parts.STEM_TYPES}
        out["vocals"] = (vocals, silent)
        return out

    def _band_envelopes(self, row, length):
        """How loud each instrument was through the clip, when the simulator played it."""
        from music.upstream.simulator import audio

        spec = self.spec(row)
        if spec["kind"] not in SONG_KINDS or spec.get("samples") is not None:
            return None  # not one rendering of a plan: split by frequency instead
        song = spec["song"]
        layers = {}
        rendering = render_plan(song, layers=layers)
        if len(rendering.instrumental) != length:
            return None
        plan = audio._plan(
            song["seed"] or "",
            song["style"] or "",
            int(song["variant"]),
            song.get("melody"),
            tuple(song["voice"]) if song.get("voice") else None,
        )
        return parts.envelopes(layers, plan)

    def _render_stem(self, spec):
        source = self._clip(spec["source"])
        lines = self.ensure_rendered(source)["lines"]
        if spec["kind"] == "added":
            vocals, instrumental = self.stems(source)
            identity = self.identity(source)
            plan = None
            if identity.get("style") is not None:
                from music.upstream.simulator import audio

                plan = audio._plan(
                    identity["seed"] or "",
                    identity["style"] or "",
                    int(identity["variant"]),
                    identity.get("melody"),
                    tuple(identity["voice"]) if identity.get("voice") else None,
                )
            layer = parts.added_layer(
                spec["stem"],
                len(instrumental),
                s16=plan.s16 if plan else None,
                tonic=plan.tonic if plan else 9,
                take=spec["take"],
            )
            mix = media.to_float(vocals) + media.to_float(instrumental)
            level = parts_rms(mix) or 0.05
            layer *= 0.5 * level / (parts_rms(layer) or 1.0)
            v16, i16 = media.quantize(media.to_float(vocals), media.to_float(instrumental) + layer)
            return v16, i16, lines
        stem_v, stem_i = self.parts12(source)[spec["stem"]]
        if spec["role"] == "remainder":
            vocals, instrumental = self.stems(source)
            rest_v = (vocals.astype(np.int32) - stem_v).astype("<i2")
            rest_i = (instrumental.astype(np.int32) - stem_i).astype("<i2")
            return rest_v, rest_i, [] if spec["stem"] == "vocals" else lines
        return stem_v.copy(), stem_i.copy(), lines if spec["stem"] == "vocals" else []


def parts_rms(x):
    return float(np.sqrt(np.mean(np.square(x, dtype=np.float64)))) if len(x) else 0.0
