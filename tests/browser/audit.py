"""Accessibility basics, measured in the browser on whatever the page shows right now.

`problems(page)` lists, in words a developer can act on: controls without an accessible name,
touch targets under 44 x 44 CSS px, text under WCAG AA contrast (4.5:1, 3:1 for large text), and
content wider than the viewport (what breaks first when a phone's font size is raised).
"""

from __future__ import annotations

from typing import Any

MIN_TARGET_PX = 44

_AUDIT_JS = """
(minTarget) => {
  const problems = [];
  const visible = (el) => {
    const style = getComputedStyle(el);
    const box = el.getBoundingClientRect();
    return style.display !== 'none' && style.visibility !== 'hidden' && box.width > 0 && box.height > 0;
  };
  const describe = (el) => {
    const text = (el.innerText || el.value || '').trim().slice(0, 30);
    return `${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''}${text ? ' "' + text + '"' : ''}`;
  };
  const nameOf = (el) => {
    if (el.getAttribute('aria-label')) return el.getAttribute('aria-label');
    const ids = el.getAttribute('aria-labelledby');
    if (ids) return ids.split(/\\s+/).map((id) => document.getElementById(id)?.innerText || '').join(' ');
    if (el.labels && el.labels.length) return Array.from(el.labels).map((l) => l.innerText).join(' ');
    if (el.tagName === 'BUTTON' || el.tagName === 'A') return el.innerText || el.getAttribute('title') || '';
    return el.getAttribute('title') || '';
  };
  const controls = document.querySelectorAll('input:not([type=hidden]), select, textarea, button, a[href]');
  for (const el of controls) {
    if (!nameOf(el).trim()) problems.push(`no label: ${describe(el)}`);
  }
  // What a finger touches: the control itself, or the label that stands in for a hidden file input.
  const targets = Array.from(controls).filter(visible);
  for (const label of document.querySelectorAll('label')) {
    if (label.control && !visible(label.control) && visible(label)) targets.push(label);
  }
  for (const el of targets) {
    const box = el.getBoundingClientRect();
    if (box.width < minTarget || box.height < minTarget)
      problems.push(`target ${Math.round(box.width)}x${Math.round(box.height)} px: ${describe(el)}`);
  }
  const rgba = (text) => (text.match(/[\\d.]+/g) || ['0', '0', '0', '0']).map(Number);
  const luminance = ([r, g, b]) => {
    const channel = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
  };
  const background = (el) => {
    for (let node = el; node; node = node.parentElement) {
      const colour = rgba(getComputedStyle(node).backgroundColor);
      if (colour.length < 4 || colour[3] === 1) return colour.slice(0, 3);
    }
    return [255, 255, 255];
  };
  for (const el of document.querySelectorAll('body *')) {
    const ownText = Array.from(el.childNodes).some((n) => n.nodeType === 3 && n.textContent.trim());
    if (!ownText || !visible(el)) continue;
    const style = getComputedStyle(el);
    const fg = luminance(rgba(style.color));
    const bg = luminance(background(el));
    const ratio = (Math.max(fg, bg) + 0.05) / (Math.min(fg, bg) + 0.05);
    const size = parseFloat(style.fontSize);
    const large = size >= 24 || (size >= 18.66 && Number(style.fontWeight) >= 700);
    if (ratio < (large ? 3 : 4.5)) problems.push(`contrast ${ratio.toFixed(2)}:1: ${describe(el)}`);
  }
  // A phone zooms out to fit wide content, so compare with the screen, not the (grown) viewport.
  const width = Math.min(window.innerWidth, screen.width);
  if (document.documentElement.scrollWidth > width + 1)
    problems.push(`content ${document.documentElement.scrollWidth} px wide in a ${width} px viewport`);
  return problems;
}
"""


def problems(page: Any) -> list[str]:
    """Accessibility problems of the page as it is rendered now (empty when it passes)."""
    return list(page.evaluate(_AUDIT_JS, MIN_TARGET_PX))
