"""Checkers for the exercises of the chapter *Sparsity* (``book/sparsity/lab.ipynb``).

- :func:`check_zero_fraction`: the fraction of exact zeros in a layer's output.
- :func:`check_sparse_digits_model`: a digits classifier trained to be sparse *and* accurate.
"""

from __future__ import annotations

from typing import Any, Callable

import torch
from torch import nn

from relu_course.checks._common import assert_close, call_learner, fail, passed

__all__ = ["check_sparse_digits_model", "check_zero_fraction"]

# Targets of check_sparse_digits_model, measured on the digits' test split.
SPARSITY_TARGET = 0.80
ACCURACY_TARGET = 0.90


def _edge_cases() -> list[tuple[torch.Tensor, float, str]]:
    return [
        (torch.tensor([0.0, -0.0, 1.0, 2.0]), 0.5, "-0.0 is an exact zero too"),
        (torch.tensor([1e-30, 0.0, 2.0, 3.0]), 0.25, "a tiny positive value is not zero"),
        (torch.tensor([-0.5, -2.0, 0.0, 1.0]), 0.25, "a negative value is not zero"),
        (torch.zeros(3, 4), 1.0, "a tensor of zeros is fully sparse"),
        (torch.ones(5, dtype=torch.float64), 0.0, "a tensor with no zeros has sparsity 0"),
        (torch.tensor([[[0.0, 1.0], [0.0, 0.0]]]), 0.75, "count over every element, any shape"),
    ]


def _random_models() -> list[tuple[str, nn.Module]]:
    from relu_course import models

    return [
        ("ReLU MLP, zero bias", models.mlp([8, 32, 32, 4], activation="relu", seed=0)),
        ("ReLU MLP, bias -0.5", models.mlp([8, 32, 32, 4], activation="relu", bias=-0.5, seed=1)),
        ("tanh MLP", models.mlp([8, 16, 4], activation="tanh", init="xavier", seed=2)),
        ("leaky ReLU MLP", models.mlp([8, 16, 16, 4], activation="leaky_relu", seed=3)),
    ]


def check_zero_fraction(zero_fraction: Callable[[torch.Tensor], Any]) -> None:
    r"""Check ``zero_fraction(h)``: the fraction of the entries of ``h`` that are exactly 0.

    .. math:: \operatorname{sparsity}(h) = \frac{\#\{i : h_i = 0\}}{\#\{i\}}

    The checker first tries small tensors where the usual mistakes show (``-0.0``, tiny
    positive and negative values, several shapes and dtypes), then the outputs of every
    activation layer of four random networks (ReLU with zero and negative bias, tanh, leaky
    ReLU), where it compares with :func:`relu_course.probes.sparsity`.

    Args:
        zero_fraction: the learner's function from a tensor to a number in ``[0, 1]`` (a
            Python float, or a tensor with one element).

    Raises:
        AssertionError: with the input, the expected and the actual values and a hint.

    Examples:
        >>> check_zero_fraction(lambda h: (h == 0).float().mean().item())
        ✓ zero_fraction agrees with probes.sparsity on 6 small tensors and 7 layers
    """
    from relu_course import probes

    for h, expected, why in _edge_cases():
        actual = call_learner(zero_fraction, h.clone(), name="zero_fraction")
        assert_close(
            actual,
            expected,
            input=h,
            what="zero_fraction(h)",
            atol=1e-6,
            hint=f"{why}; count the entries equal to 0 (h == 0) and divide by h.numel().",
        )
    layers = 0
    g = torch.Generator().manual_seed(0)
    for label, model in _random_models():
        X = torch.randn(256, 8, generator=g)
        expected_by_layer = probes.sparsity(model, X)
        with probes.capture_activations(model) as outputs, torch.no_grad():
            model(X)
        for name, expected in expected_by_layer.items():
            h = outputs[name][0].detach()
            actual = call_learner(zero_fraction, h.clone(), name="zero_fraction")
            assert_close(
                actual,
                expected,
                input=h,
                what=f"zero_fraction of layer {name!r} of a {label}",
                atol=1e-6,
                hint="count exact zeros only: tanh and leaky ReLU output negative values, "
                "which are not zeros.",
            )
            layers += 1
    passed(
        f"zero_fraction agrees with probes.sparsity on {len(_edge_cases())} small tensors "
        f"and {layers} layers"
    )


