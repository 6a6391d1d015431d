"""Every figure of the book is created, labelled, drawable, and free of pyplot state."""

from __future__ import annotations

import dataclasses
import math
import subprocess
import sys

import numpy as np
import pytest
import torch
from IPython.core.formatters import PNGFormatter
from matplotlib.figure import Figure
from torch import nn

from relu_course.activations import FUNCTIONS
from relu_course.data import split, two_moons
from relu_course.geometry import ClassGrid
from relu_course.plotting import (
    PALETTE,
    plot_activations,
    plot_bars,
    plot_decision_regions,
    plot_function_fit,
    plot_history,
    plot_layer_stats,
    plot_linear_regions,
    plot_sweep,
)
from relu_course.probes import linear_regions
from relu_course.train import fit

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def _relu_net(n_out: int = 2, seed: int = 0) -> nn.Module:
    torch.manual_seed(seed)
    return nn.Sequential(
        nn.Linear(2, 8), nn.ReLU(), nn.Linear(8, 8), nn.ReLU(), nn.Linear(8, n_out)
    )


@pytest.fixture(scope="module")
def histories():
    data = split(*two_moons(n=64), seed=0)
    good = fit(_relu_net(), data, epochs=3, lr=0.1, progress=False)
    # A diverged run as fit reports it: the loss turned infinite in the second epoch.
    bad = dataclasses.replace(
        good,
        train_loss=[0.7, math.inf],
        train_acc=[0.5, 0.5],
        val_loss=[0.7],
        val_acc=[0.5],
        epochs_run=2,
        diverged=True,
        stopped_epoch=2,
    )
    return good, bad


def _labels(fig: Figure) -> list[tuple[str, str]]:
    return [(ax.get_xlabel(), ax.get_ylabel()) for ax in fig.axes]


# ------------------------------------------------------------------------------ every figure

FIGURES = {
    "activations": (lambda h: plot_activations(["relu", "gelu"]), 2),
    "activations_no_derivative": (lambda h: plot_activations("relu", derivative=False), 1),
    "history": (lambda h: plot_history(h[0]), 2),
    "history_runs": (lambda h: plot_history({"lr=0.1": h[0], "lr=100": h[1]}), 2),
    "layer_stats": (lambda h: plot_layer_stats({"act0": 0.5, "act1": 0.4}, "sparsity"), 1),
    "decision_regions": (
        lambda h: plot_decision_regions(
            _relu_net(), torch.randn(30, 2), torch.randint(0, 2, (30,)), resolution=40
        ),
        1,
    ),
    "linear_regions": (lambda h: plot_linear_regions(_relu_net(), resolution=40), 1),
    "function_fit": (lambda h: plot_function_fit([0.0, 1.0, 2.0], [0, 1, 4], [0, 1.5, 3.5]), 1),
    "sweep": (lambda h: plot_sweep([1, 2, 3], {"a": [1, 2, 3]}, "width", "loss"), 1),
    "bars": (lambda h: plot_bars(["a", "b"], [1.0, 2.0], ylabel="time (ms)"), 1),
}


@pytest.mark.parametrize("name", sorted(FIGURES))
def test_every_plot_returns_a_labelled_figure_that_renders_to_png(name, histories):
    build, n_axes = FIGURES[name]
    fig = build(histories)
    assert isinstance(fig, Figure)
    assert len(fig.axes) == n_axes
    for xlabel, ylabel in _labels(fig):
        assert ylabel
        assert xlabel or name == "bars"  # bars are labelled by their names along x
    assert fig.get_facecolor() == (1.0, 1.0, 1.0, 1.0)  # opaque white: readable on dark pages
    assert fig._repr_png_().startswith(PNG_MAGIC)


def test_figures_display_as_png_in_ipython_without_pyplot():
    # IPython's own PNG formatter is what a notebook and myst-nb's glue call.
    data = PNGFormatter()(plot_bars(["a"], [1.0], ylabel="value"))
    assert data is not None and data.startswith(PNG_MAGIC)


