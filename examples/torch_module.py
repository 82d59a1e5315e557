"""Train a torch.nn model with jaxish: the module becomes a pure function of a parameter pytree
(jaxish.interop.torch.from_module), the step is jaxish.jit(value_and_grad) + adam, and the
trained parameters are written back into the module.

    python examples/torch_module.py [--steps 200]
"""
import argparse
import time

import numpy as np
import torch

import jaxish as jax
import jaxish.numpy as jnp
from jaxish.example_libraries import optimizers
from jaxish.interop.torch import from_module, to_module


def main(argv=None):
    p = argparse.ArgumentParser()
    p.add_argument("--steps", type=int, default=200)
    p.add_argument("--lr", type=float, default=1e-2)
    p.add_argument("--print-every", type=int, default=50)
    p.add_argument("--backend", default=None)
    args = p.parse_args(argv)

    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(8, 64), torch.nn.Tanh(), torch.nn.Linear(64, 1))
    rng = np.random.default_rng(0)
    x = rng.normal(size=(512, 8)).astype(np.float32)
    y = (np.sin(x[:, :1]) + 0.5 * x[:, 1:2] ** 2).astype(np.float32)
    xj, yj = jnp.asarray(x), jnp.asarray(y)

    params, apply = from_module(model)
    opt_init, opt_update, get_params = optimizers.adam(args.lr)
    opt_state = opt_init(params)

    def loss(params, x, y):
        return jnp.mean((apply(params, x) - y) ** 2)

    @jax.jit
    def step(i, opt_state, x, y):
        value, grads = jax.value_and_grad(loss)(get_params(opt_state), x, y)
        return value, opt_update(i, grads, opt_state)

    first = last = None
    t0 = time.perf_counter()
    for i in range(args.steps):
        value, opt_state = step(i, opt_state, xj, yj)
        v = float(value)
        first = v if first is None else first
        last = v
        if i % args.print_every == 0 or i == args.steps - 1:
            print(f"step {i:5d}  loss {v:.4f}  ({time.perf_counter() - t0:.1f}s)", flush=True)
    to_module(get_params(opt_state), model)
    with torch.no_grad():
        torch_loss = float(((model(torch.from_numpy(x)) - torch.from_numpy(y)) ** 2).mean())
    print(f"final loss {last:.4f} (from {first:.4f}); the torch module now gives {torch_loss:.4f}")
    return first, last


if __name__ == "__main__":
    main()
