"""Curves of functions: activations beside their derivatives, and a 1-D regression fit."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, Union

import matplotlib
import numpy as np
import torch
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from relu_course._helpers import check_range
from relu_course.activations import REGISTRY, canonical_name
from relu_course.plotting._checks import _as_vector, _check_title
from relu_course.plotting._style import (
    _SERIES,
    _STYLE,
    _TWO_PANELS,
    LINESTYLES,
    _new_figure,
    _style,
)

ActivationSpec = Union[str, tuple[str, Callable[..., Any], Union[Callable[..., Any], None]]]


def _resolve_activation(spec: object) -> tuple[str, Callable[..., Any], Callable[..., Any] | None]:
    if isinstance(spec, str):
        # The registry's record gives the label and the defaults (PReLU's slope 0.25).
        record = REGISTRY.get(canonical_name(spec))
        if record is None:
            raise ValueError(
                f"unknown activation {spec!r}; use one of {', '.join(sorted(REGISTRY))} "
                "or a (label, f, f_prime) triple"
            )
        f, df = record.curve()
        return record.label, f, df
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
            ``relu_course.activations.REGISTRY``, e.g. ``"relu"``, ``"gelu"``; PReLU
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
    low, high = check_range(x_range, "x_range")
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
