"""The smaller jax.lax functions, composed from the primitives (so each inherits their jvp,
transpose, batching and lowering rules): split/stack/unstack/tile/collapse and other shape
helpers, complex, clz, mulhi, reduce_precision, index_take, the special functions lax exposes
beside jax.scipy.special, and the Precision enum."""
import builtins
import enum
import operator

import numpy as np
import torch

from .. import dtypes
from ..interpreters import core
from ..interpreters.core import Primitive
from ..interpreters.jvp import Zero, deflinear
from ..ir.avals import ShapedArray
from . import elementwise as E, shape as S, _ops as L

__all__ = ["split", "stack", "unstack", "tile", "collapse", "broadcast_to_rank", "broadcast_like",
           "empty", "dtype", "optimization_barrier", "index_take", "complex", "clz", "mulhi",
           "reduce_precision", "reduce_precision_p", "bessel_i0e", "bessel_i1e", "igamma", "igammac", "igamma_grad_a",
           "random_gamma_grad", "zeta", "polygamma", "betainc", "Precision", "PrecisionLike",
           "DotDimensionNumbers", "ConvGeneralDilatedDimensionNumbers", "approx_max_k", "approx_min_k", "ragged_dot"]


def _aval(x):
    return core.get_aval(_array(x))


def _array(x):
    if isinstance(x, core.Tracer) or hasattr(x, "_t"):
        return x
    from ..numpy import asarray
    return asarray(x)


def _axis(axis, ndim, name):
    if not isinstance(axis, (int, np.integer)) or not -ndim <= axis < ndim:
        raise ValueError(f"{name}: axis {axis} is out of bounds for an array of rank {ndim}")
    return int(axis) % ndim


# ---- shape helpers ----------------------------------------------------------------------------
def split(operand, sizes, axis=0):
    """Pieces of `operand` along `axis` of the given sizes (which must add up to its length)."""
    from . import _api
    operand = _array(operand)
    shape = _aval(operand).shape
    axis = _axis(axis, len(shape), "split")
    sizes = [operator.index(s) for s in sizes]
    if any(s < 0 for s in sizes) or builtins.sum(sizes) != shape[axis]:
        raise ValueError(f"Sum of sizes {builtins.sum(sizes)} must be equal to dimension {axis} of the "
                         f"operand shape {list(shape)}")
    out, start = [], 0
    for s in sizes:
        out.append(_api.slice_in_dim(operand, start, start + s, axis=axis))
        start += s
    return out


def stack(operands, axis=0):
    """The operands (all of one shape) stacked along a new axis."""
    from . import _api
    operands = [_array(o) for o in operands]
    if not operands:
        raise ValueError("stack requires at least one operand")
    nd = _aval(operands[0]).ndim
    axis = _axis(axis, nd + 1, "stack")
    return _api.concatenate([_api.expand_dims(o, (axis,)) for o in operands], axis)


def unstack(x, axis=0):
    """The slices of x along `axis`, as a tuple."""
    from . import _api
    x = _array(x)
    shape = _aval(x).shape
    axis = _axis(axis, len(shape), "unstack")
    return tuple(_api.index_in_dim(x, i, axis, keepdims=False) for i in range(shape[axis]))


def tile(operand, reps):
    """operand repeated reps[d] times along each axis d (len(reps) must equal its rank)."""
    operand = _array(operand)
    shape = _aval(operand).shape
    reps = tuple(operator.index(r) for r in reps)
    if len(reps) != len(shape):
        raise TypeError(f"reps length must be equal to the ndim of x, got len(reps)={len(reps)} and "
                        f"x.ndim={len(shape)}.")
    if any(r < 0 for r in reps):
        raise ValueError(f"reps must be nonnegative, got {reps}")
    big = tuple(d for pair in zip(reps, shape) for d in pair)
    dims = tuple(range(1, 2 * len(shape), 2))
    b = S.broadcast_in_dim_p.bind(operand, shape=big, broadcast_dimensions=dims)
    return S.reshape_p.bind(b, new_sizes=tuple(r * d for r, d in zip(reps, shape)), dimensions=None)


def collapse(operand, start_dimension, stop_dimension=None):
    """operand with dimensions [start, stop) merged into one."""
    operand = _array(operand)
    shape = _aval(operand).shape
    nd = len(shape)
    stop = nd if stop_dimension is None else stop_dimension
    start = start_dimension + nd if start_dimension < 0 else start_dimension
    stop = stop + nd if stop < 0 else stop
    if not 0 <= start <= stop <= nd:
        raise ValueError(f"collapse: invalid dimensions [{start_dimension}, {stop_dimension}) for shape {shape}")
    merged = int(np.prod(shape[start:stop], dtype=np.int64))
    return S.reshape_p.bind(operand, new_sizes=tuple(shape[:start]) + (merged,) + tuple(shape[stop:]),
                            dimensions=None)


