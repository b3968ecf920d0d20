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


# ffmpeg's muxer and codec for each format members upload.
AUDIO_FORMATS = {
    "mp3": ("mp3", "libmp3lame"),
    "wav": ("wav", "pcm_s16le"),
    "flac": ("flac", "flac"),
    "m4a": ("ipod", "aac"),  # the "M4A " brand, as phones and music apps write it
    "ogg": ("ogg", "libvorbis"),
}


def audio(fmt, seconds=2.0):
    """A real audio file of a tone in one of the formats members upload (the bundled ffmpeg)."""
    import subprocess
    import tempfile
    from pathlib import Path

    import imageio_ffmpeg

    muxer, codec = AUDIO_FORMATS[fmt]
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / f"tone.{fmt}"
        cmd = [imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-loglevel", "error"]
        cmd += ["-f", "lavfi", "-i", f"sine=frequency=440:duration={seconds}"]
        cmd += ["-ac", "1", "-c:a", codec, "-f", muxer, str(out)]
        subprocess.run(cmd, check=True, capture_output=True)
        return out.read_bytes()
