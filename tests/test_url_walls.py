"""The URL-conf sweep: every URL of the project, aimed at another team's objects.

Each pattern's parameters are filled with the ids of team B's objects and requested with GET
and POST as an anonymous visitor, as an owner of team A only (the outsider) and as a viewer
of team B. Anonymous visitors are sent to the login page; the outsider gets a 404 for every
object of team B and never sees team B's data; a viewer's POST never spends or changes
anything; nothing answers 5xx.

A new URL fails `test_every_url_is_classified` until it is added to URLS (or, consciously, to
SKIPPED), and a new parameter name fails until PARAMS knows how to fill it.
"""

import secrets
import uuid
from dataclasses import dataclass

import pytest
from django.conf import settings
from django.core import serializers
from django.core.files.base import ContentFile
from django.core.signals import request_finished
from django.db import close_old_connections
from django.shortcuts import resolve_url
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from music.models import (
    LyricTiming,
    Membership,
    Persona,
    Playlist,
    PlaylistItem,
    ProviderAccount,
    ShareLink,
    Song,
    Task,
    Team,
)
from music.services.teams import SESSION_KEY
from tests.factories import MembershipFactory, SongFactory, TaskFactory, TeamFactory

# Not swept, each for a reason. The test asserts this list against the URLconf both ways.
SKIPPED = {
    "admin": "Django's admin: staff only, its own permission system",
    "login": "the sign-in page is public by design",
    "logout": "signing out is for everyone",
    "set_language": "the language switch keeps a cookie, not team data",
    "set_theme": "the theme picker keeps a cookie, not team data",
    "music:callback": "the provider's callback, authenticated by the task's own secret",
    "music:upload_file": (
        "an upload lent to the provider, opened only by its signed expiring link "
        "(tests/views/test_uploads.py: expired, tampered, other file, other team)"
    ),
    "music:song_file": (
        "a team song lent to the provider as an inspo reference, opened only by its signed "
        "expiring link (tests/views/test_blend.py: expired, tampered, other song, other team)"
    ),
    "health": "the load balancer's health check: public, says only ok or down",
    "javascript_catalog": "the scripts' interface strings: public, like the scripts themselves",
}
# Public by design, the link's token being the only key: swept by their own test below.
PUBLIC = {
    "music:shared_song",
    "music:shared_audio",
    "music:shared_cover",
    "music:shared_track",
    "music:shared_track_cover",
}

# What a viewer of team B's POST to a URL may do (nothing in the team changes in any case):
REFUSED = "refused"  # 403, 404, 405 or 409 (a refusal page), or the login page
READ_ONLY = "read-only"  # the view ignores the POST and answers as for GET (or 405)
ALLOWED = "allowed"  # a POST viewers are meant to make; it still changes no team data

