"""Django admin: every model's list, search and change pages work for a superuser."""

import pytest
from django.urls import reverse

from tests.factories import MembershipFactory, SongFactory, TaskFactory, UserFactory


@pytest.fixture
def admin_client(client, db):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


@pytest.mark.parametrize("factory", [SongFactory, TaskFactory, MembershipFactory])
def test_changelist_search_and_change_pages(admin_client, factory):
    obj = factory()
    opts = obj._meta
    changelist = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
    assert admin_client.get(changelist).status_code == 200
    assert admin_client.get(changelist, {"q": "x"}).status_code == 200
    change = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
    assert admin_client.get(change).status_code == 200


def test_team_admin_has_member_inline(admin_client):
    membership = MembershipFactory()
    response = admin_client.get(reverse("admin:music_team_change", args=[membership.team_id]))
    assert response.status_code == 200
    assert membership.user.username in response.content.decode()


def test_raw_json_is_read_only_and_pretty(admin_client):
    task = TaskFactory(response={"task_id": "abc", "data": []})
    html = admin_client.get(reverse("admin:music_task_change", args=[task.pk])).content.decode()
    assert "&quot;task_id&quot;: &quot;abc&quot;" in html
    assert 'name="response"' not in html


def test_admin_account_form_keeps_one_default_and_a_write_only_key(admin_client, db):
    from music.models import ProviderAccount
    from tests.factories import TeamFactory

    team = TeamFactory()
    url = reverse("admin:music_provideraccount_add")
    for name in ("First", "Second"):
        response = admin_client.post(
            url,
            {
                "team": team.pk,
                "name": name,
                "format": "relay",
                "base_url": "https://gateway.example",
                "api_key": f"sk-{name}-1234",
                "default_model": "chirp-v4",
                "fetch_batch_limit": "0",
                "is_default": "on",
            },
        )
        assert response.status_code == 302
    assert list(ProviderAccount.objects.filter(is_default=True).values_list("name", flat=True)) == [
        "Second"
    ]
    second = ProviderAccount.objects.get(name="Second")
    assert second.api_key == "sk-Second-1234"
    html = admin_client.get(
        reverse("admin:music_provideraccount_change", args=[second.pk])
    ).content.decode()
    assert "sk-Second-1234" not in html
