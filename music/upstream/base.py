"""The provider-neutral side of the upstream: requests, results and errors.

Everything outside `music.upstream` speaks these types; each wire format (SunoHub, relay)
turns them into its own JSON and back.
"""

from dataclasses import dataclass, field
from enum import StrEnum

from django.utils.translation import gettext_noop

from music.reasons import DETAILS_LIMIT, SENTENCE_ENDS, Reason, as_reason, with_details

__all__ = ["DETAILS_LIMIT", "SENTENCE_ENDS", "Reason", "with_details"]


class UpstreamError(Exception):
    """A call to the upstream did not give a usable answer.

    `details` are the provider's own words, kept untranslated beside ours.
    `permanent` errors will fail the same way if repeated (bad request, bad key, content
    refused). `accepted` tells whether the upstream may have taken (and charged for) the
    request: a time-out after sending or a 5xx may hide a job that runs anyway, so such a
    request is never re-sent automatically.
    """

    def __init__(
        self,
        message,
        *,
        details="",
        code="upstream_error",
        status=None,
        permanent=False,
        accepted=True,
        raw=None,
    ):
        # Kept untranslated (music.reasons): a task stores it and each reader sees it in
        # their own language; `message` is for whoever reads it now.
        self.reason = as_reason(message, details)
        message = self.reason.render()
        super().__init__(message)
        self.message = message  # ours, in the active language, then the provider's words
        self.details = self.reason.all_details  # the provider's own words, as given
        self.code = code
        self.status = status
        self.permanent = permanent
        self.accepted = accepted
        self.raw = raw

    @property
    def safe_to_retry(self):
        """Whether repeating the same request cannot cost a second job."""
        return not self.permanent and not self.accepted

    def __str__(self):
        return self.message


class ClipState(StrEnum):
    PENDING = "pending"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


class JobState(StrEnum):
    PENDING = "pending"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


@dataclass
class SongRequest:
    """What a user asked for, in the studio's words."""

    action: str = "generate"
    model: str = "chirp-v4"
    custom: bool = False
    instrumental: bool = False
    prompt: str = ""  # inspiration mode: the description
    lyric: str = ""
    style: str = ""
    style_negative: str = ""
    title: str = ""
    is_pro: bool = False
    audio_id: str = ""  # the clip an action starts from (extend, concat, cover, ...)
    audio_url: str = ""
    continue_at: float | None = None
    replace_section_start: float | None = None
    replace_section_end: float | None = None
    persona_id: str = ""
    source_task_id: str = ""  # the upstream job that made `audio_id` (relay extends)
    is_infill: bool = False  # concat of a replaced section (relay)
    # The advanced controls (music.controls): None / "" / False mean "not set, not sent".
    vocal_gender: str = ""  # "f" | "m"
    weirdness: float | None = None  # 0-1, 0 is a value
    style_influence: float | None = None
    audio_weight: float | None = None
    variety: str = ""  # off | normal | high | extra | max
    max_mode: bool = False
    lyric_prompt: str = ""  # custom mode without lyrics: the provider writes them from this
    replace_section_result_mode: str = ""  # full_song | candidates
    # remaster, adjust_speed and samples (issue #15)
    variation_category: str = ""  # remaster: subtle | normal | high (v5 and newer)
    speed_multiplier: float | None = None  # adjust_speed: 0.25 to 4
    keep_pitch: bool = False
    samples_start: float | None = None
    samples_end: float | None = None
    # underpainting / overpainting: the window the new layer is added in (issue #15)
    underpainting_start: float | None = None
    underpainting_end: float | None = None
    overpainting_start: float | None = None
    overpainting_end: float | None = None
    duration: int | None = None  # generate, custom mode: the length asked for (10-360 s)
    # extract_stem and add_stem (issue #15): one of the twelve parts; extract's file format
    stem_type: str = ""
    audio_format: str = ""
    # mashup (two clips) and inspo (1-4 reference audio links) (issue #15)
    mashup_audio_ids: list = field(default_factory=list)
    audio_urls: list = field(default_factory=list)

    @classmethod
    def from_params(cls, params):
        known = {k: v for k, v in params.items() if k in cls.__dataclass_fields__}
        return cls(**known)


@dataclass
class Clip:
    id: str
    state: ClipState
    title: str = ""
    prompt: str = ""
    lyric: str = ""
    style: str = ""
    model: str = ""
    duration: float | None = None
    audio_url: str = ""
    image_url: str = ""
    video_url: str = ""
    created_at: str = ""
    error: str = ""
    concat_history: list = field(default_factory=list)
    raw: dict = field(default_factory=dict)


@dataclass
class JobResult:
    """What the upstream says about one job (one of our tasks)."""

    upstream_id: str
    state: JobState
    clips: list[Clip] = field(default_factory=list)
    error: str = ""
    error_code: str = ""
    error_reason: Reason | None = None  # ours, when the studio could not read the job
    progress: int | None = None
    raw: dict = field(default_factory=dict)


@dataclass
class Submission:
    upstream_id: str
    result: JobResult | None = None  # set when the upstream answered with the finished job
    raw: dict = field(default_factory=dict)


@dataclass
class AlignedWord:
    word: str  # a lyric line as the upstream aligned it, with its newline(s)
    start: float
    end: float
    success: bool = True
    p_align: float | None = None


