"""Still more of jax.numpy, composed from existing jnp/lax functions (so each one differentiates,
vmaps and jits through its primitives' rules): float decomposition (frexp, ldexp, modf, spacing),
i0 and the window functions, geomspace, index tricks (r_, c_, s_, mgrid, ogrid, block), dtype
queries, vectorize, put/place, polynomial fitting and roots, bit packing, multi-d histograms,
einsum_path and NumPy's printing/buffer helpers."""
import builtins
import functools
import operator
import re

import numpy as np

from .. import dtypes
from ..interpreters import core
from .. import lax
from .. import numpy as jnp  # the package, filled in by the time any function here runs
from ._core import check_arraylike

__all__ = ["frexp", "ldexp", "modf", "spacing", "i0", "bitwise_count", "bartlett", "blackman", "hamming",
           "hanning", "kaiser", "geomspace", "block", "r_", "c_", "s_", "index_exp", "mgrid", "ogrid",
           "isdtype", "bool", "fromfunction", "apply_over_axes", "dsplit", "put", "place", "poly", "polydiv",
           "polyfit", "roots", "trim_zeros", "unwrap", "packbits", "unpackbits", "histogram2d",
           "histogramdd", "mask_indices", "einsum_path", "array_repr", "array_str", "printoptions",
           "get_printoptions", "set_printoptions", "iterable", "frombuffer", "fromstring", "from_dlpack",
           "vectorize", "save", "savez", "load", "fromfile", "fromiter"]


# ---- files: numpy's own save/savez (arrays convert through __array__), load gives jaxish arrays --
save = np.save
savez = np.savez


def load(file, *args, **kwargs):
    """np.load, with a plain array result made a jaxish array (archives are returned as numpy's)."""
    out = np.load(file, *args, **kwargs)
    return jnp.asarray(out) if isinstance(out, np.ndarray) and out.dtype != object else out


def _impure(name):
    def f(*args, **kwargs):
        raise NotImplementedError(
            f"jnp.{name}() is not implemented because it may be non-pure and thus unsafe for use with JIT "
            f"and other JAX transformations. Consider using jnp.asarray(np.{name}(...)) instead.")
    f.__name__ = name
    return f


fromfile = _impure("fromfile")
fromiter = _impure("fromiter")


def _aval(x):
    return core.get_aval(x)


def _describe(x):
    av = _aval(x)
    return f"shape {av.shape} and dtype {av.dtype}"


def _static_int(v, what):
    """A Python int from a static value; a traced value raises ConcretizationTypeError."""
    from .extra import _concrete_ints
    return operator.index(_concrete_ints(v, f"the {what}").item())


def _real_inexact(name, x, complex_error=None):
    """x promoted to an inexact dtype; complex raises TypeError (or complex_error(dtype))."""
    x = jnp.asarray(x) if not isinstance(x, jnp.ndarray) else x
    (x,) = jnp._promote_args(name, x)
    x = jnp.asarray(x)
    dt = _aval(x).dtype
    if dtypes.is_complex(dt):
        if complex_error is not None:
            raise complex_error(dt)
        raise TypeError(f"{name} does not support complex-valued inputs; got an argument with {_describe(x)}")
    if not dtypes.is_inexact(dt):
        x = lax.convert_element_type(x, dtypes.to_inexact(dt))
    return x


# ---- floating-point decomposition -------------------------------------------------------------
def _pow2_factors(k, dt):
    """Factors whose product is 2**k exactly, for an int32 array k (|k| < 2**11): one per bit of |k|,
    each a normal number of dtype dt (2**512 / 2**64 at most), so a product never over/underflows
    early."""
    info = np.finfo(dt)
    top = (info.maxexp - 1).bit_length() - 1  # largest b with 2**(2**b) finite: 9 (f64), 6 (f32)
    mag = jnp.abs(k)
    neg = k < 0
    out = []
    for b in range(11):
        bit = ((mag >> b) & 1) == 1
        reps, p = (1, 2 ** b) if b <= top else (2 ** (b - top), 2 ** top)
        up, down = np.asarray(2.0 ** p, dt), np.asarray(2.0 ** -p, dt)
        f = jnp.where(bit, jnp.where(neg, down, up), np.asarray(1.0, dt))
        out += [f] * reps
    return out


def _scale_pow2(x, k):
    """x * 2**k by exact power-of-two steps (all up or all down, so the value moves monotonically)."""
    for f in _pow2_factors(k, _aval(x).dtype):
        x = x * f
    return x


def _compute_dtype(dt):
    """frexp/ldexp work in float32 for the 16-bit floats (every such value is a float32 normal)."""
    return np.dtype(np.float32) if np.dtype(dt).itemsize < 4 else np.dtype(dt)


def _frexp(x):
    cdt = _compute_dtype(_aval(x).dtype)
    xc = lax.convert_element_type(x, cdt)
    special = (xc == 0) | jnp.isinf(xc) | jnp.isnan(xc)
    safe = jnp.where(special, np.asarray(1.0, cdt), xc)
    e = (jnp.floor(jnp.log2(jnp.abs(lax.stop_gradient(safe)))) + 1).astype(np.int32)
    m = _scale_pow2(safe, -e)
    # log2 may be off by one next to a power of two: renormalise into [0.5, 1).
    big, small = jnp.abs(m) >= 1, jnp.abs(m) < 0.5
    m = jnp.where(big, m * 0.5, jnp.where(small, m * 2, m))
    e = e + big.astype(np.int32) - small.astype(np.int32)
    m = jnp.where(special, xc, m)
    e = jnp.where(special, 0, e)
    return lax.convert_element_type(m, _aval(x).dtype), e


def frexp(x, /):
    """(mantissa, exponent) with x == mantissa * 2**exponent, 0.5 <= |mantissa| < 1 (int32 exponent)."""
    x = _real_inexact("frexp", x)
    return _frexp(x)


