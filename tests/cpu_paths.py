"""Run a command as it would run on another kind of x86-64 CPU, simulated on this one.

PyTorch and MKL pick a code path by the CPU's vector unit (AVX-512, AVX2, none), and the
paths round differently in the last digits. Their own environment variables make one machine
take another's path. `make test` runs nbval on every lab under each of these, so a stored
output that only one kind of CPU reproduces fails here and not on a learner's machine.

The course never sets these itself: learners run the notebooks as they are, on the fastest
path their CPU has. Only this test harness does.

Usage: python tests/cpu_paths.py NAME -- COMMAND [ARG ...]   (NAME: one of CONFIGS)
"""

from __future__ import annotations

import os
import sys

CONFIGS = {
    "native": {},
    "avx2": {"ATEN_CPU_CAPABILITY": "avx2", "MKL_CBWR": "AVX2", "ONEDNN_MAX_CPU_ISA": "AVX2"},
    "no-vector": {"ATEN_CPU_CAPABILITY": "default", "MKL_CBWR": "COMPATIBLE",
                  "ONEDNN_MAX_CPU_ISA": "SSE41"},
}


def main(argv: list[str]) -> int:
    if len(argv) < 3 or argv[1] != "--" or argv[0] not in CONFIGS:
        sys.stderr.write(f"usage: cpu_paths.py {{{','.join(CONFIGS)}}} -- COMMAND [ARG ...]\n")
        return 2
    env = {**os.environ, **CONFIGS[argv[0]]}
    os.execvpe(argv[2], argv[2:], env)
    return 0  # not reached


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
