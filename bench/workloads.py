"""The benchmark workloads.

Each workload is written once in JAX style, as a builder that takes a module pair
(`jax_like`, `jnp_like`) so the same code runs with real jax and with jaxish, and once
in idiomatic PyTorch (the baseline and the reference answer). Inputs are numpy arrays
made from a fixed seed, so every system, in any process, sees the same numbers.

This module imports only numpy at the top: it must load in an interpreter without torch
(the external-jax worker) or without jax.
"""
import math
from dataclasses import dataclass
from typing import Callable, Optional

import numpy as np


@dataclass(frozen=True)
class Workload:
    """One benchmark row. `sizes` maps a size name ("default", "tiny", "large") to the keyword
    arguments given to `make_inputs`, `jax_fn`, `torch_fn` and `min_bytes`; a row without a
    "large" entry runs its default size there."""
    name: str
    title: str
    sizes: dict
    make_inputs: Callable          # (rng, **size) -> tuple of numpy arrays
    jax_fn: Optional[Callable]     # (jax, jnp, **size) -> function of the inputs; None: torch only
    torch_fn: Callable             # (**size) -> function of torch tensors
    min_bytes: Optional[Callable] = None  # (**size) -> bytes that must be read + written
    rtol: float = 1e-5
    atol: float = 1e-6
    default: bool = True           # part of the default (`python -m bench`) subset
    jit: bool = True               # False: every system runs it without a compiler
    kind: str = "run"              # "run": timed calls; "compile": first-call time in fresh processes

    def size(self, size_name):
        return self.sizes.get(size_name, self.sizes["default"])

    def inputs(self, size_name, seed=0):
        return tuple(self.make_inputs(np.random.default_rng(seed), **self.size(size_name)))


def _normal(rng, *shape, scale=1.0):
    return (rng.standard_normal(shape) * scale).astype(np.float32)


def _one_hot(rng, n, classes):
    return np.eye(classes, dtype=np.float32)[rng.integers(0, classes, n)]


F32 = 4
SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)


# --- GELU chain -----------------------------------------------------------------------

def gelu_inputs(rng, n):
    return (_normal(rng, n),)


def gelu_jax(jax, jnp, n):
    def f(x):
        y = x * 1.5 + 0.25
        return 0.5 * y * (1.0 + jnp.tanh(SQRT_2_OVER_PI * (y + 0.044715 * y * y * y)))
    return f


def gelu_torch(n):
    import torch.nn.functional as F

    def f(x):
        return F.gelu(x * 1.5 + 0.25, approximate="tanh")
    return f


# --- row softmax ----------------------------------------------------------------------

def rows_inputs(rng, rows, cols):
    return (_normal(rng, rows, cols),)


def softmax_jax(jax, jnp, rows, cols):
    def f(x):
        e = jnp.exp(x - jnp.max(x, axis=-1, keepdims=True))
        return e / jnp.sum(e, axis=-1, keepdims=True)
    return f


def softmax_torch(rows, cols):
    import torch

    def f(x):
        return torch.softmax(x, dim=-1)
    return f


# --- layernorm ------------------------------------------------------------------------

def layernorm_inputs(rng, rows, cols):
    return _normal(rng, rows, cols), 1.0 + _normal(rng, cols, scale=0.1), _normal(rng, cols, scale=0.1)


def _layernorm(jnp, x, w, b, eps=1e-5):
    mu = jnp.mean(x, axis=-1, keepdims=True)
    xc = x - mu
    var = jnp.mean(xc * xc, axis=-1, keepdims=True)
    return xc / jnp.sqrt(var + eps) * w + b


def layernorm_jax(jax, jnp, rows, cols):
    def f(x, w, b):
        return _layernorm(jnp, x, w, b)
    return f


def layernorm_torch(rows, cols):
    import torch.nn.functional as F

    def f(x, w, b):
        return F.layer_norm(x, (cols,), w, b, eps=1e-5)
    return f


# --- Adam update ----------------------------------------------------------------------

ADAM = dict(lr=1e-3, b1=0.9, b2=0.999, eps=1e-8, t=10)


def adam_inputs(rng, n):
    return (_normal(rng, n), _normal(rng, n, scale=0.1), _normal(rng, n, scale=0.01),
            np.abs(_normal(rng, n, scale=0.001)))


