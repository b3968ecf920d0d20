"""What a play and a seek cost the studio when media is in an S3 bucket.

The bucket is moto's S3 server in its own process on loopback (real HTTP, real boto3), so
the CPU time measured here is the studio's alone. Two ways of serving the same 20 MB song:

- redirect: what the studio does (music.services.media.redirect_to_bucket): team check,
  then a signed URL; the bucket sends the bytes.
- stream:   the local-disk code path used on the bucket (what serving did before, through
  the storage API): the studio reads the object to sniff it and streams it on.

Prints, per request, the studio process's CPU time (minimum of several runs: other work on
the machine only adds to it), the bytes it sent and the bytes it pulled from the bucket.

Run: .venv/bin/python bench/media_storage.py
"""

import os
import socket
import subprocess
import sys
import time
import uuid

SIZE = 20 * 1024 * 1024
REQUESTS = 5
RUNS = 3


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_bucket_server():
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return server, f"http://127.0.0.1:{port}"
        except OSError:
            time.sleep(0.1)
    server.kill()
    raise SystemExit("the S3 server did not start")


def main():
    server, endpoint = start_bucket_server()
    try:
        bucket = f"bench-{uuid.uuid4().hex[:8]}"
        os.environ.update(
            STUDIO_MEDIA_STORAGE="s3",
            STUDIO_S3_BUCKET=bucket,
            STUDIO_S3_ENDPOINT_URL=endpoint,
            STUDIO_S3_REGION="us-east-1",
            STUDIO_S3_ACCESS_KEY_ID="bench",
            STUDIO_S3_SECRET_ACCESS_KEY="bench",
        )
        from _setup import boot

        boot()
        run(bucket)
    finally:
        server.terminate()
        server.wait()


def run(bucket):
    from django.contrib.auth import get_user_model
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage
    from django.test import Client

    from music.models import Song
    from music.services import media
    from music.services.teams import create_team

    default_storage.connection.meta.client.create_bucket(Bucket=bucket)
    user = get_user_model().objects.create(username="listener")
    team = create_team("Bucket", user)
    song = Song(team=team, author=user, upstream_id="s3-1", state="succeeded", title="Big")
    song.save()
    song.audio_file.save("audio.mp3", ContentFile(b"ID3\x04" + bytes(SIZE - 4)))
    client = Client()
    client.force_login(user)
    url = f"/songs/{song.pk}/audio/"
    pulled = [0]

    def count_pulled(parsed=None, **kwargs):
        pulled[0] += (parsed or {}).get("ContentLength", 0)

    client_events = default_storage.connection.meta.client.meta.events
    client_events.register("after-call.s3.GetObject", count_pulled)

    def serve(range_header=None):
        extra = {"HTTP_RANGE": range_header} if range_header else {}
        response = client.get(url, **extra)
        if response.streaming:
            return sum(len(chunk) for chunk in response.streaming_content)
        return len(response.content)

    def measure(label, range_header=None):
        serve(range_header)  # warm up: imports, connections
        best, through = None, 0
        for _ in range(RUNS):
            pulled[0] = 0
            start = time.process_time()
            for _ in range(REQUESTS):
                through = serve(range_header)
            spent = (time.process_time() - start) / REQUESTS
            best = spent if best is None else min(best, spent)
        print(
            f"{label:<42} {best * 1000:6.1f} ms CPU, sent {through / 1e6:6.2f} MB, "
            f"pulled {pulled[0] / REQUESTS / 1e6:6.2f} MB from the bucket"
        )

    print(f"media_storage: a {SIZE >> 20} MB song in an S3 bucket (moto server, own process)")
    measure("redirect: play (GET)")
    measure("redirect: seek (Range, 64 KB)", "bytes=10000000-10065535")
    real = media.storage.is_object_storage
    media.storage.is_object_storage = lambda storage=None: False  # the local code path
    try:
        measure("stream:   play (GET)")
        measure("stream:   seek (Range, 64 KB)", "bytes=10000000-10065535")
    finally:
        media.storage.is_object_storage = real


if __name__ == "__main__":
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    main()
