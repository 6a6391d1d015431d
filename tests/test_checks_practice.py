"""The ReLU-in-practice chapter's checkers: solutions pass, stubs and plausible wrong answers
fail with messages that point at the mistake."""

from types import SimpleNamespace

import pytest
import torch
from torch import nn

from relu_course import activations, data, models, train
from relu_course.checks import check_cnn_training, check_feature_map_shapes, check_roofline_time


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


# --- roofline --------------------------------------------------------------------------------

def solution_roofline(n, flops_per_element, bytes_per_element, bandwidth, peak_flops):
    return max(n * bytes_per_element / bandwidth, n * flops_per_element / peak_flops)


def test_check_roofline_time_accepts_the_solution(capsys):
    check_roofline_time(solution_roofline)
    assert "memory-bound and compute-bound" in capsys.readouterr().out


def test_check_roofline_time_rejects_the_stub():
    with pytest.raises(AssertionError, match="not implemented yet"):
        check_roofline_time(stub)


@pytest.mark.parametrize(
    ("wrong", "message"),
    [
        (lambda n, f, b, bw, p: n * b / bw + n * f / p, "you added the two times"),
        (lambda n, f, b, bw, p: min(n * b / bw, n * f / p), "take the max, not the min"),
        (lambda n, f, b, bw, p: max(b / bw, f / p), "time per element"),
        (lambda n, f, b, bw, p: 1e3 * max(n * b / bw, n * f / p),
         "memory-bound(.*\n)*.*the bound is the larger"),
        (lambda n, f, b, bw, p: torch.zeros(2), "should return a number"),
    ],
    ids=["sum", "min", "per-element", "milliseconds", "tensor"],
)
def test_check_roofline_time_rejects_plausible_wrong_answers_with_a_hint(wrong, message):
    with pytest.raises(AssertionError, match=message):
        check_roofline_time(wrong)


# --- CNN training ----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def trained_cnn():
    model = models.digits_cnn(seed=0)
    history = train.fit(model, data.digits(images=True), epochs=5, lr=1e-2, optimizer="adam",
                        device="cpu", progress=False)
    return model, history


def test_check_cnn_training_accepts_a_trained_cnn(trained_cnn, capsys):
    check_cnn_training(*trained_cnn)
    assert capsys.readouterr().out.startswith("✓ test accuracy 0.9")


def test_check_cnn_training_calls_a_training_function(trained_cnn, capsys):
    check_cnn_training(lambda: trained_cnn)
    assert capsys.readouterr().out.startswith("✓ test accuracy 0.9")


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
