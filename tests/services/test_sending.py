"""Sending a task: an answer that already carries the finished songs is applied at once."""

import io
import json
import threading
from wsgiref.simple_server import make_server

import pytest

from music.management.commands.run_simulator import QuietHandler, ThreadingWSGIServer
from music.models import ProviderAccount, SongState, TaskState
from music.services import tasks

GENERATE = {"action": "generate", "prompt": "an eager seller's song", "model": "chirp-v4"}


def answering_at_once(simulator):
    """A SunoHub seller that ignores `callback_url` and answers when the songs are made.

    The simulator behind it does what SunoHub does without a callback URL: it answers
    `/suno/audios` with the finished clips, so the studio's submit gets its songs in the
    answer (seed 003's synchronous mode).
    """

    def app(environ, start_response):
        if environ.get("PATH_INFO") == "/suno/audios":
            raw = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
            body = json.loads(raw)
            body.pop("callback_url", None)
            raw = json.dumps(body).encode()
            environ["wsgi.input"] = io.BytesIO(raw)
            environ["CONTENT_LENGTH"] = str(len(raw))
        return simulator(environ, start_response)

    return app


@pytest.fixture
def eager_account(team, simulator, settings):
    server = make_server(
        "127.0.0.1",
        0,
        answering_at_once(simulator),
        server_class=ThreadingWSGIServer,
        handler_class=QuietHandler,
    )
    host = f"127.0.0.1:{server.server_port}"
    settings.STUDIO_ALLOWED_PRIVATE_HOSTS = [*settings.STUDIO_ALLOWED_PRIVATE_HOSTS, host]
    simulator.base_url = f"http://{host}"  # its clips' files are fetched through the seller
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    account = ProviderAccount(
        team=team,
        name="eager",
        format="sunohub",
        base_url=f"http://{host}",
        is_default=True,
    )
    account.set_api_key("eager-key")
    account.save()
    yield account
    server.shutdown()
    server.server_close()


def test_songs_in_the_submit_answer_are_applied_without_a_poll(
    team, member, eager_account, simulator, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        task = tasks.start_task(team=team, user=member, action="generate", params=GENERATE)
    task.refresh_from_db()
    assert task.account == eager_account
    assert simulator.requests[:1] == [("POST", "/suno/audios")]
    assert ("POST", "/suno/tasks") not in simulator.requests  # nothing was polled
    assert task.state == TaskState.SUCCEEDED
    songs = list(task.songs.all())
    assert len(songs) == 2
    assert {s.state for s in songs} == {SongState.SUCCEEDED}
    assert all(s.audio_file for s in songs)
