"""jax.nn.initializers: functions (key, shape, dtype) -> array, built on jaxish.random."""
import math
import operator

import numpy as np

from .. import dtypes
from .. import lax
from ..numpy import _core as C

__all__ = ["zeros", "ones", "constant", "normal", "uniform", "truncated_normal", "variance_scaling",
           "glorot_uniform", "glorot_normal", "xavier_uniform", "xavier_normal", "lecun_uniform", "lecun_normal",
           "he_uniform", "he_normal", "kaiming_uniform", "kaiming_normal", "orthogonal", "delta_orthogonal"]


def _dtype(dtype):
    return dtypes.canonicalize(dtypes.check_dtype(dtype)) if dtype is not None else dtypes.default_float()


def _shape(shape):
    if isinstance(shape, (int, np.integer)):
        return (int(shape),)
    return tuple(operator.index(d) for d in shape)


def zeros(key, shape, dtype=None):
    from ..numpy import zeros as _zeros
    return _zeros(_shape(shape), _dtype(dtype))


def ones(key, shape, dtype=None):
    from ..numpy import ones as _ones
    return _ones(_shape(shape), _dtype(dtype))


def constant(value, dtype=None):
    def init(key, shape, dtype=dtype):
        from ..numpy import full
        return full(_shape(shape), value, _dtype(dtype))
    return init


def normal(stddev=1e-2, dtype=None):
    def init(key, shape, dtype=dtype):
        from .. import random
        return C.multiply(random.normal(key, _shape(shape), _dtype(dtype)), stddev)
    return init


def uniform(scale=1e-2, dtype=None):
    """U[0, scale)."""
    def init(key, shape, dtype=dtype):
        from .. import random
        return C.multiply(random.uniform(key, _shape(shape), _dtype(dtype)), scale)
    return init


def truncated_normal(stddev=1e-2, dtype=None, lower=-2.0, upper=2.0):
    def init(key, shape, dtype=dtype):
        from .. import random
        return C.multiply(random.truncated_normal(key, lower, upper, _shape(shape), _dtype(dtype)), stddev)
    return init


def _compute_fans(shape, in_axis=-2, out_axis=-1, batch_axis=()):
    if len(shape) <= 1:
        raise ValueError(f"Can't compute input and output sizes of a {len(shape)}-dimensional weights tensor. "
                         "Must be at least 2D.")
    nd = len(shape)
    in_axes = (in_axis,) if isinstance(in_axis, int) else tuple(in_axis)
    out_axes = (out_axis,) if isinstance(out_axis, int) else tuple(out_axis)
    b_axes = (batch_axis,) if isinstance(batch_axis, int) else tuple(batch_axis)
    in_axes, out_axes, b_axes = ({a % nd for a in s} for s in (in_axes, out_axes, b_axes))
    in_size = math.prod(shape[a] for a in in_axes)
    out_size = math.prod(shape[a] for a in out_axes)
    rf = math.prod(shape[a] for a in range(nd) if a not in in_axes | out_axes | b_axes)
    return in_size * rf, out_size * rf


def variance_scaling(scale, mode, distribution, in_axis=-2, out_axis=-1, batch_axis=(), dtype=None):
    """Samples with variance scale / n, n from the fans by mode (fan_in|fan_out|fan_avg|fan_geo_avg);
    distribution truncated_normal | normal | uniform."""
    if mode not in ("fan_in", "fan_out", "fan_avg", "fan_geo_avg"):
        raise ValueError(f"invalid mode for variance scaling initializer: {mode}")
    if distribution not in ("truncated_normal", "normal", "uniform"):
        raise ValueError(f"invalid distribution for variance scaling initializer: {distribution}")

    def init(key, shape, dtype=dtype):
        from .. import random
        shape = _shape(shape)
        dt = _dtype(dtype)
        fan_in, fan_out = _compute_fans(shape, in_axis, out_axis, batch_axis)
        denom = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2,
                 "fan_geo_avg": math.sqrt(fan_in * fan_out)}[mode]
        variance = scale / denom
        if distribution == "truncated_normal":
            std = math.sqrt(variance) / .87962566103423978
            return C.multiply(random.truncated_normal(key, -2, 2, shape, dt), std)
        if distribution == "normal":
            return C.multiply(random.normal(key, shape, dt), math.sqrt(variance))
        return C.multiply(random.uniform(key, shape, dt, -1, 1), math.sqrt(3 * variance))
    return init


