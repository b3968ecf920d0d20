import pytest
from django.urls import reverse

from music.models import Persona, Relation, Song, Task
from tests.factories import MembershipFactory
from tests.helpers import make_song, run_queued


@pytest.fixture
def pro_song(team, member):
    return make_song(team, member, lyric="[Verse]\nHello voice\nSing with me", is_pro=True)


@pytest.fixture
def persona(member_client, pro_song):
    member_client.post(
        reverse("music:persona_create", args=[pro_song.pk]),
        {"name": "Warm tenor", "description": "husky"},
    )
    run_queued()
    return Persona.objects.get()


def test_a_persona_is_made_from_a_pro_song(persona, pro_song, member, simulator):
    assert persona.source_song == pro_song
    assert persona.created_by == member
    assert persona.upstream_id
    assert ("POST", "/suno/persona") in simulator.requests


def test_personas_are_listed_for_the_team_only(member_client, persona, client, outsider):
    assert "Warm tenor" in member_client.get(reverse("music:personas")).content.decode()
    client.force_login(outsider)
    assert "Warm tenor" not in client.get(reverse("music:personas")).content.decode()
    assert client.get(reverse("music:persona_sing", args=[persona.pk])).status_code == 404


def test_a_persona_sings_a_new_song(member_client, persona):
    response = member_client.post(
        reverse("music:persona_sing", args=[persona.pk]),
        {"prompt": "a song for the rainy season", "model": "chirp-v4", "is_pro": "on"},
    )
    assert response.status_code == 302
    run_queued()
    payload = Task.objects.get(action="artist_consistency").request_payload
    assert payload["persona_id"] == persona.upstream_id
    assert payload["audio_id"] == persona.source_song.upstream_id
    assert payload["is_pro"] is True
    songs = Song.objects.filter(relation=Relation.PERSONA)
    assert songs.count() == 2


def test_persona_songs_need_the_pro_pool_and_words(member_client, persona):
    response = member_client.post(
        reverse("music:persona_sing", args=[persona.pk]), {"prompt": "", "model": "chirp-v4"}
    )
    html = response.content.decode()
    assert "only made in the Pro pool" in html
    assert "Describe the song, or write its lyrics." in html


def test_a_persona_cannot_come_from_a_song_outside_the_pro_pool(member_client, team, member):
    song = make_song(team, member)
    response = member_client.post(reverse("music:persona_create", args=[song.pk]), {"name": "x"})
    assert response.status_code == 409
    assert "Pro pool" in response.content.decode()


def test_a_persona_cannot_come_from_an_upload(member_client, pro_song, simulator):
    member_client.post(
        reverse("music:upload"),
        {"audio_url": f"{simulator.base_url}/media/{pro_song.upstream_id}.mp3", "mode": "upload"},
    )
    run_queued()
    uploaded = Song.objects.get(relation=Relation.UPLOADED)
    response = member_client.post(
        reverse("music:persona_create", args=[uploaded.pk]), {"name": "x"}
    )
    assert response.status_code == 409
    assert "cannot be made from an uploaded song" in response.content.decode()


@pytest.mark.parametrize("who", ["maker", "owner"])
def test_the_maker_or_an_owner_deletes_a_persona(client, persona, team, member, who):
    assert persona.created_by == member
    user = member if who == "maker" else MembershipFactory(team=team, role="owner").user
    client.force_login(user)
    response = client.post(reverse("music:persona_delete", args=[persona.pk]), follow=True)
    assert "Persona “Warm tenor” deleted." in response.content.decode()
    assert not Persona.objects.exists()


@pytest.mark.parametrize("role", ["member", "viewer"])
def test_nobody_else_deletes_a_persona(client, persona, team, role):
    client.force_login(MembershipFactory(team=team, role=role).user)
    response = client.post(reverse("music:persona_delete", args=[persona.pk]), follow=True)
    refused = "maker or a team owner can delete it" in response.content.decode()
    assert refused or response.status_code == 403  # viewers spend nothing and change nothing
    assert Persona.objects.filter(pk=persona.pk).exists()


def test_deleting_a_persona_asks_first(member_client, persona):
    url = reverse("music:persona_delete", args=[persona.pk])
    assert (
        f'href="{url}" data-confirm='
        in member_client.get(reverse("music:personas")).content.decode()
    )
    response = member_client.get(url)
    assert "Delete the persona “Warm tenor”?" in response.content.decode()
    assert Persona.objects.filter(pk=persona.pk).exists()
