"""Deterministic abstract cover art for the offline simulator upstream.

A cover is a seed-coloured gradient with soft glowing circles and a few flowing waves, and the
title along the bottom. Colours lean on the style ("dark", "happy", "chinese", ...). Only
Pillow's built-in font is used, so titles it cannot draw (e.g. CJK) are left off rather than
rendered as boxes.
"""

from __future__ import annotations

import colorsys
import hashlib
import io
import re
import unicodedata
from functools import lru_cache

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

__all__ = ["render_cover"]

# Mood keywords -> (hue range in degrees, saturation range, value range); first match wins.
_MOODS = (
    (
        ("chinese", "traditional", "oriental", "guzheng", "erhu", "中国", "古风"),
        ((350, 415), (0.75, 0.95), (0.55, 0.95)),  # reds and golds
    ),
    (
        ("dark", "sad", "melancholic", "melancholy", "gothic", "metal", "night", "moody"),
        ((200, 290), (0.45, 0.8), (0.12, 0.5)),
    ),
    (
        ("edm", "synth", "synthwave", "electronic", "dance", "neon", "club", "techno"),
        ((170, 330), (0.75, 1.0), (0.55, 1.0)),
    ),
    (
        ("happy", "upbeat", "summer", "sunny", "bright", "joyful", "party", "fun"),
        ((0, 70), (0.6, 0.95), (0.8, 1.0)),
    ),
    (("rock", "punk", "grunge"), ((-20, 25), (0.6, 0.95), (0.25, 0.85))),
    (
        ("ballad", "piano", "acoustic", "lofi", "chill", "ambient", "calm", "folk"),
        ((20, 220), (0.25, 0.5), (0.6, 0.95)),
    ),
)


def _rng(*parts: object) -> np.random.Generator:
    digest = hashlib.sha256("\x1f".join(str(p) for p in parts).encode("utf-8")).digest()
    return np.random.default_rng(int.from_bytes(digest[:8], "big"))


def _palette(rng: np.random.Generator, style: str) -> list[tuple[int, int, int]]:
    low = style.lower()
    words = set(re.findall(r"[^\W_]+", low))
    hue, sat, val = (0, 360), (0.45, 0.9), (0.35, 0.95)
    for keys, ranges in _MOODS:
        if any(k in words or (not k.isascii() and k in low) for k in keys):
            hue, sat, val = ranges
            break
    base = rng.uniform(*hue)
    colours = []
    for i in range(3):
        # Neighbouring hues keep the palette harmonious; the third is a brighter accent.
        h = (base + (i - 1) * rng.uniform(15, 45)) % 360
        s = rng.uniform(*sat)
        v = rng.uniform(*val) if i < 2 else min(1.0, rng.uniform(*val) + 0.25)
        r, g, b = colorsys.hsv_to_rgb(h / 360.0, s, v)
        colours.append((int(r * 255), int(g * 255), int(b * 255)))
    return colours


def _gradient(size: int, colours, rng: np.random.Generator) -> Image.Image:
    angle = rng.uniform(0, np.pi)
    y, x = np.mgrid[0:size, 0:size] / max(1, size - 1)
    t = (x - 0.5) * np.cos(angle) + (y - 0.5) * np.sin(angle)
    t = (t - t.min()) / (np.ptp(t) or 1.0)
    c = np.array(colours[:2] + [colours[0]], dtype=float)
    # Two-stop gradient, bent by a smoothstep so the middle is not muddy.
    t = t * t * (3 - 2 * t)
    img = c[0] * (1 - t)[..., None] + c[1] * t[..., None]
    return Image.fromarray(img.clip(0, 255).astype(np.uint8), "RGB")


