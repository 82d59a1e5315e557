"""More of jax.numpy, built from lax primitives (so every function differentiates, vmaps and
jits through its primitives' rules): differences, padding in every JAX mode, roll/tile/repeat,
triangles and diagonals, meshgrid/kron, histograms and bincount, nan-aware reductions,
quantiles, insert/delete, select/piecewise, interp, cross, 1-D convolution, polyval."""
import builtins
import operator

import numpy as np

from .. import dtypes
from ..interpreters import core
from .. import lax
from ..lax import _ops as L
from . import _core as C
from ._core import _array as _arr, check_arraylike, promote_args, _promote_to_inexact
from .creation import asarray, zeros, arange, linspace
from . import reductions as R
import importlib as _importlib
S = _importlib.import_module(".shape", __package__)  # (the package attribute `shape` is the function)

__all__ = ["diff", "ediff1d", "pad", "roll", "tile", "repeat", "tril", "triu", "tril_indices", "triu_indices",
           "tril_indices_from", "triu_indices_from", "diag_indices", "diag_indices_from", "meshgrid", "kron",
           "histogram", "histogram_bin_edges", "bincount", "digitize", "nansum", "nanprod", "nanmax", "nanmin",
           "nanmean", "nanvar", "nanstd", "nanargmax", "nanargmin", "nancumsum", "nancumprod", "median",
           "quantile", "percentile", "nanmedian", "nanquantile", "nanpercentile", "trace", "diagonal", "diag",
           "diagflat", "insert", "delete", "append", "select", "piecewise", "interp", "cross", "convolve",
           "correlate", "polyval", "rot90", "indices", "ix_", "unravel_index", "ravel_multi_index", "vander",
           "trapezoid", "cov", "corrcoef", "fill_diagonal"]


def _aval(x):
    return core.get_aval(x)


def _axis(axis, nd, name):
    axis = operator.index(axis)
    if not -nd <= axis < builtins.max(nd, 1):
        raise ValueError(f"{name}: axis {axis} is out of bounds for array of dimension {nd}")
    return axis % nd if nd else 0


def _concrete_ints(x, what):
    """A numpy int array from a static value (Python ints, numpy, or a concrete jaxish array)."""
    if isinstance(x, core.Tracer):
        v = x.to_concrete_value()
        if v is None:
            raise core.ConcretizationTypeError(x, f"The error arose for {what}, which must be static.")
        x = v
    return np.asarray(x)


# ---- differences ------------------------------------------------------------------------------
def diff(a, n=1, axis=-1, prepend=None, append=None):
    """n-th discrete difference along axis (bool arrays: not_equal)."""
    a = _arr(a, "diff argument a")
    nd = _aval(a).ndim
    if nd == 0:
        raise ValueError(f"diff requires input that is at least one dimensional; got {a}")
    n = operator.index(n)
    if n < 0:
        raise ValueError(f"order must be non-negative but got {n}")
    if n == 0:
        return a
    axis = _axis(axis, nd, "diff")
    parts = []
    for extra in (prepend, a, append):
        if extra is None:
            continue
        e = _arr(extra)
        if _aval(e).ndim == 0:
            shape = list(_aval(a).shape)
            shape[axis] = 1
            e = S.broadcast_to(e, shape)
        parts.append(e)
    if len(parts) > 1:
        a = S.concatenate(parts, axis)
    is_bool = _aval(a).dtype == dtypes.bool_
    for _ in range(n):
        m = _aval(a).shape[axis]
        hi = lax.slice_in_dim(a, 1, m, axis=axis)
        lo = lax.slice_in_dim(a, 0, builtins.max(m - 1, 0), axis=axis)
        a = C.not_equal(hi, lo) if is_bool else C.subtract(hi, lo)
    return a


def ediff1d(ary, to_end=None, to_begin=None):
    check_arraylike("ediff1d", ary)
    for extra in (to_end, to_begin):
        check_arraylike("ediff1d", extra)
    ary = S.ravel(_arr(ary))
    R.refuse_bool("sub", _aval(ary).dtype)
    out = diff(ary) if _aval(ary).shape[0] else ary
    parts = []
    if to_begin is not None:
        parts.append(S.ravel(asarray(to_begin, _aval(ary).dtype)))
    parts.append(out)
    if to_end is not None:
        parts.append(S.ravel(asarray(to_end, _aval(ary).dtype)))
    return S.concatenate(parts) if len(parts) > 1 else out


# ---- pad --------------------------------------------------------------------------------------
def _pad_pairs(pad_width, nd, name="pad_width"):
    pw = _concrete_ints(pad_width, name)
    if pw.dtype.kind not in "iu":
        if pw.size and not np.all(np.equal(np.mod(pw, 1), 0)):
            raise TypeError(f"`{name}` must be of integral type.")
        pw = pw.astype(np.int64)
    try:
        pw = np.broadcast_to(pw, (nd, 2))
    except ValueError:
        raise ValueError(f"jnp.pad: {name} {pad_width} cannot be broadcast to ({nd}, 2)") from None
    if np.any(pw < 0):
        raise ValueError(f"index can't contain negative values, got {name}={pad_width}")
    return [(int(lo), int(hi)) for lo, hi in pw]


def _value_pairs(vals, nd, name):
    if isinstance(vals, core.Tracer) or (isinstance(vals, (list, tuple)) and builtins.any(
            isinstance(v, core.Tracer) for v in np.ravel(np.asarray(vals, dtype=object)))):
        v = _arr(vals)
        if _aval(v).ndim == 0:
            return [(v, v)] * nd
        v = S.broadcast_to(v, (nd, 2))
        return [(v[i, 0], v[i, 1]) for i in range(nd)]
    arr = np.asarray(vals)
    if arr.dtype == object:
        arr = np.asarray(vals, dtype=float)
    arr = np.broadcast_to(arr, (nd, 2))
    return [(arr[i, 0].item(), arr[i, 1].item()) for i in range(nd)]


def _take_static(x, idx, axis):
    """x gathered along axis with a static integer index vector (a contiguous run -> a slice)."""
    idx = np.asarray(idx, dtype=np.int64)
    if idx.size and np.array_equal(idx, np.arange(idx[0], idx[0] + idx.size)):
        return lax.slice_in_dim(x, int(idx[0]), int(idx[0]) + idx.size, axis=axis)
    from ..lax.indexing import gather_nd_p
    moved = lax.transpose(x, (axis,) + tuple(i for i in range(_aval(x).ndim) if i != axis)) if axis else x
    out = gather_nd_p.bind(moved, asarray(idx.astype(np.int32)), mode="clip", fill_value=None)
    nd = _aval(x).ndim
    if axis:
        out = lax.transpose(out, tuple(range(1, axis + 1)) + (0,) + tuple(range(axis + 1, nd)))
    return out


def _pad_constant(x, pads, values):
    dt = _aval(x).dtype
    uniform = builtins.all(not isinstance(v, core.Tracer) for pair in values for v in pair) and \
        len({v for pair in values for v in pair}) == 1
    if uniform:
        v = values[0][0]
        v = C._scalar_to(v, dt) if not isinstance(v, (np.ndarray,)) else v
        return lax.pad(x, lax.convert_element_type(asarray(v), dt), [(lo, hi, 0) for lo, hi in pads])
    nd = _aval(x).ndim
    for ax in range(nd):
        lo, hi = pads[ax]
        for amount, val, before in ((lo, values[ax][0], True), (hi, values[ax][1], False)):
            if not amount:
                continue
            cfg = [(0, 0, 0)] * nd
            cfg[ax] = (amount, 0, 0) if before else (0, amount, 0)
            x = lax.pad(x, lax.convert_element_type(_arr(val), dt), cfg)
    return x


def _extended_axes(x, pads):
    """(axis, lo, hi, size) of each padded axis, for the modes that extend an array with its own
    values (padding one axis leaves the others' sizes alone); an empty axis has none to use."""
    for ax, (lo, hi) in enumerate(pads):
        if not (lo or hi):
            continue
        n = _aval(x).shape[ax]
        if n == 0:
            raise ValueError(f"can't extend empty axis {ax} using modes other than 'constant' or 'empty'")
        yield ax, lo, hi, n


def _pad_index_mode(x, pads, mode):
    for ax, lo, hi, n in _extended_axes(x, pads):
        idx = np.pad(np.arange(n), (lo, hi), mode=mode)
        x = _take_static(x, idx, ax)
    return x


def _pad_reflect(x, pads, mode, reflect_type):
    offset = 1 if mode == "reflect" else 0
    for ax, lo, hi, n in _extended_axes(x, pads):
        if n == 1 and mode == "reflect":
            x = _pad_index_mode(x, [(0, 0)] * ax + [(lo, hi)] + [(0, 0)] * (_aval(x).ndim - ax - 1), "edge")
            continue

        def build(x, padding, before):
            edge = lax.slice_in_dim(x, 0, 1, axis=ax) if before else \
                lax.slice_in_dim(x, _aval(x).shape[ax] - 1, _aval(x).shape[ax], axis=ax)
            while padding > 0:
                cur = builtins.min(padding, n - offset)
                padding -= cur
                size = _aval(x).shape[ax]
                if before:
                    piece = lax.slice_in_dim(x, offset, offset + cur, axis=ax)
                else:
                    piece = lax.slice_in_dim(x, size - cur - offset, size - offset, axis=ax)
                piece = lax.rev(piece, (ax,))
                if reflect_type == "odd":
                    piece = C.subtract(C.multiply(edge, 2), piece)
                    if n > 1:
                        k = _aval(piece).shape[ax]
                        edge = lax.slice_in_dim(piece, 0, 1, axis=ax) if before else \
                            lax.slice_in_dim(piece, k - 1, k, axis=ax)
                x = lax.concatenate([piece, x] if before else [x, piece], ax)
            return x
        x = build(x, lo, True)
        x = build(x, hi, False)
    return x


