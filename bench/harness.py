"""Timing, checking and reporting: the part of the benchmark that is not a workload or a system.

For each (workload, system): build the call, time its first call (compile included), check
its answer against torch eager (np.allclose with the workload's tolerances; a wrong answer
is not timed), warm up, then time calls one by one until a time budget or a rep cap is
reached, and keep median, p10, p90. Compile time is measured in fresh processes (see
bench/worker.py): a cold run on an empty on-disk cache, then a warm run on the filled one.

Only numpy is imported at the top, so bench.worker can use `measure` in an interpreter that
has jax but no torch.
"""
import datetime
import gc
import importlib
import importlib.metadata
import json
import math
import os
import platform
import re
import subprocess
import sys
import tempfile
import time
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

import numpy as np

from . import systems as systems_mod
from .workloads import MEMORY_BOUND, WORKLOADS

BENCH_DIR = Path(__file__).resolve().parent
REPO_ROOT = BENCH_DIR.parent
RESULTS_DIR = BENCH_DIR / "results"
COPY_BYTES = 64 << 20
RESULT_MARK = "BENCH_RESULT "


@dataclass
class Options:
    device: str = "cpu"
    size: str = "default"            # "default" or "tiny"
    only: Optional[list] = None      # workload names
    systems: Optional[list] = None   # system names or prefixes
    everything: bool = False         # --all: every workload, not just the default subset
    threads: Optional[int] = None
    budget_s: Optional[float] = None  # timing budget per (workload, system)
    json_path: Optional[str] = None
    png: bool = True
    jax_python: Optional[str] = None  # an interpreter with jax (and no torch) for the jax column
    progress: bool = True
    print_report: bool = True
    worker_timeout_s: float = 300.0

    def timing(self):
        if self.size == "tiny":
            return dict(budget_s=self.budget_s or 0.02, min_reps=3, max_reps=20, warmup=1)
        return dict(budget_s=self.budget_s or 0.5, min_reps=5, max_reps=5000, warmup=3)


# --- timing ---------------------------------------------------------------------------

def time_calls(call, block, budget_s, min_reps, max_reps):
    """Run `block(call())` repeatedly, timing each call alone; stop after `budget_s` (once
    `min_reps` are in) or at `max_reps`. The garbage collector is off while timing (a full
    collection runs between workloads: one costs ~0.2 s once torch is loaded)."""
    samples = []
    gc.collect(1)
    gc_was_on = gc.isenabled()
    gc.disable()
    try:
        deadline = time.perf_counter_ns() + int(budget_s * 1e9)
        while len(samples) < max_reps:
            t0 = time.perf_counter_ns()
            block(call())
            t1 = time.perf_counter_ns()
            samples.append(t1 - t0)
            if len(samples) >= min_reps and t1 >= deadline:
                break
    finally:
        if gc_was_on:
            gc.enable()
    return samples


def summarize(samples_ns):
    s = np.asarray(samples_ns, dtype=np.float64) / 1e9
    return dict(median_s=float(np.median(s)), p10_s=float(np.percentile(s, 10)),
                p90_s=float(np.percentile(s, 90)), mean_s=float(s.mean()), min_s=float(s.min()),
                reps=int(s.size))


# --- checking -------------------------------------------------------------------------

def compare(got, ref, rtol, atol):
    """(ok, max abs error, message) of outputs `got` against reference outputs `ref`."""
    if len(got) != len(ref):
        return False, math.inf, f"{len(got)} outputs, expected {len(ref)}"
    ok, worst = True, 0.0
    for i, (g, r) in enumerate(zip(got, ref)):
        g, r = np.asarray(g, dtype=np.float64), np.asarray(r, dtype=np.float64)
        if g.shape != r.shape:
            return False, math.inf, f"output {i}: shape {g.shape}, expected {r.shape}"
        if not np.allclose(g, r, rtol=rtol, atol=atol, equal_nan=True):
            ok = False
        if g.size:
            err = np.atleast_1d(np.abs(g - r))
            err[np.atleast_1d(np.isnan(g) & np.isnan(r))] = 0.0
            worst = max(worst, float(np.max(np.where(np.isnan(err), np.inf, err))))
    return ok, worst, ""