def test_only_plotting_imports_matplotlib_and_it_never_touches_pyplot():
    code = """
import sys
import torch
import relu_course, relu_course.activations, relu_course.data, relu_course.device
import relu_course.init, relu_course.models, relu_course.probes, relu_course.report
import relu_course.train
loaded = sorted(m for m in sys.modules if m.split(".")[0] == "matplotlib")
assert not loaded, f"importing relu_course (not plotting) imported {loaded[:3]}"
from relu_course import plotting as p
p.plot_bars(["a"], [1.0], ylabel="s")._repr_png_()
p.plot_linear_regions(torch.nn.Sequential(torch.nn.Linear(2, 4), torch.nn.ReLU()),
                      resolution=20)._repr_png_()
assert "matplotlib.pyplot" not in sys.modules, "plotting imported pyplot"
"""
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr


def test_palette_is_okabe_ito():
    assert PALETTE == (
        "#0072B2",
        "#E69F00",
        "#009E73",
        "#D55E00",
        "#CC79A7",
        "#56B4E9",
        "#000000",
        "#F0E442",
    )


# ------------------------------------------------------------------------------ activations


def test_plot_activations_draws_every_registry_activation():
    fig = plot_activations(list(FUNCTIONS))
    f_lines = [line for line in fig.axes[0].get_lines() if not line.get_label().startswith("_")]
    assert len(f_lines) == len(FUNCTIONS)


def test_plot_activations_marks_the_relu_kink_with_the_value_used_at_zero():
    fig = plot_activations("relu")
    points = {
        (
            float(line.get_xdata()[0]),
            float(line.get_ydata()[i]),
            line.get_markerfacecolor() == "white",
        )
        for line in fig.axes[1].get_lines()
        if line.get_linestyle() == "None"
        for i in range(len(line.get_ydata()))
    }
    # open circles at the one-sided limits 0 and 1, a filled dot at relu'(0) = 0
    assert points == {(0.0, 0.0, True), (0.0, 1.0, True), (0.0, 0.0, False)}


def test_plot_activations_takes_a_tuple_of_names_as_a_list():
    fig = plot_activations(("relu", "elu", "silu"), derivative=False)
    assert [line.get_label() for line in fig.axes[0].get_lines()][:3] == ["ReLU", "ELU", "SiLU"]


def test_plot_activations_takes_a_triple_and_autograd_supplies_a_missing_derivative():
    fig = plot_activations(("square", lambda x: x * x, None), x_range=(-2, 2))
    line = fig.axes[1].get_lines()[0]
    np.testing.assert_allclose(line.get_ydata(), 2 * np.asarray(line.get_xdata()), atol=1e-12)
    assert line.get_label() == "square"


@pytest.mark.parametrize(
    ("arg", "kwargs", "error", "match"),
    [
        ("swish", {}, ValueError, "unknown activation 'swish'"),
        (("f", "not callable", None), {}, TypeError, "must be callable"),
        (42, {}, TypeError, "an activation name"),
        (["relu", 42], {}, TypeError, "registry name"),
        ([], {}, TypeError, "non-empty"),
        ("relu", {"x_range": (3, -3)}, ValueError, "low < high"),
        ("relu", {"derivative": "yes"}, TypeError, "True or False"),
        ("relu", {"title": 5}, TypeError, "title must be a string"),
    ],
)
def test_plot_activations_rejects_bad_input_clearly(arg, kwargs, error, match):
    with pytest.raises(error, match=match):
        plot_activations(arg, **kwargs)


# ---------------------------------------------------------------------------------- history


def test_plot_history_labels_runs_and_flags_the_diverged_one(histories):
    good, bad = histories
    fig = plot_history({"lr=0.1": good, "lr=100": bad})
    assert [ax.get_ylabel() for ax in fig.axes] == ["loss", "accuracy"]
    legend = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert legend[0] == "lr=0.1"
    assert legend[1] == "lr=100 (diverged, epoch 2)"
    crosses = [line for line in fig.axes[0].get_lines() if line.get_marker() == "X"]
    assert len(crosses) == 1 and list(crosses[0].get_xdata()) == [1]  # last finite epoch


def test_plot_history_uses_a_log_scale_when_a_loss_explodes(histories):
    good, _ = histories
    exploding = dataclasses.replace(good, train_loss=[0.7, 5e3, 1e9], val_loss=[])
    assert plot_history({"ok": good, "big": exploding}).axes[0].get_yscale() == "log"
    assert plot_history(good).axes[0].get_yscale() == "linear"


