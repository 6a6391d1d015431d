"""Every figure of the book is created, labelled, drawable, and free of pyplot state."""

from __future__ import annotations

import dataclasses
import math
import re
import subprocess
import sys

import numpy as np
import pytest
import torch
from IPython.core.formatters import PNGFormatter
from matplotlib.colors import to_hex
from matplotlib.figure import Figure
from torch import nn

from relu_course.activations import FUNCTIONS
from relu_course.data import split, two_moons
from relu_course.geometry import ClassGrid, data_limits, predict_grid
from relu_course.plotting import (
    PALETTE,
    plot_activations,
    plot_bars,
    plot_decision_regions,
    plot_function_fit,
    plot_history,
    plot_layer_histograms,
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


def _grid(model: nn.Module, X: object, resolution: int = 30) -> ClassGrid:
    return predict_grid(model, *data_limits(X), resolution=resolution)


def _labels(fig: Figure) -> list[tuple[str, str]]:
    return [(ax.get_xlabel(), ax.get_ylabel()) for ax in fig.axes]


# ------------------------------------------------------------------------------ every figure

FIGURES = {
    "activations": (lambda h: plot_activations(["relu", "gelu"]), 2),
    "activations_no_derivative": (lambda h: plot_activations("relu", derivative=False), 1),
    "history": (lambda h: plot_history(h[0]), 2),
    "history_runs": (lambda h: plot_history({"lr=0.1": h[0], "lr=100": h[1]}), 2),
    "layer_stats": (lambda h: plot_layer_stats({"act0": 0.5, "act1": 0.4}, "sparsity"), 1),
    "layer_histograms": (
        lambda h: plot_layer_histograms(
            {"activation": {"a": [np.ones(5), np.zeros(5)]}, "gradient": {"a": [[1.0], [2.0]]}}
        ),
        4,
    ),
    "decision_regions": (
        lambda h: plot_decision_regions(
            predict_grid(_relu_net(), resolution=40), torch.randn(30, 2), torch.randint(0, 2, (30,))
        ),
        1,
    ),
    "linear_regions": (
        lambda h: plot_linear_regions(linear_regions(_relu_net(), resolution=40)),
        1,
    ),
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
net = torch.nn.Sequential(torch.nn.Linear(2, 4), torch.nn.ReLU())
p.plot_linear_regions(relu_course.probes.linear_regions(net, resolution=20))._repr_png_()
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


def test_plot_layer_histograms_draws_densities_on_bins_shared_by_the_series():
    fig = plot_layer_histograms(
        {"activation": {"initialisation": {"L1": [0, 0, 0, 0, 1.0], "L2": [1, 2, 3]},
                        "trained": {"L1": torch.tensor([0.0, 1.0]), "L2": np.array([[2.5]])}}},
        bins=2,
        title="per layer",
    )
    assert [ax.get_title() for ax in fig.axes] == ["L1", "L2"]  # columns in the order given
    assert fig.get_suptitle() == "per layer"
    first, second = (patch.get_xy() for patch in fig.axes[0].patches)
    # bins [0, 0.5) and [0.5, 1]: 4 of 5 values in a bin 0.5 wide have density 1.6
    assert sorted(set(first[:, 1])) == [0.0, 0.4, 1.6]
    assert sorted(set(second[:, 1])) == [0.0, 1.0]
    narrow, wide = (patch.get_xy()[:, 0] for patch in fig.axes[1].patches)
    assert (narrow.min(), narrow.max()) == (wide.min(), wide.max()) == (1.0, 3.0)  # shared bins
    edge_colours = [to_hex(patch.get_edgecolor()) for patch in fig.axes[0].patches]
    assert edge_colours == [c.lower() for c in PALETTE[:2]]
    assert [t.get_text() for t in fig.axes[0].get_legend().get_texts()] == [
        "initialisation", "trained",
    ]


def test_plot_layer_histograms_puts_quantities_in_rows_and_names_listed_layers():
    fig = plot_layer_histograms(
        {"activation": {"init": [np.ones(4), np.ones(4)]},
         "weight gradient": {"init": [np.ones((2, 2)), np.zeros(3)]}},
        logy=True,
    )
    assert [ax.get_title() for ax in fig.axes] == ["layer 1", "layer 2"] * 2
    assert [ax.get_xlabel() for ax in fig.axes] == ["activation"] * 2 + ["weight gradient"] * 2
    assert {ax.get_yscale() for ax in fig.axes} == {"log"}
    assert fig.axes[0].get_legend() is None  # one series: nothing to tell apart


@pytest.mark.parametrize(
    ("values", "kwargs", "error", "match"),
    [
        ({"a": {"s": [[1.0]]}}, {"bins": 0}, ValueError, "bins must be an integer from 1"),
        ({"a": {"s": [[1.0]]}}, {"bins": 2.5}, TypeError, "bins must be an integer"),
        ({"a": {"s": [[1.0]]}}, {"logy": "yes"}, TypeError, "True or False"),
        ([np.ones(3)], {}, TypeError, "quantity: {series"),
        ({}, {}, ValueError, "at least one quantity"),
        ({"a": {"s": 3.0}}, {}, TypeError, "must map layer names to arrays"),
        ({"a": {"s": []}}, {}, ValueError, "has no layers"),
        ({"a": {"s": [[]]}}, {}, ValueError, "non-empty array of finite numbers, got 0"),
        ({"a": {"s": [[1.0, math.nan]]}}, {}, ValueError, "NaN or infinity"),
        ({"a": {"s": [["x"]]}}, {}, TypeError, "only numbers"),
        ({"a": {"s": [[1.0]], "t": [[1.0], [2.0]]}}, {}, ValueError, "the same layers"),
        ({"a": {"s": [[1.0]]}, "b": {"s": {"L": [1.0]}}}, {}, ValueError, "the same layers"),
    ],
)
def test_plot_layer_histograms_rejects_bad_input_clearly(values, kwargs, error, match):
    with pytest.raises(error, match=re.escape(match)):
        plot_layer_histograms(values, **kwargs)


# -------------------------------------------------------------------------- 2-D classifiers


class _Refuses(nn.Module):
    """A model that fails if it is ever run: plotting must not run it."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        raise AssertionError("plotting ran the model")


def test_region_plots_refuse_a_model_and_name_what_computes_the_grid():
    X, y = torch.randn(10, 2), torch.arange(10) % 2
    with pytest.raises(ValueError, match=r"never runs a model.*geometry\.predict_grid first"):
        plot_decision_regions(_Refuses(), X, y)
    with pytest.raises(
        ValueError, match=r"never runs a model.*relu_course\.geometry\.linear_regions.*probes"
    ):
        plot_linear_regions(_Refuses())


def test_plot_decision_regions_draws_a_predicted_grid_with_titled_classes():
    model = _relu_net(n_out=3)
    X, y = torch.randn(40, 2), torch.arange(40) % 3
    fig = plot_decision_regions(_grid(model, X), X, y, title="three classes")
    ax = fig.axes[0]
    assert ax.get_title() == "three classes"
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["class 0", "class 1", "class 2"]


@pytest.mark.skipif(not torch.cuda.is_available(), reason="no CUDA here")
def test_region_plots_draw_the_grids_of_a_cuda_model():
    model = _relu_net(n_out=3).cuda()
    X, y = torch.randn(30, 2), torch.arange(30) % 3  # data on the CPU: the grid follows the model
    assert len(plot_decision_regions(_grid(model, X), X, y).axes) == 1
    assert len(plot_linear_regions(linear_regions(model, resolution=30)).axes) == 1


def test_plot_decision_regions_draws_into_a_given_axes_and_reads_one_logit():
    fig = Figure()
    left, right = fig.subplots(1, 2)
    X = np.random.RandomState(0).randn(20, 2)
    grid = _grid(_relu_net(n_out=1), X, resolution=20)
    assert plot_decision_regions(grid, X, X[:, 0] > 0, ax=right) is fig
    assert right.collections and not left.collections


@pytest.mark.parametrize(
    ("X", "y", "kwargs", "error", "match"),
    [
        (torch.randn(10, 3), torch.zeros(10), {}, ValueError, r"shape \(n, 2\)"),
        (torch.randn(10, 2), torch.zeros(9), {}, ValueError, "9 values but 10"),
        (torch.randn(10, 2), torch.full((10,), 0.5), {}, ValueError, "integer class labels"),
        (torch.randn(10, 2), torch.zeros(10), {"title": 3}, TypeError, "title must be a string"),
        (torch.randn(10, 2), torch.zeros(10), {"ax": "left"}, TypeError, "Matplotlib Axes"),
        ("data", torch.zeros(10), {}, TypeError, "X must be a tensor"),
    ],
)
def test_plot_decision_regions_rejects_bad_input_clearly(X, y, kwargs, error, match):
    with pytest.raises(error, match=match):
        plot_decision_regions(predict_grid(_relu_net(), resolution=10), X, y, **kwargs)


def test_plot_linear_regions_reports_the_probes_count_in_the_title():
    regions = linear_regions(_relu_net(), resolution=50)
    fig = plot_linear_regions(regions, title="2 x 8 ReLU")
    assert fig.axes[0].get_title() == f"2 x 8 ReLU: {regions.count} linear regions"


def test_plot_linear_regions_puts_each_region_where_it_is():
    # One unit, on where x1 > 0: the left and right halves are two regions.
    model = nn.Sequential(nn.Linear(2, 1), nn.ReLU())
    with torch.no_grad():
        model[0].weight.copy_(torch.tensor([[1.0, 0.0]]))
        model[0].bias.zero_()
    fig = plot_linear_regions(linear_regions(model, resolution=41))
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


def test_region_plots_reject_what_is_not_a_grid():
    with pytest.raises(TypeError, match=r"ClassGrid as relu_course\.geometry\.predict_grid"):
        plot_decision_regions(np.zeros((3, 3)), np.zeros((2, 2)), [0, 1])
    with pytest.raises(TypeError, match=r"Regions as relu_course\.geometry\.linear_regions"):
        plot_linear_regions(np.zeros((3, 3)))
    with pytest.raises(TypeError, match="ClassGrid"):
        plot_decision_regions(linear_regions(_relu_net(), resolution=5), [[0.0, 0.0]], [0])


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
