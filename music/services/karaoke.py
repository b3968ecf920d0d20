"""What the song page's waveform and karaoke lyrics are drawn from.

The page loads the song's timing row with the song (one join, see `library.get_song_page`),
so a song with timing costs no extra query and a song without costs nothing at all.
"""

from music.services.lyric_editor import compact_peaks, normalise_words, timed_lines

# A song page's waveform is at most a few hundred pixels wide; more points only weigh.
PAGE_PEAKS = 800


def page_data(song):
    """{"lines": [{text, header, start, end}], "peaks": [...]} or None without timing."""
    timing = getattr(song, "timing", None)
    if timing is None:
        return None
    lines = [] if song.instrumental else timed_lines(normalise_words(timing.words))
    return {
        "lines": [
            {key: value for key, value in line.as_dict().items() if key != "i"} for line in lines
        ],
        "peaks": compact_peaks(timing.waveform, points=PAGE_PEAKS),
    }
