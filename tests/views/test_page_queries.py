"""Each page costs the same number of queries with a few songs as with many."""

import re

import pytest
from django.db import connection
from django.urls import reverse

from music.models import Relation, Song, TaskState, TeamActivity
from music.services import remembered
from music.views import live
from tests.factories import MembershipFactory, SongFactory, TaskFactory

HX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture(autouse=True)
def same_minute(monkeypatch):
    monkeypatch.setattr(live, "minute", lambda: 1000)


def grow(team, n):
    """n more songs, each from its own task, by several members, some failed."""
    author = MembershipFactory(team=team).user
    for i in range(n):
        task = TaskFactory(team=team, created_by=author, params={"prompt": f"p{i}"})
        SongFactory(team=team, author=author, task=task, state="failed" if i % 5 else "succeeded")


def queries_of(client, url, **headers):
    seen = []

    def count(execute, sql, params, many, context):
        seen.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        response = client.get(url, **headers)
    assert response.status_code in (200, 204)
    return len(seen), response


def first_look(client, url, **headers):
    """Queries of a page's first look at the team's current version (nothing remembered)."""
    remembered.forget()
    return queries_of(client, url, **headers)[0]


# Committed, as a page sees it: on PostgreSQL the version moves at commit.
@pytest.mark.django_db(transaction=True)
def test_a_second_look_at_an_unchanged_library_asks_less(member_client, team, member):
    TaskFactory(team=team, created_by=member, state=TaskState.QUEUED)
    TaskFactory(team=team, created_by=member, state=TaskState.FAILED)
    url = reverse("music:library")
    first = first_look(member_client, url)
    second, response = queries_of(member_client, url)
    # The work in flight and the failure cards are remembered for the version.
    assert second == first - 2
    assert len(response.context["in_flight"]) == 1 and len(response.context["failures"]) == 1


def test_query_counts_do_not_grow_with_the_library(member_client, team, member):
    root = SongFactory(team=team, author=member, title="Root")
    SongFactory(team=team, parent=root, root=root, relation=Relation.EXTENDED)
    TaskFactory(team=team, created_by=member, state=TaskState.QUEUED)  # in flight: it polls
    TaskFactory(team=team, source_song=root, state=TaskState.RUNNING, upstream_id="r1")
    grow(team, 26)  # two pages already
    pages = {
        "library": (reverse("music:library"), {}),
        "library search": (reverse("music:library") + "?q=Song&state=failed", {}),
        "library page 2": (reverse("music:library") + "?page=2", {}),
        "song": (reverse("music:song", args=[root.pk]), {}),
        "tasks": (reverse("music:tasks"), {}),
        "refresh": (reverse("music:library"), HX),
    }
    for url, h in pages.values():  # once: per-process lookups (is there a search table?)
        member_client.get(url, **h)
    small = {name: first_look(member_client, url, **h) for name, (url, h) in pages.items()}
    page = member_client.get(reverse("music:library")).content.decode()
    poll = re.search(r'id="results"[^>]*?hx-get="([^"]+)"', page).group(1).replace("&amp;", "&")
    unchanged_small, response = queries_of(member_client, poll, **HX)
    assert response.status_code == 204

    grow(team, 60)
    big = {name: first_look(member_client, url, **h) for name, (url, h) in pages.items()}
    assert big == small
    # Session, user, membership, version, the song (with timing), work on it, its family.
    assert big["song"] <= 7
    page = member_client.get(reverse("music:library")).content.decode()
    poll = re.search(r'id="results"[^>]*?hx-get="([^"]+)"', page).group(1).replace("&amp;", "&")
    unchanged_big, response = queries_of(member_client, poll, **HX)
    assert response.status_code == 204
    assert unchanged_big == unchanged_small <= 3  # session, user, one for team and version


def test_the_htmx_partial_does_not_list_members(member_client, team, member):
    SongFactory(team=team, author=member)
    with_hx = []

    def count(execute, sql, params, many, context):
        with_hx.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        member_client.get(reverse("music:library"), {"author": member.pk}, **HX)
    membership_lists = [q for q in with_hx if 'FROM "music_membership"' in q]
    assert len(membership_lists) == 1  # the request's own team, not the filter's choices


