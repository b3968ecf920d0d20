from django.urls import reverse

from music.views import health


def test_health_says_ok_when_the_database_and_broker_answer(client, db):
    response = client.get(reverse("health"))
    assert response.status_code == 200
    assert response.json() == {"database": "ok", "broker": "ok"}
    assert "no-cache" in response["Cache-Control"]


def test_health_is_503_and_names_what_is_down(client, db, monkeypatch):
    def down():
        raise ConnectionError("redis://10.1.2.3:6379 refused")  # detail stays in the log

    monkeypatch.setattr(health, "check_broker", down)
    response = client.get(reverse("health"))
    assert response.status_code == 503
    assert response.json() == {"database": "ok", "broker": "down"}
    assert b"10.1.2.3" not in response.content


def test_with_media_in_a_bucket_health_checks_the_bucket_too(client, db, s3_media):
    response = client.get(reverse("health"))
    assert response.status_code == 200
    assert response.json() == {"database": "ok", "broker": "ok", "storage": "ok"}

    s3_media.objects.all().delete()
    s3_media.delete()  # gone (or unreachable, or the keys are wrong)
    response = client.get(reverse("health"))
    assert response.status_code == 503
    assert response.json() == {"database": "ok", "broker": "ok", "storage": "down"}
    s3_media.create()  # for the fixture's clean-up