def _device_of(model: nn.Module) -> torch.device:
    parameter = next(model.parameters(), None)
    return parameter.device if parameter is not None else torch.device("cpu")


def check_sparse_digits_model(model: nn.Module) -> None:
    """Check a digits classifier whose hidden activations are mostly exact zeros.

    The checker trains nothing: it measures ``model`` on the test split of
    :func:`relu_course.data.digits` (flat 64-pixel inputs). It requires

    - a test accuracy of at least 90%, and
    - a sparsity of at least 80%: the fraction of exact zeros in the outputs of the
      model's activation layers (:func:`relu_course.probes.sparsity`), averaged over the
      layers.

    Args:
        model: the learner's trained ``nn.Module``, mapping ``(n, 64)`` to ``(n, 10)`` scores.

    Raises:
        AssertionError: naming the number that missed its target, with a hint.

    Examples:
        >>> import torch
        >>> from relu_course import models
        >>> net = models.mlp([64, 32, 10], seed=0)  # untrained: about 10% accuracy
        >>> check_sparse_digits_model(net)  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        AssertionError: the model classifies ...% of the test digits correctly; the target is 90%.
        ...
    """
    from relu_course import data, probes
    from relu_course.activations import is_activation

    if not isinstance(model, nn.Module):
        fail(
            f"check_sparse_digits_model expects a trained torch.nn.Module, got "
            f"{type(model).__name__}.",
            hint="pass the network you trained, e.g. check_sparse_digits_model(net).",
        )
    if not any(is_activation(m) for m in model.modules()):
        fail(
            "the model has no activation layer, so it has no activations to make sparse.",
            hint="build it with relu_course.models.mlp(..., activation='relu').",
        )
    split = data.digits()
    X = split.X_test.to(_device_of(model))
    was_training = model.training
    model.eval()
    try:
        with torch.no_grad():
            scores = call_learner(model, X, name="the model")
        if not isinstance(scores, torch.Tensor) or tuple(scores.shape) != (len(X), 10):
            shape = tuple(scores.shape) if isinstance(scores, torch.Tensor) else type(scores)
            fail(
                f"the model should return scores of shape ({len(X)}, 10), got {shape}.",
                input=f"the digits' test inputs, shape {tuple(X.shape)}",
                hint="an MLP with sizes [64, ..., 10] takes the flat 8x8 images.",
            )
        acc = (scores.argmax(dim=1).cpu() == split.y_test).double().mean().item()
        by_layer = probes.sparsity(model, X)
    finally:
        model.train(was_training)
    sparsity = sum(by_layer.values()) / len(by_layer)
    shown = ", ".join(f"{name}: {value:.1%}" for name, value in by_layer.items())
    if acc < ACCURACY_TARGET:
        fail(
            f"the model classifies {acc:.1%} of the test digits correctly; the target is "
            f"{ACCURACY_TARGET:.0%}.",
            expected=f">= {ACCURACY_TARGET:.0%}",
            actual=f"{acc:.1%} (sparsity {sparsity:.1%})",
            hint="train longer, or weaken the L1 penalty: too strong a penalty silences the "
            "units the classifier needs.",
        )
    if sparsity < SPARSITY_TARGET:
        fail(
            f"{sparsity:.1%} of the hidden activations are exact zeros; the target is "
            f"{SPARSITY_TARGET:.0%} (accuracy {acc:.1%} is fine).",
            expected=f">= {SPARSITY_TARGET:.0%}",
            actual=f"{sparsity:.1%} ({shown})",
            hint="add lambda * (mean absolute activation) of every hidden layer to the loss, "
            "and raise lambda until most activations are pushed to exactly 0.",
        )
    passed(
        f"test accuracy {acc:.1%} (target {ACCURACY_TARGET:.0%}), "
        f"sparsity {sparsity:.1%} (target {SPARSITY_TARGET:.0%})"
    )
