"""Live regions: a refresh that finds nothing changed answers 204 with no body, and any
visible change, whoever made it and however it was written, gets the new partial.

Committed transactions (transaction=True): PostgreSQL keeps the team's change counter at
commit (deferred triggers), as it is in production between two requests.
"""

import html
import re

import pytest
from django.urls import reverse

from music.models import Song, SongState, Task, TaskState
from music.views import live
from tests.factories import MembershipFactory, SongFactory, TaskFactory, TeamFactory

pytestmark = pytest.mark.django_db(transaction=True)
HX = {"HTTP_HX_REQUEST": "true"}
LIBRARY = reverse("music:library")
TASKS = reverse("music:tasks")


@pytest.fixture(autouse=True)
def same_minute(monkeypatch):
    """The stamp moves on every minute ("3 minutes ago"); tests stay within one."""
    monkeypatch.setattr(live, "minute", lambda: 1000)


def poll_url(response, region):
    """The hx-get of the live region with this id, as a browser would request it."""
    match = re.search(rf'id="{region}"[^>]*?hx-get="([^"]+)"', response.content.decode())
    assert match, f"{region} does not poll"
    return html.unescape(match.group(1))


@pytest.fixture
def busy_team(team, member):
    """A team with a song and a task in flight, so the library polls."""
    TaskFactory(team=team, created_by=member, state=TaskState.QUEUED, params={"prompt": "soon"})
    return SongFactory(team=team, author=member, title="Old tune")


def test_an_unchanged_library_refresh_is_204_without_a_body(member_client, busy_team):
    url = poll_url(member_client.get(LIBRARY), "results")
    assert "every 1s" in member_client.get(LIBRARY).content.decode()
    response = member_client.get(url, **HX)
    assert response.status_code == 204
    assert response.content == b""


def test_without_htmx_or_without_a_stamp_the_page_is_rendered(member_client, busy_team):
    url = poll_url(member_client.get(LIBRARY), "results")
    assert member_client.get(url).status_code == 200  # a plain visit of the same URL
    assert member_client.get(LIBRARY, **HX).status_code == 200
    assert member_client.get(url.replace("v=", "v=0"), **HX).status_code == 200


def change_state_by_queryset_update(song, member):
    Song.objects.filter(pk=song.pk).update(state=SongState.FAILED)  # no save(), no signal


def change_title(song, member):
    song.title = "New name"
    song.save()


def add_task(song, member):
    TaskFactory(team=song.team, created_by=member, state=TaskState.QUEUED)


def add_songs_in_bulk(song, member):
    Song.objects.bulk_create([Song(team=song.team, upstream_id="bulk-1", title="Bulk")])


def fail_the_task(song, member):
    Task.objects.filter(team=song.team).update(state=TaskState.FAILED, error_message="No.")


def progress_of_the_task(song, member):
    Task.objects.filter(team=song.team).update(progress=55)


def delete_a_song(song, member):
    Song.objects.filter(pk=song.pk).delete()


def another_members_work(song, member):
    other = MembershipFactory(team=song.team).user
    SongFactory(team=song.team, author=other, title="Theirs")


def archive_a_cover(song, member):
    Song.objects.filter(pk=song.pk).update(image_file="teams/x/cover.png")


@pytest.mark.parametrize(
    "change",
    [
        change_state_by_queryset_update,
        change_title,
        add_task,
        add_songs_in_bulk,
        fail_the_task,
        progress_of_the_task,
        delete_a_song,
        another_members_work,
        archive_a_cover,
    ],
)
def test_every_visible_change_gets_the_new_partial(member_client, member, busy_team, change):
    url = poll_url(member_client.get(LIBRARY), "results")
    change(busy_team, member)
    response = member_client.get(url, **HX)
    assert response.status_code == 200
    assert response.content.decode().lstrip().startswith('<section id="results"')


def test_a_task_poll_that_changes_nothing_visible_keeps_the_refresh_free(member_client, busy_team):
    url = poll_url(member_client.get(LIBRARY), "results")
    Task.objects.filter(team=busy_team.team).update(polls=7, next_poll_at=None)
    assert member_client.get(url, **HX).status_code == 204


def test_another_teams_work_does_not_refresh_ours(member_client, busy_team):
    url = poll_url(member_client.get(LIBRARY), "results")
    SongFactory(team=TeamFactory(), title="Elsewhere")
    assert member_client.get(url, **HX).status_code == 204