def ldexp(x1, x2, /):
    """x1 * 2**x2 for an integer x2, exact until the final rounding (no spurious overflow)."""
    a1, a2 = jnp.asarray(x1), jnp.asarray(x2)
    d1, d2 = _aval(a1).dtype, _aval(a2).dtype
    if dtypes.is_complex(d1) or dtypes.is_inexact(d2):
        raise ValueError(f"ldexp not supported for input types {(d1, d2)}")
    x = _real_inexact("ldexp", x1)
    n = jnp.asarray(x2)
    dt = _aval(x).dtype
    cdt = _compute_dtype(dt)
    info = np.finfo(cdt)
    shape = np.broadcast_shapes(_aval(x).shape, _aval(n).shape)
    x = jnp.broadcast_to(x, shape)
    n = jnp.broadcast_to(n, shape)
    m, e = _frexp(lax.convert_element_type(x, cdt))
    lim = info.maxexp - info.minexp + info.nmant + 4
    nd = _aval(n).dtype
    if nd != np.bool_ and (np.iinfo(nd).min < -lim or np.iinfo(nd).max > lim):
        n = jnp.clip(n, -lim if np.iinfo(nd).min < 0 else 0, lim)
    n = n.astype(np.int32)
    total = jnp.clip(e + n, info.minexp - info.nmant - 2, info.maxexp + 1)
    # m * 2**total: exact steps down to the smallest normal exponent, then one rounding multiply.
    normal = jnp.maximum(total, info.minexp)
    y = _scale_pow2(m, normal)
    rest = functools.reduce(operator.mul, _pow2_factors(total - normal, cdt))
    y = y * rest
    xc = lax.convert_element_type(x, cdt)
    y = jnp.where(jnp.isinf(xc) | (xc == 0), xc, y)
    return lax.convert_element_type(y, dt)


def modf(x, /, out=None):
    """(fractional part, integral part), both with x's sign."""
    if out is not None:
        raise NotImplementedError("The 'out' argument to jnp.modf is not supported.")
    x = _real_inexact("modf", x)
    whole = jnp.where(x >= 0, jnp.floor(x), jnp.ceil(x))
    return x - whole, whole


def spacing(x, /):
    """Distance from x to the next representable value away from zero (as NumPy; JAX's formula)."""
    x = jnp.asarray(x)
    if dtypes.is_complex(_aval(x).dtype):
        raise ValueError("jnp.spacing is not defined for complex inputs.")
    x = _real_inexact("spacing", x)
    dt = _aval(x).dtype
    inf = np.asarray(np.inf, dt)
    if dt == np.float16:
        x = lax.stop_gradient(x)
        return jnp.nextafter(x, inf) - x
    x = lax.stop_gradient(x)  # piecewise constant: zero derivative
    r = jnp.nextafter(x, jnp.copysign(inf, x)) - x
    tiny = np.asarray(dtypes.finfo(dt).smallest_subnormal, dt)
    return jnp.where(r == 0, jnp.copysign(tiny, x), r)


def bitwise_count(x, /):
    """Number of set bits in |x|, as uint8 (NumPy's rule for negative ints)."""
    x = jnp.asarray(x)
    dt = _aval(x).dtype
    if dt == np.bool_:
        x = x.astype(np.int8)
    elif not dtypes.is_int(dt):
        raise TypeError(f"bitwise_count requires an integer or boolean argument; got x with {_describe(x)}")
    return lax.population_count(jnp.abs(x)).astype(np.uint8)


# ---- i0 and windows ---------------------------------------------------------------------------
_I0_SWITCH = 20.0
_I0_SERIES = [1.0 / float(np.prod(np.arange(1, k + 1, dtype=np.float64)) ** 2) for k in range(64)]
_I0_ASYMP = [1.0]
for _k in range(1, 40):
    _I0_ASYMP.append(_I0_ASYMP[-1] * (2 * _k - 1) ** 2 / (8.0 * _k))


def _i0(x):
    """I0 by its power series in (x/2)**2 for |x| <= 20, else by the asymptotic expansion
    e**|x| / sqrt(2 pi |x|) * sum a_k / |x|**k (each branch fed safe inputs so gradients stay finite)."""
    ax = jnp.abs(x)
    near = ax <= _I0_SWITCH
    xs = jnp.where(near, x, 0.0)
    y = xs * xs * 0.25
    s = jnp.zeros_like(y)
    for c in reversed(_I0_SERIES):
        s = s * y + c
    xl = jnp.where(near, _I0_SWITCH + 1.0, ax)
    r = 1.0 / xl
    t = jnp.zeros_like(r)
    for c in reversed(_I0_ASYMP):
        t = t * r + c
    # exp(|x|/2) twice keeps exp finite for |x| up to twice the overflow threshold
    h = jnp.exp(xl * 0.5)
    far = (h * (t / jnp.sqrt(2 * np.pi * xl))) * h
    return jnp.where(near, s, far)


def i0(x):
    """Modified Bessel function of the first kind, order zero (real inputs)."""
    x = _real_inexact("i0", x, lambda dt: ValueError(f"Unsupported input type to jax.numpy.i0: {dt}"))
    dt = _aval(x).dtype
    cdt = _compute_dtype(dt)
    return lax.convert_element_type(_i0(lax.convert_element_type(x, cdt)), dt)


def _window(name, M, body):
    if isinstance(M, core.Tracer):
        M = _static_int(M, f"M argument of jnp.{name}")
    M = builtins.int(M)
    if M < 0:
        raise TypeError(f"jnp.{name}: M must be non-negative, got {M}")
    dt = dtypes.default_float()
    if M <= 1:
        return jnp.ones((M,), dt)
    return body(lax.iota(dt, M), M)


def bartlett(M):
    """Triangular window of M points."""
    return _window("bartlett", M, lambda n, M: 1 - jnp.abs(2 * n + 1 - M) / (M - 1))


def blackman(M):
    """Blackman window of M points."""
    return _window("blackman", M, lambda n, M: 0.42 - 0.5 * jnp.cos(2 * np.pi * n / (M - 1))
                   + 0.08 * jnp.cos(4 * np.pi * n / (M - 1)))


def hamming(M):
    """Hamming window of M points."""
    return _window("hamming", M, lambda n, M: 0.54 - 0.46 * jnp.cos(2 * np.pi * n / (M - 1)))


def hanning(M):
    """Hann window of M points."""
    return _window("hanning", M, lambda n, M: 0.5 * (1 - jnp.cos(2 * np.pi * n / (M - 1))))


