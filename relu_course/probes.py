"""Look inside a network: what its activation layers output, and how its gradients flow.

Every probe runs the model forward with hooks on its *activation layers* (the modules for
which :func:`relu_course.activations.is_activation` is True), reported by their names in
``model.named_modules()`` (``"act0"``, ``"act1"``, ... for :func:`relu_course.models.mlp`)
in the order the forward pass reaches them. The hooks are removed when the probe ends,
even when the forward pass raises, so probing never changes the model.

Probes evaluate the model in eval mode and without gradients (except
:func:`gradient_norms`), and restore its mode afterwards. Results are plain ordered dicts
from layer name to a number or a small dataclass.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Callable

import torch
from torch import nn

from relu_course._helpers import LossFn, check_loss, check_model, eval_mode, model_device
from relu_course.activations import is_activation

__all__ = [
    "PROBES",
    "ActivationStats",
    "DeadUnits",
    "Regions",
    "activation_stats",
    "capture_activations",
    "dead_fraction",
    "dead_units",
    "epoch_probes",
    "gradient_norms",
    "linear_regions",
    "sparsity",
]

PROBES = ("dead", "sparsity", "grad_norms", "stats")
"""Names of the probes :func:`relu_course.train.fit` can run after each epoch (``probes=[...]``)."""

_WEIGHTED = (nn.Linear, nn.Conv1d, nn.Conv2d, nn.Conv3d)


@dataclass(frozen=True)
class DeadUnits:
    """The dead units of one layer: those that output 0 for every input probed.

    Attributes:
        fraction: ``count / total``.
        count: number of dead units.
        total: number of units (features of a Linear layer, channels of a Conv layer).
        indices: the dead units' indices, ascending.
    """

    fraction: float
    count: int
    total: int
    indices: list[int]

    def __float__(self) -> float:
        return self.fraction


@dataclass(frozen=True)
class ActivationStats:
    """Summary of one layer's outputs over all inputs, units and positions.

    Attributes:
        mean: the mean output.
        var: the variance (population: divided by the number of values).
        positive_fraction: the share of outputs strictly greater than 0.
    """

    mean: float
    var: float
    positive_fraction: float


@dataclass(frozen=True)
class Regions:
    """Activation patterns of a network over a 2-D grid (see :func:`linear_regions`).

    Attributes:
        ids: ``(resolution, resolution)`` int64; ``ids[i, j]`` labels the pattern at
            the point ``(xs[j], ys[i])`` (rows follow y, as in an image).
        count: number of distinct patterns on the grid.
        xs, ys: the grid's coordinates, each of length ``resolution``.
    """

    ids: torch.Tensor
    count: int
    xs: torch.Tensor
    ys: torch.Tensor


@contextmanager
def capture_activations(model: nn.Module) -> Iterator[dict[str, list[torch.Tensor]]]:
    """Record the outputs of every activation layer while the block runs.

    Yields a dict that fills up during forward passes: layer name -> list of output
    tensors (detached), one per call, keys in the order the layers first ran. The hooks
    are removed on leaving the block, also when it raises.

    Args:
        model: the network.

    Yields:
        ``dict[str, list[Tensor]]``.

    Examples:
        >>> from relu_course.models import mlp
        >>> model = mlp([2, 4, 4, 1], seed=0)
        >>> with capture_activations(model) as outputs:
        ...     _ = model(torch.randn(3, 2))
        >>> {name: tuple(out[0].shape) for name, out in outputs.items()}
        {'act0': (3, 4), 'act1': (3, 4)}
        >>> len(model.act0._forward_hooks)  # the hooks are gone
        0
    """
    check_model(model)
    outputs: dict[str, list[torch.Tensor]] = {}

    def hook_for(name: str, module: nn.Module):
        copy = bool(getattr(module, "inplace", False))  # a later in-place op could change it

        def hook(_module: nn.Module, _inputs: object, output: torch.Tensor) -> None:
            out = output.detach()
            outputs.setdefault(name, []).append(out.clone() if copy else out)

        return hook

    handles = [module.register_forward_hook(hook_for(name, module))
               for name, module in model.named_modules() if is_activation(module)]
    try:
        yield outputs
    finally:
        for handle in handles:
            handle.remove()


def _layer_outputs(model: nn.Module, X: torch.Tensor) -> dict[str, torch.Tensor]:
    """Run ``model`` on ``X`` (eval mode, no gradients) and return each layer's output."""
    model = check_model(model)
    if not isinstance(X, torch.Tensor):
        raise TypeError(f"X must be a torch.Tensor, got {type(X).__name__}")
    with eval_mode(model), torch.no_grad(), capture_activations(model) as outputs:
        model(X.to(model_device(model)))
    if not outputs:
        raise ValueError(f"{type(model).__name__} has no activation layers to probe; "
                         "probes look for activation modules (ReLU, LeakyReLU, GELU, ... from "
                         "relu_course.activations or torch.nn), not functional calls")
    merged = {}
    for name, outs in outputs.items():
        if any(o.shape[1:] != outs[0].shape[1:] for o in outs):
            raise ValueError(f"layer {name!r} ran several times with different output "
                             "shapes; probe a model that uses each activation module once")
        merged[name] = outs[0] if len(outs) == 1 else torch.cat(outs)
    return merged


