"""jax.scipy.fft: the discrete cosine transforms (dct, idct, dctn, idctn) on jnp.fft.

As in JAX, only DCT type 2 is implemented (idct/idctn of type 2 are the exact inverses of
dct/dctn, i.e. scipy's type-3 transforms suitably normalized); any other ``type`` raises
NotImplementedError, and ``norm`` must be None, "backward" or "ortho" (ValueError otherwise).
Complex inputs are transformed as real and imaginary parts separately.
"""
import operator
from collections.abc import Sequence

import numpy as np

from .. import dtypes
from .. import lax
from .. import numpy as jnp
from ..interpreters import core
from ..numpy._core import _array, _promote_to_inexact, check_arraylike

__all__ = ["dct", "idct", "dctn", "idctn"]


def _prep(name, x):
    check_arraylike(name, x)
    x = _array(x, f"{name} argument 0")
    (x,) = _promote_to_inexact(name, x)
    return _array(x)


def _check(name, type, norm):
    if type != 2:
        raise NotImplementedError("Only DCT type 2 is implemented.")
    if norm is not None and norm not in ("backward", "ortho"):
        raise ValueError(f"jax.scipy.fft.{name}: {norm=!r} is not implemented")


def _canon_axis(axis, ndim):
    axis = operator.index(axis)
    if not -ndim <= axis < ndim:
        raise ValueError(f"axis {axis} is out of bounds for array of dimension {ndim}")
    return axis % ndim


def _resize(x, n, axis):
    """Zero-pad or truncate x along axis to length n."""
    if n is None:
        return x
    n = operator.index(n)
    if n < 1:
        raise ValueError(f"Invalid number of DCT data points ({n}) specified.")
    cur = x.shape[axis]
    if n == cur:
        return x
    if n < cur:
        return lax.slice_in_dim(x, 0, n, axis=axis)
    pads = [(0, 0)] * x.ndim
    pads[axis] = (0, n - cur)
    return jnp.pad(x, pads)


def _bshape(v, ndim, axis):
    shape = [1] * ndim
    shape[axis] = v.shape[0]
    return v.reshape(shape)


def _ortho_factor(N, dtype):
    """1/sqrt(4N) for k = 0 and 1/sqrt(2N) otherwise (as a numpy vector)."""
    f = np.full((N,), 2.0)
    f[0] = 4.0
    return (1.0 / np.sqrt(f * N)).astype(dtype)


def _interleave(x, axis):
    """[x0, x2, x4, ..., x5, x3, x1]: evens ascending, then odds reversed."""
    N = x.shape[axis]
    perm = np.concatenate([np.arange(0, N, 2), np.arange(1, N, 2)[::-1]])
    return jnp.take(x, jnp.asarray(perm), axis=axis)


def _deinterleave(x, axis):
    """Inverse of _interleave."""
    N = x.shape[axis]
    perm = np.concatenate([np.arange(0, N, 2), np.arange(1, N, 2)[::-1]])
    inv = np.empty_like(perm)
    inv[perm] = np.arange(N)
    return jnp.take(x, jnp.asarray(inv), axis=axis)


def _real_dtype(x):
    return np.dtype(core.get_aval(x).dtype)


def _dct1(x, axis, norm):
    """Type-2 DCT of a real array along one axis (Makhoul's FFT algorithm)."""
    N = x.shape[axis]
    rdt = _real_dtype(x)
    v = _interleave(x, axis)
    V = jnp.fft.fft(v, axis=axis)
    k = np.arange(N)
    w = np.exp(-0.5j * np.pi * k / N).astype(np.result_type(rdt, np.complex64))
    out = 2 * jnp.real(V * _bshape(jnp.asarray(w), x.ndim, axis))
    if norm == "ortho":
        out = out * _bshape(jnp.asarray(_ortho_factor(N, rdt)), x.ndim, axis)
    return out