def _pad_linear_ramp(x, pads, end_values):
    dt = _aval(x).dtype
    cdt = dt if dtypes.is_inexact(dt) else dtypes.default_float()
    nd = _aval(x).ndim
    for ax, (lo, hi) in enumerate(pads):
        n = _aval(x).shape[ax]
        if n == 0 and (lo or hi):
            raise ValueError(f"can't extend empty axis {ax} using modes other than 'constant' or 'empty'")
        parts = []
        for amount, end, before in ((lo, end_values[ax][0], True), (hi, end_values[ax][1], False)):
            if not amount:
                parts.append(None)
                continue
            size = _aval(x).shape[ax]
            edge = lax.slice_in_dim(x, 0, 1, axis=ax) if before else lax.slice_in_dim(x, size - 1, size, axis=ax)
            edge = lax.convert_element_type(edge, cdt)
            frac = lax.iota(cdt, amount)
            frac = C.true_divide(frac, float(amount))
            shape = [1] * nd
            shape[ax] = amount
            frac = lax.reshape(frac, shape)
            end_a = lax.convert_element_type(_arr(end), cdt)
            ramp = C.add(end_a, C.multiply(C.subtract(edge, end_a), frac))
            if not dtypes.is_inexact(dt):
                ramp = C.floor(ramp)
            ramp = lax.convert_element_type(ramp, dt)
            if not before:
                ramp = lax.rev(ramp, (ax,))
            parts.append(ramp)
        x = lax.concatenate([p for p in (parts[0], x, parts[1]) if p is not None], ax)
    return x


def _pad_stats(x, pads, stat_length, stat):
    nd = _aval(x).ndim
    dt = _aval(x).dtype
    if stat_length is not None:
        stat_length = _pad_pairs(stat_length, nd, "stat_length")
    for ax, lo, hi, n in _extended_axes(x, pads):
        sb, sa = (n, n) if stat_length is None else stat_length[ax]
        sb, sa = builtins.max(1, builtins.min(sb, n)), builtins.max(1, builtins.min(sa, n))
        vb = stat(lax.slice_in_dim(x, 0, sb, axis=ax), axis=ax, keepdims=True)
        va = stat(lax.slice_in_dim(x, n - sa, n, axis=ax), axis=ax, keepdims=True)
        if not dtypes.is_inexact(dt):
            vb, va = C.round(vb), C.round(va)
        vb, va = lax.convert_element_type(vb, dt), lax.convert_element_type(va, dt)
        parts = []
        if lo:
            parts.append(repeat(vb, lo, axis=ax))
        parts.append(x)
        if hi:
            parts.append(repeat(va, hi, axis=ax))
        x = lax.concatenate(parts, ax)
    return x


_PAD_MODES = ("constant", "edge", "linear_ramp", "maximum", "mean", "median", "minimum", "reflect",
              "symmetric", "wrap", "empty")


def pad(array, pad_width, mode="constant", **kwargs):
    """numpy.pad with JAX's modes (constant, edge, linear_ramp, maximum, mean, median, minimum,
    reflect, symmetric, wrap, empty); pad_width must be static."""
    x = _arr(array, "pad argument array")
    nd = _aval(x).ndim
    if callable(mode):
        raise NotImplementedError("jnp.pad with a callable mode is not supported")
    if mode not in _PAD_MODES:
        raise NotImplementedError(f"Unimplemented padding mode '{mode}' for np.pad.")
    allowed = {"constant": {"constant_values"}, "linear_ramp": {"end_values"},
               "maximum": {"stat_length"}, "mean": {"stat_length"}, "median": {"stat_length"},
               "minimum": {"stat_length"}, "reflect": {"reflect_type"}, "symmetric": {"reflect_type"}}.get(mode, set())
    bad = set(kwargs) - allowed
    if bad:
        raise ValueError(f"unsupported keyword arguments for mode '{mode}': {bad}")
    if nd == 0:
        return x
    pads = _pad_pairs(pad_width, nd)
    if mode in ("constant", "empty"):
        return _pad_constant(x, pads, _value_pairs(kwargs.get("constant_values", 0), nd, "constant_values"))
    if mode in ("edge", "wrap"):
        return _pad_index_mode(x, pads, mode)
    if mode in ("reflect", "symmetric"):
        rt = kwargs.get("reflect_type", "even")
        if rt not in ("even", "odd"):
            raise ValueError(f"unsupported reflect_type {rt!r}")
        return _pad_reflect(x, pads, mode, rt)
    if mode == "linear_ramp":
        return _pad_linear_ramp(x, pads, _value_pairs(kwargs.get("end_values", 0), nd, "end_values"))
    stat = {"maximum": R.max, "minimum": R.min, "mean": R.mean, "median": median}[mode]
    return _pad_stats(x, pads, kwargs.get("stat_length"), stat)


# ---- roll / tile / repeat ---------------------------------------------------------------------
def _roll_static(a, shift, axis):
    n = _aval(a).shape[axis]
    if n == 0:
        return a
    s = shift % n
    if s == 0:
        return a
    return lax.concatenate([lax.slice_in_dim(a, n - s, n, axis=axis), lax.slice_in_dim(a, 0, n - s, axis=axis)], axis)


def _roll_dynamic(a, shift, axis):
    n = _aval(a).shape[axis]
    if n == 0:
        return a
    shift = lax.convert_element_type(_arr(shift), dtypes.int32)
    start = C.remainder(C.subtract(n, C.remainder(shift, n)), n)
    doubled = lax.concatenate([a, a], axis)
    return lax.dynamic_slice_in_dim(doubled, start, n, axis)


def roll(a, shift, axis=None):
    """Elements shifted along axis (None: the flattened array), wrapping around."""
    a = _arr(a, "roll argument a")
    if axis is None:
        shape = _aval(a).shape
        return S.reshape(roll(S.ravel(a), shift, 0), shape)
    nd = _aval(a).ndim
    axes = (axis,) if isinstance(axis, (int, np.integer)) else tuple(axis)
    if isinstance(shift, (int, np.integer)):
        shifts = (int(shift),)
    elif isinstance(shift, core.Tracer) and shift.to_concrete_value() is None:
        shifts = None
    else:
        shifts = tuple(int(s) for s in np.ravel(np.asarray(shift)))
    if shifts is None:
        sh = _arr(shift)
        if _aval(sh).ndim == 0:
            sh_list = [sh] * len(axes) if len(axes) > 1 else [sh]
        else:
            sh_list = [sh[i] for i in range(_aval(sh).shape[0])]
        if len(sh_list) == 1 and len(axes) > 1:
            sh_list = sh_list * len(axes)
        if len(axes) == 1 and len(sh_list) > 1:
            axes = axes * len(sh_list)
        for s, ax in zip(sh_list, axes):
            a = _roll_dynamic(a, s, _axis(ax, nd, "roll"))
        return a
    if len(shifts) == 1 and len(axes) > 1:
        shifts = shifts * len(axes)
    if len(axes) == 1 and len(shifts) > 1:
        axes = axes * len(shifts)
    if len(shifts) != len(axes):
        raise ValueError(f"roll: shift {shift} and axis {axis} must have the same length")
    for s, ax in zip(shifts, axes):
        a = _roll_static(a, s, _axis(ax, nd, "roll"))
    return a


def tile(A, reps):
    A = _arr(A, "tile argument A")
    reps = (operator.index(reps),) if isinstance(reps, (int, np.integer)) else tuple(operator.index(r) for r in reps)
    av = _aval(A)
    nd = builtins.max(len(reps), av.ndim)
    shape = (1,) * (nd - av.ndim) + av.shape
    reps = (1,) * (nd - len(reps)) + reps
    A = lax.reshape(A, shape)
    bshape = []
    for r, s in zip(reps, shape):
        bshape += [r, s]
    out = lax.broadcast_in_dim(A, bshape, tuple(range(1, 2 * nd, 2)))
    return lax.reshape(out, tuple(r * s for r, s in zip(reps, shape)))


def _along(a, axis, fn, argname):
    """(array, normalized axis) for jnp.<fn>(..., axis): axis None works on the flattened array."""
    a = _arr(a, f"{fn} argument {argname}")
    if axis is None:
        return S.ravel(a), 0
    return a, _axis(axis, _aval(a).ndim, fn)


