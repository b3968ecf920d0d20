"""The relay wire format of new-api-style gateways (seed 000; DESIGN.md section 4).

Native Suno fields (`gpt_description_prompt`, `tags`, `mv`, `continue_clip_id`, ...) go to
`/suno/submit/*`; tasks come back from `/suno/fetch` with a status, a progress percentage
and native clips. Sellers add and rename fields, so everything is read defensively: an
answer we cannot understand fails with a clear reason instead of a crash.

Layout: `payload` (request building: the native bodies each action becomes), `answers`
(reading tasks, clips, lyrics and links in the shapes real sellers answer with) and `client`
(the `Relay` provider: the calls, polling and follow-ups).
"""

from music.upstream.relay.answers import lyrics_of, parse_clip, parse_error, parse_task
from music.upstream.relay.client import Relay
from music.upstream.relay.payload import build_payload, persona_body

__all__ = [
    "Relay",
    "build_payload",
    "lyrics_of",
    "parse_clip",
    "parse_error",
    "parse_task",
    "persona_body",
]
