import pytest
from django.urls import reverse

from music.models import SongState, Task, TaskState
from tests.factories import MembershipFactory, SongFactory, TaskFactory
from tests.helpers import run_queued

URL = reverse("music:library")


def test_empty_library_invites_the_first_song(member_client):
    response = member_client.get(URL)
    assert response.status_code == 200
    assert "No songs yet" in response.content.decode()


def test_songs_are_listed_newest_first_with_their_details(member_client, team, member):
    old = SongFactory(team=team, author=member, title="Old tune", style="folk", duration=61)
    new = SongFactory(team=team, author=member, title="New tune")
    old.created_at = new.created_at.replace(year=2020)
    old.save()
    html = member_client.get(URL).content.decode()
    assert html.index("New tune") < html.index("Old tune")
    assert "folk" in html and "1:01" in html and member.username in html


def test_other_teams_songs_are_invisible(member_client, team):
    SongFactory(title="Secret of another team")
    SongFactory(team=team, title="Ours")
    html = member_client.get(URL).content.decode()
    assert "Ours" in html
    assert "Secret of another team" not in html


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"q": "moon"}, {"Moonlight"}),
        ({"q": "ocean"}, {"Tide"}),  # lyrics
        ({"q": "jazz"}, {"Smoky"}),  # style
        ({"state": "failed"}, {"Broken"}),
    ],
)
def test_search_and_filters(member_client, team, query, expected):
    SongFactory(team=team, title="Moonlight")
    SongFactory(team=team, title="Tide", lyric="the ocean calls")
    SongFactory(team=team, title="Smoky", style="late night jazz")
    SongFactory(team=team, title="Broken", state=SongState.FAILED)
    page = member_client.get(URL, query).context["page"]
    assert {song.title for song in page} == expected


def test_filter_by_author(member_client, team, member):
    other = MembershipFactory(team=team).user
    SongFactory(team=team, author=member, title="Mine")
    SongFactory(team=team, author=other, title="Theirs")
    page = member_client.get(URL, {"author": other.pk}).context["page"]
    assert [song.title for song in page] == ["Theirs"]


def test_no_match_says_so(member_client, team):
    SongFactory(team=team, title="Something")
    html = member_client.get(URL, {"q": "zzz"}).content.decode()
    assert "No songs match" in html


def test_pagination(member_client, team):
    SongFactory.create_batch(30, team=team)
    first = member_client.get(URL)
    second = member_client.get(URL, {"page": 2})
    assert len(first.context["page"]) == 24
    assert len(second.context["page"]) == 6
    assert "Page 1 of 2" in first.content.decode()


