"""A walk through the portal in one browser page: after every navigation, a screenshot
and an axe-core check (WCAG 2.0/2.1 A and AA rules).

    walk = Walk(page, "citizen_walk", "phone")
    page.goto(url); walk.step("trang-chu")
    ...
    walk.finish()   # fails with every serious or critical violation seen on the way

Screenshots go to outputs/screenshots/<test>/<nn>-<step>-<desktop|phone>.png.
"""

from __future__ import annotations

import re
from pathlib import Path

try:
    from playwright.sync_api import expect
except ImportError:  # the browser fixture (tests/e2e/conftest.py) skips, or fails in CI
    expect = None

ROOT = Path(__file__).resolve().parents[2]
AXE_PATH = ROOT / ".cache" / "axe" / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = ROOT / "outputs" / "screenshots"
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
               "resultTypes": ["violations"]}
BLOCKING = ("serious", "critical")
# WCAG 1.4.10 (Reflow), which axe-core does not test: at the phone's 360 CSS px nothing
# may need sideways scrolling of the page (a wide table scrolls inside its own region).
# Chromium with is_mobile widens the layout viewport to the content, so scrollWidth tells.
PAST_THE_EDGE = """width => {
  const found = [];
  for (const el of document.querySelectorAll("body *")) {
    const right = el.getBoundingClientRect().right;
    if (right <= width + 0.5 || [...el.children].some(c => c.getBoundingClientRect().right > width + 0.5)) continue;
    const path = [];
    for (let e = el; e && e !== document.body && path.length < 4; e = e.parentElement)
      path.unshift(e.tagName.toLowerCase() + (e.id ? "#" + e.id : "") + [...e.classList].map(c => "." + c).join(""));
    found.push(Math.round(right) + "px: " + path.join(" > "));
  }
  return found;
}"""

_axe_source: str | None = None


def axe_source() -> str:
    global _axe_source
    if _axe_source is None:
        _axe_source = AXE_PATH.read_text(encoding="utf-8")
    return _axe_source


def axe_violations(page) -> list[dict]:
    """axe-core's violations on the page as it is now (every impact)."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        # Evaluated through DevTools, not added as an inline <script>, which the portal's
        # Content-Security-Policy refuses (web/security_headers.py).
        page.evaluate(axe_source())
    return page.evaluate("options => axe.run(document, options).then(r => r.violations)", AXE_OPTIONS)


def describe(violations: list[dict], where: str) -> list[str]:
    """One readable line per violation, then one per element it names."""
    lines = []
    for v in violations:
        lines.append(f"{where}: [{v['impact']}] {v['id']}: {v['help']} ({v['helpUrl']})")
        for node in v["nodes"][:8]:
            summary = " ".join((node.get("failureSummary") or "").split())
            lines.append(f"    {' '.join(map(str, node['target']))}  -- {summary[:300]}")
        if len(v["nodes"]) > 8:
            lines.append(f"    ... and {len(v['nodes']) - 8} more")
    return lines


class Walk:
    def __init__(self, page, test: str, width: str, _shared: Walk | None = None) -> None:
        self.page = page
        self.width = width
        self._shared = _shared or self
        if _shared is None:
            self.count = 0
            self.problems: list[str] = []
            self.folder = SCREENSHOTS / test
            self.folder.mkdir(parents=True, exist_ok=True)
            for old in self.folder.glob(f"*-{width}.png"):  # a previous run's, maybe with other steps
                old.unlink()
        # Anything the portal's Content-Security-Policy blocked (a style or script that
        # silently did not apply) is a problem of the walk too.
        page.on("console", self._csp_violation)

    def _csp_violation(self, message) -> None:
        if "Content Security Policy" in message.text:
            self._shared.problems.append(f"CSP ({self.width}, {self.page.url}): {message.text[:300]}")

    def also(self, page) -> Walk:
        """The same walk in another page (another person's browser): one numbering of the
        steps, one list of problems."""
        return Walk(page, "", self.width, _shared=self._shared)

    def step(self, name: str) -> None:
        """Record the page: wait for it to settle, take its screenshot, check it with axe."""
        shared = self._shared
        self.page.wait_for_load_state("load")
        shared.count += 1
        slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
        self.page.screenshot(path=shared.folder / f"{shared.count:02d}-{slug}-{self.width}.png", full_page=True)
        found = [v for v in axe_violations(self.page) if v["impact"] in BLOCKING]
        where = f"{shared.count:02d} {name} ({self.width}, {self.page.url})"
        shared.problems += describe(found, where) + self._reflow(where)

    def _reflow(self, where: str) -> list[str]:
        width = self.page.viewport_size["width"]
        wide = self.page.evaluate("() => document.documentElement.scrollWidth")
        if wide <= width:
            return []
        past = self.page.evaluate(PAST_THE_EDGE, width)
        return [f"{where}: [serious] reflow: the page is {wide}px wide in a {width}px viewport (WCAG 1.4.10);"
                " elements past the edge:", *(f"    {line}" for line in past[:8])]

    def press(self, target, navigates: bool = True) -> None:
        """Press a link or a button as this device's user does (a tap on the phone) and,
        unless it acts in the page, wait for the page it leads to."""
        act = target.tap if self.width == "phone" else target.click
        if not navigates:
            act()
            return
        with self.page.expect_navigation():
            act()

    def finish(self) -> None:
        problems = self._shared.problems
        assert not problems, "axe-core (serious or critical), reflow or CSP problems\n" + "\n".join(problems)