def sparsity(model: nn.Module, X: torch.Tensor) -> dict[str, float]:
    """Fraction of outputs exactly equal to 0, per activation layer.

    .. math:: s_\\ell = \\frac{\\#\\{(n, j) : h^{(\\ell)}_{nj}(x_n) = 0\\}}{N \\cdot d_\\ell}

    counted over every input, unit (and position, for a CNN).

    Args:
        model: the network.
        X: a batch of inputs.

    Returns:
        layer name -> sparsity in [0, 1].

    Examples:
        >>> model = nn.Sequential(nn.Linear(1, 2), nn.ReLU())
        >>> with torch.no_grad():
        ...     _ = model[0].weight.copy_(torch.tensor([[1.0], [-1.0]])), model[0].bias.zero_()
        >>> sparsity(model, torch.tensor([[1.0], [2.0]]))  # the second unit is always 0
        {'1': 0.5}
    """
    return {name: float((h == 0).float().mean()) for name, h in _layer_outputs(model, X).items()}


def _units_last(h: torch.Tensor) -> torch.Tensor:
    """Reshape a layer output to ``(values, units)``; units are along dim 1."""
    if h.dim() < 2:
        raise ValueError(f"an activation output of shape {tuple(h.shape)} has no unit "
                         "dimension; expected (batch, units, ...)")
    return h.transpose(0, 1).reshape(h.shape[1], -1).T


def dead_units(model: nn.Module, X: torch.Tensor) -> dict[str, DeadUnits]:
    """The units of each activation layer that output 0 for every input in ``X``.

    A unit is a feature of a Linear layer's output (dim 1) or a channel of a Conv layer's
    output; a channel is dead when it is 0 at every position of every input. A dead ReLU
    unit passes no gradient to its own weights: in the first layer plain SGD never revives
    it, while a deeper one can revive as the layers below it train (the dying-ReLU
    chapter). Dead *on X*: a unit may still fire on other inputs.

    Args:
        model: the network.
        X: the inputs to test on (the training set, or a large sample of it).

    Returns:
        layer name -> :class:`DeadUnits`.

    Examples:
        >>> model = nn.Sequential(nn.Linear(2, 3), nn.ReLU())
        >>> with torch.no_grad():
        ...     _ = model[0].bias.copy_(torch.tensor([0.0, -100.0, 0.0]))
        >>> dead_units(model, torch.randn(50, 2))["1"]
        DeadUnits(fraction=0.3333333333333333, count=1, total=3, indices=[1])
    """
    out = {}
    for name, h in _layer_outputs(model, X).items():
        alive = (_units_last(h) != 0).any(dim=0)  # (units,)
        dead = torch.nonzero(~alive).flatten().tolist()
        total = alive.numel()
        out[name] = DeadUnits(len(dead) / total, len(dead), total, dead)
    return out


def dead_fraction(model: nn.Module, X: torch.Tensor) -> float:
    """Fraction of dead units over all units of all activation layers (see :func:`dead_units`).

    Examples:
        >>> model = nn.Sequential(nn.Linear(2, 4), nn.ReLU())
        >>> with torch.no_grad():
        ...     _ = model[0].bias.fill_(-100.0)
        >>> dead_fraction(model, torch.randn(10, 2))
        1.0
    """
    layers = dead_units(model, X).values()
    return sum(d.count for d in layers) / sum(d.total for d in layers)


