"""Every figure of the book, drawn one way.

Each function returns a :class:`matplotlib.figure.Figure` built without :mod:`matplotlib.pyplot`:
nothing is registered with pyplot, so a figure is shown exactly once (as the last expression
of a notebook cell, or through ``glue(..., display=True)``) and never needs ``plt.close``.
The figures share one style:

- the Okabe-Ito palette (:data:`PALETTE`), readable with every common colour-vision
  deficiency; lines also differ in dash pattern and markers in shape, so nothing relies on
  colour alone;
- an opaque white background with dark text, so a figure stays readable on the book's light
  and dark themes;
- labelled axes (with units where there are any), a light grid, and a legend whenever more
  than one thing is drawn.

This is the only module of :mod:`relu_course` that imports Matplotlib; the rest of the
package never does, so ``import relu_course.train`` stays light.
"""

from __future__ import annotations

import dataclasses
import io
import math
import numbers
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Union

import matplotlib
import numpy as np
import torch
from matplotlib.axes import Axes
from matplotlib.axis import Axis
from matplotlib.colors import to_hex, to_rgba
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import FuncFormatter, MaxNLocator, PercentFormatter

if TYPE_CHECKING:
    from relu_course.train import History

__all__ = [
    "LINESTYLES",
    "MARKERS",
    "PALETTE",
    "plot_activations",
    "plot_bars",
    "plot_decision_regions",
    "plot_function_fit",
    "plot_history",
    "plot_layer_stats",
    "plot_linear_regions",
    "plot_sweep",
]

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


def _new_figure(ncols: int = 1, figsize: tuple[float, float] | None = None) -> CourseFigure:
    if figsize is None:
        figsize = _ONE_PANEL if ncols == 1 else (_TWO_PANELS[0] * ncols / 2, _TWO_PANELS[1])
    fig = CourseFigure(figsize=figsize, dpi=_DPI, facecolor="white", layout="constrained")
    with matplotlib.rc_context(_STYLE):
        fig.subplots(1, ncols, squeeze=False)
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


# ---------------------------------------------------------------------------- validation


def _check_title(title: object) -> str | None:
    if title is not None and not isinstance(title, str):
        raise TypeError(f"title must be a string or None, got {type(title).__name__} {title!r}")
    return title


