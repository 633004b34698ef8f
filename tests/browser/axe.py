"""Accessibility checks with axe-core, pinned in package.json and installed by `npm ci`."""

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
AXE_SCRIPT = REPO / "node_modules" / "axe-core" / "axe.min.js"
BLOCKING_IMPACTS = ("serious", "critical")
IN_CI = os.environ.get("CI") == "true"


def require_axe() -> Path:
    """The axe-core script; skip without it, but fail under CI, where a skip would hide a gap."""
    if not AXE_SCRIPT.is_file():
        message = f"axe-core not installed ({AXE_SCRIPT} missing): run `npm ci` or bin/test"
        if IN_CI:
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    return AXE_SCRIPT


def check_accessibility(page, impacts=BLOCKING_IMPACTS) -> list[dict]:
    """Run axe-core on the page as it is now; fail on any violation of the given impacts.

    Returns the violations it let through (minor and moderate) for callers that want them.
    The phone context bypasses the app's CSP (script-src 'self'), or the injected script
    would be refused.
    """
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.add_script_tag(path=str(require_axe()))
    violations = page.evaluate("async () => (await axe.run(document, {resultTypes: ['violations']})).violations")
    blocking = [v for v in violations if v.get("impact") in impacts]
    if blocking:
        pytest.fail(
            f"axe-core found {len(blocking)} serious/critical problem(s) on {page.url}:\n" + describe(blocking),
            pytrace=False,
        )
    return [v for v in violations if v not in blocking]


def describe(violations: list[dict]) -> str:
    """One paragraph per violation: rule id, impact, help text and the offending nodes."""
    lines = []
    for violation in violations:
        lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']} — {violation['helpUrl']}")
        for node in violation["nodes"][:10]:
            lines.append(f"    {' '.join(map(str, node['target']))}: {node.get('failureSummary', '').strip()}")
    return "\n".join(lines)
