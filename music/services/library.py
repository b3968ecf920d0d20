"""Query helpers for the pages: each fetches what a page shows in a fixed number of queries,
from indexes, with only the columns it shows (never a task's params, request or answer, nor a
song's raw upstream clip, for a list)."""

import functools
from dataclasses import dataclass, field
from datetime import timedelta

from django.core.paginator import Paginator
from django.db import connection
from django.db.models import Exists, F, OuterRef, Q
from django.db.models.expressions import RawSQL
from django.db.models.lookups import Exact, In
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.functional import cached_property

from music.models import (
    ACTIVE_TASK_STATES,
    SIDE_ACTIONS,
    Action,
    Favourite,
    Membership,
    Persona,
    Relation,
    Song,
    SongState,
    Task,
    TaskState,
)

SONGS_PER_PAGE = 24
TASKS_PER_PAGE = 30
# What a library card shows (templates/music/partials/song_card.html).
CARD_FIELDS = (
    "id",
    "team_id",
    "title",
    "style",
    "state",
    "duration",
    "is_fragment",
    "image_file",
    "created_at",
    "author__username",
    # A failed song's card says why, and offers to ask again.
    "error_message",
    "error_reason",
    "task_id",
    # The title line (services/naming.py) and who last did what.
    "relation",
    "take",
    "last_event_kind",
    "last_event_by",
    "last_event_at",
)
# What a task row, a placeholder or an in-flight line shows.
TASK_ROW_FIELDS = (
    "id",
    "team_id",
    "action",
    "state",
    "params",
    "progress",
    "error_message",
    "error_reason",
    "source_song_id",
    "account_id",
    "created_at",
    "created_by__username",
)
# "The task is active" and "the task failed", written as the partial indexes `task_team_active`
# and `task_team_failures` are (literal states, in the same order): SQLite uses a partial
# index only for a query that repeats its condition, and a bound parameter does not. The
# column stays an expression, so a subquery's alias is used; the states are the code's own.
ACTIVE = In(F("state"), RawSQL(", ".join(f"'{s}'" for s in ACTIVE_TASK_STATES), []))
FAILED = Exact(F("state"), RawSQL(f"'{TaskState.FAILED}'", []))
# Trigram search needs three characters; shorter queries use the plain filter.
MIN_INDEXED_QUERY = 3


def favourites_of(user):
    return Exists(Favourite.objects.filter(user=user, song=OuterRef("pk")))


def favourite_ids(user, song_ids):
    """Which of these songs (ids as strings) the user starred, as strings: one query."""
    if not song_ids:
        return frozenset()
    starred = Favourite.objects.filter(user=user, song_id__in=song_ids)
    return frozenset(str(pk) for pk in starred.values_list("song_id", flat=True))


def team_songs(team):
    return Song.objects.filter(team=team).select_related("author", "task")


def library_songs(team):
    """A team's songs as library cards (not those in the trash): the card's columns only."""
    return (
        Song.objects.filter(team=team, trashed_at__isnull=True)
        .select_related("author")
        .only(*CARD_FIELDS)
    )


def search_songs(team, *, q="", state="", author=None, whole=False, user=None, favourites=False):
    """The library's songs as filtered; with `user`, each says whether it is their favourite
    (`is_favourite`), and `favourites` keeps only those."""
    songs = library_songs(team)
    if user is not None:
        songs = songs.annotate(is_favourite=favourites_of(user))
        if favourites:
            songs = songs.filter(is_favourite=True)
    if whole:
        songs = songs.filter(is_fragment=False)
    if state:
        songs = songs.filter(state=state)
    if author:
        songs = songs.filter(author_id=author)
    if q:
        # Ties broken by id the other way round: an order the team's date index cannot give,
        # so PostgreSQL reads the few matches from the trigram indexes and sorts them, rather
        # than walking every song of the team newest first hoping to meet 24 matches.
        return text_search(songs, q).order_by("-created_at", "-id")
    return songs.order_by("-created_at", "id")


def text_search(songs, q):
    """Case-insensitive substring of the title, lyrics or style, as `icontains` means it.

    PostgreSQL answers it from the pg_trgm GIN indexes of migration 0008; SQLite narrows
    to the candidates of its FTS5 trigram table first (the plain filter then keeps exactly
    what `icontains` keeps, so both mean the same, stale index rows included).
    """
    plain = Q(title__icontains=q) | Q(lyric__icontains=q) | Q(style__icontains=q)
    if len(q) >= MIN_INDEXED_QUERY and connection.vendor == "sqlite" and _has_search_table():
        phrase = '"' + q.replace('"', '""') + '"'
        songs = songs.filter(
            pk__in=RawSQL(
                "SELECT song_id FROM music_song_search WHERE music_song_search MATCH %s",
                [phrase],
            )
        )
    return songs.filter(plain)


@functools.cache
def _has_search_table():
    """Whether migration 0008 made the FTS5 table (SQLite 3.34 or later)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'music_song_search'"
        )
        return cursor.fetchone() is not None


@dataclass(frozen=True)
class Activity:
    """A team's change counter (kept by database triggers) and, on SQLite, its counts."""

    version: int = 0
    songs: int | None = None
    tasks: int | None = None
    trashed: int | None = None

    @property
    def library_songs(self):
        """How many songs the library lists (all but the trash), or None where unknown."""
        return None if self.songs is None else self.songs - (self.trashed or 0)


