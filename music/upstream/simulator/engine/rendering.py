"""Rendering: a clip's stems and mix made once from its spec, media files and cover art."""

import hashlib
import json
import threading

import numpy as np

from music.upstream.simulator import media
from music.upstream.simulator.audio import SAMPLE_RATE as SR
from music.upstream.simulator.engine.common import SONG_KINDS, ApiError

CONCAT_FADE = 0.04  # seconds of crossfade at each join
MEDIA_TYPES = {"mp3": "audio/mpeg", "png": "image/png", "wav": "audio/wav", "mp4": "video/mp4"}


class Rendering:
    """Lazy, locked rendering of clips and the files served from them (an `Engine` mixin)."""

    def ensure_rendered(self, row):
        """Render a clip's stems and MP3 once; returns {duration, samples, lines}."""
        info = json.loads(row["rendered"]) if row["rendered"] else None
        if info is not None and all(p.exists() for p in self._files(row["id"])):
            return info
        with self.render_lock(row["id"]):
            row = self._clip(row["id"])  # another thread may have just done it
            info = json.loads(row["rendered"]) if row["rendered"] else None
            if info is not None and all(p.exists() for p in self._files(row["id"])):
                return info
            spec = self.spec(row)
            if spec["kind"] == "upload":
                raise ApiError(500, "api_error", "The uploaded file's audio was lost.")
            return self._store(row, *self._render(row, spec))

    def render_lock(self, clip_id):
        with self._render_locks_guard:
            lock = self._render_locks.get(clip_id)
            if lock is None:
                lock = self._render_locks[clip_id] = threading.RLock()
            return lock

    def _files(self, clip_id):
        return (
            self.stems_dir / f"{clip_id}.vocals.npy",
            self.stems_dir / f"{clip_id}.instrumental.npy",
            self._media_path(f"{clip_id}.mp3"),
        )

    def _store(self, row, vocals, instrumental, lines, notes=None):
        vocal_path, inst_path, mp3_path = self._files(row["id"])
        media.save_pcm(vocal_path, vocals)
        media.save_pcm(inst_path, instrumental)
        media.write_atomic(mp3_path, media.mp3_bytes(media.mix(vocals, instrumental)))
        info = {
            "duration": round(len(vocals) / SR, 3),
            "samples": len(vocals),
            "lines": lines,
        }
        if notes is not None:
            info["notes"] = notes  # what was synthesised, for `/suno/midi`
        with self.db:
            self.db.execute(
                "UPDATE clips SET duration = ?, rendered = ? WHERE id = ?",
                (info["duration"], json.dumps(info, ensure_ascii=False), row["id"]),
            )
        return info

    def stems(self, row):
        """The clip's (vocals, instrumental) int16 stems, rendering them if needed."""
        self.ensure_rendered(row)
        vocal_path, inst_path, _ = self._files(row["id"])
        return media.load_pcm(vocal_path), media.load_pcm(inst_path)

    def mix(self, row):
        return media.mix(*self.stems(row))

    def _render(self, row, spec):
        kind = spec["kind"]
        if kind in SONG_KINDS:
            if spec.get("full_song"):
                return self._render_full_song(spec)
            return self._render_song(spec)
        if kind == "stem":
            vocals, instrumental = self.stems(self._clip(spec["source"]))
            silent = np.zeros_like(vocals)
            if spec["stem"] == "vocals":
                return vocals, silent, self.ensure_rendered(self._clip(spec["source"]))["lines"]
            return silent, instrumental, []
        if kind == "concat":
            return self._render_concat(spec["segments"])
        if kind in ("remaster", "speed", "sample"):
            return self._render_rework(spec)
        if kind in ("underpainting", "overpainting"):
            return self._render_layer(spec)
        if kind in ("part", "added"):
            return self._render_stem(spec)
        if kind in ("mashup", "inspo"):
            return self._render_blend(spec)
        if kind == "vox":
            return self.render_vox(spec)
        raise ApiError(500, "api_error", f"Cannot render a clip of kind {kind}.")

    def _render_song(self, spec):
        rendering = render_plan(spec["song"])
        vocals, instrumental = rendering.vocals, rendering.instrumental
        lines = song_lines(rendering)
        notes = rendering.notes
        want = spec.get("samples")
        if want is not None:  # a replaced section fills exactly the window it replaces
            vocals, instrumental = _fit(vocals, want), _fit(instrumental, want)
            end = want / SR
            lines = [{**ln, "end": min(ln["end"], end)} for ln in lines if ln["start"] < end]
            notes = notes_between(notes, 0.0, end)
        v16, i16 = media.quantize(vocals, instrumental)
        return v16, i16, lines, notes

    def _render_concat(self, segments):
        from music.upstream.simulator import audio

        vocal_parts, inst_parts, windows = [], [], []
        for seg in segments:
            row = self._clip(seg["clip"])
            info = self.ensure_rendered(row)
            vocals, instrumental = self.stems(row)
            a = min(len(vocals), int(round(seg["start"] * SR)))
            b = len(vocals) if seg["end"] is None else min(len(vocals), int(round(seg["end"] * SR)))
            b = max(a, b)
            vocal_parts.append(media.to_float(vocals[a:b]))
            inst_parts.append(media.to_float(instrumental[a:b]))
            windows.append((a, b, info["lines"]))
        offsets = join_offsets([len(p) for p in vocal_parts], CONCAT_FADE)
        lines = []
        for k, (offset, (a, b, seg_lines)) in enumerate(zip(offsets, windows, strict=True)):
            if offset is None:
                continue
            # A line is heard in the join when it starts inside the kept window.
            shift = (offset - a) / SR
            lines += [
                {
                    **ln,
                    "group": f"{k}:{ln['group']}",
                    "start": ln["start"] + shift,
                    "end": min(ln["end"], b / SR) + shift,
                }
                for ln in seg_lines
                if a / SR <= ln["start"] < b / SR
            ]
        vocals = audio.crossfade_concat(vocal_parts, CONCAT_FADE)
        instrumental = audio.crossfade_concat(inst_parts, CONCAT_FADE)
        v16, i16 = media.quantize(vocals, instrumental)
        return v16, i16, lines

    # --- media ----------------------------------------------------------------------
    def media_url(self, name):
        return f"{self.base_url}/media/{name}"

    def _media_path(self, name):
        return self.media_dir / name

    def cover_png(self, row):
        from music.upstream.simulator import artwork

        path = self._media_path(f"image_{row['id']}.png")
        if not path.exists():
            spec = self.spec(row)
            png = artwork.render_cover(
                seed=f"{spec.get('seed', row['id'])}#{row['variant']}",
                title=spec.get("title", ""),
                style=spec.get("style", ""),
            )
            media.write_atomic(path, png)
        return path.read_bytes()

    def media(self, name):
        """(content type, bytes) of a finished clip's file; ApiError 404 otherwise."""
        fresh = name.startswith("fresh-") and name.endswith(".mp3")  # from `/suno/mp3`
        name = name.removeprefix("fresh-") if fresh else name
        if name.endswith(".mp3") and not fresh and self.faults.expire_links:
            raise ApiError(404, "not_found", "This link has expired.")
        stem, _, ext = name.rpartition(".")
        content_type = MEDIA_TYPES.get(ext)
        clip_id = stem.removeprefix("image_") if ext == "png" else stem
        if content_type is None or (ext == "png") != stem.startswith("image_") or "/" in name:
            raise ApiError(404, "not_found", "No such file.")
        row = self._clip(clip_id)
        if row is None or self.clip_state(row) != "succeeded":
            raise ApiError(404, "not_found", "No such file.")
        if ext == "png":
            return content_type, self.cover_png(row)
        if ext == "mp3":
            self.ensure_rendered(row)
        path = self._media_path(name)
        if not path.exists():  # WAV and MP4 files exist once asked for
            raise ApiError(404, "not_found", "No such file.")
        return content_type, path.read_bytes()