def test_plot_history_leaves_out_accuracy_for_a_regression(histories):
    regression = dataclasses.replace(histories[0], train_acc=[], val_acc=[])
    assert [ax.get_ylabel() for ax in plot_history(regression).axes] == ["loss"]


def test_plot_history_plots_a_scalar_probe_and_a_per_layer_probe(histories):
    run = dataclasses.replace(
        histories[0],
        probes={
            "mean_dead": [0.0, 0.1, 0.2],
            "dead": [{"act0": 0.0, "act1": 0.1}, {"act0": 0.0, "act1": 0.2}],
        },
    )
    fig = plot_history(run, metrics=("mean_dead", "dead"))
    scalar, per_layer = fig.axes
    assert list(scalar.get_lines()[0].get_ydata()) == [0.0, 0.1, 0.2]
    assert [list(line.get_ydata()) for line in per_layer.get_lines()] == [[0.0, 0.0], [0.1, 0.2]]
    assert [t.get_text() for t in per_layer.get_legend().get_texts()] == ["act0", "act1"]


@pytest.mark.parametrize(
    ("histories_arg", "metrics", "error", "match"),
    [
        ([1, 2], ("loss",), TypeError, "History"),
        ({}, ("loss",), ValueError, "empty"),
        (None, ("speed",), ValueError, "unknown metric 'speed'"),
        (None, "loss", TypeError, "list of names"),
    ],
)
def test_plot_history_rejects_bad_input_clearly(histories, histories_arg, metrics, error, match):
    arg = histories[0] if histories_arg is None else histories_arg
    with pytest.raises(error, match=match):
        plot_history(arg, metrics=metrics)


# ------------------------------------------------------------------------------ layer stats


def test_plot_layer_stats_compares_series_by_depth_on_a_log_axis():
    fig = plot_layer_stats(
        {"He": {"linear0": 1.0, "linear1": 0.9}, "default": {"linear0": 0.3, "linear1": 0.01}},
        ylabel="gradient norm",
        logy=True,
        title="init",
    )
    ax = fig.axes[0]
    assert ax.get_yscale() == "log" and ax.get_title() == "init"
    assert [t.get_text() for t in ax.get_xticklabels()] == ["linear0", "linear1"]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["He", "default"]


def test_plot_layer_stats_accepts_what_the_probes_return():
    from relu_course.probes import sparsity

    fig = plot_layer_stats(sparsity(_relu_net(), torch.randn(32, 2)), ylabel="sparsity")
    assert len(fig.axes[0].get_lines()[0].get_ydata()) == 2  # act layers of the net


@pytest.mark.parametrize(
    ("series", "kwargs", "error", "match"),
    [
        ({"act0": 0.0, "act1": 1.0}, {"logy": True}, ValueError, "non-positive"),
        ({"act0": "high"}, {}, TypeError, "expected a number"),
        ({}, {}, ValueError, "empty"),
        (3.0, {}, TypeError, "must map layer names"),
        ({"act0": 1.0}, {"ylabel": ""}, TypeError, "ylabel"),
    ],
)
def test_plot_layer_stats_rejects_bad_input_clearly(series, kwargs, error, match):
    kwargs = {"ylabel": "value", **kwargs}
    with pytest.raises(error, match=match):
        plot_layer_stats(series, **kwargs)


# -------------------------------------------------------------------------- 2-D classifiers


def test_plot_decision_regions_restores_training_mode_and_touches_no_gradient():
    model = nn.Sequential(nn.Linear(2, 8), nn.Dropout(0.5), nn.ReLU(), nn.Linear(8, 3))
    before = [p.detach().clone() for p in model.parameters()]
    X, y = torch.randn(40, 2), torch.arange(40) % 3
    fig = plot_decision_regions(model, X, y, resolution=30, title="three classes")
    assert model.training
    assert all(p.grad is None for p in model.parameters())
    assert all(torch.equal(a, b) for a, b in zip(before, model.parameters()))
    ax = fig.axes[0]
    assert ax.get_title() == "three classes"
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["class 0", "class 1", "class 2"]