def kaiser(M, beta):
    """Kaiser window of M points and shape beta (beta may be traced)."""
    def body(n, M):
        alpha = 0.5 * (M - 1)
        return i0(beta * jnp.sqrt(1 - ((n - alpha) / alpha) ** 2)) / i0(beta)
    return _window("kaiser", M, body)


# ---- geomspace --------------------------------------------------------------------------------
def geomspace(start, stop, num=50, endpoint=True, dtype=None, axis=0):
    """num points spaced evenly on a log scale from start to stop (same sign; complex allowed)."""
    num = _static_int(num, "'num' argument of jnp.geomspace")
    axis = _static_int(axis, "'axis' argument of jnp.geomspace")
    if num < 0:
        raise ValueError(f"Number of samples, {num}, must be non-negative.")
    if dtype is None:
        dtype = dtypes.to_inexact(jnp.result_type(start, stop))
    else:
        dtype = dtypes.canonicalize(dtypes.check_dtype(dtype))
    cdt = dtypes.to_inexact(dtype)
    start = jnp.asarray(start).astype(cdt)
    stop = jnp.asarray(stop).astype(cdt)
    sign = jnp.sign(start)
    lo, hi = jnp.log10(start / sign), jnp.log10(stop / sign)
    if dtypes.is_complex(cdt):
        # linspace between complex logs, from a real ramp t in [0, 1]
        rdt = np.finfo(cdt).dtype
        div = (num - 1 if endpoint else num) or 1
        t = (lax.iota(rdt, num) / div).reshape((num,) + (1,) * jnp.ndim(lo))
        lin = lo + t * (hi - lo)
    else:
        lin = jnp.linspace(lo, hi, num, endpoint=endpoint, dtype=cdt, axis=0)
    # (an array base: lax's pow jvp fails on a Python-scalar base)
    res = sign * jnp.power(jnp.asarray(10.0, dtype=cdt), lin)
    nd = res.ndim
    if not -nd <= axis < nd:
        raise ValueError(f"geomspace: axis {axis} is out of bounds for array of dimension {nd}")
    res = jnp.moveaxis(res, 0, axis % nd)
    return res.astype(dtype)


# ---- index tricks -----------------------------------------------------------------------------
def _block(xs):
    if isinstance(xs, tuple):
        raise ValueError(f"jax.numpy.block does not allow tuples, got {xs}")
    if isinstance(xs, list):
        if not xs:
            raise ValueError("jax.numpy.block does not allow empty list arguments")
        parts = [_block(x) for x in xs]
        depth = parts[0][1]
        if any(d != depth for _, d in parts):
            raise ValueError("Mismatched list depths in jax.numpy.block")
        rank = builtins.max(depth, builtins.max(p.ndim for p, _ in parts))
        arrs = [p.reshape((1,) * (rank - p.ndim) + p.shape) for p, _ in parts]
        return jnp.concatenate(arrs, axis=-depth), depth + 1
    return jnp.asarray(xs), 1


def block(arrays):
    """Assemble an array from nested lists of blocks (innermost lists join along the last axis)."""
    return _block(arrays)[0]


def _slice_range(s, what):
    start = 0 if s.start is None else s.start
    step = 1 if s.step is None else s.step
    stop = s.stop
    for v in (start, stop, step):
        if isinstance(v, core.Tracer):
            raise core.ConcretizationTypeError(v, f"slice bounds of jnp.{what} must be static")
    if isinstance(step, complex) or np.iscomplexobj(step):
        return jnp.linspace(start, stop, builtins.int(builtins.abs(step)), endpoint=True)
    return jnp.arange(start, stop, step)


def _ndmin(a, ndmin, trans1d):
    nd = a.ndim
    if nd >= ndmin:
        return a
    a = a.reshape((1,) * (ndmin - nd) + a.shape)
    if trans1d != -1 and nd < ndmin:
        k2 = ndmin - nd
        k1 = trans1d + k2 + 1 if trans1d < 0 else trans1d
        ax = list(range(ndmin))
        a = jnp.transpose(a, ax[:k1] + ax[k2:] + ax[k1:k2])
    return a


class _AxisConcat:
    """r_/c_: concatenate slices (as ranges), scalars and arrays along an axis; a leading string
    'axis[,ndmin[,trans1d]]' or 'r'/'c' changes how."""

    def __init__(self, name, axis, ndmin, trans1d):
        self.name, self.axis, self.ndmin, self.trans1d = name, axis, ndmin, trans1d

    def __getitem__(self, key):
        key = key if isinstance(key, tuple) else (key,)
        axis, ndmin, trans1d, matrix = self.axis, self.ndmin, self.trans1d, None
        if key and isinstance(key[0], str):
            spec, key = key[0], key[1:]
            if spec in ("r", "c"):
                matrix = spec
            else:
                try:
                    vals = [builtins.int(v) for v in spec.split(",")]
                except ValueError:
                    raise ValueError(f"could not understand directive {spec!r} to jnp.{self.name}") from None
                if len(vals) > 3:
                    raise ValueError(f"directive {spec!r} to jnp.{self.name} has more than 3 entries")
                axis = vals[0]
                ndmin = vals[1] if len(vals) > 1 else ndmin
                trans1d = vals[2] if len(vals) > 2 else trans1d
        parts = []
        for item in key:
            if isinstance(item, str):
                raise ValueError(f"string directive must be placed first in jnp.{self.name}, got {item!r}")
            if isinstance(item, slice):
                a = _slice_range(item, self.name)
                if ndmin > 1:
                    a = _ndmin(a, ndmin, -1)
                    if trans1d != -1:
                        a = jnp.swapaxes(a, -1, trans1d)
            else:
                a = _ndmin(jnp.atleast_1d(jnp.asarray(item)), ndmin, trans1d) if np.ndim(item) == 0 \
                    else _ndmin(jnp.asarray(item), ndmin, trans1d)
            parts.append(a)
        if not parts:
            return jnp.zeros((0,), dtypes.default_float())
        out = jnp.concatenate(parts, axis=axis)
        if matrix is not None and out.ndim == 1:
            out = out.reshape((1, -1)) if matrix == "r" else out.reshape((-1, 1))
        return out

    def __len__(self):
        return 0


r_ = _AxisConcat("r_", 0, 1, -1)
c_ = _AxisConcat("c_", -1, 2, 0)


