"""The Variants chapter's checkers: solutions pass, stubs and plausible wrong answers fail
with messages that point at the mistake."""

import math

import pytest
import torch
from torch import nn

from relu_course import data
from relu_course.checks import check_elu, check_prelu_training, check_selu_constants


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


# --- PReLU training --------------------------------------------------------------------------

def _prelu_net(seed=0):
    torch.manual_seed(seed)
    return nn.Sequential(nn.Linear(64, 64), nn.PReLU(), nn.Linear(64, 10))


def _train(model, epochs=40):
    split = data.digits()
    opt = torch.optim.Adam(model.parameters(), lr=1e-2)
    for _ in range(epochs):  # full batch: a few hundred milliseconds
        loss = nn.functional.cross_entropy(model(split.X_train), split.y_train)
        opt.zero_grad()
        loss.backward()
        opt.step()
    return model


def test_check_prelu_training_accepts_a_trained_prelu_network(capsys):
    check_prelu_training(_train(_prelu_net()))
    assert capsys.readouterr().out.startswith("✓ test accuracy 0.9")


def test_check_prelu_training_calls_a_training_function_and_checks_its_model(capsys):
    check_prelu_training(lambda: _train(_prelu_net()))
    assert capsys.readouterr().out.startswith("✓ test accuracy 0.9")


def test_check_prelu_training_rejects_a_stub_training_function():
    with pytest.raises(AssertionError, match="not implemented yet"):
        check_prelu_training(stub)


def test_check_prelu_training_rejects_an_untrained_network_because_slopes_did_not_move():
    with pytest.raises(AssertionError, match=r"still at their initial value 0\.25"):
        check_prelu_training(_prelu_net())


def test_check_prelu_training_rejects_a_network_without_prelu():
    relu_net = _train(nn.Sequential(nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 10)))
    with pytest.raises(AssertionError, match="no PReLU module"):
        check_prelu_training(relu_net)


def test_check_prelu_training_rejects_slopes_set_by_hand_on_an_untrained_network():
    model = _prelu_net()
    with torch.no_grad():
        model[1].weight.fill_(0.1)
    with pytest.raises(AssertionError, match=r"below the target 0\.90"):
        check_prelu_training(model)


def test_check_prelu_training_rejects_something_that_is_not_a_model():
    with pytest.raises(AssertionError, match=r"nn\.Module"):
        check_prelu_training(0.95)
