"""The input plane of a 2-D model: predicted classes on a grid, data limits, linear regions."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from relu_course import geometry, probes


def _axis_classifier() -> nn.Module:
    """One logit, w . x + b with w = (1, 0), b = 0: class 1 where x1 > 0."""
    model = nn.Linear(2, 1)
    with torch.no_grad():
        model.weight.copy_(torch.tensor([[1.0, 0.0]]))
        model.bias.zero_()
    return model


def test_predict_grid_rows_follow_y_and_columns_follow_x():
    grid = geometry.predict_grid(_axis_classifier(), xlim=(-1, 1), ylim=(0, 2), resolution=5)
    assert grid.classes.shape == (5, 5) and grid.classes.dtype == torch.int64
    assert grid.xs.tolist() == [-1.0, -0.5, 0.0, 0.5, 1.0]
    assert grid.ys.tolist() == [0.0, 0.5, 1.0, 1.5, 2.0]
    assert all(row == [0, 0, 0, 1, 1] for row in grid.classes.tolist())


def test_predict_grid_takes_the_argmax_of_class_scores():
    model = nn.Linear(2, 3)
    with torch.no_grad():  # score k = x1 * (k - 1): class 2 right of 0, class 0 left of it
        model.weight.copy_(torch.tensor([[-1.0, 0.0], [0.0, 0.0], [1.0, 0.0]]))
        model.bias.zero_()
    grid = geometry.predict_grid(model, xlim=(-1, 1), ylim=(-1, 1), resolution=3)
    assert grid.classes[0].tolist() == [0, 0, 2]  # at x1 = 0 all tie: the first class wins


def test_predict_grid_restores_training_mode_and_touches_no_gradient():
    model = nn.Sequential(nn.Linear(2, 8), nn.Dropout(0.5), nn.ReLU(), nn.Linear(8, 2))
    before = [p.detach().clone() for p in model.parameters()]
    geometry.predict_grid(model, resolution=20)
    assert model.training and all(p.grad is None for p in model.parameters())
    assert all(torch.equal(a, b) for a, b in zip(before, model.parameters()))


@pytest.mark.parametrize(("model", "kwargs", "error", "match"), [
    (lambda x: x, {}, TypeError, r"torch\.nn\.Module"),
    (nn.Linear(2, 1), {"xlim": (1, 1)}, ValueError, "xlim"),
    (nn.Linear(2, 1), {"ylim": "wide"}, TypeError, "ylim"),
    (nn.Linear(2, 1), {"resolution": 1}, ValueError, "between 2 and 2000"),
    (nn.Linear(2, 1), {"resolution": 2.5}, TypeError, "resolution must be an integer"),
    (nn.Sequential(nn.Linear(2, 4), nn.Unflatten(1, (2, 2))), {}, ValueError, "class scores"),
])
def test_predict_grid_rejects_bad_input_clearly(model, kwargs, error, match):
    with pytest.raises(error, match=match):
        geometry.predict_grid(model, **kwargs)


def test_data_limits_pad_by_a_tenth_of_the_span_or_a_quarter_at_least():
    assert geometry.data_limits(torch.tensor([[0.0, 0.0], [10.0, 1.0]])) == (
        (-1.0, 11.0), (-0.25, 1.25))
    with pytest.raises(ValueError, match=r"shape \(n, 2\)"):
        geometry.data_limits([[0.0, 1.0, 2.0]])
    with pytest.raises(ValueError, match="margin"):
        geometry.data_limits([[0.0, 1.0]], margin=-1)


def test_linear_regions_is_the_probe_and_regions_its_result():
    assert geometry.linear_regions is probes.linear_regions
    assert geometry.Regions is probes.Regions
