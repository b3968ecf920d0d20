"""Failure reasons kept untranslated until someone reads them.

A task fails in the queue worker, whose language (LANGUAGE_CODE) is nobody's: so a task
stores the reason's English source text (its msgid, marked with `gettext_noop` where it is
written), its values and the provider's own words, and each page renders the sentence in
its reader's language. Reasons nest ("%(message)s Nothing was charged; …"): a value may be
a reason too, and the provider's words of every level are kept, untranslated, as details.
"""

from django.utils import translation
from django.utils.translation import gettext, pgettext

DETAILS_LIMIT = 300  # characters of a provider's own words kept beside ours
# Ends of a sentence, in the scripts providers write their messages in.
SENTENCE_ENDS = ".!?。！？…"


def sentence(message):
    """A message as a sentence, so that ours can follow it ("invalid token" + "Nothing was
    charged" must not run together): a full stop where it has none."""
    message = (message or "").strip()
    body = message.rstrip("\"'”’)）")
    if not message or (body and body[-1] in SENTENCE_ENDS):
        return message
    return message + ("。" if ord(message[-1]) >= 0x2E80 else ".")


def clean_details(details):
    return " ".join(str(details or "").split())[:DETAILS_LIMIT]


def with_details(message, details):
    """Our sentence (already translated), then the provider's own words, quoted as given."""
    details = clean_details(details)
    if not details:
        return message
    quoted = gettext("%(message)s Details: “%(details)s”") % {
        "message": message,
        "details": details,
    }
    if details[-1] in SENTENCE_ENDS:
        return quoted
    return quoted + pgettext("the end of a sentence after a quotation", ".")


class Reason:
    """One sentence of ours (an English msgid and its values) and the provider's words."""

    def __init__(self, text, details="", **params):
        self.text = str(text)
        self.details = clean_details(details)
        self.params = params

    def __repr__(self):
        return f"Reason({self.text!r}, details={self.details!r}, **{self.params!r})"

    def __eq__(self, other):
        return isinstance(other, Reason) and self.as_json() == other.as_json()

    @property
    def message(self):
        """Our sentence in the active language, without the provider's words."""
        text = gettext(self.text)
        if not self.params:
            return text
        values = {
            name: sentence(value.message) if isinstance(value, Reason) else value
            for name, value in self.params.items()
        }
        try:
            return text % values
        except (KeyError, TypeError, ValueError):  # a translation that lost a placeholder
            return self.text % values

    @property
    def all_details(self):
        """The provider's own words of this reason and of those it quotes."""
        found = [v.all_details for v in self.params.values() if isinstance(v, Reason)]
        return " ".join(d for d in [*found, self.details] if d)

    def render(self):
        """The whole reason in the active language: ours, then the provider's words."""
        return with_details(self.message, self.all_details)

    def english(self):
        """The whole reason in English (stored as text, for the admin and searches)."""
        with translation.override("en"):
            return self.render()

    def __str__(self):
        return self.render()

    def as_json(self):
        params = {
            name: {"reason": value.as_json()} if isinstance(value, Reason) else value
            for name, value in self.params.items()
        }
        data = {"text": self.text, "params": params}
        if self.details:
            data["details"] = self.details
        return data

    @classmethod
    def from_json(cls, data):
        if not isinstance(data, dict) or not isinstance(data.get("text"), str):
            return None
        params = {}
        for name, value in (data.get("params") or {}).items():
            if isinstance(value, dict) and "reason" in value:
                value = cls.from_json(value["reason"]) or ""
            params[name] = value
        return cls(data["text"], data.get("details", ""), **params)


def as_reason(message, details=""):
    """A Reason from a Reason, or from text (a msgid, or words already translated, which
    gettext then leaves as they are)."""
    if isinstance(message, Reason):
        return message
    return Reason(str(message or ""), details)


def stored(reason):
    """The columns a failure is stored in: the reason for readers, English text for the
    admin (and for code that reads the text)."""
    if reason is None:
        return {"error_message": "", "error_reason": None}
    return {"error_message": reason.english(), "error_reason": reason.as_json()}


class Shown:
    """A stored failure as a page shows it: our sentence in the reader's language, the
    provider's words apart (under "details")."""

    def __init__(self, reason_json, fallback=""):
        self.reason = Reason.from_json(reason_json) if reason_json else None
        self.fallback = fallback or ""

    def __bool__(self):
        return bool(self.reason or self.fallback)

    @property
    def message(self):
        if self.reason is None:
            return self.fallback  # a row from before reasons were stored
        return self.reason.message

    @property
    def details(self):
        return self.reason.all_details if self.reason else ""

    def __str__(self):
        return self.reason.render() if self.reason else self.fallback
