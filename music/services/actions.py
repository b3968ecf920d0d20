"""What a member can do with a song: each action checks the song, then queues one task.

Forms check the user's input against the upstream's limits; these functions check the
song itself and its provider account (`services.capabilities`: ready, of the right kind,
offered by the account, Pro-made where the upstream needs it), so the same rules hold
whatever calls them, and the song page offers exactly what they accept.
"""

from django.utils.translation import gettext as _

from music.models import Action, LyricTiming, PersonaKind, Relation, SongState
from music.services import capabilities
from music.services.tasks import DEFAULT, start_task


class ActionRefused(Exception):
    """The song cannot take this action; the message says why, in the user's language."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


def require_ready(song):
    """Refuse work from a song still being made or failed (what every action checks first)."""
    refusal = capabilities.readiness_refusal(song)
    if refusal:
        raise ActionRefused(refusal)


def require(song, action):
    """Refuse unless the song and its account can take `action` (capabilities.check)."""
    offer = capabilities.check(song, action)
    if not offer.allowed:
        raise ActionRefused(offer.reason)


def require_offered(account, *actions):
    """Refuse unless the account offers each action (work that starts from no song)."""
    for action in actions:
        refusal = capabilities.account_refusal(account, action)
        if refusal:
            raise ActionRefused(refusal)


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


def extend(membership, song, words, *, continue_at, request_key=""):
    """Continue a song from a second; an upload is continued with `upload_extend`."""
    require(song, capabilities.EXTEND)
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
    """Join a fragment (an extension or a replaced section) and what came before it.
    Returns None when it is joined already: the whole song is in the family tree."""
    if song.is_ready and song.is_fragment and _has_child(song, Relation.CONCATENATED):
        return None
    require(song, capabilities.CONCAT)
    params = {
        "action": Action.CONCAT,
        "audio_id": song.upstream_id,
        "is_infill": song.relation == Relation.REPLACED,
    }
    return _start(membership, Action.CONCAT, params, song, request_key)


def cover(membership, song, words, request_key=""):
    """The song in another style; an uploaded song is covered with `upload_cover`."""
    require(song, capabilities.COVER)
    action = Action.UPLOAD_COVER if song.relation == Relation.UPLOADED else Action.COVER
    params = {**words, "action": action, "audio_id": song.upstream_id, "is_pro": True}
    params["custom"] = bool(params.get("lyric"))
    return _start(membership, action, params, song, request_key)


def stems(membership, song, request_key=""):
    """Split a song into vocals and instrumental; None when its stems are here already."""
    if song.is_ready and _has_child(song, Relation.STEM):
        return None
    require(song, capabilities.STEMS)
    params = {"action": Action.STEMS, "audio_id": song.upstream_id, "is_pro": True}
    return _start(membership, Action.STEMS, params, song, request_key)


# --- reworking a song's own audio (issue #15) -------------------------------------------
SPEED_MIN, SPEED_MAX = 0.25, 4.0


def remaster(membership, song, params, request_key=""):
    """A louder, cleaner master of the song (`params`: model and variation_category)."""
    require(song, capabilities.REMASTER)
    params = {**params, "action": Action.REMASTER, "audio_id": song.upstream_id}
    return _start(membership, Action.REMASTER, params, song, request_key)


def adjust_speed(membership, song, *, speed_multiplier, keep_pitch, title="", request_key=""):
    """The song faster or slower, its pitch kept or following the speed."""
    require(song, capabilities.ADJUST_SPEED)
    if not SPEED_MIN <= speed_multiplier <= SPEED_MAX:
        raise ActionRefused(_("The speed can be 0.25 to 4 times the original."))
    params = {
        "action": Action.ADJUST_SPEED,
        "audio_id": song.upstream_id,
        "speed_multiplier": speed_multiplier,
        "keep_pitch": bool(keep_pitch),
    }
    if title:
        params["title"] = title
    return _start(membership, Action.ADJUST_SPEED, params, song, request_key)


def sample(membership, song, *, start, end, request_key=""):
    """A new song of exactly the seconds `start` to `end` of this one."""
    require(song, capabilities.SAMPLES)
    if not 0 <= start < end or (song.duration and end > song.duration + 1e-6):
        if not song.duration:
            raise ActionRefused(_("Pick a range of the song, its end after its start."))
        raise ActionRefused(
            _("Pick a range inside the song (0 to %(end)s s), its end after its start.")
            % {"end": round(song.duration, 1)}
        )
    params = {
        "action": Action.SAMPLES,
        "audio_id": song.upstream_id,
        "samples_start": round(start, 3),
        "samples_end": round(end, 3),
    }
    return _start(membership, Action.SAMPLES, params, song, request_key)


def upload(
    membership,
    audio_url="",
    request_key="",
    account=DEFAULT,
    *,
    audio_file=None,
    title="",
    then=None,
):
    """Upload audio by link, or a member's stored file (`audio_file`, an AudioUpload the
    provider fetches through a signed link made when the task is sent). The song is named
    `title`. `then` (words and `continue_at`): continue it once it is uploaded, so the
    upload is the root of what is made from it (upload_generate would leave it out)."""
    offered = (capabilities.UPLOAD, capabilities.EXTEND) if then else (capabilities.UPLOAD,)
    require_offered(_account(membership, account), *offered)
    params = {"action": Action.UPLOAD, "audio_url": audio_url}
    if audio_file is not None:
        params["upload_id"] = str(audio_file.pk)
    if title:
        params["title"] = title
    if then:
        params["then"] = then
    return _start(membership, Action.UPLOAD, params, None, request_key, account)


def upload_generate(membership, audio_url, words, *, continue_at, request_key="", account=DEFAULT):
    require_offered(_account(membership, account), capabilities.UPLOAD, capabilities.EXTEND)
    params = {
        **words,
        "action": Action.UPLOAD_GENERATE,
        "audio_url": audio_url,
        "continue_at": continue_at,
        "custom": True,
    }
    return _start(membership, Action.UPLOAD_GENERATE, params, None, request_key, account)


def make_persona(membership, song, *, name, description, request_key=""):
    require(song, capabilities.PERSONA)
    params = {
        "action": Action.PERSONA,
        "audio_id": song.upstream_id,
        "name": name,
        "description": description,
    }
    return _start(membership, Action.PERSONA, params, song, request_key)


def persona_song(membership, persona, words, request_key=""):
    """A new song sung by a persona (`artist_consistency`; a persona v2's own action)."""
    account = persona.voice_account
    require_offered(account, capabilities.PERSONA)
    vox = persona.kind == PersonaKind.VOX
    action = Action.ARTIST_CONSISTENCY_VOX if vox else Action.ARTIST_CONSISTENCY
    params = {**words, "action": action, "persona_id": persona.upstream_id, "is_pro": True}
    if persona.voice_audio_id and persona.kind != PersonaKind.VOICE:
        params["audio_id"] = persona.voice_audio_id
    return _start(membership, action, params, persona.source_song, request_key, account)


def replace_section_params(
    song, replacement, *, model, is_pro, auto_concat=False, result_mode="candidates"
):
    """The task parameters for a replacement (also what the editor previews). `result_mode`:
    `candidates`, two new sections to join (by hand, or `auto_concat`), or `full_song`, two
    whole songs with the section replaced (SunoHub's format only; nothing left to join)."""
    whole = result_mode == "full_song"
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
        "auto_concat": auto_concat and not whole,
        "replace_section_result_mode": "full_song" if whole else "candidates",
    }


