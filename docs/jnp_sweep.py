"""Differential sweep of jaxish.numpy against jax.numpy: every public callable present in both is
called on a battery of inputs chosen by signature family; each call's result (dtype, weak_type,
shape, values, or the exception type) is recorded by one side's Python and compared afterwards.

    /work/jaxenv/bin/python docs/jnp_sweep.py run jax    /tmp/sweep_jax.pkl        # JAX's venv
    .venv/bin/python        docs/jnp_sweep.py run jaxish /tmp/sweep_jaxish.pkl     # ours
    python3                 docs/jnp_sweep.py compare /tmp/sweep_jax.pkl /tmp/sweep_jaxish.pkl
Set JAX_ENABLE_X64=1 on both run lines for the x64 pass; a last argument N keeps every Nth call
(a quicker pass: JAX compiles each call, ~10 minutes for the whole battery). A tool, not a test: it needs both venvs."""
import collections
import pickle
import sys
import warnings

import numpy as np

# ----------------------------------------------------------------------------------------------
# inputs: built per side from numpy data, so both sides see the same values


class D:
    """A dtype named by attribute, resolved on each side (jnp.float16, ...)."""
    def __init__(self, name):
        self.name = name


class A:
    """An input array named in INPUTS, built with the side's jnp.asarray."""
    def __init__(self, name):
        self.name = name


_F = [[-2.5, -1.0, 0.0], [0.5, 1.5, 3.0]]
_I = [[-3, -1, 0], [1, 2, 5]]
INPUTS = {
    "f32": lambda jnp: jnp.asarray(np.array(_F, np.float32)),
    "f16": lambda jnp: jnp.asarray(np.array(_F, np.float16)),
    "bf16": lambda jnp: jnp.asarray(np.array(_F, np.float32)).astype(jnp.bfloat16),
    "i32": lambda jnp: jnp.asarray(np.array(_I, np.int32)),
    "i8": lambda jnp: jnp.asarray(np.array(_I, np.int8)),
    "u8": lambda jnp: jnp.asarray(np.array([[0, 1, 2], [3, 200, 255]], np.uint8)),
    "b": lambda jnp: jnp.asarray(np.array([[True, False, True], [False, False, True]])),
    "c64": lambda jnp: jnp.asarray(np.array(_F, np.float32) + 1j * np.array([[1, -0.5, 0], [2, 0, -1]], np.float32)),
    "nan": lambda jnp: jnp.asarray(np.array([[np.nan, 1, 2], [3, np.nan, -1]], np.float32)),
    "v": lambda jnp: jnp.asarray(np.array([3.0, 1.0, 2.0, 0.5], np.float32)),
    "vi": lambda jnp: jnp.asarray(np.array([3, 1, 2, 0], np.int32)),
    "v0": lambda jnp: jnp.asarray(np.array([0, 0, 1, 2, 0, 3, 0], np.int32)),
    "sq": lambda jnp: jnp.asarray(np.array([[2.0, 1.0, 0.5], [1.0, 3.0, 0.0], [0.5, 0.0, 4.0]], np.float32)),
    "sqi": lambda jnp: jnp.asarray(np.arange(9, dtype=np.int32).reshape(3, 3)),
    "t3": lambda jnp: jnp.asarray(np.arange(24, dtype=np.float32).reshape(2, 3, 4)),
    "e": lambda jnp: jnp.asarray(np.zeros((0, 3), np.float32)),
    "s0": lambda jnp: jnp.asarray(np.float32(1.5)),
    "si": lambda jnp: jnp.asarray(np.int32(3)),
}
SCALARS = {"pyint": 2, "pyfloat": 0.5, "pybool": True, "pycomplex": 1 + 2j}


def resolve(jnp, x, cache):
    if isinstance(x, A):
        if x.name not in cache:
            cache[x.name] = INPUTS[x.name](jnp)
        return cache[x.name]
    if isinstance(x, D):
        return getattr(jnp, x.name)
    if isinstance(x, tuple):
        return tuple(resolve(jnp, y, cache) for y in x)
    if isinstance(x, list):
        return [resolve(jnp, y, cache) for y in x]
    if isinstance(x, dict):
        return {k: resolve(jnp, v, cache) for k, v in x.items()}
    return x


def operand(name):
    return SCALARS[name] if name in SCALARS else A(name)


# ----------------------------------------------------------------------------------------------
# the battery: (function name, args, kwargs)

UNARY = """abs absolute acos acosh angle arccos arccosh arcsin arcsinh arctan arctanh asin asinh atan atanh
bitwise_count bitwise_invert bitwise_not cbrt ceil conj conjugate cos cosh deg2rad degrees exp exp2 expm1 fabs
floor frexp i0 imag invert isfinite isinf isnan isneginf isposinf iscomplex isreal log log10 log1p log2
logical_not modf negative positive rad2deg radians real reciprocal rint round around sign signbit sin sinc sinh
spacing sqrt square tan tanh trunc nan_to_num iscomplexobj isrealobj isscalar ndim shape size ravel transpose
copy argwhere nonzero flatnonzero count_nonzero atleast_1d atleast_2d atleast_3d squeeze flip fliplr flipud
unique unique_values unique_counts unique_inverse unique_all diag diagflat tril triu ediff1d matrix_transpose
rot90 unstack sort argsort sort_complex cumsum cumprod nancumsum nancumprod asarray array zeros_like ones_like
empty_like trace diagonal diff sum prod mean var std max min amax amin all any argmax argmin ptp median
nansum nanprod nanmean nanvar nanstd nanmax nanmin nanargmax nanargmin nanmedian average packbits unpackbits
array_str array_repr iterable real imag""".split()
UNARY_IN = ["f32", "f16", "bf16", "i32", "i8", "u8", "b", "c64", "nan", "s0", "si", "e", "pyint", "pyfloat", "pybool"]

BINARY = """add arctan2 atan2 bitwise_and bitwise_left_shift bitwise_or bitwise_right_shift bitwise_xor copysign
divide divmod equal float_power floor_divide fmax fmin fmod gcd greater greater_equal heaviside hypot lcm ldexp
left_shift less less_equal logaddexp logaddexp2 logical_and logical_or logical_xor maximum minimum mod multiply
nextafter not_equal pow power remainder right_shift subtract true_divide isclose allclose array_equal
array_equiv where_binary""".split()
BINARY_IN = ["f32", "f16", "i32", "u8", "b", "c64", "pyint", "pyfloat", "pybool", "pycomplex"]

REDUCE = """sum prod mean var std max min amax amin all any argmax argmin ptp median nansum nanprod nanmean
nanvar nanstd nanmax nanmin nanargmax nanargmin nanmedian count_nonzero average cumsum cumprod nancumsum
nancumprod cumulative_sum cumulative_prod""".split()
REDUCE_IN = ["f32", "i32", "b", "f16", "u8", "c64", "nan", "e"]
REDUCE_KW = [dict(axis=0), dict(axis=1), dict(axis=-1, keepdims=True), dict(axis=(0, 1)), dict(keepdims=True),
             dict(axis=None, keepdims=True)]
DTYPE_KW = ["sum", "prod", "mean", "cumsum", "cumprod", "nansum", "nanmean", "var", "std", "cumulative_sum"]


