"""Growing a song from its page: each action's form, refusals and results."""

import pytest
from django.urls import reverse

from music.models import LyricTiming, Relation, Song, SongState, Task, TaskState
from music.upstream.simulator.audio import mp3_duration
from tests.factories import MembershipFactory, SongFactory
from tests.helpers import make_song, run_queued

LYRIC = "[Verse]\nFirst line here\nSecond line here\n[Chorus]\nSing it loud\nSing it proud"


@pytest.fixture
def song(team, member):
    return make_song(team, member, lyric=LYRIC)


@pytest.fixture
def pro_song(team, member):
    return make_song(team, member, lyric=LYRIC, is_pro=True)


def extend_data(**overrides):
    data = {
        "continue_at": "5",
        "lyric": "[Verse]\nA new verse\nAnother line",
        "style": "pop",
        "model": "chirp-v4",
    }
    data.update(overrides)
    return data


# --- extend -------------------------------------------------------------------------------
def test_extend_page_prefills_from_the_song(member_client, song):
    response = member_client.get(reverse("music:extend", args=[song.pk]))
    assert response.status_code == 200
    form = response.context["form"]
    assert form.initial["continue_at"] == round(song.duration, 2)
    assert form.initial["style"] == song.style


def test_extend_makes_two_fragments_of_the_song(member_client, song):
    response = member_client.post(reverse("music:extend", args=[song.pk]), extend_data())
    assert response.status_code == 302
    run_queued()
    task = Task.objects.get(action="extend")
    assert task.source_song == song
    payload = task.request_payload
    assert (payload["action"], payload["audio_id"], payload["continue_at"]) == (
        "extend",
        song.upstream_id,
        5.0,
    )
    assert payload["custom"] is True
    fragments = list(Song.objects.filter(task=task))
    assert len(fragments) == 2
    for fragment in fragments:
        assert fragment.state == SongState.SUCCEEDED
        assert fragment.parent == song and fragment.root == song
        assert fragment.relation == Relation.EXTENDED
        assert fragment.is_fragment


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (extend_data(continue_at="0"), "after the start"),
        (extend_data(continue_at="9999"), "continue from inside it"),
        (extend_data(continue_at=""), "Say from which second"),
        (extend_data(lyric=""), "tick Instrumental"),
        (extend_data(lyric="x" * 3001), "v4 allows at most 3000"),
    ],
)
def test_extend_validation(member_client, song, simulator, data, message):
    posts = len(simulator.requests)
    response = member_client.post(reverse("music:extend", args=[song.pk]), data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Task.objects.filter(action="extend").exists()
    assert len(simulator.requests) == posts


def test_actions_on_a_song_still_being_made_are_refused(member_client, team):
    song = SongFactory(team=team, state=SongState.RUNNING)
    response = member_client.post(reverse("music:extend", args=[song.pk]), extend_data())
    assert response.status_code == 409
    assert "still being made" in response.content.decode()
    assert not Task.objects.exists()


def test_actions_on_a_failed_song_are_refused(member_client, team):
    song = SongFactory(team=team, state=SongState.FAILED)
    response = member_client.post(reverse("music:quick_action", args=[song.pk, "mp4"]), follow=True)
    assert "failed, so there is nothing to work from" in response.content.decode()
    assert not Task.objects.exists()


@pytest.mark.parametrize("name", ["music:extend", "music:cover", "music:persona_create"])
def test_other_teams_songs_cannot_be_acted_on(client, outsider, song, name):
    client.force_login(outsider)
    assert client.get(reverse(name, args=[song.pk])).status_code == 404
    assert client.post(reverse(name, args=[song.pk]), extend_data()).status_code == 404


@pytest.mark.parametrize("action", ["concat", "stems", "timing", "wav", "mp4"])
def test_other_teams_songs_cannot_take_quick_actions(client, outsider, song, action):
    client.force_login(outsider)
    response = client.post(reverse("music:quick_action", args=[song.pk, action]))
    assert response.status_code == 404
    assert not Task.objects.filter(action=action).exists()


def test_viewers_cannot_act(client, viewer, song):
    client.force_login(viewer)
    assert client.post(reverse("music:extend", args=[song.pk]), extend_data()).status_code == 403
    assert client.post(reverse("music:quick_action", args=[song.pk, "mp4"])).status_code == 403


def test_an_upstream_refusal_fails_the_task_with_its_reason(member_client, song, simulator):
    member_client.post(reverse("music:extend", args=[song.pk]), extend_data())
    simulator.faults.next_errors.append((403, "forbidden", "Extension refused"))
    run_queued()
    task = Task.objects.get(action="extend")
    assert task.state == TaskState.FAILED
    assert "Extension refused" in task.error_message


def test_an_unclear_upstream_error_is_never_a_failure(member_client, song, simulator):
    member_client.post(reverse("music:extend", args=[song.pk]), extend_data())
    simulator.faults.next_errors.append((500, "api_error", "Extension service down"))
    run_queued()
    task = Task.objects.get(action="extend")
    assert task.state == TaskState.UNCONFIRMED
    assert "Extension service down" in task.error_message


def test_posting_the_same_form_twice_pays_once(member_client, song, simulator):
    data = extend_data(request_key="same-key-123")
    member_client.post(reverse("music:extend", args=[song.pk]), data)
    member_client.post(reverse("music:extend", args=[song.pk]), data)
    assert Task.objects.filter(action="extend").count() == 1


def said(response):
    """The messages a followed response shows, with their kind (news or error)."""
    return [(m.level_tag, m.message) for m in response.context["messages"]]


# --- concat ------------------------------------------------------------------------------
def test_get_whole_song_joins_a_fragment(member_client, song, team, member):
    member_client.post(reverse("music:extend", args=[song.pk]), extend_data())
    run_queued()
    fragment = Song.objects.filter(relation=Relation.EXTENDED).first()
    response = member_client.post(reverse("music:quick_action", args=[fragment.pk, "concat"]))
    assert response.status_code == 302
    run_queued()
    whole = Song.objects.get(relation=Relation.CONCATENATED)
    # An extension is joined after its song; only a replaced section is an infill.
    assert Task.objects.get(action="concat").params["is_infill"] is False
    assert not whole.is_fragment
    assert whole.parent == fragment and whole.root == song
    assert [part["id"] for part in whole.parts] == [song.upstream_id, fragment.upstream_id]
    page = member_client.get(reverse("music:song", args=[whole.pk])).content.decode()
    assert "This whole song joins, in order:" in page
    # Asking again on the joined fragment sends nothing, and says so as news, not an error:
    # the whole song is already here.
    again = member_client.post(
        reverse("music:quick_action", args=[fragment.pk, "concat"]), follow=True
    )
    assert said(again) == [("success", "Already joined: the whole song is in the family tree.")]
    assert Task.objects.filter(action="concat").count() == 1


def test_a_whole_song_cannot_be_concatenated(member_client, song):
    response = member_client.post(
        reverse("music:quick_action", args=[song.pk, "concat"]), follow=True
    )
    assert "already a whole song" in response.content.decode()
    assert not Task.objects.filter(action="concat").exists()


# --- cover --------------------------------------------------------------------------------
def test_cover_needs_the_pro_pool(member_client, song):
    response = member_client.post(
        reverse("music:cover", args=[song.pk]), {"style": "punk rock", "model": "chirp-v4"}
    )
    assert response.status_code == 200
    assert "Covers are only made in the Pro pool." in response.content.decode()
    assert not Task.objects.filter(action="cover").exists()


def test_cover_makes_the_song_in_another_style(member_client, song):
    response = member_client.post(
        reverse("music:cover", args=[song.pk]),
        {"style": "punk rock", "model": "chirp-v4", "is_pro": "on"},
    )
    assert response.status_code == 302
    run_queued()
    payload = Task.objects.get(action="cover").request_payload
    assert payload["audio_id"] == song.upstream_id and payload["is_pro"] is True
    covers = Song.objects.filter(relation=Relation.COVERED)
    assert covers.count() == 2
    assert all(c.parent == song and c.state == SongState.SUCCEEDED for c in covers)


def test_cover_needs_a_style(member_client, song):
    response = member_client.post(
        reverse("music:cover", args=[song.pk]), {"style": "", "model": "chirp-v4", "is_pro": "on"}
    )
    assert "Say in which style to cover it." in response.content.decode()


# --- stems --------------------------------------------------------------------------------
def test_stems_need_a_song_made_in_the_pro_pool(member_client, song):
    response = member_client.post(
        reverse("music:quick_action", args=[song.pk, "stems"]), follow=True
    )
    assert "only works on songs made in the Pro pool" in response.content.decode()
    assert not Task.objects.filter(action="stems").exists()


def test_stems_give_vocals_and_instrumental(member_client, pro_song):
    member_client.post(reverse("music:quick_action", args=[pro_song.pk, "stems"]))
    run_queued()
    stems = list(Song.objects.filter(relation=Relation.STEM).order_by("title"))
    assert [s.title.rsplit(" - ", 1)[-1] for s in stems] == ["Instrumental", "Vocals"]
    for stem in stems:
        assert stem.parent == pro_song
        assert abs(stem.duration - pro_song.duration) < 0.1


def test_a_second_click_while_stems_are_on_their_way_lands_on_the_first(member_client, pro_song):
    url = reverse("music:quick_action", args=[pro_song.pk, "stems"])
    member_client.post(url)
    response = member_client.post(url, follow=True)
    assert response.status_code == 200
    assert Task.objects.filter(action="stems").count() == 1


# --- timing, WAV, MP4 --------------------------------------------------------------------
def test_timing_is_fetched_and_stored_once(member_client, team, member, simulator):
    simulator.max_duration = 30  # room for every line of the lyric
    song = make_song(team, member, lyric=LYRIC)
    member_client.post(reverse("music:quick_action", args=[song.pk, "timing"]))
    run_queued()
    timing = LyricTiming.objects.get(song=song)
    assert [w["word"].strip().splitlines()[-1] for w in timing.words][:2] == [
        "First line here",
        "Second line here",
    ]
    assert all(0 <= w["start"] < w["end"] <= song.duration + 0.5 for w in timing.words)
    assert timing.waveform
    calls = simulator.requests.count(("POST", "/suno/timing"))
    response = member_client.post(
        reverse("music:quick_action", args=[song.pk, "timing"]), follow=True
    )
    assert "already here" in response.content.decode()
    assert said(response)[-1] == ("success", "The lyric timing is already here.")
    assert simulator.requests.count(("POST", "/suno/timing")) == calls


def test_wav_export_is_archived_and_downloadable(member_client, pro_song):
    member_client.post(reverse("music:quick_action", args=[pro_song.pk, "wav"]))
    run_queued()
    pro_song.refresh_from_db()
    assert pro_song.wav_file
    response = member_client.get(reverse("music:song_wav", args=[pro_song.pk]))
    body = b"".join(response.streaming_content)
    assert body[:4] == b"RIFF" and body[8:12] == b"WAVE"
    assert "attachment" in response["Content-Disposition"]
    again = member_client.post(
        reverse("music:quick_action", args=[pro_song.pk, "wav"]), follow=True
    )
    assert said(again)[-1] == ("success", "The WAV is already here.")
    assert Task.objects.filter(action="wav").count() == 1


def test_wav_needs_the_pro_pool(member_client, song):
    response = member_client.post(reverse("music:quick_action", args=[song.pk, "wav"]), follow=True)
    assert "WAV export only works on songs made in the Pro pool" in response.content.decode()


def test_mp4_export_is_a_real_video(member_client, song):
    member_client.post(reverse("music:quick_action", args=[song.pk, "mp4"]))
    run_queued()
    song.refresh_from_db()
    data = song.video_file.open("rb").read()
    assert data[4:8] == b"ftyp"
    page = member_client.get(reverse("music:song", args=[song.pk])).content.decode()
    assert reverse("music:song_video", args=[song.pk]) in page
    again = member_client.post(reverse("music:quick_action", args=[song.pk, "mp4"]), follow=True)
    assert said(again)[-1] == ("success", "The video is already here.")
    assert Task.objects.filter(action="mp4").count() == 1


def test_unknown_quick_action_is_404(member_client, song):
    url = reverse("music:quick_action", args=[song.pk, "launch-rockets"])
    assert member_client.post(url).status_code == 404


# --- upload -------------------------------------------------------------------------------
def test_upload_by_link_becomes_a_song(member_client, song, simulator):
    response = member_client.post(
        reverse("music:upload"),
        {"audio_url": f"{simulator.base_url}/media/{song.upstream_id}.mp3", "mode": "upload"},
    )
    assert response.status_code == 302
    run_queued()
    uploaded = Song.objects.get(relation=Relation.UPLOADED)
    assert uploaded.state == SongState.SUCCEEDED
    assert abs(uploaded.duration - song.duration) < 0.3
    assert abs(mp3_duration(uploaded.audio_file.read()) - uploaded.duration) < 0.3

    # Extending an upload uses `upload_extend`.
    member_client.post(reverse("music:extend", args=[uploaded.pk]), extend_data())
    assert Task.objects.get(source_song=uploaded).action == "upload_extend"


def test_upload_and_continue_in_one_step(member_client, song, simulator):
    """The upload comes first and is the root of its continuation (upload, then
    upload_extend from it): nothing of the family is left out of the tree."""
    member_client.post(
        reverse("music:upload"),
        {
            "audio_url": f"{simulator.base_url}/media/{song.upstream_id}.mp3",
            "mode": "continue",
            "continue_at": "4",
            "lyric": "[Verse]\nMy own words",
            "style": "folk",
            "model": "chirp-v4",
        },
    )
    run_queued()
    run_queued()  # the continuation, queued once the upload is in
    uploaded = Song.objects.get(relation=Relation.UPLOADED)
    assert uploaded.title == song.upstream_id  # the link's file name, not "up-<uuid>"
    task = Task.objects.get(action="upload_extend")
    assert task.source_song == uploaded
    assert task.request_payload["continue_at"] == 4.0
    continued = Song.objects.filter(task=task, state=SongState.SUCCEEDED)
    assert continued.count() == 2
    assert all(s.parent == uploaded and s.root == uploaded for s in continued)
    assert {s.title for s in continued} == {song.upstream_id}  # untitled: the upload's name


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"audio_url": "", "mode": "upload"}, "Choose an audio file, or paste a link"),
        ({"audio_url": "ftp://example.com/a.mp3", "mode": "upload"}, "Only http(s) links"),
        (
            {
                "audio_url": "https://example.com/a.mp3",
                "mode": "continue",
                "continue_at": "0",
                "lyric": "la",
                "model": "chirp-v4",
            },
            "more than 0",
        ),
        (
            {
                "audio_url": "https://example.com/a.mp3",
                "mode": "continue",
                "continue_at": "1e308",
                "lyric": "la",
                "model": "chirp-v4",
            },
            "inside the first 480 s",
        ),
    ],
)
def test_upload_validation(member_client, data, message):
    response = member_client.post(reverse("music:upload"), data)
    assert message in response.content.decode()
    assert not Task.objects.exists()


