"""Comparisons: a statistic per layer, results against a swept setting, and bars."""

from __future__ import annotations

import numbers
from collections.abc import Mapping, Sequence
from typing import Union

import matplotlib
import numpy as np
import torch
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from relu_course.plotting._checks import _as_vector, _check_label, _check_title
from relu_course.plotting._style import _STYLE, PALETTE, _log_scale, _new_figure, _style

LayerSeries = Union[Mapping[str, float], Sequence[float]]


def _layer_series(values: object, label: str) -> tuple[list[str], np.ndarray]:
    if isinstance(values, Mapping):
        names, raw = [str(k) for k in values], list(values.values())
    elif isinstance(values, Sequence) and not isinstance(values, str):
        names, raw = [str(i) for i in range(len(values))], list(values)
    else:
        raise TypeError(
            f"series {label!r} must map layer names to numbers (e.g. "
            f"{{'act0': 0.5, 'act1': 0.4}}), got {type(values).__name__}"
        )
    if not raw:
        raise ValueError(f"series {label!r} has no layers")
    numbers_ = []
    for name, v in zip(names, raw):
        if isinstance(v, torch.Tensor) and v.numel() == 1:
            v = v.item()
        if isinstance(v, bool) or not isinstance(v, numbers.Real):
            raise TypeError(
                f"series {label!r}, layer {name!r}: expected a number, got "
                f"{type(v).__name__} {v!r}; from per-layer records pick one number each, "
                "e.g. {name: d.fraction for name, d in dead_units(model, X).items()}"
            )
        numbers_.append(float(v))
    return names, np.asarray(numbers_)


def plot_layer_stats(
    series: Mapping[str, LayerSeries] | LayerSeries,
    ylabel: str,
    logy: bool = False,
    title: str | None = None,
) -> Figure:
    """Plot a per-layer statistic against depth, for one network or several.

    Use it for what the probes measure layer by layer: the mean or variance of the
    activations, the sparsity, the fraction of dead units, or the gradient norm (with
    ``logy=True``, so that vanishing and exploding gradients show as straight lines).

    Args:
        series: one mapping from layer name to value (``{"act0": 0.5, "act1": 0.48}``, as
            :func:`relu_course.probes.sparsity` returns it), or a dict from a label (say,
            the initialisation) to such a mapping. A list of values also works, one per
            layer. Layers are plotted in the order given.
        ylabel: what the values are, with units if any (``"dead fraction"``).
        logy: logarithmic y axis; every value must then be positive. Defaults to False.
        title: a title for the panel. Defaults to none.

    Returns:
        A one-panel figure of value against layer depth.

    Examples:
        >>> fig = plot_layer_stats({"He": {"act0": 1.0, "act1": 0.9},
        ...                         "default": {"act0": 0.3, "act1": 0.05}},
        ...                        ylabel="activation variance", logy=True)
        >>> fig.axes[0].get_xlabel(), fig.axes[0].get_yscale()
        ('layer (depth)', 'log')
    """
    ylabel = _check_label(ylabel, "ylabel")
    title = _check_title(title)
    if not isinstance(logy, bool):
        raise TypeError(f"logy must be True or False, got {logy!r}")
    if (
        isinstance(series, Mapping)
        and series
        and all(
            isinstance(v, (Mapping, Sequence)) and not isinstance(v, str) for v in series.values()
        )
    ):
        runs = {str(k): _layer_series(v, str(k)) for k, v in series.items()}
    elif isinstance(series, Mapping) and not series:
        raise ValueError("series is empty; pass {layer: value} or {label: {layer: value}}")
    else:
        runs = {"": _layer_series(series, "series")}
    if logy:
        for label, (names, values) in runs.items():
            bad = [n for n, v in zip(names, values) if not v > 0]
            if bad:
                raise ValueError(
                    f"logy=True needs positive values, but series {label!r} has "
                    f"non-positive values at layers {bad}"
                )

    fig = _new_figure(1)
    ax = fig.axes[0]
    with matplotlib.rc_context(_STYLE):
        for i, (label, (_, values)) in enumerate(runs.items()):
            ax.plot(np.arange(len(values)), values, label=label or None, **_style(i))
        layer_names = [names for names, _ in runs.values()]
        longest = max(layer_names, key=len)
        if all(names == longest[: len(names)] for names in layer_names) and len(longest) <= 12:
            ax.set_xticks(
                np.arange(len(longest)), longest, rotation=30 if max(map(len, longest)) > 4 else 0
            )
        else:
            ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        if logy:
            _log_scale(ax.yaxis, np.concatenate([values for _, values in runs.values()]))
        ax.set_xlabel("layer (depth)")
        ax.set_ylabel(ylabel)
        if title:
            ax.set_title(title)
        if len(runs) > 1:
            ax.legend(loc="best")
    return fig


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
