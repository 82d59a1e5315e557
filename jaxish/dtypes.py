"""JAX's dtype rules: the type-promotion lattice, weak types, x64 canonicalization, torch mapping."""
import functools

import numpy as np
import ml_dtypes
import torch

from .config import config

bool_ = np.dtype(np.bool_)
# the tangent dtype of integer and boolean values (JAX's float0: zero bits per element)
float0 = np.dtype([("float0", np.void, 0)])
int8, int16, int32, int64 = (np.dtype(t) for t in (np.int8, np.int16, np.int32, np.int64))
uint8, uint16, uint32, uint64 = (np.dtype(t) for t in (np.uint8, np.uint16, np.uint32, np.uint64))
float16, float32, float64 = (np.dtype(t) for t in (np.float16, np.float32, np.float64))
bfloat16 = np.dtype(ml_dtypes.bfloat16)
complex64, complex128 = np.dtype(np.complex64), np.dtype(np.complex128)

_NP_TO_TORCH = {
    bool_: torch.bool, int8: torch.int8, int16: torch.int16, int32: torch.int32, int64: torch.int64,
    uint8: torch.uint8, uint16: torch.uint16, uint32: torch.uint32, uint64: torch.uint64,
    float16: torch.float16, bfloat16: torch.bfloat16, float32: torch.float32, float64: torch.float64,
    complex64: torch.complex64, complex128: torch.complex128,
}
_TORCH_TO_NP = {v: k for k, v in _NP_TO_TORCH.items()}
SUPPORTED = frozenset(_NP_TO_TORCH)

# Unsigned types wider than 8 bits have few torch kernels; eager impls compute them in int64.
TORCH_WIDE_UNSIGNED = (torch.uint16, torch.uint32, torch.uint64)


def to_torch_dtype(dtype):
    return _NP_TO_TORCH[np.dtype(dtype)]


def from_torch_dtype(tdtype):
    return _TORCH_TO_NP[tdtype]


_X64_OFF = {int64: int32, uint64: uint32, float64: float32, complex128: complex64}


def canonicalize(dtype):
    """The dtype an array of `dtype` gets under the current x64 setting."""
    dtype = np.dtype(dtype)
    if not config._values["jax_enable_x64"]:
        return _X64_OFF.get(dtype, dtype)
    return dtype


def check_dtype(dtype, argname="dtype"):
    """Resolve a user-given dtype (np dtype, scalar type, string, Python type) or raise TypeError."""
    if dtype is None:
        return None
    d = getattr(dtype, "dtype", None)
    if isinstance(d, np.dtype) and not isinstance(dtype, np.ndarray):
        dtype = d
    elif dtype is int:
        return default_int()
    elif dtype is float:
        return default_float()
    elif dtype is bool:
        return bool_
    elif dtype is complex:
        return default_complex()
    elif isinstance(dtype, torch.dtype):
        if dtype not in _TORCH_TO_NP:
            raise TypeError(f"{argname}: unsupported torch dtype {dtype}")
        dtype = _TORCH_TO_NP[dtype]
    try:
        dt = np.dtype(dtype)
    except TypeError:
        raise TypeError(f"{argname}: {dtype!r} is not a valid dtype") from None
    if dt not in SUPPORTED:
        raise TypeError(f"{argname}: dtype {dt} is not supported by jaxish")
    return dt


def default_int():
    return int64 if config._values["jax_enable_x64"] else int32


def default_uint():
    return uint64 if config._values["jax_enable_x64"] else uint32


def default_float():
    return float64 if config._values["jax_enable_x64"] else float32


def default_complex():
    return complex128 if config._values["jax_enable_x64"] else complex64


def to_inexact(dtype):
    """JAX's to_inexact_dtype: bool and ints up to 32 bits -> float32, 64-bit ints -> float64
    (canonicalized), inexact dtypes unchanged."""
    dtype = np.dtype(dtype)
    if dtype.kind in "biu":
        return canonicalize(float64 if dtype.itemsize == 8 else float32)
    return dtype


def is_float(dtype):
    return np.dtype(dtype).kind == "f" or np.dtype(dtype) == bfloat16


