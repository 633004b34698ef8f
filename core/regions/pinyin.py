"""Pinyin keys for searching region names from a phone keyboard."""


def pinyin_keys(name: str) -> tuple[str, str]:
    """Return (full pinyin, initials), lower case, without tones or separators."""
    # pypinyin loads its phrase dictionary on import (most of a second): only region imports
    # and the demo need it, so it is not loaded with the app.
    from pypinyin import Style, lazy_pinyin

    syllables = [s.lower() for s in lazy_pinyin(name, errors="ignore")]
    initials = lazy_pinyin(name, style=Style.FIRST_LETTER, errors="ignore")
    return "".join(syllables), "".join(i.lower() for i in initials)
