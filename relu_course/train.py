"""Train a model with one call, and keep a record of what happened.

:func:`fit` is a plain minibatch loop (shuffle, forward, loss, backward, step) that
returns a :class:`~relu_course.history.History`: the loss and accuracy after every epoch,
whatever probes measured, and, when the loss turned NaN or infinite, where and why training stopped.
Divergence is a result, not a crash: the dying-ReLU chapter needs to show it.
"""

from __future__ import annotations

import math
import os
import sys
import time
from collections.abc import Mapping, Sequence
from typing import Any, Callable

import torch
from torch import nn

from relu_course._helpers import (
    LossFn,
    check_loss,
    check_model,
    check_positive,
    check_seed,
    eval_mode,
    model_device,
)
from relu_course.data import Split
from relu_course.device import get_device
from relu_course.history import History
from relu_course.probes import PROBES, epoch_probes

# History lives in relu_course.history; it is imported here too, so old imports keep working.
__all__ = ["PROBES", "accuracy", "evaluate", "fit"]

PROBE_ROWS = 2048
"""Probes run after each epoch on at most this many training rows (a fixed subset)."""

_OPTIMIZERS = ("sgd", "adam")
_EVAL_CHUNK = 8192


def evaluate(model: nn.Module, X: torch.Tensor, y: torch.Tensor,
             loss: LossFn | None = None) -> tuple[float, float | None]:
    """Loss and accuracy of ``model`` on ``(X, y)``, in eval mode, without gradients.

    The data go to the model's device; the model's train/eval mode is restored after.

    Args:
        model: the network.
        X: inputs.
        y: targets: int64 class labels (then accuracy is measured) or float values.
        loss: a callable ``loss(output, target)``; None picks cross-entropy for class
            labels and mean squared error for float targets. Defaults to None.

    Returns:
        ``(loss, accuracy)``; accuracy is None for float targets.

    Examples:
        >>> from relu_course.models import mlp
        >>> X, y = torch.zeros(4, 2), torch.tensor([0, 1, 0, 1])
        >>> model = mlp([2, 3, 2], seed=0)  # zero input, zero biases: both logits are 0
        >>> evaluate(model, X, y)
        (0.6931471824645996, 0.5)
    """
    check_model(model)
    if not isinstance(X, torch.Tensor) or not isinstance(y, torch.Tensor) or len(X) != len(y):
        raise ValueError("X and y must be tensors with the same number of rows")
    loss_fn = check_loss(loss, y)
    device = model_device(model)
    classify = not y.dtype.is_floating_point
    total, correct = 0.0, 0
    with eval_mode(model), torch.no_grad():
        for start in range(0, len(X), _EVAL_CHUNK):
            xb = X[start:start + _EVAL_CHUNK].to(device)
            yb = y[start:start + _EVAL_CHUNK].to(device)
            out = model(xb)
            total += float(loss_fn(out, yb)) * len(xb)
            if classify:
                correct += int((out.argmax(dim=1) == yb).sum())
    n = max(len(X), 1)
    return total / n, (correct / n if classify else None)


def accuracy(model: nn.Module, X: torch.Tensor, y: torch.Tensor) -> float:
    """Fraction of rows whose largest logit is the true class.

    Examples:
        >>> model = nn.Linear(2, 2)
        >>> with torch.no_grad():
        ...     _ = model.weight.copy_(torch.eye(2)), model.bias.zero_()
        >>> accuracy(model, torch.tensor([[1.0, 0.0], [0.0, 1.0], [2.0, 3.0]]),
        ...          torch.tensor([0, 1, 0]))
        0.6666666666666666
    """
    if not isinstance(y, torch.Tensor) or y.dtype.is_floating_point:
        raise ValueError("accuracy needs integer class labels y (int64); for regression "
                         "targets use evaluate(), which returns the loss")
    return evaluate(model, X, y)[1]  # type: ignore[return-value]


def _unpack(data: object) -> tuple[torch.Tensor, torch.Tensor,
                                   torch.Tensor | None, torch.Tensor | None]:
    if isinstance(data, Split):
        return data.X_train, data.y_train, data.X_test, data.y_test
    if isinstance(data, (tuple, list)) and len(data) == 2 and all(
            isinstance(t, torch.Tensor) for t in data):
        return data[0], data[1], None, None
    raise TypeError(f"data must be a relu_course.data.Split or a tuple (X, y) of tensors, "
                    f"got {type(data).__name__}")


def _in_notebook_kernel() -> bool:
    shell = sys.modules.get("IPython")
    if shell is None:
        return False
    ipython = getattr(shell, "get_ipython", lambda: None)()
    return ipython is not None and "IPKernelApp" in getattr(ipython, "config", {})