def is_int(dtype):
    return np.dtype(dtype).kind in "iu"


def is_unsigned(dtype):
    return np.dtype(dtype).kind == "u"


def is_complex(dtype):
    return np.dtype(dtype).kind == "c"


def is_inexact(dtype):
    return is_float(dtype) or is_complex(dtype)


def issubdtype(a, b):
    """np.issubdtype that knows bfloat16 is floating, and typed-key dtypes (key<fry>) are
    prng_key and extended."""
    if type(a).__name__ == "KeyTy":
        return b in (prng_key, extended) or a == b
    if isinstance(b, type) and issubclass(b, extended):
        return False
    if not (isinstance(a, type) and issubclass(a, np.generic)):
        a = getattr(a, "dtype", a)
    a = np.dtype(a)
    if a == bfloat16:
        return b in (np.floating, np.inexact, np.number, np.generic) or (
            not isinstance(b, type) and np.dtype(getattr(b, "dtype", b)) == bfloat16)
    if not (isinstance(b, type) and issubclass(b, np.generic)):
        b = getattr(b, "dtype", b)
    return np.issubdtype(a, b)


class extended(np.generic):
    """The category of JAX's extended dtypes (jax.dtypes.extended): typed PRNG keys here."""


class prng_key(extended):
    """The category of typed PRNG key dtypes (jax.dtypes.prng_key)."""


def canonicalize_dtype(dtype, allow_extended_dtype=False):
    """jax.dtypes.canonicalize_dtype: the dtype arrays get under the current x64 setting
    (float64 -> float32 and int64 -> int32 without x64)."""
    return canonicalize(check_dtype(dtype))


def itemsize_bits(dtype):
    """The width of `dtype` in bits (bool counts 8, as JAX)."""
    return check_dtype(dtype).itemsize * 8


def scalar_type_of(x):
    """The Python scalar type (bool, int, float or complex) of x's dtype."""
    dt = getattr(x, "dtype", None)
    if dt is None:
        dt = np.asarray(x).dtype
    dt = np.dtype(dt)
    if dt == bool_:
        return bool
    if dt.kind in "iu":
        return int
    if dt.kind == "f" or dt == bfloat16:
        return float
    if dt.kind == "c":
        return complex
    raise TypeError(f"Value {x!r} with dtype {dt} is not a valid JAX array type. Only arrays of numeric "
                    "types are supported by JAX.")


def finfo(dtype):
    return ml_dtypes.finfo(np.dtype(getattr(dtype, "dtype", dtype)))


def iinfo(dtype):
    return np.iinfo(np.dtype(getattr(dtype, "dtype", dtype)))


# ---- the promotion lattice (JAX's, from its type-promotion design note) ----
_WEAK_INT, _WEAK_FLOAT, _WEAK_COMPLEX = "i*", "f*", "c*"
_EDGES = {
    bool_: [_WEAK_INT],
    _WEAK_INT: [uint8, int8],
    uint8: [int16, uint16], uint16: [int32, uint32], uint32: [int64, uint64], uint64: [_WEAK_FLOAT],
    int8: [int16], int16: [int32], int32: [int64], int64: [_WEAK_FLOAT],
    _WEAK_FLOAT: [bfloat16, float16, _WEAK_COMPLEX],
    bfloat16: [float32], float16: [float32], float32: [float64, complex64], float64: [complex128],
    _WEAK_COMPLEX: [complex64], complex64: [complex128], complex128: [],
}


# Without x64 JAX avoids forming 64-bit types from 32-bit inputs: uint32 joins int32 at int32.
_EDGES_X32 = {**_EDGES, uint32: [int32, uint64]}


def _upper_bounds(edges):
    ub = {}

    def visit(n):
        if n in ub:
            return ub[n]
        s = {n}
        for m in edges[n]:
            s |= visit(m)
        ub[n] = frozenset(s)
        return ub[n]

    for n in edges:
        visit(n)
    return ub


_UB_X64 = _upper_bounds(_EDGES)
_UB_X32 = _upper_bounds(_EDGES_X32)

