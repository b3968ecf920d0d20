"""Side requests: uploads, personas, timing, WAV and MP4 (answered at once, not as jobs)."""

import hashlib
import uuid

import numpy as np

from music.upstream.simulator import media
from music.upstream.simulator.engine.common import ApiError, bad_request
from music.upstream.simulator.engine.rendering import _unit


class SideRequests:
    """Synchronous calls on finished clips (an `Engine` mixin)."""

    def upload(self, url):
        """Fetch and decode an audio URL into a finished clip; returns (job id, clip id)."""
        url = (url or "").strip()
        if not url:
            raise bad_request("`audio_url` is required.")
        if not url.lower().startswith(("http://", "https://")):
            raise bad_request("`audio_url` must be an http(s) URL.")
        try:
            data = self._read_url(url)
            pcm = media.decode(data)
        except media.MediaError as exc:
            raise bad_request(str(exc)) from exc
        digest = hashlib.sha256(pcm.tobytes()).hexdigest()
        spec = {
            "kind": "upload",
            "seed": f"upload:{digest}",
            "prompt": "",
            "lyric": "",
            "style": "",
            "title": f"up-{uuid.uuid4()}",
            "instrumental": True,
            "model": "",
            "is_pro": False,
            "audio_url": url,
            "sha256": digest,
        }
        job_id, (clip_id,) = self._create_job(
            {"action": "upload", "audio_url": url}, [spec], instant=True
        )
        # The file is decoded already: it is the instrumental stem, with silent vocals.
        self._store(self._clip(clip_id), np.zeros_like(pcm), pcm, [])
        return job_id, clip_id

    def _read_url(self, url):
        own = f"{self.base_url}/media/"
        if url.startswith(own):
            try:
                return self.media(url.removeprefix(own).split("?")[0])[1]
            except ApiError as exc:
                raise media.MediaError(f"Could not fetch `audio_url`: {exc.message}") from exc
        return self._fetch_url(url)

    @staticmethod
    def _fetch_url(url):
        """GET a caller's link through the outbound guard (public addresses only, pinned,
        every redirect checked, a deadline and a size cap).

        The messages say which rule refused, never what answered: "connection refused" or
        a time-out for one port and not another would map this server's network.
        """
        from music.upstream import netguard

        # The studio lends members' files through signed links under its public URL (often
        # loopback in development): that one host and port is allowed, as for callbacks.
        policy = netguard.callback_policy(
            deadline=media.FETCH_TIMEOUT, max_bytes=media.FETCH_MAX_BYTES
        )
        try:
            fetched = netguard.request("GET", url, policy=policy)
        except netguard.NotAllowed as exc:
            raise media.MediaError(
                "`audio_url` is not allowed: it must be a public http(s) address."
            ) from exc
        except netguard.TooLarge as exc:
            raise media.MediaError("The file at `audio_url` is larger than 50 MB.") from exc
        except netguard.TimedOut as exc:
            raise media.MediaError("Could not fetch `audio_url`: it timed out.") from exc
        except netguard.OutboundError as exc:
            raise media.MediaError("Could not fetch `audio_url`.") from exc
        if fetched.status_code != 200:
            raise media.MediaError(
                f"Could not fetch `audio_url`: the server answered HTTP {fetched.status_code}."
            )
        return fetched.content

    def create_persona(self, name, description, clip_id):
        name = (name or "").strip()
        if not name:
            raise bad_request("`name` is required.")
        row, spec, _ = self.source(clip_id)
        if spec["kind"] == "upload":
            raise bad_request("A persona cannot be made from an uploaded song.")
        if not spec.get("is_pro"):
            raise bad_request("A persona can only be made from a song made in the Pro pool.")
        return self._new_persona(name, description, row["id"], "persona")

    def timing(self, clip_id):
        """Sung lines (with their section groups) and the mix's envelope."""
        row, _, info = self.source(clip_id)
        return {
            "lines": info["lines"],
            "waveform": media.waveform(self.mix(row)),
            "duration": info["duration"],
            "hoot_cer": 0.02 + 0.2 * _unit(row["id"], "cer"),
        }

    def wav(self, clip_id):
        """The lossless file of a Pro-made clip: exactly the PCM its MP3 was made from."""
        row, spec, _ = self.source(clip_id)
        if not spec.get("is_pro"):
            raise bad_request("WAV files are only available for songs made in the Pro pool.")
        path = self._media_path(f"{row['id']}.wav")
        if not path.exists():
            media.write_atomic(path, media.wav_bytes(self.mix(row)))
        return self.media_url(path.name)

    def mp4(self, clip_id):
        row, _, _ = self.source(clip_id)
        path = self._media_path(f"{row['id']}.mp4")
        if not path.exists():
            try:
                media.render_mp4(self.cover_png(row), self.mix(row), path)
            except media.MediaError as exc:
                raise ApiError(500, "api_error", str(exc)) from exc
        return self.media_url(path.name)
