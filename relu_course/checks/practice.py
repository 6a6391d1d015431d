"""Checkers for the exercises of the chapter *ReLU in practice* (``book/practice/lab.ipynb``).

- :func:`check_feature_map_shapes`: where the activations sit in a CNN, and their shapes.
- :func:`check_pooled_zero_fraction`: the zeros left after max-pooling independent zeros.
- :func:`check_activation_time_bound`: the roofline's lower bound on an activation's run
  time, for any element type and either pass.
- :func:`check_cnn_training`: a CNN trained on the 8x8 digits within an epoch budget.

Each exercise's hint ladder is in ``HINTS``, at the end of the module.
"""

from __future__ import annotations

import math
from typing import Any, Callable

import torch
from torch import nn

from relu_course.checks._common import call_learner, digits_test_accuracy, fail, passed

__all__ = [
    "check_activation_time_bound",
    "check_cnn_training",
    "check_feature_map_shapes",
    "check_pooled_zero_fraction",
]

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


def _pooled_zeros(p: float, k: int) -> float:
    return p ** (k * k)


def check_pooled_zero_fraction(pooled_zero_fraction: Callable[..., Any]) -> None:
    """Check ``pooled_zero_fraction(p, k)``: zeros left by k x k max-pooling of independent zeros.

    Each value of a ReLU layer's output is zero with probability ``p``, independently of the
    others, and non-negative otherwise; max-pooling keeps the largest value of each
    ``k x k`` window. The checker tries several ``p`` (including 0 and 1) and window sizes
    ``k`` = 1, 2, 3, to a relative tolerance of ``1e-9``, and names the usual misconceptions
    (pooling keeps the fraction, one zero is enough, the window's side instead of its area,
    an average instead of a maximum).

    Args:
        pooled_zero_fraction: the learner's function ``(p, k=2) -> float``.

    Raises:
        AssertionError: with the case, the expected and the actual value and a hint.

    Examples:
        >>> check_pooled_zero_fraction(lambda p, k=2: p)
        Traceback (most recent call last):
        ...
        AssertionError: pooled_zero_fraction(p=0.5, k=2) is wrong...
    """
    for p, k in ((0.5, 2), (0.3, 2), (0.8, 3), (0.6, 1), (0.0, 2), (1.0, 2)):
        result = call_learner(pooled_zero_fraction, p, k, name="pooled_zero_fraction")
        if isinstance(result, torch.Tensor) and result.numel() == 1:
            result = result.item()
        expected = _pooled_zeros(p, k)
        if isinstance(result, bool) or not isinstance(result, (int, float)):
            fail("pooled_zero_fraction should return a number between 0 and 1.",
                 input=f"p={p}, k={k}", expected=expected, actual=result)
        if math.isclose(result, expected, rel_tol=1e-9, abs_tol=1e-12):
            continue
        if math.isclose(result, p, rel_tol=1e-9):
            hint = ("pooling does not keep the fraction of zeros: a pooled value is the "
                    "maximum of its window, and a single positive value makes it positive.")
        elif math.isclose(result, 1 - (1 - p) ** (k * k), rel_tol=1e-9):
            hint = ("that is the chance that at least one value is zero, which is what a "
                    "minimum would need. The maximum is zero only if every value is.")
        elif math.isclose(result, p**k, rel_tol=1e-9):
            hint = "a k x k window holds k * k values, not k."
        elif math.isclose(result, p / (k * k), rel_tol=1e-9):
            hint = ("max-pooling is not an average: it keeps the largest value, which is zero "
                    "only if all of them are.")
        else:
            hint = ("the pooled value is zero exactly when every value in the window is zero; "
                    "with independent values, multiply their probabilities.")
        fail(f"pooled_zero_fraction(p={p}, k={k}) is wrong.", expected=expected,
             actual=result, hint=hint)
    passed("pooled_zero_fraction is right for 6 cases: windows of 1, 4 and 9 values")


_DTYPES = (torch.float64, torch.float32, torch.float16, torch.bfloat16)


def _bound(n: float, dtype: torch.dtype, direction: str, flops: float, bandwidth: float,
           peak: float) -> float:
    item = torch.empty((), dtype=dtype).element_size()
    tensors = {"forward": 2, "backward": 3}[direction]
    return max(n * tensors * item / bandwidth, n * flops / peak)


# (n, dtype, direction, flops per element, bandwidth B/s, peak flop/s, what it models)
_BOUND_CASES = [
    (2**26, torch.float32, "forward", 1.0, 3.35e12, 6.7e13, "ReLU forward on a GPU"),
    (2**26, torch.bfloat16, "forward", 1.0, 3.35e12, 6.7e13, "ReLU forward in bfloat16"),
    (2**24, torch.float32, "backward", 1.0, 2.0e10, 2.0e11, "ReLU backward on a CPU core"),
    (2**20, torch.float64, "backward", 4.0, 1.0e11, 1.0e12, "a float64 backward pass"),
    (10**6, torch.float16, "forward", 2000.0, 5.0e10, 1.0e11, "an expensive function"),
]


