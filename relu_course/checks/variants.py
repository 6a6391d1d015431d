"""Checkers for the exercises of the chapter *Variants* (``book/variants/lab.ipynb``).

- :func:`check_elu`: an ELU written from elementary tensor operations, values and gradients.
- :func:`check_selu_constants`: SELU's ``alpha`` and ``lambda`` derived from its fixed point.
- :func:`check_swiglu`: a SwiGLU feed-forward block with its planted fault fixed.

Each exercise's hint ladder is in ``HINTS``, at the end of the module (shown by
``relu_course.checks.hints``).
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
    edge_values,
    fail,
    gradient,
    passed,
)

__all__ = ["check_elu", "check_selu_constants", "check_swiglu"]


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
    compares with the values PyTorch uses to a relative tolerance of ``1e-6``, and
    recognises the common slips (swapped order, the variance condition solved for
    ``lambda`` instead of ``lambda**2``).

    Args:
        selu_constants: the learner's function with no arguments returning ``(alpha, lam)``.

    Raises:
        AssertionError: with the expected and the actual values and a hint.

    Examples:
        >>> check_selu_constants(lambda: (1.0, 1.0))
        Traceback (most recent call last):
        ...
        AssertionError: alpha is wrong...
    """
    expected_alpha, expected_lam = _selu_constants()
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


def _selu_constants() -> tuple[float, float]:
    from relu_course.activations import SELU_ALPHA, SELU_LAMBDA

    return SELU_ALPHA, SELU_LAMBDA


def _swiglu_reference(block: nn.Module, x: torch.Tensor) -> torch.Tensor:
    return block.out(F.silu(block.gate(x)) * block.value(x))


def _swiglu_suspects(block: nn.Module, x: torch.Tensor) -> list[tuple[torch.Tensor, str]]:
    """Outputs of the usual wrong blocks, each with the misconception it shows."""
    g, v = block.gate(x), block.value(x)
    return [
        (block.out(F.silu(g * v)),
         "SiLU is applied to the product of gate and value. In a gated unit only the gate "
         "goes through the non-linearity; the value path must stay linear."),
        (block.out(torch.sigmoid(g) * v),
         "the gate is sigmoid(x W_gate): that is the original GLU (Dauphin et al., 2017). "
         "SwiGLU gates with SiLU(x W_gate) = x W_gate * sigmoid(x W_gate)."),
        (block.out(F.silu(v) * g),
         "gate and value are swapped: SiLU goes on the `gate` projection, the `value` "
         "projection stays linear."),
        (block.out(F.relu(g) * v),
         "the gate is ReLU(x W_gate): that is ReGLU, another member of the family. "
         "SwiGLU uses SiLU."),
        (block.out(F.silu(g)),
         "the value path is missing: without the product with x W_value the block is an "
         "ordinary SiLU feed-forward block, not a gated one."),
        (block.out(g * v),
         "the gate has no non-linearity: gate times value is a bilinear layer. SwiGLU "
         "passes the gate through SiLU first."),
        (block.out(F.silu(g) + v),
         "gate and value are added; a gated unit multiplies them element by element."),
    ]


