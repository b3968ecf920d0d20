"""Deterministic words for the simulator: titles, lyrics and styles invented from a prompt."""

import hashlib

# Songs the simulator refuses like the real service does ("Prompt likely copyrighted").
COPYRIGHTED = ("bohemian rhapsody", "yesterday by the beatles", "shape of you")


def is_copyrighted(*texts):
    text = " ".join(t for t in texts if t).lower()
    return any(title in text for title in COPYRIGHTED)


def invent_title(text):
    """A short title from the first words, without a leading article."""
    words = [w for w in (text or "Untitled").replace("\n", " ").split(" ") if w]
    if len(words) > 2 and words[0].lower() in ("a", "an", "the"):
        words = words[1:]
    title = " ".join(words[:5])[:60]
    return title.title() if title.isascii() else title


def invent_style(prompt):
    return boost_style(prompt, short=True)


def invent_lyric(prompt, instrumental=False):
    """Deterministic lyrics in the prompt's language and the usual song structure."""
    if instrumental:
        return ""
    seed = int(hashlib.sha256(prompt.encode()).hexdigest(), 16)
    cjk = any("\u4e00" <= ch <= "\u9fff" for ch in prompt)
    if cjk:
        bank = [
            "灯火照亮回家的路",
            "风里有你轻声的歌",
            "把心愿写进夜空里",
            "我们一起慢慢走过",
            "星光落在你的眼眸",
            "明天会更好的理由",
            "岁月温柔地停留",
            "笑声飘过每个街口",
        ]
        hook = prompt.strip()[:8] or "唱吧"
    else:
        bank = [
            "Lights are glowing down the street",
            "Hear the rhythm in your feet",
            "Every heartbeat finds a rhyme",
            "We are dancing out of time",
            "Hold the moment, hold it tight",
            "Stars are shining through the night",
            "Sing it louder, sing it clear",
            "All the ones we love are here",
        ]
        hook = " ".join(prompt.split()[:4]) or "Sing along"

    def pick(n, offset):
        return [bank[(seed >> (i * 3) + offset) % len(bank)] for i in range(n)]

    verse1, verse2 = pick(4, 0), pick(4, 7)
    chorus = [hook, pick(1, 13)[0], hook, pick(1, 17)[0]]
    parts = ["[Verse]", *verse1, "[Chorus]", *chorus, "[Verse 2]", *verse2, "[Chorus]", *chorus]
    return "\n".join(parts)


def boost_style(prompt, short=False):
    """A deterministic 'upsampled' style from a few words."""
    text = prompt.lower()
    genre = next(
        (
            g
            for g in (
                "rock",
                "jazz",
                "edm",
                "folk",
                "hip hop",
                "ballad",
                "punk",
                "lo-fi",
                "r&b",
                "classical",
                "pop",
            )
            if g in text
        ),
        "pop",
    )
    mood = next(
        (m for m in ("sad", "dark", "happy", "warm", "dreamy", "festive", "calm") if m in text),
        "uplifting",
    )
    chinese = any("\u4e00" <= ch <= "\u9fff" for ch in prompt) or "chinese" in text
    tags = [mood, genre]
    if chinese:
        tags += ["chinese", "guzheng"]
    if short:
        return ", ".join(tags)
    instruments = {
        "rock": "driving electric guitars and live drums",
        "jazz": "brushed drums, upright bass and warm piano",
        "edm": "punchy four-on-the-floor kick and bright supersaw synths",
        "folk": "fingerpicked acoustic guitar and soft harmonies",
        "ballad": "tender piano and sweeping strings",
    }.get(genre, "glossy synths, tight drums and a catchy bass line")
    extra = ", with pentatonic guzheng and erhu accents" if chinese else ""
    return (
        f"{mood.capitalize()} {genre} with {instruments}{extra}; intimate verses open "
        f"into a wide, memorable chorus, then a short bridge before the final chorus."
    )


def merge_styles(*styles):
    """Comma-separated tags from several styles, in order, without repeats."""
    seen, out = set(), []
    for style in styles:
        for tag in (style or "").split(","):
            tag = tag.strip()
            if tag and tag.lower() not in seen:
                seen.add(tag.lower())
                out.append(tag)
    return ", ".join(out)


def normalise_lines(text):
    """Non-empty lines with inner whitespace collapsed, for comparing lyric fragments."""
    return [" ".join(line.split()) for line in (text or "").splitlines() if line.strip()]


def contains_lines(lyric, part):
    """Whether `part`'s lines appear, in order and together, inside `lyric`."""
    whole, piece = normalise_lines(lyric), normalise_lines(part)
    if not piece:
        return False
    n = len(piece)
    if any(whole[i : i + n] == piece for i in range(len(whole) - n + 1)):
        return True
    # A one-line prompt may also be a phrase inside a line.
    return n == 1 and piece[0] in "\n".join(whole)
