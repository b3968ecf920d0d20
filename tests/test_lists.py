"""Lists typed into one field, with either language's commas."""

import pytest

from music.lists import split_list


@pytest.mark.parametrize(
    "typed",
    [
        "a.example, b.example",
        "a.example，b.example",
        "a.example、b.example",
        "a.example\nb.example\n",
        " a.example ,，、 b.example ",
    ],
)
def test_every_comma_separates(typed):
    assert split_list(typed) == ["a.example", "b.example"]


def test_nothing_typed_is_an_empty_list():
    assert split_list("") == split_list(None) == split_list(" ， ") == []