def battery():
    cases = []
    add = lambda name, *args, **kw: cases.append((name, args, kw))
    for f in UNARY:
        for x in UNARY_IN:
            add(f, operand(x))
    for f in BINARY:
        for x in BINARY_IN:
            for y in BINARY_IN:
                if f == "where_binary":
                    add("where", A("b"), operand(x), operand(y))
                else:
                    add(f, operand(x), operand(y))
    for f in REDUCE:
        for x in REDUCE_IN:
            for kw in REDUCE_KW:
                if f.startswith(("cum", "nancum")) and (kw.get("keepdims") or isinstance(kw.get("axis"), tuple)):
                    continue
                kw = dict(kw)
                if f.startswith(("cum", "nancum")):
                    kw.pop("keepdims", None)
                    if f.startswith("cumulative") and "axis" not in kw:
                        kw["axis"] = 0
                add(f, A(x), **kw)
    for f in DTYPE_KW:
        for x in ["i32", "b", "f16", "u8"]:
            for d in ["float32", "int32", "float16", "int8", "complex64", "bool"]:
                add(f, A(x), dtype=D(d))
    for f in ["quantile", "nanquantile"]:
        for x in ["f32", "i32", "nan", "b"]:
            for q in [0.3, [0.25, 0.75]]:
                for m in ["linear", "lower", "higher", "midpoint", "nearest"]:
                    add(f, A(x), q, method=m)
                add(f, A(x), q, axis=1, keepdims=True)
    for f in ["percentile", "nanpercentile"]:
        for x in ["f32", "i32", "nan"]:
            add(f, A(x), 30)
            add(f, A(x), [10, 90.0], axis=0)
    add("average", A("f32"), axis=1, weights=A("f32"))
    add("average", A("f32"), axis=1, weights=[1.0, 2.0, 3.0], returned=True)
    add("average", A("i32"), axis=0, weights=A("i32"), returned=True)
    for x in ["f32", "i32", "c64", "b"]:
        add("var", A(x), ddof=1)
        add("std", A(x), axis=0, ddof=1)
        add("sum", A(x), where=A("b"))
        add("max", A(x), where=A("b"), initial=0)
        add("prod", A(x), axis=1, initial=2)
        add("mean", A(x), where=A("b"))
        add("argmax", A(x), axis=1, keepdims=True)
        add("median", A(x), axis=0, keepdims=True)
        add("ptp", A(x), axis=1, keepdims=True)
        add("count_nonzero", A(x), axis=1, keepdims=True)

    # creation
    for args, kw in [((5,), {}), ((1, 7, 2), {}), ((0.5, 3), {}), ((5,), dict(dtype=float)), ((3.0,), {}),
                     ((5,), dict(dtype=D("float16"))), ((0, 1, 0.25), {}), ((True,), {}), ((A("si"),), {}),
                     ((A("s0"),), {}), ((10, 0, -3), {}), ((2, 2.5), {}), ((np.int32(3),), {}),
                     ((3,), dict(dtype=D("bool"))), ((4,), dict(dtype=D("complex64")))]:
        add("arange", *args, **kw)
    for f in ["linspace", "logspace", "geomspace"]:
        for args, kw in [((1, 2), {}), ((1, 10, 5), {}), ((1, 10, 4), dict(endpoint=False)),
                         ((1, 10, 5), dict(dtype=int)), ((1, A("v")), {}), ((A("f32"), 4.0, 3), dict(axis=1)),
                         ((2, 2), dict(num=0)), ((1, 10, 3), dict(dtype=D("float16"))), ((1, 1j), dict(num=3)),
                         ((1, 10, 5), dict(retstep=True)), ((-1, 10, 3), {}), ((1, 10, -1), {})]:
            add(f, *args, **kw)
    for f in ["zeros", "ones", "empty"]:
        for args, kw in [(((2, 3),), {}), ((3,), dict(dtype=int)), ((0,), {}), ((2,), dict(dtype=D("bool"))),
                         ((np.int64(2),), {}), ((2,), dict(dtype=D("complex64"))), ((-1,), {}), ((2.0,), {}),
                         (((2, A("si")),), {}), ((2,), dict(dtype="float16"))]:
            add(f, *args, **kw)
    for args, kw in [(((2,), 3), {}), (((2,), 3.0), {}), (((2,), True), {}), (((2,), 1j), {}),
                     (((2, 3), A("v")[:3] if False else 1), dict(dtype=D("int8"))), (((2, 3), A("vi")), {}),
                     (((2, 3), [1, 2, 3]), {}), (((4,), A("s0")), {}), ((3, 5), dict(dtype=float))]:
        add("full", *args, **kw)
    for f in ["zeros_like", "ones_like", "empty_like"]:
        for x in ["f32", "i32", "b", "pyint", "pyfloat"]:
            add(f, operand(x))
            add(f, operand(x), dtype=D("float16"))
            add(f, operand(x), shape=(3,))
    for x in ["f32", "i32", "b", "pyint", "pyfloat", "c64"]:
        for v in [2, 2.5, True, A("si"), 1j]:
            add("full_like", operand(x), v)
        add("full_like", operand(x), 7, dtype=D("int8"), shape=(2,))
    for args, kw in [((3,), {}), ((3, 4), dict(k=1)), ((3,), dict(dtype=int)), ((3, 2, -1), {}), ((0,), {}),
                     ((3,), dict(k=5)), ((2,), dict(M=3, dtype=D("bool")))]:
        add("eye", *args, **kw)
        add("tri", *args, **kw)
    add("identity", 3)
    add("identity", 2, dtype=D("int8"))
    for args, kw in [(([1, 2],), {}), ((1.0,), {}), (([1, 2.0],), {}), ((2,), {}), (([True],), {}),
                     (([1 + 2j],), {}), ((np.array([1.5, 2.5]),), {}), ((np.array([1, 2], np.int64),), {}),
                     ((np.float64(2.5),), {}), ((np.int64(7),), {}), (([A("s0"), 2],), {}),
                     (([[1, 2], [3, 4]],), dict(dtype=D("float16"))), (([],), {}), ((A("f32"),), dict(ndmin=3)),
                     (([1, 2.5],), dict(dtype=int)), ((2**40,), {}), (([np.uint8(3), 1],), {}),
                     (([A("i8"), A("u8")],), {}), ((A("i32"),), dict(dtype=D("uint8"), copy=False)),
                     (((1, 2.0),), {}), (([[1], [2, 3]],), {}), ((np.float16(1),), {}), ((True,), {}),
                     (([1, A("s0")],), {})]:
        add("array", *args, **kw)
        add("asarray", *args, **{k: v for k, v in kw.items() if k != "ndmin"})
    for f, args, kw in [
        ("indices", ((2, 3),), {}), ("indices", ((2, 3),), dict(sparse=True)),
        ("indices", ((2,),), dict(dtype=D("int8"))),
        ("meshgrid", (A("v"), A("vi")), {}), ("meshgrid", (A("v"), A("vi")), dict(indexing="ij")),
        ("meshgrid", (A("v"), A("vi")), dict(sparse=True)), ("meshgrid", (), {}),
        ("fromfunction", (lambda i, j: i + j, (2, 3)), {}),
        ("fromfunction", (lambda i, j: i * j, (2, 3)), dict(dtype=int)),
        ("frombuffer", (b"\x01\x02\x03\x04",), dict(dtype=D("uint8"))),
        ("frombuffer", (np.arange(3, dtype=np.float32).tobytes(),), dict(dtype=D("float32"))),
        ("frombuffer", (np.arange(3, dtype=np.float32).tobytes(),), {}),
        ("fromstring", ("1 2 3",), dict(sep=" ", dtype=D("int32"))),
        ("fromstring", ("1.5,2",), dict(sep=",")),
        ("vander", (A("v"),), {}), ("vander", (A("vi"), 3), {}), ("vander", (A("v"),), dict(increasing=True)),
        ("vander", (A("f32"),), {}),
        ("diag_indices", (3,), {}), ("diag_indices", (2, 3), {}), ("diag_indices_from", (A("sq"),), {}),
        ("diag_indices_from", (A("f32"),), {}),
        ("tril_indices", (3,), {}), ("tril_indices", (3, 1, 4), {}), ("triu_indices", (3,), dict(k=1)),
        ("triu_indices", (2, 0, 3), {}), ("tril_indices_from", (A("sq"),), {}), ("triu_indices_from", (A("f32"),), {}),
        ("tril_indices_from", (A("f32"),), dict(k=-1)),
        ("mask_indices", (3, lambda a, k: a), {}),
    ]:
        add(f, *args, **kw)
    for f in ["bartlett", "blackman", "hamming", "hanning"]:
        for n in [0, 1, 5, 6, 5.0]:
            add(f, n)
    for n, beta in [(0, 1.0), (1, 2.0), (5, 3.0), (6, 0.0), (4, 2)]:
        add("kaiser", n, beta)

    # shape / manipulation
    for f, args, kw in [
        ("reshape", (A("f32"), (3, 2)), {}), ("reshape", (A("f32"), -1), {}), ("reshape", (A("f32"), (4, -1)), {}),
        ("reshape", (A("f32"), (3, -1)), dict(order="F")), ("reshape", (A("f32"),), dict(shape=(6,))),
        ("reshape", (A("f32"), (2, 3, -1, 1)), {}), ("reshape", (A("f32"), (-1, -1)), {}),
        ("reshape", (2, (1, 1)), {}), ("reshape", (A("f32"), 6.0), {}),
        ("ravel", (A("f32"),), dict(order="F")), ("ravel", (A("t3"),), dict(order="K")),
        ("transpose", (A("t3"), (2, 0, 1)), {}), ("transpose", (A("t3"), (0, 0, 1)), {}),
        ("transpose", (A("t3"),), dict(axes=(1, 0, 2))), ("permute_dims", (A("t3"), (2, 0, 1)), {}),
        ("swapaxes", (A("t3"), 0, 2), {}), ("swapaxes", (A("t3"), 0, 3), {}), ("moveaxis", (A("t3"), 0, -1), {}),
        ("moveaxis", (A("t3"), (0, 1), (2, 0)), {}), ("moveaxis", (A("t3"), (0, 0), (1, 2)), {}),
        ("rollaxis", (A("t3"), 2), {}), ("rollaxis", (A("t3"), 2, 1), {}), ("rollaxis", (A("t3"), 0, 3), {}),
        ("expand_dims", (A("f32"), 0), {}), ("expand_dims", (A("f32"), (0, 3)), {}), ("expand_dims", (A("f32"), -1), {}),
        ("expand_dims", (A("f32"), 4), {}), ("expand_dims", (A("f32"), (1, 1)), {}), ("expand_dims", (3, 0), {}),
        ("squeeze", (A("t3")[0] if False else A("f32"), 0), {}), ("squeeze", (A("s0"),), {}),
        ("squeeze", (A("e"), 0), {}), ("squeeze", (A("f32"), (0,)), {}),
        ("broadcast_to", (A("v"), (2, 4)), {}), ("broadcast_to", (A("v"), (3,)), {}), ("broadcast_to", (2, (2,)), {}),
        ("broadcast_to", (2.5, (2,)), {}), ("broadcast_to", (A("f32"), (2, 2, 3)), {}),
        ("broadcast_arrays", (A("f32"), A("v")[None] if False else 1, A("i32")), {}),
        ("broadcast_arrays", (A("f32"), 1.0), {}), ("broadcast_arrays", (), {}),
        ("broadcast_shapes", ((2, 1), (1, 3)), {}), ("broadcast_shapes", ((2,), (3,)), {}),
        ("broadcast_shapes", ((), (1, 2)), {}), ("broadcast_shapes", (), {}),
        ("concatenate", ([A("f32"), A("i32")],), {}), ("concatenate", ([A("f32"), A("f32")], 1), {}),
        ("concatenate", ([A("f32"), A("f32")], None), {}), ("concatenate", ([A("f32"), A("v")],), {}),
        ("concatenate", ([A("b"), A("u8")],), {}), ("concatenate", ([],), {}), ("concatenate", ([A("s0"), A("s0")],), {}),
        ("concatenate", ([A("f32"), A("f32")],), dict(dtype=D("int32"))),
        ("concat", ([A("f32"), A("i32")],), dict(axis=1)), ("concat", ([A("f32"), A("f32")],), dict(axis=None)),
        ("stack", ([A("f32"), A("i32")],), {}), ("stack", ([A("f32"), A("f32")], -1), {}),
        ("stack", ([A("f32"), A("v")],), {}), ("stack", ([],), {}), ("stack", ([1, 2.0],), {}),
        ("stack", ([A("f32"), A("f32")],), dict(dtype=D("float16"))),
        ("hstack", ([A("f32"), A("i32")],), {}), ("hstack", ([A("v"), A("vi")],), {}), ("hstack", ([1, 2],), {}),
        ("vstack", ([A("f32"), A("i32")],), {}), ("vstack", ([A("v"), A("vi")],), {}), ("vstack", ([1, 2.5],), {}),
        ("dstack", ([A("f32"), A("i32")],), {}), ("dstack", ([A("v"), A("vi")],), {}),
        ("column_stack", ([A("v"), A("vi")],), {}), ("column_stack", ([A("f32"), A("i32")],), {}),
        ("column_stack", ([1, 2],), {}),
        ("block", ([[A("f32"), A("f32")], [A("f32"), A("f32")]],), {}), ("block", ([A("v"), A("vi")],), {}),
        ("block", (A("f32"),), {}), ("block", ([[A("f32")], [A("v")]],), {}), ("block", (3,), {}),
        ("split", (A("t3"), 2), {}), ("split", (A("t3"), [1, 3], 2), {}), ("split", (A("t3"), 3, -1), {}),
        ("split", (A("t3"), 5, 2), {}), ("array_split", (A("t3"), 3, 2), {}), ("array_split", (A("v"), 3), {}),
        ("array_split", (A("t3"), [1, 2], 1), {}), ("split", (A("v"), A("vi")[:2] if False else [1]), {}),
        ("hsplit", (A("t3"), 3), {}), ("hsplit", (A("v"), 2), {}), ("vsplit", (A("t3"), 2), {}),
        ("vsplit", (A("v"), 2), {}), ("dsplit", (A("t3"), [1]), {}), ("dsplit", (A("f32"), 1), {}),
        ("unstack", (A("t3"),), dict(axis=1)), ("unstack", (A("t3"),), dict(axis=-1)),
        ("tile", (A("v"), 2), {}), ("tile", (A("f32"), (2, 1, 2)), {}), ("tile", (2.0, 3), {}), ("tile", (A("f32"), 0), {}),
        ("tile", (A("f32"), ()), {}),
        ("repeat", (A("v"), 2), {}), ("repeat", (A("f32"), 2, 1), {}), ("repeat", (A("f32"), [1, 0, 2], 1), {}),
        ("repeat", (A("f32"), A("vi")[:3] if False else [1, 2]), dict(axis=0)),
        ("repeat", (A("f32"), [1, 2]), dict(axis=0, total_repeat_length=3)), ("repeat", (2.0, 3), {}),
        ("repeat", (A("f32"), 2), {}), ("repeat", (A("f32"), -1), {}),
        ("roll", (A("t3"), 1), {}), ("roll", (A("t3"), -1, 2), {}), ("roll", (A("t3"), (1, 2), (0, 2)), {}),
        ("roll", (A("t3"), A("si")), dict(axis=1)),
        ("flip", (A("t3"), (0, 2)), {}), ("flip", (A("t3"), -1), {}), ("rot90", (A("t3"), 2, (1, 2)), {}),
        ("rot90", (A("t3"), -1), {}), ("rot90", (A("t3"), 1, (0, 0)), {}),
        ("atleast_1d", (1, A("f32")), {}), ("atleast_2d", (A("v"), 2.0), {}), ("atleast_3d", (A("f32"), A("v")), {}),
        ("resize", (A("f32"), (4, 4)), {}), ("resize", (A("v"), 2), {}), ("resize", (A("f32"), (0,)), {}),
        ("pad", (A("f32"), 1), {}), ("pad", (A("f32"), ((1, 0), (0, 2))), dict(mode="constant", constant_values=9)),
        ("pad", (A("f32"), 2), dict(mode="edge")), ("pad", (A("f32"), 2), dict(mode="reflect")),
        ("pad", (A("f32"), 2), dict(mode="symmetric")), ("pad", (A("f32"), 3), dict(mode="wrap")),
        ("pad", (A("f32"), 1), dict(mode="linear_ramp", end_values=5)), ("pad", (A("f32"), 2), dict(mode="maximum")),
        ("pad", (A("f32"), 2), dict(mode="mean")), ("pad", (A("f32"), 1), dict(mode="median")),
        ("pad", (A("f32"), 2), dict(mode="minimum")), ("pad", (A("f32"), 2), dict(mode="empty")),
        ("pad", (A("i32"), 1), dict(constant_values=2.7)), ("pad", (A("f32"), 1), dict(mode="bogus")),
        ("pad", (A("f32"), -1), {}), ("pad", (A("v"), (2, 3)), dict(mode="reflect", reflect_type="odd")),
        ("pad", (A("v"), 2), dict(stat_length=1, mode="mean")),
        ("diag", (A("v"),), {}), ("diag", (A("v"), 1), {}), ("diag", (A("f32"), -1), {}), ("diag", (A("t3"),), {}),
        ("diagflat", (A("f32"), 1), {}), ("diagonal", (A("t3"),), {}), ("diagonal", (A("t3"), 1, 2, 0), {}),
        ("diagonal", (A("f32"),), dict(offset=-1)), ("diagonal", (A("v"),), {}),
        ("trace", (A("t3"),), {}), ("trace", (A("f32"), 1), {}), ("trace", (A("i32"),), dict(dtype=D("float32"))),
        ("trace", (A("b"),), {}), ("trace", (A("u8"),), {}), ("trace", (A("t3"),), dict(axis1=1, axis2=2)),
        ("tril", (A("t3"), 1), {}), ("triu", (A("t3"), -1), {}), ("tril", (A("v"),), {}),
        ("fill_diagonal", (A("sq"), 5.0), dict(inplace=False)), ("fill_diagonal", (A("f32"), A("v")), dict(inplace=False)),
        ("fill_diagonal", (A("sq"), 5.0), {}), ("fill_diagonal", (A("sqi"), 2.5), dict(inplace=False)),
        ("fill_diagonal", (A("sq"), 1.0), dict(wrap=True, inplace=False)),
        ("trim_zeros", (A("v0"),), {}), ("trim_zeros", (A("v0"), "f"), {}), ("trim_zeros", (A("v0"), "b"), {}),
        ("trim_zeros", (A("f32"),), {}),
        ("ediff1d", (A("f32"),), dict(to_begin=9, to_end=[1, 2])), ("ediff1d", (A("b"),), {}),
        ("diff", (A("f32"),), dict(n=2)), ("diff", (A("f32"),), dict(axis=0)), ("diff", (A("f32"),), dict(prepend=1.0)),
        ("diff", (A("i32"),), dict(append=A("i32"), axis=0)), ("diff", (A("b"),), {}), ("diff", (A("f32"),), dict(n=0)),
        ("diff", (A("f32"),), dict(n=-1)), ("diff", (A("u8"),), {}),
        ("append", (A("f32"), A("f32")), {}), ("append", (A("f32"), A("i32"), 0), {}), ("append", (A("f32"), 1), {}),
        ("append", (A("f32"), A("v"), 1), {}), ("append", (A("i32"), 2.5), {}),
        ("delete", (A("f32"), 1), {}), ("delete", (A("f32"), [0, 2], 1), {}), ("delete", (A("f32"), slice(0, 2), 1), {}),
        ("delete", (A("f32"), A("vi")[:1] if False else -1, 0), {}), ("delete", (A("f32"), 5, 1), {}),
        ("delete", (A("f32"), [0, 0], 1), {}),
        ("insert", (A("f32"), 1, 9), {}), ("insert", (A("f32"), 1, 9.5, 1), {}), ("insert", (A("f32"), [0, 2], 7, 1), {}),
        ("insert", (A("i32"), 1, 2.7, 0), {}), ("insert", (A("f32"), slice(0, 2), [1, 2], 1), {}),
        ("insert", (A("f32"), 3, A("v")[:2] if False else [5, 6], 0), {}),
        ("compress", ([True, False, True], A("f32"), 1), {}), ("compress", ([True], A("f32")), {}),
        ("compress", (A("b")[0] if False else [1, 0], A("f32"), 0), {}),
        ("extract", (A("b"), A("f32")), {}), ("extract", (A("f32"), A("i32")), {}),
        ("place", (A("f32"), A("b"), [9.0]), dict(inplace=False)), ("place", (A("f32"), A("b"), [9.0]), {}),
        ("put", (A("f32"), [0, 5], [7, 8]), dict(inplace=False)), ("put", (A("f32"), [0, 9], [7]), dict(mode="wrap", inplace=False)),
        ("put", (A("f32"), [0, 9], [7]), dict(mode="clip", inplace=False)), ("put", (A("f32"), [0], [7]), {}),
        ("choose", (A("vi")[:2] if False else [0, 1, 1], [[1, 2, 3], [4, 5, 6]]), {}),
        ("choose", ([0, 3], [[1, 2], [4, 5]]), dict(mode="wrap")), ("choose", ([0, 3], [[1, 2], [4, 5]]), dict(mode="clip")),
        ("choose", ([0, 3], [[1, 2], [4, 5]]), {}),
        ("select", ([A("b"), ~np.array([[True, False, True], [False, False, True]])], [A("f32"), A("i32")]), {}),
        ("select", ([A("b")], [A("f32")], 5), {}), ("select", ([A("b")], [A("i32")], 2.5), {}),
        ("select", ([A("f32")], [A("f32")]), {}), ("select", ([], []), {}),
        ("piecewise", (A("f32"), [A("b")], [lambda x: x * 2, 5]), {}),
        ("piecewise", (A("i32"), [A("b")], [1.5]), {}),
        ("where", (A("b"),), {}), ("where", (A("f32"),), {}), ("where", (A("b"), 1, 2), {}), ("where", (A("b"), 1.0, 2), {}),
        ("where", (A("b"), A("f32")), {}), ("where", (A("b"),), dict(size=5, fill_value=-1)),
        ("nonzero", (A("f32"),), dict(size=5)), ("nonzero", (A("f32"),), dict(size=2, fill_value=7)),
        ("argwhere", (A("f32"),), dict(size=6)), ("flatnonzero", (A("f32"),), dict(size=6, fill_value=-1)),
        ("nonzero", (A("s0"),), {}), ("argwhere", (A("s0"),), {}),
        ("take", (A("f32"), [0, 4]), {}), ("take", (A("f32"), [0, 4], 1), {}), ("take", (A("f32"), [0, 7]), dict(mode="wrap")),
        ("take", (A("f32"), [0, 7]), dict(mode="clip")), ("take", (A("f32"), [0, 7]), {}),
        ("take", (A("f32"), [0, 7]), dict(mode="fill", fill_value=-5)), ("take", (A("i32"), [[0, 1]], 0), {}),
        ("take", (A("f32"), 1.0), {}), ("take", (A("f32"), A("vi")), dict(mode="raise")),
        ("take_along_axis", (A("f32"), A("i32") % 3 if False else np.array([[0, 2], [1, 0]]), 1), {}),
        ("take_along_axis", (A("v"), A("vi"), 0), {}), ("take_along_axis", (A("f32"), np.array([[0, 2, 1, 0]]), None), {}),
        ("take_along_axis", (A("f32"), np.array([[5, 0]]), 1), dict(mode="fill")),
        ("put_along_axis", (A("f32"), np.array([[0], [1]]), 9.0, 1), dict(inplace=False)),
        ("put_along_axis", (A("f32"), np.array([[0], [1]]), 9.0, 1), {}),
        ("put_along_axis", (A("i32"), np.array([[0], [1]]), 2.5, 1), dict(inplace=False)),
        ("ix_", ([0, 1], [2, 0, 1]), {}), ("ix_", ([True, False],), {}), ("ix_", (), {}),
        ("ix_", (A("vi"), A("b")[0] if False else [1]), {}), ("ix_", (A("f32"),), {}),
        ("ravel_multi_index", (([0, 1], [2, 1]), (2, 3)), {}), ("ravel_multi_index", (([0, 5], [2, 1]), (2, 3)), dict(mode="wrap")),
        ("ravel_multi_index", (([0, 5], [2, 1]), (2, 3)), dict(mode="clip")), ("ravel_multi_index", (([0, 1], [2, 1]), (2, 3)), dict(order="F")),
        ("ravel_multi_index", (([0, 5], [2, 1]), (2, 3)), {}),
        ("unravel_index", ([0, 4, 5], (2, 3)), {}), ("unravel_index", (7, (2, 3)), {}), ("unravel_index", (-1, (2, 3)), {}),
        ("unravel_index", (A("vi"), (2, 3)), {}), ("unravel_index", (1.0, (2, 3)), {}),
        ("searchsorted", (A("f32")[0] if False else [1.0, 2.0, 3.0], [0.5, 2.0, 5.0]), {}),
        ("searchsorted", ([1.0, 2.0, 3.0], [0.5, 2.0, 5.0]), dict(side="right")),
        ("searchsorted", ([1, 2, 3], 2.5), {}), ("searchsorted", ([3.0, 1.0, 2.0], [2.0]), dict(sorter=[1, 2, 0])),
        ("searchsorted", ([1.0, 2.0], [1.0]), dict(side="middle")),
        ("searchsorted", ([1.0, 2.0, np.nan], [np.nan, 2.0]), dict(method="sort")),
        ("searchsorted", ([1.0, 2.0, 3.0], [2.0]), dict(method="compare_all")),
        ("digitize", (A("f32"), [0.0, 1.0, 2.0]), {}), ("digitize", (A("f32"), [0.0, 1.0, 2.0], True), {}),
        ("digitize", (A("f32"), [2.0, 1.0, 0.0]), {}), ("digitize", (A("i32"), [0, 2]), {}),
        ("bincount", (A("vi"),), {}), ("bincount", (A("vi"),), dict(weights=A("v"))), ("bincount", (A("vi"),), dict(minlength=6)),
        ("bincount", (A("vi"),), dict(length=2)), ("bincount", (A("v"),), {}), ("bincount", (A("b")[0] if False else [True, False],), {}),
        ("histogram", (A("f32"),), {}), ("histogram", (A("f32"), 3), dict(range=(0, 3))),
        ("histogram", (A("f32"), [0, 1, 2]), dict(density=True)), ("histogram", (A("f32"), 3), dict(weights=A("f32"))),
        ("histogram", (A("i32"), 4), {}), ("histogram_bin_edges", (A("f32"), 4), {}), ("histogram_bin_edges", (A("i32"),), {}),
        ("histogram2d", (A("v"), A("vi"), 2), {}), ("histogram2d", (A("v"), A("vi"), [2, 3]), dict(density=True)),
        ("histogramdd", (np.array([[1.0, 2], [0.5, 3], [2, 1]], np.float32), 2), {}),
        ("lexsort", ((A("vi"), A("v")),), {}), ("lexsort", ((A("f32"), A("i32")),), dict(axis=0)), ("lexsort", ([A("vi")],), {}),
        ("lexsort", ((),), {}),
        ("sort", (A("f32"), None), {}), ("sort", (A("f32"),), dict(axis=0, descending=True)),
        ("sort", (A("nan"),), dict(stable=False)), ("sort", (A("c64"),), {}),
        ("argsort", (A("nan"),), {}), ("argsort", (A("f32"),), dict(axis=None)), ("argsort", (A("vi"),), dict(descending=True)),
        ("argsort", (np.array([1, 1, 0, 1], np.int32),), dict(descending=True, stable=True)),
        ("partition", (A("v"), 2), {}), ("partition", (A("f32"), 1, 0), {}), ("argpartition", (A("v"), 2), {}),
        ("partition", (A("v"), 5), {}), ("argpartition", (A("f32"), 1), dict(axis=0)),
        ("sort_complex", (A("vi"),), {}), ("sort_complex", (A("c64"),), {}), ("sort_complex", (A("f16"),), {}),
        ("unique", (A("f32"),), dict(return_index=True, return_inverse=True, return_counts=True)),
        ("unique", (A("nan"),), dict(equal_nan=False)), ("unique", (A("nan"),), {}),
        ("unique", (A("f32"),), dict(axis=0)), ("unique", (A("v0"),), dict(size=6, fill_value=-1)),
        ("unique", (A("v0"),), dict(size=2)), ("unique", (A("v0"),), dict(sorted=False)),
        ("unique", (A("f32"),), dict(return_inverse=True)), ("unique", (A("f32"),), dict(return_inverse=True, axis=1)),
        ("unique_inverse", (A("f32"),), {}), ("unique_all", (A("v0"),), {}), ("unique_counts", (A("v0"),), {}),
        ("intersect1d", (A("v0"), A("vi")), {}), ("intersect1d", (A("v0"), A("vi")), dict(return_indices=True)),
        ("intersect1d", (A("v0"), A("vi")), dict(assume_unique=True)), ("intersect1d", (A("v"), A("vi")), {}),
        ("intersect1d", (A("v0"), A("vi")), dict(size=5, fill_value=-1)),
        ("union1d", (A("v0"), A("vi")), {}), ("union1d", (A("v"), A("vi")), dict(size=7)),
        ("setdiff1d", (A("v0"), A("vi")), {}), ("setdiff1d", (A("vi"), A("v0")), dict(size=3, fill_value=9)),
        ("setdiff1d", (A("vi"), A("v0")), dict(assume_unique=True)),
        ("setxor1d", (A("v0"), A("vi")), {}), ("setxor1d", (A("v0"), A("vi")), dict(size=4)),
        ("setxor1d", (A("v"), A("vi")), {}),
        ("isin", (A("v0"), A("vi")), {}), ("isin", (A("f32"), [1.5, 3]), dict(invert=True)), ("isin", (2, [1, 2]), {}),
        ("isin", (A("f32"), [1.5]), dict(assume_unique=True, method="sort")), ("isin", (A("f32"), [1.5]), dict(method="compare_all")),
        ("packbits", (A("b"),), dict(axis=1)), ("packbits", (A("u8"),), dict(bitorder="little")),
        ("packbits", (A("i32"),), {}), ("packbits", (A("f32"),), {}),
        ("unpackbits", (A("u8"),), dict(axis=1)), ("unpackbits", (A("u8"),), dict(count=5)),
        ("unpackbits", (A("u8"),), dict(count=-3, bitorder="little")), ("unpackbits", (A("i32"),), {}),
    ]:
        add(f, *args, **kw)

    # linear algebra-ish and polynomials
    for f, args, kw in [
        ("dot", (A("f32"), A("v")[:3] if False else [1.0, 2.0, 3.0]), {}), ("dot", (A("i32"), A("sqi")), {}),
        ("dot", (A("f32"), 2), {}), ("dot", (A("b"), A("b")[0] if False else [True, True, False]), {}),
        ("dot", (A("f32"), A("i32")), {}), ("dot", (A("c64"), [1, 2, 3]), {}), ("dot", (A("f16"), [1, 2, 3]), {}),
        ("dot", (A("i32"), A("sq")), dict(preferred_element_type=D("float32"))),
        ("matmul", (A("f32"), A("sq")), {}), ("matmul", (A("i32"), A("sqi")), {}), ("matmul", (A("v"), A("v")), {}),
        ("matmul", (A("f32"), 2), {}), ("matmul", (A("t3"), np.ones((4, 2), np.float32)), {}),
        ("matmul", (A("b"), A("b").T if False else np.ones((3, 2), bool)), {}), ("matmul", (A("f32"), A("f32")), {}),
        ("matmul", (A("u8"), np.ones((3, 2), np.int8)), {}),
        ("vdot", (A("c64"), A("c64")), {}), ("vdot", (A("f32"), A("i32")), {}), ("vdot", (A("v"), A("v0")), {}),
        ("vecdot", (A("c64"), A("c64")), {}), ("vecdot", (A("f32"), A("i32")), dict(axis=0)), ("vecdot", (A("f32"), A("v")), {}),
        ("matvec", (A("f32"), [1.0, 2.0, 3.0]), {}), ("matvec", (A("sqi"), A("sq")[0] if False else [1, 2, 3]), {}),
        ("vecmat", ([1.0, 2.0], A("f32")), {}), ("vecmat", ([1j, 2.0], A("c64")), {}),
        ("inner", (A("f32"), A("i32")), {}), ("inner", (A("v"), 2), {}), ("inner", (A("f32"), A("v")), {}),
        ("outer", (A("f32"), A("vi")), {}), ("outer", (A("v"), 2), {}), ("outer", (A("b"), A("b")), {}),
        ("kron", (A("f32"), A("sqi")), {}), ("kron", (A("v"), 2), {}), ("kron", (A("b"), A("b")), {}),
        ("tensordot", (A("t3"), np.ones((4, 2), np.float32)), dict(axes=1)), ("tensordot", (A("f32"), A("f32")), dict(axes=2)),
        ("tensordot", (A("t3"), A("f32")), dict(axes=([0, 1], [0, 1]))), ("tensordot", (A("f32"), A("i32")), dict(axes=0)),
        ("tensordot", (A("f32"), A("f32")), dict(axes=3)),
        ("einsum", ("ij,jk->ik", A("f32"), A("sq")), {}), ("einsum", ("ii", A("sq")), {}), ("einsum", ("ij->", A("i32")), {}),
        ("einsum", ("ij,ij->i", A("f32"), A("i32")), {}), ("einsum", ("...j,j", A("t3"), [1.0, 2, 3, 4]), {}),
        ("einsum", ("i,j", A("v"), A("vi")), {}), ("einsum", ("ij", A("b")), {}), ("einsum", ("ij,jk", A("f32"), A("f32")), {}),
        ("einsum", ("ij->ji", A("f32")), {}), ("einsum", ("ij,jk->ik", A("i32"), A("sqi")), dict(preferred_element_type=D("float32"))),
        ("einsum", (A("f32"), [0, 1], A("sq"), [1, 2]), {}),
        ("cross", ([1.0, 2, 3], [4, 5, 6]), {}), ("cross", ([1, 2], [4, 5]), {}), ("cross", (A("f32"), A("i32")), {}),
        ("cross", ([[1, 2, 3]], [[4, 5]]), {}), ("cross", (A("f32"), A("f32")), dict(axis=0)), ("cross", ([1, 2, 3, 4], [1, 2, 3, 4]), {}),
        ("convolve", (A("v"), [1.0, 2.0]), {}), ("convolve", (A("vi"), [1, 2]), dict(mode="same")),
        ("convolve", (A("v"), [1.0, 2.0, 3.0]), dict(mode="valid")), ("convolve", ([1j, 2], [1, 2]), {}),
        ("convolve", (A("v"), []), {}), ("convolve", (A("b")[0] if False else [True, False], [True]), {}),
        ("correlate", (A("v"), [1.0, 2.0]), {}), ("correlate", ([1j, 2, 3], [1, 1j]), dict(mode="full")),
        ("correlate", (A("vi"), [1, 2, 3]), dict(mode="same")), ("convolve", (A("v"), [1.0]), dict(mode="bogus")),
        ("polyval", ([1, 2, 3], A("f32")), {}), ("polyval", ([1.0, 2], 2), {}), ("polyval", (A("vi"), A("vi")), {}),
        ("polyadd", ([1, 2], [1.0, 2, 3]), {}), ("polysub", ([1, 2], [1, 2, 3]), {}), ("polymul", ([1, 2], [1, 2, 3]), {}),
        ("polymul", ([1.0, 2], [3j]), {}), ("polydiv", ([1.0, 2, 3], [1.0, 1]), {}), ("polydiv", ([1, 2, 3], [2, 1]), {}),
        ("polyder", ([1, 2, 3, 4],), {}), ("polyder", ([1.0, 2, 3, 4], 2), {}), ("polyder", ([1, 2], 5), {}),
        ("polyint", ([1, 2, 3],), {}), ("polyint", ([1.0, 2, 3], 2, [1, 2]), {}), ("polyint", ([1, 2], 1, 3.0), {}),
        ("poly", ([1.0, 2.0],), {}), ("poly", ([1, 2],), {}), ("poly", (A("sq"),), {}), ("poly", ([],), {}),
        ("roots", ([1.0, -3, 2],), {}), ("roots", ([0.0, 1, -3, 2],), dict(strip_zeros=True)), ("roots", ([1, 0, 1],), {}),
        ("polyfit", ([0.0, 1, 2, 3], [1.0, 3, 5, 7], 1), {}), ("polyfit", ([0, 1, 2, 3], [1, 3, 5, 8], 2), dict(full=True)),
        ("polyfit", ([0.0, 1, 2, 3], [1.0, 3, 5, 8], 1), dict(w=[1, 2, 1, 1])),
        ("polyfit", ([0.0, 1, 2, 3], [1.0, 3, 5, 8], 1), dict(cov=True)),
        ("interp", ([0.5, 1.5, 5.0], [0, 1, 2], [1.0, 3, 2]), {}), ("interp", ([0.5, 1.5, 5.0], [0, 1, 2], [1, 3, 2]), dict(right=-1)),
        ("interp", (A("f32"), [0, 1, 2], [1j, 3, 2]), {}), ("interp", ([7.0], [0, 1, 2], [1, 3, 2]), dict(period=2)),
        ("interp", ([0.5], [0, 1], [1, 3]), dict(left="extrapolate")),
        ("trapezoid", (A("f32"),), {}), ("trapezoid", (A("f32"),), dict(dx=0.5, axis=0)), ("trapezoid", (A("i32"),), {}),
        ("trapezoid", (A("f32"), [0, 1, 3]), {}), ("trapezoid", (A("b"),), {}),
        ("gradient", (A("f32"),), {}), ("gradient", (A("v"), 2.0), {}), ("gradient", (A("i32"),), dict(axis=1)),
        ("gradient", (A("v"), A("v")), {}), ("gradient", (A("f32"), 1.0, 2.0), {}), ("gradient", (A("v"),), dict(edge_order=2)),
        ("unwrap", ([0.0, 3.0, 6.5, 0.5],), {}), ("unwrap", ([0, 3, 6, 1],), {}), ("unwrap", ([0.0, 3, 6.5],), dict(period=4)),
        ("unwrap", (A("f32"),), dict(axis=0, discont=1.0)),
        ("corrcoef", (A("f32"),), {}), ("corrcoef", (A("v"), A("vi")), {}), ("corrcoef", (A("f32"),), dict(rowvar=False)),
        ("cov", (A("f32"),), {}), ("cov", (A("i32"),), dict(ddof=0)), ("cov", (A("v"), A("vi")), {}),
        ("cov", (A("f32"),), dict(fweights=[1, 2, 1], aweights=[0.5, 1, 1])), ("cov", (A("f32"),), dict(bias=True, rowvar=False)),
        ("cov", (A("c64"),), {}),
        ("apply_along_axis", (lambda x: x.sum(), 0, A("f32")), {}), ("apply_along_axis", (lambda x: x * 2, 1, A("i32")), {}),
        ("apply_over_axes", (lambda a, ax: a.sum(ax), A("t3"), [0, 2]), {}),
        ("frexp", (A("f32"),), {}), ("modf", (A("nan"),), {}), ("divmod", (A("i32"), 0), {}), ("floor_divide", (A("i32"), 0), {}),
        ("remainder", (A("i32"), 0), {}), ("fmod", (A("i32"), 0), {}), ("power", (A("i32"), -1), {}), ("power", (2, A("i32")), {}),
        ("power", (0, A("i32")), {}), ("power", (A("i8"), 9), {}), ("gcd", (A("i32"), 0), {}), ("lcm", (A("i8"), 100), {}),
        ("ldexp", (A("f32"), 200), {}), ("ldexp", (A("f16"), A("i32")), {}), ("ldexp", (A("i32"), A("i32")), {}),
        ("round", (A("f32"), 1), {}), ("round", (A("i32"), -1), {}), ("round", (np.array([0.5, 1.5, 2.5, -0.5], np.float32),), {}),
        ("round", (A("c64"), 1), {}), ("around", (1234, -2), {}), ("round", (A("u8"), -1), {}),
        ("clip", (A("f32"), 0, 1), {}), ("clip", (A("i32"), 0.5, 2), {}), ("clip", (A("f32"),), dict(min=0)),
        ("clip", (A("f32"), None, None), {}), ("clip", (A("f32"),), dict(max=A("f32")[0] if False else 1)),
        ("clip", (A("u8"), -1, 300), {}), ("clip", (A("c64"), 0, 1), {}), ("clip", (A("f32"), 2, 1), {}),
        ("clip", (2, 0, 1), {}), ("clip", (A("b"), 0, 1), {}),
        ("nan_to_num", (A("nan"),), dict(nan=7.0)), ("nan_to_num", (np.array([np.inf, -np.inf, np.nan], np.float16),), {}),
        ("nan_to_num", (np.array([np.inf, -np.inf, np.nan], np.float32),), dict(posinf=1.0, neginf=2)),
        ("nan_to_num", (A("i32"),), dict(nan=2.5)),
        ("isclose", (A("f32"), A("f32") if False else 1.5), dict(rtol=0, atol=0.1)), ("isclose", (A("nan"), A("nan")), dict(equal_nan=True)),
        ("isclose", (A("i32"), A("i32")), {}), ("isclose", ([np.inf], [np.inf]), {}), ("allclose", (A("nan"), A("nan")), dict(equal_nan=True)),
        ("array_equal", (A("nan"), A("nan")), dict(equal_nan=True)), ("array_equal", (A("f32"), A("v")), {}),
        ("array_equal", (A("f32"), [1, 2]), {}), ("array_equiv", (A("v"), [[3, 1, 2, 0.5]]), {}),
        ("heaviside", (A("f32"), 0.5), {}), ("sinc", (np.array([0.0, 1e-20, 0.5], np.float32),), {}),
        ("spacing", (np.array([1.0, 0.0, -1.0, np.inf], np.float32),), {}),
        ("nextafter", (np.array([1.0, 0.0, -1.0], np.float32), np.array([2, -1, np.nan], np.float32)), {}),
        ("copysign", (A("i32"), -1), {}), ("float_power", (A("i32"), 2), {}), ("float_power", (A("c64"), 2), {}),
        ("astype", (A("f32"), D("int32")), {}), ("astype", (A("f32"), D("uint8")), {}), ("astype", (A("nan"), D("int32")), {}),
        ("astype", (A("c64"), D("float32")), {}), ("astype", (A("f32"), D("bool")), {}), ("astype", (A("i32"), "float16"), {}),
        ("astype", (A("f32"), float), {}), ("astype", (2, D("float32")), {}), ("astype", (A("f32"), D("complex64")), {}),
        ("astype", (A("u8"), D("int8")), {}), ("astype", (A("f32"), D("int8")), {}),
        ("i0", (np.array([0.0, 1.0, -30.0, 100.0], np.float32),), {}),
        ("angle", (A("c64"),), dict(deg=True)), ("angle", (A("i32"),), {}), ("angle", (2,), {}),
    ]:
        add(f, *args, **kw)

    # dtype helpers / predicates
    for f, args, kw in [
        ("result_type", (D("float32"), 1), {}), ("result_type", (1, 2.0), {}), ("result_type", (D("int8"), D("uint8")), {}),
        ("result_type", (D("bfloat16"), D("float16")), {}), ("result_type", (A("i32"), 1.0), {}), ("result_type", (A("b"), 1), {}),
        ("result_type", (D("int64"),), {}), ("result_type", (D("uint32"), D("int32")), {}), ("result_type", (D("uint64"), D("int8")), {}),
        ("result_type", (1j,), {}), ("result_type", (), {}), ("result_type", ("float32", "int16"), {}),
        ("result_type", (np.float64,), {}), ("result_type", (float,), {}), ("result_type", (int, D("int8")), {}),
        ("promote_types", (D("int8"), D("uint8")), {}), ("promote_types", (D("float16"), D("bfloat16")), {}),
        ("promote_types", ("int32", "float16"), {}), ("promote_types", (D("uint64"), D("int64")), {}),
        ("promote_types", (int, float), {}), ("promote_types", (D("bool"), D("complex64")), {}),
        ("can_cast", (D("int32"), D("float32")), {}), ("can_cast", (D("float32"), D("int32")), {}),
        ("can_cast", (D("int32"), D("int16")), dict(casting="same_kind")), ("can_cast", (A("f32"), D("float16")), {}),
        ("can_cast", (D("float64"), D("float32")), dict(casting="unsafe")), ("can_cast", (1, D("int8")), {}),
        ("issubdtype", (D("float32"), D("floating")), {}), ("issubdtype", (D("int8"), D("signedinteger")), {}),
        ("issubdtype", (D("bfloat16"), D("floating")), {}), ("issubdtype", (D("bfloat16"), D("inexact")), {}),
        ("issubdtype", ("float32", D("number")), {}), ("issubdtype", (D("bool"), D("integer")), {}),
        ("issubdtype", (D("uint8"), D("integer")), {}), ("issubdtype", (float, D("floating")), {}),
        ("issubdtype", (D("complex64"), D("complexfloating")), {}), ("issubdtype", (D("float32"), D("float64")), {}),
        ("isdtype", (D("float32"), "real floating"), {}), ("isdtype", (D("int8"), ("integral", "bool")), {}),
        ("isdtype", (D("bfloat16"), "real floating"), {}), ("isdtype", (D("uint8"), "unsigned integer"), {}),
        ("isdtype", (D("complex64"), "numeric"), {}), ("isdtype", (D("bool"), "numeric"), {}),
        ("isdtype", (D("float32"), D("float32")), {}), ("isdtype", (D("float32"), "bogus"), {}),
        ("finfo", (D("float32"),), {}), ("finfo", (D("bfloat16"),), {}), ("iinfo", (D("int8"),), {}), ("iinfo", (D("uint32"),), {}),
        ("finfo", (D("int32"),), {}), ("iinfo", (D("float32"),), {}),
        ("isscalar", (A("s0"),), {}), ("isscalar", (2,), {}), ("isscalar", (A("v"),), {}), ("isscalar", ("a",), {}),
        ("isscalar", (np.float32(1),), {}), ("isscalar", ([1],), {}),
        ("iscomplexobj", (1j,), {}), ("isrealobj", ([1, 2],), {}), ("iterable", (A("s0"),), {}), ("iterable", ([1],), {}),
        ("ndim", ([[1, 2]],), {}), ("shape", ([[1, 2]],), {}), ("size", ([[1, 2]],), {}), ("size", (A("t3"), 1), {}),
        ("size", (A("t3"),), dict(axis=(0, 2))),
        ("dtype", ("float32",), {}), ("dtype", (D("bfloat16"),), {}), ("dtype", (float,), {}),
        ("bool_", (1,), {}), ("float32", (A("i32"),), {}), ("float32", (2,), {}), ("int8", (300,), {}), ("int8", (A("f32"),), {}),
        ("uint8", (-1,), {}), ("complex64", (1,), {}), ("bfloat16", (1.5,), {}), ("float16", ([1, 2],), {}),
        ("int32", (2.7,), {}), ("int32", (A("nan"),), {}), ("float64", (1,), {}), ("int64", (1,), {}),
        ("float_", (1,), {}), ("int_", (1.5,), {}), ("uint", (3,), {}), ("double", (1,), {}), ("single", (1,), {}),
        ("complex_", (1,), {}), ("complex128", (1j,), {}), ("bool", (0,), {}), ("uint16", (A("b"),), {}),
        ("uint32", (A("f32"),), {}), ("uint64", (7,), {}), ("int16", (A("c64"),), {}),
    ]:
        add(f, *args, **kw)
    return cases


