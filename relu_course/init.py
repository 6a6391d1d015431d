"""Weight initialisation, written from the formulas.

A layer computes :math:`y = Wx + b`. If the inputs have unit variance, each output sums
``fan_in`` products, so its variance is :math:`\\text{fan\\_in} \\cdot \\operatorname{Var}(W)`.
The schemes below choose :math:`\\operatorname{Var}(W)` to keep signals (or gradients) at a
constant scale from layer to layer:

=================  ==========================================================  ============
scheme             standard deviation of :math:`W`                             made for
=================  ==========================================================  ============
He (Kaiming)       :math:`\\sqrt{2 / ((1 + a^2)\\,\\text{fan})}`                   ReLU, Leaky ReLU
LeCun              :math:`\\sqrt{1 / \\text{fan\\_in}}`                            SELU, linear
Xavier (Glorot)    :math:`g\\sqrt{2 / (\\text{fan\\_in} + \\text{fan\\_out})}`       tanh, sigmoid
=================  ==========================================================  ============

A uniform distribution on :math:`[-\\ell, \\ell]` has standard deviation
:math:`\\ell/\\sqrt3`, so each uniform variant uses the bound :math:`\\ell = \\sqrt3\\,\\sigma`.
The ReLU halves the second moment of its input, which is why He's variance is twice
LeCun's; the gradient-flow chapter measures this.

All functions work in place, like :mod:`torch.nn.init`, draw from the global random state
exactly as :mod:`torch.nn.init` does (so the same seed gives the same weights), and return
the tensor.
"""

from __future__ import annotations

import math

import torch
from torch import nn

from relu_course._helpers import check_model

__all__ = [
    "INIT_SCHEMES",
    "fans",
    "he_normal_",
    "he_uniform_",
    "init_",
    "lecun_normal_",
    "xavier_normal_",
    "xavier_uniform_",
]

INIT_SCHEMES = ("he", "he_uniform", "lecun", "xavier", "xavier_uniform", "default")
"""The schemes :func:`init_` and :func:`relu_course.models.mlp` accept by name; ``"default"``
keeps PyTorch's own initialisation."""

_MODES = ("fan_in", "fan_out")
_LAYERS = (nn.Linear, nn.Conv1d, nn.Conv2d, nn.Conv3d)


def _check_tensor(tensor: object) -> torch.Tensor:
    if not isinstance(tensor, torch.Tensor):
        raise TypeError(f"tensor must be a torch.Tensor, got {type(tensor).__name__}")
    return tensor


def _check_number(name: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"{name} must be a number, got {type(value).__name__} {value!r}")
    if not math.isfinite(value):
        raise ValueError(f"{name} must be finite, got {value}")
    return float(value)


def fans(tensor: torch.Tensor) -> tuple[int, int]:
    """Return ``(fan_in, fan_out)`` of a weight, as :mod:`torch.nn.init` computes them.

    A Linear weight has shape ``(out_features, in_features)``; a Conv weight has shape
    ``(out_channels, in_channels / groups, *kernel)``. With the receptive field
    :math:`r` = the product of the kernel sizes (1 for a Linear),
    :math:`\\text{fan\\_in} = \\text{shape}[1] \\cdot r` and
    :math:`\\text{fan\\_out} = \\text{shape}[0] \\cdot r`.

    Args:
        tensor: a weight with at least 2 dimensions.

    Returns:
        ``(fan_in, fan_out)``.

    Raises:
        ValueError: if the tensor has fewer than 2 dimensions (a bias has no fans).

    Examples:
        >>> fans(torch.empty(30, 20))
        (20, 30)
        >>> fans(torch.empty(16, 3, 5, 5))
        (75, 400)
    """
    tensor = _check_tensor(tensor)
    if tensor.dim() < 2:
        raise ValueError(
            f"fans need a weight with at least 2 dimensions, got shape "
            f"{tuple(tensor.shape)}; biases and 1-D tensors have no fan-in"
        )
    receptive_field = math.prod(tensor.shape[2:])
    return tensor.shape[1] * receptive_field, tensor.shape[0] * receptive_field


