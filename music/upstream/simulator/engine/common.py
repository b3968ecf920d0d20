"""What the engine and its wire formats share: refusals, orders, clip views, fault knobs."""

from dataclasses import dataclass, field

# Clip kinds whose audio is a song rendered from a recipe (`spec["song"]`).
SONG_KINDS = {"gen", "extend", "cover", "replace", "persona"}


class ApiError(Exception):
    """A refusal with an HTTP status and a machine code; wire formats shape the body."""

    def __init__(self, status, code, message):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def bad_request(message):
    return ApiError(400, "bad_request", message)


def poisoned(clip):
    """A clip answer with the values real providers have sent that break careless clients:
    over-long text, NUL bytes, NaN, impossible ports, script URLs, wrong types. The audio
    link stays good, so a careful client still gets the song."""
    return {
        **clip,
        "title": "\x00" + "Poisoned " * 40,
        "lyric": (clip.get("lyric") or "") + "\x00",
        "duration": float("nan"),
        "image_url": "http://cdn.example.invalid:99999/cover.png",
        "video_url": "javascript:alert(1)",
        "style": 12345,
        "model": ["not", "a", "string"],
    }


@dataclass
class Faults:
    """Knobs for failure injection. `next_errors` are consumed one request at a time."""

    next_errors: list = field(default_factory=list)  # [(status, code, message), ...]
    malformed: bool = False  # answer garbage instead of JSON
    delay: float = 0.0  # seconds to sleep before answering
    fail_jobs: str = ""  # a message: jobs end with clips in state `error`
    lose_callbacks: bool = False
    # Faults *after* a request was handled (the job exists, and is billed): the answer is
    # replaced by one of these errors, or arrives only after `after_delay` seconds.
    after_errors: list = field(default_factory=list)  # [(status, code, message), ...]
    after_delay: float = 0.0
    poison: bool = False  # clips carry values a careless client would choke on
    # Clips' MP3 links answer 404, as a CDN link past its expiry does; links that
    # `/suno/mp3` hands out still work.
    expire_links: bool = False

    def reset(self):
        self.next_errors.clear()
        self.malformed = False
        self.delay = 0.0
        self.fail_jobs = ""
        self.lose_callbacks = False
        self.after_errors.clear()
        self.after_delay = 0.0
        self.poison = False
        self.expire_links = False


@dataclass
class Order:
    """A song request in neutral terms; each wire format fills one from its own fields."""

    action: str = "generate"
    model: str = ""
    is_pro: bool = False
    custom: bool = False
    instrumental: bool = False
    prompt: str = ""
    lyric: str = ""
    style: str = ""
    style_negative: str = ""
    title: str = ""
    audio_id: str = ""
    audio_url: str = ""
    continue_at: float | None = None
    replace_section_start: float | None = None
    replace_section_end: float | None = None
    persona_id: str = ""
    callback_url: str = ""
    # remaster, adjust_speed and samples (engine.rework)
    variation_category: str = ""
    speed_multiplier: float | None = None
    keep_pitch: bool = False
    samples_start: float | None = None
    samples_end: float | None = None
    # underpainting / overpainting (engine.layers): the window the new layer is added in
    underpainting_start: float | None = None
    underpainting_end: float | None = None
    overpainting_start: float | None = None
    overpainting_end: float | None = None
    # replace_section: `candidates` (the new sections) or `full_song` (each spliced into
    # the song); wires without the field get the sections, as relays always did
    result_mode: str = "candidates"
    # extract_stem and add_stem (engine.stems)
    stem_type: str = ""
    audio_format: str = ""
    # mashup and inspo (engine.blend)
    mashup_audio_ids: list = field(default_factory=list)
    audio_urls: list = field(default_factory=list)
    raw: dict = field(default_factory=dict)  # the request as received, for task records
    controls: dict = field(default_factory=dict)  # validated advanced controls (steering.py)


@dataclass
class ClipView:
    """What a wire format needs to describe one clip."""

    id: str
    job_id: str
    kind: str
    state: str  # pending | running | succeeded | error
    created: float
    title: str
    prompt: str | None
    lyric: str
    style: str
    model: str
    is_pro: bool
    duration: float | None = None
    audio_url: str = ""
    image_url: str = ""
    video_url: str = ""
    error: str = ""
    concat_history: list | None = None
    spec: dict = field(default_factory=dict)
