#!/bin/bash
# One prepared GPU session: what the machine is, the GPU tests, then the bench at the default
# sizes (launch-bound on a big GPU) and at --size large (bandwidth-bound). Every step has its own
# time limit so a hang in one still leaves the others' results. Results land in $OUT (default
# /tmp/jaxish-gpu); copy the JSON into bench/results/ afterwards.
#   usage: OUT=dir bash bench/gpu_session.sh [steps]   steps: any of env tests default large (all)
set -u
OUT=${OUT:-/tmp/jaxish-gpu}
mkdir -p "$OUT"
export PYTHONPATH=$PWD PYTHONUNBUFFERED=1 XLA_PYTHON_CLIENT_PREALLOCATE=false
export JAXISH_CACHE_DIR=${JAXISH_CACHE_DIR:-/tmp/jaxish-gpu-cache} TRITON_CACHE_DIR=${TRITON_CACHE_DIR:-/tmp/jaxish-gpu-triton}
PY=${PY:-python3}
STEPS=${*:-env tests default large}
T_TESTS=${T_TESTS:-180} T_DEFAULT=${T_DEFAULT:-200} T_LARGE=${T_LARGE:-150}
start=$(date +%s)
stamp() { echo "== $1 at +$(( $(date +%s) - start )) s"; }

for step in $STEPS; do
  case $step in
    env)
      stamp env
      { nvidia-smi --query-gpu=name,memory.total,driver_version,clocks.max.sm --format=csv
        $PY -c "import torch, triton; print('torch', torch.__version__, 'triton', triton.__version__, torch.cuda.get_device_name())"
        $PY -c "import jax; print('jax', jax.__version__, jax.devices())" 2>&1 | tail -1
        nproc; } 2>&1 | tee "$OUT/env.txt" ;;
    tests)
      stamp tests
      timeout "$T_TESTS" $PY -m pytest -q -m gpu tests/test_gpu.py -rfE --durations=8 2>&1 | tee "$OUT/gpu_tests.log" ;;
    default)
      stamp "bench default"
      timeout "$T_DEFAULT" $PY -m bench --device cuda --budget 0.3 --json "$OUT/bench-default.json" 2>&1 | tee "$OUT/bench-default.log" ;;
    large)
      stamp "bench large"
      timeout "$T_LARGE" $PY -m bench --device cuda --size large --only gelu,softmax,layernorm,adam,sumsq \
        --budget 0.3 --json "$OUT/bench-large.json" --no-png 2>&1 | tee "$OUT/bench-large.log" ;;
  esac
done
stamp done
