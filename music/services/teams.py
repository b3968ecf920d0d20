"""Teams, members and the team a request works in."""

from django.contrib.auth import get_user_model
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


@transaction.atomic
def ensure_demo(username="demo", password="demo-studio", team_name="Demo Studio"):
    """Create (or reset the password of) the demo admin and their team."""
    User = get_user_model()
    user, _ = User.objects.get_or_create(
        username=username, defaults={"is_staff": True, "is_superuser": True}
    )
    user.is_staff = user.is_superuser = True
    user.set_password(password)
    user.save()
    team = Team.objects.filter(memberships__user=user).first() or create_team(team_name, user)
    return user, team


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
