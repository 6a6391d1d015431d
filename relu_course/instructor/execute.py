"""nbgrader's ``Execute`` step with a time budget, a dead-kernel policy and capped outputs.

:class:`SandboxExecute` runs a sanitized submission as nbgrader's ``Execute`` does, cell by
cell, with these additions:

- **per-cell timeout** (nbgrader's ``timeout``): the cell is interrupted and fails with
  ``CellTimeoutError``; when the kernel does not answer within 5 s after the interrupt,
  the cells after it fail with that reason and are not run;
- **per-notebook budget** (``budget`` seconds): no cell may run past it, and the cells
  after it fail with "not run: the notebook's time budget ... was spent";
- **kernel death** (a crash, ``os._exit``, the out-of-memory killer): the cell fails with
  "the kernel died", the cells after it are not run, and the checks that passed before keep
  their points;
- **outputs** beyond ``max_output_bytes`` per cell are dropped, with one line saying so.
"""

from __future__ import annotations

import queue
import time
from typing import Any

from jupyter_core.utils import run_sync
from nbclient.exceptions import DeadKernelError
from nbformat.notebooknode import NotebookNode, from_dict
from nbgrader.preprocessors import Execute
from traitlets import Float, Integer

from relu_course.instructor import seal

_PROBE_SECONDS = 5.0


def _error(ename: str, evalue: str) -> NotebookNode:
    return from_dict({"output_type": "error", "ename": ename, "evalue": evalue,
                      "traceback": [f"{ename}: {evalue}"]})


class SandboxExecute(Execute):
    """nbgrader's ``Execute`` with a budget per notebook and a policy for dead kernels."""

    budget = Float(600.0, help="seconds the whole notebook may run").tag(config=True)
    max_output_bytes = Integer(100_000, help="bytes of output kept per cell").tag(config=True)

    def preprocess(self, nb: NotebookNode, resources: Any = None, km: Any = None) -> Any:
        self._deadline = time.monotonic() + self.budget
        self._stopped = ""
        self._cell_timeout = self.timeout
        return super().preprocess(nb, resources, km)

    def preprocess_cell(self, cell: NotebookNode, resources: Any, index: int) -> Any:
        if cell.cell_type != "code":
            return cell, resources
        left = self._deadline - time.monotonic()
        if not self._stopped and left < 1:
            self._stopped = f"the notebook's time budget of {self.budget:g} s was spent"
        if self._stopped:
            cell.outputs = [_error("NotRun", f"not run: {self._stopped}")]
            return cell, resources
        self.timeout = max(1, int(min(self._cell_timeout, left)))
        self._output_bytes = 0
        try:
            cell, resources = super().preprocess_cell(cell, resources, index)
        except DeadKernelError:
            self._stopped = f"the kernel died while running cell {index}"
            cell.outputs.append(_error("DeadKernelError", "the kernel died while running "
                                       "this cell (a crash, os._exit, or out of memory)"))
            return cell, resources
        for i, output in enumerate(cell.outputs):
            if output.get("ename") == "CellTimeoutError":
                limit = f"{self.timeout} s" if self.timeout == self._cell_timeout else (
                    "the notebook's time budget")
                cell.outputs[i] = _error("CellTimeoutError", f"the cell ran past {limit}")
                if not self._responds():
                    self._stopped = f"the kernel stopped responding after cell {index} timed out"
        return cell, resources

    def _responds(self) -> bool:
        """After an interrupt: True when the kernel answers an empty request in time."""
        msg_id = self.kc.execute("", silent=True, store_history=False)
        deadline = time.monotonic() + _PROBE_SECONDS
        while (left := deadline - time.monotonic()) > 0:
            try:
                reply = run_sync(self.kc.get_shell_msg)(timeout=left)
            except (queue.Empty, TimeoutError):
                return False
            if reply.get("parent_header", {}).get("msg_id") == msg_id:
                return True
        return False

    def output(self, outs: list, msg: dict, display_id: Any, cell_index: int) -> Any:
        """Keep outputs until the cell has ``max_output_bytes``; then one line says so."""
        content = msg.get("content", {})
        size = len(str(content))
        ours = seal.MIME in (content.get("data") or {})
        over = self._output_bytes + size > self.max_output_bytes
        if msg["msg_type"] != "error" and not ours and over:
            if self._output_bytes <= self.max_output_bytes:
                self._output_bytes = self.max_output_bytes + 1
                outs.append(from_dict({"output_type": "stream", "name": "stdout", "text":
                            f"[output past {self.max_output_bytes} bytes dropped by the "
                            "grader]\n"}))
            return None
        self._output_bytes += size
        return super().output(outs, msg, display_id, cell_index)
