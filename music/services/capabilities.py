"""What a provider account can do, and what a song can take: one answer for pages and actions.

Sellers offer different subsets of the same API (stock new-api relays only make songs and
write lyrics; resellers add continuations, `/suno/act/*` and concat; SunoHub's Pro pool gates
stems, WAV, covers and personas; some relays split stems, time lyrics and make videos only
for chirp-auk songs). Each account stores the actions it offers (`ProviderAccount.
capabilities`, None for its format's defaults); the song page shows a button only where
`song_offers` says allowed, with the reason for the others, and `services.actions` refuses
with the same reason, so the two never disagree.
"""

from dataclasses import dataclass
from functools import cached_property

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from music.models import LyricTiming, ProviderFormat, Relation, SongState
from music.upstream.relay.payload import NO_WAY as RELAY_NO_WAY

EXTEND = "extend"
UPLOAD = "upload"
CONCAT = "concat"
COVER = "cover"
REPLACE = "replace_section"
STEMS = "stems"
PERSONA = "persona"  # making personas and songs sung by them
TIMING = "timing"
WAV = "wav"
MP4 = "mp4"
LYRICS = "lyrics"  # "Write lyrics for me"
STYLE = "style"  # "Boost style"
AUK_ONLY = "auk_only"  # a restriction: stems, timing and MP4 only for chirp-auk songs
REMASTER = "remaster"
ADJUST_SPEED = "adjust_speed"
SAMPLES = "samples"
ADD_INSTRUMENTAL = "underpainting"
ADD_VOCALS = "overpainting"
ALL_STEMS = "all_stems"  # the twelve stems (issue #15)
ADD_STEM = "add_stem"
EXTRACT_STEM = "extract_stem"
MASHUP = "mashup"  # two songs made into one, and "Write mashup lyrics"
INSPO = "inspo"  # a song inspired by 1-4 reference songs
MIDI = "midi"
VOX = "vox"  # a persona v2 from a vocal range (`/suno/vox`), and songs it sings
VOICES = "voices"  # a private voice from a recording

# (name, label) in the order the account form lists them.
CHOICES = [
    (EXTEND, gettext_lazy("Extend")),
    (CONCAT, gettext_lazy("Get whole song")),
    (COVER, gettext_lazy("Cover")),
    (REMASTER, gettext_lazy("Remaster")),
    (ADJUST_SPEED, gettext_lazy("Change speed")),
    (SAMPLES, gettext_lazy("Sample")),
    (ADD_INSTRUMENTAL, gettext_lazy("Add instrumental")),
    (ADD_VOCALS, gettext_lazy("Add vocals")),
    (MASHUP, gettext_lazy("Mashup")),
    (INSPO, gettext_lazy("Inspo")),
    (REPLACE, gettext_lazy("Replace section")),
    (STEMS, gettext_lazy("Split stems")),
    (ALL_STEMS, gettext_lazy("12 stems")),
    (EXTRACT_STEM, gettext_lazy("Extract a stem")),
    (ADD_STEM, gettext_lazy("Add a stem")),
    (PERSONA, gettext_lazy("Personas")),
    (VOX, gettext_lazy("Persona v2 from a vocal range")),
    (VOICES, gettext_lazy("Voices from recordings")),
    (MIDI, gettext_lazy("MIDI export")),
    (UPLOAD, gettext_lazy("Upload")),
    (TIMING, gettext_lazy("Lyric timing")),
    (WAV, gettext_lazy("WAV export")),
    (MP4, gettext_lazy("MP4 export")),
    (LYRICS, gettext_lazy("Write lyrics for me")),
    (STYLE, gettext_lazy("Boost style")),
    (AUK_ONLY, gettext_lazy("Stems, lyric timing and MP4 only for v4.5 (chirp-auk) songs")),
]
LABELS = dict(CHOICES)
NAMES = frozenset(LABELS)
ACTIONS = NAMES - {AUK_ONLY}
# Names of the relay's NO_WAY that are not account choices (an action it cannot send).
RELAY_ONLY_ACTIONS = frozenset(RELAY_NO_WAY) - NAMES