def repeat(a, repeats, axis=None, *, total_repeat_length=None):
    """Each element repeated; array repeats need concrete values or a static total_repeat_length."""
    check_arraylike("repeat", a, repeats)
    a, axis = _along(a, axis, "repeat", "a")
    av = _aval(a)
    n = av.shape[axis]
    if isinstance(repeats, (int, np.integer)):
        r = int(repeats)
        if r < 0:
            raise ValueError(f"repeats may not contain negative values, got {r}")
        if total_repeat_length is not None and total_repeat_length != r * n:
            repeats = np.full((n,), r)
        else:
            shape = av.shape[:axis + 1] + (r,) + av.shape[axis + 1:]
            out = lax.broadcast_in_dim(a, shape, tuple(i for i in range(len(shape)) if i != axis + 1))
            return lax.reshape(out, av.shape[:axis] + (n * r,) + av.shape[axis + 1:])
    concrete = None
    if not isinstance(repeats, core.Tracer) or repeats.to_concrete_value() is not None:
        concrete = np.broadcast_to(np.asarray(repeats if not isinstance(repeats, core.Tracer)
                                              else repeats.to_concrete_value()), (n,)).astype(np.int64)
    if concrete is not None and total_repeat_length is None:
        if np.any(concrete < 0):
            raise ValueError("repeats may not contain negative values")
        idx = np.repeat(np.arange(n), concrete)
        return _take_static(a, idx, axis)
    if total_repeat_length is None:
        raise core.ConcretizationTypeError(
            repeats, "jnp.repeat with non-constant repeats requires a static total_repeat_length.")
    total = operator.index(total_repeat_length)
    reps = S.broadcast_to(_arr(repeats), (n,))
    ends = R.cumsum(reps)
    from .sorting import searchsorted
    idx = searchsorted(ends, arange(total, dtype=dtypes.int32), side="right")
    from ..lax.indexing import gather_nd_p
    moved = lax.transpose(a, (axis,) + tuple(i for i in range(av.ndim) if i != axis)) if axis else a
    out = gather_nd_p.bind(moved, idx, mode="clip", fill_value=None)
    if axis:
        out = lax.transpose(out, tuple(range(1, axis + 1)) + (0,) + tuple(range(axis + 1, av.ndim)))
    return out


# ---- triangles and diagonals ------------------------------------------------------------------
def _tri_mask(shape, k, lower):
    n, m = shape[-2:]
    r = lax.broadcasted_iota(dtypes.int32, (n, m), 0)
    c = lax.broadcasted_iota(dtypes.int32, (n, m), 1)
    return L.ge(L.add(r, int(k)), c) if lower else L.le(L.add(r, int(k)), c)


def tril(m, k=0):
    m = _arr(m, "tril argument m")
    av = _aval(m)
    if av.ndim < 2:
        raise ValueError("Argument to jax.numpy.tril must be at least 2D")
    return L.select(_tri_mask(av.shape, k, True), m, lax.full_like(m, 0))


def triu(m, k=0):
    m = _arr(m, "triu argument m")
    av = _aval(m)
    if av.ndim < 2:
        raise ValueError("Argument to jax.numpy.triu must be at least 2D")
    return L.select(_tri_mask(av.shape, k - 1, True), lax.full_like(m, 0), m)


def tril_indices(n, k=0, m=None):
    return tuple(asarray(i.astype(dtypes.default_int())) for i in np.tril_indices(n, k, m))


def triu_indices(n, k=0, m=None):
    return tuple(asarray(i.astype(dtypes.default_int())) for i in np.triu_indices(n, k, m))


def tril_indices_from(arr, k=0):
    s = _aval(_arr(arr)).shape
    return tril_indices(s[-2], k, s[-1])


def triu_indices_from(arr, k=0):
    s = _aval(_arr(arr)).shape
    return triu_indices(s[-2], k, s[-1])


def diag_indices(n, ndim=2):
    if n < 0 or ndim < 0:
        raise ValueError(f"n and ndim must be non-negative, got {n} and {ndim}")
    return (lax.iota(dtypes.default_int(), n),) * ndim


def diag_indices_from(arr):
    s = _aval(_arr(arr)).shape
    if len(set(s)) != 1 or len(s) < 2:
        raise ValueError("All dimensions of input must be of equal length")
    return diag_indices(s[0], len(s))


def diagonal(a, offset=0, axis1=0, axis2=1):
    """The diagonal (offset above/below the main one) of the axis1/axis2 planes, as the last axis."""
    a = _arr(a, "diagonal argument a")
    av = _aval(a)
    if av.ndim < 2:
        raise ValueError("diagonal requires an array of at least two dimensions.")
    a1, a2 = _axis(axis1, av.ndim, "diagonal"), _axis(axis2, av.ndim, "diagonal")
    if a1 == a2:
        raise ValueError("axis1 and axis2 must not be equal")
    offset = operator.index(offset)
    n1, n2 = av.shape[a1], av.shape[a2]
    r0, c0 = builtins.max(-offset, 0), builtins.max(offset, 0)
    k = builtins.max(0, builtins.min(n1 - r0, n2 - c0))
    rest = [i for i in range(av.ndim) if i not in (a1, a2)]
    moved = lax.transpose(a, (a1, a2) + tuple(rest))
    from ..lax.indexing import gather_nd_p
    i = lax.iota(dtypes.int32, k)
    out = gather_nd_p.bind(moved, L.add(i, r0), L.add(i, c0), mode="clip", fill_value=None)
    nr = len(rest)
    return lax.transpose(out, tuple(range(1, nr + 1)) + (0,)) if nr else out


def trace(a, offset=0, axis1=0, axis2=1, dtype=None, out=None):
    if out is not None:
        raise NotImplementedError("The 'out' argument to jnp.trace is not supported.")
    return R.sum(diagonal(a, offset, axis1, axis2), axis=-1, dtype=dtype)


def diag(v, k=0):
    """1-D input: a 2-D array with v on diagonal k; 2-D input: its k-th diagonal."""
    v = _arr(v, "diag argument v")
    av = _aval(v)
    k = operator.index(k)
    if av.ndim == 2:
        return diagonal(v, k)
    if av.ndim != 1:
        raise ValueError("diag input must be 1d or 2d")
    n = av.shape[0] + builtins.abs(k)
    i = lax.iota(dtypes.int32, av.shape[0])
    from ..lax.indexing import scatter_nd_p
    z = lax.full((n, n), 0, av.dtype)
    return scatter_nd_p.bind(z, v, L.add(i, builtins.max(-k, 0)), L.add(i, builtins.max(k, 0)), mode="add")


def diagflat(v, k=0):
    return diag(S.ravel(_arr(v)), k)


def fill_diagonal(a, val, wrap=False, *, inplace=True):
    if inplace:
        raise NotImplementedError("JAX arrays are immutable, must use inplace=False")
    a = _arr(a)
    av = _aval(a)
    if av.ndim < 2:
        raise ValueError("array must be at least 2-d")
    if av.ndim > 2 and len(set(av.shape)) != 1:
        raise ValueError("All dimensions of input must be of equal length")
    n = builtins.min(av.shape)
    if av.ndim == 2 and wrap and av.shape[0] > av.shape[1]:
        step = av.shape[1] + 1
        flat_idx = np.arange(0, av.size, step)
        flat = S.ravel(a)
        vals = S.ravel(S.broadcast_to(_arr(val), (flat_idx.size,))) if _aval(_arr(val)).size in (1, flat_idx.size) \
            else _take_static(S.ravel(_arr(val)), np.resize(np.arange(_aval(_arr(val)).size), flat_idx.size), 0)
        return S.reshape(flat.at[asarray(flat_idx.astype(np.int32))].set(vals), av.shape)
    idx = (lax.iota(dtypes.int32, n),) * av.ndim
    val = _arr(val)
    vs = S.ravel(val)
    m = _aval(vs).shape[0]
    if m not in (1, n):
        vs = _take_static(vs, np.resize(np.arange(m), n), 0)
    return a.at[idx].set(lax.convert_element_type(vs, av.dtype) if m != 1 else lax.convert_element_type(vs[0], av.dtype))


# ---- grids and products -----------------------------------------------------------------------
def meshgrid(*xi, copy=True, sparse=False, indexing="xy"):
    if indexing not in ("xy", "ij"):
        raise ValueError(f"Valid values for indexing are 'xy' and 'ij', got {indexing}")
    args = [S.ravel(_arr(x)) for x in xi]
    nd = len(args)
    shapes = [_aval(x).shape[0] for x in args]
    if indexing == "xy" and nd > 1:
        shapes[0], shapes[1] = shapes[1], shapes[0]
    out = []
    for i, x in enumerate(args):
        pos = i
        if indexing == "xy" and nd > 1 and i < 2:
            pos = 1 - i
        if sparse:
            s = [1] * nd
            s[pos] = _aval(x).shape[0]
            out.append(lax.reshape(x, s))
        else:
            out.append(lax.broadcast_in_dim(x, tuple(shapes), (pos,)))
    return out


def kron(a, b):
    a, b = promote_args("kron", a, b)
    a, b = _arr(a), _arr(b)
    R.refuse_bool("mul", _aval(a).dtype)
    na, nb = _aval(a).ndim, _aval(b).ndim
    nd = builtins.max(na, nb)
    a = lax.reshape(a, (1,) * (nd - na) + _aval(a).shape)
    b = lax.reshape(b, (1,) * (nd - nb) + _aval(b).shape)
    sa, sb = _aval(a).shape, _aval(b).shape
    a_e = lax.reshape(a, tuple(d for s in sa for d in (s, 1)))
    b_e = lax.reshape(b, tuple(d for s in sb for d in (1, s)))
    return lax.reshape(C.multiply(a_e, b_e), tuple(x * y for x, y in zip(sa, sb)))


def vander(x, N=None, increasing=False):
    x = _arr(x)
    if _aval(x).ndim != 1:
        raise ValueError("x must be a one-dimensional array")
    N = _aval(x).shape[0] if N is None else operator.index(N)
    if N < 0:
        raise ValueError("N must be nonnegative")
    p = lax.iota(dtypes.int32, N)
    if not increasing:
        p = L.sub(N - 1, p)
    return C.power(lax.reshape(x, (_aval(x).shape[0], 1)), lax.reshape(p, (1, N)))


