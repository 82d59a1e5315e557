"""Public lax functions (same names and signatures as jax.lax) binding the primitives."""
import builtins

import numpy as np

from .. import dtypes
from ..ir.avals import ShapedArray
from ..interpreters import core
from . import elementwise as E, reductions as R, shape as S, linalg as LA

__all__ = []


def _export(f):
    __all__.append(f.__name__)
    return f


def _un(name, prim):
    def f(x):
        a = core.get_aval(x)
        if a.weak_type and a.dtype.kind in "iub":
            # a Python int is an int32 here, as in JAX: lax.sin(3) is a TypeError (the primitive
            # itself lets weak ints through for jaxish's own rules)
            prim.abstract_eval(ShapedArray(a.shape, a.dtype, False))
        return prim.bind(x)
    f.__name__ = name
    __all__.append(name)
    return f


_JNP_TWIN = {"max": "maximum", "min": "minimum", "eq": "equal", "ne": "not_equal", "lt": "less",
             "le": "less_equal", "gt": "greater", "ge": "greater_equal", "div": "divide",
             "rem": "remainder", "sub": "subtract", "mul": "multiply", "pow": "power",
             "shift_left": "left_shift", "shift_right_arithmetic": "right_shift",
             "shift_right_logical": "right_shift"}


def _same_dtypes(name, x, y):
    """JAX's rule for lax's binary functions: no promotion. A Python scalar counts as its default
    dtype (3 is int32, 0.5 float32), so lax.add(f16_array, 0.5) is a TypeError; pow takes an
    integer exponent. (The primitives themselves accept weak operands: jaxish's own rules bind
    them that way.)"""
    dx, dy = core.get_aval(x).dtype, core.get_aval(y).dtype
    if dx == dy or (name == "pow" and dtypes.is_int(dy) and not dtypes.is_int(dx)):
        return
    raise TypeError(f"lax.{name} requires arguments to have the same dtypes, got {dx}, {dy}. "
                    f"(Tip: jnp.{_JNP_TWIN.get(name, name)} is a similar function that does automatic "
                    f"type promotion on inputs).")


def _bin(name, prim):
    def f(x, y):
        _same_dtypes(name, x, y)
        return prim.bind(x, y)
    f.__name__ = name
    __all__.append(name)
    return f


for _n in ("neg", "sign", "floor", "ceil", "is_finite", "exp", "exp2", "log", "log1p", "expm1", "tanh",
           "logistic", "sin", "cos", "tan", "asin", "acos", "atan", "sinh", "cosh", "asinh", "acosh",
           "atanh", "sqrt", "rsqrt", "cbrt", "abs", "erf", "erfc", "erf_inv", "lgamma", "digamma",
           "square", "real", "imag", "population_count"):
    globals()[_n] = _un(_n, getattr(E, _n + "_p"))
bitwise_not = _un("bitwise_not", E.not_p)


@_export
def conj(x):
    """Complex conjugate; a float32/float64 operand gives its complex64/complex128 value, as JAX."""
    d = core.get_aval(x).dtype
    if d in (np.dtype(np.float32), np.dtype(np.float64)):
        return E.convert_element_type_p.bind(x, new_dtype=np.dtype(np.complex64 if d == np.float32 else np.complex128),
                                             weak_type=core.get_aval(x).weak_type)
    if not dtypes.is_complex(d):
        raise TypeError(f"conj does not accept dtype {d}. Accepted dtypes are subtypes of float32, "
                        "complexfloating, float64.")
    return E.conj_p.bind(x)


for _n in ("add", "sub", "mul", "div", "rem", "pow", "max", "min", "atan2", "nextafter",
           "shift_left", "shift_right_logical", "shift_right_arithmetic", "eq", "ne", "lt", "le",
           "gt", "ge"):
    globals()[_n] = _bin(_n, getattr(E, _n + "_p"))
bitwise_and = _bin("bitwise_and", E.and_p)
bitwise_or = _bin("bitwise_or", E.or_p)
bitwise_xor = _bin("bitwise_xor", E.xor_p)


@_export
def round(x, rounding_method=0):
    return E.round_p.bind(x, rounding_method=int(rounding_method))


@_export
def integer_pow(x, y):
    return E.integer_pow_p.bind(x, y=int(y))


@_export
def select(pred, on_true, on_false):
    return E.select_n_p.bind(pred, on_false, on_true)


@_export
def select_n(which, *cases):
    return E.select_n_p.bind(which, *cases)


@_export
def clamp(min, x, max):
    return E.clamp_p.bind(min, x, max)


@_export
def convert_element_type(operand, new_dtype):
    new_dtype = dtypes.canonicalize(dtypes.check_dtype(new_dtype, "new_dtype"))
    aval = core.get_aval(operand)
    if aval.dtype == new_dtype and not aval.weak_type:
        return operand
    return E.convert_element_type_p.bind(operand, new_dtype=new_dtype, weak_type=False)


