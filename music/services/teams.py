"""Teams, members and the team a request works in."""

import functools

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import check_password
from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from music.models import Membership, Role, Team

SESSION_KEY = "team_id"


def memberships_for(user):
    return list(Membership.objects.filter(user=user).select_related("team").order_by("team__name"))


def request_memberships(request):
    """All of the signed-in user's memberships, loaded once per request."""
    if not hasattr(request, "_memberships"):
        user = request.user
        request._memberships = memberships_for(user) if user.is_authenticated else []
    return request._memberships


def current_membership(request):
    """The membership for the team chosen in the session, else the user's first team."""
    memberships = request_memberships(request)
    team_id = request.session.get(SESSION_KEY) if memberships else None
    chosen = next((m for m in memberships if m.team_id == team_id), None)
    return chosen or (memberships[0] if memberships else None)


def switch_team(request, team_id):
    membership = Membership.objects.filter(user=request.user, team_id=team_id).first()
    if membership:
        request.session[SESSION_KEY] = membership.team_id
    return membership


@transaction.atomic
def create_team(name, owner, *, slug=None):
    base = slug or slugify(name) or "team"
    slug, n = base, 2
    while Team.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    team = Team.objects.create(name=name, slug=slug)
    Membership.objects.create(team=team, user=owner, role=Role.OWNER)
    return team


DEMO_USERNAME = "demo"
DEMO_PASSWORD = "demo-studio"


@transaction.atomic
def ensure_demo(username=DEMO_USERNAME, password=DEMO_PASSWORD, team_name="Demo Studio"):
    """The demo admin and their team, made on the first run.

    An existing user is left as it is: `make run` runs this every time, and must never reset
    a password someone changed (nor rights an admin took away).
    """
    User = get_user_model()
    user = User.objects.filter(username=username).first()
    if user is None:
        user = User.objects.create_superuser(username=username, email="", password=password)
    team = Team.objects.filter(memberships__user=user).first() or create_team(team_name, user)
    return user, team


def demo_login():
    """(username, password) to show on the login page, only in demo mode (STUDIO_DEMO, set
    by `make run`) and only while the demo user still has the default password."""
    if not settings.STUDIO_DEMO:
        return None
    User = get_user_model()
    encoded = (
        User.objects.filter(username=DEMO_USERNAME, is_active=True)
        .values_list("password", flat=True)
        .first()
    )
    if encoded and _is_demo_password(encoded):
        return DEMO_USERNAME, DEMO_PASSWORD
    return None


@functools.lru_cache(maxsize=8)
def _is_demo_password(encoded):
    # Hashing is slow on purpose; the stored hash changes with the password, so the answer
    # for one hash can be remembered.
    return check_password(DEMO_PASSWORD, encoded)


class TeamChangeRefused(Exception):
    def __init__(self, message):
        super().__init__(message)
        self.message = message


def add_member(team, user, role):
    membership, created = Membership.objects.get_or_create(
        team=team, user=user, defaults={"role": role}
    )
    if not created:
        raise TeamChangeRefused(_("%(name)s is already in the team.") % {"name": user})
    return membership


@transaction.atomic
def change_role(membership, role):
    if membership.role == Role.OWNER and role != Role.OWNER:
        require_another_owner(membership)
    membership.role = role
    membership.save(update_fields=["role"])


@transaction.atomic
def remove_member(membership):
    if membership.role == Role.OWNER:
        require_another_owner(membership)
    membership.delete()


def require_another_owner(membership):
    others = (
        Membership.objects.select_for_update()
        .filter(team=membership.team, role=Role.OWNER)
        .exclude(pk=membership.pk)
    )
    if not others.exists():
        raise TeamChangeRefused(_("A team needs at least one owner."))


@transaction.atomic
def delete_team(team):
    """Delete a team and everything it owns; its stored files go once this commits.

    Personas guard their source song (PROTECT), which would refuse the team's cascade, so they
    are deleted first, in the same transaction.
    """
    team.personas.all().delete()
    team.delete()
