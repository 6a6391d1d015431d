"""Comparisons: results against a swept setting, and bars."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib
import numpy as np
from matplotlib.figure import Figure

from relu_course.plotting._checks import _as_vector, _check_label, _check_title
from relu_course.plotting._style import _STYLE, PALETTE, _log_scale, _new_figure, _style


def plot_sweep(
    x: Sequence[float],
    series: Mapping[str, Sequence[float]],
    xlabel: str,
    ylabel: str,
    logx: bool = False,
    logy: bool = False,
) -> Figure:
    """Plot one or more results against a swept setting (learning rate, depth, width, ...).

    Args:
        x: the values of the swept setting.
        series: a dict from a label to the results, one per ``x`` value (NaN for a run that
            has none, e.g. one that diverged: it leaves a gap).
        xlabel: the swept setting, with units if any (``"learning rate"``).
        ylabel: the result, with units if any (``"final training loss"``).
        logx: logarithmic x axis (all ``x`` positive). Defaults to False.
        logy: logarithmic y axis. Defaults to False.

    Returns:
        A one-panel figure.

    Examples:
        >>> fig = plot_sweep([0.01, 0.1, 1.0], {"ReLU": [0.9, 0.5, 0.7], "tanh": [1.0, 0.8, 0.6]},
        ...                  xlabel="learning rate", ylabel="final loss", logx=True)
        >>> fig.axes[0].get_xscale(), len(fig.axes[0].get_lines())
        ('log', 2)
    """
    xs = _as_vector(x, "x")
    if not isinstance(series, Mapping) or not series:
        raise TypeError(f"series must be a non-empty dict from label to values, got {series!r}")
    runs = {str(k): _as_vector(v, f"series[{k!r}]", length=xs.size) for k, v in series.items()}
    xlabel, ylabel = _check_label(xlabel, "xlabel"), _check_label(ylabel, "ylabel")
    for name, flag in (("logx", logx), ("logy", logy)):
        if not isinstance(flag, bool):
            raise TypeError(f"{name} must be True or False, got {flag!r}")
    if logx and not np.all(xs > 0):
        raise ValueError(f"logx=True needs positive x values, got {xs.tolist()}")

    fig = _new_figure(1)
    ax = fig.axes[0]
    with matplotlib.rc_context(_STYLE):
        for i, (label, values) in enumerate(runs.items()):
            ax.plot(xs, values, label=label, **_style(i))
        if logx:
            _log_scale(ax.xaxis, xs)
        if logy:
            _log_scale(ax.yaxis, np.concatenate(list(runs.values())))
        ax.set_xlabel(xlabel)
        ax.set_ylabel(ylabel)
        if len(runs) > 1:
            ax.legend(loc="best")
    return fig


def plot_bars(
    labels: Sequence[str],
    values: Sequence[float],
    errors: Sequence[float] | None = None,
    ylabel: str = "value",
    title: str | None = None,
) -> Figure:
    """Compare a few numbers as bars, each labelled with its value.

    Args:
        labels: one name per bar.
        values: one number per bar.
        errors: optional error bar half-widths (e.g. the standard deviation over seeds), one
            per bar, non-negative. Defaults to none.
        ylabel: what the values are, with units if any (``"time per step (ms)"``).
            Defaults to ``"value"``.
        title: a title for the panel. Defaults to none.

    Returns:
        A one-panel figure.

    Examples:
        >>> fig = plot_bars(["ReLU", "GELU"], [1.0, 1.6], errors=[0.1, 0.1],
        ...                 ylabel="time per step (ms)")
        >>> len(fig.axes[0].patches)
        2
    """
    if isinstance(labels, str) or not isinstance(labels, Sequence) or not labels:
        raise TypeError(f"labels must be a non-empty list of strings, got {labels!r}")
    if not all(isinstance(label, str) for label in labels):
        raise TypeError(f"labels must be strings, got {list(labels)!r}")
    heights = _as_vector(values, "values", length=len(labels))
    spread = None if errors is None else _as_vector(errors, "errors", length=len(labels))
    if spread is not None and not np.all(spread >= 0):
        raise ValueError(f"errors must be non-negative half-widths, got {spread.tolist()}")
    ylabel = _check_label(ylabel, "ylabel")
    title = _check_title(title)

    fig = _new_figure(1, figsize=(max(3.2, 0.8 * len(labels) + 1.6), 3.2))
    ax = fig.axes[0]
    with matplotlib.rc_context(_STYLE):
        positions = np.arange(len(labels))  # positions, not categories: repeated labels stay apart
        bars = ax.bar(
            positions,
            heights,
            yerr=spread,
            color=PALETTE[0],
            capsize=4,
            error_kw={"ecolor": "#333333", "elinewidth": 1},
        )
        ax.bar_label(bars, labels=[f"{v:.3g}" for v in heights], padding=2, fontsize=8.5)
        ax.set_xticks(positions, list(labels))
        ax.grid(False, axis="x")
        ax.set_ylabel(ylabel)
        ax.margins(y=0.15)
        if title:
            ax.set_title(title)
        if max(map(len, labels)) * len(labels) > 48:
            ax.tick_params(axis="x", labelrotation=30)
    return fig
