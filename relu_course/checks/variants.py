"""Checkers for the exercises of the chapter *Variants* (``book/variants/lab.ipynb``).

- :func:`check_elu`: an ELU written from elementary tensor operations, values and gradients.
- :func:`check_selu_constants`: SELU's ``alpha`` and ``lambda`` derived from its fixed point.
- :func:`check_prelu_training`: a trained digits classifier with PReLU activations.
"""

from __future__ import annotations

import math
from typing import Any, Callable

import torch
import torch.nn.functional as F
from torch import nn

from relu_course.checks._common import (
    assert_close,
    call_learner,
    check_tensor_like,
    digits_test_accuracy,
    edge_values,
    fail,
    gradient,
    passed,
)

__all__ = ["check_elu", "check_prelu_training", "check_selu_constants"]

# Test accuracy that check_prelu_training requires on the digits' test split.
PRELU_ACCURACY_TARGET = 0.90
# PyTorch's initial PReLU slope; a slope still here was not learned.
PRELU_INIT = 0.25


def _elu_inputs() -> list[torch.Tensor]:
    gen = torch.Generator().manual_seed(0)
    return [
        torch.randn(6, 5, generator=gen) * 3,
        torch.randn(11, generator=gen, dtype=torch.float64) * 3,
        edge_values(),
        torch.tensor([-100.0, -30.0, 30.0, 100.0, 1000.0]),  # exp overflows float32 above ~88
    ]


def check_elu(my_elu: Callable[..., Any]) -> None:
    r"""Check a learner's ``my_elu(x, alpha=1.0)`` against ``torch.nn.functional.elu``.

    .. math:: \operatorname{ELU}_\alpha(x) = \begin{cases} x & x > 0 \\
              \alpha\,(e^x - 1) & x \le 0 \end{cases}

    Values must match for ``alpha`` in 1, 0.5 and 2 on random tensors (float32 and float64),
    on both zeros, tiny values and inputs large enough to overflow ``exp`` in float32.
    Gradients must match autograd of the reference everywhere except at exactly 0, where ELU
    with ``alpha != 1`` has a kink and either one-sided derivative (1 or ``alpha``) is
    accepted; every gradient must be finite (the classic bug: ``torch.where`` sends a zero
    gradient into the unused ``exp`` branch, and ``0 * inf`` is NaN). The input must be left
    unchanged.

    Args:
        my_elu: the learner's function ``my_elu(x, alpha=1.0)``.

    Raises:
        AssertionError: with the input, the expected and the actual values and a hint.

    Examples:
        >>> check_elu(lambda x, alpha=1.0: F.elu(x, alpha))
        ✓ my_elu matches F.elu for alpha in (1, 0.5, 2): values and finite gradients, also at 0
    """
    alphas = (1.0, 0.5, 2.0)
    for alpha in alphas:
        for x in _elu_inputs():
            before = x.clone()
            out = call_learner(my_elu, x, alpha=alpha, name="my_elu")
            if not torch.equal(x, before):
                fail(
                    "my_elu changed its input in place.",
                    input=before,
                    actual=x,
                    hint="build a new tensor (torch.where, torch.exp) instead of writing into x.",
                )
            expected = F.elu(x, alpha)
            check_tensor_like(out, expected, input=x, what=f"my_elu(x, alpha={alpha})")
            if torch.isnan(out).any():
                fail(
                    f"my_elu(x, alpha={alpha}) returns NaN for an input that is not NaN.",
                    input=x,
                    expected=expected,
                    actual=out,
                    hint="inf * 0 is NaN: select the branch with torch.where instead of "
                    "multiplying by a mask.",
                )
            assert_close(
                out,
                expected,
                input=x,
                what=f"my_elu(x, alpha={alpha})",
                atol=1e-6,
                rtol=1e-5,
                hint="x > 0 passes unchanged; x <= 0 maps to alpha * (exp(x) - 1), "
                "which tends to -alpha.",
            )
            grad = gradient(lambda t, a=alpha: my_elu(t, alpha=a), x, name="my_elu")
            xr = x.clone().requires_grad_(True)
            (expected_grad,) = torch.autograd.grad(F.elu(xr, alpha).sum(), xr)
            if not torch.isfinite(grad).all():
                fail(
                    f"the gradient of my_elu(x, alpha={alpha}) is not finite.",
                    input=x,
                    expected=expected_grad,
                    actual=grad,
                    hint="torch.where's backward multiplies the unused branch's gradient by 0, "
                    "and 0 * exp(large x) = 0 * inf = NaN. Exponentiate only what you "
                    "need: torch.exp(torch.clamp(x, max=0)).",
                )
            at_zero = x == 0
            one_sided = torch.where(at_zero & (grad == 1.0), grad, expected_grad)
            if at_zero.any() and not (
                torch.isin(grad[at_zero], torch.tensor([1.0, alpha], dtype=grad.dtype)).all()
            ):
                fail(
                    f"the gradient of my_elu(x, alpha={alpha}) at x = 0 is neither one-sided "
                    f"derivative (1 from the right, {alpha:g} from the left).",
                    input=x,
                    expected=expected_grad,
                    actual=grad,
                    hint="differentiate each branch: d/dx x = 1 and d/dx alpha*(exp(x)-1) = "
                    "alpha*exp(x).",
                )
            assert_close(
                grad,
                one_sided,
                input=x,
                what=f"the gradient of my_elu(x, alpha={alpha})",
                atol=1e-6,
                rtol=1e-5,
                hint="for x <= 0 the derivative is alpha * exp(x) = ELU(x) + alpha; "
                "for x > 0 it is 1.",
            )
    passed("my_elu matches F.elu for alpha in (1, 0.5, 2): values and finite gradients, also at 0")