def _adam_step(sqrt, p, g, m, v, lr, b1, b2, eps, t):
    m = b1 * m + (1.0 - b1) * g
    v = b2 * v + (1.0 - b2) * g * g
    m_hat = m / (1.0 - b1 ** t)
    v_hat = v / (1.0 - b2 ** t)
    return p - lr * m_hat / (sqrt(v_hat) + eps), m, v


def adam_jax(jax, jnp, n):
    def f(p, g, m, v):
        return _adam_step(jnp.sqrt, p, g, m, v, **ADAM)
    return f


def adam_torch(n):
    import torch

    def f(p, g, m, v):
        return _adam_step(torch.sqrt, p, g, m, v, **ADAM)
    return f


# --- sum of squares -------------------------------------------------------------------

def sumsq_jax(jax, jnp, n):
    def f(x):
        return jnp.sum(x * x)
    return f


def sumsq_torch(n):
    import torch

    def f(x):
        return torch.sum(x * x)
    return f


# --- MLP training step ----------------------------------------------------------------

def mlp_params(rng, dims):
    params = []
    for d_in, d_out in zip(dims[:-1], dims[1:]):
        params += [_normal(rng, d_in, d_out, scale=1.0 / math.sqrt(d_in)), _normal(rng, d_out, scale=0.01)]
    return params


def mlp_inputs(rng, dims, batch):
    return (*mlp_params(rng, dims), _normal(rng, batch, dims[0]), _one_hot(rng, batch, dims[-1]))


def _mlp_loss_jax(jnp, params, x, y):
    """Mean softmax cross-entropy of a ReLU MLP; y is one-hot (works for one example or a batch)."""
    h = x
    for i in range(0, len(params) - 2, 2):
        h = jnp.maximum(h @ params[i] + params[i + 1], 0.0)
    logits = h @ params[-2] + params[-1]
    z = logits - jnp.max(logits, axis=-1, keepdims=True)
    log_p = z - jnp.log(jnp.sum(jnp.exp(z), axis=-1, keepdims=True))
    return -jnp.mean(jnp.sum(y * log_p, axis=-1))


def _mlp_loss_torch(params, x, y):
    import torch
    import torch.nn.functional as F
    h = x
    for i in range(0, len(params) - 2, 2):
        h = torch.relu(h @ params[i] + params[i + 1])
    return F.cross_entropy(h @ params[-2] + params[-1], y)


LR = 0.01


def mlp_jax(jax, jnp, dims, batch):
    def step(*args):
        params, x, y = list(args[:-2]), args[-2], args[-1]
        grads = jax.grad(lambda p: _mlp_loss_jax(jnp, p, x, y))(params)
        return [p - LR * g for p, g in zip(params, grads)]
    return step


def mlp_torch(dims, batch):
    import torch

    def step(*args):
        params, x, y = list(args[:-2]), args[-2], args[-1]
        grads = torch.func.grad(_mlp_loss_torch)(params, x, y)
        return [p - LR * g for p, g in zip(params, grads)]
    return step


# --- transformer block training step --------------------------------------------------

def block_inputs(rng, batch, seq, dim, heads, ff):
    s = 1.0 / math.sqrt(dim)
    params = [1.0 + _normal(rng, dim, scale=0.1), _normal(rng, dim, scale=0.1),       # ln1
              _normal(rng, dim, dim, scale=s), _normal(rng, dim, dim, scale=s),       # wq, wk
              _normal(rng, dim, dim, scale=s), _normal(rng, dim, dim, scale=s),       # wv, wo
              1.0 + _normal(rng, dim, scale=0.1), _normal(rng, dim, scale=0.1),       # ln2
              _normal(rng, dim, ff, scale=s), _normal(rng, ff, scale=0.01),           # w1, b1
              _normal(rng, ff, dim, scale=1.0 / math.sqrt(ff)), _normal(rng, dim, scale=0.01)]  # w2, b2
    mask = np.triu(np.full((seq, seq), -1e9, dtype=np.float32), k=1)
    return (*params, _normal(rng, batch, seq, dim), _normal(rng, batch, seq, dim), mask)


