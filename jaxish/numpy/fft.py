"""jnp.fft on the lax.fft primitive: fft/ifft/rfft/irfft/hfft/ihfft, their 2-D and n-D forms
(n and s crop or zero-pad, norm 'backward'|'ortho'|'forward'), fftfreq, rfftfreq, fftshift."""
import builtins
import operator

import numpy as np

from .. import dtypes
from ..interpreters import core
from .. import lax
from ..lax.fft import fft_p, FftType
from . import _core as C
from ._core import _array
from .creation import asarray

__all__ = ["fft", "ifft", "rfft", "irfft", "hfft", "ihfft", "fft2", "ifft2", "rfft2", "irfft2", "fftn", "ifftn",
           "rfftn", "irfftn", "fftfreq", "rfftfreq", "fftshift", "ifftshift"]


def _aval(x):
    return core.get_aval(x)


def _arr(a):
    return _array(a, "fft argument a")


def _complex_dtype(dt):
    if dtypes.is_complex(dt):
        return dt
    if not dtypes.is_float(dt):
        return dtypes.default_complex()
    return dtypes.canonicalize(np.dtype(np.complex128)) if np.dtype(dt) == np.dtype(np.float64) else dtypes.complex64


def _real_dtype(dt):
    if dtypes.is_complex(dt):
        return dtypes.float64 if np.dtype(dt) == np.dtype(np.complex128) else dtypes.float32
    return dt if dtypes.is_float(dt) and np.dtype(dt) in (np.dtype(np.float32), np.dtype(np.float64)) else \
        dtypes.default_float()


def _resize(a, axis, n):
    """Crop or zero-pad axis to length n."""
    have = _aval(a).shape[axis]
    if have == n:
        return a
    if have > n:
        return lax.slice_in_dim(a, 0, n, axis=axis)
    cfg = [(0, 0, 0)] * _aval(a).ndim
    cfg[axis] = (0, n - have, 0)
    return lax.pad(a, lax.convert_element_type(asarray(0), _aval(a).dtype), cfg)


def _norm_scale(norm, n, inverse):
    if norm is None or norm == "backward":
        return 1.0 / n if inverse else 1.0, False
    if norm == "ortho":
        return 1.0 / np.sqrt(n), True
    if norm == "forward":
        return 1.0 if inverse else 1.0 / n, True
    raise ValueError(f'Invalid norm value {norm}; should be "backward", "ortho" or "forward".')


