"""Checkers for the exercises of the chapter *ReLU in practice* (``book/practice/lab.ipynb``).

- :func:`check_feature_map_shapes`: where the activations sit in a CNN, and their shapes.
- :func:`check_roofline_time`: the roofline model's lower bound on a kernel's run time.
- :func:`check_cnn_training`: a CNN trained on the 8x8 digits within an epoch budget.
"""

from __future__ import annotations

import math
from typing import Any, Callable

import torch
from torch import nn

from relu_course.checks._common import call_learner, digits_test_accuracy, fail, passed

__all__ = ["check_cnn_training", "check_feature_map_shapes", "check_roofline_time"]

# Targets of check_cnn_training, measured on the digits' test split.
CNN_ACCURACY_TARGET = 0.95
CNN_MAX_EPOCHS = 10


def _reference_shapes(model: nn.Module, x: torch.Tensor) -> dict[str, tuple[int, ...]]:
    from relu_course.activations import is_activation

    shapes: dict[str, tuple[int, ...]] = {}

    def record(name: str) -> Callable[..., None]:
        def hook(_module: nn.Module, _inputs: Any, output: torch.Tensor) -> None:
            shapes.setdefault(name, tuple(output.shape))  # a hook that returns None keeps output

        return hook

    handles = []
    try:
        for name, module in model.named_modules():
            if is_activation(module):
                handles.append(module.register_forward_hook(record(name)))
        with torch.no_grad():
            model(x)
    finally:
        for handle in handles:
            handle.remove()
    return shapes


def _shape_models() -> list[tuple[str, nn.Module, torch.Tensor]]:
    from relu_course import models

    gen = torch.Generator().manual_seed(0)
    other = nn.Sequential(
        nn.Conv2d(3, 4, kernel_size=3), nn.GELU(), nn.MaxPool2d(2),
        nn.Conv2d(4, 6, kernel_size=3, padding=1), nn.SiLU(),
        nn.Flatten(), nn.Linear(6 * 7 * 7, 5), nn.ReLU(), nn.Linear(5, 2),
    )
    return [
        ("models.digits_cnn()", models.digits_cnn(seed=0), torch.rand(5, 1, 8, 8, generator=gen)),
        ("a CNN with GELU, SiLU and ReLU on 16x16 RGB inputs", other,
         torch.rand(3, 3, 16, 16, generator=gen)),
    ]


def _hooks_left(model: nn.Module) -> int:
    return sum(len(m._forward_hooks) + len(m._forward_pre_hooks) for m in model.modules())