def test_an_unreachable_upload_link_fails_with_the_reason(member_client):
    member_client.post(
        reverse("music:upload"), {"audio_url": "http://127.0.0.1:9/nothing.mp3", "mode": "upload"}
    )
    run_queued()
    task = Task.objects.get(action="upload")
    assert task.state == TaskState.FAILED
    assert task.error_message


@pytest.mark.parametrize(
    ("action", "endpoint"),
    [
        ("stems", "/suno/audios"),
        ("timing", "/suno/timing"),
        ("wav", "/suno/wav"),
        ("mp4", "/suno/mp4"),
    ],
)
def test_every_quick_action_reports_upstream_errors(
    member_client, pro_song, simulator, action, endpoint
):
    member_client.post(reverse("music:quick_action", args=[pro_song.pk, action]))
    simulator.faults.next_errors.append((403, "forbidden", f"{action} refused upstream"))
    run_queued()
    task = Task.objects.get(action=action)
    assert task.state == TaskState.FAILED
    assert f"{action} refused upstream" in task.error_message
    assert "Nothing was charged" in task.error_message
    assert simulator.requests[-1] == ("POST", endpoint)


def test_cover_and_persona_report_upstream_errors(member_client, pro_song, simulator):
    member_client.post(
        reverse("music:cover", args=[pro_song.pk]),
        {"style": "jazz", "model": "chirp-v4", "is_pro": "on"},
    )
    member_client.post(reverse("music:persona_create", args=[pro_song.pk]), {"name": "Voice"})
    simulator.faults.next_errors.extend([(403, "forbidden", "busy")] * 2)
    run_queued()
    for action in ("cover", "persona"):
        task = Task.objects.get(action=action)
        assert task.state == TaskState.FAILED
        assert "busy" in task.error_message


