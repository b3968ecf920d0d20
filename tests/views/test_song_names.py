"""Names that tell songs apart (#14): the takes of one job are A and B, and a song that is not
a plain generation says what it is in its title line; library cards say who last did what."""

import html
import re
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.urls import reverse
from django.utils import timezone, translation

from music.models import Relation, Song, SongEventKind
from music.services import actions, naming, remembered, sharing, trash
from tests.factories import MembershipFactory, SongFactory, TaskFactory
from tests.helpers import make_song, run_queued
from tests.mediafiles import mp3_frames

LIBRARY = reverse("music:library")


def text(response):
    """The page's text, tags dropped and spaces squeezed, to read a title line as shown."""
    body = re.sub(r"<[^>]+>", "", response.content.decode())
    return re.sub(r"\s+", " ", html.unescape(body))


def card_of(page, song):
    match = re.search(
        rf'<article class="card song-card" id="song-{song.pk}">.*?</article>', page, re.S
    )
    assert match, f"no card for {song.title}"
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", "", match.group(0))))


def test_the_two_takes_of_a_job_are_a_and_b_everywhere(member_client, team, member):
    first = make_song(team, member, lyric="[Verse]\nOne two\nThree four", title="Coastal Line")
    second = Song.objects.exclude(pk=first.pk).get(task=first.task)
    assert (first.take, second.take) == (1, 2)  # the provider's order
    assert first.title == second.title == "Coastal Line"  # the letter is not in the title

    page = member_client.get(LIBRARY).content.decode()
    assert "Coastal Line · A" in card_of(page, first)
    assert "Coastal Line · B" in card_of(page, second)
    # The player bar and the labels name the take too.
    assert f'data-player-title="Coastal Line · B" data-player-href="/songs/{second.pk}/"' in page

    song_page = member_client.get(reverse("music:song", args=[second.pk]))
    body = song_page.content.decode()
    assert "<title>Coastal Line · B" in body
    assert re.search(r'<h1>Coastal Line <span class="title-suffix">· B</span></h1>', body)
    assert 'data-player-title="Coastal Line · B"' in body


def test_one_clip_jobs_have_no_letter_and_say_what_they_are(member_client, team, member):
    membership = member.memberships.get(team=team)
    song = make_song(team, member, lyric="[Verse]\nOne two\nThree four", title="Tide", is_pro=True)
    actions.extend(
        membership,
        song,
        {"lyric": "[Verse]\nMore", "style": "pop", "model": "chirp-v4", "is_pro": True},
        continue_at=round(song.duration - 1, 2),
    )
    run_queued()
    extension = Song.objects.filter(relation=Relation.EXTENDED).order_by("created_at").first()
    assert extension.take == 1
    actions.concat(membership, extension)
    run_queued()
    whole = Song.objects.get(relation=Relation.CONCATENATED)
    assert whole.take == 0
    actions.stems(membership, whole)
    run_queued()
    vocals, instrumental = Song.objects.filter(relation=Relation.STEM).order_by("created_at")

    page = member_client.get(LIBRARY).content.decode()
    assert f"{extension.title} — extension A" in card_of(page, extension)
    assert card_of(page, whole).count("— whole song") == 1
    assert "— whole song A" not in card_of(page, whole)
    # A stem named after its part needs no letter: the part tells the two apart.
    assert "— vocals stem" in card_of(page, vocals)
    assert "— instrumental stem" in card_of(page, instrumental)

    # The family tree says it too, on every node.
    tree = text(member_client.get(reverse("music:song", args=[whole.pk])))
    assert f"{vocals.title} — vocals stem" in tree
    assert "Tide · A" in tree and f"{whole.title} — whole song" in tree


