"""jax.ops: segment_sum / segment_prod / segment_max / segment_min, built on jnp's `.at[]`
scatters (so they differentiate, vmap and jit through the scatter rules).

Segment ids outside [0, num_segments) are dropped (or clipped with mode='clip'); an empty
segment holds the reduction's identity (0, 1, the dtype's lowest / highest value, -inf / inf)."""
import operator

import numpy as np

from . import dtypes
from .interpreters import core
from . import numpy as jnp
from .lax import GatherScatterMode

__all__ = ["segment_sum", "segment_prod", "segment_max", "segment_min"]


def _identity(op, dtype):
    if op == "add":
        return 0
    if op == "mul":
        return 1
    if dtype == dtypes.bool_:
        return op == "min"
    if dtypes.is_int(dtype):
        info = np.iinfo(np.dtype(dtype))
        return int(info.max if op == "min" else info.min)
    return float("inf") if op == "min" else -float("inf")


def _check_array(name, what, x):
    if not (isinstance(x, (core.Tracer, np.ndarray, np.generic, jnp.ndarray, bool, int, float, complex))):
        raise TypeError(f"{name} requires ndarray or scalar arguments, got {type(x)} for `{what}`.")
    return jnp.asarray(x)


def _num_segments(name, num_segments, ids):
    if num_segments is None:
        if isinstance(ids, core.Tracer) and ids.to_concrete_value() is None:
            raise core.ConcretizationTypeError(
                ids, f"{name}() `num_segments` argument: pass a static num_segments to use {name} "
                "under jit (the default, max(segment_ids) + 1, needs concrete segment ids).")
        concrete = np.asarray(ids.to_concrete_value() if isinstance(ids, core.Tracer) else ids)
        if concrete.size == 0:
            raise ValueError(f"{name}: num_segments=None needs at least one segment id to take "
                             "max(segment_ids) + 1 from; segment_ids is empty.")
        return int(concrete.max()) + 1
    if isinstance(num_segments, core.Tracer):
        value = num_segments.to_concrete_value()
        if value is None:
            raise core.ConcretizationTypeError(
                num_segments, f"{name}() `num_segments` argument must be static (mark it static in jit).")
        num_segments = np.asarray(value).item()
    num_segments = operator.index(num_segments)
    if num_segments < 0:
        raise ValueError("num_segments must be non-negative.")
    return num_segments


