"""Checkers for the exercises of the chapter *Non-linearity* (``book/nonlinearity/lab.ipynb``).

- :func:`check_hat`: a "hat" function built from three ReLUs.
- :func:`check_collapse`: two stacked ``nn.Linear`` layers folded into one.
- :func:`check_xor_model`: a trained network that separates XOR on data it has never seen.
"""

from __future__ import annotations

from typing import Callable

import torch
from torch import nn

from relu_course.checks._common import assert_close, call_learner, fail, gradient, passed

__all__ = ["check_collapse", "check_hat", "check_xor_model"]

# The held-out XOR set of check_xor_model: a seed the lab never trains on.
_XOR_SEED = 2014
_XOR_SIZE = 2000
_XOR_TARGET = 0.95


def _reference_hat(x: torch.Tensor) -> torch.Tensor:
    # max(0, 1 - |x|), written without ReLUs so the reference does not share the learner's idea.
    return torch.clamp(1 - x.abs(), min=0)


def check_hat(hat: Callable[[torch.Tensor], torch.Tensor]) -> None:
    r"""Check ``hat(x)``: 0 outside ``[-1, 1]``, 1 at 0, straight lines in between.

    The hat function is

    .. math::

        \operatorname{hat}(x) = \max(0, 1 - |x|)
        = \operatorname{relu}(x + 1) - 2\operatorname{relu}(x) + \operatorname{relu}(x - 1).

    The checker evaluates ``hat`` on a dense grid over ``[-3, 3]``, on the three knots
    ``-1, 0, 1`` (and ``-0.0``), and on far values, in float32 and float64; it requires a
    tensor of the input's shape and dtype, and the slopes +1 on ``(-1, 0)``, -1 on ``(0, 1)``
    and 0 outside (checked with autograd).

    Args:
        hat: the learner's function, from a tensor to a tensor of the same shape.

    Raises:
        AssertionError: with the input, the expected and the actual values and a hint.

    Examples:
        >>> check_hat(lambda x: torch.relu(x + 1) - 2 * torch.relu(x) + torch.relu(x - 1))
        ✓ hat matches max(0, 1 - |x|) on 613 inputs (float32 and float64), slopes included
    """
    knots = [-1.0, -0.0, 0.0, 1.0, -1e4, 1e4, -2.0, 2.0, 0.5, -0.5, 1e-7, -1e-7]
    count = 0
    for dtype in (torch.float32, torch.float64):
        grid = torch.linspace(-3.0, 3.0, 601, dtype=dtype)
        x = torch.cat([grid, torch.tensor(knots, dtype=dtype)])
        x = x[torch.argsort(x, stable=True)]
        out = call_learner(hat, x.clone(), name="hat")
        assert_close(
            out,
            _reference_hat(x),
            input=x,
            what="hat(x)",
            atol=1e-6,
            hint="hat(x) is 0 for x <= -1, rises to 1 at x = 0, falls back to 0 at x = 1 and "
            "stays 0 beyond; each ReLU adds a change of slope at its knot.",
        )
        count = x.numel()
    # The slopes, away from the knots where the derivative is a matter of convention.
    x = torch.tensor([-3.0, -1.5, -0.75, -0.25, 0.25, 0.75, 1.5, 3.0])
    slopes = gradient(hat, x, name="hat")
    expected = torch.tensor([0.0, 0.0, 1.0, 1.0, -1.0, -1.0, 0.0, 0.0])
    assert_close(
        slopes,
        expected,
        input=x,
        what="the slope of hat at x",
        hint="the slope is 0 left of -1, +1 on (-1, 0), -1 on (0, 1) and 0 right of 1; "
        "build hat from torch operations so autograd can follow it.",
    )
    passed(f"hat matches max(0, 1 - |x|) on {count} inputs (float32 and float64), slopes included")


def _pairs() -> list[tuple[nn.Linear, nn.Linear]]:
    g = torch.Generator().manual_seed(0)
    pairs = []
    for n_in, n_mid, n_out in ((3, 5, 2), (4, 4, 4), (2, 7, 1), (6, 3, 5)):
        first, second = nn.Linear(n_in, n_mid), nn.Linear(n_mid, n_out)
        with torch.no_grad():
            for layer in (first, second):
                layer.weight.copy_(torch.randn(layer.weight.shape, generator=g))
                layer.bias.copy_(torch.randn(layer.bias.shape, generator=g))
        pairs.append((first, second))
    return pairs


