"""De-identification for public pages (docs/privacy.md)."""

from core.names import INTERPUNCT, normalise_name


def mask_name(name: str) -> str:
    """张三 → 张*, 张小三 → 张*三, 欧阳小锋 → 欧**锋, 张 → *; a · separator stays where it is.

    The name is normalised first: counting a roster's padding (「王　五」) as a letter would keep
    王 and 五 and hide only the space.
    """
    name = normalise_name(name)
    letters = [i for i, char in enumerate(name) if char != INTERPUNCT]
    keep = set() if len(letters) < 2 else {letters[0]} if len(letters) == 2 else {letters[0], letters[-1]}
    return "".join(char if i in keep or char == INTERPUNCT else "*" for i, char in enumerate(name))