def glorot_uniform(in_axis=-2, out_axis=-1, batch_axis=(), dtype=None):
    return variance_scaling(1.0, "fan_avg", "uniform", in_axis, out_axis, batch_axis, dtype)


def glorot_normal(in_axis=-2, out_axis=-1, batch_axis=(), dtype=None):
    return variance_scaling(1.0, "fan_avg", "truncated_normal", in_axis, out_axis, batch_axis, dtype)


def lecun_uniform(in_axis=-2, out_axis=-1, batch_axis=(), dtype=None):
    return variance_scaling(1.0, "fan_in", "uniform", in_axis, out_axis, batch_axis, dtype)


def lecun_normal(in_axis=-2, out_axis=-1, batch_axis=(), dtype=None):
    return variance_scaling(1.0, "fan_in", "truncated_normal", in_axis, out_axis, batch_axis, dtype)


def he_uniform(in_axis=-2, out_axis=-1, batch_axis=(), dtype=None):
    return variance_scaling(2.0, "fan_in", "uniform", in_axis, out_axis, batch_axis, dtype)


def he_normal(in_axis=-2, out_axis=-1, batch_axis=(), dtype=None):
    return variance_scaling(2.0, "fan_in", "truncated_normal", in_axis, out_axis, batch_axis, dtype)


xavier_uniform, xavier_normal = glorot_uniform, glorot_normal
kaiming_uniform, kaiming_normal = he_uniform, he_normal


def orthogonal(scale=1.0, column_axis=-1, dtype=None):
    """Uniformly random orthogonal matrices (reshaped to `shape`), from the QR of a normal sample."""
    def init(key, shape, dtype=dtype):
        from .. import random
        from ..lax.linalg_ops import qr, diagonal
        shape = _shape(shape)
        dt = _dtype(dtype)
        if len(shape) < 2:
            raise ValueError("orthogonal initializer requires at least a 2D shape")
        n_rows = math.prod(shape) // shape[column_axis]
        n_cols = shape[column_axis]
        mshape = (n_cols, n_rows) if n_rows < n_cols else (n_rows, n_cols)
        A = random.normal(key, mshape, dt)
        Q, R = qr(A, full_matrices=False)
        Q = C.multiply(Q, lax.reshape(C.sign(diagonal(R)), (1, min(mshape))))
        if n_rows < n_cols:
            Q = lax.transpose(Q, (1, 0))
        ax = column_axis % len(shape)
        rest = shape[:ax] + shape[ax + 1:]
        Q = lax.reshape(Q, rest + (n_cols,))
        nd = len(shape)
        perm = tuple(range(ax)) + (nd - 1,) + tuple(range(ax, nd - 1))
        return C.multiply(lax.transpose(Q, perm), scale)
    return init


def delta_orthogonal(scale=1.0, column_axis=-1, dtype=None):
    """Orthogonal kernels centered in the spatial window (for 3-5D conv weights), zero elsewhere."""
    def init(key, shape, dtype=dtype):
        shape = _shape(shape)
        if len(shape) not in (3, 4, 5):
            raise ValueError("Delta orthogonal initializer requires a 3D, 4D or 5D shape.")
        if shape[-1] < shape[-2]:
            raise ValueError("`fan_in` must be less or equal than `fan_out`. ")
        ortho = orthogonal(scale, column_axis, dtype)(key, shape[-2:], dtype)
        from ..numpy import zeros as _zeros
        W = _zeros(shape, _dtype(dtype))
        center = tuple(s // 2 for s in shape[:-2])
        return W.at[center].set(ortho)
    return init
