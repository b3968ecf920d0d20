"""Archiving refuses URLs that could reach places the provider should not send us."""

import pytest

from music import upstream
from music.services import media
from music.upstream.base import Clip, ClipState


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "ftp://cdn1.suno.ai/a.mp3",
        "http://169.254.169.254/latest/meta-data",
        "http://localhost:8000/admin/",
        "http://evil.example.com/a.mp3",
        "http://10.0.0.5/a.mp3",
    ],
)
def test_urls_outside_the_providers_hosts_are_refused(url):
    with pytest.raises(media.MediaRefused):
        media.check_url(url)


def test_an_allowed_cdn_name_pointing_at_a_private_address_is_refused(settings, monkeypatch):
    settings.SUNO_MEDIA_HOSTS = ["cdn.example.org"]
    monkeypatch.setattr(
        media.socket, "getaddrinfo", lambda *a, **k: [(2, 1, 6, "", ("192.168.1.10", 443))]
    )
    with pytest.raises(media.MediaRefused) as info:
        media.check_url("https://cdn.example.org/a.mp3")
    assert "private address" in str(info.value)


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