# ----------------------------------------------------------------------------------------------
# running one side


def _base_exc(e):
    for k in type(e).__mro__:
        if k.__module__ == "builtins":
            return k.__name__
    return type(e).__name__


def record(x, depth=0):
    """A picklable description of a result: structure, and per array leaf dtype/weak/shape/values."""
    if depth > 6:
        return ("other", repr(type(x)))
    if isinstance(x, tuple) and hasattr(x, "_fields"):
        return ("namedtuple", tuple(x._fields), [record(y, depth + 1) for y in x])
    if isinstance(x, (tuple, list)):
        return (type(x).__name__, [record(y, depth + 1) for y in x])
    if isinstance(x, dict):
        return ("dict", {k: record(v, depth + 1) for k, v in x.items()})
    if isinstance(x, (bool, int, float, complex)):
        return ("py", type(x).__name__, x)
    if isinstance(x, str):
        return ("str", x)
    dt = getattr(x, "dtype", None)
    if dt is not None and hasattr(x, "shape") and not isinstance(x, type):
        try:
            val = np.asarray(x)
        except Exception as e:  # noqa: BLE001
            return ("arr", str(dt), getattr(x, "weak_type", None), tuple(x.shape), ("unreadable", type(e).__name__))
        kind = "np" if isinstance(x, (np.ndarray, np.generic)) else "arr"
        return (kind, str(np.dtype(dt)) if str(dt) != "bfloat16" else "bfloat16", getattr(x, "weak_type", None),
                tuple(x.shape), val.astype(np.float32) if str(dt) == "bfloat16" else val)
    if isinstance(x, np.dtype):
        return ("dtype", str(x))
    if isinstance(x, type):
        return ("type", getattr(x, "__name__", repr(x)))
    if type(x).__name__ in ("finfo", "iinfo", "_finfo"):
        return ("info", {k: str(getattr(x, k, None)) for k in ("bits", "eps", "max", "min", "tiny", "dtype")})
    return ("other", type(x).__name__)


