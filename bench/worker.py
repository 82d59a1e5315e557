"""Runs one request of the harness in a fresh process: `python -m bench.worker REQUEST.json`.

Two tasks:
- "first_call": time the first call of a jitted workload (trace + compile + run) in a new
  process, with the system's on-disk cache pointed at the request's cache_dir. Run twice
  on the same directory, it gives the cold and the warm compile time.
- "measure": the harness's `measure` for several workloads, for a system that lives in
  another interpreter (real jax installed without torch).
The answer is one line on stdout: BENCH_RESULT {json}.
"""
import json
import os
import sys
import time

import numpy as np

from . import harness, systems
from .workloads import BY_NAME


def load_ref(path):
    if not path or not os.path.exists(path):
        return None
    with np.load(path) as z:
        return [z[f"arr_{i}"] for i in range(len(z.files))]


def set_threads(threads):
    try:
        import torch
    except ImportError:
        return
    torch.set_num_threads(threads)


def enable_jax_cache(system, cache_dir):
    """Real jax keeps compiled programs on disk only when asked; ask for everything."""
    if getattr(system, "module_name", None) != "jax":
        return
    cfg = system.jax.config
    cfg.update("jax_compilation_cache_dir", os.path.join(cache_dir, "jax"))
    for flag, value in (("jax_persistent_cache_min_compile_time_secs", 0.0),
                        ("jax_persistent_cache_min_entry_size_bytes", 0)):
        try:
            cfg.update(flag, value)
        except AttributeError:
            pass


def first_call(req):
    system = systems.make(req["system"], req["device"])
    if system.error:
        return {"status": "error", "message": system.error}
    enable_jax_cache(system, req["cache_dir"])
    w = BY_NAME[req["workload"]]
    inputs = w.inputs(req["size"])
    try:
        with system.context():
            call = system.prepare(w, req["size"], inputs)
            t0 = time.perf_counter_ns()
            out = system.block(call())
            seconds = (time.perf_counter_ns() - t0) / 1e9
            got = system.to_numpy(out)
    except Exception as e:  # noqa: BLE001
        return harness.error_record(e)
    ref = load_ref(req.get("ref"))
    if ref is None:
        return {"status": "ok", "first_call_s": seconds}
    ok, max_err, why = harness.compare(got, ref, w.rtol, w.atol)
    if not ok:
        return {"status": "wrong", "max_err": max_err, "message": why}
    return {"status": "ok", "first_call_s": seconds, "max_err": max_err}


def measure_many(req):
    system = systems.make(req["system"], req["device"])
    records = {}
    for name in req["workloads"]:
        w = BY_NAME[name]
        inputs = w.inputs(req["size"])
        ref = load_ref(os.path.join(req["ref_dir"], f"{name}.npz"))
        records[name] = harness.measure(system, w, req["size"], inputs, ref, req["timing"])
        print(f"{name}: {records[name]['status']}", file=sys.stderr, flush=True)
    return {"status": "ok", "records": records,
            "versions": {"jax": harness._version("jax"), "jaxlib": harness._version("jaxlib")}}


def main(argv):
    with open(argv[1]) as f:
        req = json.load(f)
    set_threads(req["threads"])
    task = {"first_call": first_call, "measure": measure_many}[req["task"]]
    answer = task(req)
    print(harness.RESULT_MARK + json.dumps(harness._jsonable(answer)), flush=True)


if __name__ == "__main__":
    main(sys.argv)
