"""Teams, members and the team a request works in."""

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.text import slugify

from music.models import Membership, Role, Team

SESSION_KEY = "team_id"


def memberships_for(user):
    return list(Membership.objects.filter(user=user).select_related("team").order_by("team__name"))


def current_membership(request):
    """The membership for the team chosen in the session, else the user's first team."""
    user = request.user
    if not user.is_authenticated:
        return None
    team_id = request.session.get(SESSION_KEY)
    qs = Membership.objects.filter(user=user).select_related("team")
    membership = qs.filter(team_id=team_id).first() if team_id else None
    return membership or qs.order_by("team__name").first()


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
