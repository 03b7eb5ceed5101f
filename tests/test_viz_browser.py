"""The interactive map opens in a real headless browser, steps, and shows the theatre.

``basmachi viz`` is started as a server on a free local port; Debian's Chromium, driven by
Playwright, loads the page, clicks Mesa's Step button, and takes screenshots; the map's
pixels must show the relief of the theatre and the markers of the run, and change after
the step. Needs the ``viz`` extra (solara, altair, networkx, playwright) and Chromium at
``/usr/bin/chromium`` (``apt-get install -y chromium``); ``.ci/run`` installs both.
Outside CI a missing piece skips the test with the command that installs it; in CI it fails.
"""

from __future__ import annotations

import io
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import numpy as np
import pytest

CHROMIUM = os.environ.get("BASMACHI_CHROMIUM", "/usr/bin/chromium")
SCENARIO = "garm_1929"


def _missing(message: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_for(url: str, proc: subprocess.Popen[bytes], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"basmachi viz exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=5) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise AssertionError(f"{url} did not answer within {timeout:.0f} s")


def _pixels(png: bytes) -> np.ndarray:
    from PIL import Image

    with Image.open(io.BytesIO(png)) as im:
        return np.asarray(im.convert("RGB"), dtype=np.int16)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    for module, extra in (("solara", "viz"), ("playwright", "viz")):
        try:
            __import__(module)
        except ModuleNotFoundError:
            _missing(f"the browser test needs {module}: pip install -e '.[{extra}]'")
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        _missing(
            f"the browser test needs Chromium at {CHROMIUM}: "
            "apt-get update && apt-get install -y chromium (or set BASMACHI_CHROMIUM)"
        )
    port = _free_port()
    log = tmp_path_factory.mktemp("viz") / "server.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "sim", "viz", SCENARIO, "--seed", "1", "--port", str(port),
             "--no-browser"],
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        try:
            _wait_for(f"http://127.0.0.1:{port}/", proc, timeout=180)
            yield f"http://127.0.0.1:{port}/"
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
    print(log.read_text(errors="replace")[-2000:])


def test_viz_page_loads_steps_and_shows_the_map(server: str, tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        try:
            page = browser.new_page(viewport={"width": 1600, "height": 1200})
            page.goto(server, timeout=120_000)
            page.get_by_role("button", name="Step").wait_for(timeout=120_000)
            maps = page.locator("img")
            maps.first.wait_for(timeout=120_000)
            first = maps.first.get_attribute("src")
            before = _pixels(maps.first.screenshot())
            page.get_by_role("button", name="Step").click()
            page.wait_for_function(
                "src => document.querySelector('img') && document.querySelector('img').src !== src",
                arg=first,
                timeout=120_000,
            )
            after_png = maps.first.screenshot()
            page.screenshot(path=str(tmp_path / "page.png"), full_page=True)
            after = _pixels(after_png)
            text = page.inner_text("body")
        finally:
            browser.close()

    # the page has Mesa's controls and the parameters a user can change
    for label in ("Reset", "Play", "seed", "march hours", "sanctuary"):
        assert label.lower() in text.lower(), label
    # the map: a large image with the terrain colour map's greens and browns
    h, w, _ = after.shape
    assert h > 300 and w > 400
    r, g, b = after[..., 0], after[..., 1], after[..., 2]
    green = (g > r + 15) & (g > b + 15)
    brown = (r > b + 30) & (g > b + 10) & (r < 230)
    assert green.mean() > 0.02 and brown.mean() > 0.05
    colours = len(np.unique(after.reshape(-1, 3) // 16, axis=0))
    assert colours > 100
    # the step redrew the map: the title (date, day, forces) changed
    assert before.shape != after.shape or np.abs(before - after).sum() > 0