@pytest.mark.django_db(transaction=True)  # PostgreSQL counts at commit
def test_trigger_counts_match_the_rows(team):
    grow(team, 4)
    Song.objects.bulk_create([Song(team=team, upstream_id=f"b{i}") for i in range(3)])
    Song.objects.filter(team=team, upstream_id="b0").delete()
    SongFactory(team=team).delete()
    activity = TeamActivity.objects.get(team=team)
    assert activity.songs == Song.objects.filter(team=team).count() == 6
    assert activity.tasks == team.tasks.count() == 4


def test_the_family_tree_nests_children_under_their_parents(member_client, team):
    root = SongFactory(team=team, title="Root")
    child = SongFactory(team=team, title="Child", parent=root, root=root)
    SongFactory(team=team, title="Grandchild", parent=child, root=root)
    SongFactory(team=team, title="Second child", parent=root, root=root)
    html = member_client.get(reverse("music:song", args=[root.pk])).content.decode()
    start = html.index('role="tree"')
    tree = html[start : html.index("</section>", start)]
    flat = re.sub(r"\s+", " ", re.sub(r"<(?!/?ul|/?li)[^>]*>", "", tree))
    flat = re.sub(r" ?<(/?)(ul|li)[^>]*> ?", r"<\1\2>", flat)
    assert (
        "<li>Root Generated 2:00 ▶<ul><li>Child Generated 2:00 ▶<ul><li>Grandchild Generated"
        " 2:00 ▶</li></ul></li><li>Second child Generated 2:00 ▶</li></ul></li>"
    ) in flat


@pytest.mark.django_db(transaction=True)
def test_a_second_look_remembers_the_cards_but_asks_for_the_readers_stars(
    member_client, team, member
):
    from music.models import Favourite

    songs = [SongFactory(team=team, author=member, title=f"Song {n}") for n in range(3)]
    url = reverse("music:library")
    first = first_look(member_client, url)
    version = TeamActivity.objects.get(team=team).version
    Favourite.objects.create(user=member, song=songs[1])  # the reader's, not the team's
    assert TeamActivity.objects.get(team=team).version == version
    second, response = queries_of(member_client, url)
    # The songs, the work in flight and the failures are remembered for the version; the
    # reader's stars are asked each time.
    assert second == first - 3
    html = response.content.decode()
    for song in songs:
        card = html.split(f'id="song-{song.pk}"')[1].split("</article>")[0]
        assert ('aria-pressed="true"' in card) == (song == songs[1])
    # Another member sees the same cards without that star.
    other = MembershipFactory(team=team).user
    member_client.force_login(other)
    html = member_client.get(url).content.decode()
    cards = [html.split(f'id="song-{song.pk}"')[1].split("</article>")[0] for song in songs]
    assert not any('aria-pressed="true"' in card for card in cards)


def test_the_family_query_reads_indexes_only(team):
    """A song's family (with the mashups of its songs) never scans the songs table: once a
    database's statistics said every song's `other_parent` was NULL, SQLite scanned it for
    the mashups' half (5 ms at 10,000 songs, 57 ms at 100,000)."""
    from music.services import library

    root = SongFactory(team=team)
    for _ in range(60):
        SongFactory(team=team)
    SongFactory(team=team, parent=root, root=root, other_parent=SongFactory(team=team))
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    seen = []

    def keep(execute, sql, params, many, context):
        seen.append((sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(keep):
        family = library.song_family(root)
    assert family.size == 2
    (sql, params), *_ = [q for q in seen if "UNION" in q[0]]
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
            plan = " ".join(str(row) for row in cursor.fetchall())
            assert "SCAN music_song" not in plan, plan
            assert "song_mashup_second" in plan
        else:
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("EXPLAIN " + sql, params)
            plan = " ".join(row[0] for row in cursor.fetchall())
            assert "Seq Scan on music_song" not in plan, plan
