"""ReLU and its variants, written from elementary tensor operations.

Each activation sits on one screen: its functional form (``torch.nn.functional``'s name and
signature), its derivative, the ``torch.autograd.Function`` that pairs a forward pass built
from ``where``, ``clamp``, ``exp``, ``erf``, ... with a hand-written backward pass, and the
``nn.Module`` named as ``torch.nn`` names it. One file per family:

- :mod:`~relu_course.activations.rectified`: ReLU and Leaky ReLU;
- :mod:`~relu_course.activations.parametric`: PReLU;
- :mod:`~relu_course.activations.exponential`: ELU and SELU;
- :mod:`~relu_course.activations.gated`: GELU and SiLU;
- :mod:`~relu_course.activations.classic`: sigmoid, tanh and the identity;
- :mod:`~relu_course.activations._registry`: one :class:`Activation` record per activation, from
  which the registry (``ACTIVATIONS``, ``FUNCTIONS``, ``DERIVATIVES``, ``LABELS``), the
  figures' labels and the benchmark's PyTorch twins derive.

Everything is importable from here: ``from relu_course.activations import relu, ReLU``.

Three promises, checked in ``tests/test_activations.py``:

- **Same values as PyTorch.** Signed zeros, NaN, infinities, every floating dtype; float16 and
  bfloat16 are computed in float32 and rounded once, as PyTorch's kernels do. ReLU, Leaky ReLU,
  PReLU and the ELU/SELU forward pass are bit-exact. GELU, SiLU, sigmoid and tanh call the math
  library (``erf``, ``exp``, ``tanh``) as separate operations where PyTorch runs one fused
  kernel with its own approximations, so the last bit or two may differ (GELU's tanh form is
  computed as ``x * sigmoid(2 z)``, the same function, since ``(1 + tanh z) / 2 = sigmoid(2 z)``).
- **Same gradients as PyTorch**, including at the kink ``x = 0``, where a derivative does not
  exist and a value has to be chosen (see each function's *Kink* paragraph); exact for the
  piecewise-linear ones (ReLU's even for an infinite or NaN upstream gradient), within a few
  ``eps`` for the smooth ones.
- **Cheap.** Each function is a ``torch.autograd.Function`` whose backward pass is written by
  hand and saves only what it needs, preferably tensors that exist anyway (ReLU and Leaky ReLU:
  the output; SiLU: the input and output). On large tensors every operation is a full pass
  over memory and every new tensor costs page faults as well, so both passes use as few of each
  as the formula allows: in-place arithmetic on their own temporaries, fused ``addcmul``
  (``a + v b c``) and ``lerp``, ``exp2`` (cheaper than ``exp``), ``sigmoid`` (several times
  cheaper than ``tanh``), and, for the usual parameters, no ``torch.where``, which branches
  per element and is several times slower than arithmetic on CPU (``max``, ``clamp``, a 0/1
  slope, or for ReLU a select on bit patterns, give the same bits). PyTorch runs one fused
  kernel per pass, so ours stay slower: ``benchmarks/bench.py`` (``make bench``) measures
  forward+backward against PyTorch's, and ``benchmarks/RESULTS.md`` records the ratios.

The whole of autograd: each ``autograd.Function`` is written in the style ``torch.func``
needs (``forward`` without ``ctx``, then ``setup_context``), with a vmap rule and a ``jvp``, so
``torch.func.grad``, ``vmap``, ``jacrev``, ``jacfwd``, ``jvp``, ``hessian``, forward-mode AD
(``torch.autograd.forward_ad``), double backward (``create_graph=True``) and
``torch.func.functional_call`` on the modules all work, with PyTorch's values (checked in
``tests/test_activations_autograd.py``). The fast arithmetic above (in place, ``out=``, bit
patterns) runs where nothing records it: a plain ``.backward()``, or no autograd at all. Where
autograd records the backward pass itself (``create_graph=True``, a transform), each backward
and jvp is written with out-of-place operations, which it can differentiate once more. The
piecewise-linear ones' backward pass is itself a function whose derivative is itself (and 0 in
``x``): ReLU's second derivative is a tensor of zeros, as in PyTorch.

In place (``inplace=True``): where nothing records it, the input is overwritten directly; where
autograd records it (or a transform runs), the Function's result is copied into the input, so
the gradient stays right (the Function keeps its own output for the backward pass, which is what
ELU and SELU's gradient is computed from, as in PyTorch; hence they, and Leaky ReLU, need a
non-negative ``alpha`` or slope in place under autograd).

Integer inputs: :func:`relu` accepts them (as ``torch.relu`` does: the maximum of two integers
is an integer); :func:`sigmoid` and :func:`tanh` promote them to the default float dtype (as
``torch.sigmoid`` does); every other function needs a floating-point tensor (PyTorch has no
integer kernel for them either) and raises ``TypeError``.

The chapter *Variants* of the book compares them; *Definition* explains the kink.
"""

# ruff: noqa: F401  (the imports are re-exports: __all__ below derives from the records)
from __future__ import annotations

from relu_course.activations import _registry
from relu_course.activations._registry import (
    ACTIVATIONS,
    DERIVATIVES,
    FUNCTIONS,
    LABELS,
    RECORDS,
    REGISTRY,
    Activation,
    canonical_name,
    get_activation,
    is_activation,
)
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
    SELU_ALPHA,
    SELU_LAMBDA,
    SELU_SCALE,
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
    ReLUFunction,
    leaky_relu,
    leaky_relu_derivative,
    relu,
    relu_derivative,
)

__all__ = sorted(
    {*_registry.__all__, "ReLUFunction", "SELU_ALPHA", "SELU_LAMBDA", "SELU_SCALE"}
    | {obj.__name__ for r in RECORDS for obj in (r.function, r.derivative, r.module)}
)
"""The registry's names and, derived from each record, its function, derivative and module."""
