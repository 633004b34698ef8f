"""Rules of the 12-digit region code that need no database."""

from core.regions.models import Level

CODE_LENGTH = 12


def level_of_code(code: str) -> Level | None:
    """The level a well-formed code's shape implies, or None if it fits none."""
    if len(code) != CODE_LENGTH or not code.isdigit():
        return None
    if code[6:] == "000000":
        return Level.COUNTY
    if code[9:] == "000":
        return Level.TOWNSHIP if code[6:9] != "000" else None
    return Level.VILLAGE if code[6:9] != "000" else None


def scope_prefix(code: str) -> str:
    """Leading digits that every region under this one shares."""
    level = level_of_code(code)
    return code[: level.prefix_length] if level else code


def parent_level(level: Level) -> Level | None:
    """The level one above, None for a county."""
    return {Level.COUNTY: None, Level.TOWNSHIP: Level.COUNTY, Level.VILLAGE: Level.TOWNSHIP}[level]


def ancestor_codes(code: str) -> list[str]:
    """The county and township above a well-formed code, county first (the import checks that
    every code extends its parent's prefix, so the chain follows from the code alone)."""
    level = level_of_code(code)
    if level is Level.VILLAGE:
        return [code[:6] + "000000", code[:9] + "000"]
    return [code[:6] + "000000"] if level is Level.TOWNSHIP else []