def error_record(exc):
    frames = traceback.extract_tb(exc.__traceback__)
    where = f"{_rel(frames[-1].filename)}:{frames[-1].lineno}" if frames else ""
    return {"status": "error", "message": systems_mod.short_error(exc), "where": where}


def _rel(path):
    try:
        return str(Path(path).resolve().relative_to(REPO_ROOT))
    except ValueError:
        return path


def measure(system, workload, size, inputs, ref, timing):
    """One table cell: a record with status "ok" (and timings), "wrong", "error" or "n/a"."""
    reason = system.not_applicable(workload)
    if reason:
        return {"status": "n/a", "message": reason}
    if system.error:
        return {"status": "error", "message": system.error}
    if ref is None:
        return {"status": "error", "message": "no torch eager reference"}
    try:
        with system.context():
            call = system.prepare(workload, size, inputs)
            t0 = time.perf_counter_ns()
            out = system.block(call())
            first_call_s = (time.perf_counter_ns() - t0) / 1e9
            ok, max_err, why = compare(system.to_numpy(out), ref, workload.rtol, workload.atol)
            del out
            if not ok:
                return {"status": "wrong", "max_err": max_err, "message": why, "first_call_s": first_call_s}
            warm_s, spent_s = first_call_s, 0.0
            for _ in range(timing["warmup"]):  # slow calls get fewer warm-ups and reps
                t0 = time.perf_counter_ns()
                system.block(call())
                warm_s = (time.perf_counter_ns() - t0) / 1e9
                spent_s += warm_s
                if spent_s > timing["budget_s"] / 2:
                    break
            min_reps = timing["min_reps"] if warm_s < timing["budget_s"] / 5 else 3
            samples = time_calls(call, system.block, timing["budget_s"], min_reps, timing["max_reps"])
    except Exception as e:  # noqa: BLE001 - an unfinished feature is a table cell, not a crash
        return error_record(e)
    return {"status": "ok", "max_err": max_err, "first_call_s": first_call_s, **summarize(samples)}


def reference(workload, size, inputs, device):
    """Torch eager's outputs as numpy arrays, or an error record."""
    torch_eager = systems_mod.make("torch", device)
    try:
        return torch_eager.to_numpy(torch_eager.block(torch_eager.prepare(workload, size, inputs)()))
    except Exception as e:  # noqa: BLE001
        return error_record(e)


# --- the machine ----------------------------------------------------------------------

def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _version(dist):
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return None


def setup_threads(threads):
    """Fix torch's intra-op thread count (the core count unless given); return it."""
    import torch
    threads = threads or os.cpu_count() or 1
    torch.set_num_threads(threads)
    return threads


def machine_info(device, threads, size):
    import torch
    gpu = torch.cuda.get_device_name() if device != "cpu" else None
    jaxish_version = _version("jaxish")
    if jaxish_version is None:
        try:
            jaxish_version = getattr(importlib.import_module("jaxish"), "__version__", "source tree")
        except Exception as e:  # noqa: BLE001
            jaxish_version = f"not importable ({type(e).__name__})"
    return {
        "date": datetime.datetime.now().isoformat(timespec="seconds"),
        "device": device,
        "device_slug": "cpu" if gpu is None else re.sub(r"[^a-z0-9]+", "-", gpu.lower()).strip("-"),
        "cpu": cpu_model(),
        "cores": os.cpu_count(),
        "gpu": gpu,
        "threads": threads,
        "size": size,
        "load_average": os.getloadavg()[0] if hasattr(os, "getloadavg") else None,
        "versions": {"python": platform.python_version(), "torch": torch.__version__,
                     "triton": _version("triton"), "numpy": np.__version__,
                     "jax": _version("jax"), "jaxlib": _version("jaxlib"), "jaxish": jaxish_version},
    }


