"""Stems beyond the two-way split (issue #15): all twelve of a song, one instrument added,
one isolated; and the song page's mixer of a song's stems.

A stem song records which part it is (`Song.stem_type`), read once from the name the
provider gives it ("Coastal Line (Bass)", "… (Without Bass)"), so a member's new title keeps
its place in the mixer.
"""

import re

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from music.models import Action, Relation, SongState
from music.services import capabilities
from music.services.actions import ActionRefused, _start, require
from music.services.naming import VOCALS

# The twelve parts, in the order providers list them, with the words a musician reads.
STEM_TYPES = [
    ("vocals", gettext_lazy("Vocals")),
    ("backing_vocals", gettext_lazy("Backing vocals")),
    ("drums", gettext_lazy("Drums")),
    ("bass", gettext_lazy("Bass")),
    ("guitar", gettext_lazy("Guitar")),
    ("keyboard", gettext_lazy("Keyboard")),
    ("percussion", gettext_lazy("Percussion")),
    ("strings", gettext_lazy("Strings")),
    ("synth", gettext_lazy("Synth")),
    ("fx", gettext_lazy("FX")),
    ("brass", gettext_lazy("Brass")),
    ("woodwinds", gettext_lazy("Woodwinds")),
]
LABELS = dict(STEM_TYPES)
ORDER = {name: i for i, (name, _label) in enumerate(STEM_TYPES)}
WITHOUT = "without:"  # the remainder of an extraction: the song without that part
# The part names as providers title them, longest first ("Backing Vocals" before "Vocals").
_NAMES = sorted(((n.replace("_", " "), n) for n in LABELS), key=lambda p: -len(p[0]))
_TITLE = re.compile(
    r"[(\-–—]\s*(without\s+)?(" + "|".join(re.escape(w) for w, _n in _NAMES) + r")\s*\)?\s*$",
    re.IGNORECASE,
)
STEM_RELATIONS = (Relation.ALL_STEMS, Relation.STEM_EXTRACTED)
AUDIO_FORMATS = ("mp3",)


def stem_type_of(title):
    """The part a provider's stem title names: "bass", "without:bass" or ""."""
    found = _TITLE.search(title or "")
    if not found:
        return ""
    name = dict(_NAMES)[found.group(2).lower()]
    return WITHOUT + name if found.group(1) else name


def label(stem_type):
    """ "Bass", "Without bass" (translated), or "" for no known part."""
    if stem_type.startswith(WITHOUT):
        part = LABELS.get(stem_type[len(WITHOUT) :])
        return _("Without %(part)s") % {"part": str(part).lower()} if part else ""
    return str(LABELS.get(stem_type, ""))


# --- actions ---------------------------------------------------------------------------
def _has_children(song, relation):
    return song.children.filter(relation=relation, trashed_at__isnull=True).exclude(
        state=SongState.FAILED
    )


def all_stems(membership, song, request_key=""):
    """Split a song into its twelve stems; None when they are in its family tree already."""
    if song.is_ready and _has_children(song, Relation.ALL_STEMS).exists():
        return None
    require(song, capabilities.ALL_STEMS)
    params = {"action": Action.ALL_STEMS, "audio_id": song.upstream_id}
    return _start(membership, Action.ALL_STEMS, params, song, request_key)


def _stem_type(stem_type):
    if stem_type not in LABELS:
        raise ActionRefused(_("Pick one of the twelve parts."))
    return stem_type


def extract_stem(membership, song, *, stem_type, audio_format="", request_key=""):
    """One part of the song on its own, and the song without it."""
    require(song, capabilities.EXTRACT_STEM)
    params = {
        "action": Action.EXTRACT_STEM,
        "audio_id": song.upstream_id,
        "stem_type": _stem_type(stem_type),
    }
    if audio_format:
        if audio_format not in AUDIO_FORMATS:
            raise ActionRefused(_("The provider makes MP3 stems only."))
        params["audio_format"] = audio_format
    return _start(membership, Action.EXTRACT_STEM, params, song, request_key)


def add_stem(membership, song, *, stem_type, prompt="", style="", request_key=""):
    """The song with one more part played over it (two takes)."""
    require(song, capabilities.ADD_STEM)
    params = {
        "action": Action.ADD_STEM,
        "audio_id": song.upstream_id,
        "stem_type": _stem_type(stem_type),
        "model": "",  # the provider plays the new part with the song's own model
    }
    if prompt:
        params["prompt"] = prompt
    if style:
        params["style"] = style
    return _start(membership, Action.ADD_STEM, params, song, request_key)


# --- the song page's mixer -------------------------------------------------------------
def mixer(members, song):
    """The rows of `song`'s mixer: one whole set of its ready stems, so that playing every
    row is the song again: the twelve stems (in the providers' order, the first of each part:
    a provider may answer with two sets), else the latest extraction (the part and the rest),
    else the two-way split. `members`: the family's songs, loaded."""
    mine = [
        m
        for m in members
        if m.parent_id == song.pk
        and m.state == SongState.SUCCEEDED
        and m.trashed_at is None
        and m.audio_file
    ]
    mine.sort(key=lambda m: m.created_at)
    twelve = [m for m in mine if m.relation == Relation.ALL_STEMS]
    if twelve:
        twelve.sort(key=lambda m: ORDER.get(m.stem_type, 99))
        return _rows(twelve)
    extracted = [m for m in mine if m.relation == Relation.STEM_EXTRACTED and m.stem_type]
    if extracted:
        part = extracted[-1].stem_type.removeprefix(WITHOUT)
        pair = [m for m in extracted if m.stem_type in (part, WITHOUT + part)]
        pair.sort(key=lambda m: (m.stem_type.startswith(WITHOUT), -m.created_at.timestamp()))
        return _rows(pair)
    split = [m for m in mine if m.relation == Relation.STEM]
    return [
        {
            "song": m,
            "label": LABELS["vocals"]
            if VOCALS.search(m.title)
            else pgettext("stem mixer row", "Instrumental"),
        }
        for m in split[:2]
    ]


def _rows(songs):
    rows, seen = [], set()
    for stem in songs:
        key = stem.stem_type or str(stem.pk)
        if key not in seen:
            seen.add(key)
            rows.append({"song": stem, "label": label(stem.stem_type) or str(stem)})
    return rows
