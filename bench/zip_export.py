"""Memory of a streamed ZIP: all stems of a song, 1 GB in all, downloaded through the view in
this process while RSS is sampled. Prints the peak RSS growth and the throughput.

Run: .venv/bin/python bench/zip_export.py [--mb 1024] [--stems 4]
The last line is `zip: N MB archive, peak RSS growth M MB, T MB/s`.
"""

import argparse
import threading
import time

from _setup import boot

boot()

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.files.base import ContentFile  # noqa: E402
from django.core.files.storage import default_storage  # noqa: E402
from django.test import Client  # noqa: E402

from music.models import Relation, Song  # noqa: E402
from music.services.teams import create_team  # noqa: E402


def rss_mb():
    """Resident memory now (not the lifetime peak), from /proc."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def stored_file(team, song, name, megabytes):
    # An ID3 header first, so the file is taken for audio; filler written in chunks so that
    # making it does not inflate this process.
    path = f"teams/{team.pk}/songs/{song.pk}/{name}"
    full = default_storage.path(default_storage.save(path, ContentFile(b"ID3\x04" + bytes(6))))
    with open(full, "ab") as fh:
        for _ in range(megabytes):
            fh.write(bytes(1 << 20))
    return path


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=int, default=1024, help="size of the archive in MB")
    parser.add_argument("--stems", type=int, default=4)
    args = parser.parse_args()
    user = get_user_model().objects.create(username="taker")
    team = create_team("Zip", user)
    song = Song.objects.create(team=team, author=user, upstream_id="zip-0", title="Big song")
    for n in range(args.stems):
        stem = Song.objects.create(
            team=team,
            author=user,
            upstream_id=f"zip-{n + 1}",
            title=f"Big song - stem {n + 1}",
            parent=song,
            root=song,
            relation=Relation.STEM,
            state="succeeded",
        )
        stem.audio_file.name = stored_file(team, stem, "audio.mp3", args.mb // args.stems)
        stem.save()
    client = Client()
    client.force_login(user)
    url = f"/songs/{song.pk}/stems.zip"
    before = rss_mb()
    peak = [before]
    done = threading.Event()

    def sample():
        while not done.is_set():
            peak[0] = max(peak[0], rss_mb())
            time.sleep(0.005)

    sampler = threading.Thread(target=sample)
    sampler.start()
    start = time.perf_counter()
    response = client.get(url)
    received = sum(len(chunk) for chunk in response.streaming_content)
    seconds = time.perf_counter() - start
    done.set()
    sampler.join()
    assert received == int(response["Content-Length"]), "the archive is not what it announced"
    total_mb = received / (1 << 20)
    print(
        f"archive {total_mb:.0f} MB in {seconds:.1f} s; RSS {before:.0f} -> peak {peak[0]:.0f} MB"
    )
    print(
        f"zip: {total_mb:.0f} MB archive, peak RSS growth {peak[0] - before:.0f} MB,"
        f" {total_mb / seconds:.0f} MB/s"
    )


if __name__ == "__main__":
    main()