def check_feature_map_shapes(feature_map_shapes: Callable[[nn.Module, torch.Tensor], Any]) -> None:
    """Check ``feature_map_shapes(model, x)``: the output shape of every activation layer.

    The learner's function returns a dict from each activation layer's qualified name (as
    ``model.named_modules()`` names it) to the shape of its output for the input batch ``x``,
    in the order the forward pass reaches the layers. "Activation layer" means what
    :func:`relu_course.activations.is_activation` accepts. The checker runs it on
    :func:`relu_course.models.digits_cnn` and on a second CNN with other activations and
    input sizes, and verifies that no hook is left behind on the model.

    Args:
        feature_map_shapes: the learner's function ``(model, x) -> dict[str, tuple]``.

    Raises:
        AssertionError: with the model, the expected and the actual shapes and a hint.

    Examples:
        >>> check_feature_map_shapes(_reference_shapes)
        ✓ feature_map_shapes finds every activation layer and its output shape in 2 CNNs
    """
    for label, model, x in _shape_models():
        expected = _reference_shapes(model, x)
        actual = call_learner(feature_map_shapes, model, x, name="feature_map_shapes")
        if _hooks_left(model):
            fail(f"feature_map_shapes left {_hooks_left(model)} hook(s) on {label}.",
                 hint="keep the handles that register_forward_hook returns and call "
                      "handle.remove() in a `finally:` block, so the model is left as it was.")
        if not isinstance(actual, dict):
            fail("feature_map_shapes should return a dict from layer name to shape.",
                 expected=expected, actual=actual)
        shown = {k: tuple(v) if isinstance(v, (torch.Size, tuple, list)) else v
                 for k, v in actual.items()}
        if set(shown) != set(expected):
            extra = sorted(set(shown) - set(expected))
            missing = sorted(set(expected) - set(shown))
            fail(f"feature_map_shapes reports the wrong layers of {label}.",
                 expected=list(expected), actual=list(shown),
                 hint=(f"not activation layers: {extra}. " if extra else "")
                 + (f"missing: {missing}. " if missing else "")
                 + "Hook every module for which activations.is_activation(module) is True, "
                   "keyed by its name from model.named_modules().")
        if list(shown) != list(expected):
            fail(f"feature_map_shapes lists the layers of {label} out of forward order.",
                 expected=list(expected), actual=list(shown),
                 hint="record each layer when its hook fires during the forward pass.")
        for name, shape in expected.items():
            if shown[name] != shape:
                fail(f"the output shape of layer {name!r} of {label} is wrong.",
                     input=tuple(x.shape), expected=shape, actual=shown[name],
                     hint="record the shape of the hook's *output* argument "
                          "(hook(module, inputs, output)), as a tuple.")
    passed("feature_map_shapes finds every activation layer and its output shape in 2 CNNs")


def _roofline(n: float, flops: float, nbytes: float, bandwidth: float, peak: float) -> float:
    return max(n * nbytes / bandwidth, n * flops / peak)


# (n, flops per element, bytes per element, bandwidth B/s, peak flop/s, what it models)
_ROOFLINE_CASES = [
    (2**26, 1.0, 8.0, 3.35e12, 6.7e13, "ReLU forward on a GPU (memory-bound)"),
    (2**24, 1.0, 12.0, 2.0e10, 2.0e11, "ReLU backward on a laptop CPU (memory-bound)"),
    (10**6, 2000.0, 8.0, 5.0e10, 1.0e11, "an expensive element-wise function (compute-bound)"),
    (1, 10.0, 8.0, 1.0e9, 1.0e9, "one element"),
]


def check_roofline_time(roofline_time: Callable[..., Any]) -> None:
    r"""Check ``roofline_time(n, flops_per_element, bytes_per_element, bandwidth, peak_flops)``.

    The roofline model says a kernel cannot finish faster than either the time to move its
    bytes or the time to do its arithmetic:

    .. math:: t \ge \max\left(\frac{n \cdot \text{bytes per element}}{\text{bandwidth}},
              \frac{n \cdot \text{flops per element}}{\text{peak flop/s}}\right)

    The checker tries memory-bound and compute-bound cases (bandwidth in bytes per second,
    peak in floating-point operations per second, result in seconds) with a relative
    tolerance of ``1e-9``, and recognises the usual slips (adding the two times, taking
    the smaller one, forgetting ``n``).

    Args:
        roofline_time: the learner's function; it returns a number of seconds.

    Raises:
        AssertionError: with the case, the expected and the actual value and a hint.

    Examples:
        >>> check_roofline_time(_roofline)
        ✓ roofline_time is right on 4 cases, memory-bound and compute-bound
    """
    for n, flops, nbytes, bandwidth, peak, what in _ROOFLINE_CASES:
        args = (n, flops, nbytes, bandwidth, peak)
        result = call_learner(roofline_time, *args, name="roofline_time")
        if isinstance(result, torch.Tensor) and result.numel() == 1:
            result = result.item()
        expected = _roofline(*args)
        shown = (f"n={n}, flops_per_element={flops:g}, bytes_per_element={nbytes:g}, "
                 f"bandwidth={bandwidth:.3g} B/s, peak_flops={peak:.3g} flop/s ({what})")
        if isinstance(result, bool) or not isinstance(result, (int, float)):
            fail("roofline_time should return a number of seconds.", input=shown,
                 expected=expected, actual=result)
        if math.isclose(result, expected, rel_tol=1e-9):
            continue
        memory, compute = n * nbytes / bandwidth, n * flops / peak
        if math.isclose(result, memory + compute, rel_tol=1e-9):
            hint = ("you added the two times; in the roofline model memory traffic and "
                    "arithmetic overlap, so the slower of the two sets the time (max).")
        elif math.isclose(result, min(memory, compute), rel_tol=1e-9):
            hint = "the kernel waits for the slower resource: take the max, not the min."
        elif math.isclose(result, expected / n, rel_tol=1e-9):
            hint = "that is the time per element; multiply by the n elements."
        else:
            hint = ("bytes moved / bandwidth is the memory time, flops done / peak_flops the "
                    "compute time; the bound is the larger one.")
        fail("roofline_time is wrong.", input=shown, expected=expected, actual=result,
             hint=hint)
    passed(f"roofline_time is right on {len(_ROOFLINE_CASES)} cases, memory-bound and "
           "compute-bound")


