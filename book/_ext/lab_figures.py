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
"""

from __future__ import annotations

import hashlib
from binascii import a2b_base64
from pathlib import PurePosixPath
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
from sphinx.environment import BuildEnvironment
from sphinx.transforms.post_transforms import SphinxPostTransform

# env attribute: {reading page: [(lab docname, glue key, alt text), ...]}
REQUESTS = "lab_figure_alts"


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


def setup(app: Sphinx) -> dict[str, Any]:
    app.setup_extension("myst_nb")
    app.add_directive_to_domain("glue", "figure", PasteFigureFromDoc, override=True)
    app.add_post_transform(SetLabFigureAlt)
    app.connect("env-purge-doc", _purge)
    app.connect("env-merge-info", _merge)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