def broadcast_to_rank(x, rank):
    """x with leading axes of size 1 added up to `rank`."""
    x = _array(x)
    shape = _aval(x).shape
    if rank < len(shape):
        raise ValueError(f"broadcast_to_rank: rank {rank} is below the operand's rank {len(shape)}")
    if rank == len(shape):
        return x
    return S.reshape_p.bind(x, new_sizes=(1,) * (rank - len(shape)) + tuple(shape), dimensions=None)


def broadcast_like(arr, like_arr):
    """arr broadcast (numpy rules) to the shape of like_arr."""
    from ..numpy import broadcast_to
    return broadcast_to(arr, _aval(like_arr).shape)


def empty(shape, dtype, *, out_sharding=None):
    """An array of the given shape and dtype (its contents are zeros here)."""
    from . import _api
    return _api.full(shape, 0, dtype)


def dtype(x):
    """The canonical dtype x has (Python scalars: the default dtype of their kind)."""
    return _aval(x).dtype


def optimization_barrier(operand, /):
    """The operand pytree unchanged (JAX's hint that XLA not move computation across it)."""
    return operand


def index_take(src, idxs, axes):
    """src indexed along `axes` by the rows of idxs: result[i, ...] = src[idxs[i, 0] on axes[0], ...]."""
    from ..numpy import moveaxis
    src, idxs = _array(src), _array(idxs)
    nd = _aval(src).ndim
    axes = tuple(_axis(a, nd, "index_take") for a in axes)
    ia = _aval(idxs)
    if ia.ndim != 2 or ia.shape[1] != len(axes):
        raise ValueError(f"index_take: idxs must have shape (N, {len(axes)}), got {ia.shape}")
    moved = moveaxis(src, axes, tuple(range(len(axes))))
    return moved[tuple(idxs[:, i] for i in range(len(axes)))]


# ---- elementwise ------------------------------------------------------------------------------
def complex(x, y):
    """x + i*y for float32/float64 operands of one dtype."""
    x, y = _array(x), _array(y)
    for pos, a in enumerate((x, y)):
        d = _aval(a).dtype
        if d not in (np.dtype(np.float32), np.dtype(np.float64)):
            raise TypeError(f"complex does not accept dtype {d} at position {pos}. Accepted dtypes at "
                            f"position {pos} are subtypes of float32, float64.")
    ax, ay = _aval(x), _aval(y)
    if ax.dtype != ay.dtype:
        raise TypeError(f"lax.complex requires arguments to have the same dtypes, got {ax.dtype}, {ay.dtype}.")
    cdt = np.dtype(np.complex64 if ax.dtype == np.float32 else np.complex128)
    xc = E.convert_element_type_p.bind(x, new_dtype=cdt, weak_type=False)
    yc = E.convert_element_type_p.bind(y, new_dtype=cdt, weak_type=False)
    i = E.convert_element_type_p.bind(_array(1j), new_dtype=cdt, weak_type=False)
    return E.add_p.bind(xc, E.mul_p.bind(yc, i))


def _int_operand(x, name):
    x = _array(x)
    d = _aval(x).dtype
    if d.kind not in "iu":
        raise TypeError(f"{name} does not accept dtype {d}. Accepted dtypes are subtypes of integer.")
    return x, d


def clz(x):
    """The number of leading zero bits of each integer."""
    from . import _api
    x, d = _int_operand(x, "clz")
    bits = d.itemsize * 8
    y, shift = x, 1
    while shift < bits:       # smear the highest set bit into every lower position
        y = E.or_p.bind(y, _api.shift_right_logical(y, L.full_like(y, shift)))
        shift *= 2
    ones = E.population_count_p.bind(y)
    return E.sub_p.bind(L.full_like(ones, bits), ones)


