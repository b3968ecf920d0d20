"""Query helpers for the pages: each fetches what a page shows in a fixed number of queries."""

from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import get_object_or_404

from music.models import ACTIVE_TASK_STATES, Membership, Song, Task

SONGS_PER_PAGE = 24
TASKS_PER_PAGE = 30


def team_songs(team):
    return Song.objects.filter(team=team).select_related("author", "task")


def search_songs(team, *, q="", state="", author=None):
    songs = team_songs(team)
    if q:
        songs = songs.filter(Q(title__icontains=q) | Q(lyric__icontains=q) | Q(style__icontains=q))
    if state:
        songs = songs.filter(state=state)
    if author:
        songs = songs.filter(author_id=author)
    return songs.order_by("-created_at", "id")


def paginate(queryset, page, per_page):
    return Paginator(queryset, per_page).get_page(page)


def members(team):
    return Membership.objects.filter(team=team).select_related("user").order_by("user__username")


def get_song(team, song_id):
    """A team's song or 404: other teams' songs do not exist for this team."""
    return get_object_or_404(team_songs(team).select_related("parent"), pk=song_id)


def get_task(team, task_id):
    return get_object_or_404(
        Task.objects.filter(team=team).select_related("created_by"), pk=task_id
    )


def team_tasks(team):
    return Task.objects.filter(team=team).select_related("created_by").order_by("-created_at")


def tasks_without_songs(team):
    """Work in flight that has no song rows yet, shown as placeholders in the library."""
    return list(team_tasks(team).filter(state__in=ACTIVE_TASK_STATES, songs__isnull=True)[:10])


def song_family(song):
    """Ancestors (oldest first) and direct children, for the lineage panel."""
    ancestors, seen, cursor = [], {song.pk}, song.parent
    while cursor is not None and cursor.pk not in seen and len(ancestors) < 50:
        ancestors.append(cursor)
        seen.add(cursor.pk)
        cursor = Song.objects.filter(pk=cursor.parent_id).first() if cursor.parent_id else None
    children = list(song.children.select_related("author").order_by("created_at"))
    return list(reversed(ancestors)), children
