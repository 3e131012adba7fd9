"""Checks of a built book's HTML: internal links and anchors, and the layout in Chromium.

:func:`broken_links` reads the files alone; :func:`measure_layout` opens a page in headless
Chromium in a viewport of a given width and reads back what a script in the page measured:
a copy of the page with one more script, shown in a frame of that width (a headless window
is at least 500 px wide), posts its measurements to the framing page, which writes them into
its DOM, which Chromium's ``--dump-dom`` prints. No DevTools client, no network.
"""

from __future__ import annotations

import json
import re
import subprocess
from html import unescape
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

SKIPPED_DIRS = frozenset({"_static", "_sources", "_images"})
"""Folders of a Sphinx build whose files are assets, not pages: their own links are not read."""


class _Collector(HTMLParser):
    """The ids (and ``<a name>``) an HTML file defines and the local links it makes."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        for key in ("id",) + (("name",) if tag == "a" else ()):
            if values.get(key):
                self.ids.add(values[key])
        if values.get("href") is not None:
            self.links.append(values["href"])
        if tag == "img" and values.get("src"):
            self.links.append(values["src"])


def _parse(path: Path) -> _Collector:
    collector = _Collector()
    collector.feed(path.read_text(encoding="utf-8", errors="replace"))
    return collector


def pages(html_root: Path) -> list[Path]:
    """Return the HTML pages of a build (every ``.html`` outside :data:`SKIPPED_DIRS`)."""
    root = Path(html_root)
    return sorted(
        p for p in root.rglob("*.html") if not SKIPPED_DIRS & set(p.relative_to(root).parts)
    )


def is_local(link: str) -> bool:
    """Return whether a link points into the build (no scheme such as https:, no ``//host``)."""
    parts = urlsplit(link)
    return not parts.scheme and not parts.netloc


def broken_links(html_root: Path) -> list[str]:
    """Return each local link of the book's pages that does not resolve, as "page: link (why)".

    A link resolves when its path (relative to the page, or the page itself for ``#frag``)
    names a file inside the build (a folder: its ``index.html``), and its fragment, if any,
    is an ``id`` (or ``<a name>``) in that file. An empty fragment (``href="#"``, the theme's
    buttons) is not an anchor. External links are not followed.
    """
    root = Path(html_root).resolve()
    parsed: dict[Path, _Collector] = {}

    def ids_of(path: Path) -> set[str]:
        if path not in parsed:
            parsed[path] = _parse(path)
        return parsed[path].ids

    problems = []
    for page in pages(root):
        page = page.resolve()
        ids_of(page)  # parses the page
        for link in dict.fromkeys(parsed[page].links):
            if not is_local(link):
                continue
            parts = urlsplit(link)
            target = page
            if parts.path:
                target = (page.parent / unquote(parts.path)).resolve()
                if target.is_dir():
                    target = target / "index.html"
            where = f"{page.relative_to(root)}: {link}"
            if not target.is_relative_to(root):
                problems.append(f"{where} (outside the build)")
            elif not target.is_file():
                problems.append(f"{where} (no file {target.relative_to(root)})")
            elif parts.fragment and target.suffix == ".html":
                if unquote(parts.fragment) not in ids_of(target):
                    problems.append(f"{where} (no id {parts.fragment!r} in that page)")
    return problems


MEASURE_SCRIPT = """
<script>
window.addEventListener("load", function () {
  setTimeout(function () {
    var view = document.documentElement.clientWidth;
    var article = document.querySelector("article.bd-article") || document.querySelector("main");
    var box = article ? article.getBoundingClientRect() : null;
    var tables = [];
    document.querySelectorAll("article table, main table").forEach(function (table, k) {
      var scroller = null;
      for (var el = table.parentElement; el && el !== article; el = el.parentElement) {
        var style = getComputedStyle(el).overflowX;
        if ((style === "auto" || style === "scroll") && el.scrollWidth > el.clientWidth + 1) {
          scroller = el;
          break;
        }
      }
      var head = table.querySelector("th, td");
      tables.push({
        index: k,
        first_cell: head ? head.textContent.trim().slice(0, 40) : "",
        width: table.getBoundingClientRect().width,
        right: table.getBoundingClientRect().right,
        scrolls: scroller !== null,
        visible: table.offsetParent !== null
      });
    });
    // The page's words a reader sees as labels (headings, table cells) and its whole text,
    // outside the provenance blocks: a ".provenance" element, or a cell's output that opens
    // with a bold "Provenance".
    function provenance(el) {
      if (el.closest(".provenance")) return true;
      var output = el.closest("div.cell_output");
      var first = output ? output.querySelector("strong") : null;
      return first !== null && first.textContent.trim() === "Provenance";
    }
    var labels = [];
    if (article) {
      article.querySelectorAll("h1, h2, h3, h4, h5, h6, th, td, caption, figcaption").forEach(
        function (el) {
          if (!provenance(el)) {
            labels.push({tag: el.tagName.toLowerCase(), text: el.textContent.trim()});
          }
        });
    }
    var reading = article ? article.cloneNode(true) : null;
    if (reading) {
      reading.querySelectorAll(".provenance, div.cell_output").forEach(function (el) {
        var first = el.querySelector("strong");
        if (el.classList.contains("provenance") ||
            (first !== null && first.textContent.trim() === "Provenance")) el.remove();
      });
    }
    var report = {
      labels: labels,
      text: reading ? reading.textContent : "",
      inner_width: window.innerWidth,
      viewport: view,
      document_width: document.documentElement.scrollWidth,
      article: article ? article.tagName.toLowerCase() + "." + article.className : null,
      article_width: box ? box.width : null,
      article_right: box ? box.right : null,
      article_scroll_width: article ? article.scrollWidth : null,
      article_client_width: article ? article.clientWidth : null,
      tables: tables
    };
    parent.postMessage("layout-report:" + JSON.stringify(report), "*");
  }, 0);
});
</script>
"""
"""Measures the page after it loaded and posts the result to the page that frames it."""

FRAME = """<!DOCTYPE html>
<html><body style="margin:0;overflow:hidden">
<iframe src="{src}" style="display:block;border:0;width:{width}px;height:{height}px"></iframe>
<script>
window.addEventListener("message", function (event) {{
  if (typeof event.data === "string" && event.data.indexOf("layout-report:") === 0) {{
    var out = document.createElement("pre");
    out.id = "layout-report";
    out.textContent = event.data.slice("layout-report:".length);
    document.body.appendChild(out);
  }}
}});
</script>
</body></html>
"""
"""A page that shows another in a frame ``width`` × ``height`` px: a viewport of that size
(a headless window is at least 500 px wide; a frame can be narrower), which writes what
the framed page posts into its own DOM, where ``--dump-dom`` prints it."""

MIN_WINDOW = 500
"""Headless Chromium's narrowest window (px); a narrower viewport is a frame in it."""

CHROMIUM_FLAGS: tuple[str, ...] = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
)  # fmt: skip
"""Flags that let Debian's chromium run headless, offline, in a container."""


