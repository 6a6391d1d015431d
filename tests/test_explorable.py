"""Explorable figures: what a lab displays, what the book's site makes of it, and a reader's keys.

The unit tests check the mimebundle a lab cell stores (interactive HTML, static PNG, text
summary), that it is the same bytes on every run, and the errors for bad input. The build
test makes a one-chapter Jupyter Book in a temporary folder, with a lab that glues an
explorable and a reading page that pastes it with ``{glue:figure}`` and ``:doc:``, builds it
with the book's extensions, and opens it in Chromium (every host but 127.0.0.1 blocked) to
move the slider from the keyboard.
"""

from __future__ import annotations

import functools
import http.server
import json
import math
import re
import shutil
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import numpy as np
import pytest
import torch
from bs4 import BeautifulSoup

from relu_course.plotting import Explorable, explorable_lines

ROOT = Path(__file__).resolve().parents[1]
STATIC = ROOT / ".vendor" / "static"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
X = torch.linspace(-3, 3, 61)


def leaky_frames(slopes=(0.0, 0.1, 0.3)) -> dict:
    return {a: {"f(x)": (X, torch.where(X > 0, X, a * X)),
                "f'(x)": (X, torch.where(X > 0, 1.0, a))} for a in slopes}


def slope_figure(**kwargs) -> Explorable:
    options = dict(slider_label="negative slope α", x_label="x", y_label="f(x)",
                   title="Leaky ReLU as its slope moves", key="definition_slope",
                   marks={"kink": 0.0})
    return explorable_lines(leaky_frames(), **{**options, **kwargs})


def spec_of(fig: Explorable) -> dict:
    soup = BeautifulSoup(fig.html, "html.parser")
    return json.loads(soup.select_one("script.explorable-spec").string)


# --- the mimebundle ---------------------------------------------------------------------


def test_the_bundle_has_interactive_html_a_static_png_and_the_text_summary():
    fig = slope_figure()
    bundle = fig._repr_mimebundle_()
    assert set(bundle) == {"text/html", "image/png", "text/plain"}
    assert bundle["image/png"].startswith(PNG_MAGIC)
    assert bundle["text/plain"] == fig.alt
    soup = BeautifulSoup(bundle["text/html"], "html.parser")
    root = soup.select_one("[data-explorable]")
    assert root["data-explorable"] == "definition_slope"
    assert root["id"] == "explorable-definition_slope"
    slider = root.select_one("input[type=range]")
    assert (slider["min"], slider["max"], slider["step"], slider["value"]) == ("0", "2", "1", "0")
    assert soup.select_one(f"label[for={slider['id']}]").get_text() == "negative slope α"
    assert slider["aria-valuetext"] == "negative slope α = 0"
    assert root.select_one(".explorable-summary").get_text().startswith(fig.alt)
    assert not soup.find("script", src=True), "the site loads the scripts, never the figure"


def test_the_spec_holds_every_frame_rounded_and_the_axes_span_all_of_them():
    spec = spec_of(slope_figure())
    assert spec["usermeta"]["frames"] == ["0", "0.1", "0.3"]
    assert [s for s in spec["signals"] if s["name"] == "frame"] == [{"name": "frame", "value": 0}]
    rows = spec["data"][0]["values"]
    assert [(r["f"], r["s"]) for r in rows] == [
        (f, s) for f in range(3) for s in ("f(x)", "f'(x)")]
    assert rows[4]["y"][0] == pytest.approx(-0.9)  # frame 2 (slope 0.3), f(-3)
    numbers = [v for r in rows for v in r["x"] + r["y"]]
    assert all(v == float(f"{v:.6g}") for v in numbers), "numbers are rounded to 6 digits"
    x_scale, y_scale = spec["scales"][:2]
    assert x_scale["domain"] == [-3, 3]
    assert y_scale["domain"][0] < -0.9 and y_scale["domain"][1] > 3  # every frame fits
    assert spec["data"][2]["values"] == [{"label": "kink", "x": 0.0}]


