"""Media files for the simulator: PCM stems on disk, MP3/WAV/MP4 encoding, fetching and decoding.

PCM is mono int16 at `audio.SAMPLE_RATE`. A clip's mix is by definition the int32 sum of its two
int16 stems (renders keep headroom so that sum never leaves the int16 range), which is what makes
stems sum exactly to the mix and the WAV exactly the PCM the MP3 was encoded from.
"""

import io
import os
import subprocess
import tempfile
import threading
import wave
from pathlib import Path

import httpx
import numpy as np

from music.upstream.simulator import audio

SR = audio.SAMPLE_RATE
FETCH_TIMEOUT = 30.0
FETCH_MAX_BYTES = 50 * 1024 * 1024
UPLOAD_MAX_SECONDS = 600
HEADROOM = 0.98


class MediaError(Exception):
    """A file could not be fetched, decoded or encoded; the message is for the API user."""


def write_atomic(path: Path, data: bytes) -> None:
    # Another process may read the file at any time: never let it see half of one.
    # A name of its own per process and thread: clips (and covers) are written concurrently.
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.part")
    tmp.write_bytes(data)
    tmp.replace(path)


def save_pcm(path: Path, pcm: np.ndarray) -> None:
    buf = io.BytesIO()
    np.save(buf, np.ascontiguousarray(pcm, dtype="<i2"), allow_pickle=False)
    write_atomic(path, buf.getvalue())


def load_pcm(path: Path) -> np.ndarray:
    return np.load(path, allow_pickle=False)


