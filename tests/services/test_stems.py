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
        "title": "",
    }
    return SimpleNamespace(**{**values, **extra})


T0 = datetime(2026, 1, 1, tzinfo=UTC)
NAMES = [name for name, _label in stems.STEM_TYPES]


def twelve(parent=1, take=0, start=0):
    return [
        member(parent, Relation.ALL_STEMS, name, T0 + timedelta(microseconds=start + i))
        for i, name in enumerate(NAMES)
    ]


def test_the_mixer_plays_one_whole_set_the_twelve_first_in_the_providers_order():
    song = SimpleNamespace(pk=1)
    second, first = twelve(start=100), twelve(start=0)
    members = [*second, *first]  # the second set arrives first: order is the parts'
    members += [
        member(1, Relation.STEM_EXTRACTED, "without:bass", T0),
        member(1, Relation.STEM_EXTRACTED, "bass", T0),
        member(1, Relation.ALL_STEMS, "drums", T0, state=SongState.FAILED),
        member(2, Relation.ALL_STEMS, "drums", T0),  # another song's
        member(1, Relation.STEM, "", T0, title="Song - Vocals"),
    ]
    rows = stems.mixer(members, song)
    # Only the twelve: an extraction or the split beside them would double the song.
    assert [r["song"] for r in rows] == first


def test_without_twelve_the_mixer_plays_the_latest_extraction_then_the_split():
    song = SimpleNamespace(pk=1)
    members = [
        member(1, Relation.STEM_EXTRACTED, "drums", T0),
        member(1, Relation.STEM_EXTRACTED, "without:drums", T0),
        member(1, Relation.STEM_EXTRACTED, "without:bass", T0 + timedelta(seconds=5)),
        member(1, Relation.STEM_EXTRACTED, "bass", T0 + timedelta(seconds=5)),
        member(1, Relation.STEM, "", T0, title="Song - Vocals"),
        member(1, Relation.STEM, "", T0, title="Song - Instrumental"),
    ]
    rows = stems.mixer(members, song)
    assert [r["song"].stem_type for r in rows] == ["bass", "without:bass"]
    assert [str(r["label"]) for r in rows] == ["Bass", "Without bass"]
    split = stems.mixer(members[4:], song)
    assert [str(r["label"]) for r in split] == ["Vocals", "Instrumental"]
