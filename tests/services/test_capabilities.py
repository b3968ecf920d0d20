"""What an account offers and what a song can take: the same answer for the page and the
action (services.capabilities, services.actions)."""

import pytest

from music.models import ProviderAccount, Relation, Task
from music.services import accounts, actions, capabilities, writing
from music.services.actions import ActionRefused
from tests.helpers import make_song, run_queued

LYRIC = "[Verse]\nLine one here\nLine two here\n[Chorus]\nSing it now"


def account(team, fmt="relay", **fields):
    return ProviderAccount.objects.create(
        team=team,
        name=fmt,
        format=fmt,
        base_url="http://simulator.local",
        is_default=True,
        **fields,
    )


def membership(team, member):
    return member.memberships.get(team=team)


def test_defaults_per_format(team):
    assert capabilities.offered(None) == capabilities.ACTIONS  # the operator's built-in
    relay = account(team)
    assert capabilities.STYLE not in capabilities.offered(relay)
    assert capabilities.AUK_ONLY in capabilities.offered(relay)
    relay.capabilities = ["lyrics", "no-such-thing"]
    assert capabilities.offered(relay) == {"lyrics"}


def test_a_relay_song_of_another_model_is_offered_no_stems_timing_or_mp4(team, member):
    account(team)
    song = make_song(team, member, lyric=LYRIC, model="chirp-v4")
    offers = capabilities.song_offers(song)
    for action in ("stems", "timing", "mp4"):
        assert not offers[action].allowed
        assert "only for songs made with v4.5" in offers[action].reason
    assert offers["wav"].allowed and offers["cover"].allowed and offers["persona"].allowed
    assert not offers.pools  # and so no "Pro pool" talk on its page
    with pytest.raises(ActionRefused, match="v4.5"):
        actions.export_mp4(membership(team, member), song)
    assert not Task.objects.filter(action="mp4").exists()


def test_an_owner_may_lift_the_chirp_auk_restriction(team, member):
    relay = account(team)
    song = make_song(team, member, lyric=LYRIC, model="chirp-v4")
    relay.capabilities = sorted(capabilities.ACTIONS - {"style"})
    relay.save()
    song.account.refresh_from_db()
    assert capabilities.check(song, "stems").allowed


def test_what_a_stock_relay_does_not_offer_is_refused_before_anything_is_sent(
    team, member, simulator
):
    relay = account(team, capabilities=["lyrics"])
    song = make_song(team, member, lyric=LYRIC, model="chirp-v4-5")
    offers = capabilities.song_offers(song)
    assert [a for a in capabilities.SONG_ACTIONS if offers[a].allowed] == []
    assert "does not offer “Extend”" in offers["extend"].reason
    simulator.requests.clear()
    me = membership(team, member)
    words = {"lyric": "[Verse]\nMore", "style": "pop", "model": "chirp-v4"}
    for act in (
        lambda: actions.extend(me, song, words, continue_at=2),
        lambda: actions.cover(me, song, words),
        lambda: actions.stems(me, song),
        lambda: actions.export_wav(me, song),
        lambda: actions.make_persona(me, song, name="V", description=""),
        lambda: actions.upload(me, "https://cdn.example/a.mp3", account=relay),
    ):
        with pytest.raises(ActionRefused, match="does not offer"):
            act()
    assert simulator.requests == [] and Task.objects.count() == 1
    assert "does not offer" in writing.boost_style("jazz", relay).error
    assert writing.write_lyrics("rain", relay).ok


def test_sunohub_without_a_pro_pool_offers_no_pro_only_work(team, member):
    account(team, fmt="sunohub", pro_pool=False)
    song = make_song(team, member, lyric=LYRIC, is_pro=True)
    offers = capabilities.song_offers(song)
    for action in ("cover", "stems", "wav", "persona"):
        assert "needs the Pro pool" in offers[action].reason, action
    assert offers["extend"].allowed and offers["timing"].allowed and offers["mp4"].allowed
    assert offers.pools


def test_done_work_is_not_offered_again(team, member):
    me_team = team
    song = make_song(me_team, member, lyric=LYRIC, is_pro=True)
    me = membership(team, member)
    actions.stems(me, song)
    actions.extend(me, song, {"lyric": "[Verse]\nMore", "model": "chirp-v4"}, continue_at=2)
    run_queued()
    offers = capabilities.song_offers(song)
    assert not offers["stems"].allowed and "Already split" in offers["stems"].reason
    assert actions.stems(me, song) is None

    fragment = song.children.filter(relation=Relation.EXTENDED).first()
    assert capabilities.check(fragment, "concat").allowed
    actions.concat(me, fragment)
    run_queued()
    offer = capabilities.check(fragment, "concat")
    assert not offer.allowed and "Already joined" in offer.reason and not offer.quiet
    assert actions.concat(me, fragment) is None
    assert Task.objects.filter(action="concat").count() == 1
    # A whole song is not a fragment: nothing to say about joining it.
    assert capabilities.check(song, "concat").quiet


def test_test_connection_learns_a_stock_gateway_from_its_model_list(team, simulator):
    relay = account(team)
    ok, message = accounts.test_connection(relay)
    assert ok and "model list" not in message  # the full set it lists is the default
    assert relay.capabilities is None

    simulator.relay.use_profile("stock")
    ok, message = accounts.test_connection(relay)
    assert ok and "model list says what this account offers" in message
    relay.refresh_from_db()
    assert set(relay.capabilities) == {"lyrics", "auk_only"}
    assert ("GET", "/v1/models") in simulator.requests

    simulator.relay.use_profile("reseller")
    accounts.test_connection(relay)
    relay.refresh_from_db()
    assert relay.capabilities is None  # back to everything the seed documents


def test_test_connection_keeps_what_an_answer_does_not_tell(team):
    hub = account(team, fmt="sunohub", capabilities=["extend"])
    assert accounts.test_connection(hub)[0]
    hub.refresh_from_db()
    assert hub.capabilities == ["extend"]
