"""A small decoder-only transformer language model (character level), trained with jaxish.

Embeddings, causal self-attention, layernorm and an MLP; the whole training step (forward,
backward, adam update) is one jitted function.

    python examples/transformer_lm.py [--steps 200] [--device cuda]
"""
import argparse
import math
import os
import time

import numpy as np

import jaxish as jax
import jaxish.numpy as jnp
from jaxish.example_libraries import optimizers

TEXT = """It is a truth universally acknowledged, that a single man in possession of a good
fortune, must be in want of a wife. However little known the feelings or views of such a man may
be on his first entering a neighbourhood, this truth is so well fixed in the minds of the
surrounding families, that he is considered the rightful property of some one or other of their
daughters. My dear Mr. Bennet, said his lady to him one day, have you heard that Netherfield Park
is let at last? Mr. Bennet replied that he had not. But it is, returned she; for Mrs. Long has
just been here, and she told me all about it. Mr. Bennet made no answer. Do you not want to know
who has taken it? cried his wife impatiently. You want to tell me, and I have no objection to
hearing it. This was invitation enough.
"""


def layernorm(x, g, b, eps=1e-5):
    mu = jnp.mean(x, axis=-1, keepdims=True)
    var = jnp.mean((x - mu) ** 2, axis=-1, keepdims=True)
    return (x - mu) / jnp.sqrt(var + eps) * g + b


def gelu(x):
    return 0.5 * x * (1.0 + jnp.tanh(0.7978845608028654 * (x + 0.044715 * x ** 3)))


def init_params(key, vocab, d, layers, ctx, mlp_mult=4):
    def dense(k, i, o):
        return jax.random.normal(k, (i, o)) * (1.0 / math.sqrt(i))

    keys = jax.random.split(key, 2 + 4 * layers)
    params = {"tok": jax.random.normal(keys[0], (vocab, d)) * 0.02,
              "pos": jax.random.normal(keys[1], (ctx, d)) * 0.02,
              "lnf": (jnp.ones(d), jnp.zeros(d)), "blocks": []}
    for l in range(layers):
        k = keys[2 + 4 * l: 6 + 4 * l]
        params["blocks"].append({
            "ln1": (jnp.ones(d), jnp.zeros(d)), "ln2": (jnp.ones(d), jnp.zeros(d)),
            "qkv": dense(k[0], d, 3 * d), "proj": dense(k[1], d, d) * 0.5,
            "fc1": dense(k[2], d, mlp_mult * d), "fc2": dense(k[3], mlp_mult * d, d) * 0.5,
        })
    return params


def block(p, x, heads):
    B, T, D = x.shape
    h = layernorm(x, *p["ln1"])
    qkv = h @ p["qkv"]
    q, k, v = jnp.split(qkv, 3, axis=-1)
    q = q.reshape(B, T, heads, D // heads).transpose(0, 2, 1, 3)
    k = k.reshape(B, T, heads, D // heads).transpose(0, 2, 1, 3)
    v = v.reshape(B, T, heads, D // heads).transpose(0, 2, 1, 3)
    att = (q @ k.transpose(0, 1, 3, 2)) / math.sqrt(D // heads)
    mask = jnp.arange(T)[:, None] >= jnp.arange(T)[None, :]
    att = jnp.where(mask, att, -1e9)
    att = jnp.exp(att - jnp.max(att, axis=-1, keepdims=True))
    att = att / jnp.sum(att, axis=-1, keepdims=True)
    y = (att @ v).transpose(0, 2, 1, 3).reshape(B, T, D)
    x = x + y @ p["proj"]
    h = layernorm(x, *p["ln2"])
    return x + gelu(h @ p["fc1"]) @ p["fc2"]


def forward(params, idx, heads):
    T = idx.shape[1]
    x = params["tok"][idx] + params["pos"][:T]
    for p in params["blocks"]:
        x = block(p, x, heads)
    x = layernorm(x, *params["lnf"])
    return x @ params["tok"].T


def loss_fn(params, idx, tgt, heads):
    logits = forward(params, idx, heads)
    logits = logits - jnp.max(logits, axis=-1, keepdims=True)
    logp = logits - jnp.log(jnp.sum(jnp.exp(logits), axis=-1, keepdims=True))
    picked = jnp.take_along_axis(logp, tgt[..., None], axis=-1)
    return -jnp.mean(picked)


def main(argv=None):
    p = argparse.ArgumentParser()
    p.add_argument("--steps", type=int, default=150)
    p.add_argument("--batch", type=int, default=16)
    p.add_argument("--ctx", type=int, default=32)
    p.add_argument("--dim", type=int, default=64)
    p.add_argument("--heads", type=int, default=4)
    p.add_argument("--layers", type=int, default=2)
    p.add_argument("--lr", type=float, default=3e-3)
    p.add_argument("--text", default=None, help="train on this text file instead of the built-in one")
    p.add_argument("--print-every", type=int, default=25)
    p.add_argument("--device", default=None)
    p.add_argument("--backend", default=None)
    args = p.parse_args(argv)
    if args.device:
        from jaxish.config import set_default_device
        set_default_device(args.device)
    text = open(args.text).read() if args.text else TEXT
    chars = sorted(set(text))
    vocab = len(chars)
    data = np.array([chars.index(c) for c in text], dtype=np.int32)
    rng = np.random.default_rng(0)

    params = init_params(jax.random.PRNGKey(0), vocab, args.dim, args.layers, args.ctx)
    opt_init, opt_update, get_params = optimizers.adam(args.lr)
    opt_state = opt_init(params)

    def step(i, opt_state, idx, tgt):
        value, grads = jax.value_and_grad(loss_fn)(get_params(opt_state), idx, tgt, args.heads)
        return value, opt_update(i, grads, opt_state)

    step = jax.jit(step, backend=args.backend)
    first = last = None
    t0 = time.perf_counter()
    for i in range(args.steps):
        starts = rng.integers(0, len(data) - args.ctx - 1, size=args.batch)
        idx = np.stack([data[s:s + args.ctx] for s in starts])
        tgt = np.stack([data[s + 1:s + args.ctx + 1] for s in starts])
        value, opt_state = step(i, opt_state, jnp.asarray(idx), jnp.asarray(tgt))
        v = float(value)
        first = v if first is None else first
        last = v
        if i % args.print_every == 0 or i == args.steps - 1:
            print(f"step {i:5d}  loss {v:.4f}  ({time.perf_counter() - t0:.1f}s)", flush=True)
    print(f"final loss {last:.4f} (from {first:.4f}, uniform would be {math.log(vocab):.4f})")
    return first, last


if __name__ == "__main__":
    main()