def quantize(vocals: np.ndarray, instrumental: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Float stems -> int16 stems whose sum stays inside int16, so mixes never clip."""
    v = np.asarray(vocals, dtype=np.float64)
    i = np.asarray(instrumental, dtype=np.float64)
    peak = max(_peak(v), _peak(i), _peak(v + i))
    if peak > HEADROOM:
        v, i = v * (HEADROOM / peak), i * (HEADROOM / peak)
    return to_pcm16(v), to_pcm16(i)


def _peak(x):
    return float(np.max(np.abs(x))) if len(x) else 0.0


def to_pcm16(x: np.ndarray) -> np.ndarray:
    return np.round(np.clip(x, -1.0, 1.0) * 32767.0).astype("<i2")


def to_float(pcm: np.ndarray) -> np.ndarray:
    return pcm.astype(np.float32) / np.float32(32767.0)


def mix(vocals: np.ndarray, instrumental: np.ndarray) -> np.ndarray:
    total = vocals.astype(np.int32) + instrumental.astype(np.int32)
    return np.clip(total, -32768, 32767).astype("<i2")


def mp3_bytes(pcm: np.ndarray) -> bytes:
    # encode_mp3 rounds x * 32767, which gives back exactly these integers.
    return audio.encode_mp3(pcm.astype(np.float64) / 32767.0)


def wav_bytes(pcm: np.ndarray) -> bytes:
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(SR)
        w.writeframes(np.ascontiguousarray(pcm, dtype="<i2").tobytes())
    return buf.getvalue()


def waveform(pcm: np.ndarray, per_second: int = 20) -> list[float]:
    """Peak envelope in 0..1, `per_second` points a second, like Suno's timing answer."""
    if not len(pcm):
        return []
    count = max(1, int(np.ceil(len(pcm) * per_second / SR)))
    edges = np.linspace(0, len(pcm), count + 1).round().astype(int)
    peaks = np.maximum.reduceat(np.abs(pcm.astype(np.int32)), edges[:-1]) / 32767.0
    return [max(0.00001, round(float(p), 5)) for p in np.minimum(peaks, 1.0)]


def ffmpeg() -> str:
    import imageio_ffmpeg

    return imageio_ffmpeg.get_ffmpeg_exe()


def decode(data: bytes) -> np.ndarray:
    """Any audio (or video) file ffmpeg reads -> mono int16 PCM at the simulator's rate."""
    if not data:
        raise MediaError("The file at `audio_url` is empty.")
    try:
        done = subprocess.run(
            [ffmpeg(), "-hide_banner", "-loglevel", "error", "-i", "pipe:0", "-vn"]
            + ["-t", str(UPLOAD_MAX_SECONDS + 1), "-f", "s16le", "-ac", "1", "-ar", str(SR)]
            + ["pipe:1"],
            input=data,
            capture_output=True,
            timeout=120,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise MediaError("Decoding the file at `audio_url` took too long.") from exc
    pcm = np.frombuffer(done.stdout[: len(done.stdout) // 2 * 2], dtype="<i2")
    if done.returncode != 0 or len(pcm) < SR // 10:
        raise MediaError("The file at `audio_url` is not audio that could be decoded.")
    if len(pcm) > UPLOAD_MAX_SECONDS * SR:
        raise MediaError(f"The uploaded audio is longer than {UPLOAD_MAX_SECONDS // 60} minutes.")
    return pcm.copy()


def fetch(url: str) -> bytes:
    """GET a remote file with a time limit and a size cap."""
    try:
        with (
            httpx.Client(timeout=FETCH_TIMEOUT, follow_redirects=True, max_redirects=3) as client,
            client.stream("GET", url) as response,
        ):
            if response.status_code != 200:
                raise MediaError(
                    f"Could not fetch `audio_url`: the server answered HTTP {response.status_code}."
                )
            declared = response.headers.get("content-length")
            if declared and declared.isdigit() and int(declared) > FETCH_MAX_BYTES:
                raise MediaError("The file at `audio_url` is larger than 50 MB.")
            chunks, size = [], 0
            for chunk in response.iter_bytes():
                size += len(chunk)
                if size > FETCH_MAX_BYTES:
                    raise MediaError("The file at `audio_url` is larger than 50 MB.")
                chunks.append(chunk)
            return b"".join(chunks)
    except httpx.HTTPError as exc:
        raise MediaError(f"Could not fetch `audio_url` ({exc.__class__.__name__}).") from exc


def render_mp4(png: bytes, pcm: np.ndarray, out: Path) -> None:
    """A still cover over the audio: H.264 + AAC, small and quick to make."""
    seconds = f"{len(pcm) / SR:.3f}"
    with tempfile.TemporaryDirectory(dir=out.parent) as tmp:
        image = Path(tmp) / "cover.png"
        image.write_bytes(png)
        target = Path(tmp) / "video.mp4"
        # Two frames a second is plenty for a still; -t as well as -shortest because x264's
        # look-ahead otherwise lets the looped image run far past the audio.
        cmd = [ffmpeg(), "-hide_banner", "-loglevel", "error", "-y"]
        cmd += ["-framerate", "2", "-loop", "1", "-t", seconds, "-i", str(image)]
        cmd += ["-f", "s16le", "-ar", str(SR), "-ac", "1", "-i", "pipe:0"]
        cmd += ["-vf", "scale=512:512", "-c:v", "libx264", "-preset", "veryfast"]
        cmd += ["-tune", "stillimage", "-pix_fmt", "yuv420p", "-r", "2", "-g", "20"]
        cmd += ["-c:a", "aac", "-b:a", "128k", "-shortest", "-t", seconds]
        cmd += ["-movflags", "+faststart", str(target)]
        try:
            done = subprocess.run(
                cmd,
                input=np.ascontiguousarray(pcm, dtype="<i2").tobytes(),
                capture_output=True,
                timeout=300,
                check=False,
            )
        except subprocess.TimeoutExpired as exc:
            raise MediaError("Rendering the video took too long.") from exc
        if done.returncode != 0 or not target.exists():
            message = done.stderr.decode(errors="replace").strip()[-300:]
            raise MediaError(f"Rendering the video failed: {message}")
        target.replace(out)
