"""Library cards and task rows, rendered once per look: each one's HTML is remembered under
everything it shows (so a changed title, state, progress or "3 minutes ago" is a new key,
never a stale fragment)."""

import functools
from types import SimpleNamespace
from typing import NamedTuple

from django.contrib.humanize.templatetags.humanize import naturaltime
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.safestring import mark_safe
from django.utils.timezone import template_localtime
from django.utils.translation import gettext_lazy

from music.models import Action, SongState, TaskState
from music.services import naming
from music.templatetags.music_tags import fast_reverse, song_url, task_url

# About 1 KB each: a few MB per process at most.
CACHED_CARDS = 4096
# Labels by value: get_FOO_display() rebuilds a hashable copy of the choices on every call.
SONG_STATES = dict(SongState.choices)
TASK_STATES = dict(TaskState.choices)
ACTIONS = dict(Action.choices)


class Card(NamedTuple):
    """Everything a library card shows, and nothing else."""

    id: str
    url: str
    cover_url: str  # "" without a cover
    title: str
    title_suffix: str  # "· B", "— extension B" (services/naming.py)
    full_title: str  # both: the player bar's and the labels' words
    style: str
    state: str
    state_label: str
    active: bool
    duration: float | None
    fragment: bool
    activity: str  # "Made by Ana", "Renamed by Bo"
    activity_iso: str
    activity_ago: str
    language: str
    favourite: bool = False

    error_message: str = ""  # a failed song's reason, in the reader's language
    error_details: str = ""  # the provider's own words
    retry_url: str = ""  # “Try again” (for members who may spend)


def card(song, can_retry=False):
    return _card(song, can_retry)[0]


def _card(song, can_retry):
    """The song's card, and when its latest event happened."""
    failed = song.state == SongState.FAILED
    error = song.error if failed else None
    author = song.author.get_username() if song.author_id else ""
    activity, at = naming.activity_line(song, author)
    title, suffix = str(song), naming.song_suffix(song)
    built = Card(
        id=str(song.id),
        url=song_url(song.id),
        cover_url=song_url(song.id, "music:song_cover") if song.image_file else "",
        title=title,
        title_suffix=suffix,
        full_title=f"{title} {suffix}" if suffix else title,
        style=song.style,
        state=song.state,
        state_label=str(SONG_STATES.get(song.state, song.state)),
        active=song.is_active,
        duration=song.duration,
        fragment=song.is_fragment,
        activity=str(activity),
        activity_iso=template_localtime(at).isoformat(),
        activity_ago=str(naturaltime(at)),
        language=translation.get_language(),
        favourite=bool(getattr(song, "is_favourite", False)),
        error_message=error.message if error else "",
        error_details=error.details if error else "",
        retry_url=fast_reverse("music:task_retry", song.task_id)
        if can_retry and failed and song.task_id
        else "",
    )
    return built, at


@functools.lru_cache(maxsize=CACHED_CARDS)
def render_card(card):
    # Rendered in the request's language, which is part of the card (and so of the key).
    return mark_safe(render_to_string("music/partials/song_card.html", {"card": card}))


def song_cards(songs, can_retry=False):
    """The cards' HTML; a failed song's “Try again” for members who may spend."""
    return [render_card(card(song, can_retry)) for song in songs]


def timeless_cards(songs, can_retry=False):
    """Each song's card without what belongs to the reader or the clock (their favourite,
    "3 minutes ago"), with the time it speaks of: what a page may remember per team version."""
    return tuple(
        (built._replace(activity_ago="", favourite=False), at)
        for built, at in (_card(song, can_retry) for song in songs)
    )


def reader_cards(timeless, favourites):
    """The HTML of `timeless_cards` for this reader now: `favourites` holds their song ids."""
    return [
        render_card(
            built._replace(activity_ago=str(naturaltime(at)), favourite=built.id in favourites)
        )
        for built, at in timeless
    ]


