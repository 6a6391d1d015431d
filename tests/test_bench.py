"""benchmarks/bench.py (the package benchmarks/relu_bench): each part of the benchmark runs on tiny
sizes and reports what it measured.

These are smoke tests of the benchmark's pieces, not timed assertions: the numbers of a
shared test machine mean nothing, so only their shape and sign are checked.
"""

from __future__ import annotations

import doctest
import importlib.util
import json
import math
import sys
import textwrap
from pathlib import Path

import nbformat
import pytest


def _load_bench():
    """The benchmark lives outside the package, in benchmarks/: load its script from its file
    (which puts benchmarks/ on the path for its package, relu_bench)."""
    path = Path(__file__).resolve().parent.parent / "benchmarks" / "bench.py"
    spec = importlib.util.spec_from_file_location("bench", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench"] = module  # dataclasses look their module up here
    spec.loader.exec_module(module)
    return module


bench = _load_bench()
Row = bench.Row


def test_row_status_compares_the_value_with_its_target_in_the_right_direction():
    assert Row("a", "ratio", 1.2, "x", target=1.25).status == "ok"
    assert Row("a", "ratio", 1.3, "x", target=1.25).status == "MISS"
    assert Row("a", "bandwidth", 85.0, "%", target=80.0, higher_is_better=True).status == "ok"
    assert Row("a", "bandwidth", 70.0, "%", target=80.0, higher_is_better=True).status == "MISS"
    assert Row("a", "no target", 3.0, "s").status == ""
    assert Row("a", "failed", math.nan, "s", target=1.0).status == "FAIL"


def test_format_table_aligns_columns_and_counts_targets_met():
    rows = [Row("import", "import relu_course beyond torch", 0.02, "s", 0.5),
            Row("activations", "relu fwd+bwd / torch", 1.4, "x", 1.25, detail="ours 1 ms")]
    lines = bench.format_table(rows, title="a title").splitlines()
    assert lines[0] == "a title"
    assert lines[1].split() == ["section", "item", "measured", "target", "status", "detail"]
    assert lines[2].index("0.02 s") == lines[3].index("1.40x") == lines[1].index("measured")
    assert "MISS" in lines[3] and "<= 1.25" in lines[3]
    assert lines[-1] == "1 of 2 targets met"


def test_interleaved_medians_times_every_function_and_rejects_zero_repeats():
    calls = {"a": 0, "b": 0}

    def count(name):
        def fn():
            calls[name] += 1
        return fn

    times = bench.interleaved_medians({"a": count("a"), "b": count("b")}, repeats=4, warmup=1)
    assert set(times) == {"a", "b"} and all(t >= 0 for t in times.values())
    assert calls == {"a": 5, "b": 5}
    with pytest.raises(ValueError, match="repeats must be >= 1"):
        bench.interleaved_medians({"a": count("a")}, repeats=0)


def test_activation_rows_compare_every_activation_forward_and_backward_with_targets():
    rows = bench.activation_rows(log2_size=8, repeats=1)
    names = [name for name in bench._twins()]
    assert [r.item for r in rows[1:]] == [f"{n} {kind} / torch" for n in names
                                          for kind in ("fwd", "fwd+bwd")]
    targets = {r.item: r.target for r in rows}
    assert targets["relu fwd+bwd / torch"] == 1.25
    assert targets["gelu fwd+bwd / torch"] == 2.0
    assert targets["relu fwd / torch"] is None
    assert all(r.value > 0 and math.isfinite(r.value) for r in rows)
    assert all("of clone" in r.detail for r in rows[1:])


def test_activation_rows_name_the_accepted_activations_on_an_unknown_one():
    with pytest.raises(ValueError, match=r"unknown activation.*'softmax'.*accepted: relu"):
        bench.activation_rows(log2_size=4, repeats=1, names=["softmax"])


def test_import_of_the_toolkit_loads_neither_matplotlib_nor_scikit_learn():
    package, toolkit = bench.import_rows(repeats=1)
    assert package.item == "import relu_course beyond torch" and package.target == 0.5
    assert package.value >= 0 and toolkit.value >= package.value
    assert "matplotlib" not in toolkit.detail and "sklearn" not in toolkit.detail


def test_fit_probe_and_fused_rows_report_positive_times_on_the_digits():
    rows = bench.fit_rows(epochs=1, repeats=1) + bench.probe_rows(repeats=1, warmup=0, rows=64)
    rows += bench.fused_rows(repeats=1, warmup=0, width=16, batch=32)
    assert [r.section for r in rows] == ["fit"] * 3 + ["probes"] * 8 + ["fused"]
    assert all(r.value > 0 and math.isfinite(r.value) for r in rows)
    assert "val accuracy" in rows[0].detail


def _notebook(path, source):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(source)]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    nbformat.write(nb, path)


