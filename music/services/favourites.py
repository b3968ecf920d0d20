"""Each member's favourite songs."""

from django.db import IntegrityError, transaction

from music.models import Favourite


def set_favourite(user, song, on):
    """Make `song` a favourite of `user` or not; safe against a double click's race."""
    if not on:
        Favourite.objects.filter(user=user, song=song).delete()
        return False
    try:
        with transaction.atomic():
            Favourite.objects.get_or_create(user=user, song=song)
    except IntegrityError:
        pass  # the other click made it: it is a favourite either way
    return True
