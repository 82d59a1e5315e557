"""Elementwise primitives (numpy-style broadcasting among operands, one dtype) and their rules:
impl (torch), abstract_eval, jvp, transpose, batch, and the scalar op name codegens emit."""
import math

import numpy as np
import torch

from .. import dtypes
from ..ir.avals import ShapedArray
from ..interpreters import core
from ..interpreters.core import Primitive
from ..interpreters.jvp import defjvp, defjvp2, deflinear, defjvp_zero, Zero, instantiate
from ..interpreters.transpose import is_undefined
from ..interpreters.batching import batch_elementwise

_FLOAT, _INT, _BOOL, _COMPLEX = "f", "i", "b", "c"
_NUM = _FLOAT + _INT + _COMPLEX
_ANY = _NUM + _BOOL
_INEXACT = _FLOAT + _COMPLEX
_INTEGRAL = _INT + _BOOL


def _kind(dtype):
    if dtype == dtypes.bool_:
        return _BOOL
    if dtypes.is_complex(dtype):
        return _COMPLEX
    if dtypes.is_float(dtype):
        return _FLOAT
    return _INT


def broadcast_shapes(name, *shapes):
    """numpy broadcasting of shapes, or JAX's TypeError naming all of them."""
    if len(shapes) == 1:
        return shapes[0]
    nd = max(len(s) for s in shapes)
    out = []
    for i in range(nd):
        d = 1
        for s in shapes:
            j = i - (nd - len(s))
            if j < 0:
                continue
            e = s[j]
            if e == 1:
                continue
            if d == 1:
                d = e
            elif d != e:
                raise TypeError(f"{name} got incompatible shapes for broadcasting: "
                                f"{', '.join(str(tuple(s)) for s in shapes)}.")
        out.append(d)
    return tuple(out)


def _promote_operands(name, avals):
    strong = {a.dtype for a in avals if not a.weak_type}
    if len(strong) > 1:
        raise TypeError(f"lax.{name} requires arguments to have the same dtypes, got "
                        f"{', '.join(str(a.dtype) for a in avals)}.")
    return dtypes.promote_types(*((a.dtype, a.weak_type) for a in avals))


def _make_abstract_eval(name, kinds, out_dtype=None):
    def abstract_eval(*avals, **params):
        shape = broadcast_shapes(name, *[a.shape for a in avals])
        dtype, weak = _promote_operands(name, avals)
        if _kind(dtype) not in kinds:
            raise TypeError(f"{name} does not accept dtype {dtype}. Accepted dtypes are "
                            f"subtypes of {_kinds_desc(kinds)}.")
        if out_dtype is not None:
            od = out_dtype(dtype, **params)
            return ShapedArray(shape, od, weak)
        return ShapedArray(shape, dtype, weak)
    return abstract_eval


def _kinds_desc(kinds):
    names = {"f": "floating", "i": "integer", "b": "bool", "c": "complexfloating"}
    return ", ".join(names[k] for k in kinds)


def _as_tensor(x, like):
    if isinstance(x, torch.Tensor):
        return x
    return torch.tensor(x, dtype=like.dtype, device=like.device)


def _tensors(args):
    """Turn Python scalars into 0-d tensors matching the first tensor operand."""
    like = None
    for a in args:
        if isinstance(a, torch.Tensor):
            like = a
            break
    if like is None:   # only Python scalars (e.g. a jvp rule on a scalar primal): their joint dtype
        from ..config import default_device
        dt = dtypes.promote_types(*(dtypes.scalar_dtype(a) for a in args))[0]
        like = torch.empty((), dtype=dtypes.to_torch_dtype(dt), device=default_device())
    return [a if isinstance(a, torch.Tensor) else _as_tensor(a, like) for a in args]


_SCALAR_SECOND_OK = {"add", "sub", "mul", "div", "pow", "eq", "ne", "lt", "le", "gt", "ge",
                     "and", "or", "xor", "rem"}


def _reject(p, args, params):
    """Raise the abstract-eval error (JAX's TypeError) for operands torch would happily promote."""
    avals = [ShapedArray(tuple(a.shape), dtypes.from_torch_dtype(a.dtype), False)
             if isinstance(a, torch.Tensor) else core.get_aval(a) for a in args]
    p.abstract_eval(*avals, **params)


