"""The input plane of a 2-D model: decision regions with the data, and linear regions.

These functions only draw the grids that :mod:`relu_course.geometry` computes
(:class:`~relu_course.geometry.ClassGrid`, :class:`~relu_course.geometry.Regions`); they never
run a model. Compute the grid first, then draw it::

    plot_decision_regions(predict_grid(model, *data_limits(X), resolution=150), X, y)
    plot_linear_regions(linear_regions(model, xlim=(-3, 3), ylim=(-3, 3), resolution=300))
"""

from __future__ import annotations

from typing import Any

import matplotlib
import numpy as np
import torch
from matplotlib.axes import Axes
from matplotlib.colors import to_hex, to_rgba
from matplotlib.figure import Figure

from relu_course import geometry
from relu_course.plotting._checks import _as_array, _as_vector, _check_title
from relu_course.plotting._style import _STYLE, MARKERS, PALETTE, _new_figure


def _numpy(value: Any) -> np.ndarray:
    return value.detach().cpu().numpy() if isinstance(value, torch.Tensor) else np.asarray(value)


def _check_ax(ax: object) -> Axes | None:
    if ax is not None and not isinstance(ax, Axes):
        raise TypeError(f"ax must be a Matplotlib Axes or None, got {type(ax).__name__}")
    return ax


def _check_grid(value: object, kind: type, name: str, compute: str) -> None:
    """Accept a computed grid of ``kind``; name the function that computes one otherwise."""
    if isinstance(value, torch.nn.Module):
        raise ValueError(
            f"{name} must be a relu_course.geometry.{kind.__name__} computed beforehand, "
            f"got a model ({type(value).__name__}): plotting never runs a model; call "
            f"{compute} first and pass its result"
        )
    if not isinstance(value, kind):
        raise TypeError(
            f"{name} must be a relu_course.geometry.{kind.__name__} as {compute} returns "
            f"it, got {type(value).__name__}"
        )


def _class_colors(n: int) -> list[str]:
    if n <= len(PALETTE):
        return list(PALETTE[:n])
    cmap = matplotlib.colormaps["tab20"]
    return [to_hex(cmap(i % 20)) for i in range(n)]


def plot_decision_regions(
    grid: geometry.ClassGrid,
    X: Any,
    y: Any,
    title: str | None = None,
    ax: Axes | None = None,
) -> Figure:
    """Shade the plane by the class a 2-D classifier predicts, and scatter the data on top.

    Regions are filled in the palette's light tints with a black line at every boundary,
    and points carry their class in colour *and* marker shape.

    Args:
        grid: the predicted classes, a :class:`~relu_course.geometry.ClassGrid` of shape
            ``(resolution, resolution)`` from :func:`relu_course.geometry.predict_grid`
            (usually over :func:`~relu_course.geometry.data_limits` of ``X``). The plot
            spans the grid's range.
        X: the inputs, shape ``(n, 2)`` (tensor or array).
        y: the integer class labels, shape ``(n,)``.
        title: a title for the panel. Defaults to none.
        ax: draw into this Matplotlib axes (to put several models side by side) instead of a
            new figure. Defaults to a new figure.

    Returns:
        The figure that holds the plot.

    Raises:
        ValueError: ``grid`` is a model (call :func:`relu_course.geometry.predict_grid`
            first); ``X`` is not ``(n, 2)``; ``y`` is not one non-negative integer label per
            point.
        TypeError: ``grid`` is not a :class:`~relu_course.geometry.ClassGrid`; ``X`` or
            ``y`` is not numeric; ``title`` is not a string; ``ax`` is not an Axes.

    Examples:
        >>> from relu_course.geometry import data_limits, predict_grid
        >>> X, y = torch.randn(50, 2), torch.randint(0, 3, (50,))
        >>> from torch import nn
        >>> model = nn.Sequential(nn.Linear(2, 8), nn.ReLU(), nn.Linear(8, 3))
        >>> grid = predict_grid(model, *data_limits(X), resolution=50)
        >>> fig = plot_decision_regions(grid, X, y)
        >>> len(fig.axes), fig.axes[0].get_xlabel()
        (1, '$x_1$')
    """
    _check_grid(grid, geometry.ClassGrid, "grid", "relu_course.geometry.predict_grid")
    title = _check_title(title)
    points = _as_array(X, "X")
    if points.ndim != 2 or points.shape[1] != 2 or len(points) == 0:
        raise ValueError(f"X must have shape (n, 2), got {tuple(points.shape)}")
    labels = _as_vector(y, "y", length=len(points))
    if not np.all(labels == np.round(labels)) or labels.min() < 0:
        raise ValueError("y must hold non-negative integer class labels (0, 1, ...)")
    labels = labels.astype(np.int64)
    ax = _check_ax(ax)
    xs, ys, classes = _numpy(grid.xs), _numpy(grid.ys), _numpy(grid.classes).astype(np.int64)
    xx, yy = np.meshgrid(xs, ys)  # (res, res): rows follow y, columns follow x
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
        ax.set_xlim(xs[0], xs[-1])
        ax.set_ylim(ys[0], ys[-1])
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
    regions: geometry.Regions,
    title: str | None = None,
    ax: Axes | None = None,
) -> Figure:
    """Colour the linear regions of a ReLU network over a 2-D input.

    Inside a region every ReLU unit keeps its on/off state, so the network is one affine
    map there; each activation pattern gets its own colour, with black lines at the
    boundaries. The colours are shuffled (with a fixed seed) so that neighbouring regions
    differ; the title gives the number of regions found at this resolution.

    Args:
        regions: the activation patterns, a :class:`~relu_course.geometry.Regions` with
            ``ids`` of shape ``(resolution, resolution)``, from
            :func:`relu_course.geometry.linear_regions` (the probe
            :func:`relu_course.probes.linear_regions`). The plot spans the grid's range.
        title: text before the count in the title. Defaults to none.
        ax: draw into this Matplotlib axes instead of a new figure. Defaults to a new figure.

    Returns:
        The figure that holds the plot.

    Raises:
        ValueError: ``regions`` is a model (call :func:`relu_course.geometry.linear_regions`
            first).
        TypeError: ``regions`` is not a :class:`~relu_course.geometry.Regions`; ``title`` is
            not a string; ``ax`` is not an Axes.

    Examples:
        >>> from relu_course.geometry import linear_regions
        >>> from torch import nn
        >>> model = nn.Sequential(nn.Linear(2, 8), nn.ReLU(), nn.Linear(8, 1))
        >>> fig = plot_linear_regions(linear_regions(model, resolution=60))
        >>> len(fig.axes), fig.axes[0].get_title().endswith("linear regions")
        (1, True)
    """
    _check_grid(regions, geometry.Regions, "regions",
                "relu_course.geometry.linear_regions (the probe relu_course.probes.linear_regions)")
    title = _check_title(title)
    ax = _check_ax(ax)
    xs, ys, ids = _numpy(regions.xs), _numpy(regions.ys), _numpy(regions.ids)
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
            image,
            origin="lower",
            extent=(xs[0], xs[-1], ys[0], ys[-1]),
            interpolation="nearest",
            aspect="equal",
        )
        ax.grid(False)
        ax.set_xlabel("$x_1$")
        ax.set_ylabel("$x_2$")
        noun = "linear region" if count == 1 else "linear regions"
        ax.set_title(f"{title}: {count} {noun}" if title else f"{count} {noun}")
    return fig
