"""The one style every figure shares: palette, dash patterns, markers, fonts, white backing.

- the Okabe-Ito palette (:data:`PALETTE`), readable with every common colour-vision
  deficiency; lines also differ in dash pattern and markers in shape, so nothing relies on
  colour alone;
- an opaque white background with dark text, so a figure stays readable on the book's light
  and dark themes;
- labelled axes (with units where there are any), a light grid, and a legend whenever more
  than one thing is drawn.
"""

from __future__ import annotations

import io
from typing import Any

import matplotlib
import numpy as np
from matplotlib.axis import Axis
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

#: The Okabe-Ito colour-blind-safe palette (Okabe & Ito, 2008), darkest and most distinct
#: first; yellow, the hardest to see on white, comes last.
PALETTE: tuple[str, ...] = (
    "#0072B2",  # blue
    "#E69F00",  # orange
    "#009E73",  # bluish green
    "#D55E00",  # vermillion
    "#CC79A7",  # reddish purple
    "#56B4E9",  # sky blue
    "#000000",  # black
    "#F0E442",  # yellow
)
_SERIES = PALETTE[:7]  # lines skip yellow, which is faint on white; 7 colours x 4 dashes
#: Dash patterns paired with the palette, so curves differ without colour too.
LINESTYLES: tuple[str, ...] = ("-", "--", "-.", ":")
#: Marker shapes paired with the palette (classes in scatter plots, series in sweeps).
MARKERS: tuple[str, ...] = ("o", "s", "^", "D", "v", "P", "X", "*")

_DPI = 100  # 7 in -> 700 px: the width of the book's text column
_ONE_PANEL = (4.8, 3.4)
_TWO_PANELS = (7.0, 3.0)
_TEXT = "#222222"
_STYLE: dict[str, Any] = {
    "figure.facecolor": "white",
    "axes.facecolor": "white",
    "savefig.facecolor": "white",
    "axes.edgecolor": "#444444",
    "axes.labelcolor": _TEXT,
    "text.color": _TEXT,
    "xtick.color": "#444444",
    "ytick.color": "#444444",
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "axes.axisbelow": True,
    "grid.color": "#dddddd",
    "grid.linewidth": 0.6,
    "font.size": 10,
    "axes.titlesize": 11,
    "axes.labelsize": 10,
    "xtick.labelsize": 9,
    "ytick.labelsize": 9,
    "legend.fontsize": 8.5,
    "legend.framealpha": 0.9,
    "legend.edgecolor": "#cccccc",
    "figure.titlesize": 12,
    "lines.linewidth": 1.8,
    "lines.markersize": 5,
    "axes.prop_cycle": matplotlib.cycler(color=_SERIES),
    "image.interpolation": "nearest",
}


class CourseFigure(Figure):
    """A Matplotlib figure that shows itself as a PNG in Jupyter without pyplot.

    A bare :class:`~matplotlib.figure.Figure` only has a text representation in a notebook
    unless pyplot's inline backend has been started; this subclass adds ``_repr_png_`` so that
    the figure displays (and glues) as an image in Jupyter, Colab and the book's build. When
    pyplot's inline backend is active its own PNG formatter takes precedence, with the same
    result.
    """

    def _repr_png_(self) -> bytes:
        buffer = io.BytesIO()
        self.savefig(
            buffer,
            format="png",
            dpi=self.dpi,
            facecolor="white",
            transparent=False,
            bbox_inches="tight",
        )
        return buffer.getvalue()


def _new_figure(
    ncols: int = 1, figsize: tuple[float, float] | None = None, nrows: int = 1
) -> CourseFigure:
    if figsize is None:
        figsize = _ONE_PANEL if ncols == 1 else (_TWO_PANELS[0] * ncols / 2, _TWO_PANELS[1])
    fig = CourseFigure(figsize=figsize, dpi=_DPI, facecolor="white", layout="constrained")
    with matplotlib.rc_context(_STYLE):
        fig.subplots(nrows, ncols, squeeze=False)
    return fig


def _log_scale(axis: Axis, values: np.ndarray) -> None:
    """Put ``axis`` on a log scale; label its ticks plainly when the data span under a decade."""
    if axis is axis.axes.xaxis:
        axis.axes.set_xscale("log")
    else:
        axis.axes.set_yscale("log")
    positive = values[np.isfinite(values) & (values > 0)]
    span = positive.max() / positive.min() if positive.size else np.inf
    if span < 100:
        # Matplotlib would label the ticks as 9x10^-2; 0.09 reads better. Over one to two
        # decades, label only the minor ticks at 2 and 5 times a power of ten, so that the
        # labels do not run into each other.
        plain = FuncFormatter(lambda v, _: f"{v:.2g}")
        axis.set_major_formatter(plain)
        axis.set_minor_formatter(plain if span < 10 else FuncFormatter(_label_2_and_5))


def _label_2_and_5(value: float, _: object) -> str:
    if value <= 0:
        return ""
    leading = round(value / 10 ** np.floor(np.log10(value)))
    return f"{value:.2g}" if leading in (2, 5) else ""


def _style(i: int) -> dict[str, Any]:
    """Colour, dash pattern and marker of the i-th series."""
    return {
        "color": _SERIES[i % len(_SERIES)],
        "linestyle": LINESTYLES[i % len(LINESTYLES)],
        "marker": MARKERS[i % len(MARKERS)],
    }
