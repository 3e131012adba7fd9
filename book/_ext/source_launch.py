"""Launch buttons that open the source notebook, not the executed copy the page shows.

The book's notebook pages are papermill's executed copies in ``book/executed/`` (built by the
workflow, not committed). sphinx-book-theme builds its Binder and Colab links from the page's
own path, which would point into that folder; this extension rewrites them to the notebook of
the same name in ``notebooks/``, the one a reader re-runs. A page without such a source keeps
no launch buttons. The repository, branch and book path stay the theme's settings
(``repository:`` in ``_config.yml``).
"""

from __future__ import annotations

from pathlib import Path

EXECUTED = "executed/"  # the book's folder of executed notebooks
SOURCES = "notebooks"  # where their sources live, relative to the repository root


def source_notebook(pagename: str) -> str | None:
    """The repository path of the source notebook behind a page, or None."""
    if not pagename.startswith(EXECUTED):
        return None
    return f"{SOURCES}/{pagename[len(EXECUTED) :]}.ipynb"


def _retarget(app, pagename, templatename, context, doctree):
    source = source_notebook(pagename)
    groups = context.get("header_buttons") or []
    launch = [g for g in groups if g.get("label") == "launch-buttons"]
    if source is None or not launch:
        return
    book = app.config.html_theme_options.get("path_to_docs", "").strip("/")
    shown = f"{book}/{pagename}.ipynb" if book else f"{pagename}.ipynb"
    repo_root = Path(app.srcdir).resolve()
    for _ in Path(book).parts:
        repo_root = repo_root.parent
    if not (repo_root / source).is_file():
        for group in launch:
            groups.remove(group)
        return
    for group in launch:
        for button in group.get("buttons", []):
            if "url" in button:
                button["url"] = button["url"].replace(shown, source)


def setup(app):
    # after sphinx-book-theme's own launch buttons (priority 501)
    app.connect("html-page-context", _retarget, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
