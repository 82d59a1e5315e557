"""jnp's elementwise functions: JAX's dtype promotion (weak scalars), then one lax primitive."""
import builtins
import math

import numpy as np

from .. import dtypes
from ..array import Array, ArrayImpl
from ..config import config
from ..interpreters import core
from .. import lax
from ..lax import elementwise as E

_SCALARS = (int, float, bool, complex)
import torch as _torch
_TORCH_BOOL = _torch.bool
_WIDE_U = dtypes.TORCH_WIDE_UNSIGNED


def _inexact_fast(x1, x2):
    a = x1 if type(x1) is ArrayImpl else x2
    return a._t.dtype.is_floating_point


def _operand(x, argname="x"):
    if isinstance(x, Array) or type(x) in _SCALARS:
        return x
    if isinstance(x, (np.ndarray, np.generic)):
        from .creation import asarray
        return asarray(x)
    if isinstance(x, (list, tuple)):
        raise _not_arraylike(x, argname)
    import torch
    if isinstance(x, torch.Tensor):
        from .creation import asarray
        return asarray(x)
    raise TypeError(f"{argname}: expected an array or scalar, got {type(x).__name__}: {x!r}")


def _not_arraylike(x, argname):
    """JAX's TypeError for a list or tuple where an array goes (jnp.sum([1, 2])): JAX converts
    only through jnp.array/asarray, so a sequence is never silently an array."""
    import re
    m = re.fullmatch(r"(\w+) argument (\w+)", argname or "")
    if m:
        name, where = m.group(1), m.group(2)
        where = f"at position {where}" if where.isdigit() else f"for argument {where!r}"
    else:
        import sys
        frame, name = sys._getframe(2), "jnp"
        while frame is not None:       # the first public function up the stack (not a helper)
            if not frame.f_code.co_name.startswith(("_", "<")):
                name = frame.f_code.co_name
                break
            frame = frame.f_back
        where = f"for argument {argname!r}"
    return TypeError(f"{name} requires ndarray or scalar arguments, got {type(x)} {where}.")


def check_arraylike(name, *args):
    """JAX's check_arraylike: a list or tuple among `args` (positions as in the signature) is
    a TypeError; for the functions that convert their inputs with asarray internally."""
    for i, a in enumerate(args):
        if isinstance(a, (list, tuple)):
            raise _not_arraylike(a, f"{name} argument {i}")


def _array(x, argname="a"):
    """An array operand: _operand, with Python scalars made 0-d arrays."""
    x = _operand(x, argname)
    if type(x) in _SCALARS:
        from .creation import asarray
        x = asarray(x)
    return x


def _scalar_to(value, dtype):
    """A Python scalar of the Python type matching `dtype`'s kind (for weak literals)."""
    k = dtype.kind
    if dtype == dtypes.bool_:
        return bool(value)
    if k in "iu":
        return int(value)
    if k == "c":
        return complex(value)
    return float(value) if not isinstance(value, bool) else float(int(value))


def check_rank_promotion(name, *args):
    """jax_numpy_rank_promotion='warn'/'raise': operands of different nonzero ranks (rank
    promotion; scalars and 0-d arrays are fine) warn or raise ValueError, as JAX."""
    mode = config._values["jax_numpy_rank_promotion"]
    if mode == "allow":
        return
    shapes = [tuple(np.shape(a)) if type(a) in _SCALARS else tuple(a.shape) for a in args]
    if len({len(s) for s in shapes if s}) > 1:
        shown = " ".join(str(s) for s in shapes)
        link = "https://docs.jax.dev/en/latest/rank_promotion_warning.html"
        if mode == "raise":
            raise ValueError(f"Operands could not be broadcast together for {name} on shapes {shown} and with "
                             f"the config option jax_numpy_rank_promotion='raise'. For more information, see {link}.")
        import warnings
        warnings.warn(f"Following NumPy automatic rank promotion for {name} on shapes {shown}. Set the "
                      f"jax_numpy_rank_promotion config option to 'allow' to disable this warning; for more "
                      f"information, see {link}.", stacklevel=3)


