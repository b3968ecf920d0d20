import functools
import secrets
import threading
import uuid
from collections import OrderedDict
from urllib.parse import quote

from django import template
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils import translation
from django.utils.html import conditional_escape, format_html
from django.utils.http import RFC3986_SUBDELIMS
from django.utils.safestring import mark_safe

from music.services import capabilities, naming

register = template.Library()
# What reverse() leaves unquoted in a path segment.
URL_SAFE = RFC3986_SUBDELIMS + "/~:@"


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


# Reversing a URL walks the URL patterns each time (a page has dozens of links); instead each
# URL name is reversed once, with stand-in arguments, and the real ones are put in their place.
_STAND_INS = [str(uuid.UUID(int=n)) for n in range(1, 5)]


@functools.lru_cache(maxsize=512)
def _url_pattern(name, arity, prefix, urlconf, language):
    return reverse(name, args=_STAND_INS[:arity], urlconf=urlconf)


def fast_reverse(name, *args):
    """reverse(name, args=args) for URL patterns whose arguments are uuid or str segments."""
    pattern = _url_pattern(
        name, len(args), get_script_prefix(), get_urlconf(), translation.get_language()
    )
    for stand_in, arg in zip(_STAND_INS, args, strict=False):
        pattern = pattern.replace(stand_in, quote(str(arg), safe=URL_SAFE))
    return pattern


@register.simple_tag
def fast_url(name, *args):
    """`{% fast_url 'music:song' song.id %}`: `{% url %}` for uuid and str arguments,
    without walking the URL patterns on every link."""
    return fast_reverse(name, *args)


@register.filter
def song_url(song_id, name="music:song"):
    """`{{ song.id|song_url:"music:song_cover" }}`: a song's URL, as fast_url makes it."""
    return fast_reverse(name, song_id)


@register.filter
def task_url(task_id):
    """`{{ task.id|task_url }}`: a task's page."""
    return fast_reverse("music:task", task_id)


@register.filter
def full_title(song):
    """The title line as plain text: "Coastal Line — extension B"."""
    return naming.full_title(song)


@register.simple_tag
def title_line(song):
    """The title line as HTML: the title, then its take and kind, muted (.title-suffix)."""
    suffix = naming.song_suffix(song)
    if not suffix:
        return conditional_escape(str(song))
    return format_html('{} <span class="title-suffix">{}</span>', str(song), suffix)


# The top bar (menu, team switch, language, theme, sign out) is the same on every page a reader
# opens at one address: it is rendered once per everything it shows, not on every look. Its
# forms' CSRF token is put in per response (a stand-in is remembered, never a token).
CACHED_TOPBARS = 1024
_CSRF_STAND_IN = f"csrf-{secrets.token_hex(8)}"
_topbars = OrderedDict()
_topbars_lock = threading.Lock()


def _topbar_key(context, request):
    user = context.get("user")
    signed_in = bool(user is not None and user.is_authenticated)
    membership = context.get("membership")
    team = context.get("current_team")
    return (
        translation.get_language(),
        context.get("theme"),
        request.get_full_path(),
        (user.pk, user.get_username(), user.is_staff) if signed_in else None,
        (membership.pk, membership.role) if membership else None,
        (team.pk, team.name) if team else None,
        tuple((m.team_id, m.team.name) for m in context.get("all_memberships") or ()),
    )


@register.simple_tag(takes_context=True)
def topbar(context):
    """templates/music/partials/topbar.html for this reader, team, language, theme and
    address."""
    template = context.template.engine.get_template("music/partials/topbar.html")
    request = context.get("request")
    if request is None:  # the 500 page: no request, nothing to remember it by
        return template.render(context)
    key = _topbar_key(context, request)
    with _topbars_lock:
        html = _topbars.get(key)
        if html is not None:
            _topbars.move_to_end(key)
    if html is None:
        with context.push(csrf_token=_CSRF_STAND_IN):
            html = template.render(context)
        with _topbars_lock:
            _topbars[key] = html
            while len(_topbars) > CACHED_TOPBARS:
                _topbars.popitem(last=False)
    if _CSRF_STAND_IN in html:
        html = html.replace(_CSRF_STAND_IN, str(context.get("csrf_token", "")))
    return mark_safe(html)