def check_selu_constants(selu_constants: Callable[[], Any]) -> None:
    r"""Check ``selu_constants()``: SELU's ``(alpha, lambda)`` from the fixed-point conditions.

    For :math:`z \sim \mathcal N(0, 1)` the two conditions
    :math:`\mathbb E[\operatorname{SELU}(z)] = 0` and
    :math:`\mathbb E[\operatorname{SELU}(z)^2] = 1` fix the two constants; the checker
    compares with the values PyTorch uses (``alpha ≈ 1.6733``, ``lambda ≈ 1.0507``) to a
    relative tolerance of ``1e-6``, and recognises the common slips (swapped order, the
    variance condition solved for ``lambda`` instead of ``lambda**2``).

    Args:
        selu_constants: the learner's function with no arguments returning ``(alpha, lam)``.

    Raises:
        AssertionError: with the expected and the actual values and a hint.

    Examples:
        >>> check_selu_constants(lambda: (1.6732632423543772, 1.0507009873554805))
        ✓ alpha = 1.673263, lambda = 1.050701: SELU's fixed point (mean 0, variance 1)
    """
    expected_alpha, expected_lam = 1.6732632423543772, 1.0507009873554805
    result = call_learner(selu_constants, name="selu_constants")
    if isinstance(result, torch.Tensor) and result.numel() == 2:
        result = tuple(result.tolist())
    if not isinstance(result, (tuple, list)) or len(result) != 2:
        fail(
            "selu_constants() should return a pair (alpha, lam).",
            expected=(expected_alpha, expected_lam),
            actual=result,
            hint="end with `return alpha, lam`.",
        )
    try:
        alpha, lam = (float(v) for v in result)
    except (TypeError, ValueError):
        fail(
            "selu_constants() should return two numbers.",
            actual=result,
            hint="convert tensors with float(...) or .item().",
        )

    def near(a: float, b: float) -> bool:
        return math.isclose(a, b, rel_tol=1e-6)

    if near(alpha, expected_lam) and near(lam, expected_alpha):
        fail(
            "selu_constants() returns (lambda, alpha): the order is swapped.",
            expected=(expected_alpha, expected_lam),
            actual=(alpha, lam),
            hint="return alpha first, then lambda.",
        )
    if near(alpha, expected_alpha) and near(lam, expected_lam**2):
        fail(
            "selu_constants() returns lambda squared.",
            expected=(expected_alpha, expected_lam),
            actual=(alpha, lam),
            hint="the variance condition gives lambda**2 = 1 / E[g(z)^2]; take the square root.",
        )
    if not near(alpha, expected_alpha):
        fail(
            "alpha is wrong.",
            expected=expected_alpha,
            actual=alpha,
            hint="alpha comes from the mean condition alone (lambda cancels out): "
            "E[z; z > 0] + alpha * E[exp(z) - 1; z <= 0] = 0.",
        )
    if not near(lam, expected_lam):
        fail(
            "lambda is wrong (alpha is right).",
            expected=expected_lam,
            actual=lam,
            hint="with alpha known, lambda**2 * E[g(z)^2] = 1, where g(z) = z for z > 0 and "
            "alpha * (exp(z) - 1) otherwise; the second moment includes both halves.",
        )
    passed(f"alpha = {alpha:.6f}, lambda = {lam:.6f}: SELU's fixed point (mean 0, variance 1)")