def check_swiglu(block_class: Any) -> None:
    r"""Check a SwiGLU feed-forward block class, ``block_class(d_model, d_hidden)``.

    The block computes

    .. math:: \operatorname{FFN}_{\mathrm{SwiGLU}}(x) =
              \bigl(\operatorname{SiLU}(x W_{\text{gate}}) \odot x W_{\text{value}}\bigr)
              W_{\text{out}}

    (Shazeer, 2020). The checker builds the learner's block for two sizes, gives its
    ``gate``, ``value`` and ``out`` layers (``nn.Linear`` without bias) seeded weights, and
    compares its output on random float64 inputs of shape ``(batch, d_model)`` and
    ``(batch, tokens, d_model)`` with the formula, to ``1e-10``. A wrong output is compared
    with the usual faults (non-linearity on the product, sigmoid or ReLU gate, gate and value
    swapped, a missing value path) and the message names the one it matches.

    Args:
        block_class: the learner's ``nn.Module`` subclass.

    Raises:
        AssertionError: with the input shape, the expected and the actual output and a hint.

    Examples:
        >>> class Plain(nn.Module):
        ...     def __init__(self, d_model, d_hidden):
        ...         super().__init__()
        ...         self.gate = nn.Linear(d_model, d_hidden, bias=False)
        ...         self.value = nn.Linear(d_model, d_hidden, bias=False)
        ...         self.out = nn.Linear(d_hidden, d_model, bias=False)
        ...     def forward(self, x):
        ...         return self.out(self.gate(x) * self.value(x))
        >>> check_swiglu(Plain)
        Traceback (most recent call last):
        ...
        AssertionError: Plain's output is wrong...
    """
    if not (isinstance(block_class, type) and issubclass(block_class, nn.Module)):
        fail("check_swiglu takes the class of your block (an nn.Module subclass), not an "
             "instance or a function.", actual=block_class,
             hint="pass FixedSwiGLU itself: check_swiglu(FixedSwiGLU).")
    gen = torch.Generator().manual_seed(0)
    for d_model, d_hidden, shape in ((6, 10, (5, 6)), (4, 8, (3, 7, 4))):
        block = call_learner(block_class, d_model, d_hidden, name=block_class.__name__)
        layers = {name: getattr(block, name, None) for name in ("gate", "value", "out")}
        missing = [name for name, layer in layers.items() if not isinstance(layer, nn.Linear)]
        if missing:
            fail(f"the block has no nn.Linear layer(s) named {missing}.",
                 hint="keep the constructor of SwiGLU: gate, value and out, nn.Linear "
                      "without bias.")
        block = block.double()
        with torch.no_grad():
            for layer in layers.values():
                layer.weight.copy_(torch.randn(layer.weight.shape, generator=gen,
                                               dtype=torch.float64))
                if layer.bias is not None:
                    layer.bias.zero_()
        x = torch.randn(shape, generator=gen, dtype=torch.float64)
        actual = call_learner(block, x, name=f"{block_class.__name__}.forward")
        with torch.no_grad():
            expected = _swiglu_reference(block, x)
            suspects = _swiglu_suspects(block, x)
        check_tensor_like(actual, expected, input=x, what=f"{block_class.__name__}(x)")
        if torch.allclose(actual, expected, rtol=1e-10, atol=1e-10):
            continue
        hint = ("write out (SiLU(x W_gate) * x W_value) W_out and compare it with the forward "
                "pass term by term.")
        for output, misconception in suspects:
            if torch.allclose(actual, output, rtol=1e-10, atol=1e-10):
                hint = misconception
                break
        fail(f"{block_class.__name__}'s output is wrong for an input of shape {shape}.",
             expected=expected, actual=actual, hint=hint)
    passed("the block computes (SiLU(x W_gate) * x W_value) W_out for 2-D and 3-D inputs")


# The hint ladders, last in the module: help() and the first screen show none of them.
HINTS = {
    "my_elu": (
        "Write the two branches separately and let torch.where pick one per element; then "
        "call the checker and read what it says about large inputs.",
        "torch.where computes both branches for every element, and its backward pass sends "
        "a zero gradient into the branch it did not pick. Zero times an infinite derivative "
        "is NaN, so the exponential must never see a large positive input.",
        "Exponentiate only the non-positive part: torch.exp(torch.clamp(x, max=0)).",
    ),
    "selu_constants": (
        "Split each expectation at z = 0: for z > 0 SELU is lambda * z, for z <= 0 it is "
        "lambda * alpha * (exp(z) - 1). The mean condition does not involve lambda at all.",
        "Truncated normal moments: E[z; z > 0] = 1/sqrt(2 pi), E[z^2; z > 0] = 1/2, and "
        "E[exp(k z); z <= 0] = exp(k^2 / 2) * Phi(-k), with Phi(t) = erfc(-t / sqrt(2)) / 2.",
        "alpha = -E[z; z > 0] / E[exp(z) - 1; z <= 0], then "
        "lambda = 1 / sqrt(1/2 + alpha^2 * E[(exp(z) - 1)^2; z <= 0]).",
    ),
    "swiglu": (
        "Write the block's formula next to its forward pass and match them term by term: "
        "which tensor goes through SiLU?",
        "In a gated unit only the gate goes through the non-linearity; the value path stays "
        "linear, and the product of the two is what makes the block multiplicative.",
        "return self.out(F.silu(self.gate(x)) * self.value(x))",
    ),
}
