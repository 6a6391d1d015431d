"""The Definition chapter's checkers: solutions pass, stubs and plausible wrong answers fail
with messages that point at the mistake."""

import pytest
import torch

from relu_course.checks import check_relu, check_relu_backward


def solution_relu(x):
    return torch.where(x < 0, torch.zeros_like(x), x)


def solution_backward(grad_output, x):
    return torch.where(x > 0, grad_output, torch.zeros_like(grad_output))


def stub(*args):
    raise NotImplementedError()


def test_check_relu_accepts_the_solution_and_confirms(capsys):
    check_relu(solution_relu)
    assert capsys.readouterr().out.startswith("✓ my_relu matches torch.relu")


def test_check_relu_rejects_the_stub_saying_it_is_not_implemented():
    with pytest.raises(AssertionError, match="not implemented yet"):
        check_relu(stub)


@pytest.mark.parametrize(
    ("wrong", "message"),
    [
        (lambda x: torch.where(x > 0, x, torch.zeros_like(x)), "swallows NaN"),
        (lambda x: x * (x > 0), "0 \\* inf is NaN"),
        (lambda x: (x + x.abs()) / 2, "returns NaN for an input that is not NaN"),
        (lambda x: x.abs(), "negative inputs map to 0"),
        (lambda x: x.clamp_(min=0), "changed its input in place"),
        (lambda x: torch.where(x < 0, 0.0, x).float(), "dtype"),
    ],
    ids=["where-x-gt-0", "mask-multiply", "abs-formula", "abs", "in-place", "float32-cast"],
)
def test_check_relu_rejects_plausible_wrong_answers_with_a_hint(wrong, message):
    with pytest.raises(AssertionError, match=message):
        check_relu(wrong)


def test_check_relu_backward_accepts_the_solution(capsys):
    check_relu_backward(solution_backward)
    assert "including at x = 0" in capsys.readouterr().out


def test_check_relu_backward_rejects_the_stub():
    with pytest.raises(AssertionError, match="not implemented yet"):
        check_relu_backward(stub)


def test_check_relu_backward_rejects_gradient_through_the_kink():
    with pytest.raises(AssertionError, match=r"at x = 0.*\n(.*\n)*.*use `x > 0`, not `x >= 0`"):
        check_relu_backward(lambda g, x: g * (x >= 0))


def test_check_relu_backward_rejects_returning_the_mask_instead_of_the_product():
    with pytest.raises(AssertionError, match="multiply grad_output"):
        check_relu_backward(lambda g, x: (x > 0).to(g.dtype))
