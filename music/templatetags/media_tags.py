"""Template helpers for links that come from a provider's answer."""

from django import template

from music.services import media

register = template.Library()


@register.filter
def safe_media_url(url, account=None):
    """`{{ song.audio_url|safe_media_url:song.account }}`: the URL, or "" unless it is
    http(s) on one of the provider's allowed media hosts (never `javascript:` and the like).
    """
    return media.safe_media_url(url, account)
