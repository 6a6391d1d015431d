"""Train/test splits, the 8x8 digits that ship with scikit-learn, and minibatch loaders.

See :mod:`relu_course.data` for the conventions every dataset follows.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch.utils.data import DataLoader, TensorDataset

from relu_course.data.synthetic import Pair, _check_int, _generator

__all__ = ["Split", "digits", "loader", "split"]


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
        >>> from relu_course.data import two_moons
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
        >>> from relu_course.data import xor
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