class TaskRow(NamedTuple):
    """Everything a row of the tasks page shows."""

    url: str
    action_label: str
    summary: str
    error_message: str  # in the reader's language
    error_details: str  # the provider's own words
    state: str
    state_label: str
    active: bool
    progress: int  # the provider's percentage; 0 when it gives none
    step: str  # where it is in STEPS
    author: str
    created_iso: str
    created_ago: str
    language: str


# A task's progress as steps, when the provider gives no percentage of its own.
STEPS = [
    ("queued", gettext_lazy("Queued")),
    ("running", gettext_lazy("Making")),
    ("saving", gettext_lazy("Saving")),
    ("done", gettext_lazy("Done")),
]
STEP_OF_STATE = {TaskState.RUNNING: "running", TaskState.SUCCEEDED: "done"}


def task_row(task):
    action_label = str(ACTIONS.get(task.action, task.action))
    summary = str(task.summary)
    return TaskRow(
        url=task_url(task.id),
        action_label=action_label,
        # "Stems · Stems": a task that asked for nothing to name says its action once.
        summary="" if summary == action_label else summary,
        error_message=task.error.message,
        error_details=task.error.details,
        state=task.state,
        state_label=str(TASK_STATES.get(task.state, task.state)),
        active=task.is_active,
        progress=task.progress,
        step=STEP_OF_STATE.get(task.state, "queued"),
        author=task.created_by.get_username() if task.created_by_id else "",
        created_iso=template_localtime(task.created_at).isoformat(),
        created_ago=str(naturaltime(task.created_at)),
        language=translation.get_language(),
    )


@functools.lru_cache(maxsize=CACHED_CARDS)
def render_task_row(row):
    steps = [(key, str(label)) for key, label in STEPS]
    context = {"row": row, "steps": steps, "step_index": [k for k, _ in STEPS].index(row.step)}
    return mark_safe(render_to_string("music/partials/task_row.html", context))


def task_rows(tasks):
    return [render_task_row(task_row(task)) for task in tasks]


# Family trees by what they show; cleared when full (trees are few and cheap to redo).
_TREES = {}
CACHED_TREES = 512


def family_tree(family):
    """The family tree's HTML (templates/music/partials/family_node.html), remembered under
    every value its nodes show, its shape and the language."""
    key = (
        translation.get_language(),
        tuple(
            None
            if node is None
            else (
                node.song.pk,
                str(node.song),
                node.song.relation,
                node.song.take,
                node.song.is_fragment,
                node.song.duration,
                node.song.state,
                node.song.trashed_at is not None,
                node.current,
                bool(node.children),
            )
            for _, node in family.walk
        ),
    )
    html = _TREES.get(key)
    if html is None:
        if len(_TREES) >= CACHED_TREES:
            _TREES.clear()
        html = _TREES[key] = mark_safe(
            render_to_string("music/partials/family_node.html", {"family": family})
        )
    return html


# The library's filter form, by language, the team's members and what was asked: Django's
# widget templates (an include per <option>) cost more than the rest of the header.
CACHED_FILTER_FORMS = 256
FILTERS = ("q", "state", "author", "whole", "fav")


@functools.lru_cache(maxsize=CACHED_FILTER_FORMS)
def _filter_form(language, members, query):
    from music.forms import LibraryFilterForm

    form = LibraryFilterForm(
        dict(query) or None,
        members=[
            SimpleNamespace(user_id=pk, user=SimpleNamespace(get_username=lambda n=name: n))
            for pk, name in members
        ],
    )
    form.is_valid()
    return mark_safe(render_to_string("music/partials/library_filters.html", {"form": form}))


def filter_form(members, query):
    """The filter form's fields as HTML; `members` are memberships with their users,
    `query` the request's GET."""
    return _filter_form(
        translation.get_language(),
        tuple((m.user_id, m.user.get_username()) for m in members),
        tuple((key, value) for key in FILTERS if (value := query.get(key))),
    )
