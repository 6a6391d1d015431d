"""Inside the grading kernel: the checkers, bound before any submitted code runs.

The grading kernel (:mod:`relu_course.instructor.kernel`) imports :mod:`relu_course.checks`
and takes a :class:`Snapshot` of everything a checker relies on *before* the submission's
first cell runs: the namespaces of ``relu_course``'s modules, of ``torch`` and its
functional modules, of ``math`` and of ``builtins``; the entries of ``sys.modules`` that
name them; the dictionaries of the classes they define; and the code, defaults and closures
of their Python functions.

The grader replaces each checker cell by a call to the runner :func:`make_runner` returns,
with the checker cell's source (restored by nbgrader from the instructor's copy). The runner

1. undoes whatever the submission changed in the snapshot (``torch.relu = my_relu``,
   ``relu_course.checks.check_relu = lambda f: None``, ``sys.modules[...] = ...``) and
   clears trace and profile hooks, so the checker runs with the references it had at start;
2. runs the checker cell's source in the notebook's namespace;
3. fails the check when the submission changed the snapshot *while* the checker ran;
4. publishes a token, an HMAC of the check's id under a key only the grader and this kernel
   know, as a ``display_data`` output of type :data:`MIME`. The grader counts a check as
   passed only with its token and without an error, so a submission that silences errors
   (``set_custom_exc``, a patched ``showtraceback``, an Output widget) does not pass.

A submission is arbitrary code in the same process: one written to attack this module (read
the key from memory, rewrite the runner) can defeat it. The instructor guide says so.
"""

from __future__ import annotations

import builtins
import hashlib
import hmac
import os
import sys
import types
from typing import Any, Callable

import torch

MIME = "application/x.relu-course-check+json"
RUNNER = "__relu_course_check__"

_TORCH = ("torch", "torch.nn", "torch.nn.functional", "torch.nn.init", "torch.autograd",
          "torch.linalg", "torch.testing", "math", "builtins")
# Names IPython and ipykernel themselves set in builtins while a cell runs.
_IPYTHON_NAMES = frozenset({"exit", "quit", "get_ipython", "display", "input", "__IPYTHON__"})
# Names torch itself rebinds at run time (torch.set_default_dtype sets torch.Storage).
_RUNTIME = frozenset({("torch", "Storage")})
_IMMUTABLE_TYPE = 1 << 8  # Py_TPFLAGS_IMMUTABLETYPE: such classes cannot be patched
_EMPTY = object()  # an empty closure cell
_TORCH_DIR = os.path.dirname(torch.__file__) + os.sep


class GradingIntegrityError(Exception):
    """The submission changed what a checker relies on while the checker ran."""


def token(key: bytes, grade_id: str) -> str:
    """The proof that the check ``grade_id`` passed: ``HMAC-SHA256(key, "passed:" + id)``."""
    return hmac.new(key, f"passed:{grade_id}".encode(), hashlib.sha256).hexdigest()


def _watched_names(name: str) -> bool:
    return name == "relu_course" or (
        name.startswith("relu_course.") and not name.startswith("relu_course.instructor")
    )


def _cells(fn: types.FunctionType) -> tuple[Any, ...]:
    out = []
    for cell in fn.__closure__ or ():
        try:
            out.append(cell.cell_contents)
        except ValueError:
            out.append(_EMPTY)
    return tuple(out)


def _torch_wrapper(new: Any, old: Any) -> bool:
    """Whether ``new`` is torch's own wrapper of ``old`` (``torch._dynamo`` wraps
    ``torch.manual_seed`` when it is first imported): put back, but not reported."""
    code = getattr(new, "__code__", None)
    if code is None or not code.co_filename.startswith(_TORCH_DIR):
        return False
    for _ in range(5):
        new = getattr(new, "__wrapped__", None)
        if new is old:
            return True
    return False


