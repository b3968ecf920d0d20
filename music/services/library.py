"""Query helpers for the pages: each fetches what a page shows in a fixed number of queries."""

from dataclasses import dataclass, field

from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import get_object_or_404

from music.models import ACTIVE_TASK_STATES, Membership, Persona, Song, Task

SONGS_PER_PAGE = 24
TASKS_PER_PAGE = 30


def team_songs(team):
    return Song.objects.filter(team=team).select_related("author", "task")


def search_songs(team, *, q="", state="", author=None, whole=False):
    songs = team_songs(team)
    if whole:
        songs = songs.filter(is_fragment=False)
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


@dataclass
class FamilyNode:
    song: Song
    children: list = field(default_factory=list)
    current: bool = False


@dataclass
class Family:
    tree: FamilyNode
    ancestors: list  # oldest first
    parts: list  # for a whole song: (song or None, part dict) in order
    size: int


def song_family(song):
    """The song's whole family (same root) in one query, as a tree."""
    root_id = song.family_root_id
    members = list(
        Song.objects.filter(Q(pk=root_id) | Q(root_id=root_id))
        .select_related("author")
        .order_by("created_at", "id")
    )
    by_id = {m.pk: m for m in members}
    by_id.setdefault(song.pk, song)
    nodes = {pk: FamilyNode(member, current=pk == song.pk) for pk, member in by_id.items()}
    top = []
    for pk, node in nodes.items():
        parent_id = node.song.parent_id
        if parent_id in nodes and parent_id != pk:
            nodes[parent_id].children.append(node)
        else:
            top.append(node)
    tree = nodes.get(root_id) or nodes[song.pk]
    if len(top) > 1:  # orphans of a deleted parent hang under the root
        tree.children.extend(n for n in top if n is not tree)

    ancestors, seen, cursor = [], {song.pk}, by_id.get(song.parent_id)
    while cursor is not None and cursor.pk not in seen:
        ancestors.append(cursor)
        seen.add(cursor.pk)
        cursor = by_id.get(cursor.parent_id)
    ancestors.reverse()

    by_upstream = {m.upstream_id: m for m in by_id.values()}
    parts = [(by_upstream.get(part.get("id")), part) for part in song.parts]
    return Family(tree=tree, ancestors=ancestors, parts=parts, size=len(by_id))


def active_child_tasks(song):
    return list(
        Task.objects.filter(source_song=song, state__in=ACTIVE_TASK_STATES)
        .select_related("created_by")
        .order_by("created_at")
    )


def team_personas(team):
    return list(Persona.objects.filter(team=team).select_related("source_song", "created_by"))


def get_persona(team, persona_id):
    return get_object_or_404(
        Persona.objects.filter(team=team).select_related("source_song"), pk=persona_id
    )
