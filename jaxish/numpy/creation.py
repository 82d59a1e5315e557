"""Array creation: asarray/array and the constructors (zeros, ones, full, arange, linspace, eye...)."""
import builtins
import math

import numpy as np
import torch

from .. import dtypes
from ..array import Array, ArrayImpl
from ..config import default_device
from ..interpreters import core
from .. import lax
from ..lax import _ops as _L  # lax arithmetic without the public same-dtype check


def _numpy_to_tensor(a, dtype=None):
    """A torch tensor (on the default device) holding numpy array `a` at its canonical dtype."""
    dt = dtypes.canonicalize(a.dtype if dtype is None else dtype)
    if a.dtype.kind in "OUS":
        raise TypeError(f"jaxish arrays cannot hold dtype {a.dtype}")
    if dt not in dtypes.SUPPORTED:
        raise TypeError(f"dtype {dt} is not supported by jaxish")
    if a.dtype != dt:
        a = a.astype(dt)
    if dt == dtypes.bfloat16:
        t = torch.from_numpy(np.ascontiguousarray(a).view(np.int16).reshape(a.shape)).view(torch.bfloat16)
    elif dt in (dtypes.uint16, dtypes.uint32, dtypes.uint64):
        t = torch.from_numpy(np.array(a, dtype=np.int64, copy=True, order="C")).to(dtypes.to_torch_dtype(dt))
    else:
        t = torch.from_numpy(np.array(a, copy=True, order="C"))
    dev = default_device()
    if t.device != dev:
        t = t.to(dev)
    return t


def _is_arraylike_leaf(x):
    return isinstance(x, (Array, np.ndarray, np.generic, torch.Tensor)) or core.is_scalar_literal(x)


def asarray(a, dtype=None, order=None, copy=None, device=None):
    """jnp.asarray: Arrays pass through (cast if asked); scalars become weak-typed 0-d arrays."""
    dt = None if dtype is None else dtypes.canonicalize(dtypes.check_dtype(dtype))
    t = type(a)
    if t is ArrayImpl or isinstance(a, Array):
        if dt is not None and a.dtype != dt:
            return lax.convert_element_type(a, dt)
        return a
    if t is bool or t is int or t is float or t is complex:
        sd, weak = dtypes.scalar_dtype(a)
        if dt is not None:
            sd, weak = dt, False
        if t is int and weak:
            info = np.iinfo(sd) if dtypes.is_int(sd) else None
            if info is not None and not (info.min <= a <= info.max):
                raise OverflowError(f"Python int {a} too large to convert to {sd}")
        if sd in (dtypes.uint16, dtypes.uint32, dtypes.uint64):
            ten = torch.tensor(a, dtype=torch.int64, device=default_device()).to(dtypes.to_torch_dtype(sd))
        else:
            ten = torch.tensor(a, dtype=dtypes.to_torch_dtype(sd), device=default_device())
        return ArrayImpl(ten, weak)
    if isinstance(a, torch.Tensor):
        from ..array import from_torch
        out = from_torch(a)
        return asarray(out, dt) if dt is not None else out
    if isinstance(a, (np.ndarray, np.generic)):
        return ArrayImpl(_numpy_to_tensor(np.asarray(a), dt))
    if isinstance(a, (list, tuple)):
        if _contains_arrays(a):
            from .shape import stack
            return stack([asarray(e, dtype) for e in a])
        try:
            na = np.asarray(a)
        except ValueError as e:
            raise ValueError(f"asarray: could not convert {type(a).__name__} to an array: {e}") from None
        if na.dtype.kind in "OUS":
            raise TypeError(f"asarray: could not convert {a!r} to an array of numbers")
        if dt is None and _has_numpy_scalars(a):
            # numpy scalars are strong and Python numbers weak (JAX: [np.uint8(3), 1] is uint8)
            na = na.astype(_element_dtype(a))
        elif dt is None and na.dtype.kind == "f":
            na = na.astype(dtypes.default_float())
        elif dt is None and na.dtype.kind == "i":
            na = na.astype(dtypes.default_int())
        return ArrayImpl(_numpy_to_tensor(na, dt))
    if hasattr(a, "__jax_array__"):
        return asarray(a.__jax_array__(), dtype)
    if hasattr(a, "__array__"):
        return asarray(np.asarray(a), dtype)
    raise TypeError(f"Unexpected input type for array: {type(a).__name__}")


def _has_numpy_scalars(seq):
    for e in seq:
        if isinstance(e, (np.generic, np.ndarray)):
            return True
        if isinstance(e, (list, tuple)) and _has_numpy_scalars(e):
            return True
    return False