def team_activity(team):
    """One indexed row: how often the team's songs and tasks changed, and how many there are.

    PostgreSQL keeps the row at commit (deferred triggers): its counts are the committed
    rows' and are used only outside a transaction; inside one, which may have written, the
    pages count (COUNT(*) sees the transaction's own rows). SQLite keeps it at once."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT version, songs, tasks, trashed FROM music_teamactivity WHERE team_id = %s",
            [team.pk],
        )
        version, songs, tasks, trashed = cursor.fetchone() or (0, 0, 0, 0)
    if connection.vendor != "sqlite" and connection.in_atomic_block:
        return Activity(version)
    return Activity(version, songs, tasks, trashed)


def live_membership(user_id, chosen_team_id):
    """(team id, role, version) of the team a request works in, in one query, as
    services.teams.current_membership chooses it (the session's team, else the first by name);
    None without a team. For refreshes that end in "nothing changed"."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT m.team_id, m.role, COALESCE(a.version, 0) FROM music_membership m "
            "JOIN music_team t ON t.id = m.team_id "
            "LEFT JOIN music_teamactivity a ON a.team_id = m.team_id "
            "WHERE m.user_id = %s ORDER BY CASE WHEN m.team_id = %s THEN 0 ELSE 1 END, t.name "
            "LIMIT 1",
            [user_id, chosen_team_id],
        )
        return cursor.fetchone()


class CountedPaginator(Paginator):
    """A paginator told its count (kept by triggers) instead of counting a team's rows."""

    def __init__(self, object_list, per_page, count=None):
        super().__init__(object_list, per_page)
        self._known_count = count

    @cached_property
    def count(self):
        if self._known_count is not None:
            return self._known_count
        return super().count


def paginate(queryset, page, per_page, count=None):
    return CountedPaginator(queryset, per_page, count=count).get_page(page)


def members(team):
    return Membership.objects.filter(team=team).select_related("user").order_by("user__username")


def get_song(team, song_id):
    """A team's song or 404: other teams' songs do not exist for this team."""
    return get_object_or_404(team_songs(team).select_related("parent", "account"), pk=song_id)


def get_song_page(team, song_id, user=None):
    """A song for its page: with its task's request (shown), not the task's last answer,
    its lyric timing (the waveform's peaks and the karaoke lines; `has_timing_row`) and
    whether it is the user's favourite (`is_favourite`), in one query."""
    songs = (
        Song.objects.filter(team=team)
        .select_related("author", "task", "account", "timing")
        .defer("task__response")
    )
    if user is not None:
        songs = songs.annotate(is_favourite=favourites_of(user))
    song = get_object_or_404(songs, pk=song_id)
    # The join found the row or cached its absence: no query either way.
    song.has_timing_row = hasattr(song, "timing")
    return song


def get_live_song(team, song_id):
    """A song for its page's live parts (hero, in-flight list): no raw clip, no task."""
    return get_object_or_404(
        Song.objects.filter(team=team).select_related("author", "account").defer("raw"),
        pk=song_id,
    )


def get_task(team, task_id):
    return get_object_or_404(
        Task.objects.filter(team=team).select_related("created_by"), pk=task_id
    )


def team_tasks(team):
    """A team's tasks as rows of the tasks page: never the request sent nor the answer."""
    return (
        Task.objects.filter(team=team)
        .select_related("created_by")
        .only(*TASK_ROW_FIELDS)
        .order_by("-created_at")
    )


def active_tasks(tasks):
    """The active ones of `tasks`, from the partial index `task_team_active`."""
    return tasks.filter(ACTIVE)


def tasks_without_songs(team):
    """Work in flight that has no song rows yet, shown as placeholders in the library."""
    return list(active_tasks(team_tasks(team).filter(songs__isnull=True))[:10])


# Failed jobs shown as library cards: those meant to make songs (a failed export or timing
# shows on its song's page), recent ones unfiltered, and more under the "Failed" filter.
SONG_MAKING_ACTIONS = [a for a in Action.values if a not in SIDE_ACTIONS or a == Action.UPLOAD]
FAILURES_SHOWN = 6
FAILURES_SHOWN_DAYS = 3
FAILURES_FILTERED = 24


def failed_without_songs(team, *, filtered=False, author=None):
    """A team's failed jobs that made no song, newest first: the library's failure cards.
    Unfiltered, the few of the last days; under the "Failed" filter, more and older."""
    # The ids first, from the covering index `task_team_failures` alone (a song is looked
    # up in its task index, never read); then only those rows. As one query, SQLite would
    # read every failed task's row to test it.
    ids = (
        Task.objects.filter(team=team)
        .filter(FAILED, action__in=SONG_MAKING_ACTIONS)
        .filter(~Exists(Song.objects.filter(task=OuterRef("pk"))))
        .order_by("-created_at")
    )
    if author:
        ids = ids.filter(created_by_id=author)
    if filtered:
        ids = ids[:FAILURES_FILTERED]
    else:
        since = timezone.now() - timedelta(days=FAILURES_SHOWN_DAYS)
        ids = ids.filter(created_at__gte=since)[:FAILURES_SHOWN]
    return list(team_tasks(team).filter(pk__in=ids.values("pk")))


