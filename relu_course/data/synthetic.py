"""Synthetic datasets: two moons, spirals, XOR, blobs, a sine curve; each from its own seed.

See :mod:`relu_course.data` for the conventions every dataset follows.
"""

from __future__ import annotations

import math

import torch

from relu_course._helpers import check_seed

__all__ = ["blobs", "sine", "spirals", "two_moons", "xor"]

Pair = tuple[torch.Tensor, torch.Tensor]  # (X, y)


def _check_int(name: str, value: object, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(
            f"{name} must be an integer >= {minimum}, got {type(value).__name__} {value!r}"
        )
    if value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value}")
    return value


def _check_nonnegative(name: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"{name} must be a number >= 0, got {type(value).__name__} {value!r}")
    if not value >= 0 or math.isinf(value):
        raise ValueError(f"{name} must be a finite number >= 0, got {value}")
    return float(value)


def _generator(seed: int) -> torch.Generator:
    return torch.Generator(device="cpu").manual_seed(check_seed(seed))


def _per_class(n: int, k: int) -> list[int]:
    # As even as possible: the first n % k classes get one point more.
    return [n // k + (1 if c < n % k else 0) for c in range(k)]


def _shuffled(X: torch.Tensor, y: torch.Tensor, g: torch.Generator) -> Pair:
    order = torch.randperm(len(X), generator=g)
    return X[order].contiguous(), y[order].contiguous()


def two_moons(n: int = 512, noise: float = 0.1, seed: int = 0) -> Pair:
    """Two interleaving half circles: the classic data that no straight line separates.

    Class 0 lies on the upper half circle :math:`(\\cos t, \\sin t)`, class 1 on the lower
    one shifted, :math:`(1 - \\cos t, \\tfrac12 - \\sin t)`, for :math:`t \\in [0, \\pi]`;
    then Gaussian noise of standard deviation ``noise`` is added to both coordinates
    (like scikit-learn's ``make_moons``, but drawn from a local torch generator).

    Args:
        n: number of points, split evenly between the two classes. Defaults to 512.
        noise: standard deviation of the Gaussian noise. Defaults to 0.1.
        seed: seed of the local random generator. Defaults to 0.

    Returns:
        ``(X, y)``: ``X`` float32 ``(n, 2)``, ``y`` int64 ``(n,)`` in ``{0, 1}``.

    Examples:
        >>> X, y = two_moons(100, seed=1)
        >>> X.shape, y.shape, X.dtype, y.dtype
        (torch.Size([100, 2]), torch.Size([100]), torch.float32, torch.int64)
        >>> torch.bincount(y).tolist()
        [50, 50]
        >>> torch.equal(X, two_moons(100, seed=1)[0])
        True
    """
    _check_int("n", n, 2)
    noise = _check_nonnegative("noise", noise)
    g = _generator(seed)
    n0, n1 = _per_class(n, 2)
    t0 = torch.rand(n0, generator=g, dtype=torch.float64) * math.pi
    t1 = torch.rand(n1, generator=g, dtype=torch.float64) * math.pi
    upper = torch.stack([torch.cos(t0), torch.sin(t0)], dim=1)
    lower = torch.stack([1 - torch.cos(t1), 0.5 - torch.sin(t1)], dim=1)
    X = torch.cat([upper, lower]) + noise * torch.randn(n, 2, generator=g, dtype=torch.float64)
    y = torch.cat([torch.zeros(n0, dtype=torch.int64), torch.ones(n1, dtype=torch.int64)])
    return _shuffled(X.float(), y, g)


def spirals(n: int = 600, arms: int = 3, noise: float = 0.2, seed: int = 0) -> Pair:
    """``arms`` interleaved spiral arms, one class per arm.

    Arm :math:`k` is the curve :math:`r (\\sin\\theta, \\cos\\theta)` with radius
    :math:`r = t` and angle :math:`\\theta = 2\\pi k / \\text{arms} + 4t + \\varepsilon`,
    for :math:`t` uniform in :math:`[0, 1]` and angular noise
    :math:`\\varepsilon \\sim \\mathcal N(0, \\text{noise}^2)` (in radians). All points lie
    in the unit disc.

    Args:
        n: number of points, split evenly between the arms. Defaults to 600.
        arms: number of arms (= classes), at least 2. Defaults to 3.
        noise: standard deviation of the angular noise, in radians. Defaults to 0.2.
        seed: seed of the local random generator. Defaults to 0.

    Returns:
        ``(X, y)``: ``X`` float32 ``(n, 2)``, ``y`` int64 ``(n,)`` in ``{0, ..., arms - 1}``.

    Examples:
        >>> X, y = spirals(300, arms=3)
        >>> torch.bincount(y).tolist()
        [100, 100, 100]
        >>> bool(X.norm(dim=1).max() <= 1)
        True
    """
    _check_int("arms", arms, 2)
    _check_int("n", n, arms)
    noise = _check_nonnegative("noise", noise)
    g = _generator(seed)
    counts = _per_class(n, arms)
    t = torch.rand(n, generator=g, dtype=torch.float64)
    y = torch.repeat_interleave(torch.arange(arms), torch.tensor(counts))
    theta = (
        2 * math.pi * y / arms + 4 * t + noise * torch.randn(n, generator=g, dtype=torch.float64)
    )
    X = t[:, None] * torch.stack([torch.sin(theta), torch.cos(theta)], dim=1)
    return _shuffled(X.float(), y, g)


def xor(n: int = 512, noise: float = 0.1, seed: int = 0) -> Pair:
    """The XOR problem: four Gaussian clusters at the corners :math:`(\\pm1, \\pm1)`.

    A point's class is 1 when its cluster's coordinates have opposite signs, 0 otherwise,
    so each class sits on one diagonal and no single line separates them. Each cluster is
    an isotropic Gaussian of standard deviation ``noise``.

    Args:
        n: number of points, split evenly between the four clusters. Defaults to 512.
        noise: standard deviation of each cluster. Defaults to 0.1.
        seed: seed of the local random generator. Defaults to 0.

    Returns:
        ``(X, y)``: ``X`` float32 ``(n, 2)``, ``y`` int64 ``(n,)`` in ``{0, 1}``.

    Examples:
        >>> X, y = xor(8, noise=0.0)
        >>> sorted(zip(X.tolist(), y.tolist()))[:2]
        [([-1.0, -1.0], 0), ([-1.0, -1.0], 0)]
        >>> torch.bincount(y).tolist()
        [4, 4]
    """
    _check_int("n", n, 4)
    noise = _check_nonnegative("noise", noise)
    g = _generator(seed)
    corners = torch.tensor(
        [[1.0, 1.0], [-1.0, -1.0], [1.0, -1.0], [-1.0, 1.0]], dtype=torch.float64
    )
    which = torch.repeat_interleave(torch.arange(4), torch.tensor(_per_class(n, 4)))
    X = corners[which] + noise * torch.randn(n, 2, generator=g, dtype=torch.float64)
    y = (which >= 2).long()  # corners 2 and 3 have coordinates of opposite signs
    return _shuffled(X.float(), y, g)


def blobs(n: int = 600, centers: int = 3, std: float = 0.6, seed: int = 0) -> Pair:
    """Gaussian blobs, one class per blob, with centres evenly spaced on a circle.

    Centre :math:`k` is :math:`2(\\cos(2\\pi k/c), \\sin(2\\pi k/c))` for :math:`c` centres,
    so the layout does not depend on the seed; only the points do.

    Args:
        n: number of points, split evenly between the blobs. Defaults to 600.
        centers: number of blobs (= classes), at least 2. Defaults to 3.
        std: standard deviation of each blob. Defaults to 0.6.
        seed: seed of the local random generator. Defaults to 0.

    Returns:
        ``(X, y)``: ``X`` float32 ``(n, 2)``, ``y`` int64 ``(n,)`` in ``{0, ..., centers - 1}``.

    Examples:
        >>> X, y = blobs(60, centers=4, std=0.0)
        >>> torch.bincount(y).tolist()
        [15, 15, 15, 15]
        >>> X[y == 0][0].tolist()
        [2.0, 0.0]
    """
    _check_int("centers", centers, 2)
    _check_int("n", n, centers)
    std = _check_nonnegative("std", std)
    g = _generator(seed)
    angles = 2 * math.pi * torch.arange(centers, dtype=torch.float64) / centers
    mu = 2 * torch.stack([torch.cos(angles), torch.sin(angles)], dim=1)
    y = torch.repeat_interleave(torch.arange(centers), torch.tensor(_per_class(n, centers)))
    X = mu[y] + std * torch.randn(n, 2, generator=g, dtype=torch.float64)
    X = torch.where(X.abs() < 1e-12, torch.zeros_like(X), X)  # cos(pi/2) is 6e-17, not 0
    return _shuffled(X.float(), y, g)


def sine(
    n: int = 256, low: float = -3.1416, high: float = 3.1416, noise: float = 0.0, seed: int = 0
) -> Pair:
    """A 1-D regression target: :math:`y = \\sin x + \\varepsilon` on an even grid.

    ``x`` runs over ``n`` evenly spaced points from ``low`` to ``high`` (sorted, so the
    fit of a ReLU network, piecewise linear with visible kinks, plots as a line), and
    :math:`\\varepsilon \\sim \\mathcal N(0, \\text{noise}^2)`. The seed only matters when
    ``noise > 0``.

    Args:
        n: number of points, at least 2. Defaults to 256.
        low: left end of the interval. Defaults to -3.1416.
        high: right end of the interval, greater than ``low``. Defaults to 3.1416.
        noise: standard deviation of the Gaussian noise on ``y``. Defaults to 0.
        seed: seed of the local random generator. Defaults to 0.

    Returns:
        ``(x, y)``: both float32 of shape ``(n, 1)``.

    Examples:
        >>> x, y = sine(5, low=0.0, high=2.0)
        >>> x.squeeze(1).tolist()
        [0.0, 0.5, 1.0, 1.5, 2.0]
        >>> round(y[2].item(), 4)
        0.8415
    """
    _check_int("n", n, 2)
    for name, value in (("low", low), ("high", high)):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise TypeError(f"{name} must be a number, got {type(value).__name__} {value!r}")
    if not low < high:
        raise ValueError(f"low must be smaller than high, got low={low}, high={high}")
    noise = _check_nonnegative("noise", noise)
    g = _generator(seed)
    x = torch.linspace(float(low), float(high), n, dtype=torch.float64)[:, None]
    y = torch.sin(x)
    if noise > 0:
        y = y + noise * torch.randn(n, 1, generator=g, dtype=torch.float64)
    return x.float(), y.float()
