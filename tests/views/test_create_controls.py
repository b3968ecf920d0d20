"""Creating a song with the advanced controls, end to end: form, task, SunoHub JSON over
httpx to the simulator, songs made; and the page folds them away."""

import re

from django.urls import reverse

from music.models import Song, SongState, Task, TaskState
from tests.factories import TaskFactory
from tests.helpers import finish_all_tasks

URL = reverse("music:create")


def test_the_create_page_folds_the_controls_away_with_one_line_each(member_client):
    html = member_client.get(URL).content.decode()
    tag = re.search(r'<details [^>]*id="advanced-controls"[^>]*>', html).group(0)
    assert " open" not in tag  # folded away by default
    assert 'data-advanced-models="chirp-v4-5 chirp-v4-5-plus chirp-v5 chirp-v5-5 ' in tag
    assert "0 to 1: higher is more experimental and surprising." in html


def test_a_song_made_with_every_control(member_client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = member_client.post(
            URL,
            {
                "mode": "custom",
                "lyric": "[Verse]\nLine one\nLine two",
                "style": "pop",
                "style_negative": "metal",
                "model": "chirp-v5-5",
                "is_pro": "on",
                "vocal_gender": "m",
                "weirdness": "0",
                "style_influence": "0.8",
                "audio_weight": "0",
                "variety": "high",
                "max_mode": "on",
            },
        )
    assert response.status_code == 302
    payload = Task.objects.get().request_payload
    assert {k: payload[k] for k in ("vocal_gender", "weirdness", "audio_weight", "variety")} == {
        "vocal_gender": "m",
        "weirdness": 0.0,
        "audio_weight": 0.0,
        "variety": "high",
    }
    assert payload["negative_tags"] == "metal" and payload["max_mode"] is True
    finish_all_tasks()
    songs = Song.objects.filter(state=SongState.SUCCEEDED)
    assert songs.count() == 2
    assert {s.model_name for s in songs} == {"chirp-v5-5"}


def test_a_refused_control_keeps_the_fold_open_with_the_reason(member_client):
    response = member_client.post(
        URL,
        {"mode": "custom", "lyric": "la", "model": "chirp-v4", "vocal_gender": "f"},
    )
    html = response.content.decode()
    assert response.status_code == 200 and not Task.objects.exists()
    assert 'id="advanced-controls" data-advanced-models' in html and " open>" in html
    assert "v4 does not take “Vocal gender”" in html


def test_try_again_refills_the_controls_and_unfolds_them(member_client, team):
    failed = TaskFactory(
        team=team,
        state=TaskState.FAILED,
        params={
            "action": "generate",
            "custom": True,
            "lyric": "la",
            "model": "chirp-v5",
            "vocal_gender": "m",
            "weirdness": 0.0,
        },
    )
    html = member_client.get(URL, {"retry": failed.pk}).content.decode()
    tag = re.search(r'<details [^>]*id="advanced-controls"[^>]*>', html).group(0)
    assert tag.endswith(" open>")
    assert '<option value="m" selected>' in html
    assert re.search(r'name="weirdness" value="0(\.0)?"', html)
