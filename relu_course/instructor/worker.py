"""One submission's autograde and feedback, in a process of its own (started by the grader).

``python -I -m relu_course.instructor.worker`` reads a JSON job on stdin (the course, the
assignment, the student, the check key, the limits), runs nbgrader's autograder with the
grader's preprocessors and then nbgrader's feedback, and writes what happened to the job's
``notes`` file. It makes itself the reaper of its descendants and kills them all at the end,
so nothing a submission started outlives its grading. The grader runs it in a new session
with a scrubbed environment, so a submission that kills it stops its own grading only.
"""

from __future__ import annotations

import ctypes
import json
import os
import signal
import sys
from pathlib import Path
from typing import Any

from traitlets.config import Config

KERNEL_NAME = "relu-course-grader"
_PR_SET_CHILD_SUBREAPER = 36


def course_config(course: Path) -> Config:
    """The course's ``nbgrader_config.py`` (when there is one), rooted at ``course``."""
    from traitlets.config.loader import PyFileConfigLoader

    config = Config()
    if (course / "nbgrader_config.py").is_file():
        config = PyFileConfigLoader("nbgrader_config.py", path=str(course)).load_config()
    config.CourseDirectory.root = str(course)
    return config


def grading_config(job: dict[str, Any]) -> Config:
    """The course's configuration with the grader's steps and limits on top."""
    from nbconvert.preprocessors import ClearMetadataPreprocessor
    from nbgrader import preprocessors as nbp

    from relu_course.instructor import preprocessors as ours
    from relu_course.instructor.execute import SandboxExecute

    c = course_config(Path(job["course"]))
    c.Autograde.sanitize_preprocessors = [
        nbp.ClearOutput, ours.ResetRubric, nbp.OverwriteKernelspec,
        nbp.OverwriteCells, ours.RestoreCheckers, nbp.CheckCellMetadata,
    ]
    c.Autograde.autograde_preprocessors = [
        ours.SealCheckers, SandboxExecute, ours.ConfirmCheckers, nbp.IgnorePattern,
        ClearMetadataPreprocessor, nbp.LimitOutput, nbp.SaveAutoGrades,
        nbp.AssignLatePenalties, nbp.CheckCellMetadata,
    ]
    c.Autograde.exclude_overwriting = {}
    c.OverwriteCells.add_missing_cells = False  # RestoreCheckers does it, for every case
    for name in ("ResetRubric", "RestoreCheckers", "SealCheckers", "ConfirmCheckers"):
        c[name].notes = job["notes"]
    c.ConfirmCheckers.key = job["key"]
    c.SandboxExecute.kernel_name = KERNEL_NAME
    c.SandboxExecute.timeout = int(job["timeout"])
    c.SandboxExecute.budget = float(job["budget"])
    c.SandboxExecute.max_output_bytes = int(job["max_output_bytes"])
    c.SandboxExecute.extra_arguments = ["--HistoryManager.hist_file=:memory:"]
    c.SandboxExecute.allow_errors = True
    c.SandboxExecute.interrupt_on_timeout = True
    c.SandboxExecute.startup_timeout = 120
    c.LimitOutput.max_lines = 1000
    c.LimitOutput.max_traceback = 100
    return c


def run_nbgrader(converter: type, config: Config, assignment: str, student: str = "") -> dict:
    """Run one of nbgrader's converters as its command would, without nbgrader's API object
    (which also sets up the exchange); returns ``{"success", "log", "error"}``."""
    from nbgrader.coursedir import CourseDirectory
    from nbgrader.utils import capture_log

    coursedir = CourseDirectory(config=config)
    coursedir.assignment_id = assignment
    if student:
        coursedir.student_id = student
    app = converter(coursedir=coursedir, config=config)
    app.force = True
    if hasattr(app, "create_student"):
        app.create_student = True
    if hasattr(app, "create_assignment"):
        app.create_assignment = True
    return capture_log(app)


def _kill_descendants() -> None:
    """SIGKILL every process below this one (orphans are re-parented here), then reap."""
    me = os.getpid()
    while True:
        parents = {}
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                try:
                    stat = Path(f"/proc/{entry}/stat").read_text()
                except OSError:
                    continue
                parents[int(entry)] = int(stat.rsplit(")", 1)[1].split()[1])
        below = {pid for pid, parent in parents.items() if parent == me}
        if not below:
            return
        for pid in below:
            try:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
            except (ProcessLookupError, ChildProcessError):
                pass


def main() -> None:
    """Run the job read from stdin; what happened goes to its notes file."""
    job = json.loads(sys.stdin.read())
    try:
        ctypes.CDLL(None).prctl(_PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
    except (OSError, AttributeError):
        pass  # not Linux: descendants are reaped by init
    from nbgrader.converters import Autograde, GenerateFeedback

    config = grading_config(job)
    result = run_nbgrader(Autograde, config, job["assignment"], job["student"])
    _kill_descendants()
    record: dict[str, Any] = {"kind": "autograde", "success": bool(result["success"])}
    if not result["success"]:
        log = (result.get("log") or "").splitlines()
        errors = [line.removeprefix("[ERROR] ") for line in log if line.startswith("[ERROR]")]
        lines = (result.get("error") or "").strip().splitlines()
        record["error"] = (errors or lines[-1:] or ["nbgrader's autograder failed"])[0]
    else:
        config.HTMLExporter.template_name = "feedback"
        feedback = run_nbgrader(GenerateFeedback, config, job["assignment"], job["student"])
        record["feedback"] = bool(feedback["success"])
    with open(job["notes"], "a", encoding="utf-8") as f:
        f.write(json.dumps(record) + "\n")


if __name__ == "__main__":
    main()
