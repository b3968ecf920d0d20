"""Voices and side files of issue #15: MIDI of a song, a persona v2 from a vocal range (and
the song it sings), a private voice from a recording.

Each is a task like the other actions (one payment per request key); a persona v2 is three
calls in a row (`/suno/vox`, then `/suno/persona` with the vox, then `artist_consistency_vox`),
each the next one's task once the one before it has answered (`follow_up`).
"""

from django.utils.translation import gettext as _

from music.models import Action, Persona
from music.services import capabilities
from music.services.actions import (
    ActionRefused,
    _account,
    _export,
    _start,
    require,
    require_offered,
)
from music.services.tasks import DEFAULT
from music.services.uploads import clock

VOICE_MIN_SECONDS, VOICE_MAX_SECONDS = 10.0, 240.0  # AceData's `/suno/voices`
VOX_MIN_SECONDS = 5.0  # a few sung seconds at least: a shorter range holds too little voice


def export_midi(membership, song, request_key=""):
    """The notes of a song as a MIDI file; None when it is here already."""
    if song.is_ready and song.midi_file:
        return None
    require(song, capabilities.MIDI)
    return _export(membership, song, Action.MIDI, request_key)


def persona_v2(membership, song, *, name, description, start, end, words, request_key=""):
    """Isolate the vocals of [start, end], make a persona v2 from them, and have it sing
    a new song (`words`: the persona song form's words)."""
    require(song, capabilities.VOX)
    if not 0 <= start < end or (song.duration and end > song.duration + 1e-6):
        raise ActionRefused(
            _("Pick a range inside the song (0 to %(end)s s), its end after its start.")
            % {"end": round(song.duration or 0, 1)}
        )
    if end - start < VOX_MIN_SECONDS:
        raise ActionRefused(
            _("Pick at least %(seconds)s seconds of singing.") % {"seconds": int(VOX_MIN_SECONDS)}
        )
    params = {
        "action": Action.VOX,
        "audio_id": song.upstream_id,
        "vocal_start": round(start, 3),
        "vocal_end": round(end, 3),
        "name": name,
        "description": description,
        "then": words,
    }
    return _start(membership, Action.VOX, params, song, request_key)


def voice_refusal(seconds):
    """Why a recording this long cannot become a voice, or ""."""
    if seconds < VOICE_MIN_SECONDS:
        return _(
            "The recording lasts %(length)s; a voice needs at least 10 seconds of it "
            "(clean singing or speech, one voice)."
        ) % {"length": clock(seconds)}
    if seconds > VOICE_MAX_SECONDS:
        return _("The recording lasts %(length)s; a voice takes at most 4 minutes of it.") % {
            "length": clock(seconds)
        }
    return ""


def make_voice(
    membership, *, name, description, song=None, upload=None, account=DEFAULT, request_key=""
):
    """A private voice persona from a team song or an uploaded file (AudioUpload)."""
    if song is not None:
        account = song.account
        require_ready_song(song)
    require_offered(_account(membership, account), capabilities.VOICES)
    seconds = song.duration if song is not None else upload.duration
    refusal = voice_refusal(seconds or 0)
    if refusal:
        raise ActionRefused(refusal)
    params = {"action": Action.VOICE, "name": name, "description": description}
    if song is not None:
        params["audio_url"] = song.audio_url
    else:
        params["upload_id"] = str(upload.pk)
    return _start(membership, Action.VOICE, params, song, request_key, account)


def require_ready_song(song):
    from music.services.actions import require_ready

    require_ready(song)


def follow_up(task):
    """After a step of a persona v2 answered: start the next one, once (request keys)."""
    from music.services.tasks.starting import start_task

    p = task.params
    if task.action == Action.VOX:
        action = Action.PERSONA_VOX
        params = {**p, "action": action}  # with the `vox_audio_id` the answer gave
    elif task.action == Action.PERSONA_VOX:
        action = Action.ARTIST_CONSISTENCY_VOX
        params = {
            **p["then"],
            "action": action,
            "persona_id": Persona.objects.get(task=task).upstream_id,
            "audio_id": p["audio_id"],
            "is_pro": True,
        }
    else:
        return
    start_task(
        team=task.team,
        user=task.created_by,
        action=action,
        params=params,
        source_song=task.source_song,
        request_key=f"{action}-{task.pk}",
        account=task.account,
    )
