"""Shared pytest fixtures: run device-dependent tests on every device this machine has."""

from __future__ import annotations

import pytest
import torch

DEVICES = ["cpu"] + (["cuda"] if torch.cuda.is_available() else [])
"""Devices the tests run on: the CPU always, CUDA only where a GPU is present."""


@pytest.fixture(params=DEVICES)
def device(request: pytest.FixtureRequest) -> torch.device:
    """Each test that takes ``device`` runs once per available device."""
    return torch.device(request.param)


@pytest.fixture
def devices() -> list[str]:
    """The list of available devices, for tests that compare across them."""
    return list(DEVICES)
