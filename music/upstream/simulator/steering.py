"""The advanced controls in the simulator: checked like the real service, then heard.

`validate` reads them from a request body (any wire that carries them) and refuses wrong
values with a 400, as AceData does; `steer` turns them into the song recipe the engine
renders, so a test can hear them: `vocal_gender` picks the singer's range, `negative_tags`
takes excluded words out of what the arrangement reads, `weirdness` moves the melody,
`variety` sets how far apart the two takes are ("off": alike; "high" and up: new tunes).
Models older than v4.5 ignore the gated controls, as the docs say they do.
"""

import math

from music import catalogue, controls
from music.upstream.simulator.audio import plan

# `variety` is refused on other actions (AceData: "passing it with other actions will
# return 400"); the studio's simulator has no add_stem, so only generate takes it.
VARIETY_ACTIONS = ("generate", "add_stem")
DURATION_SLACK = 1.0  # seconds a song asked for a length may come out shorter


def validate(body, action):
    """The advanced controls in a `/suno/audios` body, checked; absent ones are left out."""
    from music.upstream.simulator.engine import bad_request  # the engine imports this module

    found = {}
    for name in controls.SLIDERS:
        value = body.get(name)
        if value is None:
            continue
        number = value if isinstance(value, int | float) and not isinstance(value, bool) else None
        if number is None or not math.isfinite(number) or not 0 <= number <= 1:
            raise bad_request(f"`{name}` must be a number from 0 to 1.")
        found[name] = float(number)
    gender = body.get("vocal_gender")
    if gender is not None:
        if gender not in controls.VOCAL_GENDERS:
            raise bad_request("`vocal_gender` must be `f` or `m`.")
        found["vocal_gender"] = gender
    variety = body.get("variety")
    if variety is not None:
        if variety not in controls.VARIETIES:
            raise bad_request("`variety` must be one of off, normal, high, extra, max.")
        if action not in VARIETY_ACTIONS:
            raise bad_request("`variety` is only for the generate and add_stem actions.")
        found["variety"] = variety
    max_mode = body.get("max_mode")
    if max_mode is not None:
        if not isinstance(max_mode, bool):
            raise bad_request("`max_mode` must be true or false.")
        found["max_mode"] = max_mode
    mode = body.get("replace_section_result_mode")
    if mode is not None and mode not in controls.RESULT_MODES:
        raise bad_request("`replace_section_result_mode` must be `full_song` or `candidates`.")
    duration = body.get("duration")
    if duration is not None:
        whole = isinstance(duration, int) and not isinstance(duration, bool)
        if not whole or not controls.DURATION_MIN <= duration <= controls.DURATION_MAX:
            raise bad_request("`duration` must be an integer from 10 to 360 (seconds).")
        found["duration"] = duration
    prompt = body.get("lyric_prompt")
    if prompt is not None and not isinstance(prompt, str):
        raise bad_request("`lyric_prompt` must be a string.")
    return found


def steer(order, specs):
    """The generate specs with the controls applied to each take's recipe."""
    chosen = order.controls or {}
    for spec in specs:
        song = spec["song"]
        if order.style_negative:
            song["style"] = plan.without_styles(song["style"] or "", order.style_negative)
        if "duration" in chosen and order.custom:
            # The song ends about there: its lines stop before, its outro fills up to it
            # (never past what the model, or this simulator, makes in one go).
            song["max_duration"] = min(song["max_duration"], float(chosen["duration"]))
            song["min_duration"] = max(0.0, song["max_duration"] - DURATION_SLACK)
        model = catalogue.MODELS_BY_KEY.get(spec.get("model", ""))
        if model is None or not model.advanced:
            continue
        melody = song.get("melody") or song["seed"]
        if "weirdness" in chosen:
            melody = f"{melody}#weird:{round(chosen['weirdness'] * 10)}"
        variety = chosen.get("variety")
        if variety == "off":
            song["variant"] = 0  # both takes the same recipe: no variety at all
        elif variety in ("high", "extra", "max"):
            melody = f"{melody}#take{song['variant']}:{variety}"
        if melody != song["seed"]:
            song["melody"] = melody
        if "vocal_gender" in chosen:
            voice = plan.voice_for_gender(
                chosen["vocal_gender"], song["seed"], song["style"] or "", song["variant"]
            )
            song["voice"] = list(voice)
    return specs
