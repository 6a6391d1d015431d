"""Let a reading page show a lab's figure with a caption: ``{glue:figure}`` with ``:doc:``.

myst-nb 1.4 pastes from another document only with the plain ``{glue}`` directive, which
gives an image with neither caption nor alt text. This extension adds the ``doc`` option
to ``{glue:figure}``, so a chapter's reading page can write::

    ```{glue:figure} fig_relu
    :doc: lab.ipynb
    :name: fig-relu
    :alt: What the figure shows, for readers who cannot see it.

    The caption.
    ```

The figure is taken from the lab, which must display it (``glue(..., display=True)``),
so that its image file is written when the lab's page is built. The ``:alt:`` text is given
to the image on the reading page and to the same image in the lab's page, so both describe
it to readers who cannot see it. Without ``:doc:`` the directive is myst-nb's own.

An explorable figure (``relu_course.plotting.explorable_lines``) is pasted the same way: its
``text/html`` holds the data and a slider. Every page that shows one (the reading page and
the lab) loads, once, the Vega the site serves (``_static/vega/vega.min.js``, fetched by
``make setup``) and ``static/explorable.js``, which draws it; other pages load neither.
"""

from __future__ import annotations

import hashlib
from binascii import a2b_base64
from pathlib import Path, PurePosixPath
from typing import Any, ClassVar

from docutils import nodes
from docutils.parsers.rst import directives
from myst_nb.ext.glue.crossref import ReplacePendingGlueReferences, read_glue_cache
from myst_nb.ext.glue.directives import PasteFigureDirective
from myst_nb.ext.glue.utils import (
    PendingGlueReferenceError,
    create_pending_glue_ref,
    glue_warning,
)
from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.environment import BuildEnvironment
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx.util import logging

# env attribute: {reading page: [(lab docname, glue key, alt text), ...]}
REQUESTS = "lab_figure_alts"
STATIC = Path(__file__).parent / "static"  # explorable.js and explorable.css
VEGA = "vega/vega.min.js"  # under _static, from html_static_path (make setup fetches it)
EXPLORABLE = "data-explorable="  # the attribute that marks an explorable's element
LOGGER = logging.getLogger(__name__)


class PasteFigureFromDoc(PasteFigureDirective):
    """``{glue:figure}`` that also accepts ``:doc:``, the notebook holding the key."""

    option_spec: ClassVar[dict[str, Any]] = {
        **PasteFigureDirective.option_spec,
        "doc": directives.unchanged,
    }

    def run(self) -> list[nodes.Node]:
        if "doc" not in self.options:
            return super().run()
        try:
            ref = create_pending_glue_ref(
                self.document, self.source, self.line, self.options["doc"], self.arguments[0]
            )
        except PendingGlueReferenceError as exc:
            return [glue_warning(str(exc), self.document, self.line)]

        figure = nodes.figure("", ref)
        self.set_source_info(figure)
        if "alt" in self.options:
            # The image exists only once the reference resolves: SetLabFigureAlt applies it.
            env = self.state.document.settings.env
            requests = getattr(env, REQUESTS, {})
            requests.setdefault(env.docname, []).append(
                (ref["refdoc"], self.arguments[0], self.options["alt"])
            )
            setattr(env, REQUESTS, requests)
        if "figwidth" in self.options:
            figure["width"] = self.options["figwidth"]
        figure["classes"] += self.options.get("figclass", [])
        if "align" in self.options:
            figure["align"] = self.options["align"]
        self.add_name(figure)

        if self.content:
            parsed = nodes.Element()
            self.state.nested_parse(self.content, self.content_offset, parsed)
            first = parsed[0]
            if not isinstance(first, nodes.paragraph):
                return [
                    figure,
                    glue_warning(
                        "Figure caption must be a paragraph.", self.document, self.lineno
                    ),
                ]
            caption = nodes.caption(first.rawsource, "", *first.children)
            caption.source, caption.line = first.source, first.line
            figure += caption
            if len(parsed) > 1:
                figure += nodes.legend("", *parsed[1:])
        return [figure]


class SetLabFigureAlt(SphinxPostTransform):
    """Give each pasted lab figure its ``:alt:`` text, on the reading page and in the lab.

    A glued PNG is stored under the SHA-256 of its bytes, on both pages, so the file name
    identifies the figure wherever it appears.
    """

    default_priority = ReplacePendingGlueReferences.default_priority + 1

    def run(self, **kwargs: Any) -> None:
        alts = alt_by_image_file(self.env)
        for image in self.document.findall(nodes.image):
            alt = alts.get(PurePosixPath(image["uri"]).name)
            if alt is not None and not image.get("alt"):
                image["alt"] = alt


def alt_by_image_file(env: BuildEnvironment) -> dict[str, str]:
    alts = {}
    folder = env.mystnb_config.output_folder
    for requests in getattr(env, REQUESTS, {}).values():
        for lab, key, alt in requests:
            png = read_glue_cache(folder, lab).get(key, {}).get("data", {}).get("image/png")
            if png:
                alts[f"{hashlib.sha256(a2b_base64(png)).hexdigest()}.png"] = alt
    return alts


def _purge(app: Sphinx, env: BuildEnvironment, docname: str) -> None:
    getattr(env, REQUESTS, {}).pop(docname, None)


def _merge(app: Sphinx, env: BuildEnvironment, docnames: set[str], other: BuildEnvironment) -> None:
    requests = getattr(env, REQUESTS, {})
    requests.update(getattr(other, REQUESTS, {}))
    setattr(env, REQUESTS, requests)


def _serve_static(app: Sphinx, config: Config) -> None:
    config.html_static_path.append(str(STATIC))


def has_explorable(doctree: nodes.document | None) -> bool:
    """True when the page shows an explorable figure (raw HTML carrying its attribute)."""
    if doctree is None:
        return False
    return any(
        "html" in node.get("format", "").split() and EXPLORABLE in node.astext()
        for node in doctree.findall(nodes.raw)
    )


def _load_explorable_scripts(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    if not has_explorable(doctree):
        return
    # Added here, they load on this page only; deferred, in this order, after the DOM.
    app.add_js_file(VEGA, priority=600, defer="defer")
    app.add_js_file("explorable.js", priority=601, defer="defer")
    app.add_css_file("explorable.css")
    if not (Path(app.outdir) / "_static" / VEGA).is_file() and not any(
        (Path(app.confdir) / p / VEGA).is_file() for p in app.config.html_static_path
    ):
        LOGGER.warning(
            "%s shows an explorable figure but %s is not in html_static_path: run `make setup`",
            pagename, VEGA, location=pagename,
        )


def setup(app: Sphinx) -> dict[str, Any]:
    app.setup_extension("myst_nb")
    app.connect("config-inited", _serve_static)
    app.connect("html-page-context", _load_explorable_scripts)
    app.add_directive_to_domain("glue", "figure", PasteFigureFromDoc, override=True)
    app.add_post_transform(SetLabFigureAlt)
    app.connect("env-purge-doc", _purge)
    app.connect("env-merge-info", _merge)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
