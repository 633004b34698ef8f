"""CI: audit the installed Python dependencies with pip-audit, and say plainly whether it could.

pip-audit asks PyPI's JSON API for each release's known vulnerabilities. A package it cannot look
up is "skipped", and its summary still reads "No known vulnerabilities found": counted here, such
an audit is reported as NOT DONE instead of passing.

Exit status: 0 audited, nothing known; 1 known vulnerabilities, or pip-audit failed; 3 not done
(the vulnerability data could not be reached for some or all packages).
Accepted findings go in .ci/pip-audit-ignore.txt, one "ID  reason" per line.
"""

import json
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
VENV_BIN = HERE.parent / ".venv" / "bin"
NOT_DONE = 3


def ignored() -> list[str]:
    listing = HERE / "pip-audit-ignore.txt"
    lines = listing.read_text().splitlines() if listing.exists() else []
    return [line.split()[0] for line in lines if line.strip() and not line.startswith("#")]


def main() -> int:
    command = [
        str(VENV_BIN / "pip-audit"),
        "--skip-editable",
        "--format",
        "json",
        "--progress-spinner",
        "off",
        "--timeout",
        "20",
        *(arg for vuln in ignored() for arg in ("--ignore-vuln", vuln)),
    ]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=900)
    except subprocess.TimeoutExpired:
        print("DEPENDENCY AUDIT NOT DONE: pip-audit got no answer within 15 minutes")
        return NOT_DONE
    try:
        report = json.loads(done.stdout)
    except ValueError:
        print(f"DEPENDENCY AUDIT NOT DONE: pip-audit exited {done.returncode} without a report:")
        print(done.stderr.strip()[-3000:])
        return NOT_DONE
    found = [(dep["name"], dep["version"], vuln) for dep in report["dependencies"] for vuln in dep.get("vulns", [])]
    skipped = [dep for dep in report["dependencies"] if dep.get("skip_reason")]
    audited = len(report["dependencies"]) - len(skipped)
    for name, version, vuln in found:
        fixed = ", ".join(vuln.get("fix_versions", [])) or "no fixed release"
        print(f"VULNERABLE {name} {version}: {vuln['id']} ({fixed}) {vuln.get('description', '')[:200]}")
    if found:
        print(f"DEPENDENCY AUDIT FAILED: {len(found)} known vulnerabilities in {audited} audited packages")
        return 1
    if skipped:
        print(
            f"DEPENDENCY AUDIT NOT DONE for {len(skipped)} of {len(report['dependencies'])} packages "
            f"(audited: {audited}); the vulnerability data could not be had, e.g.:"
        )
        for dep in skipped[:3]:
            print(f"  {dep['skip_reason']}")
        return NOT_DONE
    print(f"dependency audit: {audited} packages, no known vulnerabilities")
    return 0


if __name__ == "__main__":
    sys.exit(main())
