"""The browser tests' screenshots: a busy machine's missing frame is retried, a real error is not."""

import pytest
from playwright.sync_api import Error as PlaywrightError

from . import conftest


class FlakyPage:
    def __init__(self, failures: list[str]):
        self.failures = failures
        self.waits: list[int] = []

    def screenshot(self, path, full_page):
        if self.failures:
            raise PlaywrightError(self.failures.pop(0))
        path.write_bytes(b"png")

    def wait_for_timeout(self, ms):
        self.waits.append(ms)


@pytest.fixture(autouse=True)
def screenshots_in(tmp_path, monkeypatch):
    monkeypatch.setattr(conftest, "SCREENSHOTS", tmp_path)


def test_a_missing_frame_is_retried():
    page = FlakyPage(["Protocol error (Page.captureScreenshot): Unable to capture screenshot"])
    path = conftest.save_screenshot(page, "step")
    assert path.read_bytes() == b"png"
    assert page.waits == [250]


def test_a_frame_missing_every_time_still_fails():
    page = FlakyPage(["Unable to capture screenshot"] * conftest.SCREENSHOT_ATTEMPTS)
    with pytest.raises(PlaywrightError):
        conftest.save_screenshot(page, "step")


def test_any_other_error_fails_at_once():
    page = FlakyPage(["Target page, context or browser has been closed"])
    with pytest.raises(PlaywrightError, match="closed"):
        conftest.save_screenshot(page, "step")
    assert page.waits == []
