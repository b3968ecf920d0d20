"""Deterministic randomness: digests, RNGs and choices derived from their inputs alone.

No global RNG and no Python ``hash()``, so the same inputs give the same result in every
process.
"""

from __future__ import annotations

import hashlib

import numpy as np


def _digest(*parts: object) -> bytes:
    return hashlib.sha256("\x1f".join(str(p) for p in parts).encode("utf-8")).digest()


def _rng(*parts: object) -> np.random.Generator:
    return np.random.default_rng(int.from_bytes(_digest(*parts)[:8], "big"))


def _unit(*parts: object) -> float:
    """A stable float in [0, 1) derived from ``parts``."""
    return int.from_bytes(_digest(*parts)[:6], "big") / float(1 << 48)


def _pick(options, *parts: object):
    return options[int(_unit(*parts) * len(options))]
