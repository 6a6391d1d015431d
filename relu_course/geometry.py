"""The input plane of a 2-D model: the class it predicts at each point, and its linear regions.

The figures of 2-D classifiers need a model evaluated over a grid of points. This module does
that computation and returns plain arrays; :mod:`relu_course.plotting` only draws them:

- :func:`predict_grid` gives the class a classifier predicts at every point of a grid
  (a :class:`ClassGrid`, drawn by :func:`relu_course.plotting.plot_decision_regions`);
- :func:`linear_regions` labels every point of a grid by the network's activation pattern
  (a :class:`Regions`, drawn by :func:`relu_course.plotting.plot_linear_regions`); it is
  the probe :func:`relu_course.probes.linear_regions`, which reads the activation layers
  with the other probes' hooks;
- :func:`data_limits` gives the part of the plane that shows a data set with a margin.

Grids follow images: row ``i`` of an ``(n_y, n_x)`` array is ``y = ys[i]`` and column ``j``
is ``x = xs[j]``. The non-linearity chapter draws both figures.
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass

import torch
from torch import nn

from relu_course._helpers import check_range
from relu_course.probes import Regions, linear_regions

__all__ = ["ClassGrid", "Regions", "data_limits", "linear_regions", "predict_grid"]

_CHUNK = 65536  # grid points per forward pass: bounded memory at any resolution


@dataclass(frozen=True)
class ClassGrid:
    """The class a classifier predicts at each point of a grid (see :func:`predict_grid`).

    Attributes:
        classes: ``(resolution, resolution)`` int64; ``classes[i, j]`` is the class predicted
            at the point ``(xs[j], ys[i])`` (rows follow y, as in an image).
        xs, ys: the grid's coordinates, each of length ``resolution`` (float64).
    """

    classes: torch.Tensor
    xs: torch.Tensor
    ys: torch.Tensor


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


def _points(X: object) -> torch.Tensor:
    """``X`` as a float64 ``(n, 2)`` tensor on the CPU."""
    try:
        points = torch.as_tensor(X, dtype=torch.float64).detach().cpu()
    except (TypeError, ValueError, RuntimeError):
        raise TypeError(
            f"X must be a tensor, a NumPy array or a sequence of (x1, x2) pairs, "
            f"got {type(X).__name__}"
        ) from None
    if points.ndim != 2 or points.shape[1] != 2 or len(points) == 0:
        raise ValueError(f"X must have shape (n, 2), got {tuple(points.shape)}")
    if not torch.isfinite(points).all():
        raise ValueError("X must hold finite numbers only")
    return points


def data_limits(
    X: object, margin: float = 0.1, min_margin: float = 0.25
) -> tuple[tuple[float, float], tuple[float, float]]:
    """The ranges ``(xlim, ylim)`` that show every point of ``X`` with a margin around it.

    Each axis spans ``[min - m, max + m]`` with ``m = max(margin * (max - min), min_margin)``.

    Args:
        X: the points, shape ``(n, 2)`` (tensor, array or nested sequence).
        margin: the margin as a fraction of the data's span. Defaults to 0.1.
        min_margin: the smallest margin, in input units. Defaults to 0.25.

    Returns:
        ``((x_low, x_high), (y_low, y_high))``.

    Raises:
        TypeError: ``X`` is not numeric.
        ValueError: ``X`` is not ``(n, 2)`` with n > 0, or holds NaN or infinity; a negative margin.

    Examples:
        >>> data_limits([[0.0, 0.0], [10.0, 1.0]])
        ((-1.0, 11.0), (-0.25, 1.25))
    """
    for name, value in (("margin", margin), ("min_margin", min_margin)):
        if isinstance(value, bool) or not isinstance(value, numbers.Real) or not value >= 0:
            raise ValueError(f"{name} must be a number >= 0, got {value!r}")
    points = _points(X)
    low, high = points.min(dim=0).values, points.max(dim=0).values
    pad = torch.clamp(margin * (high - low), min=min_margin)
    lows, highs = (low - pad).tolist(), (high + pad).tolist()
    return (lows[0], highs[0]), (lows[1], highs[1])


def _device_dtype(model: nn.Module) -> tuple[torch.device, torch.dtype]:
    first = next(model.parameters(), None)
    if first is None:
        return torch.device("cpu"), torch.get_default_dtype()
    return first.device, first.dtype if first.is_floating_point() else torch.get_default_dtype()


@torch.no_grad()
def predict_grid(
    model: nn.Module,
    xlim: tuple[float, float] = (-3, 3),
    ylim: tuple[float, float] = (-3, 3),
    resolution: int = 200,
) -> ClassGrid:
    """The class a 2-D classifier predicts at each point of a ``resolution`` x ``resolution`` grid.

    The model runs in eval mode, without gradients, on the device and in the dtype of its
    parameters, in chunks of 65,536 points; its training mode is restored afterwards, also
    when it raises. The predicted class is :math:`\\arg\\max_k z_k` of the scores
    ``(n, classes)``, or :math:`[z > 0]` for one logit ``(n, 1)``.

    Args:
        model: a :class:`torch.nn.Module` mapping ``(n, 2)`` inputs to class scores.
        xlim: the grid's range along the first input. Defaults to ``(-3, 3)``.
        ylim: the grid's range along the second input. Defaults to ``(-3, 3)``.
        resolution: grid points per axis, 2 to 2000. Defaults to 200.

    Returns:
        A :class:`ClassGrid`.

    Raises:
        TypeError: ``model`` is not a module; limits that are not pairs of numbers.
        ValueError: limits with ``low >= high``; a resolution outside 2..2000; an output
            that is not ``(n, classes)`` or ``(n, 1)``.

    Examples:
        >>> model = nn.Linear(2, 1)  # one logit: class 1 where w . x + b > 0
        >>> with torch.no_grad():
        ...     _ = model.weight.copy_(torch.tensor([[1.0, 0.0]])), model.bias.zero_()
        >>> grid = predict_grid(model, xlim=(-1, 1), ylim=(0, 1), resolution=3)
        >>> grid.classes.tolist()
        [[0, 0, 1], [0, 0, 1], [0, 0, 1]]
    """
    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be a torch.nn.Module, got {type(model).__name__}")
    xlim, ylim = check_range(xlim, "xlim"), check_range(ylim, "ylim")
    resolution = _check_resolution(resolution)
    xs = torch.linspace(*xlim, resolution, dtype=torch.float64)
    ys = torch.linspace(*ylim, resolution, dtype=torch.float64)
    grid_y, grid_x = torch.meshgrid(ys, xs, indexing="ij")
    points = torch.stack([grid_x.flatten(), grid_y.flatten()], dim=1)  # (res*res, 2)
    device, dtype = _device_dtype(model)
    was_training = model.training
    model.eval()
    try:
        out = torch.cat([model(chunk.to(device=device, dtype=dtype)).cpu()
                         for chunk in points.split(_CHUNK)])
    finally:
        model.train(was_training)
    if out.ndim == 2 and out.shape[1] > 1:
        classes = out.argmax(dim=1)
    elif out.ndim == 1 or (out.ndim == 2 and out.shape[1] == 1):
        classes = (out.reshape(-1) > 0).long()  # one logit: class 1 where it is positive
    else:
        raise ValueError(
            f"the model must output class scores of shape (n, classes) or one logit "
            f"(n, 1), got {tuple(out.shape)}"
        )
    return ClassGrid(classes.reshape(resolution, resolution), xs, ys)