def test_the_alt_text_gives_each_series_range_at_the_first_and_last_slider_values():
    alt = slope_figure().alt
    assert "as negative slope α moves over 3 values from 0 to 0.3" in alt
    assert ("At negative slope α = 0 (shown first): f(x) goes from 0 to 3; "
            "f'(x) goes from 0 to 1.") in alt
    assert "At negative slope α = 0.3: f(x) goes from -0.9 to 3; f'(x) goes from 0.3 to 1." in alt
    assert "Marked: kink at x = 0." in alt


def test_the_initial_value_is_shown_first_and_described():
    fig = slope_figure(initial=0.1)
    assert spec_of(fig)["signals"][0]["value"] == 1
    assert 'value="1"' in fig.html and "At negative slope α = 0.1 (shown first)" in fig.alt
    assert "At negative slope α = 0:" in fig.alt and "At negative slope α = 0.3:" in fig.alt


def test_string_slider_values_log_axes_and_gaps():
    x = np.array([1.0, 10.0, 100.0])
    frames = {"SGD": {"loss": (x, [1.0, float("nan"), 0.1])},
              "Adam": {"loss": (x, [1.0, 0.01, 0.001])}}
    fig = explorable_lines(frames, "optimiser", "step", "loss", key="opt", log_x=True, log_y=True)
    spec = spec_of(fig)
    assert [s["type"] for s in spec["scales"][:2]] == ["log", "log"]
    assert spec["data"][0]["values"][0]["y"] == [1.0, None, 0.1]  # NaN: a gap, JSON null
    assert "At optimiser = SGD (shown first): loss goes from 0.1 to 1." in fig.alt
    assert "legends" not in spec  # one series: no legend


def test_the_static_image_draws_the_initial_frame():
    ax = slope_figure(initial=0.3).to_figure().axes[0]
    lines = [line for line in ax.get_lines() if line.get_label() in ("f(x)", "f'(x)")]
    assert [line.get_label() for line in lines] == ["f(x)", "f'(x)"]
    assert lines[0].get_ydata()[0] == pytest.approx(-0.9)
    assert ax.get_title() == "Leaky ReLU as its slope moves (negative slope α = 0.3)"


def test_the_output_is_the_same_bytes_in_another_process():
    code = textwrap.dedent("""
        import sys, torch
        sys.path.insert(0, sys.argv[1])
        from test_explorable import slope_figure
        fig = slope_figure()
        sys.stdout.write(fig.html + fig.alt)
    """)
    runs = [subprocess.run([sys.executable, "-c", code, str(Path(__file__).parent)],
                           capture_output=True, text=True, timeout=300,
                           env={"PYTHONHASHSEED": seed, "PATH": "/usr/bin:/bin"})
            for seed in ("1", "2")]
    assert all(r.returncode == 0 for r in runs), runs[0].stderr[-2000:]
    fig = slope_figure()
    assert runs[0].stdout == runs[1].stdout == fig.html + fig.alt


def test_labels_are_escaped_and_cannot_end_the_spec_early():
    frames = {"<b>": {"</script><i>": ([0, 1], [0, 1])}}
    fig = explorable_lines(frames, "a & b", "x <", "y >", key="escape")
    soup = BeautifulSoup(fig.html, "html.parser")
    assert soup.find("b") is None and soup.find("i") is None
    assert spec_of(fig)["scales"][2]["domain"] == ["</script><i>"]
    assert soup.select_one("label").get_text() == "a & b"


