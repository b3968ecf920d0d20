"""A team that buys through a relay gateway: every page works, and offers only what the
account can do (issue #11)."""

import pytest
from django.urls import reverse

from music.models import LyricTiming, Persona, ProviderAccount, Task
from music.services import actions, capabilities
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


# --- the song page offers what the account can do -------------------------------------------
def buttons(html):
    """The labels of the song page's action buttons and links."""
    section = html.split('id="actions"', 1)[1].split("</section>", 1)[0]
    grids = [part.split("</div>", 1)[0] for part in section.split('class="action-grid"')[1:]]
    return {label for label in LABELS if any(f">{label}<" in grid for grid in grids)}


LABELS = (
    "Extend",
    "Get whole song",
    "Cover",
    "Split stems",
    "Make a persona",
    "Edit section",
    "Fetch lyric timing",
    "Make WAV",
    "Make MP4 video",
)


def test_a_relay_song_page_offers_only_what_its_account_can_do(member_client, relay, team, member):
    song = make_song(team, member, lyric=LYRIC, model="chirp-v4")
    html = member_client.get(reverse("music:song", args=[song.pk])).content.decode()
    assert buttons(html) == {"Extend", "Cover", "Make a persona", "Make WAV"}
    assert "Split stems: This provider offers stems only for songs made with v4.5" in html
    assert "Pro pool" not in html  # a relay has no pools: no "· Pro pool", no pool advice


def test_done_work_leaves_the_song_page(member_client, team, member):
    song = make_song(team, member, lyric=LYRIC, is_pro=True)
    me = member.memberships.get(team=team)
    actions.stems(me, song)
    actions.export_wav(me, song)
    run_queued()
    html = member_client.get(reverse("music:song", args=[song.pk])).content.decode()
    assert "Split stems" not in buttons(html) and "Make WAV" not in buttons(html)
    assert "Already split: the stems are in the family tree." in html
    assert " · Pro pool" in html


def test_an_owner_chooses_what_the_account_offers(client, owner, relay, song):
    client.force_login(owner)
    url = reverse("music:account_edit", args=[relay.pk])
    form = client.get(url).context["form"]
    ticked = set(form.initial["capabilities"])
    assert "cover" in ticked and "style" not in ticked
    data = {
        "name": "Relay",
        "format": "relay",
        "base_url": "http://simulator.local",
        "default_model": "chirp-v4",
        "fetch_batch_limit": "0",
        "is_default": "on",
        "api_key": "sk-relay-1234",
        "capabilities_shown": "True",
        "capabilities": sorted(ticked - {"cover"}),
    }
    assert client.post(url, data).status_code == 302
    relay.refresh_from_db()
    assert "cover" not in relay.capabilities  # kept, though "Save and test" tested it
    html = client.get(reverse("music:song", args=[song.pk])).content.decode()
    assert "Cover" not in buttons(html) and "does not offer “Cover”" in html
    cover = reverse("music:cover", args=[song.pk])
    assert "does not offer “Cover”" in client.get(cover).content.decode()
    assert client.post(cover, {"style": "punk", "model": "chirp-v4"}).status_code == 409
    assert not Task.objects.filter(action="cover").exists()


# --- every page of a relay team -------------------------------------------------------------
PROFILES = {
    "defaults": None,
    "stock": ["lyrics"],
    "everything": sorted(capabilities.NAMES),
}


