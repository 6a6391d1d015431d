"""Checkers for the exercises of the Gradient-flow chapter (``book/gradient_flow/lab.ipynb``).

Both exercises are about He initialisation: a ReLU halves the mean square of a symmetric
input, :math:`\\mathbb{E}[\\mathrm{relu}(z)^2] = \\tfrac12 \\mathrm{Var}(z)`, so a weight
variance of :math:`2 / \\text{fan\\_in}` gives the factor 2 back at every layer.
"""

from __future__ import annotations

import math
import numbers
from typing import Any, Callable

import torch
from torch import nn

from ._common import assert_close, call_learner, fail, passed

__all__ = ["check_he_std", "check_variance_preserving_init"]

#: The deep test's tolerance: largest / smallest per-layer mean square over the hidden layers.
VARIANCE_FACTOR = 2.0
#: The single-layer test's tolerance on the factor by which one layer scales the mean square.
LAYER_TOLERANCE = (0.8, 1.25)
DEPTH = 20
_WIDTH, _NETWORKS, _ROWS = 128, 32, 128
_LAYER_SHAPES = ((64, 256), (256, 64), (128, 512))


def check_he_std(he_std: Callable[..., Any]) -> None:
    """Check a learner's ``he_std(fan_in, negative_slope=0.0)``.

    The answer must be :math:`\\sqrt{2 / ((1 + a^2)\\,\\text{fan\\_in})}`, the standard
    deviation that ``torch.nn.init.kaiming_normal_`` uses for a layer followed by
    ``LeakyReLU(a)`` (ReLU when :math:`a = 0`), for fans from 1 to 4096 and slopes from 0 to
    1. The default slope must be 0.

    Examples:
        >>> import math
        >>> check_he_std(lambda fan_in, negative_slope=0.0:
        ...              math.sqrt(2 / ((1 + negative_slope**2) * fan_in)))
        ✓ he_std matches PyTorch's kaiming_normal_ standard deviation for 20 fans and slopes
    """
    count = 0
    for fan_in in (1, 3, 64, 100, 4096):
        value = call_learner(he_std, fan_in, name="he_std")
        _check_std(value, fan_in, 0.0, f"he_std({fan_in})")
        count += 1
        for slope in (0.01, 0.2, 1.0):
            value = call_learner(he_std, fan_in, negative_slope=slope, name="he_std")
            _check_std(value, fan_in, slope, f"he_std({fan_in}, negative_slope={slope})")
            count += 1
    passed(f"he_std matches PyTorch's kaiming_normal_ standard deviation for {count} fans "
           "and slopes")


def _check_std(value: Any, fan_in: int, slope: float, what: str) -> None:
    gain = nn.init.calculate_gain("leaky_relu", slope)
    expected = gain / math.sqrt(fan_in)
    if isinstance(value, torch.Tensor) and value.numel() == 1:
        value = value.item()
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        fail(f"{what} should return a number, got {type(value).__name__}.",
             expected=expected, actual=value,
             hint="return a Python float, e.g. with math.sqrt.")
    value = float(value)
    mistakes = [
        (expected**2, "you returned the variance; the standard deviation is its square root."),
        (math.sqrt(2 / fan_in), "the slope a must enter: a Leaky ReLU keeps (1 + a^2) / 2 of "
                                "the mean square, not 1/2."),
        (math.sqrt(1 / fan_in), "that is LeCun's standard deviation, for a linear layer; a "
                                "ReLU halves the mean square, so the variance needs a factor 2."),
        (math.sqrt(2 / (1 + slope) / fan_in), "the slope enters squared: (1 + a^2), not "
                                              "(1 + a)."),
    ]
    hint = "Var(w) = 2 / ((1 + a^2) * fan_in); return its square root."
    if not math.isclose(value, expected, rel_tol=1e-6, abs_tol=1e-12):
        for wrong, why in mistakes:
            if math.isclose(value, wrong, rel_tol=1e-6) and not math.isclose(wrong, expected):
                hint = why
                break
    assert_close(value, expected, input=f"fan_in={fan_in}, negative_slope={slope}", what=what,
                 rtol=1e-6, atol=1e-12, hint=hint)


def _relu_net(sizes: list[int]) -> nn.Sequential:
    layers: list[nn.Module] = []
    for n_in, n_out in zip(sizes[:-1], sizes[1:]):
        layers += [nn.Linear(n_in, n_out), nn.ReLU()]
    return nn.Sequential(*layers)


def _apply(init: Callable[[nn.Module], Any], net: nn.Module, seed: int) -> None:
    before = [p.detach().clone() for p in net.parameters()]
    with torch.random.fork_rng(devices=[]):  # the learner's random draws leave no trace
        torch.manual_seed(seed)
        returned = call_learner(init, net, name="init_deep_relu_net")
    if isinstance(returned, nn.Module) and returned is not net:
        fail("init_deep_relu_net returned a new network instead of initialising the one it "
             "was given.",
             hint="change the weights of `net` in place (layer.weight.normal_(...) inside "
                  "torch.no_grad()), like torch.nn.init does.")
    weights = [p for p in net.parameters() if p.dim() == 2]
    if all(torch.equal(p, b) for p, b in zip(net.parameters(), before)):
        fail("init_deep_relu_net left every weight as PyTorch created it.",
             hint="assign new values in place: layer.weight.normal_(0, std) or "
                  "nn.init.normal_(layer.weight, 0, std).")
    if any(not torch.isfinite(w).all() for w in weights):
        fail("init_deep_relu_net produced weights that are NaN or infinite.",
             hint="check the standard deviation you compute from the layer's fan-in.")


