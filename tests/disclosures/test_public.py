"""disclosures/public.py: one definition of the public row and of its columns."""

import pytest
from sqlalchemy import inspect

from disclosures.models import ROW_MODELS, Kind
from disclosures.public import PUBLIC_FIELDS, public_fields

PRIVATE_MARKS = ("_hash", "_cipher")


@pytest.mark.parametrize("kind", list(Kind))
def test_public_columns_exist_and_none_is_private(kind):
    columns = {column.key for column in inspect(ROW_MODELS[kind]).columns}
    names = [name for name, _label in PUBLIC_FIELDS[kind]]
    assert set(names) <= columns
    assert not [name for name in names if name.endswith(PRIVATE_MARKS)]


def test_a_chosen_part_of_the_whitelist_cannot_name_a_private_column():
    assert public_fields(Kind.SUBSIDIES, ("paid_on", "name")) == [("name", "姓名"), ("paid_on", "发放日期")]
    with pytest.raises(ValueError, match="id_cipher"):
        public_fields(Kind.SUBSIDIES, ("name", "id_cipher"))
