"""A team that buys through a relay gateway: every page works, and offers only what the
account can do (issue #11)."""

import pytest
from django.urls import reverse

from music.models import LyricTiming, Persona, ProviderAccount, Task
from music.services import actions
from tests.helpers import make_song, run_queued

LYRIC = (
    "[Verse]\nLine one of the verse\nLine two of the verse\n"
    "[Chorus]\nSing the chorus now\nSing it once again"
)


@pytest.fixture
def relay(team):
    return ProviderAccount.objects.create(
        team=team, name="Relay", format="relay", base_url="http://simulator.local", is_default=True
    )


@pytest.fixture
def song(relay, team, member, simulator):
    """A v4.5 (chirp-auk) song made through the relay, with its lyric timing."""
    simulator.max_duration = 40  # room for every line
    song = make_song(team, member, lyric=LYRIC, model="chirp-v4-5")
    assert song.account == relay and song.provider == "relay"
    actions.fetch_timing(member.memberships.get(team=team), song)
    run_queued()
    assert LyricTiming.objects.filter(song=song).exists()
    return song


@pytest.fixture
def persona(song, team, member):
    actions.make_persona(member.memberships.get(team=team), song, name="Voice", description="")
    run_queued()
    return Persona.objects.get()


# --- the pages that answered 500 ------------------------------------------------------------
@pytest.mark.parametrize("method", ["get", "post"])
def test_the_cover_page_works_on_a_relay_song(member_client, song, method):
    url = reverse("music:cover", args=[song.pk])
    response = getattr(member_client, method)(url, {"style": "punk", "model": "chirp-v4"})
    assert response.status_code in (200, 302)
    assert 'name="is_pro"' not in response.content.decode()
    if method == "post":
        run_queued()
        assert Task.objects.get(action="cover").request_payload["task"] == "cover"


@pytest.mark.parametrize("method", ["get", "post"])
def test_the_persona_sing_page_works_on_a_relay_team(member_client, persona, method):
    url = reverse("music:persona_sing", args=[persona.pk])
    response = getattr(member_client, method)(url, {"prompt": "trains", "model": "chirp-v4-5"})
    assert response.status_code in (200, 302)
    assert 'name="is_pro"' not in response.content.decode()
    if method == "post":
        assert Task.objects.filter(action="artist_consistency").exists()


def test_the_editor_shows_no_pro_box_on_a_relay_song_and_needs_none(member_client, song):
    url = reverse("music:section_editor", args=[song.pk])
    assert 'name="is_pro"' not in member_client.get(url).content.decode()
    data = {"first": 1, "last": 1, "new_lines": "A brand new line", "model": "chirp-v4-5"}
    response = member_client.post(url, data)
    assert response.status_code == 302, response.content.decode()
    run_queued()
    task = Task.objects.get(action="replace_section")
    assert task.params["is_pro"] is True and task.request_payload["task"] == "infill"


def test_an_invalid_model_in_the_editor_is_an_error_not_a_500(member_client, team, member):
    """v4.5 without the Pro pool (a SunoHub song): the model field is invalid."""
    song = make_song(team, member, lyric=LYRIC)
    actions.fetch_timing(member.memberships.get(team=team), song)
    run_queued()
    url = reverse("music:section_editor", args=[song.pk])
    data = {"first": 0, "last": 0, "new_lines": "A new line", "model": "chirp-v4-5"}
    response = member_client.post(url, data)
    assert response.status_code == 200
    assert "only available in the Pro pool" in response.content.decode()
    preview = member_client.post(reverse("music:section_preview", args=[song.pk]), data)
    assert preview.status_code == 200 and "request-preview" not in preview.content.decode()
    response = member_client.post(url, {**data, "model": "no-such-model"})
    assert response.status_code == 200
    assert not Task.objects.filter(action="replace_section").exists()
