"""Where a workload's time goes on a GPU: per call, the wall time (synchronized), the host time
(issuing the call without waiting: dispatch, launches, allocation) and, from torch.profiler,
the device time per kernel, for jaxish-jit-triton next to torch.compile (or any systems).

    python -m bench.gpu_profile --device cuda --only perex_vmap,block_step,mlp_step
    python -m bench.gpu_profile --device cpu --size tiny --systems jaxish-jit-triton   # a dry run

Prints tables only; nothing is asserted. Kept short for a time-limited GPU session."""
import argparse
import statistics
import time

from . import systems as S
from .workloads import WORKLOADS


def _median_us(fn, reps):
    ts = []
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        ts.append(time.perf_counter() - t0)
    return statistics.median(ts) * 1e6


def profile_one(system, workload, size, reps, rows):
    import torch
    inputs = workload.inputs(size)
    with system.context():
        call = system.prepare(workload, size, inputs)
        for _ in range(3):
            system.block(call())
        wall = _median_us(lambda: system.block(call()), reps)
        system.block(call())
        t0 = time.perf_counter()
        outs = [call() for _ in range(reps)]
        host = (time.perf_counter() - t0) / reps * 1e6
        system.block(outs[-1])
        del outs
        print(f"\n## {workload.name} / {system.name}: wall {wall:.1f} us per call (synchronized, "
              f"median of {reps}); host {host:.1f} us per call issued back to back")
        acts = [torch.profiler.ProfilerActivity.CPU]
        if system.device != "cpu":
            acts.append(torch.profiler.ProfilerActivity.CUDA)
        try:
            with torch.profiler.profile(activities=acts) as prof:
                for _ in range(10):
                    system.block(call())
            key = "self_cuda_time_total" if system.device != "cpu" else "self_cpu_time_total"
            print("(10 calls)")
            print(prof.key_averages().table(sort_by=key, row_limit=rows, max_name_column_width=70))
        except Exception as e:  # noqa: BLE001 - a profiler that cannot start still leaves the times
            print(f"profiler failed: {S.short_error(e)}")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--device", default="cuda")
    ap.add_argument("--size", default="default")
    ap.add_argument("--only", default="perex_vmap,block_step,mlp_step")
    ap.add_argument("--systems", default="jaxish-jit-triton,torch.compile")
    ap.add_argument("--reps", type=int, default=30)
    ap.add_argument("--rows", type=int, default=22)
    a = ap.parse_args(argv)
    wanted = a.only.split(",")
    loads = [w for w in WORKLOADS if w.name in wanted]
    for name in a.systems.split(","):
        system = S.make(name, a.device)
        if system.error:
            print(f"{name}: {system.error}")
            continue
        for w in loads:
            if system.not_applicable(w):
                continue
            try:
                profile_one(system, w, a.size, a.reps, a.rows)
            except Exception as e:  # noqa: BLE001 - one failing row leaves the others
                print(f"\n## {w.name} / {name}: failed: {S.short_error(e)}")


if __name__ == "__main__":
    main()
