"""Checkers for the exercises of the Dying-ReLU chapter (``book/dying_relu/lab.ipynb``).

A ReLU unit is *dead* on a data set when it outputs 0 for every input of the set; the
gradient of its own weights and bias is then 0 too. Whether it can come back depends on where
it sits and on the optimizer: the chapter measures it layer by layer.

Exercises and their checkers:

- ``weight_decay_prediction``: predict what weight decay does to a dead first-layer unit;
  :func:`check_weight_decay_prediction` runs the experiment and explains it.
- ``born_dead_probability``: the probability that one input dies in a network of given
  hidden widths; :func:`check_born_dead_probability`.
- ``revived_digits_model``: a digits classifier with ReLU, no batch normalisation, almost no
  dead units and good accuracy; :func:`check_revived_digits_model`.
"""

from __future__ import annotations

import math
import numbers
from typing import Any, Callable

import torch
from torch import nn

from ._common import assert_close, call_learner, fail, passed

__all__ = [
    "check_born_dead_probability",
    "check_revived_digits_model",
    "check_weight_decay_prediction",
]

#: Targets of the training exercise.
DEAD_TARGET = 0.05
ACCURACY_TARGET = 0.90

#: Hint ladders (a nudge, the key idea, the hardest line), shown by ``hints("<exercise>")``.
HINTS = {
    "weight_decay_prediction": (
        "Write down one plain SGD step for a dead unit's weights w and bias b when the loss "
        "gradient is zero and only the penalty's gradient is left.",
        "The step is w <- w - eta*lambda*w, and the same for b: both are multiplied by the "
        "same number. What does that do to w.x + b for each input x?",
        "w.x + b becomes (1 - eta*lambda)(w.x + b): with eta*lambda = 0.001 the factor is "
        "positive, so a pre-activation <= 0 stays <= 0.",
    ),
    "born_dead_probability": (
        "Follow one input through the layers. What must happen at every layer for it to "
        "survive to the end?",
        "A layer of width N sends a live input to all zeros with probability 2^-N, "
        "independently of the other layers, and a dead input stays dead. Survival means "
        "surviving every layer.",
        "P(alive) is the product over layers of (1 - 2**-n); the answer is 1 minus it.",
    ),
    "revived_digits_model": (
        "Look at section 2's sweep: which optimizer and learning rates kill few units and "
        "still reach a good accuracy?",
        "Units die when large steps push their pre-activations below 0 on every input: "
        "plain SGD at a moderate learning rate takes small enough steps, and 8 epochs at a "
        "rate of a few tenths already classify well.",
        "net = models.mlp([64, 128, 128, 10], seed=0); fit(net, split, epochs=8, lr=0.3, "
        "optimizer='sgd', batch_size=128, seed=0)",
    ),
}

_CHOICES = {
    "a": "it comes back to life",
    "b": "it stays dead, although its weights change",
    "c": "it stays dead, and its weights do not change",
}


