"""Archiving upstream media into our storage, and serving it back with Range support.

Upstream CDN links expire; team songs must not. Downloading a URL an upstream hands us is
an SSRF surface, so only http(s) URLs on the provider's own hosts are fetched, through the
outbound guard (music/upstream/netguard.py: public addresses only unless the operator listed
a private host, the connection pinned to the checked address, every redirect checked, an
overall deadline and a size cap). What comes back is kept only if its bytes are audio,
video or an image (music/services/mediatypes.py), and it is stored under the extension of
what it is, never of what its URL says: served from our origin, a provider's HTML or script
would run as ours.
"""

import logging
import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from django.conf import settings
from django.core.files.base import ContentFile
from django.http import (
    FileResponse,
    HttpResponse,
    HttpResponseRedirect,
    StreamingHttpResponse,
)
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _

from music import upstream
from music.services import mediatypes, storage
from music.upstream import netguard

log = logging.getLogger(__name__)

# Sent with every stored file we serve: the browser must take the type we say (nosniff), and
# should it ever open one as a page, it gets no script, no origin and no requests (sandbox).
MEDIA_CSP = "sandbox; default-src 'none'"


class MediaRefused(Exception):
    pass


class LinkGone(netguard.Unreachable):
    """The file server says the link is not (or no longer) there."""


GONE_STATUSES = (403, 404, 410)


@dataclass
class Download:
    name: str
    data: bytes
    media_type: mediatypes.MediaType | None = None


@dataclass
class ArchivedMedia:
    ok: bool
    error: str = ""
    retry: bool = False  # a transient failure: try again later
    files: dict = field(default_factory=dict)  # field name -> Download
    # The link answered 403/404/410: it has expired (a provider can make a fresh one).
    expired: bool = False

    def attach(self, song):
        for field_name, download in self.files.items():
            getattr(song, field_name).save(download.name, ContentFile(download.data), save=False)


def _is_plain_url(url):
    # Browsers drop leading/trailing spaces and tabs or newlines inside a URL before they
    # parse it; Python's parser does not quite the same. A URL with any of them is refused
    # rather than guessed at.
    return bool(url) and not any(ord(c) <= 0x20 or ord(c) == 0x7F for c in url)


def safe_media_url(url, account=None):
    """The URL if it may be shown as a link or redirected to (http(s) on an allowed media
    host of the account's provider), else "". Nothing is resolved or fetched."""
    url = url or ""
    if not _is_plain_url(url):
        return ""
    try:
        parts = urlsplit(url)
    except ValueError:
        return ""
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.username:
        return ""
    if parts.hostname.lower() not in upstream.media_hosts(account):
        return ""
    return url


def check_url(url, account=None):
    """Raise MediaRefused unless the URL is on a host the archiver may fetch from.

    The address rules are checked when connecting (each hop), by the guard.
    """
    if not _is_plain_url(url):
        raise MediaRefused(_("Only http(s) media links are archived."))
    try:
        parts = urlsplit(url)
    except ValueError as exc:
        raise MediaRefused(_("Only http(s) media links are archived.")) from exc
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise MediaRefused(_("Only http(s) media links are archived."))
    host = parts.hostname.lower()
    if host not in upstream.media_hosts(account):
        raise MediaRefused(
            _("Media host %(host)s is not allowed for this provider.") % {"host": host}
        )


def download(client, url, limit, account=None):
    """The bytes at `url` (redirects followed, each hop on an allowed host), or raise."""

    def accept(hop):
        try:
            check_url(hop, account)
        except MediaRefused as exc:
            raise netguard.NotAllowed(str(exc)) from exc

    check_url(url, account)
    too_big = _("The file is larger than %(mb)s MB.") % {"mb": limit >> 20}
    try:
        fetched = client.request("GET", url, accept_url=accept)
    except netguard.TooLarge as exc:
        raise MediaRefused(too_big) from exc
    except netguard.NotAllowed as exc:
        if isinstance(exc.__cause__, MediaRefused):
            raise exc.__cause__ from None
        raise MediaRefused(
            _("The media link is not allowed: it does not point to a public address.")
        ) from exc
    if fetched.status_code in GONE_STATUSES:
        raise LinkGone(f"HTTP {fetched.status_code}")
    if fetched.status_code != 200:
        raise netguard.Unreachable(f"HTTP {fetched.status_code}")
    if len(fetched.content) > limit:
        raise MediaRefused(too_big)
    return fetched.content, fetched.content_type


def fetch_one(client, url, stem, kinds, account=None):
    """Download one file into a Download, or an ArchivedMedia that says what went wrong."""
    if not url:
        return ArchivedMedia(ok=False, error=_("The provider gave no file link."), retry=True)
    try:
        data, _content_type = download(client, url, settings.SUNO_MAX_MEDIA_BYTES, account)
    except MediaRefused as exc:
        log.warning("refused to archive %s: %s", url, exc)
        return ArchivedMedia(ok=False, error=str(exc), retry=False)
    except netguard.OutboundError as exc:
        log.warning("could not archive %s: %s", url, exc)
        reason = (
            _("the download timed out")
            if isinstance(exc, netguard.TimedOut)
            else _("the provider's file server did not answer properly")
        )
        return ArchivedMedia(
            ok=False,
            retry=True,
            error=_("Could not copy the file yet (%(reason)s); trying again.") % {"reason": reason},
            expired=isinstance(exc, LinkGone),
        )
    # The type is what the bytes are; the URL's extension and the Content-Type are ignored.
    media_type = mediatypes.sniff(data)
    if media_type is None or media_type.kind not in kinds:
        log.warning("refused to archive %s: not a media file of kinds %s", url, kinds)
        return ArchivedMedia(ok=False, error=_refused_type_message(kinds), retry=False)
    return Download(f"{stem}{media_type.extension}", data, media_type)


