"""The two model families of the course: a multilayer perceptron and a small CNN.

Both are plain :class:`torch.nn.Sequential` models with named layers, so that probes
report ``act0``, ``act1``, ... and a model prints as a readable list. Build them anywhere,
then move them with ``model.to(device)``; :func:`relu_course.train.fit` does that for you.
"""

from __future__ import annotations

import copy
from collections import OrderedDict
from collections.abc import Sequence
from typing import Callable, Union

import torch
from torch import nn

from relu_course._helpers import check_seed
from relu_course.activations import ACTIVATIONS, canonical_name, get_activation
from relu_course.fused import LinearReLU
from relu_course.init import INIT_SCHEMES, init_

__all__ = ["ActivationSpec", "digits_cnn", "mlp"]

ActivationSpec = Union[str, type, Callable[[], nn.Module], nn.Module]
"""A name (``"relu"``), a module class (``nn.ReLU``), a zero-argument factory
(``lambda: nn.LeakyReLU(0.2)``) or a module to copy (``nn.LeakyReLU(0.2)``)."""


def _activation_factory(activation: ActivationSpec) -> Callable[[], nn.Module]:
    """Turn any accepted activation spec into a function that builds a fresh module."""
    if isinstance(activation, str):
        get_activation(activation)  # fail now, with the list of valid names
        return lambda: get_activation(activation)
    if isinstance(activation, nn.Module):
        return lambda: copy.deepcopy(activation)  # one copy per layer: PReLU slopes differ
    if isinstance(activation, type) and not issubclass(activation, nn.Module):
        raise TypeError(
            f"activation class must be a torch.nn.Module subclass, got {activation.__name__}"
        )
    if callable(activation):

        def build() -> nn.Module:
            module = activation()
            if not isinstance(module, nn.Module):
                raise TypeError(
                    f"activation factory {activation!r} must return a "
                    f"torch.nn.Module, got {type(module).__name__}"
                )
            return module

        build()  # fail now rather than halfway through building the model
        return build
    raise TypeError(
        f"activation must be a name ({', '.join(ACTIVATIONS)}), an nn.Module "
        f"class, a zero-argument factory or a module, got "
        f"{type(activation).__name__} {activation!r}"
    )


def _check_init(init: object) -> str:
    if not isinstance(init, str) or init.lower() not in INIT_SCHEMES:
        raise ValueError(f"init must be one of {INIT_SCHEMES}, got {init!r}")
    return init.lower()


def _build(seed: int | None, make: Callable[[], nn.Module]) -> nn.Module:
    if seed is None:
        return make()
    # A private copy of the random state: the same seed builds the same weights, and the
    # caller's random stream is left where it was.
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        return make()


def _check_fused(fused: object, activation: ActivationSpec, batch_norm: bool) -> bool:
    """Whether to fuse Linear and ReLU; fused=True on a model that cannot be fused fails."""
    if not (isinstance(fused, bool) or fused == "auto"):
        raise ValueError(f"fused must be True, False or 'auto', got {fused!r}")
    relu = (isinstance(activation, str) and canonical_name(activation) == "relu") or (
        activation in (ACTIVATIONS["relu"], nn.ReLU))
    if fused is True and (not relu or batch_norm):
        raise ValueError(f"fused=True needs activation='relu' and batch_norm=False (the "
                         f"fused layer is Linear then ReLU), got activation={activation!r}, "
                         f"batch_norm={batch_norm}")
    if fused == "auto":
        return relu and not batch_norm and torch.cuda.is_available()
    return bool(fused)


