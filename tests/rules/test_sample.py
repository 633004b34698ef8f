"""The sample township, imported as a county would (regions, disclosures, rosters, by the command
line), raises exactly the warnings of its answer key — and a second run changes nothing."""

import csv

from support import SAMPLE

DISCLOSURES = ("projects", "contracts", "ledger", "subsidies")
ROSTERS = ("deceased", "public_employees", "cadres", "standards")


def invoke(cli, *args):
    result = cli.invoke(args=list(args))
    assert result.exit_code == 0, (args, result.output, getattr(result, "stderr", ""))
    return result


def load_sample(cli):
    invoke(cli, "regions", "import", str(SAMPLE / "regions.csv"))
    for kind in DISCLOSURES:
        invoke(cli, "disclosures", "import", kind, str(SAMPLE / f"{kind}.csv"), "--publish")
    for kind in ROSTERS:
        invoke(cli, "rosters", "import", kind, str(SAMPLE / f"{kind}.csv"))


def exported(cli, tmp_path) -> list[dict]:
    target = tmp_path / "warnings.csv"
    invoke(cli, "rules", "export", str(target))
    text = target.read_text(encoding="utf-8")
    assert text.splitlines()[0] == "rule,grade,village_code,subject,summary,evidence_count"
    return list(csv.DictReader(text.splitlines()))


def test_sample_township_raises_exactly_the_answer_key(cli, tmp_path):
    load_sample(cli)
    printed = invoke(cli, "rules", "run", "--as-of", "2026-11-20").output
    assert "DECEASED_RECIPIENT\t4" in printed
    rows = exported(cli, tmp_path)
    with (SAMPLE / "answer_key.csv").open(encoding="utf-8") as key:
        expected = sorted(tuple(row) for row in list(csv.reader(key))[1:])
    assert sorted((row["rule"], row["village_code"], row["subject"]) for row in rows) == expected
    grades = {row["rule"]: row["grade"] for row in rows}
    assert grades["DECEASED_RECIPIENT"] == "1" and grades["CADRE_RELATIVE_RECIPIENT"] == "3"
    assert all(int(row["evidence_count"]) >= 1 and row["summary"] for row in rows)

    again = invoke(cli, "rules", "run", "--as-of", "2026-11-20").output
    assert "没有变化，沿用上次结果" in again
    forced = invoke(cli, "rules", "run", "--as-of", "2026-11-20", "--force").output
    assert "新增预警0条，消除0条，重新成立0条" in forced
    assert exported(cli, tmp_path) == rows
