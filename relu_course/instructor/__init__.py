"""Instructor tools: ``relu-course assign`` and ``relu-course grade``, glue around nbgrader.

nbgrader (``pip install "relu-course[instructor]"``) keeps the rubric in its gradebook,
clears the solutions from the student versions, restores checker cells from the
instructor's source, grades, and writes feedback. This package adds what a grade needs
beyond that:

- :mod:`~relu_course.instructor.cli`: the ``relu-course`` command;
- :mod:`~relu_course.instructor.course`: the course folder made from the labs (``assign``);
- :mod:`~relu_course.instructor.submissions`: submissions read without trusting them;
- :mod:`~relu_course.instructor.grading`: one sandboxed process per submission;
- :mod:`~relu_course.instructor.worker`: nbgrader's autograder, in that process;
- :mod:`~relu_course.instructor.preprocessors`, :mod:`~relu_course.instructor.execute`:
  the steps added to nbgrader's autograder;
- :mod:`~relu_course.instructor.kernel`, :mod:`~relu_course.instructor.seal`,
  :mod:`~relu_course.instructor.landlock`: the grading kernel, which binds the checkers
  before a submission runs and cannot write outside its sandbox.

Learners never import this package; the checkers they run live in :mod:`relu_course.checks`.
"""
