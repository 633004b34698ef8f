"""A clone stands alone: nothing in it reads or cites files beside the checkout."""

import subprocess

import pytest
from support import REPO, is_temp_dir


@pytest.mark.skipif(
    is_temp_dir(str(REPO.parent)),
    reason="a clone directly in the temp folder: its neighbours are the tests' own temp files, so the guard is off",
)
def test_a_test_cannot_open_a_file_beside_the_repository():
    beside = REPO.parent / "anything-beside-the-checkout.txt"
    with pytest.raises(PermissionError, match="outside the repository"):
        beside.open()
    with pytest.raises(PermissionError, match="outside the repository"):
        list((REPO.parent / "a-folder-beside-the-checkout").iterdir())


# The folder the project's design notes once lived in, beside the checkout; spelled in parts so
# that this file does not itself name it.
_NOTES = "sha" + "red"
BESIDE = (f"../{_NOTES}", f"{_NOTES}/design", f"{_NOTES}/data")


def test_no_tracked_file_points_beside_the_repository():
    tracked = subprocess.run(["git", "ls-files"], cwd=REPO, capture_output=True, text=True, check=True).stdout
    offenders = []
    for name in tracked.splitlines():
        path = REPO / name
        if path.suffix not in {".py", ".html", ".md", ".sh", ".toml", ".txt", ".cfg", ".ini", ".lua"}:
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        if any(pattern in text for pattern in BESIDE):
            offenders.append(name)
    assert offenders == []