def _fan(tensor: torch.Tensor, mode: str) -> int:
    if mode not in _MODES:
        raise ValueError(f"mode must be one of {_MODES}, got {mode!r}")
    fan_in, fan_out = fans(tensor)
    return fan_in if mode == "fan_in" else fan_out


def he_normal_(tensor: torch.Tensor, a: float = 0.0, mode: str = "fan_in") -> torch.Tensor:
    """Fill ``tensor`` from :math:`\\mathcal N(0, \\sigma^2)` with He et al.'s (2015) std.

    .. math:: \\sigma = \\sqrt{\\frac{2}{(1 + a^2)\\,\\text{fan}}}

    where ``a`` is the negative slope of the rectifier that follows (0 for ReLU) and
    ``fan`` is the fan-in (keeps forward activations at a constant scale) or the fan-out
    (keeps backward gradients at a constant scale). Same as
    ``torch.nn.init.kaiming_normal_(tensor, a, mode, nonlinearity="leaky_relu")``.

    Args:
        tensor: a weight with at least 2 dimensions, filled in place.
        a: negative slope of the following Leaky ReLU; 0 for ReLU. Defaults to 0.
        mode: ``"fan_in"`` or ``"fan_out"``. Defaults to ``"fan_in"``.

    Returns:
        ``tensor``.

    Examples:
        >>> w = he_normal_(torch.empty(1000, 200))
        >>> round(w.std().item(), 2)  # sqrt(2 / 200)
        0.1
    """
    tensor = _check_tensor(tensor)
    a = _check_number("a", a)
    std = math.sqrt(2.0 / (1 + a**2)) / math.sqrt(_fan(tensor, mode))
    with torch.no_grad():
        return tensor.normal_(0.0, std)


def he_uniform_(tensor: torch.Tensor, a: float = 0.0, mode: str = "fan_in") -> torch.Tensor:
    """Fill ``tensor`` from :math:`\\mathcal U(-\\ell, \\ell)` with He et al.'s (2015) variance.

    .. math:: \\ell = \\sqrt3\\,\\sigma = \\sqrt{\\frac{6}{(1 + a^2)\\,\\text{fan}}}

    Same as ``torch.nn.init.kaiming_uniform_(tensor, a, mode, nonlinearity="leaky_relu")``.

    Args:
        tensor: a weight with at least 2 dimensions, filled in place.
        a: negative slope of the following Leaky ReLU; 0 for ReLU. Defaults to 0.
        mode: ``"fan_in"`` or ``"fan_out"``. Defaults to ``"fan_in"``.

    Returns:
        ``tensor``.

    Examples:
        >>> w = he_uniform_(torch.empty(100, 6))
        >>> bool(w.abs().max() <= 1.0)  # bound sqrt(6 / 6)
        True
    """
    tensor = _check_tensor(tensor)
    a = _check_number("a", a)
    std = math.sqrt(2.0 / (1 + a**2)) / math.sqrt(_fan(tensor, mode))
    bound = math.sqrt(3.0) * std
    with torch.no_grad():
        return tensor.uniform_(-bound, bound)


def lecun_normal_(tensor: torch.Tensor) -> torch.Tensor:
    """Fill ``tensor`` from :math:`\\mathcal N(0, 1/\\text{fan\\_in})` (LeCun et al., 1998).

    .. math:: \\sigma = \\sqrt{\\frac{1}{\\text{fan\\_in}}}

    The initialisation SELU's self-normalising property assumes (Klambauer et al., 2017).
    A plain normal, not truncated (Keras truncates; PyTorch has no LeCun scheme).

    Args:
        tensor: a weight with at least 2 dimensions, filled in place.

    Returns:
        ``tensor``.

    Examples:
        >>> w = lecun_normal_(torch.empty(1000, 400))
        >>> round(w.std().item(), 2)  # sqrt(1 / 400)
        0.05
    """
    tensor = _check_tensor(tensor)
    std = 1.0 / math.sqrt(_fan(tensor, "fan_in"))
    with torch.no_grad():
        return tensor.normal_(0.0, std)


