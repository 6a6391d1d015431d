"""Training curves: loss, accuracy and per-epoch probes of one run or several."""

from __future__ import annotations

import dataclasses
import math
import numbers
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import matplotlib
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import MaxNLocator, PercentFormatter

from relu_course.plotting._style import _ONE_PANEL, _SERIES, _STYLE, MARKERS, _new_figure

if TYPE_CHECKING:
    from relu_course.train import History

_METRICS = {"loss": ("train_loss", "val_loss"), "accuracy": ("train_acc", "val_acc")}


@dataclasses.dataclass
class _Curve:
    """One line of a training-curve panel."""

    run: int  # index of the run: its colour
    values: np.ndarray
    validation: bool = False  # dashed
    layer: int | None = None  # index of the layer for per-layer probes: its marker
    label: str | None = None


def _check_history(history: object, label: str) -> Any:
    if not all(hasattr(history, a) for a in ("train_loss", "train_acc", "val_loss", "val_acc")):
        raise TypeError(
            f"run {label!r} must be a relu_course.train.History (from fit), "
            f"got {type(history).__name__}"
        )
    return history


def _finite(values: Sequence[float]) -> np.ndarray:
    array = np.asarray([float(v) for v in values], dtype=np.float64)
    array[~np.isfinite(array)] = np.nan  # an inf would stretch the axis to nothing
    return array


def _probe_curves(
    run: int, history: Any, metric: str, label: str, layers: list[str]
) -> list[_Curve]:
    """Curves of a probe: one per run if it records a number per epoch, else one per layer."""
    records = list(getattr(history, "probes", {}).get(metric, []))
    if all(isinstance(r, numbers.Real) for r in records):
        return [_Curve(run, _finite(records))] if records else []
    if not all(isinstance(r, Mapping) for r in records):
        raise ValueError(
            f"probe {metric!r} of run {label!r} must record a number or a dict "
            f"layer -> number per epoch, got {type(records[0]).__name__}"
        )
    curves = []
    for name in dict.fromkeys(k for r in records for k in r):  # layers in first-seen order
        if name not in layers:
            layers.append(name)
        values = [r.get(name, math.nan) for r in records]
        if not all(isinstance(v, numbers.Real) for v in values):
            raise ValueError(
                f"probe {metric!r} of run {label!r}, layer {name!r}: expected "
                "numbers per epoch; plot_history draws number-valued probes "
                "('dead', 'sparsity', 'grad_norms')"
            )
        curves.append(_Curve(run, _finite(values), layer=layers.index(name), label=name))
    return curves


