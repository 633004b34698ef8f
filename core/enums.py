"""Labelled enums and the column type that makes the database enforce them.

A `LabelledEnum` member is a string (its stored value) that carries its Chinese label, so a status
reads the same wherever it is shown: `Status.CLOSED == "closed"`, `Status.CLOSED.label == "已办结"`.
Members are declared as `NAME = "value", "标签"`.

`EnumText(Status)` is the column type (Indico's pattern): it stores the value in a VARCHAR, reads
it back as the member, and adds a CHECK constraint naming every value, so a row written by hand or
by another program cannot hold a status the code does not know. Migration 0020 created those
constraints on the existing tables; a new value needs a migration that widens its constraint.
"""

from enum import StrEnum

from sqlalchemy import CheckConstraint, String, event
from sqlalchemy.orm import Mapper
from sqlalchemy.types import SchemaType, TypeDecorator


class LabelledEnum(StrEnum):
    """A string enum whose members carry a label: `NAME = "value", "标签"`."""

    label: str

    def __new__(cls, value: str, label: str):
        member = str.__new__(cls, value)
        member._value_ = value
        member.label = label
        return member

    @classmethod
    def choices(cls) -> list[tuple[str, str]]:
        """(value, label) pairs in declaration order, for select and radio fields."""
        return [(member.value, member.label) for member in cls]

    @classmethod
    def lookup(cls, value: str | None) -> "LabelledEnum | None":
        """The member whose value this is, or None (form input, a value from outside)."""
        return cls._value2member_map_.get(value) if isinstance(value, str) else None

    @classmethod
    def label_of(cls, value: str | None) -> str:
        """The label of a value; an unknown value (or none) is shown as it is."""
        if value is None:
            return ""
        member = cls._value2member_map_.get(value)
        return member.label if member is not None else str(value)


class EnumText(TypeDecorator, SchemaType):
    """A VARCHAR holding one value of `enum`, with a CHECK constraint `ck_<table>_<column>_valid`
    (or `ck_<table>_<check_name>`)."""

    impl = String
    cache_ok = True

    def __init__(self, enum: type[StrEnum], length: int | None = None, check_name: str | None = None):
        self.enum = enum
        self.check_name = check_name  # for constraints named before this type existed
        TypeDecorator.__init__(self, length or max(len(member.value) for member in enum))
        SchemaType.__init__(self)

    def __repr__(self) -> str:
        return f"EnumText({self.enum.__name__}, {self.impl.length})"

    def _set_table(self, column, table):
        values = ", ".join(f"'{member.value}'" for member in self.enum)
        constraint = CheckConstraint(
            f"{column.name} IN ({values})", name=self.check_name or f"{column.name}_valid", _type_bound=True
        )
        table.append_constraint(constraint)

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        # A filter on an unknown value (a hand-edited query string) matches nothing; writing one
        # meets the CHECK constraint, and an ORM attribute refuses it already when set.
        member = self.enum._value2member_map_.get(value)
        return member.value if member is not None else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return self.enum(value)


@event.listens_for(Mapper, "mapper_configured")
def _coerce_on_set(mapper, _class) -> None:
    """An enum attribute holds a member from the moment it is set (`case.status = "closed"` reads
    back as `Status.CLOSED` with its label before any flush), and a value outside the enum fails
    there, where the mistake is, rather than at the database's CHECK."""
    for prop in mapper.column_attrs:
        column = prop.columns[0]
        if isinstance(getattr(column, "type", None), EnumText) and prop.parent is mapper:
            enum = column.type.enum
            event.listen(prop.class_attribute, "set", _coercer(enum), retval=True)


def _coercer(enum):
    def coerce(_target, value, _old, _initiator):
        return value if value is None else enum(value)

    return coerce