def test_htmx_gets_only_the_results(member_client, team):
    SongFactory(team=team, title="Partial")
    response = member_client.get(URL, {"q": "Part"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="results"')
    assert "<html" not in html


def test_library_polls_itself_only_while_something_is_being_made(member_client, team, member):
    SongFactory(team=team)
    assert 'hx-trigger="every 1s"' not in member_client.get(URL).content.decode()
    TaskFactory(
        team=team,
        created_by=member,
        state=TaskState.SUBMITTED,
        upstream_id="job-1",
        params={"prompt": "soon"},
    )
    html = member_client.get(URL).content.decode()
    assert 'hx-trigger="every 1s"' in html
    assert "soon" in html  # the in-flight task shows as a placeholder


def test_query_count_does_not_grow_with_songs(
    member_client, team, member, django_assert_max_num_queries
):
    SongFactory.create_batch(3, team=team, author=member)
    with django_assert_max_num_queries(12) as small:
        member_client.get(URL)
    SongFactory.create_batch(40, team=team, author=MembershipFactory(team=team).user)
    with django_assert_max_num_queries(len(small.captured_queries)) as big:
        member_client.get(URL)
    assert len(big.captured_queries) == len(small.captured_queries)


def test_the_filter_form_shows_what_was_asked_and_every_member(member_client, team, member):
    import re

    def author_options(html):
        select = re.search(r'<select name="author"[^>]*>(.*?)</select>', html, re.S).group(1)
        return re.findall(r"<option[^>]*>([^<]*)</option>", select)

    html = member_client.get(URL).content.decode()
    assert author_options(html) == ["Anyone", member.username]
    newcomer = MembershipFactory(team=team).user
    asked = {"q": "moon & stars", "state": "failed", "author": member.pk, "whole": "on"}
    html = member_client.get(URL, asked).content.decode()
    assert sorted(author_options(html)[1:]) == sorted([member.username, newcomer.username])
    assert 'value="moon &amp; stars"' in html
    assert '<option value="failed" selected>' in html
    assert f'<option value="{member.pk}" selected>' in html
    assert 'name="whole" id="id_whole" checked' in html
    html = member_client.get(URL, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "任何人" in html or "所有人" in html


# --- failures -----------------------------------------------------------------------------
def refused_job(member_client, simulator, words="prompt rejected by filter"):
    simulator.faults.next_errors.append((400, "content_policy", words))
    member_client.post(
        reverse("music:create"),
        {"mode": "inspiration", "prompt": "a song about rain", "model": "chirp-v4"},
    )
    run_queued()
    return Task.objects.get(params__prompt="a song about rain")


def test_a_job_that_failed_without_songs_is_a_card_with_its_reason_and_try_again(
    member_client, simulator
):
    task = refused_job(member_client, simulator)
    assert task.state == TaskState.FAILED and not task.songs.exists()
    for query in ({}, {"state": "failed"}):
        html = member_client.get(URL, query).content.decode()
        assert 'id="failed-jobs"' in html, query
        assert "No songs match" not in html
        card = html.split(f'id="task-{task.pk}"')[1].split("</article>")[0]
        assert "a song about rain" in card
        assert "The provider answered with an error (HTTP 400)." in card
        assert "prompt rejected by filter" in card.split("<details")[1]
        assert f"{reverse('music:create')}?retry={task.pk}" in card
    # Other filters are about songs: no failure cards there.
    assert 'id="failed-jobs"' not in member_client.get(URL, {"state": "succeeded"}).content.decode()


def test_try_again_refills_the_create_form_as_a_new_request(member_client, simulator):
    task = refused_job(member_client, simulator)
    response = member_client.get(reverse("music:create"), {"retry": task.pk})
    form = response.context["form"]
    assert form["mode"].value() == "inspiration"
    assert form["prompt"].value() == "a song about rain"
    assert form["request_key"].value() != task.request_key
    member_client.post(
        reverse("music:create"),
        {
            "mode": "inspiration",
            "prompt": "a song about rain",
            "model": "chirp-v4",
            "request_key": form["request_key"].value(),
        },
    )
    assert Task.objects.count() == 2  # not deduplicated into the failed one


def test_try_again_cannot_read_another_teams_task(member_client, simulator):
    other = TaskFactory(state=TaskState.FAILED, params={"prompt": "their secret"})
    response = member_client.get(reverse("music:create"), {"retry": other.pk})
    assert "their secret" not in response.content.decode()
    assert member_client.get(reverse("music:create"), {"retry": "nonsense"}).status_code == 200


def test_a_failed_song_card_says_why_and_offers_try_again(member_client, team, simulator):
    simulator.faults.fail_jobs = "Lyrics flagged"
    member_client.post(
        reverse("music:create"),
        {"mode": "inspiration", "prompt": "a flagged song", "model": "chirp-v4"},
    )
    run_queued()
    task = Task.objects.get()
    html = member_client.get(URL, {"state": "failed"}).content.decode()
    assert "The provider could not make this clip." in html
    assert "Lyrics flagged" in html
    retry_link = reverse("music:task_retry", args=[task.pk])
    assert f'href="{retry_link}"' in html
    response = member_client.get(retry_link)
    assert response.status_code == 302
    assert response.url == f"{reverse('music:create')}?retry={task.pk}"


def test_viewers_see_failure_cards_without_try_again(client, viewer, member_client, simulator):
    refused_job(member_client, simulator)
    client.force_login(viewer)
    html = client.get(URL).content.decode()
    assert 'id="failed-jobs"' in html and "?retry=" not in html