def _element_dtype(seq):
    """The joint dtype of a nested list's elements on JAX's lattice (Python numbers weak)."""
    pairs = []

    def walk(s):
        for e in s:
            if isinstance(e, (list, tuple)):
                walk(e)
            elif type(e) in (bool, int, float, complex):
                pairs.append(dtypes.scalar_dtype(e))
            else:
                pairs.append((dtypes.canonicalize(np.asarray(e).dtype), False))
    walk(seq)
    return dtypes.promote_types(*pairs)[0]


def _contains_arrays(seq):
    for e in seq:
        if isinstance(e, Array):
            return True
        if isinstance(e, (list, tuple)) and _contains_arrays(e):
            return True
    return False


def array(object, dtype=None, copy=True, order="K", ndmin=0):
    out = asarray(object, dtype)
    if ndmin > out.ndim:
        out = lax.reshape(out, (1,) * (ndmin - out.ndim) + out.shape)
    if copy and isinstance(out, ArrayImpl) and out is object:
        return out.copy()
    return out


def _shape(shape):
    if isinstance(shape, (int, np.integer)):
        return (int(shape),)
    try:
        return tuple(int(d.__index__()) for d in shape)
    except (TypeError, AttributeError):
        raise TypeError(f"Shapes must be 1D sequences of concrete values of integer type, got {shape!r}.") from None


def _dtype(dtype, default):
    if dtype is None:
        return default
    return dtypes.canonicalize(dtypes.check_dtype(dtype))


def full(shape, fill_value, dtype=None):
    shape = _shape(shape)
    if isinstance(fill_value, Array) and fill_value.ndim > 0:
        from .shape import broadcast_to
        return broadcast_to(asarray(fill_value, dtype), shape)
    if dtype is None:
        aval = core.get_aval(fill_value)
        dt = aval.dtype
        if isinstance(fill_value, core.Tracer):
            return lax.broadcast(fill_value, shape)
        if aval.weak_type:   # a Python scalar fills a weakly typed array, as in JAX
            from ..lax.shape import _check_shape_nonneg
            _check_shape_nonneg("full", shape)
            return lax.broadcast(fill_value, shape)
    else:
        dt = _dtype(dtype, None)
    if isinstance(fill_value, core.Tracer):
        return lax.broadcast(lax.convert_element_type(fill_value, dt), shape)
    return lax.full(shape, fill_value, dt)


def zeros(shape, dtype=None):
    return lax.full(_shape(shape), 0, _dtype(dtype, dtypes.default_float()))


def ones(shape, dtype=None):
    return lax.full(_shape(shape), 1, _dtype(dtype, dtypes.default_float()))


def empty(shape, dtype=None):
    return zeros(shape, dtype)


def _like(a, dtype, shape):
    aval = core.get_aval(a)
    dt = _dtype(dtype, aval.dtype)
    return dt, (aval.shape if shape is None else _shape(shape))


def zeros_like(a, dtype=None, shape=None):
    dt, shp = _like(a, dtype, shape)
    return lax.full_like(asarray(a) if not isinstance(a, Array) else a, 0, _keep_weak(dtype, dt), shp)


def ones_like(a, dtype=None, shape=None):
    dt, shp = _like(a, dtype, shape)
    return lax.full_like(asarray(a) if not isinstance(a, Array) else a, 1, _keep_weak(dtype, dt), shp)


def full_like(a, fill_value, dtype=None, shape=None):
    dt, shp = _like(a, dtype, shape)
    if isinstance(fill_value, core.Tracer) or (isinstance(fill_value, Array) and fill_value.ndim > 0):
        return full(shp, fill_value, dt)
    if isinstance(fill_value, complex) and not dtypes.is_complex(dt):
        raise TypeError(f"full_like: cannot fill an array of dtype {dt} with the complex value {fill_value!r}")
    return lax.full_like(asarray(a) if not isinstance(a, Array) else a, fill_value, _keep_weak(dtype, dt), shp)


def _keep_weak(dtype, dt):
    """No dtype given: lax.full_like keeps a weak input's weak type (zeros_like(2.0) is weak, as JAX)."""
    return None if dtype is None else dt


def empty_like(a, dtype=None, shape=None):
    return zeros_like(a, dtype, shape)