def elementwise(name, nargs, impl, kinds=_ANY, out_dtype=None, scalar_first_ok=False):
    p = Primitive(name)
    # eager impls check operand dtypes cheaply (lax ops never promote; torch would)
    allowed = frozenset(td for nd, td in dtypes._NP_TO_TORCH.items() if _kind(nd) in kinds)
    if scalar_first_ok:
        p.impl = impl
    elif name in _SCALAR_SECOND_OK:
        Tensor = torch.Tensor

        def wrapped(x, y, **params):
            if type(x) is Tensor:
                if x.dtype not in allowed or (type(y) is Tensor and y.dtype is not x.dtype):
                    _reject(p, (x, y), params)
                return impl(x, y, **params)
            if isinstance(y, torch.Tensor) and y.dtype not in allowed:
                _reject(p, (x, y), params)
            return impl(*_tensors((x, y)), **params)
        p.impl = wrapped
    else:
        def wrapped(*args, **params):
            dt = None
            scalar = False
            for a in args:
                if isinstance(a, torch.Tensor):
                    if a.dtype not in allowed or (dt is not None and a.dtype is not dt):
                        _reject(p, args, params)
                    dt = a.dtype
                else:
                    scalar = True
            if scalar:
                return impl(*_tensors(args), **params)
            return impl(*args, **params)
        p.impl = wrapped
    p.abstract_eval = _make_abstract_eval(name, kinds, out_dtype)
    p.pointwise = name
    p.nargs = nargs
    batch_elementwise(p)
    return p


def _bool_out(dtype, **_):
    return dtypes.bool_


def _real_out(dtype, **_):
    return {dtypes.complex64: dtypes.float32, dtypes.complex128: dtypes.float64}.get(dtype, dtype)


# ---- unary ------------------------------------------------------------------------------------
neg_p = elementwise("neg", 1, torch.neg, _NUM)
def _sign_impl(x):
    if x.dtype.is_floating_point:  # sign(nan) = nan and sign(-0.) = -0., as XLA
        return torch.where((x == 0) | torch.isnan(x), x, torch.sign(x))
    return torch.sgn(x)


sign_p = elementwise("sign", 1, _sign_impl, _NUM)
floor_p = elementwise("floor", 1, torch.floor, _FLOAT)
ceil_p = elementwise("ceil", 1, torch.ceil, _FLOAT)


def _round_impl(x, rounding_method=0):
    if rounding_method == 1:
        return torch.round(x)
    # half away from zero; x - trunc(x) is exact, so no 0.49999997 -> 1 rounding error
    t = torch.trunc(x)
    return torch.where(torch.abs(x - t) >= 0.5, t + torch.sign(x), t)


round_p = elementwise("round", 1, _round_impl, _FLOAT)
is_finite_p = elementwise("is_finite", 1, torch.isfinite, _FLOAT, _bool_out)
exp_p = elementwise("exp", 1, torch.exp, _INEXACT)
exp2_p = elementwise("exp2", 1, torch.exp2, _INEXACT)
log_p = elementwise("log", 1, torch.log, _INEXACT)
log1p_p = elementwise("log1p", 1, torch.log1p, _INEXACT)
expm1_p = elementwise("expm1", 1, torch.expm1, _INEXACT)
tanh_p = elementwise("tanh", 1, torch.tanh, _INEXACT)
logistic_p = elementwise("logistic", 1, torch.sigmoid, _INEXACT)
sin_p = elementwise("sin", 1, torch.sin, _INEXACT)
cos_p = elementwise("cos", 1, torch.cos, _INEXACT)
tan_p = elementwise("tan", 1, torch.tan, _INEXACT)
asin_p = elementwise("asin", 1, torch.asin, _INEXACT)
acos_p = elementwise("acos", 1, torch.acos, _INEXACT)
atan_p = elementwise("atan", 1, torch.atan, _INEXACT)
sinh_p = elementwise("sinh", 1, torch.sinh, _INEXACT)
cosh_p = elementwise("cosh", 1, torch.cosh, _INEXACT)
asinh_p = elementwise("asinh", 1, torch.asinh, _INEXACT)
acosh_p = elementwise("acosh", 1, torch.acosh, _INEXACT)
atanh_p = elementwise("atanh", 1, torch.atanh, _INEXACT)
sqrt_p = elementwise("sqrt", 1, torch.sqrt, _INEXACT)
rsqrt_p = elementwise("rsqrt", 1, torch.rsqrt, _INEXACT)


def _cbrt(x):
    if x.dtype in (torch.float16, torch.bfloat16):  # the 1/3 exponent must not round to x's type
        return _cbrt(x.float()).to(x.dtype)
    return torch.sign(x) * torch.abs(x).pow(1.0 / 3.0)


def _digamma(x):
    # JAX (XLA) gives nan at 0 where torch gives -inf
    return torch.where(x == 0, torch.full_like(x, float("nan")), torch.digamma(x))