# What a format has no way to ask for, whatever an account says it offers: no relay seller
# documents remaster, speed changes, samples, the 12-stem actions, mashups or inspo
# (AceData's SunoHub format does).
NO_WAY = {ProviderFormat.RELAY: frozenset(RELAY_NO_WAY) - RELAY_ONLY_ACTIONS}
# SunoHub documents every action (seed 003 and AceData's docs); the relay seed (000) every
# one but style boosting and those it has no way for, with stems, timing and MP4
# "仅限chirp_auk".
DEFAULTS = {
    ProviderFormat.SUNOHUB: ACTIONS,
    ProviderFormat.SIMULATOR: ACTIONS,
    ProviderFormat.RELAY: (ACTIONS - {STYLE} - NO_WAY[ProviderFormat.RELAY]) | {AUK_ONLY},
}
# SunoHub makes these only in its Pro pool (remaster: its models, v4.5+ and newer, are Pro).
# Add instrumental / Add vocals: their models, v4.5 and newer, are Pro too.
PRO_ONLY = {COVER, STEMS, WAV, PERSONA, REMASTER, ADD_INSTRUMENTAL, ADD_VOCALS, VOX}
PRO_MADE = {STEMS, WAV, PERSONA, VOX}  # and only from songs made there
AUK_GATED = {STEMS, TIMING, MP4}
AUK_MODELS = ("chirp-v4-5", "chirp-auk")
# The song page's actions, in the order of its buttons.
SONG_ACTIONS = [
    EXTEND,
    CONCAT,
    COVER,
    REMASTER,
    ADJUST_SPEED,
    SAMPLES,
    ADD_INSTRUMENTAL,
    ADD_VOCALS,
    MASHUP,
    INSPO,
    STEMS,
    ALL_STEMS,
    EXTRACT_STEM,
    ADD_STEM,
    PERSONA,
    VOX,
    REPLACE,
    TIMING,
    WAV,
    MP4,
    MIDI,
]


def defaults(fmt):
    return DEFAULTS.get(fmt, DEFAULTS[ProviderFormat.SUNOHUB])


def offered(account):
    """The names an account offers. The operator's built-in provider speaks SunoHub."""
    if account is None:
        return DEFAULTS[ProviderFormat.SUNOHUB]
    if account.capabilities is None:
        return defaults(account.format)
    return (frozenset(account.capabilities) & NAMES) - no_way(account)


def no_way(account):
    """The actions the account's format cannot express at all."""
    return NO_WAY.get(account.format, frozenset()) if account is not None else frozenset()


def has_pools(account):
    return account is None or account.has_pools


def has_pro_pool(account):
    """Whether Pro-only work can be bought: the built-in provider and relays always can."""
    return account is None or not account.has_pools or account.pro_pool


def account_refusal(account, action):
    """Why this account cannot do `action` (translated), or "" when it can."""
    if action in no_way(account):
        return _(
            "The relay format has no way to ask for “%(what)s”; a SunoHub / AceData account "
            "can do it."
        ) % {"what": LABELS[action]}
    if action not in offered(account):
        return _(
            "This provider account does not offer “%(what)s”. A team owner can change what it "
            "offers in the account's settings."
        ) % {"what": LABELS[action]}
    if action in PRO_ONLY and not has_pro_pool(account):
        return _(
            "“%(what)s” needs the Pro pool, and this provider account has none. A team owner "
            "can turn it on in the account's settings."
        ) % {"what": LABELS[action]}
    return ""


@dataclass(frozen=True)
class Offer:
    """Whether a song's page offers an action. `quiet` refusals are not listed: the action
    does not apply to this kind of song (joining a whole song), or is done and its result is
    on the page (the WAV's download button)."""

    action: str
    allowed: bool = True
    reason: str = ""
    quiet: bool = False

    @property
    def label(self):
        return LABELS[self.action]


class SongFacts:
    """What the rules need to know about a song beyond its row, each fetched once.

    A page that has already loaded the song's family, or annotated the song with
    `has_timing_row`, passes what it knows and saves the queries.
    """

    def __init__(self, song, family_members=None):
        self.song = song
        self._family_members = family_members

    @cached_property
    def has_timing(self):
        known = getattr(self.song, "has_timing_row", None)
        if known is not None:
            return known
        return LyricTiming.objects.filter(song=self.song).exists()

    @cached_property
    def made(self):
        """Relations of the song's children that exist (or are being made)."""
        wanted = (Relation.CONCATENATED, Relation.STEM, Relation.ALL_STEMS)
        if self._family_members is not None:
            # Children share their parent's family root (applying.py), so all are here.
            return {
                member.relation
                for member in self._family_members
                if member.parent_id == self.song.pk
                and member.state != SongState.FAILED
                and member.relation in wanted
            }
        return set(
            self.song.children.exclude(state=SongState.FAILED)
            .filter(relation__in=wanted)
            .values_list("relation", flat=True)
        )


def readiness_refusal(song):
    """Why no work can start from `song` yet (still being made, or failed), or ""."""
    if song.is_active:
        return _("“%(title)s” is still being made. Wait until it is ready.") % {"title": song}
    if song.state == SongState.FAILED:
        return _("“%(title)s” failed, so there is nothing to work from.") % {"title": song}
    return ""