@pytest.mark.parametrize("offers", PROFILES.values(), ids=PROFILES.keys())
def test_every_page_of_a_relay_team_answers_without_a_server_error(
    client, owner, team, relay, simulator, offers
):
    """GET every page of a relay team's song, persona and editor, and POST each form with
    valid and with invalid data: whatever the account offers, nothing answers 5xx."""
    client.force_login(owner)
    simulator.max_duration = 15  # short songs: the crawl is about pages, not music
    song = make_song(team, owner, lyric=LYRIC, model="chirp-v4-5")
    me = owner.memberships.get(team=team)
    actions.fetch_timing(me, song)
    actions.extend(me, song, {"lyric": "[Verse]\nMore words", "model": "chirp-v4"}, continue_at=3)
    actions.make_persona(me, song, name="Voice", description="")
    run_queued()
    fragment = song.children.first()
    persona = Persona.objects.get()
    v4 = make_song(team, owner, lyric=LYRIC, model="chirp-v4")
    relay.capabilities = offers
    relay.save()

    def url(name, *args):
        return reverse(f"music:{name}", args=args)

    pages = [
        url("library"),
        url("create"),
        url("upload"),
        url("personas"),
        url("persona_sing", persona.pk),
        url("tasks"),
        url("task", song.task.pk),
        url("accounts"),
        url("account_edit", relay.pk),
        url("team"),
    ]
    for s in (song, fragment, v4):
        pages += [
            url("song", s.pk),
            url("song_card", s.pk),
            url("song_card", s.pk) + "?part=hero",
            url("song_in_flight", s.pk),
            url("song_audio", s.pk),
            url("song_cover", s.pk),
            url("extend", s.pk),
            url("cover", s.pk),
            url("persona_create", s.pk),
            url("section_editor", s.pk),
            url("lyrics_export", s.pk, "lrc"),
        ]
    for page in pages:
        response = client.get(page)
        assert response.status_code < 500, page

    words = {"lyric": "[Verse]\nNew words", "style": "pop", "model": "chirp-v4-5"}
    bad = {"lyric": "x" * 6000, "style": "", "model": "no-such-model"}
    forms = [
        (url("create"), {"mode": "inspiration", "prompt": "a song", "model": "chirp-v4"}),
        (url("create"), {"mode": "custom", "instrumental": "on", "style": "ambient"}),
        (url("create"), {"mode": "custom", **bad}),
        (url("write_lyrics"), {"idea": "rain", "mode": "custom"}),
        (url("write_lyrics"), {"idea": ""}),
        (url("boost_style"), {"style": "jazz"}),
        (url("boost_style"), {"style": ""}),
        (url("upload"), {"audio_url": song.audio_url, "mode": "upload"}),
        (url("upload"), {"audio_url": song.audio_url, "mode": "continue", "continue_at": "2"}),
        (url("upload"), {"audio_url": "ftp://nope", "mode": "continue"}),
        (url("persona_sing", persona.pk), {"prompt": "trains", "model": "chirp-v4-5"}),
        (url("persona_sing", persona.pk), {"prompt": "", **bad}),
        (url("account_edit", relay.pk), {"name": "", "format": "relay"}),
        (url("account_test", relay.pk), {}),
    ]
    for s in (song, fragment, v4):
        forms += [
            (url("extend", s.pk), {**words, "continue_at": "3"}),
            (url("extend", s.pk), {**bad, "continue_at": "-1"}),
            (url("cover", s.pk), words),
            (url("cover", s.pk), bad),
            (url("persona_create", s.pk), {"name": "Another voice"}),
            (url("persona_create", s.pk), {"name": ""}),
            (url("section_editor", s.pk), {"first": 0, "last": 0, "new_lines": "New", **words}),
            (url("section_editor", s.pk), {"first": 99, "last": "x", **bad}),
            (url("section_preview", s.pk), {"first": 0, "last": 0, "new_lines": "New", **words}),
            (url("section_preview", s.pk), {"first": 5, "last": 0, **bad}),
            (url("section_timing", s.pk), {}),
        ]
        forms += [(url("quick_action", s.pk, a), {}) for a in capabilities.SONG_ACTIONS]
    for page, data in forms:
        response = client.post(page, data)
        assert response.status_code < 500, (page, data)
        response = client.post(page, data, HTTP_HX_REQUEST="true")
        assert response.status_code < 500, (page, data, "htmx")
    run_queued()  # and what the valid posts queued goes through without a crash either