def mulhi(x, y, /):
    """The high half of the double-width product of two integers of one dtype: schoolbook
    multiplication on half-width limbs in the unsigned type of the same width (so 32-bit works
    without 64-bit types), then the two's-complement correction for signed operands."""
    from . import _api
    x, d = _int_operand(x, "mulhi")
    y, dy = _int_operand(y, "mulhi")
    if d != dy:
        raise TypeError(f"lax.mulhi requires arguments to have the same dtypes, got {d}, {dy}.")
    bits = d.itemsize * 8
    u = np.dtype(f"uint{bits}")
    a = x if d == u else E.bitcast_convert_type_p.bind(x, new_dtype=u)
    b = y if d == u else E.bitcast_convert_type_p.bind(y, new_dtype=u)
    h = bits // 2

    def k(v):
        return L.full_like(a, v)

    def shr(v):
        return _api.shift_right_logical(v, k(h))
    lo = k((1 << h) - 1)
    a_lo, a_hi, b_lo, b_hi = E.and_p.bind(a, lo), shr(a), E.and_p.bind(b, lo), shr(b)
    ll, lh = E.mul_p.bind(a_lo, b_lo), E.mul_p.bind(a_lo, b_hi)
    hl, hh = E.mul_p.bind(a_hi, b_lo), E.mul_p.bind(a_hi, b_hi)
    mid = E.add_p.bind(E.add_p.bind(shr(ll), E.and_p.bind(lh, lo)), E.and_p.bind(hl, lo))
    hi = E.add_p.bind(E.add_p.bind(hh, shr(lh)), E.add_p.bind(shr(hl), shr(mid)))
    if d != u:   # signed: (a - 2^w [x<0]) (b - 2^w [y<0]) has high word hi - b[x<0] - a[y<0]
        zero = k(0)
        hi = E.sub_p.bind(hi, E.select_n_p.bind(E.lt_p.bind(x, L.full_like(x, 0)), zero, b))
        hi = E.sub_p.bind(hi, E.select_n_p.bind(E.lt_p.bind(y, L.full_like(y, 0)), zero, a))
        return E.bitcast_convert_type_p.bind(hi, new_dtype=d)
    return hi


# ---- reduce_precision: XLA's rounding of the mantissa and clamping of the exponent -----------
_FLOAT_BITS = {np.dtype(np.float16): (5, 10), np.dtype(np.float32): (8, 23), np.dtype(np.float64): (11, 52),
               dtypes.bfloat16: (8, 7)}
_SAME_WIDTH_INT = {2: torch.int16, 4: torch.int32, 8: torch.int64}


def _reduce_precision_impl(x, exponent_bits, mantissa_bits):
    """On the bits, as two's-complement ints of the float's width (wrapping adds are fine)."""
    src_e, src_m = _FLOAT_BITS[dtypes.from_torch_dtype(x.dtype)]
    nbits = x.element_size() * 8
    b = x.contiguous().view(_SAME_WIDTH_INT[x.element_size()])

    def c(v):   # an int constant as the signed value with the same bits
        v %= 1 << nbits
        return v - (1 << nbits) if v >= 1 << (nbits - 1) else v
    if mantissa_bits < src_m:     # round to nearest, ties to even, at the kept mantissa's last bit
        drop = src_m - mantissa_bits
        last = 1 << drop
        last_bit = (b & last) >> drop            # bit `drop` only: the arithmetic shift is exact
        b = (b + (last_bit + ((last >> 1) - 1))) & c(~(last - 1))
    if exponent_bits < src_e:     # beyond the reduced range: infinities; below it: signed zeros
        exp_mask = ((1 << src_e) - 1) << src_m
        bias_src, bias_red = (1 << (src_e - 1)) - 1, (1 << (exponent_bits - 1)) - 1
        x_exp = b & exp_mask
        signed_zero = b & c(1 << (nbits - 1))
        b = torch.where(x_exp > ((bias_src + bias_red) << src_m), signed_zero | exp_mask,
                        torch.where(x_exp <= ((bias_src - bias_red) << src_m), signed_zero, b))
    out = b.view(x.dtype)
    return torch.where(torch.isnan(x), x, out) if mantissa_bits > 0 else out


def _reduce_precision_abstract(x, exponent_bits, mantissa_bits):
    if x.dtype not in _FLOAT_BITS:
        raise TypeError(f"reduce_precision does not accept dtype {x.dtype}. Accepted dtypes are subtypes "
                        "of floating.")
    return ShapedArray(x.shape, x.dtype, x.weak_type)


reduce_precision_p = Primitive("reduce_precision")
reduce_precision_p.extern = "reduce_precision"
reduce_precision_p.impl = _reduce_precision_impl
reduce_precision_p.abstract_eval = _reduce_precision_abstract
reduce_precision_p.batch = lambda vals, dims, **params: (reduce_precision_p.bind(vals[0], **params), dims[0])
reduce_precision_p.weak_type_rule = lambda weaks, **_: weaks[0]
# linear as JAX treats it: the tangent (and the cotangent) are rounded the same way
deflinear(reduce_precision_p, lambda ct, x, **params: [
    Zero(x.aval) if type(ct) is Zero else reduce_precision_p.bind(ct, **params)])