def test_the_minute_moves_relative_times_on(member_client, busy_team, monkeypatch):
    url = poll_url(member_client.get(LIBRARY), "results")
    monkeypatch.setattr(live, "minute", lambda: 1001)
    assert member_client.get(url, **HX).status_code == 200


def test_a_stamp_is_worth_nothing_for_another_user_page_filter_or_language(
    client, member, busy_team, team
):
    client.force_login(member)
    url = poll_url(client.get(LIBRARY, {"q": "tune"}), "results")
    assert client.get(url, **HX).status_code == 204
    stamp = url.split("v=")[1]
    # Another filter, another page, with the same stamp.
    assert client.get(LIBRARY, {"q": "tun", "v": stamp}, **HX).status_code == 200
    assert client.get(LIBRARY, {"q": "tune", "page": 2, "v": stamp}, **HX).status_code == 200
    # Another language.
    client.post(reverse("set_language"), {"language": "zh-hans", "next": "/"})
    assert client.get(url, **HX).status_code == 200
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert client.get(url, **HX).status_code == 204
    # Another user of the same team.
    client.force_login(MembershipFactory(team=team).user)
    assert client.get(url, **HX).status_code == 200


def test_a_stamp_is_worth_nothing_in_another_team(client, member, busy_team):
    client.force_login(member)
    url = poll_url(client.get(LIBRARY), "results")
    other = MembershipFactory(user=member).team
    client.post(reverse("music:switch_team"), {"team": other.pk, "next": "/"})
    assert client.get(url, **HX).status_code == 200


def test_nothing_polls_when_nothing_is_in_flight(member_client, team, member):
    SongFactory(team=team, author=member)
    TaskFactory(team=team, state=TaskState.SUCCEEDED)
    assert "hx-trigger" not in member_client.get(LIBRARY).content.decode().split('id="results"')[1]
    assert 'hx-trigger="every' not in member_client.get(TASKS).content.decode()


def test_the_tasks_page_refreshes_for_free_until_a_task_moves(member_client, team, member):
    task = TaskFactory(team=team, created_by=member, state=TaskState.RUNNING, upstream_id="j")
    url = poll_url(member_client.get(TASKS), "task-rows")
    assert member_client.get(url, **HX).status_code == 204
    Task.objects.filter(pk=task.pk).update(progress=80)
    response = member_client.get(url, **HX)
    assert response.status_code == 200
    assert 'value="80"' in response.content.decode()


def test_a_songs_hero_and_work_in_flight_refresh_for_free_until_they_change(
    member_client, team, member
):
    song = SongFactory(team=team, author=member, state=SongState.RUNNING)
    child = TaskFactory(team=team, source_song=song, state=TaskState.SUBMITTED, upstream_id="c")
    page = member_client.get(reverse("music:song", args=[song.pk]))
    hero, in_flight = poll_url(page, "song-hero"), poll_url(page, "song-in-flight")
    assert member_client.get(hero, **HX).status_code == 204
    assert member_client.get(in_flight, **HX).status_code == 204

    Song.objects.filter(pk=song.pk).update(state=SongState.SUCCEEDED)
    response = member_client.get(hero, **HX)
    assert response.status_code == 200
    assert "Ready" in response.content.decode()

    Task.objects.filter(pk=child.pk).update(state=TaskState.SUCCEEDED)
    response = member_client.get(in_flight, **HX)
    assert response.status_code == 200
    assert response["HX-Refresh"] == "true"  # all done: the page reloads to show the result


def test_outsiders_get_nothing_from_a_stamp(client, outsider, member, busy_team):
    client.force_login(member)
    url = poll_url(client.get(LIBRARY), "results")
    client.force_login(outsider)
    response = client.get(url, **HX)
    assert response.status_code == 200
    assert "Old tune" not in response.content.decode()


def test_a_song_with_nothing_running_is_not_reloaded_unless_work_just_ended(
    member_client, team, member
):
    """The page reloads once, when the work it was showing ends, never on every look."""
    song = SongFactory(team=team, author=member, state=SongState.SUCCEEDED)
    url = reverse("music:song_in_flight", args=[song.pk])
    for query in ({}, {"was": "idle"}):
        response = member_client.get(url, query, **HX)
        assert response.status_code == 200 and "HX-Refresh" not in response
    assert member_client.get(url, {"was": "busy"}, **HX)["HX-Refresh"] == "true"
