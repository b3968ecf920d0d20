"""Add instrumental / Add vocals on the relay wire: `task` `underpainting` / `overpainting`
on `/suno/submit/music`, the window in `metadata_params` (issue #15).

As the resellers that sell them document it: `metadata_params.{underpainting|overpainting}_
clip_id`, `_start_s` and `_end_s`, whole seconds, the end at most the clip's length; the
style in `tags`; for Add vocals the words in `prompt` (empty for Add instrumental).
"""

from music.upstream.simulator.engine import bad_request
from music.upstream.simulator.sunohub_wire import _text

LAYER_TASKS = ("underpainting", "overpainting")


def _whole_seconds(params, name):
    value = params.get(name)
    if value is None:
        raise bad_request(f"`metadata_params.{name}` is required.")
    if isinstance(value, bool) or not isinstance(value, int | float) or value != int(value):
        raise bad_request(f"`metadata_params.{name}` must be a whole number of seconds.")
    return float(value)


class RelayLayers:
    """`_order_underpainting` and `_order_overpainting` for `RelayWire` (a mixin)."""

    def _layer_order(self, body, task, **fields):
        params = body.get("metadata_params")
        if not isinstance(params, dict):
            raise bad_request("`metadata_params` (an object) is required.")
        clip_id = params.get(f"{task}_clip_id")
        if not isinstance(clip_id, str) or not clip_id.strip():
            raise bad_request(f"`metadata_params.{task}_clip_id` is required.")
        order = self._order(body, task, audio_id=clip_id.strip(), **fields)
        setattr(order, f"{task}_start", _whole_seconds(params, f"{task}_start_s"))
        setattr(order, f"{task}_end", _whole_seconds(params, f"{task}_end_s"))
        names = {
            "style": "tags",
            "model": "mv",
            "lyric": "prompt",
            "audio_id": f"metadata_params.{task}_clip_id",
            f"{task}_start": f"metadata_params.{task}_start_s",
            f"{task}_end": f"metadata_params.{task}_end_s",
        }
        return order, names

    def _order_underpainting(self, body):
        return self._layer_order(body, "underpainting")

    def _order_overpainting(self, body):
        lyric = _text(body, "prompt")
        if not lyric.strip():
            raise bad_request("`prompt` (the words to sing) is required.")
        return self._layer_order(body, "overpainting", custom=True, lyric=lyric)
