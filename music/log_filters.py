"""Logging filters: secrets in URLs never reach a log file."""

import logging
import re

# /hooks/suno/<task uuid>/<secret>/ : the secret authenticates a provider's callback.
CALLBACK_SECRET = re.compile(r"(/hooks/suno/[0-9a-fA-F-]{32,36}/)[^/\s?\"]+")
# /files/<upload uuid>/<token>/ : the signed link that lends a member's upload to a provider.
UPLOAD_TOKEN = re.compile(r"(/files/[0-9a-fA-F-]{32,36}/)[^/\s?\"]+")


def redact(text):
    return UPLOAD_TOKEN.sub(r"\1<secret>", CALLBACK_SECRET.sub(r"\1<secret>", text))


class RedactCallbackSecrets(logging.Filter):
    """Replace the secret part of callback URLs in access-log lines."""

    def filter(self, record):
        if isinstance(record.msg, str) and (
            "/hooks/suno/" in record.msg or "/files/" in record.msg
        ):
            record.msg = redact(record.msg)
        # A single mapping argument stays a mapping (logging's "%(name)s" style).
        if isinstance(record.args, tuple):
            record.args = tuple(redact(a) if isinstance(a, str) else a for a in record.args)
        return True
