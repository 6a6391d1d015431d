"""Every lab notebook opens ready to run on Colab, Binder or a laptop.

The notebooks are the ones `_toc.yml` lists; the install cell must be CONTRIBUTING.md's,
word for word, and name the repository URL that `_config.yml` holds.
"""

from __future__ import annotations

import importlib.util
import io
import json
import re
import subprocess
import sys
import textwrap
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path
from unittest import mock

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
REPO_URL = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))["repository"]["url"]


def toc_files() -> list[str]:
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    files = [toc["root"]]

    def walk(entries: list[dict]) -> None:
        for entry in entries:
            if "file" in entry:
                files.append(re.sub(r"\.(md|ipynb)$", "", entry["file"]))
            walk(entry.get("sections", []))

    for part in toc.get("parts", []):
        walk(part.get("chapters", []))
    walk(toc.get("chapters", []))
    return files


LABS = [f for f in toc_files() if f.endswith("/lab") or (ROOT / f"{f}.ipynb").is_file()]


def the_convention() -> str:
    """The install cell exactly as CONTRIBUTING.md gives it."""
    text = (ROOT / "CONTRIBUTING.md").read_text(encoding="utf-8")
    blocks = re.findall(r"^([ \t]*)```python\n(.*?)^\1```", text, re.MULTILINE | re.DOTALL)
    cells = [textwrap.dedent(body) for _, body in blocks if "find_spec" in body]
    assert len(cells) == 1, "CONTRIBUTING.md should show exactly one install cell"
    return cells[0].strip()


def notebook(lab: str) -> dict:
    path = ROOT / f"{lab}.ipynb"
    if not path.is_file():
        pytest.fail(f"_toc.yml lists {lab} but {path.relative_to(ROOT)} does not exist")
    return json.loads(path.read_text(encoding="utf-8"))


def source(cell: dict) -> str:
    text = cell["source"]
    return "".join(text) if isinstance(text, list) else text


def install_cell(lab: str) -> dict:
    return next(c for c in notebook(lab)["cells"] if c["cell_type"] == "code")


def run_install_cell(code: str, *, installed: bool) -> tuple[str, list[list[str]]]:
    """Execute the cell with pip faked out: what it prints, and the commands it runs."""
    commands: list[list[str]] = []
    real_find_spec = importlib.util.find_spec

    def fake_run(args: list[str], **kwargs: object) -> subprocess.CompletedProcess:
        commands.append(list(args))
        return subprocess.CompletedProcess(args, 0)

    def find_spec(name: str, *args: object, **kwargs: object) -> object:
        if name == "relu_course" and not installed:
            return None  # as on a fresh Colab runtime
        return real_find_spec(name, *args, **kwargs)

    out = io.StringIO()
    pip = mock.patch("subprocess.run", fake_run)
    spec = mock.patch("importlib.util.find_spec", find_spec)
    with pip, spec, redirect_stdout(out), redirect_stderr(out):
        exec(compile(code, "<install cell>", "exec"), {"__name__": "__main__"})
    return out.getvalue(), commands


def test_the_toc_lists_lab_notebooks() -> None:
    assert LABS, "no lab notebook in _toc.yml"


def test_contributing_install_cell_names_the_configured_repository() -> None:
    urls = re.findall(r'url = "([^"]+)"', the_convention())
    assert urls == [REPO_URL], f"CONTRIBUTING.md installs from {urls}, _config.yml says {REPO_URL}"


@pytest.mark.parametrize("lab", LABS)
def test_lab_is_a_python_notebook_in_its_chapter_folder(lab: str) -> None:
    kernelspec = notebook(lab)["metadata"].get("kernelspec", {})
    # Colab, Binder and the site's launch buttons all read the kernelspec.
    assert kernelspec.get("name") == "python3", kernelspec
    assert kernelspec.get("language", "python") == "python", kernelspec


@pytest.mark.parametrize("lab", LABS)
def test_first_code_cell_is_the_install_cell_from_contributing(lab: str) -> None:
    cell = install_cell(lab)
    assert source(cell).strip() == the_convention(), (
        f"{lab}: the first code cell must be CONTRIBUTING.md's install cell, exactly"
    )
    assert REPO_URL in source(cell)
    assert cell.get("outputs") == [], f"{lab}: the install cell has stored output"


@pytest.mark.parametrize("lab", LABS)
def test_install_cell_does_nothing_and_prints_nothing_where_the_package_is_installed(
    lab: str,
) -> None:
    printed, commands = run_install_cell(source(install_cell(lab)), installed=True)
    assert printed == "" and commands == [], (printed, commands)


@pytest.mark.parametrize("lab", LABS)
def test_install_cell_on_colab_pip_installs_quietly_from_the_repository_keeping_torch(
    lab: str,
) -> None:
    printed, commands = run_install_cell(source(install_cell(lab)), installed=False)
    assert printed == ""
    assert len(commands) == 1, commands
    command = commands[0]
    assert command[:4] == [sys.executable, "-m", "pip", "install"], command
    assert "--quiet" in command or "-q" in command, command
    assert command[-1] == f"relu-course @ git+{REPO_URL}", command
    # Nothing that would replace Colab's CUDA build of torch.
    for flag in ("--upgrade", "-U", "--force-reinstall", "--ignore-installed", "-I"):
        assert flag not in command, command
    assert not any(arg.startswith("torch") for arg in command), command


@pytest.mark.parametrize("lab", LABS)
def test_lab_says_how_to_get_a_gpu_on_colab_and_uses_it(lab: str) -> None:
    cells = notebook(lab)["cells"]
    intro = cells[0]
    assert intro["cell_type"] == "markdown" and source(intro).startswith("# Lab:"), (
        f"{lab}: the first cell is the lab's title, '# Lab: <chapter title>'"
    )
    text = source(intro)
    assert "Change runtime type" in text and "GPU" in text, (
        f"{lab}: say how to get a GPU on Colab (Runtime > Change runtime type > GPU)"
    )
    code = "\n".join(source(c) for c in cells if c["cell_type"] == "code")
    assert "get_device(" in code, f"{lab}: run on get_device(), so a GPU is used when present"
