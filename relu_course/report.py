"""Hand a lab's numbers and verdicts to the book's pages.

The reading page of a chapter shows numbers computed in its lab notebook with myst-nb's
``glue``; the summary chapter collects every claim's verdict the same way. These helpers
work in the book's build (where myst-nb is installed) and do nothing visible elsewhere, so
the notebooks also run on Colab.
"""

from __future__ import annotations

from typing import Any

VERDICTS = ("holds", "holds with conditions", "does not hold here")


class _Text(str):
    """A string whose displayed form has no quotes, so glued text reads as prose."""

    def __repr__(self) -> str:
        return str(self)

    def _repr_pretty_(self, p: Any, cycle: bool) -> None:
        p.text(str(self))


def glue(name: str, value: Any, display: bool = False) -> None:
    """Store ``value`` under ``name`` for the book's pages.

    Strings are stored without quotes. Outside the book's build (no myst-nb, as on Colab),
    nothing is stored, and the value is shown only when ``display`` is True.

    Args:
        name: the key the pages paste with ``{glue:text}`lab.ipynb::name```.
        value: a number, a string, or a Matplotlib figure.
        display: also show the value in the notebook. Defaults to False.
    """
    if not isinstance(name, str) or not name.isidentifier():
        raise ValueError(f"glue name must be an identifier-like string, got {name!r}")
    try:
        from myst_nb import glue as _glue
    except ImportError:
        if display:
            from IPython.display import display as _display

            _display(value)
        return
    _glue(name, _Text(value) if isinstance(value, str) else value, display=display)


def claim(key: str, verdict: str, evidence: str) -> str:
    """Record a claim's verdict and its key number for the reading page and the summary.

    Stores ``claim_<key>_verdict`` and ``claim_<key>_evidence``, and returns one line that the
    lab prints.

    Args:
        key: a short identifier, e.g. ``"sparse_at_init"``.
        verdict: one of ``"holds"``, ``"holds with conditions"``, ``"does not hold here"``.
        evidence: the number(s) behind the verdict, as a short sentence.

    Examples:
        >>> claim("demo", "holds", "49.8% of outputs are zero")
        'demo: holds (49.8% of outputs are zero)'
    """
    if verdict not in VERDICTS:
        raise ValueError(f"verdict must be one of {VERDICTS}, got {verdict!r}")
    if not isinstance(evidence, str) or not evidence.strip():
        raise ValueError("evidence must be a non-empty string with the numbers behind the verdict")
    glue(f"claim_{key}_verdict", verdict)
    glue(f"claim_{key}_evidence", evidence)
    return f"{key}: {verdict} ({evidence})"