def _idct1(x, axis, norm):
    """Inverse of the type-2 DCT of a real array along one axis."""
    N = x.shape[axis]
    rdt = _real_dtype(x)
    f = _ortho_factor(N, np.float64)
    if norm is None or norm == "backward":
        f = f * f
    # undo the (ortho or backward) scaling, then the twiddle, then the 2N factor and ifft
    scale = (f * 2 * N).astype(rdt)
    k = np.arange(N)
    w = np.exp(0.5j * np.pi * k / N).astype(np.result_type(rdt, np.complex64))
    y = x * _bshape(jnp.asarray(scale), x.ndim, axis)
    y = y * _bshape(jnp.asarray(w), x.ndim, axis)
    y = jnp.fft.ifft(y, axis=axis)
    return _deinterleave(jnp.real(y), axis)


def _complex_split(fn, x, **kw):
    return lax.complex(fn(jnp.real(x), **kw), fn(jnp.imag(x), **kw))


def _one(name, one, x, type, n, axis, norm):
    """dct/idct: the input resized to n along axis, then the 1-d transform `one` along it."""
    x = _prep(name, x)
    _check(name, type, norm)
    if dtypes.is_complex(_real_dtype(x)):
        return _complex_split(dct if name == "dct" else idct, x, type=type, n=n, axis=axis, norm=norm)
    if x.ndim == 0:
        raise ValueError(f"{name}: input must have at least one dimension")
    axis = _canon_axis(axis, x.ndim)
    return one(_resize(x, n, axis), axis, norm)


def dct(x, type=2, n=None, axis=-1, norm=None):
    """JAX's jax.scipy.fft.dct: the type-2 discrete cosine transform along ``axis``, with
    the input zero-padded or truncated to length ``n``."""
    return _one("dct", _dct1, x, type, n, axis, norm)


def idct(x, type=2, n=None, axis=-1, norm=None):
    """JAX's jax.scipy.fft.idct: the inverse of the type-2 DCT (``idct(dct(x)) == x``)."""
    return _one("idct", _idct1, x, type, n, axis, norm)


def _nd_args(x, s, axes):
    if s is not None:
        if isinstance(s, Sequence) or isinstance(s, np.ndarray):
            s = [operator.index(v) for v in s]
        else:
            s = [operator.index(s)]
        if len(s) > x.ndim:
            raise ValueError(f"s must have at most x.ndim ({x.ndim}) elements, got {len(s)}")
    if axes is None:
        axes = tuple(range(x.ndim - len(s), x.ndim)) if s is not None else tuple(range(x.ndim))
    else:
        if not isinstance(axes, (Sequence, np.ndarray)):
            axes = (axes,)
        axes = tuple(_canon_axis(a, x.ndim) for a in axes)
        if len(set(axes)) != len(axes):
            raise ValueError(f"repeated axis in axes: {axes}")
    if s is not None and len(s) != len(axes):
        raise ValueError(f"When given, axes and shape arguments have to be of the same length; "
                         f"got s={s} and axes={axes}")
    return s, axes


def _nd(name, one, x, type, s, axes, norm):
    """dctn/idctn: each axis resized to its entry of s, then the 1-d transform `one` along it."""
    x = _prep(name, x)
    _check(name, type, norm)
    if dtypes.is_complex(_real_dtype(x)):
        return _complex_split(dctn if name == "dctn" else idctn, x, type=type, s=s, axes=axes, norm=norm)
    s, axes = _nd_args(x, s, axes)
    for i, a in enumerate(axes):
        x = _resize(x, s[i] if s is not None else None, a)
    for a in axes:
        x = one(x, a, norm)
    return x


def dctn(x, type=2, s=None, axes=None, norm=None):
    """JAX's jax.scipy.fft.dctn: the type-2 DCT over several axes (all by default, or the
    last ``len(s)``), each resized to the matching entry of ``s``."""
    return _nd("dctn", _dct1, x, type, s, axes, norm)


def idctn(x, type=2, s=None, axes=None, norm=None):
    """JAX's jax.scipy.fft.idctn: the inverse of dctn (type 2)."""
    return _nd("idctn", _idct1, x, type, s, axes, norm)