def arange(start, stop=None, step=None, dtype=None):
    for name, v in (("start", start), ("stop", stop), ("step", step)):
        if isinstance(v, core.Tracer):
            raise core.ConcretizationTypeError(v, f"jnp.arange argument '{name}' must be concrete.")
    if stop is None and step is None:
        start, stop = 0, start
    step = 1 if step is None else step
    vals = [v for v in (start, stop, step) if v is not None]
    items = [np.asarray(v).item() if hasattr(v, "shape") else v for v in vals]   # Python numbers
    if dtype is None:
        is_float = any(isinstance(v, float) for v in items)
        dt = dtypes.default_float() if is_float else dtypes.default_int()
        typed = [np.dtype(v.dtype) for v in vals if isinstance(v, np.generic) and np.dtype(v.dtype).kind in "iu"]
        if typed and not is_float:   # as JAX: numpy integer scalars keep their dtype (np.int16(3) -> int16)
            dt = dtypes.canonicalize(np.result_type(*typed))
        if any(isinstance(v, bool) for v in items):
            dt = dtypes.bool_
    else:
        dt = _dtype(dtype, None)
    if dt == dtypes.bool_:
        raise TypeError("iota does not accept dtype bool. Accepted dtypes are subtypes of integer, floating, "
                        "complexfloating.")
    start, stop, step = (np.asarray(v).item() for v in (start, stop, step))
    n = builtins.max(0, math.ceil((stop - start) / step))
    if not dtypes.is_inexact(dt) and all(isinstance(v, int) for v in (start, step)):
        if start == 0 and step == 1:
            return lax.iota(dt, n)
        return _L.add(_L.mul(lax.iota(dt, n), step), start) if n else lax.iota(dt, 0)
    np_out = np.arange(start, stop, step, dtype=np.float64 if dtypes.is_inexact(dt) else None)
    return asarray(np_out.astype(dt) if dt != dtypes.bfloat16 else np_out.astype(np.float32).astype(dt))


def linspace(start, stop, num=50, endpoint=True, retstep=False, dtype=None, axis=0):
    num = int(num)
    if num < 0:
        raise ValueError(f"Number of samples, {num}, must be non-negative.")
    start_a = asarray(start)
    stop_a = asarray(stop)
    if dtype is None:   # as JAX: the endpoints' joint dtype, made inexact (float16 stays, complex too)
        sa, ea = core.get_aval(start_a), core.get_aval(stop_a)
        dt = dtypes.to_inexact(dtypes.promote_types((sa.dtype, sa.weak_type), (ea.dtype, ea.weak_type))[0])
    else:
        dt = _dtype(dtype, dtypes.default_float())
    cdt = dt if dtypes.is_inexact(dt) else dtypes.default_float()
    from . import _core as C
    from .shape import broadcast_arrays
    div = (num - 1) if endpoint else num
    idx = lax.iota(np.dtype(np.float32 if cdt == np.complex64 else np.float64) if dtypes.is_complex(cdt) else cdt, num)
    s = lax.convert_element_type(start_a, cdt)
    e = lax.convert_element_type(stop_a, cdt)
    if core.get_aval(s).shape != core.get_aval(e).shape:
        s, e = broadcast_arrays(s, e)
    step = C.true_divide(C.subtract(e, s), div) if div > 0 else C.multiply(C.subtract(e, s), 0.0)
    extra = core.get_aval(s).ndim
    if extra:
        idx = lax.broadcast_in_dim(idx, (num,) + core.get_aval(s).shape, (0,))
    out = C.add(s, C.multiply(idx, step))
    if endpoint and num > 1:
        from .indexing import _set_last
        out = _set_last(out, e)
    if axis != 0 and extra:
        from .shape import moveaxis
        out = moveaxis(out, 0, axis)
    if not dtypes.is_inexact(dt):
        out = C.floor(out)
    out = lax.convert_element_type(out, dt)
    return (out, step) if retstep else out


def logspace(start, stop, num=50, endpoint=True, base=10.0, dtype=None, axis=0):
    """base ** linspace(start, stop): computed in the endpoints' inexact dtype, then cast to
    `dtype` (an integer dtype gets the truncated powers, as JAX)."""
    from . import _core as C
    out = C.power(base, linspace(start, stop, num, endpoint, axis=axis))
    return out if dtype is None else lax.convert_element_type(out, _dtype(dtype, dtypes.default_float()))


def eye(N, M=None, k=0, dtype=None):
    M = N if M is None else M
    dt = _dtype(dtype, dtypes.default_float())
    r = lax.broadcasted_iota(dtypes.int32, (N, M), 0)
    c = lax.broadcasted_iota(dtypes.int32, (N, M), 1)
    return lax.convert_element_type(_L.eq(_L.add(r, int(k)), c), dt)


def identity(n, dtype=None):
    return eye(n, dtype=dtype)


def tri(N, M=None, k=0, dtype=None):
    M = N if M is None else M
    dt = _dtype(dtype, dtypes.float32)   # JAX's default here is float32, also under x64
    r = lax.broadcasted_iota(dtypes.int32, (N, M), 0)
    c = lax.broadcasted_iota(dtypes.int32, (N, M), 1)
    return lax.convert_element_type(_L.ge(_L.add(r, int(k)), c), dt)