def _fftn(name, a, s, axes, norm, kind):
    a = _arr(a)
    nd = _aval(a).ndim
    if axes is None:
        axes = tuple(range(nd)) if s is None else tuple(range(nd - len(s), nd))
    axes = tuple(operator.index(ax) % nd if nd else 0 for ax in axes)
    if len(set(axes)) != len(axes):
        raise ValueError(f"{name} does not support repeated axes. Got axes {axes}.")
    if s is not None:
        s = tuple(operator.index(n) for n in s)
        if len(s) != len(axes):
            raise ValueError(f"Shape and axes have different lengths: {s} and {axes}")
        if builtins.any(n < 1 for n in s):
            raise ValueError(f"Invalid number of FFT data points ({s}) specified.")
    if not axes:
        return a
    # move the transformed axes last (XLA transforms trailing axes), at most 3 at a time
    rest = [i for i in range(nd) if i not in axes]
    perm = rest + list(axes)
    x = lax.transpose(a, perm) if perm != list(range(nd)) else a
    k = len(axes)
    lead = nd - k
    if kind in ("fft", "ifft"):
        x = lax.convert_element_type(x, _complex_dtype(_aval(x).dtype))
        if s is not None:
            for i, n in enumerate(s):
                x = _resize(x, lead + i, n)
        lengths = _aval(x).shape[lead:]
        t = FftType.FFT if kind == "fft" else FftType.IFFT
        x = _chunked(x, t, lengths, lead)
        total = int(np.prod(lengths))
    elif kind == "rfft":
        if dtypes.is_complex(_aval(x).dtype):
            raise TypeError(f"{name} does not support complex input")
        x = lax.convert_element_type(x, _real_dtype(_aval(x).dtype))
        if s is not None:
            for i, n in enumerate(s):
                x = _resize(x, lead + i, n)
        lengths = _aval(x).shape[lead:]
        # real FFT over the last axis, then complex FFTs over the others
        x = fft_p.bind(x, fft_type=FftType.RFFT, fft_lengths=(lengths[-1],))
        if k > 1:
            x = _chunked(x, FftType.FFT, _aval(x).shape[lead:lead + k - 1], lead, last_excluded=True)
        total = int(np.prod(lengths))
    else:  # irfft
        x = lax.convert_element_type(x, _complex_dtype(_aval(x).dtype))
        shape = _aval(x).shape
        if s is None:
            out_lengths = tuple(shape[lead:-1]) + (2 * (shape[-1] - 1),)
        else:
            out_lengths = s
        for i, n in enumerate(out_lengths[:-1]):
            x = _resize(x, lead + i, n)
        x = _resize(x, nd - 1, out_lengths[-1] // 2 + 1)
        if k > 1:
            x = _chunked(x, FftType.IFFT, out_lengths[:-1], lead, last_excluded=True)
        if out_lengths[-1] < 1:
            raise ValueError(f"Invalid number of FFT data points ({out_lengths[-1]}) specified.")
        x = fft_p.bind(x, fft_type=FftType.IRFFT, fft_lengths=(out_lengths[-1],))
        total = int(np.prod(out_lengths))
    inverse = kind in ("ifft", "irfft")
    scale, apply = _norm_scale(norm, total, inverse)
    if apply:
        fix = scale * (total if inverse else 1.0)
        x = C.multiply(x, fix)
    inv_perm = list(np.argsort(perm))
    return lax.transpose(x, inv_perm) if perm != list(range(nd)) else x


def _chunked(x, t, lengths, lead, last_excluded=False):
    """Apply a complex FFT/IFFT over len(lengths) axes starting at `lead`, <= 3 axes per call."""
    nd = _aval(x).ndim
    axes = list(range(lead, lead + len(lengths)))
    while axes:
        chunk, axes = axes[-3:], axes[:-3]
        others = [i for i in range(nd) if i not in chunk]
        perm = others + chunk
        y = lax.transpose(x, perm) if perm != list(range(nd)) else x
        y = fft_p.bind(y, fft_type=t, fft_lengths=tuple(_aval(y).shape[nd - len(chunk):]))
        x = lax.transpose(y, list(np.argsort(perm))) if perm != list(range(nd)) else y
    return x


def fft(a, n=None, axis=-1, norm=None):
    return _fftn("fft", a, None if n is None else (n,), (axis,), norm, "fft")


def ifft(a, n=None, axis=-1, norm=None):
    return _fftn("ifft", a, None if n is None else (n,), (axis,), norm, "ifft")


def rfft(a, n=None, axis=-1, norm=None):
    return _fftn("rfft", a, None if n is None else (n,), (axis,), norm, "rfft")


def irfft(a, n=None, axis=-1, norm=None):
    return _fftn("irfft", a, None if n is None else (n,), (axis,), norm, "irfft")


def hfft(a, n=None, axis=-1, norm=None):
    """FFT of a Hermitian-symmetric signal given by its first half: a real spectrum."""
    a = _arr(a)
    nn = 2 * (_aval(a).shape[axis] - 1) if n is None else n
    inv_norm = {None: "forward", "backward": "forward", "ortho": "ortho", "forward": "backward"}.get(norm, norm)
    return irfft(C.conj(a), n=nn, axis=axis, norm=inv_norm)


def ihfft(a, n=None, axis=-1, norm=None):
    a = _arr(a)
    nn = _aval(a).shape[axis] if n is None else n
    inv_norm = {None: "forward", "backward": "forward", "ortho": "ortho", "forward": "backward"}.get(norm, norm)
    return C.conj(rfft(a, n=nn, axis=axis, norm=inv_norm))


def fftn(a, s=None, axes=None, norm=None):
    return _fftn("fftn", a, s, axes, norm, "fft")


def ifftn(a, s=None, axes=None, norm=None):
    return _fftn("ifftn", a, s, axes, norm, "ifft")


def rfftn(a, s=None, axes=None, norm=None):
    return _fftn("rfftn", a, s, axes, norm, "rfft")


def irfftn(a, s=None, axes=None, norm=None):
    return _fftn("irfftn", a, s, axes, norm, "irfft")


def fft2(a, s=None, axes=(-2, -1), norm=None):
    return _fftn("fft2", a, s, axes, norm, "fft")


def ifft2(a, s=None, axes=(-2, -1), norm=None):
    return _fftn("ifft2", a, s, axes, norm, "ifft")


def rfft2(a, s=None, axes=(-2, -1), norm=None):
    return _fftn("rfft2", a, s, axes, norm, "rfft")


def irfft2(a, s=None, axes=(-2, -1), norm=None):
    return _fftn("irfft2", a, s, axes, norm, "irfft")


def fftfreq(n, d=1.0, *, dtype=None, device=None):
    """Sample frequencies [0, 1, ..., n/2-1, -n/2, ..., -1] / (d*n)."""
    n = operator.index(n)
    dt = dtypes.canonicalize(dtypes.check_dtype(dtype)) if dtype is not None else dtypes.default_float()
    i = lax.iota(dtypes.int32, n)
    k = C.where(C.less(i, (n + 1) // 2), i, C.subtract(i, n))
    return C.true_divide(lax.convert_element_type(k, dt), C.multiply(d, float(n)))


def rfftfreq(n, d=1.0, *, dtype=None, device=None):
    n = operator.index(n)
    dt = dtypes.canonicalize(dtypes.check_dtype(dtype)) if dtype is not None else dtypes.default_float()
    k = lax.iota(dt, n // 2 + 1)
    return C.true_divide(k, C.multiply(d, float(n)))


def _shift(x, axes, sign):
    """Roll each of `axes` (all by default) by sign * (its length // 2)."""
    from .extra import roll
    x = _arr(x)
    shape = _aval(x).shape
    if axes is None:
        axes = tuple(range(len(shape)))
    elif isinstance(axes, (int, np.integer)):
        axes = (axes,)
    return roll(x, tuple(sign * (shape[ax] // 2) for ax in axes), axes)


def fftshift(x, axes=None):
    return _shift(x, axes, 1)


def ifftshift(x, axes=None):
    return _shift(x, axes, -1)
