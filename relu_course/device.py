"""Where computations run, and how to make them repeatable.

Everything in the course runs on :func:`get_device`: CUDA when there is a GPU, then Apple's
MPS, then the CPU. Set the environment variable ``RELU_COURSE_DEVICE`` (``cpu``, ``cuda``,
``cuda:1``, ``mps``) to force one.
"""

from __future__ import annotations

import os
import random

import numpy as np
import torch

from relu_course._helpers import check_seed

ENV_VAR = "RELU_COURSE_DEVICE"
_KINDS = ("cpu", "cuda", "mps")


def _mps_available() -> bool:
    mps = getattr(torch.backends, "mps", None)
    return bool(mps is not None and mps.is_available())


def get_device(prefer: str | None = None) -> torch.device:
    """Return the best available device: CUDA, then MPS, then CPU.

    Args:
        prefer: a device string (``"cpu"``, ``"cuda"``, ``"cuda:0"``, ``"mps"``) to use
            instead of the automatic choice. Defaults to the environment variable
            ``RELU_COURSE_DEVICE`` when set, else the automatic choice.

    Returns:
        A :class:`torch.device`.

    Raises:
        ValueError: if the requested device is not a known kind or is not available here.

    Examples:
        >>> get_device("cpu")
        device(type='cpu')
        >>> get_device().type in {"cpu", "cuda", "mps"}
        True
    """
    requested = prefer if prefer is not None else os.environ.get(ENV_VAR) or None
    if requested is None:
        if torch.cuda.is_available():
            return torch.device("cuda")
        if _mps_available():
            return torch.device("mps")
        return torch.device("cpu")

    source = "prefer" if prefer is not None else f"${ENV_VAR}"
    if not isinstance(requested, str):
        raise TypeError(
            f"{source} must be a device string such as 'cpu' or 'cuda', "
            f"got {type(requested).__name__}"
        )
    try:
        device = torch.device(requested.strip().lower())
    except RuntimeError:
        device = None
    if device is None or device.type not in _KINDS:
        raise ValueError(
            f"{source}={requested!r} is not a device this course supports; "
            f"use one of {', '.join(_KINDS)} (optionally with an index, 'cuda:1')"
        )
    if device.type == "cuda":
        if not torch.cuda.is_available():
            raise ValueError(
                f"{source}={requested!r} asks for CUDA, but no CUDA GPU is "
                "available here; use 'cpu' or unset it"
            )
        if device.index is not None and device.index >= torch.cuda.device_count():
            raise ValueError(
                f"{source}={requested!r}: only {torch.cuda.device_count()} "
                "CUDA device(s) are present"
            )
    if device.type == "mps" and not _mps_available():
        raise ValueError(
            f"{source}={requested!r} asks for MPS, which is not available "
            "here; use 'cpu' or unset it"
        )
    return device


def seed_everything(seed: int, deterministic: bool = True) -> int:
    """Seed Python, NumPy and PyTorch (every device) so that a run can be repeated.

    Args:
        seed: a non-negative integer below 2**32.
        deterministic: also ask PyTorch for deterministic algorithms where they exist
            (``warn_only``, so an operation without one still runs) and turn off cuDNN's
            benchmark autotuning. Defaults to True.

    Returns:
        The seed, for logging.

    Examples:
        >>> _ = seed_everything(0)
        >>> a = torch.rand(2)
        >>> _ = seed_everything(0)
        >>> torch.equal(a, torch.rand(2))
        True
    """
    seed = check_seed(seed, 2**32)  # NumPy's legacy seeding takes 32 bits
    random.seed(seed)
    np.random.seed(seed)  # noqa: NPY002 (the global RNG is what learners call)
    torch.manual_seed(seed)  # seeds CPU and every CUDA device
    if deterministic:
        torch.use_deterministic_algorithms(True, warn_only=True)
        if torch.backends.cudnn.is_available():
            torch.backends.cudnn.benchmark = False
            torch.backends.cudnn.deterministic = True
        # cuBLAS needs this to be deterministic; it only takes effect before CUDA starts.
        os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")
    return seed
