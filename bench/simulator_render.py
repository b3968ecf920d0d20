"""What the simulator's renders cost: a song, a three-part concat, and an MP4 first and again
(the second must reuse the first). Speed checks that used to be test assertions live here.

Prints the minimum CPU time (this process, plus ffmpeg children for the MP4) of 3 runs each,
not wall time, so other work on the machine changes the figures little.

Run: .venv/bin/python bench/simulator_render.py
"""

import resource
import tempfile
import time
from pathlib import Path

from _setup import boot

boot()

from music import upstream  # noqa: E402
from music.upstream.base import SongRequest  # noqa: E402
from music.upstream.simulator import audio  # noqa: E402
from music.upstream.simulator.app import Simulator  # noqa: E402

RUNS = 3
LYRIC = "[Verse]\nCity lights are calling\nI keep on falling\n[Chorus]\nHold on, hold on"
MORE = "[Verse]\nOne more verse\nAnd then some more"


def cpu():
    own = time.process_time()
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own + children.ru_utime + children.ru_stime


def measure(fn):
    best = None
    for _ in range(RUNS):
        start = cpu()
        fn()
        spent = cpu() - start
        best = spent if best is None else min(best, spent)
    return best


def main():
    seeds = iter(range(10_000))
    song = measure(
        lambda: audio.render_song(
            seed=f"bench {next(seeds)}", lyric=LYRIC, style="edm", max_duration=15
        )
    )
    print(f"render_song (15 s max): {song * 1000:.0f} ms CPU")

    with tempfile.TemporaryDirectory() as tmp:
        sim = Simulator(
            Path(tmp),
            base_url=upstream.SIMULATOR_BASE_URL,
            queued_seconds=0,
            running_seconds=0,
            max_duration=12,
            send_callbacks=False,
        )
        upstream.get_simulator = lambda: sim
        provider = upstream.get_provider()

        def submit(**fields):
            return provider.submit(SongRequest(**fields)).result.clips[0]

        def chain():
            a = submit(custom=True, lyric=LYRIC, style="pop", title="Chain", is_pro=True)
            b = submit(
                action="extend",
                audio_id=a.id,
                continue_at=round(a.duration - 2, 2),
                custom=True,
                lyric=MORE,
            )
            c = submit(
                action="extend",
                audio_id=b.id,
                continue_at=round(b.duration - 1, 2),
                custom=True,
                lyric=MORE,
            )
            return c

        tails = [chain() for _ in range(RUNS)]
        tail_ids = iter(t.id for t in tails)
        concat = measure(lambda: submit(action="concat", audio_id=next(tail_ids)))
        print(f"concat of 3 parts: {concat * 1000:.0f} ms CPU")

        clips = iter(submit(prompt=f"video {i}", is_pro=True).id for i in range(RUNS))
        first_ids = []

        def first_mp4():
            first_ids.append(next(clips))
            sim.mp4(first_ids[-1])

        first = measure(first_mp4)
        again_ids = iter(first_ids)
        again = measure(lambda: sim.mp4(next(again_ids)))
        print(f"mp4: first {first * 1000:.0f} ms CPU, again {again * 1000:.1f} ms CPU")


if __name__ == "__main__":
    main()
