"""Where a process's first jitted call goes: `python -m bench.first_call [--device cuda]
[--backend B] [--profile N]` times the bench's 40-op compile workload in this fresh process
(cold or warm by the state of JAXISH_CACHE_DIR / TRITON_CACHE_DIR) and, with --profile, prints
the N most expensive functions by cumulative time."""
import argparse
import cProfile
import pstats
import time


def main(argv=None):
    p = argparse.ArgumentParser(prog="python -m bench.first_call")
    p.add_argument("--device", default="cpu")
    p.add_argument("--backend", default=None)
    p.add_argument("--profile", type=int, default=0)
    a = p.parse_args(argv)
    t0 = time.perf_counter()
    import numpy as np
    import torch
    import jaxish as jax
    import jaxish.numpy as jnp
    from .workloads import chain40_jax
    t_import = time.perf_counter() - t0
    x = jax.from_torch(torch.from_numpy(np.random.default_rng(0).standard_normal((256, 256), np.float32))
                       .to(a.device))
    f = jax.jit(chain40_jax(jax, jnp, 256, 256), backend=a.backend)
    prof = cProfile.Profile() if a.profile else None
    t0 = time.perf_counter()
    if prof:
        prof.enable()
    f(x).block_until_ready()
    if prof:
        prof.disable()
    t_first = time.perf_counter() - t0
    t0 = time.perf_counter()
    f(x).block_until_ready()
    print(f"imports {t_import * 1e3:.0f} ms, first call {t_first * 1e3:.0f} ms, "
          f"second call {(time.perf_counter() - t0) * 1e6:.0f} us")
    if prof:
        pstats.Stats(prof).sort_stats("cumulative").print_stats(a.profile)


if __name__ == "__main__":
    main()