class Snapshot:
    """What the checkers rely on, as it was when the snapshot was taken.

    :meth:`restore` compares the present with the snapshot, puts back what differs and
    returns the names it put back, e.g. ``["torch.relu", "relu_course.checks.check_relu"]``.
    """

    def __init__(self) -> None:
        modules = {n: m for n, m in list(sys.modules.items()) if _watched_names(n) and m}
        for module in list(modules.values()):  # the modules the course's modules use
            for value in vars(module).values():
                if isinstance(value, types.ModuleType):
                    modules.setdefault(value.__name__, value)
        modules.update({n: sys.modules[n] for n in _TORCH if n in sys.modules})
        self.modules = {n: (m, dict(vars(m))) for n, m in modules.items()}
        self.builtin_names = frozenset(vars(builtins))
        self.classes: dict[type, dict[str, Any]] = {}
        self.functions: dict[types.FunctionType, tuple[Any, ...]] = {}
        for _, namespace in self.modules.values():
            for value in namespace.values():
                self._add(value)
                if isinstance(value, type) and value in self.classes:
                    for attr in self.classes[value].values():
                        self._add(getattr(attr, "__func__", attr))

    def _add(self, value: Any) -> None:
        if isinstance(value, types.FunctionType) and value not in self.functions:
            self.functions[value] = self._state(value)
        elif (
            isinstance(value, type)
            and not value.__flags__ & _IMMUTABLE_TYPE
            and value.__module__.split(".")[0] in ("torch", "relu_course")
            and value not in self.classes
        ):
            self.classes[value] = dict(vars(value))

    @staticmethod
    def _state(fn: types.FunctionType) -> tuple[Any, ...]:
        return (fn.__code__, fn.__defaults__, fn.__kwdefaults__, *_cells(fn))

    def restore(self) -> list[str]:
        """Put back everything that differs from the snapshot; return what was put back."""
        undone: list[str] = []
        for name, (module, namespace) in self.modules.items():
            if sys.modules.get(name, module) is not module:
                sys.modules[name] = module
                undone.append(f"sys.modules[{name!r}]")
            present = vars(module)
            for key, value in namespace.items():
                now = present.get(key, _EMPTY)
                if now is not value and self._counts(module, key) and (name, key) not in _RUNTIME:
                    present[key] = value
                    if not _torch_wrapper(now, value):
                        undone.append(f"{name}.{key}")
            if module is not builtins:  # a new global that shadows a builtin
                for key in [k for k in present if k not in namespace]:
                    if key in self.builtin_names and not key.startswith("__"):
                        del present[key]
                        undone.append(f"{name}.{key}")
        for cls, namespace in self.classes.items():
            present = dict(vars(cls))
            for key in present.keys() - namespace.keys():
                delattr(cls, key)
                undone.append(f"{cls.__module__}.{cls.__qualname__}.{key}")
            for key, value in namespace.items():
                if present.get(key, _EMPTY) is not value and key not in ("__dict__", "__doc__"):
                    setattr(cls, key, value)
                    undone.append(f"{cls.__module__}.{cls.__qualname__}.{key}")
        for fn, state in self.functions.items():
            now = self._state(fn)
            if len(now) != len(state) or any(a is not b for a, b in zip(now, state)):
                code, defaults, kwdefaults, *cells = state
                fn.__code__, fn.__defaults__, fn.__kwdefaults__ = code, defaults, kwdefaults
                for cell, value in zip(fn.__closure__ or (), cells):
                    if value is not _EMPTY:
                        cell.cell_contents = value
                undone.append(f"{fn.__module__}.{fn.__qualname__} (its code)")
        return undone

    @staticmethod
    def _counts(module: types.ModuleType, key: str) -> bool:
        """Whether a name is compared: builtins that IPython manages and dunders are not."""
        if module is builtins:
            return key not in _IPYTHON_NAMES and (
                not key.startswith("_") or key in ("__import__", "__build_class__")
            )
        return not (key.startswith("__") and key.endswith("__"))


def make_runner(key: bytes, snapshot: Snapshot) -> Callable[[str, str], None]:
    """The function that runs a checker cell: ``run(grade_id, source)`` (see the module doc).

    Everything it calls is bound here, before the submission runs.
    """
    from IPython.display import display

    exec_, compile_, getframe = builtins.exec, builtins.compile, sys._getframe
    settrace, setprofile, restore = sys.settrace, sys.setprofile, snapshot.restore

    def run(grade_id: str, source: str) -> None:
        undone = restore()
        settrace(None)
        setprofile(None)
        if undone:
            display({MIME: {"grade_id": grade_id, "undone": undone}}, raw=True)
        namespace = getframe(1).f_globals  # the notebook's namespace
        exec_(compile_(source, f"<checker {grade_id}>", "exec"), namespace)
        changed = restore()
        if changed:
            raise GradingIntegrityError(
                f"the notebook changed {', '.join(changed[:5])} while the checker ran; "
                "the check does not count"
            )
        display({MIME: {"grade_id": grade_id, "token": token(key, grade_id)}}, raw=True)

    return run
