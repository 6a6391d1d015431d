"""Argument checks shared by the figures: one clear error naming the bad value."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch


def _check_title(title: object) -> str | None:
    if title is not None and not isinstance(title, str):
        raise TypeError(f"title must be a string or None, got {type(title).__name__} {title!r}")
    return title


def _check_label(value: object, name: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise TypeError(
            f"{name} must be a non-empty string (the axis label, with units where "
            f"there are any), got {value!r}"
        )
    return value


def _as_array(value: object, name: str) -> np.ndarray:
    """A float64 NumPy copy of a tensor, array or sequence of numbers."""
    if isinstance(value, torch.Tensor):
        value = value.detach().cpu().double().numpy()
    elif isinstance(value, (str, bytes)) or not isinstance(value, (np.ndarray, Sequence)):
        raise TypeError(
            f"{name} must be a tensor, a NumPy array or a sequence of numbers, "
            f"got {type(value).__name__}"
        )
    try:
        array = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must contain only numbers, got {value!r}") from None
    return array


def _as_vector(value: object, name: str, length: int | None = None) -> np.ndarray:
    array = _as_array(value, name)
    if array.ndim == 2 and 1 in array.shape:
        array = array.reshape(-1)  # (n, 1) regression targets
    if array.ndim != 1 or array.size == 0:
        raise ValueError(
            f"{name} must be a non-empty 1-D sequence (or an (n, 1) column), "
            f"got shape {tuple(array.shape)}"
        )
    if length is not None and array.size != length:
        raise ValueError(
            f"{name} has {array.size} values but {length} were expected (one per x value / label)"
        )
    return array