def promote_args(name, *args):
    """Operands converted to their common dtype (JAX's lattice, weak Python scalars)."""
    args = [_operand(a, f"{name} argument {i}") for i, a in enumerate(args)]
    if len(args) > 1 and config._values["jax_numpy_rank_promotion"] != "allow":
        check_rank_promotion(name, *args)
    pairs = []
    for a in args:
        t = type(a)
        if t is ArrayImpl:
            pairs.append((a.dtype, a._weak))
        elif t in _SCALARS:
            pairs.append(dtypes.scalar_dtype(a))
        else:
            av = a.aval
            pairs.append((av.dtype, av.weak_type))
    dtype, weak = dtypes.promote_types(*pairs)
    out = []
    all_scalars = all(type(a) in _SCALARS for a in args)
    for a, (d, w) in zip(args, pairs):
        if type(a) in _SCALARS:
            if all_scalars and not out:
                from .creation import asarray
                out.append(lax.convert_element_type(asarray(a), dtype) if d != dtype else asarray(a))
                if weak:
                    out[-1] = _weaken(out[-1])
                continue
            out.append(_scalar_to(a, dtype))
        elif d != dtype:
            out.append(E.convert_element_type_p.bind(a, new_dtype=dtype, weak_type=weak))
        else:
            out.append(a)
    return out


def _weaken(x):
    if isinstance(x, ArrayImpl) and not x._weak:
        return ArrayImpl(x._t, True)
    return x


def _promote_to_inexact(name, *args):
    args = promote_args(name, *args)
    out = []
    for a in args:
        if type(a) in _SCALARS:
            out.append(float(a) if not isinstance(a, complex) else a)
            continue
        av = core.get_aval(a)
        if not dtypes.is_inexact(av.dtype):
            out.append(E.convert_element_type_p.bind(a, new_dtype=dtypes.to_inexact(av.dtype),
                                                     weak_type=av.weak_type))
        else:
            out.append(a)
    return out


def _unary(name, prim, inexact=False):
    def f(x, /):
        (x,) = _promote_to_inexact(name, x) if inexact else promote_args(name, x)
        return prim.bind(x)
    f.__name__ = name
    return f


def _fast_same(x1, x2):
    """True when promotion leaves both operands unchanged (the common eager case)."""
    if type(x1) is ArrayImpl:
        t2 = type(x2)
        if t2 is ArrayImpl:
            return x1._t.dtype is x2._t.dtype
        if t2 is float:
            return x1._t.dtype.is_floating_point
        if t2 is int:
            d = x1._t.dtype
            return d is not _TORCH_BOOL and d not in _WIDE_U
    elif type(x2) is ArrayImpl:
        t1 = type(x1)
        if t1 is float:
            return x2._t.dtype.is_floating_point
        if t1 is int:
            d = x2._t.dtype
            return d is not _TORCH_BOOL and d not in _WIDE_U
    return False


def _binary(name, prim, inexact=False, special=None):
    """A promoting binary ufunc; `special(x1, x2)` may handle some dtypes itself (else None)."""
    def f(x1, x2, /):
        if _fast_same(x1, x2):
            a = x1 if type(x1) is ArrayImpl else x2
            if a._t.dtype.is_floating_point:  # the common case: no promotion, no special dtype
                if config._values["jax_numpy_rank_promotion"] != "allow":
                    check_rank_promotion(name, x1, x2)
                return prim.bind(x1, x2)
            if inexact and not _inexact_fast(x1, x2):
                x1, x2 = _promote_to_inexact(name, x1, x2)
        else:
            x1, x2 = _promote_to_inexact(name, x1, x2) if inexact else promote_args(name, x1, x2)
        if special is not None:
            out = special(x1, x2)
            if out is not None:
                return out
        return prim.bind(x1, x2)
    f.__name__ = name
    return f


def _operand_dtype(x1, x2):
    return core.get_aval(x1 if type(x1) not in _SCALARS else x2).dtype


def _bool_as(prim):
    """jnp.add/multiply on booleans are logical or/and (lax.add rejects bool)."""
    def special(x1, x2):
        if _operand_dtype(x1, x2) == dtypes.bool_:
            return prim.bind(x1, x2)
        return None
    return special


def _lexicographic(strict_prim, final_prim):
    """Comparisons of complex numbers order by real part, then imaginary part (as JAX)."""
    def special(x1, x2):
        dt = _operand_dtype(x1, x2)
        if not dtypes.is_complex(dt):
            return None
        from .creation import asarray   # a Python scalar operand: as a complex array of dt
        x1, x2 = (asarray(v, dtype=dt) if type(v) in _SCALARS else v for v in (x1, x2))
        r1, i1 = real(x1), imag(x1)
        r2, i2 = real(x2), imag(x2)
        return E.or_p.bind(strict_prim.bind(r1, r2),
                           E.and_p.bind(E.eq_p.bind(r1, r2), final_prim.bind(i1, i2)))
    return special