class _IndexExpression:
    def __init__(self, maketuple):
        self.maketuple = maketuple

    def __getitem__(self, item):
        if self.maketuple and not isinstance(item, tuple):
            return (item,)
        return item


index_exp = _IndexExpression(True)
s_ = _IndexExpression(False)


class _Grid:
    """mgrid (dense) / ogrid (open): a grid from slices, start:stop:step or start:stop:numj."""

    def __init__(self, name, sparse):
        self.name, self.sparse = name, sparse

    def __getitem__(self, key):
        if isinstance(key, slice):
            return _slice_range(key, self.name)
        axes = [_slice_range(k, self.name) for k in key]
        if not axes:
            return jnp.arange(0)
        grids = jnp.meshgrid(*axes, indexing="ij", sparse=self.sparse)
        if self.sparse:
            return list(grids)
        return jnp.stack(grids, 0)


mgrid = _Grid("mgrid", False)
ogrid = _Grid("ogrid", True)


# ---- dtypes -----------------------------------------------------------------------------------
_KINDS = {
    "bool": lambda d: d == np.bool_,
    "signed integer": lambda d: d.kind == "i",
    "unsigned integer": lambda d: d.kind == "u",
    "integral": lambda d: d.kind in "iu",
    "real floating": lambda d: dtypes.is_float(d),
    "complex floating": lambda d: d.kind == "c",
    "numeric": lambda d: d.kind in "iuc" or dtypes.is_float(d),
}


def isdtype(dtype, kind):
    """Whether dtype is of `kind`: a dtype, one of the array-API kind names, or a tuple of those."""
    dt = dtypes.check_dtype(dtype)
    for k in (kind if isinstance(kind, tuple) else (kind,)):
        if isinstance(k, str) and k in _KINDS:
            if _KINDS[k](dt):
                return True
            continue
        try:
            kd = dtypes.check_dtype(k)
        except TypeError:
            if isinstance(k, str):
                raise ValueError(f"Unrecognized kind={k!r} expected one of {list(_KINDS)}, "
                                 "or a compatible input for jnp.dtype()") from None
            raise TypeError(f"Expected kind to be a dtype, string, or tuple; got kind={k!r}") from None
        if isinstance(k, type) and issubclass(k, np.generic) and k in (np.floating, np.integer, np.number,
                                                                        np.inexact, np.generic):
            raise TypeError(f"Expected kind to be a dtype, string, or tuple; got kind={k!r}")
        if kd == dt:
            return True
    return False


from .scalar_types import bool_ as _bool   # noqa: E402  jnp.bool is jnp.bool_, as in JAX


# ---- construction and application -------------------------------------------------------------
def fromfunction(function, shape, *, dtype=float, **kwargs):
    """function applied to index grids of `shape` (built with vmap over aranges, as JAX does)."""
    shape = tuple(_static_int(s, "shape argument of jnp.fromfunction()") for s in
                  (shape if isinstance(shape, (tuple, list)) else (shape,)))
    fn = function
    n = len(shape)
    for i in range(n):
        in_axes = tuple(0 if j == i else None for j in range(n))
        fn = jnp_vmap(fn, in_axes[::-1])
    return fn(*(jnp.arange(s, dtype=dtype) for s in shape), **kwargs)


def jnp_vmap(fn, in_axes):
    from ..api import vmap
    return vmap(fn, in_axes=in_axes)


def apply_over_axes(func, a, axes):
    """func(a, axis) applied over each axis in turn, keeping the rank (a dropped axis is restored)."""
    a = jnp.asarray(a)
    for axis in ([axes] if np.ndim(axes) == 0 else axes):
        b = jnp.asarray(func(a, axis))
        if b.ndim == a.ndim:
            a = b
        elif b.ndim == a.ndim - 1:
            a = jnp.expand_dims(b, axis)
        else:
            raise ValueError("function is not returning an array of the correct shape")
    return a


def dsplit(ary, indices_or_sections):
    """Split along the third axis."""
    a = jnp.asarray(ary)
    if a.ndim < 3:
        raise ValueError(f"dsplit only works on arrays of 3 or more dimensions; got ary with {_describe(a)}")
    return jnp.split(a, indices_or_sections, axis=2)


