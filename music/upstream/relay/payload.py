"""Request building: what each studio action becomes in the relay's native fields."""

import math

from music import catalogue
from music.upstream.base import SongRequest

# What each studio action becomes in the native `task` field.
NATIVE_TASK = {
    "extend": "extend",
    "upload_extend": "upload_extend",
    "cover": "cover",
    "upload_cover": "cover",  # one `cover_clip_id` covers any clip, an upload too
    "replace_section": "infill",
    "artist_consistency": "artist_consistency",
}
# Actions of SunoHub's format (issue #15) that no relay seller documents a way to ask for:
# the studio never offers them on a relay account, and refuses them if asked.
# (The relay's `gen_stem` task is the two-way split; no seller's documentation we could find
# says how to ask it for twelve stems, add one or extract one.)
NO_WAY = ("remaster", "adjust_speed", "samples", "all_stems", "add_stem", "extract_stem")
# Nor mashups or inspo (new-api's `task` values and `metadata_params`, seed 000 and the
# resellers' pages found name neither, nor `/suno/mashup-lyrics`).
NO_WAY += ("mashup", "inspo")
# Voices and side files (SunoHub's `/suno/midi`, `/suno/vox`, `/suno/voices`): seed 000 has no
# endpoint for any of them, nor a list of the key's personas to read or delete.
NO_WAY += ("midi", "vox", "voices", "artist_consistency_vox")
# Add instrumental / Add vocals: resellers document them as a `task` with the window in
# `metadata_params`, in whole seconds (doc.aimanyi.top "生成歌曲（添加伴奏 / 添加人声）").
LAYER_TASKS = ("underpainting", "overpainting")
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


def layer_body(r):
    """The body of an Add instrumental / Add vocals task. Seconds go down to whole ones,
    so the window's end stays inside the song, as the sellers require."""
    name = r.action
    start = getattr(r, f"{name}_start") or 0
    end = getattr(r, f"{name}_end") or 0
    return {
        "mv": mv_for(r.model),
        "prompt": r.lyric if name == "overpainting" else "",
        "tags": r.style,
        "title": r.title,
        "task": name,
        "metadata_params": {
            f"{name}_clip_id": r.audio_id,
            f"{name}_start_s": math.floor(start),
            f"{name}_end_s": math.floor(end),
        },
    }


def build_payload(request: SongRequest, callback_url: str = "") -> dict:
    r = request
    if r.action in LAYER_TASKS:
        payload = layer_body(r)
    elif r.action == "concat":
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
        if r.action in ("cover", "upload_cover"):
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