def run(side, out, every=1):
    if side == "jax":
        import jax.numpy as jnp
    else:
        import jaxish.numpy as jnp
    warnings.simplefilter("ignore")
    cache = {}
    results = {}
    for i, (name, args, kw) in enumerate(battery()):
        if i % every:
            continue
        key = (i, name, _describe(args, kw))
        try:
            fn = getattr(jnp, name)
            a = resolve(jnp, args, cache)
            k = resolve(jnp, kw, cache)
            if name in ("empty", "empty_like") or (name == "pad" and kw.get("mode") == "empty"):
                r = fn(*a, **k)
                results[key] = ("ok", _shape_only(record(r)))
                continue
            results[key] = ("ok", record(fn(*a, **k)))
        except Exception as e:  # noqa: BLE001
            results[key] = ("exc", _base_exc(e), f"{type(e).__name__}: {str(e)[:200]}")
    with open(out, "wb") as f:
        pickle.dump(results, f)
    print(f"{side}: {len(results)} calls")


def _shape_only(rec):
    if rec[0] in ("arr", "np"):
        return rec[:4] + (None,)
    return rec


def _describe(args, kw):
    def d(x):
        if isinstance(x, A):
            return x.name
        if isinstance(x, D):
            return "jnp." + x.name
        if isinstance(x, np.ndarray):
            return f"np{list(x.shape)}{x.dtype}"
        if callable(x):
            return "<fn>"
        if isinstance(x, (list, tuple)):
            s = ", ".join(d(y) for y in x)
            return f"[{s}]" if isinstance(x, list) else f"({s})"
        return repr(x)
    return ", ".join([d(a) for a in args] + [f"{k}={d(v)}" for k, v in kw.items()])


