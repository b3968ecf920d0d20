from django.urls import reverse

from tests.factories import MembershipFactory, SongFactory


def test_a_member_of_two_teams_switches_between_them(client, team, member):
    other = MembershipFactory(user=member, role="viewer").team
    SongFactory(team=team, title="First team song")
    SongFactory(team=other, title="Second team song")
    client.force_login(member)
    assert "First team song" in client.get(reverse("music:library")).content.decode()

    response = client.post(reverse("music:switch_team"), {"team": other.pk, "next": "/"})
    assert response.status_code == 302
    html = client.get(reverse("music:library")).content.decode()
    assert "Second team song" in html
    assert "First team song" not in html


def test_switching_to_a_team_you_are_not_in_is_refused(client, member, outsider):
    other_team = outsider.memberships.get().team
    client.force_login(member)
    client.post(reverse("music:switch_team"), {"team": other_team.pk})
    response = client.get(reverse("music:library"))
    assert response.context["current_team"] != other_team


def test_a_user_without_a_team_is_told_what_to_do(client, user_factory):
    client.force_login(user_factory())
    response = client.get(reverse("music:library"))
    assert response.status_code == 403
    assert "not in a team yet" in response.content.decode()


def test_sign_in_and_out(client, member):
    response = client.post(
        reverse("login"), {"username": member.username, "password": "secret-pass-123"}
    )
    assert response.status_code == 302
    assert client.get(reverse("music:library")).status_code == 200
    client.post(reverse("logout"))
    assert client.get(reverse("music:library")).status_code == 302