def _block_jax(jnp, params, x, mask, heads):
    ln1_w, ln1_b, wq, wk, wv, wo, ln2_w, ln2_b, w1, b1, w2, b2 = params
    batch, seq, dim = x.shape
    dh = dim // heads

    def split_heads(t):
        return jnp.transpose(jnp.reshape(t, (batch, seq, heads, dh)), (0, 2, 1, 3))

    h = _layernorm(jnp, x, ln1_w, ln1_b)
    q, k, v = split_heads(h @ wq), split_heads(h @ wk), split_heads(h @ wv)
    s = q @ jnp.transpose(k, (0, 1, 3, 2)) * (1.0 / math.sqrt(dh)) + mask
    e = jnp.exp(s - jnp.max(s, axis=-1, keepdims=True))
    att = (e / jnp.sum(e, axis=-1, keepdims=True)) @ v
    x = x + jnp.reshape(jnp.transpose(att, (0, 2, 1, 3)), (batch, seq, dim)) @ wo
    u = _layernorm(jnp, x, ln2_w, ln2_b) @ w1 + b1
    u = 0.5 * u * (1.0 + jnp.tanh(SQRT_2_OVER_PI * (u + 0.044715 * u * u * u)))
    return x + u @ w2 + b2


def block_jax(jax, jnp, batch, seq, dim, heads, ff):
    def step(*args):
        params, x, target, mask = list(args[:-3]), args[-3], args[-2], args[-1]

        def loss(p):
            d = _block_jax(jnp, p, x, mask, heads) - target
            return jnp.mean(d * d)
        grads = jax.grad(loss)(params)
        return [p - LR * g for p, g in zip(params, grads)]
    return step


def block_torch(batch, seq, dim, heads, ff):
    import torch
    import torch.nn.functional as F

    def block(params, x, mask):
        ln1_w, ln1_b, wq, wk, wv, wo, ln2_w, ln2_b, w1, b1, w2, b2 = params
        dh = dim // heads
        h = F.layer_norm(x, (dim,), ln1_w, ln1_b, eps=1e-5)
        q, k, v = ((h @ w).view(batch, seq, heads, dh).transpose(1, 2) for w in (wq, wk, wv))
        att = F.scaled_dot_product_attention(q, k, v, attn_mask=mask)
        x = x + att.transpose(1, 2).reshape(batch, seq, dim) @ wo
        u = F.gelu(F.layer_norm(x, (dim,), ln2_w, ln2_b, eps=1e-5) @ w1 + b1, approximate="tanh")
        return x + u @ w2 + b2

    def loss(params, x, target, mask):
        return F.mse_loss(block(params, x, mask), target)

    def step(*args):
        params, x, target, mask = list(args[:-3]), args[-3], args[-2], args[-1]
        grads = torch.func.grad(loss)(params, x, target, mask)
        return [p - LR * g for p, g in zip(params, grads)]
    return step


# --- per-example gradients ------------------------------------------------------------

def perex_jax(jax, jnp, dims, batch):
    def per_example_grads(*args):
        params, x, y = list(args[:-2]), args[-2], args[-1]
        grad_one = jax.grad(lambda p, xi, yi: _mlp_loss_jax(jnp, p, xi, yi))
        return jax.vmap(grad_one, in_axes=(None, 0, 0))(params, x, y)
    return per_example_grads


def perex_torch(dims, batch):
    import torch

    def per_example_grads(*args):
        params, x, y = list(args[:-2]), args[-2], args[-1]
        return torch.func.vmap(torch.func.grad(_mlp_loss_torch), in_dims=(None, 0, 0))(params, x, y)
    return per_example_grads


def perex_loop_torch(dims, batch):
    import torch

    def per_example_grads(*args):
        params, x, y = list(args[:-2]), args[-2], args[-1]
        grad_one = torch.func.grad(_mlp_loss_torch)
        grads = [grad_one(params, x[i], y[i]) for i in range(x.shape[0])]
        return [torch.stack(gs) for gs in zip(*grads)]
    return per_example_grads


# --- dispatch overhead ----------------------------------------------------------------

def add1_inputs(rng, n):
    return (_normal(rng, n),)


def add1_jax(jax, jnp, n):
    def f(x):
        return x + 1.0
    return f


def add1_torch(n):
    def f(x):
        return x + 1.0
    return f


# --- compile time: a ~40-op function --------------------------------------------------

COMPILE_ROUNDS = 8  # five ops a round: mul, add, tanh, mean, subtract


def chain40_jax(jax, jnp, rows, cols):
    def f(x):
        for i in range(COMPILE_ROUNDS):
            x = jnp.tanh(x * (1.0 + 0.01 * i) + 0.1)
            x = x - jnp.mean(x, axis=-1, keepdims=True)
        return x
    return f


def chain40_torch(rows, cols):
    import torch

    def f(x):
        for i in range(COMPILE_ROUNDS):
            x = torch.tanh(x * (1.0 + 0.01 * i) + 0.1)
            x = x - torch.mean(x, dim=-1, keepdim=True)
        return x
    return f


