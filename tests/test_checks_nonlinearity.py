"""The non-linearity checkers accept the solutions, and reject stubs and plausible mistakes
with a message that points at the mistake."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from relu_course.checks import check_collapse, check_hat, check_xor_model


def _stub(*args):
    raise NotImplementedError()


# --- check_hat ---------------------------------------------------------------------------


def hat_solution(x):
    return torch.relu(x + 1) - 2 * torch.relu(x) + torch.relu(x - 1)


def test_check_hat_accepts_three_relus_and_prints_one_line(capsys):
    check_hat(hat_solution)
    out = capsys.readouterr().out
    assert out.startswith("✓ hat matches") and out.count("\n") == 1


def test_check_hat_accepts_any_correct_formula():
    check_hat(lambda x: torch.clamp(1 - x.abs(), min=0))


def test_check_hat_reports_a_stub_as_not_implemented():
    with pytest.raises(AssertionError, match="not implemented yet"):
        check_hat(_stub)


def test_check_hat_rejects_a_hat_that_does_not_come_back_down():
    def wrong(x):  # the last ReLU has the wrong sign: the function keeps falling after x = 1
        return torch.relu(x + 1) - 2 * torch.relu(x) - torch.relu(x - 1)

    with pytest.raises(AssertionError) as info:
        check_hat(wrong)
    message = str(info.value)
    assert "hat(x) is wrong" in message and "largest error" in message
    assert "input 10000" in message  # the worst point is far right, where it keeps falling
    assert "hint:" in message


def test_check_hat_rejects_a_ramp_that_never_comes_back_down():
    def two_relus(x):  # rises on (-1, 0), then stays at 1
        return torch.relu(x + 1) - torch.relu(x)

    with pytest.raises(AssertionError, match="hat\\(x\\) is wrong"):
        check_hat(two_relus)


def test_check_hat_requires_the_input_dtype_to_be_kept():
    with pytest.raises(AssertionError, match="dtype"):
        check_hat(lambda x: hat_solution(x).float())


def test_check_hat_rejects_an_output_cut_off_from_autograd():
    def detached(x):
        return hat_solution(x).detach()

    with pytest.raises(AssertionError, match="not connected to its input"):
        check_hat(detached)


# --- check_collapse ----------------------------------------------------------------------


def collapse_solution(first, second):
    layer = nn.Linear(first.in_features, second.out_features)
    with torch.no_grad():
        layer.weight.copy_(second.weight @ first.weight)
        layer.bias.copy_(second.weight @ first.bias + second.bias)
    return layer


def test_check_collapse_accepts_the_solution(capsys):
    check_collapse(collapse_solution)
    assert capsys.readouterr().out.startswith("✓ collapse(first, second) computes")


def test_check_collapse_reports_a_stub_as_not_implemented():
    with pytest.raises(AssertionError, match="not implemented yet"):
        check_collapse(_stub)


def test_check_collapse_catches_a_forgotten_first_bias_at_x_equal_zero():
    def wrong(first, second):
        layer = collapse_solution(first, second)
        with torch.no_grad():
            layer.bias.copy_(second.bias)  # drops W2 b1
        return layer

    with pytest.raises(AssertionError) as info:
        check_collapse(wrong)
    message = str(info.value)
    assert "collapsed(0)" in message and "W2 b1 + b2" in message


def test_check_collapse_catches_the_weights_multiplied_in_the_wrong_order():
    def wrong(first, second):
        layer = collapse_solution(first, second)
        if first.in_features == second.out_features and first.out_features == first.in_features:
            with torch.no_grad():
                layer.weight.copy_(first.weight @ second.weight)
        return layer

    with pytest.raises(AssertionError) as info:
        check_collapse(wrong)
    message = str(info.value)
    assert "collapsed(x)" in message and "mind the order" in message


def test_check_collapse_requires_an_nn_linear():
    with pytest.raises(AssertionError, match=r"should return an nn\.Linear"):
        check_collapse(lambda first, second: nn.Sequential(first, second))


def test_check_collapse_requires_the_given_layers_to_stay_unchanged():
    def in_place(first, second):
        layer = collapse_solution(first, second)
        with torch.no_grad():
            first.weight.zero_()
        return layer

    with pytest.raises(AssertionError, match="changed the weights"):
        check_collapse(in_place)


# --- check_xor_model ---------------------------------------------------------------------


def _trained_xor_net(hidden: int | None) -> nn.Module:
    from relu_course import data, models, train

    sizes = [2, hidden, 2] if hidden else [2, 2]
    net = models.mlp(sizes, seed=0)
    train.fit(net, data.xor(n=512, seed=0), epochs=60, lr=0.05, optimizer="adam")
    return net


def test_check_xor_model_accepts_a_trained_one_hidden_layer_relu_net(capsys):
    check_xor_model(_trained_xor_net(hidden=16))
    out = capsys.readouterr().out
    assert out.startswith("✓ the model classifies") and "unseen XOR points" in out


def test_check_xor_model_rejects_a_linear_model_with_its_accuracy():
    with pytest.raises(AssertionError) as info:
        check_xor_model(_trained_xor_net(hidden=None))
    message = str(info.value)
    assert "of unseen XOR points correctly; the target is 95%" in message
    assert "a linear model stays near 50%" in message


def test_check_xor_model_rejects_scores_of_the_wrong_shape():
    with pytest.raises(AssertionError, match="class scores of shape \\(2000, 2\\)"):
        check_xor_model(nn.Linear(2, 1))


def test_check_xor_model_rejects_something_that_is_not_a_module():
    with pytest.raises(AssertionError, match=r"expects a trained torch\.nn\.Module"):
        check_xor_model(hat_solution)


def test_check_xor_model_leaves_the_model_in_the_mode_it_found():
    net = nn.Sequential(nn.Linear(2, 2))
    net.train()
    with pytest.raises(AssertionError):
        check_xor_model(net)
    assert net.training
