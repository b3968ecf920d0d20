"""Mashup and inspo from the create page, and the lyrics helpers (issue #15): the forms, their
refusals, and the result through the whole path (queue, httpx, simulator, archive, tree)."""

import pytest
from django.core import signing
from django.urls import reverse

from music.models import ProviderAccount, Relation, Song, SongState, Task, TaskState
from music.services import blending, references
from music.services.actions import ActionRefused
from tests.factories import MembershipFactory, SongFactory
from tests.helpers import make_song, run_queued

RED = "[Verse]\nRed lights on the water\nRed sails in the bay\n[Chorus]\nRed sky tonight"
BLUE = "[Verse]\nBlue birds on the wire\nBlue rain on the road\n[Chorus]\nBlue moon tonight"


@pytest.fixture
def pair(team, member, simulator):
    simulator.max_duration = 8
    red = make_song(team, member, lyric=RED, style="rock", title="Red")
    blue = make_song(team, member, lyric=BLUE, style="jazz", title="Blue")
    return red, blue


@pytest.fixture
def membership(member, team):
    return member.memberships.get(team=team)


def mashup_data(red, blue, **extra):
    return {"song_a": str(red.pk), "song_b": str(blue.pk), "model": "chirp-v4", **extra}


def tree_of(client, song):
    page = client.get(reverse("music:song", args=[song.pk])).content.decode()
    return page[page.index('id="lineage"') :]


# --- mashup ---------------------------------------------------------------------------------
def test_a_mashup_is_made_and_shows_under_both_songs(member_client, pair):
    red, blue = pair
    data = mashup_data(red, blue, lyric="[Verse]\nRed and blue", style="rock, jazz")
    response = member_client.post(reverse("music:mashup"), data)
    assert response.status_code == 302
    run_queued()
    task = Task.objects.get(action="mashup")
    assert task.request_payload["mashup_audio_ids"] == [red.upstream_id, blue.upstream_id]
    assert task.request_payload["custom"] is True
    assert task.request_payload["lyric"] == "[Verse]\nRed and blue"
    mashups = list(Song.objects.filter(relation=Relation.MASHUP).order_by("created_at"))
    assert len(mashups) == 2
    for song in mashups:
        assert song.state == SongState.SUCCEEDED
        assert (song.parent, song.other_parent, song.root) == (red, blue, red)
        assert song.title == "Red × Blue"
    for parent in (red, blue):
        assert f'href="/songs/{mashups[0].pk}/"' in tree_of(member_client, parent)
    assert "Mashup of" in tree_of(member_client, blue)
    page = tree_of(member_client, mashups[0])
    assert "Mashup of" in page and f'href="/songs/{blue.pk}/"' in page


def test_a_described_mashup_sends_a_prompt_and_no_lyrics(member_client, pair):
    red, blue = pair
    member_client.post(reverse("music:mashup"), mashup_data(red, blue, prompt="a summer anthem"))
    run_queued()
    sent = Task.objects.get(action="mashup").request_payload
    assert sent["prompt"] == "a summer anthem" and sent["custom"] is False
    assert "lyric" not in sent and "title" not in sent
    song = Song.objects.filter(relation=Relation.MASHUP).first()
    assert "Red sails in the bay" in song.lyric and "Blue rain on the road" in song.lyric


def test_the_song_page_leads_to_a_mashup_with_it(member_client, pair):
    red, _ = pair
    html = member_client.get(reverse("music:song", args=[red.pk])).content.decode()
    link = f"{reverse('music:mashup')}?with={red.pk}"
    assert link in html
    form = member_client.get(link).context["form"]
    assert form["song_a"].value() == str(red.pk)


def test_a_mashup_posted_twice_pays_once(member_client, pair):
    red, blue = pair
    data = mashup_data(red, blue, prompt="twice", request_key="k" * 32)
    member_client.post(reverse("music:mashup"), data)
    member_client.post(reverse("music:mashup"), data)
    assert Task.objects.filter(action="mashup").count() == 1


def test_another_teams_song_is_refused_with_a_reason(member_client, pair, membership):
    red, _ = pair
    theirs = SongFactory(title="Not yours")
    response = member_client.post(
        reverse("music:mashup"), {**mashup_data(red, theirs), "prompt": "steal"}
    )
    assert response.status_code == 200
    assert "finished songs (another team" in response.content.decode()
    assert "Not yours" not in response.content.decode()
    with pytest.raises(ActionRefused, match="not a finished song of this team"):
        blending.mashup(membership, [str(red.pk), str(theirs.pk)], {"prompt": "x"})
    assert not Task.objects.filter(action="mashup").exists()


