"""Provider accounts: owners manage them, keys stay secret, teams stay apart."""

import json
import logging
import re
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from cryptography.fernet import Fernet
from django.test import Client
from django.urls import reverse

from music import upstream
from music.models import ProviderAccount, Task
from tests.factories import MembershipFactory, UserFactory
from tests.helpers import finish_all_tasks, make_song, run_queued

KEY = "sk-live-SECRET-key-9876"


@pytest.fixture
def owner_client(client, owner):
    client.force_login(owner)
    return client


def add(client, **overrides):
    data = {
        "name": "Sim relay",
        "format": "relay",
        "base_url": "http://simulator.local",
        "api_key": KEY,
        "default_model": "chirp-v4",
        "use_callbacks": "on",
        "fetch_batch_limit": "0",
        "is_default": "on",
        "media_hosts": "",
    }
    data.update(overrides)
    return client.post(reverse("music:account_create"), data)


def test_an_owner_adds_an_account_and_it_is_tested(owner_client, team):
    response = add(owner_client)
    assert response.status_code == 302
    account = ProviderAccount.objects.get(team=team)
    assert account.api_key == KEY
    assert account.api_key_last4 == "9876"
    assert KEY not in account.api_key_encrypted
    page = owner_client.get(reverse("music:accounts")).content.decode()
    assert "••••9876" in page and KEY not in page
    messages = [str(m) for m in response.wsgi_request._messages]
    assert any("Connected" in m for m in messages)


def test_the_connection_test_speaks_chinese_without_ascii_glue(owner_client, simulator):
    owner_client.post(reverse("set_language"), {"language": "zh-hans", "next": "/"})
    add(owner_client)
    simulator.relay.use_profile("stock")  # its model list changes what the account offers
    account = ProviderAccount.objects.get()
    response = owner_client.post(reverse("music:account_test", args=[account.pk]))
    said = "\n".join(str(m) for m in response.wsgi_request._messages)
    assert "Sim relay：连接成功：服务商接受了密钥，并按预期格式返回。服务商的模型列表说明了" in said
    assert "。 " not in said and "Connected" not in said


def test_only_owners_manage_accounts(member_client):
    response = add(member_client)
    assert response.status_code == 403
    assert not ProviderAccount.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"base_url": ""}, "base_url", "base URL."),
        ({"base_url": "ftp://x.example"}, "base_url", "must start with http://"),
        ({"api_key": ""}, "api_key", "Paste the API key"),
        ({"media_hosts": "https://cdn.example.com/x"}, "media_hosts", "host names only"),
    ],
)
def test_account_validation(owner_client, overrides, field, message):
    response = add(owner_client, **overrides)
    assert message in response.content.decode()
    assert field in response.context["form"].errors


@pytest.mark.parametrize(
    ("language", "typed"),
    [
        ("en", "cdn.example.com, media.example.org"),
        ("zh-hans", "cdn.example.com，media.example.org"),  # a Chinese input method's comma
        ("zh-hans", "cdn.example.com、media.example.org"),  # a Chinese list's 、
    ],
)
def test_media_hosts_accept_either_languages_commas(owner_client, language, typed):
    owner_client.post(reverse("set_language"), {"language": language, "next": "/"})
    response = add(owner_client, media_hosts=typed)
    assert response.status_code == 302
    account = ProviderAccount.objects.get()
    assert account.media_hosts == "cdn.example.com, media.example.org"
    assert {"cdn.example.com", "media.example.org"} <= upstream.media_hosts(account)


def test_a_bad_host_is_refused_in_chinese(owner_client):
    owner_client.post(reverse("set_language"), {"language": "zh-hans", "next": "/"})
    response = add(owner_client, media_hosts="cdn.example.com，https://x.example/a")
    assert "只填写主机名，例如 cdn.example.com。" in response.content.decode()
    assert not ProviderAccount.objects.exists()


