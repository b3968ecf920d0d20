from django.urls import path

from music.views import (
    actions,
    callbacks,
    create,
    editor,
    library,
    personas,
    songs,
    tasks,
    teams,
)

app_name = "music"

urlpatterns = [
    path("", library.library_page, name="library"),
    path("create/", create.create_song, name="create"),
    path("create/lyrics/", create.write_lyrics, name="write_lyrics"),
    path("create/style/", create.boost_style, name="boost_style"),
    path("songs/<uuid:song_id>/", songs.song_detail, name="song"),
    path("songs/<uuid:song_id>/card/", songs.song_card, name="song_card"),
    path("songs/<uuid:song_id>/audio/", songs.song_audio, name="song_audio"),
    path("songs/<uuid:song_id>/cover/", songs.song_cover, name="song_cover"),
    path("songs/<uuid:song_id>/wav/", songs.song_wav, name="song_wav"),
    path("songs/<uuid:song_id>/video/", songs.song_video, name="song_video"),
    path("songs/<uuid:song_id>/in-flight/", songs.song_in_flight, name="song_in_flight"),
    path("songs/<uuid:song_id>/extend/", actions.extend_song, name="extend"),
    path("songs/<uuid:song_id>/cover-version/", actions.cover_song, name="cover"),
    path("songs/<uuid:song_id>/persona/", personas.persona_create, name="persona_create"),
    path("songs/<uuid:song_id>/do/<str:action>/", actions.quick_action, name="quick_action"),
    path("songs/<uuid:song_id>/edit-section/", editor.section_editor, name="section_editor"),
    path(
        "songs/<uuid:song_id>/edit-section/preview/",
        editor.section_preview,
        name="section_preview",
    ),
    path(
        "songs/<uuid:song_id>/edit-section/timing/",
        editor.fetch_timing_for_editor,
        name="section_timing",
    ),
    path("songs/<uuid:song_id>/lyrics.<str:fmt>", editor.lyrics_export, name="lyrics_export"),
    path("upload/", actions.upload_audio, name="upload"),
    path("personas/", personas.persona_list, name="personas"),
    path("personas/<uuid:persona_id>/sing/", personas.persona_sing, name="persona_sing"),
    path("personas/<uuid:persona_id>/delete/", personas.persona_delete, name="persona_delete"),
    path("tasks/", tasks.task_list, name="tasks"),
    path("tasks/<uuid:task_id>/", tasks.task_detail, name="task"),
    path("team/switch/", teams.switch_team, name="switch_team"),
    path("hooks/suno/<uuid:task_id>/<str:token>/", callbacks.suno_callback, name="callback"),
]