@_export
def bitcast_convert_type(operand, new_dtype):
    """The bits of `operand` read as `new_dtype`: same shape for equal widths; a wider input gets
    a trailing axis of width ratio, a narrower one loses its trailing axis (which must match)."""
    new_dtype = dtypes.canonicalize(dtypes.check_dtype(new_dtype, "new_dtype"))
    if not isinstance(operand, core.Tracer) and type(operand) in (int, float, bool, complex):
        from ..numpy import asarray
        operand = asarray(operand)
    E._bitcast_abstract(core.get_aval(operand), new_dtype)
    return E.bitcast_convert_type_p.bind(operand, new_dtype=new_dtype)


@_export
def stop_gradient(x):
    from ..tree_util import tree_map
    return tree_map(lambda v: _stop_gradient(v), x)


def _stop_gradient(x):
    from .elementwise import stop_gradient_p  # not `.stop_gradient`: that module would shadow this function
    return stop_gradient_p.bind(x)


@_export
def reduce_sum(operand, axes):
    return R.reduce_sum_p.bind(operand, axes=tuple(axes))


@_export
def reduce_max(operand, axes):
    return R.reduce_max_p.bind(operand, axes=tuple(axes))


@_export
def reduce_min(operand, axes):
    return R.reduce_min_p.bind(operand, axes=tuple(axes))


@_export
def reduce_prod(operand, axes):
    return R.reduce_prod_p.bind(operand, axes=tuple(axes))


@_export
def argmax(operand, axis, index_dtype):
    return R.argmax_p.bind(operand, axes=(int(axis),), index_dtype=dtypes.check_dtype(index_dtype))


@_export
def argmin(operand, axis, index_dtype):
    return R.argmin_p.bind(operand, axes=(int(axis),), index_dtype=dtypes.check_dtype(index_dtype))


def _cum(prim, name):
    def f(operand, axis=0, reverse=False):
        nd = core.get_aval(operand).ndim
        return prim.bind(operand, axis=int(axis) % builtins.max(nd, 1), reverse=bool(reverse))
    f.__name__ = name
    __all__.append(name)
    return f


cumsum = _cum(R.cumsum_p, "cumsum")
cumprod = _cum(R.cumprod_p, "cumprod")
cummax = _cum(R.cummax_p, "cummax")
cummin = _cum(R.cummin_p, "cummin")
cumlogsumexp = _cum(R.cumlogsumexp_p, "cumlogsumexp")


@_export
def broadcast_in_dim(operand, shape, broadcast_dimensions):
    shape = tuple(builtins.int(d) for d in shape)
    aval = core.get_aval(operand)
    if aval.shape == shape and tuple(broadcast_dimensions) == tuple(range(len(shape))):
        return operand
    return S.broadcast_in_dim_p.bind(operand, shape=shape, broadcast_dimensions=tuple(broadcast_dimensions))


@_export
def broadcast(operand, sizes):
    aval = core.get_aval(operand)
    sizes = tuple(sizes)
    return broadcast_in_dim(operand, sizes + aval.shape, tuple(range(len(sizes), len(sizes) + aval.ndim)))


@_export
def reshape(operand, new_sizes, dimensions=None):
    new_sizes = tuple(builtins.int(d) for d in new_sizes)
    aval = core.get_aval(operand)
    if aval.shape == new_sizes and dimensions is None:
        return operand
    return S.reshape_p.bind(operand, new_sizes=new_sizes,
                            dimensions=None if dimensions is None else tuple(dimensions))


@_export
def transpose(operand, permutation):
    permutation = tuple(builtins.int(p) for p in permutation)
    if permutation == tuple(range(core.get_aval(operand).ndim)):
        return operand
    return S.transpose_p.bind(operand, permutation=permutation)


@_export
def squeeze(array, dimensions):
    nd = core.get_aval(array).ndim
    dims = tuple(sorted({d % nd for d in dimensions})) if nd else ()
    if not dims:
        return array
    return S.squeeze_p.bind(array, dimensions=dims)


@_export
def expand_dims(array, dimensions):
    aval = core.get_aval(array)
    nd = aval.ndim + len(dimensions)
    dims = sorted(d % nd for d in dimensions)
    shape = list(aval.shape)
    for d in dims:
        shape.insert(d, 1)
    return reshape(array, shape)


@_export
def rev(operand, dimensions):
    return S.rev_p.bind(operand, dimensions=tuple(dimensions))


@_export
def concatenate(operands, dimension):
    if len(operands) == 1:
        return operands[0]
    return S.concatenate_p.bind(*operands, dimension=builtins.int(dimension))


@_export
def pad(operand, padding_value, padding_config):
    return S.pad_p.bind(operand, padding_value, padding_config=tuple(tuple(c) for c in padding_config))


@_export
def slice(operand, start_indices, limit_indices, strides=None):
    return S.slice_p.bind(operand, start_indices=tuple(start_indices), limit_indices=tuple(limit_indices),
                          strides=None if strides is None else tuple(strides))


@_export
def slice_in_dim(operand, start_index, limit_index, stride=1, axis=0):
    aval = core.get_aval(operand)
    st = [0] * aval.ndim
    lim = list(aval.shape)
    strides = [1] * aval.ndim
    n = aval.shape[axis]
    start_index = 0 if start_index is None else (start_index + n if start_index < 0 else start_index)
    limit_index = n if limit_index is None else (limit_index + n if limit_index < 0 else limit_index)
    st[axis], lim[axis], strides[axis] = start_index, limit_index, stride
    return slice(operand, st, lim, strides if stride != 1 else None)


