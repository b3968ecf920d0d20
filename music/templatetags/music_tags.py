import functools
import uuid

from django import template
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils import translation

from music.services import capabilities

register = template.Library()


@register.filter
def duration(seconds):
    """Seconds as m:ss, the way players show time."""
    if seconds in (None, ""):
        return ""
    total = int(round(float(seconds)))
    return f"{total // 60}:{total % 60:02d}"


@register.simple_tag
def song_offers(song):
    """What the song page offers for this song, and why not the rest (services.capabilities)."""
    return capabilities.song_offers(song)


_ANY_ID = uuid.UUID(int=0)


@functools.lru_cache(maxsize=256)
def _url_pattern(name, prefix, urlconf, language):
    return reverse(name, args=[_ANY_ID], urlconf=urlconf)


@register.filter
def song_url(song_id, name="music:song"):
    """`{{ song.id|song_url:"music:song_cover" }}`: a song's URL without resolving the URL
    patterns each time (a library page has dozens of them); reversed once per URL name."""
    pattern = _url_pattern(name, get_script_prefix(), get_urlconf(), translation.get_language())
    return pattern.replace(str(_ANY_ID), str(song_id))


@register.filter
def task_url(task_id):
    """`{{ task.id|task_url }}`: like song_url, for a task's page."""
    return song_url(task_id, "music:task")