def reduce_precision(operand, exponent_bits, mantissa_bits):
    """operand rounded as if stored with `exponent_bits` exponent and `mantissa_bits` mantissa
    bits: mantissa to nearest even, values past the exponent range to infinity, below it to zero."""
    operand = _array(operand)
    exponent_bits, mantissa_bits = operator.index(exponent_bits), operator.index(mantissa_bits)
    if exponent_bits < 1 or mantissa_bits < 0:
        raise ValueError(f"reduce_precision: exponent_bits must be >= 1 and mantissa_bits >= 0, got "
                         f"{exponent_bits} and {mantissa_bits}")
    _reduce_precision_abstract(_aval(operand), exponent_bits, mantissa_bits)
    return reduce_precision_p.bind(operand, exponent_bits=exponent_bits, mantissa_bits=mantissa_bits)


# ---- the special functions lax exposes (implemented in jaxish.scipy.special / random) ---------
def bessel_i0e(x):
    from ..scipy import special
    return special.i0e(x)


def bessel_i1e(x):
    from ..scipy import special
    return special.i1e(x)


def _operand_dtype(v):
    return dtypes.scalar_dtype(v)[0] if type(v) in (int, float, bool, complex) else core.get_aval(v).dtype


def _float_pair(name, a, x):
    """JAX's lax does not promote: a Python scalar stands for its default dtype, weak arrays do
    not bend, so both operands must have one float dtype (lax arithmetic here still promotes,
    see lax._api._bin)."""
    d, dx = _operand_dtype(a), _operand_dtype(x)
    if d != dx:
        raise TypeError(f"lax.{name} requires arguments to have the same dtypes, got {d}, {dx}.")
    if d.kind != "f":
        raise TypeError(f"{name} does not accept dtype {d}. Accepted dtypes are subtypes of floating.")


def igamma(a, x):
    from ..scipy import special
    _float_pair("igamma", a, x)
    return special.gammainc(a, x)


def igammac(a, x):
    from ..scipy import special
    _float_pair("igammac", a, x)
    return special.gammaincc(a, x)


def igamma_grad_a(a, x):
    """d/da of the regularized lower incomplete gamma function."""
    from ..api import jvp
    from ..numpy import ones_like, asarray
    a = asarray(a)
    return jvp(lambda a_: igamma(a_, x), (a,), (ones_like(a),))[1]


def random_gamma_grad(a, x):
    from .. import random
    return random._random_gamma_grad(a, x)


def zeta(x, q):
    from ..scipy import special
    _float_pair("zeta", x, q)
    return special.zeta(x, q)


def polygamma(m, x):
    from ..scipy import special
    return special.polygamma(m, x)


def betainc(a, b, x):
    from ..scipy import special
    return special.betainc(a, b, x)


# ---- approximate top-k (exact here, which meets any recall target) and ragged_dot ------------
def _top_k_along(operand, k, axis, largest):
    from ..numpy import moveaxis
    from .sorting import top_k
    operand = _array(operand)
    nd = _aval(operand).ndim
    axis = _axis(axis, nd, "approx_max_k" if largest else "approx_min_k")
    x = moveaxis(operand, axis, -1)
    if largest:
        vals, idx = top_k(x, k)
    else:   # the k smallest, first index first on ties (negating would break unsigned ints)
        from ..numpy import argsort, take_along_axis
        idx = argsort(x, axis=-1, stable=True)[..., :k].astype(np.int32)
        vals = take_along_axis(x, idx, axis=-1)
    return [moveaxis(vals, -1, axis), moveaxis(idx, -1, axis)]


def approx_max_k(operand, k, reduction_dimension=-1, recall_target=0.95, reduction_input_size_override=-1,
                 aggregate_to_topk=True):
    """The k largest entries along `reduction_dimension` and their int32 indices (computed exactly:
    recall 1, as JAX's CPU result)."""
    return _top_k_along(operand, k, reduction_dimension, True)


def approx_min_k(operand, k, reduction_dimension=-1, recall_target=0.95, reduction_input_size_override=-1,
                 aggregate_to_topk=True):
    """The k smallest entries along `reduction_dimension` and their int32 indices (exact)."""
    return _top_k_along(operand, k, reduction_dimension, False)


