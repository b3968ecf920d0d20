"""Small real media files for tests, made on the spot."""

import io

import lameenc
from PIL import Image


def mp3_frames(seconds=1.0):
    """An MP3 of silence, as plain frames (no ID3 tag)."""
    encoder = lameenc.Encoder()
    encoder.set_bit_rate(128)
    encoder.set_in_sample_rate(44100)
    encoder.set_channels(1)
    data = bytes(encoder.encode(b"\x00\x00" * int(44100 * seconds)) + encoder.flush())
    assert data[:3] != b"ID3"  # the frame-sync header is what is sniffed
    return data


def image(fmt):
    out = io.BytesIO()
    Image.new("RGB", (8, 8), "purple").save(out, fmt)
    return out.getvalue()
