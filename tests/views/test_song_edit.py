"""Renaming a song and keeping notes on it; the song's history says who did what."""

from django.urls import reverse

from music.models import SongEvent
from tests.factories import SongFactory


def test_a_member_renames_a_song_and_writes_notes(member_client, team, member):
    song = SongFactory(team=team, author=member, title="Coastal Line")
    url = reverse("music:song_edit", args=[song.pk])
    assert 'value="Coastal Line"' in member_client.get(url).content.decode()
    response = member_client.post(
        url, {"title": "Coastal Line (slow take)", "notes": "Use for the intro.\r\nTry v4.5."}
    )
    assert response.status_code == 302
    song.refresh_from_db()
    assert song.title == "Coastal Line (slow take)"
    assert song.notes == "Use for the intro.\nTry v4.5."
    page = member_client.get(reverse("music:song", args=[song.pk])).content.decode()
    assert "Coastal Line (slow take)" in page and "Use for the intro.<br>Try v4.5." in page
    # The new title is on the library card too (the card cache is keyed on what it shows).
    assert (
        "Coastal Line (slow take)" in member_client.get(reverse("music:library")).content.decode()
    )

    history = member_client.get(reverse("music:song_history", args=[song.pk])).content.decode()
    assert f"{member.username} renamed it (Coastal Line → Coastal Line (slow take))" in history
    assert f"{member.username} changed the notes" in history
    assert f"{member.username} made it" in history


def test_saving_without_changes_records_nothing(member_client, team, member):
    song = SongFactory(team=team, title="Same", notes="n")
    member_client.post(reverse("music:song_edit", args=[song.pk]), {"title": "Same", "notes": "n"})
    assert not SongEvent.objects.exists()


def test_a_blank_or_long_title_is_refused_with_the_reason(member_client, team):
    song = SongFactory(team=team, title="Keep me")
    url = reverse("music:song_edit", args=[song.pk])
    response = member_client.post(url, {"title": "  ", "notes": ""})
    assert response.status_code == 400
    assert "Give the song a title." in response.content.decode()
    response = member_client.post(url, {"title": "x" * 201, "notes": ""})
    assert "Keep the title to at most 200 characters." in response.content.decode()
    response = member_client.post(
        url, {"title": "  "}, HTTP_ACCEPT_LANGUAGE="zh-hans"
    ).content.decode()
    assert "Give the song a title." not in response
    song.refresh_from_db()
    assert song.title == "Keep me"


def test_viewers_read_the_history_but_cannot_rename(client, viewer, team):
    song = SongFactory(team=team, title="Theirs")
    client.force_login(viewer)
    page = client.get(reverse("music:song", args=[song.pk])).content.decode()
    assert reverse("music:song_edit", args=[song.pk]) not in page
    assert client.get(reverse("music:song_history", args=[song.pk])).status_code == 200
    response = client.post(reverse("music:song_edit", args=[song.pk]), {"title": "Mine"})
    assert response.status_code == 403
    song.refresh_from_db()
    assert song.title == "Theirs"


def test_the_song_page_loads_its_history_as_a_partial(member_client, team, member):
    song = SongFactory(team=team, author=member)
    page = member_client.get(reverse("music:song", args=[song.pk])).content.decode()
    url = reverse("music:song_history", args=[song.pk])
    assert f'hx-get="{url}"' in page
    partial = member_client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert partial.startswith('<ol class="history"') and "<html" not in partial


def test_sharing_is_in_the_history(member_client, team, member):
    from django.core.files.base import ContentFile

    from tests.mediafiles import mp3_frames

    song = SongFactory(team=team)
    song.audio_file.save("a.mp3", ContentFile(mp3_frames(0.3)), save=True)
    member_client.post(reverse("music:share", args=[song.pk]), {"expires": ""})
    link = song.share_links.get()
    member_client.post(reverse("music:share_revoke", args=[song.pk, link.pk]))
    history = member_client.get(reverse("music:song_history", args=[song.pk])).content.decode()
    assert history.index("turned off a share link") < history.index("made a share link")


def test_a_save_says_saved_only_when_something_changed(member_client, team):
    song = SongFactory(team=team, title="Same", notes="n")
    url = reverse("music:song_edit", args=[song.pk])
    assert member_client.get(url).status_code == 200
    same = member_client.post(url, {"title": "Same", "notes": "n"}, follow=True)
    assert "Saved." not in same.content.decode()
    changed = member_client.post(url, {"title": "Other", "notes": "n"}, follow=True)
    assert "Saved." in changed.content.decode()


def test_the_edit_page_takes_only_a_look_or_a_form(member_client, team):
    song = SongFactory(team=team, title="Keep me")
    url = reverse("music:song_edit", args=[song.pk])
    for method in (member_client.put, member_client.patch, member_client.delete):
        assert method(url, "title=Gone").status_code == 405
    song.refresh_from_db()
    assert song.title == "Keep me"
