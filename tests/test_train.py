"""relu_course.train: fit learns, stops plainly on divergence, is deterministic and quiet."""

from __future__ import annotations

import math
import os
import subprocess
import sys
import warnings

import pytest
import torch
from torch import nn

from relu_course import data, models, train

DEVICES = ["cpu", *(["cuda"] if torch.cuda.is_available() else [])]


@pytest.fixture(autouse=True, scope="module")
def one_thread():
    """Train on one CPU thread: these models are tiny, and on a busy two-core machine
    OpenMP's second thread makes each step up to 20x slower instead of faster."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


@pytest.fixture(scope="module")
def moons():
    return data.two_moons(512, noise=0.1, seed=0)


def test_fit_reaches_97_percent_training_accuracy_on_two_moons_in_seconds(moons):
    model = models.mlp([2, 32, 32, 2], seed=0)
    history = train.fit(model, moons, epochs=30, lr=0.01, optimizer="adam", device="cpu")
    assert history.final["train_acc"] >= 0.97
    assert history.train_loss[-1] < history.train_loss[0]
    assert history.seconds < 10  # about a second on one idle core
    assert train.accuracy(model, *moons) == history.final["train_acc"]


def test_fit_with_plain_sgd_and_momentum_also_learns(moons):
    model = models.mlp([2, 32, 32, 2], seed=0)
    history = train.fit(model, moons, epochs=30, lr=0.05, momentum=0.9, device="cpu")
    assert history.final["train_acc"] >= 0.97


def test_divergence_stops_training_and_says_where_and_why(moons, capsys):
    model = models.mlp([2, 32, 32, 2], seed=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no warning either
        history = train.fit(model, moons, epochs=10, lr=1e6, device="cpu", probes=["dead"])
    assert history.diverged and history.stopped_epoch == 1 and history.epochs_run == 1
    assert not math.isfinite(history.train_loss[-1])
    reason = history.stop_reason
    assert "epoch 1 of 10" in reason and "1e+06" in reason and "smaller learning rate" in reason
    assert history.probes["dead"] == []  # probes skip the epoch that diverged
    assert reason in history.to_text() and "diverged at epoch 1" in str(history)
    assert capsys.readouterr() == ("", "")


def test_a_run_that_does_not_diverge_has_no_stop_reason(moons):
    history = train.fit(models.mlp([2, 8, 2], seed=0), moons, epochs=2, device="cpu")
    assert not history.diverged and history.stopped_epoch is None and history.stop_reason is None
    assert history.epochs_run == 2 == len(history.train_loss)


def test_same_seed_gives_the_same_history_and_another_seed_another(moons):
    def run(seed):
        model = models.mlp([2, 16, 2], dropout=0.2, seed=1)
        return train.fit(model, moons, epochs=3, lr=0.1, seed=seed, device="cpu")

    a, b, c = run(0), run(0), run(1)
    assert a.train_loss == b.train_loss and a.train_acc == b.train_acc
    assert a.train_loss != c.train_loss


def test_fit_leaves_the_global_random_state_and_the_model_mode_alone(moons):
    model = models.mlp([2, 8, 2], dropout=0.5, seed=0).eval()
    torch.manual_seed(0)
    expected = torch.rand(2)
    torch.manual_seed(0)
    train.fit(model, moons, epochs=1, device="cpu")
    assert torch.equal(torch.rand(2), expected)
    assert not model.training


def test_a_split_gives_validation_metrics_every_epoch():
    split = data.split(*data.blobs(300), seed=0)
    history = train.fit(models.mlp([2, 16, 3], seed=0), split, epochs=4, device="cpu")
    assert len(history.val_loss) == len(history.val_acc) == 4
    assert history.final["val_acc"] == train.accuracy(
        models.mlp([2, 16, 3], seed=0), *split.test) or history.final["val_acc"] > 0.9


def test_regression_uses_mse_and_records_no_accuracy():
    x, y = data.sine(128)
    model = models.mlp([1, 32, 32, 1], seed=0)
    history = train.fit(model, (x, y), epochs=100, lr=0.01, optimizer="adam", device="cpu")
    assert history.train_acc == [] and "train_acc" not in history.final
    assert history.train_loss[-1] < 0.1 * history.train_loss[0]
    with torch.no_grad():
        expected = float(nn.functional.mse_loss(model(x), y))
    assert history.train_loss[-1] == pytest.approx(expected, rel=1e-5)


def test_a_custom_loss_is_used(moons):
    calls = []

    def loss(out, target):
        calls.append(len(target))
        return nn.functional.cross_entropy(out, target)

    train.fit(models.mlp([2, 4, 2], seed=0), moons, epochs=1, batch_size=512, loss=loss,
              device="cpu")
    assert calls[0] == 512


def test_named_and_custom_probes_record_one_value_per_epoch(moons):
    model = models.mlp([2, 8, 8, 2], seed=0)
    history = train.fit(model, moons, epochs=3, device="cpu",
                        probes=["dead", "sparsity", "grad_norms", "stats"])
    assert list(history.probes["dead"][0]) == ["act0", "act1"]
    assert list(history.probes["grad_norms"][0]) == ["linear0", "linear1", "linear2"]
    assert all(len(values) == 3 for values in history.probes.values())
    assert 0 <= history.probes["sparsity"][-1]["act1"] <= 1
    custom = train.fit(model, moons, epochs=2, device="cpu",
                       probes={"rows": lambda m, X: len(X)})
    assert custom.probes["rows"] == [512, 512]


def test_rows_and_table_hold_one_line_per_epoch_with_probe_columns(moons):
    history = train.fit(models.mlp([2, 8, 2], seed=0), data.split(*moons), epochs=3,
                        device="cpu", probes=["sparsity"])
    rows = history.rows()
    assert [r["epoch"] for r in rows] == [1, 2, 3]
    assert set(rows[0]) == {"epoch", "train_loss", "train_acc", "val_loss", "val_acc",
                            "sparsity.act0"}
    lines = history.to_text().splitlines()
    assert len(lines) == 4 and lines[0].split()[0] == "epoch"
    assert len({len(line) for line in lines}) == 1  # aligned
    assert str(history).startswith("History(3 epochs, train_loss ")
    assert repr(history) == str(history)  # no wall time in what a notebook displays


@pytest.mark.parametrize(
    "kwargs, error, words",
    [
        ({"optimizer": "rmsprop"}, ValueError, "sgd"),
        ({"epochs": 0}, ValueError, "epochs"),
        ({"lr": -1.0}, ValueError, "lr"),
        ({"batch_size": 1.5}, TypeError, "batch_size"),
        ({"probes": ["deadness"]}, ValueError, "sparsity"),
        ({"progress": "yes"}, TypeError, "progress"),
    ],
)
def test_bad_arguments_are_rejected_naming_what_is_accepted(moons, kwargs, error, words):
    with pytest.raises(error, match=words):
        train.fit(models.mlp([2, 4, 2]), moons, device="cpu", **kwargs)


def test_bad_data_is_rejected():
    with pytest.raises(TypeError, match="Split"):
        train.fit(models.mlp([2, 4, 2]), [[0.0, 1.0]], device="cpu")


def test_no_progress_bar_by_default_under_tests_and_one_when_forced(moons, capsys):
    train.fit(models.mlp([2, 4, 2]), moons, epochs=2, device="cpu")
    assert capsys.readouterr().err == ""
    train.fit(models.mlp([2, 4, 2]), moons, epochs=2, device="cpu", progress=True)
    assert "2/2" in capsys.readouterr().err


@pytest.mark.parametrize(
    "env, expected",
    [
        ({"RELU_COURSE_PROGRESS": "1"}, True),
        ({"RELU_COURSE_PROGRESS": "0"}, False),
        ({"CI": "true"}, False),
        ({"PYTEST_CURRENT_TEST": "x"}, False),
        ({}, False),  # stderr captured by pytest: not a TTY
    ],
)
def test_progress_rule_follows_environment(monkeypatch, env, expected):
    for name in ("RELU_COURSE_PROGRESS", "CI", "PYTEST_CURRENT_TEST"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert train._show_progress(None) is expected
    assert train._show_progress(False) is False


def test_progress_auto_shows_a_bar_on_a_terminal_only(monkeypatch):
    for name in ("RELU_COURSE_PROGRESS", "CI", "PYTEST_CURRENT_TEST"):
        monkeypatch.delenv(name, raising=False)

    class Terminal:
        def isatty(self) -> bool:
            return True

    monkeypatch.setattr(sys, "stderr", Terminal())
    assert train._show_progress(None) is True


def test_evaluate_and_accuracy_on_a_hand_built_classifier():
    model = nn.Linear(2, 2)
    with torch.no_grad():
        model.weight.copy_(torch.eye(2))
        model.bias.zero_()
    X = torch.tensor([[1.0, 0.0], [0.0, 1.0], [3.0, 2.0], [0.0, 0.0]])
    y = torch.tensor([0, 1, 1, 0])
    loss, acc = train.evaluate(model, X, y)
    assert acc == 0.75  # (3, 2) is called class 0; the tie at (0, 0) goes to class 0
    with torch.no_grad():
        assert loss == pytest.approx(float(nn.functional.cross_entropy(model(X), y)))
    with pytest.raises(ValueError, match="integer class labels"):
        train.accuracy(model, X, torch.zeros(4, 2))


def test_importing_train_loads_neither_matplotlib_nor_sklearn():
    code = ("import sys, relu_course.train; "
            "print([m for m in ('matplotlib', 'sklearn') if m in sys.modules])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, env={**os.environ, "OMP_NUM_THREADS": "1"})
    assert out.stdout.strip() == "[]"


@pytest.mark.parametrize("device", DEVICES)
def test_fit_runs_on_every_available_device(device):
    split = data.digits(images=True)
    model = models.digits_cnn(channels=(4, 8), seed=0)
    history = train.fit(model, split, epochs=2, lr=0.01, optimizer="adam", device=device,
                        probes=["dead"])
    assert next(model.parameters()).device.type == device
    assert history.final["val_acc"] > 0.5
