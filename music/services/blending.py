"""New songs made from the team's songs: a mashup of two, or a song inspired by 1-4 (#15).

The songs are picked from the team's own library and checked here again, whatever the form
let through: of this team (teams are walls), ready, not in the trash. A mashup goes to the
account that made its songs (their ids only exist there); an inspo song's references are
lent to the provider through signed links (services.references), so any account may make it.
"""

from django.utils.translation import gettext as _

from music.models import Action, Song, SongState
from music.services import capabilities
from music.services.actions import ActionRefused, require, require_offered
from music.services.tasks import DEFAULT, default_account, start_task

INSPO_MAX = 4


def pickable(team):
    """The team's songs a mashup or inspo may start from, newest first."""
    return (
        Song.objects.filter(team=team, state=SongState.SUCCEEDED, trashed_at__isnull=True)
        .select_related("account")
        .order_by("-created_at", "id")
    )


def pick(team, song_ids):
    """The team's songs with these ids, in the order given; refuses any other id."""
    found = {str(s.pk): s for s in pickable(team).filter(pk__in=list(song_ids))}
    missing = [i for i in song_ids if str(i) not in found]
    if missing:
        raise ActionRefused(
            _("A song you picked is not a finished song of this team (or is in the trash).")
        )
    return [found[str(i)] for i in song_ids]


def mashup(membership, song_ids, words, request_key=""):
    """One song made of two (`words`: prompt, or lyrics / style / title, model, pool)."""
    if len(song_ids) != 2 or str(song_ids[0]) == str(song_ids[1]):
        raise ActionRefused(_("Pick two different songs to mash up."))
    first, second = pick(membership.team, song_ids)
    for song in (first, second):
        require(song, capabilities.MASHUP)
    if first.account_id != second.account_id:
        raise ActionRefused(
            _(
                "“%(a)s” and “%(b)s” were made with different provider accounts; a mashup "
                "needs two songs of the same account."
            )
            % {"a": first, "b": second}
        )
    params = {
        **words,
        "action": Action.MASHUP,
        "mashup_audio_ids": [first.upstream_id, second.upstream_id],
        "other_song": str(second.pk),
        "custom": bool(words.get("lyric")) or bool(words.get("instrumental")),
    }
    if not params.get("title"):
        params["title"] = f"{first.title} × {second.title}"[:200]
    return start_task(
        team=membership.team,
        user=membership.user,
        action=Action.MASHUP,
        params=params,
        source_song=first,
        request_key=request_key,
    )


def inspo(membership, song_ids, words, request_key="", account=DEFAULT):
    """A new song inspired by 1-4 of the team's songs (`words`: prompt, title, style, model,
    audio_weight, pool); the first is its parent in the family tree."""
    if not 1 <= len(song_ids) <= INSPO_MAX:
        raise ActionRefused(_("Pick 1 to 4 songs as references."))
    references = pick(membership.team, song_ids)
    # Not the first song's account: the references travel as links, not as its clip ids.
    if account is DEFAULT:
        account = default_account(membership.team)
    require_offered(account, capabilities.INSPO)
    silent = [song for song in references if not song.audio_file]
    if silent:
        raise ActionRefused(
            _("“%(title)s” has no audio in the studio to lend to the provider.")
            % {"title": silent[0]}
        )
    params = {
        **words,
        "action": Action.INSPO,
        "reference_songs": [str(song.pk) for song in references],
    }
    return start_task(
        team=membership.team,
        user=membership.user,
        action=Action.INSPO,
        params=params,
        source_song=references[0],
        request_key=request_key,
        account=account,
    )