# --- helpers ------------------------------------------------------------------------


def audio_voice(seed, style, variant):
    from music.upstream.simulator import audio

    return audio.voice_of(seed, style, variant)


def _unit(*parts):
    digest = hashlib.sha256("\x1f".join(str(p) for p in parts).encode()).digest()
    return int.from_bytes(digest[:6], "big") / float(1 << 48)


def _fit(x, n):
    if len(x) >= n:
        return x[:n]
    return np.concatenate([x, np.zeros(n - len(x), dtype=x.dtype)])


def song_lines(rendering):
    """Sung lines with the index of the section (block) each one is sung in."""
    starts = [start for _, start, _ in rendering.sections]
    out = []
    for line in rendering.lines:
        if not line.text:
            continue  # instrumentals list sections, not words
        group = max((i for i, s in enumerate(starts) if s <= line.start + 1e-9), default=0)
        out.append(
            {
                "text": line.text,
                "section": line.section,
                "start": line.start,
                "end": line.end,
                "group": str(group),
            }
        )
    return out


def notes_between(parts, start, end, *, shift=0.0):
    """The notes heard in [start, end), cut there, moved by `shift` seconds."""
    out = []
    for part in parts:
        notes = [
            {
                **n,
                "start": round(n["start"] + shift, 6),
                "end": round(min(n["end"], end) + shift, 6),
            }
            for n in part["notes"]
            if start <= n["start"] < end
        ]
        if notes:
            out.append({**part, "notes": notes})
    return out


def join_offsets(lengths, fade):
    """Where each part starts in `audio.crossfade_concat`'s output (None for empty parts)."""
    want = max(0, int(round(fade * SR)))
    offsets, total, started = [], 0, False
    for n in lengths:
        if n == 0:
            offsets.append(None)
            continue
        if not started:
            offsets.append(0)
            total, started = n, True
            continue
        overlap = min(want, total, n)
        offsets.append(total - overlap)
        total += n - overlap
    return offsets


def lines_to_lyric(lines):
    """Lyric text ("[Section]" headers and lines) for timed lines, grouped by section."""
    out, group = [], None
    for line in lines:
        if line["group"] != group:
            out.append(f"[{line['section']}]")
            group = line["group"]
        out.append(line["text"])
    return "\n".join(out)


def render_plan(song, **extra):
    """audio.render_song for a song order's plan (a clip spec's "song"); `extra` as it takes."""
    from music.upstream.simulator import audio

    return audio.render_song(
        seed=song["seed"],
        lyric=song["lyric"],
        style=song["style"],
        instrumental=song["instrumental"],
        variant=song["variant"],
        max_duration=song["max_duration"],
        min_duration=song["min_duration"],
        melody_seed=song.get("melody"),
        voice=tuple(song["voice"]) if song.get("voice") else None,
        **extra,
    )
