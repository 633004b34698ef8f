"""Problems found in an imported file, worded as docs/import-templates.md prescribes."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One bad cell (row and column given), or the file as a whole (row None)."""

    reason: str
    row: int | None = None
    column: str | None = None
    value: str | None = None

    def __str__(self) -> str:
        if self.row is None:
            return f"文件：{self.reason}"
        where = f"第{self.row}行"
        if self.column is not None:
            where += f" {self.column}「{self.value if self.value is not None else ''}」"
        return f"{where}：{self.reason}"


class Rejected(Exception):
    """A file with any problem; nothing from it may be stored."""

    def __init__(self, problems: list[Problem]):
        super().__init__(f"共{len(problems)}处错误")
        self.problems = problems

    def lines(self) -> list[str]:
        """The stderr lines of a rejected command-line import, the count last."""
        return [str(p) for p in self.problems] + [f"共{len(self.problems)}处错误"]
