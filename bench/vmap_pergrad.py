"""Per-example gradients of an MLP loss (512 -> 1024 -> 1024 -> 10, ReLU, softmax cross-entropy)
over 256 examples: jaxish `vmap(grad(loss))` (eager, and jitted with each backend jit offers
here) beside a Python loop of `grad` calls and beside `torch.func.vmap(torch.func.grad(loss))`,
in the same run. Prints median times, ratios, and checks every answer against torch.func.

    python -m bench.vmap_pergrad [--batch 256] [--reps 5] [--loop-reps 2] [--device cpu|cuda]

Note the output alone is batch x 1.58M floats (1.6 GB at batch 256): the workload is bound by
writing per-example weight gradients (outer products), for every system alike."""
import argparse
import gc
import os
import statistics
import sys
import time

import numpy as np
import torch

import jaxish as jax
import jaxish.numpy as jnp

SIZES = (512, 1024, 1024, 10)


def jaxish_loss(params, x, y):
    w1, b1, w2, b2, w3, b3 = params
    h = jnp.maximum(x @ w1 + b1, 0.0)
    h = jnp.maximum(h @ w2 + b2, 0.0)
    logits = h @ w3 + b3
    m = jnp.max(logits)
    logp = logits - m - jnp.log(jnp.sum(jnp.exp(logits - m)))
    return -jnp.sum(logp * y)


def torch_loss(params, x, y):
    w1, b1, w2, b2, w3, b3 = params
    h = torch.relu(x @ w1 + b1)
    h = torch.relu(h @ w2 + b2)
    logits = h @ w3 + b3
    return -(torch.log_softmax(logits, -1) * y).sum()


def make_data(batch, device, seed=0):
    g = torch.Generator().manual_seed(seed)
    params = []
    for din, dout in zip(SIZES[:-1], SIZES[1:]):
        params.append((torch.randn(din, dout, generator=g) / din ** 0.5).to(device))
        params.append((torch.randn(dout, generator=g) * 0.1).to(device))
    xs = torch.randn(batch, SIZES[0], generator=g).to(device)
    ys = torch.nn.functional.one_hot(torch.randint(0, SIZES[-1], (batch,), generator=g), SIZES[-1]).float().to(device)
    return params, xs, ys


def sync(device):
    if device == "cuda":
        torch.cuda.synchronize()


def as_torch(tree):
    return [jax.to_torch(t) if not isinstance(t, torch.Tensor) else t for t in tree]


def time_it(fn, reps, device):
    """(median seconds, last result); one untimed warm-up call first (tracing, compiling)."""
    out = fn()
    sync(device)
    del out
    times = []
    for _ in range(reps):
        gc.collect()
        t0 = time.perf_counter()
        out = fn()
        sync(device)
        times.append(time.perf_counter() - t0)
    return statistics.median(times), out


def jit_backends(device):
    """Backends jit offers on this device, with what actually ran (a missing codegen falls back)."""
    from jaxish.runtime.executable import compile_graph
    names = ["eager", "cpp"] if device == "cpu" else ["eager", "triton"]
    out = []
    probe = jax.make_jaxpr(lambda x: x + 1)(jnp.ones(2)).jaxpr
    for b in names:
        exe = compile_graph(probe, b, [torch.ones(2, device=device)])
        note = getattr(exe, "note", None)
        out.append((b, note))
    return out