@dataclass
class Timing:
    words: list[AlignedWord]
    waveform: list[float]


@dataclass
class SideResult:
    """The answer of a synchronous endpoint (upload, persona, timing, WAV, MP4)."""

    upstream_id: str = ""
    clip: Clip | None = None  # upload
    persona_id: str = ""  # persona
    timing: Timing | None = None  # timing
    file_url: str = ""  # WAV, MP4, a fresh MP3 link
    instruments: list | None = None  # MIDI: [{name, notes: [{pitch, start, end, velocity}]}]
    vox_id: str = ""  # a vocal range isolated by `/suno/vox`
    raw: dict = field(default_factory=dict)


@dataclass
class UpstreamPersona:
    """A persona the provider keeps for the key (its listing)."""

    persona_id: str
    name: str = ""
    description: str = ""
    audio_id: str = ""  # the clip (or vocal range, or recording) its voice comes from
    kind: str = "persona"  # persona | vox (persona v2) | voice (from a recording)


@dataclass
class SentRequest:
    """A request whose answer we never got: what the provider's records are searched for."""

    key: str  # our task id
    action: str
    payload: dict  # what was sent, with the callback secret replaced by SECRET_MARK
    sent_at: float  # unix time the request left


SECRET_MARK = "<secret>"


@dataclass
class Found:
    """A provider's record of a request we sent: the job it became, and how it is doing."""

    upstream_id: str
    result: JobResult | None = None  # generation jobs
    side: SideResult | None = None  # synchronous side calls


@dataclass
class Lyrics:
    text: str
    title: str = ""
    tags: str = ""


class Provider:
    """The interface every wire format implements."""

    name = "base"
    # SunoHub answers `/suno/audios` only when the songs are made unless it has a callback
    # URL to call later: such a format always gets one (polling stays the fallback).
    needs_callback_url = False

    def build_payload(self, request: SongRequest, callback_url: str = "") -> dict:
        """The exact JSON the submit would send (stored on the task, without secrets)."""
        raise NotImplementedError

    def describe_request(self, action: str, params: dict, callback_url: str = "") -> dict:
        """What sending a task with these parameters puts on the wire, as the task stores
        it: the JSON body of a POST, or `{"method", "path"}` for a request without one.
        Reconciliation searches the provider's records with it."""
        raise NotImplementedError

    def submit(self, request: SongRequest, callback_url: str = "") -> Submission:
        raise NotImplementedError

    def fetch(self, upstream_ids: list[str]) -> dict[str, JobResult]:
        """Fetch many jobs in as few requests as the format allows; missing ids are absent."""
        raise NotImplementedError

    def check(self) -> None:
        """A cheap authenticated call; raises UpstreamError when something is wrong."""
        raise NotImplementedError

    def offers(self) -> set[str] | None:
        """What this key may buy, in the studio's action names (`services.capabilities`:
        "extend", "stems", ...; making songs is a given), when the provider says; None when
        its answers do not tell."""
        return None

    def parse_callback(self, body: dict) -> str:
        """The upstream job id a callback body is about (its URLs are not trusted)."""
        raise NotImplementedError

    def find_sent(self, sent: list[SentRequest]) -> dict[str, Found]:
        """Look for requests whose answer was lost, in the provider's own records.

        Keys of the answer are `SentRequest.key`s; requests without a trace are absent. A
        format with no way to look (most relays) finds nothing: callbacks may still adopt.
        """
        return {}

    def lyrics(self, prompt: str, model: str = "") -> Lyrics:
        """Lyrics from an idea; `model` (a lyrics model, "" for the provider's default) is
        sent only by formats that take one."""
        raise NotImplementedError

    def mashup_lyrics(self, lyrics_a: str, lyrics_b: str) -> Lyrics:
        """One set of lyrics from two songs' (AceData's `/suno/mashup-lyrics`)."""
        raise NotImplementedError

    def upload(self, audio_url: str) -> SideResult:
        raise NotImplementedError

    def create_persona(self, name: str, description: str, audio_id: str) -> SideResult:
        raise NotImplementedError

    def timing(self, audio_id: str) -> SideResult:
        raise NotImplementedError

    def wav(self, audio_id: str) -> SideResult:
        raise NotImplementedError

    def mp4(self, audio_id: str) -> SideResult:
        raise NotImplementedError

    def style(self, prompt: str) -> str:
        raise NotImplementedError

    # Voices and files of issue #15 (music.upstream.sunohub_voices); a format that documents
    # no way to ask says so, permanently, and nothing was sent.
    def midi(self, audio_id: str) -> SideResult:
        raise no_way("midi")

    def fresh_mp3(self, audio_id: str) -> SideResult:
        raise no_way("mp3")

    def personas(self) -> list[UpstreamPersona]:
        raise no_way("persona listing")

    def delete_persona(self, persona_id: str) -> None:
        raise no_way("persona deletion")

    def vox(self, audio_id: str, start: float, end: float) -> SideResult:
        raise no_way("vox")

    def create_vox_persona(self, name, description, audio_id, vox_id, start, end) -> SideResult:
        raise no_way("persona v2")

    def create_voice(self, name: str, description: str, audio_url: str) -> SideResult:
        raise no_way("voices")


def no_way(what):
    return UpstreamError(
        gettext_noop("The relay format has no way to ask for this."),
        details=what,
        code="unsupported",
        permanent=True,
        accepted=False,
    )
