"""Songs made from other songs: mashup (two clips) and inspo (1-4 reference recordings).

What the real service promises is measurable on the output. A mashup's takes are one song's
band under the other's singer (take A: A's instrumental, B's vocals; take B the other way
round), so both parents are in it, sample for sample. An inspo song is a new song whose band
is blended with the references themselves, fetched over HTTP like an upload: their tempo, key
and timbre are in it, the more so the higher `audio_weight`.
"""

import hashlib

import numpy as np

from music.upstream.simulator import media, words
from music.upstream.simulator.audio import SAMPLE_RATE as SR
from music.upstream.simulator.blend_wire import merge_lyrics
from music.upstream.simulator.engine.common import bad_request

BLEND_KINDS = {"mashup", "inspo"}
INSPO_MAX_REFERENCES = 4
INSPO_WEIGHT = 0.5  # `audio_weight` when none is sent
# How much of the band is the references': some always (it is inspired by them), more with
# `audio_weight` (0 is a valid weight: the least influence, not none).
INSPO_BLEND_MIN, INSPO_BLEND_SPAN = 0.35, 0.55


def loop_to(x, n):
    """`x` repeated or cut to exactly `n` samples (a bed shorter than the song loops)."""
    x = np.asarray(x, dtype=np.float64)
    if n <= 0:
        return np.zeros(0)
    if not len(x):
        return np.zeros(n)
    reps = -(-n // len(x))
    return np.tile(x, reps)[:n]


def rms(x):
    return float(np.sqrt(np.mean(np.square(x, dtype=np.float64)))) if len(x) else 0.0


class Blends:
    """Orders and renders for mashup and inspo (an `Engine` mixin)."""

    def _blend_words(self, order, model):
        """Custom mode needs lyrics (or instrumental); otherwise a description, as AceData
        answers a mashup sent without either."""
        if order.custom:
            if not order.lyric.strip() and not order.instrumental:
                raise bad_request("lyric is required when generate custom audio")
        elif not order.prompt.strip():
            raise bad_request(
                "gpt_description_prompt is required when generate audio and custom is false."
            )
        self._check_words(order, model, description=not order.custom)

    def _order_mashup(self, order):
        ids = order.mashup_audio_ids
        if len(ids) != 2:
            raise bad_request("`mashup_audio_ids` must list exactly 2 audio ids.")
        if ids[0] == ids[1]:
            raise bad_request("`mashup_audio_ids` must be two different songs.")
        (row_a, spec_a, info_a), (row_b, spec_b, info_b) = (
            self.source(clip_id, "mashup_audio_ids") for clip_id in ids
        )
        model = self._model(order)
        self._blend_words(order, model)
        if order.custom:
            lyric = order.lyric
        else:
            lyric = merge_lyrics(spec_a.get("lyric", ""), spec_b.get("lyric", ""))
        seconds = min(max(info_a["duration"], info_b["duration"]), self._max_duration(model))
        base = {
            "kind": "mashup",
            "seed": f"mashup:{row_a['id']}+{row_b['id']}",
            "prompt": order.prompt,
            "lyric": "" if order.instrumental else lyric,
            "style": order.style or words.merge_styles(spec_a.get("style"), spec_b.get("style")),
            "title": order.title if order.custom else "",
            "instrumental": order.instrumental,
            "model": model.key,
            "is_pro": order.is_pro,
            "seconds": seconds,
        }
        return [
            {**base, "bed": row_a["id"], "singer": row_b["id"]},
            {**base, "bed": row_b["id"], "singer": row_a["id"]},
        ]

    def _order_inspo(self, order):
        urls = order.audio_urls
        if not 1 <= len(urls) <= INSPO_MAX_REFERENCES:
            raise bad_request("`audio_urls` must list 1 to 4 audio URLs.")
        if not all(url.lower().startswith(("http://", "https://")) for url in urls):
            raise bad_request("Each of `audio_urls` must be an http(s) URL.")
        model = self._model(order)
        self._check_words(order, model)
        references = [self._reference(url) for url in urls]
        weight = order.controls.get("audio_weight", INSPO_WEIGHT)
        prompt = order.prompt.strip()
        # `prompt` is "lyrics or a creation prompt": lines are sung, a brief is written up.
        sung = "\n" in prompt or prompt.startswith("[")
        lyric = prompt if sung else words.invent_lyric(prompt or "inspired", False)
        style = order.style or words.invent_style(prompt or "inspired")
        seed = f"inspo:{'+'.join(references)}:{prompt}"
        max_duration = self._max_duration(model)
        base = {
            "kind": "inspo",
            "seed": seed,
            "prompt": prompt,
            "lyric": lyric,
            "style": style,
            "title": order.title or words.invent_title(prompt or "Inspired"),
            "instrumental": False,
            "model": model.key,
            "is_pro": order.is_pro,
            "references": references,
            "weight": float(weight),
            "audio_urls": list(urls),
        }
        ident = {"seed": seed, "melody": seed, "style": style, "voice": None}
        return [
            {
                **base,
                "song": self._song(
                    {**ident, "variant": variant},
                    lyric=lyric,
                    instrumental=False,
                    max_duration=max_duration,
                ),
            }
            for variant in (0, 1)
        ]

    def _reference(self, url):
        """Fetch and keep one reference recording; returns its content's digest."""
        try:
            pcm = media.decode(self._read_url(url))
        except media.MediaError as exc:
            raise bad_request(str(exc).replace("`audio_url`", "`audio_urls`")) from exc
        digest = hashlib.sha256(pcm.tobytes()).hexdigest()
        path = self._reference_path(digest)
        if not path.exists():
            media.save_pcm(path, pcm)
        return digest

    def _reference_path(self, digest):
        return self.stems_dir / f"reference-{digest}.npy"

    def blend_identity(self, spec):
        """What a mashup or inspo song passes on to songs made from it."""
        if spec["kind"] == "mashup":
            return self.identity(self._clip(spec["bed"]))
        song = spec["song"]
        return {
            "seed": song["seed"],
            "melody": song.get("melody") or song["seed"],
            "style": song["style"],
            "variant": song["variant"],
            "voice": song.get("voice"),
        }

    # --- rendering ----------------------------------------------------------------------
    def _render_blend(self, spec):
        if spec["kind"] == "mashup":
            return self._render_mashup(spec)
        return self._render_inspo(spec)

    def _render_mashup(self, spec):
        bed, singer = self._clip(spec["bed"]), self._clip(spec["singer"])
        n = int(round(spec["seconds"] * SR))
        instrumental = loop_to(media.to_float(self.stems(bed)[1]), n)
        if spec["instrumental"]:
            vocals, lines = np.zeros(n), []
        else:
            vocals = loop_to(media.to_float(self.stems(singer)[0]), n)
            end = n / SR
            lines = [
                {**ln, "end": min(ln["end"], end)}
                for ln in self.ensure_rendered(singer)["lines"]
                if ln["start"] < end
            ]
        v16, i16 = media.quantize(vocals, instrumental)
        return v16, i16, lines

    def _render_inspo(self, spec):
        v16, i16, lines, notes = self._render_song(spec)
        instrumental = media.to_float(i16)
        n = len(instrumental)
        beds = [
            loop_to(media.to_float(media.load_pcm(self._reference_path(d))), n)
            for d in spec["references"]
        ]
        bed = np.mean(beds, axis=0) if beds else np.zeros(n)
        # Level-matched, so the weight and not the references' loudness sets the blend.
        bed *= rms(instrumental) / max(rms(bed), 1e-9)
        share = INSPO_BLEND_MIN + INSPO_BLEND_SPAN * spec["weight"]
        instrumental = (1 - share) * instrumental + share * bed
        v16, i16 = media.quantize(media.to_float(v16), instrumental)
        return v16, i16, lines, notes  # the sung melody is its own: `/suno/midi` has it