# --- the list -------------------------------------------------------------------------

MLP_DEFAULT = dict(dims=(512, 1024, 1024, 10), batch=256)
MLP_TINY = dict(dims=(32, 64, 64, 10), batch=16)
PEREX_DEFAULT = dict(dims=(128, 256, 256, 10), batch=256)
PEREX_TINY = dict(dims=(16, 32, 32, 10), batch=8)

WORKLOADS = [
    Workload("gelu", "tanh-GELU(x*a+b), 4M f32",
             {"default": dict(n=4 << 20), "tiny": dict(n=4096), "large": dict(n=64 << 20)},
             gelu_inputs, gelu_jax, gelu_torch,
             min_bytes=lambda n: 2 * n * F32, rtol=1e-5, atol=1e-5),
    Workload("softmax", "row softmax 4096x1024",
             {"default": dict(rows=4096, cols=1024), "tiny": dict(rows=64, cols=128),
              "large": dict(rows=65536, cols=1024)},
             rows_inputs, softmax_jax, softmax_torch,
             min_bytes=lambda rows, cols: 2 * rows * cols * F32, rtol=1e-4, atol=1e-7),
    Workload("layernorm", "layernorm 4096x1024 (+weight, bias)",
             {"default": dict(rows=4096, cols=1024), "tiny": dict(rows=64, cols=128),
              "large": dict(rows=65536, cols=1024)},
             layernorm_inputs, layernorm_jax, layernorm_torch,
             min_bytes=lambda rows, cols: (2 * rows * cols + 2 * cols) * F32, rtol=1e-4, atol=1e-4),
    Workload("adam", "Adam update, 8M params (new p, m, v)",
             {"default": dict(n=8 << 20), "tiny": dict(n=8192), "large": dict(n=64 << 20)},
             adam_inputs, adam_jax, adam_torch,
             min_bytes=lambda n: 7 * n * F32, rtol=1e-5, atol=1e-6),
    Workload("sumsq", "sum of squares, 16M f32",
             {"default": dict(n=16 << 20), "tiny": dict(n=16384), "large": dict(n=256 << 20)},
             gelu_inputs, sumsq_jax, sumsq_torch,
             min_bytes=lambda n: n * F32 + F32, rtol=1e-4, atol=1e-3),
    Workload("mlp_step", "MLP train step 512-1024-1024-10, batch 256",
             {"default": MLP_DEFAULT, "tiny": MLP_TINY},
             mlp_inputs, mlp_jax, mlp_torch, rtol=1e-4, atol=1e-5),
    Workload("block_step", "transformer block train step (B8 T128 D256 H4 FF1024)",
             {"default": dict(batch=8, seq=128, dim=256, heads=4, ff=1024),
              "tiny": dict(batch=2, seq=8, dim=16, heads=2, ff=32)},
             block_inputs, block_jax, block_torch, rtol=1e-4, atol=1e-5, default=False),
    Workload("perex_vmap", "per-example grads vmap(grad), MLP 128-256-256-10 x256",
             {"default": PEREX_DEFAULT, "tiny": PEREX_TINY},
             mlp_inputs, perex_jax, perex_torch, rtol=1e-4, atol=1e-5, default=False),
    Workload("perex_loop", "per-example grads, python loop (torch only)",
             {"default": PEREX_DEFAULT, "tiny": PEREX_TINY},
             mlp_inputs, None, perex_loop_torch, rtol=1e-4, atol=1e-5, default=False, jit=False),
    Workload("add1_jit", "dispatch: jitted x+1, 16 f32",
             {"default": dict(n=16), "tiny": dict(n=16)},
             add1_inputs, add1_jax, add1_torch),
    Workload("add1_eager", "dispatch: eager x+1, 16 f32 (no compiler)",
             {"default": dict(n=16), "tiny": dict(n=16)},
             add1_inputs, add1_jax, add1_torch, jit=False),
    Workload("compile", "compile: first call of a 40-op function",
             {"default": dict(rows=256, cols=256), "tiny": dict(rows=8, cols=8)},
             rows_inputs, chain40_jax, chain40_torch, rtol=1e-4, atol=1e-5, kind="compile"),
]

BY_NAME = {w.name: w for w in WORKLOADS}
MEMORY_BOUND = ("gelu", "softmax", "layernorm", "adam", "sumsq")
