"""Exercise checkers that learners call from the lab notebooks.

Each chapter's checkers live in their own module here (``checks/definition.py``, ...);
every public name a module lists in ``__all__`` is available as
``relu_course.checks.<name>``, e.g. ``from relu_course.checks import check_relu``.

A checker tests behaviour, not text. On a wrong answer it raises ``AssertionError`` with the
input, the expected and the actual value, and a hint; on a right one it prints one short
confirmation line. Each exercise also has a hint ladder: ``hints("<exercise>")`` shows it
collapsed, ``hint("<exercise>", n)`` gives rung ``n`` (see ``checks/_hints.py``).
"""

from __future__ import annotations

import importlib
import pkgutil

from relu_course.checks._hints import hint, hints

__all__: list[str] = ["hint", "hints"]


def _collect() -> None:
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        for name in getattr(module, "__all__", ()):
            globals()[name] = getattr(module, name)
            __all__.append(name)


_collect()