cbrt_p = elementwise("cbrt", 1, _cbrt, _FLOAT)
abs_p = elementwise("abs", 1, torch.abs, _NUM, _real_out)
not_p = elementwise("not", 1, torch.bitwise_not, _INTEGRAL)
erf_p = elementwise("erf", 1, torch.erf, _FLOAT)
erfc_p = elementwise("erfc", 1, torch.erfc, _FLOAT)
erf_inv_p = elementwise("erf_inv", 1, torch.erfinv, _FLOAT)
lgamma_p = elementwise("lgamma", 1, torch.lgamma, _FLOAT)
digamma_p = elementwise("digamma", 1, _digamma, _FLOAT)
square_p = elementwise("square", 1, torch.square, _NUM)
real_p = elementwise("real", 1, torch.real, _COMPLEX, _real_out)
imag_p = elementwise("imag", 1, torch.imag, _COMPLEX, _real_out)
conj_p = elementwise("conj", 1, lambda x: torch.conj(x).resolve_conj(), _NUM)


def _integer_pow_impl(x, y):
    if y == 0:
        return torch.ones_like(x)
    if y < 0:
        if not (x.is_floating_point() or x.is_complex()):   # torch would return floats
            _integer_pow_abstract(ShapedArray(tuple(x.shape), dtypes.from_torch_dtype(x.dtype), False), y)
        return torch.reciprocal(torch.pow(x, -y))
    return torch.pow(x, y)


integer_pow_p = elementwise("integer_pow", 1, _integer_pow_impl, _NUM)
_integer_pow_shape_rule = integer_pow_p.abstract_eval


def _integer_pow_abstract(x, y):
    if y < 0 and np.dtype(x.dtype).kind in "iub":
        raise TypeError(f"Integers cannot be raised to negative powers, got integer_pow({x}, {y})")
    return _integer_pow_shape_rule(x, y=y)


integer_pow_p.abstract_eval = _integer_pow_abstract


def _popcnt(x):
    bits = x.dtype.itemsize * 8 if hasattr(x.dtype, "itemsize") else 32
    v = x.to(torch.int64) & ((1 << bits) - 1)
    c = torch.zeros_like(v)
    for i in range(bits):
        c = c + ((v >> i) & 1)
    return c.to(x.dtype)


population_count_p = elementwise("population_count", 1, _popcnt, _INT)


# ---- binary -----------------------------------------------------------------------------------
add_p = elementwise("add", 2, torch.add, _NUM)
sub_p = elementwise("sub", 2, torch.sub, _NUM)
mul_p = elementwise("mul", 2, torch.mul, _NUM)


def _div_impl(x, y):
    if (x.dtype.is_floating_point or x.dtype.is_complex):
        return torch.div(x, y)
    return _int_divmod(x, y)[0]


def _int_divmod(x, y):
    """XLA's integer division: x / 0 = -1 (all ones), x % 0 = x, INT_MIN / -1 = INT_MIN.
    (torch raises on zero divisors and the CPU traps on INT_MIN / -1, killing the process.)"""
    if not isinstance(y, torch.Tensor):
        y = torch.tensor(y, dtype=x.dtype, device=x.device)
    zero = y == 0
    bad = zero
    if x.dtype.is_signed:
        bad = zero | ((x == torch.iinfo(x.dtype).min) & (y == -1))
    ys = torch.where(bad, torch.ones_like(y), y)
    q = torch.div(x, ys, rounding_mode="trunc")
    r = torch.fmod(x, ys)
    q = torch.where(zero, ~torch.zeros_like(q), q)
    r = torch.where(zero, x, r)
    return q, r


div_p = elementwise("div", 2, _div_impl, _NUM)


def _rem_impl(x, y):
    if x.dtype.is_floating_point:
        return torch.fmod(x, y)
    return _int_divmod(x, y)[1]


rem_p = elementwise("rem", 2, _rem_impl, _FLOAT + _INT)
def _pow_impl(x, y):
    """torch.pow, with XLA's complex zero base: 0 ** 0 = 1, 0 ** y = 0 for real y > 0, else NaN
    (torch gives NaN for 0 ** 0 and 0 for complex exponents)."""
    out = torch.pow(x, y)
    if out.is_complex() and isinstance(x, torch.Tensor):
        yt = torch.as_tensor(y, dtype=out.dtype, device=out.device)
        at_zero = torch.where(yt == 0, torch.ones_like(out),
                              torch.where((yt.imag == 0) & (yt.real > 0), torch.zeros_like(out),
                                          torch.full_like(out, complex(float("nan"), float("nan")))))
        out = torch.where(x == 0, at_zero, out)
    return out


pow_p = elementwise("pow", 2, _pow_impl, _INEXACT)
def _complex_lt(x, y):
    """Lexicographic order of complex numbers (real part, then imaginary), as XLA."""
    return (x.real < y.real) | ((x.real == y.real) & (x.imag < y.imag))


def _max_impl(x, y):
    if x.is_complex():
        return torch.where(_complex_lt(x, y), y, x)
    return torch.maximum(x, y)