def _refused_type_message(kinds):
    # A cover is fetched alone (and best effort); audio and exports may be audio or video.
    if mediatypes.IMAGE in kinds:
        return _("The provider's file is not an image the studio can keep, so it was not saved.")
    return _("The provider's file is not audio or video the studio can keep, so it was not saved.")


def fetch_clip_media(clip, account=None):
    """Download a finished clip's audio (required) and cover art (best effort)."""
    with upstream.media_client(account) as client:
        # Audio may come in a video container (an MP4 or WebM with one sound track).
        audio = fetch_one(
            client, clip.audio_url, "audio", (mediatypes.AUDIO, mediatypes.VIDEO), account
        )
        if isinstance(audio, ArchivedMedia):
            return audio
        result = ArchivedMedia(ok=True, files={"audio_file": audio})
        if clip.image_url:
            cover = fetch_one(client, clip.image_url, "cover", (mediatypes.IMAGE,), account)
            if isinstance(cover, Download):
                result.files["image_file"] = cover
    return result


def fetch_file(url, stem, account=None):
    """Download one export (WAV, MP4) as `files["file"]`, named `stem` and the extension of
    what the bytes are (never the link's)."""
    with upstream.media_client(account) as client:
        found = fetch_one(client, url, stem, (mediatypes.AUDIO, mediatypes.VIDEO), account)
    if isinstance(found, ArchivedMedia):
        return found
    return ArchivedMedia(ok=True, files={"file": found})


RANGE_RE = re.compile(r"^bytes=(\d*)-(\d*)$")


def served_type(field_file, kinds):
    """The MediaType a stored file is served as, decided from its content, never the name
    a provider gave it.

    On local disk the head is sniffed again (a cheap read, which also catches files archived
    before types were checked). In a bucket that read would be one more request for every
    play and every seek, so the type is the one decided when the file was archived: the
    extension we stored it under, chosen from its sniffed content.

    None for anything else: such a file is only ever sent as an opaque download.
    """
    if storage.is_object_storage(field_file.storage):
        media_type = mediatypes.from_stored_name(field_file.name)
    else:
        media_type = mediatypes.sniff_file(field_file)
    return media_type if media_type is not None and media_type.kind in kinds else None


def serve_file(request, field_file, *, filename, kinds, as_attachment):
    """Serve a stored file, answering single-range requests with 206 so players can seek.

    `filename` is the download name without an extension: the extension, like the
    Content-Type, comes from what the file is (see `served_type`). A file that is none of
    `kinds` goes out as application/octet-stream, as an attachment. Files in a bucket are
    a redirect to a signed URL (see `redirect_to_bucket`).
    """
    media_type = served_type(field_file, kinds)
    if media_type is None:
        content_type, extension, as_attachment = "application/octet-stream", ".bin", True
    else:
        content_type, extension = media_type.content_type, media_type.extension
    filename = f"{filename}{extension}"
    if storage.is_object_storage(field_file.storage):
        return redirect_to_bucket(field_file, content_type, filename, as_attachment)
    size = field_file.size
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
        # `end` is at most the last byte, so a start past it (or a backwards range) is here.
        if end < start:
            response = HttpResponse(status=416)
            response["Content-Range"] = f"bytes */{size}"
            return media_headers(response)
        # Streamed in chunks: `bytes=0-` (what players ask first) of a long file must not
        # sit in memory whole, once per listener.
        response = StreamingHttpResponse(
            read_range(field_file, start, end - start + 1), status=206, content_type=content_type
        )
        response["Content-Range"] = f"bytes {start}-{end}/{size}"
        response["Content-Length"] = str(end - start + 1)
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
    return media_headers(response)


def redirect_to_bucket(field_file, content_type, filename, as_attachment):
    """A 302 to a short-lived signed URL of the object, after the view's team check.

    Chosen over streaming through the studio: the bucket answers Range requests (206) itself
    and a long download or a slow listener never holds one of the few sync web workers. The
    bucket stays private; the signed URL carries our Content-Type (never HTML: only the
    allowed media types or application/octet-stream) and disposition, and lasts
    STUDIO_S3_URL_SECONDS. The browser may reuse the redirect for half of that, so the URL
    it leads to still has time left and the object is cached under one URL meanwhile.
    """
    lifetime = storage.url_lifetime(field_file.storage)
    url = storage.signed_url(
        field_file,
        content_type=content_type,
        filename=filename,
        as_attachment=as_attachment,
        max_age=lifetime,
    )
    response = HttpResponseRedirect(url)
    response["Cache-Control"] = f"private, max-age={lifetime // 2}"
    return media_headers(response)


RANGE_CHUNK = 256 * 1024


def read_range(field_file, start, length):
    """The bytes [start, start + length) of a stored file, a chunk at a time."""
    with field_file.storage.open(field_file.name, "rb") as fh:
        fh.seek(start)
        while length > 0:
            data = fh.read(min(RANGE_CHUNK, length))
            if not data:
                return
            length -= len(data)
            yield data


def media_headers(response):
    """What every stored-media response carries, 206 and 416 included."""
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = MEDIA_CSP
    return response
