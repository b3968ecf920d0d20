"""The view decorators every team page and paid action stands behind (`team_required`,
`spender_required`): who gets in, who is refused, and which team the view then works on."""

from django.urls import reverse

from music.models import Task
from music.services.teams import SESSION_KEY
from tests.factories import MembershipFactory

CREATE = reverse("music:create")
LIBRARY = reverse("music:library")
INSPIRATION = {"mode": "inspiration", "prompt": "a song nobody may pay for", "model": "chirp-v4"}


def test_a_visitor_who_is_not_signed_in_is_sent_to_the_login(client, db):
    for url in (LIBRARY, CREATE):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"] == f"{reverse('login')}?next={url}"


def test_a_user_in_no_team_is_told_so_on_team_pages_and_paid_ones(client, user_factory):
    client.force_login(user_factory())
    for url in (LIBRARY, CREATE):
        response = client.get(url)
        assert response.status_code == 403
        assert "music/no_team.html" in [t.name for t in response.templates]
        assert "You are not in a team yet" in response.content.decode()
    assert client.post(CREATE, INSPIRATION).status_code == 403
    assert not Task.objects.exists()


def test_a_viewer_sees_the_team_but_is_refused_paid_work_with_the_reason(client, viewer, team):
    client.force_login(viewer)
    assert client.get(LIBRARY).status_code == 200

    for response in (client.get(CREATE), client.post(CREATE, INSPIRATION)):
        assert response.status_code == 403
        assert "music/forbidden.html" in [t.name for t in response.templates]
        assert "Viewers can listen and download, but cannot make songs." in (
            response.content.decode()
        )
    assert not Task.objects.exists()


def test_the_view_works_on_the_team_chosen_in_the_session(client, member, team):
    other = MembershipFactory(user=member, role="owner").team  # a second team of the member
    client.force_login(member)
    session = client.session
    session[SESSION_KEY] = other.pk
    session.save()

    response = client.get(CREATE)

    assert response.status_code == 200
    assert response.wsgi_request.team == other
    assert response.wsgi_request.membership.team == other
    assert response.wsgi_request.membership.role == "owner"


def test_the_decorators_keep_the_views_name_and_marks():
    """Django reads marks off the view it routes to (`csrf_exempt`, `xframe_options_exempt`,
    `login_required`'s own): a decorator that dropped them would quietly change how every
    view behind it is treated."""
    from django.views.decorators.csrf import csrf_exempt

    from music.views.decorators import editor_required, spender_required, team_required

    @csrf_exempt
    def marked_view(request):
        """A view with a mark."""

    for decorated in (
        team_required(marked_view),
        spender_required(marked_view),
        editor_required(marked_view),
    ):
        assert decorated.csrf_exempt is True
        assert decorated.__name__ == "marked_view"
        assert decorated.__doc__ == "A view with a mark."
