"""The top bar is remembered per reader, team, language, theme and address: each page still
shows the reader's own name, teams and role, the page it is on, and working forms."""

import re

from django.test import Client
from django.urls import reverse

from music.templatetags import music_tags
from tests.factories import MembershipFactory

LIBRARY = reverse("music:library")
TASKS = reverse("music:tasks")


def topbar(client, url=LIBRARY):
    html = client.get(url).content.decode()
    return html.split('<header class="topbar">')[1].split("</header>")[0]


def test_each_reader_sees_their_own_name_role_and_teams(client, team, member, viewer):
    client.force_login(member)
    mine = topbar(client)
    client.force_login(viewer)
    theirs = topbar(client)
    assert f"{member.get_username()} · Member" in mine
    assert f"{viewer.get_username()} · Viewer" in theirs
    assert member.get_username() not in theirs
    # A viewer's menu has no Create or Upload (a member's has both).
    assert reverse("music:create") in mine and reverse("music:create") not in theirs
    # A second team brings the team switch, at once.
    MembershipFactory(user=viewer, team__name="Second Team")
    assert "Second Team" in topbar(client) and "Second Team" not in mine


def test_the_menu_marks_the_page_it_is_on(member_client):
    assert re.search(r'href="/"\s+aria-current="page"', topbar(member_client))
    on_tasks = topbar(member_client, TASKS)
    assert re.search(rf'href="{TASKS}"\s+aria-current="page"', on_tasks)
    assert not re.search(r'href="/"\s+aria-current="page"', on_tasks)
    # Forms that come back to this page say so, with its query.
    assert f'name="next" type="hidden" value="{TASKS}"' in on_tasks
    searching = topbar(member_client, LIBRARY + "?q=rain")
    assert 'name="next" type="hidden" value="/?q=rain"' in searching


def test_a_renamed_team_and_another_language_show_at_once(member_client, team):
    assert team.name in topbar(member_client)
    team.name = "Renamed Crew"
    team.save()
    assert "Renamed Crew" in topbar(member_client)
    member_client.post(reverse("set_language"), {"language": "zh-hans", "next": LIBRARY})
    assert "退出登录" in topbar(member_client)


def test_its_forms_carry_a_real_csrf_token_never_the_stand_in(member, team):
    client = Client(enforce_csrf_checks=True)
    client.force_login(member)
    for _ in range(2):  # the first look renders the bar, the second is remembered
        bar = topbar(client)
        assert music_tags._CSRF_STAND_IN not in bar
    token = re.search(
        r'action="/accounts/logout/"[^>]*>.*?name="csrfmiddlewaretoken" value="([^"]+)"', bar, re.S
    )
    assert token, bar
    response = client.post(reverse("logout"), {"csrfmiddlewaretoken": token.group(1)})
    assert response.status_code == 302  # signed out: the remembered bar's form works
    assert client.get(LIBRARY).status_code == 302  # to the sign-in page