def check_weight_decay_prediction(prediction: Any) -> None:
    """Check a prediction of what weight decay does to a dead first-layer unit, then show it.

    The question (Exercise 1 of the lab): a unit of the first hidden layer of a digits
    network is dead on the training digits; the network trains for 8 epochs with
    plain SGD, learning rate 0.1, weight decay 0.01 (on every weight and bias). The choices
    are ``"a"`` (it comes back to life), ``"b"`` (it stays dead, although its weights change)
    and ``"c"`` (it stays dead, and its weights do not change).

    The checker runs that experiment (a ``[64, 32, 10]`` network in float64, under a
    second) and reports the unit's
    largest pre-activation over the training digits and how far its weights moved; a wrong
    prediction gets the reason it is wrong.

    Args:
        prediction: ``"a"``, ``"b"`` or ``"c"`` (case and spaces ignored).

    Raises:
        AssertionError: no prediction, a prediction that is not one of the letters, or a
            wrong prediction (with the measured numbers and the reason).

    Examples:
        >>> check_weight_decay_prediction("maybe")  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        AssertionError: the prediction must be one of the letters 'a', 'b' or 'c'...
    """
    if prediction is None:
        fail("prediction is not implemented yet: set prediction = 'a', 'b' or 'c' before "
             "running the checker.")
    letter = prediction.strip().lower() if isinstance(prediction, str) else None
    if letter not in _CHOICES:
        fail(f"the prediction must be one of the letters 'a', 'b' or 'c', got "
             f"{prediction!r}.", hint="commit to one choice before the experiment runs.")
    before, after, shrink, moved = _weight_decay_experiment()
    measured = (f"measured: its largest pre-activation over the 1347 training digits went "
                f"from {before:.3f} to {after:.3f}; its weights and bias shrank by the "
                f"factor {shrink:.3f} (largest change {moved:.1e}).")
    if letter == "a":
        fail("it stays dead: weight decay moves the weights, but it cannot revive the unit.",
             hint="each step multiplies w and b by the same positive factor 1 - eta*lambda, "
                  "so every pre-activation w.x + b is scaled, never flipped: a value <= 0 "
                  "stays <= 0. Moving weights is not the same as moving them towards firing. "
                  + measured)
    if letter == "c":
        fail("it stays dead, but its weights do change: the penalty has a gradient of its own.",
             hint="the loss gradient of a dead unit is zero, but the penalty's gradient lambda*w "
                  "is not; it shrinks w and b towards 0 at every step. " + measured)
    passed(f"right: the unit stays dead while its weights shrink. {measured[0].upper()}"
           f"{measured[1:]} Every pre-activation is multiplied by the same positive factor, "
           f"so none can cross 0.")


def _weight_decay_experiment() -> tuple[float, float, float, float]:
    """Train the lab's network with a dead first-layer unit under SGD with weight decay.

    Returns the unit's largest pre-activation before and after, the factor by which its
    weights shrank, and the largest absolute change of one of its weights.
    """
    from relu_course import data, models, train

    split = data.digits()
    X, y = split.X_train.double(), split.y_train
    net = models.mlp([64, 32, 10], seed=0).double()
    with torch.no_grad():
        z = X @ net.linear0.weight[0] + net.linear0.bias[0]
        net.linear0.bias[0] -= z.max() + 0.5  # unit 0: largest pre-activation -0.5
        w0 = torch.cat([net.linear0.weight[0], net.linear0.bias[:1]]).clone()
        before = (X @ net.linear0.weight[0] + net.linear0.bias[0]).max().item()
    train.fit(net, (X, y), epochs=8, lr=0.1, optimizer="sgd", batch_size=128, seed=0,
              weight_decay=0.01, device="cpu", progress=False)
    with torch.no_grad():
        w1 = torch.cat([net.linear0.weight[0], net.linear0.bias[:1]])
        after = (X @ net.linear0.weight[0] + net.linear0.bias[0]).max().item()
    shrink = (w1.norm() / w0.norm()).item()
    return before, after, shrink, (w1 - w0).abs().max().item()


def check_born_dead_probability(p_born_dead: Callable[[list[int]], Any]) -> None:
    """Check a learner's ``p_born_dead(widths)``: the born-dead probability of one input.

    ``widths`` lists the hidden layers' widths, first layer first; the weights are symmetric
    about 0 with independent rows and layers, and there are no biases. It must return the
    probability that one input is all zeros after the last layer. Checked on 12 networks
    (constant, tapering and widening widths, a width of 1, layers as wide as 64, and no
    layer at all) with a relative tolerance of 1e-9.

    Examples:
        >>> check_born_dead_probability(lambda widths: 0.5)  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        AssertionError: p_born_dead([]) is wrong...
    """
    for widths in _width_cases():
        expected = _born_dead(widths)
        out = call_learner(p_born_dead, list(widths), name="p_born_dead")
        if isinstance(out, torch.Tensor) and out.numel() == 1:
            out = out.item()
        if isinstance(out, bool) or not isinstance(out, numbers.Real):
            fail(f"p_born_dead should return a number, got {type(out).__name__}.",
                 input=f"widths={widths}", expected=expected, actual=out)
        out = float(out)
        hint = ("each layer of width n kills a live input with probability 2^-n; the input "
                "survives only if it survives every layer.")
        if not math.isclose(out, expected, rel_tol=1e-9, abs_tol=1e-15):
            for wrong, why in _born_dead_mistakes(widths):
                if math.isclose(out, wrong, rel_tol=1e-9, abs_tol=1e-15):
                    hint = why
                    break
        assert_close(out, expected, input=f"widths={list(widths)}",
                     what=f"p_born_dead({list(widths)})",
                     rtol=1e-9, atol=1e-15, hint=hint)
        if not 0.0 <= out <= 1.0:
            fail("a probability lies between 0 and 1.", input=f"widths={widths}", actual=out)
    passed(f"p_born_dead is right on {len(_width_cases())} networks, tapering, widening and "
           "constant")