def indices(dimensions, dtype=None, sparse=False):
    dt = dtypes.canonicalize(dtypes.check_dtype(dtype)) if dtype is not None else dtypes.default_int()
    dimensions = tuple(operator.index(d) for d in dimensions)
    nd = len(dimensions)
    out = []
    for i, d in enumerate(dimensions):
        if sparse:
            s = [1] * nd
            s[i] = d
            out.append(lax.broadcasted_iota(dt, tuple(s), i))
        else:
            out.append(lax.broadcasted_iota(dt, dimensions, i))
    return tuple(out) if sparse else S.stack(out) if out else zeros((0,), dt)


def ix_(*args):
    n = len(args)
    out = []
    for i, a in enumerate(args):
        a = _arr(a)
        if _aval(a).ndim != 1:
            raise ValueError(f"Cross index must be 1 dimensional, got shape {_aval(a).shape}")
        if _aval(a).dtype == dtypes.bool_:
            raise NotImplementedError("Boolean arguments to jnp.ix_ are not supported")
        s = [1] * n
        s[i] = _aval(a).shape[0]
        out.append(lax.reshape(a, s))
    return tuple(out)


def unravel_index(indices, shape):
    indices = _arr(indices)
    shape = tuple(operator.index(d) for d in shape)
    idt = _aval(indices).dtype
    total = int(np.prod(shape, dtype=np.int64))
    # out-of-bounds flat indices are clipped, as JAX does
    i = C.clip(indices, -total, total - 1) if total else indices
    i = C.where(C.less(i, 0), C.add(i, total), i)
    out = []
    for d in reversed(shape):
        out.append(C.remainder(i, d))
        i = C.floor_divide(i, d)
    return tuple(lax.convert_element_type(o, idt) for o in reversed(out))


def ravel_multi_index(multi_index, dims, mode="raise", order="C"):
    if order != "C":
        raise NotImplementedError("ravel_multi_index only supports order='C'")
    dims = tuple(operator.index(d) for d in dims)
    if len(multi_index) != len(dims):
        raise ValueError(f"parameter multi_index must be a sequence of length {len(dims)}")
    idx = [_arr(i) for i in multi_index]
    if mode == "raise":
        for i, d in zip(idx, dims):
            v = i if not isinstance(i, core.Tracer) else i.to_concrete_value()
            if v is None:
                raise core.ConcretizationTypeError(i, "The error arose in jnp.ravel_multi_index(): pass "
                                                      "mode='wrap' or mode='clip' under transformations.")
            if np.any(np.asarray(v) < 0) or np.any(np.asarray(v) >= d):
                raise ValueError("invalid entry in coordinates array")
    elif mode == "wrap":
        idx = [C.remainder(i, d) for i, d in zip(idx, dims)]
    elif mode == "clip":
        idx = [C.clip(i, 0, d - 1) for i, d in zip(idx, dims)]
    else:
        raise ValueError(f"invalid mode={mode!r}. Expected 'raise', 'wrap', or 'clip'")
    out = None
    for i, d in zip(idx, dims):
        out = i if out is None else C.add(C.multiply(out, d), i)
    return out


# ---- histograms -------------------------------------------------------------------------------
def histogram_bin_edges(a, bins=10, range=None, weights=None):
    a = S.ravel(_arr(a, "histogram argument a"))
    dt = _aval(a).dtype
    fdt = dtypes.to_inexact(dt)
    if not isinstance(bins, (int, np.integer)) and not (isinstance(bins, core.Tracer) and _aval(bins).ndim == 0):
        return lax.convert_element_type(_arr(bins), fdt)
    bins = operator.index(bins)
    if bins < 1:
        raise ValueError(f"`bins` must be positive, when an integer, got {bins}")
    if range is None:
        lo, hi = R.min(a), R.max(a)
    else:
        lo, hi = range
        if not (isinstance(lo, core.Tracer) or isinstance(hi, core.Tracer)) and float(lo) > float(hi):
            raise ValueError("max must be larger than min in range parameter.")
    lo = lax.convert_element_type(_arr(lo), fdt)
    hi = lax.convert_element_type(_arr(hi), fdt)
    same = C.equal(lo, hi)
    lo = C.where(same, C.subtract(lo, 0.5), lo)
    hi = C.where(same, C.add(hi, 0.5), hi)
    return linspace(lo, hi, bins + 1, dtype=fdt)


def histogram(a, bins=10, range=None, weights=None, density=None):
    """(counts, bin_edges); the last bin includes its right edge; values outside are dropped."""
    a = S.ravel(_arr(a, "histogram argument a"))
    edges = histogram_bin_edges(a, bins, range, weights)
    nb = _aval(edges).shape[0]
    from .sorting import searchsorted
    af = lax.convert_element_type(a, _aval(edges).dtype)
    idx = searchsorted(edges, af, side="right")
    last = lax.slice(edges, (nb - 1,), (nb,))
    idx = C.where(C.equal(af, lax.reshape(last, ())), nb - 1, idx)
    if weights is None:
        wts = lax.full_like(a, 1, dtype=_aval(edges).dtype)
    else:
        wts = S.ravel(_arr(weights))
        if _aval(wts).shape != _aval(a).shape:
            raise ValueError("weights should have the same shape as a.")
        if density:
            wts = lax.convert_element_type(wts, _aval(edges).dtype) if not dtypes.is_inexact(_aval(wts).dtype) else wts
    from ..lax.indexing import scatter_nd_p
    counts = scatter_nd_p.bind(lax.full((nb,), 0, _aval(wts).dtype), wts, idx, mode="add")
    counts = lax.slice(counts, (1,), (nb,))
    if density:
        widths = diff(edges)
        counts = C.true_divide(C.true_divide(counts, widths), R.sum(counts))
    return counts, edges


def bincount(x, weights=None, minlength=0, *, length=None):
    """Counts of each non-negative int; under jit pass a static length (larger values dropped)."""
    x = _arr(x, "bincount argument x")
    xv = _aval(x)
    if not dtypes.is_int(xv.dtype) and xv.dtype != dtypes.bool_:
        raise TypeError(f"x argument to bincount must have an integer type; got {xv.dtype}")
    if xv.ndim != 1:
        raise ValueError("only 1-dimensional input supported.")
    minlength = operator.index(minlength)
    if minlength < 0:
        raise ValueError("minlength must not be negative")
    if length is None:
        v = x.to_concrete_value() if isinstance(x, core.Tracer) else x
        if v is None:
            raise core.ConcretizationTypeError(
                x, "The error arose in jnp.bincount(): pass a static `length=` to use it under jit.")
        vals = np.asarray(v)
        length = builtins.max(minlength, int(vals.max()) + 1 if vals.size else 0)
    else:
        length = operator.index(length)
    if weights is None:
        wts = lax.full(xv.shape, 1, dtypes.default_int())
    else:
        wts = _arr(weights)
        if _aval(wts).ndim == 0:
            wts = S.broadcast_to(wts, xv.shape)
    idx = C.maximum(lax.convert_element_type(x, dtypes.int32) if xv.dtype == dtypes.bool_ else x, 0)
    from ..lax.indexing import scatter_nd_p
    return scatter_nd_p.bind(lax.full((length,), 0, _aval(wts).dtype), wts, idx, mode="add")


def digitize(x, bins, right=False, *, method=None):
    x, bins = _arr(x), _arr(bins)
    if _aval(bins).ndim != 1:
        raise ValueError(f"digitize: bins must be a 1-dimensional array; got bins={bins}")
    n = _aval(bins).shape[0]
    if n == 0:
        return lax.full_like(x, 0, dtype=dtypes.int32)
    from .sorting import searchsorted
    side = "left" if right else "right"
    fwd = searchsorted(bins, x, side=side)
    rev = L.sub(n, searchsorted(lax.rev(bins, (0,)), x, side=side))
    first, last = bins[0], bins[-1]
    return C.where(C.greater_equal(last, first), fwd, rev)


# ---- nan-aware reductions ---------------------------------------------------------------------
def _nan_to(a, value):
    a = _arr(a)
    if not dtypes.is_inexact(_aval(a).dtype):
        return a, None
    mask = C.isnan(a)
    return C.where(mask, value, a), mask


def nansum(a, axis=None, dtype=None, out=None, keepdims=False, initial=None, where=None):
    a, _ = _nan_to(a, 0)
    return R.sum(a, axis=axis, dtype=dtype, keepdims=keepdims, initial=initial, where=where)


def nanprod(a, axis=None, dtype=None, out=None, keepdims=False, initial=None, where=None):
    a, _ = _nan_to(a, 1)
    return R.prod(a, axis=axis, dtype=dtype, keepdims=keepdims, initial=initial, where=where)


def _nan_extreme(fn, fill):
    def f(a, axis=None, out=None, keepdims=False, initial=None, where=None):
        a = _arr(a, f"{fn.__name__} argument a")
        if not dtypes.is_inexact(_aval(a).dtype):
            return fn(a, axis=axis, keepdims=keepdims, initial=initial, where=where)
        filled, mask = _nan_to(a, fill)
        res = fn(filled, axis=axis, keepdims=keepdims, initial=initial, where=where)
        all_nan = R.all(mask, axis=axis, keepdims=keepdims) if where is None else \
            R.all(C.logical_or(mask, C.logical_not(where)), axis=axis, keepdims=keepdims)
        if initial is not None:
            return res
        return C.where(all_nan, np.nan, res)
    return f


nanmax = _nan_extreme(R.max, -np.inf)
nanmax.__name__ = "nanmax"
nanmin = _nan_extreme(R.min, np.inf)
nanmin.__name__ = "nanmin"


