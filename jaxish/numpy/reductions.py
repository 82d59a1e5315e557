"""jnp reductions with axis/keepdims/dtype/where/initial, following JAX's dtype rules."""
import builtins
import operator

import numpy as np

from .. import dtypes
from ..interpreters import core
from .. import lax
from ..lax import elementwise as E, reductions as R
from ._core import _array as _arr, promote_args


def _axes(axis, ndim, name):
    if axis is None:
        return tuple(range(ndim))
    if isinstance(axis, (tuple, list)):
        axes = [operator.index(a) for a in axis]
    else:
        axes = [operator.index(axis)]
    out = []
    for a in axes:
        if not -ndim <= a < builtins.max(ndim, 1) or (ndim == 0 and a not in (0, -1)):
            raise ValueError(f"{name}: axis {a} is out of bounds for array of dimension {ndim}")
        out.append(a % ndim if ndim else 0)
    if len(set(out)) != len(out):
        raise ValueError(f"{name}: duplicate value in 'axis': {axis}")
    return tuple(sorted(out)) if ndim else ()


def _keep(x, out, axes, keepdims):
    if not keepdims:
        return out
    shape = list(core.get_aval(x).shape)
    for a in axes:
        shape[a] = 1
    return lax.reshape(out, shape)


def _sum_dtype(dt):
    """numpy/JAX: sums of small ints and bools accumulate in the default int width."""
    if dt == dtypes.bool_:
        return dtypes.default_int()
    if dtypes.is_unsigned(dt) and dt.itemsize < dtypes.default_uint().itemsize:
        return dtypes.default_uint()
    if dtypes.is_int(dt) and dt.itemsize < dtypes.default_int().itemsize:
        return dtypes.default_int()
    return dt


def _strong(a):
    """`a` without its weak type: JAX's reductions always return strongly-typed arrays."""
    av = core.get_aval(a)
    return E.convert_element_type_p.bind(a, new_dtype=av.dtype, weak_type=False) if av.weak_type else a


def _reduction(name, prim, identity, upcast=False, bool_prim=None, require_nonempty=False):
    def f(a, axis=None, dtype=None, out=None, keepdims=False, initial=None, where=None, promote_integers=True):
        if out is not None:
            raise NotImplementedError(f"The 'out' argument to jnp.{name} is not supported.")
        a = _strong(_arr(a, f"{name} argument a"))
        av = core.get_aval(a)
        axes = _axes(axis, av.ndim, name)
        if dtype is not None:
            dt = dtypes.canonicalize(dtypes.check_dtype(dtype))
        elif upcast and promote_integers:
            dt = _sum_dtype(av.dtype)
        else:
            dt = av.dtype
        p = prim
        if av.dtype == dtypes.bool_ and bool_prim is not None and dtype is None:
            p = bool_prim
        elif dt != av.dtype:
            a = lax.convert_element_type(a, dt)
        if where is not None:
            if identity is None:
                if initial is None:
                    raise ValueError(f"reduction operation {name} does not have an identity, so to use a "
                                     "where mask one has to specify 'initial'")
                ident = initial
            else:
                ident = identity(dt) if callable(identity) else identity
            from ._core import where as _where
            a = _where(where, a, lax.full_like(a, ident))
        if require_nonempty and initial is None and builtins.any(av.shape[i] == 0 for i in axes):
            raise ValueError(f"zero-size array to reduction operation {name} which has no identity")
        if upcast and axes and dt in _HALF:   # as JAX: half-precision sums and products run in float32
            res = lax.convert_element_type(p.bind(lax.convert_element_type(a, np.float32), axes=axes), dt)
        else:
            res = p.bind(a, axes=axes) if axes else a
        if initial is not None:
            from . import _core as C
            combine = {"sum": C.add, "prod": C.multiply, "max": C.maximum, "min": C.minimum}[name]
            res = combine(res, initial)
            res = lax.convert_element_type(res, dt) if core.get_aval(res).dtype != dt else res
        return _keep(a, res, axes, keepdims)
    f.__name__ = name
    return f


def _min_ident(dt):
    return -np.inf if dtypes.is_inexact(dt) else (False if dt == dtypes.bool_ else np.iinfo(dt).min)


