"""Keep the published site light: drop the source maps the theme copies into ``_static``.

pydata-sphinx-theme and sphinx-book-theme ship a ``.map`` beside each of their scripts and
styles (3.4 MB in all, a quarter of the site). A browser fetches a source map only while its
developer tools are open, so no reader ever loads one; without them the site stays within its
budget (15 MB in all, 3 MB per chapter page; ``tests/test_site.py`` checks both).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sphinx.application import Sphinx


def _drop_source_maps(app: Sphinx, exception: Exception | None) -> None:
    if exception is not None or app.builder.format != "html":
        return
    for path in sorted((Path(app.outdir) / "_static").rglob("*.map")):
        path.unlink()


def setup(app: Sphinx) -> dict[str, Any]:
    app.connect("build-finished", _drop_source_maps)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