add = _binary("add", E.add_p, special=_bool_as(E.or_p))
subtract = _binary("subtract", E.sub_p)
multiply = _binary("multiply", E.mul_p, special=_bool_as(E.and_p))
maximum = _binary("maximum", E.max_p)
minimum = _binary("minimum", E.min_p)
equal = _binary("equal", E.eq_p)
not_equal = _binary("not_equal", E.ne_p)
less = _binary("less", E.lt_p, special=_lexicographic(E.lt_p, E.lt_p))
less_equal = _binary("less_equal", E.le_p, special=_lexicographic(E.lt_p, E.le_p))
greater = _binary("greater", E.gt_p, special=_lexicographic(E.gt_p, E.gt_p))
greater_equal = _binary("greater_equal", E.ge_p, special=_lexicographic(E.gt_p, E.ge_p))
def _complex_atan2(x1, x2):
    """XLA's complex atan2: -i log((x2 + i x1) / sqrt(x1**2 + x2**2))."""
    if not dtypes.is_complex(_operand_dtype(x1, x2)):
        return None
    i = 1j
    return multiply(-i, log(true_divide(add(x2, multiply(i, x1)), sqrt(add(multiply(x2, x2), multiply(x1, x1))))))


arctan2 = _binary("arctan2", E.atan2_p, inexact=True, special=_complex_atan2)
nextafter = _binary("nextafter", E.nextafter_p, inexact=True)

exp = _unary("exp", E.exp_p, True)
exp2 = _unary("exp2", E.exp2_p, True)
log = _unary("log", E.log_p, True)
log1p = _unary("log1p", E.log1p_p, True)
expm1 = _unary("expm1", E.expm1_p, True)
tanh = _unary("tanh", E.tanh_p, True)
sin = _unary("sin", E.sin_p, True)
cos = _unary("cos", E.cos_p, True)
tan = _unary("tan", E.tan_p, True)
arcsin = _unary("arcsin", E.asin_p, True)
arccos = _unary("arccos", E.acos_p, True)
arctan = _unary("arctan", E.atan_p, True)
sinh = _unary("sinh", E.sinh_p, True)
cosh = _unary("cosh", E.cosh_p, True)
arcsinh = _unary("arcsinh", E.asinh_p, True)
arccosh = _unary("arccosh", E.acosh_p, True)
arctanh = _unary("arctanh", E.atanh_p, True)
sqrt = _unary("sqrt", E.sqrt_p, True)
cbrt = _unary("cbrt", E.cbrt_p, True)
negative = _unary("negative", E.neg_p)
_isfinite_real = _unary("isfinite", E.is_finite_p, True)


def isfinite(x, /):
    (x,) = _promote_to_inexact("isfinite", x)
    if dtypes.is_complex(core.get_aval(x).dtype):
        return E.and_p.bind(E.is_finite_p.bind(real(x)), E.is_finite_p.bind(imag(x)))
    return E.is_finite_p.bind(x)

asin, acos, atan, asinh, acosh, atanh, atan2 = arcsin, arccos, arctan, arcsinh, arccosh, arctanh, arctan2


def positive(x, /):
    (x,) = promote_args("positive", x)
    return x


def abs(x, /):
    (x,) = promote_args("abs", x)
    av = core.get_aval(x)
    if av.dtype == dtypes.bool_ or dtypes.is_unsigned(av.dtype):
        return x
    return E.abs_p.bind(x)


absolute = abs


def _no_complex(name, x, err=TypeError, msg=None):
    if dtypes.is_complex(core.get_aval(x).dtype):
        raise err(msg or f"{name} does not support complex-valued inputs")


def _bool_to_int32(x):
    """JAX's promote_args_numeric: booleans become int32 for arithmetic that needs numbers."""
    if type(x) is not bool and type(x) not in _SCALARS and core.get_aval(x).dtype == dtypes.bool_:
        return E.convert_element_type_p.bind(x, new_dtype=dtypes.int32, weak_type=False)
    return int(x) if type(x) is bool else x


def fabs(x, /):
    (x,) = _promote_to_inexact("fabs", x)
    _no_complex("fabs", x, msg="ufunc 'fabs' does not support complex dtypes")
    return E.abs_p.bind(x)


def sign(x, /):
    (x,) = promote_args("sign", x)
    av = core.get_aval(x)
    if av.dtype == dtypes.bool_:
        raise TypeError("sign does not accept dtype bool. Accepted dtypes are subtypes of integer, "
                        "floating, complexfloating.")
    if dtypes.is_unsigned(av.dtype):
        return lax.convert_element_type(E.gt_p.bind(x, 0), av.dtype)
    return E.sign_p.bind(x)


def _round_like(name, prim):
    def f(x, /):
        (x,) = promote_args(name, x)
        if not dtypes.is_inexact(core.get_aval(x).dtype):
            return x
        return prim.bind(x)
    f.__name__ = name
    return f


