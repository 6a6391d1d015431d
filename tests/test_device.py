"""get_device picks the best device and honours the override; seed_everything repeats runs."""

import random

import numpy as np
import pytest
import torch

from relu_course.device import ENV_VAR, get_device, seed_everything


def test_get_device_prefers_cuda_then_mps_then_cpu(monkeypatch):
    monkeypatch.delenv(ENV_VAR, raising=False)
    expected = "cuda" if torch.cuda.is_available() else (
        "mps" if torch.backends.mps.is_available() else "cpu")
    assert get_device().type == expected


def test_get_device_follows_the_environment_variable(monkeypatch):
    monkeypatch.setenv(ENV_VAR, "cpu")
    assert get_device() == torch.device("cpu")


def test_an_explicit_preference_overrides_the_environment(monkeypatch):
    monkeypatch.setenv(ENV_VAR, "not-a-device")
    assert get_device("cpu") == torch.device("cpu")


@pytest.mark.parametrize("bad", ["gpu", "tpu", "cuda:x", ""])
def test_get_device_rejects_unknown_devices_naming_the_choices(bad):
    with pytest.raises(ValueError, match="cpu, cuda, mps"):
        get_device(bad)


@pytest.mark.skipif(torch.cuda.is_available(), reason="this machine has CUDA")
def test_get_device_says_when_cuda_is_asked_for_but_absent():
    with pytest.raises(ValueError, match="no CUDA GPU is available"):
        get_device("cuda")


def test_get_device_rejects_a_non_string_preference():
    with pytest.raises(TypeError, match="device string"):
        get_device(0)


def test_seed_everything_makes_python_numpy_and_torch_repeat():
    seed_everything(123)
    first = (random.random(), np.random.rand(), torch.rand(3))  # noqa: NPY002
    seed_everything(123)
    second = (random.random(), np.random.rand(), torch.rand(3))  # noqa: NPY002
    assert first[0] == second[0] and first[1] == second[1]
    assert torch.equal(first[2], second[2])


def test_seed_everything_turns_on_deterministic_algorithms():
    seed_everything(0)
    assert torch.are_deterministic_algorithms_enabled()


@pytest.mark.parametrize("bad", [-1, 2**32, 1.5, "0", True])
def test_seed_everything_rejects_bad_seeds(bad):
    with pytest.raises((TypeError, ValueError), match="seed"):
        seed_everything(bad)