def _max_ident(dt):
    return np.inf if dtypes.is_inexact(dt) else (True if dt == dtypes.bool_ else np.iinfo(dt).max)


sum = _reduction("sum", R.reduce_sum_p, 0, upcast=True)
prod = _reduction("prod", R.reduce_prod_p, 1, upcast=True)
max = _reduction("max", R.reduce_max_p, None, bool_prim=R.reduce_or_p, require_nonempty=True)
min = _reduction("min", R.reduce_min_p, None, bool_prim=R.reduce_and_p, require_nonempty=True)
amax, amin = max, min


def any(a, axis=None, out=None, keepdims=False, *, where=None):
    a = _arr(a, "any argument a")
    if core.get_aval(a).dtype != dtypes.bool_:
        a = E.ne_p.bind(a, 0 if not dtypes.is_inexact(core.get_aval(a).dtype) else 0.0)
    if where is not None:
        from ._core import logical_and
        a = logical_and(a, where)
    axes = _axes(axis, core.get_aval(a).ndim, "any")
    res = R.reduce_or_p.bind(a, axes=axes) if axes else _strong(a)
    return _keep(a, res, axes, keepdims)


def all(a, axis=None, out=None, keepdims=False, *, where=None):
    a = _arr(a, "all argument a")
    if core.get_aval(a).dtype != dtypes.bool_:
        a = E.ne_p.bind(a, 0 if not dtypes.is_inexact(core.get_aval(a).dtype) else 0.0)
    if where is not None:
        from ._core import logical_or, logical_not
        a = logical_or(a, logical_not(where))
    axes = _axes(axis, core.get_aval(a).ndim, "all")
    res = R.reduce_and_p.bind(a, axes=axes) if axes else _strong(a)
    return _keep(a, res, axes, keepdims)


def _count(a, axes, where):
    av = core.get_aval(a)
    if where is None:
        n = 1
        for i in axes:
            n *= av.shape[i]
        return n
    from ._core import logical_and
    w = lax.convert_element_type(lax.broadcast_in_dim(_arr(where, "where"), av.shape,
                                                      tuple(range(av.ndim - core.get_aval(_arr(where, "where")).ndim, av.ndim))),
                                 dtypes.default_int())
    return sum(w, axis=axes)


_HALF = (np.dtype(np.float16), dtypes.bfloat16)


def mean(a, axis=None, dtype=None, out=None, keepdims=False, *, where=None):
    a = _strong(_arr(a, "mean argument a"))
    av = core.get_aval(a)
    axes = _axes(axis, av.ndim, "mean")
    if dtype is None:
        dt = dtypes.to_inexact(av.dtype)
    else:
        dt = dtypes.canonicalize(dtypes.check_dtype(dtype))
        if dt == dtypes.bool_:
            raise TypeError("mean does not accept dtype bool: the division needs a numeric dtype")
        if not dtypes.is_inexact(dt):   # JAX: an integer sum in dt, divided (truncating) by the count
            s = sum(a, axis=axes, dtype=dt, keepdims=keepdims, where=where)
            n = _count(a, axes, where)
            n = lax.convert_element_type(n if not isinstance(n, int) else np.asarray(n), dt)
            if keepdims and core.get_aval(n).ndim:
                n = _keep(a, n, axes, True)
            return E.div_p.bind(*promote_args("mean", s, n))
    if dt in _HALF:   # computed in float32, as JAX
        return lax.convert_element_type(mean(a, axis, np.float32, None, keepdims, where=where), dt)
    s = sum(a, axis=axes, dtype=dt, keepdims=keepdims, where=where)
    n = _count(a, axes, where)
    from ._core import true_divide
    if isinstance(n, int):
        return true_divide(s, float(n)) if n else true_divide(s, 0.0)
    n = lax.convert_element_type(n, dt)
    if keepdims:
        n = _keep(a, n, axes, True)
    return true_divide(s, n)