def check_activation_time_bound(activation_time_bound: Callable[..., Any]) -> None:
    """Check ``activation_time_bound(n, dtype, direction, flops, bandwidth, peak_flops)``.

    The roofline model says a kernel cannot finish faster than the time to move its bytes at
    the memory bandwidth, nor faster than the time to do its arithmetic at the peak rate.
    The learner's function must work out the bytes an element-wise activation's
    ``"forward"`` or ``"backward"`` pass moves for the element type ``dtype`` (as the lab's
    exercise describes), and return the bound in seconds. The checker tries float64,
    float32, float16 and bfloat16, both passes, memory-bound and compute-bound cases, to a
    relative tolerance of ``1e-9``, and names the usual misconceptions (four bytes whatever
    the type, the passes' traffic swapped, the two times added or the smaller one taken, the
    time per element).

    Args:
        activation_time_bound: the learner's function; it returns a number of seconds.

    Raises:
        AssertionError: with the case, the expected and the actual value and a hint.

    Examples:
        >>> check_activation_time_bound(lambda n, dtype, direction, flops, bw, peak: 0.0)
        Traceback (most recent call last):
        ...
        AssertionError: activation_time_bound is wrong...
    """
    for n, dtype, direction, flops, bandwidth, peak, what in _BOUND_CASES:
        args = (n, dtype, direction, flops, bandwidth, peak)
        result = call_learner(activation_time_bound, *args, name="activation_time_bound")
        if isinstance(result, torch.Tensor) and result.numel() == 1:
            result = result.item()
        expected = _bound(*args)
        shown = (f"n={n}, dtype={dtype}, direction={direction!r}, flops_per_element={flops:g}, "
                 f"bandwidth={bandwidth:.3g} B/s, peak_flops={peak:.3g} flop/s ({what})")
        if isinstance(result, bool) or not isinstance(result, (int, float)):
            fail("activation_time_bound should return a number of seconds.", input=shown,
                 expected=expected, actual=result)
        if math.isclose(result, expected, rel_tol=1e-9):
            continue
        item = torch.empty((), dtype=dtype).element_size()
        tensors = {"forward": 2, "backward": 3}[direction]
        memory, compute = n * tensors * item / bandwidth, n * flops / peak
        swapped = n * (5 - tensors) * item / bandwidth
        if math.isclose(result, max(n * tensors * 4 / bandwidth, compute), rel_tol=1e-9):
            hint = (f"{dtype} has {item} bytes per element, not 4: the bytes moved depend on "
                    "the element type (tensor.element_size()).")
        elif math.isclose(result, max(swapped, compute), rel_tol=1e-9):
            hint = ("the forward pass moves two tensors (reads x, writes y), the backward pass "
                    "three (reads the incoming gradient and a saved tensor, writes the "
                    "outgoing gradient).")
        elif math.isclose(result, memory + compute, rel_tol=1e-9):
            hint = ("you added the two times; in the roofline model memory traffic and "
                    "arithmetic overlap, so the slower of the two sets the time (max).")
        elif math.isclose(result, min(memory, compute), rel_tol=1e-9):
            hint = "the kernel waits for the slower resource: take the max, not the min."
        elif math.isclose(result, expected / n, rel_tol=1e-9):
            hint = "that is the time per element; multiply by the n elements."
        else:
            hint = ("bytes moved / bandwidth is the memory time, operations / peak_flops the "
                    "compute time; the bound is the larger one.")
        fail("activation_time_bound is wrong.", input=shown, expected=expected, actual=result,
             hint=hint)
    passed(f"activation_time_bound is right on {len(_BOUND_CASES)} cases: both passes, four "
           "element types, memory-bound and compute-bound")


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
        history: the :class:`relu_course.history.History` that ``fit`` returned (omitted
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
    # The exact accuracy depends on the processor's float32 rounding: say only that it passed.
    passed(f"test accuracy above the {CNN_ACCURACY_TARGET:.0%} target after {epochs} epochs")


# The hint ladders, last in the module: help() and the first screen show none of them.
HINTS = {
    "feature_map_shapes": (
        "A forward hook is a function PyTorch calls with (module, inputs, output) each time "
        "the module runs; register one on every activation layer.",
        "Keep the handles that register_forward_hook returns, and remove them in a finally: "
        "block so the model is left clean even when the forward pass raises.",
        "handles = [m.register_forward_hook(recorder(name)) for name, m in "
        "model.named_modules() if is_activation(m)]",
    ),
    "pooled_zero_fraction": (
        "When is the maximum of a few non-negative numbers equal to zero?",
        "Only when every one of them is zero. With independent values, the probability that "
        "all of them are zero is a product.",
        "return p ** (k * k)",
    ),
    "activation_time_bound": (
        "Two times bound the kernel: moving its bytes, and doing its arithmetic. Which one "
        "sets the time when both happen at once?",
        "Bytes per element = (tensors the pass reads or writes) x (bytes of one element): "
        "2 tensors forward, 3 backward; torch.empty((), dtype=dtype).element_size() gives the "
        "element's bytes.",
        "return max(n * tensors * item / bandwidth, n * flops_per_element / peak_flops)",
    ),
    "train_small_cnn": (
        "Start from the training call of section 2 and the budget of at most 10 epochs.",
        "With Adam a learning rate around 1e-2 and small batches (32 or 64) reach 95% in a "
        "few epochs; SGD needs a larger learning rate and more epochs.",
        "history = train.fit(model, data.digits(images=True), epochs=6, lr=1e-2, "
        "optimizer='adam', batch_size=32)",
    ),
}
