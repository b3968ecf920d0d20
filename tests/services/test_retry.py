"""“Try again” leads to the form that asked, filled in (music/services/retry.py)."""

import pytest
from django.urls import reverse

from music.models import TaskState
from music.services import retry
from tests.factories import SongFactory, TaskFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("action", "name"),
    [("extend", "music:extend"), ("cover", "music:cover"), ("persona", "music:persona_create")],
)
def test_work_on_a_song_is_tried_again_from_its_form(team, action, name):
    song = SongFactory(team=team)
    task = TaskFactory(team=team, action=action, state=TaskState.FAILED, source_song=song)
    assert retry.retry_url(task) == f"{reverse(name, args=[song.pk])}?retry={task.pk}"


def test_song_page_buttons_are_tried_again_on_the_song_page(team):
    song = SongFactory(team=team)
    task = TaskFactory(team=team, action="stems", state=TaskState.FAILED, source_song=song)
    assert retry.retry_url(task) == reverse("music:song", args=[song.pk])


def test_only_failed_tasks_are_tried_again(team):
    assert retry.retry_url(TaskFactory(team=team, state=TaskState.SUCCEEDED)) == ""


def test_the_form_is_filled_with_what_was_asked(team):
    task = TaskFactory(
        team=team,
        state=TaskState.FAILED,
        params={
            "action": "generate",
            "custom": True,
            "lyric": "la la",
            "style": "pop",
            "style_negative": "metal",
            "model": "chirp-v4-5",
            "is_pro": True,
            "instrumental": False,
        },
    )
    assert retry.initial(task) == {
        "lyric": "la la",
        "style": "pop",
        "style_negative": "metal",
        "model": "chirp-v4-5",
        "instrumental": False,
        "is_pro": True,
        "mode": "custom",
    }
