"""Reworking a finished clip's own audio: remaster, adjust_speed and samples (issue #15).

Unlike the other actions these make no new music: each result is its source's stems,
transformed, so what the real service promises is measurable on the simulator's output (a
remaster is louder, a speed change lasts 1/factor as long, a sample is the range asked for).
"""

import math

from music import catalogue
from music.upstream.simulator import media
from music.upstream.simulator.audio import SAMPLE_RATE as SR
from music.upstream.simulator.audio import rework
from music.upstream.simulator.engine.common import ApiError, bad_request
from music.upstream.simulator.engine.rendering import lines_to_lyric

REWORK_KINDS = {"remaster", "speed", "sample"}
VARIATIONS = ("subtle", "normal", "high")
# Remaster needs v4.5+ or newer; `variation_category` v5 or newer (AceData's docs).
REMASTER_FROM = "chirp-v4-5-plus"
VARIATION_FROM = "chirp-v5"
REMASTER_DEFAULT = "chirp-v5"
SPEED_MIN, SPEED_MAX = 0.25, 4.0
TAKE_TWO_DB = 0.75  # a remaster's second take is this much louder again


def newer_than(key, first):
    """Whether model `key` is `first` or a later one in the catalogue's order."""
    keys = [m.key for m in catalogue.MODELS]
    return key in keys and first in keys and keys.index(key) >= keys.index(first)


class Reworks:
    """Orders and renders for clips made from another clip's audio (an `Engine` mixin)."""

    def _rework_base(self, kind, row, spec, title, model):
        return {
            "kind": kind,
            "seed": f"{spec.get('seed', row['id'])}#{kind}",
            "prompt": spec.get("prompt"),
            "lyric": spec.get("lyric", ""),
            "style": spec.get("style", ""),
            "title": title,
            "instrumental": bool(spec.get("instrumental")),
            "model": model,
            "is_pro": bool(spec.get("is_pro")),
            "source": row["id"],
        }

    def _order_remaster(self, order):
        row, spec, _ = self.source(order.audio_id)
        model = self._model(order, REMASTER_DEFAULT)
        if not newer_than(model.key, REMASTER_FROM):
            raise bad_request("remaster supports chirp-v4-5-plus and newer models only.")
        variation = order.variation_category or "normal"
        if variation not in VARIATIONS:
            raise bad_request("`variation_category` must be one of: high, normal, subtle.")
        if order.variation_category and not newer_than(model.key, VARIATION_FROM):
            raise bad_request("`variation_category` needs chirp-v5 or a newer model.")
        title = f"{spec.get('title', '')} (Remastered)".strip()
        base = self._rework_base("remaster", row, spec, title, model.key)
        base["is_pro"] = order.is_pro or bool(spec.get("is_pro"))
        gain = rework.REMASTER_GAIN_DB[variation]
        return [
            {**base, "variation": variation, "gain_db": gain + TAKE_TWO_DB * take}
            for take in (0, 1)
        ]

    def _order_adjust_speed(self, order):
        row, spec, _ = self.source(order.audio_id)
        factor = order.speed_multiplier
        if factor is None:
            raise bad_request("`speed_multiplier` is required.")
        if not (math.isfinite(factor) and SPEED_MIN <= factor <= SPEED_MAX):
            raise bad_request("`speed_multiplier` must be between 0.25 and 4.")
        model = catalogue.MODELS_BY_KEY.get(spec.get("model", ""))
        title_max = model.title_max if model else catalogue.get_model("").title_max
        if len(order.title) > title_max:
            raise bad_request(f"`title` is over {title_max} characters.")
        title = order.title or f"{spec.get('title', '')} ({factor:g}x)".strip()
        base = self._rework_base("speed", row, spec, title, spec.get("model", ""))
        return [{**base, "factor": float(factor), "keep_pitch": bool(order.keep_pitch)}]

    def _order_samples(self, order):
        row, spec, info = self.source(order.audio_id)
        start, end = order.samples_start, order.samples_end
        if start is None or end is None:
            raise bad_request("`samples_start` and `samples_end` are required.")
        duration = info["duration"]
        if not 0 <= start < end:
            raise bad_request("`samples_start` must be at least 0 and before `samples_end`.")
        if end > duration + 1e-6:
            raise bad_request(f"`samples_end` must be inside the song (at most {duration} s).")
        title = f"{spec.get('title', '')} (Sample)".strip()
        base = self._rework_base("sample", row, spec, title, spec.get("model", ""))
        # Only the words sung in the range come with it.
        heard = [ln for ln in info["lines"] if start <= ln["start"] < end]
        return [{**base, "lyric": lines_to_lyric(heard), "start": float(start), "end": float(end)}]

    # --- rendering ----------------------------------------------------------------------
    def _render_rework(self, spec):
        source = self._clip(spec["source"])
        lines = self.ensure_rendered(source)["lines"]
        vocals, instrumental = (media.to_float(s) for s in self.stems(source))
        kind = spec["kind"]
        if kind == "sample":
            a, b = int(round(spec["start"] * SR)), int(round(spec["end"] * SR))
            start, end = a / SR, b / SR
            kept = [ln for ln in lines if start <= ln["start"] < end]
            shifted = [
                {**ln, "start": ln["start"] - start, "end": min(ln["end"], end) - start}
                for ln in kept
            ]
            # Exactly the source's samples: no new rounding on the way.
            v16, i16 = self.stems(source)
            return v16[a:b].copy(), i16[a:b].copy(), shifted
        if kind == "speed":
            factor, keep = spec["factor"], spec["keep_pitch"]
            vocals = rework.change_speed(vocals, factor, keep)
            instrumental = rework.change_speed(instrumental, factor, keep)
            lines = [
                {**ln, "start": ln["start"] / factor, "end": ln["end"] / factor} for ln in lines
            ]
        elif kind == "remaster":
            vocals, instrumental = rework.master(
                vocals, instrumental, spec["gain_db"], headroom=media.HEADROOM
            )
        else:
            raise ApiError(500, "api_error", f"Cannot render a clip of kind {kind}.")
        v16, i16 = media.quantize(vocals, instrumental)
        return v16, i16, lines