# ----------------------------------------------------------------------------------------------
# comparing


def _tol(dtype):
    return {"float16": 2e-3, "bfloat16": 1.6e-2, "float32": 2e-5, "complex64": 2e-5}.get(dtype, 1e-11)


def diff(a, b):
    """None when two records agree, else (category, detail)."""
    if a[0] != b[0]:
        if {a[0], b[0]} <= {"arr", "np"}:
            return ("container", f"{a[0]} vs {b[0]}")
        if {a[0], b[0]} <= {"list", "tuple", "namedtuple"}:
            return ("container", f"{a[0]} vs {b[0]}")
        return ("structure", f"{a[0]} vs {b[0]}")
    k = a[0]
    if k in ("list", "tuple", "namedtuple"):
        la, lb = a[-1], b[-1]
        if k == "namedtuple" and a[1] != b[1]:
            return ("structure", f"fields {a[1]} vs {b[1]}")
        if len(la) != len(lb):
            return ("structure", f"len {len(la)} vs {len(lb)}")
        for x, y in zip(la, lb):
            r = diff(x, y)
            if r:
                return r
        return None
    if k == "dict":
        if a[1].keys() != b[1].keys():
            return ("structure", "dict keys")
        for kk in a[1]:
            r = diff(a[1][kk], b[1][kk])
            if r:
                return r
        return None
    if k in ("arr", "np"):
        _, da, wa, sa, va = a
        _, db, wb, sb, vb = b
        if da != db:
            return ("dtype", f"{da} vs {db}")
        if sa != sb:
            return ("shape", f"{sa} vs {sb}")
        if wa != wb and k == "arr":
            return ("weak_type", f"{wa} vs {wb}")
        if va is None or vb is None:
            return None
        if isinstance(va, tuple) or isinstance(vb, tuple):
            return ("value", f"unreadable {va} vs {vb}")
        if va.dtype.kind in "fc":
            t = _tol(da)
            ok = np.allclose(va.astype(np.complex128), vb.astype(np.complex128), rtol=t, atol=t, equal_nan=True)
            if ok:
                # also check infinities of matching sign
                ok = np.array_equal(np.isinf(va), np.isinf(vb))
        else:
            ok = np.array_equal(va, vb)
        if not ok:
            fmt = lambda v: np.array2string(v.ravel()[:8], precision=5, max_line_width=10**6)
            return ("value", f"{fmt(va)} vs {fmt(vb)}")
        return None
    if k == "py":
        if a[1] != b[1]:
            return ("dtype", f"py {a[1]} vs {b[1]}")
        if a[2] != b[2] and not (a[2] != a[2] and b[2] != b[2]):
            if isinstance(a[2], float) and abs(a[2] - b[2]) <= 1e-6 * max(1, abs(a[2])):
                return None
            return ("value", f"{a[2]!r} vs {b[2]!r}")
        return None
    if a != b:
        return ("value", f"{a} vs {b}"[:200])
    return None


