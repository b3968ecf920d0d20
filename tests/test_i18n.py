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
JS_PO_FILE = LOCALE_DIR / "djangojs.po"
JS_MO_FILE = LOCALE_DIR / "djangojs.mo"
CATALOGUES = [(PO_FILE, MO_FILE), (JS_PO_FILE, JS_MO_FILE)]
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|\{\{\s*\w+\s*\}\}")


def parse_po(path):
    """The entries of a .po file as dicts of msgctxt, msgid, msgstr and flags (header and
    obsolete out).

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
        # A msgid after a finished entry starts the next one, with or without a context.
        starts_entry = line.startswith(("#", "msgctxt ")) or (
            line.startswith("msgid ")
            and entry is not None
            and (entry["msgctxt"] is None or entry["msgstr"])
        )
        if entry is None or (starts_entry and entry["msgstr"]):
            flush()
            entry = {"flags": set(), "msgctxt": None, "msgid": [], "msgstr": [], "obsolete": False}
            current = None
        if line.startswith("#~"):
            entry["obsolete"] = True
        elif line.startswith("#,"):
            entry["flags"].update(flag.strip() for flag in line[2:].split(","))
        elif line.startswith("msgctxt "):
            entry["msgctxt"] = ast.literal_eval(line[len("msgctxt ") :])
            current = None
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


@pytest.mark.parametrize("po_file", [po for po, _ in CATALOGUES], ids=lambda p: p.name)
def test_every_string_is_translated_and_reviewed(po_file):
    entries = parse_po(po_file)
    assert len(entries) > (100 if po_file == PO_FILE else 1)
    untranslated = [e["msgid"] for e in entries if not e["msgstr"].strip()]
    fuzzy = [e["msgid"] for e in entries if "fuzzy" in e["flags"]]
    assert not untranslated, f"untranslated strings in {po_file.name}: {untranslated}"
    assert not fuzzy, f"fuzzy strings in {po_file.name}: {fuzzy}"
    assert "fuzzy" not in po_file.read_text(encoding="utf-8").split("\n\n", 1)[0]


@pytest.mark.parametrize("po_file", [po for po, _ in CATALOGUES], ids=lambda p: p.name)
def test_translations_keep_every_placeholder(po_file):
    broken = [
        e["msgid"]
        for e in parse_po(po_file)
        if sorted(PLACEHOLDER.findall(e["msgid"])) != sorted(PLACEHOLDER.findall(e["msgstr"]))
    ]
    assert not broken, f"placeholders differ between English and Chinese: {broken}"


@pytest.mark.parametrize(("po_file", "mo_file"), CATALOGUES, ids=lambda p: p.name)
def test_compiled_catalogue_matches_the_po_file(po_file, mo_file):
    """Catch a .po edited without running compilemessages: the committed .mo is what ships."""
    with mo_file.open("rb") as handle:
        catalogue = gettext.GNUTranslations(handle)
    assert catalogue.info()["plural-forms"] == "nplurals=1; plural=0;"

    def compiled(e):
        if e["msgctxt"] is not None:
            return catalogue.pgettext(e["msgctxt"], e["msgid"])
        return catalogue.gettext(e["msgid"])

    stale = [e["msgid"] for e in parse_po(po_file) if compiled(e) != e["msgstr"]]
    assert not stale, f"run compilemessages; {mo_file.name} is out of date for: {stale}"


SCRIPTS = sorted((Path(settings.BASE_DIR) / "static" / "js").glob("*.js"))
JS_GETTEXT = re.compile(r"""\b(?:gettext|ngettext|pgettext)\(\s*(["'])((?:\\.|(?!\1).)*)\1""")
CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")


def test_every_script_string_is_in_the_javascript_catalogue():
    """Scripts say nothing in a hard-coded language: every gettext() msgid is translated."""
    known = {e["msgid"] for e in parse_po(JS_PO_FILE)}
    used, hard_coded = set(), []
    for script in SCRIPTS:
        text = script.read_text(encoding="utf-8")
        used |= {m.group(2) for m in JS_GETTEXT.finditer(text)}
        hard_coded += [f"{script.name}: {ln.strip()}" for ln in text.splitlines() if CJK.search(ln)]
    assert "Pause" in used
    assert not used - known, f"add to djangojs.po: {sorted(used - known)}"
    assert not hard_coded, f"Chinese belongs in djangojs.po, not in scripts: {hard_coded}"


def test_the_javascript_catalogue_is_served_in_the_readers_language(chinese):
    response = chinese.get(reverse("javascript_catalog"))
    assert response.status_code == 200
    body = response.content.decode()
    assert '"Pause": "\\u6682\\u505c"' in body or '"Pause": "暂停"' in body
    page = chinese.get("/").content.decode()
    catalogue, script = page.find(reverse("javascript_catalog")), page.find("js/studio.js")
    assert -1 < catalogue < script, "the catalogue loads before the scripts that use it"


def test_the_javascript_catalogue_is_english_by_default(client):
    body = client.get(reverse("javascript_catalog")).content.decode()
    assert "\\u6682\\u505c" not in body and "暂停" not in body


GENERIC = re.compile(
    r"""{%\s*translate\s+["'](?:yes|no)["']\s*%}|\b_\(\s*["'](?:yes|no)["']\s*\)"""
)


def test_generic_yes_and_no_take_a_context():
    sources = [*Path(settings.BASE_DIR, "templates").rglob("*.html")]
    sources += [*Path(settings.BASE_DIR, "music").rglob("*.py")]
    generic = [str(p) for p in sources if GENERIC.search(p.read_text(encoding="utf-8"))]
    assert not generic, f"use pgettext / translate … context for yes/no in: {generic}"