# jax_numpy_dtype_promotion='strict': only Python scalars (weak types) join other types, and
# only upward within their kind or to the next weak kind; two different strong dtypes never do.
_STRONG = [n for n in _EDGES if not isinstance(n, str)]
_EDGES_STRICT = {**{n: [] for n in _STRONG},
                 _WEAK_INT: [_WEAK_FLOAT] + [n for n in _STRONG if n.kind in "iu"],
                 _WEAK_FLOAT: [_WEAK_COMPLEX] + [n for n in _STRONG if n.kind == "f" or n == bfloat16],
                 _WEAK_COMPLEX: [n for n in _STRONG if n.kind == "c"]}
_UB_STRICT = _upper_bounds(_EDGES_STRICT)


class TypePromotionError(ValueError):
    """Two dtypes with no implicit promotion path (jax.dtypes.TypePromotionError)."""


def _node(dtype, weak):
    if weak:
        k = dtype.kind
        if k in "iu":
            return _WEAK_INT
        if k == "f" or dtype == bfloat16:
            return _WEAK_FLOAT
        if k == "c":
            return _WEAK_COMPLEX
    return dtype


@functools.lru_cache(maxsize=4096)
def _join(a, b, x64=False, strict=False):
    ub = _UB_STRICT if strict else _UB_X64 if x64 else _UB_X32
    common = ub[a] & ub[b]
    for c in common:
        if common <= ub[c]:
            return c
    if strict:
        raise TypePromotionError(
            f"Input dtypes {(str(a), str(b))} have no available implicit dtype promotion path when "
            "jax_numpy_dtype_promotion=strict. Try explicitly casting inputs to the desired output type, "
            "or set jax_numpy_dtype_promotion=standard.")
    raise TypePromotionError(f"Input dtypes {(str(a), str(b))} have no available implicit dtype promotion "
                             "path. Try explicitly casting inputs to the desired output type.")


def _strict():
    return config._values["jax_numpy_dtype_promotion"] == "strict"


def lattice_promote(a, b):
    """jnp.promote_types: the join of two strong dtypes, not canonicalized (as JAX; a weak
    float/int/complex result reads as float64/int64/complex128)."""
    def as_node(t):
        return t if isinstance(t, str) else np.dtype(t)   # the weak kinds are named nodes ("f*", ...)
    node = _join(as_node(a), as_node(b), config._values["jax_enable_x64"], _strict())
    return {_WEAK_INT: int64, _WEAK_FLOAT: float64, _WEAK_COMPLEX: complex128}.get(node, node)


def _node_dtype(node):
    if node == _WEAK_INT:
        return default_int(), True
    if node == _WEAK_FLOAT:
        return default_float(), True
    if node == _WEAK_COMPLEX:
        return default_complex(), True
    return canonicalize(node), False


def promote_types(*pairs):
    """Join (dtype, weak_type) pairs on JAX's lattice -> (dtype, weak_type)."""
    node = None
    x64 = config._values["jax_enable_x64"]
    strict = _strict()
    for dtype, weak in pairs:
        n = _node(dtype, weak)
        node = n if node is None else _join(node, n, x64, strict)
    return _node_dtype(node)


def result_type(*dtypes):
    """jnp.promote_types / result_type over plain (strong) dtypes."""
    return promote_types(*((check_dtype(d), False) for d in dtypes))[0]


def scalar_dtype(x):
    """(dtype, weak_type) of a Python scalar."""
    if isinstance(x, bool):
        return bool_, False
    if isinstance(x, int):
        return default_int(), True
    if isinstance(x, float):
        return default_float(), True
    if isinstance(x, complex):
        return default_complex(), True
    raise TypeError(f"{type(x).__name__} is not a scalar")


def dtype_short(dtype):
    """jaxpr-style short names: f32, i32, bool, bf16."""
    dtype = np.dtype(dtype)
    if dtype == bool_:
        return "bool"
    if dtype == bfloat16:
        return "bf16"
    return {"f": "f", "i": "i", "u": "u", "c": "c"}[dtype.kind] + str(8 * dtype.itemsize)
