#!/bin/bash
# One prepared GPU session: what the machine is, the GPU tests, a cold and a warm first call,
# then the bench at the default sizes (launch-bound on a big GPU), at --size large
# (bandwidth-bound) and the transformer-block and per-example-gradient rows. Every step has its
# own time limit, so a hang in one still leaves the others' results. All output goes to
# $OUT/session.log (default OUT=/tmp/jaxish-gpu), the tables also to JSON beside it: at most six
# files, inside the device tool's limit of eight. Copy the JSON into bench/results/ afterwards.
# If the GPU tests fail, they run again with Triton's own launch path (JAXISH_TRITON_DIRECT=0);
# when that passes, the benches use it too, and the log says so.
#   usage: OUT=dir bash bench/gpu_session.sh [steps]
#   steps: any of env tests first default large extra (default: all, in that order)
#   limits (s): T_TESTS=180 T_DEFAULT=200 T_LARGE=240 T_EXTRA=90
set -u
OUT=${OUT:-/tmp/jaxish-gpu}
mkdir -p "$OUT"
LOG="$OUT/session.log"
export PYTHONPATH=$PWD PYTHONUNBUFFERED=1 XLA_PYTHON_CLIENT_PREALLOCATE=false
export JAXISH_CACHE_DIR=${JAXISH_CACHE_DIR:-/tmp/jaxish-gpu-cache} TRITON_CACHE_DIR=${TRITON_CACHE_DIR:-/tmp/jaxish-gpu-triton}
PY=${PY:-python3}
STEPS=${*:-env tests first default large extra}
T_TESTS=${T_TESTS:-180} T_DEFAULT=${T_DEFAULT:-200} T_LARGE=${T_LARGE:-240} T_EXTRA=${T_EXTRA:-90}
start=$(date +%s)
stamp() { echo "== $1 at +$(( $(date +%s) - start )) s" | tee -a "$LOG"; }

for step in $STEPS; do
  case $step in
    env)
      stamp env
      { nvidia-smi --query-gpu=name,memory.total,driver_version,clocks.max.sm --format=csv
        $PY -c "import torch, triton; print('torch', torch.__version__, 'triton', triton.__version__, torch.cuda.get_device_name())"
        $PY -c "import jax; print('jax', jax.__version__, jax.devices())" 2>&1 | tail -1
        nproc; } 2>&1 | tee -a "$LOG" ;;
    tests)
      stamp tests
      set -o pipefail
      if ! timeout "$T_TESTS" $PY -m pytest -q -m gpu tests/test_gpu.py -rfE --durations=8 2>&1 | tee -a "$LOG"; then
        stamp "tests again with JAXISH_TRITON_DIRECT=0"
        if JAXISH_TRITON_DIRECT=0 timeout "$T_TESTS" $PY -m pytest -q -m gpu tests/test_gpu.py -rfE 2>&1 | tee -a "$LOG"; then
          export JAXISH_TRITON_DIRECT=0; echo "benches run with JAXISH_TRITON_DIRECT=0" | tee -a "$LOG"
        fi
      fi
      set +o pipefail ;;
    first)
      stamp "first call, cold then warm (triton)"
      { rm -rf "$JAXISH_CACHE_DIR" "$TRITON_CACHE_DIR"
        timeout 60 $PY -m bench.first_call --device cuda --backend triton
        timeout 60 $PY -m bench.first_call --device cuda --backend triton --profile 40
        timeout 60 $PY -m bench.first_call --device cuda --backend eager; } 2>&1 | tee "$OUT/first_call.txt" | grep -v "^ " | tee -a "$LOG" ;;
    default)
      stamp "bench default"
      timeout "$T_DEFAULT" $PY -m bench --device cuda --budget 0.3 --json "$OUT/bench-default.json" 2>&1 \
        | grep -v "^\[" | tee -a "$LOG" ;;
    large)
      stamp "bench large"
      timeout "$T_LARGE" $PY -m bench --device cuda --size large --only gelu,softmax,layernorm,adam,sumsq \
        --systems torch,torch.compile,jaxish-jit,jax \
        --budget 0.3 --json "$OUT/bench-large.json" --no-png 2>&1 | grep -v "^\[" | tee -a "$LOG" ;;
    extra)
      stamp "bench extra rows"
      timeout "$T_EXTRA" $PY -m bench --device cuda --all --only block_step,perex_vmap \
        --systems torch,torch.compile,jaxish-jit,jax \
        --budget 0.3 --json "$OUT/bench-extra.json" --no-png 2>&1 | grep -v "^\[" | tee -a "$LOG" ;;
  esac
done
stamp done
