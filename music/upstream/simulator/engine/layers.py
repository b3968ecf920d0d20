"""Adding a layer to a finished clip in a window: underpainting ("Add instrumental") and
overpainting ("Add vocals"), as AceData documents them (issue #15).

The result is the source clip with a newly rendered layer mixed in between `*_start` and
`*_end` only; outside the window every sample is the source's own, so a test can measure
that the layer is there, and only there.
"""

from music import catalogue
from music.upstream.simulator.audio import SAMPLE_RATE as SR
from music.upstream.simulator.audio import layers as layer_audio
from music.upstream.simulator.engine.common import bad_request
from music.upstream.simulator.engine.rendering import _fit, song_lines

LAYER_KINDS = {"underpainting", "overpainting"}
# AceData's examples use chirp-v4-5: Add instrumental / Add vocals came with v4.5 (2025-08).
LAYER_FROM = "chirp-v4-5"
LAYER_DEFAULT = "chirp-v4-5"
LAYER_MIN_WINDOW = 1.0  # seconds: less is not a layer one can hear
SING_MARGIN = 30  # seconds rendered beyond the window, so the intro does not eat it
LEAD_IN = 0.25  # seconds of breath before the first sung line


def _newer_than(key, first):
    keys = [m.key for m in catalogue.MODELS]
    return key in keys and keys.index(key) >= keys.index(first)


class Layers:
    """Orders and renders for clips with an added layer (an `Engine` mixin)."""

    def _layer_window(self, order, field, duration):
        start = getattr(order, f"{field}_start")
        end = getattr(order, f"{field}_end")
        start = 0.0 if start is None else start  # the documented default
        if end is None:
            raise bad_request(f"`{field}_end` is required.")
        if not 0 <= start < end:
            raise bad_request(f"`{field}_start` must be at least 0 and before `{field}_end`.")
        # The docs: "must be less than the total duration of the song".
        if end > duration + 1e-6:
            raise bad_request(f"`{field}_end` must be inside the song (at most {duration} s).")
        if end - start < LAYER_MIN_WINDOW:
            raise bad_request(f"The window must be at least {LAYER_MIN_WINDOW:g} second long.")
        return float(start), float(end)

    def _layer_model(self, order):
        model = self._model(order, LAYER_DEFAULT)
        if not _newer_than(model.key, LAYER_FROM):
            raise bad_request(f"{order.action} supports chirp-v4-5 and newer models only.")
        return model

    def _layer_specs(self, order, kind, field, *, lyric, instrumental):
        row, spec, info = self.source(order.audio_id)
        model = self._layer_model(order)
        self._check_words(order, model)
        start, end = self._layer_window(order, field, info["duration"])
        ident = self.identity(row)
        style = order.style or spec.get("style", "")
        window = end - start
        base = {
            "kind": kind,
            "seed": f"{ident['seed']}#{kind}:{style}:{lyric}",
            "prompt": order.prompt,
            "lyric": lyric or spec.get("lyric", ""),
            "style": style,
            "title": order.title or spec.get("title", ""),
            "instrumental": instrumental,
            "model": model.key,
            "is_pro": order.is_pro,
            "source": row["id"],
            "start": start,
            "end": end,
        }
        specs = []
        for take in (0, 1):
            # The source's seed keeps key and tempo, so the layer fits what is there.
            song = self._song(
                {**ident, "style": style or ident["style"] or "", "variant": take},
                lyric=lyric,
                instrumental=instrumental,
                max_duration=window,
                min_duration=window,
                take=take,
            )
            specs.append({**base, "song": song})
        return specs

    def _order_underpainting(self, order):
        return self._layer_specs(
            order, "underpainting", "underpainting", lyric="", instrumental=True
        )

    def _order_overpainting(self, order):
        if not order.custom:
            raise bad_request("overpainting needs custom mode (`custom`: true) and `lyric`.")
        if not order.lyric.strip():
            raise bad_request("`lyric` (the words to sing) is required.")
        return self._layer_specs(
            order, "overpainting", "overpainting", lyric=order.lyric, instrumental=False
        )

    def _order_upload_cover(self, order):
        # AceData: a cover of an uploaded song "must be specified as `upload_cover`".
        return self._order_cover(order)

    # --- rendering ----------------------------------------------------------------------
    def _render_layer(self, spec):
        source = self._clip(spec["source"])
        lines = self.ensure_rendered(source)["lines"]
        v16, i16 = self.stems(source)
        a, b = int(round(spec["start"] * SR)), int(round(spec["end"] * SR))
        if spec["kind"] == "underpainting":
            _, instrumental, _ = self._render_layer_song(spec, b - a, b - a)
            instrumental = _fit(instrumental, b - a)
            return v16, layer_audio.add_in_window(i16, instrumental, a, other=v16), lines
        # A song's words start after its intro: the voice is taken from its first line on,
        # so the window is sung from its start, as many lines as fit.
        vocals, _, sung = self._render_layer_song(spec, b - a, b - a + SING_MARGIN * SR)
        offset = int(max(0.0, (sung[0]["start"] if sung else 0.0) - LEAD_IN) * SR)
        vocals = _fit(vocals[offset:], b - a)
        start, end = a / SR, b / SR
        shift = start - offset / SR
        new = [
            {**ln, "start": ln["start"] + shift, "end": min(ln["end"] + shift, end)}
            for ln in sung
            if start - 1e-9 <= ln["start"] + shift < end
        ]
        # The new words are sung in the window; the source's own lines stay outside it.
        kept = [ln for ln in lines if ln["end"] <= start or ln["start"] >= end]
        lines = sorted(kept + new, key=lambda ln: ln["start"])
        return layer_audio.add_in_window(v16, vocals, a, other=i16), i16, lines

    def _render_full_song(self, spec):
        """A replaced section answered as the whole song (`full_song`): the source's own
        samples before and after the window, the new section in it."""
        section_v, section_i, section_lines, _notes = self._render_song(spec)
        source = self._clip(spec["source"])
        v16, i16 = (stem.copy() for stem in self.stems(source))
        a = int(round(spec["start"] * SR))
        b = a + len(section_v)
        v16[a:b], i16[a:b] = section_v[: len(v16) - a], section_i[: len(i16) - a]
        start, end = a / SR, b / SR
        kept = [
            ln
            for ln in self.ensure_rendered(source)["lines"]
            if ln["end"] <= start or ln["start"] >= end
        ]
        new = [
            {**ln, "start": ln["start"] + start, "end": ln["end"] + start} for ln in section_lines
        ]
        return v16, i16, sorted(kept + new, key=lambda ln: ln["start"])

    def _render_layer_song(self, spec, min_samples, max_samples):
        """(vocals, instrumental, sung lines) of the layer's recipe, at least `min_samples`."""
        from music.upstream.simulator import audio

        song = spec["song"]
        rendering = audio.render_song(
            seed=song["seed"],
            lyric=song["lyric"],
            style=song["style"],
            instrumental=song["instrumental"],
            variant=song["variant"],
            max_duration=max_samples / SR,
            min_duration=min_samples / SR,
            melody_seed=song.get("melody"),
            voice=tuple(song["voice"]) if song.get("voice") else None,
        )
        vocals = _fit(rendering.vocals, max(min_samples, len(rendering.vocals)))
        instrumental = _fit(rendering.instrumental, len(vocals))
        return vocals, instrumental, song_lines(rendering)
