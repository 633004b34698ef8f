import pytest

from core.privacy import mask_name


@pytest.mark.parametrize("name,masked", [
    ("张三", "张*"), ("张小三", "张*三"), ("欧阳小锋", "欧**锋"), ("司马相如长", "司***长"),
    ("阿依古丽·买买提", "阿***·**提"), ("王", "王"), (" 李四 ", "李*"),
])
def test_mask_name(name, masked):
    assert mask_name(name) == masked