def test_editing_keeps_the_key_unless_a_new_one_is_given(owner_client, team):
    add(owner_client)
    account = ProviderAccount.objects.get()
    url = reverse("music:account_edit", args=[account.pk])
    html = owner_client.get(url).content.decode()
    assert KEY not in html and "ends in 9876" in html
    owner_client.post(
        url,
        {
            "name": "Renamed",
            "format": "relay",
            "base_url": "http://simulator.local",
            "api_key": "",
            "default_model": "chirp-v4",
            "fetch_batch_limit": "0",
            "is_default": "on",
        },
    )
    account.refresh_from_db()
    assert account.name == "Renamed" and account.api_key == KEY


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"base_url": "http://127.0.0.1:9"}, "Could not reach"),
    ],
)
def test_test_connection_explains_problems(owner_client, settings, overrides, message):
    settings.STUDIO_ALLOWED_PRIVATE_HOSTS = ["127.0.0.1:9"]  # nothing listens there
    add(owner_client, **overrides)
    account = ProviderAccount.objects.get()
    response = owner_client.post(reverse("music:account_test", args=[account.pk]), follow=True)
    assert message in response.content.decode()


def test_a_refused_key_is_explained(owner_client, simulator):
    simulator.api_key = "the-right-key"
    add(owner_client, format="sunohub")
    account = ProviderAccount.objects.get()
    response = owner_client.post(reverse("music:account_test", args=[account.pk]), follow=True)
    assert "refused the API key" in response.content.decode()


@pytest.fixture
def not_a_provider(settings):
    """Some web server that is not a music API (a wrong base URL), on an allowed host."""

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802
            self.send_response(404)
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            self.wfile.write(b"<html><body>Not Found</body></html>")

        do_GET = do_POST  # noqa: N815

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    settings.STUDIO_ALLOWED_PRIVATE_HOSTS = [f"127.0.0.1:{server.server_port}"]
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


def test_a_wrong_format_is_explained(owner_client, not_a_provider):
    add(owner_client, format="relay", base_url=not_a_provider)
    account = ProviderAccount.objects.get()
    response = owner_client.post(reverse("music:account_test", args=[account.pk]), follow=True)
    assert "not in the" in response.content.decode()


def test_one_default_per_team(owner_client, team):
    add(owner_client, name="A")
    add(owner_client, name="B")
    a, b = ProviderAccount.objects.get(name="A"), ProviderAccount.objects.get(name="B")
    assert b.is_default and not a.is_default
    owner_client.post(reverse("music:account_default", args=[a.pk]))
    assert ProviderAccount.objects.get(is_default=True) == a


def test_other_teams_cannot_see_or_use_an_account(owner_client, outsider, team):
    add(owner_client)
    account = ProviderAccount.objects.get()
    client = Client()
    client.force_login(outsider)
    assert "Sim relay" not in client.get(reverse("music:accounts")).content.decode()
    for name in ("music:account_edit", "music:account_test", "music:account_delete"):
        assert client.post(reverse(name, args=[account.pk])).status_code in (403, 404)
    # Nor pick it on their create form.
    outsider_team = outsider.memberships.get().team
    MembershipFactory(team=outsider_team, user=UserFactory(), role="owner")
    response = client.post(
        reverse("music:create"),
        {"mode": "inspiration", "prompt": "x", "model": "chirp-v4", "account": str(account.pk)},
    )
    assert not Task.objects.filter(account=account).exists()
    assert response.status_code in (200, 302)


