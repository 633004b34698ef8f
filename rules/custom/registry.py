"""The saved custom rules, as rules a run applies."""


def custom_rules() -> list:
    """The current version of every enabled custom rule (none until custom rules land)."""
    return []