def xavier_normal_(tensor: torch.Tensor, gain: float = 1.0) -> torch.Tensor:
    """Fill ``tensor`` from :math:`\\mathcal N(0, \\sigma^2)` (Glorot and Bengio, 2010).

    .. math:: \\sigma = g\\sqrt{\\frac{2}{\\text{fan\\_in} + \\text{fan\\_out}}}

    A compromise between keeping forward and backward signals at scale, derived for
    activations that are linear near 0 (tanh). Same as ``torch.nn.init.xavier_normal_``.

    Args:
        tensor: a weight with at least 2 dimensions, filled in place.
        gain: the factor :math:`g`. Defaults to 1.

    Returns:
        ``tensor``.

    Examples:
        >>> w = xavier_normal_(torch.empty(300, 500))
        >>> round(w.std().item(), 2)  # sqrt(2 / 800)
        0.05
    """
    tensor = _check_tensor(tensor)
    gain = _check_number("gain", gain)
    fan_in, fan_out = fans(tensor)
    std = gain * math.sqrt(2.0 / float(fan_in + fan_out))
    with torch.no_grad():
        return tensor.normal_(0.0, std)


def xavier_uniform_(tensor: torch.Tensor, gain: float = 1.0) -> torch.Tensor:
    """Fill ``tensor`` from :math:`\\mathcal U(-\\ell, \\ell)` (Glorot and Bengio, 2010).

    .. math:: \\ell = \\sqrt3\\,\\sigma = g\\sqrt{\\frac{6}{\\text{fan\\_in} + \\text{fan\\_out}}}

    Same as ``torch.nn.init.xavier_uniform_``.

    Args:
        tensor: a weight with at least 2 dimensions, filled in place.
        gain: the factor :math:`g`. Defaults to 1.

    Returns:
        ``tensor``.

    Examples:
        >>> w = xavier_uniform_(torch.empty(2, 4))
        >>> bool(w.abs().max() <= 1.0)  # bound sqrt(6 / 6)
        True
    """
    tensor = _check_tensor(tensor)
    gain = _check_number("gain", gain)
    fan_in, fan_out = fans(tensor)
    bound = math.sqrt(3.0) * gain * math.sqrt(2.0 / float(fan_in + fan_out))
    with torch.no_grad():
        return tensor.uniform_(-bound, bound)


_SCHEMES = {
    "he": he_normal_,
    "he_uniform": he_uniform_,
    "lecun": lecun_normal_,
    "xavier": xavier_normal_,
    "xavier_uniform": xavier_uniform_,
}


def init_(module: nn.Module, scheme: str = "he", bias: float | None = 0.0) -> nn.Module:
    """Initialise every Linear and Conv layer inside ``module``, in place.

    Each weight gets ``scheme`` (see :data:`INIT_SCHEMES`: ``"he"`` = :func:`he_normal_`,
    ``"he_uniform"``, ``"lecun"`` = :func:`lecun_normal_`, ``"xavier"`` =
    :func:`xavier_normal_`, ``"xavier_uniform"``, or ``"default"`` to keep the weights
    PyTorch gave them: a uniform with bound :math:`1/\\sqrt{\\text{fan\\_in}}`). Each bias is
    set to the constant ``bias``; ``bias=None`` keeps the biases as they are. So
    ``init_(m, "default", bias=None)`` leaves ``m`` exactly as PyTorch built it.

    Args:
        module: a model or a single layer.
        scheme: one of :data:`INIT_SCHEMES`. Defaults to ``"he"``.
        bias: constant for every bias, or None to keep them. Defaults to 0.

    Returns:
        ``module``.

    Examples:
        >>> layer = init_(nn.Linear(4, 3), "lecun", bias=0.5)
        >>> layer.bias.tolist()
        [0.5, 0.5, 0.5]
    """
    check_model(module, "module")
    if not isinstance(scheme, str) or scheme.lower() not in INIT_SCHEMES:
        raise ValueError(f"scheme must be one of {INIT_SCHEMES}, got {scheme!r}")
    if bias is not None:
        bias = _check_number("bias", bias)
    fill = _SCHEMES.get(scheme.lower())
    for layer in module.modules():
        if not isinstance(layer, _LAYERS):
            continue
        if fill is not None:
            fill(layer.weight)
        if bias is not None and layer.bias is not None:
            with torch.no_grad():
                layer.bias.fill_(bias)
    return module
