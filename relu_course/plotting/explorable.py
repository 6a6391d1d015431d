"""Explorable figures: a slider the reader moves on the website, drawn from the lab's arrays.

:func:`explorable_lines` takes every frame a slider can show, computed by the lab, and returns
an :class:`Explorable`. Displayed (or glued with ``glue(key, fig, display=True)``), it gives:

- ``text/html``: a `Vega <https://vega.github.io/vega/>`_ specification holding the data of
  every frame, a native ``<input type="range">`` (arrow keys, Home and End move it) and a
  text summary. The book's site draws it with the copy of Vega it serves itself
  (``_static/vega/vega.min.js``, loaded once per page by ``book/_ext/lab_figures.py``); no
  kernel and no other host is needed. Without that script (in Jupyter) the summary shows.
- ``image/png``: the initial frame drawn by Matplotlib, for notebook viewers and print.
- ``text/plain``: the summary, generated from the data (:attr:`Explorable.alt`).

The output is the same bytes on every run and CPU: element ids come from ``key``, numbers are
rounded to 6 significant digits, and nothing random or dated is written, so nbval compares it
strictly.
"""

from __future__ import annotations

import math
import numbers
import re
from collections.abc import Mapping
from typing import Any

import matplotlib
import numpy as np
from matplotlib.figure import Figure

from relu_course.plotting._checks import _as_vector, _check_label, _check_title
from relu_course.plotting._style import _SERIES, _STYLE, LINESTYLES, _log_scale, _new_figure
from relu_course.plotting._vega import Frames, _html, _padded, _spec

__all__ = ["Explorable", "explorable_lines"]

MAX_POINTS = 50_000  # numbers per figure, x and y together: about 0.45 MB of a page's 3 MB
_KEY = re.compile(r"[A-Za-z][A-Za-z0-9_-]{0,63}")


def _fmt(value: float) -> str:
    """A number for people: 3 significant digits, no "-0"."""
    text = f"{value:.3g}"
    return "0" if text == "-0" else text


class Explorable:
    """An interactive line figure with one slider; see :func:`explorable_lines`.

    Attributes:
        key: the identifier its element ids derive from (``explorable-<key>``).
        alt: the text summary generated from the data (also its ``text/plain``).
        html: the ``text/html`` representation.
        spec: the Vega specification embedded in :attr:`html` (a dict).
    """

    def __init__(self, key: str, alt: str, spec: dict[str, Any], html_text: str,
                 frames: Frames, initial: int,
                 labels: dict[str, Any]) -> None:
        self.key, self.alt, self.spec, self.html = key, alt, spec, html_text
        self._frames, self._initial, self._labels = frames, initial, labels
        self._png: bytes | None = None

    def __repr__(self) -> str:
        return f"Explorable(key={self.key!r})"

    def to_figure(self) -> Figure:
        """The initial frame as a static Matplotlib figure (what ``image/png`` shows)."""
        labels = self._labels
        frame = self._frames[self._initial]
        fig = _new_figure(1, figsize=(5.6, 3.4))
        ax = fig.axes[0]
        with matplotlib.rc_context(_STYLE):
            for i, (label, (x, y)) in enumerate(frame.items()):
                ax.plot(x, y, label=label, color=_SERIES[i % len(_SERIES)],
                        linestyle=LINESTYLES[i % len(LINESTYLES)])
            for name, position in labels["marks"].items():
                ax.axvline(position, color="#777777", linewidth=1, linestyle=(0, (2, 2)))
                ax.annotate(name, (position, 1), xycoords=("data", "axes fraction"),
                            xytext=(3, -10), textcoords="offset points", fontsize=8.5,
                            color="#555555")
            xs = np.concatenate([x for f in self._frames for x, _ in f.values()])
            ys = np.concatenate([y for f in self._frames for _, y in f.values()])
            ax.set_xlim(np.nanmin(xs), np.nanmax(xs))
            finite = ys[np.isfinite(ys)]
            if finite.size:
                ax.set_ylim(*_padded(finite.min(), finite.max(), labels["log_y"]))
            if labels["log_x"]:
                _log_scale(ax.xaxis, xs)
            if labels["log_y"]:
                _log_scale(ax.yaxis, finite)
            ax.set_xlabel(labels["x"])
            ax.set_ylabel(labels["y"])
            shown = f"{labels['slider']} = {labels['frames'][self._initial]}"
            ax.set_title(f"{labels['title']} ({shown})" if labels["title"] else shown)
            if len(frame) > 1:
                ax.legend(loc="best")
        return fig

    def _repr_png_(self) -> bytes:
        if self._png is None:
            self._png = self.to_figure()._repr_png_()
        return self._png

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        return {"text/html": self.html, "image/png": self._repr_png_(), "text/plain": self.alt}


