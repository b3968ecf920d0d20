"""Forms that mirror the upstream's constraints, so bad input never costs a request.

One module per concern; everything is importable from `music.forms` as before.
"""

from music.forms.base import (  # noqa: F401
    PRO_HELP,
    RequestKeyForm,
    SongWordsForm,
    account_choices,
    model_limits,
    normalise_text,
    require_words,
)
from music.forms.blend import InspoForm, MashupForm  # noqa: F401
from music.forms.layers import (  # noqa: F401
    AddInstrumentalForm,
    AddVocalsForm,
)
from music.forms.library import (  # noqa: F401
    LibraryFilterForm,
    PlaylistForm,
    ShareLinkForm,
    SongEditForm,
)
from music.forms.making import (  # noqa: F401
    MAX_UPLOAD_SECONDS,
    BoostStyleForm,
    CoverForm,
    CreateSongForm,
    ExtendForm,
    LyricsIdeaForm,
    PersonaForm,
    PersonaSongForm,
    ReplaceSectionForm,
    UploadForm,
    excluded_styles,
)
from music.forms.rework import (  # noqa: F401
    AdjustSpeedForm,
    RemasterForm,
    SampleForm,
)
from music.forms.stems import (  # noqa: F401
    AddStemForm,
    ExtractStemForm,
)
from music.forms.team import (  # noqa: F401
    UNREADABLE_KEY,
    AddMemberForm,
    ProviderAccountForm,
    TeamSettingsForm,
)
from music.forms.voices import PersonaV2Form, VoiceForm  # noqa: F401