def copy_bandwidth(device, timing, size="default"):
    """GB/s of torch `dst.copy_(src)` on 64 MB (1 GB at --size large), counting bytes read plus bytes written."""
    import torch
    n = (COPY_BYTES if timing["max_reps"] > 100 else COPY_BYTES // 64) // 4
    if size == "large":
        n *= 16
    src = torch.randn(n, device=device)
    dst = torch.empty_like(src)

    def block(out):
        if device != "cpu":
            torch.cuda.synchronize()
    for _ in range(timing["warmup"] + 1):
        block(dst.copy_(src))
    stats = summarize(time_calls(lambda: dst.copy_(src), block, timing["budget_s"], 5, 1000))
    return {"bytes": 2 * n * 4, "gbs": 2 * n * 4 / stats["median_s"] / 1e9, **stats}


# --- workers (other processes) --------------------------------------------------------

def run_worker(python, request, threads, extra_env=None, timeout_s=300.0):
    """Run bench.worker in `python` on a JSON request; its JSON answer, or an error record."""
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump(request, f)
    env = dict(os.environ, OMP_NUM_THREADS=str(threads), **(extra_env or {}))
    cpus = list(range(threads)) if threads < (os.cpu_count() or 1) else None
    try:
        proc = subprocess.run([python, "-m", "bench.worker", f.name], cwd=REPO_ROOT, env=env,
                              capture_output=True, text=True, timeout=timeout_s,
                              preexec_fn=(lambda: os.sched_setaffinity(0, cpus)) if cpus else None)
    except subprocess.TimeoutExpired:
        return {"status": "error", "message": f"worker timed out after {timeout_s:.0f} s"}
    finally:
        os.unlink(f.name)
    for line in proc.stdout.splitlines():
        if line.startswith(RESULT_MARK):
            return json.loads(line[len(RESULT_MARK):])
    tail = (proc.stderr.strip().splitlines() or [f"worker exited with {proc.returncode}"])[-1]
    return {"status": "error", "message": f"worker: {tail[:160]}"}


def compile_times(system, workload, opts, threads, ref_path):
    """Cold first call (empty on-disk cache) and warm first call (same cache, a new process)."""
    if system.error:
        return {"status": "error", "message": system.error}
    python = system.external_python or sys.executable
    request = {"task": "first_call", "system": system.name, "workload": workload.name,
               "size": opts.size, "device": opts.device, "threads": threads, "ref": ref_path}
    with tempfile.TemporaryDirectory(prefix="bench-cache-") as cache:
        request["cache_dir"] = cache
        env = system.cache_env(cache)
        cold = run_worker(python, request, threads, env, opts.worker_timeout_s)
        if cold.get("status") != "ok":
            return cold
        warm = run_worker(python, request, threads, env, opts.worker_timeout_s)
    record = {"status": "ok", "cold_s": cold["first_call_s"], "max_err": cold.get("max_err")}
    if warm.get("status") == "ok":
        record["warm_s"] = warm["first_call_s"]
        record["cache_effect"] = ("measurable" if warm["first_call_s"] < 0.8 * cold["first_call_s"]
                                  else "none measurable")
    else:
        record["warm_error"] = warm.get("message")
    return record


# --- the run --------------------------------------------------------------------------

class Progress:
    """A one-line progress bar on stderr (a line per step when stderr is not a terminal)."""

    def __init__(self, total, enabled):
        self.total, self.done, self.enabled = max(total, 1), 0, enabled
        self.tty = enabled and sys.stderr.isatty()
        self.t0 = time.perf_counter()

    def show(self, label):
        if not self.enabled:
            return
        filled = int(30 * self.done / self.total)
        text = f"[{'#' * filled}{'.' * (30 - filled)}] {self.done}/{self.total} {time.perf_counter() - self.t0:5.0f}s  {label}"
        if self.tty:
            sys.stderr.write("\r\033[K" + text[:150])
        else:
            sys.stderr.write(text + "\n")
        sys.stderr.flush()

    def advance(self, n=1):
        self.done += n

    def close(self):
        if self.tty:
            sys.stderr.write("\r\033[K")
            sys.stderr.flush()


def pick_workloads(opts):
    if opts.only:
        unknown = [n for n in opts.only if n not in {w.name for w in WORKLOADS}]
        if unknown:
            raise ValueError(f"unknown workload(s) {', '.join(unknown)}; known: "
                             f"{', '.join(w.name for w in WORKLOADS)}")
        return [w for w in WORKLOADS if w.name in opts.only]
    return [w for w in WORKLOADS if opts.everything or w.default]


def run(opts):
    """Run the benchmark described by `opts`; return the results dict (also written as JSON)."""
    threads = setup_threads(opts.threads)
    if opts.device != "cpu":
        import torch
        if not torch.cuda.is_available():
            raise ValueError(f"--device {opts.device}: this torch ({torch.__version__}) sees no GPU")
    names = systems_mod.select(systems_mod.all_names(opts.device, opts.jax_python), opts.systems)
    if "torch" not in names:
        names.insert(0, "torch")  # torch eager is the reference and the speed-up baseline
    systems = [systems_mod.make(n, opts.device, opts.jax_python) for n in names]
    workloads = pick_workloads(opts)
    timing = opts.timing()

    results = {"meta": machine_info(opts.device, threads, opts.size), "timing": timing,
               "systems": names, "workloads": {}, "notes": []}
    results["copy"] = copy_bandwidth(opts.device, timing, opts.size)
    external = [s for s in systems if s.external_python]
    in_process = [s for s in systems if not s.external_python]
    progress = Progress(len(workloads) * len(systems), opts.progress)

    with tempfile.TemporaryDirectory(prefix="bench-ref-") as ref_dir:
        for w in workloads:
            inputs = w.inputs(opts.size)
            ref = reference(w, opts.size, inputs, opts.device)
            entry = {"title": w.title, "kind": w.kind, "systems": {}}
            if w.min_bytes and w.name in MEMORY_BOUND:
                entry["min_bytes"] = w.min_bytes(**w.size(opts.size))
            results["workloads"][w.name] = entry
            if isinstance(ref, dict):  # torch eager itself failed: nothing to check against
                entry["systems"]["torch"] = ref
                ref = None
            ref_path = os.path.join(ref_dir, f"{w.name}.npz")
            if ref is not None:
                np.savez(ref_path, *ref)
            for s in in_process + (external if w.kind == "compile" else []):
                progress.show(f"{w.name} / {s.name}")
                if w.kind == "compile":
                    reason = s.not_applicable(w)
                    rec = ({"status": "n/a", "message": reason} if reason else
                           compile_times(s, w, opts, threads, ref_path) if ref is not None else
                           {"status": "error", "message": "no torch eager reference"})
                else:
                    rec = entry["systems"].get(s.name) or measure(s, w, opts.size, inputs, ref, timing)
                entry["systems"][s.name] = rec
                progress.advance()
            del inputs, ref
            gc.collect()

        for s in external:
            run_rows = [w for w in workloads if w.kind != "compile"]
            progress.show(f"{s.name} (external: {s.external_python}), {len(run_rows)} workloads")
            measure_external(s, run_rows, opts, threads, ref_dir, results)
            progress.advance(len(run_rows))
    progress.close()

    for entry in results["workloads"].values():
        add_derived(entry, results["copy"]["gbs"])
    write_outputs(results, opts)
    return results


def measure_external(system, workloads, opts, threads, ref_dir, results):
    """Time `system` in its own interpreter (bench.worker) and merge its records."""
    request = {"task": "measure", "system": system.name, "workloads": [w.name for w in workloads],
               "size": opts.size, "device": opts.device, "threads": threads,
               "timing": opts.timing(), "ref_dir": ref_dir}
    answer = run_worker(system.external_python, request, threads, timeout_s=opts.worker_timeout_s * 4)
    for w in workloads:
        rec = answer.get("records", {}).get(w.name) or {"status": "error", "message": answer.get("message", "?")}
        results["workloads"][w.name]["systems"][system.name] = rec
    if "versions" in answer:
        v = answer["versions"]
        results["meta"]["versions"].update(
            jax=f"{v.get('jax')} (external: {system.external_python})", jaxlib=v.get("jaxlib"))


def add_derived(entry, copy_gbs):
    """Speed-up over torch eager; for memory-bound rows, GB/s and share of copy bandwidth."""
    base = entry["systems"].get("torch", {})
    base_s = base.get("median_s") if base.get("status") == "ok" else None
    for rec in entry["systems"].values():
        if rec.get("status") != "ok" or "median_s" not in rec:
            continue
        if base_s:
            rec["speedup"] = base_s / rec["median_s"]
        if entry.get("min_bytes"):
            rec["gbs"] = entry["min_bytes"] / rec["median_s"] / 1e9
            rec["copy_share"] = rec["gbs"] / copy_gbs


# --- output ---------------------------------------------------------------------------

def default_json_path(meta):
    size = "" if meta["size"] == "default" else f"-{meta['size']}"
    return RESULTS_DIR / f"{meta['device_slug']}-{meta['date'][:10]}{size}.json"


def _jsonable(x):
    if isinstance(x, dict):
        return {k: _jsonable(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_jsonable(v) for v in x]
    if isinstance(x, float) and not math.isfinite(x):
        return str(x)
    return x


def write_outputs(results, opts):
    path = Path(opts.json_path) if opts.json_path else default_json_path(results["meta"])
    png_path = path.with_suffix(".png")
    if opts.png:
        note = write_png(results, png_path)
        results["png"] = str(png_path) if note is None else None
        if note:
            results["notes"].append(note)
    path.parent.mkdir(parents=True, exist_ok=True)
    results["json"] = str(path)
    path.write_text(json.dumps(_jsonable(results), indent=1) + "\n")
    if opts.print_report:
        print(report(results))


def fmt_time(s):
    for unit, scale in (("s", 1.0), ("ms", 1e-3), ("us", 1e-6)):
        if s >= scale:
            v = s / scale
            return f"{v:.3g} {unit}" if v < 100 else f"{v:.0f} {unit}"
    return f"{s * 1e9:.0f} ns"


CELL_WIDTH = 30


def cell(rec, show_speedup=True):
    status = rec.get("status")
    if status is None:
        return ""
    if status == "n/a":
        return "-"
    if status == "error":
        text = "error: " + rec.get("message", "")
        return text if len(text) <= CELL_WIDTH else text[:CELL_WIDTH - 3] + "..."
    if status == "wrong":
        return f"WRONG (max err {float(rec.get('max_err', math.inf)):.2g})"
    spread = (rec["p90_s"] - rec["p10_s"]) / 2 / rec["median_s"] * 100
    text = f"{fmt_time(rec['median_s'])} ±{spread:.0f}%"
    if show_speedup and "speedup" in rec:
        text += f" {rec['speedup']:.2f}x"
    return text


def compile_cell(rec, which):
    if rec.get("status") != "ok":
        return cell(rec)
    if which == "cold":
        return fmt_time(rec["cold_s"])
    if "warm_s" not in rec:
        return "error: " + (rec.get("warm_error") or "?")[:CELL_WIDTH - 7]
    return f"{fmt_time(rec['warm_s'])} ({rec['cache_effect'].split()[0]})"


def table(header, rows):
    widths = [max(len(str(r[i])) for r in [header] + rows) for i in range(len(header))]
    lines = ["  ".join(str(v).ljust(w) for v, w in zip(header, widths)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(str(v).ljust(w) for v, w in zip(r, widths)).rstrip() for r in rows]
    return "\n".join(lines)


def report(results):
    meta, names = results["meta"], results["systems"]
    v = meta["versions"]
    out = [f"jaxish bench  {meta['date']}  device={meta['device']}  size={meta['size']}",
           f"CPU: {meta['cpu']} ({meta['cores']} cores)" + (f"  GPU: {meta['gpu']}" if meta["gpu"] else "")
           + f"  threads: {meta['threads']}",
           "versions: " + "  ".join(f"{k} {v[k] or '-'}" for k in ("python", "torch", "triton", "numpy",
                                                                  "jax", "jaxish")),
           f"copy bandwidth (torch copy_ of {results['copy']['bytes'] // 2 >> 20} MB, read+write): "
           f"{results['copy']['gbs']:.1f} GB/s",
           "cells: median ±half the p10-p90 spread, speed-up over torch eager", ""]
    load = meta.get("load_average")
    if load is not None and load > 0.5 * (meta["cores"] or 1):
        out.insert(-2, f"warning: load average {load:.1f} on {meta['cores']} cores before the run: "
                       "other work shares these CPUs and may disturb the timings")
    rows = []
    for name, entry in results["workloads"].items():
        recs = [entry["systems"].get(s, {}) for s in names]
        if entry["kind"] == "compile":
            rows.append(["compile (cold)"] + [compile_cell(r, "cold") for r in recs])
            rows.append(["compile (warm cache)"] + [compile_cell(r, "warm") for r in recs])
        else:
            rows.append([name] + [cell(r, s != "torch") for s, r in zip(names, recs)])
    out.append(table(["workload"] + names, rows))

    bw_rows = [[name] + [f"{r['gbs']:.1f} GB/s {r['copy_share'] * 100:.0f}%" if "gbs" in r else cell(r)
                         for r in (entry["systems"].get(s, {}) for s in names)]
               for name, entry in results["workloads"].items() if entry.get("min_bytes")]
    if bw_rows:
        out += ["", "memory-bound rows: achieved GB/s (minimum bytes read+written / median time), "
                    "% of copy bandwidth", table(["workload"] + names, bw_rows)]

    sizes = "" if meta["size"] == "default" else f" (titles give default sizes; this run used --size {meta['size']})"
    out += ["", f"workloads{sizes}:"] + [f"  {n}: {e['title']}" for n, e in results["workloads"].items()]
    problems = {}
    for name, entry in results["workloads"].items():
        for s, r in entry["systems"].items():
            if r.get("status") in ("error", "wrong"):
                text = r.get("message") or f"max err {r.get('max_err')}"
                if r.get("where"):
                    text += f"  [{r['where']}]"
                problems.setdefault((s, r["status"], text), []).append(name)
    if problems:
        out += ["", "errors and wrong answers:"]
        out += [f"  {s} {status} on {', '.join(ws)}: {text}" for (s, status, text), ws in problems.items()]
    out += [f"note: {n}" for n in results["notes"]]
    out.append(f"JSON: {results['json']}" + (f"  PNG: {results['png']}" if results.get("png") else ""))
    return "\n".join(out)


def write_png(results, path):
    """A bar chart of speed-up over torch eager; returns a note instead when it cannot."""
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return "matplotlib is not importable: PNG skipped (pip install matplotlib)"
    names = [s for s in results["systems"] if s != "torch"]
    rows = [(n, e) for n, e in results["workloads"].items()
            if any("speedup" in e["systems"].get(s, {}) for s in names)]
    if not names or not rows:
        return "no speed-up to plot: PNG skipped"
    fig, ax = plt.subplots(figsize=(max(6, 1.2 * len(rows)), 4.5))
    width = 0.8 / len(names)
    for i, s in enumerate(names):
        ys = [e["systems"].get(s, {}).get("speedup", math.nan) for _, e in rows]
        xs = [j + (i - (len(names) - 1) / 2) * width for j in range(len(rows))]
        ax.bar(xs, [y - 1.0 for y in ys], width, bottom=1.0, label=s)  # bars grow from 1x
    ax.axhline(1.0, color="black", linewidth=0.8)
    ax.set_yscale("log")
    ax.set_xticks(range(len(rows)))
    ax.set_xticklabels([n for n, _ in rows], rotation=30, ha="right")
    ax.set_ylabel("speed-up over torch eager (log)")
    meta = results["meta"]
    ax.set_title(f"{meta['gpu'] or meta['cpu']}, {meta['threads']} threads, {meta['date'][:10]}", fontsize=9)
    ax.legend(fontsize=8)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return None
