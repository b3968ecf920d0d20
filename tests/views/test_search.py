"""Library search: a case-insensitive substring of the title, lyrics or style, answered from
an index (PostgreSQL pg_trgm, SQLite FTS5 trigram) and meaning what it always meant."""

import pytest
from django.db import connection
from django.urls import reverse

from music.models import Song
from music.services import library
from tests.factories import SongFactory, TeamFactory

URL = reverse("music:library")


def found(client, q):
    return {song.title for song in client.get(URL, {"q": q}).context["page"]}


def test_chinese_substrings_are_found(member_client, team):
    SongFactory(team=team, title="春节快乐歌", lyric="[Verse]\n我们一起唱新年歌")
    SongFactory(team=team, title="夏天", style="中国风 古筝")
    assert found(member_client, "一起唱") == {"春节快乐歌"}
    assert found(member_client, "中国风") == {"夏天"}
    assert found(member_client, "春节") == {"春节快乐歌"}  # two characters: the plain filter


def test_case_does_not_matter(member_client, team):
    SongFactory(team=team, title="Moonlight Drive", style="Synth Pop")
    assert found(member_client, "MOONLIGHT") == {"Moonlight Drive"}
    assert found(member_client, "synth pop") == {"Moonlight Drive"}


def test_a_song_edited_after_insert_is_found_by_its_new_words_only(member_client, team):
    song = SongFactory(team=team, title="First name", lyric="old words here")
    song.title = "Second name"
    song.save()
    Song.objects.filter(pk=song.pk).update(lyric="brand new verses")  # no save()
    assert found(member_client, "Second") == {"Second name"}
    assert found(member_client, "new verses") == {"Second name"}
    assert found(member_client, "First") == set()
    assert found(member_client, "old words") == set()


def test_a_deleted_song_is_not_found(member_client, team):
    keep = SongFactory(team=team, title="Keep this lighthouse")
    SongFactory(team=team, title="Drop this lighthouse").delete()
    Song.objects.filter(title__startswith="Nothing").delete()
    assert found(member_client, "lighthouse") == {keep.title}


def test_another_teams_song_is_never_found(member_client, team):
    SongFactory(team=TeamFactory(), title="Their lighthouse")
    SongFactory(team=team, title="Our lighthouse")
    assert found(member_client, "lighthouse") == {"Our lighthouse"}


def test_quotes_and_operators_are_just_text(member_client, team):
    SongFactory(team=team, title='Say "yes" OR no')
    assert found(member_client, '"yes" OR') == {'Say "yes" OR no'}
    assert found(member_client, "NEAR(") == set()


def test_search_reads_the_index(team):
    """The query goes through the trigram index, not a scan of the team's songs."""
    SongFactory(team=team, title="Lighthouse")
    query = library.search_songs(team, q="lighthouse")
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            sql, params = query.query.sql_with_params()
            cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
            plan = " ".join(str(row) for row in cursor.fetchall())
            assert "music_song_search" in plan
        elif connection.vendor == "postgresql":
            # A handful of rows would be read in full; without that choice, the expression
            # Django's icontains writes must be the one the GIN indexes cover.
            cursor.execute("SET LOCAL enable_seqscan = off")
            for column in ("title", "lyric", "style"):
                only = Song.objects.filter(**{f"{column}__icontains": "lighthouse"})
                sql, params = only.query.sql_with_params()
                cursor.execute("EXPLAIN " + sql, params)
                plan = " ".join(row[0] for row in cursor.fetchall())
                assert f"song_{column}_trgm" in plan
        else:
            pytest.skip("no search index on this database")


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's FTS5 table")
def test_the_sqlite_index_follows_inserts_edits_and_deletes(team):
    def indexed(text):
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT song_id FROM music_song_search WHERE music_song_search MATCH %s",
                [f'"{text}"'],
            )
            return [row[0] for row in cursor.fetchall()]

    song = SongFactory(team=team, title="Granite", style="doom metal")
    assert indexed("granite") == [song.pk.hex]
    Song.objects.filter(pk=song.pk).update(title="Marble")
    assert indexed("granite") == [] and indexed("marble") == [song.pk.hex]
    song.delete()
    assert indexed("marble") == [] and indexed("doom metal") == []
