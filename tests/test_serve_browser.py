"""`reader serve` in a real headless browser (Debian's chromium and its driver).

The page draws the terminal with xterm.js on a canvas, so there is no text in the DOM: a
script run before the page's own records xterm's Terminal when the page creates it, and the
test reads the screen from its buffer.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.common.exceptions import TimeoutException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.ui import WebDriverWait

import reader
from reader.cli import main
from test_serve import free_port

CHROMIUM = shutil.which("chromium")
CHROMEDRIVER = shutil.which("chromedriver")
pytestmark = [
    pytest.mark.slow,  # a real headless browser
    pytest.mark.skipif(
        CHROMIUM is None or CHROMEDRIVER is None,
        reason="no chromium and chromedriver on PATH (Debian: apt-get install chromium "
        "chromium-driver; .ci/run installs them)",
    ),
]
SAMPLE_FEED = Path(reader.__file__).resolve().parent.parent / "sample_feed"
CHROMIUM_FLAGS = (
    "--headless=new --no-sandbox --disable-gpu --disable-quic --no-first-run "
    "--disable-background-networking --disable-component-update --disable-sync "
    "--window-size=1400,900"
).split()
WAIT_SECONDS = 10

# The page keeps its xterm.js Terminal in a closure; it is assigned as `this.terminal = ...`,
# which a setter on Object.prototype sees (and then steps aside for an ordinary property).
RECORD_TERMINAL = """
Object.defineProperty(Object.prototype, 'terminal', {
  configurable: true,
  set(value) {
    window.readerTerminal = value;
    Object.defineProperty(this, 'terminal', {value, writable: true, configurable: true});
  },
});
"""
SCREEN_TEXT = """
const terminal = window.readerTerminal;
if (!terminal) return '';
const rows = [];
for (let row = 0; row < terminal.rows; row++) {
  const line = terminal.buffer.active.getLine(row);
  rows.push(line ? line.translateToString(true) : '');
}
return rows.join('\\n');
"""
READ_CLIPBOARD = """
const done = arguments[arguments.length - 1];
navigator.clipboard.readText().then(done, error => done('refused: ' + error));
"""


def detail_text(screen: str) -> str:
    """The detail pane (the rightmost box of the wide layout), its lines joined by spaces."""
    cells = [[cell for cell in row.split("│") if cell.strip()] for row in screen.splitlines()]
    return " ".join(" ".join(row[-1].split()) for row in cells if len(row) >= 3)


@pytest.fixture
def server(tmp_path: Path) -> Iterator[str]:
    """`reader serve` on a free loopback port, on a copy of the sample feed; its URL."""
    feed = shutil.copytree(SAMPLE_FEED, tmp_path / "feed")
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(SAMPLE_FEED.parent)}
    command = [sys.executable, "-m", "reader", "serve", str(feed), "--port", str(port)]
    command += ["--state", str(tmp_path / "state.db"), "--cache", str(tmp_path / "index.db")]
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        banner = process.stdout.readline()
        assert f"at http://127.0.0.1:{port}" in banner, banner
        yield f"http://127.0.0.1:{port}/"
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[WebDriver]:
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in [*CHROMIUM_FLAGS, f"--user-data-dir={tmp_path / 'profile'}"]:
        options.add_argument(flag)
    driver = webdriver.Chrome(options=options, service=Service(str(CHROMEDRIVER)))
    try:
        driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": RECORD_TERMINAL})
        yield driver
    finally:
        driver.quit()


def first_titles_and_urls(
    feed: Path, state: Path, capsys: pytest.CaptureFixture[str]
) -> list[tuple[str, str]]:
    """The first two articles the reader shows, as `reader list` says."""
    assert main(["list", str(feed), "--state", str(state), "--format", "json", "--limit", "2"]) == 0
    return [(record["title"], record["url"]) for record in json.loads(capsys.readouterr().out)]


def wait_for(driver: WebDriver, what: str, condition: Callable[[], bool]) -> None:
    try:
        WebDriverWait(driver, WAIT_SECONDS, poll_frequency=0.05).until(lambda _: condition())
    except TimeoutException:
        screen = driver.execute_script(SCREEN_TEXT)
        pytest.fail(f"the page never showed {what}; it shows:\n{screen}")


def test_the_reader_works_in_a_browser_tab(
    server: str, browser: WebDriver, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (first, _), (second, second_url) = first_titles_and_urls(
        tmp_path / "feed", tmp_path / "state.db", capsys
    )
    browser.get(server)

    def detail() -> str:
        return detail_text(browser.execute_script(SCREEN_TEXT))

    wait_for(browser, f"the first article {first!r}", lambda: first in detail())
    keys = browser.find_element(By.CSS_SELECTOR, ".xterm-helper-textarea")
    keys.send_keys("j")
    wait_for(browser, f"the second article {second!r}", lambda: second in detail())
    browser.save_screenshot(str(tmp_path / "reader-serve.png"))

    # `y` reaches the browser's clipboard (a localhost page may use it).
    browser.execute_cdp_cmd(
        "Browser.grantPermissions",
        {
            "origin": server.rstrip("/"),
            "permissions": ["clipboardReadWrite", "clipboardSanitizedWrite"],
        },
    )
    keys.send_keys("y")
    wait_for(
        browser,
        "the copied URL",
        lambda: browser.execute_async_script(READ_CLIPBOARD) == second_url,
    )

    # `o` opens the article in a new tab of this browser, not on the server's machine.
    keys.send_keys("o")
    wait_for(browser, "a new tab", lambda: len(browser.window_handles) == 2)
    browser.switch_to.window(browser.window_handles[1])
    assert browser.current_url == second_url