def check_collapse(collapse: Callable[[nn.Linear, nn.Linear], nn.Linear]) -> None:
    r"""Check ``collapse(first, second)``: one ``nn.Linear`` that computes ``second(first(x))``.

    Two affine maps in a row are one affine map:

    .. math:: W_2 (W_1 x + b_1) + b_2 = (W_2 W_1)\, x + (W_2 b_1 + b_2).

    The checker calls ``collapse`` on four pairs of layers with random weights and biases
    (square and non-square), and requires an ``nn.Linear`` with ``first``'s input size and
    ``second``'s output size whose outputs match ``second(first(x))`` at ``x = 0`` and on
    random inputs, and that ``first`` and ``second`` are left unchanged.

    Args:
        collapse: the learner's function from two ``nn.Linear`` layers (both with a bias)
            to one ``nn.Linear``.

    Raises:
        AssertionError: with the input, the expected and the actual values and a hint.

    Examples:
        >>> def collapse(first, second):
        ...     layer = nn.Linear(first.in_features, second.out_features)
        ...     with torch.no_grad():
        ...         layer.weight.copy_(second.weight @ first.weight)
        ...         layer.bias.copy_(second.weight @ first.bias + second.bias)
        ...     return layer
        >>> check_collapse(collapse)
        ✓ collapse(first, second) computes second(first(x)) for 4 pairs of layers
    """
    g = torch.Generator().manual_seed(1)
    for first, second in _pairs():
        before = [p.detach().clone() for p in (*first.parameters(), *second.parameters())]
        shapes = (
            f"Linear({first.in_features}, {first.out_features}) then "
            f"Linear({second.in_features}, {second.out_features})"
        )
        layer = call_learner(collapse, first, second, name="collapse")
        if not isinstance(layer, nn.Linear):
            fail(
                f"collapse should return an nn.Linear, got {type(layer).__name__}.",
                input=shapes,
                hint="create nn.Linear(first.in_features, second.out_features) and set its "
                "weight and bias under torch.no_grad().",
            )
        if (layer.in_features, layer.out_features) != (first.in_features, second.out_features):
            fail(
                f"collapse returned Linear({layer.in_features}, {layer.out_features}), expected "
                f"Linear({first.in_features}, {second.out_features}).",
                input=shapes,
                hint="the collapsed layer reads first's inputs and produces second's outputs.",
            )
        after = [p.detach() for p in (*first.parameters(), *second.parameters())]
        if any(not torch.equal(a, b) for a, b in zip(before, after)):
            fail(
                "collapse changed the weights or biases of the layers it was given.",
                input=shapes,
                hint="build a new layer; copy into it, never into first or second.",
            )
        with torch.no_grad():
            zero = torch.zeros(1, first.in_features)
            assert_close(
                layer(zero),
                second(first(zero)),
                input=zero,
                what=f"collapsed(0) for {shapes}",
                atol=1e-5,
                rtol=1e-4,
                hint="at x = 0 only the biases remain: first's bias b1 still passes through "
                "second's weight, so the new bias is W2 b1 + b2.",
            )
            x = torch.randn(16, first.in_features, generator=g)
            assert_close(
                layer(x),
                second(first(x)),
                input=x,
                what=f"collapsed(x) for {shapes}",
                atol=1e-5,
                rtol=1e-4,
                hint="nn.Linear computes x @ W.T + b with W of shape (out, in); the new weight "
                "is second.weight @ first.weight (mind the order).",
            )
    passed("collapse(first, second) computes second(first(x)) for 4 pairs of layers")


def _device_of(model: nn.Module) -> torch.device:
    parameter = next(model.parameters(), None)
    return parameter.device if parameter is not None else torch.device("cpu")


def check_xor_model(model: nn.Module) -> None:
    """Check a trained XOR classifier on 2,000 points it has never seen.

    The held-out points come from :func:`relu_course.data.xor` with a seed the lab does not
    train on. The model must map a float32 batch of shape ``(n, 2)`` to class scores of
    shape ``(n, 2)`` and classify at least 95% of the points correctly (the class is the
    larger score). A linear model cannot: it stays near 50%.

    Args:
        model: the learner's trained ``nn.Module`` (on any device).

    Raises:
        AssertionError: with the accuracy reached, the target and a hint.

    Examples:
        >>> from relu_course import data, models, train
        >>> net = models.mlp([2, 16, 2], seed=0)
        >>> _ = train.fit(net, data.xor(n=512, seed=0), epochs=60, lr=0.1, optimizer="adam")
        >>> check_xor_model(net)  # doctest: +ELLIPSIS
        ✓ the model classifies ...% of 2000 unseen XOR points correctly (target: 95%)
    """
    from relu_course import data

    if not isinstance(model, nn.Module):
        fail(
            f"check_xor_model expects a trained torch.nn.Module, got {type(model).__name__}.",
            hint="pass the network you trained, e.g. check_xor_model(net).",
        )
    X, y = data.xor(n=_XOR_SIZE, seed=_XOR_SEED)
    was_training = model.training
    model.eval()
    try:
        with torch.no_grad():
            scores = call_learner(model, X.to(_device_of(model)), name="the model")
    finally:
        model.train(was_training)
    if not isinstance(scores, torch.Tensor) or tuple(scores.shape) != (_XOR_SIZE, 2):
        shape = tuple(scores.shape) if isinstance(scores, torch.Tensor) else type(scores).__name__
        fail(
            f"the model should return class scores of shape ({_XOR_SIZE}, 2), got {shape}.",
            input=f"a batch of shape ({_XOR_SIZE}, 2)",
            hint="end the network with a Linear layer with 2 outputs (one score per class).",
        )
    acc = (scores.argmax(dim=1).cpu() == y).double().mean().item()
    if acc < _XOR_TARGET:
        fail(
            f"the model classifies {acc:.1%} of unseen XOR points correctly; the target is "
            f"{_XOR_TARGET:.0%}.",
            input=f"{_XOR_SIZE} points from data.xor(seed={_XOR_SEED})",
            expected=f">= {_XOR_TARGET:.0%}",
            actual=f"{acc:.1%}",
            hint="a linear model stays near 50% on XOR: put a hidden layer with a ReLU between "
            "two Linear layers, and train longer or with a larger learning rate.",
        )
    passed(
        f"the model classifies {acc:.1%} of {_XOR_SIZE} unseen XOR points correctly "
        f"(target: {_XOR_TARGET:.0%})"
    )
