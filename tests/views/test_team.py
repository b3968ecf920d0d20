from django.urls import reverse

from music.models import Membership, Role
from tests.factories import UserFactory

URL = reverse("music:team")


def test_everyone_sees_the_members(member_client, team, owner):
    html = member_client.get(URL).content.decode()
    assert owner.username in html
    assert "Add to the team" not in html  # members don't manage


def test_an_owner_adds_a_member_with_a_role(client, owner, team):
    newcomer = UserFactory()
    client.force_login(owner)
    response = client.post(URL, {"username": newcomer.username.upper(), "role": "viewer"})
    assert response.status_code == 302
    assert Membership.objects.get(team=team, user=newcomer).role == Role.VIEWER


def test_adding_an_unknown_or_existing_user_is_explained(client, owner, team):
    client.force_login(owner)
    assert (
        "There is no user called"
        in client.post(URL, {"username": "nobody", "role": "member"}).content.decode()
    )
    assert (
        "already in the team"
        in client.post(URL, {"username": owner.username, "role": "member"}).content.decode()
    )


def test_owners_change_roles_and_remove_members(client, owner, team, member):
    client.force_login(owner)
    membership = member.memberships.get(team=team)
    client.post(reverse("music:member_change", args=[membership.pk]), {"role": "viewer"})
    membership.refresh_from_db()
    assert membership.role == Role.VIEWER
    client.post(reverse("music:member_change", args=[membership.pk]), {"remove": "1"})
    assert not Membership.objects.filter(pk=membership.pk).exists()


def test_the_last_owner_cannot_leave_or_step_down(client, owner, team):
    client.force_login(owner)
    membership = owner.memberships.get(team=team)
    response = client.post(
        reverse("music:member_change", args=[membership.pk]), {"role": "member"}, follow=True
    )
    assert "at least one owner" in response.content.decode()
    membership.refresh_from_db()
    assert membership.role == Role.OWNER


def test_members_cannot_change_the_team(member_client, team, owner):
    membership = owner.memberships.get(team=team)
    response = member_client.post(
        reverse("music:member_change", args=[membership.pk]), {"remove": "1"}
    )
    assert response.status_code == 403
    member_client.post(URL, {"settings": "1", "name": "Hijacked", "default_model": "chirp-v4"})
    team.refresh_from_db()
    assert team.name != "Hijacked"


def test_owners_change_team_settings(client, owner, team):
    client.force_login(owner)
    client.post(
        URL,
        {"settings": "1", "name": "The Band", "default_model": "chirp-v3-5", "auto_concat": "on"},
    )
    team.refresh_from_db()
    assert (team.name, team.default_model, team.auto_concat) == ("The Band", "chirp-v3-5", True)


def test_other_teams_memberships_are_out_of_reach(client, owner, outsider):
    other = outsider.memberships.get()
    client.force_login(owner)
    response = client.post(reverse("music:member_change", args=[other.pk]), {"remove": "1"})
    assert response.status_code == 404
    assert Membership.objects.filter(pk=other.pk).exists()


def test_removing_a_member_asks_first_and_says_who_removed_whom(client, owner, team, member):
    client.force_login(owner)
    membership = member.memberships.get(team=team)
    url = reverse("music:member_remove", args=[membership.pk])
    assert f'href="{url}" data-confirm=' in client.get(URL).content.decode()
    question = client.get(url).content.decode()
    assert f"Remove {member.username} from the team?" in question
    assert Membership.objects.filter(pk=membership.pk).exists()
    response = client.post(url, follow=True)
    assert f"{member.username} was removed from the team." in response.content.decode()
    assert not Membership.objects.filter(pk=membership.pk).exists()


def test_viewers_do_not_see_create_or_upload(client, team, viewer, member):
    client.force_login(viewer)
    nav = client.get(URL).content.decode().split('class="mainnav"')[1].split("</nav>")[0]
    assert reverse("music:create") not in nav and reverse("music:upload") not in nav
    client.force_login(member)
    nav = client.get(URL).content.decode().split('class="mainnav"')[1].split("</nav>")[0]
    assert reverse("music:create") in nav and reverse("music:upload") in nav
