"""Request building: what each studio action becomes in the relay's native fields."""

from music import catalogue
from music.upstream.base import SongRequest

# What each studio action becomes in the native `task` field.
NATIVE_TASK = {
    "extend": "extend",
    "upload_extend": "upload_extend",
    "cover": "cover",
    "replace_section": "infill",
    "artist_consistency": "artist_consistency",
}
# Actions of SunoHub's format (issue #15) that no relay seller documents a way to ask for:
# the studio never offers them on a relay account, and refuses them if asked.
NO_WAY = (
    "remaster",
    "adjust_speed",
    "samples",
    # Voices and side files (SunoHub's `/suno/midi`, `/suno/vox`, `/suno/voices`): seed 000
    # has no endpoint for any of them, nor a list of the key's personas to read or delete.
    "midi",
    "vox",
    "voices",
    "artist_consistency_vox",
)
# Actions that are a GET of one of a clip's artifacts (`/suno/act/{action}/{clip_id}`).
ACT_ACTIONS = ("stems", "timing", "wav", "mp4")
# Actions whose words may be all style (a custom instrumental): the format still wants a
# `prompt`, and strict sellers refuse a body without one.
WORDED_ACTIONS = ("generate", "extend", "upload_extend", "upload_generate", "artist_consistency")


def mv_for(model_key):
    return catalogue.get_model(model_key).wire_name("relay")


def persona_body(name, description, audio_id):
    """Seed 000's `/suno/persona/create` body (private: a team's voice is its own)."""
    return {
        "root_clip_id": audio_id,
        "name": name,
        "description": description,
        "clips": [audio_id],
        "is_public": False,
    }


def build_payload(request: SongRequest, callback_url: str = "") -> dict:
    r = request
    if r.action == "concat":
        payload = {"clip_id": r.audio_id, "is_infill": bool(r.is_infill)}
    elif r.action == "stems":
        payload = {"clip_id": r.audio_id}
    else:
        payload = {"mv": mv_for(r.model), "make_instrumental": bool(r.instrumental)}
        if r.lyric:
            payload["prompt"] = r.lyric
        elif r.action == "replace_section":
            payload["prompt"] = r.prompt
        elif r.prompt:
            payload["gpt_description_prompt"] = r.prompt
        elif r.custom and r.action in WORDED_ACTIONS and (r.style or r.title):
            # A custom instrumental from a style alone: `prompt` (the words) is required,
            # and an instrumental sings none of it.
            payload["prompt"] = r.style or r.title
        for name, value in (
            ("tags", r.style),
            ("negative_tags", r.style_negative),
            ("title", r.title),
        ):
            if value:
                payload[name] = value
        task = NATIVE_TASK.get(r.action)
        if r.action == "upload_generate":
            task = "upload_extend"  # after the upload step in submit()
        if task:
            payload["task"] = task
        if r.action in ("extend", "upload_extend", "replace_section"):
            payload["continue_clip_id"] = r.audio_id
        if r.action in ("extend", "upload_extend", "upload_generate"):
            payload["continue_at"] = r.continue_at
        if r.action == "extend" and r.source_task_id:
            payload["task_id"] = r.source_task_id
        if r.action == "cover":
            payload["cover_clip_id"] = r.audio_id
        if r.action == "replace_section":
            payload["infill_start_s"] = r.replace_section_start
            payload["infill_end_s"] = r.replace_section_end
            payload["infill_lyrics"] = r.prompt
        if r.action == "artist_consistency":
            payload["persona_id"] = r.persona_id
            payload["artist_clip_id"] = r.audio_id
    if callback_url and r.action != "stems":
        payload["notify_hook"] = callback_url
    return payload


def describe_request(action, params, callback_url=""):
    audio_id = params.get("audio_id", "")
    if action in ACT_ACTIONS:
        return {"method": "GET", "path": f"/suno/act/{action}/{audio_id}"}
    if action == "upload":
        return {"url": params.get("audio_url", "")}
    if action == "persona":
        return persona_body(params.get("name", ""), params.get("description", ""), audio_id)
    return build_payload(SongRequest.from_params(params), callback_url)
