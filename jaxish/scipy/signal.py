"""jax.scipy.signal: convolutions (direct on lax.conv_general_dilated, or by FFT), detrend,
and the windowed-FFT spectral estimators (stft, istft, csd, welch), with JAX's signatures,
defaults and errors.

Differences from scipy that JAX has (and so does this module): convolve2d/correlate2d take only
boundary="fill" with fillvalue=0; results are float32/complex64 unless x64 is on; when
``nperseg`` is None the spectral functions use the whole signal (one segment) rather than
scipy's 256; windows other than "hann" come from scipy.signal.get_window when scipy is
installed (a few common ones -- hamming, blackman, boxcar, bartlett, triang -- are also built in
here so that they work without scipy).
"""
import math
import operator
import warnings
from collections.abc import Sequence

import numpy as np

from .. import dtypes
from .. import lax
from .. import numpy as jnp
from ..interpreters import core
from ..numpy._core import _array, _promote_to_inexact, check_arraylike

__all__ = ["convolve", "correlate", "convolve2d", "correlate2d", "fftconvolve", "detrend",
           "stft", "istft", "csd", "welch"]

_MODES = ("full", "same", "valid")


# --------------------------------------------------------------------------- helpers

def _inexact(name, *xs):
    check_arraylike(name, *xs)
    xs = [_array(x, f"{name} argument {i}") for i, x in enumerate(xs)]
    return [_array(x) for x in _promote_to_inexact(name, *xs)]


def _dtype(x):
    return np.dtype(core.get_aval(x).dtype)


def _is_complex(x):
    return x is not None and dtypes.is_complex(_dtype(x))


def _canon_axis(axis, ndim):
    try:
        axis = operator.index(axis)
    except TypeError:
        raise TypeError(f"axis must be a static integer, got {axis!r}") from None
    if not -ndim <= axis < ndim:
        raise ValueError(f"axis {axis} is out of bounds for array of dimension {ndim}")
    return axis % ndim


def _static_int(v, what):
    try:
        return operator.index(v)
    except TypeError:
        pass
    try:
        return int(v)
    except Exception:
        raise TypeError(f"{what} must be a concrete integer, got {v!r}") from None


def _complex_dtype(dt):
    return np.dtype(np.complex128) if np.dtype(dt) in (np.float64, np.complex128) else np.dtype(np.complex64)


def _real_of(dt):
    return np.dtype(np.float64) if np.dtype(dt) in (np.float64, np.complex128) else np.dtype(np.float32)


# --------------------------------------------------------------------------- convolutions

