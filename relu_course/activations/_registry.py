"""One record per activation; every table of names (the registry, labels, twins) derives from it.

Adding an activation is one :class:`Activation` record in :data:`RECORDS` (and its file).
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Callable

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from relu_course.activations.classic import (
    Identity,
    Sigmoid,
    Tanh,
    identity,
    identity_derivative,
    sigmoid,
    sigmoid_derivative,
    tanh,
    tanh_derivative,
)
from relu_course.activations.exponential import (
    ELU,
    SELU,
    elu,
    elu_derivative,
    selu,
    selu_derivative,
)
from relu_course.activations.gated import GELU, SiLU, gelu, gelu_derivative, silu, silu_derivative
from relu_course.activations.parametric import PReLU, prelu, prelu_derivative
from relu_course.activations.rectified import (
    LeakyReLU,
    ReLU,
    leaky_relu,
    leaky_relu_derivative,
    relu,
    relu_derivative,
)

__all__ = [
    "ACTIVATIONS",
    "DERIVATIVES",
    "FUNCTIONS",
    "LABELS",
    "RECORDS",
    "REGISTRY",
    "Activation",
    "canonical_name",
    "get_activation",
    "is_activation",
]


@dataclass(frozen=True)
class Activation:
    """Everything the package knows about one activation, in one place.

    Attributes:
        name: the registry key, lower case with ``_`` (``"leaky_relu"``).
        function: the functional form, ``torch.nn.functional``'s signature.
        derivative: its elementwise derivative, same extra arguments as ``function``.
        module: the ``nn.Module`` class.
        label: how figures and tables name it (``"Leaky ReLU"``).
        reference: PyTorch's twin with the same signature (``F.leaky_relu``); None for the
            identity, which PyTorch has only as a module.
        defaults: the arguments ``function`` needs beyond the input to be drawn or timed as a
            function of ``x`` alone (PReLU: its initial slope ``weight=0.25``, as
            ``torch.nn.PReLU`` starts from).
    """

    name: str
    function: Callable[..., Tensor]
    derivative: Callable[..., Tensor]
    module: type[nn.Module]
    label: str
    reference: Callable[..., Tensor] | None
    defaults: Mapping[str, Any] = field(default_factory=dict)

    def curve(self) -> tuple[Callable[[Tensor], Tensor], Callable[[Tensor], Tensor]]:
        """``(f, f')`` as functions of the input alone, with :attr:`defaults` filled in.

        Examples:
            >>> f, df = REGISTRY["prelu"].curve()
            >>> f(torch.tensor([-4.0, 2.0])), df(torch.tensor([-4.0, 2.0]))
            (tensor([-1.,  2.]), tensor([0.2500, 1.0000]))
        """
        return (functools.partial(self.function, **self.defaults),
                functools.partial(self.derivative, **self.defaults))


RECORDS: tuple[Activation, ...] = (
    Activation("relu", relu, relu_derivative, ReLU, "ReLU", F.relu),
    Activation("leaky_relu", leaky_relu, leaky_relu_derivative, LeakyReLU, "Leaky ReLU",
               F.leaky_relu),
    Activation("prelu", prelu, prelu_derivative, PReLU, "PReLU (a=0.25)", F.prelu,
               MappingProxyType({"weight": 0.25})),
    Activation("elu", elu, elu_derivative, ELU, "ELU", F.elu),
    Activation("selu", selu, selu_derivative, SELU, "SELU", F.selu),
    Activation("gelu", gelu, gelu_derivative, GELU, "GELU", F.gelu),
    Activation("silu", silu, silu_derivative, SiLU, "SiLU", F.silu),
    Activation("sigmoid", sigmoid, sigmoid_derivative, Sigmoid, "sigmoid", torch.sigmoid),
    Activation("tanh", tanh, tanh_derivative, Tanh, "tanh", torch.tanh),
    Activation("identity", identity, identity_derivative, Identity, "identity", None),
)
"""Every activation of the package, in the order tables and figures list them."""

REGISTRY: Mapping[str, Activation] = MappingProxyType({r.name: r for r in RECORDS})
"""Name -> its :class:`Activation` record."""

ACTIVATIONS: dict[str, type[nn.Module]] = {r.name: r.module for r in RECORDS}
"""Name -> module class."""

FUNCTIONS: dict[str, Callable[..., Tensor]] = {r.name: r.function for r in RECORDS}
"""Name -> functional form (``prelu`` needs its weight: ``FUNCTIONS["prelu"](x, 0.25)``)."""

DERIVATIVES: dict[str, Callable[..., Tensor]] = {r.name: r.derivative for r in RECORDS}
"""Name -> derivative (``prelu_derivative`` needs its weight too)."""

LABELS: dict[str, str] = {r.name: r.label for r in RECORDS}
"""Name -> the label figures and tables show (``"leaky_relu"`` -> ``"Leaky ReLU"``)."""


def canonical_name(name: str) -> str:
    """The registry key a user's spelling stands for: case-insensitive, ``-`` and ``_`` alike.

    The one rule every part of the package uses to read an activation's name; it does not check
    that the name exists (:func:`get_activation` does).

    Examples:
        >>> canonical_name(" Leaky-ReLU ")
        'leaky_relu'
    """
    return name.strip().lower().replace("-", "_")


def get_activation(name: str, **kwargs: Any) -> nn.Module:
    """Build an activation module by name; case-insensitive, ``-`` and ``_`` alike.

    Args:
        name: one of ``ACTIVATIONS``' keys, e.g. ``"relu"``, ``"Leaky-ReLU"``.
        **kwargs: passed to the module, e.g. ``negative_slope=0.1``, or PReLU's ``device`` and
            ``dtype``.

    Raises:
        ValueError: unknown name (the message lists the valid ones).
        TypeError: a keyword the module does not accept (the message lists those it does).

    Examples:
        >>> get_activation("Leaky-ReLU", negative_slope=0.2)
        LeakyReLU(negative_slope=0.2)
        >>> get_activation("prelu", dtype=torch.float64).weight.dtype
        torch.float64
    """
    if not isinstance(name, str):
        raise TypeError(
            f"get_activation() expects a name (str), got {name!r}; "
            f"valid names: {', '.join(ACTIVATIONS)}"
        )
    key = canonical_name(name)
    if key not in ACTIVATIONS:
        raise ValueError(f"unknown activation {name!r}; valid names: {', '.join(ACTIVATIONS)}")
    cls = ACTIVATIONS[key]
    accepted = [p for p in inspect.signature(cls.__init__).parameters if p != "self"]
    unknown = sorted(set(kwargs) - set(accepted))
    if unknown:
        raise TypeError(
            f"get_activation({name!r}) got unexpected keyword(s) {unknown}; "
            f"{cls.__name__} accepts: {', '.join(accepted) or 'no keywords'}"
        )
    return cls(**kwargs)


_TORCH_ACTIVATIONS = (
    nn.ReLU,
    nn.LeakyReLU,
    nn.PReLU,
    nn.ELU,
    nn.SELU,
    nn.GELU,
    nn.SiLU,
    nn.Sigmoid,
    nn.Tanh,
    nn.Softplus,
    nn.Mish,
    nn.Hardtanh,
    nn.ReLU6,
    nn.CELU,
)


def is_activation(module: Any) -> bool:
    """True for an activation module: one of ours, or one of ``torch.nn``'s common ones.

    Probes use it to find activation layers. ``nn.Identity`` is not one (it often marks a
    removed layer); our :class:`Identity` is (it marks "no activation" in an experiment).

    Examples:
        >>> from relu_course.activations import ReLU
        >>> [is_activation(m) for m in (ReLU(), torch.nn.GELU(), torch.nn.Linear(1, 1))]
        [True, True, False]
    """
    return isinstance(module, (*ACTIVATIONS.values(), *_TORCH_ACTIVATIONS))