def _tile_to(v, n):
    v = jnp.ravel(v)
    k = v.shape[0]
    if k == n:
        return v
    reps = -(-n // k)
    return jnp.tile(v, reps)[:n] if reps > 1 else v[:n]


def put(a, ind, v, mode=None, *, inplace=True):
    """a with a.ravel()[ind] = v (v repeated to ind's size); JAX needs inplace=False."""
    if inplace:
        raise ValueError("jax.numpy.put cannot modify arrays in-place, because JAX arrays are immutable. "
                         "Pass inplace=False to instead return an updated array.")
    check_arraylike("put", a, ind, v)
    arr, idx, vals = jnp.asarray(a), jnp.ravel(jnp.asarray(ind)), jnp.ravel(jnp.asarray(v))
    if not dtypes.is_int(idx.dtype):
        raise TypeError(f"put: ind must be an integer array; got ind with {_describe(idx)}")
    size = arr.size
    if not size or not idx.size or not vals.size:
        return arr
    vals = _tile_to(vals, idx.shape[0])
    if mode is None:
        idx = jnp.clip(idx, -size, size - 1)
        idx = jnp.where(idx < 0, idx + size, idx)
    elif mode == "clip":
        idx = jnp.clip(idx, 0, size - 1)
    elif mode == "wrap":
        idx = idx % size
    elif mode == "raise":
        raise NotImplementedError("The 'raise' mode to jnp.put is not supported.")
    else:
        raise ValueError(f"mode should be one of 'wrap' or 'clip'; got mode={mode!r}")
    return jnp.ravel(arr).at[idx].set(vals.astype(arr.dtype)).reshape(arr.shape)


def place(arr, mask, vals, *, inplace=True):
    """arr with its masked entries (in flat order) set to vals, repeated as needed; inplace=False."""
    check_arraylike("place", arr, mask, vals)
    data, m, v = jnp.asarray(arr), jnp.asarray(mask), jnp.ravel(jnp.asarray(vals))
    if inplace:
        raise ValueError("jax.numpy.place cannot modify arrays in-place, because JAX arrays are immutable. "
                         "Pass inplace=False to instead return an updated array.")
    if data.size != m.size:
        raise ValueError(f"place: arr and mask must be the same size; got arr with {_describe(data)} and "
                         f"mask with {_describe(m)}")
    if not v.size:
        raise ValueError("Cannot place values from an empty array")
    if not data.size:
        return data
    n = m.size
    idx = jnp.nonzero(jnp.ravel(m), size=n, fill_value=n)[0]
    v = _tile_to(v, n).astype(data.dtype)
    return jnp.ravel(data).at[idx].set(v, mode="drop").reshape(data.shape)


# ---- polynomials ------------------------------------------------------------------------------
def _inexact_array(name, x):
    x = jnp.asarray(x)
    if not dtypes.is_inexact(x.dtype):
        x = x.astype(dtypes.to_inexact(x.dtype))
    return x


def poly(seq_of_zeros):
    """Coefficients of the monic polynomial with the given roots (or a square matrix's eigenvalues)."""
    check_arraylike("poly", seq_of_zeros)
    z = jnp.atleast_1d(_inexact_array("poly", seq_of_zeros))
    sh = z.shape
    if len(sh) == 2 and sh[0] == sh[1] and sh[0] != 0:
        z = jnp.linalg.eigvals(z)
    if z.ndim != 1:
        raise ValueError(f"input must be 1d or non-empty square 2d array; got seq_of_zeros with shape {sh}")
    dt = z.dtype
    if z.shape[0] == 0:
        return jnp.ones((), dt)
    a = jnp.ones((1,), dt)
    for k in range(z.shape[0]):
        a = jnp.convolve(a, jnp.stack([jnp.ones((), dt), -z[k]]), mode="full")
    return a


def polydiv(u, v, *, trim_leading_zeros=False):
    """(quotient, remainder) of u / v by long division (remainder keeps u's length)."""
    check_arraylike("polydiv", u, v)
    u, v = jnp.asarray(u), jnp.asarray(v)
    u, v = jnp._promote_args("polydiv", u, v)
    u, v = _inexact_array("polydiv", u), _inexact_array("polydiv", v)
    if u.ndim != 1 or v.ndim != 1:
        raise ValueError(f"polydiv: u and v must be 1-D; got shapes {u.shape} and {v.shape}")
    m, n = u.shape[0] - 1, v.shape[0] - 1
    scale = 1.0 / v[0]
    q = jnp.zeros(builtins.max(m - n + 1, 1), u.dtype)
    for k in range(m - n + 1):
        d = scale * u[k]
        q = q.at[k].set(d)
        u = u.at[k:k + n + 1].add(-d * v)
    if trim_leading_zeros:
        u = _trim_zeros_tol(u, float(np.sqrt(dtypes.finfo(u.dtype).eps)))
    return q, u


def _trim_zeros_tol(a, tol):
    """Leading entries with |a| < tol removed (a must be concrete)."""
    v = np.asarray(_concrete(a, "trim_leading_zeros=True of jnp.polydiv"))
    nz = np.flatnonzero(np.abs(v) >= tol)
    start = nz[0] if nz.size else v.shape[0]
    return a[start:]


def _concrete(x, what):
    if isinstance(x, core.Tracer):
        c = x.to_concrete_value()
        if c is None:
            raise core.ConcretizationTypeError(x, f"The error arose in {what}, which needs concrete values.")
        return c
    return x


def polyfit(x, y, deg, rcond=None, full=False, w=None, cov=False):
    """Least-squares polynomial fit of degree deg (y may be 2-D: one fit per column)."""
    check_arraylike("polyfit", x, y)
    x, y = jnp.asarray(x), jnp.asarray(y)
    deg = _static_int(deg, "deg argument of jnp.polyfit")
    order = deg + 1
    if deg < 0:
        raise ValueError("expected deg >= 0")
    if x.ndim != 1:
        raise TypeError(f"expected 1D vector for x; got x with {_describe(x)}")
    if x.size == 0:
        raise TypeError("expected non-empty vector for x")
    if y.ndim < 1 or y.ndim > 2:
        raise TypeError(f"expected 1D or 2D array for y; got y with {_describe(y)}")
    if x.shape[0] != y.shape[0]:
        raise TypeError(f"expected x and y to have same length; got shapes {x.shape} and {y.shape}")
    args = (x, y) if w is None else (x, y, jnp.asarray(w))
    args = [jnp.asarray(a) for a in jnp._promote_args("polyfit", *args)]
    if not dtypes.is_inexact(args[0].dtype):
        raise ValueError(f"data type {args[0].dtype} not inexact")
    x, y = args[0], args[1]
    if rcond is None:
        rcond = x.shape[0] * float(dtypes.finfo(x.dtype).eps)
    lhs = jnp.vander(x, order)
    rhs = y
    if w is not None:
        w = args[2]
        if w.ndim != 1:
            raise TypeError(f"expected a 1-d array for weights; got w with {_describe(w)}")
        if w.shape[0] != y.shape[0]:
            raise TypeError("expected w and y to have the same length")
        lhs = lhs * w[:, None]
        rhs = rhs * (w[:, None] if rhs.ndim == 2 else w)
    scale = jnp.sqrt((lhs * lhs).sum(axis=0))
    lhs = lhs / scale[None, :]
    c, resids, rank, s = jnp.linalg.lstsq(lhs, rhs, rcond)
    c = (c.T / scale).T
    if full:
        return c, resids, rank, s, jnp.asarray(rcond)
    if cov:
        vbase = jnp.linalg.inv(lhs.T @ lhs) / jnp.outer(scale, scale)
        if cov == "unscaled":
            fac = jnp.asarray(1.0)
        else:
            if x.shape[0] <= order:
                raise ValueError("the number of data points must exceed order to scale the covariance matrix")
            fac = resids / (x.shape[0] - order)
        if y.ndim == 1:
            return c, vbase * jnp.atleast_1d(fac)[None]
        return c, vbase[:, :, None] * jnp.atleast_1d(fac)[None, None, :]
    return c


def _companion_roots(p):
    n = p.shape[0]
    cdt = dtypes.canonicalize(np.result_type(p.dtype, np.complex64))
    if n < 2:
        return jnp.zeros((0,), cdt)
    a = jnp.diag(jnp.ones((n - 2,), p.dtype), -1)
    a = a.at[0, :].set(-p[1:] / p[0])
    return jnp.linalg.eigvals(a)


def roots(p, *, strip_zeros=True):
    """Roots of the polynomial with coefficients p (highest power first), as companion-matrix
    eigenvalues (complex). Under jit pass strip_zeros=False: leading zeros then give NaN roots."""
    check_arraylike("roots", p)
    p = jnp.atleast_1d(_inexact_array("roots", p))
    if p.ndim != 1:
        raise ValueError(f"Input must be a rank-1 array; got p with {_describe(p)}")
    n = p.shape[0]
    if n < 2:
        return _companion_roots(p)
    is0 = p == 0
    lead = jnp.where(jnp.all(is0), n, jnp.argmin(is0))
    if strip_zeros:
        k = _static_int(_concrete(lead, "jnp.roots(): to use it under jit pass strip_zeros=False, and leading "
                                  "zeros will give NaN roots"), "number of leading zeros in jnp.roots()")
        return _companion_roots(p[k:])
    q = jnp.where(lead == n, jnp.ones_like(p), p)
    r = _companion_roots(jnp.roll(q, -lead))
    r = lax.sort_key_val((r == 0).astype(np.int32), r)[1]
    nanc = jnp.asarray(complex(np.nan, np.nan), r.dtype)
    return jnp.where(jnp.arange(r.shape[0]) < r.shape[0] - lead, r, nanc)


def trim_zeros(filt, trim="fb", axis=None):
    """filt without its leading ('f') and/or trailing ('b') zeros (along each axis); needs a concrete
    filt since the result's shape depends on its values."""
    a = jnp.asarray(filt)
    v = np.asarray(_concrete(a, "the `filt` argument of trim_zeros()"))
    t = trim.lower()
    if axis is None:
        axes = set(range(a.ndim))
    else:
        axes = {builtins.int(ax) % builtins.max(a.ndim, 1)
                for ax in (axis if isinstance(axis, (tuple, list)) else (axis,))}
    if not axes or ("f" not in t and "b" not in t):
        return a
    idx = []
    for ax in range(a.ndim):
        if ax not in axes:
            idx.append(slice(None))
            continue
        mask = v.any(axis=tuple(i for i in range(a.ndim) if i != ax))
        if not mask.any():
            idx.append(slice(0, 0))
            continue
        start = builtins.int(mask.argmax()) if "f" in t else None
        stop = a.shape[ax] - builtins.int(mask[::-1].argmax()) if "b" in t else None
        idx.append(slice(start, stop))
    return a[tuple(idx)]


def unwrap(p, discont=None, axis=-1, period=2 * np.pi):
    """p with jumps larger than discont (default period/2) along axis replaced by their period
    complement."""
    check_arraylike("unwrap", p)
    p = jnp.asarray(p)
    weak = p.aval.weak_type
    dt = jnp.result_type(p, period)
    if dtypes.is_complex(dt):
        raise ValueError("jnp.unwrap does not support complex inputs.")
    p = lax.convert_element_type(p, dt) if (p.dtype != dt or not weak) else p
    if p.ndim == 0:
        raise ValueError(f"jnp.unwrap requires an array of at least one dimension; got p with {_describe(p)}")
    if not -p.ndim <= axis < p.ndim:
        raise ValueError(f"jnp.unwrap: axis {axis} is out of bounds for array of dimension {p.ndim}")
    axis %= p.ndim
    if p.shape[axis] == 0:
        return p
    if isinstance(period, core.Tracer):
        period = jnp.asarray(period).astype(dt)
        interval = period // 2 if dtypes.is_int(dt) else period / 2
    else:  # a static period: its arithmetic stays in numpy (constants, not staged scalar ops)
        period = np.asarray(period).astype(dt)
        interval = period // 2 if dtypes.is_int(dt) else period / 2
    if discont is None:
        discont = period / 2
    dd = jnp.diff(p, axis=axis)
    ddmod = jnp.mod(dd + interval, period) - interval
    ddmod = jnp.where((ddmod == -interval) & (dd > 0), interval, ddmod)
    correct = jnp.where(jnp.abs(dd) < discont, 0, ddmod - dd)
    first = lax.slice_in_dim(p, 0, 1, axis=axis)
    rest = lax.slice_in_dim(p, 1, p.shape[axis], axis=axis)
    return jnp.concatenate([first, rest + jnp.cumsum(correct, axis=axis)], axis=axis)


# ---- bits -------------------------------------------------------------------------------------
def _bitorder(bitorder):
    if bitorder not in ("little", "big"):
        raise ValueError(f"'order' must be either 'little' or 'big'; got bitorder={bitorder!r}")


def packbits(a, axis=None, bitorder="big"):
    """Nonzero entries of a as bits, 8 to a uint8 along axis (flattened if None), zero-padded."""
    a = jnp.asarray(a)
    if not (dtypes.is_int(a.dtype) or a.dtype == np.bool_):
        raise TypeError(f"Expected an input array of integer or boolean data type; got a with {_describe(a)}")
    _bitorder(bitorder)
    bits = (a != 0).astype(np.uint8)
    if axis is None:
        bits, axis = jnp.ravel(bits), 0
    bits = jnp.swapaxes(bits, axis, -1)
    rem = bits.shape[-1] % 8
    if rem:
        bits = jnp.pad(bits, [(0, 0)] * (bits.ndim - 1) + [(0, 8 - rem)])
    bits = bits.reshape(bits.shape[:-1] + (bits.shape[-1] // 8, 8))
    shifts = np.arange(8, dtype=np.uint8)
    if bitorder == "big":
        shifts = shifts[::-1].copy()
    packed = jnp.sum(bits << jnp.asarray(shifts), axis=-1).astype(np.uint8)
    return jnp.swapaxes(packed, axis, -1)


def unpackbits(a, axis=None, count=None, bitorder="big"):
    """Each uint8 of a as 8 bits along axis (flattened if None); count keeps/pads to that many."""
    a = jnp.asarray(a)
    if a.dtype != np.uint8:
        raise TypeError(f"Expected an input array of unsigned byte data type; got a with {_describe(a)}")
    _bitorder(bitorder)
    masks = (np.uint8(1) << np.arange(8, dtype=np.uint8)).astype(np.uint8)
    if bitorder == "big":
        masks = masks[::-1].copy()
    if axis is None:
        a, axis = jnp.ravel(a), 0
    a = jnp.swapaxes(a, axis, -1)
    bits = ((a[..., None] & jnp.asarray(masks)) > 0).astype(np.uint8)
    bits = bits.reshape(bits.shape[:-2] + (-1,))
    if count is not None:
        count = _static_int(count, "count argument of jnp.unpackbits")
        if count > bits.shape[-1]:
            bits = jnp.pad(bits, [(0, 0)] * (bits.ndim - 1) + [(0, count - bits.shape[-1])])
        else:
            bits = bits[..., :count]
    return jnp.swapaxes(bits, axis, -1)


# ---- multi-dimensional histograms -------------------------------------------------------------
def histogramdd(sample, bins=10, range=None, weights=None, density=None):
    """(counts of shape bins, [edges per dimension]) of N points in D dimensions (sample (N, D))."""
    sample = jnp.asarray(sample)
    if weights is None:
        sample = _inexact_array("histogramdd", sample)
    else:
        weights = jnp.asarray(weights)
        if weights.shape != sample.shape[:1]:
            raise ValueError(f"should have one weight for each sample; got sample with shape {sample.shape} "
                             f"and weights with shape {weights.shape}")
        sample, weights = [jnp.asarray(t) for t in jnp._promote_args("histogramdd", sample, weights)]
        sample, weights = _inexact_array("histogramdd", sample), _inexact_array("histogramdd", weights)
    if sample.ndim != 2:
        raise ValueError(f"histogramdd: sample must be a 2-D array of shape (N, D); got shape {sample.shape}")
    N, D = sample.shape
    if range is not None and (len(range) != D or any(r is not None and np.shape(r)[0] != 2 for r in range)):
        raise ValueError(f"For sample.shape={(N, D)}, range must be a sequence of {D} pairs or Nones; "
                         f"got range={range}")
    try:
        per_dim = list(bins)
    except TypeError:
        per_dim = D * [bins]
    else:
        if len(per_dim) != D:
            raise ValueError("should be a bin for each dimension.")
    from .sorting import searchsorted
    idxs, edges = [], []
    for i in builtins.range(D):
        col = sample[:, i]
        e = jnp.histogram_bin_edges(col, per_dim[i], None if range is None else range[i], weights)
        k = searchsorted(e, col, side="right")
        k = jnp.where(col == e[-1], k - 1, k)
        idxs.append(k)
        edges.append(e)
    nbins = tuple(e.shape[0] + 1 for e in edges)
    flat = jnp.ravel_multi_index(tuple(idxs), nbins, mode="clip")
    hist = jnp.bincount(flat, weights, length=builtins.int(np.prod(nbins))).reshape(nbins)
    hist = hist[(slice(1, -1),) * D]
    if density:
        hist = hist.astype(sample.dtype)
        hist = hist / hist.sum()
        for norm in jnp.ix_(*[jnp.diff(e) for e in edges]):
            hist = hist / norm
    return hist, edges


def histogram2d(x, y, bins=10, range=None, weights=None, density=None):
    """(counts, x edges, y edges) of the points (x[i], y[i])."""
    x, y = jnp.asarray(x), jnp.asarray(y)
    try:
        n = len(bins)
    except TypeError:
        n = 1
    if n != 1 and n != 2:
        e = jnp.asarray(bins)
        bins = [e, e]
    hist, edges = histogramdd(jnp.stack([x, y], axis=1), bins, range, weights, density)
    return hist, edges[0], edges[1]


def mask_indices(n, mask_func, k=0, *, size=None):
    """Indices (rows, cols) where mask_func(ones((n, n)), k) is nonzero."""
    n = _static_int(n, "n argument of jnp.mask_indices")
    i, j = jnp.nonzero(mask_func(jnp.ones((n, n)), k), size=size)
    return i, j


def einsum_path(subscripts, *operands, optimize="auto"):
    """(contraction path, report) for an einsum, from operand shapes (NumPy's path search; the path
    is in opt_einsum's form, without NumPy's leading 'einsum_path')."""
    if optimize is True or optimize == "auto":
        optimize = "optimal" if len(operands) <= 4 else "greedy"
    elif optimize is False:
        raise ValueError("einsum_path: optimize=False gives no path; pass 'greedy', 'optimal' or a path")
    elif isinstance(optimize, str) and optimize not in ("greedy", "optimal"):
        raise ValueError(f"einsum_path: unknown optimize={optimize!r}; use 'auto', 'greedy' or 'optimal'")
    views = []
    for op in operands:
        shape, dt = (tuple(op.shape), np.result_type(op.dtype)) if hasattr(op, "shape") else \
            (np.shape(op), np.result_type(np.asarray(op).dtype))
        views.append(np.broadcast_to(np.zeros((), dt), shape))
    path, report = np.einsum_path(subscripts, *views, optimize=optimize)
    return [tuple(p) for p in path[1:]], report


# ---- printing, buffers, interop ---------------------------------------------------------------
array_repr = np.array_repr
array_str = np.array_str
printoptions = np.printoptions
get_printoptions = np.get_printoptions
set_printoptions = np.set_printoptions
iterable = np.iterable


def frombuffer(buffer, dtype=float, count=-1, offset=0):
    """A 1-D array from the raw bytes of a buffer (read as `dtype`, then canonicalized)."""
    dt = np.dtype(np.float64) if dtype is float else np.dtype(np.int64) if dtype is int else \
        np.dtype(dtypes.check_dtype(dtype))
    return jnp.asarray(np.frombuffer(buffer, dtype=dt, count=count, offset=offset))


def fromstring(string, dtype=float, count=-1, *, sep):
    """A 1-D array from text of numbers separated by sep."""
    dt = np.dtype(np.float64) if dtype is float else np.dtype(np.int64) if dtype is int else \
        np.dtype(dtypes.check_dtype(dtype))
    return jnp.asarray(np.fromstring(string, dtype=dt, count=count, sep=sep))


def from_dlpack(x, /, *, device=None, copy=None):
    """An array sharing (or copying) the memory of a DLPack-capable object (dtype canonicalized)."""
    import torch
    t = x if isinstance(x, torch.Tensor) else torch.from_dlpack(x)
    if copy:
        t = t.clone()
    return jnp.asarray(t)


# ---- vectorize --------------------------------------------------------------------------------
_DIM = r"\w+"
_CORE = r"(?:{0:}(?:,{0:})*)?".format(_DIM)
_ARG = r"\({}\)".format(_CORE)
_ARGLIST = r"{0:}(?:,{0:})*".format(_ARG)
_SIGNATURE = "^{0:}->{0:}$".format(_ARGLIST)


def _parse_signature(signature):
    sig = signature.replace(" ", "")
    if not re.match(_SIGNATURE, sig):
        raise ValueError(f"not a valid gufunc signature: {signature}")
    ins, outs = ([tuple(re.findall(_DIM, arg)) for arg in re.findall(_ARG, side)] for side in sig.split("->"))
    return ins, outs


def _core_sizes(sizes, shape, core_dims, context, is_input):
    k = len(core_dims)
    if is_input and len(shape) < k:
        raise ValueError(f"input with shape {shape!r} does not have enough dimensions for all core "
                         f"dimensions {core_dims!r} {context}")
    if not is_input and len(shape) != k:
        raise ValueError(f"output shape {shape!r} does not match core dimensions {core_dims!r} {context}")
    for name, n in zip(core_dims, shape[len(shape) - k:]):
        if sizes.setdefault(name, n) != n:
            raise ValueError(f"inconsistent size for core dimension {name!r}: {n!r} vs {sizes[name]!r} {context}")


def _with_static(func, static_pos, static_kw):
    """func with the excluded positional/keyword arguments put back in."""
    def call(*args, **kwargs):
        args = list(args)
        for i, v in static_pos:
            args.insert(i, v)
        return func(*args, **kwargs, **static_kw)
    return call


def vectorize(pyfunc, *, excluded=frozenset(), signature=None):
    """NumPy's vectorize, by vmap: pyfunc maps core dims (signature, e.g. '(n),(n)->()') or scalars
    to its outputs; the leading (loop) dims of the arguments broadcast; `excluded` positions/names
    pass through unvectorized."""
    if any(not isinstance(e, (str, int)) for e in excluded):
        raise TypeError("jax.numpy.vectorize can only exclude integer or string arguments, "
                        f"but excluded={excluded!r}")
    if any(isinstance(e, int) and e < 0 for e in excluded):
        raise ValueError(f"excluded={excluded!r} contains negative numbers")
    parsed = _parse_signature(signature) if signature is not None else None

    @functools.wraps(pyfunc)
    def wrapped(*args, **kwargs):
        context = f"on vectorized function with excluded={excluded!r} and signature={signature!r}"
        static_pos = [(i, args[i]) for i in sorted(e for e in excluded if isinstance(e, int)) if i < len(args)]
        static_kw = {k: v for k, v in kwargs.items() if k in excluded}
        args = [a for i, a in enumerate(args) if i not in excluded]
        kwargs = {k: v for k, v in kwargs.items() if k not in excluded}
        func = _with_static(pyfunc, static_pos, static_kw) if static_pos or static_kw else pyfunc
        in_core, out_core = parsed if parsed is not None else ([()] * len(args), None)
        nones = [i for i, a in enumerate(args) if a is None]
        if nones:
            if any(in_core[i] != () for i in nones):
                raise ValueError(f"Cannot pass None at locations {set(nones)} with signature={signature!r}")
            func = _with_static(func, [(i, None) for i in nones], {})
            args = [a for i, a in enumerate(args) if i not in nones]
            in_core = [c for i, c in enumerate(in_core) if i not in nones]
        if len(args) != len(in_core):
            raise TypeError(f"wrong number of positional arguments: expected {len(in_core)!r}, got "
                            f"{len(args)!r} {context}")
        if kwargs:
            # keyword arguments not excluded are vectorized too (as scalars: core dims ()), as in NumPy
            names, npos, kw_func = list(kwargs), len(args), func

            def func(*xs):
                return kw_func(*xs[:npos], **dict(zip(names, xs[npos:])))
            args = args + [kwargs[k] for k in names]
            in_core = list(in_core) + [()] * len(names)
        args = [jnp.asarray(a) for a in args]
        sizes = {}
        loop_shapes = []
        for a, cd in zip(args, in_core):
            _core_sizes(sizes, a.shape, cd, context, True)
            loop_shapes.append(a.shape[:a.ndim - len(cd)])
        bshape = np.broadcast_shapes(*loop_shapes) if loop_shapes else ()
        if out_core is not None:
            inner = func

            def func(*xs, **kw):
                out = inner(*xs, **kw)
                if len(out_core) > 1 and not isinstance(out, tuple):
                    raise TypeError(f"output must be a tuple when multiple outputs are expected, got: {out!r}\n"
                                    f"{context}")
                outs = out if isinstance(out, tuple) else (out,)
                if len(outs) != len(out_core):
                    raise TypeError(f"wrong number of output arguments: expected {len(out_core)!r}, got "
                                    f"{len(outs)!r} {context}")
                s = dict(sizes)
                for o, cd in zip(outs, out_core):
                    _core_sizes(s, np.shape(o), cd, context, False)
                return out
        squeezed, filled = [], []
        for a, ls in zip(args, loop_shapes):
            filled.append((1,) * (len(bshape) - len(ls)) + ls)
            drop = tuple(i for i, n in enumerate(ls) if n == 1)
            squeezed.append(jnp.squeeze(a, axis=drop) if drop else a)
        fn = func
        expand = []
        for d in reversed(range(len(bshape))):
            in_axes = tuple(None if f[d] == 1 else 0 for f in filled)
            if all(ax is None for ax in in_axes):
                expand.append(d)
            else:
                fn = jnp_vmap(fn, in_axes)
        out = fn(*squeezed)
        if not expand:
            return out
        expand = tuple(sorted(expand))
        if isinstance(out, tuple):
            return tuple(jnp.expand_dims(o, expand) for o in out)
        return jnp.expand_dims(out, expand)

    return wrapped


globals()["bool"] = _bool  # last: nothing above may see the builtin shadowed
