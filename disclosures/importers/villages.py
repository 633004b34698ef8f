"""The 村代码 every template shares: parsed, and checked against the regions the uploader may write."""

from array import array

from sqlalchemy import select

from core.extensions import db
from core.regions.models import Level, Region
from core.tabular import parse_digits
from disclosures.importers.rows import Findings
from disclosures.importers.stored import chunks

VILLAGE = "村代码"


def parse_village_code(value: object) -> str:
    return parse_digits(value, 12)


def _village_problem(level: str | None, code: str, villages: set[str] | None) -> str | None:
    if level is None:
        return "村代码不存在"
    if level != Level.VILLAGE:
        return "不是村级区划代码"
    if villages is not None and code not in villages:
        return "不是本账号可上报的村"
    return None


class VillageRows:
    """Which rows name each 村代码, kept compactly, for the check every template shares."""

    def __init__(self) -> None:
        self._rows: dict[str, array] = {}

    def add(self, row: dict) -> None:
        code = row.get("village_code")  # tables without villages (the commission's rosters) skip this
        if code is None:
            return
        numbers = self._rows.get(code)
        if numbers is None:
            numbers = self._rows[code] = array("I")
        numbers.append(row["row_number"])

    def check(self, villages: set[str] | None, findings: Findings) -> set[str]:
        """Report each row whose 村代码 is not an existing village the uploader may write; return
        those codes."""
        levels: dict[str, str] = {}
        for part in chunks(self._rows):
            levels.update(
                map(tuple, db.session.execute(select(Region.code, Region.level).where(Region.code.in_(part))))
            )
        bad = {code: reason for code in self._rows if (reason := _village_problem(levels.get(code), code, villages))}
        for code, reason in bad.items():
            for number in self._rows[code]:
                findings.error(number, VILLAGE, code, reason)
        return set(bad)