@pytest.mark.parametrize(
    ("relation", "take", "title", "suffix"),
    [
        (Relation.GENERATED, 0, "Tide", ""),
        (Relation.GENERATED, 2, "Tide", "· B"),
        (Relation.EXTENDED, 2, "Tide", "— extension B"),
        (Relation.EXTENDED, 0, "Tide", "— extension"),
        (Relation.CONCATENATED, 0, "Tide", "— whole song"),
        (Relation.REPLACED, 1, "Tide", "— section replaced A"),
        (Relation.COVERED, 1, "Tide", "— cover A"),
        (Relation.UPLOADED, 0, "take.mp3", "— upload"),
        (Relation.PERSONA, 2, "Tide", "— persona song B"),
        (Relation.STEM, 1, "Tide - Vocals", "— vocals stem"),
        (Relation.STEM, 2, "Tide (Instrumental)", "— instrumental stem"),
        (Relation.STEM, 2, "Tide", "— stem B"),
    ],
)
def test_the_kind_of_song_in_words(relation, take, title, suffix):
    assert naming.title_suffix(relation, take, title) == suffix


def test_the_kind_of_song_in_chinese():
    with translation.override("zh-hans"):
        assert naming.title_suffix(Relation.EXTENDED, 2, "Tide") == "— 续写 B"
        assert naming.title_suffix(Relation.CONCATENATED, 0, "Tide") == "— 完整歌曲"
        assert naming.title_suffix(Relation.STEM, 1, "Tide - Vocals") == "— 分轨（人声）"
        assert naming.title_suffix(Relation.COVERED, 1, "Tide") == "— 翻唱 A"


def test_a_renamed_take_keeps_its_letter_and_kind(member_client, team, member):
    task = TaskFactory(team=team, created_by=member)
    song = SongFactory(
        team=team, author=member, task=task, relation=Relation.EXTENDED, is_fragment=True, take=2
    )
    response = member_client.post(
        reverse("music:song_edit", args=[song.pk]), {"title": "Harbour Lights", "notes": ""}
    )
    assert response.status_code == 302
    song.refresh_from_db()
    assert song.title == "Harbour Lights"  # the stored title is the member's, nothing added
    card = card_of(member_client.get(LIBRARY).content.decode(), song)
    assert "Harbour Lights — extension B" in card
    assert f"Renamed by {member.username}" in card


def playable(team, member, **fields):
    song = SongFactory(team=team, author=member, **fields)
    song.audio_file.save("a.mp3", ContentFile(mp3_frames(0.3)), save=True)
    return song


def test_each_action_says_who_did_it_on_the_card_and_in_the_history(member_client, team, member):
    other = MembershipFactory(team=team, role="member").user
    song = playable(team, member, title="Dune")
    page = member_client.get(LIBRARY).content.decode()
    assert f"Made by {member.username}" in card_of(page, song)

    def card_now():
        return card_of(member_client.get(LIBRARY).content.decode(), song)

    member_client.post(reverse("music:song_edit", args=[song.pk]), {"title": "Dune", "notes": "n"})
    assert f"Notes changed by {member.username}" in card_now()

    member_client.force_login(other)
    member_client.post(reverse("music:share", args=[song.pk]), {"expires": ""})
    assert f"Shared by {other.username}" in card_now()
    link = song.share_links.get()
    member_client.post(reverse("music:share_revoke", args=[song.pk, link.pk]))
    assert f"Share link turned off by {other.username}" in card_now()

    member_client.force_login(member)
    member_client.post(reverse("music:song_edit", args=[song.pk]), {"title": "Dunes", "notes": "n"})
    assert f"Renamed by {member.username}" in card_now()

    member_client.post(reverse("music:song_trash", args=[song.pk]))
    trash_page = text(member_client.get(reverse("music:trash")))
    assert f"moved here by {member.username}" in trash_page
    member_client.force_login(other)
    member_client.post(reverse("music:song_restore", args=[song.pk]))
    assert f"Restored by {other.username}" in card_now()

    song.refresh_from_db()
    assert (song.last_event_kind, song.last_event_by) == (SongEventKind.RESTORED, other.username)
    history = text(member_client.get(reverse("music:song_history", args=[song.pk])))
    for line in (
        f"{member.username} made it",
        f"{member.username} changed the notes",
        f"{other.username} made a share link",
        f"{other.username} turned off a share link",
        f"{member.username} renamed it (Dune → Dunes)",
        f"{member.username} moved it to the trash",
        f"{other.username} restored it from the trash",
    ):
        assert line in history


