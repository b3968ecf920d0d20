"""Encoding and editing helpers: PCM16, MP3 and WAV, MP3 playing time, crossfaded joins."""

from __future__ import annotations

import io
import struct
import wave

import numpy as np

from music.upstream.simulator.audio.dsp import SAMPLE_RATE


def _pcm16(samples: np.ndarray) -> np.ndarray:
    x = np.clip(np.asarray(samples, dtype=np.float64), -1.0, 1.0)
    return np.round(x * 32767.0).astype("<i2")


def encode_mp3(samples: np.ndarray, sample_rate: int = SAMPLE_RATE, bitrate: int = 128) -> bytes:
    """Mono MP3 (CBR) via lameenc."""
    import lameenc

    enc = lameenc.Encoder()
    enc.set_bit_rate(bitrate)
    enc.set_in_sample_rate(sample_rate)
    enc.set_channels(1)
    enc.set_quality(7)
    return bytes(enc.encode(_pcm16(samples).tobytes()) + enc.flush())


def encode_wav(samples: np.ndarray, sample_rate: int = SAMPLE_RATE) -> bytes:
    """Mono 16-bit PCM WAV."""
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(sample_rate)
        w.writeframes(_pcm16(samples).tobytes())
    return buf.getvalue()


_MP3_BITRATES = {
    (1, 1): (0, 32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448),
    (1, 2): (0, 32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384),
    (1, 3): (0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320),
    (2, 1): (0, 32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256),
    (2, 2): (0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160),
}
_MP3_RATES = {1: (44100, 48000, 32000), 2: (22050, 24000, 16000), 25: (11025, 12000, 8000)}


def mp3_duration(data: bytes) -> float:
    """Playing time of an MPEG audio stream, from its frame headers (an ID3v2 tag is skipped).

    A leading Xing/Info frame (which carries no audio) is not counted.
    """
    pos = 0
    if data[:3] == b"ID3" and len(data) >= 10:
        size = (data[6] & 0x7F) << 21 | (data[7] & 0x7F) << 14 | (data[8] & 0x7F) << 7
        size |= data[9] & 0x7F
        pos = 10 + size + (10 if data[5] & 0x10 else 0)
    total = 0.0
    frames = 0
    end = len(data)
    while pos + 4 <= end:
        (header,) = struct.unpack(">I", data[pos : pos + 4])
        if header >> 21 != 0x7FF:
            pos += 1  # resynchronise on garbage
            continue
        version_bits = (header >> 19) & 3
        layer_bits = (header >> 17) & 3
        bitrate_idx = (header >> 12) & 15
        rate_idx = (header >> 10) & 3
        padding = (header >> 9) & 1
        if version_bits == 1 or layer_bits == 0 or bitrate_idx in (0, 15) or rate_idx == 3:
            pos += 1
            continue
        version = {3: 1, 2: 2, 0: 25}[version_bits]
        layer = 4 - layer_bits
        family = 1 if version == 1 else 2
        table_layer = layer if family == 1 else (1 if layer == 1 else 2)
        bitrate = _MP3_BITRATES[(family, table_layer)][bitrate_idx] * 1000
        rate = _MP3_RATES[version][rate_idx]
        if layer == 1:
            samples = 384
            size = (12 * bitrate // rate + padding) * 4
        else:
            samples = 1152 if (layer == 2 or version == 1) else 576
            size = (samples // 8) * bitrate // rate + padding
        if size <= 4:
            pos += 1
            continue
        if frames == 0 and (b"Xing" in data[pos : pos + 64] or b"Info" in data[pos : pos + 64]):
            pos += size
            frames += 1
            continue
        total += samples / rate
        frames += 1
        pos += size
    return total


def crossfade_concat(parts: list[np.ndarray], fade: float = 0.05) -> np.ndarray:
    """Join clips with equal-power crossfades of ``fade`` seconds.

    Each junction overlaps ``min(fade * SAMPLE_RATE, len(left), len(right))`` samples, so the
    result has ``sum(len(p)) - sum(overlaps)`` samples. Empty parts are skipped.
    """
    parts = [np.asarray(p, dtype=np.float32) for p in parts if len(p)]
    if not parts:
        return np.zeros(0, dtype=np.float32)
    out = parts[0].copy()
    want = max(0, int(round(fade * SAMPLE_RATE)))
    for part in parts[1:]:
        k = min(want, len(out), len(part))
        if k == 0:
            out = np.concatenate([out, part])
            continue
        theta = np.linspace(0.0, np.pi / 2, k, dtype=np.float32)
        mixed = out[-k:] * np.cos(theta) + part[:k] * np.sin(theta)
        out = np.concatenate([out[:-k], mixed, part[k:]])
    return out
