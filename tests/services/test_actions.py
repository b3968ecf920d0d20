"""The song's own limits that `services.actions` enforces whatever calls it (a form, a
script): the seconds an extension or a sample may start and end at, and what the refusal
tells the musician."""

import pytest
from django.http import QueryDict

from music.models import (
    Membership,
    Persona,
    PersonaKind,
    ProviderAccount,
    Relation,
    Song,
    SongState,
    Task,
    TaskState,
)
from music.services import actions, voices
from music.services.lyric_editor import Replacement
from tests.helpers import make_song, run_queued


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
    task = actions.sample(membership, song, start=1.23456, end=7.26)
    assert (task.params["samples_start"], task.params["samples_end"]) == (1.235, 7.26)


@pytest.mark.parametrize("second", [0, -1])
def test_an_extension_cannot_start_at_or_before_the_beginning(membership, song, second):
    with pytest.raises(actions.ActionRefused):
        actions.extend(membership, song, WORDS, continue_at=second)
    assert not Task.objects.filter(action="extend").exists()


def test_a_sample_cannot_start_before_the_song(membership, song):
    with pytest.raises(actions.ActionRefused):
        actions.sample(membership, song, start=-0.5, end=2)
    assert not Task.objects.filter(action="samples").exists()


@pytest.mark.parametrize("speed", [0.2, 4.5])
def test_a_speed_outside_a_quarter_to_four_times_is_refused(membership, song, speed):
    with pytest.raises(actions.ActionRefused) as refused:
        actions.adjust_speed(membership, song, speed_multiplier=speed, keep_pitch=True)
    assert refused.value.message == "The speed can be 0.25 to 4 times the original."
    assert not Task.objects.filter(action="adjust_speed").exists()


@pytest.mark.parametrize("speed", [0.25, 4.0])
def test_a_quarter_and_four_times_are_both_allowed(membership, song, speed):
    task = actions.adjust_speed(membership, song, speed_multiplier=speed, keep_pitch=True)
    assert task.params["speed_multiplier"] == speed


def test_a_replaced_window_is_sent_to_the_millisecond(song):
    window = Replacement(1.23456, 4.56789, "New words", "", [])
    params = actions.replace_section_params(song, window, model="chirp-v4", is_pro=True)
    assert (params["replace_section_start"], params["replace_section_end"]) == (1.235, 4.568)


def test_an_extension_cannot_start_past_the_songs_end(membership, song):
    with pytest.raises(actions.ActionRefused):
        actions.extend(membership, song, WORDS, continue_at=8.5)
    assert not Task.objects.filter(action="extend").exists()


def test_a_sample_may_start_at_the_very_beginning_and_is_cut_to_the_millisecond(membership, song):
    task = actions.sample(membership, song, start=0, end=5.12345)
    assert (task.params["samples_start"], task.params["samples_end"]) == (0, 5.123)


def test_a_replacement_is_sent_as_new_words_over_the_songs_own_music(song):
    window = Replacement(1, 3, "New words", "", [])
    params = actions.replace_section_params(song, window, model="chirp-v4", is_pro=True)
    assert (params["custom"], params["instrumental"], params["auto_concat"]) == (
        False,
        False,
        False,
    )


def test_an_extension_names_the_job_that_made_the_song(membership, song):
    """A relay continues a song from the job that made it (its `task_id`)."""
    task = actions.extend(membership, song, WORDS, continue_at=3)
    assert song.task.upstream_id
    assert task.params["source_task_id"] == song.task.upstream_id


def test_a_sample_of_no_length_is_refused(membership, song):
    with pytest.raises(actions.ActionRefused):
        actions.sample(membership, song, start=2, end=2)
    assert not Task.objects.filter(action="samples").exists()


@pytest.fixture
def upload_only(team):
    """An account whose owner offers uploads but not extensions."""
    return ProviderAccount.objects.create(
        team=team,
        name="uploads only",
        format="sunohub",
        base_url="http://simulator.local",
        capabilities=["upload"],
    )