def _convolve_nd(in1, in2, mode, precision):
    if mode not in _MODES:
        raise ValueError("mode must be one of ['full', 'same', 'valid']")
    if in1.ndim != in2.ndim:
        raise ValueError("in1 and in2 must have the same number of dimensions")
    if in1.size == 0 or in2.size == 0:
        raise ValueError(f"zero-size arrays not supported in convolutions, got shapes "
                         f"{tuple(in1.shape)} and {tuple(in2.shape)}.")
    if in1.ndim == 0:
        return in1 * in2
    no_swap = all(s1 >= s2 for s1, s2 in zip(in1.shape, in2.shape))
    swap = all(s1 <= s2 for s1, s2 in zip(in1.shape, in2.shape))
    if not (no_swap or swap):
        raise ValueError("One input must be smaller than the other in every dimension.")
    shape_o = tuple(in2.shape)
    if swap:
        in1, in2 = in2, in1
    shape = tuple(in2.shape)
    in2 = jnp.flip(in2)
    if mode == "valid":
        padding = [(0, 0) for _ in shape]
    elif mode == "same":
        # keep the centre of the full result, with the size of the original first input
        padding = [(s - 1 - (so - 1) // 2, s - so + (so - 1) // 2) for s, so in zip(shape, shape_o)]
    else:
        padding = [(s - 1, s - 1) for s in shape]
    strides = (1,) * len(shape)
    out = lax.conv_general_dilated(in1[None, None], in2[None, None], strides, padding,
                                   precision=precision)
    return out[0, 0]


def convolve(in1, in2, mode="full", method="auto", precision=None):
    """N-dimensional convolution of two arrays (JAX's jax.scipy.signal.convolve).

    method "direct"/"auto" use lax.conv_general_dilated, "fft" uses fftconvolve."""
    if method == "fft":
        return fftconvolve(in1, in2, mode=mode)
    if method not in ("direct", "auto"):
        raise ValueError(f"Got {method=!r}; expected 'auto', 'fft', or 'direct'.")
    in1, in2 = _inexact("convolve", in1, in2)
    return _convolve_nd(in1, in2, mode, precision)


def correlate(in1, in2, mode="full", method="auto", precision=None):
    """Cross-correlation of two N-dimensional arrays (JAX's jax.scipy.signal.correlate):
    the convolution of in1 with the flipped conjugate of in2."""
    in1, in2 = _inexact("correlate", in1, in2)
    return convolve(in1, jnp.flip(jnp.conj(in2)), mode, method=method, precision=precision)


def _check_2d(name, in1, in2, boundary, fillvalue):
    if boundary != "fill" or fillvalue != 0:
        raise NotImplementedError(f"{name}() only supports boundary='fill', fillvalue=0")
    check_arraylike(name, in1, in2)
    if np.ndim(in1) != 2 or np.ndim(in2) != 2:
        raise ValueError(f"{name}() only supports 2-dimensional inputs.")


def convolve2d(in1, in2, mode="full", boundary="fill", fillvalue=0, precision=None):
    """2-D convolution (JAX's jax.scipy.signal.convolve2d; boundary='fill', fillvalue=0 only)."""
    _check_2d("convolve2d", in1, in2, boundary, fillvalue)
    in1, in2 = _inexact("convolve2d", in1, in2)
    return _convolve_nd(in1, in2, mode, precision)


def correlate2d(in1, in2, mode="full", boundary="fill", fillvalue=0, precision=None):
    """2-D cross-correlation (JAX's jax.scipy.signal.correlate2d; boundary='fill',
    fillvalue=0 only). As scipy, when in2 is the larger input the 'full' and 'valid' results
    are those of correlate2d(in2, in1) reversed/conjugated the way scipy does it."""
    _check_2d("correlate2d", in1, in2, boundary, fillvalue)
    in1, in2 = _inexact("correlate2d", in1, in2)
    swap = all(s1 <= s2 for s1, s2 in zip(in1.shape, in2.shape))
    same_shape = tuple(in1.shape) == tuple(in2.shape)
    if mode == "same":
        return jnp.flip(_convolve_nd(jnp.flip(in1), jnp.conj(in2), mode, precision))
    if mode == "valid":
        if swap and not same_shape:
            return _convolve_nd(jnp.flip(in2), jnp.conj(in1), mode, precision)
        return jnp.flip(_convolve_nd(jnp.flip(in1), jnp.conj(in2), mode, precision))
    if mode == "full":
        if swap:
            return jnp.conj(_convolve_nd(jnp.flip(in2), jnp.conj(in1), mode, precision))
        return jnp.flip(_convolve_nd(jnp.flip(in1), jnp.conj(in2), mode, precision))
    raise ValueError("mode must be one of ['full', 'same', 'valid']")


def fftconvolve(in1, in2, mode="full", axes=None):
    """Convolution by FFT (JAX's jax.scipy.signal.fftconvolve). With ``axes``, only those
    axes are convolved; the other axes must have equal sizes and are batched over."""
    in1, in2 = _inexact("fftconvolve", in1, in2)
    if in1.ndim != in2.ndim:
        raise ValueError("in1 and in2 should have the same dimensionality")
    if mode not in _MODES:
        raise ValueError("mode must be one of ['same', 'full', 'valid']")
    nd = in1.ndim
    if axes is None:
        axes = tuple(range(nd))
    else:
        if not isinstance(axes, (Sequence, np.ndarray)):
            axes = (axes,)
        axes = tuple(_canon_axis(a, nd) for a in axes)
        mapped = set(range(nd)) - set(axes)
        if any(in1.shape[i] != in2.shape[i] for i in mapped):
            raise ValueError(f"mapped axes must have same shape; got in1.shape={tuple(in1.shape)} "
                             f"in2.shape={tuple(in2.shape)} axes={axes}")
        axes = tuple(sorted(set(axes)))
    if in1.size == 0 or in2.size == 0:
        raise ValueError(f"zero-size arrays not supported in convolutions, got shapes "
                         f"{tuple(in1.shape)} and {tuple(in2.shape)}.")
    s1 = [in1.shape[a] for a in axes]
    s2 = [in2.shape[a] for a in axes]
    if mode == "valid":
        no_swap = all(a >= b for a, b in zip(s1, s2))
        swap = all(a <= b for a, b in zip(s1, s2))
        if not (no_swap or swap):
            raise ValueError("For 'valid' mode, One input must be at least as "
                             "large as the other in every dimension.")
        if swap:
            in1, in2, s1, s2 = in2, in1, s2, s1
    full = [a + b - 1 for a, b in zip(s1, s2)]
    if not axes:
        conv = in1 * in2
    elif all(a == 1 or b == 1 for a, b in zip(s1, s2)):
        conv = in1 * in2
    elif _is_complex(in1) or _is_complex(in2):
        conv = jnp.fft.ifftn(jnp.fft.fftn(in1, s=full, axes=axes) * jnp.fft.fftn(in2, s=full, axes=axes),
                             s=full, axes=axes)
    else:
        conv = jnp.fft.irfftn(jnp.fft.rfftn(in1, s=full, axes=axes) * jnp.fft.rfftn(in2, s=full, axes=axes),
                              s=full, axes=axes)
    if mode == "full":
        out = full
    elif mode == "same":
        out = s1
    else:
        out = [a - b + 1 for a, b in zip(s1, s2)]
    idx = [slice(None)] * nd
    for a, f, o in zip(axes, full, out):
        start = (f - o) // 2
        idx[a] = slice(start, start + o)
    return conv[tuple(idx)]


# --------------------------------------------------------------------------- detrend

def detrend(data, axis=-1, type="linear", bp=0, overwrite_data=None):
    """Remove a linear (least-squares, piecewise between breakpoints ``bp``) or constant
    (mean) trend along ``axis`` (JAX's jax.scipy.signal.detrend)."""
    if overwrite_data is not None:
        raise NotImplementedError("overwrite_data argument not implemented.")
    if type not in ("constant", "linear"):
        raise ValueError("Trend type must be 'linear' or 'constant'.")
    (x,) = _inexact("detrend", data)
    if x.ndim == 0:
        raise ValueError("detrend: data must have at least one dimension")
    axis = _canon_axis(axis, x.ndim)
    if type == "constant":
        return x - jnp.mean(x, axis=axis, keepdims=True)
    N = x.shape[axis]
    try:
        bp_np = np.asarray(bp)
    except Exception:
        raise TypeError(f"bp must be static integers, got {bp!r}") from None
    if bp_np.dtype.kind not in "iu" and not (bp_np.dtype.kind == "f" and np.all(bp_np == np.round(bp_np))):
        raise TypeError(f"bp must be integer breakpoints, got {bp!r}")
    bps = np.sort(np.unique(np.r_[0, bp_np.astype(np.int64).ravel(), N]))
    if bps[0] < 0 or bps[-1] > N:
        raise ValueError("Breakpoints must be non-negative and less than length of data along given axis.")
    dt = _dtype(x)
    rdt = _real_of(dt)
    pieces = []
    for lo, hi in zip(bps[:-1], bps[1:]):
        lo, hi = int(lo), int(hi)
        seg = lax.slice_in_dim(x, lo, hi, axis=axis)
        npts = hi - lo
        # least-squares fit of [1, t] with t = (1..npts)/npts, in closed form
        t = np.arange(1, npts + 1, dtype=np.float64) / npts
        tc = t - t.mean()
        denom = float((tc * tc).sum())
        shape = [1] * x.ndim
        shape[axis] = npts
        mean = jnp.mean(seg, axis=axis, keepdims=True)
        res = seg - mean
        if denom > 0:
            tcv = jnp.asarray(tc.astype(rdt).reshape(shape))
            slope = jnp.sum(res * tcv, axis=axis, keepdims=True) / np.asarray(denom, rdt)
            res = res - slope * tcv
        pieces.append(res)
    return pieces[0] if len(pieces) == 1 else jnp.concatenate(pieces, axis=axis)


# --------------------------------------------------------------------------- windows

def _np_window(name, n):
    """Periodic (fftbins=True) windows as scipy.signal.get_window builds them."""
    if n == 1:
        return np.ones(1)
    k = np.arange(n)
    name = name.lower()

    def gcos(a):
        fac = 2 * np.pi * k / n
        return sum(((-1) ** i) * c * np.cos(i * fac) for i, c in enumerate(a))

    if name in ("hann", "han", "hanning"):
        return gcos([0.5, 0.5])
    if name in ("hamming", "hamm", "ham"):
        return gcos([0.54, 0.46])
    if name in ("blackman", "black", "blk"):
        return gcos([0.42, 0.50, 0.08])
    if name in ("boxcar", "box", "ones", "rect", "rectangular"):
        return np.ones(n)
    if name in ("bartlett", "bart", "brt"):
        m = n + 1
        kk = np.arange(m)
        w = np.where(kk <= (m - 1) / 2.0, 2.0 * kk / (m - 1), 2.0 - 2.0 * kk / (m - 1))
        return w[:n]
    if name in ("triangle", "triang", "tri"):
        m = n + 1
        kk = np.arange(1, (m + 1) // 2 + 1)
        if m % 2 == 0:
            w = (2 * kk - 1.0) / m
            w = np.r_[w, w[::-1]]
        else:
            w = 2 * kk / (m + 1.0)
            w = np.r_[w, w[-2::-1]]
        return w[:n]
    return None


def _get_window(window, n, dtype):
    if window == "hann":
        if n == 1:
            win = jnp.array([1.0])
        else:
            win = jnp.sin(jnp.linspace(0, np.pi, n, endpoint=False)) ** 2
        return win.astype(dtype)
    try:
        from scipy.signal import get_window
    except ImportError:
        get_window = None
    if get_window is not None:
        return jnp.asarray(np.asarray(get_window(window, n)), dtype=dtype)
    if isinstance(window, str):
        w = _np_window(window, n)
        if w is not None:
            return jnp.asarray(w, dtype=dtype)
    raise ImportError(f"scipy must be available to use window={window!r}")


def _triage_segments(window, nperseg, input_length, dtype):
    if isinstance(window, (str, tuple)):
        n = input_length if nperseg is None else int(nperseg)
        if n > input_length:
            warnings.warn(f"nperseg={n} is greater than input_length={input_length}, "
                          f"using nperseg={input_length}")
            n = input_length
        return _get_window(window, n, dtype), n
    check_arraylike("window", window)
    win = jnp.asarray(window, dtype=dtype)
    n = win.size if nperseg is None else int(nperseg)
    if win.ndim != 1:
        raise ValueError("window must be 1-D")
    if input_length < win.size:
        raise ValueError("window is longer than input signal")
    if n != win.size:
        raise ValueError("value specified for nperseg is different from length of window")
    return win, n


# --------------------------------------------------------------------------- spectral helpers

def _segments(x, nperseg, noverlap):
    """x[..., L] -> x[..., nseg, nperseg] (overlapping frames)."""
    L = x.shape[-1]
    step = nperseg - noverlap
    starts = np.arange(0, L - nperseg + 1, step)
    idx = starts[:, None] + np.arange(nperseg)[None, :]
    return x[..., jnp.asarray(idx)]


def _fft_helper(x, win, detrend_func, nperseg, noverlap, nfft, sides):
    if dtypes.is_int(_dtype(x)):
        x = x.astype(_dtype(win))
    result = _segments(x, nperseg, noverlap)
    result = detrend_func(result)
    if _is_complex(win) and not _is_complex(result):
        result = result.astype(_complex_dtype(_dtype(result)))
    result = win.reshape((1,) * (result.ndim - 1) + (nperseg,)) * result
    if sides == "twosided":
        return jnp.fft.fft(result, n=nfft)
    return jnp.fft.rfft(jnp.real(result), n=nfft)


def _odd_ext(x, n, axis=-1):
    if n < 1:
        return x
    if n > x.shape[axis] - 1:
        raise ValueError(f"The extension length n ({n}) is too big. "
                         f"It must not exceed x.shape[axis]-1, which is {x.shape[axis] - 1}.")
    left_end = lax.slice_in_dim(x, 0, 1, axis=axis)
    left_ext = jnp.flip(lax.slice_in_dim(x, 1, n + 1, axis=axis), axis=axis)
    L = x.shape[axis]
    right_end = lax.slice_in_dim(x, L - 1, L, axis=axis)
    right_ext = jnp.flip(lax.slice_in_dim(x, L - n - 1, L - 1, axis=axis), axis=axis)
    return jnp.concatenate((2 * left_end - left_ext, x, 2 * right_end - right_ext), axis=axis)


def _pad_func(mode, **kw):
    def pad(x, n, axis=-1):
        widths = [(0, 0)] * x.ndim
        widths[axis] = (n, n)
        return jnp.pad(x, widths, mode, **kw)
    return pad


_BOUNDARY = {
    "even": _pad_func("reflect"),
    "odd": _odd_ext,
    "constant": _pad_func("edge"),
    "zeros": _pad_func("constant", constant_values=0.0),
    None: lambda x, *a, **k: x,
}


def _pad_end(x, n):
    if n <= 0:
        return x
    return jnp.concatenate((x, jnp.zeros((*x.shape[:-1], n), _dtype(x))), axis=-1)


def _spectral_helper(x, y, fs=1.0, window="hann", nperseg=None, noverlap=None, nfft=None,
                     detrend_type="constant", return_onesided=True, scaling="density",
                     axis=-1, mode="psd", boundary=None, padded=False):
    if mode not in ("psd", "stft"):
        raise ValueError(f"Unknown value for mode {mode}, must be one of: ('psd', 'stft')")
    if boundary not in _BOUNDARY:
        raise ValueError(f"Unknown boundary option '{boundary}', "
                         f"must be one of: {list(_BOUNDARY.keys())}")
    if y is None:
        (x,) = _inexact("spectral_helper", x)
        if x.ndim == 0:
            raise ValueError("input must have at least one dimension")
        axis = _canon_axis(axis, x.ndim)
        outershape = tuple(s for i, s in enumerate(x.shape) if i != axis)
        y_arr = None
    else:
        if mode != "psd":
            raise ValueError("two-argument mode is available only when mode=='psd'")
        x, y_arr = _inexact("spectral_helper", x, y)
        if x.ndim != y_arr.ndim:
            raise ValueError(f"two-arguments must have the same rank ({x.ndim} vs {y_arr.ndim}).")
        if x.ndim == 0:
            raise ValueError("inputs must have at least one dimension")
        axis = _canon_axis(axis, x.ndim)
        try:
            outershape = np.broadcast_shapes(tuple(s for i, s in enumerate(x.shape) if i != axis),
                                             tuple(s for i, s in enumerate(y_arr.shape) if i != axis))
        except ValueError as err:
            raise ValueError("x and y cannot be broadcast together.") from err

    xdt = _dtype(x)
    result_dtype = _complex_dtype(xdt)
    freq_dtype = _real_of(result_dtype)

    nperseg_int = None
    if nperseg is not None:
        nperseg_int = _static_int(nperseg, "nperseg of windowed-FFT")
        if nperseg_int < 1:
            raise ValueError("nperseg must be a positive integer")
    win, nperseg_int = _triage_segments(window, nperseg_int, x.shape[axis], xdt)
    noverlap_int = nperseg_int // 2 if noverlap is None else _static_int(noverlap, "noverlap of windowed-FFT")
    nfft_int = nperseg_int if nfft is None else _static_int(nfft, "nfft of windowed-FFT")

    if y is None:
        if x.size == 0:
            return (jnp.zeros(x.shape, freq_dtype), jnp.zeros(x.shape, freq_dtype),
                    jnp.zeros(x.shape, result_dtype))
    elif x.size == 0 or y_arr.size == 0:
        shape = list(outershape)
        shape.insert(axis, min(x.shape[axis], y_arr.shape[axis]))
        shape = tuple(shape)
        return (jnp.zeros(shape, freq_dtype), jnp.zeros(shape, freq_dtype), jnp.zeros(shape, result_dtype))

    x = jnp.moveaxis(x, axis, -1)
    if y_arr is not None:
        y_arr = jnp.moveaxis(y_arr, axis, -1)
        if x.shape[-1] < y_arr.shape[-1]:
            x = _pad_end(x, y_arr.shape[-1] - x.shape[-1])
        elif y_arr.shape[-1] < x.shape[-1]:
            y_arr = _pad_end(y_arr, x.shape[-1] - y_arr.shape[-1])

    if nfft_int < nperseg_int:
        raise ValueError("nfft must be greater than or equal to nperseg.")
    if noverlap_int >= nperseg_int:
        raise ValueError("noverlap must be less than nperseg.")
    nstep = nperseg_int - noverlap_int

    if boundary is not None:
        ext = _BOUNDARY[boundary]
        x = ext(x, nperseg_int // 2, axis=-1)
        if y_arr is not None:
            y_arr = ext(y_arr, nperseg_int // 2, axis=-1)

    if padded:
        nadd = (-(x.shape[-1] - nperseg_int) % nstep) % nperseg_int
        x = _pad_end(x, nadd)
        if y_arr is not None:
            y_arr = _pad_end(y_arr, nadd)

    if isinstance(detrend_type, str):
        def detrend_func(d):
            return detrend(d, type=detrend_type, axis=-1)
    elif callable(detrend_type):
        detrend_func = detrend_type
    elif not detrend_type:
        def detrend_func(d):
            return d
    else:
        raise ValueError(f"Unsupported detrend type: {detrend_type}")

    if scaling == "density":
        scale = 1.0 / (fs * jnp.sum(win * win))
    elif scaling == "spectrum":
        scale = 1.0 / jnp.sum(win) ** 2
    else:
        raise ValueError(f"Unknown scaling: {scaling}")
    if mode == "stft":
        scale = jnp.sqrt(scale)
    scale = jnp.asarray(scale).astype(_complex_dtype(_dtype(jnp.asarray(scale))))

    if return_onesided:
        sides = "onesided"
        if _is_complex(x) or _is_complex(y_arr):
            sides = "twosided"
            warnings.warn("Input data is complex, switching to return_onesided=False")
    else:
        sides = "twosided"
    if sides == "twosided":
        freqs = jnp.fft.fftfreq(nfft_int, 1 / fs, dtype=freq_dtype)
    else:
        freqs = jnp.fft.rfftfreq(nfft_int, 1 / fs, dtype=freq_dtype)

    result = _fft_helper(x, win, detrend_func, nperseg_int, noverlap_int, nfft_int, sides)
    if y_arr is not None:
        result_y = _fft_helper(y_arr, win, detrend_func, nperseg_int, noverlap_int, nfft_int, sides)
        result = jnp.conj(result) * result_y
    elif mode == "psd":
        result = jnp.conj(result) * result
    result = result * scale

    if sides == "onesided" and mode == "psd":
        end = None if nfft_int % 2 else -1
        result = result.at[..., 1:end].multiply(2)

    time = np.arange(nperseg_int / 2, x.shape[-1] - nperseg_int / 2 + 1, nstep)
    time = jnp.asarray(time, dtype=freq_dtype) / fs
    if boundary is not None:
        time = time - (nperseg_int / 2) / fs

    result = result.astype(result_dtype)
    if y_arr is None and mode != "stft":
        result = jnp.real(result)
    result = jnp.moveaxis(result, -1, axis)
    return freqs, time, result


def stft(x, fs=1.0, window="hann", nperseg=256, noverlap=None, nfft=None, detrend=False,
         return_onesided=True, boundary="zeros", padded=True, axis=-1):
    """Short-time Fourier transform (JAX's jax.scipy.signal.stft).

    Returns (f, t, Zxx): frequencies, segment times, and the STFT with the frequency axis at
    ``axis`` and the segment (time) axis last."""
    return _spectral_helper(x, None, fs, window, nperseg, noverlap, nfft, detrend,
                            return_onesided, scaling="spectrum", axis=axis, mode="stft",
                            boundary=boundary, padded=padded)


def _median_bias(n):
    ii_2 = np.arange(2.0, n, 2)
    return 1 + np.sum(1.0 / (ii_2 + 1) - 1.0 / ii_2)


def csd(x, y, fs=1.0, window="hann", nperseg=None, noverlap=None, nfft=None,
        detrend="constant", return_onesided=True, scaling="density", axis=-1, average="mean"):
    """Cross power spectral density by Welch's method (JAX's jax.scipy.signal.csd).

    Returns (f, Pxy); with ``y=None`` it is the (real-valued) power spectral density of x."""
    freqs, _, Pxy = _spectral_helper(x, y, fs, window, nperseg, noverlap, nfft, detrend,
                                     return_onesided, scaling, axis, mode="psd")
    if y is not None:
        Pxy = Pxy.astype(_complex_dtype(_dtype(Pxy)))
    if Pxy.ndim >= 2 and Pxy.size > 0:
        if Pxy.shape[-1] > 1:
            if average == "median":
                bias = np.asarray(_median_bias(Pxy.shape[-1]), _real_of(_dtype(Pxy)))
                if _is_complex(Pxy):
                    Pxy = lax.complex(jnp.median(jnp.real(Pxy), axis=-1),
                                      jnp.median(jnp.imag(Pxy), axis=-1))
                else:
                    Pxy = jnp.median(Pxy, axis=-1)
                Pxy = Pxy / bias
            elif average == "mean":
                Pxy = jnp.mean(Pxy, axis=-1)
            else:
                raise ValueError(f'average must be "median" or "mean", got {average}')
        else:
            Pxy = jnp.reshape(Pxy, Pxy.shape[:-1])
    return freqs, Pxy


def welch(x, fs=1.0, window="hann", nperseg=None, noverlap=None, nfft=None,
          detrend="constant", return_onesided=True, scaling="density", axis=-1, average="mean"):
    """Power spectral density by Welch's method (JAX's jax.scipy.signal.welch)."""
    freqs, Pxx = csd(x, None, fs=fs, window=window, nperseg=nperseg, noverlap=noverlap,
                     nfft=nfft, detrend=detrend, return_onesided=return_onesided,
                     scaling=scaling, axis=axis, average=average)
    return freqs, jnp.real(Pxx)


# --------------------------------------------------------------------------- istft

def _overlap_and_add(frames, step):
    """frames[..., nframes, seglen] -> [..., step * (nframes - 1) + seglen], summing overlaps."""
    *batch, nframes, seglen = frames.shape
    out_len = step * (nframes - 1) + seglen
    idx = (np.arange(nframes)[:, None] * step + np.arange(seglen)[None, :]).ravel()
    flat = frames.reshape((*batch, nframes * seglen))
    out = jnp.zeros((*batch, out_len), _dtype(frames))
    return out.at[..., jnp.asarray(idx)].add(flat)


def istft(Zxx, fs=1.0, window="hann", nperseg=None, noverlap=None, nfft=None,
          input_onesided=True, boundary=True, time_axis=-1, freq_axis=-2):
    """Inverse short-time Fourier transform (JAX's jax.scipy.signal.istft).

    Returns (t, x). As in JAX, ``noverlap`` of None (or 0) means nperseg // 2."""
    check_arraylike("istft", Zxx)
    Zxx = _array(Zxx, "istft argument 0")
    if Zxx.ndim < 2:
        raise ValueError("Input stft must be at least 2d!")
    freq_axis = _canon_axis(freq_axis, Zxx.ndim)
    time_axis = _canon_axis(time_axis, Zxx.ndim)
    if freq_axis == time_axis:
        raise ValueError("Must specify differing time and frequency axes!")
    zdt = _dtype(Zxx)
    Zxx = Zxx.astype(_complex_dtype(dtypes.to_inexact(zdt)))

    n_default = 2 * (Zxx.shape[freq_axis] - 1) if input_onesided else Zxx.shape[freq_axis]
    nperseg_int = _static_int(nperseg or n_default, "nperseg: segment length of STFT")
    if nperseg_int < 1:
        raise ValueError("nperseg must be a positive integer")
    if nfft is None:
        nfft_int = n_default
        if input_onesided and nperseg_int == n_default + 1:
            nfft_int += 1  # odd nperseg, no FFT padding
    else:
        nfft_int = _static_int(nfft, "nfft of STFT")
    if nfft_int < nperseg_int:
        raise ValueError(f"FFT length ({nfft_int}) must be longer than nperseg ({nperseg_int}).")
    noverlap_int = _static_int(noverlap or nperseg_int // 2, "noverlap of STFT")
    if noverlap_int >= nperseg_int:
        raise ValueError("noverlap must be less than nperseg.")
    nstep = nperseg_int - noverlap_int

    nd = Zxx.ndim
    if time_axis != nd - 1 or freq_axis != nd - 2:
        outer = tuple(i for i in range(nd) if i not in (time_axis, freq_axis))
        Zxx = jnp.transpose(Zxx, outer + (freq_axis, time_axis))

    if input_onesided:
        xsubs = jnp.fft.irfft(Zxx, n=nfft_int, axis=-2)
    else:
        xsubs = jnp.fft.ifft(Zxx, n=nfft_int, axis=-2)
    xsubs = xsubs[..., :nperseg_int, :]
    xdt = _dtype(xsubs)

    if isinstance(window, (str, tuple)):
        win = _get_window(window, nperseg_int, _real_of(xdt)).astype(xdt)
    else:
        check_arraylike("istft", window)
        win = jnp.asarray(window)
        if win.ndim != 1:
            raise ValueError("window must be 1-D")
        if win.shape[0] != nperseg_int:
            raise ValueError(f"window must have length of {nperseg_int}")
    xsubs = xsubs * jnp.sum(win)  # undo the 'spectrum' scaling

    winc = win.reshape((1,) * (xsubs.ndim - 2) + (nperseg_int, 1))
    frames = jnp.swapaxes(xsubs * winc, -2, -1)
    x = _overlap_and_add(frames, nstep)
    nframes = xsubs.shape[-1]
    wsq = jnp.broadcast_to(jnp.reshape(win * win, (1, nperseg_int)), (nframes, nperseg_int))
    norm = _overlap_and_add(wsq, nstep)

    if boundary:
        h = nperseg_int // 2
        L = x.shape[-1]
        x = x[..., h:L - h]
        norm = norm[..., h:L - h]
    x = x / jnp.where(norm > 1e-10, norm, 1.0)

    if x.ndim > 1 and time_axis != nd - 1:
        if freq_axis < time_axis:
            time_axis -= 1
        x = jnp.moveaxis(x, -1, time_axis)

    time = jnp.arange(x.shape[0], dtype=_real_of(_dtype(x))) / fs
    return time, x
