"""Small, offline, seeded datasets for the course's experiments.

Every generator here draws from its own :class:`torch.Generator` seeded by ``seed``, never
from the global random state, so the same seed gives the same tensors on any machine, and
calling one never disturbs another experiment's randomness. Nothing is downloaded:
:func:`digits` reads the 8x8 digits that ship inside scikit-learn.

Conventions: ``X`` is ``float32`` of shape ``(n, features)``; a classification target ``y``
is ``int64`` of shape ``(n,)`` with the classes balanced; a regression target is
``float32`` of shape ``(n, 1)``. Rows are shuffled, so any prefix is a fair sample.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
from torch.utils.data import DataLoader, TensorDataset

__all__ = [
    "Split",
    "blobs",
    "digits",
    "loader",
    "sine",
    "spirals",
    "split",
    "two_moons",
    "xor",
]


Pair = tuple[torch.Tensor, torch.Tensor]  # (X, y)


def _check_int(name: str, value: object, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(
            f"{name} must be an integer >= {minimum}, got {type(value).__name__} {value!r}"
        )
    if value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value}")
    return value


def _check_seed(seed: object) -> int:
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise TypeError(
            f"seed must be an integer in [0, 2**63), got {type(seed).__name__} {seed!r}"
        )
    if not 0 <= seed < 2**63:
        raise ValueError(f"seed must be an integer in [0, 2**63), got {seed}")
    return seed


def _check_nonnegative(name: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"{name} must be a number >= 0, got {type(value).__name__} {value!r}")
    if not value >= 0 or math.isinf(value):
        raise ValueError(f"{name} must be a finite number >= 0, got {value}")
    return float(value)


def _generator(seed: int) -> torch.Generator:
    return torch.Generator(device="cpu").manual_seed(_check_seed(seed))


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


@dataclass
class Split:
    """A train/test split: ``X_train, y_train, X_test, y_test``.

    Use :meth:`to` to move all four tensors to a device, and :attr:`train` / :attr:`test`
    for ``(X, y)`` pairs.
    """

    X_train: torch.Tensor
    y_train: torch.Tensor
    X_test: torch.Tensor
    y_test: torch.Tensor

    def to(self, device: torch.device | str) -> Split:
        """Return a new :class:`Split` with every tensor on ``device``."""
        return Split(
            self.X_train.to(device),
            self.y_train.to(device),
            self.X_test.to(device),
            self.y_test.to(device),
        )

    @property
    def train(self) -> Pair:
        """``(X_train, y_train)``."""
        return self.X_train, self.y_train

    @property
    def test(self) -> Pair:
        """``(X_test, y_test)``."""
        return self.X_test, self.y_test

    def __repr__(self) -> str:
        return (
            f"Split(train={tuple(self.X_train.shape)}, test={tuple(self.X_test.shape)}, "
            f"device={self.X_train.device.type})"
        )


def _check_pair(X: object, y: object) -> None:
    if not isinstance(X, torch.Tensor) or not isinstance(y, torch.Tensor):
        raise TypeError(
            f"X and y must be torch tensors, got {type(X).__name__} and {type(y).__name__}"
        )
    if X.dim() == 0 or y.dim() == 0 or len(X) != len(y):
        raise ValueError(
            f"X and y must have the same number of rows, got shapes "
            f"{tuple(X.shape)} and {tuple(y.shape)}"
        )


def split(X: torch.Tensor, y: torch.Tensor, test_fraction: float = 0.25, seed: int = 0) -> Split:
    """Split ``(X, y)`` at random into a training and a test part.

    For classification targets (integer ``y``) the split is *stratified*: each class
    contributes ``round(test_fraction * count)`` of its rows to the test part, so both
    parts keep the class proportions. For regression targets the rows are split at random.

    Args:
        X: inputs, one row per example.
        y: targets with as many rows as ``X``.
        test_fraction: the share of rows that go to the test part, in (0, 1).
            Defaults to 0.25.
        seed: seed of the local random generator. Defaults to 0.

    Returns:
        A :class:`Split`.

    Examples:
        >>> X, y = two_moons(100)
        >>> s = split(X, y, test_fraction=0.2)
        >>> len(s.X_train), len(s.X_test), torch.bincount(s.y_test).tolist()
        (80, 20, [10, 10])
    """
    _check_pair(X, y)
    if isinstance(test_fraction, bool) or not isinstance(test_fraction, (int, float)):
        raise TypeError(
            f"test_fraction must be a number in (0, 1), got "
            f"{type(test_fraction).__name__} {test_fraction!r}"
        )
    if not 0 < test_fraction < 1:
        raise ValueError(f"test_fraction must be in (0, 1), got {test_fraction}")
    g = _generator(seed)
    n = len(X)
    if y.dtype.is_floating_point or y.dtype.is_complex:
        order = torch.randperm(n, generator=g)
        n_test = round(test_fraction * n)
        test, train = order[:n_test], order[n_test:]
    else:
        labels = y.reshape(n, -1)[:, 0].cpu() if y.dim() > 1 else y.cpu()
        tests, trains = [], []
        for c in torch.unique(labels):
            rows = torch.nonzero(labels == c).squeeze(1)
            rows = rows[torch.randperm(len(rows), generator=g)]
            n_test = round(test_fraction * len(rows))
            tests.append(rows[:n_test])
            trains.append(rows[n_test:])
        test, train = torch.cat(tests), torch.cat(trains)
        # Mix the classes, so that batches taken in order are not single-class.
        test = test[torch.randperm(len(test), generator=g)]
        train = train[torch.randperm(len(train), generator=g)]
    if len(test) == 0 or len(train) == 0:
        raise ValueError(
            f"test_fraction={test_fraction} leaves an empty part for {n} rows; "
            "use more rows or a fraction nearer 0.5"
        )
    test, train = test.to(X.device), train.to(X.device)
    return Split(X[train], y[train.to(y.device)], X[test], y[test.to(y.device)])


def digits(images: bool = False, test_fraction: float = 0.25, seed: int = 0) -> Split:
    """scikit-learn's bundled 8x8 handwritten digits, scaled to [0, 1], split in two.

    1797 grey-scale images of the digits 0-9 (about 180 of each), read from the copy that
    ships inside scikit-learn (no download). Pixel values 0..16 are divided by 16. The
    split is stratified and fixed by ``seed``, so every chapter sees the same test set.

    Args:
        images: return inputs as images ``(n, 1, 8, 8)`` (for a CNN) instead of flat
            vectors ``(n, 64)`` (for an MLP). Defaults to False.
        test_fraction: share of the images held out for testing. Defaults to 0.25.
        seed: seed of the split. Defaults to 0.

    Returns:
        A :class:`Split`; ``X`` float32, ``y`` int64 in ``{0, ..., 9}``.

    Examples:
        >>> d = digits()
        >>> d.X_train.shape, d.X_test.shape
        (torch.Size([1347, 64]), torch.Size([450, 64]))
        >>> float(d.X_train.min()), float(d.X_train.max())
        (0.0, 1.0)
        >>> digits(images=True).X_test.shape
        torch.Size([450, 1, 8, 8])
    """
    if not isinstance(images, bool):
        raise TypeError(f"images must be True or False, got {type(images).__name__} {images!r}")
    from sklearn.datasets import load_digits  # imported here: sklearn is slow to import

    bunch = load_digits()
    X = torch.tensor(bunch.data, dtype=torch.float32) / 16.0
    y = torch.tensor(bunch.target, dtype=torch.int64)
    if images:
        X = X.reshape(-1, 1, 8, 8)
    return split(X, y, test_fraction=test_fraction, seed=seed)


def loader(
    X: torch.Tensor, y: torch.Tensor, batch_size: int = 64, shuffle: bool = True, seed: int = 0
) -> DataLoader:
    """Wrap ``(X, y)`` in a :class:`~torch.utils.data.DataLoader` with a seeded shuffle.

    The shuffle order comes from a generator local to the loader, so two loaders built
    with the same seed yield the same batches, epoch after epoch.

    Args:
        X: inputs, one row per example.
        y: targets with as many rows as ``X``.
        batch_size: rows per batch; the last batch may be smaller. Defaults to 64.
        shuffle: reshuffle the rows every epoch. Defaults to True.
        seed: seed of the shuffle. Defaults to 0.

    Returns:
        A DataLoader yielding ``(X_batch, y_batch)``.

    Examples:
        >>> X, y = xor(10)
        >>> [len(xb) for xb, _ in loader(X, y, batch_size=4)]
        [4, 4, 2]
    """
    _check_pair(X, y)
    _check_int("batch_size", batch_size, 1)
    if not isinstance(shuffle, bool):
        raise TypeError(f"shuffle must be True or False, got {type(shuffle).__name__}")
    return DataLoader(
        TensorDataset(X, y),
        batch_size=batch_size,
        shuffle=shuffle,
        generator=_generator(seed) if shuffle else None,
    )
