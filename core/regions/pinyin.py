"""Pinyin keys for searching region names from a phone keyboard."""
from pypinyin import Style, lazy_pinyin


def pinyin_keys(name: str) -> tuple[str, str]:
    """Return (full pinyin, initials), lower case, without tones or separators."""
    syllables = [s.lower() for s in lazy_pinyin(name, errors="ignore")]
    initials = lazy_pinyin(name, style=Style.FIRST_LETTER, errors="ignore")
    return "".join(syllables), "".join(i.lower() for i in initials)