def test_the_key_never_shows_in_logs_pages_admin_or_stored_requests(
    owner_client, team, owner, caplog
):
    caplog.set_level(logging.DEBUG)
    add(owner_client)
    song = make_song(team, owner, prompt="a secret-safe song")
    run_queued()
    finish_all_tasks()
    assert song.account.api_key == KEY
    pages = [
        reverse("music:accounts"),
        reverse("music:song", args=[song.pk]),
        reverse("music:task", args=[song.task.pk]),
        reverse("music:tasks"),
        reverse("music:account_edit", args=[song.account.pk]),
    ]
    for url in pages:
        assert KEY not in owner_client.get(url).content.decode(), url
    admin = UserFactory(is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(admin)
    for url in (
        reverse("admin:music_provideraccount_change", args=[song.account.pk]),
        reverse("admin:music_provideraccount_changelist"),
        reverse("admin:music_task_change", args=[song.task.pk]),
    ):
        assert KEY not in client.get(url).content.decode(), url
    for task in Task.objects.all():
        assert KEY not in json.dumps([task.params, task.request_payload, task.response])
    assert KEY not in caplog.text


def test_a_relay_team_is_not_asked_about_pools(owner_client, team):
    add(owner_client)  # the team's only account is a relay
    html = owner_client.get(reverse("music:create")).content.decode()
    assert 'name="is_pro"' not in html
    response = owner_client.post(
        reverse("music:create"), {"mode": "inspiration", "prompt": "x", "model": "chirp-v4-5"}
    )  # v4.5 needs no pool
    assert response.status_code == 302
    run_queued()
    task = Task.objects.get(action="generate")
    assert task.account.format == "relay"
    assert task.request_payload["mv"] == "chirp-auk"


def test_an_account_with_work_in_progress_cannot_be_deleted(owner_client, team, owner, simulator):
    add(owner_client)
    account = ProviderAccount.objects.get()
    simulator.running_seconds = 60
    from music.services import tasks

    task = tasks.start_task(
        team=team,
        user=owner,
        action="generate",
        params={"action": "generate", "prompt": "x", "model": "chirp-v4"},
    )
    tasks.submit(task.pk)
    response = owner_client.post(reverse("music:account_delete", args=[account.pk]), follow=True)
    assert "still has 1 task(s) in progress" in response.content.decode()
    assert ProviderAccount.objects.filter(pk=account.pk).exists()
    simulator.running_seconds = 0
    finish_all_tasks()
    owner_client.post(reverse("music:account_delete", args=[account.pk]))
    assert not ProviderAccount.objects.filter(pk=account.pk).exists()


# --- the base URL must be a public address (the key goes with every call) ------------------
@pytest.mark.parametrize(
    "base_url",
    [
        "http://10.0.0.5",
        "http://169.254.169.254",
        "http://localhost:8000",
        "http://127.0.0.1:8765",
        "http://[::1]:8000",
        "http://[::ffff:127.0.0.1]",
    ],
)
def test_a_private_base_url_is_refused_on_save(owner_client, monkeypatch, base_url):
    from music import upstream

    monkeypatch.setattr(upstream, "get_provider", pytest.fail)  # nothing may be sent
    response = add(owner_client, base_url=base_url)
    assert response.status_code == 200
    assert "not allowed" in response.content.decode()
    assert "base_url" in response.context["form"].errors
    assert not ProviderAccount.objects.exists()


def test_a_name_that_resolves_to_a_private_address_is_refused_on_save(owner_client, monkeypatch):
    from tests.localserver import fake_dns

    fake_dns(monkeypatch, {"gateway.example.test": ["10.20.30.40"]})
    response = add(owner_client, base_url="https://gateway.example.test")
    assert "not allowed" in response.content.decode()
    assert not ProviderAccount.objects.exists()


def test_test_connection_refuses_a_private_base_url_without_calling_it(
    owner_client, team, monkeypatch
):
    """An account saved before the rule (or whose URL was changed behind the form)."""
    from music import upstream

    account = ProviderAccount(team=team, name="Old", format="relay", base_url="http://10.0.0.5")
    account.set_api_key(KEY)
    account.save()
    monkeypatch.setattr(upstream, "get_provider", pytest.fail)
    response = owner_client.post(reverse("music:account_test", args=[account.pk]), follow=True)
    assert "not allowed" in response.content.decode()


def test_a_listed_private_gateway_can_be_saved(owner_client, settings, not_a_provider):
    settings.STUDIO_ALLOWED_PRIVATE_HOSTS = []
    assert "not allowed" in add(owner_client, base_url=not_a_provider).content.decode()
    settings.STUDIO_ALLOWED_PRIVATE_HOSTS = [not_a_provider.removeprefix("http://")]
    assert add(owner_client, base_url=not_a_provider).status_code == 302
    assert ProviderAccount.objects.get().base_url == not_a_provider


@pytest.fixture
def lost_key_account(owner_client, team):
    """An account whose key was encrypted with a key the studio no longer has."""
    add(owner_client)
    account = ProviderAccount.objects.get(team=team)
    account.api_key_encrypted = Fernet(Fernet.generate_key()).encrypt(KEY.encode()).decode()
    account.save()
    return account


UNREADABLE = "cannot be read with the current encryption keys; enter it again"


def test_owners_are_told_a_stored_key_cannot_be_read(owner_client, lost_key_account):
    html = owner_client.get(reverse("music:accounts")).content.decode()
    assert UNREADABLE in html
    assert reverse("music:account_edit", args=[lost_key_account.pk]) in html
    response = owner_client.post(
        reverse("music:account_test", args=[lost_key_account.pk]), follow=True
    )
    assert UNREADABLE in response.content.decode()


def test_a_lost_key_must_be_entered_again_to_save(owner_client, lost_key_account):
    url = reverse("music:account_edit", args=[lost_key_account.pk])
    assert UNREADABLE in owner_client.get(url).content.decode()
    data = {
        "name": "Sim relay",
        "format": "relay",
        "base_url": "http://simulator.local",
        "api_key": "",
        "default_model": "chirp-v4",
        "fetch_batch_limit": "0",
        "is_default": "on",
    }
    response = owner_client.post(url, data)
    assert response.status_code == 200
    assert "api_key" in response.context["form"].errors
    owner_client.post(url, {**data, "api_key": "sk-entered-again-4321"})
    lost_key_account.refresh_from_db()
    assert lost_key_account.api_key == "sk-entered-again-4321"
    html = owner_client.get(reverse("music:accounts")).content.decode()
    assert UNREADABLE not in html


def test_the_lost_key_message_is_in_chinese(owner_client, lost_key_account):
    owner_client.post(reverse("set_language"), {"language": "zh-hans", "next": "/"})
    html = owner_client.get(reverse("music:accounts")).content.decode()
    assert "无法用当前的加密密钥读取" in html


@pytest.mark.parametrize("role", ["member", "viewer"])
def test_only_owners_delete_an_account(client, team, role):
    account = ProviderAccount(team=team, name="Shared relay", format="relay")
    account.set_api_key(KEY)
    account.save()
    client.force_login(MembershipFactory(team=team, role=role).user)
    response = client.post(reverse("music:account_delete", args=[account.pk]))
    assert response.status_code in (403, 404)
    assert ProviderAccount.objects.filter(pk=account.pk).exists()


def test_the_first_account_is_offered_as_default_visibly_ticked(owner_client, team):
    html = owner_client.get(reverse("music:account_create")).content.decode()
    assert re.search(r'<input[^>]*name="is_default"[^>]*checked', html)
    add(owner_client, name="A")
    html = owner_client.get(reverse("music:account_create")).content.decode()
    assert not re.search(r'<input[^>]*name="is_default"[^>]*checked', html)  # only the first


def test_an_unticked_box_means_not_default_and_new_songs_stay_built_in(
    owner_client, team, owner, run_on_commit
):
    data = {"is_default": ""}
    add(owner_client, name="Not chosen", **data)
    account = ProviderAccount.objects.get(team=team)
    assert not account.is_default
    from music.services import tasks

    task = run_on_commit(
        tasks.start_task,
        team=team,
        user=owner,
        action="generate",
        params={"action": "generate", "prompt": "x", "model": "chirp-v4"},
    )
    assert task.account is None  # the built-in provider, not the unchosen account
    # The create form then offers the choice, the built-in provider first.
    form = owner_client.get(reverse("music:create")).context["form"]
    assert form.fields["account"].choices[0][0] == ""
    assert form["account"].value() == ""


def test_a_job_for_an_account_whose_test_failed_is_said_to_be_queued(owner_client, team):
    add(owner_client, name="Broken", base_url="http://simulator.local", api_key="wrong")
    account = ProviderAccount.objects.get(team=team)
    ProviderAccount.objects.filter(pk=account.pk).update(last_test_ok=False)
    response = owner_client.post(
        reverse("music:create"),
        {"mode": "inspiration", "prompt": "a song", "model": "chirp-v4", "is_pro": ""},
        follow=True,
    )
    text = response.content.decode()
    assert "whose last connection test failed" in text
    assert "on its way" not in text


def test_the_connection_test_is_remembered(owner_client, team):
    add(owner_client)
    account = ProviderAccount.objects.get(team=team)
    assert account.last_test_ok is True and account.last_tested_at is not None


def test_deleting_an_account_asks_first_without_scripts(owner_client, team):
    add(owner_client, name="Doomed")
    account = ProviderAccount.objects.get(team=team)
    url = reverse("music:account_delete", args=[account.pk])
    page = owner_client.get(reverse("music:accounts")).content.decode()
    # The list links to the question (a <dialog> asks it with scripts, a page without).
    assert f'href="{url}" data-confirm="Delete the provider account “Doomed”?"' in page
    assert '<dialog id="confirm-dialog"' in page
    response = owner_client.get(url)
    assert response.status_code == 200
    assert "Delete the provider account “Doomed”?" in response.content.decode()
    assert ProviderAccount.objects.filter(pk=account.pk).exists()  # asking deletes nothing
    owner_client.post(url)
    assert not ProviderAccount.objects.filter(pk=account.pk).exists()
