"""Hand a lab's numbers and verdicts to the book's pages.

The reading page of a chapter shows numbers computed in its lab notebook with myst-nb's
``glue``; the summary chapter collects every claim's verdict the same way. These helpers
work in the book's build (where myst-nb is installed) and do nothing visible elsewhere, so
the notebooks also run on Colab.
"""

from __future__ import annotations

from typing import Any

from relu_course.stats import VERDICTS, Judgement

__all__ = ["VERDICTS", "claim", "glue"]



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


def claim(key: str, judgement: Judgement, evidence: str, *, unit: str = "",
          scale: float = 1.0, digits: int | None = None) -> str:
    """Record a claim's verdict, its numbers and its evidence for the reading page and summary.

    The verdict comes from :func:`relu_course.stats.judge`, the course's one rule, never from
    the caller. Stores ``claim_<key>_verdict``, ``claim_<key>_effect`` (the effect and its
    interval, rounded to what the interval supports), ``claim_<key>_seeds``,
    ``claim_<key>_method``, ``claim_<key>_conditions`` and ``claim_<key>_evidence``, and
    returns one line that the lab prints.

    Args:
        key: a short identifier, e.g. ``"sparse_at_init"``.
        judgement: the :class:`~relu_course.stats.Judgement` of the claim.
        evidence: what was measured, as a short sentence (no numbers that the judgement
            already gives).
        unit, scale, digits: how the effect is shown, as in
            :meth:`~relu_course.stats.Judgement.describe`.

    Raises:
        ValueError: a key that is not an identifier, a judgement that is not a
            :class:`~relu_course.stats.Judgement`, or empty evidence.

    Examples:
        >>> from relu_course.stats import judge
        >>> claim("demo", judge([0.48, 0.50, 0.52], above=0.25), "outputs that are zero",
        ...       unit="%", scale=100)
        'demo: holds: outputs that are zero, 50% [45%, 55%] (95% t interval, 3 seeds)'
    """
    if not isinstance(key, str) or not key.isidentifier():
        raise ValueError(f"claim key must be an identifier-like string, got {key!r}")
    if not isinstance(judgement, Judgement):
        raise ValueError("judgement must come from relu_course.stats.judge (the course's one "
                         f"rule for verdicts), got {type(judgement).__name__} {judgement!r}")
    if not isinstance(evidence, str) or not evidence.strip():
        raise ValueError("evidence must be a non-empty string saying what was measured")
    effect = judgement.describe(unit=unit, scale=scale, digits=digits)
    number = effect.split(" (", 1)[0]
    glue(f"claim_{key}_verdict", judgement.verdict)
    glue(f"claim_{key}_effect", number)
    glue(f"claim_{key}_seeds", str(judgement.n))
    glue(f"claim_{key}_method", judgement.method)
    glue(f"claim_{key}_conditions", judgement.conditions or "none")
    glue(f"claim_{key}_evidence", f"{evidence.strip()}: {number}")
    return f"{key}: {judgement.verdict}: {evidence.strip()}, {effect}"