def _show_progress(progress: bool | None) -> bool:
    """Decide whether to draw a progress bar (the rule is documented in :func:`fit`)."""
    if progress is not None:
        if not isinstance(progress, bool):
            raise TypeError(f"progress must be None, True or False, got {progress!r}")
        return progress
    forced = os.environ.get("RELU_COURSE_PROGRESS", "").strip().lower()
    if forced in ("0", "false", "no", "off"):
        return False
    if forced in ("1", "true", "yes", "on"):
        return True
    if os.environ.get("CI") or os.environ.get("PYTEST_CURRENT_TEST"):
        return False
    if _in_notebook_kernel():
        return False  # nbconvert, nbval and jupyter-book execute notebooks in kernels too
    stream = sys.stderr
    return bool(stream is not None and hasattr(stream, "isatty") and stream.isatty())


def _stop_message(epoch: int, epochs: int, lr: float, optimizer: str, value: float) -> str:
    what = "NaN" if math.isnan(value) else "infinite"
    return (f"Training stopped at epoch {epoch} of {epochs}: the loss became {what} with "
            f"{optimizer} at learning rate {lr:g}. The updates grew too large; try a smaller "
            f"learning rate (for example {lr / 10:g}), a gentler initialisation, or "
            "gradient clipping.")


def fit(
    model: nn.Module,
    data: Split | tuple[torch.Tensor, torch.Tensor],
    epochs: int = 20,
    lr: float = 0.1,
    optimizer: str = "sgd",
    batch_size: int = 64,
    device: torch.device | str | None = None,
    seed: int = 0,
    probes: Sequence[str] | Mapping[str, Callable[..., Any]] | None = None,
    progress: bool | None = None,
    loss: LossFn | None = None,
    momentum: float = 0.0,
    weight_decay: float = 0.0,
) -> History:
    """Train ``model`` on ``data`` with minibatch SGD or Adam; return its History.

    Each epoch visits the training rows once in a shuffled order (drawn from ``seed``),
    taking a step of the optimizer per batch of ``batch_size`` rows. After each epoch the
    model is evaluated (eval mode, no gradients) on the whole training set and on the
    validation set, and the probes run on a fixed subset of at most
    :data:`PROBE_ROWS` training rows.

    **Divergence.** When the loss becomes NaN or infinite, training stops at once: the
    history records that epoch's (non-finite) loss, ``diverged=True``, ``stopped_epoch``
    and a ``stop_reason`` naming the epoch, the learning rate and what to try. Nothing
    is raised and nothing is printed.

    **Determinism.** The batch order and any dropout draw from a random state seeded by
    ``seed`` and private to this call, so the same model, data and seed give the same
    history on the same machine, and the caller's random state is left alone.

    **Progress bar.** ``progress=True`` or ``False`` decides. With ``progress=None`` a
    `tqdm` bar over epochs is shown only where a person is watching a terminal: the
    environment variable ``RELU_COURSE_PROGRESS=1`` turns it on and ``=0`` off; otherwise
    no bar when ``CI`` or ``PYTEST_CURRENT_TEST`` is set, none inside a Jupyter kernel
    (nbval, nbconvert and jupyter-book run notebooks in kernels, and a bar would change
    their stored outputs: pass ``progress=True`` to see one in a notebook), and in a
    terminal a bar only when standard error is a TTY.

    Args:
        model: the network; it is moved to ``device`` (in place) and stays there. Its
            train/eval mode is restored at the end.
        data: a :class:`relu_course.data.Split` (train + validation) or ``(X, y)``
            (training only).
        epochs: number of passes over the training set. Defaults to 20.
        lr: learning rate. Defaults to 0.1.
        optimizer: ``"sgd"`` or ``"adam"``. Defaults to ``"sgd"``.
        batch_size: rows per step. Defaults to 64.
        device: where to train; None uses :func:`relu_course.device.get_device`.
        seed: seed of the batch order and of dropout. Defaults to 0.
        probes: None, a list of names among ``"dead"`` (fraction of dead units per
            activation layer), ``"sparsity"``, ``"grad_norms"``, ``"stats"``
            (see :mod:`relu_course.probes`), or a dict name -> ``fn(model, X)``.
        progress: None (automatic, see above), True or False.
        loss: a callable ``loss(output, target)``; None uses cross-entropy for int64
            labels and mean squared error for float targets.
        momentum: SGD momentum. Defaults to 0.
        weight_decay: L2 penalty coefficient of the optimizer. Defaults to 0.

    Returns:
        A :class:`~relu_course.history.History`.

    Examples:
        >>> from relu_course import data, models
        >>> X, y = data.two_moons(256)
        >>> model = models.mlp([2, 32, 32, 2], seed=0)
        >>> history = fit(model, (X, y), epochs=30, lr=0.01, optimizer="adam", device="cpu")
        >>> history.final["train_acc"] > 0.95
        True
        >>> fit(models.mlp([2, 32, 2], seed=0), (X, y), epochs=5, lr=1e6,
        ...     device="cpu").stop_reason
        'Training stopped at epoch 1 of 5: the loss became NaN with sgd at learning rate 1e+06...'
    """
    check_model(model)
    X, y, X_val, y_val = _unpack(data)
    if len(X) != len(y) or len(X) == 0:
        raise ValueError(f"X and y must have the same, non-zero number of rows, got "
                         f"{tuple(X.shape)} and {tuple(y.shape)}")
    check_positive("epochs", epochs, int)
    check_positive("lr", lr, float)
    check_positive("batch_size", batch_size, int)
    for name, value in (("momentum", momentum), ("weight_decay", weight_decay)):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
            raise ValueError(f"{name} must be a number >= 0, got {value!r}")
    if not isinstance(optimizer, str) or optimizer.lower() not in _OPTIMIZERS:
        raise ValueError(f"optimizer must be one of {_OPTIMIZERS}, got {optimizer!r}")
    optimizer = optimizer.lower()
    seed = check_seed(seed)
    loss_fn = check_loss(loss, y)
    probe_fns = epoch_probes(probes, loss_fn)
    show_bar = _show_progress(progress)
    device = get_device(device) if not isinstance(device, torch.device) else device

    start = time.perf_counter()
    model.to(device)
    X, y = X.to(device), y.to(device)
    if X_val is not None and y_val is not None:
        X_val, y_val = X_val.to(device), y_val.to(device)
    params = [p for p in model.parameters() if p.requires_grad]
    if optimizer == "sgd":
        opt: torch.optim.Optimizer = torch.optim.SGD(params, lr=lr, momentum=momentum,
                                                     weight_decay=weight_decay)
    else:
        opt = torch.optim.Adam(params, lr=lr, weight_decay=weight_decay)

    g = torch.Generator().manual_seed(seed)  # the batch order, on the CPU on every device
    n = len(X)
    probe_rows = torch.randperm(n, generator=g)[:PROBE_ROWS].to(device)
    X_probe, y_probe = X[probe_rows], y[probe_rows]
    history = History(probes={name: [] for name in probe_fns})
    classify = not y.dtype.is_floating_point

    bar = None
    epoch_iter: Any = range(1, epochs + 1)
    if show_bar:
        from tqdm.auto import tqdm  # only when a bar is shown

        bar = epoch_iter = tqdm(epoch_iter, total=epochs, desc="fit", unit="epoch",
                                file=sys.stderr, leave=True)

    was_training = model.training
    fork_devices = []
    if device.type == "cuda":
        fork_devices = [device.index if device.index is not None else torch.cuda.current_device()]
    try:
        with torch.random.fork_rng(devices=fork_devices):
            torch.manual_seed(seed)  # dropout and other random layers
            for epoch in epoch_iter:
                model.train()
                order = torch.randperm(n, generator=g).to(device)
                for i in range(0, n, batch_size):
                    rows = order[i:i + batch_size]
                    opt.zero_grad(set_to_none=True)
                    loss_fn(model(X[rows]), y[rows]).backward()
                    opt.step()

                train_loss, train_acc = evaluate(model, X, y, loss_fn)
                history.epochs_run = epoch
                history.train_loss.append(train_loss)
                if classify:
                    history.train_acc.append(train_acc)  # type: ignore[arg-type]
                if X_val is not None and y_val is not None:
                    val_loss, val_acc = evaluate(model, X_val, y_val, loss_fn)
                    history.val_loss.append(val_loss)
                    if val_acc is not None:
                        history.val_acc.append(val_acc)
                if not math.isfinite(train_loss):
                    history.diverged = True
                    history.stopped_epoch = epoch
                    history.stop_reason = _stop_message(epoch, epochs, lr, optimizer,
                                                        train_loss)
                    break
                if probe_fns:
                    model.eval()
                    for name, fn in probe_fns.items():
                        history.probes[name].append(fn(model, X_probe, y_probe))
                if bar is not None:
                    bar.set_postfix(loss=f"{train_loss:.4g}", refresh=False)
    finally:
        if bar is not None:
            bar.close()
        model.train(was_training)
    history.seconds = time.perf_counter() - start
    return history
