"""What a member can do with a song: each action checks the song, then queues one task.

Forms check the user's input against the upstream's limits; these functions check the
song itself (ready, of the right kind, Pro-made where the upstream needs it), so the same
rules hold whatever calls them.
"""

from django.utils.translation import gettext as _

from music.models import Action, LyricTiming, Relation, SongState
from music.services.tasks import DEFAULT, start_task


class ActionRefused(Exception):
    """The song cannot take this action; the message says why, in the user's language."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


def require_ready(song):
    if song.state in (SongState.PENDING, SongState.RUNNING):
        raise ActionRefused(
            _("“%(title)s” is still being made. Wait until it is ready.") % {"title": song}
        )
    if song.state == SongState.FAILED:
        raise ActionRefused(
            _("“%(title)s” failed, so there is nothing to work from.") % {"title": song}
        )


def _start(membership, action, params, song=None, request_key="", account=DEFAULT):
    # A second click on a once-per-song action lands on the first task (start_task).
    return start_task(
        team=membership.team,
        user=membership.user,
        action=action,
        params=params,
        source_song=song,
        request_key=request_key,
        account=account,
    )


def on_relay(song):
    return song.account is not None and not song.account.has_pools


def require_pro_made(song, what):
    if on_relay(song):
        return
    if not song.is_pro:
        raise ActionRefused(
            _("%(what)s only works on songs made in the Pro pool, and “%(title)s” was not.")
            % {"what": what, "title": song}
        )


def require_auk_on_relay(song, what):
    """Relay gateways offer stems, timing and MP4 only for chirp-auk (v4.5) songs (seed 000)."""
    if on_relay(song) and song.model_name not in ("chirp-v4-5", "chirp-auk"):
        raise ActionRefused(
            _("This provider offers %(what)s only for songs made with v4.5 (chirp-auk).")
            % {"what": what}
        )


def extend(membership, song, words, *, continue_at, request_key=""):
    """Continue a song from a second; an upload is continued with `upload_extend`."""
    require_ready(song)
    if song.duration and not 0 < continue_at <= song.duration:
        raise ActionRefused(
            _("Continue from a second between 0 and the song's end (%(end)s s).")
            % {"end": round(song.duration, 1)}
        )
    action = Action.UPLOAD_EXTEND if song.relation == Relation.UPLOADED else Action.EXTEND
    params = {
        **words,
        "action": action,
        "audio_id": song.upstream_id,
        "continue_at": continue_at,
        "custom": True,
        "source_task_id": song.task.upstream_id if song.task else "",
    }
    return _start(membership, action, params, song, request_key)


def concat(membership, song, request_key=""):
    """Join a fragment (an extension or a replaced section) and what came before it."""
    require_ready(song)
    if not song.is_fragment:
        raise ActionRefused(
            _(
                "“%(title)s” is already a whole song; only an extension or a "
                "replaced section can be joined into one."
            )
            % {"title": song}
        )
    params = {
        "action": Action.CONCAT,
        "audio_id": song.upstream_id,
        "is_infill": song.relation == Relation.REPLACED,
    }
    return _start(membership, Action.CONCAT, params, song, request_key)


def cover(membership, song, words, request_key=""):
    require_ready(song)
    params = {**words, "action": Action.COVER, "audio_id": song.upstream_id, "is_pro": True}
    params["custom"] = bool(params.get("lyric"))
    return _start(membership, Action.COVER, params, song, request_key)


def stems(membership, song, request_key=""):
    require_ready(song)
    if song.relation == Relation.STEM:
        raise ActionRefused(_("“%(title)s” is already a stem.") % {"title": song})
    require_pro_made(song, _("Splitting stems"))
    require_auk_on_relay(song, _("stems"))
    params = {"action": Action.STEMS, "audio_id": song.upstream_id, "is_pro": True}
    return _start(membership, Action.STEMS, params, song, request_key)


def upload(membership, audio_url, request_key="", account=DEFAULT):
    params = {"action": Action.UPLOAD, "audio_url": audio_url}
    return _start(membership, Action.UPLOAD, params, None, request_key, account)


def upload_generate(membership, audio_url, words, *, continue_at, request_key="", account=DEFAULT):
    params = {
        **words,
        "action": Action.UPLOAD_GENERATE,
        "audio_url": audio_url,
        "continue_at": continue_at,
        "custom": True,
    }
    return _start(membership, Action.UPLOAD_GENERATE, params, None, request_key, account)


def make_persona(membership, song, *, name, description, request_key=""):
    require_ready(song)
    if song.relation == Relation.UPLOADED:
        raise ActionRefused(
            _("A persona cannot be made from an uploaded song; pick a song the model sang.")
        )
    require_pro_made(song, _("Making a persona"))
    params = {
        "action": Action.PERSONA,
        "audio_id": song.upstream_id,
        "name": name,
        "description": description,
    }
    return _start(membership, Action.PERSONA, params, song, request_key)


def persona_song(membership, persona, words, request_key=""):
    """A new song sung by a persona (`artist_consistency`)."""
    params = {
        **words,
        "action": Action.ARTIST_CONSISTENCY,
        "persona_id": persona.upstream_id,
        "audio_id": persona.source_song.upstream_id,
        "is_pro": True,
    }
    return _start(membership, Action.ARTIST_CONSISTENCY, params, persona.source_song, request_key)


def replace_section_params(song, replacement, *, model, is_pro, auto_concat=False):
    """The task parameters for a replacement (also what the editor previews)."""
    return {
        "action": Action.REPLACE_SECTION,
        "audio_id": song.upstream_id,
        "lyric": replacement.lyric,
        "prompt": replacement.prompt,
        "replace_section_start": round(replacement.start, 3),
        "replace_section_end": round(replacement.end, 3),
        "model": model,
        "custom": False,
        "instrumental": False,
        "is_pro": is_pro,
        "auto_concat": auto_concat,
    }


def replace_section(membership, song, replacement, *, model, is_pro, auto_concat, request_key=""):
    """Sing new lines in a window of the song; the result is a fragment to concatenate."""
    require_ready(song)
    params = replace_section_params(
        song, replacement, model=model, is_pro=is_pro, auto_concat=auto_concat
    )
    return _start(membership, Action.REPLACE_SECTION, params, song, request_key)


def _export(membership, song, action, request_key):
    """Timing, WAV and MP4: one synchronous request about one song."""
    params = {"action": action, "audio_id": song.upstream_id}
    return _start(membership, action, params, song, request_key)


def fetch_timing(membership, song, request_key=""):
    require_ready(song)
    require_auk_on_relay(song, _("lyric timing"))
    if LyricTiming.objects.filter(song=song).exists():
        return None
    return _export(membership, song, Action.TIMING, request_key)


def export_wav(membership, song, request_key=""):
    require_ready(song)
    require_pro_made(song, _("WAV export"))
    if song.wav_file:
        return None
    return _export(membership, song, Action.WAV, request_key)


def export_mp4(membership, song, request_key=""):
    require_ready(song)
    require_auk_on_relay(song, _("MP4 videos"))
    if song.video_file:
        return None
    return _export(membership, song, Action.MP4, request_key)
