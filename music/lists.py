"""Lists typed into one text field, in either language's punctuation."""

import re

# "," as typed on an English keyboard, "，" and "、" as a Chinese input method types them
# (a Chinese list uses 、), and one item per line.
SEPARATORS = re.compile(r"[,，、\n]")


def split_list(value):
    """The items of a typed list, stripped, empties dropped: "a，b、 c" -> ["a", "b", "c"]."""
    return [item.strip() for item in SEPARATORS.split(value or "") if item.strip()]
