"""Switching teams: only to one's own, and back to a page of this site only."""

import pytest
from django.urls import reverse

from music.services.teams import SESSION_KEY
from tests.factories import MembershipFactory

URL = reverse("music:switch_team")


@pytest.fixture
def second_team(member):
    return MembershipFactory(user=member, role="viewer").team


def test_switching_goes_back_to_the_page_it_came_from(member_client, second_team):
    songs = reverse("music:tasks")
    response = member_client.post(URL, {"team": second_team.pk, "next": songs})
    assert response.status_code == 302
    assert response["Location"] == songs
    assert member_client.session[SESSION_KEY] == second_team.pk


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/phish",
        "//evil.example/phish",
        "http://testserver.evil.example/",
        "javascript:alert(1)",
        "https:///evil.example",
    ],
)
def test_an_address_off_the_site_is_not_followed(member_client, second_team, target):
    response = member_client.post(URL, {"team": second_team.pk, "next": target})
    assert response.status_code == 302
    assert response["Location"] == reverse("music:library")
    assert member_client.session[SESSION_KEY] == second_team.pk  # the switch itself happened


def test_a_team_one_is_not_in_is_refused(member_client, team, outsider):
    other = outsider.memberships.get().team
    response = member_client.post(URL, {"team": other.pk, "next": "/tasks/"}, follow=True)
    assert "You are not a member of that team." in response.content.decode()
    assert member_client.session.get(SESSION_KEY) != other.pk
