"""lax.fft: one extern primitive (torch.fft) over the trailing len(fft_lengths) axes, for the four
XLA transform types. Linear: its jvp applies it to the tangent; transposes follow JAX (FFT and
IFFT are their own transposes; RFFT's is real(FFT(zero-padded ct)); IRFFT's a scaled RFFT)."""
import enum
import math

import numpy as np
import torch

from .. import dtypes
from ..ir.avals import ShapedArray
from ..interpreters import core
from ..interpreters.core import Primitive
from ..interpreters.jvp import Zero, deflinear
from ..interpreters.batching import moveaxis
from . import _ops as L

__all__ = ["fft", "FftType"]


class FftType(enum.IntEnum):
    FFT = 0
    IFFT = 1
    RFFT = 2
    IRFFT = 3


_NAMES = {"fft": FftType.FFT, "ifft": FftType.IFFT, "rfft": FftType.RFFT, "irfft": FftType.IRFFT}


def _fft_type(t):
    if isinstance(t, str):
        try:
            return _NAMES[t.lower()]
        except KeyError:
            raise ValueError(f"Unknown FFT type {t!r}; expected one of {sorted(_NAMES)}") from None
    return FftType(int(t))


def _complex_dtype(dt):
    return {dtypes.float32: dtypes.complex64, dtypes.float64: dtypes.complex128,
            np.dtype(np.float16): dtypes.complex64}.get(np.dtype(dt), np.dtype(dt))


def _real_dtype(dt):
    return {dtypes.complex64: dtypes.float32, dtypes.complex128: dtypes.float64}.get(np.dtype(dt), np.dtype(dt))


fft_p = Primitive("fft")
fft_p.extern = "fft"


def _fft_impl(x, fft_type, fft_lengths):
    k = len(fft_lengths)
    dims = tuple(range(x.dim() - k, x.dim()))
    if fft_type == FftType.FFT:
        return torch.fft.fftn(x, dim=dims)
    if fft_type == FftType.IFFT:
        return torch.fft.ifftn(x, dim=dims)
    if fft_type == FftType.RFFT:
        return torch.fft.rfftn(x, dim=dims)
    return torch.fft.irfftn(x, s=tuple(fft_lengths), dim=dims)


def _fft_abstract(x, fft_type, fft_lengths):
    k = len(fft_lengths)
    if k < 1 or k > 3:
        raise ValueError(f"fft only supports 1 to 3 transformed dimensions, got fft_lengths {fft_lengths}")
    if x.ndim < k:
        raise ValueError(f"fft_lengths {fft_lengths} has more dimensions than the operand of shape {x.shape}")
    lead, tail = x.shape[:x.ndim - k], x.shape[x.ndim - k:]
    if fft_type in (FftType.FFT, FftType.IFFT):
        if not dtypes.is_complex(x.dtype):
            raise TypeError(f"{fft_type.name} requires a complex operand, got {x.dtype}")
        if tuple(tail) != tuple(fft_lengths):
            raise ValueError(f"FFT lengths {fft_lengths} must match the trailing operand dimensions {x.shape}")
        return ShapedArray(x.shape, x.dtype, x.weak_type)
    if fft_type == FftType.RFFT:
        if not dtypes.is_float(x.dtype):
            raise TypeError(f"RFFT requires a real floating operand, got {x.dtype}")
        if tuple(tail) != tuple(fft_lengths):
            raise ValueError(f"RFFT lengths {fft_lengths} must match the trailing operand dimensions {x.shape}")
        out = lead + tuple(fft_lengths[:-1]) + (fft_lengths[-1] // 2 + 1,)
        return ShapedArray(out, _complex_dtype(x.dtype), x.weak_type)
    if not dtypes.is_complex(x.dtype):
        raise TypeError(f"IRFFT requires a complex operand, got {x.dtype}")
    want = tuple(fft_lengths[:-1]) + (fft_lengths[-1] // 2 + 1,)
    if tuple(tail) != want:
        raise ValueError(f"IRFFT lengths {fft_lengths} need trailing operand dimensions {want}, got {x.shape}")
    return ShapedArray(lead + tuple(fft_lengths), _real_dtype(x.dtype), x.weak_type)


def _rfft_transpose(ct, fft_lengths):
    # rfft(x) = FFT(complex(x))[..., :n//2+1]: pad back, FFT (the DFT matrix is symmetric), real part
    nd = core.get_aval(ct).ndim
    n = fft_lengths[-1]
    have = core.get_aval(ct).shape[-1]
    from .shape import pad_p
    from .elementwise import real_p
    full = pad_p.bind(ct, 0.0, padding_config=((0, 0, 0),) * (nd - 1) + ((0, n - have, 0),))
    y = fft_p.bind(full, fft_type=FftType.FFT, fft_lengths=tuple(fft_lengths))
    return real_p.bind(y)


def _irfft_transpose(ct, fft_lengths):
    # RFFT of the cotangent, scaled by 1/N, doubling the entries whose Hermitian twins RFFT
    # dropped; conjugated (JAX's convention for complex cotangents)
    x = fft_p.bind(ct, fft_type=FftType.RFFT, fft_lengths=tuple(fft_lengths))
    n = core.get_aval(x).shape[-1]
    dt = core.get_aval(x).dtype
    rdt = _real_dtype(dt)
    total = math.prod(fft_lengths)
    from .shape import iota_p
    i = iota_p.bind(dtype=dtypes.int32, shape=(n,), dimension=0)
    single = L.eq(i, 0)
    if fft_lengths[-1] % 2 == 0:
        single = L.or_(single, L.eq(i, n - 1))
    scale = L.select(single, L.full_like(i, 1.0 / total, dtype=rdt), L.full_like(i, 2.0 / total, dtype=rdt))
    return L.conj(L.mul(x, L.convert(scale, dt)))


def _fft_transpose(ct, x, fft_type, fft_lengths):
    if type(ct) is Zero:
        return [Zero(x.aval)]
    if fft_type == FftType.RFFT:
        return [_rfft_transpose(ct, fft_lengths)]
    if fft_type == FftType.IRFFT:
        return [_irfft_transpose(ct, fft_lengths)]
    return [fft_p.bind(ct, fft_type=fft_type, fft_lengths=fft_lengths)]


def _fft_batch(vals, dims, fft_type, fft_lengths):
    (x,), (d,) = vals, dims
    x = moveaxis(x, d, 0)
    return fft_p.bind(x, fft_type=fft_type, fft_lengths=fft_lengths), 0


fft_p.impl = _fft_impl
fft_p.abstract_eval = _fft_abstract
fft_p.batch = _fft_batch
deflinear(fft_p, _fft_transpose)


def fft(x, fft_type, fft_lengths):
    """lax.fft: FFT/IFFT (complex -> complex), RFFT (real -> complex), IRFFT (complex -> real)."""
    t = _fft_type(fft_type)
    lengths = tuple(int(n) for n in (fft_lengths if isinstance(fft_lengths, (tuple, list)) else (fft_lengths,)))
    _fft_abstract(core.get_aval(x), t, lengths)  # JAX's errors before any kernel runs
    return fft_p.bind(x, fft_type=t, fft_lengths=lengths)