def test_one_song_twice_is_refused(member_client, pair):
    red, _ = pair
    response = member_client.post(reverse("music:mashup"), mashup_data(red, red, prompt="x"))
    assert "Pick two different songs to mash up." in response.content.decode()
    assert not Task.objects.filter(action="mashup").exists()


def test_a_trashed_song_cannot_be_mashed(member_client, pair, membership):
    red, blue = pair
    Song.objects.filter(pk=blue.pk).update(trashed_at=red.created_at)
    with pytest.raises(ActionRefused):
        blending.mashup(membership, [str(red.pk), str(blue.pk)], {"prompt": "x"})


def test_write_mashup_lyrics_merges_both_songs(member_client, pair):
    red, blue = pair
    data = mashup_data(red, blue)
    partial = member_client.post(reverse("music:mashup_lyrics"), data, HTTP_HX_REQUEST="true")
    text = partial.content.decode()
    assert 'id="lyrics-field"' in text and "<html" not in text
    for line in ("Red sails in the bay", "Blue rain on the road", "Blue moon tonight"):
        assert line in text
    # Without script: the whole page again, the lyrics filled in, the picks kept.
    page = member_client.post(reverse("music:mashup_lyrics"), data)
    assert "Red sails in the bay" in page.content.decode()
    assert page.context["form"]["song_b"].value() == str(blue.pk)
    assert not Task.objects.filter(action="mashup").exists()


def test_write_mashup_lyrics_needs_two_songs(member_client, pair):
    response = member_client.post(reverse("music:mashup_lyrics"), {"song_a": str(pair[0].pk)})
    assert "Pick the two songs first." in response.content.decode()


def test_a_relay_account_says_it_has_no_way_to_mash_up(member_client, team, member, simulator):
    ProviderAccount.objects.create(
        team=team, name="Relay", format="relay", base_url="http://simulator.local", is_default=True
    )
    simulator.max_duration = 8
    red = make_song(team, member, lyric=RED, model="chirp-v4")
    blue = make_song(team, member, lyric=BLUE, model="chirp-v4")
    page = member_client.get(reverse("music:mashup")).content.decode()
    assert "The relay format has no way to ask for “Mashup”" in page
    response = member_client.post(reverse("music:mashup"), mashup_data(red, blue, prompt="x"))
    assert response.status_code == 409
    assert "The relay format has no way to ask for “Mashup”" in response.content.decode()
    assert not Task.objects.filter(action="mashup").exists()
    inspo = member_client.get(reverse("music:inspo")).content.decode()
    assert "The relay format has no way to ask for “Inspo”" in inspo


def test_viewers_cannot_mash_up_or_ask_for_inspo(client, viewer, pair):
    red, blue = pair
    client.force_login(viewer)
    for name in ("mashup", "inspo"):
        assert client.get(reverse(f"music:{name}")).status_code == 403
    assert (
        client.post(reverse("music:mashup"), mashup_data(red, blue, prompt="x")).status_code == 403
    )
    assert client.post(reverse("music:mashup_lyrics"), mashup_data(red, blue)).status_code == 403
    assert client.post(reverse("music:inspo"), {"references": [red.pk]}).status_code == 403
    assert not Task.objects.filter(action__in=["mashup", "inspo"]).exists()


# --- inspo ----------------------------------------------------------------------------------
@pytest.mark.django_db(transaction=True)
def test_inspo_lends_the_references_and_makes_an_inspired_song(live_server, settings, client):
    """The simulator fetches the team's songs from the studio's public URL over HTTP."""
    settings.STUDIO_PUBLIC_URL = live_server.url
    membership = MembershipFactory(role="member")
    client.force_login(membership.user)
    red = make_song(membership.team, membership.user, lyric=RED, title="Red")
    blue = make_song(membership.team, membership.user, lyric=BLUE, title="Blue")
    data = {
        "references": [str(red.pk), str(blue.pk)],
        "prompt": "a bright song",
        "style": "pop",
        "audio_weight": "0",
        "model": "chirp-v4",
    }
    assert client.post(reverse("music:inspo"), data).status_code == 302
    run_queued()
    task = Task.objects.get(action="inspo")
    assert task.state == TaskState.SUCCEEDED, task.error_message
    sent = task.request_payload
    assert len(sent["audio_urls"]) == 2 and sent["audio_weight"] == 0
    assert all("/files/songs/" in url and "<secret>" in url for url in sent["audio_urls"])
    inspired = list(Song.objects.filter(relation=Relation.INSPIRED))
    assert len(inspired) == 2
    assert all(s.parent == red and s.state == SongState.SUCCEEDED for s in inspired)
    assert "Inspired by" in tree_of(client, red)


