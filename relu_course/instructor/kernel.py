"""The grading kernel: an IPython kernel that binds the checkers before the submission runs.

Started by the grader (never by hand) as
``python -I -m relu_course.instructor.kernel KEY_FILE -f CONNECTION_FILE``, in a process
whose environment the grader scrubbed (a fresh ``HOME``, ``IPYTHONDIR`` and ``TMPDIR`` in
the folder ``$RELU_COURSE_SANDBOX``). Before the kernel answers its first request it

1. reads the check key from ``KEY_FILE`` and deletes the file;
2. offers itself first to the out-of-memory killer, so a greedy submission dies, not the
   grader;
3. restricts itself with Linux Landlock (:mod:`relu_course.instructor.landlock`): it may
   write only in the sandbox and its working folder, and signal no process outside;
4. imports :mod:`relu_course.checks` and installs the checker runner
   (:mod:`relu_course.instructor.seal`) as the builtin ``__relu_course_check__``.

Then it runs ``ipykernel`` in the same process.
"""

from __future__ import annotations

import builtins
import os
import sys


def _prepare(key_file: str) -> str:
    """Steps 1 to 4; returns why Landlock is not in force ("" when it is)."""
    with open(key_file, "rb") as f:
        key = f.read()
    os.remove(key_file)
    try:
        with open("/proc/self/oom_score_adj", "w") as f:
            f.write("1000")
    except OSError:
        pass  # not Linux: nothing to adjust
    sandbox = os.environ["RELU_COURSE_SANDBOX"]
    from relu_course.instructor import landlock

    why_not = landlock.restrict([sandbox, os.getcwd(), "/dev/shm"])
    import relu_course.checks  # noqa: F401  (binds every checker and what it uses)
    from relu_course.instructor import seal

    setattr(builtins, seal.RUNNER, seal.make_runner(key, seal.Snapshot()))
    return why_not


def main() -> None:
    """Prepare the process, then hand over to ``ipykernel`` with the remaining arguments."""
    key_file, *rest = sys.argv[1:]
    why_not = _prepare(key_file)
    if why_not:  # the grader reports this once per batch; the kernel's stderr is its log
        print(f"relu-course grading kernel: no write sandbox: {why_not}", file=sys.stderr)
    from ipykernel import kernelapp

    sys.argv = ["ipykernel_launcher", *rest]
    kernelapp.launch_new_instance()


if __name__ == "__main__":
    main()