def check(song, action, facts=None):
    """The Offer for one action on one song (every rule, in the user's language)."""
    facts = facts or SongFacts(song)
    account = song.account

    def no(reason, quiet=False):
        return Offer(action, False, reason, quiet)

    refusal = readiness_refusal(song)
    if refusal:
        return no(refusal)
    # What applies to this kind of song, or is done already.
    if action == CONCAT:
        if not song.is_fragment:
            return no(
                _(
                    "“%(title)s” is already a whole song; only an extension or a "
                    "replaced section can be joined into one."
                )
                % {"title": song},
                quiet=True,
            )
        if Relation.CONCATENATED in facts.made:
            return no(_("Already joined: the whole song is in the family tree."))
    if action == STEMS:
        if song.relation == Relation.STEM:
            return no(_("“%(title)s” is already a stem.") % {"title": song}, quiet=True)
        if Relation.STEM in facts.made:
            return no(_("Already split: the stems are in the family tree."))
    if action == ALL_STEMS:
        if song.relation in (Relation.STEM, Relation.ALL_STEMS, Relation.STEM_EXTRACTED):
            return no(_("“%(title)s” is already a stem.") % {"title": song}, quiet=True)
        if Relation.ALL_STEMS in facts.made:
            return no(_("Already split: the 12 stems are in the family tree."))
    if action in (PERSONA, VOX) and song.relation == Relation.UPLOADED:
        return no(_("A persona cannot be made from an uploaded song; pick a song the model sang."))
    if action == VOX and (song.instrumental or not song.lyric):
        return no(_("“%(title)s” has no sung vocals to take a voice from.") % {"title": song})
    if action == MIDI and song.midi_file:
        return no(_("The MIDI file is already here."), quiet=True)
    if action == REPLACE and (not song.lyric or song.instrumental):
        return no(_("“%(title)s” has no sung lyrics to edit.") % {"title": song}, quiet=True)
    if action == TIMING and facts.has_timing:
        return no(_("The lyric timing is already here."), quiet=True)
    if action == WAV and song.wav_file:
        return no(_("The WAV is already here."), quiet=True)
    if action == MP4 and song.video_file:
        return no(_("The video is already here."), quiet=True)
    # What the account offers.
    refusal = account_refusal(account, action)
    if refusal:
        return no(refusal)
    if action == REPLACE and not facts.has_timing:
        timing = check(song, TIMING, facts)
        if not timing.allowed:
            return no(
                _("The editor needs the song's lyric timing. %(reason)s")
                % {"reason": timing.reason}
            )
    # What the provider needs of the song.
    if action in PRO_MADE and has_pools(account) and not song.is_pro:
        what = {
            STEMS: _("Splitting stems"),
            WAV: _("WAV export"),
            PERSONA: _("Making a persona"),
            VOX: _("Making a persona"),
        }[action]
        return no(
            _("%(what)s only works on songs made in the Pro pool, and “%(title)s” was not.")
            % {"what": what, "title": song}
        )
    if action in AUK_GATED and AUK_ONLY in offered(account) and song.model_name not in AUK_MODELS:
        what = {STEMS: _("stems"), TIMING: _("lyric timing"), MP4: _("MP4 videos")}[action]
        return no(
            _("This provider offers %(what)s only for songs made with v4.5 (chirp-auk).")
            % {"what": what}
        )
    return Offer(action)


@dataclass
class SongOffers:
    """Everything the song page offers, looked up with a fixed number of queries."""

    pools: bool  # the song's provider sells a normal and a Pro pool
    offers: dict

    def __getitem__(self, action):
        return self.offers[action]

    @property
    def notes(self):
        """(label, reason) of each action the page does not offer, worth saying why."""
        return [(o.label, o.reason) for o in self.offers.values() if not o.allowed and not o.quiet]


def song_offers(song, facts=None):
    """What can be done with a song; `facts` when the caller already gathered them."""
    facts = facts or SongFacts(song)
    return SongOffers(
        pools=has_pools(song.account),
        offers={action: check(song, action, facts) for action in SONG_ACTIONS},
    )


def keeps_persona_list(account):
    """Whether the provider lists (and deletes) the key's personas: SunoHub's `GET`/`DELETE
    /suno/persona`; the relay seed (000) has neither."""
    return account is None or account.format != ProviderFormat.RELAY


def sends_controls(account):
    """Whether an account's format can send the advanced generation controls (music.controls):
    SunoHub documents them; the relay seed (000) has no field for any of them but
    `negative_tags` ("Exclude styles", which every format sends)."""
    return account is None or account.format != ProviderFormat.RELAY


def takes_lyrics_model(account):
    """Whether “Write lyrics for me” can name a lyrics model: AceData's `/suno/lyrics` takes
    `model`; the relay's `/suno/submit/lyrics` (seed 000) only a prompt."""
    return account is None or account.format != ProviderFormat.RELAY