def _segment_update(name, op, data, segment_ids, num_segments, indices_are_sorted, unique_indices,
                    bucket_size, mode):
    data = _check_array(name, "data", data)
    ids = _check_array(name, "segment_ids", segment_ids)
    if not dtypes.is_int(ids.dtype):
        raise TypeError(f"{name}: segment_ids must have an integer dtype, got {ids.dtype} "
                        f"(shape {ids.shape}).")
    if op in ("add", "mul") and data.dtype == dtypes.bool_:
        raise TypeError(f"{name} does not accept boolean data (shape {data.shape}); "
                        "cast it to an integer or floating dtype.")
    mode = GatherScatterMode.from_any(mode if mode is not None else "drop")
    n = _num_segments(name, num_segments, ids)
    upd_shape = tuple(ids.shape) + tuple(data.shape[1:])
    try:
        np.broadcast_shapes(tuple(data.shape), upd_shape)
        if np.broadcast_shapes(tuple(data.shape), upd_shape) != upd_shape:
            raise ValueError
    except ValueError:
        raise ValueError(f"{name}: data of shape {data.shape} (dtype {data.dtype}) does not match "
                         f"segment_ids of shape {ids.shape}; data needs shape {upd_shape} "
                         "(one row per segment id).") from None
    if mode == GatherScatterMode.CLIP:
        ids = jnp.clip(ids, 0, max(n - 1, 0))
    else:   # FILL_OR_DROP / PROMISE_IN_BOUNDS: ids outside [0, n) (negative ones included) drop
        ids = jnp.where(ids < 0, n, ids)
    dtype = data.dtype
    ident = _identity(op, dtype)
    if bucket_size is None:
        out = jnp.full((n,) + tuple(data.shape[1:]), ident, dtype=dtype)
        return _scatter(op, out, (ids,), jnp.broadcast_to(data, upd_shape))
    bucket_size = operator.index(bucket_size)
    if bucket_size <= 0:
        raise ValueError(f"{name}: bucket_size must be positive, got {bucket_size}.")
    n_ids = int(np.prod(ids.shape))
    n_buckets = -(-n_ids // bucket_size)
    out = jnp.full((n_buckets, n) + tuple(data.shape[1:]), ident, dtype=dtype)
    buckets = jnp.reshape(jnp.arange(n_ids) // bucket_size, ids.shape)
    out = _scatter(op, out, (buckets, ids), jnp.broadcast_to(data, upd_shape))
    reduce = {"add": jnp.sum, "mul": jnp.prod, "max": jnp.max, "min": jnp.min}[op]
    return reduce(out, axis=0).astype(dtype)


def _scatter(op, out, index, values):
    if op in ("max", "min") and dtypes.is_complex(values.dtype):
        return _scatter_complex_extremum(op, out, index, values)
    ref = out.at[index]
    if op == "add":
        return ref.add(values)
    if op == "max":
        return ref.max(values)
    if op == "min":
        return ref.min(values)
    return _scatter_mul(out, index, values)


def _scatter_complex_extremum(op, out, index, values):
    """Complex max/min in JAX's lexicographic order: the real part first, then the imaginary one;
    an empty segment keeps its identity (-inf + 0j for max, inf + 0j for min)."""
    real, imag = jnp.real(values), jnp.imag(values)
    out_real = jnp.real(out)
    best_real = out_real.at[index].max(real) if op == "max" else out_real.at[index].min(real)
    on_best = real == best_real[index]
    fill = jnp.full_like(imag, -jnp.inf if op == "max" else jnp.inf)
    cand = jnp.where(on_best, imag, fill)
    start = jnp.full_like(out_real, fill_value=-jnp.inf if op == "max" else jnp.inf)
    best_imag = start.at[index].max(cand) if op == "max" else start.at[index].min(cand)
    count = jnp.zeros(out.shape, dtypes.int32).at[index].add(jnp.ones(real.shape, dtypes.int32))
    best_imag = jnp.where(count > 0, best_imag, jnp.imag(out))
    return best_real.astype(out.dtype) + 1j * best_imag.astype(out.dtype)


def _scatter_mul(out, index, values):
    """Products whose derivative is right at zeros too: a segment holding one zero has
    d out / d zero = product of the others; the plain scatter-mul rule divides by the zero."""
    if not dtypes.is_inexact(values.dtype):
        return out.at[index].mul(values)
    is_zero = values == 0
    nonzero_prod = out.at[index].mul(jnp.where(is_zero, jnp.ones_like(values), values))
    zeros = jnp.zeros(out.shape, dtypes.int32).at[index].add(is_zero.astype(dtypes.int32))
    zero_sum = jnp.zeros_like(out).at[index].add(jnp.where(is_zero, values, jnp.zeros_like(values)))
    # zero_sum is 0 in value; it only carries the derivative onto a segment's single zero
    nothing = jnp.zeros_like(out)
    return jnp.where(zeros == 0, nonzero_prod, nothing) + jnp.where(zeros == 1, nonzero_prod * zero_sum, nothing)


def segment_sum(data, segment_ids, num_segments=None, indices_are_sorted=False, unique_indices=False,
                bucket_size=None, mode=None):
    """Sum of data rows per segment id: shape (num_segments,) + data.shape[1:]."""
    return _segment_update("segment_sum", "add", data, segment_ids, num_segments, indices_are_sorted,
                           unique_indices, bucket_size, mode)


def segment_prod(data, segment_ids, num_segments=None, indices_are_sorted=False, unique_indices=False,
                 bucket_size=None, mode=None):
    """Product of data rows per segment id (empty segments: 1)."""
    return _segment_update("segment_prod", "mul", data, segment_ids, num_segments, indices_are_sorted,
                           unique_indices, bucket_size, mode)


def segment_max(data, segment_ids, num_segments=None, indices_are_sorted=False, unique_indices=False,
                bucket_size=None, mode=None):
    """Maximum of data rows per segment id (empty segments: -inf, or the dtype's minimum)."""
    return _segment_update("segment_max", "max", data, segment_ids, num_segments, indices_are_sorted,
                           unique_indices, bucket_size, mode)


def segment_min(data, segment_ids, num_segments=None, indices_are_sorted=False, unique_indices=False,
                bucket_size=None, mode=None):
    """Minimum of data rows per segment id (empty segments: inf, or the dtype's maximum)."""
    return _segment_update("segment_min", "min", data, segment_ids, num_segments, indices_are_sorted,
                           unique_indices, bucket_size, mode)
