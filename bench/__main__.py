"""`python -m bench`: jaxish against PyTorch (eager, torch.compile) and, when importable, jax.

Prints a table (median time and speed-up over torch eager per workload and system), writes
JSON to bench/results/<device>-<date>.json and a PNG bar chart beside it.
"""
import argparse
import os
import sys


def parse_args(argv=None):
    p = argparse.ArgumentParser(prog="python -m bench", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--all", action="store_true", help="every workload, not only the default subset")
    p.add_argument("--device", default="cpu", help="cpu (default) or cuda")
    p.add_argument("--only", help="comma list of workloads (see --list)")
    p.add_argument("--systems", help="comma list of systems or prefixes, e.g. torch,jaxish-jit (see --list)")
    p.add_argument("--size", default="default", choices=["default", "tiny", "large"],
                   help="tiny: small problems and few reps (for tests); large: 8-16x the memory-bound "
                        "rows (GPU bandwidth, where the default sizes measure launch latency)")
    p.add_argument("--threads", type=int, help="CPU threads (default: the core count)")
    p.add_argument("--budget", type=float, help="seconds of timed calls per workload and system")
    p.add_argument("--json", dest="json_path", help="where to write the JSON results")
    p.add_argument("--no-png", action="store_true", help="skip the PNG chart")
    p.add_argument("--jax-python", default=os.environ.get("BENCH_JAX_PYTHON"),
                   help="an interpreter with jax installed, for a jax column when this one has no jax "
                        "(env BENCH_JAX_PYTHON)")
    p.add_argument("--list", action="store_true", help="list workloads and systems, then exit")
    return p.parse_args(argv)


def split(text):
    return [t.strip() for t in text.split(",") if t.strip()] if text else None


def main(argv=None):
    args = parse_args(argv)
    if args.threads:
        # before torch (and any OpenMP runtime) loads; bound the process's CPUs for the rest
        os.environ["OMP_NUM_THREADS"] = str(args.threads)
        if args.threads < (os.cpu_count() or 1):
            os.sched_setaffinity(0, range(args.threads))
    from . import harness, systems
    from .workloads import WORKLOADS

    if args.list:
        for w in WORKLOADS:
            print(f"{w.name:12} {'default' if w.default else '--all  '}  {w.title}")
        print("systems:", ", ".join(systems.all_names(args.device, args.jax_python)))
        return 0
    opts = harness.Options(device=args.device, size=args.size, only=split(args.only),
                           systems=split(args.systems), everything=args.all, threads=args.threads,
                           budget_s=args.budget, json_path=args.json_path, png=not args.no_png,
                           jax_python=args.jax_python)
    try:
        harness.run(opts)
    except ValueError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