FAILED_CHILDREN_SHOWN = 5


def child_tasks(song):
    """(work running on the song, oldest first; work on it that failed without a result,
    newest first, a few), in one query: the song page shows both."""
    tasks = list(
        Task.objects.filter(source_song=song)
        .filter(ACTIVE | Q(state=TaskState.FAILED, songs__isnull=True))
        .select_related("created_by")
        .only(*TASK_ROW_FIELDS)
        .order_by("-created_at")[:100]
    )
    running = [task for task in reversed(tasks) if task.is_active]
    failed = [task for task in tasks if task.state == TaskState.FAILED][:FAILED_CHILDREN_SHOWN]
    return running, failed


# Labels by value: get_FOO_display() rebuilds a hashable copy of the choices on every call,
# which a family tree of dozens of nodes feels.
RELATION_LABELS = dict(Relation.choices)
SONG_STATE_LABELS = dict(SongState.choices)


@dataclass
class FamilyNode:
    song: Song
    children: list = field(default_factory=list)
    current: bool = False

    @property
    def relation_label(self):
        return RELATION_LABELS.get(self.song.relation, self.song.relation)

    @property
    def state_label(self):
        return SONG_STATE_LABELS.get(self.song.state, self.song.state)


@dataclass
class Family:
    tree: FamilyNode
    ancestors: list  # oldest first
    parts: list  # for a whole song: (song or None, part dict) in order
    size: int
    members: list = field(default_factory=list)  # every song of the family, as loaded
    mashup_of: list = field(default_factory=list)  # a mashup's two songs, in order

    @property
    def walk(self):
        """The tree in page order, for one flat template loop instead of an include per
        node: ("node", node) opens a node's <li>, ("end", None) closes a node's children."""
        steps, stack = [], [(self.tree, False)]
        while stack:
            node, closing = stack.pop()
            if closing:
                steps.append(("end", None))
                continue
            steps.append(("node", node))
            if node.children:
                stack.append((node, True))
                stack.extend((child, False) for child in reversed(node.children))
        return steps


# What a family tree node and a whole song's part list show.
FAMILY_FIELDS = (
    "id",
    "title",
    "relation",
    "is_fragment",
    "duration",
    "state",
    "parent_id",
    "other_parent_id",
    "root_id",
    "upstream_id",
    "trashed_at",
    "created_at",
    "take",
    "stem_type",  # the song page's stem mixer
    "audio_file",
)


def song_family(song):
    """The song's whole family (same root) in one query, as a tree."""
    root_id = song.family_root_id
    # Mashups whose second song is of this family hang under it too (their root is their
    # first song's): still one query, a UNION, so each half reads its own index (an OR
    # across the join read every song of the database).
    own = Song.objects.filter(Q(pk=root_id) | Q(root_id=root_id))
    mashups = Song.objects.filter(other_parent_id__in=own.values("pk"))
    members = list(
        own.only(*FAMILY_FIELDS)
        .order_by()
        .union(mashups.only(*FAMILY_FIELDS).order_by())
        .order_by("created_at", "id")
    )
    by_id = {m.pk: m for m in members}
    by_id.setdefault(song.pk, song)
    nodes = {pk: FamilyNode(member, current=pk == song.pk) for pk, member in by_id.items()}
    top = []
    for pk, node in nodes.items():
        parent_id, other_id = node.song.parent_id, node.song.other_parent_id
        placed = False
        # A mashup is a child of both its songs: it shows under each one of this family.
        for owner in (parent_id, other_id):
            if owner in nodes and owner != pk:
                nodes[owner].children.append(node)
                placed = True
        if not placed:
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
    mashup_of = []
    if song.other_parent_id and song.parent_id:
        # Its second song may be of another family: one more query, for mashups only.
        pair = {
            s.pk: s
            for s in Song.objects.filter(
                team=song.team_id, pk__in=[song.parent_id, song.other_parent_id]
            ).only(*FAMILY_FIELDS)
        }
        mashup_of = [pair[pk] for pk in (song.parent_id, song.other_parent_id) if pk in pair]
    return Family(
        tree=tree,
        ancestors=ancestors,
        parts=parts,
        size=len(by_id),
        members=list(by_id.values()),
        mashup_of=mashup_of,
    )


def active_child_tasks(song):
    return list(
        Task.objects.filter(source_song=song, state__in=ACTIVE_TASK_STATES)
        .select_related("created_by")
        .only(*TASK_ROW_FIELDS)
        .order_by("created_at")
    )


def team_personas(team):
    return list(Persona.objects.filter(team=team).select_related("source_song", "created_by"))


def get_persona(team, persona_id):
    return get_object_or_404(
        Persona.objects.filter(team=team).select_related("source_song"), pk=persona_id
    )
