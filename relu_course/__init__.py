"""relu_course: the package behind the ReLU course.

Small modules, one concept each:

- :mod:`relu_course.activations`: ReLU and its variants, their derivatives, modules, a registry.
- :mod:`relu_course.device`: :func:`get_device` and :func:`seed_everything`.
- :mod:`relu_course.data`, :mod:`relu_course.init`, :mod:`relu_course.models`,
  :mod:`relu_course.train` (with :mod:`relu_course.history`, what ``fit`` returns),
  :mod:`relu_course.probes`: the experiment toolkit.
- :mod:`relu_course.plotting`: every figure of the book (imports Matplotlib lazily).
- :mod:`relu_course.checks`: the exercise checkers learners call from the notebooks.
- :mod:`relu_course.instructor`: ``relu-course assign`` and ``grade``, glue around nbgrader.
- :mod:`relu_course.stats`: the one rule for judging a claim (per-seed values in; verdict,
  effect and 95% interval out).
- :mod:`relu_course.report`: hands a lab's numbers and verdicts to the book's pages.
- :mod:`relu_course.fused`: a fused Linear+ReLU for the GPU. The benchmark behind the
  performance budgets lives outside the package, in ``benchmarks/`` (``make bench``).

Importing the package is cheap: submodules load on first use.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

_SUBMODULES = (
    "activations",
    "checks",
    "data",
    "device",
    "fused",
    "history",
    "init",
    "instructor",
    "models",
    "plotting",
    "probes",
    "report",
    "stats",
    "train",
)

__all__ = ["__version__", *_SUBMODULES]


def __getattr__(name: str) -> Any:
    # Lazy submodules keep `import relu_course` fast (Matplotlib and scikit-learn load on use).
    if name in _SUBMODULES:
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module 'relu_course' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