def _check_frames(frames: object) -> tuple[list[Any], Frames]:
    if not isinstance(frames, Mapping) or not frames:
        raise TypeError(
            "frames must be a non-empty dict: slider value -> {series label: (x, y)}, "
            f"got {type(frames).__name__} {frames!r:.80}"
        )
    values = list(frames)
    numeric = [isinstance(v, numbers.Real) and not isinstance(v, bool) for v in values]
    if not (all(numeric) or all(isinstance(v, str) for v in values)):
        raise TypeError(
            f"the slider values (the keys of frames) must be all numbers or all strings, "
            f"got {values!r:.200}"
        )
    if all(numeric) and not all(math.isfinite(float(v)) for v in values):
        raise ValueError(f"the slider values must be finite numbers, got {values!r:.200}")
    checked, series_labels = [], None
    for value, frame in frames.items():
        where = f"frames[{value!r}]"
        if not isinstance(frame, Mapping) or not frame:
            raise TypeError(f"{where} must be a non-empty dict: series label -> (x, y), "
                            f"got {type(frame).__name__}")
        if not all(isinstance(label, str) and label.strip() for label in frame):
            raise TypeError(
                f"{where}: series labels must be non-empty strings, got {list(frame)!r}"
            )
        if series_labels is None:
            series_labels = list(frame)
        elif set(frame) != set(series_labels):
            raise ValueError(
                f"every frame must have the same series; {where} has {sorted(frame)} but "
                f"the first frame has {sorted(series_labels)}"
            )
        lines = {}
        for label in series_labels:
            pair = frame[label]
            if isinstance(pair, (str, bytes)) or not hasattr(pair, "__len__") or len(pair) != 2:
                raise TypeError(f"{where}[{label!r}] must be a pair (x, y) of 1-D arrays, "
                                f"got {type(pair).__name__}")
            x = _as_vector(pair[0], f"{where}[{label!r}] x")
            y = _as_vector(pair[1], f"{where}[{label!r}] y", length=x.size)
            if not np.all(np.isfinite(x)):
                raise ValueError(f"{where}[{label!r}]: x must be finite (y may hold NaN for a gap)")
            lines[label] = (x, y)
        checked.append(lines)
    return values, checked


def _check_marks(marks: object, log_x: bool) -> dict[str, float]:
    if marks is None:
        return {}
    if not isinstance(marks, Mapping):
        raise TypeError(f"marks must be None or a dict: label -> x position, got {marks!r:.80}")
    checked = {}
    for label, position in marks.items():
        if not isinstance(label, str) or not label.strip():
            raise TypeError(f"mark labels must be non-empty strings, got {label!r}")
        if (isinstance(position, bool) or not isinstance(position, numbers.Real)
                or not math.isfinite(float(position)) or (log_x and not float(position) > 0)):
            accepted = "a positive number (log_x=True)" if log_x else "a finite number"
            raise ValueError(f"marks[{label!r}] must be {accepted}, got {position!r}")
        checked[label] = float(position)
    return checked


def _summary(values: list[str], frames: Frames,
             initial: int, labels: dict[str, Any]) -> str:
    slider, n = labels["slider"], len(values)
    head = labels["title"].rstrip(".") + ". " if labels["title"] else ""
    moves = (f"{slider} moves over {n} values from {values[0]} to {values[-1]}" if n > 1
             else f"{slider} has one value, {values[0]}")
    text = [f"{head}Interactive line chart of {labels['y']} against {labels['x']}, as {moves}."]
    for i in dict.fromkeys([initial, 0, n - 1]):  # the initial and the extreme values
        parts = []
        for label, (_, y) in frames[i].items():
            finite = y[np.isfinite(y)]
            if not finite.size:
                parts.append(f"{label} has no finite value")
            elif finite.min() == finite.max():
                parts.append(f"{label} is {_fmt(finite.min())}")
            else:
                parts.append(f"{label} goes from {_fmt(finite.min())} to {_fmt(finite.max())}")
        shown = " (shown first)" if i == initial and n > 1 else ""
        text.append(f"At {slider} = {values[i]}{shown}: {'; '.join(parts)}.")
    if labels["marks"]:
        marked = ", ".join(f"{k} at {labels['x']} = {_fmt(v)}" for k, v in labels["marks"].items())
        text.append(f"Marked: {marked}.")
    return " ".join(text)