def test_inspo_is_asked_only_with_1_to_4_team_songs(member_client, pair, team, member):
    red, blue = pair
    extra = [SongFactory(team=team, title=f"Extra {n}") for n in range(3)]
    five = [str(s.pk) for s in (red, blue, *extra)]
    response = member_client.post(reverse("music:inspo"), {"references": five, "model": "chirp-v4"})
    assert "Pick at most 4 reference songs." in response.content.decode()
    theirs = SongFactory(title="Not yours")
    response = member_client.post(
        reverse("music:inspo"), {"references": [str(theirs.pk)], "model": "chirp-v4"}
    )
    assert "finished songs (another team" in response.content.decode()
    assert not Task.objects.filter(action="inspo").exists()


def test_a_reference_gone_before_sending_fails_without_charge(pair, membership, simulator):
    red, _ = pair
    task = blending.inspo(membership, [str(red.pk)], {"prompt": "x", "model": "chirp-v4"})
    Song.objects.filter(pk=red.pk).delete()
    run_queued()
    task.refresh_from_db()
    assert task.state == TaskState.FAILED
    assert "no longer in the studio" in task.error_message
    assert "Nothing was charged" in task.error_message


def test_a_song_link_opens_that_song_only_while_fresh(client, pair, settings, monkeypatch):
    red, blue = pair
    token = references.link_token(red)
    url = references.public_link(red, token).removeprefix(settings.STUDIO_PUBLIC_URL)
    response = client.get(url)
    assert response.status_code == 200 and response["Cache-Control"] == "private, no-store"
    with red.audio_file.open("rb") as stored:
        assert b"".join(response.streaming_content) == stored.read()
    # Another song's id, a tampered token, another team's claim: no such file.
    assert client.get(url.replace(str(red.pk), str(blue.pk))).status_code == 404
    assert client.get(url.replace(token, token[:-2] + "xx")).status_code == 404
    forged = signing.dumps({"s": str(red.pk), "t": red.team_id + 1}, salt=references.TOKEN_SALT)
    assert client.get(url.replace(token, forged)).status_code == 404
    settings.STUDIO_UPLOAD_LINK_MINUTES = -1
    assert client.get(url).status_code == 410


# --- Write lyrics for me: the lyrics model ----------------------------------------------------
def test_write_lyrics_sends_the_chosen_lyrics_model(member_client):
    def written(model):
        data = {"idea": "rain on the roof", "lyrics_model": model, "mode": "custom"}
        response = member_client.post(reverse("music:write_lyrics"), data, HTTP_HX_REQUEST="true")
        return response.content.decode()

    default, remi = written(""), written("remi-v1")
    assert "[Verse]" in default and "[Verse]" in remi and default != remi
    assert written("default") == default
    page = member_client.get(reverse("music:create")).content.decode()
    assert 'name="lyrics_model"' in page and 'value="remi-v1"' in page


def test_a_relay_is_not_asked_for_a_lyrics_model(member_client, team):
    ProviderAccount.objects.create(
        team=team, name="Relay", format="relay", base_url="http://simulator.local", is_default=True
    )
    page = member_client.get(reverse("music:create")).content.decode()
    assert 'name="lyrics_model"' not in page
    data = {"idea": "rain on the roof", "lyrics_model": "remi-v1", "mode": "custom"}
    response = member_client.post(reverse("music:write_lyrics"), data, HTTP_HX_REQUEST="true")
    assert "[Verse]" in response.content.decode()


def test_a_failed_mashup_can_be_tried_again_with_the_same_songs(member_client, pair, simulator):
    red, blue = pair
    member_client.post(reverse("music:mashup"), mashup_data(red, blue, prompt="an anthem"))
    simulator.faults.next_errors.append((403, "forbidden", "Mashup refused"))
    run_queued()
    failed = Task.objects.get(action="mashup")
    assert failed.state == TaskState.FAILED and "Mashup refused" in failed.error_message
    retry = f"{reverse('music:mashup')}?retry={failed.pk}"
    assert member_client.get(reverse("music:task_retry", args=[failed.pk])).url == retry
    form = member_client.get(retry).context["form"]
    assert form["song_a"].value() == str(red.pk) and form["song_b"].value() == str(blue.pk)
    assert form["prompt"].value() == "an anthem" and not form["title"].value()
