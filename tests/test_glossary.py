"""Every Chinese string follows the glossary (locale/glossary-zh.md): one term per feature.

The forbidden terms and the fixed translations are read from the glossary's own tables, so
the glossary stays the one place a term is decided; the test only enforces it.
"""

import re
from pathlib import Path

import pytest
from django.conf import settings

from tests.test_i18n import LOCALE_DIR, parse_po

GLOSSARY = Path(settings.BASE_DIR) / "locale" / "glossary-zh.md"
CATALOGUES = [LOCALE_DIR / "django.po", LOCALE_DIR / "djangojs.po"]


def rows(heading):
    """The body rows of the first Markdown table under `heading`, as lists of cells."""
    text = GLOSSARY.read_text(encoding="utf-8")
    section = text.split(heading, 1)[1]
    found = []
    for line in section.splitlines()[1:]:
        if line.startswith("#"):
            break
        if not line.startswith("|"):
            continue
        cells = [c.strip().replace("\\|", "|") for c in re.split(r"(?<!\\)\|", line)[1:-1]]
        if set(cells[0]) <= set("-: "):
            continue  # the header's rule
        found.append(cells)
    return found[1:]  # without the header row


def code(cell):
    return cell[1:-1] if cell.startswith("`") and cell.endswith("`") else cell


FORBIDDEN = [(re.compile(code(r[0])), r[1]) for r in rows("### Forbidden terms")]
FIXED = {r[0]: r[1] for r in rows("### Fixed translations")}
ENTRIES = [e for path in CATALOGUES for e in parse_po(path)]


def test_the_glossary_tables_are_read():
    assert len(FORBIDDEN) >= 10
    assert len(FIXED) >= 10
    patterns = {p.pattern for p, _ in FORBIDDEN}
    for term in ("合并", "访客", "上游", "归档", "分离人声与伴奏", "个字符", "声音"):
        assert term in patterns


def test_every_rejected_term_of_the_glossary_table_is_forbidden():
    """“拼接 (not 合并)”, “(never 上游 in the UI)”: the main table's rejections are checked."""
    table = GLOSSARY.read_text(encoding="utf-8").split("## Known mistranslations", 1)[0]
    rejected = {
        term
        for line in table.splitlines()
        if line.startswith("|")
        for term in re.findall(r"\((?:not|never) ([^\s),:]+)", line)
    }
    assert rejected >= {"合并", "访客", "上游"}
    unchecked = [t for t in rejected if not any(p.search(t) for p, _ in FORBIDDEN)]
    assert not unchecked, f"add these to the glossary's forbidden terms: {unchecked}"


@pytest.mark.parametrize(("pattern", "instead"), FORBIDDEN, ids=[p.pattern for p, _ in FORBIDDEN])
def test_no_translation_uses_a_forbidden_term(pattern, instead):
    offending = [
        f"{e['msgid']!r} → {e['msgstr']!r}" for e in ENTRIES if pattern.search(e["msgstr"])
    ]
    assert not offending, f"use {instead} instead of /{pattern.pattern}/ in: {offending}"


def test_the_known_mistranslations_stay_fixed():
    by_msgid = {e["msgid"]: e["msgstr"] for e in ENTRIES if not e.get("msgctxt")}
    wrong = {
        msgid: (by_msgid.get(msgid), wanted)
        for msgid, wanted in FIXED.items()
        if by_msgid.get(msgid) != wanted
    }
    assert not wrong, f"msgid: (found, glossary): {wrong}"


def test_the_check_can_fail():
    """The patterns match the mistranslations the review found (so the test has teeth)."""
    found = ["请服务商回调通知工作室", "自动合并替换的片段", "访客", "上游任务 ID", "声音来自"]
    found += ["编辑片段: 副歌", "(你)"]  # ASCII glue around Chinese
    for bad in found:
        assert any(p.search(bad) for p, _ in FORBIDDEN), bad
    assert not any(p.search("衍生关系图") for p, _ in FORBIDDEN)
