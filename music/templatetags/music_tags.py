from django import template

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