@pytest.mark.skipif(not torch.cuda.is_available(), reason="no CUDA here")
def test_plot_decision_regions_and_linear_regions_run_a_cuda_model_on_its_device():
    model = _relu_net(n_out=3).cuda()
    X, y = torch.randn(30, 2), torch.arange(30) % 3  # data on the CPU: the grid follows the model
    assert len(plot_decision_regions(model, X, y, resolution=30).axes) == 1
    assert len(plot_linear_regions(model, resolution=30).axes) == 1


def test_plot_decision_regions_draws_into_a_given_axes_and_reads_one_logit():
    fig = Figure()
    left, right = fig.subplots(1, 2)
    X = np.random.RandomState(0).randn(20, 2)
    assert plot_decision_regions(_relu_net(n_out=1), X, X[:, 0] > 0, resolution=20, ax=right) is fig
    assert right.collections and not left.collections


@pytest.mark.parametrize(
    ("X", "y", "kwargs", "error", "match"),
    [
        (torch.randn(10, 3), torch.zeros(10), {}, ValueError, r"shape \(n, 2\)"),
        (torch.randn(10, 2), torch.zeros(9), {}, ValueError, "9 values but 10"),
        (torch.randn(10, 2), torch.full((10,), 0.5), {}, ValueError, "integer class labels"),
        (torch.randn(10, 2), torch.zeros(10), {"resolution": 1}, ValueError, "resolution"),
        ("data", torch.zeros(10), {}, TypeError, "X must be a tensor"),
    ],
)
def test_plot_decision_regions_rejects_bad_input_clearly(X, y, kwargs, error, match):
    with pytest.raises(error, match=match):
        plot_decision_regions(_relu_net(), X, y, **kwargs)


def test_plot_decision_regions_rejects_a_non_module():
    with pytest.raises(TypeError, match=r"torch\.nn\.Module"):
        plot_decision_regions(lambda x: x, torch.randn(4, 2), torch.zeros(4))


def test_plot_linear_regions_reports_the_probes_count_in_the_title():
    model = _relu_net()
    count = linear_regions(model, resolution=50).count
    fig = plot_linear_regions(model, resolution=50, title="2 x 8 ReLU")
    assert fig.axes[0].get_title() == f"2 x 8 ReLU: {count} linear regions"


def test_plot_linear_regions_puts_each_region_where_it_is():
    # One unit, on where x1 > 0: the left and right halves are two regions.
    model = nn.Sequential(nn.Linear(2, 1), nn.ReLU())
    with torch.no_grad():
        model[0].weight.copy_(torch.tensor([[1.0, 0.0]]))
        model[0].bias.zero_()
    fig = plot_linear_regions(model, resolution=41)
    image = fig.axes[0].get_images()[0].get_array()  # (rows = x2, columns = x1, RGBA)
    assert fig.axes[0].get_title() == "2 linear regions"
    assert np.array_equal(image[0, 0], image[-1, 0])  # left column: one colour, bottom to top
    assert not np.array_equal(image[0, 0], image[0, -1])  # left and right halves differ


def test_plot_decision_regions_draws_a_given_grid():
    # The grid from geometry: class 1 on the right half; plotting runs no model.
    grid = ClassGrid(classes=torch.tensor([[0, 1], [0, 1]]), xs=torch.tensor([-1.0, 1.0]),
                     ys=torch.tensor([-2.0, 2.0]))
    fig = plot_decision_regions(grid, [[-0.5, 0.0], [0.5, 0.0]], [0, 1], title="given")
    ax = fig.axes[0]
    assert (ax.get_xlim(), ax.get_ylim()) == ((-1.0, 1.0), (-2.0, 2.0))
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["class 0", "class 1"]


def test_plot_linear_regions_draws_given_regions_as_it_draws_a_models():
    model = _relu_net()
    given = plot_linear_regions(linear_regions(model, resolution=40), title="net")
    computed = plot_linear_regions(model, resolution=40, title="net")
    assert given.axes[0].get_title() == computed.axes[0].get_title()
    assert np.array_equal(given.axes[0].get_images()[0].get_array(),
                          computed.axes[0].get_images()[0].get_array())


def test_region_plots_reject_what_is_neither_a_grid_nor_a_model():
    with pytest.raises(TypeError, match="ClassGrid"):
        plot_decision_regions(np.zeros((3, 3)), np.zeros((2, 2)), [0, 1])
    with pytest.raises(TypeError, match="Regions"):
        plot_linear_regions(np.zeros((3, 3)))


