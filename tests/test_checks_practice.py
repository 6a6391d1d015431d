"""The ReLU-in-practice chapter's checkers: solutions pass, stubs and plausible wrong answers
fail with messages that point at the mistake."""

import inspect
import pydoc
from types import SimpleNamespace

import pytest
import torch
from torch import nn

from relu_course import activations, data, models, train
from relu_course.checks import (
    check_activation_time_bound,
    check_cnn_training,
    check_feature_map_shapes,
    check_pooled_zero_fraction,
)
from relu_course.checks import practice as practice_checks


def stub(*args, **kwargs):
    raise NotImplementedError()


# --- feature map shapes ----------------------------------------------------------------------

def solution_shapes(model, x):
    shapes = {}
    handles = [
        module.register_forward_hook(
            lambda _m, _i, out, name=name: shapes.__setitem__(name, tuple(out.shape)))
        for name, module in model.named_modules() if activations.is_activation(module)
    ]
    try:
        with torch.no_grad():
            model(x)
    finally:
        for handle in handles:
            handle.remove()
    return shapes


def test_check_feature_map_shapes_accepts_the_solution(capsys):
    check_feature_map_shapes(solution_shapes)
    assert capsys.readouterr().out.startswith("✓ feature_map_shapes finds every activation")


def test_check_feature_map_shapes_rejects_the_stub():
    with pytest.raises(AssertionError, match="not implemented yet"):
        check_feature_map_shapes(stub)


def test_check_feature_map_shapes_rejects_hooks_left_on_the_model():
    def leaky_hooks(model, x):
        shapes = {}
        for name, module in model.named_modules():
            if activations.is_activation(module):
                module.register_forward_hook(
                    lambda _m, _i, out, name=name: shapes.__setitem__(name, tuple(out.shape)))
        model(x)
        return shapes

    with pytest.raises(AssertionError, match=r"left \d+ hook\(s\)(.*\n)*.*handle\.remove\(\)"):
        check_feature_map_shapes(leaky_hooks)


def test_check_feature_map_shapes_rejects_hooking_every_layer():
    def every_layer(model, x):
        shapes = {}
        handles = [m.register_forward_hook(
            lambda _m, _i, out, name=name: shapes.__setitem__(name, tuple(out.shape)))
            for name, m in model.named_children()]
        model(x)
        for handle in handles:
            handle.remove()
        return shapes

    with pytest.raises(AssertionError, match=r"wrong layers(.*\n)*.*not activation layers"):
        check_feature_map_shapes(every_layer)


def test_check_feature_map_shapes_rejects_shapes_without_the_batch_dimension():
    def no_batch(model, x):
        return {k: v[1:] for k, v in solution_shapes(model, x).items()}

    with pytest.raises(AssertionError, match=r"output shape of layer 'act0'"):
        check_feature_map_shapes(no_batch)


# --- pooled zeros (predict, then run) ---------------------------------------------------------

def test_check_pooled_zero_fraction_accepts_the_solution(capsys):
    check_pooled_zero_fraction(lambda p, k=2: p ** (k * k))
    assert capsys.readouterr().out.startswith("✓ pooled_zero_fraction is right")


def test_check_pooled_zero_fraction_rejects_the_stub():
    with pytest.raises(AssertionError, match="not implemented yet"):
        check_pooled_zero_fraction(stub)


@pytest.mark.parametrize(
    ("wrong", "message"),
    [
        (lambda p, k=2: p, "pooling does not keep the fraction"),
        (lambda p, k=2: 1 - (1 - p) ** (k * k), "what a minimum would need"),
        (lambda p, k=2: p**k, "k \\* k values, not k"),
        (lambda p, k=2: p / (k * k), "not an average"),
        (lambda p, k=2: p**4, "p=0.8, k=3(.*\n)*.*multiply their probabilities"),
        (lambda p, k=2: "small", "should return a number"),
    ],
    ids=["same-fraction", "any-zero", "side-not-area", "average", "fixed-window", "text"],
)
def test_check_pooled_zero_fraction_names_the_misconception(wrong, message):
    with pytest.raises(AssertionError, match=message):
        check_pooled_zero_fraction(wrong)


# --- roofline bound for any element type ------------------------------------------------------

def solution_bound(n, dtype, direction, flops, bandwidth, peak):
    item = torch.empty((), dtype=dtype).element_size()
    tensors = 2 if direction == "forward" else 3
    return max(n * tensors * item / bandwidth, n * flops / peak)


def test_check_activation_time_bound_accepts_the_solution(capsys):
    check_activation_time_bound(solution_bound)
    assert "memory-bound and compute-bound" in capsys.readouterr().out


def test_check_activation_time_bound_rejects_the_stub():
    with pytest.raises(AssertionError, match="not implemented yet"):
        check_activation_time_bound(stub)


def _traffic(n, tensors, item, flops, bw, peak):
    return max(n * tensors * item / bw, n * flops / peak)


def _item(dtype):
    return torch.empty((), dtype=dtype).element_size()


