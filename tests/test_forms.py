"""Per-model limits (music/catalogue.py) are inclusive: exactly the limit passes, one more not."""

import pytest

from music import catalogue
from music.forms import CreateSongForm

LIMITS = [
    (model, field, limit)
    for model in catalogue.MODELS
    for field, limit in [
        ("lyric", model.lyric_max),
        ("style", model.style_max),
        ("style_negative", model.style_max),
        ("title", model.title_max),
    ]
]


def custom_form(team, model, **fields):
    data = {"mode": "custom", "model": model.key, "lyric": "la la", "style": "pop"}
    if model.needs_pro:
        data["is_pro"] = "on"
    data.update(fields)
    return CreateSongForm(data, team=team, accounts=[])


@pytest.mark.parametrize(
    ("model", "field", "limit"), LIMITS, ids=[f"{m.key}-{f}" for m, f, _ in LIMITS]
)
def test_each_models_limit_is_inclusive(team, model, field, limit):
    at_limit = custom_form(team, model, **{field: "x" * limit})
    assert at_limit.is_valid(), at_limit.errors
    assert len(at_limit.cleaned_data[field]) == limit
    over = custom_form(team, model, **{field: "x" * (limit + 1)})
    assert not over.is_valid()
    assert list(over.errors) == [field]
    assert f"allows at most {limit}" in over.errors[field][0]


def test_the_description_limit_is_inclusive(team):
    def form(prompt):
        data = {"mode": "inspiration", "model": "chirp-v4", "prompt": prompt}
        return CreateSongForm(data, team=team, accounts=[])

    assert form("d" * catalogue.DESCRIPTION_MAX).is_valid()
    over = form("d" * (catalogue.DESCRIPTION_MAX + 1))
    assert not over.is_valid()
    assert list(over.errors) == ["prompt"]


def test_line_breaks_count_once_as_the_page_counts_them(team):
    from music.forms import CreateSongForm

    lyric = "第一行 🌧\r\n" * 500  # 6 a line as shown (3000 in all), 3500 with the CRs
    form = CreateSongForm(
        {"mode": "custom", "lyric": lyric, "style": "pop", "model": "chirp-v4"}, team=team
    )
    assert form.is_valid(), form.errors
    assert form.cleaned_data["lyric"] == ("第一行 🌧\n" * 500).strip()


def test_too_long_lyrics_get_one_error_not_two(team):
    from music.forms import CreateSongForm

    form = CreateSongForm(
        {"mode": "custom", "lyric": "x" * 3001, "style": "pop", "model": "chirp-v4"}, team=team
    )
    assert not form.is_valid()
    assert form.errors["lyric"] == ["This is 3001 characters; v4 allows at most 3000."]