@pytest.mark.parametrize(("frames", "kwargs", "error", "match"), [
    ({}, {}, TypeError, "non-empty dict"),
    ([1, 2], {}, TypeError, "non-empty dict"),
    ({0: {"a": ([0, 1], [0, 1])}, "b": {"a": ([0, 1], [0, 1])}}, {}, TypeError,
     "all numbers or all strings"),
    ({math.inf: {"a": ([0, 1], [0, 1])}}, {}, ValueError, "finite numbers"),
    ({0: {"a": ([0, 1], [0, 1])}, 1: {"b": ([0, 1], [0, 1])}}, {}, ValueError, "same series"),
    ({0: {"a": [0, 1, 2]}}, {}, TypeError, r"frames\[0\]\['a'\] must be a pair"),
    ({0: {"a": ([0, 1], [0, 1, 2])}}, {}, ValueError, "3 values but 2"),
    ({0: {"a": ([0, math.nan], [0, 1])}}, {}, ValueError, "x must be finite"),
    ({0: {"": ([0, 1], [0, 1])}}, {}, TypeError, "non-empty strings"),
    ({0: {"a": ([0, 1], [0, 1])}}, {"initial": 2}, ValueError, "initial must be one of"),
    ({0: {"a": ([0, 1], [0, 1])}}, {"key": "two words"}, TypeError, "key must be"),
    ({0: {"a": ([0, 1], [0, 1])}}, {"key": None}, TypeError, "key must be"),
    ({0: {"a": ([0, 1], [0, 1])}}, {"log_x": True}, ValueError, "log_x=True needs positive"),
    ({0: {"a": ([1, 2], [0, 1])}}, {"log_y": "yes"}, TypeError, "log_y must be True or False"),
    ({0: {"a": ([0, 1], [0, 1])}}, {"marks": {"kink": "zero"}}, ValueError, "finite number"),
    ({0: {"a": ([0, 1], [0, 1])}}, {"slider_label": ""}, TypeError, "slider_label"),
    ({0: {"a": (np.zeros(30_000), np.zeros(30_000))}}, {}, ValueError, "at most 50000"),
])
def test_bad_input_gets_one_clear_error(frames, kwargs, error, match):
    options = {"slider_label": "s", "x_label": "x", "y_label": "y", "key": "k", **kwargs}
    with pytest.raises(error, match=match):
        explorable_lines(frames, **options)


# --- a one-chapter book, built and read -------------------------------------------------

LAB_CELLS = [
    "from myst_nb import glue\nimport torch\nimport sys\nsys.path.insert(0, {tests!r})\n"
    "from test_explorable import slope_figure",
    'glue("explore_slope", slope_figure(), display=True)',
]
PAGE = """# Slopes

```{glue:figure} explore_slope
:doc: lab.ipynb
:name: fig-explore-slope

Move the slope and watch the negative side tilt.
```

A page with math, $f(x) = \\max(0, x)$, and a link to the {doc}`lab`.
"""


