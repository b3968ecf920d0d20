import logging

from music.log_filters import RedactCallbackSecrets

TASK = "0b5d4b2e-6f4a-4a8e-9a7e-1c2d3e4f5a6b"


def test_callback_secrets_never_reach_the_access_log():
    record = logging.LogRecord(
        "django.server",
        logging.INFO,
        __file__,
        1,
        '"%s" %s %s',
        (f"POST /hooks/suno/{TASK}/s3cr3t-T0ken_x/ HTTP/1.1", "200", "11"),
        None,
    )
    RedactCallbackSecrets().filter(record)
    line = record.getMessage()
    assert "s3cr3t-T0ken_x" not in line
    assert f"/hooks/suno/{TASK}/<secret>/" in line


def test_other_log_lines_are_left_as_they_are():
    record = logging.LogRecord(
        "music.tasks", logging.INFO, __file__, 1, "sweep: %s", ({"resent": 1},), None
    )
    RedactCallbackSecrets().filter(record)
    assert record.getMessage() == "sweep: {'resent': 1}"