@pytest.mark.parametrize(
    ("wrong", "message"),
    [
        (lambda n, d, r, f, bw, p: _traffic(n, 2 if r == "forward" else 3, 4, f, bw, p),
         "bfloat16 has 2 bytes per element, not 4"),
        (lambda n, d, r, f, bw, p: _traffic(n, 3 if r == "forward" else 2, _item(d), f, bw, p),
         "forward pass moves two tensors"),
        (lambda n, d, r, f, bw, p: n * (2 if r == "forward" else 3) * _item(d) / bw + n * f / p,
         "you added the two times"),
        (lambda n, d, r, f, bw, p: min(n * (2 if r == "forward" else 3) * _item(d) / bw,
                                       n * f / p), "take the max, not the min"),
        (lambda n, d, r, f, bw, p: solution_bound(n, d, r, f, bw, p) / n, "time per element"),
        (lambda n, d, r, f, bw, p: 1e3 * solution_bound(n, d, r, f, bw, p),
         "the bound is the larger"),
        (lambda n, d, r, f, bw, p: torch.zeros(2), "should return a number"),
    ],
    ids=["four-bytes", "swapped-passes", "sum", "min", "per-element", "milliseconds", "tensor"],
)
def test_check_activation_time_bound_names_the_misconception(wrong, message):
    with pytest.raises(AssertionError, match=message):
        check_activation_time_bound(wrong)


# --- no answers in help() --------------------------------------------------------------------

@pytest.mark.parametrize("checker", [check_feature_map_shapes, check_pooled_zero_fraction,
                                     check_activation_time_bound, check_cnn_training])
def test_help_of_a_checker_shows_no_answer(checker):
    text = pydoc.render_doc(checker, renderer=pydoc.plaintext)
    for answer in ("p ** (k * k)", "element_size()", "register_forward_hook(", "lr=1e-2, "
                   "optimizer"):
        assert answer not in text, answer


def test_the_first_screen_of_the_module_shows_no_hint():
    first_screen = "\n".join(inspect.getsource(practice_checks).splitlines()[:60])
    for rung in (r for ladder in practice_checks.HINTS.values() for r in ladder):
        assert rung not in first_screen


# --- CNN training ----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def trained_cnn():
    model = models.digits_cnn(seed=0)
    history = train.fit(model, data.digits(images=True), epochs=5, lr=1e-2, optimizer="adam",
                        device="cpu", progress=False)
    return model, history


def test_check_cnn_training_accepts_a_trained_cnn(trained_cnn, capsys):
    check_cnn_training(*trained_cnn)
    assert capsys.readouterr().out.startswith("✓ test accuracy above the 95% target")


def test_check_cnn_training_calls_a_training_function(trained_cnn, capsys):
    check_cnn_training(lambda: trained_cnn)
    assert capsys.readouterr().out.startswith("✓ test accuracy above the 95% target")


def test_check_cnn_training_rejects_a_stub_training_function():
    with pytest.raises(AssertionError, match="not implemented yet"):
        check_cnn_training(stub)


def test_check_cnn_training_rejects_a_function_that_returns_only_the_model(trained_cnn):
    with pytest.raises(AssertionError, match=r"return the pair \(model, history\)"):
        check_cnn_training(lambda: trained_cnn[0])


def test_check_cnn_training_rejects_an_untrained_cnn_on_accuracy():
    untrained = models.digits_cnn(seed=0)
    with pytest.raises(AssertionError, match=r"below the target 0\.95"):
        check_cnn_training(untrained, SimpleNamespace(epochs_run=0))


def test_check_cnn_training_rejects_too_many_epochs(trained_cnn):
    with pytest.raises(AssertionError, match="trained for 30 epochs; the budget is 10"):
        check_cnn_training(trained_cnn[0], SimpleNamespace(epochs_run=30))


def test_check_cnn_training_rejects_an_mlp():
    mlp = models.mlp([64, 32, 10], seed=0)
    with pytest.raises(AssertionError, match=r"no convolution"):
        check_cnn_training(mlp, SimpleNamespace(epochs_run=1))


def test_check_cnn_training_rejects_a_cnn_without_relu():
    with pytest.raises(AssertionError, match="no ReLU"):
        check_cnn_training(models.digits_cnn(activation="tanh", seed=0),
                           SimpleNamespace(epochs_run=1))


def test_check_cnn_training_rejects_swapped_arguments(trained_cnn):
    model, history = trained_cnn
    with pytest.raises(AssertionError, match=r"should be the trained model"):
        check_cnn_training(history, model)


def test_check_cnn_training_explains_a_model_that_fails_on_the_test_images():
    wrong_size = nn.Sequential(nn.Conv2d(1, 2, 3), nn.ReLU(), nn.Flatten(), nn.Linear(10, 10))
    with pytest.raises(AssertionError, match=r"raised RuntimeError on the digits' test images"):
        check_cnn_training(wrong_size, SimpleNamespace(epochs_run=1))
