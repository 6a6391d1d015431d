#!/usr/bin/env bash
# The GPU check of issue 8: on a machine with a CUDA GPU, run the unit tests on CUDA, every
# notebook under nbval-lax on CUDA, and the benchmark table on the GPU; a few minutes in all.
#
#   bash benchmarks/gpu_check.sh [OUTPUT]      (default OUTPUT: _build/gpu_check.txt)
#
# Then copy the card, the date and the table from OUTPUT into benchmarks/RESULTS.md.
set -euo pipefail

cd "$(dirname "$0")/.."
OUT="${1:-_build/gpu_check.txt}"
PY="${PYTHON:-.venv/bin/python}"
[ -x "$PY" ] || PY=python3

if ! command -v nvidia-smi >/dev/null 2>&1; then
  echo "gpu_check: nvidia-smi not found: this check needs a machine with an NVIDIA GPU" >&2
  exit 2
fi
if ! "$PY" -c 'import sys, torch; sys.exit(0 if torch.cuda.is_available() else 1)'; then
  echo "gpu_check: torch.cuda.is_available() is False: install a CUDA build of torch" >&2
  exit 2
fi

# Everything below runs on the GPU: get_device() obeys this variable.
export RELU_COURSE_DEVICE=cuda
export PYTHONUNBUFFERED=1
mkdir -p "$(dirname "$OUT")"
: > "$OUT"
status=0

section() { printf '\n==== %s (%s)\n' "$1" "$(date -u +%H:%M:%S)" | tee -a "$OUT"; }

section "machine"
{
  date -u +"%Y-%m-%d %H:%M UTC"
  nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader
  "$PY" -c 'import torch; print("torch", torch.__version__, "CUDA", torch.version.cuda)'
  "$PY" -c 'import triton; print("triton", triton.__version__)' 2>/dev/null \
    || echo "triton: not installed (torch.compile falls back to eager)"
} 2>&1 | tee -a "$OUT"

# Each step's failure is recorded, and the next step still runs.
section "unit tests (CPU and CUDA variants)"
timeout 300 "$PY" -m pytest tests -q -p no:cacheprovider \
  --ignore=tests/test_site.py 2>&1 | tail -n 25 | tee -a "$OUT" || status=1

section "notebooks under nbval-lax on CUDA"
timeout 300 "$PY" -m pytest book --nbval-lax --nbval-current-env -q -p no:cacheprovider \
  2>&1 | tail -n 25 | tee -a "$OUT" || status=1

# The bench exits with 3 when a target is missed: a result shown in its table, not a failure.
bench() { timeout 240 "$PY" benchmarks/bench.py --device cuda "$@" 2>&1 | tee -a "$OUT" \
          || { rc=$?; [ "$rc" -eq 3 ] || status=1; }; }

section "benchmark on the GPU: 2^22 elements, fit, fused Linear+ReLU"
bench --only activations,fit,fused --json "${OUT%.txt}.json"
section "benchmark on the GPU: activations on 2^26 elements (the 80% bandwidth target)"
bench --only activations --log2-size 26

section "done: exit status $status; output in $OUT"
exit "$status"
