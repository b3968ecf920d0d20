"""Reasons are stored untranslated and read in the reader's language (music/reasons.py)."""

from django.utils import translation
from django.utils.translation import gettext_noop

from music.reasons import Reason, Shown, stored


def test_a_nested_reason_round_trips_and_renders_in_each_language():
    inner = Reason(
        gettext_noop("The provider answered with an error (HTTP %(status)s)."),
        "invalid token",
        status=401,
    )
    outer = Reason(
        gettext_noop("%(message)s Nothing was charged; you can try again."), message=inner
    )
    again = Reason.from_json(outer.as_json())
    assert again == outer
    with translation.override("en"):
        assert again.message == (
            "The provider answered with an error (HTTP 401). Nothing was charged; you can "
            "try again."
        )
    with translation.override("zh-hans"):
        assert again.message == "服务商返回了错误（HTTP 401）。未扣费，可以重试。"
        assert again.all_details == "invalid token"  # the provider's words, as said
        assert again.render().endswith("“invalid token”。")


def test_stored_columns_keep_english_text_for_the_admin():
    with translation.override("zh-hans"):
        columns = stored(Reason(gettext_noop("Could not reach the provider."), "ConnectError"))
    assert columns["error_message"] == "Could not reach the provider. Details: “ConnectError”."
    assert stored(None) == {"error_message": "", "error_reason": None}


def test_rows_from_before_reasons_show_their_stored_text():
    shown = Shown(None, "Old words.")
    assert shown and shown.message == "Old words." and shown.details == ""
    assert not Shown(None, "")
    assert Shown({"not": "a reason"}, "fallback").message == "fallback"


def test_a_translation_that_lost_a_placeholder_falls_back_to_english():
    reason = Reason("Made %(n)s songs.", n=2)
    assert reason.message == "Made 2 songs."