def plot_history(
    histories: History | Mapping[str, History], metrics: Sequence[str] = ("loss", "accuracy")
) -> Figure:
    """Plot training curves: one panel per metric, every run on the same axes.

    Each run has its own colour; training curves are solid and validation curves dashed.
    A run that diverged (``history.diverged``) ends in a cross at its last finite value and
    says so in the legend. When the losses span more than three orders of magnitude (a
    diverging run does that), the loss panel uses a logarithmic scale so that the other runs
    stay visible.

    Args:
        histories: a :class:`~relu_course.history.History` from
            :func:`~relu_course.train.fit`, or a dict from a run label to one.
        metrics: the panels: ``"loss"``, ``"accuracy"``, or the name of a probe recorded with
            ``fit(..., probes=[...])``. A probe that records one number per layer (``"dead"``,
            ``"sparsity"``, ``"grad_norms"``) gets one line per layer, told apart by marker.
            A metric that no run recorded (accuracy of a regression) is left out.
            Defaults to ``("loss", "accuracy")``.

    Returns:
        A figure with one panel per metric that has data.

    Examples:
        >>> import torch
        >>> from torch import nn
        >>> from relu_course.train import fit
        >>> X, y = torch.randn(64, 2), torch.randint(0, 2, (64,))
        >>> model = nn.Sequential(nn.Linear(2, 8), nn.ReLU(), nn.Linear(8, 2))
        >>> fig = plot_history({"lr=0.1": fit(model, (X, y), epochs=3, progress=False)})
        >>> [ax.get_ylabel() for ax in fig.axes]
        ['loss', 'accuracy']
    """
    if isinstance(histories, Mapping):
        if not histories:
            raise ValueError("histories is empty; pass a History or a dict label -> History")
        for label in histories:
            if not isinstance(label, str):
                raise TypeError(f"run labels must be strings, got {label!r}")
        runs = {label: _check_history(h, label) for label, h in histories.items()}
    else:
        runs = {"": _check_history(histories, "histories")}
    if isinstance(metrics, str) or not isinstance(metrics, Sequence) or not metrics:
        raise TypeError(
            f"metrics must be a non-empty list of names such as ('loss', "
            f"'accuracy'), got {metrics!r}"
        )

    panels: list[tuple[str, list[_Curve], list[str]]] = []
    for metric in metrics:
        if metric not in _METRICS and not any(
            metric in getattr(h, "probes", {}) for h in runs.values()
        ):
            raise ValueError(
                f"unknown metric {metric!r}; use 'loss', 'accuracy' or a probe the runs recorded"
            )
        curves: list[_Curve] = []
        layers: list[str] = []
        for i, (label, h) in enumerate(runs.items()):
            if metric in _METRICS:
                train, val = (_finite(getattr(h, a)) for a in _METRICS[metric])
                curves += [_Curve(i, train)] if train.size else []
                curves += [_Curve(i, val, validation=True)] if val.size else []
            else:
                curves += _probe_curves(i, h, metric, label, layers)
        if curves:
            panels.append((metric, curves, layers))
    if not panels:
        raise ValueError(f"none of the runs recorded any of the metrics {tuple(metrics)}")

    width = 3.5 * len(panels) if len(panels) > 1 else _ONE_PANEL[0]
    fig = _new_figure(len(panels), figsize=(width, 3.2))
    labels = list(runs)
    with matplotlib.rc_context(_STYLE):
        for ax, (metric, curves, layers) in zip(fig.axes, panels):
            for curve in curves:
                color = _SERIES[curve.run % len(_SERIES)]
                marker = None if curve.layer is None else MARKERS[curve.layer % len(MARKERS)]
                epochs = np.arange(1, curve.values.size + 1)
                ax.plot(
                    epochs,
                    curve.values,
                    color=color,
                    marker=marker,
                    linestyle="--" if curve.validation else "-",
                )
                h = runs[labels[curve.run]]
                finite = np.flatnonzero(np.isfinite(curve.values))
                if (
                    getattr(h, "diverged", False)
                    and metric in _METRICS
                    and finite.size
                    and not curve.validation
                ):
                    last = finite[-1]
                    ax.plot(
                        [last + 1],
                        [curve.values[last]],
                        marker="X",
                        markersize=9,
                        color=color,
                        markeredgecolor="black",
                        linestyle="none",
                        clip_on=False,
                        zorder=4,
                    )
            _format_metric_axis(ax, metric, curves)
            if layers:
                ax.legend(
                    [
                        Line2D([], [], color="#555555", marker=MARKERS[k % len(MARKERS)])
                        for k in range(len(layers))
                    ],
                    layers,
                    loc="best",
                )
        _legend_for_runs(fig, runs, panels)
    return fig


def _legend_for_runs(
    fig: Figure, runs: dict[str, Any], panels: list[tuple[str, list[_Curve], list[str]]]
) -> None:
    """Name each run's colour (and a diverged run's epoch); explain solid vs dashed."""
    handles, names = [], []
    for i, (label, h) in enumerate(runs.items()):
        name = label
        if getattr(h, "diverged", False):
            name = f"{label} (diverged, epoch {getattr(h, 'stopped_epoch', '?')})".strip()
        if name:
            handles.append(Line2D([], [], color=_SERIES[i % len(_SERIES)]))
            names.append(name)
    if any(c.validation for _, curves, _ in panels for c in curves):
        handles += [
            Line2D([], [], color="#555555"),
            Line2D([], [], color="#555555", linestyle="--"),
        ]
        names += ["train", "validation"]
    if not names:
        return
    # The first panel without a layer legend holds it; else the first panel holds both.
    free = [k for k, (_, _, layers) in enumerate(panels) if not layers]
    ax = fig.axes[free[0] if free else 0]
    if free:
        ax.legend(handles, names, loc="best")
    else:
        ax.add_artist(ax.get_legend())
        ax.legend(handles, names, loc="upper left")


def _format_metric_axis(ax: Axes, metric: str, curves: list[_Curve]) -> None:
    ax.set_xlabel("epoch")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    values = np.concatenate([c.values for c in curves])
    values = values[np.isfinite(values)]
    if metric == "accuracy":
        ax.set_ylabel("accuracy")
        if values.size and values.min() >= 0 and values.max() <= 1:
            ax.yaxis.set_major_formatter(PercentFormatter(xmax=1.0, decimals=0))
    else:
        ax.set_ylabel(metric.replace("_", " "))
        positive = values[values > 0]
        if metric == "loss" and positive.size and positive.max() / positive.min() > 1e3:
            ax.set_yscale("log")
    ax.set_title(metric.replace("_", " "))
