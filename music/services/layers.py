"""Add a layer to a song in a window: an instrumental under its vocals (`underpainting`) or
vocals over its instrumental (`overpainting`), issue #15. Each is one task; its two takes
join the family tree as "Instrumental added to" / "Vocals added to" the song."""

from django.utils.translation import gettext as _

from music.models import Action
from music.services import capabilities
from music.services.actions import ActionRefused, _start, require


def _check_window(song, start, end):
    if start is None or end is None or not 0 <= start < end:
        raise ActionRefused(_("Pick a window inside the song, its end after its start."))
    if song.duration and end > song.duration + 1e-6:
        raise ActionRefused(
            _("The song is only %(end)s s long; end the new part inside it.")
            % {"end": round(song.duration, 1)}
        )


def _add_layer(membership, song, action, capability, params, request_key):
    require(song, capability)
    _check_window(song, params.get(f"{action}_start"), params.get(f"{action}_end"))
    params = {**params, "action": action, "audio_id": song.upstream_id}
    return _start(membership, action, params, song, request_key)


def add_instrumental(membership, song, params, request_key=""):
    """`params`: model, is_pro, style and the window (underpainting_start/_end)."""
    return _add_layer(
        membership,
        song,
        Action.UNDERPAINTING,
        capabilities.ADD_INSTRUMENTAL,
        params,
        request_key,
    )


def add_vocals(membership, song, params, request_key=""):
    """`params`: model, is_pro, lyric, style and the window (overpainting_start/_end)."""
    if not (params.get("lyric") or "").strip():
        raise ActionRefused(_("Write the lyrics to sing."))
    params = {**params, "custom": True}
    return _add_layer(
        membership, song, Action.OVERPAINTING, capabilities.ADD_VOCALS, params, request_key
    )