def mlp(
    sizes: Sequence[int],
    activation: ActivationSpec = "relu",
    init: str = "he",
    bias: float | None = 0.0,
    batch_norm: bool = False,
    dropout: float = 0.0,
    seed: int | None = None,
    fused: bool | str = False,
) -> nn.Sequential:
    """A multilayer perceptron: Linear layers with an activation between each pair.

    For ``sizes = [n_in, h_1, ..., h_k, n_out]`` the network computes

    .. math:: h^{(l)} = \\phi\\big(W^{(l)} h^{(l-1)} + b^{(l)}\\big), \\qquad
              \\text{output} = W^{(k+1)} h^{(k)} + b^{(k+1)}

    with no activation after the last layer (it outputs logits or a regression value).
    Layers are named ``linear0, act0, linear1, act1, ...``; with ``batch_norm`` a
    ``bn<i>`` sits between ``linear<i>`` and ``act<i>``, with ``dropout`` a ``drop<i>``
    follows ``act<i>``.

    Args:
        sizes: layer widths, input first, output last; at least two.
        activation: ``"relu"`` or any name that
            :func:`relu_course.activations.get_activation` accepts, a module class
            (``nn.Tanh``), a zero-argument factory (``lambda: nn.LeakyReLU(0.2)``) or a
            module, copied for each layer.
            Defaults to ``"relu"``.
        init: weight initialisation, one of :data:`relu_course.init.INIT_SCHEMES`;
            ``"default"`` keeps PyTorch's. Defaults to ``"he"``.
        bias: constant for every bias; None keeps PyTorch's uniform biases (so
            ``init="default", bias=None`` is exactly ``nn.Linear``'s default).
            Defaults to 0.
        batch_norm: add ``BatchNorm1d`` after each hidden Linear. Defaults to False.
        dropout: dropout probability after each hidden activation, in [0, 1).
            Defaults to 0 (none).
        seed: build the weights from this seed, without touching the global random
            state; None draws from the global random state. Defaults to None.
        fused: make each hidden ``linear<i>`` a :class:`relu_course.fused.LinearReLU`
            (Linear and ReLU in one step, compiled on a GPU) with no ``act<i>`` after it;
            only for ReLU without batch norm. Faster, but probes find no activation
            layers to look at. ``"auto"`` fuses when a CUDA GPU is present and the model
            can be fused. The same ``seed`` gives the same weights either way, and the
            ``state_dict`` of one loads into the other. Defaults to False.

    Returns:
        An :class:`torch.nn.Sequential`.

    Examples:
        >>> model = mlp([2, 16, 16, 2], seed=0)
        >>> [name for name, _ in model.named_children()]
        ['linear0', 'act0', 'linear1', 'act1', 'linear2']
        >>> model(torch.zeros(5, 2)).shape
        torch.Size([5, 2])
        >>> torch.equal(model.linear0.weight, mlp([2, 16, 16, 2], seed=0).linear0.weight)
        True
    """
    if isinstance(sizes, (str, bytes)) or not isinstance(sizes, Sequence):
        raise TypeError(
            f"sizes must be a list of layer widths such as [2, 16, 2], got "
            f"{type(sizes).__name__} {sizes!r}"
        )
    if len(sizes) < 2 or any(isinstance(s, bool) or not isinstance(s, int) or s < 1 for s in sizes):
        raise ValueError(
            f"sizes must hold at least two positive integers (input and output "
            f"widths), got {list(sizes)!r}"
        )
    make_act = _activation_factory(activation)
    init = _check_init(init)
    if not isinstance(batch_norm, bool):
        raise TypeError(f"batch_norm must be True or False, got {batch_norm!r}")
    if isinstance(dropout, bool) or not isinstance(dropout, (int, float)):
        raise TypeError(f"dropout must be a probability in [0, 1), got {dropout!r}")
    if not 0 <= dropout < 1:
        raise ValueError(f"dropout must be a probability in [0, 1), got {dropout}")
    seed = check_seed(seed, optional=True)
    fuse = _check_fused(fused, activation, batch_norm)

    def make() -> nn.Sequential:
        layers: OrderedDict[str, nn.Module] = OrderedDict()
        last = len(sizes) - 2
        for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:])):
            linear = LinearReLU if fuse and i != last else nn.Linear
            layers[f"linear{i}"] = linear(n_in, n_out)
            if i == last:
                break
            if batch_norm:
                layers[f"bn{i}"] = nn.BatchNorm1d(n_out)
            if not fuse:
                layers[f"act{i}"] = make_act()
            if dropout > 0:
                layers[f"drop{i}"] = nn.Dropout(dropout)
        return init_(nn.Sequential(layers), init, bias=bias)

    return _build(seed, make)


def digits_cnn(
    activation: ActivationSpec = "relu",
    channels: Sequence[int] = (16, 32),
    init: str = "he",
    seed: int | None = None,
) -> nn.Sequential:
    """A small CNN for the 8x8 digits: (conv 3x3, activation, 2x2 max-pool) per stage.

    Each stage keeps the spatial size through padding and then halves it by pooling, so
    two stages map ``(N, 1, 8, 8)`` to ``(N, channels[-1], 2, 2)``; a final Linear maps the
    flattened features to 10 logits. Layers are named ``conv0, act0, pool0, conv1, act1,
    pool1, flatten, linear0``. Biases start at 0 (PyTorch's own with ``init="default"``).

    Args:
        activation: as in :func:`mlp`. Defaults to ``"relu"``.
        channels: output channels of each stage, one to three stages. Defaults to (16, 32).
        init: weight initialisation, one of :data:`relu_course.init.INIT_SCHEMES`.
            Defaults to ``"he"``.
        seed: build the weights from this seed without touching the global random state.
            Defaults to None.

    Returns:
        An :class:`torch.nn.Sequential` taking ``(N, 1, 8, 8)`` to ``(N, 10)``.

    Examples:
        >>> model = digits_cnn(seed=0)
        >>> model(torch.zeros(4, 1, 8, 8)).shape
        torch.Size([4, 10])
        >>> [name for name, _ in model.named_children() if name.startswith("act")]
        ['act0', 'act1']
    """
    if isinstance(channels, (str, bytes)) or not isinstance(channels, Sequence):
        raise TypeError(
            f"channels must be a sequence of channel counts such as (16, 32), "
            f"got {type(channels).__name__} {channels!r}"
        )
    if not 1 <= len(channels) <= 3 or any(
        isinstance(c, bool) or not isinstance(c, int) or c < 1 for c in channels
    ):
        raise ValueError(
            f"channels must hold one to three positive integers (8x8 halves "
            f"at most three times), got {tuple(channels)!r}"
        )
    make_act = _activation_factory(activation)
    init = _check_init(init)
    seed = check_seed(seed, optional=True)

    def make() -> nn.Sequential:
        layers: OrderedDict[str, nn.Module] = OrderedDict()
        n_in, side = 1, 8
        for i, n_out in enumerate(channels):
            layers[f"conv{i}"] = nn.Conv2d(n_in, n_out, kernel_size=3, padding=1)
            layers[f"act{i}"] = make_act()
            layers[f"pool{i}"] = nn.MaxPool2d(2)
            n_in, side = n_out, side // 2
        layers["flatten"] = nn.Flatten()
        layers["linear0"] = nn.Linear(n_in * side * side, 10)
        return init_(nn.Sequential(layers), init, bias=None if init == "default" else 0.0)

    return _build(seed, make)
