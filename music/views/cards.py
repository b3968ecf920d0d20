"""Library cards and task rows, rendered once per look: each one's HTML is remembered under
everything it shows (so a changed title, state, progress or "3 minutes ago" is a new key,
never a stale fragment)."""

import functools
from typing import NamedTuple

from django.contrib.humanize.templatetags.humanize import naturaltime
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.safestring import mark_safe
from django.utils.timezone import template_localtime

from music.templatetags.music_tags import song_url, task_url

# About 1 KB each: a few MB per process at most.
CACHED_CARDS = 4096


class Card(NamedTuple):
    """Everything a library card shows, and nothing else."""

    id: str
    url: str
    cover_url: str  # "" without a cover
    title: str
    style: str
    state: str
    state_label: str
    active: bool
    duration: float | None
    fragment: bool
    author: str
    created_iso: str
    created_ago: str
    language: str


def card(song):
    return Card(
        id=str(song.id),
        url=song_url(song.id),
        cover_url=song_url(song.id, "music:song_cover") if song.image_file else "",
        title=str(song),
        style=song.style,
        state=song.state,
        state_label=str(song.get_state_display()),
        active=song.is_active,
        duration=song.duration,
        fragment=song.is_fragment,
        author=song.author.get_username() if song.author_id else "",
        created_iso=template_localtime(song.created_at).isoformat(),
        created_ago=str(naturaltime(song.created_at)),
        language=translation.get_language(),
    )


@functools.lru_cache(maxsize=CACHED_CARDS)
def render_card(card):
    # Rendered in the request's language, which is part of the card (and so of the key).
    return mark_safe(render_to_string("music/partials/song_card.html", {"card": card}))


def song_cards(songs):
    return [render_card(card(song)) for song in songs]


class TaskRow(NamedTuple):
    """Everything a row of the tasks page shows."""

    url: str
    action_label: str
    summary: str
    error_message: str
    state: str
    state_label: str
    active: bool
    progress: int
    author: str
    created_iso: str
    created_ago: str
    language: str


def task_row(task):
    return TaskRow(
        url=task_url(task.id),
        action_label=str(task.get_action_display()),
        summary=str(task.summary),
        error_message=task.error_message,
        state=task.state,
        state_label=str(task.get_state_display()),
        active=task.is_active,
        progress=task.progress,
        author=task.created_by.get_username() if task.created_by_id else "",
        created_iso=template_localtime(task.created_at).isoformat(),
        created_ago=str(naturaltime(task.created_at)),
        language=translation.get_language(),
    )


@functools.lru_cache(maxsize=CACHED_CARDS)
def render_task_row(row):
    return mark_safe(render_to_string("music/partials/task_row.html", {"row": row}))


def task_rows(tasks):
    return [render_task_row(task_row(task)) for task in tasks]