def replace_section(
    membership,
    song,
    replacement,
    *,
    model,
    is_pro,
    auto_concat,
    result_mode="candidates",
    request_key="",
):
    """Sing new lines in a window of the song: fragments to concatenate, or whole songs."""
    require(song, capabilities.REPLACE)
    if result_mode == "full_song" and not capabilities.sends_controls(song.account):
        raise ActionRefused(
            _("The relay format returns only the new section; choose “Only the new section”.")
        )
    params = replace_section_params(
        song,
        replacement,
        model=model,
        is_pro=is_pro,
        auto_concat=auto_concat,
        result_mode=result_mode,
    )
    return _start(membership, Action.REPLACE_SECTION, params, song, request_key)


def _export(membership, song, action, request_key):
    """Timing, WAV and MP4: one synchronous request about one song."""
    params = {"action": action, "audio_id": song.upstream_id}
    return _start(membership, action, params, song, request_key)


def fetch_timing(membership, song, request_key=""):
    """Timing, WAV and MP4 return None when the song has it already."""
    if song.is_ready and LyricTiming.objects.filter(song=song).exists():
        return None
    require(song, capabilities.TIMING)
    return _export(membership, song, Action.TIMING, request_key)


def export_wav(membership, song, request_key=""):
    if song.is_ready and song.wav_file:
        return None
    require(song, capabilities.WAV)
    return _export(membership, song, Action.WAV, request_key)


def export_mp4(membership, song, request_key=""):
    if song.is_ready and song.video_file:
        return None
    require(song, capabilities.MP4)
    return _export(membership, song, Action.MP4, request_key)


def _has_child(song, relation):
    return song.children.filter(relation=relation).exclude(state=SongState.FAILED).exists()


def _account(membership, account):
    """The account new work goes to (DEFAULT: the team's default, as start_task picks)."""
    if account is DEFAULT:
        from music.services.tasks import default_account

        return default_account(membership.team)
    return account