def _layer_factor(init: Callable[[nn.Module], Any], fan_in: int, fan_out: int) -> float:
    """How one layer, fed ReLU outputs, scales the mean square: fan_in * E[w^2] / 2."""
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(fan_in * 1000 + fan_out)
        net = _relu_net([fan_in, fan_out])
    _apply(init, net, seed=fan_in * 1000 + fan_out + 1)
    weight = net[0].weight.detach().double()
    return fan_in * weight.pow(2).mean().item() / 2


@torch.no_grad()
def _mean_squares(net: nn.Sequential, x: torch.Tensor) -> list[float]:
    q = []
    for layer in net:
        x = layer(x)
        if isinstance(layer, nn.Linear):
            q.append(x.double().pow(2).mean().item())
    return q


def check_variance_preserving_init(init_deep_relu_net: Callable[[nn.Module], Any]) -> None:
    """Check an initialisation that keeps the signal's scale through 20 ReLU layers.

    ``init_deep_relu_net(net)`` must initialise, in place, every ``nn.Linear`` of a ReLU
    network. The checker then

    1. applies it to single layers whose fan-in and fan-out differ (64 -> 256, 256 -> 64,
       128 -> 512) and requires each to scale the mean square of ReLU outputs by a factor
       between 0.8 and 1.25, that is :math:`\\text{fan\\_in}\\,\\mathbb{E}[w^2] / 2 \\approx 1`;
    2. applies it to 32 ReLU networks with 20 hidden layers of 128 units, feeds them 128
       standard Gaussian inputs, and requires the mean square of each hidden layer's
       pre-activations, averaged over the networks, to stay within a factor of 2 from the
       first hidden layer to the last (largest over smallest).

    Examples:
        >>> def default_init(net):  # PyTorch's own initialisation: the signal shrinks
        ...     for layer in net:
        ...         if isinstance(layer, nn.Linear):
        ...             layer.reset_parameters()
        >>> check_variance_preserving_init(default_init)  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        AssertionError: a layer with fan_in 64 and fan_out 256 multiplies the mean square ...
        ...
    """
    low, high = LAYER_TOLERANCE
    for fan_in, fan_out in _LAYER_SHAPES:
        factor = _layer_factor(init_deep_relu_net, fan_in, fan_out)
        if not low <= factor <= high:
            if factor < low:
                direction = "shrinks the signal"
                hint = ("a ReLU keeps only half of the mean square, E[relu(z)^2] = Var(z)/2, "
                        "so the weights must give a factor 2 back: Var(w) = 2 / fan_in.")
            else:
                direction = "amplifies the signal"
                hint = ("the weights are too large: with Var(w) = 2 / fan_in one layer exactly "
                        "makes up for the half that the ReLU removes.")
            if math.isclose(factor, fan_in / fan_out, rel_tol=0.1):  # Var(w) = 2 / fan_out
                hint = ("you scaled by fan_out; the forward pass sums fan_in terms, so the "
                        "variance must be 2 / fan_in.")
            fail(
                f"a layer with fan_in {fan_in} and fan_out {fan_out} multiplies the mean square "
                f"of its ReLU inputs by {factor:.3g}: it {direction}.",
                input=f"nn.Linear({fan_in}, {fan_out}) fed relu(z), z ~ N(0, 1)",
                expected=f"a factor between {low} and {high}",
                actual=f"{factor:.3g} (= fan_in * mean(w^2) / 2)",
                hint=hint,
            )

    sizes = [_WIDTH] * (DEPTH + 1)
    gen = torch.Generator().manual_seed(0)
    totals = [0.0] * DEPTH
    for k in range(_NETWORKS):
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(k)
            net = _relu_net(sizes)  # PyTorch's default weights and biases to start from
        _apply(init_deep_relu_net, net, seed=10_000 + k)
        x = torch.randn(_ROWS, _WIDTH, generator=gen)
        for i, q in enumerate(_mean_squares(net, x)):
            totals[i] += q / _NETWORKS
    if not all(math.isfinite(q) and q > 0 for q in totals):
        fail("the pre-activations became 0, NaN or infinite somewhere in the 20 layers.",
             actual=[f"{q:.3g}" for q in totals],
             hint="random weights with Var(w) = 2 / fan_in; biases 0.")
    ratio = max(totals) / min(totals)
    if ratio > VARIANCE_FACTOR:
        trend = totals[-1] / totals[0]
        hint = ("it shrinks: each ReLU halves the mean square, so the weights need variance "
                "2 / fan_in to give the factor back." if trend < 1 else
                "it grows: the weights are too large; Var(w) = 2 / fan_in keeps it.")
        fail(
            f"the mean square of the pre-activations changes by a factor {ratio:.3g} across "
            f"the {DEPTH} hidden layers; the target is at most {VARIANCE_FACTOR:g}.",
            input=f"{_NETWORKS} ReLU networks, {DEPTH} hidden layers of {_WIDTH} units, "
                  f"{_ROWS} N(0, 1) inputs",
            expected=f"max / min <= {VARIANCE_FACTOR:g}",
            actual=f"first layer {totals[0]:.3g}, last layer {totals[-1]:.3g}, "
                   f"min {min(totals):.3g}, max {max(totals):.3g}",
            hint=hint,
        )
    passed(f"over {DEPTH} ReLU layers the mean square changes by a factor {ratio:.2f} "
           f"(target <= {VARIANCE_FACTOR:g})")