def main(argv=None):
    p = argparse.ArgumentParser(prog="python -m bench.vmap_pergrad", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--batch", type=int, default=256)
    p.add_argument("--reps", type=int, default=7, help="timed rounds over the vectorized systems (median)")
    p.add_argument("--loop-reps", type=int, default=2, help="timed calls per Python-loop system")
    p.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    p.add_argument("--threads", type=int, default=os.cpu_count())
    p.add_argument("--skip-loop", action="store_true")
    a = p.parse_args(argv)
    torch.set_num_threads(a.threads)
    dev = a.device
    from jaxish.config import set_default_device
    set_default_device(dev)

    tparams, txs, tys = make_data(a.batch, dev)
    jparams = tuple(jax.from_torch(t) for t in tparams)
    jxs, jys = jax.from_torch(txs), jax.from_torch(tys)

    # the vectorized systems, timed round-robin (one call each per round) so that load from
    # other processes on the machine falls on all of them alike
    tf = torch.func.vmap(torch.func.grad(torch_loss), in_dims=(None, 0, 0))
    vg = jax.vmap(jax.grad(jaxish_loss), in_axes=(None, 0, 0))
    systems = [("torch.func.vmap(grad)", lambda: tf(tuple(tparams), txs, tys), ""),
               ("jaxish vmap(grad) eager", lambda: vg(jparams, jxs, jys), "")]
    for backend, note in jit_backends(dev):
        jf = jax.jit(vg, backend=backend)
        systems.append((f"jaxish jit(vmap(grad)) backend={backend}",
                        (lambda jf: lambda: jf(jparams, jxs, jys))(jf), note or ""))
    ref = [r.detach() for r in systems[0][1]()]

    def agree(tree, name):
        got = as_torch(tree)
        err = max(float((g - r).abs().max()) for g, r in zip(got, ref))
        scale = max(float(r.abs().max()) for r in ref)
        ok = err <= 1e-4 * scale + 1e-5
        if not ok:
            print(f"MISMATCH {name}: max abs error {err:.3g} (scale {scale:.3g})", file=sys.stderr)
        return err, ok

    errors, failed = {}, []
    for name, fn, _ in systems[1:]:
        try:
            t0 = time.perf_counter()
            out = fn()  # warm-up: tracing, compiling; and the answer, checked once
            sync(dev)
            print(f"{name}: first call {time.perf_counter() - t0:.2f} s", file=sys.stderr)
        except Exception as e:  # a backend that cannot run this graph: report it, time the rest
            print(f"FAILED {name}: {type(e).__name__}: {e}", file=sys.stderr)
            failed.append(name)
            continue
        errors[name] = agree(out, name)
        del out
    systems = [s for s in systems if s[0] not in failed]
    times = {name: [] for name, _, _ in systems}
    for _ in range(a.reps):
        for name, fn, _ in systems:
            gc.collect()
            t0 = time.perf_counter()
            out = fn()
            sync(dev)
            times[name].append(time.perf_counter() - t0)
            del out
    results = [(name, statistics.median(times[name]), note) for name, _, note in systems]
    t_ref = results[0][1]

    if not a.skip_loop:
        g1 = jax.grad(jaxish_loss)

        def loop(gfn):
            per = [gfn(jparams, jxs[i], jys[i]) for i in range(a.batch)]
            return tuple(jnp.stack([q[k] for q in per]) for k in range(len(jparams)))

        t, out = time_it(lambda: loop(g1), a.loop_reps, dev)
        errors["jaxish Python loop of grad"] = agree(out, "loop")
        del out
        results.append(("jaxish Python loop of grad", t, ""))
        jg1 = jax.jit(g1, backend="eager")
        t, out = time_it(lambda: loop(jg1), a.loop_reps, dev)
        errors["jaxish Python loop of jit(grad)"] = agree(out, "loop jit")
        del out
        results.append(("jaxish Python loop of jit(grad)", t, ""))
        tg1 = torch.func.grad(torch_loss)

        def tloop():
            per = [tg1(tuple(tparams), txs[i], tys[i]) for i in range(a.batch)]
            return [torch.stack([q[k] for q in per]) for k in range(len(tparams))]

        t, out = time_it(tloop, a.loop_reps, dev)
        results.append(("torch Python loop of func.grad", t, ""))
        del out

    loop_t = dict((n, t) for n, t, _ in results).get("jaxish Python loop of grad")
    print(f"\nper-example gradients, MLP {'->'.join(map(str, SIZES))}, batch {a.batch}, device {dev}, "
          f"{a.threads} threads, torch {torch.__version__}")
    print(f"{'system':44s} {'median ms':>10s} {'vs torch.func':>14s} {'vs jaxish loop':>15s}  max|err|")
    for name, t, note in results:
        err = errors.get(name, (0.0, True))[0] if name in errors else None
        vs_loop = f"{loop_t / t:13.2f}x" if loop_t else ""
        print(f"{name:44s} {t * 1e3:10.1f} {t_ref / t:13.2f}x {vs_loop:>15s}  "
              f"{'' if err is None else f'{err:.1e}'}{'  (' + note + ')' if note else ''}")
    for name in failed:
        print(f"{name:44s} failed (see above)")
    bad = [n for n, (_, ok) in errors.items() if not ok] + failed
    if bad:
        print("outputs disagree with torch.func:", ", ".join(bad))
        return 1
    print("all jaxish outputs agree with torch.func (max abs error <= 1e-4 x max |grad| + 1e-5)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