def _nan_arg(fn, fill, name):
    def f(a, axis=None, out=None, keepdims=False):
        a = _arr(a, f"{name} argument a")
        if not dtypes.is_inexact(_aval(a).dtype):
            return fn(a, axis=axis, keepdims=keepdims)
        filled, mask = _nan_to(a, fill)
        res = fn(filled, axis=axis, keepdims=keepdims)
        return C.where(R.all(mask, axis=axis, keepdims=keepdims), -1, res)
    f.__name__ = name
    return f


nanargmax = _nan_arg(R.argmax, -np.inf, "nanargmax")
nanargmin = _nan_arg(R.argmin, np.inf, "nanargmin")


def nanmean(a, axis=None, dtype=None, out=None, keepdims=False, where=None):
    a = _arr(a, "nanmean argument a")
    R.refuse_bool("div", dtype)
    dt = _aval(a).dtype
    if not dtypes.is_inexact(dt):
        return R.mean(a, axis=axis, dtype=dtype, keepdims=keepdims, where=where)
    filled, mask = _nan_to(a, 0)
    keep = C.logical_not(mask)
    if where is not None:
        keep = C.logical_and(keep, where)
    cnt = R.sum(keep, axis=axis, keepdims=keepdims, dtype=dtype or dt)
    s = R.sum(filled, axis=axis, keepdims=keepdims, dtype=dtype, where=where)
    return C.true_divide(s, cnt)


def nanvar(a, axis=None, dtype=None, out=None, ddof=0, keepdims=False, where=None, correction=None):
    if correction is not None:
        ddof = correction
    a = _arr(a, "nanvar argument a")
    dt = _aval(a).dtype
    if not dtypes.is_inexact(dt):
        return R.var(a, axis=axis, dtype=dtype, ddof=ddof, keepdims=keepdims, where=where)
    filled, mask = _nan_to(a, 0)
    keep = C.logical_not(mask)
    if where is not None:
        keep = C.logical_and(keep, where)
    cnt = R.sum(keep, axis=axis, keepdims=True, dtype=dt)
    mean = C.true_divide(R.sum(C.where(keep, filled, 0), axis=axis, keepdims=True), cnt)
    c = C.where(keep, C.subtract(filled, mean), 0)
    sq = C.real(C.multiply(c, C.conj(c))) if dtypes.is_complex(dt) else C.multiply(c, c)
    s = R.sum(sq, axis=axis, keepdims=keepdims)
    cnt = R.sum(keep, axis=axis, keepdims=keepdims, dtype=_aval(s).dtype)
    out = C.true_divide(s, C.maximum(C.subtract(cnt, float(ddof)), 0.0))
    return lax.convert_element_type(out, dtypes.canonicalize(dtypes.check_dtype(dtype))) if dtype is not None else out


def nanstd(a, axis=None, dtype=None, out=None, ddof=0, keepdims=False, where=None, correction=None):
    return C.sqrt(nanvar(a, axis, dtype, out, ddof, keepdims, where=where, correction=correction))


def nancumsum(a, axis=None, dtype=None, out=None):
    a, _ = _nan_to(a, 0)
    return R.cumsum(a, axis=axis, dtype=dtype)


def nancumprod(a, axis=None, dtype=None, out=None):
    a, _ = _nan_to(a, 1)
    return R.cumprod(a, axis=axis, dtype=dtype)


def cumulative_sum(x, /, *, axis=None, dtype=None, include_initial=False):
    x = _arr(x)
    nd = _aval(x).ndim
    if axis is None:
        if nd > 1:
            raise ValueError("The input array has more than 1 dimension; `axis` must be specified")
        axis = 0
    out = R.cumsum(x, axis=axis, dtype=dtype)
    if include_initial:
        ax = _axis(axis, nd, "cumulative_sum")
        cfg = [(0, 0, 0)] * nd
        cfg[ax] = (1, 0, 0)
        out = lax.pad(out, lax.convert_element_type(asarray(0), _aval(out).dtype), cfg)
    return out


# ---- quantiles --------------------------------------------------------------------------------
_METHODS = ("linear", "lower", "higher", "midpoint", "nearest")


def _quantile(a, q, axis, method, keepdims, squash_nans, name):
    if method not in _METHODS:
        raise ValueError(f"{name}: method must be one of {_METHODS}, got {method!r}")
    a = _arr(a, f"{name} argument a")
    (a,) = _promote_to_inexact(name, a)   # alone, as JAX: int32 data gives float32 quantiles under x64 too
    a, q = _arr(a), _arr(q)
    if dtypes.is_complex(_aval(a).dtype) or dtypes.is_complex(_aval(q).dtype):
        raise ValueError(f"{name} does not support complex input")
    q = lax.convert_element_type(q, _aval(a).dtype)
    qv = _aval(q)
    if qv.ndim > 1:
        raise ValueError(f"q must be have rank <= 1, got shape {qv.shape}")
    av = _aval(a)
    if av.ndim == 0:
        a, av = lax.reshape(a, (1,)), _aval(lax.reshape(a, (1,)))
    if axis is None:
        axes = tuple(range(av.ndim))
    else:
        axes = (axis,) if isinstance(axis, (int, np.integer)) else tuple(axis)
        axes = tuple(sorted(_axis(x, av.ndim, name) for x in axes))
    rest = [i for i in range(av.ndim) if i not in axes]
    keep_shape = tuple(1 if i in axes else av.shape[i] for i in range(av.ndim))
    a = lax.transpose(a, tuple(rest) + axes)
    a = lax.reshape(a, tuple(av.shape[i] for i in rest) + (int(np.prod([av.shape[i] for i in axes])),))
    axis = _aval(a).ndim - 1
    x = lax.transpose(a, tuple(i for i in range(_aval(a).ndim) if i != axis) + (axis,)) \
        if axis != _aval(a).ndim - 1 else a
    xs = _aval(x).shape
    lead, n = xs[:-1], xs[-1]
    dt = _aval(x).dtype
    if squash_nans:
        x = C.where(C.isnan(x), np.nan, x)
        x = lax.sort(x, dimension=len(xs) - 1)
        counts = R.sum(C.logical_not(C.isnan(x)), axis=-1, dtype=dt)  # shape lead
    else:
        anynan = R.any(C.isnan(x), axis=-1, keepdims=True)
        x = C.where(anynan, np.nan, x)
        x = lax.sort(x, dimension=len(xs) - 1)
        counts = lax.full(lead, n, dt)
    qq = lax.reshape(q, qv.shape + (1,) * len(lead))
    cnt = lax.reshape(counts, (1,) * qv.ndim + lead)
    pos = C.multiply(qq, C.subtract(cnt, 1.0))
    low = C.floor(pos)
    high = C.ceil(pos)
    hw = C.subtract(pos, low)
    lw = C.subtract(1.0, hw)
    top = C.maximum(C.subtract(cnt, 1.0), 0.0)
    low = C.clip(low, 0.0, top)
    high = C.clip(high, 0.0, top)
    out_shape = qv.shape + lead
    low_i = S.broadcast_to(lax.convert_element_type(low, dtypes.int32), out_shape)
    high_i = S.broadcast_to(lax.convert_element_type(high, dtypes.int32), out_shape)
    xb = lax.broadcast_in_dim(x, qv.shape + xs, tuple(range(qv.ndim, qv.ndim + len(xs))))
    take = lambda idx: lax.reshape(lax.take_along_axis(xb, lax.reshape(idx, out_shape + (1,)), len(out_shape)),
                                   out_shape)
    lo_v, hi_v = take(low_i), take(high_i)
    if method == "linear":
        res = C.add(C.multiply(lo_v, lw), C.multiply(hi_v, hw))
    elif method == "lower":
        res = lo_v
    elif method == "higher":
        res = hi_v
    elif method == "nearest":
        res = C.where(C.less_equal(hw, 0.5), lo_v, hi_v)
    else:
        res = C.multiply(C.add(lo_v, hi_v), 0.5)
    if keepdims:
        res = lax.reshape(res, qv.shape + keep_shape)
    rv = _aval(res)   # JAX's quantiles are never weak (a weak q or int input must not make them so)
    return lax.convert_element_type(res, rv.dtype) if rv.weak_type else res


def quantile(a, q, axis=None, out=None, overwrite_input=False, method="linear", keepdims=False, *,
             interpolation=None):
    return _quantile(a, q, axis, interpolation or method, keepdims, False, "quantile")


def nanquantile(a, q, axis=None, out=None, overwrite_input=False, method="linear", keepdims=False, *,
                interpolation=None):
    return _quantile(a, q, axis, interpolation or method, keepdims, True, "nanquantile")


def percentile(a, q, axis=None, out=None, overwrite_input=False, method="linear", keepdims=False, *,
               interpolation=None):
    (q,) = _promote_to_inexact("percentile", q)
    return quantile(a, C.true_divide(q, 100.0), axis, method=interpolation or method, keepdims=keepdims)


def nanpercentile(a, q, axis=None, out=None, overwrite_input=False, method="linear", keepdims=False, *,
                  interpolation=None):
    (q,) = _promote_to_inexact("nanpercentile", q)
    return nanquantile(a, C.true_divide(q, 100.0), axis, method=interpolation or method, keepdims=keepdims)


def median(a, axis=None, out=None, overwrite_input=False, keepdims=False):
    return quantile(a, 0.5, axis=axis, keepdims=keepdims, method="midpoint")


def nanmedian(a, axis=None, out=None, overwrite_input=False, keepdims=False):
    return nanquantile(a, 0.5, axis=axis, keepdims=keepdims, method="midpoint")