@pytest.fixture(scope="module")
def fixture_book(tmp_path_factory) -> Path:
    if not (STATIC / "vega" / "vega.min.js").is_file():
        pytest.fail(f"{STATIC}/vega/vega.min.js is missing: run `make setup`")
    book = tmp_path_factory.mktemp("explorable-book")
    ext = ROOT / "book" / "_ext"
    (book / "_config.yml").write_text(textwrap.dedent(f"""\
        title: explorable fixture
        only_build_toc_files: true
        execute:
          execute_notebooks: force
        sphinx:
          local_extensions:
            lab_figures: {ext}
            inline_scripts: {ext}
          recursive_update: true
          config:
            html_static_path: ["{STATIC}"]
            mathjax_path: es5/startup.js
            mathjax3_config:
              loader:
                load: ["input/tex", "output/chtml", "a11y/assistive-mml"]
            html_context:
              default_mode: auto
        """), encoding="utf-8")
    (book / "_toc.yml").write_text("format: jb-book\nroot: index\nchapters:\n"
                                   "  - file: lab\n  - file: plain\n", encoding="utf-8")
    (book / "index.md").write_text(PAGE, encoding="utf-8")
    (book / "plain.md").write_text("# Plain\n\nNo figure here.\n", encoding="utf-8")
    cells = [{"cell_type": "code", "execution_count": None, "id": f"code{i}", "metadata": {},
              "outputs": [], "source": src.format(tests=str(Path(__file__).parent))}
             for i, src in enumerate(LAB_CELLS)]
    title = {"cell_type": "markdown", "id": "title", "metadata": {}, "source": "# Lab"}
    notebook = {"cells": [title, *cells],
                "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3",
                                            "language": "python"}},
                "nbformat": 4, "nbformat_minor": 5}
    (book / "lab.ipynb").write_text(json.dumps(notebook), encoding="utf-8")
    result = subprocess.run(
        [str(Path(sys.executable).parent / "jupyter-book"), "build", str(book),
         "--builder", "html", "-W", "--keep-going"],
        capture_output=True, text=True, timeout=600,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    return book / "_build" / "html"


def scripts_of(page: Path) -> list[str]:
    soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
    return [str(s["src"]).split("?")[0] for s in soup.find_all("script", src=True)]


def test_the_reading_page_shows_the_labs_explorable_in_a_captioned_figure(fixture_book):
    soup = BeautifulSoup((fixture_book / "index.html").read_text(encoding="utf-8"), "html.parser")
    figure = soup.select_one("figure#fig-explore-slope")
    assert figure is not None, "glue:figure with :doc: gave no figure"
    assert figure.select_one("[data-explorable=definition_slope] input[type=range]")
    assert "watch the negative side tilt" in figure.select_one("figcaption").get_text()


def test_vega_and_the_driver_load_once_on_pages_with_an_explorable_only(fixture_book):
    for page in ("index.html", "lab.html"):
        scripts = scripts_of(fixture_book / page)
        assert scripts.count("_static/vega/vega.min.js") == 1, (page, scripts)
        assert scripts.count("_static/explorable.js") == 1, (page, scripts)
        assert scripts.index("_static/vega/vega.min.js") < scripts.index("_static/explorable.js")
    plain = scripts_of(fixture_book / "plain.html")
    assert not any("vega" in s or "explorable" in s for s in plain), plain
    assert (fixture_book / "_static" / "vega" / "vega.min.js").is_file()


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


def test_a_reader_moves_the_slider_with_the_keyboard_offline(fixture_book):
    executable = shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(executable).is_file():
        pytest.fail("Chromium is missing: run `make browser-deps` (Debian's chromium package).")
    from playwright.sync_api import sync_playwright

    httpd = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(_Quiet, directory=str(fixture_book)))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{httpd.server_address[1]}/"
    blocked, errors = [], []
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=executable, headless=True,
                                                 args=["--no-sandbox", "--disable-gpu"])
            page = browser.new_page(color_scheme="dark")
            page.route("**/*", lambda route: route.continue_()
                       if route.request.url.startswith(base)
                       else (blocked.append(route.request.url), route.abort()))
            page.on("console", lambda m: m.type == "error" and errors.append(m.text))
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.goto(base + "index.html", wait_until="load")
            root = page.locator("[data-explorable]").first
            page.wait_for_selector("[data-explorable][data-explorable-ready] svg path")
            before = root.locator(".explorable-view").inner_html()
            slider = root.locator("input[type=range]")
            assert slider.is_visible()
            slider.focus()
            page.keyboard.press("ArrowRight")
            page.wait_for_function(
                "() => document.querySelector('[data-explorable]').dataset.frame === '1'")
            assert root.locator("output").inner_text() == "0.1"
            assert slider.get_attribute("aria-valuetext") == "negative slope α = 0.1"
            assert root.locator(".explorable-view").inner_html() != before
            page.keyboard.press("End")
            page.wait_for_function(
                "() => document.querySelector('[data-explorable]').dataset.frame === '2'")
            background = root.evaluate("e => getComputedStyle(e).backgroundColor")
            assert re.fullmatch(r"rgba?\(255, 255, 255.*\)", background), background
            browser.close()
    finally:
        httpd.shutdown()
        httpd.server_close()
    assert blocked == [], f"requests to other hosts: {blocked}"
    assert errors == [], f"console errors: {errors}"
