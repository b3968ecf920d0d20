"""A standard MIDI file from the provider's notes (`/suno/midi`: instruments of notes with
`pitch`, `start` and `end` in seconds, `velocity` 0-1), written with mido."""

import io

import mido

TICKS_PER_BEAT = 480
TEMPO = 500_000  # µs a beat (120 BPM): seconds map to ticks exactly, whatever the song's tempo


def ticks(seconds):
    return round(mido.second2tick(seconds, TICKS_PER_BEAT, TEMPO))


def midi_bytes(instruments):
    """Type 1: a tempo track, then one track (and channel) per instrument, named after it.
    Channel 10 (9 from 0) is drums in General MIDI, so melodic parts skip it."""
    song = mido.MidiFile(type=1, ticks_per_beat=TICKS_PER_BEAT)
    song.tracks.append(mido.MidiTrack([mido.MetaMessage("set_tempo", tempo=TEMPO, time=0)]))
    channels = [c for c in range(16) if c != 9]
    for index, part in enumerate(instruments[: len(channels)]):
        channel = channels[index]
        events = []
        for note in part["notes"]:
            pitch = int(note["pitch"])
            velocity = max(1, min(127, round(float(note.get("velocity", 0.8)) * 127)))
            start, end = ticks(float(note["start"])), ticks(float(note["end"]))
            # note_off sorts before note_on at the same tick: a repeated pitch is re-struck.
            events.append(
                (start, 1, mido.Message("note_on", note=pitch, velocity=velocity, channel=channel))
            )
            events.append(
                (
                    max(end, start + 1),
                    0,
                    mido.Message("note_off", note=pitch, velocity=0, channel=channel),
                )
            )
        track = mido.MidiTrack(
            [mido.MetaMessage("track_name", name=part.get("name") or "", time=0)]
        )
        now = 0
        for at, _, message in sorted(events, key=lambda e: (e[0], e[1])):
            track.append(message.copy(time=at - now))
            now = at
        song.tracks.append(track)
    out = io.BytesIO()
    song.save(file=out)
    return out.getvalue()


def read_notes(data):
    """[(track name, pitch, start s, end s)] of a MIDI file this module wrote (tests, and a
    look at what a file holds)."""
    song = mido.MidiFile(file=io.BytesIO(data))
    found = []
    for track in song.tracks[1:]:
        name, now, sounding = "", 0, {}
        for message in track:
            now += message.time
            if message.type == "track_name":
                name = message.name
            elif message.type == "note_on" and message.velocity:
                sounding[message.note] = now
            elif message.type in ("note_off", "note_on") and message.note in sounding:
                start = sounding.pop(message.note)
                seconds = [mido.tick2second(t, TICKS_PER_BEAT, TEMPO) for t in (start, now)]
                found.append((name, message.note, *seconds))
    return sorted(found, key=lambda n: (n[0], n[2], n[1]))
