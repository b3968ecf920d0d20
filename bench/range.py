"""Memory of Range answers: `bytes=0-` (what <audio> asks first) of a 100 MB file, four
listeners at once, served by the download view in this process. Prints the peak RSS growth.

Run: .venv/bin/python bench/range.py
"""

import threading
import time

from _setup import boot

boot()

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.files.base import ContentFile  # noqa: E402
from django.core.files.storage import default_storage  # noqa: E402
from django.test import Client  # noqa: E402

from music.models import Song  # noqa: E402
from music.services.teams import create_team  # noqa: E402

SIZE = 100 * 1024 * 1024
LISTENERS = 4


def rss_mb():
    """Resident memory now (not the lifetime peak), from /proc."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def main():
    user = get_user_model().objects.create(username="listener")
    team = create_team("Range", user)
    song = Song(team=team, author=user, upstream_id="range-1", state="succeeded", title="Big")
    song.save()
    # An ID3 header first, so the file is served as audio; the rest is filler, written in
    # chunks so that making it does not inflate this process.
    name = f"teams/{team.pk}/songs/{song.pk}/audio.mp3"
    path = default_storage.path(default_storage.save(name, ContentFile(b"ID3\x04" + bytes(6))))
    with open(path, "ab") as fh:
        for _ in range(SIZE // (1 << 20)):
            fh.write(bytes(1 << 20))
    song.audio_file.name = name
    song.save()
    client = Client()
    client.force_login(user)
    url = f"/songs/{song.pk}/audio/"
    client.get(url, HTTP_RANGE="bytes=0-1")  # warm up: imports, templates, connections
    before = rss_mb()
    peak = [before]
    received = []
    done = threading.Event()

    def sample():
        while not done.is_set():
            peak[0] = max(peak[0], rss_mb())
            time.sleep(0.01)

    sampler = threading.Thread(target=sample)
    sampler.start()

    def listen():
        response = client.get(url, HTTP_RANGE="bytes=0-")
        body = response.streaming_content if response.streaming else [response.content]
        received.append(sum(len(chunk) for chunk in body))

    threads = [threading.Thread(target=listen) for _ in range(LISTENERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    done.set()
    sampler.join()
    assert received == [SIZE + 10] * LISTENERS, received
    growth = peak[0] - before
    print(f"range: bytes=0- on 100 MB, {LISTENERS} at once, peak RSS growth {growth:.0f} MB")


if __name__ == "__main__":
    main()
