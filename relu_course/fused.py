"""A Linear layer and its ReLU in one step: ``relu(x @ W^T + b)``.

An MLP spends its time in two kinds of work: the matrix product of each Linear layer, and the
element-wise passes over its output (add the bias, apply ReLU, and in the backward pass mask
the gradient). The matrix product is compute-bound; the element-wise passes are memory-bound,
so each one costs a full read and write of the layer's output. Fusing them saves passes:

- everywhere, :func:`linear_relu` lets ``torch.addmm`` add the bias inside the matrix product
  (no separate pass) and applies ReLU in place on the product's fresh output (no second
  tensor);
- on a CUDA GPU it runs the same function through :func:`torch.compile`, which generates one
  kernel for the bias and ReLU (and their backward). It is compiled on first use, once; if
  compilation fails (no Triton, no compiler), the eager path above is used from then on.

The results equal ``torch.relu(torch.nn.functional.linear(x, W, b))`` within float rounding,
and so do the gradients (``tests/test_fused.py`` checks both).

The trade-off, and why :func:`relu_course.models.mlp` does not fuse by default: a fused layer
has no separate activation module, so the probes of :mod:`relu_course.probes` (which hook
``act0``, ``act1``, ...) cannot see its output. Fusing is for speed on a GPU, not for
looking inside the network.

The chapter *ReLU in practice* measures what ReLU costs on CPU and GPU.
"""

from __future__ import annotations

from typing import Callable, Optional

import torch
import torch.nn.functional as F
from torch import Tensor, nn

__all__ = ["LinearReLU", "linear_relu"]

LinearFn = Callable[[Tensor, Tensor, Optional[Tensor]], Tensor]


def _linear_relu_eager(x: Tensor, weight: Tensor, bias: Tensor | None) -> Tensor:
    # addmm adds the bias inside the product; relu_ reuses the product's memory. In place is
    # safe: the matrix product's backward needs its inputs, not its output.
    return torch.relu_(F.linear(x, weight, bias))


def _linear_relu_pure(x: Tensor, weight: Tensor, bias: Tensor | None) -> Tensor:
    # The form handed to torch.compile, which fuses the element-wise work itself.
    return torch.relu(F.linear(x, weight, bias))


class _CompiledOnce:
    """Compile ``fn`` on first call; on any compilation failure, use ``fallback`` for good.

    ``compiler`` is :func:`torch.compile` in use, and a stand-in in the tests.
    """

    def __init__(
        self,
        fn: LinearFn,
        fallback: LinearFn,
        compiler: Callable[[LinearFn], LinearFn] = torch.compile,
    ) -> None:
        self.fn, self.fallback, self.compiler = fn, fallback, compiler
        self.compiled: LinearFn | None = None
        self.failure: str | None = None

    def __call__(self, x: Tensor, weight: Tensor, bias: Tensor | None) -> Tensor:
        if self.failure is None:
            try:
                if self.compiled is None:
                    self.compiled = self.compiler(self.fn)
                return self.compiled(x, weight, bias)
            except Exception as error:  # Triton or a C++ compiler missing, an unsupported op
                self.failure = f"{type(error).__name__}: {error}".splitlines()[0]
        return self.fallback(x, weight, bias)


_cuda_linear_relu = _CompiledOnce(_linear_relu_pure, _linear_relu_eager)


def _check(input: Tensor, weight: Tensor, bias: Tensor | None) -> None:
    for name, value in (("input", input), ("weight", weight)):
        if not isinstance(value, Tensor):
            raise TypeError(f"linear_relu() expects {name} to be a torch.Tensor, got "
                            f"{type(value).__name__}")
    if bias is not None and not isinstance(bias, Tensor):
        raise TypeError(f"linear_relu() expects bias to be a torch.Tensor or None, got "
                        f"{type(bias).__name__}")
    tensors = [t for t in (input, weight, bias) if isinstance(t, Tensor)]
    for t in tensors:
        if not t.is_floating_point():
            raise TypeError(f"linear_relu() is defined for floating-point tensors, got dtype "
                            f"{t.dtype}")
    if len({t.dtype for t in tensors}) > 1 or len({t.device for t in tensors}) > 1:
        raise TypeError("linear_relu() expects input, weight and bias of one dtype on one "
                        "device, got " + ", ".join(f"{t.dtype} on {t.device}" for t in tensors))
    if weight.dim() != 2:
        raise ValueError(f"linear_relu() expects a 2-D weight (out_features, in_features), "
                         f"got shape {tuple(weight.shape)}")
    if input.dim() == 0 or input.shape[-1] != weight.shape[1]:
        raise ValueError(f"linear_relu() expects input of shape (*, {weight.shape[1]}) to "
                         f"match weight {tuple(weight.shape)}, got {tuple(input.shape)}")
    if isinstance(bias, Tensor) and bias.shape != weight.shape[:1]:
        raise ValueError(f"linear_relu() expects bias of shape ({weight.shape[0]},), got "
                         f"{tuple(bias.shape)}")


def linear_relu(input: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    r"""A Linear layer followed by ReLU, in as few passes over memory as the device allows.

    .. math:: y = \max\bigl(0,\; x W^\top + b\bigr)
              \qquad \frac{\partial y}{\partial (xW^\top + b)} = 1 \text{ where } y > 0
              \text{ else } 0

    Kink: where ``x W^T + b`` is exactly 0 the gradient is 0, as with ``torch.relu``.
    On the CPU this is ``addmm`` (bias added inside the product) and an in-place ReLU; on a
    CUDA GPU, the same computation compiled by :func:`torch.compile` (falling back to the CPU
    form when compilation fails).

    Args:
        input: ``(*, in_features)``, floating point.
        weight: ``(out_features, in_features)``, as in ``nn.Linear``.
        bias: ``(out_features,)`` or None. Default: None.

    Returns:
        ``(*, out_features)``, non-negative.

    Raises:
        TypeError: a non-tensor, a non-float dtype, or mixed dtypes or devices.
        ValueError: shapes that do not fit together.

    Examples:
        >>> x = torch.tensor([[1.0, -2.0]])
        >>> w = torch.tensor([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
        >>> linear_relu(x, w, torch.tensor([0.5, 0.5, 0.5]))
        tensor([[1.5000, 0.0000, 0.0000]])
    """
    _check(input, weight, bias)
    if input.is_cuda:
        return _cuda_linear_relu(input, weight, bias)
    return _linear_relu_eager(input, weight, bias)


class LinearReLU(nn.Linear):
    """``nn.Linear`` followed by ReLU, computed by :func:`linear_relu`.

    A subclass of ``nn.Linear`` with the same parameters (``weight``, ``bias``), the same
    initialisation and the same ``state_dict``, so weights load from a Linear layer of an
    unfused model and back. Initialisers and probes that look for ``nn.Linear`` find it;
    probes that look for activation modules do not (there is none: that is the fusion).

    Args:
        in_features, out_features, bias, device, dtype: as in ``nn.Linear``.

    Examples:
        >>> torch.manual_seed(0)  # doctest: +ELLIPSIS
        <torch._C.Generator object at ...>
        >>> fused = LinearReLU(3, 2)
        >>> plain = nn.Sequential(nn.Linear(3, 2), nn.ReLU())
        >>> _ = plain[0].load_state_dict(fused.state_dict())
        >>> x = torch.randn(4, 3)
        >>> torch.allclose(fused(x), plain(x))
        True
    """

    def forward(self, input: Tensor) -> Tensor:
        return linear_relu(input, self.weight, self.bias)