def test_viewers_cannot_upload(client, team, song, simulator):
    """An upload is paid for: a viewer's POST is refused before anything is sent."""
    client.force_login(MembershipFactory(team=team, role="viewer").user)
    simulator.requests.clear()
    tasks_before = Task.objects.count()
    response = client.post(
        reverse("music:upload"),
        {"audio_url": f"{simulator.base_url}/media/{song.upstream_id}.mp3", "mode": "upload"},
    )
    assert response.status_code == 403
    assert "Viewers can listen" in response.content.decode()
    run_queued()
    assert Task.objects.count() == tasks_before
    assert simulator.requests == []


# --- failures and trying again ------------------------------------------------------------
def test_a_failed_extend_shows_on_its_song_and_try_again_refills_the_form(
    member_client, song, simulator
):
    data = extend_data(continue_at="4.5", style_negative="screamo", title="Part two")
    member_client.post(reverse("music:extend", args=[song.pk]), data)
    simulator.faults.next_errors.append((403, "forbidden", "Extension refused"))
    run_queued()
    failed = Task.objects.get(action="extend")
    page = member_client.get(reverse("music:song", args=[song.pk]))
    html = page.content.decode()
    assert 'id="song-failures"' in html
    assert "The provider answered with an error (HTTP 403)." in html
    assert (
        "Extension refused" in html.split('id="song-failures"')[1].split("<details")[1]
    )  # under "Details"
    retry_url = f"{reverse('music:extend', args=[song.pk])}?retry={failed.pk}"
    assert retry_url in html

    form = member_client.get(retry_url).context["form"]
    assert form["continue_at"].value() == 4.5
    assert form["style_negative"].value() == "screamo"
    assert form["title"].value() == "Part two"
    assert form["request_key"].value() != failed.request_key  # a new request, not the old
    assert "new request" in member_client.get(retry_url).content.decode()


def test_viewers_see_failures_but_no_try_again(client, viewer, song, member_client, simulator):
    member_client.post(reverse("music:extend", args=[song.pk]), extend_data())
    simulator.faults.next_errors.append((403, "forbidden", "Extension refused"))
    run_queued()
    client.force_login(viewer)
    html = client.get(reverse("music:song", args=[song.pk])).content.decode()
    assert 'id="song-failures"' in html and "?retry=" not in html


def test_cover_defaults_to_the_songs_own_model(member_client, team, member):
    song = make_song(team, member, lyric=LYRIC, is_pro=True, model="chirp-v4-5")
    form = member_client.get(reverse("music:cover", args=[song.pk])).context["form"]
    assert form["model"].value() == "chirp-v4-5"


def test_excluded_styles_are_shown_and_carried_into_extend(member_client, team, member):
    song = make_song(team, member, lyric=LYRIC, style_negative="heavy metal")
    html = member_client.get(reverse("music:song", args=[song.pk])).content.decode()
    assert "Exclude styles" in html and "heavy metal" in html
    form = member_client.get(reverse("music:extend", args=[song.pk])).context["form"]
    assert form["style_negative"].value() == "heavy metal"