def ragged_dot(lhs, rhs, group_sizes, precision=None, preferred_element_type=None, group_offset=None):
    """lhs [m, k] times a per-group rhs [g, k, n]: rows are taken in consecutive groups of
    group_sizes[i] rows, each multiplied by rhs[i]; rows past the groups give zeros."""
    from .. import numpy as jnp
    if group_offset is not None:
        raise NotImplementedError("ragged_dot: group_offset is not supported")
    lhs, rhs, group_sizes = _array(lhs), _array(rhs), _array(group_sizes)
    la, ra, ga = _aval(lhs), _aval(rhs), _aval(group_sizes)
    if la.ndim != 2 or ra.ndim != 3 or ga.ndim != 1 or ra.shape[0] != ga.shape[0] or la.shape[1] != ra.shape[1]:
        raise TypeError(f"ragged_dot requires lhs [m, k], rhs [g, k, n] and group_sizes [g], got {la.shape}, "
                        f"{ra.shape} and {ga.shape}")
    ends = jnp.cumsum(group_sizes)
    row = jnp.arange(la.shape[0], dtype=ends.dtype)
    gid = jnp.sum(row[:, None] >= ends[None, :], axis=1)          # the group each row falls in
    onehot = (gid[:, None] == jnp.arange(ra.shape[0], dtype=gid.dtype)[None, :]).astype(la.dtype)
    per_group = jnp.einsum("mk,gkn->gmn", lhs, rhs, preferred_element_type=preferred_element_type)
    return jnp.einsum("gmn,mg->mn", per_group, onehot.astype(per_group.dtype))


# ---- enums and type names ---------------------------------------------------------------------
class Precision(enum.Enum):
    """Matmul/conv precision (jax.lax.Precision). jaxish computes float32 products in full
    float32 on every backend, so each value gives the HIGHEST result."""
    DEFAULT = 0
    HIGH = 1
    HIGHEST = 2

    @classmethod
    def _missing_(cls, value):
        names = {"default": cls.DEFAULT, "bfloat16": cls.DEFAULT, "fastest": cls.DEFAULT,
                 "high": cls.HIGH, "bfloat16_3x": cls.HIGH, "tensorfloat32": cls.HIGH,
                 "highest": cls.HIGHEST, "float32": cls.HIGHEST}
        if isinstance(value, str) and value.lower() in names:
            return names[value.lower()]
        return None

    def __str__(self):
        return self.name


PrecisionLike = object                     # None, a string, a Precision or a pair of them
DotDimensionNumbers = tuple                # ((lhs_contract, rhs_contract), (lhs_batch, rhs_batch))
ConvGeneralDilatedDimensionNumbers = tuple  # (lhs_spec, rhs_spec, out_spec) or ConvDimensionNumbers


# ---- platform_dependent, tokens -----------------------------------------------------------------
def _platform(args):
    """The platform the arrays live on (the default device's for none): cpu, cuda or rocm."""
    import torch
    from ..config import default_device
    from ..tree_util import tree_leaves
    dev = None
    for leaf in tree_leaves(args):
        t = getattr(leaf, "_t", None)
        if isinstance(t, torch.Tensor):
            dev = t.device
            break
    dev = dev or torch.device(default_device())
    if dev.type == "cuda":
        return "rocm" if getattr(torch.version, "hip", None) else "cuda"
    return dev.type


def platform_dependent(*args, default=None, **per_platform):
    """Call the branch for the platform the computation runs on (cpu, cuda or rocm), else
    `default`; as JAX's, which resolves the platform when it compiles."""
    if "gpu" in per_platform:
        raise ValueError("Use 'cuda' or 'rocm' for lax.platform_dependent.")
    branch = per_platform.get(_platform(args), default)
    if branch is None:
        raise NotImplementedError(f"lax.platform_dependent has no branch for platform {_platform(args)!r} "
                                  f"(branches: {sorted(per_platform)}) and no default")
    return branch(*args)


class Token:
    """An ordering token (lax.create_token, lax.after_all). jaxish runs effects in program order,
    so a token carries nothing; it exists for programs that thread one through."""
    __slots__ = ()

    def __repr__(self):
        return "Token()"


def create_token(*operands):
    """A new Token (the operands, if any, are ignored, as JAX's)."""
    return Token()


def after_all(*operands):
    """A Token ordered after `operands` (tokens or arrays); jaxish's effects are ordered already."""
    return Token()


__all__ += ["platform_dependent", "create_token", "after_all", "Token"]
