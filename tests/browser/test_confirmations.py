"""Destructive actions ask first, in a real browser: a <dialog>, not a page."""

import re

import pytest

from music.models import ProviderAccount
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_deleting_an_account_asks_in_a_dialog(page, screenshot):
    owner = MembershipFactory(role="owner")
    account = ProviderAccount.objects.create(team=owner.team, name="Old seller", format="simulator")
    page.goto("/accounts/login/")
    page.fill("#id_username", owner.user.username)
    page.fill("#id_password", "secret-pass-123")
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"/$"))
    page.goto("/providers/")

    page.click("a[data-confirm]")
    dialog = page.locator("#confirm-dialog")
    dialog.wait_for(state="visible")
    assert "Delete the provider account “Old seller”?" in dialog.inner_text()
    assert page.url.endswith("/providers/")  # still on the list: the question is a dialog
    screenshot(page, "confirm-dialog")
    dialog.locator("button[formmethod=dialog]").click()  # Cancel
    dialog.wait_for(state="hidden")
    assert ProviderAccount.objects.filter(pk=account.pk).exists()

    page.click("a[data-confirm]")
    with page.expect_navigation():
        dialog.locator("button[data-confirm-button]").click()
    assert "Deleted “Old seller”" in page.inner_text(".messages")
    assert not ProviderAccount.objects.filter(pk=account.pk).exists()
    assert not page.console_errors