def check_cnn_training(model: Any, history: Any = None) -> None:
    """Check a CNN trained on the 8x8 digits with :func:`relu_course.train.fit`.

    Pass the trained model and its history, or the learner's function that trains and
    returns ``(model, history)`` (the checker then calls it once). The model is measured on
    the test split of
    :func:`relu_course.data.digits` with ``images=True`` (inputs ``(N, 1, 8, 8)``). It
    requires

    - at least one ``nn.Conv2d`` layer and at least one ReLU (``torch.nn.ReLU`` or
      ``relu_course.activations.ReLU``),
    - at most ``CNN_MAX_EPOCHS`` (10) epochs of training, read from ``history.epochs_run``,
    - a test accuracy of at least 95%.

    Args:
        model: the learner's trained ``nn.Module``, or a function without arguments that
            returns ``(model, history)``.
        history: the :class:`relu_course.train.History` that ``fit`` returned (omitted
            when ``model`` is a function).

    Raises:
        AssertionError: with what was measured and a hint.
    """
    if callable(model) and not isinstance(model, nn.Module):
        result = call_learner(model)
        if not isinstance(result, tuple) or len(result) != 2:
            fail("the function should return the pair (model, history).", actual=result,
                 hint="end with `return model, history`.")
        model, history = result

    if not isinstance(model, nn.Module):
        fail("the first argument should be the trained model (an nn.Module).", actual=model,
             hint="call check_cnn_training(model, history) with fit's model and History.")
    if not any(isinstance(m, nn.Conv2d) for m in model.modules()):
        fail("the model has no convolution (nn.Conv2d).", actual=model,
             hint="this exercise is about the CNN: start from models.digits_cnn().")
    if not any(type(m).__name__ == "ReLU" for m in model.modules()):
        fail("the model has no ReLU.", actual=model,
             hint="keep activation='relu' (the default of models.digits_cnn).")
    epochs = getattr(history, "epochs_run", None)
    if isinstance(epochs, bool) or not isinstance(epochs, int):
        fail("the second argument should be the History returned by train.fit.",
             actual=history, hint="history = train.fit(model, split, ...).")
    if epochs > CNN_MAX_EPOCHS:
        fail(f"the model trained for {epochs} epochs; the budget is {CNN_MAX_EPOCHS}.",
             hint="a larger learning rate or Adam reaches the target sooner.")
    accuracy = digits_test_accuracy(model, images=True)
    if accuracy < CNN_ACCURACY_TARGET:
        fail(f"test accuracy {accuracy:.3f} is below the target {CNN_ACCURACY_TARGET:.2f}.",
             hint="train on data.digits(images=True); Adam with lr about 1e-2 for a few "
                  "epochs is enough.")
    passed(f"test accuracy {accuracy:.3f} after {epochs} epochs")