def _min_impl(x, y):
    if x.is_complex():
        return torch.where(_complex_lt(y, x), y, x)
    return torch.minimum(x, y)


max_p = elementwise("max", 2, _max_impl, _ANY)
min_p = elementwise("min", 2, _min_impl, _ANY)
atan2_p = elementwise("atan2", 2, torch.atan2, _FLOAT)
nextafter_p = elementwise("nextafter", 2, torch.nextafter, _FLOAT)
and_p = elementwise("and", 2, torch.bitwise_and, _INTEGRAL)
or_p = elementwise("or", 2, torch.bitwise_or, _INTEGRAL)
xor_p = elementwise("xor", 2, torch.bitwise_xor, _INTEGRAL)


def _bits(t):
    return {torch.int8: 8, torch.uint8: 8, torch.int16: 16, torch.int32: 32,
            torch.int64: 64}.get(t.dtype, 32)


def _shift_left(x, y):
    nb = _bits(x)
    r = torch.bitwise_left_shift(x, torch.clamp(y, 0, nb - 1))
    return torch.where((y >= nb) | (y < 0), torch.zeros_like(r), r)


_SIGNED_VIEW = {torch.uint8: torch.int8, torch.uint16: torch.int16, torch.uint32: torch.int32,
                torch.uint64: torch.int64}


def _shift_right_arith(x, y):
    """As XLA: the bits read as signed (uint8 200 >> 1 == 228), and a shift amount out of
    [0, bits) (negative or too large) fills with the sign bit."""
    nb = x.element_size() * 8
    sx = x.view(_SIGNED_VIEW[x.dtype]) if x.dtype in _SIGNED_VIEW else x
    yl = y.to(torch.int64)
    s = torch.where((yl < 0) | (yl >= nb), torch.full_like(yl, nb - 1), yl).to(sx.dtype)
    r = torch.bitwise_right_shift(sx, s)
    return r.view(x.dtype) if sx is not x else r


def _shift_right_logical(x, y):
    nb = _bits(x)
    if x.dtype == torch.uint8 or nb == 64 and False:
        r = torch.bitwise_right_shift(x, torch.clamp(y, 0, nb - 1))
    elif nb < 64:
        mask = (1 << nb) - 1
        r = torch.bitwise_right_shift(x.to(torch.int64) & mask, torch.clamp(y, 0, nb - 1).to(torch.int64)).to(x.dtype)
    else:
        s = torch.clamp(y, 0, 63)
        r = torch.bitwise_right_shift(x, s) & ~torch.bitwise_left_shift(torch.full_like(x, -1), 64 - s).masked_fill(s == 0, 0)
    return torch.where((y >= nb) | (y < 0), torch.zeros_like(r), r)


shift_left_p = elementwise("shift_left", 2, _shift_left, _INT)
shift_right_arithmetic_p = elementwise("shift_right_arithmetic", 2, _shift_right_arith, _INT)
shift_right_logical_p = elementwise("shift_right_logical", 2, _shift_right_logical, _INT)
shift_right_arithmetic_p.unsigned_shim = False   # it views wide unsigned bits as signed itself
# The eager unsigned shim computes uint32 in int64: shifting left must wrap at 32 bits there.
# shift_left's uint32 results are truncated back by the shim's conversion (modular), so correct.

eq_p = elementwise("eq", 2, torch.eq, _ANY, _bool_out)
ne_p = elementwise("ne", 2, torch.ne, _ANY, _bool_out)
# lax orders only real numbers (jnp.less & co. order complex numbers lexicographically).
lt_p = elementwise("lt", 2, torch.lt, _FLOAT + _INT + _BOOL, _bool_out)
le_p = elementwise("le", 2, torch.le, _FLOAT + _INT + _BOOL, _bool_out)
gt_p = elementwise("gt", 2, torch.gt, _FLOAT + _INT + _BOOL, _bool_out)
ge_p = elementwise("ge", 2, torch.ge, _FLOAT + _INT + _BOOL, _bool_out)

# ---- select / clamp ---------------------------------------------------------------------------
select_n_p = Primitive("select_n")
select_n_p.pointwise = "select_n"


def _select_n_impl(which, *cases):
    if isinstance(which, torch.Tensor) and (which.is_floating_point() or which.is_complex()):
        _reject(select_n_p, (which,) + cases, {})
    tens = _tensors(cases)
    if not isinstance(which, torch.Tensor):
        which = torch.tensor(which, device=tens[0].device)
    if len(cases) == 1:
        return torch.broadcast_to(tens[0], torch.broadcast_shapes(which.shape, tens[0].shape)).clone()
    if which.dtype == torch.bool:
        return torch.where(which, tens[1], tens[0])
    out = tens[-1]
    for i in range(len(cases) - 2, -1, -1):
        out = torch.where(which == i, tens[i], out)
    return out


