"""axe-core (npm, installed with the widget's dev dependencies) run in a Playwright page, and what
a keyboard user sees: the element that has focus, through shadow roots, and whether it is marked."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from playwright.sync_api import Page

from knowledge.settings import PROJECT_ROOT

AXE: Path = PROJECT_ROOT / "widget" / "node_modules" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
# The violations, each with the nodes' selectors (a list per node: one selector per shadow root).
RUN = """tags => axe.run(document, { runOnly: { type: "tag", values: tags }, resultTypes: ["violations"] })
  .then(result => result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map(n => ({ target: n.target, summary: n.failureSummary })),
  })))"""
# The focused element (inside deep-chat's shadow root too): its name and whether focus is drawn.
FOCUSED = """() => {
  let element = document.activeElement;
  while (element && element.shadowRoot && element.shadowRoot.activeElement) element = element.shadowRoot.activeElement;
  if (!element || element === document.body) return null;
  const style = getComputedStyle(element);
  const outlined = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0;
  return {
    tag: element.tagName.toLowerCase(),
    id: element.id,
    name: (element.getAttribute("aria-label") || element.textContent || "").trim().replace(/\\s+/g, " ").slice(0, 80),
    marked: outlined || style.boxShadow !== "none",
  };
}"""


@cache
def _axe_source() -> str:
    if not AXE.exists():
        raise AssertionError(f"{AXE} is missing: run `make install` (npm ci in widget/)")
    return AXE.read_text(encoding="utf-8")


def _describe(violation: dict[str, Any]) -> str:
    """The rule, its impact and each node's selectors (' >> ' enters a shadow root) with the first fix."""

    def fix(summary: str) -> str:  # "Fix any of the following:\n  Element has …": the first finding
        return next((line.strip() for line in summary.splitlines() if not line.endswith(":")), summary)

    nodes = "\n".join(
        f"    {' >> '.join(map(str, node['target']))}: {fix(node['summary'])}" for node in violation["nodes"]
    )
    return f"  {violation['id']} ({violation['impact']}): {violation['help']}\n{nodes}"


def assert_no_violations(page: Page, screen: str) -> None:
    """axe-core at WCAG 2.1 A and AA over the page as it is now; a failure lists rule, impact and nodes."""
    if not page.evaluate("typeof axe !== 'undefined'"):
        page.evaluate(_axe_source())  # through DevTools, so the page's Content-Security-Policy allows it
    violations = page.evaluate(RUN, WCAG_TAGS)
    assert not violations, f"{screen}: {len(violations)} WCAG 2.1 AA violation(s)\n" + "\n".join(
        map(_describe, violations)
    )


def focused(page: Page) -> dict[str, Any] | None:
    """The element a keyboard user is on, or None when focus is on the page itself."""
    found: dict[str, Any] | None = page.evaluate(FOCUSED)
    return found
