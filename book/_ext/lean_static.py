"""Keep the published site light: serve no byte a reader does not need.

Two things the themes copy into ``_static`` are never needed by a reader:

- the source maps (``*.map``, 3.4 MB in all, a quarter of the site): a browser fetches one
  only while its developer tools are open;
- Font Awesome's SVG framework, ``scripts/fontawesome.js`` (1.5 MB, loaded by every page):
  pydata-sphinx-theme's stylesheet already carries Font Awesome's web fonts and icon classes,
  which draw the same icons. The file is kept, as a one-line no-op, because the theme's
  template loads it.

With them gone the site stays within its budget (15 MB in all, 3 MB per chapter page;
``tests/test_site.py`` checks both).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sphinx.application import Sphinx

FONTAWESOME_JS = Path("scripts") / "fontawesome.js"
NO_OP = (
    "/* Not served (book/_ext/lean_static.py): the theme's stylesheet draws the icons "
    "with Font Awesome's web fonts. */\n"
)


def _lighten(app: Sphinx, exception: Exception | None) -> None:
    if exception is not None or app.builder.format != "html":
        return
    static = Path(app.outdir) / "_static"
    for path in sorted(static.rglob("*.map")):
        path.unlink()
    if (static / FONTAWESOME_JS).is_file():
        (static / FONTAWESOME_JS).write_text(NO_OP, encoding="utf-8")


def setup(app: Sphinx) -> dict[str, Any]:
    app.connect("build-finished", _lighten)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