# ---- insert / delete / append -----------------------------------------------------------------
def _static_obj(obj, what):
    if isinstance(obj, slice):
        return obj
    if isinstance(obj, core.Tracer):
        v = obj.to_concrete_value()
        if v is None:
            raise core.ConcretizationTypeError(obj, f"jnp.{what} requires a static index argument.")
        obj = v
    return np.asarray(obj) if not isinstance(obj, (int, np.integer)) else int(obj)


def delete(arr, obj, axis=None, *, assume_unique_indices=False):
    """arr without the entries obj (int, slice or static index array) along axis."""
    check_arraylike("delete", arr, obj)
    a, axis = _along(arr, axis, "delete", "arr")
    av = _aval(a)
    n = av.shape[axis]
    obj = _static_obj(obj, "delete")
    if isinstance(obj, np.ndarray) and obj.dtype == np.bool_:
        if obj.shape != (n,):
            raise ValueError(f"boolean array argument obj to delete must be one dimensional and match the axis "
                             f"length of {n}")
        keep = np.nonzero(~obj)[0]
    else:
        if isinstance(obj, int) and not -n <= obj < n:
            raise IndexError(f"index {obj} is out of bounds for axis {axis} with size {n}")
        keep = np.delete(np.arange(n), obj)
    return _take_static(a, keep, axis)


def insert(arr, obj, values, axis=None):
    """numpy.insert with a static obj; values may be traced (placed by a static index map)."""
    check_arraylike("insert", arr, obj)
    a, axis = _along(arr, axis, "insert", "arr")
    av = _aval(a)
    obj = _static_obj(obj, "insert")
    values = _arr(values)
    values = lax.convert_element_type(values, av.dtype) if _aval(values).dtype != av.dtype else values
    vv = _aval(values)
    # Insert negative codes into a code array with numpy's rules, then gather by the codes.
    codes = np.arange(av.size, dtype=np.int64).reshape(av.shape)
    vcodes = -1 - np.arange(vv.size, dtype=np.int64).reshape(vv.shape)
    out_codes = np.insert(codes, obj, vcodes, axis=axis)
    src = S.concatenate([S.ravel(a), S.ravel(values)]) if vv.size else S.ravel(a)
    flat_idx = np.where(out_codes >= 0, out_codes, av.size + (-1 - out_codes))
    from ..lax.indexing import gather_nd_p
    res = gather_nd_p.bind(src, asarray(flat_idx.astype(np.int32)), mode="clip", fill_value=None)
    return res


def append(arr, values, axis=None):
    if axis is None:
        return S.concatenate([S.ravel(_arr(arr)), S.ravel(_arr(values))], 0)
    return S.concatenate([arr, values], axis)


# ---- selection --------------------------------------------------------------------------------
def select(condlist, choicelist, default=0):
    """Elements from the first choice whose condition holds, else default."""
    if len(condlist) != len(choicelist):
        raise ValueError(f"list of cases must be same length as list of conditions; got {len(condlist)} and "
                         f"{len(choicelist)}")
    if len(condlist) == 0:
        raise ValueError("condlist must be non-empty")
    conds = [_arr(c) for c in condlist]
    conds = [c if _aval(c).dtype == dtypes.bool_ else C.not_equal(c, 0) for c in conds]   # as JAX: nonzero
    out = default
    for c, v in reversed(list(zip(conds, choicelist))):
        out = C.where(c, v, out)
    return _arr(out)


def piecewise(x, condlist, funclist, *args, **kw):
    """Apply funclist[i] where condlist[i] holds (later conditions win); an extra function is the
    otherwise case. Every function is evaluated on all of x, as under jit."""
    x = _arr(x, "piecewise argument x")
    dt = _aval(x).dtype
    if isinstance(condlist, (list, tuple)):
        conds = [_arr(c) for c in condlist]
    else:
        c = _arr(condlist)
        conds = [c] if _aval(c).shape == _aval(x).shape else [c[i] for i in range(_aval(c).shape[0])]
    nc = len(conds)
    funcs = list(funclist)
    if len(funcs) == nc + 1:
        otherwise = funcs.pop()
    elif len(funcs) == nc:
        otherwise = 0
    else:
        raise ValueError(f"with {nc} condition(s), either {nc} or {nc + 1} functions are expected")

    def value(f):
        v = f(x, *args, **kw) if callable(f) else f
        return lax.convert_element_type(S.broadcast_to(_arr(v), _aval(x).shape), dt)
    out = value(otherwise)
    for c, f in zip(conds, funcs):
        out = C.where(c, value(f), out)
    return out


# ---- interpolation, geometry, polynomials -----------------------------------------------------
def interp(x, xp, fp, left=None, right=None, period=None):
    """Piecewise-linear interpolation of (xp, fp) at x; xp increasing."""
    x, xp, fp = _promote_to_inexact("interp", x, xp, fp)
    x, xp, fp = _arr(x), _arr(xp), _arr(fp)
    if _aval(xp).ndim != 1 or _aval(fp).ndim != 1:
        raise ValueError("xp and fp must be one-dimensional")
    if _aval(xp).shape != _aval(fp).shape:
        raise ValueError("xp and fp must be of the same length")
    if _aval(xp).shape[0] == 0:
        raise ValueError("xp and fp must be non-empty")
    if period is not None:
        if isinstance(period, (int, float)) and period == 0:
            raise ValueError(f"period must be a non-zero value; got {period}")
        period = C.abs(asarray(period))
        x = C.remainder(x, period)
        xp = C.remainder(xp, period)
        from .sorting import argsort
        order = argsort(xp)
        xp, fp = xp[order], fp[order]
        xp = S.concatenate([C.subtract(xp[-1:], period), xp, C.add(xp[:1], period)])
        fp = S.concatenate([fp[-1:], fp, fp[:1]])
    n = _aval(xp).shape[0]
    from .sorting import searchsorted
    from ..lax.indexing import gather_nd_p
    if n == 1:
        f = C.add(C.multiply(x, 0.0), fp[0])
    else:
        i = C.clip(searchsorted(xp, x, side="right"), 1, n - 1)
        g = lambda v, j: gather_nd_p.bind(v, j, mode="clip", fill_value=None)
        xl, xr = g(xp, L.sub(i, 1)), g(xp, i)
        fl, fr = g(fp, L.sub(i, 1)), g(fp, i)
        dx = C.subtract(xr, xl)
        eps = float(np.spacing(np.finfo(np.dtype(_aval(xp).dtype)).eps))
        dx0 = C.less_equal(C.abs(dx), eps)
        f = C.where(dx0, fl, C.add(fl, C.multiply(C.true_divide(C.subtract(x, xl), C.where(dx0, 1.0, dx)),
                                                  C.subtract(fr, fl))))
    if period is None:
        f = C.where(C.greater(x, xp[-1]), fp[-1] if right is None else right, f)
        f = C.where(C.less(x, xp[0]), fp[0] if left is None else left, f)
    return f


def cross(a, b, axisa=-1, axisb=-1, axisc=-1, axis=None):
    if axis is not None:
        axisa = axisb = axisc = axis
    a, b = promote_args("cross", a, b)
    a, b = _arr(a), _arr(b)
    a = S.moveaxis(a, axisa, -1)
    b = S.moveaxis(b, axisb, -1)
    na, nb = _aval(a).shape[-1], _aval(b).shape[-1]
    if na not in (2, 3) or nb not in (2, 3):
        raise ValueError("Dimension must be either 2 or 3 for cross product")
    comp = lambda v, i: v[..., i]
    a0, a1 = comp(a, 0), comp(a, 1)
    b0, b1 = comp(b, 0), comp(b, 1)
    if na == 2 and nb == 2:
        return C.subtract(C.multiply(a0, b1), C.multiply(a1, b0))
    a2 = comp(a, 2) if na == 3 else C.multiply(a0, 0)
    b2 = comp(b, 2) if nb == 3 else C.multiply(b0, 0)
    c = S.stack([C.subtract(C.multiply(a1, b2), C.multiply(a2, b1)),
                 C.subtract(C.multiply(a2, b0), C.multiply(a0, b2)),
                 C.subtract(C.multiply(a0, b1), C.multiply(a1, b0))], axis=-1)
    return S.moveaxis(c, -1, axisc)