def activation_stats(model: nn.Module, X: torch.Tensor) -> dict[str, ActivationStats]:
    """Mean, variance and fraction of positive outputs of each activation layer.

    Taken over all inputs, units and positions of the layer. With He initialisation the
    pre-activations of a ReLU network keep the same scale from layer to layer; these
    statistics show it (the gradient-flow chapter).

    Args:
        model: the network.
        X: a batch of inputs.

    Returns:
        layer name -> :class:`ActivationStats`.

    Examples:
        >>> model = nn.Sequential(nn.Identity(), nn.ReLU())
        >>> activation_stats(model, torch.tensor([[-1.0, 1.0, 3.0, 0.0]]))  # 0, 1, 3, 0
        {'1': ActivationStats(mean=1.0, var=1.5, positive_fraction=0.5)}
    """
    out = {}
    for name, h in _layer_outputs(model, X).items():
        h = h.double()
        out[name] = ActivationStats(float(h.mean()), float(h.var(correction=0)),
                                    float((h > 0).double().mean()))
    return out


def gradient_norms(model: nn.Module, X: torch.Tensor, y: torch.Tensor,
                   loss: object = None) -> dict[str, float]:
    """L2 norm of the loss gradient with respect to each Linear/Conv weight.

    .. math:: \\left\\lVert \\frac{\\partial L}{\\partial W^{(\\ell)}} \\right\\rVert_2

    from one backward pass on ``(X, y)`` in eval mode. Vanishing gradients show as norms
    that shrink towards the input layer. The gradients are computed with
    :func:`torch.autograd.grad`, so the parameters' ``.grad`` fields are left untouched.

    Args:
        model: the network.
        X: inputs.
        y: targets (int64 labels, or float values for regression).
        loss: a callable ``loss(output, target)``; None picks cross-entropy for labels
            and mean squared error for float targets. Defaults to None.

    Returns:
        layer name (``"linear0"``, ``"conv1"``, ...) -> gradient norm, in module order.

    Examples:
        >>> model = nn.Sequential(nn.Linear(1, 1, bias=False))
        >>> with torch.no_grad():
        ...     _ = model[0].weight.fill_(2.0)
        >>> # L = (2x - y)^2 at x=1, y=0: dL/dw = 2 (2x - y) x = 4
        >>> gradient_norms(model, torch.tensor([[1.0]]), torch.tensor([[0.0]]))
        {'0': 4.0}
    """
    model = check_model(model)
    if not isinstance(X, torch.Tensor) or not isinstance(y, torch.Tensor):
        raise TypeError(f"X and y must be tensors, got {type(X).__name__} and "
                        f"{type(y).__name__}")
    loss_fn = check_loss(loss, y)  # the same default loss as fit
    layers = [(name, m) for name, m in model.named_modules()
              if isinstance(m, _WEIGHTED) and m.weight.requires_grad]
    if not layers:
        raise ValueError(f"{type(model).__name__} has no Linear or Conv layer with a "
                         "trainable weight")
    device = model_device(model)
    with eval_mode(model), torch.enable_grad():
        value = loss_fn(model(X.to(device)), y.to(device))
        grads = torch.autograd.grad(value, [m.weight for _, m in layers], allow_unused=True)
    return {name: 0.0 if g is None else float(g.norm())
            for (name, _), g in zip(layers, grads)}