def test_plot_linear_regions_rejects_bad_limits():
    with pytest.raises(ValueError, match="xlim"):
        plot_linear_regions(_relu_net(), xlim=(1, 1))
    with pytest.raises(TypeError, match="ylim"):
        plot_linear_regions(_relu_net(), ylim="wide")


# ----------------------------------------------------------------------- fits, sweeps, bars


def test_plot_function_fit_sorts_the_inputs_and_compares_several_models():
    x = torch.tensor([[2.0], [-1.0], [0.5]])
    fig = plot_function_fit(x, x**2, {"ReLU": x.abs(), "linear": x})
    lines = fig.axes[0].get_lines()
    assert [line.get_label() for line in lines] == ["ReLU", "linear"]
    assert list(lines[0].get_xdata()) == [-1.0, 0.5, 2.0]


def test_plot_function_fit_rejects_mismatched_lengths():
    with pytest.raises(ValueError, match="y_pred has 2 values but 3"):
        plot_function_fit([0, 1, 2], [0, 1, 2], [0, 1])


def test_plot_sweep_draws_one_line_per_series_on_log_axes():
    fig = plot_sweep(
        [0.01, 0.1, 1.0],
        {"ReLU": [1.0, 0.5, math.nan], "tanh": [1, 0.8, 0.6]},
        xlabel="learning rate",
        ylabel="final loss",
        logx=True,
        logy=True,
    )
    ax = fig.axes[0]
    assert (ax.get_xscale(), ax.get_yscale()) == ("log", "log")
    assert [line.get_label() for line in ax.get_lines()] == ["ReLU", "tanh"]
    assert _labels(fig) == [("learning rate", "final loss")]


@pytest.mark.parametrize(
    ("x", "series", "kwargs", "error", "match"),
    [
        ([0, 1], {"a": [1, 2]}, {"logx": True}, ValueError, "positive x"),
        ([1, 2], {"a": [1]}, {}, ValueError, "1 values but 2"),
        ([1, 2], [1, 2], {}, TypeError, "dict from label"),
        ([1, 2], {"a": [1, 2]}, {"xlabel": None}, TypeError, "xlabel"),
    ],
)
def test_plot_sweep_rejects_bad_input_clearly(x, series, kwargs, error, match):
    kwargs = {"xlabel": "width", "ylabel": "loss", **kwargs}
    with pytest.raises(error, match=match):
        plot_sweep(x, series, **kwargs)


def test_plot_bars_labels_each_bar_with_its_value_and_keeps_repeated_names_apart():
    fig = plot_bars(
        ["ReLU", "ReLU"], [1.0, 2.5], errors=[0.1, 0.2], ylabel="time (ms)", title="cost"
    )
    ax = fig.axes[0]
    assert len(ax.patches) == 2
    assert [t.get_text() for t in ax.texts] == ["1", "2.5"]
    assert ax.get_ylabel() == "time (ms)" and ax.get_title() == "cost"


@pytest.mark.parametrize(
    ("labels", "values", "errors", "error", "match"),
    [
        ("ab", [1, 2], None, TypeError, "labels"),
        (["a", 1], [1, 2], None, TypeError, "labels must be strings"),
        (["a", "b"], [1], None, ValueError, "values has 1 values but 2"),
        (["a", "b"], [1, 2], [0.1, -1], ValueError, "non-negative"),
        (["a", "b"], ["x", "y"], None, TypeError, "only numbers"),
    ],
)
def test_plot_bars_rejects_bad_input_clearly(labels, values, errors, error, match):
    with pytest.raises(error, match=match):
        plot_bars(labels, values, errors=errors)


def test_log_axis_over_two_decades_labels_plainly_and_only_minor_ticks_at_2_and_5():
    fig = plot_sweep([1, 2, 3], {"a": [0.05, 0.2, 0.6]}, "x", "y", logy=True)
    axis = fig.axes[0].yaxis
    minor = axis.get_minor_formatter()
    assert [minor(v, 0) for v in (0.02, 0.03, 0.05, 0.07, 0.2, 0.4)] == [
        "0.02", "", "0.05", "", "0.2", "",
    ]
    assert axis.get_major_formatter()(0.1, 0) == "0.1"