def _select_n_abstract(which, *cases):
    if which.dtype != dtypes.bool_ and not dtypes.is_int(which.dtype):
        raise TypeError(f"select_n `which` must be boolean or integer type, got {which.dtype}")
    shape = broadcast_shapes("select_n", which.shape, *[c.shape for c in cases])
    dtype, weak = _promote_operands("select_n", cases)
    return ShapedArray(shape, dtype, weak)


select_n_p.impl = _select_n_impl
select_n_p.abstract_eval = _select_n_abstract
select_n_p.weak_type_rule = lambda weaks, **_: all(weaks[1:])
batch_elementwise(select_n_p)

clamp_p = elementwise("clamp", 3, lambda lo, x, hi: torch.minimum(torch.maximum(x, lo), hi), _FLOAT + _INT)

# ---- conversions ------------------------------------------------------------------------------
convert_element_type_p = Primitive("convert_element_type")
convert_element_type_p.pointwise = "convert_element_type"
convert_element_type_p.unsigned_shim = False


def _convert_impl(x, new_dtype, weak_type=False):
    td = dtypes.to_torch_dtype(new_dtype)
    if not isinstance(x, torch.Tensor):
        return torch.tensor(x, dtype=td)
    if x.dtype == td:
        return x
    if td == torch.bool:
        return x != 0
    wide_u64 = x.dtype == torch.uint64
    if x.dtype in dtypes.TORCH_WIDE_UNSIGNED:
        x = x.to(torch.int64)
    to_int = not (td.is_floating_point or td.is_complex)
    if x.is_complex() and not td.is_complex:
        x = x.real
    if x.is_floating_point() and to_int:
        return _float_to_int(x, new_dtype, td)
    if wide_u64 and not to_int:  # int64 holds uint64 values >= 2**63 as negatives
        xd = x.to(torch.float64) + torch.where(x < 0, 2.0 ** 64, 0.0)
        return xd.to(td)
    if td in dtypes.TORCH_WIDE_UNSIGNED:
        return x.to(torch.int64).to(td)
    return x.to(td)


def _float_to_int(x, new_dtype, td):
    """Float to integer as XLA: truncate, NaN -> 0, out-of-range values clamp to the limits."""
    info = np.iinfo(new_dtype)
    xd = torch.nan_to_num(torch.trunc(x.to(torch.float64)), nan=0.0)
    lo, hi = int(info.min), int(info.max)
    if hi >= 2 ** 63:  # uint64: values in [2**63, 2**64) as int64 bit patterns
        top = xd >= 2.0 ** 63
        out = torch.where(top, (xd - 2.0 ** 63).clamp(max=2.0 ** 63 - 1024).to(torch.int64) + (-2 ** 63),
                          xd.clamp(min=0.0, max=2.0 ** 63 - 1024).to(torch.int64))
        out = torch.where(xd >= 2.0 ** 64, torch.full_like(out, -1), out)
    else:
        mid = xd.clamp(float(lo), min(float(hi), 2.0 ** 63 - 1024)).to(torch.int64)
        out = torch.where(xd >= float(hi), torch.full_like(mid, hi), mid)
        out = torch.where(xd <= float(lo), torch.full_like(mid, lo), out)
    return out.to(td)


def _convert_abstract(x, new_dtype, weak_type=False):
    return ShapedArray(x.shape, new_dtype, weak_type)


convert_element_type_p.impl = _convert_impl
convert_element_type_p.abstract_eval = _convert_abstract
convert_element_type_p.weak_type_rule = lambda weaks, new_dtype, weak_type=False: weak_type


def _convert_batch(vals, dims, **params):
    return convert_element_type_p.bind(vals[0], **params), dims[0]


convert_element_type_p.batch = _convert_batch


def _convert_jvp(primals, tangents, new_dtype, weak_type=False):
    (x,), (t,) = primals, tangents
    out = convert_element_type_p.bind(x, new_dtype=new_dtype, weak_type=weak_type)
    if type(t) is Zero or not dtypes.is_inexact(new_dtype) or not dtypes.is_inexact(core.get_aval(x).dtype):
        return out, Zero(ShapedArray(core.get_aval(out).shape, new_dtype))
    return out, convert_element_type_p.bind(t, new_dtype=new_dtype, weak_type=weak_type)


def _convert_transpose(ct, x, new_dtype, weak_type=False):
    if type(ct) is Zero:
        return [Zero(x.aval)]
    return [convert_element_type_p.bind(ct, new_dtype=x.aval.dtype, weak_type=x.aval.weak_type)]


convert_element_type_p.jvp = _convert_jvp
convert_element_type_p.transpose = _convert_transpose