def explorable_lines(
    frames: Mapping[float | str, Mapping[str, tuple[Any, Any]]],
    slider_label: str,
    x_label: str,
    y_label: str,
    title: str | None = None,
    key: str | None = None,
    initial: float | str | None = None,
    log_x: bool = False,
    log_y: bool = False,
    marks: Mapping[str, float] | None = None,
) -> Explorable:
    """An interactive line figure: curves that change as the reader moves one slider.

    Each slider position is a *frame*: a set of curves :math:`y = g_s(x)`, one per series
    :math:`s`, computed by the lab. The axes stay fixed over all frames (the range of every
    frame's data), so moving the slider shows how the curves move. Vertical reference lines
    (``marks``, e.g. the kink of ReLU at 0) stay in place.

    Args:
        frames: ``{slider value: {series label: (x, y)}}``, in slider order. Slider values
            are all numbers or all strings; every frame has the same series. ``x`` and ``y``
            are 1-D tensors, arrays or lists of equal length, drawn in the order given;
            ``x`` is finite, ``y`` may hold NaN (a gap). At most 50,000 numbers in all.
        slider_label: what the slider sets, e.g. ``"negative slope α"``.
        x_label: the x axis, with units if any.
        y_label: the y axis, with units if any.
        title: a title over the figure. Defaults to none.
        key: the figure's identifier (a letter, then letters, digits, ``_`` or ``-``): its
            element id is ``explorable-<key>``, so it must be unique on a page. Required.
        initial: the slider value shown first. Defaults to the first key of ``frames``.
        log_x: logarithmic x axis (all x positive). Defaults to False.
        log_y: logarithmic y axis (all finite y positive). Defaults to False.
        marks: ``{label: x position}`` of vertical reference lines. Defaults to none.

    Returns:
        An :class:`Explorable` whose ``text/html`` is the interactive figure (drawn by the
        Vega that the book's site serves), ``image/png`` the initial frame, and
        ``text/plain`` a summary generated from the data (:attr:`Explorable.alt`), e.g.
        "At negative slope α = 0: f(x) goes from 0 to 3 ...". Numbers in the output are
        rounded to 6 significant digits, so it is the same on every run and CPU.

    Raises:
        TypeError: ``frames`` not a dict of dicts of ``(x, y)`` pairs; slider values mixing
            numbers and strings; a label that is not a non-empty string; a missing ``key``.
        ValueError: frames with different series; ``x`` and ``y`` of different lengths; a
            non-finite ``x``; an ``initial`` that is not a slider value; non-positive values on
            a log axis; more than 50,000 numbers.

    Examples:
        >>> import torch
        >>> x = torch.linspace(-3, 3, 61)
        >>> frames = {a: {"f(x)": (x, torch.where(x > 0, x, a * x))} for a in (0.0, 0.1, 0.3)}
        >>> fig = explorable_lines(frames, slider_label="negative slope α", x_label="x",
        ...                        y_label="f(x)", key="demo_slope", marks={"kink": 0.0})
        >>> sorted(fig._repr_mimebundle_())
        ['image/png', 'text/html', 'text/plain']
        >>> fig.html.startswith('<div class="explorable" id="explorable-demo_slope"')
        True
        >>> print(fig.alt.split(". ")[1])
        At negative slope α = 0 (shown first): f(x) goes from 0 to 3
    """
    if not isinstance(key, str) or not _KEY.fullmatch(key):
        raise TypeError(
            "key must be a string of 1 to 64 letters, digits, '_' or '-' starting with a "
            f"letter (the figure's element id), got {key!r}"
        )
    slider_label = _check_label(slider_label, "slider_label")
    x_label, y_label = _check_label(x_label, "x_label"), _check_label(y_label, "y_label")
    title = _check_title(title)
    for name, flag in (("log_x", log_x), ("log_y", log_y)):
        if not isinstance(flag, bool):
            raise TypeError(f"{name} must be True or False, got {flag!r}")
    keys, checked = _check_frames(frames)
    if initial is None:
        start = 0
    else:
        matches = [i for i, k in enumerate(keys) if type(k) is not bool and k == initial
                   and isinstance(k, str) == isinstance(initial, str)]
        if not matches:
            raise ValueError(f"initial must be one of the slider values {keys!r:.200}, "
                             f"got {initial!r}")
        start = matches[0]
    size = sum(2 * x.size for frame in checked for x, _ in frame.values())
    if size > MAX_POINTS:
        raise ValueError(
            f"frames hold {size} numbers (x and y); at most {MAX_POINTS} keep the page light: "
            "use fewer points per curve or fewer slider values"
        )
    for axis, flag in (("x", log_x), ("y", log_y)):
        data = [pair[0 if axis == "x" else 1] for frame in checked for pair in frame.values()]
        if flag and not all(np.all(v[np.isfinite(v)] > 0) for v in data):
            raise ValueError(f"log_{axis}=True needs positive {axis} values (NaN aside)")
    values = [k if isinstance(k, str) else f"{float(k):.6g}" for k in keys]
    labels: dict[str, Any] = {"slider": slider_label, "x": x_label, "y": y_label,
                              "title": title, "log_x": log_x, "log_y": log_y,
                              "marks": _check_marks(marks, log_x), "frames": values}
    labels["summary"] = _summary(values, checked, start, labels)
    spec = _spec(values, checked, start, labels)
    return Explorable(key, labels["summary"], spec, _html(key, values, start, spec, labels),
                      checked, start, labels)