def _prelu_modules(model: nn.Module) -> list[nn.Module]:
    return [m for m in model.modules() if type(m).__name__ == "PReLU"]


def check_prelu_training(model: Any) -> None:
    """Check a trained digits classifier whose hidden activations are PReLUs.

    Pass the trained model, or the learner's function that trains and returns it (the
    checker then calls it once). The model is measured on the test split of
    :func:`relu_course.data.digits` (flat 64-pixel inputs). It requires

    - at least one PReLU module (``torch.nn.PReLU`` or ``relu_course.activations.PReLU``),
    - slopes that training has moved away from their initial value 0.25 (at least one by
      more than 0.01): a slope that never moved was not learned, and
    - a test accuracy of at least 90%.

    Args:
        model: the learner's trained ``nn.Module``, mapping ``(N, 64)`` to ``(N, 10)`` logits,
            or a function without arguments that trains and returns it.

    Raises:
        AssertionError: with what was measured and a hint.
    """
    if callable(model) and not isinstance(model, nn.Module):
        model = call_learner(model)
    if not isinstance(model, nn.Module):
        fail(
            "the exercise asks for the trained model (an nn.Module).",
            actual=model,
            hint="return the network you trained, not its history or its accuracy.",
        )
    prelus = _prelu_modules(model)
    if not prelus:
        fail(
            "the model has no PReLU module.",
            actual=model,
            hint="build it with models.mlp([...], activation='prelu') or nn.PReLU().",
        )
    slopes = torch.cat([m.weight.detach().flatten().cpu() for m in prelus])
    moved = float((slopes - PRELU_INIT).abs().max())
    if moved <= 0.01:
        fail(
            "the PReLU slopes are still at their initial value 0.25: they were not learned.",
            actual=slopes,
            hint="train the model (its PReLU weights are parameters, so the optimiser updates "
            "them), and pass model.parameters() to the optimiser.",
        )
    accuracy = digits_test_accuracy(
        model, hint="the last layer is nn.Linear(hidden, 10), without an activation after it."
    )
    if accuracy < PRELU_ACCURACY_TARGET:
        fail(
            f"test accuracy {accuracy:.3f} is below the target {PRELU_ACCURACY_TARGET:.2f}.",
            hint="train longer, or with Adam (lr about 1e-2); a hidden layer of 64 units "
            "is enough.",
        )
    passed(
        f"test accuracy {accuracy:.3f}; {slopes.numel()} learned PReLU slope(s) from "
        f"{float(slopes.min()):.2f} to {float(slopes.max()):.2f}"
    )
