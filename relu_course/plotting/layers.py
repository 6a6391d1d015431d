"""Per-layer figures: a statistic against depth, and the distribution of values in each layer."""

from __future__ import annotations

import numbers
from collections.abc import Mapping, Sequence
from typing import Any, Union

import matplotlib
import numpy as np
import torch
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from relu_course.plotting._checks import _as_array, _check_label, _check_title
from relu_course.plotting._style import _STYLE, _log_scale, _new_figure, _style

LayerSeries = Union[Mapping[str, float], Sequence[float]]


def _layer_series(values: object, label: str) -> tuple[list[str], np.ndarray]:
    if isinstance(values, Mapping):
        names, raw = [str(k) for k in values], list(values.values())
    elif isinstance(values, Sequence) and not isinstance(values, str):
        names, raw = [str(i) for i in range(len(values))], list(values)
    else:
        raise TypeError(
            f"series {label!r} must map layer names to numbers (e.g. "
            f"{{'act0': 0.5, 'act1': 0.4}}), got {type(values).__name__}"
        )
    if not raw:
        raise ValueError(f"series {label!r} has no layers")
    numbers_ = []
    for name, v in zip(names, raw):
        if isinstance(v, torch.Tensor) and v.numel() == 1:
            v = v.item()
        if isinstance(v, bool) or not isinstance(v, numbers.Real):
            raise TypeError(
                f"series {label!r}, layer {name!r}: expected a number, got "
                f"{type(v).__name__} {v!r}; from per-layer records pick one number each, "
                "e.g. {name: d.fraction for name, d in dead_units(model, X).items()}"
            )
        numbers_.append(float(v))
    return names, np.asarray(numbers_)


def plot_layer_stats(
    series: Mapping[str, LayerSeries] | LayerSeries,
    ylabel: str,
    logy: bool = False,
    title: str | None = None,
) -> Figure:
    """Plot a per-layer statistic against depth, for one network or several.

    Use it for what the probes measure layer by layer: the mean or variance of the
    activations, the sparsity, the fraction of dead units, or the gradient norm (with
    ``logy=True``, so that vanishing and exploding gradients show as straight lines).

    Args:
        series: one mapping from layer name to value (``{"act0": 0.5, "act1": 0.48}``, as
            :func:`relu_course.probes.sparsity` returns it), or a dict from a label (say,
            the initialisation) to such a mapping. A list of values also works, one per
            layer. Layers are plotted in the order given.
        ylabel: what the values are, with units if any (``"dead fraction"``).
        logy: logarithmic y axis; every value must then be positive. Defaults to False.
        title: a title for the panel. Defaults to none.

    Returns:
        A one-panel figure of value against layer depth.

    Examples:
        >>> fig = plot_layer_stats({"He": {"act0": 1.0, "act1": 0.9},
        ...                         "default": {"act0": 0.3, "act1": 0.05}},
        ...                        ylabel="activation variance", logy=True)
        >>> fig.axes[0].get_xlabel(), fig.axes[0].get_yscale()
        ('layer (depth)', 'log')
    """
    ylabel = _check_label(ylabel, "ylabel")
    title = _check_title(title)
    if not isinstance(logy, bool):
        raise TypeError(f"logy must be True or False, got {logy!r}")
    if (
        isinstance(series, Mapping)
        and series
        and all(
            isinstance(v, (Mapping, Sequence)) and not isinstance(v, str) for v in series.values()
        )
    ):
        runs = {str(k): _layer_series(v, str(k)) for k, v in series.items()}
    elif isinstance(series, Mapping) and not series:
        raise ValueError("series is empty; pass {layer: value} or {label: {layer: value}}")
    else:
        runs = {"": _layer_series(series, "series")}
    if logy:
        for label, (names, values) in runs.items():
            bad = [n for n, v in zip(names, values) if not v > 0]
            if bad:
                raise ValueError(
                    f"logy=True needs positive values, but series {label!r} has "
                    f"non-positive values at layers {bad}"
                )

    fig = _new_figure(1)
    ax = fig.axes[0]
    with matplotlib.rc_context(_STYLE):
        for i, (label, (_, values)) in enumerate(runs.items()):
            ax.plot(np.arange(len(values)), values, label=label or None, **_style(i))
        layer_names = [names for names, _ in runs.values()]
        longest = max(layer_names, key=len)
        if all(names == longest[: len(names)] for names in layer_names) and len(longest) <= 12:
            ax.set_xticks(
                np.arange(len(longest)), longest, rotation=30 if max(map(len, longest)) > 4 else 0
            )
        else:
            ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        if logy:
            _log_scale(ax.yaxis, np.concatenate([values for _, values in runs.values()]))
        ax.set_xlabel("layer (depth)")
        ax.set_ylabel(ylabel)
        if title:
            ax.set_title(title)
        if len(runs) > 1:
            ax.legend(loc="best")
    return fig


def _layer_arrays(values: object, where: str) -> dict[str, np.ndarray]:
    """``{layer name: flat float64 array}`` from a mapping or a sequence of per-layer arrays."""
    if isinstance(values, Mapping):
        items = [(str(k), v) for k, v in values.items()]
    elif isinstance(values, Sequence) and not isinstance(values, str):
        items = [(f"layer {i + 1}", v) for i, v in enumerate(values)]
    else:
        raise TypeError(
            f"{where} must map layer names to arrays (e.g. {{'layer 1': acts[0]}}) or list "
            f"one array per layer, got {type(values).__name__}"
        )
    if not items:
        raise ValueError(f"{where} has no layers")
    arrays = {}
    for layer, v in items:
        flat = _as_array(v, f"{where}, layer {layer!r}").ravel()
        if flat.size == 0 or not np.all(np.isfinite(flat)):
            raise ValueError(
                f"{where}, layer {layer!r}: expected a non-empty array of finite numbers, got "
                f"{flat.size} values" + ("" if flat.size == 0 else " with NaN or infinity")
            )
        arrays[layer] = flat
    return arrays