URLS = {
    "music:library": READ_ONLY,
    "music:create": REFUSED,
    "music:write_lyrics": REFUSED,
    "music:boost_style": REFUSED,
    "music:song": READ_ONLY,
    "music:song_card": READ_ONLY,
    "music:song_audio": READ_ONLY,
    "music:song_cover": READ_ONLY,
    "music:song_wav": READ_ONLY,
    "music:song_video": READ_ONLY,
    "music:song_midi": READ_ONLY,
    "music:persona_v2": REFUSED,
    "music:voice_create": REFUSED,
    "music:song_in_flight": READ_ONLY,
    "music:extend": REFUSED,
    "music:cover": REFUSED,
    "music:remaster": REFUSED,
    "music:adjust_speed": REFUSED,
    "music:sample": REFUSED,
    "music:add_instrumental": REFUSED,
    "music:add_vocals": REFUSED,
    "music:add_stem": REFUSED,
    "music:extract_stem": REFUSED,
    "music:mashup": REFUSED,
    "music:mashup_lyrics": REFUSED,
    "music:inspo": REFUSED,
    "music:persona_create": REFUSED,
    "music:quick_action": REFUSED,
    "music:section_editor": REFUSED,
    # What the editor would send, worked out locally: nothing is sent or saved.
    "music:section_preview": ALLOWED,
    "music:section_timing": REFUSED,
    "music:lyrics_export": READ_ONLY,
    "music:upload": REFUSED,
    "music:accounts": READ_ONLY,
    "music:account_create": REFUSED,
    "music:account_edit": REFUSED,
    "music:account_test": REFUSED,
    "music:account_default": REFUSED,
    "music:account_delete": REFUSED,
    "music:personas": READ_ONLY,
    "music:persona_sing": REFUSED,
    "music:persona_delete": REFUSED,
    "music:tasks": READ_ONLY,
    "music:task": READ_ONLY,
    "music:task_retry": READ_ONLY,
    # Choosing which of one's own teams to work in changes only the session.
    "music:switch_team": ALLOWED,
    # The team page shows everyone the members; only owners' POSTs change anything.
    "music:team": READ_ONLY,
    "music:member_change": REFUSED,
    # Viewers see a song's share links; only members make or turn them off.
    "music:stems_zip": READ_ONLY,
    "music:song_edit": REFUSED,
    "music:song_history": READ_ONLY,
    "music:song_trash": REFUSED,
    "music:song_restore": REFUSED,
    "music:trash": READ_ONLY,
    # Favourites are the viewer's own; trash is refused; a ZIP is a download.
    "music:bulk": ALLOWED,
    "music:playlists": REFUSED,
    "music:playlist_add": REFUSED,
    "music:playlist": READ_ONLY,
    "music:playlist_edit": REFUSED,
    "music:playlist_delete": REFUSED,
    "music:playlist_zip": READ_ONLY,
    "music:playlist_share": REFUSED,
    "music:playlist_share_revoke": REFUSED,
    "music:trash_empty": REFUSED,
    # A member's own star: viewers may; nothing of the team changes.
    "music:song_favourite": ALLOWED,
    "music:share": REFUSED,
    "music:share_revoke": REFUSED,
    "music:member_remove": REFUSED,
}

REFUSED_STATUSES = {403, 404, 405, 409}
READ_ONLY_STATUSES = {200, 206, 404, 405}
ANONYMOUS_STATUSES = {403, 404, 405}  # or the login redirect
OUTSIDER_STATUSES = {404, 405}  # 405 only if a made-up id gets the same answer

# Strings only team B's rows contain: none may reach the outsider.
MARKERS = [
    "Wall B Team",
    "wall-b-playlist",
    "wall-b-song",
    "wall-b-persona",
    "wall-b-account",
    "wall-b-prompt",
    "wall-b media bytes",
]


@dataclass
class Route:
    name: str  # "namespace:name", as reverse() takes it
    route: str
    params: list