def _decorate(img: Image.Image, colours, rng: np.random.Generator) -> Image.Image:
    size = img.width
    # Glows are drawn as small blurred masks, then upscaled: soft edges at a fraction of the
    # cost, and no dark fringes (blurring an RGBA layer would drag in transparent black).
    small = max(32, size // 4)
    out = img.convert("RGBA")
    for _ in range(int(rng.integers(3, 7))):
        r = rng.uniform(0.08, 0.3) * small
        cx, cy = rng.uniform(0, small), rng.uniform(0, small * 0.8)
        mask = Image.new("L", (small, small), 0)
        alpha = int(rng.uniform(60, 150))
        ImageDraw.Draw(mask).ellipse((cx - r, cy - r, cx + r, cy + r), fill=alpha)
        mask = mask.filter(ImageFilter.GaussianBlur(small / 30))
        mask = mask.resize((size, size), Image.Resampling.BILINEAR)
        out.paste(colours[int(rng.integers(0, 3))], (0, 0, size, size), mask)

    waves = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    draw = ImageDraw.Draw(waves)
    xs = np.linspace(0, size, 64)
    for i in range(int(rng.integers(2, 5))):
        base = size * rng.uniform(0.35, 0.8)
        amp = size * rng.uniform(0.02, 0.08)
        freq = rng.uniform(1.0, 3.0) * 2 * np.pi / size
        phase = rng.uniform(0, 2 * np.pi)
        pts = [(float(x), float(base + amp * np.sin(freq * x + phase))) for x in xs]
        colour = colours[2] if i % 2 == 0 else (255, 255, 255)
        draw.line(pts, fill=(*colour, int(rng.uniform(70, 140))), width=max(1, size // 128))
    return Image.alpha_composite(out, waves)


_PUNCT = str.maketrans({"—": "-", "–": "-", "‘": "'", "’": "'", "“": '"', "”": '"', "…": "..."})


@lru_cache(maxsize=16)
def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    return ImageFont.load_default(size=size)


def _drawable(text: str, font) -> str | None:
    """The title in characters the built-in font really has, or None if it lacks some."""
    text = unicodedata.normalize("NFKD", text.translate(_PUNCT))
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).strip()
    if not text:
        return None
    missing = bytes(font.getmask("\uffff"))
    for ch in set(text):
        if ch.isspace():
            continue
        if not ch.isascii() and bytes(font.getmask(ch)) == missing:
            return None
    return text


def _title(img: Image.Image, title: str) -> None:
    size = img.width
    font_size = max(10, size // 14)
    text = _drawable(title, _font(font_size))
    if text is None:
        return
    draw = ImageDraw.Draw(img)
    limit = size * 0.88
    # Shrink to fit, then truncate with an ellipsis if even the smallest size is too wide.
    while font_size > max(8, size // 24) and draw.textlength(text, font=_font(font_size)) > limit:
        font_size -= 2
    font = _font(font_size)
    if draw.textlength(text, font=font) > limit:
        ellipsis = "…" if _drawable("…", font) else "..."
        while len(text) > 1 and draw.textlength(text + ellipsis, font=font) > limit:
            text = text[:-1].rstrip()
        text += ellipsis
    bbox = draw.textbbox((0, 0), text, font=font)
    w, h = bbox[2] - bbox[0], bbox[3] - bbox[1]
    x = (size - w) / 2 - bbox[0]
    y = size - h - size * 0.07 - bbox[1]

    # A dark band behind the text keeps it legible on any palette.
    band = Image.new("RGBA", img.size, (0, 0, 0, 0))
    top = int(y + bbox[1] - size * 0.035)
    ImageDraw.Draw(band).rectangle((0, top, size, size), fill=(0, 0, 0, 90))
    img.alpha_composite(band)
    offset = max(1, size // 256)
    draw.text((x + offset, y + offset), text, font=font, fill=(0, 0, 0, 160))
    draw.text((x, y), text, font=font, fill=(255, 255, 255, 240))


def render_cover(*, seed: str, title: str = "", style: str = "", size: int = 512) -> bytes:
    """A square PNG cover, identical for identical arguments."""
    size = max(16, int(size))
    rng = _rng(seed, style)
    colours = _palette(rng, f"{style} {seed}")
    img = _decorate(_gradient(size, colours, rng), colours, rng)
    if title:
        _title(img, title)
    buf = io.BytesIO()
    img.convert("RGB").save(buf, format="PNG", compress_level=3)
    return buf.getvalue()