def refuse_bool(op, dtype):
    """JAX's TypeError where a composite function does arithmetic (`op`) that lax refuses on bools."""
    if dtype is not None and dtypes.check_dtype(dtype) == dtypes.bool_:
        raise TypeError(f"{op} does not accept dtype bool at position 0. Accepted dtypes at position 0 are "
                        "subtypes of integer, floating, complexfloating.")


def var(a, axis=None, dtype=None, out=None, ddof=0, keepdims=False, *, where=None, correction=None):
    if correction is not None:
        ddof = correction
    a = _strong(_arr(a, "var argument a"))
    av = core.get_aval(a)
    axes = _axes(axis, av.ndim, "var")
    refuse_bool("div", dtype)
    dt = dtypes.canonicalize(dtypes.check_dtype(dtype)) if dtype is not None else dtypes.to_inexact(av.dtype)
    if dtype is not None and not dtypes.is_inexact(dt):   # as JAX: an integer dtype means the default float
        dt = dtypes.default_float()
    if dtypes.is_complex(dt) and not dtypes.is_complex(av.dtype):   # JAX: a real input's variance, as dt
        return lax.convert_element_type(var(a, axis, np.dtype(np.float32 if dt.itemsize == 8 else np.float64), None, ddof, keepdims, where=where), dt)
    if dt in _HALF:   # computed in float32, as JAX
        return lax.convert_element_type(var(a, axis, np.float32, None, ddof, keepdims, where=where), dt)
    a = lax.convert_element_type(a, dt) if av.dtype != dt else a
    m = mean(a, axis=axes, keepdims=True, where=where)
    from ._core import subtract, multiply, true_divide, real, conj
    c = subtract(a, m)
    sq = real(multiply(c, conj(c))) if dtypes.is_complex(dt) else multiply(c, c)
    n = _count(a, axes, where)
    s = sum(sq, axis=axes, keepdims=keepdims, where=where)
    if isinstance(n, int):
        return true_divide(s, float(builtins.max(n - ddof, 0)))
    n = lax.convert_element_type(n, core.get_aval(s).dtype)
    if keepdims:
        n = _keep(a, n, axes, True)
    from ._core import maximum
    return true_divide(s, maximum(subtract(n, float(ddof)), 0.0))


def std(a, axis=None, dtype=None, out=None, ddof=0, keepdims=False, *, where=None, correction=None):
    from ._core import sqrt
    if dtype is not None and not dtypes.is_inexact(dtypes.canonicalize(dtypes.check_dtype(dtype))):
        raise ValueError(f"dtype argument to jnp.std must be inexact; got {dtypes.check_dtype(dtype)}")
    return sqrt(var(a, axis, dtype, out, ddof, keepdims, where=where, correction=correction))


def _arg(name, prim):
    def f(a, axis=None, out=None, keepdims=False):
        a = _arr(a, f"{name} argument a")
        av = core.get_aval(a)
        if axis is not None:
            axis = operator.index(axis)   # JAX: a single integer axis (a tuple is a TypeError)
        if axis is None:
            a = lax.reshape(a, (av.size,))
            ax = 0
        else:
            ax = _axes(axis, av.ndim, name)[0]
        if core.get_aval(a).shape[ax] == 0:
            raise ValueError(f"attempt to get {name} of an empty sequence")
        if dtypes.is_complex(av.dtype):
            raise TypeError(f"{name} does not accept dtype {av.dtype}: complex numbers are not ordered")
        res = prim.bind(a, axes=(ax,), index_dtype=dtypes.default_int())
        if keepdims:
            if axis is None:
                return lax.reshape(res, (1,) * av.ndim)
            return _keep(a, res, (ax,), True)
        return res
    f.__name__ = name
    return f


argmax = _arg("argmax", R.argmax_p)
argmin = _arg("argmin", R.argmin_p)


