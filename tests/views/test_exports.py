"""ZIP downloads: a song's stems in one archive, streamed, with lyrics where there is timing."""

import io
import zipfile

from django.core.files.base import ContentFile
from django.urls import reverse

from music.models import LyricTiming, Relation
from tests.factories import SongFactory
from tests.mediafiles import mp3_frames

VOCALS = mp3_frames(0.4)
BACKING = mp3_frames(0.6)


def make_stems(team, author):
    song = SongFactory(team=team, author=author, title="Paper Boats", is_pro=True)
    made = {}
    for kind, audio, state in [
        ("Vocals", VOCALS, "succeeded"),
        ("Instrumental", BACKING, "succeeded"),
        ("Broken", b"", "failed"),
    ]:
        stem = SongFactory(
            team=team,
            author=author,
            parent=song,
            root=song,
            relation=Relation.STEM,
            title=f"Paper Boats - {kind}",
            state=state,
        )
        if audio:
            stem.audio_file.save(f"{kind}.mp3", ContentFile(audio), save=True)
        made[kind] = stem
    LyricTiming.objects.create(
        song=made["Vocals"],
        words=[
            {"word": "[Verse]\nFold the paper\n", "start": 1.0, "end": 2.5},
            {"word": "Send it down the stream\n", "start": 2.5, "end": 4.0},
        ],
    )
    return song


def unzip(response):
    data = b"".join(response.streaming_content)
    assert int(response["Content-Length"]) == len(data)
    return zipfile.ZipFile(io.BytesIO(data))


def test_all_stems_come_as_one_zip_with_lyrics_beside_the_timed_one(member_client, team, member):
    song = make_stems(team, member)
    response = member_client.get(reverse("music:stems_zip", args=[song.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"].startswith("attachment")
    assert 'filename="paper-boats-stems.zip"' in response["Content-Disposition"]
    archive = unzip(response)
    assert archive.testzip() is None
    assert sorted(archive.namelist()) == [
        "paper-boats-stems/paper-boats-instrumental.mp3",
        "paper-boats-stems/paper-boats-vocals.lrc",
        "paper-boats-stems/paper-boats-vocals.mp3",
        "paper-boats-stems/paper-boats-vocals.srt",
    ]
    assert archive.read("paper-boats-stems/paper-boats-vocals.mp3") == VOCALS
    assert archive.read("paper-boats-stems/paper-boats-instrumental.mp3") == BACKING
    lrc = archive.read("paper-boats-stems/paper-boats-vocals.lrc").decode()
    assert "[00:01.00]Fold the paper" in lrc
    srt = archive.read("paper-boats-stems/paper-boats-vocals.srt").decode()
    assert "00:00:02,500 --> 00:00:04,000" in srt


def test_the_song_page_offers_the_zip_only_when_stems_are_ready(member_client, team, member):
    plain = SongFactory(team=team, author=member)
    html = member_client.get(reverse("music:song", args=[plain.pk])).content.decode()
    assert "Download all stems (ZIP)" not in html
    assert member_client.get(reverse("music:stems_zip", args=[plain.pk])).status_code == 404
    song = make_stems(team, member)
    html = member_client.get(reverse("music:song", args=[song.pk])).content.decode()
    assert reverse("music:stems_zip", args=[song.pk]) in html


def test_viewers_download_and_other_teams_get_404(client, viewer, outsider, team, member):
    song = make_stems(team, member)
    url = reverse("music:stems_zip", args=[song.pk])
    client.force_login(viewer)
    assert client.get(url).status_code == 200
    client.force_login(outsider)
    response = client.get(url)
    assert response.status_code == 404
    assert VOCALS[:64] not in response.content


def test_same_titles_get_distinct_names(member_client, team, member):
    song = SongFactory(team=team, author=member, title="Twins")
    for audio in (VOCALS, BACKING):
        stem = SongFactory(team=team, parent=song, root=song, relation=Relation.STEM, title="Twin")
        stem.audio_file.save("x.mp3", ContentFile(audio), save=True)
    archive = unzip(member_client.get(reverse("music:stems_zip", args=[song.pk])))
    assert sorted(archive.namelist()) == ["twins-stems/twin-2.mp3", "twins-stems/twin.mp3"]


def test_stems_in_a_bucket_are_zipped_from_the_bucket(s3_media, member_client, team, member):
    song = make_stems(team, member)
    stored = song.children.get(title="Paper Boats - Vocals").audio_file.name
    assert s3_media.Object(stored).get()["Body"].read() == VOCALS  # really in the bucket
    archive = unzip(member_client.get(reverse("music:stems_zip", args=[song.pk])))
    assert archive.read("paper-boats-stems/paper-boats-vocals.mp3") == VOCALS
    assert archive.read("paper-boats-stems/paper-boats-instrumental.mp3") == BACKING


def test_no_zip_is_offered_for_stems_that_failed_were_binned_or_are_not_stems(
    member_client, team, member
):
    from django.utils import timezone

    song = SongFactory(team=team, author=member, title="Lanterns")
    offer = reverse("music:stems_zip", args=[song.pk])
    kinds = [
        {"relation": Relation.STEM, "state": "failed"},
        {"relation": Relation.STEM, "state": "succeeded", "trashed_at": timezone.now()},
        {"relation": Relation.COVERED, "state": "succeeded"},
        {"relation": Relation.STEM, "state": "running"},
    ]
    for fields in kinds:
        SongFactory(team=team, author=member, parent=song, root=song, **fields)
        html = member_client.get(reverse("music:song", args=[song.pk])).content.decode()
        assert offer not in html, fields
    cover = song.children.get(relation=Relation.COVERED)
    SongFactory(team=team, author=member, parent=cover, root=song, relation=Relation.STEM)
    html = member_client.get(reverse("music:song", args=[song.pk])).content.decode()
    assert offer not in html  # the cover's stem, not this song's
    SongFactory(team=team, author=member, parent=song, root=song, relation=Relation.STEM)
    assert offer in member_client.get(reverse("music:song", args=[song.pk])).content.decode()


def test_a_chinese_title_names_the_zip_in_chinese_and_only_get_is_answered(
    member_client, team, member
):
    from urllib.parse import quote

    song = make_stems(team, member)
    song.title = "纸船"
    song.save(update_fields=["title"])
    url = reverse("music:stems_zip", args=[song.pk])
    response = member_client.get(url)
    assert f"filename*=utf-8''{quote('纸船-stems.zip')}" in response["Content-Disposition"]
    assert member_client.post(url).status_code == 405