def _check_label(value: object, name: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise TypeError(
            f"{name} must be a non-empty string (the axis label, with units where "
            f"there are any), got {value!r}"
        )
    return value


def _check_range(value: object, name: str) -> tuple[float, float]:
    try:
        low, high = (float(v) for v in value)  # type: ignore[union-attr]
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be a pair of numbers (low, high), got {value!r}") from None
    if not (math.isfinite(low) and math.isfinite(high) and low < high):
        raise ValueError(f"{name} must be finite with low < high, got {value!r}")
    return low, high


def _check_resolution(resolution: object) -> int:
    if isinstance(resolution, bool) or not isinstance(resolution, numbers.Integral):
        raise TypeError(
            f"resolution must be an integer (grid points per axis), "
            f"got {type(resolution).__name__} {resolution!r}"
        )
    if not 2 <= int(resolution) <= 2000:
        raise ValueError(
            f"resolution must be between 2 and 2000 grid points per axis, got {resolution}"
        )
    return int(resolution)


def _as_array(value: object, name: str) -> np.ndarray:
    """A float64 NumPy copy of a tensor, array or sequence of numbers."""
    if isinstance(value, torch.Tensor):
        value = value.detach().cpu().double().numpy()
    elif isinstance(value, (str, bytes)) or not isinstance(value, (np.ndarray, Sequence)):
        raise TypeError(
            f"{name} must be a tensor, a NumPy array or a sequence of numbers, "
            f"got {type(value).__name__}"
        )
    try:
        array = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must contain only numbers, got {value!r}") from None
    return array


def _as_vector(value: object, name: str, length: int | None = None) -> np.ndarray:
    array = _as_array(value, name)
    if array.ndim == 2 and 1 in array.shape:
        array = array.reshape(-1)  # (n, 1) regression targets
    if array.ndim != 1 or array.size == 0:
        raise ValueError(
            f"{name} must be a non-empty 1-D sequence (or an (n, 1) column), "
            f"got shape {tuple(array.shape)}"
        )
    if length is not None and array.size != length:
        raise ValueError(
            f"{name} has {array.size} values but {length} were expected (one per x value / label)"
        )
    return array


def _model_device_dtype(model: torch.nn.Module) -> tuple[torch.device, torch.dtype]:
    first = next(model.parameters(), None)
    if first is None:
        return torch.device("cpu"), torch.get_default_dtype()
    return first.device, first.dtype if first.is_floating_point() else torch.get_default_dtype()


def _check_model(model: object) -> torch.nn.Module:
    if not isinstance(model, torch.nn.Module):
        raise TypeError(f"model must be a torch.nn.Module, got {type(model).__name__}")
    return model


# ------------------------------------------------------------------------- activations

_DISPLAY_NAMES = {
    "relu": "ReLU",
    "leaky_relu": "Leaky ReLU",
    "prelu": "PReLU (a=0.25)",
    "elu": "ELU",
    "selu": "SELU",
    "gelu": "GELU",
    "silu": "SiLU",
    "sigmoid": "sigmoid",
    "tanh": "tanh",
    "identity": "identity",
}
_PRELU_SLOPE = 0.25  # PReLU's default initial slope, the one torch.nn.PReLU starts from

ActivationSpec = Union[str, tuple[str, Callable[..., Any], Union[Callable[..., Any], None]]]


def _resolve_activation(spec: object) -> tuple[str, Callable[..., Any], Callable[..., Any] | None]:
    if isinstance(spec, str):
        from relu_course import activations

        key = spec.strip().lower().replace("-", "_")
        if key not in activations.FUNCTIONS:
            raise ValueError(
                f"unknown activation {spec!r}; use one of "
                f"{', '.join(sorted(activations.FUNCTIONS))} or a "
                "(label, f, f_prime) triple"
            )
        f, df = activations.FUNCTIONS[key], activations.DERIVATIVES[key]
        if key == "prelu":
            return (
                _DISPLAY_NAMES[key],
                lambda x: f(x, _PRELU_SLOPE),
                lambda x: df(x, _PRELU_SLOPE),
            )
        return _DISPLAY_NAMES.get(key, key), f, df
    if isinstance(spec, tuple) and len(spec) == 3:
        label, f, df = spec
        if not isinstance(label, str):
            raise TypeError(
                f"the label of a (label, f, f_prime) triple must be a string, got {label!r}"
            )
        if not callable(f) or not (df is None or callable(df)):
            raise TypeError(
                f"in the triple for {label!r}, f must be callable and f_prime "
                "callable or None (None: the derivative comes from autograd)"
            )
        return label, f, df
    raise TypeError(
        f"each activation must be a registry name such as 'relu' or a "
        f"(label, f, f_prime) triple, got {spec!r}"
    )


def _evaluate(fn: Callable[..., Any], x: torch.Tensor, label: str) -> np.ndarray:
    out = fn(x.clone())  # a clone: an in-place function must not change our grid
    if not isinstance(out, torch.Tensor) or out.shape != x.shape:
        raise ValueError(
            f"the function for {label!r} must map a 1-D tensor to a tensor of the "
            f"same shape, got {type(out).__name__} "
            f"{tuple(getattr(out, 'shape', ()))}"
        )
    return out.detach().double().cpu().numpy()


def _autograd_derivative(f: Callable[..., Any]) -> Callable[[torch.Tensor], torch.Tensor]:
    def df(x: torch.Tensor) -> torch.Tensor:
        x = x.detach().clone().requires_grad_(True)
        with torch.enable_grad():
            (grad,) = torch.autograd.grad(f(x).sum(), x)
        return grad

    return df


def plot_activations(
    names_or_fns: ActivationSpec | Sequence[ActivationSpec],
    x_range: tuple[float, float] = (-4, 4),
    derivative: bool = True,
    title: str | None = None,
) -> Figure:
    """Plot activation functions and, beside them, their derivatives.

    Curves are drawn on a grid that contains :math:`x = 0` exactly. Where a derivative
    jumps at 0 (ReLU, Leaky ReLU, PReLU, SELU, ELU with :math:`\\alpha \\ne 1`), the
    derivative is drawn as two pieces, with open circles at the one-sided limits and a
    filled dot at the value the function uses at the kink (for ReLU, :math:`f'(0) = 0`,
    as in PyTorch's autograd).

    Args:
        names_or_fns: one activation or a list of them. Each is a registry name (a key of
            :data:`relu_course.activations.FUNCTIONS`, e.g. ``"relu"``, ``"gelu"``; PReLU
            uses its initial slope 0.25) or a triple ``(label, f, f_prime)`` of tensor
            functions; ``f_prime=None`` takes the derivative from autograd.
        x_range: the inputs shown, ``(low, high)``. Defaults to ``(-4, 4)``.
        derivative: draw the derivative panel. Defaults to True.
        title: a title over the figure. Defaults to none.

    Returns:
        A figure with two panels, :math:`f(x)` and :math:`f'(x)`, or with one when
        ``derivative=False``.

    Examples:
        >>> fig = plot_activations(["relu", "gelu"])
        >>> len(fig.axes), fig.axes[1].get_ylabel()
        (2, "f'(x)")
        >>> square = ("square", lambda x: x * x, None)  # derivative by autograd
        >>> len(plot_activations(square, derivative=False).axes)
        1
    """
    single = isinstance(names_or_fns, str) or (
        isinstance(names_or_fns, tuple)
        and len(names_or_fns) == 3
        and not all(isinstance(s, str) for s in names_or_fns)
    )  # a (label, f, f_prime) triple, not a tuple of names
    specs = [names_or_fns] if single else names_or_fns
    if not isinstance(specs, Sequence) or len(specs) == 0:
        raise TypeError(
            "names_or_fns must be an activation name, a (label, f, f_prime) triple, "
            f"or a non-empty list of them, got {names_or_fns!r}"
        )
    if not isinstance(derivative, bool):
        raise TypeError(f"derivative must be True or False, got {derivative!r}")
    low, high = _check_range(x_range, "x_range")
    title = _check_title(title)
    resolved = [_resolve_activation(s) for s in specs]

    grid = np.linspace(low, high, 801)
    if low < 0 < high:
        grid = np.union1d(grid, [0.0])
    x = torch.tensor(grid, dtype=torch.float64)

    outside = len(resolved) > 4  # a long legend goes beside the panels, not over the curves
    size = (_TWO_PANELS[0] + 1.2 * outside, _TWO_PANELS[1]) if derivative else None
    fig = _new_figure(2 if derivative else 1, figsize=size)
    ax_f = fig.axes[0]
    with matplotlib.rc_context(_STYLE):
        for i, (label, f, df) in enumerate(resolved):
            style = _style(i)
            ax_f.plot(
                grid,
                _evaluate(f, x, label),
                label=label,
                color=style["color"],
                linestyle=style["linestyle"],
            )
            if derivative:
                _plot_derivative(
                    fig.axes[1], grid, f, df, label, style["color"], style["linestyle"]
                )
        for ax, ylabel in zip(fig.axes, ("f(x)", "f'(x)")):
            ax.axhline(0, color="#999999", linewidth=0.8, zorder=1)
            ax.axvline(0, color="#999999", linewidth=0.8, zorder=1)
            ax.set_xlabel("input x")
            ax.set_ylabel(ylabel)
            ax.set_xlim(low, high)
        ax_f.set_title("activation")
        if derivative:
            fig.axes[1].set_title("derivative")
        if outside:
            fig.legend(*ax_f.get_legend_handles_labels(), loc="outside right upper")
        elif len(resolved) > 1:
            ax_f.legend(loc="upper left")
        if title:
            fig.suptitle(title)
    return fig


def _plot_derivative(
    ax: Axes,
    grid: np.ndarray,
    f: Callable[..., Any],
    df: Callable[..., Any] | None,
    label: str,
    color: str,
    linestyle: str,
) -> None:
    df = df if df is not None else _autograd_derivative(f)
    values = _evaluate(df, torch.tensor(grid, dtype=torch.float64), label)
    if not grid[0] < 0 < grid[-1]:
        ax.plot(grid, values, label=label, color=color, linestyle=linestyle)
        return
    eps = 1e-6
    probe = _evaluate(df, torch.tensor([-eps, 0.0, eps], dtype=torch.float64), label)
    left, at_zero, right = probe
    if abs(left - right) <= 1e-3 * max(1.0, abs(left), abs(right)):
        ax.plot(grid, values, label=label, color=color, linestyle=linestyle)
        return
    # A jump at the kink: draw both sides without the vertical join, then mark the limits.
    pieces = np.where(grid == 0, np.nan, values)
    ax.plot(grid, pieces, label=label, color=color, linestyle=linestyle)
    ax.plot(
        [0, 0],
        [left, right],
        linestyle="none",
        marker="o",
        markerfacecolor="white",
        markeredgecolor=color,
        zorder=3,
    )
    ax.plot([0], [at_zero], linestyle="none", marker="o", color=color, zorder=4)


# ---------------------------------------------------------------------------- training

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
        histories: a :class:`~relu_course.train.History` from
            :func:`~relu_course.train.fit`, or a dict from a run label to one.
        metrics: the panels: ``"loss"``, ``"accuracy"``, or the name of a probe recorded with
            ``fit(..., probes=[...])``. A probe that records one number per layer (``"dead"``,
            ``"sparsity"``, ``"grad_norms"``) gets one line per layer, told apart by marker.
            A metric that no run recorded (accuracy of a regression) is left out.
            Defaults to ``("loss", "accuracy")``.

    Returns:
        A figure with one panel per metric that has data.

    Examples:
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


# ------------------------------------------------------------------------ per-layer stats

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


# ----------------------------------------------------------------------- 2-D classifiers


def _grid(
    xlim: tuple[float, float], ylim: tuple[float, float], resolution: int
) -> tuple[np.ndarray, np.ndarray]:
    return np.linspace(*xlim, resolution), np.linspace(*ylim, resolution)


@torch.no_grad()
def _predict_classes(model: torch.nn.Module, points: np.ndarray) -> np.ndarray:
    """Class predicted for each row of ``points`` (n, 2), in eval mode, on the model's device."""
    device, dtype = _model_device_dtype(model)
    was_training = model.training
    model.eval()
    try:
        outputs = []
        for chunk in np.array_split(points, max(1, len(points) // 65536)):
            outputs.append(model(torch.as_tensor(chunk, dtype=dtype, device=device)).cpu())
    finally:
        model.train(was_training)
    out = torch.cat(outputs)
    if out.ndim == 2 and out.shape[1] > 1:
        return out.argmax(dim=1).numpy()
    if out.ndim == 1 or (out.ndim == 2 and out.shape[1] == 1):
        return (out.reshape(-1) > 0).long().numpy()  # one logit: class 1 where it is positive
    raise ValueError(
        f"the model must output class scores of shape (n, classes) or one logit "
        f"(n, 1), got {tuple(out.shape)}"
    )


def _class_colors(n: int) -> list[str]:
    if n <= len(PALETTE):
        return list(PALETTE[:n])
    cmap = matplotlib.colormaps["tab20"]
    return [to_hex(cmap(i % 20)) for i in range(n)]


def plot_decision_regions(
    model: torch.nn.Module,
    X: Any,
    y: Any,
    resolution: int = 200,
    title: str | None = None,
    ax: Axes | None = None,
) -> Figure:
    """Shade the plane by the class a 2-D classifier predicts, and scatter the data on top.

    The model is evaluated on a ``resolution`` x ``resolution`` grid covering the data (plus
    a margin), in eval mode, without gradients, on the device of its parameters; its
    training mode is restored afterwards. Regions are filled in the palette's light tints
    with a black line at every boundary, and points carry their class in colour *and*
    marker shape.

    Args:
        model: a :class:`torch.nn.Module` mapping ``(n, 2)`` inputs to class scores
            ``(n, classes)`` (or one logit ``(n, 1)`` for two classes).
        X: the inputs, shape ``(n, 2)`` (tensor or array).
        y: the integer class labels, shape ``(n,)``.
        resolution: grid points per axis (2 to 2000). Defaults to 200.
        title: a title for the panel. Defaults to none.
        ax: draw into this Matplotlib axes (to put several models side by side) instead of a
            new figure. Defaults to a new figure.

    Returns:
        The figure that holds the plot.

    Examples:
        >>> X, y = torch.randn(50, 2), torch.randint(0, 3, (50,))
        >>> from torch import nn
        >>> model = nn.Sequential(nn.Linear(2, 8), nn.ReLU(), nn.Linear(8, 3))
        >>> fig = plot_decision_regions(model, X, y, resolution=50)
        >>> len(fig.axes), fig.axes[0].get_xlabel()
        (1, '$x_1$')
    """
    model = _check_model(model)
    resolution = _check_resolution(resolution)
    title = _check_title(title)
    points = _as_array(X, "X")
    if points.ndim != 2 or points.shape[1] != 2 or len(points) == 0:
        raise ValueError(f"X must have shape (n, 2), got {tuple(points.shape)}")
    labels = _as_vector(y, "y", length=len(points))
    if not np.all(labels == np.round(labels)) or labels.min() < 0:
        raise ValueError("y must hold non-negative integer class labels (0, 1, ...)")
    labels = labels.astype(np.int64)
    if ax is not None and not isinstance(ax, Axes):
        raise TypeError(f"ax must be a Matplotlib Axes or None, got {type(ax).__name__}")

    span = points.max(axis=0) - points.min(axis=0)
    margin = np.maximum(0.1 * span, 0.25)
    lows, highs = points.min(axis=0) - margin, points.max(axis=0) + margin
    xs, ys = _grid((lows[0], highs[0]), (lows[1], highs[1]), resolution)
    xx, yy = np.meshgrid(xs, ys)  # (res, res): rows follow y, columns follow x
    classes = _predict_classes(model, np.column_stack([xx.ravel(), yy.ravel()]))
    classes = classes.reshape(xx.shape)
    n = int(max(classes.max(), labels.max())) + 1
    colors = _class_colors(n)

    fig = _new_figure(1, figsize=(4.2, 3.6)) if ax is None else ax.figure
    ax = fig.axes[0] if ax is None else ax
    with matplotlib.rc_context(_STYLE):
        ax.contourf(xx, yy, classes, levels=np.arange(n + 1) - 0.5, colors=colors, alpha=0.3)
        if np.unique(classes).size > 1:
            ax.contour(
                xx, yy, classes, levels=np.arange(n - 1) + 0.5, colors="black", linewidths=0.8
            )
        for k in range(n):
            mask = labels == k
            if mask.any():
                ax.scatter(
                    points[mask, 0],
                    points[mask, 1],
                    s=14,
                    color=colors[k],
                    marker=MARKERS[k % len(MARKERS)],
                    edgecolors="black",
                    linewidths=0.4,
                    label=f"class {k}",
                    zorder=3,
                )
        ax.set_xlim(lows[0], highs[0])
        ax.set_ylim(lows[1], highs[1])
        ax.set_aspect("equal", adjustable="box")
        ax.grid(False)
        ax.set_xlabel("$x_1$")
        ax.set_ylabel("$x_2$")
        if title:
            ax.set_title(title)
        ax.legend(loc="upper right", markerscale=1.3)
    return fig


def _region_colors(count: int) -> np.ndarray:
    """RGBA colours for ``count`` regions: qualitative, shuffled so neighbours differ."""
    base = np.concatenate(
        [matplotlib.colormaps[name].colors for name in ("tab20", "tab20b", "tab20c")]
    )
    # A fixed seed, so the figure is the same on every run.
    permutation = np.random.RandomState(0).permutation(max(count, len(base)))
    return np.column_stack([base[permutation[:count] % len(base)], np.ones(count)])


def plot_linear_regions(
    model: torch.nn.Module,
    xlim: tuple[float, float] = (-3, 3),
    ylim: tuple[float, float] = (-3, 3),
    resolution: int = 300,
    title: str | None = None,
    ax: Axes | None = None,
) -> Figure:
    """Colour the linear regions of a ReLU network over a 2-D input.

    Inside a region every ReLU unit keeps its on/off state, so the network is one affine
    map there; each activation pattern found on the grid (by
    :func:`relu_course.probes.linear_regions`) gets its own colour, with black lines at the
    boundaries. The colours are shuffled (with a fixed seed) so that neighbouring regions
    differ; the title gives the number of regions found at this resolution.

    Args:
        model: a network with 2 inputs and ReLU-family activation layers.
        xlim: the range of the first input. Defaults to ``(-3, 3)``.
        ylim: the range of the second input. Defaults to ``(-3, 3)``.
        resolution: grid points per axis (2 to 2000). Defaults to 300.
        title: text before the count in the title. Defaults to none.
        ax: draw into this Matplotlib axes instead of a new figure. Defaults to a new figure.

    Returns:
        The figure that holds the plot.

    Examples:
        >>> from torch import nn
        >>> model = nn.Sequential(nn.Linear(2, 8), nn.ReLU(), nn.Linear(8, 1))
        >>> fig = plot_linear_regions(model, resolution=60)
        >>> len(fig.axes), fig.axes[0].get_title().endswith("linear regions")
        (1, True)
    """
    from relu_course.probes import linear_regions

    model = _check_model(model)
    xlim, ylim = _check_range(xlim, "xlim"), _check_range(ylim, "ylim")
    resolution = _check_resolution(resolution)
    title = _check_title(title)
    if ax is not None and not isinstance(ax, Axes):
        raise TypeError(f"ax must be a Matplotlib Axes or None, got {type(ax).__name__}")

    regions = linear_regions(model, xlim=xlim, ylim=ylim, resolution=resolution)
    ids = np.asarray(regions.ids.cpu() if isinstance(regions.ids, torch.Tensor) else regions.ids)
    _, compact = np.unique(ids, return_inverse=True)
    compact = compact.reshape(ids.shape)  # (res, res): row i is y = ys[i], column j is x = xs[j]
    image = _region_colors(int(compact.max()) + 1)[compact]
    edges = np.zeros(compact.shape, dtype=bool)
    edges[:, 1:] |= compact[:, 1:] != compact[:, :-1]
    edges[1:, :] |= compact[1:, :] != compact[:-1, :]
    image[edges] = to_rgba("black")

    fig = _new_figure(1, figsize=(4.0, 3.8)) if ax is None else ax.figure
    ax = fig.axes[0] if ax is None else ax
    count = int(regions.count)
    with matplotlib.rc_context(_STYLE):
        ax.imshow(
            image, origin="lower", extent=(*xlim, *ylim), interpolation="nearest", aspect="equal"
        )
        ax.grid(False)
        ax.set_xlabel("$x_1$")
        ax.set_ylabel("$x_2$")
        noun = "linear region" if count == 1 else "linear regions"
        ax.set_title(f"{title}: {count} {noun}" if title else f"{count} {noun}")
    return fig


# ------------------------------------------------------------------- fits, sweeps, bars


def plot_function_fit(
    x: Any, y_true: Any, y_pred: Any | Mapping[str, Any], title: str | None = None
) -> Figure:
    """Plot a 1-D regression: the target as points, the model's prediction as a line.

    A ReLU network's prediction is piecewise linear; drawing it on the sorted inputs shows
    its kinks. Pass several predictions as a dict to compare models.

    Args:
        x: the inputs, shape ``(n,)`` or ``(n, 1)``.
        y_true: the targets, same length.
        y_pred: the predictions, same length; or a dict from a label to predictions.
        title: a title for the panel. Defaults to none.

    Returns:
        A one-panel figure.

    Examples:
        >>> x = torch.linspace(-3, 3, 50).unsqueeze(1)
        >>> fig = plot_function_fit(x, torch.sin(x), torch.relu(x) - torch.relu(x - 1))
        >>> len(fig.axes), fig.axes[0].get_legend_handles_labels()[1]
        (1, ['target', 'model'])
    """
    inputs = _as_vector(x, "x")
    targets = _as_vector(y_true, "y_true", length=inputs.size)
    if isinstance(y_pred, Mapping):
        if not y_pred:
            raise ValueError("y_pred is an empty dict; pass predictions or {label: predictions}")
        predictions = {
            str(k): _as_vector(v, f"y_pred[{k!r}]", length=inputs.size) for k, v in y_pred.items()
        }
    else:
        predictions = {"model": _as_vector(y_pred, "y_pred", length=inputs.size)}
    title = _check_title(title)

    order = np.argsort(inputs, kind="stable")
    fig = _new_figure(1)
    ax = fig.axes[0]
    with matplotlib.rc_context(_STYLE):
        ax.scatter(inputs, targets, s=10, color="#777777", label="target", zorder=2)
        for i, (label, values) in enumerate(predictions.items()):
            ax.plot(
                inputs[order],
                values[order],
                color=_SERIES[i % len(_SERIES)],
                linestyle=LINESTYLES[i % len(LINESTYLES)],
                label=label,
                zorder=3,
            )
        ax.set_xlabel("input x")
        ax.set_ylabel("output y")
        if title:
            ax.set_title(title)
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
