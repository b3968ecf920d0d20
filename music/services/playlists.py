"""Team playlists: ordered songs, added once each, reordered by moves or a whole new order."""

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.shortcuts import get_object_or_404

from music.models import Playlist, PlaylistItem


def team_playlists(team):
    return Playlist.objects.filter(team=team).order_by("name", "id")


def get_playlist(team, playlist_id):
    """A team's playlist or 404 (other teams' playlists do not exist for this team)."""
    return get_object_or_404(Playlist, team=team, pk=playlist_id)


def create(team, user, name):
    return Playlist.objects.create(team=team, name=name, created_by=user)


def items(playlist):
    """The playlist's songs in order (those in the trash left out), with their authors."""
    return list(
        playlist.items.filter(song__trashed_at__isnull=True)
        .select_related("song", "song__author")
        .order_by("position", "id")
    )


@transaction.atomic
def add(playlist, songs, user):
    """Append songs not already in the playlist; returns how many were added."""
    Playlist.objects.select_for_update().filter(pk=playlist.pk).first()  # one writer at a time
    last = playlist.items.aggregate(last=Max("position"))["last"] or 0
    have = set(playlist.items.values_list("song_id", flat=True))
    added = 0
    for song in songs:
        if song.pk in have or song.team_id != playlist.team_id:
            continue
        last += 1
        try:
            with transaction.atomic():
                PlaylistItem.objects.create(
                    playlist=playlist, song=song, position=last, added_by=user
                )
        except IntegrityError:
            continue  # added meanwhile
        have.add(song.pk)
        added += 1
    return added


def remove(playlist, item_id):
    return playlist.items.filter(pk=item_id).delete()[0]


@transaction.atomic
def move(playlist, item_id, offset):
    """Move one item up (-1) or down (+1)."""
    ordered = list(playlist.items.select_for_update().order_by("position", "id"))
    index = next((i for i, item in enumerate(ordered) if item.pk == item_id), None)
    if index is None:
        return False
    target = index + offset
    if not 0 <= target < len(ordered):
        return False
    ordered[index], ordered[target] = ordered[target], ordered[index]
    _renumber(ordered)
    return True


@transaction.atomic
def reorder(playlist, item_ids):
    """A whole new order (what dragging sends); ids it does not name keep their place after."""
    ordered = list(playlist.items.select_for_update().order_by("position", "id"))
    by_id = {item.pk: item for item in ordered}
    named = [by_id[i] for i in dict.fromkeys(item_ids) if i in by_id]
    rest = [item for item in ordered if item not in named]
    _renumber(named + rest)


def _renumber(ordered):
    changed = []
    for position, item in enumerate(ordered, start=1):
        if item.position != position:
            item.position = position
            changed.append(item)
    PlaylistItem.objects.bulk_update(changed, ["position"])
