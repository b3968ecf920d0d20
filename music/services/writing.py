"""Help with words: lyrics from an idea, richer style tags from a few words.

These are quick synchronous calls; a failure is shown next to the field, never a 500.
"""

from dataclasses import dataclass

from django.utils.translation import gettext as _

from music import upstream
from music.services import capabilities
from music.upstream.base import Lyrics, UpstreamError


@dataclass
class LyricsResult:
    lyrics: Lyrics | None = None
    error: str = ""

    @property
    def ok(self):
        return self.lyrics is not None


@dataclass
class StyleResult:
    style: str = ""
    error: str = ""

    @property
    def ok(self):
        return bool(self.style)


def explain(exc):
    return _("The provider could not help this time: %(reason)s") % {"reason": exc.message}


def write_lyrics(idea, account=None, model=""):
    """Lyrics from an idea; the lyrics `model` goes only to a format that takes one."""
    refusal = capabilities.account_refusal(account, capabilities.LYRICS)
    if refusal:
        return LyricsResult(error=refusal)
    if not capabilities.takes_lyrics_model(account):
        model = ""
    try:
        return LyricsResult(lyrics=upstream.get_provider(account).lyrics(idea, model))
    except UpstreamError as exc:
        return LyricsResult(error=explain(exc))


def mashup_lyrics(lyrics_a, lyrics_b, account=None):
    """One set of lyrics from two songs' (the provider's mashup-lyrics helper)."""
    refusal = capabilities.account_refusal(account, capabilities.MASHUP)
    if refusal:
        return LyricsResult(error=refusal)
    if not lyrics_a.strip() or not lyrics_b.strip():
        return LyricsResult(error=_("Both songs need lyrics to write mashup lyrics from."))
    try:
        return LyricsResult(lyrics=upstream.get_provider(account).mashup_lyrics(lyrics_a, lyrics_b))
    except UpstreamError as exc:
        return LyricsResult(error=explain(exc))


def boost_style(words, account=None):
    refusal = capabilities.account_refusal(account, capabilities.STYLE)
    if refusal:
        return StyleResult(error=refusal)
    try:
        return StyleResult(style=upstream.get_provider(account).style(words))
    except UpstreamError as exc:
        return StyleResult(error=explain(exc))
