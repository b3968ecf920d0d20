"""services.stems: a stem's part read from the provider's title, and the mixer's rows (one
per part, even when a provider answers with two sets of the twelve, as AceData's docs show)."""

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest

from music.models import Relation, SongState
from music.services import stems


@pytest.mark.parametrize(
    ("title", "part"),
    [
        ("安全之弦 (Vocals)", "vocals"),
        ("Safety String (Backing Vocals)", "backing_vocals"),
        ("The String of Safety (FX)", "fx"),
        ("(Bass)", "bass"),
        ("(Without Bass)", "without:bass"),
        ("Deck the Sky - Vocals", "vocals"),
        ("Bass Lines of the Sea", ""),  # a part's name inside a title is not a stem
        ("", ""),
    ],
)
def test_a_stem_part_is_read_from_its_title(title, part):
    assert stems.stem_type_of(title) == part


def member(parent, relation, part, at, **extra):
    values = {
        "pk": object(),
        "parent_id": parent,
        "relation": relation,
        "stem_type": part,
        "state": SongState.SUCCEEDED,
        "trashed_at": None,
        "audio_file": "x.mp3",
        "created_at": at,
    }
    return SimpleNamespace(**{**values, **extra})


def test_the_mixer_keeps_one_row_per_part_in_the_providers_order():
    t0 = datetime(2026, 1, 1, tzinfo=UTC)
    song = SimpleNamespace(pk=1)
    names = [name for name, _label in stems.STEM_TYPES]
    members = [
        member(1, Relation.ALL_STEMS, name, t0 + timedelta(microseconds=i + 12 * take))
        for take in (1, 0)  # the second set first: order comes from the parts, not arrival
        for i, name in enumerate(names)
    ]
    members += [
        member(1, Relation.STEM_EXTRACTED, "without:bass", t0),
        member(1, Relation.STEM_EXTRACTED, "bass", t0),
        member(1, Relation.ALL_STEMS, "drums", t0, state=SongState.FAILED),
        member(2, Relation.ALL_STEMS, "drums", t0),  # another song's
        member(1, Relation.STEM, "", t0),  # the two-way split has its own place
    ]
    rows = stems.mixer(members, song)
    assert [r["song"].stem_type for r in rows] == [*names, "bass", "without:bass"]
    first_set = {m.stem_type: m for m in members[12:24]}
    assert all(r["song"] is first_set[r["song"].stem_type] for r in rows[:12])
    assert [str(r["label"]) for r in rows[-2:]] == ["Bass", "Without bass"]
