"""The Variants chapter's checkers: solutions pass, stubs and plausible wrong answers fail
with messages that point at the mistake."""

import inspect
import math
import pydoc

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from relu_course.checks import check_elu, check_selu_constants, check_swiglu
from relu_course.checks import variants as variants_checks


def stub(*args, **kwargs):
    raise NotImplementedError()


# --- ELU -------------------------------------------------------------------------------------

def solution_elu(x, alpha=1.0):
    return torch.where(x > 0, x, alpha * torch.expm1(torch.clamp(x, max=0)))


def test_check_elu_accepts_the_solution_and_confirms(capsys):
    check_elu(solution_elu)
    assert capsys.readouterr().out.startswith("✓ my_elu matches F.elu")


def test_check_elu_accepts_the_right_derivative_at_zero_as_well():
    # x >= 0 picks the identity branch at 0: derivative 1 there, the other one-sided value.
    check_elu(lambda x, alpha=1.0: torch.where(x >= 0, x, alpha * torch.expm1(x.clamp(max=0))))


def test_check_elu_rejects_the_stub_saying_it_is_not_implemented():
    with pytest.raises(AssertionError, match="not implemented yet"):
        check_elu(stub)


@pytest.mark.parametrize(
    ("wrong", "message"),
    [
        (lambda x, alpha=1.0: torch.where(x > 0, x, alpha * (torch.exp(x) - 1)),
         "gradient .* is not finite(.*\n)*.*torch.clamp"),
        (lambda x, alpha=1.0: torch.where(x > 0, x, torch.exp(x.clamp(max=0)) - 1),
         "alpha=0.5\\) is wrong(.*\n)*.*tends to -alpha"),
        (lambda x, alpha=1.0: torch.where(x > 0, x, alpha * torch.exp(x.clamp(max=0))),
         "is wrong"),
        (lambda x, alpha=1.0: (x > 0) * x + (x <= 0) * alpha * (torch.exp(x) - 1),
         "returns NaN"),
        (lambda x, alpha=1.0: torch.where(x > 0, x, alpha * torch.expm1(x.clamp(max=0))).float(),
         "dtype"),
        (lambda x, alpha=1.0: torch.where(x > 0, x, alpha * torch.expm1(x.clamp(max=0)).detach()),
         "gradient of my_elu\\(x, alpha=1.0\\) is wrong(.*\n)*.*alpha \\* exp\\(x\\)"),
    ],
    ids=["exp-in-where", "forgot-alpha", "forgot-minus-one", "mask-multiply", "float32-cast",
         "detached-branch"],
)
def test_check_elu_rejects_plausible_wrong_answers_with_a_hint(wrong, message):
    with pytest.raises(AssertionError, match=message):
        check_elu(wrong)


def test_check_elu_rejects_an_in_place_answer():
    def in_place(x, alpha=1.0):
        neg = x <= 0
        x[neg] = alpha * torch.expm1(x[neg])
        return x

    with pytest.raises(AssertionError, match="changed its input in place"):
        check_elu(in_place)


# --- SELU constants --------------------------------------------------------------------------

def solution_selu_constants():
    phi = lambda t: 0.5 * math.erfc(-t / math.sqrt(2))  # noqa: E731  (standard normal CDF)
    mean_pos = 1 / math.sqrt(2 * math.pi)  # E[z; z > 0]
    mean_neg = math.exp(0.5) * phi(-1) - 0.5  # E[exp(z) - 1; z <= 0]
    alpha = -mean_pos / mean_neg
    second_neg = math.exp(2) * phi(-2) - 2 * math.exp(0.5) * phi(-1) + 0.5
    lam = 1 / math.sqrt(0.5 + alpha**2 * second_neg)
    return alpha, lam


def test_check_selu_constants_accepts_the_derivation(capsys):
    check_selu_constants(solution_selu_constants)
    assert "alpha = 1.673263, lambda = 1.050701" in capsys.readouterr().out


def test_check_selu_constants_rejects_the_stub():
    with pytest.raises(AssertionError, match="not implemented yet"):
        check_selu_constants(stub)


