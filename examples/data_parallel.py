"""Data-parallel training of an MLP with pmap: each device takes a slice of the batch, the
gradients are averaged with lax.pmean, every device applies the same SGD update.

    JAXISH_NUM_CPU_DEVICES=4 python examples/data_parallel.py      # one process, 4 emulated devices
    torchrun --nproc_per_node=2 examples/data_parallel.py          # 2 processes (gloo on CPU, NCCL on GPUs)

Both print the same losses as one device training on the whole batch (`--check` verifies it)."""
import argparse
import functools
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

import jaxish as jax  # noqa: E402
import jaxish.numpy as jnp  # noqa: E402
from jaxish import lax  # noqa: E402


def init_params(sizes, seed=0):
    """Weights drawn with numpy so every process (and the single-device check) starts alike."""
    rng = np.random.default_rng(seed)
    params = []
    for k, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        gain = 2.0 if k < len(sizes) - 2 else 1.0  # He init under ReLU, LeCun for the logits
        w = rng.standard_normal((n_in, n_out)).astype(np.float32) * np.float32(np.sqrt(gain / n_in))
        params.append((jnp.asarray(w), jnp.zeros((n_out,), jnp.float32)))
    return params


def make_data(n, n_in, n_classes, seed=1):
    """A synthetic classification task: labels from a fixed random teacher network."""
    rng = np.random.default_rng(seed)
    teacher = rng.standard_normal((n_in, n_classes)).astype(np.float32)
    x = rng.standard_normal((n, n_in)).astype(np.float32)
    y = np.argmax(np.tanh(x @ teacher), axis=1).astype(np.int32)
    return x, y


def mlp(params, x):
    for w, b in params[:-1]:
        x = jnp.maximum(x @ w + b, 0.0)
    w, b = params[-1]
    return x @ w + b


def loss_fn(params, x, y):
    logits = mlp(params, x)
    m = jnp.max(logits, axis=-1, keepdims=True)
    logp = logits - m - jnp.log(jnp.sum(jnp.exp(logits - m), axis=-1, keepdims=True))
    onehot = (y[:, None] == jnp.arange(logits.shape[-1])[None, :]).astype(logits.dtype)
    return -jnp.mean(jnp.sum(onehot * logp, axis=-1))


def sgd(params, grads, lr):
    return jax.tree.map(lambda p, g: p - lr * g, params, grads)


def make_train_step(lr):
    @functools.partial(jax.pmap, axis_name="batch")
    def train_step(params, x, y):
        loss, grads = jax.value_and_grad(loss_fn)(params, x, y)
        grads = lax.pmean(grads, axis_name="batch")   # the data-parallel all-reduce
        return sgd(params, grads, lr), lax.pmean(loss, axis_name="batch")
    return train_step


def replicate(tree, n):
    return jax.tree.map(lambda a: jnp.broadcast_to(a, (n,) + a.shape), tree)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--steps", type=int, default=20)
    ap.add_argument("--batch", type=int, default=256, help="global batch size")
    ap.add_argument("--sizes", type=str, default="512,1024,1024,10")
    ap.add_argument("--lr", type=float, default=0.01)
    ap.add_argument("--check", action="store_true", help="also train on one device and compare")
    args = ap.parse_args(argv)

    if "RANK" in os.environ and "WORLD_SIZE" in os.environ:
        jax.distributed.initialize()
    n_dev, n_local, proc = jax.device_count(), jax.local_device_count(), jax.process_index()
    if args.batch % n_dev:
        raise SystemExit(f"--batch {args.batch} must be divisible by the device count {n_dev}")
    per_dev = args.batch // n_dev
    sizes = [int(s) for s in args.sizes.split(",")]
    n_batches = 4  # a small dataset, seen again every 4 steps, so the loss visibly falls
    x_all, y_all = make_data(args.batch * n_batches, sizes[0], sizes[-1])
    params = init_params(sizes)
    local_params = replicate(params, n_local)
    train_step = make_train_step(args.lr)
    ref_step = jax.jit(lambda p, x, y: (sgd(p, jax.grad(loss_fn)(p, x, y), args.lr), loss_fn(p, x, y)))
    ref_params = params

    say = print if proc == 0 else (lambda *a, **k: None)
    say(f"data-parallel MLP {sizes}: {n_dev} device(s) over {jax.process_count()} process(es), "
        f"global batch {args.batch} ({per_dev} per device)")
    t0 = time.perf_counter()
    for step in range(args.steps):
        k = step % n_batches
        xb = x_all[k * args.batch:(k + 1) * args.batch]
        yb = y_all[k * args.batch:(k + 1) * args.batch]
        lo = proc * n_local * per_dev  # this process's rows of the global batch
        xs = xb[lo:lo + n_local * per_dev].reshape(n_local, per_dev, -1)
        ys = yb[lo:lo + n_local * per_dev].reshape(n_local, per_dev)
        local_params, loss = train_step(local_params, jnp.asarray(xs), jnp.asarray(ys))
        line = f"step {step:3d}  loss {float(np.asarray(loss)[0]):.6f}"
        if args.check:
            ref_params, ref_loss = ref_step(ref_params, jnp.asarray(xb), jnp.asarray(yb))
            diff = max(float(np.max(np.abs(np.asarray(a)[0] - np.asarray(b))))
                       for a, b in zip(jax.tree.leaves(local_params), jax.tree.leaves(ref_params)))
            line += f"  one-device loss {float(ref_loss):.6f}  max |param diff| {diff:.2e}"
            if diff > 1e-3:
                raise SystemExit(f"data-parallel training diverged from one-device training: {line}")
        say(line)
        if step == 0:  # leave compilation out of the timing
            jax.block_until_ready(local_params)
            t0 = time.perf_counter()
            jax.distributed.collective_stats.reset()
    dt = time.perf_counter() - t0
    timed = max(args.steps - 1, 1)
    cs = jax.distributed.collective_stats
    say(f"{timed} steps in {dt:.2f} s ({1e3 * dt / timed:.1f} ms/step, first step excluded); "
        f"collectives across processes: {cs.calls} calls, {1e3 * cs.seconds / timed:.1f} ms/step")
    if jax.distributed.is_initialized():
        jax.distributed.shutdown()


if __name__ == "__main__":
    main()
