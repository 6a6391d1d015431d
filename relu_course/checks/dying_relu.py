"""Checkers for the exercises of the Dying-ReLU chapter (``book/dying_relu/lab.ipynb``).

A ReLU unit is *dead* on a data set when it outputs 0 for every input of the set: its
gradient is then 0 too, so gradient descent cannot bring it back.
"""

from __future__ import annotations

import math
import numbers
from typing import Any, Callable

import torch
from torch import nn

from ._common import assert_close, call_learner, check_tensor_like, fail, passed

__all__ = ["check_born_dead_probability", "check_dead_mask", "check_revived_digits_model"]

#: Targets of the training exercise.
DEAD_TARGET = 0.05
ACCURACY_TARGET = 0.90


def _mask_cases() -> list[tuple[torch.Tensor, str]]:
    gen = torch.Generator().manual_seed(0)
    h = torch.relu(torch.randn(50, 8, generator=gen))
    h[:, [1, 5]] = 0.0  # two dead units
    h[7, 2] = 0.0  # an exact zero in a live unit
    tiny = torch.zeros(4, 3)
    tiny[2, 0] = 1e-30  # alive, barely
    tiny[0, 2] = 3.0
    one_input = torch.tensor([[0.0, 2.0, 0.0, 0.5]])
    return [
        (h, "50 inputs, 8 units, units 1 and 5 dead"),
        (tiny, "a unit that fires only once, with the tiny value 1e-30"),
        (one_input, "a single input"),
        (torch.zeros(6, 5, dtype=torch.float64), "every unit dead (float64)"),
        (torch.rand(30, 7, generator=gen) + 0.1, "no unit dead"),
    ]


def check_dead_mask(dead_mask: Callable[[torch.Tensor], Any]) -> None:
    """Check a learner's ``dead_mask(H)``: which units are dead in a layer's outputs.

    ``H`` has shape ``(inputs, units)`` and holds a ReLU layer's outputs on a data set. The
    answer is a boolean tensor of shape ``(units,)``, True where the unit's output is exactly
    0 for every input. A unit that fires on a single input, however weakly, is alive.

    Examples:
        >>> check_dead_mask(lambda H: (H == 0).all(dim=0))
        ✓ dead_mask agrees with the definition on 5 layers, including a unit alive on one input
    """
    for H, label in _mask_cases():
        expected = (H == 0).all(dim=0)
        out = call_learner(dead_mask, H.clone(), name="dead_mask")
        per_input = (H.shape[0],) != (H.shape[1],)
        if isinstance(out, torch.Tensor) and out.shape == (H.shape[0],) and per_input:
            fail(
                f"dead_mask returned one value per input (shape {tuple(out.shape)}), not one "
                f"per unit (shape {tuple(expected.shape)}).",
                input=label,
                hint="H is (inputs, units): reduce over the inputs, dim=0.",
            )
        check_tensor_like(out, expected, input=label, what="dead_mask(H)",
                          hint="return (H == 0).all(...) style booleans, one per unit.")
        if not torch.equal(out, expected):
            hint = ("a unit is dead when it is 0 on *every* input; one non-zero output keeps "
                    "it alive.")
            if torch.equal(out, (H == 0).any(dim=0)):
                hint = ("you marked units that are 0 on *some* input; dead means 0 on every "
                        "input (all, not any).")
            elif torch.equal(out, (H.abs() < 1e-6).all(dim=0)):
                hint = "no tolerance: an output of 1e-30 is still positive, so the unit is alive."
            fail(
                "dead_mask(H) is wrong.",
                input=f"{label}: H of shape {tuple(H.shape)}",
                expected=expected,
                actual=out,
                hint=hint,
            )
    passed("dead_mask agrees with the definition on 5 layers, including a unit alive on one "
           "input")


def _born_dead(width: int, depth: int) -> float:
    # 1 - (1 - 2^-N)^L, computed without cancellation for wide layers.
    return -math.expm1(depth * math.log1p(-(2.0**-width)))


def check_born_dead_probability(p_born_dead: Callable[[int, int], Any]) -> None:
    """Check a learner's ``p_born_dead(width, depth)`` against :math:`1 - (1 - 2^{-N})^L`.

    The formula is the probability that one input dies somewhere in ``depth`` ReLU layers of
    ``width`` units with zero biases and symmetric random weights: each layer sends a live
    input to all-zeros with probability :math:`2^{-N}`, independently of the other layers.
    Checked for widths 1 to 10 and depths 0 to 1000, with a relative tolerance of 1e-6.

    Examples:
        >>> check_born_dead_probability(lambda width, depth: 1 - (1 - 2.0**-width) ** depth)
        ✓ p_born_dead matches 1 - (1 - 2^-N)^L for 24 widths and depths
    """
    count = 0
    for width in (1, 2, 3, 5, 10):
        for depth in (1, 2, 10, 1000, 0) if width in (1, 10) else (1, 4, 10, 50, 200):
            if width == 1 and depth == 1000:
                continue
            expected = _born_dead(width, depth)
            out = call_learner(p_born_dead, width, depth, name="p_born_dead")
            if isinstance(out, torch.Tensor) and out.numel() == 1:
                out = out.item()
            if isinstance(out, bool) or not isinstance(out, numbers.Real):
                fail(f"p_born_dead should return a number, got {type(out).__name__}.",
                     input=f"width={width}, depth={depth}", expected=expected, actual=out)
            out = float(out)
            mistakes = [
                (1 - _born_dead(width, depth),
                 "that is the probability that the input survives; dead is its complement."),
                (min(1.0, depth * 2.0**-width),
                 "depth * 2^-N is the union bound, an overestimate; the layers are independent, "
                 "so multiply the survival probabilities."),
                (2.0**-width, "one layer kills with probability 2^-N; the input has `depth` "
                              "chances to die."),
                (_born_dead(width, depth - 1) if depth > 0 else math.nan,
                 "count every one of the `depth` layers."),
            ]
            hint = "P(alive after L layers) = (1 - 2^-N)^L; P(dead) = 1 - that."
            if not math.isclose(out, expected, rel_tol=1e-6, abs_tol=1e-12):
                for wrong, why in mistakes:
                    if math.isclose(out, wrong, rel_tol=1e-6, abs_tol=1e-12):
                        hint = why
                        break
            assert_close(out, expected, input=f"width={width}, depth={depth}",
                         what=f"p_born_dead({width}, {depth})", rtol=1e-6, atol=1e-12,
                         hint=hint)
            if not 0.0 <= out <= 1.0:
                fail("a probability lies between 0 and 1.", input=f"width={width}, "
                     f"depth={depth}", actual=out)
            count += 1
    passed(f"p_born_dead matches 1 - (1 - 2^-N)^L for {count} widths and depths")