@_export
def index_in_dim(operand, index, axis=0, keepdims=True):
    n = core.get_aval(operand).shape[axis]
    index = index + n if index < 0 else index
    out = slice_in_dim(operand, index, index + 1, 1, axis)
    return out if keepdims else squeeze(out, (axis,))


def _as_index(i):
    from ..numpy import asarray
    if isinstance(i, (builtins.int, np.integer)):
        return asarray(np.int32(i))
    return i


@_export
def dynamic_slice(operand, start_indices, slice_sizes):
    starts = [_as_index(s) for s in start_indices]
    return S.dynamic_slice_p.bind(operand, *starts, slice_sizes=tuple(builtins.int(s) for s in slice_sizes))


@_export
def dynamic_update_slice(operand, update, start_indices):
    starts = [_as_index(s) for s in start_indices]
    return S.dynamic_update_slice_p.bind(operand, update, *starts)


@_export
def dynamic_slice_in_dim(operand, start_index, slice_size, axis=0):
    aval = core.get_aval(operand)
    starts = [0] * aval.ndim
    starts[axis] = start_index
    sizes = list(aval.shape)
    sizes[axis] = slice_size
    return dynamic_slice(operand, starts, sizes)


@_export
def dynamic_index_in_dim(operand, index, axis=0, keepdims=True):
    out = dynamic_slice_in_dim(operand, index, 1, axis)
    return out if keepdims else squeeze(out, (axis,))


@_export
def dynamic_update_slice_in_dim(operand, update, start_index, axis):
    aval = core.get_aval(operand)
    starts = [0] * aval.ndim
    starts[axis] = start_index
    return dynamic_update_slice(operand, update, starts)


@_export
def dynamic_update_index_in_dim(operand, update, index, axis):
    aval = core.get_aval(operand)
    uaval = core.get_aval(update)
    if uaval.ndim == aval.ndim - 1:
        update = expand_dims(update, (axis,))
    return dynamic_update_slice_in_dim(operand, update, index, axis)


@_export
def iota(dtype, size):
    return S.iota_p.bind(dtype=dtypes.canonicalize(dtypes.check_dtype(dtype)), shape=(builtins.int(size),), dimension=0)


@_export
def broadcasted_iota(dtype, shape, dimension):
    return S.iota_p.bind(dtype=dtypes.canonicalize(dtypes.check_dtype(dtype)),
                         shape=tuple(builtins.int(s) for s in shape), dimension=builtins.int(dimension))


@_export
def full(shape, fill_value, dtype=None):
    if dtype is None:
        dtype = core.get_aval(fill_value).dtype
    dtype = dtypes.canonicalize(dtypes.check_dtype(dtype))
    shape = tuple(builtins.int(s) for s in (shape if isinstance(shape, (tuple, list)) else (shape,)))
    if isinstance(fill_value, core.Tracer) or hasattr(fill_value, "_t"):
        return broadcast(convert_element_type(fill_value, dtype), shape)
    return S.full_p.bind(shape=shape, fill_value=np.asarray(fill_value).item(), dtype=dtype)


@_export
def full_like(x, fill_value, dtype=None, shape=None):
    aval = core.get_aval(x)
    weak = {"weak_type": True} if dtype is None and aval.weak_type else {}
    dtype = dtypes.canonicalize(dtypes.check_dtype(dtype)) if dtype is not None else aval.dtype
    return S.full_like_p.bind(x, fill_value=np.asarray(fill_value).item(), dtype=dtype,
                              shape=tuple(aval.shape if shape is None else shape), **weak)


@_export
def zeros_like_array(x):
    return full_like(x, 0)


@_export
def dot_general(lhs, rhs, dimension_numbers, precision=None, preferred_element_type=None):
    (lc, rc), (lb, rb) = dimension_numbers
    dn = ((tuple(lc), tuple(rc)), (tuple(lb), tuple(rb)))
    pet = None if preferred_element_type is None else dtypes.canonicalize(dtypes.check_dtype(preferred_element_type))
    return LA.dot_general_p.bind(lhs, rhs, dimension_numbers=dn, precision=None, preferred_element_type=pet)


@_export
def dot(lhs, rhs, precision=None, preferred_element_type=None):
    la, ra = core.get_aval(lhs), core.get_aval(rhs)
    if la.ndim not in (1, 2) or ra.ndim not in (1, 2):
        raise TypeError(f"dot requires 1-D or 2-D operands, got shapes {la.shape} and {ra.shape}")
    return dot_general(lhs, rhs, (((la.ndim - 1,), (0,)), ((), ())), precision, preferred_element_type)


@_export
def batch_matmul(lhs, rhs, precision=None):
    la = core.get_aval(lhs)
    nb = la.ndim - 2
    return dot_general(lhs, rhs, (((la.ndim - 1,), (nb,)), (tuple(range(nb)), tuple(range(nb)))), precision)