# ---- bitcast_convert_type: reinterpret the bits (a torch view; an extern call under jit) ----
bitcast_convert_type_p = Primitive("bitcast_convert_type")
bitcast_convert_type_p.extern = "bitcast"
bitcast_convert_type_p.unsigned_shim = False   # views the stored bits as they are


def _bitcast_abstract(x, new_dtype):
    old, new = np.dtype(x.dtype), np.dtype(new_dtype)
    if old != new and (old.kind in "bc" or new.kind in "bc"):
        raise TypeError("lax.bitcast_convert_type does not support bool or complex values unless the operand "
                        f"and destination types match. Got operand dtype={old}, new_dtype={new!r}. Consider "
                        "using the arr.view() method instead.")
    shape = tuple(x.shape)
    if old.itemsize > new.itemsize:
        shape = shape + (old.itemsize // new.itemsize,)
    elif old.itemsize < new.itemsize:
        if not shape or shape[-1] * old.itemsize != new.itemsize:
            last = shape[-1] if shape else 1
            raise ValueError(f"Attempting to convert array of shape {shape} from {old} of size "
                             f"{old.itemsize * 8} bits to {new} of size {new.itemsize * 8}, bits but "
                             f"{last} * {old.itemsize * 8} != {new.itemsize * 8}")
        shape = shape[:-1]
    return ShapedArray(shape, new, False)


def _bitcast_impl(x, new_dtype):
    out = _bitcast_abstract(ShapedArray(tuple(x.shape), dtypes.from_torch_dtype(x.dtype), False), new_dtype)
    x = x.contiguous()
    if x.dim() == 0:
        x = x.reshape(1)
    return x.view(dtypes.to_torch_dtype(new_dtype)).reshape(out.shape)


def _bitcast_batch(vals, dims, new_dtype):
    (x,), (d,) = vals, dims
    from ..interpreters.batching import moveaxis
    x = moveaxis(x, d, 0)   # the narrowing/widening happens on the last axis: keep the batch axis first
    return bitcast_convert_type_p.bind(x, new_dtype=new_dtype), 0


def _bitcast_jvp(primals, tangents, new_dtype):
    out = bitcast_convert_type_p.bind(primals[0], new_dtype=new_dtype)
    return out, Zero(core.get_aval(out))   # bits carry no derivative (JAX: defjvp_zero)


bitcast_convert_type_p.impl = _bitcast_impl
bitcast_convert_type_p.abstract_eval = _bitcast_abstract
bitcast_convert_type_p.eager_check = True
bitcast_convert_type_p.batch = _bitcast_batch
bitcast_convert_type_p.jvp = _bitcast_jvp
bitcast_convert_type_p.weak_type_rule = lambda weaks, **_: False

copy_p = elementwise("copy", 1, torch.clone, _ANY)

# ---- rules ------------------------------------------------------------------------------------
from . import _ops as L  # noqa: E402  (small wrappers that bind the primitives above)


def unbroadcast(ct, aval):
    """Sum a cotangent down to `aval`'s shape (the transpose of implicit broadcasting)."""
    if type(ct) is Zero:
        return Zero(aval)
    cshape = core.get_aval(ct).shape
    if cshape == aval.shape:
        return ct
    from .reductions import reduce_sum_p
    from .shape import reshape_p
    lead = len(cshape) - len(aval.shape)
    axes = tuple(range(lead)) + tuple(i + lead for i, d in enumerate(aval.shape)
                                      if d == 1 and cshape[i + lead] != 1)
    if axes:
        ct = reduce_sum_p.bind(ct, axes=axes)
    if core.get_aval(ct).shape != aval.shape:
        ct = reshape_p.bind(ct, new_sizes=aval.shape, dimensions=None)
    return ct


def _t_add(ct, x, y):
    return [unbroadcast(ct, x.aval) if is_undefined(x) else None,
            unbroadcast(ct, y.aval) if is_undefined(y) else None]


def _t_sub(ct, x, y):
    return [unbroadcast(ct, x.aval) if is_undefined(x) else None,
            unbroadcast(L.neg(ct), y.aval) if is_undefined(y) else None]


def _t_mul(ct, x, y):
    if is_undefined(x) and is_undefined(y):
        raise NotImplementedError("mul is not linear in both arguments at once")
    if is_undefined(x):
        return [unbroadcast(L.mul(ct, y), x.aval), None]
    return [None, unbroadcast(L.mul(x, ct), y.aval)]


def _t_div(ct, x, y):
    assert not is_undefined(y)
    return [unbroadcast(L.div(ct, y), x.aval), None]


deflinear(neg_p, lambda ct, x: [L.neg(ct)])
deflinear(add_p, _t_add)
deflinear(sub_p, _t_sub)
deflinear(copy_p, lambda ct, x: [ct])
deflinear(real_p, lambda ct, x: [L.complex_from_real(ct, x.aval.dtype)])
deflinear(conj_p, lambda ct, x: [L.conj(ct)])
# cotangents pair with tangents as Re(ct * t) (no conjugation), as in JAX: imag's transpose is -i ct
deflinear(imag_p, lambda ct, x: [L.mul(L.complex_from_real(L.neg(ct), x.aval.dtype), 1j)])
defjvp(mul_p, lambda g, x, y: L.mul(g, y), lambda g, x, y: L.mul(x, g))
mul_p.transpose = _t_mul
defjvp(div_p, lambda g, x, y: L.div(g, y),
       lambda g, x, y: L.neg(L.mul(g, L.div(x, L.mul(y, y)))))
div_p.transpose = _t_div

defjvp2(exp_p, lambda g, ans, x: L.mul(g, ans))
defjvp2(exp2_p, lambda g, ans, x: L.mul(g, L.mul(ans, math.log(2.0))))
defjvp(log_p, lambda g, x: L.div(g, x))
defjvp(log1p_p, lambda g, x: L.div(g, L.add(x, 1.0)))
defjvp2(expm1_p, lambda g, ans, x: L.mul(g, L.add(ans, 1.0)))
defjvp2(tanh_p, lambda g, ans, x: L.mul(g, L.sub(1.0, L.mul(ans, ans))))
defjvp2(logistic_p, lambda g, ans, x: L.mul(g, L.mul(ans, L.sub(1.0, ans))))
defjvp(sin_p, lambda g, x: L.mul(g, L.cos(x)))
defjvp(cos_p, lambda g, x: L.neg(L.mul(g, L.sin(x))))
defjvp2(tan_p, lambda g, ans, x: L.mul(g, L.add(1.0, L.mul(ans, ans))))
defjvp(asin_p, lambda g, x: L.mul(g, L.rsqrt(L.sub(1.0, L.mul(x, x)))))
defjvp(acos_p, lambda g, x: L.neg(L.mul(g, L.rsqrt(L.sub(1.0, L.mul(x, x))))))
defjvp(atan_p, lambda g, x: L.div(g, L.add(1.0, L.mul(x, x))))
defjvp(sinh_p, lambda g, x: L.mul(g, L.cosh(x)))
defjvp(cosh_p, lambda g, x: L.mul(g, L.sinh(x)))
defjvp(asinh_p, lambda g, x: L.mul(g, L.rsqrt(L.add(L.mul(x, x), 1.0))))
defjvp(acosh_p, lambda g, x: L.mul(g, L.rsqrt(L.sub(L.mul(x, x), 1.0))))
defjvp(atanh_p, lambda g, x: L.div(g, L.sub(1.0, L.mul(x, x))))
defjvp2(sqrt_p, lambda g, ans, x: L.div(g, L.mul(ans, 2.0)))
defjvp2(rsqrt_p, lambda g, ans, x: L.mul(g, L.mul(L.div(ans, x), -0.5)))
defjvp2(cbrt_p, lambda g, ans, x: L.mul(g, L.div(ans, L.mul(x, 3.0))))


def _abs_jvp(g, x):
    """As JAX: real(g * conj(x) / |x|) for complex x; g * (1 if x >= 0 else -1) for real x."""
    a = core.get_aval(x)
    if dtypes.is_complex(a.dtype):
        mag = L.convert(abs_p.bind(x), a.dtype)
        mag = L.select(L.eq(mag, 0), L.ones_like(mag), mag)
        return real_p.bind(L.mul(g, L.div(L.conj(x), mag)))
    return L.select(L.ge(x, 0), g, L.neg(g))


defjvp(abs_p, _abs_jvp)
defjvp(erf_p, lambda g, x: L.mul(g, L.mul(L.exp(L.neg(L.mul(x, x))), 2.0 / math.sqrt(math.pi))))
defjvp(erfc_p, lambda g, x: L.mul(g, L.mul(L.exp(L.neg(L.mul(x, x))), -2.0 / math.sqrt(math.pi))))
defjvp2(erf_inv_p, lambda g, ans, x: L.mul(g, L.mul(L.exp(L.mul(ans, ans)), math.sqrt(math.pi) / 2.0)))
defjvp(lgamma_p, lambda g, x: L.mul(g, L.digamma(x)))

# polygamma of a static order m (digamma's derivative is polygamma_n[m=1]).
polygamma_n_p = elementwise("polygamma_n", 1, lambda x, m: torch.polygamma(m, x), _FLOAT)
defjvp(polygamma_n_p, lambda g, x, m: L.mul(g, polygamma_n_p.bind(x, m=m + 1)))
defjvp(digamma_p, lambda g, x: L.mul(g, polygamma_n_p.bind(x, m=1)))
defjvp(square_p, lambda g, x: L.mul(g, L.mul(x, 2.0)))
for _p in (sign_p, floor_p, ceil_p, round_p, is_finite_p, not_p, population_count_p, and_p, or_p,
           xor_p, shift_left_p, shift_right_arithmetic_p, shift_right_logical_p, nextafter_p,
           eq_p, ne_p, lt_p, le_p, gt_p, ge_p):
    defjvp_zero(_p)


def _integer_pow_jvp(g, x, y):
    if y == 0:
        return L.zeros_like(x)
    return L.mul(g, L.mul(L.integer_pow(x, y - 1), float(y)))


defjvp(integer_pow_p, _integer_pow_jvp)


def _pow_jvp_x(g, x, y):
    ym1 = L.sub(y, 1.0)
    safe = L.select(L.eq(y, 0.0), L.zeros_like(L.mul(x, y)), L.mul(y, L.pow(x, ym1)))
    return L.mul(g, safe)


def _pow_jvp_y(g, x, y):
    ans = L.pow(x, y)
    logx = L.select(L.eq(x, 0.0), L.zeros_like(L.mul(x, y)), L.log(L.mul(x, L.ones_like(y))))
    return L.mul(g, L.mul(logx, ans))


defjvp(pow_p, _pow_jvp_x, _pow_jvp_y)


def _balanced(x, y, gt):
    """JAX splits the gradient of max/min evenly between tied operands. The weights are strong
    arrays of the result's dtype and shape, so a weak scalar operand (64-bit under x64) never
    meets the float32 tangent in a lax op."""
    ax, ay = core.get_aval(x), core.get_aval(y)
    dt = dtypes.promote_types((ax.dtype, ax.weak_type), (ay.dtype, ay.weak_type))[0]
    win = L.gt(x, y) if gt else L.lt(x, y)
    one, half, zero = (L.full_like(win, v, dtype=dt) for v in (1.0, 0.5, 0.0))
    return L.select(win, one, L.select(L.eq(x, y), half, zero))


defjvp(max_p, lambda g, x, y: L.mul(g, _balanced(x, y, True)),
       lambda g, x, y: L.mul(g, _balanced(y, x, True)))
defjvp(min_p, lambda g, x, y: L.mul(g, _balanced(x, y, False)),
       lambda g, x, y: L.mul(g, _balanced(y, x, False)))
defjvp(atan2_p, lambda g, x, y: L.mul(g, L.div(y, L.add(L.mul(x, x), L.mul(y, y)))),
       lambda g, x, y: L.mul(g, L.neg(L.div(x, L.add(L.mul(x, x), L.mul(y, y))))))


def _rem_jvp_y(g, x, y):
    q = L.div(x, y)
    return L.mul(L.neg(g), L.mul(L.sign(q), L.floor(L.abs(q))))


defjvp(rem_p, lambda g, x, y: L.mul(g, L.ones_like(y)), _rem_jvp_y)


def _clamp_jvp_x(g, lo, x, hi):
    inside = L.and_(L.ge(x, lo), L.le(x, hi))
    return L.select(inside, g, L.zeros_like(g))


defjvp(clamp_p,
       lambda g, lo, x, hi: L.select(L.lt(x, lo), g, L.zeros_like(L.mul(g, x))),
       _clamp_jvp_x,
       lambda g, lo, x, hi: L.select(L.gt(x, hi), g, L.zeros_like(L.mul(g, x))))


def _select_n_jvp(primals, tangents):
    which, *cases = primals
    out = select_n_p.bind(which, *cases)
    ts = tangents[1:]
    if all(type(t) is Zero for t in ts):
        return out, Zero(core.get_aval(out))
    return out, select_n_p.bind(which, *[instantiate(t) for t in ts])


def _select_n_transpose(ct, which, *cases):
    assert not is_undefined(which)
    res = [None]
    if type(ct) is Zero:
        return res + [Zero(c.aval) if is_undefined(c) else None for c in cases]
    zeros = 0.0 if dtypes.is_inexact(core.get_aval(ct).dtype) else 0  # a weak scalar: no zeros array
    for i, c in enumerate(cases):
        if not is_undefined(c):
            res.append(None)
            continue
        args = [zeros] * len(cases)
        args[i] = ct
        res.append(unbroadcast(select_n_p.bind(which, *args), c.aval))
    return res


select_n_p.jvp = _select_n_jvp
select_n_p.transpose = _select_n_transpose

# ---- stop_gradient: identity whose tangent is zero ---------------------------------------------
stop_gradient_p = elementwise("stop_gradient", 1, lambda x: x, _ANY)


def _stop_gradient_jvp(primals, tangents):
    out = stop_gradient_p.bind(primals[0])
    return out, Zero(core.get_aval(out))


stop_gradient_p.jvp = _stop_gradient_jvp
