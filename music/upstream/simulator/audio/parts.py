"""Twelve stems of a finished song, and one instrument layered onto it (issue #15).

`split` divides a clip's stored int16 instrumental among the instruments that played it,
sample by sample, in proportion to how loud each was there (`render_song(layers=...)`), so the
twelve stems add up to the clip's mix exactly, in integers: a separation whose parts are real
and whose sum is the song. Stems with nothing to play are silent. `added_layer` plays one more
instrument over a song, in its key and tempo.
"""

import numpy as np

from music.upstream.simulator.audio.dsp import SAMPLE_RATE, _lowpass
from music.upstream.simulator.audio.instruments import _bass_note, _drum, _note, _pad

# The twelve parts `all_stems` answers with, in the documented order, and their titles.
STEM_TYPES = (
    "vocals",
    "backing_vocals",
    "drums",
    "bass",
    "guitar",
    "keyboard",
    "percussion",
    "strings",
    "synth",
    "fx",
    "brass",
    "woodwinds",
)
STEM_TITLES = {
    "vocals": "Vocals",
    "backing_vocals": "Backing Vocals",
    "drums": "Drums",
    "bass": "Bass",
    "guitar": "Guitar",
    "keyboard": "Keyboard",
    "percussion": "Percussion",
    "strings": "Strings",
    "synth": "Synth",
    "fx": "FX",
    "brass": "Brass",
    "woodwinds": "Woodwinds",
}
ENVELOPE_HOP = 512  # samples per envelope point: weights follow notes, not single samples
CHUNK = 1 << 18  # samples split at once: memory stays flat for long songs
BASS_SPLIT_HZ = 180.0  # songs without a plan (uploads, reworks): below this is "bass"


def layer_stems(plan):
    """Which stem each band layer of `plan` belongs to."""
    return {
        "kit": "drums",
        "perc": "percussion",
        "bass": "bass",
        "pad": {"strings": "strings", "organ": "keyboard"}.get(plan.pad, "synth"),
        "comp": {
            "piano": "keyboard",
            "epiano": "keyboard",
            "guitar": "guitar",
            "power": "guitar",
            "pluck": "guitar",
        }.get(plan.comp, "synth"),
        "arp": {"piano": "keyboard", "pluck": "guitar"}.get(plan.arp, "synth"),
        "gliss": "strings",  # a guzheng's sweep
        "lead": {"flute": "woodwinds", "reed": "woodwinds", "dist": "guitar"}.get(
            plan.lead, "synth"
        ),
        "fx": "fx",  # the reverb's wet signal
    }


def envelopes(layers, plan):
    """{stem: coarse loudness envelope} from the band's layers (buffers freed as it goes)."""
    out = {}
    for name, stem in layer_stems(plan).items():
        buf = layers.pop(name, None)
        if buf is None or not len(buf):
            continue
        n = len(buf) // ENVELOPE_HOP * ENVELOPE_HOP
        env = np.abs(buf[:n]).reshape(-1, ENVELOPE_HOP).mean(axis=1, dtype=np.float64)
        if n < len(buf):
            env = np.r_[env, np.abs(buf[n:]).mean(dtype=np.float64)]
        out[stem] = out[stem] + env if stem in out else env
    return {stem: env for stem, env in out.items() if env.any()}


def split(instrumental, envs):
    """{stem: int16 part} of the int16 `instrumental`, the parts summing to it exactly.

    `envs` ({stem: envelope}) weigh each sample; None splits by frequency instead (a song
    whose band the simulator did not play)."""
    inst = np.asarray(instrumental, dtype=np.int32)
    if not envs:
        return _split_by_band(inst)
    names = list(envs)
    n = len(inst)
    points = (np.arange(len(next(iter(envs.values())))) + 0.5) * ENVELOPE_HOP
    # The loudest layer overall takes what no layer claims (silence, a fade's last tail).
    totals = [float(envs[s].sum()) for s in names]
    fallback = int(np.argmax(totals))
    parts = {s: np.zeros(n, dtype=np.int32) for s in names}
    for a in range(0, n, CHUNK):
        b = min(n, a + CHUNK)
        at = np.arange(a, b)
        weights = np.stack([np.interp(at, points, envs[s]) for s in names])
        weights[fallback] += 1e-12
        weights /= weights.sum(axis=0)
        shares = np.rint(weights * inst[a:b])
        rest = inst[a:b] - shares.sum(axis=0)
        # Rounding leftovers go to the part that carries most of the sample.
        shares[np.argmax(weights, axis=0), np.arange(b - a)] += rest
        for k, s in enumerate(names):
            parts[s][a:b] = shares[k]
    return {s: part.astype("<i2") for s, part in parts.items() if part.any()}


def _split_by_band(inst):
    low = np.rint(_lowpass(inst.astype(np.float64), BASS_SPLIT_HZ)).astype(np.int32)
    low = np.clip(low, -32768, 32767)
    high = np.clip(inst - low, -32768, 32767)
    low = inst - high  # exact even where clipping bit
    parts = {"bass": low, "keyboard": high}
    return {s: p.astype("<i2") for s, p in parts.items() if p.any()}


def added_layer(stem_type, n, *, s16=None, tonic=9, take=0):
    """`stem_type` played for `n` samples: its own line over a song in `tonic`'s key, one
    sixteenth note being `s16` samples (120 bpm when unknown). Take 2 plays an octave up."""
    sr = SAMPLE_RATE
    s16 = s16 or int(sr * 60 / 120 / 4)
    beat, bar = 4 * s16, 16 * s16
    out = np.zeros(n + bar, dtype=np.float64)
    up = 12 * take
    root = 45 + (tonic - 9) % 12 + up  # A2..G#3

    def place(at, clip, gain):
        stop = min(len(out), at + len(clip))
        if stop > at:
            out[at:stop] += gain * np.asarray(clip[: stop - at], dtype=np.float64)

    power = (root + 12, root + 19, root + 24)
    for b0 in range(0, n, bar):
        if stem_type == "drums":
            for k in range(4):
                place(b0 + k * beat, _drum("snare" if k % 2 else "kick"), 0.8)
                place(b0 + k * beat + 2 * s16, _drum("hat"), 0.3)
        elif stem_type == "percussion":
            for k in range(16):
                place(b0 + k * s16, _drum("shaker"), 0.5 if k % 4 else 0.8)
        elif stem_type == "bass":
            for k in range(4):
                place(b0 + k * beat, _bass_note("sub", root - 12, beat - s16), 0.8)
        elif stem_type == "guitar":
            for k in range(2):
                for j, m in enumerate(power):
                    place(b0 + k * 8 * s16 + j * int(0.012 * sr), _note("guitar", m, 7 * s16), 0.4)
        elif stem_type == "keyboard":
            for k in range(4):
                for m in power:
                    place(b0 + k * beat, _note("piano", m, beat), 0.4)
        elif stem_type == "synth":
            for k in range(8):
                place(b0 + k * 2 * s16, _note("synthpluck", power[k % 3] + 12, 2 * s16), 0.5)
        elif stem_type in ("strings", "woodwinds"):
            lift = 12 if stem_type == "woodwinds" else 0
            place(b0, _pad("strings", tuple(m + lift for m in power), bar), 0.5)
        else:  # vocals, backing vocals, brass, fx: a held, voice-like chord
            place(b0, _pad("warm" if stem_type != "fx" else "synth", power, bar), 0.5)
    return out[:n]
