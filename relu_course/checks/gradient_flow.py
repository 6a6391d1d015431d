"""Checkers for the exercises of the Gradient-flow chapter (``book/gradient_flow/lab.ipynb``).

- :func:`check_he_std`: the standard deviation of He initialisation for the Leaky ReLU family.
- :func:`check_variance_preserving_init`: an initialisation that keeps a deep ReLU network's
  signal at its scale.
- :func:`check_symmetry_prediction`: a prediction of which training changes break the
  symmetry of a constantly initialised network, compared with training runs.
"""

from __future__ import annotations

import functools
import math
import numbers
from typing import Any, Callable

import torch
from torch import nn

from ._common import assert_close, call_learner, fail, passed

__all__ = ["check_he_std", "check_symmetry_prediction", "check_variance_preserving_init"]

#: The deep test's tolerance: largest / smallest per-layer mean square over the hidden layers.
VARIANCE_FACTOR = 2.0
#: The single-layer test's tolerance on the factor by which one layer scales the mean square.
LAYER_TOLERANCE = (0.8, 1.25)
DEPTH = 20
_WIDTH, _NETWORKS, _ROWS = 128, 32, 128
_LAYER_SHAPES = ((64, 256), (256, 64), (128, 512))

HINTS = {
    "he_std": (
        "Start from one unit: z is a sum of fan_in terms w_i h_i, so Var(z) = fan_in * Var(w) "
        "* E[h^2]. What is E[phi(z)^2] for a symmetric z?",
        "For a symmetric z, half the mass has z > 0 (phi keeps z^2) and half z < 0 (phi keeps "
        "a^2 z^2), so E[phi(z)^2] = (1 + a^2) / 2 * Var(z); the weights must give that factor "
        "back.",
        "return math.sqrt(2.0 / ((1.0 + negative_slope**2) * fan_in))",
    ),
    "init_deep_relu_net": (
        "Print nn.Linear(64, 256).weight.shape: which of the two numbers is the fan-in?",
        "nn.Linear stores its weight as (out_features, in_features); a pre-activation sums "
        "in_features terms, so that is the number the variance must be divided by.",
        "fan = layer.weight.shape[1]  # or layer.in_features",
    ),
    "symmetry_prediction": (
        "For each change, take two units with identical weights: do they receive identical "
        "gradients, and take identical steps?",
        "The symmetry breaks only when something treats the copies differently: a random draw "
        "per unit (a mask, a bias). Rules applied elementwise to identical numbers (momentum, "
        "Adam's running averages, decay) give identical results.",
        "Adam and weight decay keep the copies identical; dropout and random biases break "
        "them.",
    ),
}


