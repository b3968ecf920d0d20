"""The song's own limits that `services.actions` enforces whatever calls it (a form, a
script): the seconds an extension or a sample may start and end at, and what the refusal
tells the musician."""

import pytest

from music.models import Membership, Song, Task
from music.services import actions
from tests.helpers import make_song


@pytest.fixture
def song(team, member, simulator):
    simulator.max_duration = 8
    made = make_song(team, member, is_pro=True)
    # A length with two decimals: the refusal shows it to one, as the form does.
    Song.objects.filter(pk=made.pk).update(duration=7.26)
    made.refresh_from_db()
    return made


@pytest.fixture
def membership(team, member):
    return Membership.objects.get(team=team, user=member)


WORDS = {"lyric": "[Verse]\nOnce more", "style": "pop", "model": "chirp-v4"}


def test_an_extension_cannot_start_at_the_very_beginning(membership, song):
    with pytest.raises(actions.ActionRefused) as refused:
        actions.extend(membership, song, WORDS, continue_at=0)
    assert refused.value.message == ("Continue from a second between 0 and the song's end (7.3 s).")
    assert not Task.objects.filter(action="extend").exists()


def test_an_extension_may_start_at_the_songs_last_second(membership, song):
    task = actions.extend(membership, song, WORDS, continue_at=7.26)
    assert task.params["continue_at"] == 7.26


def test_a_sample_ending_half_a_second_past_the_song_is_refused(membership, song):
    with pytest.raises(actions.ActionRefused) as refused:
        actions.sample(membership, song, start=1, end=7.76)
    assert refused.value.message == (
        "Pick a range inside the song (0 to 7.3 s), its end after its start."
    )
    assert not Task.objects.filter(action="samples").exists()


def test_a_sample_may_end_exactly_at_the_songs_end(membership, song):
    task = actions.sample(membership, song, start=1, end=7.26)
    assert (task.params["samples_start"], task.params["samples_end"]) == (1, 7.26)