def _cumulative(name, prim, upcast):
    def f(a, axis=None, dtype=None, out=None):
        a = _strong(_arr(a, f"{name} argument a"))
        av = core.get_aval(a)
        if axis is None:
            a = lax.reshape(a, (av.size,))
            axis = 0
        axis = _axes(axis, core.get_aval(a).ndim, name)
        axis = axis[0] if axis else 0
        dt = dtypes.canonicalize(dtypes.check_dtype(dtype)) if dtype is not None else (
            dtypes.default_int() if upcast and av.dtype == dtypes.bool_ else av.dtype)  # as JAX
        if dt != av.dtype:
            a = lax.convert_element_type(a, dt)
        if core.get_aval(a).ndim == 0:
            return a
        if dt == dtypes.bool_:   # a boolean running sum is "any so far", a running product "all so far"
            as_int = lax.convert_element_type(a, dtypes.int32)
            run = (R.cummax_p if name == "cumsum" else R.cummin_p).bind(as_int, axis=axis, reverse=False)
            return lax.convert_element_type(run, dtypes.bool_)
        return prim.bind(a, axis=axis, reverse=False)
    f.__name__ = name
    return f


cumsum = _cumulative("cumsum", R.cumsum_p, True)
cumprod = _cumulative("cumprod", R.cumprod_p, True)


def _cumulative_api(name, fn):
    """Array API cumulative_sum/prod: axis required above rank 1, small ints promoted as in sum."""
    def f(x, /, *, axis=None, dtype=None, include_initial=False):
        x = _arr(x, f"{name} argument x")
        xv = core.get_aval(x)
        if xv.ndim == 0:
            raise ValueError(f"The input must be non-scalar to take a {name[11:]}, however a scalar value "
                             "or scalar array was given.")
        if axis is None:
            if xv.ndim > 1:
                raise ValueError(f"The input array has rank {xv.ndim}, however axis was not set to an explicit "
                                 "value. The axis argument is only optional for one-dimensional arrays.")
            axis = 0
        ax = _axes(axis, xv.ndim, name)[0]
        if dtype is not None:
            dt = dtypes.canonicalize(dtypes.check_dtype(dtype))
        elif name == "cumulative_sum" or xv.dtype == dtypes.bool_:
            dt = _sum_dtype(xv.dtype)
        else:   # as JAX: cumulative_prod keeps small ints (cumulative_sum promotes them)
            dt = xv.dtype
        out = fn(x, axis=ax, dtype=dt)
        if include_initial:
            shape = list(xv.shape)
            shape[ax] = 1
            out = lax.concatenate([lax.full(tuple(shape), 0 if name == "cumulative_sum" else 1, dt), out], ax)
        return out
    f.__name__ = name
    return f


cumulative_sum = _cumulative_api("cumulative_sum", cumsum)
cumulative_prod = _cumulative_api("cumulative_prod", cumprod)


def ptp(a, axis=None, out=None, keepdims=False):
    from ._core import subtract
    return subtract(max(a, axis, keepdims=keepdims), min(a, axis, keepdims=keepdims))


def count_nonzero(a, axis=None, keepdims=False):
    a = _arr(a, "count_nonzero argument a")
    return sum(E.ne_p.bind(a, 0 if not dtypes.is_inexact(core.get_aval(a).dtype) else 0.0), axis=axis,
               keepdims=keepdims, dtype=dtypes.default_int())


def average(a, axis=None, weights=None, returned=False, keepdims=False):
    if weights is None:
        avg = mean(a, axis=axis, keepdims=keepdims)
        n = core.get_aval(_arr(a, "a")).size // builtins.max(core.get_aval(avg).size, 1)
        from .creation import full_like
        return (avg, full_like(avg, n)) if returned else avg
    from ._core import multiply, true_divide, _promote_to_inexact
    a, weights = _promote_to_inexact("average", a, weights)
    a = _arr(a, "a")
    weights = _arr(weights, "weights")
    av, wv = core.get_aval(a), core.get_aval(weights)
    if wv.shape != av.shape:
        if axis is None or wv.ndim != 1:
            raise ValueError("Axis must be specified when shapes of a and weights differ.")
        ax = _axes(axis, av.ndim, "average")[0]
        if wv.shape[0] != av.shape[ax]:
            raise ValueError("Length of weights not compatible with specified axis.")
        weights = lax.broadcast_in_dim(weights, av.shape, (ax,))
    wsum = sum(weights, axis=axis, keepdims=keepdims)
    avg = true_divide(sum(multiply(a, weights), axis=axis, keepdims=keepdims), wsum)
    return (avg, wsum) if returned else avg