def check_he_std(he_std: Callable[..., Any]) -> None:
    """Check a learner's ``he_std(fan_in, negative_slope=0.0)``.

    The answer must be the standard deviation that ``torch.nn.init.kaiming_normal_`` uses for
    a layer with ``fan_in`` inputs followed by ``LeakyReLU(negative_slope)`` (ReLU when the
    slope is 0), for fans from 1 to 4096 and slopes from 0 to 1. The default slope must be 0.

    Examples:
        >>> import math
        >>> check_he_std(lambda fan_in, negative_slope=0.0: 1.0)  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        AssertionError: he_std(1) is wrong...
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
    hint = ("choose Var(w) so that fan_in * Var(w) times the share of the mean square that "
            "phi keeps is 1; return the square root.")
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
       between 0.8 and 1.25;
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


# --- symmetry_prediction -----------------------------------------------------------------------

#: The changes of :func:`check_symmetry_prediction`, each made alone to the lab's section 2.
SYMMETRY_CASES = ("Adam instead of SGD", "dropout (p = 0.2)", "weight decay",
                  "random biases (weights still constant)")

_SYMMETRY_WHY = {
    "Adam instead of SGD": "Adam divides each weight's step by the root of its own running mean "
    "square of gradients, but identical units have identical gradient histories, so their "
    "steps stay identical: the copies stay copies.",
    "dropout (p = 0.2)": "dropout zeroes a different random set of units on every example, so "
    "the copies receive different gradients and drift apart.",
    "weight decay": "weight decay adds the same multiple of each weight to its gradient; "
    "identical weights get identical decay, so the copies stay copies.",
    "random biases (weights still constant)": "units with different biases compute different "
    "pre-activations, so their gradients differ from the first step on.",
}


def _distinct_units(weight: torch.Tensor, tol: float = 1e-9) -> int:
    scale, kept = weight.abs().max().item(), []
    for row in weight:
        if all((row - other).abs().max().item() > tol * scale for other in kept):
            kept.append(row)
    return len(kept)


@functools.lru_cache(maxsize=1)
def _symmetry_outcomes() -> dict[str, bool]:
    """Train each variant of the lab's section 2 for one epoch on 512 digits; True where
    the units of the first hidden layer differ."""
    import torch.nn.functional as F

    from relu_course import data, models

    split = data.digits()
    X, y = split.X_train[:512].double(), split.y_train[:512]
    outcomes = {}
    for case in SYMMETRY_CASES:
        dropout = 0.2 if case.startswith("dropout") else 0.0
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(0)
            net = models.mlp([64, 16, 16, 10], dropout=dropout, seed=0).double()
            with torch.no_grad():
                for name, layer in net.named_children():
                    if name.startswith("linear"):
                        layer.weight.fill_(0.1)
                        if case.startswith("random biases"):
                            layer.bias.uniform_(-0.1, 0.1)
            if case.startswith("Adam"):
                opt: torch.optim.Optimizer = torch.optim.Adam(net.parameters(), lr=0.01)
            else:
                decay = 1e-3 if case == "weight decay" else 0.0
                opt = torch.optim.SGD(net.parameters(), lr=0.1, momentum=0.9,
                                      weight_decay=decay)
            net.train()
            for rows in torch.randperm(len(X)).split(64):
                opt.zero_grad()
                F.cross_entropy(net(X[rows]), y[rows]).backward()
                opt.step()
        outcomes[case] = _distinct_units(net.linear0.weight.detach()) > 1
    return outcomes


def check_symmetry_prediction(prediction: Any) -> None:
    """Check a prediction of which changes break the symmetry of a constant initialisation.

    ``prediction`` maps each change of :data:`SYMMETRY_CASES` to ``True`` (after training,
    the units of a layer differ) or ``False`` (they stay identical copies). Each change is
    made alone to the setting of the lab's section 2: a ``[64, 16, 16, 10]`` ReLU network
    whose weights all start at 0.1, trained on the digits with SGD and momentum. The checker
    trains each variant for one epoch on 512 training digits and compares, explaining every miss.

    Args:
        prediction: a dict from each case to a bool.

    Raises:
        AssertionError: a missing case or a value that is not a bool, or the predictions that
            missed, each with the mechanism.
    """
    if not isinstance(prediction, dict) or set(prediction) != set(SYMMETRY_CASES):
        keys = sorted(prediction) if isinstance(prediction, dict) else type(prediction).__name__
        fail(f"prediction must be a dict with exactly the keys {list(SYMMETRY_CASES)}, got "
             f"{keys}.", hint="write True or False for each change.")
    for key, value in prediction.items():
        if value is ...:
            fail(f"prediction[{key!r}] is not filled in yet (it is ...).",
                 hint="write True (the symmetry breaks) or False before the experiment runs.")
        if not isinstance(value, bool):
            fail(f"prediction[{key!r}] must be True or False, got {value!r}.")
    outcomes = _symmetry_outcomes()
    misses = [case for case in SYMMETRY_CASES if prediction[case] != outcomes[case]]
    if misses:
        fail(f"{len(misses)} of the {len(SYMMETRY_CASES)} predictions missed: " + "; ".join(
                f"{case} (you said {'breaks' if prediction[case] else 'stays symmetric'}, "
                f"training says {'breaks' if outcomes[case] else 'stays symmetric'})"
                for case in misses) + ".",
             hint=" ".join(_SYMMETRY_WHY[case] for case in misses))
    broken = [case for case in SYMMETRY_CASES if outcomes[case]]
    passed(f"all {len(SYMMETRY_CASES)} predictions match training: only "
           f"{' and '.join(broken)} break the symmetry")