def walk(resolver=None, namespace="", prefix=""):
    """Every URLPattern under a resolver, with its full name, route and parameter names."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            if entry.app_name == "admin":
                yield Route("admin", route, [])
                continue
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from (
                Route(r.name, r.route, pattern_params(entry) + r.params)
                for r in walk(entry, inner, route)
            )
        elif isinstance(entry, URLPattern):
            name = f"{namespace}{entry.name}" if entry.name else None
            if name is None and entry.callback.__module__ == "django.views.static":
                continue  # static/media serving, only added when DEBUG is on
            yield Route(name, route, pattern_params(entry))


def pattern_params(entry):
    pattern = entry.pattern
    if hasattr(pattern, "converters") and pattern.converters:
        return list(pattern.converters)
    return list(pattern.regex.groupindex)


ROUTES = list(walk())
SWEPT = [r for r in ROUTES if r.name not in SKIPPED and r.name not in PUBLIC]

# How to fill each parameter with one of team B's objects (`world` below).
PARAMS = {
    "song_id": lambda w: w.song.pk,
    "task_id": lambda w: w.task.pk,
    "persona_id": lambda w: w.persona.pk,
    "account_id": lambda w: w.account.pk,
    "link_id": lambda w: w.link.pk,
    "playlist_id": lambda w: w.playlist.pk,
    "token": lambda w: w.link.token,
    "membership_id": lambda w: w.viewer_membership.pk,  # a viewer promoting themselves
    "team_slug": lambda w: w.team.slug,
    "slug": lambda w: w.team.slug,
    # Not ids: valid values, so the request reaches the object lookup.
    "action": lambda w: "stems",
    "fmt": lambda w: "lrc",
}
# Ids that exist nowhere, to compare "someone else's" with "no such thing".
MADE_UP = {
    "song_id": uuid.uuid4,
    "task_id": uuid.uuid4,
    "persona_id": uuid.uuid4,
    "account_id": uuid.uuid4,
    "link_id": uuid.uuid4,
    "playlist_id": uuid.uuid4,
    "token": lambda: secrets.token_urlsafe(24),
    "membership_id": lambda: 999_999,
    "team_slug": lambda: "no-such-team",
    "slug": lambda: "no-such-team",
}

# POST bodies that would change something if a wall were missing (else an empty POST).
POST_DATA = {
    "music:switch_team": lambda w: {"team": w.team.pk},
    "music:team": lambda w: {
        "settings": "1",
        "name": "Renamed by a stranger",
        "default_model": "chirp-v4",
    },
    "music:member_change": lambda w: {"role": "owner"},
    "music:song_edit": lambda w: {"title": "Renamed by a stranger", "notes": "x"},
    "music:song_favourite": lambda w: {"on": "1"},
    "music:bulk": lambda w: {"song": [str(w.song.pk)], "do": "trash"},
    "music:playlists": lambda w: {"name": "wall-b-playlist-2"},
    "music:playlist_add": lambda w: {"song": [str(w.song.pk)], "new": "1", "name": "x"},
    "music:playlist_edit": lambda w: {"do": "remove", "item": w.playlist.items.get().pk},
    "music:quick_action": lambda w: {"request_key": "wall-sweep"},
}


def url_for(route, world, made_up=False):
    unknown = [p for p in route.params if p not in PARAMS]
    if unknown:
        pytest.fail(
            f"URL {route.name!r} ({route.route}) has parameter(s) {unknown} the sweep does not "
            "know: teach tests/test_url_walls.py PARAMS (and MADE_UP) how to fill them with "
            "another team's object."
        )
    kwargs = {
        p: MADE_UP[p]() if made_up and p in MADE_UP else PARAMS[p](world) for p in route.params
    }
    return reverse(route.name, kwargs=kwargs)


def post_data(route, world):
    return POST_DATA[route.name](world) if route.name in POST_DATA else {}


@dataclass
class World:
    team: Team
    owner: object
    viewer: object
    viewer_membership: Membership
    account: ProviderAccount
    task: Task
    song: Song
    persona: Persona
    link: ShareLink
    playlist: Playlist
    outsider: object


@pytest.fixture
def world(db):
    """Team B with one object of each kind (files stored, timing fetched); team A's owner."""
    team = TeamFactory(name="Wall B Team", slug="wall-b")
    # No passwords (force_login signs in): hashing them is most of this fixture's time.
    owner = MembershipFactory(team=team, role="owner", user__password=None).user
    viewer_membership = MembershipFactory(team=team, role="viewer", user__password=None)
    account = ProviderAccount(team=team, name="wall-b-account", format="simulator")
    account.set_api_key("wall-b-key")
    account.is_default = True
    account.save()
    task = TaskFactory(
        team=team,
        created_by=owner,
        account=account,
        params={"action": "generate", "prompt": "wall-b-prompt", "model": "chirp-v4"},
    )
    song = SongFactory(
        team=team,
        task=task,
        author=owner,
        account=account,
        title="wall-b-song",
        lyric="[Verse]\nwall b line one\nwall b line two",
        is_pro=True,
    )
    for field, name in [
        ("audio_file", "audio.mp3"),
        ("image_file", "cover.png"),
        ("wav_file", "audio.wav"),
        ("video_file", "video.mp4"),
        ("midi_file", "notes.mid"),
    ]:
        getattr(song, field).save(name, ContentFile(b"wall-b media bytes"), save=False)
    song.save()
    LyricTiming.objects.create(
        song=song,
        words=[
            {"word": "[Verse]\nwall b line one\n", "start": 1.0, "end": 3.0},
            {"word": "wall b line two\n", "start": 3.0, "end": 5.0},
        ],
    )
    persona = Persona.objects.create(
        team=team,
        name="wall-b-persona",
        upstream_id="wall-b-persona-id",
        source_song=song,
        created_by=owner,
    )
    stem = SongFactory(team=team, author=owner, parent=song, root=song, relation="stem")
    stem.audio_file.save("stem.mp3", ContentFile(b"wall-b media bytes"), save=True)
    link = ShareLink.objects.create(team=team, song=song, created_by=owner)
    playlist = Playlist.objects.create(team=team, name="wall-b-playlist", created_by=owner)
    PlaylistItem.objects.create(playlist=playlist, song=song, position=1)
    outsider = MembershipFactory(
        role="owner", team=TeamFactory(name="Wall A Team"), user__password=None
    ).user
    return World(
        team=team,
        owner=owner,
        viewer=viewer_membership.user,
        viewer_membership=viewer_membership,
        account=account,
        task=task,
        song=song,
        persona=persona,
        link=link,
        playlist=playlist,
        outsider=outsider,
    )


