import factory
from django.contrib.auth import get_user_model

from music.models import Membership, Song, SongState, Task, TaskState, Team


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password("secret-pass-123")


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team

    name = factory.Sequence(lambda n: f"Band {n}")
    slug = factory.Sequence(lambda n: f"band-{n}")


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    team = factory.SubFactory(TeamFactory)
    user = factory.SubFactory(UserFactory)
    role = "member"


class TaskFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Task

    team = factory.SubFactory(TeamFactory)
    state = TaskState.SUCCEEDED
    params = factory.LazyFunction(
        lambda: {"action": "generate", "prompt": "a test song", "model": "chirp-v4"}
    )


class SongFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Song

    team = factory.SubFactory(TeamFactory)
    upstream_id = factory.Sequence(lambda n: f"clip-{n:06d}")
    title = factory.Sequence(lambda n: f"Song {n}")
    style = "pop"
    state = SongState.SUCCEEDED
    duration = 120.0
