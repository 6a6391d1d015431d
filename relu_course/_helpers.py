"""Small helpers the toolkit shares, written once: a model check, its device, eval mode, seeds.

- :func:`check_model`: a ``torch.nn.Module``, or one clear ``TypeError``;
- :func:`model_device`: where a model's parameters (or buffers) live;
- :func:`eval_mode`: run a block with the model in eval mode, and give its mode back after,
  also when the block raises;
- :func:`check_seed`: the one rule for a seed (an integer in ``[0, upper)``);
- :func:`check_positive`: a positive ``int`` or finite ``float`` argument;
- :func:`check_loss`: a loss function, or the default one for the targets (used by
  :func:`relu_course.train.fit` and :func:`relu_course.probes.gradient_norms` alike).
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Callable

import torch
from torch import nn

__all__ = [
    "LossFn",
    "check_loss",
    "check_model",
    "check_positive",
    "check_seed",
    "eval_mode",
    "model_device",
]

LossFn = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]
"""A loss ``loss(output, target) -> scalar tensor``."""


def check_model(model: object, name: str = "model") -> nn.Module:
    """Return ``model`` if it is a ``torch.nn.Module``, else raise ``TypeError`` saying so.

    Examples:
        >>> check_model([1, 2])
        Traceback (most recent call last):
        ...
        TypeError: model must be a torch.nn.Module, got list
    """
    if not isinstance(model, nn.Module):
        raise TypeError(f"{name} must be a torch.nn.Module, got {type(model).__name__}")
    return model


def model_device(model: nn.Module) -> torch.device:
    """The device of the model's first parameter (or buffer); the CPU for a model with neither.

    Examples:
        >>> model_device(nn.Linear(2, 2)), model_device(nn.ReLU())
        (device(type='cpu'), device(type='cpu'))
    """
    for t in (*model.parameters(), *model.buffers()):
        return t.device
    return torch.device("cpu")


@contextmanager
def eval_mode(model: nn.Module) -> Iterator[nn.Module]:
    """Put ``model`` in eval mode for the block; restore its train/eval mode on leaving it.

    Evaluation (dropout off, batch norm on its running statistics) must not leave a model
    that was training in eval mode; the mode comes back also when the block raises.

    Examples:
        >>> model = nn.Dropout()
        >>> with eval_mode(model):
        ...     model.training
        False
        >>> model.training
        True
    """
    was_training = model.training
    model.eval()
    try:
        yield model
    finally:
        model.train(was_training)


def check_seed(seed: object, upper: int = 2**63, *, optional: bool = False) -> int | None:
    """Return ``seed`` as an ``int`` if it is an integer in ``[0, upper)`` (or None, if optional).

    Python and NumPy integers are accepted, ``bool`` is not. ``upper`` is ``2**63`` for
    ``torch.Generator.manual_seed``; ``2**32`` where NumPy's legacy seeding takes the seed too.

    Raises:
        TypeError: not an integer (or None, when optional).
        ValueError: outside ``[0, upper)``.

    Examples:
        >>> check_seed(3)
        3
        >>> check_seed(-1)
        Traceback (most recent call last):
        ...
        ValueError: seed must be an integer in [0, 2**63), got -1
    """
    bound = f"2**{upper.bit_length() - 1}" if upper & (upper - 1) == 0 else str(upper)
    accepted = ("None or " if optional else "") + f"an integer in [0, {bound})"
    if seed is None and optional:
        return None
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral):
        raise TypeError(f"seed must be {accepted}, got {type(seed).__name__} {seed!r}")
    if not 0 <= int(seed) < upper:
        raise ValueError(f"seed must be {accepted}, got {seed}")
    return int(seed)


def check_positive(name: str, value: object, kind: type) -> None:
    """Raise unless ``value`` is a positive ``int`` (``kind=int``) or finite number (``float``).

    Examples:
        >>> check_positive("epochs", 0, int)
        Traceback (most recent call last):
        ...
        ValueError: epochs must be a positive int, got 0
    """
    ok = (kind is float and isinstance(value, (int, float))) or isinstance(value, int)
    if isinstance(value, bool) or not ok:
        raise TypeError(f"{name} must be a positive {kind.__name__}, got "
                        f"{type(value).__name__} {value!r}")
    if not value > 0 or (kind is float and not math.isfinite(value)):
        raise ValueError(f"{name} must be a positive {kind.__name__}, got {value}")


def check_range(value: object, name: str) -> tuple[float, float]:
    """A pair ``(low, high)`` of finite numbers with ``low < high``, as floats.

    Raises:
        TypeError: ``value`` is not a pair of numbers.
        ValueError: a bound is not finite, or ``low >= high``.
    """
    try:
        low, high = (float(v) for v in value)  # type: ignore[union-attr]
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be a pair of numbers (low, high), got {value!r}") from None
    if not (math.isfinite(low) and math.isfinite(high) and low < high):
        raise ValueError(f"{name} must be finite with low < high, got {value!r}")
    return low, high


def check_loss(loss: object, y: torch.Tensor) -> LossFn:
    """``loss`` if callable; None: cross-entropy for integer labels ``y``, else squared error.

    Examples:
        >>> check_loss(None, torch.tensor([0, 1])).__name__
        'cross_entropy'
    """
    if loss is None:
        return nn.functional.mse_loss if y.dtype.is_floating_point else nn.functional.cross_entropy
    if not callable(loss):
        raise TypeError(f"loss must be None or a callable loss(output, target), got "
                        f"{type(loss).__name__} {loss!r}")
    return loss