def chromium(binary: str, *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    """Run headless Chromium with :data:`CHROMIUM_FLAGS` and ``args``; return the process."""
    return subprocess.run(
        [binary, *CHROMIUM_FLAGS, *args], capture_output=True, text=True, timeout=timeout
    )


def _framed(page: Path, width: int, height: int, script: str) -> tuple[Path, Path]:
    """Write beside ``page`` a copy with ``script`` and a frame page that shows it; return
    (frame page, copy)."""
    copy = page.with_name(f"{page.stem}.layout-{width}.html")
    html = page.read_text(encoding="utf-8")
    copy.write_text(html.replace("</body>", script + "</body>", 1), encoding="utf-8")
    frame = page.with_name(f"{page.stem}.layout-{width}.frame.html")
    frame.write_text(FRAME.format(src=copy.name, width=width, height=height), encoding="utf-8")
    return frame, copy


def measure_layout(binary: str, page: Path, width: int, profile_dir: Path) -> dict:
    """Open ``page`` in headless Chromium in a viewport ``width`` px wide; return what it measured.

    Keys: ``labels`` (each heading and table cell outside the provenance blocks: ``tag`` and
    ``text``), ``text`` (the main content's text outside them), ``inner_width`` (the
    viewport, px), ``viewport`` (its width less a scroll bar),
    ``document_width`` (the page's scroll width), ``article`` (the main content element),
    ``article_width`` / ``article_right`` / ``article_scroll_width`` /
    ``article_client_width``, and ``tables``: per table its first cell, ``width``, ``right``,
    ``visible`` and ``scrolls`` (whether a scroll container around it overflows: it scrolls
    sideways). The copies of the page that carry the script are removed afterwards.
    """
    frame, copy = _framed(Path(page), width, 900, MEASURE_SCRIPT)
    try:
        done = chromium(
            binary, f"--user-data-dir={profile_dir}", f"--window-size={max(width, MIN_WINDOW)},960",
            "--virtual-time-budget=10000", "--dump-dom", frame.as_uri(),
        )  # fmt: skip
    finally:
        frame.unlink()
        copy.unlink()
    found = re.search(r'<pre id="layout-report"[^>]*>(.*?)</pre>', done.stdout, re.S)
    if done.returncode != 0 or found is None:
        raise RuntimeError(f"no layout report from {Path(page).name}: {done.stderr[-2000:]}")
    return json.loads(unescape(found.group(1)))


def screenshot(
    binary: str, page: Path, width: int, height: int, png: Path, profile_dir: Path
) -> subprocess.CompletedProcess:
    """Save a PNG of ``page`` in a viewport ``width`` × ``height`` px; return the process.

    Below :data:`MIN_WINDOW` px the image is that wide, the page framed at its left.
    """
    page = Path(page)
    frame = page.with_name(f"{page.stem}.shot-{width}.frame.html")
    frame.write_text(FRAME.format(src=page.name, width=width, height=height), encoding="utf-8")
    try:
        return chromium(
            binary, f"--user-data-dir={profile_dir}",
            f"--window-size={max(width, MIN_WINDOW)},{height}",
            "--virtual-time-budget=10000", f"--screenshot={png}", frame.as_uri(),
        )  # fmt: skip
    finally:
        frame.unlink()


def layout_problems(report: dict, width: int, tables_may_scroll: bool) -> list[str]:
    """Return what is wrong with a :func:`measure_layout` report at ``width`` px.

    The viewport must be ``width`` wide, and neither the page nor its main content wider;
    unless ``tables_may_scroll``, no (visible) table may scroll sideways or stick out of it.
    """
    problems = []
    if report["inner_width"] != width:
        problems.append(f"viewport {report['inner_width']} px, not {width}")
    view = report["viewport"]
    if report["article"] is None:
        return [*problems, "no main content element (article.bd-article or main)"]
    if report["document_width"] > view + 1:
        problems.append(f"page scrolls sideways: {report['document_width']} px > {view}")
    if report["article_right"] > view + 1:
        problems.append(f"main content ends at {report['article_right']:.0f} px > {view}")
    if report["article_scroll_width"] > report["article_client_width"] + 1:
        problems.append(
            f"main content overflows: {report['article_scroll_width']} px in "
            f"{report['article_client_width']}"
        )
    if not tables_may_scroll:
        for table in report["tables"]:
            if not table["visible"]:
                continue
            if table["scrolls"] or table["right"] > report["article_right"] + 1:
                problems.append(
                    f"table {table['index']} ({table['first_cell']!r}, {table['width']:.0f} px)"
                    " scrolls sideways"
                )
    return problems
