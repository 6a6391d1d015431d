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

from relu_course.data.splits import Split, digits, loader, split
from relu_course.data.synthetic import blobs, sine, spirals, two_moons, xor

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