def test_an_account_offering_uploads_takes_a_plain_upload(membership, upload_only):
    task = actions.upload(membership, "http://example.com/a.mp3", account=upload_only)
    assert (task.action, task.account) == ("upload", upload_only)


def test_an_upload_to_continue_needs_an_account_that_also_extends(membership, upload_only):
    then = {"continue_at": 10, "lyric": "More", "style": "pop", "model": "chirp-v4"}
    with pytest.raises(actions.ActionRefused) as refused:
        actions.upload(membership, "http://example.com/a.mp3", account=upload_only, then=then)
    assert "does not offer “Extend”" in refused.value.message
    assert not Task.objects.exists()


def test_a_sample_ending_before_it_starts_is_refused(membership, song):
    with pytest.raises(actions.ActionRefused):
        actions.sample(membership, song, start=3, end=2)
    assert not Task.objects.filter(action="samples").exists()


def test_an_extension_may_start_half_a_second_in(membership, song):
    assert actions.extend(membership, song, WORDS, continue_at=0.5).params["continue_at"] == 0.5


# --- joining fragments: a relay is told which kind it joins ---------------------------------
@pytest.fixture
def relay_song(team, member, simulator):
    ProviderAccount.objects.create(
        team=team, name="Relay", format="relay", base_url="http://simulator.local", is_default=True
    )
    simulator.max_duration = 12
    made = make_song(team, member, lyric="[Verse]\nOne line\nTwo lines\nThree", model="chirp-v4-5")
    assert made.provider == "relay"
    return made


def _finish(task):
    run_queued()
    task.refresh_from_db()
    return task


def test_a_relay_joins_a_replaced_section_as_an_infill(membership, relay_song):
    window = Replacement(2, 5, "One line\nNew words here", "New words here", [])
    replaced = _finish(
        actions.replace_section(
            membership, relay_song, window, model="chirp-v4-5", is_pro=True, auto_concat=False
        )
    )
    section = Song.objects.filter(task=replaced).first()
    assert section.relation == Relation.REPLACED
    joined = _finish(actions.concat(membership, section))
    # The relay refuses a join that calls an infill section a plain fragment (or the reverse).
    assert joined.state == TaskState.SUCCEEDED, joined.error
    assert joined.params["is_infill"] is True


def test_a_relay_joins_an_extension_as_no_infill(membership, relay_song):
    extended = _finish(actions.extend(membership, relay_song, WORDS, continue_at=4))
    part = Song.objects.filter(task=extended).first()
    assert part.relation == Relation.EXTENDED
    joined = _finish(actions.concat(membership, part))
    assert joined.state == TaskState.SUCCEEDED, joined.error
    assert joined.params["is_infill"] is False


# --- stems: once per song -----------------------------------------------------------------
def test_a_song_is_split_once_then_asking_again_starts_nothing(membership, song):
    split = _finish(actions.stems(membership, song))
    assert split.state == TaskState.SUCCEEDED
    assert song.children.filter(relation=Relation.STEM).count() == 2
    assert actions.stems(membership, song) is None
    assert Task.objects.filter(action="stems").count() == 1


def test_a_song_whose_split_failed_can_be_split_again(membership, song):
    _finish(actions.stems(membership, song))
    song.children.filter(relation=Relation.STEM).update(state=SongState.FAILED)
    again = actions.stems(membership, song)
    assert again is not None and again.action == "stems"
    assert Task.objects.filter(action="stems").count() == 2


def test_a_fragment_already_joined_is_not_joined_again(membership, song):
    extended = _finish(actions.extend(membership, song, WORDS, continue_at=4))
    part = Song.objects.filter(task=extended).first()
    assert _finish(actions.concat(membership, part)).state == TaskState.SUCCEEDED
    assert actions.concat(membership, part) is None
    assert Task.objects.filter(action="concat").count() == 1


