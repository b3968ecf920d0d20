"""A song's family: generate -> extend -> extend -> concat -> stems, with real audio."""

from django.urls import reverse

from music.models import Relation, Song
from music.services import actions, library
from music.upstream.simulator.audio import mp3_duration
from tests.helpers import make_song, run_queued

LYRIC = "[Verse]\nOne two three four\nFive six seven eight\n[Chorus]\nLa la la\nLa la la"


def extend(membership, song, at):
    actions.extend(
        membership,
        song,
        {
            "lyric": "[Verse]\nMore words\nAnd more",
            "style": song.style,
            "model": "chirp-v4",
            "is_pro": True,
        },
        continue_at=at,
    )
    run_queued()
    return (
        Song.objects.filter(parent=song, relation=Relation.EXTENDED).order_by("created_at").first()
    )


def test_a_chain_becomes_one_whole_song_as_long_as_its_parts(team, member):
    membership = member.memberships.get(team=team)
    a = make_song(team, member, lyric=LYRIC, is_pro=True)
    b = extend(membership, a, at=round(a.duration - 2, 2))
    c = extend(membership, b, at=round(b.duration - 1, 2))
    actions.concat(membership, c)
    run_queued()
    whole = Song.objects.get(relation=Relation.CONCATENATED)

    assert [p["id"] for p in whole.parts] == [a.upstream_id, b.upstream_id, c.upstream_id]
    expected = (a.duration - 2) + (b.duration - 1) + c.duration
    assert abs(whole.duration - expected) < 0.5
    assert abs(mp3_duration(whole.audio_file.read()) - whole.duration) < 0.2

    actions.stems(membership, whole)
    run_queued()
    stems = Song.objects.filter(parent=whole, relation=Relation.STEM)
    assert stems.count() == 2
    assert all(abs(s.duration - whole.duration) < 0.1 for s in stems)

    family = library.song_family(whole)
    assert [s.pk for s in family.ancestors] == [a.pk, b.pk, c.pk]
    assert family.tree.song == a
    assert family.size == 1 + 2 + 2 + 1 + 2  # a, two b, two c, whole, two stems
    assert {s.root_id for s in Song.objects.filter(parent__isnull=False)} == {a.pk}


def test_song_page_query_count_does_not_grow_with_the_family(
    member_client, team, member, django_assert_max_num_queries
):
    membership = member.memberships.get(team=team)
    a = make_song(team, member, lyric=LYRIC, is_pro=True)
    url = reverse("music:song", args=[a.pk])
    with django_assert_max_num_queries(30) as small:
        member_client.get(url)
    b = extend(membership, a, at=3)
    extend(membership, b, at=3)
    actions.stems(membership, a)
    run_queued()
    with django_assert_max_num_queries(len(small.captured_queries)) as big:
        html = member_client.get(url).content.decode()
    assert len(big.captured_queries) == len(small.captured_queries)
    assert html.count('role="treeitem"') == 7


def test_library_can_hide_fragments(member_client, team, member):
    membership = member.memberships.get(team=team)
    a = make_song(team, member, lyric=LYRIC)
    extend(membership, a, at=3)
    every = member_client.get(reverse("music:library")).context["page"]
    whole = member_client.get(reverse("music:library"), {"whole": "on"}).context["page"]
    assert len(every) == 4
    assert len(whole) == 2 and not any(s.is_fragment for s in whole)
