"""The simulator renders different clips at once (a lock per clip, not per process), and a
clip's audio is the same whoever renders it, whenever."""

import threading

from music.upstream.simulator.engine import Engine, Order


def make_engine(path):
    return Engine(path, queued_seconds=0, running_seconds=0, max_duration=8)


def test_two_clips_render_at_the_same_time(tmp_path):
    engine = make_engine(tmp_path / "sim")
    job = engine.submit(Order(prompt="two at once", model="chirp-v4"))
    rows = engine._clips(job)
    inside = threading.Barrier(2, timeout=30)  # broken unless both are inside render together
    real_render = engine._render
    entered = []

    def render(row, spec):
        entered.append(row["id"])
        inside.wait()
        return real_render(row, spec)

    engine._render = render
    errors = []

    def run(row):
        try:
            engine.ensure_rendered(row)
        except Exception as exc:
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(row,)) for row in rows]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)

    assert errors == []
    assert sorted(entered) == sorted(row["id"] for row in rows)
    # Rendered once each: asking again takes what is stored.
    engine._render = None
    for row in rows:
        assert engine.ensure_rendered(engine._clip(row["id"]))["duration"] > 0


def test_one_clip_asked_for_by_two_threads_renders_once(tmp_path):
    engine = make_engine(tmp_path / "sim")
    job = engine.submit(Order(prompt="one clip, two askers", model="chirp-v4"))
    row = engine._clips(job)[0]
    release = threading.Event()
    entered = threading.Event()
    real_render = engine._render
    calls = []

    def render(row, spec):
        calls.append(row["id"])
        entered.set()
        assert release.wait(30)
        return real_render(row, spec)

    engine._render = render
    first = threading.Thread(target=engine.ensure_rendered, args=(row,))
    first.start()
    assert entered.wait(30)
    second = threading.Thread(target=engine.ensure_rendered, args=(row,))
    second.start()
    release.set()
    first.join(60)
    second.join(60)

    assert calls == [row["id"]]


def test_concurrent_renders_are_the_same_as_one_at_a_time(tmp_path):
    orders = [Order(prompt=f"same song {i}", model="chirp-v4") for i in range(3)]
    together = make_engine(tmp_path / "together")
    alone = make_engine(tmp_path / "alone")
    jobs_together = [together.submit(o) for o in orders]
    jobs_alone = [alone.submit(o) for o in orders]

    rows = [r for job in jobs_together for r in together._clips(job)]
    threads = [threading.Thread(target=together.ensure_rendered, args=(r,)) for r in rows]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    for job in jobs_alone:
        for r in alone._clips(job):
            alone.ensure_rendered(r)

    def mp3s(engine, jobs):
        return [engine.media(f"{r['id']}.mp3")[1] for job in jobs for r in engine._clips(job)]

    assert mp3s(together, jobs_together) == mp3s(alone, jobs_alone)