@pytest.mark.parametrize(
    ("wrong", "message"),
    [
        (lambda: solution_selu_constants()[::-1], "order is swapped"),
        (lambda: (solution_selu_constants()[0], solution_selu_constants()[1] ** 2),
         "lambda squared"),
        (lambda: (1.0, 1.0), "alpha is wrong(.*\n)*.*mean condition"),
        # Variance condition with the positive half only: lambda = sqrt(2).
        (lambda: (solution_selu_constants()[0], math.sqrt(2)), "lambda is wrong"),
        (lambda: 1.6733, "should return a pair"),
    ],
    ids=["swapped", "lambda-squared", "unit-constants", "positive-half-only", "one-number"],
)
def test_check_selu_constants_rejects_wrong_constants_with_a_hint(wrong, message):
    with pytest.raises(AssertionError, match=message):
        check_selu_constants(wrong)


# --- SwiGLU (debug) -------------------------------------------------------------------------

class PlantedSwiGLU(nn.Module):
    """The lab's block with its planted fault: SiLU of the product."""

    def __init__(self, d_model, d_hidden):
        super().__init__()
        self.gate = nn.Linear(d_model, d_hidden, bias=False)
        self.value = nn.Linear(d_model, d_hidden, bias=False)
        self.out = nn.Linear(d_hidden, d_model, bias=False)

    def forward(self, x):
        return self.out(F.silu(self.gate(x) * self.value(x)))


def _variant(forward):
    return type("Learner", (PlantedSwiGLU,), {"forward": forward})


def test_check_swiglu_accepts_the_fixed_block(capsys):
    check_swiglu(_variant(lambda self, x: self.out(F.silu(self.gate(x)) * self.value(x))))
    assert capsys.readouterr().out.startswith("✓ the block computes")


def test_check_swiglu_rejects_the_stub_saying_it_is_not_implemented():
    def forward(self, x):
        raise NotImplementedError()

    with pytest.raises(AssertionError, match="not implemented yet"):
        check_swiglu(_variant(forward))


@pytest.mark.parametrize(
    ("forward", "message"),
    [
        (PlantedSwiGLU.forward, "SiLU is applied to the product"),
        (lambda self, x: self.out(torch.sigmoid(self.gate(x)) * self.value(x)),
         "original GLU"),
        (lambda self, x: self.out(F.silu(self.value(x)) * self.gate(x)), "swapped"),
        (lambda self, x: self.out(F.relu(self.gate(x)) * self.value(x)), "ReGLU"),
        (lambda self, x: self.out(F.silu(self.gate(x))), "value path is missing"),
        (lambda self, x: self.out(F.silu(self.gate(x)) + self.value(x)), "added"),
        (lambda self, x: self.out(self.gate(x) * self.value(x)), "bilinear"),
        (lambda self, x: self.out(F.gelu(self.gate(x)) * self.value(x)),
         "compare it with the forward pass term by term"),
    ],
    ids=["planted-fault", "sigmoid-gate", "swapped", "relu-gate", "no-value", "sum",
         "linear-gate", "other"],
)
def test_check_swiglu_names_the_misconception_of_each_wrong_block(forward, message):
    with pytest.raises(AssertionError, match=message):
        check_swiglu(_variant(forward))


def test_check_swiglu_wants_the_class_with_its_three_layers():
    with pytest.raises(AssertionError, match="the class of your block"):
        check_swiglu(PlantedSwiGLU(4, 8))

    class Renamed(nn.Module):
        def __init__(self, d_model, d_hidden):
            super().__init__()
            self.w1 = nn.Linear(d_model, d_hidden, bias=False)

        def forward(self, x):
            return x

    with pytest.raises(AssertionError, match=r"named \['gate', 'value', 'out'\]"):
        check_swiglu(Renamed)


# --- no answers in help() --------------------------------------------------------------------

@pytest.mark.parametrize("checker", [check_elu, check_selu_constants, check_swiglu])
def test_help_of_a_checker_shows_no_answer(checker):
    text = pydoc.render_doc(checker, renderer=pydoc.plaintext)
    for answer in ("1.6732", "1.0507", "clamp(x, max=0)", "F.silu(self.gate(x)) * self.value",
                   "exp(0.5)", "erfc"):
        assert answer not in text, answer


def test_the_first_screen_of_the_module_shows_no_hint():
    first_screen = "\n".join(inspect.getsource(variants_checks).splitlines()[:60])
    for rung in (r for ladder in variants_checks.HINTS.values() for r in ladder):
        assert rung not in first_screen