def compare(fa, fb, show=True):
    ra, rb = pickle.load(open(fa, "rb")), pickle.load(open(fb, "rb"))
    cats = collections.Counter()
    lines = []
    for key in ra:
        a, b = ra[key], rb.get(key)
        if b is None:
            cats["missing"] += 1
            continue
        if a[0] == "exc" and b[0] == "exc":
            if a[1] != b[1]:
                cats["error type"] += 1
                lines.append(("error type", key, f"jax {a[2]} | jaxish {b[2]}"))
            continue
        if a[0] == "exc":
            cats["jax raises, jaxish returns"] += 1
            lines.append(("jax raises, jaxish returns", key, a[2]))
            continue
        if b[0] == "exc":
            cats["jaxish raises"] += 1
            lines.append(("jaxish raises", key, b[2]))
            continue
        r = diff(a[1], b[1])
        if r:
            cats[r[0]] += 1
            lines.append((r[0], key, r[1]))
    if show:
        for cat, key, detail in sorted(lines, key=lambda t: (t[0], t[1][1], t[1][0])):
            print(f"[{cat}] {key[1]}({key[2]}): {detail}")
    print(f"{len(ra)} calls compared; {sum(cats.values())} mismatches: {dict(cats)}")
    return lines


if __name__ == "__main__":
    if sys.argv[1] == "run":
        run(sys.argv[2], sys.argv[3], int(sys.argv[4]) if len(sys.argv) > 4 else 1)
    elif sys.argv[1] == "compare":
        compare(sys.argv[2], sys.argv[3])
    else:
        sys.exit(__doc__)
