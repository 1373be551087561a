"""What the browser tests share: Debian's Chromium, axe-core's WCAG check, the artifacts folder."""

from __future__ import annotations

import os
import shutil

import pytest
from playwright.async_api import Page

from core.settings import PROJECT_ROOT

ARTIFACTS = PROJECT_ROOT / "test-artifacts"
# From web/package-lock.json, installed by scripts/setup with the page's own packages.
AXE = PROJECT_ROOT / "web" / "node_modules" / "axe-core" / "axe.min.js"
WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]

QUIET = [
    "--no-sandbox",
    "--autoplay-policy=no-user-gesture-required",
    # This machine reaches no network: keep Chromium from trying.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


async def accessibility_problems(page: Page) -> list[str]:
    """What axe-core finds against WCAG 2.2 A and AA on the page as it is now."""
    # Evaluated, not added as a <script>: the pages' policy refuses inline scripts
    # (api/security_headers.py), and the tests must see the pages under that policy.
    await page.evaluate(AXE.read_text())
    found = await page.evaluate(
        """async (tags) => {
            const result = await axe.run(document, {runOnly: {type: "tag", values: tags}});
            return result.violations.map((v) =>
                `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(" ")).join(", ")})`);
        }""",
        WCAG_AA,
    )
    return [str(problem) for problem in found]


def chromium_path() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        reason = "Debian's chromium is not installed (apt-get install chromium)"
        if os.environ.get("CI"):
            pytest.fail(reason, pytrace=False)
        pytest.skip(reason)
    return found
