"""Every figure of the book, drawn one way, from arrays it is given.

Each static figure is a :class:`matplotlib.figure.Figure` built without
:mod:`matplotlib.pyplot`: nothing is registered with pyplot, so a figure is shown exactly once
(as the last expression of a notebook cell, or through ``glue(..., display=True)``) and never
needs ``plt.close``. An explorable figure (:func:`explorable_lines`) is an interactive figure
for the website, with a slider the reader moves, and a static image for notebook viewers.

The figures share one style: the Okabe-Ito palette
(:data:`PALETTE`), readable with every common colour-vision deficiency, with lines that also
differ in dash pattern and markers that differ in shape; an opaque white background with dark
text, readable on the book's light and dark themes; labelled axes and a legend whenever more
than one thing is drawn.

Plotting never runs a model: it takes arrays and the grids of 2-D classifiers that
:mod:`relu_course.geometry` computes (:func:`~relu_course.geometry.predict_grid`,
:func:`~relu_course.geometry.linear_regions`), and rejects a model with an error that names
them. One module per family of figures:

- ``curves``: activations and their derivatives; 1-D regression fits;
- ``training``: training curves and per-epoch probes;
- ``layers``: a statistic per layer against depth; histograms of each layer's values;
- ``sweeps``: sweeps, bars;
- ``regions``: decision regions and linear regions of 2-D models;
- ``explorable``: interactive figures for the website.

This is the only part of :mod:`relu_course` that imports Matplotlib; the rest of the package
never does, so ``import relu_course.train`` stays light.
"""

from relu_course.plotting._style import LINESTYLES, MARKERS, PALETTE
from relu_course.plotting._style import CourseFigure as CourseFigure  # importable, not documented
from relu_course.plotting.curves import plot_activations, plot_function_fit
from relu_course.plotting.explorable import Explorable, explorable_lines
from relu_course.plotting.layers import plot_layer_histograms, plot_layer_stats
from relu_course.plotting.regions import plot_decision_regions, plot_linear_regions
from relu_course.plotting.sweeps import plot_bars, plot_sweep
from relu_course.plotting.training import plot_history

__all__ = [
    "LINESTYLES",
    "MARKERS",
    "PALETTE",
    "Explorable",
    "explorable_lines",
    "plot_activations",
    "plot_bars",
    "plot_decision_regions",
    "plot_function_fit",
    "plot_history",
    "plot_layer_histograms",
    "plot_layer_stats",
    "plot_linear_regions",
    "plot_sweep",
]