def _width_cases() -> list[tuple[int, ...]]:
    return [(), (2,), (3, 3, 3, 3), (8, 4, 2), (2, 4, 8), (1,), (1, 5), (6,) * 50,
            (16, 8, 4, 3, 2), (64,) * 100, (3, 10, 3, 10), (5,) * 7 + (2,)]


def _born_dead(widths: tuple[int, ...]) -> float:
    # 1 - prod(1 - 2^-n), summed in log space so that wide layers do not round to 0.
    return 0.0 - math.expm1(math.fsum(math.log1p(-(2.0**-n)) for n in widths))  # never -0.0


def _born_dead_mistakes(widths: tuple[int, ...]) -> list[tuple[float, str]]:
    """Plausible wrong answers for ``widths``, each with the misconception it shows."""
    if not widths:
        return [(1.0, "with no layer there is nothing to kill the input: the probability is 0.")]
    L = len(widths)
    mean_width = sum(widths) / L
    survive = math.prod(1.0 - 2.0**-n for n in widths)
    return [
        (survive, "that is the probability that the input survives; dead is its complement."),
        (min(1.0, sum(2.0**-n for n in widths)),
         "adding the layers' probabilities is the union bound, an overestimate: a layer can "
         "only kill an input that is still alive. Multiply the survival probabilities."),
        (math.prod(2.0**-n for n in widths),
         "that is the chance that *every* layer kills the input; one layer is enough, and "
         "once dead it stays dead."),
        (1.0 - (1.0 - 2.0**-mean_width) ** L,
         "the risk is not a function of the average width: 2^-n is convex, so narrow layers "
         "weigh more. Take each layer's own factor."),
        (1.0 - (1.0 - 2.0**-min(widths)) ** L,
         "not every layer is as narrow as the narrowest: take each layer's own width."),
        (2.0**-min(widths), "the narrowest layer is not the only chance to die: every layer "
                            "is one."),
        (2.0**-widths[-1], "the last layer is not the only chance to die: every layer is one."),
        (_born_dead(widths[1:]), "count the first hidden layer too: its input (the data) can "
                                 "be sent to all zeros like any other."),
    ]


def _is_relu(module: nn.Module) -> bool:
    from relu_course.activations import ReLU

    return isinstance(module, (nn.ReLU, ReLU))


