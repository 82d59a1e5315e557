"""Train an MLP classifier on synthetic data with jit(value_and_grad) and adam.

    python examples/mlp_classifier.py [--steps 300] [--batch 128] [--device cpu|cuda]
"""
import argparse
import time

import numpy as np

import jaxish as jax
import jaxish.numpy as jnp
from jaxish.example_libraries import optimizers, stax


def make_data(n, dim, classes, seed=0):
    """Gaussian blobs, one per class, so a small MLP can separate them."""
    rng = np.random.default_rng(seed)
    centers = rng.normal(size=(classes, dim)) * 2.0
    labels = rng.integers(0, classes, size=n)
    x = centers[labels] + rng.normal(size=(n, dim))
    return x.astype(np.float32), labels.astype(np.int32)


def main(argv=None):
    p = argparse.ArgumentParser()
    p.add_argument("--steps", type=int, default=300)
    p.add_argument("--batch", type=int, default=128)
    p.add_argument("--hidden", type=int, default=128)
    p.add_argument("--lr", type=float, default=1e-2)
    p.add_argument("--print-every", type=int, default=50)
    p.add_argument("--device", default=None)
    p.add_argument("--backend", default=None)
    args = p.parse_args(argv)
    if args.device:
        from jaxish.config import set_default_device
        set_default_device(args.device)

    dim, classes = 16, 4
    x_np, y_np = make_data(4096, dim, classes)
    init_fun, apply_fun = stax.serial(stax.Dense(args.hidden), stax.Relu,
                                      stax.Dense(args.hidden), stax.Relu,
                                      stax.Dense(classes), stax.LogSoftmax)
    _, params = init_fun(jax.random.PRNGKey(0), (-1, dim))
    opt_init, opt_update, get_params = optimizers.adam(args.lr)
    opt_state = opt_init(params)

    def loss(params, x, y):
        logp = apply_fun(params, x)
        onehot = (y[:, None] == jnp.arange(classes)[None, :]).astype(logp.dtype)
        return -jnp.mean(jnp.sum(logp * onehot, axis=-1))

    @jax.jit
    def step(i, opt_state, x, y):
        value, grads = jax.value_and_grad(loss)(get_params(opt_state), x, y)
        return value, opt_update(i, grads, opt_state)

    if args.backend:
        step = jax.jit(step.fun if hasattr(step, "fun") else step, backend=args.backend)

    first = last = None
    t0 = time.perf_counter()
    for i in range(args.steps):
        lo = (i * args.batch) % (len(x_np) - args.batch)
        xb, yb = jnp.asarray(x_np[lo:lo + args.batch]), jnp.asarray(y_np[lo:lo + args.batch])
        value, opt_state = step(i, opt_state, xb, yb)
        if first is None:
            first = float(value)
        if i % args.print_every == 0 or i == args.steps - 1:
            print(f"step {i:5d}  loss {float(value):.4f}  ({time.perf_counter() - t0:.1f}s)", flush=True)
        last = float(value)
    logits = apply_fun(get_params(opt_state), jnp.asarray(x_np))
    acc = float(jnp.mean(jnp.argmax(logits, axis=-1) == jnp.asarray(y_np)))
    print(f"final loss {last:.4f} (from {first:.4f}), train accuracy {acc:.3f}")
    return first, last


if __name__ == "__main__":
    main()
