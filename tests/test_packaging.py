"""Installing the course's package, on Colab, Binder and CI, without disturbing torch.

Colab ships its own CUDA build of torch; the labs' install cell must keep it. These tests
check what pip would do (offline, with `--dry-run --report`), and that Binder's environment
and the CI workflows agree with the pinned environment.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[1]
WORKFLOWS = ROOT / ".github" / "workflows"


def pyproject() -> dict:
    import tomllib

    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def pins(path: Path) -> dict[str, str]:
    """name -> exact version for every `name==version` line of a requirements file."""
    found = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if "==" in line and not line.startswith("-"):
            requirement = Requirement(line)
            found[requirement.name.lower()] = str(requirement.specifier).removeprefix("==")
    return found


def test_pip_install_of_the_package_keeps_the_installed_torch(tmp_path: Path) -> None:
    # A copy of the project, so that building its metadata leaves the checkout untouched.
    project = tmp_path / "relu-course"
    shutil.copytree(ROOT / "relu_course", project / "relu_course",
                    ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        if (ROOT / name).is_file():
            shutil.copy(ROOT / name, project / name)
    report = tmp_path / "report.json"
    result = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--dry-run", "--quiet", "--no-index",
         "--no-build-isolation", "--report", str(report), str(project)],
        capture_output=True, text=True, timeout=300, check=False,
    )
    assert result.returncode == 0, result.stderr
    planned = json.loads(report.read_text(encoding="utf-8"))["install"]
    installs = {item["metadata"]["name"].lower() for item in planned}
    # Every dependency, torch first, is already satisfied: pip installs the package alone.
    assert installs == {"relu-course"}, installs


@pytest.mark.parametrize("colab_torch", ["2.1.0", "2.5.1+cu121", "2.8.0+cu126", "2.13.0+cpu"])
def test_torch_requirement_is_a_lower_bound_that_colab_torch_satisfies(colab_torch: str) -> None:
    torch = next(Requirement(r) for r in pyproject()["project"]["dependencies"]
                 if Requirement(r).name == "torch")
    assert all(spec.operator == ">=" for spec in torch.specifier), torch
    assert torch.specifier.contains(colab_torch, prereleases=True)


def test_binder_environment_pins_what_the_build_environment_pins() -> None:
    binder, build = pins(ROOT / "binder" / "requirements.txt"), pins(ROOT / "requirements.txt")
    shared = set(binder) & set(build)
    assert {"numpy", "matplotlib", "scikit-learn", "tqdm"} <= shared, binder
    assert {name: binder[name] for name in shared} == {name: build[name] for name in shared}
    makefile_torch = re.search(r"torch==([\w.]+)", (ROOT / "Makefile").read_text()).group(1)
    assert binder["torch"] == f"{makefile_torch}+cpu", "Binder has no GPU: the CPU build"
    assert "download.pytorch.org/whl/cpu" in (ROOT / "binder" / "requirements.txt").read_text()


def test_binder_installs_the_package_from_its_checkout() -> None:
    post_build = ROOT / "binder" / "postBuild"
    assert post_build.stat().st_mode & 0o111, "binder/postBuild must be executable"
    assert re.search(r"pip install .*-e \.$", post_build.read_text(), re.MULTILINE)
    runtime = (ROOT / "binder" / "runtime.txt").read_text().strip()
    major_minor = re.fullmatch(r"python-(3\.\d+)", runtime).group(1)
    requires = pyproject()["project"]["requires-python"]
    assert Requirement(f"python{requires}").specifier.contains(f"{major_minor}.0"), runtime


def workflow(name: str) -> dict:
    loaded = yaml.safe_load((WORKFLOWS / name).read_text(encoding="utf-8"))
    loaded["on"] = loaded.pop(True, loaded.get("on"))  # YAML 1.1 reads the key `on` as True
    return loaded


def test_test_workflow_runs_make_test_on_pushes_and_pull_requests() -> None:
    flow = workflow("test.yml")
    assert {"push", "pull_request"} <= set(flow["on"])
    assert flow["permissions"] == {"contents": "read"}
    steps = [s.get("run", "") for job in flow["jobs"].values() for s in job["steps"]]
    assert ".ci/run" in steps, steps
    assert "make test" in (ROOT / ".ci" / "run").read_text()


def test_publish_workflow_deploys_the_built_book_from_main_with_least_privilege() -> None:
    flow = workflow("publish.yml")
    assert flow["on"]["push"]["branches"] == ["main"]
    assert flow["permissions"] == {"contents": "read"}
    build, deploy = flow["jobs"]["build"], flow["jobs"]["deploy"]
    assert "permissions" not in build
    assert any(s.get("run") == "make book" for s in build["steps"])
    upload = next(s for s in build["steps"] if "upload-pages-artifact" in s.get("uses", ""))
    assert upload["with"]["path"] == "_build/html"
    assert deploy["permissions"] == {"pages": "write", "id-token": "write"}
    assert deploy["needs"] == "build"
    assert any("actions/deploy-pages" in s.get("uses", "") for s in deploy["steps"])