def _conv1d(a, v, mode, correlate, name):
    a, v = promote_args(name, a, v)
    a, v = _arr(a), _arr(v)
    if _aval(a).ndim != 1 or _aval(v).ndim != 1:
        raise ValueError(f"{name}() only support 1-dimensional inputs.")
    if _aval(a).dtype == dtypes.bool_:
        a = lax.convert_element_type(a, dtypes.default_int())
        v = lax.convert_element_type(v, dtypes.default_int())
    n, m = _aval(a).shape[0], _aval(v).shape[0]
    if n == 0 or m == 0:
        raise ValueError(f"{name}: inputs cannot be empty, got shapes {_aval(a).shape} and {_aval(v).shape}.")
    swapped = False
    if m > n:
        a, v = v, a
        n, m = m, n
        swapped = True
    if mode == "valid":
        padding = [(0, 0)]
    elif mode == "same":
        padding = [(m // 2, m - m // 2 - 1)]
    elif mode == "full":
        padding = [(m - 1, m - 1)]
    else:
        raise ValueError("mode must be one of ['full', 'same', 'valid']")
    if not correlate:
        v = lax.rev(v, (0,))
    elif dtypes.is_complex(_aval(v).dtype):
        v = C.conj(v)
    out = lax.conv_general_dilated(lax.reshape(a, (1, 1, n)), lax.reshape(v, (1, 1, m)), (1,), padding)
    out = lax.reshape(out, (_aval(out).shape[-1],))
    if correlate and swapped:
        out = lax.rev(out, (0,))
        if dtypes.is_complex(_aval(out).dtype):
            out = C.conj(out)
    return out


def convolve(a, v, mode="full", *, precision=None, preferred_element_type=None):
    return _conv1d(a, v, mode, False, "convolve")


def correlate(a, v, mode="valid", *, precision=None, preferred_element_type=None):
    return _conv1d(a, v, mode, True, "correlate")


def polyval(p, x, *, unroll=16):
    """p[0] * x**(n-1) + ... + p[n-1], by Horner's rule (over p's first axis: a p of shape
    (n, ...) evaluates several polynomials at once, broadcasting against x, as JAX)."""
    p, x = promote_args("polyval", p, x)
    p, x = _arr(p), _arr(x)
    if _aval(p).ndim < 1:
        raise ValueError(f"polyval: p must have at least one dimension, got shape {_aval(p).shape}")
    y = C.multiply(x, 0)
    for i in range(_aval(p).shape[0]):
        y = C.add(C.multiply(y, x), p[i])
    return y


def rot90(m, k=1, axes=(0, 1)):
    m = _arr(m)
    nd = _aval(m).ndim
    if len(axes) != 2:
        raise ValueError("len(axes) must be 2.")
    a0, a1 = _axis(axes[0], nd, "rot90"), _axis(axes[1], nd, "rot90")
    if a0 == a1:
        raise ValueError("Axes must be different.")
    k = operator.index(k) % 4
    if k == 0:
        return m
    if k == 2:
        return lax.rev(m, (a0, a1))
    perm = list(range(nd))
    perm[a0], perm[a1] = perm[a1], perm[a0]
    if k == 1:
        return lax.transpose(lax.rev(m, (a1,)), perm)
    return lax.rev(lax.transpose(m, perm), (a1,))


def trapezoid(y, x=None, dx=1.0, axis=-1):
    y = _arr(y)
    (y,) = _promote_to_inexact("trapezoid", y)
    y = S.moveaxis(y, axis, -1)
    if x is not None:
        x = _arr(x)
        if _aval(x).ndim == 1:
            dxs = diff(x)
        else:
            dxs = diff(S.moveaxis(x, axis, -1), axis=-1)
    else:
        dxs = dx
    mid = C.multiply(C.add(y[..., 1:], y[..., :-1]), 0.5)
    return R.sum(C.multiply(mid, dxs), axis=-1)


def cov(m, y=None, rowvar=True, bias=False, ddof=None, fweights=None, aweights=None):
    if fweights is not None or aweights is not None:
        raise NotImplementedError("jnp.cov with fweights/aweights is not supported")
    m = _arr(m)
    (m,) = _promote_to_inexact("cov", m)
    if _aval(m).ndim > 2:
        raise ValueError("m has more than 2 dimensions")
    x = S.atleast_2d(m)
    if not rowvar and _aval(x).shape[0] != 1:
        x = x.T
    if y is not None:
        yy = S.atleast_2d(_promote_to_inexact("cov", _arr(y))[0])
        if not rowvar and _aval(yy).shape[0] != 1:
            yy = yy.T
        x = S.concatenate([x, yy], 0)
    if ddof is None:
        ddof = 0 if bias else 1
    n = _aval(x).shape[1]
    xc = C.subtract(x, R.mean(x, axis=1, keepdims=True))
    from .matmul import matmul
    c = C.true_divide(matmul(xc, C.conj(xc).T), float(n - ddof))
    return S.squeeze(c) if _aval(c).shape == (1, 1) else c


def corrcoef(x, y=None, rowvar=True):
    c = cov(x, y, rowvar)
    if _aval(c).ndim == 0:
        return C.true_divide(c, c)
    d = diagonal(c)
    s = C.sqrt(d)
    c = C.true_divide(C.true_divide(c, s[:, None]), s[None, :])
    return C.clip(C.real(c), -1, 1) if not dtypes.is_complex(_aval(c).dtype) else c


# ---- more daily helpers -----------------------------------------------------------------------
__all__ += ["put_along_axis", "gradient", "unstack", "angle", "gcd", "lcm", "polyadd", "polysub", "polymul",
            "polyder", "polyint", "compress", "extract", "choose", "apply_along_axis", "iscomplex", "isreal",
            "array_equiv", "matvec", "vecmat", "resize"]


def put_along_axis(arr, indices, values, axis, inplace=True, *, mode=None):
    """arr with values written at indices along axis (take_along_axis's inverse); inplace=False only."""
    if inplace:
        raise ValueError("jax.numpy.put_along_axis cannot modify arrays in-place, because JAX arrays are "
                         "immutable. Pass inplace=False to instead return an updated array.")
    arr = _arr(arr, "put_along_axis argument arr")
    idx = _arr(indices, "put_along_axis argument indices")
    av, iv = _aval(arr), _aval(idx)
    if axis is None:
        return S.reshape(put_along_axis(S.ravel(arr), S.ravel(idx), S.ravel(_arr(values)), 0, inplace=False),
                         av.shape)
    if iv.ndim != av.ndim:
        raise ValueError(f"indices and arr must have the same number of dimensions; {iv.ndim} vs. {av.ndim}")
    axis = _axis(axis, av.ndim, "put_along_axis")
    n = av.shape[axis]
    idx = C.where(C.less(idx, 0), C.add(idx, n), idx)
    shape = tuple(iv.shape[i] if i == axis else av.shape[i] for i in range(av.ndim))
    idx = S.broadcast_to(idx, shape)
    vals = lax.convert_element_type(S.broadcast_to(_arr(values), shape), av.dtype)
    coords = [idx if i == axis else lax.broadcasted_iota(dtypes.int32, shape, i) for i in range(av.ndim)]
    from ..lax.indexing import scatter_nd_p
    return scatter_nd_p.bind(arr, vals, *coords, mode="set")


def gradient(f, *varargs, axis=None, edge_order=None):
    """Second-order central differences inside, first-order at the edges (spacing: scalars or
    coordinate arrays), one array per axis."""
    if edge_order is not None and edge_order != 1:
        raise NotImplementedError("jnp.gradient only supports edge_order=1")
    f = _arr(f, "gradient argument f")
    (f,) = _promote_to_inexact("gradient", f)
    nd = _aval(f).ndim
    axes = tuple(range(nd)) if axis is None else ((axis,) if isinstance(axis, (int, np.integer)) else tuple(axis))
    axes = tuple(_axis(a, nd, "gradient") for a in axes)
    if len(varargs) == 0:
        spacings = [1.0] * len(axes)
    elif len(varargs) == 1:
        spacings = list(varargs) * len(axes)
    elif len(varargs) == len(axes):
        spacings = list(varargs)
    else:
        raise TypeError("Invalid number of spacing arguments to jnp.gradient")
    out = []
    for ax, h in zip(axes, spacings):
        n = _aval(f).shape[ax]
        if n < 2:
            raise ValueError("Shape of array too small to calculate a numerical gradient, at least 2 samples needed")
        sl = lambda a, b: lax.slice_in_dim(f, a, b, axis=ax)
        shape = [1] * nd
        shape[ax] = n - 2
        if isinstance(h, (int, float, np.floating, np.integer)) or _aval(_arr(h)).ndim == 0:
            hh = _arr(h) if not isinstance(h, (int, float, np.floating, np.integer)) else float(h)
            inner = C.true_divide(C.subtract(sl(2, n), sl(0, n - 2)), C.multiply(hh, 2.0)) if n > 2 else None
            first = C.true_divide(C.subtract(sl(1, 2), sl(0, 1)), hh)
            last = C.true_divide(C.subtract(sl(n - 1, n), sl(n - 2, n - 1)), hh)
        else:
            x = _arr(h)
            dx = diff(x)
            if n > 2:
                h1 = lax.reshape(lax.slice(dx, (0,), (n - 2,)), shape)
                h2 = lax.reshape(lax.slice(dx, (1,), (n - 1,)), shape)
                a = C.true_divide(C.negative(h2), C.multiply(h1, C.add(h1, h2)))
                b = C.true_divide(C.subtract(h2, h1), C.multiply(h1, h2))
                c = C.true_divide(h1, C.multiply(h2, C.add(h1, h2)))
                inner = C.add(C.add(C.multiply(a, sl(0, n - 2)), C.multiply(b, sl(1, n - 1))), C.multiply(c, sl(2, n)))
            else:
                inner = None
            first = C.true_divide(C.subtract(sl(1, 2), sl(0, 1)), dx[0])
            last = C.true_divide(C.subtract(sl(n - 1, n), sl(n - 2, n - 1)), dx[-1])
        parts = [first] + ([inner] if inner is not None else []) + [last]
        out.append(lax.concatenate(parts, ax))
    return out[0] if len(out) == 1 else out


def unstack(x, /, *, axis=0):
    x = _arr(x, "unstack argument x")
    nd = _aval(x).ndim
    if nd == 0:
        raise ValueError("Unstack requires arrays with rank > 0, however a scalar array was passed.")
    ax = _axis(axis, nd, "unstack")
    return tuple(lax.index_in_dim(x, i, ax, keepdims=False) for i in range(_aval(x).shape[ax]))


def angle(z, deg=False):
    z = _arr(z, "angle argument z")
    dt = _aval(z).dtype
    if dtypes.is_complex(dt):
        re, im = C.real(z), C.imag(z)
    else:
        (re,) = _promote_to_inexact("angle", z)
        if not dtypes.is_inexact(dt):   # as JAX: ints give the default float (float64 under x64)
            re = lax.convert_element_type(re, dtypes.default_float())
        im = lax.full_like(re, 0)
    out = C.arctan2(im, re)
    return C.multiply(out, 180.0 / np.pi) if deg else out


def gcd(x1, x2):
    """Greatest common divisor (non-negative), by a fixed number of Euclid steps."""
    x1, x2 = promote_args("gcd", x1, x2)
    x1, x2 = _arr(x1), _arr(x2)
    dt = _aval(x1).dtype
    if not dtypes.is_int(dt):
        raise ValueError(f"Arguments to jax.numpy.gcd must be integers, got {dt}")
    a, b = C.abs(x1), C.abs(x2)
    a, b = S.broadcast_arrays(a, b)
    steps = 2 * 8 * dt.itemsize  # Euclid needs at most ~1.44 * bits steps
    for _ in range(steps):
        nz = C.not_equal(b, 0)
        safe_b = C.where(nz, b, 1)
        a, b = C.where(nz, b, a), C.where(nz, C.remainder(a, safe_b), 0)
    return a


def lcm(x1, x2):
    x1, x2 = promote_args("lcm", x1, x2)
    x1, x2 = _arr(x1), _arr(x2)
    g = gcd(x1, x2)
    zero = C.equal(g, 0)
    return C.where(zero, 0, C.abs(C.multiply(C.floor_divide(x1, C.where(zero, 1, g)), x2)))


def _poly_align(a1, a2):
    a1, a2 = promote_args("poly", a1, a2)
    a1, a2 = S.atleast_1d(_arr(a1)), S.atleast_1d(_arr(a2))
    n1, n2 = _aval(a1).shape[0], _aval(a2).shape[0]
    if n1 < n2:
        a1 = lax.pad(a1, lax.convert_element_type(asarray(0), _aval(a1).dtype), [(n2 - n1, 0, 0)])
    elif n2 < n1:
        a2 = lax.pad(a2, lax.convert_element_type(asarray(0), _aval(a2).dtype), [(n1 - n2, 0, 0)])
    return a1, a2


def polyadd(a1, a2):
    a1, a2 = _poly_align(a1, a2)
    return C.add(a1, a2)


def polysub(a1, a2):
    a1, a2 = _poly_align(a1, a2)
    return C.subtract(a1, a2)


def polymul(a1, a2, *, trim_leading_zeros=False):
    a1, a2 = promote_args("polymul", a1, a2)
    a1, a2 = S.atleast_1d(_arr(a1)), S.atleast_1d(_arr(a2))
    return convolve(a1, a2, mode="full")


def polyder(p, m=1):
    p = _arr(p, "polyder argument p")
    (p,) = _promote_to_inexact("polyder", p) if dtypes.is_inexact(_aval(p).dtype) else (p,)
    m = operator.index(m)
    if m < 0:
        raise ValueError("Order of derivative must be positive")
    for _ in range(m):
        n = _aval(p).shape[0]
        if n <= 1:
            return lax.full((0,), 0, _aval(p).dtype)
        coeff = lax.convert_element_type(L.sub(n - 1, lax.iota(dtypes.int32, n - 1)), _aval(p).dtype)
        p = C.multiply(lax.slice(p, (0,), (n - 1,)), coeff)
    return p


def polyint(p, m=1, k=None):
    p = _arr(p, "polyint argument p")
    (p,) = _promote_to_inexact("polyint", p)
    m = operator.index(m)
    if m < 0:
        raise ValueError("Order of integral must be positive (see polyder)")
    ks = np.zeros(m) if k is None else np.broadcast_to(np.asarray(k), (m,)) if np.ndim(k) == 0 else np.asarray(k)
    if len(ks) != m:
        raise ValueError("k must be a scalar or a rank-1 array of length 1 or m.")
    for i in range(m):
        n = _aval(p).shape[0]
        div = lax.convert_element_type(L.sub(n, lax.iota(dtypes.int32, n)), _aval(p).dtype)
        p = S.concatenate([C.true_divide(p, div), S.atleast_1d(asarray(ks[i], _aval(p).dtype))])
    return p


def compress(condition, a, axis=None, *, size=None, fill_value=0):
    """Slices of a where condition holds (static condition, or a static `size`)."""
    a, axis = _along(a, axis, "compress", "a")
    cond = _arr(condition)
    if _aval(cond).ndim != 1:
        raise ValueError("condition must be a 1D array")
    n = _aval(a).shape[axis]
    m = _aval(cond).shape[0]
    if m > n:
        raise ValueError(f"condition contains entries that are out of bounds (length {m} > {n})")
    from .indexing import nonzero
    if size is None:
        v = cond if not isinstance(cond, core.Tracer) else cond.to_concrete_value()
        if v is None:
            raise core.ConcretizationTypeError(cond, "jnp.compress needs a static condition or `size=`.")
        return _take_static(a, np.nonzero(np.asarray(v))[0], axis)
    (idx,) = nonzero(cond, size=size, fill_value=m)
    padded = lax.pad(a, lax.convert_element_type(asarray(fill_value), _aval(a).dtype),
                     [(0, 1 if i == axis else 0, 0) for i in range(_aval(a).ndim)])
    idx = C.where(C.less(idx, m), idx, n)
    from ..lax.indexing import gather_nd_p
    nd = _aval(a).ndim
    moved = lax.transpose(padded, (axis,) + tuple(i for i in range(nd) if i != axis)) if axis else padded
    out = gather_nd_p.bind(moved, idx, mode="clip", fill_value=None)
    return lax.transpose(out, tuple(range(1, axis + 1)) + (0,) + tuple(range(axis + 1, nd))) if axis else out


def extract(condition, arr, *, size=None, fill_value=0):
    return compress(S.ravel(_arr(condition)), S.ravel(_arr(arr)), size=size, fill_value=fill_value)


def choose(a, choices, out=None, mode="raise"):
    """choices[a[i]][i] elementwise; mode 'raise' needs concrete indices, or use 'wrap'/'clip'."""
    if out is not None:
        raise NotImplementedError("The 'out' argument to jnp.choose is not supported.")
    a = _arr(a, "choose argument a")
    choices = promote_args("choose", *choices)
    n = len(choices)
    if mode == "raise":
        v = a if not isinstance(a, core.Tracer) else a.to_concrete_value()
        if v is None:
            raise core.ConcretizationTypeError(a, "jnp.choose(mode='raise') needs concrete indices; use 'wrap' or 'clip'.")
        if np.any(np.asarray(v) < 0) or np.any(np.asarray(v) >= n):
            raise ValueError("invalid entry in choice array")
    elif mode == "wrap":
        a = C.remainder(a, n)
    elif mode == "clip":
        a = C.clip(a, 0, n - 1)
    else:
        raise ValueError(f"mode={mode!r} not understood. Must be 'raise', 'wrap', or 'clip'")
    arrs = S.broadcast_arrays(a, *choices)
    a, cs = arrs[0], arrs[1:]
    return lax.select_n(lax.convert_element_type(a, dtypes.int32), *cs)


def apply_along_axis(func1d, axis, arr, *args, **kwargs):
    """func1d applied to 1-D slices along axis, by vmapping over every other axis."""
    from ..api import vmap
    arr = _arr(arr, "apply_along_axis argument arr")
    nd = _aval(arr).ndim
    axis = _axis(axis, nd, "apply_along_axis")
    f = lambda v: func1d(v, *args, **kwargs)
    for i in range(1, nd - axis):
        f = vmap(f, in_axes=i, out_axes=-1)
    for i in range(axis):
        f = vmap(f, in_axes=0, out_axes=0)
    return f(arr)


def iscomplex(x):
    x = _arr(x)
    if not dtypes.is_complex(_aval(x).dtype):
        return lax.full(_aval(x).shape, False, dtypes.bool_)
    return C.not_equal(C.imag(x), 0)


def isreal(x):
    x = _arr(x)
    if not dtypes.is_complex(_aval(x).dtype):
        return lax.full(_aval(x).shape, True, dtypes.bool_)
    return C.equal(C.imag(x), 0)


def array_equiv(a1, a2):
    a1, a2 = asarray(a1), asarray(a2)    # JAX converts lists here
    try:
        S.broadcast_shapes(_aval(a1).shape, _aval(a2).shape)
    except (ValueError, TypeError):
        return asarray(False)
    return R.all(C.equal(a1, a2))


def matvec(x1, x2, /):
    from .matmul import matmul
    x1, x2 = _arr(x1), _arr(x2)
    return S.squeeze(matmul(x1, S.expand_dims(x2, -1)), -1)


def vecmat(x1, x2, /):
    from .matmul import matmul
    x1, x2 = _arr(x1), _arr(x2)
    return S.squeeze(matmul(S.expand_dims(C.conj(x1), -2), x2), -2)


def resize(a, new_shape):
    """a repeated cyclically (flattened) to fill new_shape."""
    a = S.ravel(_arr(a, "resize argument a"))
    new_shape = (operator.index(new_shape),) if isinstance(new_shape, (int, np.integer)) else \
        tuple(operator.index(d) for d in new_shape)
    total = int(np.prod(new_shape, dtype=np.int64))
    n = _aval(a).shape[0]
    if total == 0 or n == 0:
        return lax.full(new_shape, 0, _aval(a).dtype)
    return S.reshape(_take_static(a, np.arange(total) % n, 0), new_shape)
