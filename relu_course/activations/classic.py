"""The classic activations ReLU replaced, sigmoid and tanh, and the identity baseline."""

from __future__ import annotations

from typing import Any

import torch
from torch import Tensor, nn

from relu_course.activations._common import (
    _check_input,
    _derivative,
    _opmath,
    _plain,
    _recording,
    _signature_once,
)

__all__ = [
    "Identity",
    "Sigmoid",
    "Tanh",
    "identity",
    "identity_derivative",
    "sigmoid",
    "sigmoid_derivative",
    "tanh",
    "tanh_derivative",
]


# ----------------------------------------------------------------------------- sigmoid, tanh
class _SigmoidFunction(torch.autograd.Function):
    # forward: y = 1 / (1 + exp(-x));  backward and jvp: dx = dy (1 - y) y, from the saved y
    generate_vmap_rule = True

    @staticmethod
    @_signature_once
    def forward(x: Tensor) -> Tensor:
        return torch.sigmoid(x)  # PyTorch's fused 1 / (1 + exp(-x)), stable for large |x|

    @staticmethod
    def setup_context(ctx: Any, inputs: tuple[Tensor], output: Tensor) -> None:
        ctx.save_for_backward(output)
        ctx.save_for_forward(output)

    @staticmethod
    def backward(ctx: Any, grad_output: Tensor) -> Tensor:
        (y,) = ctx.saved_tensors
        if not _plain(grad_output, y):  # out of place: differentiable once more (through y)
            return (grad_output * (1 - y) * y).to(grad_output.dtype)
        y = _opmath(y)
        return torch.sub(1, y).mul_(y).mul_(grad_output).to(grad_output.dtype)

    jvp = backward


def _promote(x: Tensor) -> Tensor:
    # torch.sigmoid and torch.tanh turn integer and bool tensors into the default float dtype.
    return x if x.is_floating_point() else x.to(torch.get_default_dtype())


def sigmoid(input: Tensor) -> Tensor:
    r"""Logistic sigmoid, the classic activation ReLU replaced.

    .. math:: \sigma(x) = \frac{1}{1 + e^{-x}} \qquad \sigma'(x) = \sigma(x)\,(1 - \sigma(x))

    Its derivative is at most ``0.25`` (at 0), so gradients shrink through deep stacks.

    Args:
        input: a tensor; integers and bools are promoted to the default float dtype.

    Shape:
        Input ``(*)``, output ``(*)``, the same shape.

    Examples:
        >>> sigmoid(torch.tensor([-1.0, 0.0, 2.0]))
        tensor([0.2689, 0.5000, 0.8808])
    """
    _check_input("sigmoid", input, integers=True)
    x = _promote(input)
    return _SigmoidFunction.apply(x) if _recording(x) else torch.sigmoid(x)


def sigmoid_derivative(x: Tensor) -> Tensor:
    """Sigmoid's derivative ``s * (1 - s)``; its maximum, 0.25, is at 0.

    Examples:
        >>> sigmoid_derivative(torch.tensor([-1.0, 0.0, 2.0]))
        tensor([0.1966, 0.2500, 0.1050])
    """
    _check_input("sigmoid_derivative", x)
    return _derivative(sigmoid, x)


class _TanhFunction(torch.autograd.Function):
    # forward: y = tanh(x);  backward and jvp: dx = dy (1 - y^2), computed as dy (1 - y)(1 + y):
    # no cancellation where tanh saturates (|y| near 1)
    generate_vmap_rule = True

    @staticmethod
    @_signature_once
    def forward(x: Tensor) -> Tensor:
        return torch.tanh(x)  # (e^x - e^-x) / (e^x + e^-x) written out would overflow for |x| > 88

    @staticmethod
    def setup_context(ctx: Any, inputs: tuple[Tensor], output: Tensor) -> None:
        ctx.save_for_backward(output)
        ctx.save_for_forward(output)

    @staticmethod
    def backward(ctx: Any, grad_output: Tensor) -> Tensor:
        (y,) = ctx.saved_tensors
        if not _plain(grad_output, y):  # out of place: differentiable once more (through y)
            return (grad_output * (1 - y) * (1 + y)).to(grad_output.dtype)
        y = _opmath(y)
        return torch.sub(1, y).mul_(1 + y).mul_(grad_output).to(grad_output.dtype)

    jvp = backward


def tanh(input: Tensor) -> Tensor:
    r"""Hyperbolic tangent: a zero-centred sigmoid, ``tanh(x) = 2 sigmoid(2x) - 1``.

    .. math:: \tanh(x) = \frac{e^x - e^{-x}}{e^x + e^{-x}} \qquad \tanh'(x) = 1 - \tanh^2(x)

    Args:
        input: a tensor; integers and bools are promoted to the default float dtype.

    Shape:
        Input ``(*)``, output ``(*)``, the same shape.

    Examples:
        >>> tanh(torch.tensor([-1.0, 0.0, 2.0]))
        tensor([-0.7616,  0.0000,  0.9640])
    """
    _check_input("tanh", input, integers=True)
    x = _promote(input)
    return _TanhFunction.apply(x) if _recording(x) else torch.tanh(x)


def tanh_derivative(x: Tensor) -> Tensor:
    """Tanh's derivative ``1 - tanh(x)**2``; its maximum, 1, is at 0.

    Examples:
        >>> tanh_derivative(torch.tensor([-1.0, 0.0, 2.0]))
        tensor([0.4200, 1.0000, 0.0707])
    """
    _check_input("tanh_derivative", x)
    return _derivative(tanh, x)


def identity(input: Tensor) -> Tensor:
    """The identity, the "no activation" baseline: a network of linear layers stays linear.

    Examples:
        >>> identity(torch.tensor([-1.0, 2.0]))
        tensor([-1.,  2.])
    """
    _check_input("identity", input, integers=True)
    return input


def identity_derivative(x: Tensor) -> Tensor:
    """The identity's derivative: 1 everywhere.

    Examples:
        >>> identity_derivative(torch.tensor([-1.0, 2.0]))
        tensor([1., 1.])
    """
    _check_input("identity_derivative", x)
    return torch.ones_like(x)


# ----------------------------------------------------------------------------- modules

class Sigmoid(nn.Module):
    """Applies :func:`sigmoid` elementwise.

    Examples:
        >>> Sigmoid()(torch.tensor([0.0]))
        tensor([0.5000])
    """

    def forward(self, input: Tensor) -> Tensor:
        return sigmoid(input)


class Tanh(nn.Module):
    """Applies :func:`tanh` elementwise.

    Examples:
        >>> Tanh()(torch.tensor([0.0]))
        tensor([0.])
    """

    def forward(self, input: Tensor) -> Tensor:
        return tanh(input)


class Identity(nn.Module):
    """Returns its input unchanged: the "no activation" baseline (accepts and ignores kwargs).

    Examples:
        >>> Identity()(torch.tensor([-1.0]))
        tensor([-1.])
    """

    def forward(self, input: Tensor) -> Tensor:
        return identity(input)


