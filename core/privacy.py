"""De-identification for public pages (docs/privacy.md)."""

SEPARATORS = "·•・."


def mask_name(name: str) -> str:
    """张三 → 张*, 张小三 → 张*三, 欧阳小锋 → 欧**锋; a · separator stays where it is."""
    name = name.strip()
    letters = [i for i, char in enumerate(name) if char not in SEPARATORS]
    if len(letters) < 2:
        return name
    keep = {letters[0]} if len(letters) == 2 else {letters[0], letters[-1]}
    return "".join(char if i in keep or char in SEPARATORS else "*" for i, char in enumerate(name))
