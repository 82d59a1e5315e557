"""jax.nn.dot_product_attention: scaled dot-product attention with JAX's 'xla' semantics (grouped
query heads, bias, boolean/causal/length/window masks, softmax in float32), composed of einsum,
where and softmax so grad, vmap and jit come from those primitives' rules."""
import numpy as np

from .. import dtypes
from .. import lax
from .. import numpy as jnp
from ..interpreters import core
from ..numpy.creation import asarray
from ..numpy.matmul import einsum
from .functions import softmax, logsumexp

__all__ = ["dot_product_attention"]


def _as_4d(t):
    """Leading unit axes up to rank 4 (an unbatched (T, N, H) query becomes (1, T, N, H))."""
    t = asarray(t)
    nd = core.get_aval(t).ndim
    return jnp.reshape(t, (1,) * (4 - nd) + tuple(core.get_aval(t).shape)) if nd < 4 else t


def _check(t, shape, dtype, name):
    """JAX's checks: rank, dtype, and every size that is not -1."""
    if t is None:
        return
    av = core.get_aval(t)
    if av.ndim != len(shape):
        raise ValueError(f"{name} ndim should be {len(shape)}, but got {av.ndim}")
    if dtype is not None and np.dtype(av.dtype) != np.dtype(dtype):
        raise ValueError(f"{name} dtype should be {np.dtype(dtype)}, but got {np.dtype(av.dtype)}")
    if any(want != -1 and got != want for want, got in zip(shape, av.shape)):
        raise ValueError(f"{name} shape should be {list(shape)}: but got {tuple(av.shape)}")