def linear_regions(model: nn.Module, xlim: tuple[float, float] = (-3, 3),
                   ylim: tuple[float, float] = (-3, 3), resolution: int = 300) -> Regions:
    """Label each point of a 2-D grid by the network's activation pattern there.

    A ReLU network is piecewise linear: inside a region where every unit keeps its on/off
    state, it is one affine map. The *activation pattern* of an input is the vector of
    those states (:math:`h > 0`) over all units of all activation layers; points with the
    same pattern get the same id. ``count`` is the number of distinct patterns on the
    grid, a lower bound on the number of linear regions the grid crosses (a pattern seen
    in two separate places is counted once).

    Args:
        model: a network taking 2-D inputs, with activation layers.
        xlim: the grid's range along the first input. Defaults to (-3, 3).
        ylim: the grid's range along the second input. Defaults to (-3, 3).
        resolution: points per axis. Defaults to 300.

    Returns:
        A :class:`Regions`.

    Examples:
        >>> model = nn.Sequential(nn.Linear(2, 2), nn.ReLU())
        >>> with torch.no_grad():  # two units, on when x > 0 and when y > 0
        ...     _ = model[0].weight.copy_(torch.eye(2)), model[0].bias.zero_()
        >>> regions = linear_regions(model, resolution=4)
        >>> regions.count
        4
        >>> regions.ids.shape
        torch.Size([4, 4])
    """
    for name, lim in (("xlim", xlim), ("ylim", ylim)):
        if (not isinstance(lim, (tuple, list)) or len(lim) != 2
                or not all(isinstance(v, (int, float)) for v in lim) or not lim[0] < lim[1]):
            raise ValueError(f"{name} must be a pair (low, high) with low < high, got {lim!r}")
    if isinstance(resolution, bool) or not isinstance(resolution, int) or resolution < 2:
        raise ValueError(f"resolution must be an integer >= 2, got {resolution!r}")
    # The grid takes the model's dtype, so a float64 model is probed in float64.
    dtype = next((p.dtype for p in model.parameters() if p.is_floating_point()),
                 torch.get_default_dtype()) if isinstance(model, nn.Module) else None
    xs = torch.linspace(float(xlim[0]), float(xlim[1]), resolution, dtype=dtype)
    ys = torch.linspace(float(ylim[0]), float(ylim[1]), resolution, dtype=dtype)
    grid_y, grid_x = torch.meshgrid(ys, xs, indexing="ij")
    points = torch.stack([grid_x.flatten(), grid_y.flatten()], dim=1)  # (res*res, 2)
    outputs = _layer_outputs(model, points)
    pattern = torch.cat([_units_last(h) > 0 for h in outputs.values()], dim=1).cpu()
    _, ids = torch.unique(pattern, dim=0, return_inverse=True)
    # Relabel by first appearance (row by row), so ids do not depend on sort order.
    first = torch.full((int(ids.max()) + 1,), len(ids), dtype=torch.int64)
    first.scatter_reduce_(0, ids, torch.arange(len(ids)), reduce="amin")
    rank = torch.empty_like(first)
    rank[first.argsort()] = torch.arange(len(first))
    ids = rank[ids]
    return Regions(ids.reshape(resolution, resolution), len(first), xs, ys)


def epoch_probes(probes: object, loss: LossFn | None = None) -> dict[str, Callable[..., Any]]:
    """The probes :func:`relu_course.train.fit` runs after each epoch, as ``fn(model, X, y)``.

    ``probes``: None, names among :data:`PROBES` (``"dead"``: each layer's dead fraction;
    ``"grad_norms"`` differentiates ``loss``, None for ``fit``'s), or a dict from a name to
    one's own ``fn(model, X)``. ``ValueError`` for an unknown name, else ``TypeError``.
    ``sorted(epoch_probes(["sparsity", "dead"]))`` is ``['dead', 'sparsity']``.
    """
    named: dict[str, Callable[..., Any]] = {
        "dead": lambda m, X, y: {k: v.fraction for k, v in dead_units(m, X).items()},
        "sparsity": lambda m, X, y: sparsity(m, X),
        "grad_norms": lambda m, X, y: gradient_norms(m, X, y, loss),
        "stats": lambda m, X, y: activation_stats(m, X),
    }
    if probes is None:
        return {}
    if isinstance(probes, Mapping):
        if not all(isinstance(name, str) and callable(fn) for name, fn in probes.items()):
            raise TypeError(f"probes as a dict must map names to callables fn(model, X), "
                            f"got {probes!r}")
        return {name: lambda m, X, y, fn=fn: fn(m, X) for name, fn in probes.items()}
    if isinstance(probes, str) or not isinstance(probes, Sequence):
        raise TypeError(f"probes must be None, a list of names among {PROBES}, or a dict "
                        f"name -> fn(model, X), got {probes!r}")
    unknown = [name for name in probes if name not in named]
    if unknown:
        raise ValueError(f"unknown probe(s) {unknown}; accepted: {', '.join(PROBES)} "
                         "(or pass a dict name -> fn(model, X))")
    return {name: named[name] for name in probes}
