"""The studio's data: teams and their members, upstream tasks, and the songs they yield.

One module per concern; everything is importable from `music.models` as before (migrations
name `music.models.song_media_path`, `new_share_token` and `upload_media_path`).
"""

from music.models.sharing import (  # noqa: F401
    Playlist,
    PlaylistItem,
    ShareLink,
    new_share_token,
)
from music.models.songs import (  # noqa: F401
    ACTIVE_SONG_STATES,
    SONG_STATE_RANK,
    Favourite,
    LyricTiming,
    Persona,
    PersonaKind,
    Relation,
    Song,
    SongEvent,
    SongEventKind,
    SongState,
    song_media_path,
)
from music.models.tasks import (  # noqa: F401
    ACTIVE_TASK_STATES,
    ONCE_PER_SONG,
    POLLED_TASK_STATES,
    SIDE_ACTIONS,
    TASK_STATE_RANK,
    TERMINAL_TASK_STATES,
    Action,
    PollLease,
    Task,
    TaskEvent,
    TaskState,
)
from music.models.teams import (  # noqa: F401
    Membership,
    ProviderAccount,
    ProviderFormat,
    Role,
    Team,
    TeamActivity,
)
from music.models.uploads import (  # noqa: F401
    AudioUpload,
    upload_media_path,
)
