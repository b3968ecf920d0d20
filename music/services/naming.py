"""A song's title line: its title, which take of its job it is (A, B, ...) and what kind of
song it is when not a plain generation ("Coastal Line · B", "Coastal Line — extension B").
The letter and the kind are never part of the stored title: a member's new title keeps them.
Also the one line a card says about who last did what ("Renamed by Bo")."""

import re

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from music.models import Relation, SongEventKind

KIND_WORDS = {
    Relation.EXTENDED: pgettext_lazy("kind of song in its title line", "extension"),
    Relation.CONCATENATED: pgettext_lazy("kind of song in its title line", "whole song"),
    Relation.REPLACED: pgettext_lazy("kind of song in its title line", "section replaced"),
    Relation.STEM: pgettext_lazy("kind of song in its title line", "stem"),
    Relation.COVERED: pgettext_lazy("kind of song in its title line", "cover"),
    Relation.UPLOADED: pgettext_lazy("kind of song in its title line", "upload"),
    Relation.PERSONA: pgettext_lazy("kind of song in its title line", "persona song"),
    Relation.INSTRUMENTAL_ADDED: pgettext_lazy(
        "kind of song in its title line", "instrumental added"
    ),
    Relation.VOCALS_ADDED: pgettext_lazy("kind of song in its title line", "vocals added"),
    Relation.ALL_STEMS: pgettext_lazy("kind of song in its title line", "stem"),
    Relation.STEM_EXTRACTED: pgettext_lazy("kind of song in its title line", "stem"),
    Relation.STEM_ADDED: pgettext_lazy("kind of song in its title line", "stem added"),
    Relation.PERSONA_V2: pgettext_lazy("kind of song in its title line", "persona v2 song"),
}
# Stems whose title names their part ("… (Bass)"): the part tells them apart, not a letter.
PART_NAMED = (Relation.ALL_STEMS, Relation.STEM_EXTRACTED)
VOCALS_STEM = pgettext_lazy("kind of song in its title line", "vocals stem")
INSTRUMENTAL_STEM = pgettext_lazy("kind of song in its title line", "instrumental stem")
# Providers name a stem after its part ("Coastal Line - Vocals", "… (Instrumental)").
VOCALS = re.compile(r"vocal|人声", re.IGNORECASE)
INSTRUMENTAL = re.compile(r"instrumental|伴奏", re.IGNORECASE)


def take_letter(take):
    """A, B, ... for takes 1, 2, ...; "" for the only clip of its job."""
    if take <= 0:
        return ""
    letters = ""
    while take:
        take, rest = divmod(take - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def title_suffix(relation, take, title=""):
    """What follows the title: "· B", "— extension B", "— vocals stem", or ""."""
    letter = take_letter(take)
    kind = KIND_WORDS.get(relation)
    if relation == Relation.STEM:
        # A stem named after its part needs no letter: the part tells the two apart.
        if VOCALS.search(title):
            kind, letter = VOCALS_STEM, ""
        elif INSTRUMENTAL.search(title):
            kind, letter = INSTRUMENTAL_STEM, ""
    if relation in PART_NAMED:
        letter = ""
    if kind is None:
        return f"· {letter}" if letter else ""
    return f"— {kind} {letter}" if letter else f"— {kind}"


def song_suffix(song):
    return title_suffix(song.relation, song.take, song.title)


def full_title(song):
    """The title line as plain text (the player bar, page titles, labels)."""
    suffix = song_suffix(song)
    return f"{song} {suffix}" if suffix else str(song)


# What a card says a member did last, by the song's latest event.
EVENT_LINES = {
    SongEventKind.RENAMED: _("Renamed by %(who)s"),
    SongEventKind.NOTES: _("Notes changed by %(who)s"),
    SongEventKind.SHARED: _("Shared by %(who)s"),
    SongEventKind.UNSHARED: _("Share link turned off by %(who)s"),
    SongEventKind.TRASHED: _("Trashed by %(who)s"),
    SongEventKind.RESTORED: _("Restored by %(who)s"),
}
MADE_BY = _("Made by %(who)s")
SOMEONE = _("someone")


def activity_line(song, author=""):
    """(what, when) for a card: the latest event, else who made it and when."""
    line = EVENT_LINES.get(song.last_event_kind)
    if line is not None and song.last_event_at is not None:
        return line % {"who": song.last_event_by or SOMEONE}, song.last_event_at
    return MADE_BY % {"who": author or SOMEONE}, song.created_at