def _grouped(t, name, B, N, T, S, K):
    """A (B|1, N|1, T|1, S|1) bias or mask as (B|1, K|1, G|1, T|1, S|1) to meet grouped logits."""
    if t is None:
        return None
    av = core.get_aval(t)
    if any(d not in (1, want) for d, want in zip(av.shape, (B, N, T, S))):
        raise TypeError(f"dot_product_attention: {name} of shape {tuple(av.shape)} and dtype "
                        f"{np.dtype(av.dtype)} is not broadcastable to (B, N, T, S) = {(B, N, T, S)}")
    tB, tN, tT, tS = av.shape
    return jnp.reshape(t, (tB, 1, 1, tT, tS) if tN == 1 else (tB, K, N // K, tT, tS))


def _large_negative(dtype):
    """The fill for masked logits: -0.7 * the dtype's max, capped at float32's range."""
    big = min(float(dtypes.finfo(dtype).max), float(np.finfo(np.float32).max))
    return asarray(-0.7 * big, dtype=dtype)


def _combined_mask(mask, is_causal, T, S, q_seqlen, kv_seqlen, window):
    """The logical and of every requested mask, shaped to broadcast against (B, K, G, T, S)."""
    parts = [] if mask is None else [mask]
    q_pos = jnp.arange(T)[:, None]
    k_pos = jnp.arange(S)[None, :]
    if is_causal:
        parts.append(jnp.greater_equal(q_pos, k_pos))
    if window is not None:
        left, right = window
        parts.append(jnp.logical_and(jnp.less_equal(q_pos, k_pos + left), jnp.greater_equal(q_pos, k_pos - right)))
    if q_seqlen is not None:
        parts.append(jnp.less(jnp.arange(T)[None, :, None], q_seqlen[:, None, None])[:, None, None])
    if kv_seqlen is not None:
        parts.append(jnp.less(jnp.arange(S)[None, None, :], kv_seqlen[:, None, None])[:, None, None])
    if not parts:
        return None
    out = parts[0]
    for p in parts[1:]:
        out = jnp.logical_and(out, p)
    return out


def _attention_xla(q, k, v, bias, mask, is_causal, scale, q_seqlen, kv_seqlen, window, return_residual):
    B, T, N, H = core.get_aval(q).shape
    _, S, K, _ = core.get_aval(k).shape
    G = N // K
    bias = _grouped(bias, "bias", B, N, T, S, K)
    mask = _grouped(mask, "mask", B, N, T, S, K)
    qdt = core.get_aval(q).dtype
    logits_dtype = jnp.promote_types(qdt, np.float32)
    # float16/bfloat16 products accumulate in float32, as JAX's F16_F16_F32 / BF16_BF16_F32 algorithms
    # (widening first is exact: the products of half-precision numbers are float32 numbers)
    q5 = lax.convert_element_type(jnp.reshape(q, (B, T, K, G, H)), logits_dtype)
    logits = einsum("btkgh,bskh->bkgts", q5, lax.convert_element_type(k, logits_dtype))
    logits = jnp.multiply(logits, asarray(scale, dtype=logits_dtype))
    if bias is not None:
        logits = lax.convert_element_type(jnp.add(logits, bias), logits_dtype)
    keep = _combined_mask(mask, is_causal, T, S, q_seqlen, kv_seqlen, window)
    if keep is not None:
        logits = jnp.where(keep, logits, _large_negative(logits_dtype))
    logits = lax.convert_element_type(logits, np.float32)  # JAX's softmax runs in float32 always
    kdt = core.get_aval(k).dtype
    probs = lax.convert_element_type(softmax(logits, axis=-1), kdt)
    out = einsum("bkgts,bskh->btkgh", probs, v)
    if q_seqlen is not None:
        valid = jnp.less(jnp.arange(T)[None, :], q_seqlen[:, None])
        out = jnp.multiply(out, lax.convert_element_type(valid, core.get_aval(out).dtype)[:, :, None, None, None])
    out = jnp.reshape(out, (B, T, N, H))
    if not return_residual:
        return out
    lse = lax.convert_element_type(logsumexp(logits, axis=-1), kdt)          # (B, K, G, T)
    lse = jnp.reshape(jnp.transpose(lse, (0, 3, 1, 2)), (B, T, N))
    return out, lax.stop_gradient(lse)


def dot_product_attention(query, key, value, bias=None, mask=None, *, scale=None, is_causal=False,
                          query_seq_lengths=None, key_value_seq_lengths=None, local_window_size=None,
                          implementation=None, return_residual=False):
    """softmax(scale * Q K^T + bias, masked) V per head; query (B, T, N, H) or (T, N, H), key and
    value (B, S, K, H) or (S, K, H) with N a multiple of K (grouped-query attention)."""
    out_shape = tuple(core.get_aval(asarray(query)).shape)
    q, k, v = _as_4d(query), _as_4d(key), _as_4d(value)
    bias = None if bias is None else _as_4d(bias)
    mask = None if mask is None else _as_4d(mask)
    q_seqlen = None if query_seq_lengths is None else asarray(query_seq_lengths)
    kv_seqlen = None if key_value_seq_lengths is None else asarray(key_value_seq_lengths)
    if isinstance(local_window_size, (int, np.integer)):
        local_window_size = (int(local_window_size), int(local_window_size))
    elif local_window_size is not None:
        local_window_size = tuple(int(w) for w in local_window_size)
        if len(local_window_size) != 2:
            raise ValueError(f"local_window_size must be an int or a (left, right) pair, got {local_window_size}")

    B, S, K, H = core.get_aval(k).shape
    kdt = core.get_aval(k).dtype
    _check(v, [B, S, K, H], kdt, "value")
    _check(q, [B, -1, -1, H], kdt, "query")
    _check(mask, [-1] * 4, np.bool_, "mask")
    _check(bias, [-1] * 4, None, "bias")
    _check(q_seqlen, [B], np.int32, "query_seq_lengths")
    _check(kv_seqlen, [B], np.int32, "key_value_seq_lengths")
    N = core.get_aval(q).shape[2]
    if N % K != 0:
        raise ValueError(f"The number of query heads must be a multiple of key/value heads, but got {N} vs {K}")
    if not dtypes.issubdtype(kdt, np.inexact):
        raise TypeError(f"dot_product_attention requires floating-point query, key and value, got {np.dtype(kdt)}")
    scale = (1.0 / np.sqrt(H)) if scale is None else scale

    if implementation == "cudnn":
        if local_window_size is not None and local_window_size[1] != 0 and not is_causal:
            raise ValueError(f"cuDNN doesn't support right window: {local_window_size[1]} "
                             "when causal mask is not used.")
        raise RuntimeError("cuDNN is not detected.")
    if implementation not in (None, "xla"):
        raise ValueError(f"Unsupported implementation option: {implementation}")
    out = _attention_xla(q, k, v, bias, mask, bool(is_causal), scale, q_seqlen, kv_seqlen,
                         local_window_size, return_residual)
    if return_residual:
        out, lse = out
        return jnp.reshape(out, out_shape), jnp.reshape(lse, out_shape[:-1])
    return jnp.reshape(out, out_shape)