def _is_relu(module: nn.Module) -> bool:
    from relu_course.activations import ReLU

    return isinstance(module, (nn.ReLU, ReLU))


def _device_of(model: nn.Module) -> torch.device:
    parameter = next(model.parameters(), None)
    return parameter.device if parameter is not None else torch.device("cpu")


def check_revived_digits_model(model: nn.Module) -> None:
    """Check a trained digits classifier that still uses ReLU but has almost no dead units.

    The checker trains nothing. On :func:`relu_course.data.digits` (flat 64-pixel inputs) it
    requires that

    - every activation layer of ``model`` is a ReLU (``nn.ReLU`` or
      :class:`relu_course.activations.ReLU`): the point is to keep ReLU alive, not to replace
      it, and a Leaky ReLU has no exact zeros to count;
    - fewer than 5% of its hidden units are dead on the training inputs
      (:func:`relu_course.probes.dead_fraction`, in eval mode);
    - it classifies at least 90% of the test digits correctly.

    Examples:
        >>> from relu_course import models
        >>> net = models.mlp([64, 32, 10], activation="tanh", seed=0)
        >>> check_revived_digits_model(net)  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        AssertionError: every activation layer must be a ReLU; act0 is Tanh.
        ...
    """
    from relu_course import activations, data, probes

    if not isinstance(model, nn.Module):
        fail(f"check_revived_digits_model expects a trained torch.nn.Module, got "
             f"{type(model).__name__}.",
             hint="pass the network you trained, e.g. check_revived_digits_model(net).")
    layers = [(name, m) for name, m in model.named_modules() if activations.is_activation(m)]
    if not layers:
        fail("the model has no activation layer, so it has no ReLU units to keep alive.",
             hint="build it with relu_course.models.mlp(..., activation='relu').")
    for name, m in layers:
        if not _is_relu(m):
            fail(f"every activation layer must be a ReLU; {name} is {type(m).__name__}.",
                 hint="keep activation='relu' and change the training instead: the learning "
                      "rate, the initialisation, or batch normalisation.")
    split = data.digits()
    device = _device_of(model)
    was_training = model.training
    model.eval()
    try:
        with torch.no_grad():
            scores = call_learner(model, split.X_test.to(device), name="the model")
        if not isinstance(scores, torch.Tensor) or tuple(scores.shape) != (len(split.X_test), 10):
            shape = tuple(scores.shape) if isinstance(scores, torch.Tensor) else type(scores)
            fail(f"the model should return scores of shape ({len(split.X_test)}, 10), got "
                 f"{shape}.",
                 hint="an MLP with sizes [64, ..., 10] takes the flat 8x8 images.")
        acc = (scores.argmax(dim=1).cpu() == split.y_test).double().mean().item()
        by_layer = probes.dead_units(model, split.X_train.to(device))
    finally:
        model.train(was_training)
    dead = sum(d.count for d in by_layer.values()) / sum(d.total for d in by_layer.values())
    shown = ", ".join(f"{name}: {d.fraction:.1%}" for name, d in by_layer.items())
    if dead >= DEAD_TARGET:
        fail(
            f"{dead:.1%} of the hidden units are dead on the training digits; the target is "
            f"under {DEAD_TARGET:.0%}.",
            expected=f"< {DEAD_TARGET:.0%}",
            actual=f"{dead:.1%} ({shown}); test accuracy {acc:.1%}",
            hint="units die when a large step pushes their pre-activation below 0 on every "
                 "input: try a smaller learning rate, or batch normalisation before each ReLU.",
        )
    if acc < ACCURACY_TARGET:
        fail(
            f"the model classifies {acc:.1%} of the test digits correctly; the target is "
            f"{ACCURACY_TARGET:.0%} (dead units {dead:.1%} is fine).",
            expected=f">= {ACCURACY_TARGET:.0%}",
            actual=f"{acc:.1%}",
            hint="train for more epochs, or with a larger learning rate than you chose.",
        )
    passed(f"{dead:.1%} dead units (target < {DEAD_TARGET:.0%}), test accuracy {acc:.1%} "
           f"(target {ACCURACY_TARGET:.0%})")
