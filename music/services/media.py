"""Archiving upstream media into our storage, and serving it back with Range support.

Upstream CDN links expire; team songs must not. Downloading a URL an upstream hands us is
an SSRF surface, so only http(s) URLs on the provider's own hosts are fetched, never a
private or loopback address (the configured provider's own host excepted: that is the
operator's choice, e.g. a simulator on localhost), with size and time limits.
"""

import ipaddress
import logging
import mimetypes
import os
import re
import socket
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import httpx
from django.conf import settings
from django.core.files.base import ContentFile
from django.http import FileResponse, HttpResponse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _

from music import upstream

log = logging.getLogger(__name__)


class MediaRefused(Exception):
    pass


@dataclass
class Download:
    name: str
    data: bytes


@dataclass
class ArchivedMedia:
    ok: bool
    error: str = ""
    retry: bool = False  # a transient failure: try again later
    files: dict = field(default_factory=dict)  # field name -> Download

    def attach(self, song):
        for field_name, download in self.files.items():
            getattr(song, field_name).save(download.name, ContentFile(download.data), save=False)


def check_url(url, account=None):
    """Raise MediaRefused unless the URL is one the archiver may fetch."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise MediaRefused(_("Only http(s) media links are archived."))
    host = parts.hostname.lower()
    provider_host = upstream.provider_host(account)
    if host not in upstream.media_hosts(account):
        raise MediaRefused(
            _("Media host %(host)s is not allowed for this provider.") % {"host": host}
        )
    if host == provider_host:
        return
    try:
        infos = socket.getaddrinfo(host, parts.port or 443, proto=socket.IPPROTO_TCP)
    except socket.gaierror as exc:
        raise MediaRefused(_("Media host %(host)s cannot be resolved.") % {"host": host}) from exc
    for info in infos:
        address = ipaddress.ip_address(info[4][0])
        if not address.is_global:
            raise MediaRefused(
                _("Media host %(host)s points to a private address.") % {"host": host}
            )


def download(client, url, limit, account=None):
    check_url(url, account)
    with client.stream("GET", url) as response:
        if response.status_code != 200:
            raise httpx.HTTPStatusError(
                f"HTTP {response.status_code}", request=response.request, response=response
            )
        declared = int(response.headers.get("Content-Length") or 0)
        if declared > limit:
            raise MediaRefused(_("The file is larger than %(mb)s MB.") % {"mb": limit >> 20})
        chunks, size = [], 0
        for chunk in response.iter_bytes():
            size += len(chunk)
            if size > limit:
                raise MediaRefused(_("The file is larger than %(mb)s MB.") % {"mb": limit >> 20})
            chunks.append(chunk)
        return b"".join(chunks), response.headers.get("Content-Type", "")


def extension(url, content_type, default):
    ext = os.path.splitext(urlsplit(url).path)[1].lower()
    if re.fullmatch(r"\.[a-z0-9]{2,5}", ext):
        return ext
    return mimetypes.guess_extension((content_type or "").split(";")[0].strip()) or default


def fetch_one(client, url, stem, default_ext, account=None):
    """Download one file into a Download, or an ArchivedMedia that says what went wrong."""
    if not url:
        return ArchivedMedia(ok=False, error=_("The provider gave no file link."), retry=True)
    try:
        data, content_type = download(client, url, settings.SUNO_MAX_MEDIA_BYTES, account)
    except MediaRefused as exc:
        log.warning("refused to archive %s: %s", url, exc)
        return ArchivedMedia(ok=False, error=str(exc), retry=False)
    except httpx.HTTPError as exc:
        log.warning("could not archive %s: %s", url, exc)
        reason = (
            _("the download timed out")
            if isinstance(exc, httpx.TimeoutException)
            else _("the provider's file server did not answer properly")
        )
        return ArchivedMedia(
            ok=False,
            retry=True,
            error=_("Could not copy the file yet (%(reason)s); trying again.") % {"reason": reason},
        )
    return Download(f"{stem}{extension(url, content_type, default_ext)}", data)


def fetch_clip_media(clip, account=None):
    """Download a finished clip's audio (required) and cover art (best effort)."""
    with upstream.media_client(account) as client:
        audio = fetch_one(client, clip.audio_url, "audio", ".mp3", account)
        if isinstance(audio, ArchivedMedia):
            return audio
        result = ArchivedMedia(ok=True, files={"audio_file": audio})
        if clip.image_url:
            cover = fetch_one(client, clip.image_url, "cover", ".jpeg", account)
            if isinstance(cover, Download):
                result.files["image_file"] = cover
    return result


def fetch_file(url, stem, default_ext="", account=None):
    """Download one export (WAV, MP4) as `files["file"]`."""
    with upstream.media_client(account) as client:
        found = fetch_one(client, url, stem, default_ext, account)
    if isinstance(found, ArchivedMedia):
        return found
    return ArchivedMedia(ok=True, files={"file": found})


RANGE_RE = re.compile(r"^bytes=(\d*)-(\d*)$")


def serve_file(request, field_file, *, filename, content_type=None, as_attachment=False):
    """Serve a stored file, answering single-range requests with 206 so players can seek."""
    size = field_file.size
    content_type = content_type or mimetypes.guess_type(filename)[0] or "application/octet-stream"
    header = request.headers.get("Range", "").strip()
    match = RANGE_RE.match(header) if header else None
    if header and (not match or match.groups() == ("", "")):
        match = None
        header = ""  # malformed or multi-range: send the whole file, which is allowed
    if match:
        first, last = match.groups()
        if first:
            start = int(first)
            end = min(int(last), size - 1) if last else size - 1
        else:
            length = int(last)
            start, end = max(size - length, 0), size - 1
        if start >= size or end < start:
            response = HttpResponse(status=416)
            response["Content-Range"] = f"bytes */{size}"
            return response
        with field_file.open("rb") as fh:
            fh.seek(start)
            data = fh.read(end - start + 1)
        response = HttpResponse(data, status=206, content_type=content_type)
        response["Content-Range"] = f"bytes {start}-{end}/{size}"
        response["Content-Length"] = str(len(data))
    else:
        response = FileResponse(
            field_file.open("rb"),
            content_type=content_type,
            as_attachment=as_attachment,
            filename=filename,
        )
        response["Content-Length"] = str(size)
    if as_attachment and match:
        response["Content-Disposition"] = content_disposition_header(True, filename)
    response["Accept-Ranges"] = "bytes"
    response["Cache-Control"] = "private, max-age=3600"
    return response