def plot_layer_histograms(
    values: Mapping[str, Mapping[str, Mapping[str, Any] | Sequence[Any]]],
    bins: int = 50,
    logy: bool = False,
    title: str | None = None,
) -> Figure:
    """Histograms of what each layer holds: one row per quantity, one column per layer.

    Use it to see how the activations or gradients of a network are distributed, layer by
    layer, and how two snapshots (at initialisation and after training, say) differ. Each
    panel draws one outlined histogram per series on bins shared by the series of that
    panel, as a density :math:`c_k / (n w_k)` for a bin of width :math:`w_k` holding
    :math:`c_k` of the :math:`n` values (area 1), so series of different sizes compare
    directly. The gradient-flow chapter draws the activations and weight gradients of a
    deep ReLU network this way.

    Args:
        values: ``{quantity: {series: layers}}``. A quantity (``"activation"``) names a row
            and labels its x axis; a series (``"initialisation"``) gets one colour and dash
            pattern in every panel; ``layers`` maps a layer name to its values,
            ``{"hidden layer 1": acts[0], ...}``, or lists one array per layer (named
            ``"layer 1"``, ``"layer 2"``, ...). Each array (tensor, NumPy array or sequence)
            may have any shape, e.g. activations ``(batch, units)`` or a weight gradient
            ``(out_features, in_features)``, and is flattened. Every series of every row
            must name the same layers, which become the columns in the order given: pass
            only the layers to show.
        bins: histogram bins per panel, 1 to 1000. Defaults to 50.
        logy: logarithmic density axis, to show the tails. Defaults to False.
        title: a title above all the panels. Defaults to none.

    Returns:
        A figure of ``len(values)`` rows by (number of layers) columns, layer names as the
        panels' titles, and a legend in the first panel when there are several series.

    Raises:
        TypeError: ``values`` is not nested as above; non-numeric values; a ``bins``,
            ``logy`` or ``title`` of the wrong type.
        ValueError: an empty mapping; an empty array or one holding NaN or infinity;
            series or rows that name different layers; ``bins`` outside 1..1000.

    Examples:
        >>> g = torch.Generator().manual_seed(0)
        >>> before = [torch.randn(100, 8, generator=g).relu() for _ in range(3)]
        >>> after = [2 * h for h in before]
        >>> fig = plot_layer_histograms(
        ...     {"activation": {"initialisation": before, "trained": after}}, logy=True)
        >>> [ax.get_title() for ax in fig.axes]
        ['layer 1', 'layer 2', 'layer 3']
        >>> fig.axes[0].get_xlabel(), fig.axes[0].get_yscale()
        ('activation', 'log')
    """
    if isinstance(bins, bool) or not isinstance(bins, numbers.Integral):
        raise TypeError(f"bins must be an integer from 1 to 1000, got {bins!r}")
    if not 1 <= bins <= 1000:
        raise ValueError(f"bins must be an integer from 1 to 1000, got {bins!r}")
    if not isinstance(logy, bool):
        raise TypeError(f"logy must be True or False, got {logy!r}")
    title = _check_title(title)
    if not isinstance(values, Mapping) or not all(isinstance(v, Mapping) for v in values.values()):
        raise TypeError(
            "values must be a dict {quantity: {series: {layer: array}}}, e.g. "
            "{'activation': {'initialisation': {'layer 1': acts}}}, "
            f"got {type(values).__name__}"
        )
    if not values or not all(values.values()):
        raise ValueError("values needs at least one quantity with at least one series")
    rows = {
        _check_label(quantity, "a quantity"): {
            str(label): _layer_arrays(layers, f"values[{quantity!r}][{label!r}]")
            for label, layers in series.items()
        }
        for quantity, series in values.items()
    }
    columns = list(next(iter(next(iter(rows.values())).values())))
    for quantity, series in rows.items():
        for label, layers in series.items():
            if list(layers) != columns:
                raise ValueError(
                    f"values[{quantity!r}][{label!r}] has layers {list(layers)}, but the first "
                    f"series has {columns}: every series and row must name the same layers"
                )

    n_rows, n_cols = len(rows), len(columns)
    fig = _new_figure(n_cols, figsize=(min(2.6 * n_cols + 0.4, 9.0), 2.4 * n_rows + 0.3),
                      nrows=n_rows)
    with matplotlib.rc_context(_STYLE):
        for r, (quantity, series) in enumerate(rows.items()):
            for c, layer in enumerate(columns):
                ax = fig.axes[r * n_cols + c]
                edges = np.histogram_bin_edges(
                    np.concatenate([layers[layer] for layers in series.values()]), bins=bins
                )
                for i, (label, layers) in enumerate(series.items()):
                    style = _style(i)
                    ax.hist(layers[layer], bins=edges, density=True, histtype="step", log=logy,
                            color=style["color"], linestyle=style["linestyle"], label=label)
                ax.set_title(layer)
                ax.set_xlabel(quantity)
                ax.set_ylabel("density")
        if len(next(iter(rows.values()))) > 1:
            fig.axes[0].legend(loc="best")
        if title:
            fig.suptitle(title)
    return fig
