"""Per-call overhead of a jitted `f(x) = x + 1` on 16 float32 elements (a cache hit), beside
torch eager `x + 1`. Run: python -m bench.jit_overhead [--backend eager|cpp] [--rounds N]

Rounds alternate between the systems so a noisy machine slows them alike; the table reports the
best round's microseconds per call and the ratio to torch (target: under 2x)."""
import argparse
import time

import torch


def _per_call(fn, n):
    t0 = time.perf_counter()
    for _ in range(n):
        fn()
    return (time.perf_counter() - t0) / n * 1e6


def measure(backend="eager", rounds=15, n=20000):
    import jaxish as jax
    import jaxish.numpy as jnp
    f = jax.jit(lambda x: x + 1, backend=backend)
    x = jnp.arange(16, dtype=jnp.float32)
    t = torch.arange(16, dtype=torch.float32)
    f(x)
    systems = {"torch x + 1": lambda: t + 1, f"jaxish jit ({backend})": lambda: f(x)}
    try:  # real JAX, when installed in this environment
        import jax as real_jax
        jf = real_jax.jit(lambda v: v + 1)
        jx = real_jax.numpy.arange(16, dtype="float32")
        jf(jx).block_until_ready()
        systems["jax.jit"] = lambda: jf(jx)
    except ImportError:
        pass
    best = {k: float("inf") for k in systems}
    for _ in range(rounds):
        for k, fn in systems.items():
            best[k] = min(best[k], _per_call(fn, n))
    return best


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--backend", default="eager")
    ap.add_argument("--rounds", type=int, default=15)
    args = ap.parse_args()
    best = measure(args.backend, args.rounds)
    base = best["torch x + 1"]
    for k, v in best.items():
        print(f"{k:24s} {v:7.2f} us/call   {v / base:5.2f}x torch")


if __name__ == "__main__":
    main()
