"""Hint ladders for the exercises: a nudge, then the key idea, then the hardest line.

Each chapter module ``checks/<chapter>.py`` defines ``HINTS = {exercise_id: (nudge, idea,
line)}``. In a lab, ``hints("exercise_id")`` shows the ladder collapsed (each rung opens
only when the learner clicks it, in Jupyter and on the website), and
``hint("exercise_id", n)`` returns rung ``n`` as text. The hints live here, not in the
notebook, so the student version shows none of them until asked.
"""

from __future__ import annotations

import html
import importlib
import pkgutil

__all__ = ["Hints", "hint", "hints"]

RUNGS = ("a nudge", "the key idea", "the hardest line")


def _ladders() -> dict[str, tuple[str, ...]]:
    import relu_course.checks as pkg

    found: dict[str, tuple[str, ...]] = {}
    for info in sorted(pkgutil.iter_modules(pkg.__path__), key=lambda m: m.name):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{pkg.__name__}.{info.name}")
        for key, ladder in getattr(module, "HINTS", {}).items():
            found[key] = tuple(ladder)
    return found


def _ladder(exercise: str) -> tuple[str, ...]:
    ladders = _ladders()
    if exercise not in ladders:
        raise ValueError(f"no hints for exercise {exercise!r}; exercises with hints: "
                         f"{', '.join(sorted(ladders))}")
    return ladders[exercise]


def hint(exercise: str, n: int) -> str:
    """Rung ``n`` (1, 2 or 3) of an exercise's hint ladder, as text.

    Args:
        exercise: the exercise's id, as its lab names it (e.g. the checker's name without
            ``check_``).
        n: 1 for a nudge, 2 for the key idea, 3 for the hardest line.

    Raises:
        ValueError: an unknown exercise (the known ones are listed) or ``n`` outside 1..3.
    """
    ladder = _ladder(exercise)
    if isinstance(n, bool) or not isinstance(n, int) or not 1 <= n <= len(ladder):
        raise ValueError(f"n must be 1, 2 or 3 (a nudge, the key idea, the hardest line), "
                         f"got {n!r}")
    return f"Hint {n} of {len(ladder)} ({RUNGS[n - 1]}): {ladder[n - 1]}"


class Hints:
    """An exercise's hint ladder, shown collapsed: each rung opens on its own.

    In Jupyter and on the website it renders as nested ``<details>`` elements (keyboard
    operable, no script); as text it only says how to ask for each rung.
    """

    def __init__(self, exercise: str) -> None:
        self.exercise = exercise
        self.ladder = _ladder(exercise)

    def __repr__(self) -> str:
        return (f"Stuck? {len(self.ladder)} hints, one at a time: "
                f"print(hint({self.exercise!r}, 1)), then 2, then 3.")

    def _repr_html_(self) -> str:
        body = ""
        for i, text in reversed(list(enumerate(self.ladder, start=1))):
            body = (f'<details class="hint-ladder"><summary>Hint {i} ({RUNGS[i - 1]})</summary>'
                    f"<p>{html.escape(text)}</p>{body}</details>")
        return body


def hints(exercise: str) -> Hints:
    """The hint ladder of ``exercise``, shown collapsed (see :class:`Hints`).

    Raises:
        ValueError: an unknown exercise (the known ones are listed).
    """
    return Hints(exercise)
