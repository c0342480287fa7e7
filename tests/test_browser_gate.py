"""Without Chromium the browser tests skip, saying how to install it; under .ci/run
(`JOURNAL_REQUIRE_BROWSER=1`) they fail instead."""

from pathlib import Path

import pytest

from tests.browser import conftest as browser


def test_without_chromium_the_browser_tests_skip_with_the_install_command(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(browser, "CHROMIUM", tmp_path / "no-chromium")
    monkeypatch.delenv("JOURNAL_REQUIRE_BROWSER", raising=False)
    with pytest.raises(pytest.skip.Exception, match="apt-get install -y chromium"):
        browser.require_browser()


def test_ci_turns_the_skip_into_a_failure(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(browser, "CHROMIUM", tmp_path / "no-chromium")
    monkeypatch.setenv("JOURNAL_REQUIRE_BROWSER", "1")
    with pytest.raises(pytest.fail.Exception, match="apt-get install -y chromium"):
        browser.require_browser()
