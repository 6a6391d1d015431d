"""relu_course.data: shapes, dtypes, seeds, class balance and the geometry of each set."""

from __future__ import annotations

import math

import pytest
import torch

from relu_course import data

TOY = {
    "two_moons": (data.two_moons, 2),
    "spirals": (data.spirals, 3),
    "xor": (data.xor, 2),
    "blobs": (data.blobs, 3),
}


@pytest.mark.parametrize("name", TOY)
def test_toy_sets_have_documented_shapes_dtypes_and_balanced_classes(name):
    make, k = TOY[name]
    X, y = make(n=300)
    assert X.shape == (300, 2) and X.dtype == torch.float32
    assert y.shape == (300,) and y.dtype == torch.int64
    assert torch.bincount(y, minlength=k).tolist() == [300 // k] * k


@pytest.mark.parametrize("name", TOY)
def test_same_seed_gives_identical_data_and_another_seed_differs(name):
    make, _ = TOY[name]
    X1, y1 = make(seed=3)
    X2, y2 = make(seed=3)
    X3, _ = make(seed=4)
    assert torch.equal(X1, X2) and torch.equal(y1, y2)
    assert not torch.equal(X1, X3)


@pytest.mark.parametrize("name", TOY)
def test_generators_leave_the_global_random_state_alone(name):
    make, _ = TOY[name]
    torch.manual_seed(0)
    expected = torch.rand(3)
    torch.manual_seed(0)
    make()
    assert torch.equal(torch.rand(3), expected)


def test_two_moons_without_noise_lies_on_the_two_half_circles():
    X, y = data.two_moons(200, noise=0.0)
    upper, lower = X[y == 0].double(), X[y == 1].double()
    assert torch.allclose(upper.norm(dim=1), torch.ones(100, dtype=torch.float64), atol=1e-6)
    assert bool((upper[:, 1] >= 0).all())
    centre = torch.tensor([1.0, 0.5], dtype=torch.float64)
    assert torch.allclose((lower - centre).norm(dim=1), torch.ones(100, dtype=torch.float64),
                          atol=1e-6)
    assert bool((lower[:, 1] <= 0.5 + 1e-6).all())


def test_two_moons_rounds_an_odd_count_to_balanced_classes():
    _, y = data.two_moons(7)
    assert torch.bincount(y).tolist() == [4, 3]


def test_xor_labels_follow_the_sign_of_the_product_of_coordinates():
    X, y = data.xor(400, noise=0.1)
    assert torch.equal(y, (X[:, 0] * X[:, 1] < 0).long())


def test_spirals_have_the_requested_number_of_arms_inside_the_unit_disc():
    X, y = data.spirals(500, arms=5)
    assert torch.bincount(y).tolist() == [100] * 5
    assert float(X.norm(dim=1).max()) <= 1.0


def test_blobs_centres_are_evenly_spaced_on_a_circle_of_radius_two():
    X, y = data.blobs(4000, centers=4, std=0.1)
    means = torch.stack([X[y == k].mean(0) for k in range(4)])
    expected = torch.tensor([[2.0, 0.0], [0.0, 2.0], [-2.0, 0.0], [0.0, -2.0]])
    assert torch.allclose(means, expected, atol=0.02)
    assert torch.allclose(X[y == 0].std(0), torch.tensor([0.1, 0.1]), atol=0.01)


def test_sine_is_sorted_grid_with_exact_sine_targets_without_noise():
    x, y = data.sine(101, low=-math.pi, high=math.pi)
    assert x.shape == (101, 1) and y.shape == (101, 1) and y.dtype == torch.float32
    assert bool((x[1:] > x[:-1]).all())
    assert torch.allclose(y, torch.sin(x), atol=1e-6)


def test_sine_noise_has_the_requested_standard_deviation_and_follows_the_seed():
    x, y = data.sine(20000, noise=0.5, seed=1)
    assert abs(float((y - torch.sin(x)).std()) - 0.5) < 0.01
    assert torch.equal(y, data.sine(20000, noise=0.5, seed=1)[1])


def test_split_is_stratified_disjoint_and_complete():
    X = torch.arange(100, dtype=torch.float32)[:, None]
    y = torch.tensor([0] * 60 + [1] * 40)
    s = data.split(X, y, test_fraction=0.25, seed=2)
    assert torch.bincount(s.y_test).tolist() == [15, 10]
    assert torch.bincount(s.y_train).tolist() == [45, 30]
    rows = torch.cat([s.X_train, s.X_test]).squeeze(1).long().sort().values
    assert torch.equal(rows, torch.arange(100))
    assert torch.equal(y[s.X_train.squeeze(1).long()], s.y_train)


def test_split_of_regression_targets_keeps_rows_paired():
    x, y = data.sine(40)
    s = data.split(x, y, test_fraction=0.5)
    assert len(s.X_test) == 20
    assert torch.allclose(s.y_train, torch.sin(s.X_train), atol=1e-6)


def test_split_rejects_fractions_outside_zero_one():
    X, y = data.xor(20)
    for bad in (0, 1, 1.5, -0.1):
        with pytest.raises(ValueError, match="test_fraction"):
            data.split(X, y, test_fraction=bad)
    with pytest.raises(TypeError, match="test_fraction"):
        data.split(X, y, test_fraction="0.2")


def test_split_to_moves_every_tensor():
    s = data.split(*data.xor(20)).to("cpu")
    assert {t.device.type for t in (s.X_train, s.y_train, s.X_test, s.y_test)} == {"cpu"}
    assert s.train[0] is s.X_train and s.test[1] is s.y_test


def test_digits_match_scikit_learn_scaled_to_unit_interval():
    from sklearn.datasets import load_digits

    d = data.digits()
    ref = load_digits()
    assert d.X_train.shape == (1347, 64) and d.X_test.shape == (450, 64)
    assert d.y_train.dtype == torch.int64 and d.X_train.dtype == torch.float32
    assert float(d.X_train.min()) == 0.0 and float(d.X_train.max()) == 1.0
    all_x = torch.cat([d.X_train, d.X_test]) * 16
    assert sorted(map(tuple, all_x.long().tolist())) == sorted(
        map(tuple, ref.data.astype(int).tolist()))
    counts = torch.bincount(d.y_test, minlength=10)
    assert int(counts.min()) >= 44 and int(counts.max()) <= 46  # stratified: ~45 of each


def test_digits_split_is_fixed_and_images_have_channel_dimension():
    a, b = data.digits(), data.digits(images=True)
    assert torch.equal(a.X_test, data.digits().X_test)
    assert b.X_train.shape == (1347, 1, 8, 8)
    assert torch.equal(b.X_train.reshape(-1, 64), a.X_train)


def test_loader_batches_are_seeded_and_cover_every_row_once():
    X, y = data.two_moons(100)
    first = [yb for _, yb in data.loader(X, y, batch_size=32, seed=5)]
    again = [yb for _, yb in data.loader(X, y, batch_size=32, seed=5)]
    assert [len(b) for b in first] == [32, 32, 32, 4]
    assert all(torch.equal(a, b) for a, b in zip(first, again))
    assert int(torch.cat(first).sum()) == int(y.sum())


@pytest.mark.parametrize("bad, error", [(0, ValueError), (2.5, TypeError), (True, TypeError)])
def test_bad_sizes_are_rejected_with_the_name_of_the_argument(bad, error):
    with pytest.raises(error, match="n must be"):
        data.two_moons(n=bad)


def test_bad_noise_and_seed_are_rejected():
    with pytest.raises(ValueError, match="noise"):
        data.xor(noise=-1.0)
    with pytest.raises(TypeError, match="seed"):
        data.blobs(seed="0")
