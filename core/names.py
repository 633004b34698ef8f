"""A person's name as it is stored, compared and masked: without the padding rosters add.

Rosters pad two-character names to line up with three-character ones — 「王　五」 with a full-width
space, 「王 五」, 「王  五」, or an invisible zero-width space — and the padding is no part of the name.
The interpunct of minority names (阿沛·阿旺晋美) is, in whichever look-alike it was typed.
"""

import re

INTERPUNCT = "\u00b7"  # ·, as on the ID card
# What keyboards and encodings give for it: bullets, katakana and Greek middle dots, the
# hyphenation point Taiwanese text uses, dot operators, full stops half- and full-width.
_DOT_LOOKALIKES = "\u0387\u2022\u2024\u2027\u2219\u22c5\u2981\u2e31\u30fb\uff65\ufe52\uff0e.\u1427\u318d"
_TO_INTERPUNCT = str.maketrans(dict.fromkeys(_DOT_LOOKALIKES, INTERPUNCT))
# Whitespace of every width, and the invisible format characters that copying from web pages and
# Word leaves behind (zero-width spaces and joiners, direction marks, soft hyphens, BOMs).
_PADDING = re.compile(r"[\s\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff]+")
_REPEATED_DOTS = re.compile(INTERPUNCT + "{2,}")


def normalise_name(name: str) -> str:
    """「王　五」, 「王 五」, 「王\u200b五」 → 王五; 阿沛 • 阿旺晋美 → 阿沛·阿旺晋美."""
    name = _PADDING.sub("", name).translate(_TO_INTERPUNCT)
    return _REPEATED_DOTS.sub(INTERPUNCT, name) if INTERPUNCT * 2 in name else name


def same_name(stored: str, typed: str) -> bool:
    """Whether two spellings name the same person, padding aside (rows stored before names were
    normalised keep their padding: see portal/queries.payments_for)."""
    wanted = normalise_name(typed)
    return bool(wanted) and normalise_name(stored) == wanted