def test_a_sample_of_a_song_of_unknown_length_asks_for_a_range_without_inventing_one(
    membership, song
):
    Song.objects.filter(pk=song.pk).update(duration=None)
    song.refresh_from_db()
    with pytest.raises(actions.ActionRefused) as refused:
        actions.sample(membership, song, start=3, end=2)
    assert refused.value.message == "Pick a range of the song, its end after its start."


def test_a_failed_song_is_refused_with_the_reason_and_nothing_is_paid(membership, song):
    Song.objects.filter(pk=song.pk).update(state=SongState.FAILED)
    failed = Song.objects.get(pk=song.pk)  # as a view reads it: its state a plain string
    before = Task.objects.count()
    for attempt in (
        lambda: actions.extend(membership, failed, WORDS, continue_at=3),
        lambda: actions.cover(membership, failed, WORDS),
        lambda: actions.stems(membership, failed),
    ):
        with pytest.raises(actions.ActionRefused) as refused:
            attempt()
        assert refused.value.message == (f"“{failed}” failed, so there is nothing to work from.")
    assert Task.objects.count() == before


def test_an_uploaded_song_is_covered_with_upload_cover_and_a_made_one_with_cover(membership, song):
    assert actions.cover(membership, song, WORDS).action == "cover"
    Song.objects.filter(pk=song.pk).update(relation=Relation.UPLOADED)
    uploaded = Song.objects.get(pk=song.pk)
    assert actions.cover(membership, uploaded, WORDS).action == "upload_cover"


def test_whole_songs_with_a_section_replaced_are_asked_of_sunohub_but_not_of_a_relay(
    membership, song, relay_song
):
    window = Replacement(2, 5, "Once more\nNew words", "New words", [])
    whole = QueryDict("mode=full_song")["mode"]  # as a request or a script would read it
    task = actions.replace_section(
        membership,
        song,
        window,
        model="chirp-v4-5",
        is_pro=True,
        auto_concat=False,
        result_mode=whole,
    )
    assert task.params["replace_section_result_mode"] == "full_song"
    with pytest.raises(actions.ActionRefused) as refused:
        actions.replace_section(
            membership,
            relay_song,
            window,
            model="chirp-v4-5",
            is_pro=True,
            auto_concat=False,
            result_mode=whole,
        )
    assert "choose “Only the new section”" in refused.value.message


@pytest.mark.parametrize(
    ("state", "reason"),
    [
        (SongState.FAILED, "failed, so there is nothing to work from."),
        (SongState.SAVING, "is still being made. Wait until it is ready."),
    ],
)
def test_a_voice_is_never_made_from_a_song_that_is_not_ready(membership, song, state, reason):
    Song.objects.filter(pk=song.pk).update(state=state)
    unready = Song.objects.get(pk=song.pk)
    with pytest.raises(actions.ActionRefused) as refused:
        voices.make_voice(membership, name="Mine", description="", song=unready)
    assert refused.value.message == f"“{unready}” {reason}"
    assert not Task.objects.filter(action="voice").exists()


@pytest.mark.parametrize(
    ("kind", "action", "sends_its_audio"),
    [
        (PersonaKind.PERSONA, "artist_consistency", True),
        (PersonaKind.VOX, "artist_consistency_vox", True),
        (PersonaKind.VOICE, "artist_consistency", False),
    ],
)
def test_each_kind_of_persona_sings_with_its_own_action(
    membership, team, song, kind, action, sends_its_audio
):
    persona = Persona.objects.create(
        team=team, name="Tenor", upstream_id=f"p-{kind}", source_song=song, kind=kind
    )
    persona = Persona.objects.get(pk=persona.pk)  # its kind a plain string, as read
    task = actions.persona_song(membership, persona, WORDS)
    assert (task.action, task.params["persona_id"]) == (action, f"p-{kind}")
    assert task.params.get("audio_id") == (song.upstream_id if sends_its_audio else None)
