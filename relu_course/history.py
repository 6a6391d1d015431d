"""What one training run measured: the :class:`History` that :func:`relu_course.train.fit` returns.

One entry per epoch (losses, accuracies, whatever probes measured) and, when the loss turned NaN
or infinite, where and why training stopped; as rows, as a plain-text table, or as one line.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = ["History"]


@dataclass(repr=False)
class History:
    """What :func:`fit` measured, one entry per epoch.

    Attributes:
        train_loss, train_acc: loss and accuracy on the whole training set, measured
            after each epoch with the model in eval mode (accuracy lists stay empty for
            regression).
        val_loss, val_acc: the same on the validation set, when ``fit`` was given one.
        probes: probe name -> list of per-epoch values (for ``"dead"``, ``"sparsity"``,
            ``"grad_norms"``: a dict from layer name to float).
        epochs_run: epochs trained, counting the one that diverged.
        diverged: True when the loss became NaN or infinite.
        stopped_epoch: the epoch (from 1) at which training stopped early, else None.
        stop_reason: a plain sentence saying why it stopped, else None.
        seconds: wall-clock time of the run (varies between runs: do not print it where
            outputs are compared).

    Examples:
        >>> h = History(train_loss=[0.7, 0.3], train_acc=[0.5, 0.9], epochs_run=2)
        >>> print(h.to_text())
        epoch  train_loss  train_acc
            1         0.7        0.5
            2         0.3        0.9
        >>> h
        History(2 epochs, train_loss 0.3, train_acc 0.9)
    """

    train_loss: list[float] = field(default_factory=list)
    train_acc: list[float] = field(default_factory=list)
    val_loss: list[float] = field(default_factory=list)
    val_acc: list[float] = field(default_factory=list)
    probes: dict[str, list[Any]] = field(default_factory=dict)
    epochs_run: int = 0
    diverged: bool = False
    stopped_epoch: int | None = None
    stop_reason: str | None = None
    seconds: float = 0.0

    def rows(self) -> list[dict[str, Any]]:
        """One dict per epoch: ``epoch`` (from 1), the metrics, and probe values.

        A probe that returns a mapping gives one column per key, ``"<probe>.<key>"``;
        activation statistics give ``"stats.<layer>.mean"`` and so on. Epochs a probe
        did not measure (the one that diverged) hold None.
        """
        metrics = {"train_loss": self.train_loss, "train_acc": self.train_acc,
                   "val_loss": self.val_loss, "val_acc": self.val_acc}
        rows = []
        for i in range(self.epochs_run):
            row: dict[str, Any] = {"epoch": i + 1}
            for name, values in metrics.items():
                if values:
                    row[name] = values[i] if i < len(values) else None
            for name, values in self.probes.items():
                row.update(_flatten(name, values[i] if i < len(values) else None))
            rows.append(row)
        return rows

    @property
    def final(self) -> dict[str, Any]:
        """The last epoch's row (see :meth:`rows`); empty before any epoch."""
        rows = self.rows()
        return rows[-1] if rows else {}

    def to_text(self, digits: int = 4) -> str:
        """The history as an aligned plain-text table, one line per epoch.

        Args:
            digits: significant digits of each number. Defaults to 4.
        """
        rows = self.rows()
        if not rows:
            return "(no epochs)"
        columns = list(dict.fromkeys(key for row in rows for key in row))
        cells = [[_cell(row.get(c), digits) for c in columns] for row in rows]
        widths = [max(len(c), *(len(r[j]) for r in cells)) for j, c in enumerate(columns)]
        lines = ["  ".join(c.rjust(w) for c, w in zip(columns, widths))]
        lines += ["  ".join(v.rjust(w) for v, w in zip(r, widths)) for r in cells]
        if self.stop_reason:
            lines.append(self.stop_reason)
        return "\n".join(lines)

    def __str__(self) -> str:
        if self.diverged:
            return f"History(diverged at epoch {self.stopped_epoch})"
        final = self.final
        parts = [f"{self.epochs_run} epochs"]
        parts += [f"{k} {_cell(final[k], 4)}" for k in
                  ("train_loss", "train_acc", "val_loss", "val_acc") if k in final]
        return f"History({', '.join(parts)})"

    __repr__ = __str__


def _flatten(name: str, value: Any) -> dict[str, Any]:
    if isinstance(value, Mapping):
        out: dict[str, Any] = {}
        for key, v in value.items():
            out.update(_flatten(f"{name}.{key}", v))
        return out
    if hasattr(value, "__dataclass_fields__"):  # ActivationStats, DeadUnits
        return {f"{name}.{k}": getattr(value, k) for k in value.__dataclass_fields__
                if not isinstance(getattr(value, k), list)}
    return {name: value}


def _cell(value: Any, digits: int) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.{digits}g}"
    return str(value)