def team_b_state(world):
    """Everything of team B a request could change, as comparable data."""
    querysets = [
        Team.objects.filter(pk=world.team.pk),
        Membership.objects.filter(team=world.team).order_by("pk"),
        ProviderAccount.objects.filter(team=world.team).order_by("pk"),
        Task.objects.filter(team=world.team).order_by("pk"),
        Song.objects.filter(team=world.team).order_by("pk"),
        Persona.objects.filter(team=world.team).order_by("pk"),
        LyricTiming.objects.filter(song__team=world.team).order_by("pk"),
        ShareLink.objects.filter(team=world.team).order_by("pk"),
        Playlist.objects.filter(team=world.team).order_by("pk"),
        PlaylistItem.objects.filter(playlist__team=world.team).order_by("pk"),
    ]
    return [serializers.serialize("python", qs) for qs in querysets]


def client_for(user=None):
    # Errors become 500 answers to report, not exceptions that stop the sweep at the first.
    client = Client(raise_request_exception=False)
    if user is not None:
        client.force_login(user)
    return client


def fetch(client, method, url, data=None):
    """One request, its body read (file downloads included) and the response closed."""
    response = client.get(url) if method == "GET" else client.post(url, data or {})
    response.body = b"".join(response.streaming_content) if response.streaming else response.content
    # Closing a response signals "request finished", which would close the test's database
    # connection (inside its transaction) on PostgreSQL; the test client avoids that the
    # same way.
    request_finished.disconnect(close_old_connections)
    try:
        response.close()
    finally:
        request_finished.connect(close_old_connections)
    return response


def is_login_redirect(response):
    login = resolve_url(settings.LOGIN_URL)
    return response.status_code == 302 and response["Location"].startswith(login)


def describe(method, route, url, response):
    return f"{method} {url} ({route.name}) -> {response.status_code}"


def test_every_url_is_classified():
    names = [r.name for r in ROUTES]
    unnamed = [r.route for r in ROUTES if r.name is None]
    assert not unnamed, f"give these URLs a name so the sweep can reverse them: {unnamed}"
    assert set(names) >= PUBLIC, (
        f"PUBLIC lists URLs the project no longer has: {PUBLIC - set(names)}"
    )
    assert set(SKIPPED) <= set(names), (
        f"SKIPPED lists URLs the project no longer has: {set(SKIPPED) - set(names)}"
    )
    swept = {r.name for r in SWEPT}
    new = sorted(swept - set(URLS))
    assert not new, (
        f"new URL(s) {new}: add each to URLS in tests/test_url_walls.py, saying what a "
        "viewer's POST may do (or, with a reason, to SKIPPED)"
    )
    gone = sorted(set(URLS) - swept)
    assert not gone, f"URLS lists URLs the project no longer has: {gone}"
    unknown = sorted({p for r in SWEPT for p in r.params} - set(PARAMS))
    assert not unknown, (
        f"URL parameter(s) {unknown} unknown to the sweep: teach tests/test_url_walls.py "
        "PARAMS (and MADE_UP) how to fill them with another team's object"
    )


def test_the_sweep_reaches_team_b_objects_for_team_b(world):
    """The control: with team B's own owner, the ids are real (so 404s elsewhere mean walls)."""
    client = client_for(world.owner)
    problems = []
    for route in SWEPT:
        if not route.params:
            continue
        url = url_for(route, world)
        response = fetch(client, "GET", url)
        # 405: the URL takes POST only; anything but "not found" shows the object was found.
        if response.status_code == 404 or response.status_code >= 500:
            problems.append(describe("GET", route, url, response))
    assert not problems, "team B's owner cannot reach team B's objects:\n" + "\n".join(problems)


def test_anonymous_visitors_are_sent_to_sign_in(world, simulator):
    client = client_for()
    before = team_b_state(world)
    problems = []
    for route in SWEPT:
        url = url_for(route, world)
        for method in ("GET", "POST"):
            response = fetch(client, method, url, post_data(route, world))
            if not (is_login_redirect(response) or response.status_code in ANONYMOUS_STATUSES):
                problems.append(describe(method, route, url, response))
    assert not problems, "anonymous requests not sent to sign in:\n" + "\n".join(problems)
    assert team_b_state(world) == before
    assert simulator.requests == []


