"""Favourites: each member stars songs for themselves, and can list only those."""

import re

from django.urls import reverse

from music.models import Favourite
from music.services.favourites import set_favourite
from tests.factories import MembershipFactory, SongFactory

LIBRARY = reverse("music:library")


def titles(html):
    return set(re.findall(r'<h3 class="title"><a href="[^"]+">([^<]+)</a></h3>', html))


def card_of(html, song):
    return html.split(f'id="song-{song.pk}"')[1].split("</article>")[0]


def test_a_member_stars_a_song_and_finds_it_under_my_favourites(member_client, team, member):
    liked = SongFactory(team=team, title="Liked one")
    SongFactory(team=team, title="Other one")
    url = reverse("music:song_favourite", args=[liked.pk])
    page = member_client.get(reverse("music:song", args=[liked.pk])).content.decode()
    assert f'action="{url}"' in page and 'aria-pressed="false"' in page

    assert member_client.post(url, {"on": "1"}).status_code == 302  # a plain form, no JS
    page = member_client.get(reverse("music:song", args=[liked.pk])).content.decode()
    assert 'value="0"' in page and 'aria-pressed="true"' in page
    html = member_client.get(LIBRARY).content.decode()
    assert 'aria-pressed="true"' in card_of(html, liked)
    assert titles(member_client.get(LIBRARY, {"fav": "on"}).content.decode()) == {"Liked one"}

    member_client.post(url, {"on": "0"})
    assert not Favourite.objects.exists()
    assert titles(member_client.get(LIBRARY, {"fav": "on"}).content.decode()) == set()


def test_favourites_are_each_members_own(client, team, member):
    song = SongFactory(team=team, title="Shared tune")
    set_favourite(member, song, True)
    other = MembershipFactory(team=team, role="member").user
    client.force_login(other)
    assert titles(client.get(LIBRARY, {"fav": "on"}).content.decode()) == set()
    html = client.get(LIBRARY).content.decode()
    assert 'aria-pressed="false"' in card_of(html, song)


def test_the_card_star_answers_htmx_with_the_cards_button(member_client, team):
    song = SongFactory(team=team)
    url = reverse("music:song_favourite", args=[song.pk])
    response = member_client.post(f"{url}?in=card", {"on": "1"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert html.startswith('<button type="button" class="fav"') and 'aria-pressed="true"' in html
    assert "csrfmiddlewaretoken" not in html  # cards are cached: never a token in them


def test_viewers_may_star_and_outsiders_find_nothing(client, viewer, outsider, team):
    song = SongFactory(team=team)
    url = reverse("music:song_favourite", args=[song.pk])
    client.force_login(viewer)
    assert client.post(url, {"on": "1"}).status_code == 302
    assert Favourite.objects.filter(user=viewer, song=song).exists()
    client.force_login(outsider)
    assert client.post(url, {"on": "1"}).status_code == 404
    assert not Favourite.objects.filter(user=outsider).exists()
    assert client.get(url).status_code in (404, 405)


def test_starring_twice_keeps_one_favourite(team, member):
    song = SongFactory(team=team)
    assert set_favourite(member, song, True) and set_favourite(member, song, True)
    assert Favourite.objects.filter(user=member, song=song).count() == 1


def test_the_song_pages_star_answers_htmx_with_the_pages_own_button(member_client, team):
    song = SongFactory(team=team)
    url = reverse("music:song_favourite", args=[song.pk])
    html = member_client.post(url, {"on": "1"}, HTTP_HX_REQUEST="true").content.decode()
    assert html.startswith(f'<form method="post" action="{url}"') and 'value="0"' in html
    assert Favourite.objects.filter(song=song).exists()


def test_only_on_1_stars_a_song(member_client, team, member):
    song = SongFactory(team=team)
    url = reverse("music:song_favourite", args=[song.pk])
    for sent in ({}, {"on": ""}, {"on": "2"}, {"on": "yes"}):
        set_favourite(member, song, True)
        assert member_client.post(url, sent).status_code == 302
        assert not Favourite.objects.filter(song=song).exists(), sent


def test_a_look_at_the_star_link_changes_nothing(member_client, team, member):
    """A GET (a prefetch, a crawler, a pasted link) never stars nor unstars."""
    song = SongFactory(team=team)
    set_favourite(member, song, True)
    url = reverse("music:song_favourite", args=[song.pk])
    assert member_client.get(url, {"on": "0"}).status_code == 405
    assert Favourite.objects.filter(user=member, song=song).exists()