def test_toc_notebooks_lists_existing_notebooks_in_book_order(tmp_path):
    (tmp_path / "_toc.yml").write_text(textwrap.dedent("""\
        format: jb-book
        root: intro
        parts:
          - caption: Chapters
            chapters:
              - file: b/index
                sections:
                  - file: b/lab
              - file: a/lab
              - file: c/lab
        """))
    for folder in ("a", "b"):
        (tmp_path / folder).mkdir()
        _notebook(tmp_path / folder / "lab.ipynb", "1 + 1")
    found = bench.toc_notebooks(tmp_path)
    assert [p.relative_to(tmp_path).as_posix() for p in found] == ["b/lab.ipynb", "a/lab.ipynb"]


def test_notebook_rows_time_each_notebook_in_its_folder_and_report_failures(tmp_path):
    (tmp_path / "_toc.yml").write_text("root: intro\nchapters:\n- file: ok/lab\n- file: bad/lab\n")
    for folder in ("ok", "bad"):
        (tmp_path / folder).mkdir()
    (tmp_path / "ok" / "data.txt").write_text("here")
    _notebook(tmp_path / "ok" / "lab.ipynb", "assert open('data.txt').read() == 'here'")
    _notebook(tmp_path / "bad" / "lab.ipynb", "raise ValueError('broken on purpose')")
    rows = {r.item: r for r in bench.notebook_rows(tmp_path, timeout=120)}
    assert rows["ok/lab.ipynb time"].status == "ok"
    assert 10 < rows["ok/lab.ipynb peak memory"].value < 1024  # MiB: a Python kernel
    assert rows["bad/lab.ipynb"].status == "FAIL"
    assert "broken on purpose" in rows["bad/lab.ipynb"].detail
    total = rows["all notebooks, one after another"]
    assert total.detail == "2 notebooks run; not written yet: intro"


def test_make_rows_time_a_target_and_report_a_failing_one_as_not_measured(tmp_path):
    (tmp_path / "Makefile").write_text("book:\n\ttrue\ntest:\n\tfalse\n")
    book, test = bench.make_rows(("book", "test"), tmp_path)
    assert book.status == "ok" and book.value >= 0
    assert test.status == "FAIL" and "exit status 2" in test.detail


def test_main_prints_one_table_and_writes_json(tmp_path, capsys):
    out = tmp_path / "rows.json"
    code = bench.main(["--only", "activations", "--quick", "--device", "cpu", "--json", str(out)])
    printed = capsys.readouterr().out
    assert printed.startswith("relu_course benchmark")
    assert "relu fwd+bwd / torch" in printed and "targets met" in printed
    assert code in (0, bench.EXIT_MISSED)
    rows = json.loads(out.read_text())
    assert rows[0]["item"] == "clone (the ceiling)" and "status" in rows[0]


def test_main_rejects_an_unknown_section_naming_the_accepted_ones(capsys):
    with pytest.raises(SystemExit) as info:
        bench.main(["--only", "activations,speed"])
    assert info.value.code == 2
    assert "unknown section(s) ['speed']; choose among activations" in capsys.readouterr().err


def test_main_explains_that_notebooks_are_timed_in_a_checkout_of_the_course(tmp_path, capsys):
    with pytest.raises(SystemExit) as info:
        bench.main(["--only", "notebooks", "--root", str(tmp_path)])
    assert info.value.code == 2
    assert "holds no _toc.yml" in capsys.readouterr().err



def test_docstring_examples_run():
    import relu_bench.activations
    import relu_bench.core

    flags = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE
    results = [doctest.testmod(m, optionflags=flags)
               for m in (relu_bench.core, relu_bench.activations)]
    assert sum(r.attempted for r in results) >= 4 and not any(r.failed for r in results)


def test_the_learners_package_does_not_ship_the_benchmark():
    import relu_course

    assert "bench" not in relu_course.__all__
    assert importlib.util.find_spec("relu_course.bench") is None


def test_median_of_runs_reports_the_median_and_the_range_and_refuses_mismatched_runs():
    runs = [[Row("activations", "relu fwd+bwd / torch", v, "x", 1.25, detail="ours 1 ms")]
            for v in (1.3, 1.2, 1.22)]
    (row,) = bench.median_of_runs(runs)
    assert row.value == 1.22 and row.status == "ok"
    assert row.detail == "ours 1 ms; median of 3 runs (1.20-1.30)"
    with pytest.raises(ValueError, match="the same items"):
        bench.median_of_runs([runs[0], [Row("a", "other", 1.0, "x")]])


def test_cpu_time_runs_on_one_thread_and_is_refused_on_several(tmp_path, capsys):
    import torch

    threads = torch.get_num_threads()
    try:
        out = tmp_path / "rows.json"
        code = bench.main(["--only", "activations", "--quick", "--device", "cpu", "--threads",
                           "1", "--cpu-time", "--runs", "2", "--json", str(out)])
        assert code in (0, bench.EXIT_MISSED)
        rows = json.loads(out.read_text())
        assert all("median of 2 runs" in r["detail"] for r in rows)
        with pytest.raises(SystemExit):
            bench.main(["--only", "activations", "--quick", "--threads", "2", "--cpu-time"])
        assert "use it with --threads 1" in capsys.readouterr().err
    finally:
        torch.set_num_threads(threads)
