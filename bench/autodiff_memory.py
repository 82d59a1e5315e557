"""`python -m bench.autodiff_memory`: the gradient of a 3-layer MLP loss (batch 256,
512 -> 1024 -> 1024 -> 10, ReLU, softmax cross-entropy), time and peak memory, jaxish beside
torch autograd, each plain and with the two hidden layers checkpointed as one block (the
backward pass recomputes them from the input instead of keeping their activations).

Each system runs in its own subprocess. Peak memory is what one gradient step adds on top of
what was live before it (inputs and parameters): on CUDA torch.cuda.max_memory_allocated; on
CPU the process's peak resident set (VmHWM, reset through /proc/self/clear_refs) minus the
resident set before the step, with glibc told to mmap every block over 64 KiB so that freed
memory leaves the resident set at once.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time

SYSTEMS = ["torch", "torch+checkpoint", "jaxish", "jaxish+checkpoint", "jaxish-jit", "jaxish-jit+checkpoint"]
OPTIONAL = ["jax-jit", "jax-jit+checkpoint"]  # real JAX, where installed (e.g. --systems ...,jax-jit)
SIZES = (512, 1024, 1024, 10)


def _rss_kb(field):
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise RuntimeError(f"{field} not in /proc/self/status")


def _reset_peak_rss():
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")


def _data(batch, seed=0):
    import numpy as np
    rng = np.random.default_rng(seed)
    params = []
    for din, dout in zip(SIZES[:-1], SIZES[1:]):
        params.append(((rng.standard_normal((din, dout)) / np.sqrt(din)).astype(np.float32),
                       np.zeros(dout, np.float32)))
    x = rng.standard_normal((batch, SIZES[0])).astype(np.float32)
    y = rng.integers(0, SIZES[-1], batch)
    return params, x, y


# ---- the systems ------------------------------------------------------------------------------
def torch_step(device, batch, checkpoint):
    import torch
    from torch.utils.checkpoint import checkpoint as torch_checkpoint
    params, x, y = _data(batch)
    ps = [(torch.tensor(w, device=device, requires_grad=True), torch.tensor(b, device=device, requires_grad=True))
          for w, b in params]
    x, y = torch.tensor(x, device=device), torch.tensor(y, device=device)

    def hidden(h, *wbs):
        for w, b in zip(wbs[::2], wbs[1::2]):
            h = torch.relu(h @ w + b)
        return h

    def loss_fn():
        wbs = [t for p in ps[:-1] for t in p]
        h = torch_checkpoint(hidden, x, *wbs, use_reentrant=False) if checkpoint else hidden(x, *wbs)
        w, b = ps[-1]
        return torch.nn.functional.cross_entropy(h @ w + b, y)

    def step():
        loss_fn().backward()
        grads = [t.grad for p in ps for t in p]
        for w, b in ps:  # hand the gradients to the caller, as jaxish's grad does
            w.grad = b.grad = None
        return grads
    return step, loss_fn  # loss_fn's result keeps what the backward pass needs


def jaxish_step(device, batch, checkpoint, jit):
    import torch
    import jaxish as jax
    import jaxish.numpy as jnp
    from jaxish import lax
    params, x, y = _data(batch)
    put = lambda a: jax.device_put(jnp.asarray(a), torch.device(device))
    params = [(put(w), put(b)) for w, b in params]
    x, y = put(x), put(y.astype("int32"))

    @jax.custom_jvp  # as jax.nn.relu
    def relu(v):
        return jnp.maximum(v, 0)
    relu.defjvps(lambda g, ans, v: lax.select(v > 0, g, lax.full_like(g, 0)))

    def hidden(h, wbs):
        for w, b in wbs:
            h = relu(h @ w + b)
        return h

    block = jax.checkpoint(hidden) if checkpoint else hidden

    def loss(params, x, y):
        h = block(x, params[:-1])
        w, b = params[-1]
        logits = h @ w + b
        m = jnp.max(logits, axis=1, keepdims=True)
        lse = jnp.log(jnp.sum(jnp.exp(logits - m), axis=1)) + m[:, 0]
        picked = jnp.take_along_axis(logits, y[:, None], axis=1)[:, 0]
        return jnp.mean(lse - picked)

    g = jax.grad(loss)
    if jit:
        g = jax.jit(g)

    def step():
        out = g(params, x, y)
        jax.block_until_ready(out)
        return out

    def forward():  # the pullback keeps the residuals: what the backward pass needs
        return None if jit else jax.vjp(lambda p: loss(p, x, y), params)
    return step, forward


def jax_step(device, batch, checkpoint):
    """Real JAX (jit), when installed: time only (its allocator is not torch's)."""
    import jax
    import jax.numpy as jnp
    params, x, y = _data(batch)
    dev = jax.devices("gpu" if device.startswith("cuda") else "cpu")[0]
    params = jax.device_put([(jnp.asarray(w), jnp.asarray(b)) for w, b in params], dev)
    x, y = jax.device_put((jnp.asarray(x), jnp.asarray(y.astype("int32"))), dev)

    def hidden(h, wbs):
        for w, b in wbs:
            h = jax.nn.relu(h @ w + b)
        return h

    block = jax.checkpoint(hidden) if checkpoint else hidden

    def loss(params, x, y):
        logits = block(x, params[:-1]) @ params[-1][0] + params[-1][1]
        return jnp.mean(jax.nn.logsumexp(logits, axis=1) - jnp.take_along_axis(logits, y[:, None], 1)[:, 0])

    g = jax.jit(jax.grad(loss))

    def step():
        return jax.block_until_ready(g(params, x, y))
    return step, lambda: None


def worker(system, device, batch, reps):
    import gc
    import torch
    checkpoint = system.endswith("+checkpoint")
    if system.startswith("torch"):
        step, forward = torch_step(device, batch, checkpoint)
    elif system.startswith("jax-"):
        step, forward = jax_step(device, batch, checkpoint)
    else:
        step, forward = jaxish_step(device, batch, checkpoint, jit=system.startswith("jaxish-jit"))
    cuda = device.startswith("cuda")
    sync = torch.cuda.synchronize if cuda else (lambda: None)
    for _ in range(3):
        step()
    sync()
    times = []
    for _ in range(reps):
        t0 = time.perf_counter()
        step()
        sync()
        times.append(time.perf_counter() - t0)
    def measure(fn):
        """(peak bytes added while fn runs, bytes its result keeps alive)."""
        gc.collect()
        if cuda:
            sync()
            torch.cuda.reset_peak_memory_stats()
            before = torch.cuda.memory_allocated()
            out = fn()
            sync()
            peak, held = torch.cuda.max_memory_allocated() - before, torch.cuda.memory_allocated() - before
        else:
            before = _rss_kb("VmRSS")
            _reset_peak_rss()
            out = fn()
            peak, held = (_rss_kb("VmHWM") - before) * 1024, (_rss_kb("VmRSS") - before) * 1024
        return peak, (held if out is not None else None)

    peak, _ = measure(step) if not system.startswith("jax-") else (None, None)
    _, held = measure(forward)
    return {"system": system, "device": device, "batch": batch, "median_ms": statistics.median(times) * 1e3,
            "min_ms": min(times) * 1e3, "peak_bytes": peak, "held_after_forward_bytes": held}


def run_system(system, device, batch, reps, threads, timeout_s=300):
    env = dict(os.environ, MALLOC_MMAP_THRESHOLD_="65536", MALLOC_TRIM_THRESHOLD_="0",
               XLA_PYTHON_CLIENT_PREALLOCATE="false")
    if threads:
        env["OMP_NUM_THREADS"] = str(threads)
    cmd = [sys.executable, "-m", "bench.autodiff_memory", "--worker", system, "--device", device,
           "--batch", str(batch), "--reps", str(reps)]
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    try:
        p = subprocess.run(cmd, env=env, cwd=root, capture_output=True, text=True, timeout=timeout_s)
    except subprocess.TimeoutExpired:
        return {"system": system, "error": [f"timed out after {timeout_s} s"]}
    if p.returncode != 0:
        return {"system": system, "error": (p.stderr or p.stdout).strip().splitlines()[-1:]}
    return json.loads(p.stdout.strip().splitlines()[-1])


def table(results):
    base = {r["system"]: r for r in results if "error" not in r}
    t_ref = base.get("torch", {}).get("median_ms")
    m_ref = base.get("torch", {}).get("peak_bytes")
    h_ref = base.get("torch", {}).get("held_after_forward_bytes")
    lines = [f"{'system':24s} {'median ms':>10s} {'vs torch':>9s} {'peak MiB':>9s} {'vs torch':>9s} "
             f"{'saved MiB':>10s} {'vs torch':>9s}"]
    for r in results:
        if "error" in r:
            lines.append(f"{r['system']:24s} error: {r['error']}")
            continue
        tr = f"{r['median_ms'] / t_ref:.2f}x" if t_ref else "-"
        pk = r.get("peak_bytes")
        mr = f"{pk / m_ref:.2f}x" if m_ref and pk is not None else "-"
        pks = f"{pk / 2**20:9.2f}" if pk is not None else f"{'-':>9s}"
        held = r.get("held_after_forward_bytes")
        hs = f"{held / 2**20:10.2f}" if held is not None else f"{'-':>10s}"
        hr = f"{held / h_ref:.2f}x" if held is not None and h_ref else "-"
        lines.append(f"{r['system']:24s} {r['median_ms']:10.2f} {tr:>9s} {pks} {mr:>9s} {hs} {hr:>9s}")
    lines.append("peak: memory one gradient step adds at its peak; saved: memory the forward pass leaves "
                 "for the backward pass (residuals)")
    return "\n".join(lines)


def main(argv=None):
    p = argparse.ArgumentParser(prog="python -m bench.autodiff_memory", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--device", default="cpu")
    p.add_argument("--batch", type=int, default=256)
    p.add_argument("--reps", type=int, default=20)
    p.add_argument("--threads", type=int, default=None)
    p.add_argument("--systems", default=",".join(SYSTEMS))
    p.add_argument("--json", dest="json_path")
    p.add_argument("--timeout", type=float, default=300, help="seconds per system")
    p.add_argument("--worker", help=argparse.SUPPRESS)
    a = p.parse_args(argv)
    if a.worker:
        print(json.dumps(worker(a.worker, a.device, a.batch, a.reps)))
        return
    results = [run_system(s, a.device, a.batch, a.reps, a.threads, a.timeout) for s in a.systems.split(",") if s]
    print(f"grad of a 3-layer MLP loss {'->'.join(map(str, SIZES))}, batch {a.batch}, on {a.device}")
    print(table(results))
    if a.json_path:
        with open(a.json_path, "w") as f:
            json.dump(results, f, indent=1)


if __name__ == "__main__":
    main()