def test_the_services_record_the_latest_event_on_the_song(team, member):
    song = playable(team, member)
    link = sharing.create_link(song, member)
    song.refresh_from_db()
    assert song.last_event_kind == SongEventKind.SHARED
    sharing.revoke(link, member)
    trash.trash(song, member)
    song.refresh_from_db()
    assert (song.last_event_kind, song.last_event_by) == (SongEventKind.TRASHED, member.username)
    assert song.last_event_at == song.events.latest("at").at


def test_viewers_still_cannot_rename_share_or_trash(client, viewer, team, member):
    song = playable(team, member, title="Theirs")
    client.force_login(viewer)
    assert (
        client.post(reverse("music:song_edit", args=[song.pk]), {"title": "x"}).status_code == 403
    )
    assert client.post(reverse("music:share", args=[song.pk]), {"expires": ""}).status_code == 403
    assert client.post(reverse("music:song_trash", args=[song.pk])).status_code == 403
    song.refresh_from_db()
    assert song.last_event_kind == "" and not song.events.exists()
    assert f"Made by {member.username}" in card_of(client.get(LIBRARY).content.decode(), song)


def test_both_languages_render_the_title_line_and_the_activity(member_client, team, member):
    task = TaskFactory(team=team, created_by=member)
    song = SongFactory(team=team, author=member, task=task, relation=Relation.COVERED, take=2)
    Song.objects.filter(pk=song.pk).update(
        last_event_kind=SongEventKind.RENAMED,
        last_event_by="bo",
        last_event_at=timezone.now() - timedelta(minutes=5),
    )
    english = card_of(member_client.get(LIBRARY).content.decode(), song)
    assert f"{song.title} — cover B" in english and "Renamed by bo · 5 minutes ago" in english
    chinese = card_of(
        member_client.get(LIBRARY, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode(), song
    )
    assert f"{song.title} — 翻唱 B" in chinese and "bo" in chinese
    assert "Renamed by" not in chinese


def library_queries(client):
    """The library's queries at a first look (nothing remembered for the team's version)."""
    remembered.forget()
    seen = []

    def count(execute, sql, params, many, context):
        seen.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        response = client.get(LIBRARY)
    assert response.status_code == 200
    return len(seen)


def test_the_library_costs_the_same_queries_for_one_card_and_twenty(member_client, team, member):
    def add(n):
        for i in range(n):
            task = TaskFactory(team=team, created_by=member)
            for take in (1, 2):
                song = SongFactory(team=team, author=member, task=task, take=take)
            if i % 3:
                sharing.create_link(song, member)
            else:
                trash.trash(song, member)

    task = TaskFactory(team=team, created_by=member)
    SongFactory(team=team, author=member, task=task)
    member_client.get(LIBRARY)  # per-process lookups once
    one = library_queries(member_client)
    add(10)  # 20 cards in the library, with takes, events and trashed ones
    assert Song.objects.filter(team=team, trashed_at__isnull=True).count() > 12
    assert library_queries(member_client) == one


def test_the_migration_fills_takes_and_latest_events(team, member):
    import importlib

    from django.apps import apps

    fill = importlib.import_module("music.migrations.0021_song_take_and_last_event").fill
    now = timezone.now()
    task = TaskFactory(team=team, created_by=member)
    b = SongFactory(team=team, task=task, created_at=now + timedelta(microseconds=1))
    a = SongFactory(team=team, task=task, created_at=now)
    alone = SongFactory(team=team, task=TaskFactory(team=team))
    sharing.create_link(a, member)
    trash.trash(a, member)
    Song.objects.update(take=0, last_event_kind="", last_event_by="", last_event_at=None)

    fill(apps, None)
    takes = dict(Song.objects.values_list("pk", "take"))
    assert (takes[a.pk], takes[b.pk], takes[alone.pk]) == (1, 2, 0)
    a.refresh_from_db()
    assert (a.last_event_kind, a.last_event_by) == (SongEventKind.TRASHED, member.username)
    b.refresh_from_db()
    assert b.last_event_kind == "" and b.last_event_at is None