def test_an_outsider_finds_nothing_of_another_team(world, simulator):
    """An owner of team A: every object of team B is 404, no page shows team B's data."""
    client = client_for(world.outsider)
    before = team_b_state(world)
    problems = []
    for route in SWEPT:
        url = url_for(route, world)
        for method in ("GET", "POST"):
            response = fetch(client, method, url, post_data(route, world))
            status = response.status_code
            leaked = [m for m in MARKERS if m.encode() in response.body]
            if status >= 500 or leaked:
                problems.append(f"{describe(method, route, url, response)} leaked {leaked}")
            elif route.params and status not in OUTSIDER_STATUSES:
                problems.append(describe(method, route, url, response))
            elif route.params and status == 405:
                # "Wrong method" must not depend on whose object it is.
                made_up = url_for(route, world, made_up=True)
                other = fetch(client, method, made_up)
                if other.status_code != 405:
                    problems.append(describe(method, route, url, response) + " (an oracle)")
    assert not problems, "another team's objects reachable:\n" + "\n".join(problems)
    assert team_b_state(world) == before
    # Still working in team A: the switch to team B was refused.
    assert client.session.get(SESSION_KEY) != world.team.pk
    assert b"Wall B Team" not in client.get(reverse("music:library")).content
    assert simulator.requests == []  # nothing was sent to a provider, for either team


def test_a_viewer_cannot_spend_or_change_anything(world, simulator):
    client = client_for(world.viewer)
    before = team_b_state(world)
    problems = []
    for route in SWEPT:
        url = url_for(route, world)
        response = fetch(client, "GET", url)
        if response.status_code >= 500:
            problems.append(describe("GET", route, url, response))
        response = fetch(client, "POST", url, post_data(route, world))
        status, rule = response.status_code, URLS[route.name]
        if rule == REFUSED:
            ok = status in REFUSED_STATUSES or is_login_redirect(response)
        elif rule == READ_ONLY:
            ok = status in READ_ONLY_STATUSES
        else:
            ok = status < 500
        if not ok:
            problems.append(f"{describe('POST', route, url, response)}, expected {rule}")
        if team_b_state(world) != before:
            problems.append(f"{describe('POST', route, url, response)} changed team B's data")
            before = team_b_state(world)
        if simulator.requests:
            problems.append(f"{describe('POST', route, url, response)} called the provider")
            simulator.requests.clear()
    assert not problems, "a viewer's POST was not refused:\n" + "\n".join(problems)


def test_public_urls_open_one_song_with_a_live_token_and_nothing_else(world, simulator):
    """Share links: anyone with the token hears that song; a made-up or turned-off token
    finds nothing; no page shows the team, its prompts, personas or accounts; no POST."""
    before = team_b_state(world)
    public = [r for r in ROUTES if r.name in PUBLIC]
    assert {r.name for r in public} == PUBLIC
    private_markers = ["Wall B Team", "wall-b-persona", "wall-b-account", "wall-b-prompt"]
    problems = []
    for user in (None, world.outsider, world.viewer):
        client = client_for(user)
        for route in public:
            url = url_for(route, world)
            response = fetch(client, "GET", url)
            leaked = [m for m in private_markers if m.encode() in response.body]
            if response.status_code not in (200, 206) or leaked:
                problems.append(f"{describe('GET', route, url, response)} leaked {leaked}")
            if fetch(client, "POST", url).status_code != 405:
                problems.append(describe("POST", route, url, response) + " accepted a POST")
            made_up = url_for(route, world, made_up=True)
            if fetch(client, "GET", made_up).status_code != 404:
                problems.append(f"GET {made_up} ({route.name}) opened a made-up token")
    world.link.revoked_at = world.link.created_at
    world.link.save()
    for route in public:
        url = url_for(route, world)
        if fetch(client_for(), "GET", url).status_code != 404:
            problems.append(f"GET {url} ({route.name}) still opens after the link was turned off")
    assert not problems, "share links open too much:\n" + "\n".join(problems)
    world.link.revoked_at = None
    world.link.save()
    assert team_b_state(world) == before
    assert simulator.requests == []
