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