floor = _round_like("floor", E.floor_p)
ceil = _round_like("ceil", E.ceil_p)


def trunc(x, /):
    (x,) = promote_args("trunc", x)
    _no_complex("trunc", x)
    if not dtypes.is_inexact(core.get_aval(x).dtype):
        return x
    return lax.select(E.lt_p.bind(x, 0.0), E.ceil_p.bind(x), E.floor_p.bind(x))


fix = trunc


def round(a, decimals=0, out=None):
    (a,) = promote_args("round", a)
    av = core.get_aval(a)
    if av.dtype == dtypes.bool_:
        raise ValueError("round: data type bool is not inexact; cast booleans to a number first")
    if dtypes.is_complex(av.dtype):
        re, im = round(real(a), decimals), round(imag(a), decimals)
        return add(re, multiply(im, 1j))
    if not dtypes.is_inexact(av.dtype):
        if decimals >= 0:
            return a
        f = 10 ** (-decimals)
        return multiply(floor_divide(add(a, f // 2), f), f)
    if decimals == 0:
        return E.round_p.bind(a, rounding_method=1)
    f = 10.0 ** decimals
    return true_divide(E.round_p.bind(multiply(a, f), rounding_method=1), f)


around = round


def rint(x, /):
    (x,) = promote_args("rint", x)
    if not dtypes.is_inexact(core.get_aval(x).dtype):   # as JAX: the default float, not by width
        x = E.convert_element_type_p.bind(x, new_dtype=dtypes.default_float(), weak_type=core.get_aval(x).weak_type)
    return round(x)


def isnan(x, /):
    (x,) = promote_args("isnan", x)
    if not dtypes.is_inexact(core.get_aval(x).dtype):
        return lax.full_like(x, False, dtypes.bool_)
    return E.ne_p.bind(x, x)


def isinf(x, /):
    (x,) = promote_args("isinf", x)
    if not dtypes.is_inexact(core.get_aval(x).dtype):
        return lax.full_like(x, False, dtypes.bool_)
    return E.eq_p.bind(E.abs_p.bind(x), float("inf"))


def isposinf(x, /):
    (x,) = promote_args("isposinf", x)
    _no_complex("isposinf", x, ValueError, "isposinf/isneginf are not well defined for complex types")
    return E.eq_p.bind(x, float("inf")) if dtypes.is_inexact(core.get_aval(x).dtype) else lax.full_like(x, False, dtypes.bool_)


def isneginf(x, /):
    (x,) = promote_args("isneginf", x)
    _no_complex("isneginf", x, ValueError, "isposinf/isneginf are not well defined for complex types")
    return E.eq_p.bind(x, float("-inf")) if dtypes.is_inexact(core.get_aval(x).dtype) else lax.full_like(x, False, dtypes.bool_)


def signbit(x, /):
    (x,) = promote_args("signbit", x)
    _no_complex("signbit", x, ValueError, f"jax.numpy.signbit is not well defined for {core.get_aval(x).dtype}")
    if dtypes.is_inexact(core.get_aval(x).dtype):
        return E.lt_p.bind(lax.select(E.eq_p.bind(x, 0.0), true_divide(1.0, x), x), 0.0)
    return E.lt_p.bind(x, 0)


def true_divide(x1, x2, /):
    x1, x2 = _promote_to_inexact("true_divide", x1, x2)
    return E.div_p.bind(x1, x2)


divide = true_divide


def _numeric_arrays(name, x1, x2):
    """Promoted operands as arrays, bool promoted to int32 (JAX's promote_args_numeric)."""
    x1, x2 = promote_args(name, x1, x2)
    ref = x1 if type(x1) not in _SCALARS else x2
    av = core.get_aval(ref)
    out = []
    for x in (x1, x2):
        if type(x) in _SCALARS:
            x = E.convert_element_type_p.bind(_scalar_to(x, av.dtype), new_dtype=av.dtype,
                                              weak_type=av.weak_type)
        if av.dtype == dtypes.bool_:
            x = E.convert_element_type_p.bind(x, new_dtype=dtypes.int32, weak_type=False)
        out.append(x)
    return out[0], out[1], core.get_aval(out[0]).dtype


def floor_divide(x1, x2, /):
    x1, x2, dt = _numeric_arrays("floor_divide", x1, x2)
    if dtypes.is_unsigned(dt):
        return E.div_p.bind(x1, x2)
    if dtypes.is_int(dt):
        q = E.div_p.bind(x1, x2)
        fix_ = E.and_p.bind(E.ne_p.bind(E.sign_p.bind(x1), E.sign_p.bind(x2)),
                            E.ne_p.bind(E.rem_p.bind(x1, x2), 0))
        return lax.select(fix_, E.sub_p.bind(q, 1), q)
    if dtypes.is_complex(dt):
        raise TypeError("floor_divide does not support complex-valued inputs")
    return _float_divmod(x1, x2)[0]


def _bcast_pair(a, b):
    """`a` broadcast against `b` (an array), as select's operands must match."""
    bv = core.get_aval(b)
    if type(a) in _SCALARS:
        return lax.full_like(b, a), b
    av = core.get_aval(a)
    if av.shape != bv.shape:
        a = lax.broadcast_in_dim(a, bv.shape, tuple(range(len(bv.shape) - av.ndim, len(bv.shape))))
    return a, b


def _float_divmod(x1, x2):
    """numpy's float divmod: exact remainder first, then the quotient from it (1 // 0.1 == 9)."""
    mod = E.rem_p.bind(x1, x2)
    # x / 0 keeps x (so 1 // 0 == inf, as JAX), not x - nan
    div = E.div_p.bind(lax.select(E.eq_p.bind(x2, 0.0), *_bcast_pair(x1, E.sub_p.bind(x1, mod))), x2)
    ind = E.and_p.bind(E.ne_p.bind(mod, 0.0), E.ne_p.bind(E.sign_p.bind(x2), E.sign_p.bind(mod)))
    mod = lax.select(ind, E.add_p.bind(mod, x2), mod)
    div = lax.select(ind, E.sub_p.bind(div, 1.0), div)
    return E.round_p.bind(div, rounding_method=1), mod


def remainder(x1, x2, /):
    x1, x2, dt = _numeric_arrays("remainder", x1, x2)
    if dtypes.is_complex(dt):
        raise TypeError("remainder does not support complex-valued inputs")
    zero = 0 if dtypes.is_int(dt) else 0.0
    if dtypes.is_int(dt):
        x2 = where(E.eq_p.bind(x2, 0), 1, x2)
    r = E.rem_p.bind(x1, x2)
    if dtypes.is_unsigned(dt):
        return r
    fix_ = E.and_p.bind(E.ne_p.bind(r, zero), E.ne_p.bind(E.lt_p.bind(r, zero), E.lt_p.bind(x2, zero)))
    return lax.select(fix_, E.add_p.bind(r, x2), r)


mod = remainder


def fmod(x1, x2, /):
    x1, x2, dt = _numeric_arrays("fmod", x1, x2)
    if dtypes.is_complex(dt):
        raise TypeError("fmod does not support complex-valued inputs")
    if dtypes.is_int(dt):
        x2 = where(E.eq_p.bind(x2, 0), 1, x2)
    return E.rem_p.bind(x1, x2)


def divmod(x1, x2, /):
    return floor_divide(x1, x2), remainder(x1, x2)


def power(x1, x2, /):
    if type(x2) is int and not isinstance(x2, bool) and type(x1) not in _SCALARS:
        (x1,) = promote_args("power", x1)
        x1 = _bool_to_int32(x1)
        if dtypes.is_int(core.get_aval(x1).dtype) and x2 < 0:
            av = core.get_aval(x1)
            raise TypeError(f"Integers cannot be raised to negative powers, got "
                            f"integer_pow({av.dtype.name}{list(av.shape)}, {x2})")
        return E.integer_pow_p.bind(x1, y=x2)
    x1, x2 = promote_args("power", x1, x2)
    x1, x2 = _bool_to_int32(x1), _bool_to_int32(x2)
    av = core.get_aval(x1 if type(x1) not in _SCALARS else x2)
    if dtypes.is_int(av.dtype) or av.dtype == dtypes.bool_:
        return _int_power(x1, x2)
    return E.pow_p.bind(x1, x2)


pow = power


def _int_power(x, y):
    """Integer power by repeated squaring over the bits of y (as JAX)."""
    from .creation import asarray, ones_like, zeros_like
    s = add(x, y)
    base = add(x, zeros_like(s))
    yy = add(y, zeros_like(s))
    # JAX's _pow_int_int: 0**y is 0 for y != 0, and only y's low 6 bits count (more overflows anyway)
    acc = lax.select(E.and_p.bind(E.eq_p.bind(base, 0), E.ne_p.bind(yy, 0)), zeros_like(s), ones_like(s))
    for _ in range(6):
        bit = E.ne_p.bind(E.and_p.bind(yy, 1), 0)
        acc = lax.select(bit, E.mul_p.bind(acc, base), acc)
        base = E.mul_p.bind(base, base)
        yy = E.shift_right_logical_p.bind(yy, 1)
    return acc


def float_power(x1, x2, /):
    x1, x2 = _promote_to_inexact("float_power", x1, x2)
    return E.pow_p.bind(x1, x2)


def square(x, /):
    (x,) = promote_args("square", x)
    x = _bool_to_int32(x)
    return E.integer_pow_p.bind(x, y=2)


def reciprocal(x, /):
    (x,) = _promote_to_inexact("reciprocal", x)
    return E.div_p.bind(1.0, x)


def rsqrt(x, /):
    (x,) = _promote_to_inexact("rsqrt", x)
    return E.rsqrt_p.bind(x)


def _div_real(z, c):
    """z / c for a real constant c; a complex z has its parts divided (torch's complex division
    turns log(0) = -inf+0j into -inf+nanj)."""
    if dtypes.is_complex(core.get_aval(z).dtype):
        return lax.complex(E.div_p.bind(E.real_p.bind(z), c), E.div_p.bind(E.imag_p.bind(z), c))
    return E.div_p.bind(z, c)


def log2(x, /):
    (x,) = _promote_to_inexact("log2", x)
    return _div_real(E.log_p.bind(x), math.log(2.0))


def log10(x, /):
    (x,) = _promote_to_inexact("log10", x)
    return _div_real(E.log_p.bind(x), math.log(10.0))


def logaddexp(x1, x2, /):
    x1, x2 = _promote_to_inexact("logaddexp", x1, x2)
    amax = E.max_p.bind(x1, x2)
    if dtypes.is_complex(core.get_aval(amax).dtype):  # JAX's complex branch, imag wrapped to [-pi, pi]
        out = add(amax, log1p(exp(subtract(add(x1, x2), multiply(amax, 2.0)))))
        im = remainder(add(imag(out), math.pi), 2 * math.pi)
        return add(real(out), multiply(subtract(im, math.pi), 1j))
    delta = E.sub_p.bind(x1, x2)
    out = E.add_p.bind(amax, E.log1p_p.bind(E.exp_p.bind(E.neg_p.bind(E.abs_p.bind(delta)))))
    return lax.select(E.ne_p.bind(delta, delta), E.add_p.bind(x1, x2), out)


def logaddexp2(x1, x2, /):
    x1, x2 = _promote_to_inexact("logaddexp2", x1, x2)
    ln2 = math.log(2.0)
    return true_divide(logaddexp(multiply(x1, ln2), multiply(x2, ln2)), ln2)


def hypot(x1, x2, /):
    x1, x2 = _promote_to_inexact("hypot", x1, x2)
    if dtypes.is_complex(_operand_dtype(x1, x2)):
        raise ValueError("jnp.hypot is not well defined for complex-valued inputs. Please convert to "
                         "real values first, such as by using abs(x)")
    # scaled by the larger magnitude so that squares cannot overflow (float16!), as JAX
    a1, a2 = abs(x1), abs(x2)
    inf = logical_or(isposinf(a1), isposinf(a2))
    hi, lo = maximum(a1, a2), minimum(a1, a2)
    safe = where(equal(hi, 0), 1.0, hi)
    out = where(equal(hi, 0), hi, multiply(hi, sqrt(add(1.0, square(true_divide(lo, safe))))))
    return where(inf, float("inf"), out)


def deg2rad(x, /):
    (x,) = _promote_to_inexact("deg2rad", x)
    return multiply(x, math.pi / 180)


def rad2deg(x, /):
    (x,) = _promote_to_inexact("rad2deg", x)
    return multiply(x, 180 / math.pi)


radians, degrees = deg2rad, rad2deg


def sinc(x, /):
    (x,) = _promote_to_inexact("sinc", x)
    pix = multiply(x, math.pi)
    safe = lax.select(E.eq_p.bind(x, 0.0), lax.full_like(x, 1.0), pix)
    return lax.select(E.eq_p.bind(x, 0.0), lax.full_like(x, 1.0), true_divide(sin(safe), safe))


def copysign(x1, x2, /):
    x1, x2 = _promote_to_inexact("copysign", x1, x2)
    dt = _operand_dtype(x1, x2)
    if dtypes.is_complex(dt):
        raise TypeError("copysign does not support complex-valued inputs")
    if type(x1) in _SCALARS:   # the magnitude takes the promoted dtype (copysign(2, f16) is float16)
        x1 = E.convert_element_type_p.bind(_array(x1), new_dtype=dt, weak_type=type(x2) in _SCALARS
                                           or core.get_aval(x2).weak_type)
    return lax.select(signbit(x2), negative(abs(x1)), abs(x1))


def heaviside(x1, x2, /):
    x1, x2 = _promote_to_inexact("heaviside", x1, x2)
    if dtypes.is_complex(_operand_dtype(x1, x2)):
        raise TypeError("heaviside does not support complex-valued inputs")
    # a strong zero, as JAX's constant: the result is weak only through x2
    zero = lax.full_like(x1, 0.0, dtype=core.get_aval(x1).dtype) if type(x1) not in _SCALARS else 0.0
    return where(less(x1, 0), zero, where(greater(x1, 0), 1.0, x2))


def fmax(x1, x2):
    """Elementwise maximum that ignores NaNs (a NaN loses unless both are NaN)."""
    x1, x2 = promote_args("fmax", x1, x2)
    return where(isnan(x1), x2, where(isnan(x2), x1, maximum(x1, x2)))


def fmin(x1, x2):
    """Elementwise minimum that ignores NaNs (a NaN loses unless both are NaN)."""
    x1, x2 = promote_args("fmin", x1, x2)
    return where(isnan(x1), x2, where(isnan(x2), x1, minimum(x1, x2)))


def _logical(name, prim):
    def f(*args):
        args = [_operand(a) for a in args]
        if len(args) > 1 and any(type(a) in _SCALARS and type(a) is not bool for a in args):
            # a Python number is first converted to the promoted dtype (tiny floats may become 0)
            avals = [core.get_aval(a) for a in args]
            dt = dtypes.promote_types(*[(av.dtype, av.weak_type) for av in avals])[0]
            args = [bool(np.asarray(a).astype(dt)) if type(a) in _SCALARS else a for a in args]
        args = [a if (type(a) in _SCALARS and isinstance(a, bool)) else
                (bool(a) if type(a) in _SCALARS else (
                    a if core.get_aval(a).dtype == dtypes.bool_ else E.ne_p.bind(a, _scalar_to(0, core.get_aval(a).dtype))))
                for a in args]
        if all(type(a) is bool for a in args):
            from .creation import asarray
            args[0] = asarray(args[0])
        return prim.bind(*args)
    f.__name__ = name
    return f


logical_and = _logical("logical_and", E.and_p)
logical_or = _logical("logical_or", E.or_p)
logical_xor = _logical("logical_xor", E.xor_p)
logical_not = _logical("logical_not", E.not_p)


def _bitwise(name, prim):
    def f(*args):
        args = promote_args(name, *args)
        for a in args:
            if type(a) not in _SCALARS and not (dtypes.is_int(core.get_aval(a).dtype) or core.get_aval(a).dtype == dtypes.bool_):
                raise TypeError(f"{name} does not accept dtype {core.get_aval(a).dtype}; "
                                "it needs integer or boolean inputs")
        return prim.bind(*args)
    f.__name__ = name
    return f


bitwise_and = _bitwise("bitwise_and", E.and_p)
bitwise_or = _bitwise("bitwise_or", E.or_p)
bitwise_xor = _bitwise("bitwise_xor", E.xor_p)
bitwise_not = _bitwise("bitwise_not", E.not_p)
invert = bitwise_not
bitwise_invert = bitwise_not


def left_shift(x1, x2, /):
    x1, x2 = promote_args("left_shift", x1, x2)
    x1, x2 = _bool_to_int32(x1), _bool_to_int32(x2)
    return E.shift_left_p.bind(x1, x2)


def right_shift(x1, x2, /):
    x1, x2 = promote_args("right_shift", x1, x2)
    x1, x2 = _bool_to_int32(x1), _bool_to_int32(x2)
    dt = core.get_aval(x1 if type(x1) not in _SCALARS else x2).dtype
    if dtypes.is_unsigned(dt):
        return E.shift_right_logical_p.bind(x1, x2)
    return E.shift_right_arithmetic_p.bind(x1, x2)


bitwise_left_shift, bitwise_right_shift = left_shift, right_shift


def where(condition, x=None, y=None, /, *, size=None, fill_value=None):
    if x is None and y is None:
        from .indexing import nonzero
        return nonzero(condition, size=size, fill_value=fill_value)
    if x is None or y is None:   # JAX's TypeError (None is no array), saying what is wrong
        raise TypeError(f"where requires ndarray or scalar arguments, got {type(None)} at position "
                        f"{1 if x is None else 2}: either both or neither of the x and y arguments should "
                        "be provided to jax.numpy.where")
    condition = _operand(condition, "condition")
    if type(condition) in _SCALARS:
        from .creation import asarray
        condition = asarray(condition)
    if core.get_aval(condition).dtype != dtypes.bool_:
        condition = E.ne_p.bind(condition, _scalar_to(0, core.get_aval(condition).dtype))
    x, y = promote_args("where", x, y)
    if type(x) in _SCALARS and type(y) in _SCALARS:
        from .creation import asarray
        x = asarray(x)
    return E.select_n_p.bind(condition, y, x)


def clip(arr=None, /, min=None, max=None, *, a=None, a_min=None, a_max=None):
    arr = a if arr is None else arr
    min = a_min if min is None else min
    max = a_max if max is None else max
    (arr,) = promote_args("clip", arr)
    if any(v is not None and (isinstance(v, complex) or dtypes.is_complex(core.get_aval(_operand(v)).dtype))
           for v in (arr, min, max)):
        raise ValueError("Clip received a complex value either through the input or the min/max keywords. "
                         "Complex values have no ordering and cannot be clipped. Please convert to a real "
                         "value or array by taking the real or imaginary components via jax.numpy.real/imag.")
    if min is not None:
        arr = maximum(arr, min)
    if max is not None:
        arr = minimum(arr, max)
    return arr


def conjugate(x, /):
    (x,) = promote_args("conjugate", x)
    return E.conj_p.bind(x) if dtypes.is_complex(core.get_aval(x).dtype) else x


conj = conjugate


def real(x, /):
    (x,) = promote_args("real", x)
    return E.real_p.bind(x) if dtypes.is_complex(core.get_aval(x).dtype) else x


def imag(x, /):
    (x,) = promote_args("imag", x)
    return E.imag_p.bind(x) if dtypes.is_complex(core.get_aval(x).dtype) else lax.full_like(x, 0)


def astype(x, dtype, /, *, copy=False, device=None):
    x = _operand(x)
    if type(x) in _SCALARS:
        from .creation import asarray
        x = asarray(x)
    dt = dtypes.canonicalize(dtypes.check_dtype(dtype))
    av = core.get_aval(x)
    if av.dtype == dt and not av.weak_type:
        return x
    if dtypes.is_complex(av.dtype) and not dtypes.is_complex(dt):
        x = E.real_p.bind(x)
    return E.convert_element_type_p.bind(x, new_dtype=dt, weak_type=False)


def isclose(a, b, rtol=1e-05, atol=1e-08, equal_nan=False):
    a, b = _promote_to_inexact("isclose", a, b)
    # strong tolerances of the operands' real dtype (as JAX), so the result is never weak
    if type(a) not in _SCALARS:
        d = core.get_aval(a).dtype
        rdt = {np.dtype(np.complex64): np.float32, np.dtype(np.complex128): np.float64}.get(d, d)
        atol, rtol = np.asarray(atol, rdt), np.asarray(rtol, rdt)
    out = less_equal(abs(subtract(a, b)), add(atol, multiply(rtol, abs(b))))
    out = where(logical_or(isinf(a), isinf(b)), equal(a, b), out)
    out = logical_and(out, logical_not(logical_or(isnan(a), isnan(b))))
    if equal_nan:
        out = logical_or(out, logical_and(isnan(a), isnan(b)))
    return out


def allclose(a, b, rtol=1e-05, atol=1e-08, equal_nan=False):
    from .reductions import all as _all
    return _all(isclose(a, b, rtol, atol, equal_nan))


def array_equal(a1, a2, equal_nan=False):
    from .reductions import all as _all
    from .creation import asarray
    a1, a2 = asarray(a1), asarray(a2)    # JAX converts lists here
    s1, s2 = core.get_aval(_operand(a1)).shape, core.get_aval(_operand(a2)).shape
    if s1 != s2:
        from .creation import asarray
        return asarray(False)
    eq = equal(a1, a2)
    if equal_nan:
        eq = logical_or(eq, logical_and(isnan(a1), isnan(a2)))
    return _all(eq)


def nan_to_num(x, copy=True, nan=0.0, posinf=None, neginf=None):
    (x,) = promote_args("nan_to_num", x)
    dt = core.get_aval(x).dtype
    if not dtypes.is_inexact(dt):
        return x
    if dtypes.is_complex(dt):
        re = nan_to_num(real(x), copy, nan, posinf, neginf)
        im = nan_to_num(imag(x), copy, nan, posinf, neginf)
        return add(re, multiply(im, 1j))
    info = dtypes.finfo(dt)
    posinf = float(info.max) if posinf is None else posinf
    neginf = float(info.min) if neginf is None else neginf
    x = where(isnan(x), nan, x)
    x = where(isposinf(x), posinf, x)
    return where(isneginf(x), neginf, x)
