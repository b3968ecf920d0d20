from django.urls import path

from music.views import callbacks, create, library, songs, tasks, teams

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
    path("tasks/", tasks.task_list, name="tasks"),
    path("tasks/<uuid:task_id>/", tasks.task_detail, name="task"),
    path("team/switch/", teams.switch_team, name="switch_team"),
    path("hooks/suno/<uuid:task_id>/<str:token>/", callbacks.suno_callback, name="callback"),
]
