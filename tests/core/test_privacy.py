import pytest

from core.names import normalise_name, same_name
from core.privacy import mask_name


@pytest.mark.parametrize(
    "name,masked",
    [
        ("张三", "张*"),
        ("张小三", "张*三"),
        ("欧阳小锋", "欧**锋"),
        ("司马相如长", "司***长"),
        ("阿依古丽·买买提", "阿***·**提"),
        ("王", "*"),
        (" 李四 ", "李*"),
        ("", ""),
    ],
)
def test_mask_name(name, masked):
    assert mask_name(name) == masked


# Rosters pad two-character names to line up with three-character ones.
@pytest.mark.parametrize(
    "padded",
    ["王　五", "王 五", "王  五", "王\u200b五", "\u3000王\u00a0五\u200b", "王\t五", "\ufeff王\u2060五", "王\u2002五"],
)
def test_padding_is_no_letter(padded):
    assert normalise_name(padded) == "王五"
    assert mask_name(padded) == "王*"  # never 王*五: the whole name with its space hidden


@pytest.mark.parametrize(
    "typed",
    [
        "阿沛·阿旺晋美",
        "阿沛•阿旺晋美",
        "阿沛・阿旺晋美",
        "阿沛･阿旺晋美",
        "阿沛.阿旺晋美",
        "阿沛．阿旺晋美",
        "阿沛‧阿旺晋美",
        "阿沛 · 阿旺晋美",
        "阿沛··阿旺晋美",
        "阿沛\u0387阿旺晋美",
        "阿沛∙阿旺晋美",
        "阿沛⋅阿旺晋美",
    ],
)
def test_the_interpunct_stays_in_one_form(typed):
    assert normalise_name(typed) == "阿沛·阿旺晋美"
    assert mask_name(typed) == "阿*·***美"


def test_same_name_ignores_padding_on_either_side():
    assert same_name("王　五", "王五") and same_name("王五", "王 五") and same_name("阿沛•阿旺晋美", "阿沛·阿旺晋美")
    assert not same_name("王五", "王六") and not same_name("王五", "王五六")
    assert not same_name("", "\u200b") and not same_name("\u3000", " ")  # nothing typed matches nothing