def check_revived_digits_model(model: nn.Module) -> None:
    """Check a trained digits classifier that keeps ReLU, has no batch normalisation and
    almost no dead units.

    The checker trains nothing. On :func:`relu_course.data.digits` (flat 64-pixel inputs,
    cast to the model's dtype) it requires that

    - every activation layer of ``model`` is a ReLU (``nn.ReLU`` or
      :class:`relu_course.activations.ReLU`): the point is to keep ReLU alive, not to replace
      it, and a Leaky ReLU has no exact zeros to count;
    - the model has no batch normalisation (the exercise asks for another recipe);
    - fewer than 5% of its hidden units are dead on the training inputs
      (:func:`relu_course.probes.dead_fraction`, in eval mode);
    - it classifies at least 90% of the test digits correctly.

    The model's train/eval mode is left as it was.

    Examples:
        >>> from relu_course import models
        >>> net = models.mlp([64, 32, 10], activation="tanh", seed=0)
        >>> check_revived_digits_model(net)  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        AssertionError: every activation layer must be a ReLU; act0 is Tanh.
        ...
    """
    from relu_course import activations, data, probes

    if model is None:
        fail("net is not implemented yet: train a network and assign it to net.")
    if not isinstance(model, nn.Module):
        fail(f"check_revived_digits_model expects a trained torch.nn.Module, got "
             f"{type(model).__name__}.",
             hint="pass the network you trained, e.g. check_revived_digits_model(net).")
    layers = [(name, m) for name, m in model.named_modules() if activations.is_activation(m)]
    if not layers:
        fail("the model has no activation layer, so it has no ReLU units to keep alive.",
             hint="build it with relu_course.models.mlp(..., activation='relu').")
    for name, m in layers:
        if not _is_relu(m):
            fail(f"every activation layer must be a ReLU; {name} is {type(m).__name__}.",
                 hint="keep activation='relu' and change the training instead: the optimizer "
                      "and its learning rate, or the initialisation.")
    norms = [name for name, m in model.named_modules()
             if isinstance(m, nn.modules.batchnorm._BatchNorm)]
    if norms:
        fail(f"the model uses batch normalisation ({', '.join(norms)}); it keeps units alive "
             "(section 6), but this exercise asks for a recipe without it.",
             hint="a plain ReLU network dies or not depending on the size of its steps: look "
                  "at which optimizer and learning rates of section 2 kill few units.")
    parameter = next(model.parameters(), None)
    device = parameter.device if parameter is not None else torch.device("cpu")
    dtype = parameter.dtype if parameter is not None else torch.float32
    split = data.digits()
    was_training = model.training
    model.eval()
    try:
        with torch.no_grad():
            scores = call_learner(model, split.X_test.to(device, dtype), name="the model")
        if not isinstance(scores, torch.Tensor) or tuple(scores.shape) != (len(split.X_test), 10):
            shape = tuple(scores.shape) if isinstance(scores, torch.Tensor) else type(scores)
            fail(f"the model should return scores of shape ({len(split.X_test)}, 10), got "
                 f"{shape}.",
                 hint="an MLP with sizes [64, ..., 10] takes the flat 8x8 images.")
        acc = (scores.argmax(dim=1).cpu() == split.y_test).double().mean().item()
        by_layer = probes.dead_units(model, split.X_train.to(device, dtype))
    finally:
        model.train(was_training)
    dead = sum(d.count for d in by_layer.values()) / sum(d.total for d in by_layer.values())
    shown = ", ".join(f"{name}: {d.fraction:.1%}" for name, d in by_layer.items())
    if dead >= DEAD_TARGET:
        fail(
            f"{dead:.1%} of the hidden units are dead on the training digits; the target is "
            f"under {DEAD_TARGET:.0%}.",
            expected=f"< {DEAD_TARGET:.0%}",
            actual=f"{dead:.1%} ({shown}); test accuracy {acc:.1%}",
            hint="units die when a large step pushes their pre-activation below 0 on every "
                 "input: large learning rates, and Adam's large early steps, do that. Try "
                 "smaller steps.",
        )
    if acc < ACCURACY_TARGET:
        fail(
            f"the model classifies {acc:.1%} of the test digits correctly; the target is "
            f"{ACCURACY_TARGET:.0%} (dead units {dead:.1%} is fine).",
            expected=f">= {ACCURACY_TARGET:.0%}",
            actual=f"{acc:.1%}",
            hint="too small a step kills nothing but learns little in 8 epochs: train for "
                 "more epochs, or with a larger learning rate than you chose.",
        )
    passed(f"{dead:.1%} dead units (target < {DEAD_TARGET:.0%}), test accuracy {acc:.1%} "
           f"(target {ACCURACY_TARGET:.0%})")
