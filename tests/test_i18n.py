"""The Simplified Chinese translation: it is switched on, it is used, and it is complete."""

import ast
import gettext
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

LOCALE_DIR = Path(settings.BASE_DIR) / "locale" / "zh_Hans" / "LC_MESSAGES"
PO_FILE = LOCALE_DIR / "django.po"
MO_FILE = LOCALE_DIR / "django.mo"
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|\{\{\s*\w+\s*\}\}")


def parse_po(path):
    """The entries of a .po file as dicts of msgid, msgstr and flags (header and obsolete out).

    Line by line rather than by blank-line blocks, so an entry glued to the header (as a fresh
    makemessages writes it) is still read on its own.
    """
    entries, entry, current = [], None, None

    def flush():
        if entry and entry["msgid"] and not entry["obsolete"]:
            msgid = "".join(entry["msgid"])
            if msgid:
                entries.append({**entry, "msgid": msgid, "msgstr": "".join(entry["msgstr"])})

    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        starts_entry = line.startswith("#") or line.startswith("msgid ")
        if entry is None or (starts_entry and entry["msgstr"]):
            flush()
            entry = {"flags": set(), "msgid": [], "msgstr": [], "obsolete": False}
            current = None
        if line.startswith("#~"):
            entry["obsolete"] = True
        elif line.startswith("#,"):
            entry["flags"].update(flag.strip() for flag in line[2:].split(","))
        elif line.startswith("msgid_plural "):
            current = None
        elif line.startswith("msgid "):
            current = entry["msgid"]
            current.append(ast.literal_eval(line[len("msgid ") :]))
        elif line.startswith("msgstr"):
            current = entry["msgstr"]
            current.append(ast.literal_eval(line.split(" ", 1)[1]))
        elif line.startswith('"') and current is not None:
            current.append(ast.literal_eval(line))
    flush()
    return entries


@pytest.fixture
def chinese(member_client):
    response = member_client.post(reverse("set_language"), {"language": "zh-hans", "next": "/"})
    assert response.status_code == 302
    yield member_client
    translation.activate(settings.LANGUAGE_CODE)


def test_library_page_is_in_chinese_after_switching_language(chinese):
    html = chinese.get("/").content.decode()
    assert '<html lang="zh-hans">' in html
    nav = html.split('<nav class="mainnav"', 1)[1].split("</nav>", 1)[0]
    assert "曲库" in nav
    assert "创作" in nav
    assert "任务" in nav
    assert ">Library<" not in html


def test_create_form_errors_are_in_chinese(chinese):
    response = chinese.post(
        reverse("music:create"), {"mode": "inspiration", "prompt": "", "model": "chirp-v4"}
    )
    html = response.content.decode()
    assert "请描述你想要的歌曲。" in html
    assert "Describe the song you want." not in html


def test_english_stays_the_default(member_client):
    html = member_client.get("/").content.decode()
    assert '<html lang="en">' in html
    assert ">Library<" in html


def test_every_string_is_translated_and_reviewed():
    entries = parse_po(PO_FILE)
    assert len(entries) > 100
    untranslated = [e["msgid"] for e in entries if not e["msgstr"].strip()]
    fuzzy = [e["msgid"] for e in entries if "fuzzy" in e["flags"]]
    assert not untranslated, f"untranslated strings in {PO_FILE.name}: {untranslated}"
    assert not fuzzy, f"fuzzy strings in {PO_FILE.name}: {fuzzy}"
    assert "fuzzy" not in PO_FILE.read_text(encoding="utf-8").split("\n\n", 1)[0]


def test_translations_keep_every_placeholder():
    broken = [
        e["msgid"]
        for e in parse_po(PO_FILE)
        if sorted(PLACEHOLDER.findall(e["msgid"])) != sorted(PLACEHOLDER.findall(e["msgstr"]))
    ]
    assert not broken, f"placeholders differ between English and Chinese: {broken}"


def test_compiled_catalogue_matches_the_po_file():
    """Catch a .po edited without running compilemessages: the committed .mo is what ships."""
    with MO_FILE.open("rb") as handle:
        catalogue = gettext.GNUTranslations(handle)
    assert catalogue.info()["plural-forms"] == "nplurals=1; plural=0;"
    stale = [e["msgid"] for e in parse_po(PO_FILE) if catalogue.gettext(e["msgid"]) != e["msgstr"]]
    assert not stale, f"run compilemessages; django.mo is out of date for: {stale}"
