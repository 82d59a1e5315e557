"""jaxish.random: JAX's counter-based PRNG (threefry2x32), bit for bit.

Keys are uint32[..., 2] arrays, as JAX's legacy `PRNGKey`s; `key()` returns the same
representation (with `key_data`/`wrap_key_data` as identities). Bits follow JAX's default
`jax_threefry_partitionable=True` scheme: element i of a draw of shape S hashes the 64-bit
counter i (as hi/lo uint32 words) with the key, and 32-bit draws are the xor of both
output words. Everything is written with lax uint32 ops, so it stages under jit and batches
under vmap like any other code.
"""
import builtins
import math
import operator
from collections.abc import Sequence

import numpy as np
import torch

from . import dtypes
from . import lax
from .lax import _ops as _L  # lax arithmetic without the public same-dtype check
from . import numpy as jnp
from .array import Array, ArrayImpl
from .interpreters import core
from .interpreters.eager import eager_trace

__all__ = ["PRNGKey", "key", "key_data", "wrap_key_data", "split", "fold_in", "bits", "uniform",
           "normal", "randint", "bernoulli", "truncated_normal", "gumbel", "exponential",
           "logistic", "laplace", "cauchy", "rademacher", "categorical", "choice",
           "permutation", "shuffle", "lognormal", "maxwell", "rayleigh", "threefry_2x32", "gamma",
           "loggamma", "beta", "dirichlet", "multivariate_normal", "key_impl", "clone",
           "poisson", "binomial", "geometric", "t", "chisquare", "f", "pareto", "weibull_min", "wald",
           "triangular", "double_sided_maxwell", "generalized_normal", "ball", "orthogonal",
           "multinomial", "key_dtype"]

_U32 = dtypes.uint32
_UINT_DTYPES = {8: dtypes.uint8, 16: dtypes.uint16, 32: dtypes.uint32, 64: dtypes.uint64}


# ---- threefry2x32 hash -------------------------------------------------------------------
def _rotate_left(x, d):
    return _L.or_(_L.shift_left(x, d), _L.shift_right_logical(x, 32 - d))


_ROTATIONS = ((13, 15, 26, 6), (17, 29, 16, 24))


def _threefry2x32(k1, k2, x1, x2):
    """The Threefry-2x32 block cipher (20 rounds) on uint32 arrays (broadcasting)."""
    if type(k1) is type(k2) is type(x1) is type(x2) is ArrayImpl and core.current_trace() is eager_trace:
        return _threefry2x32_torch(k1, k2, x1, x2)
    ks = (k1, k2, _L.xor(_L.xor(k1, k2), 0x1BD11BDA))
    x1 = _L.add(x1, ks[0])
    x2 = _L.add(x2, ks[1])
    for i in range(5):
        for r in _ROTATIONS[i % 2]:
            x1 = _L.add(x1, x2)
            x2 = _L.xor(x1, _rotate_left(x2, r))
        x1 = _L.add(x1, ks[(i + 1) % 3])
        x2 = _L.add(_L.add(x2, ks[(i + 2) % 3]), i + 1)
    return x1, x2


_M32 = 0xFFFFFFFF


def _threefry2x32_torch(k1, k2, x1, x2):
    """Eager fast path of the same hash: one pass of int64 torch ops masked to 32 bits
    (torch has no uint32 arithmetic, and per-op uint32<->int64 conversions dominate)."""
    k1, k2, x1, x2 = torch.broadcast_tensors(*[a._t.to(torch.int64) for a in (k1, k2, x1, x2)])
    ks = (k1, k2, k1 ^ k2 ^ 0x1BD11BDA)
    x1 = (x1 + ks[0]).bitwise_and_(_M32)
    x2 = (x2 + ks[1]).bitwise_and_(_M32)
    tmp = torch.empty_like(x2)
    for i in range(5):
        for r in _ROTATIONS[i % 2]:
            x1.add_(x2).bitwise_and_(_M32)
            torch.bitwise_left_shift(x2, r, out=tmp).bitwise_and_(_M32)
            x2.bitwise_right_shift_(32 - r).bitwise_or_(tmp).bitwise_xor_(x1)
        x1.add_(ks[(i + 1) % 3]).bitwise_and_(_M32)
        x2.add_(ks[(i + 2) % 3]).add_(i + 1).bitwise_and_(_M32)
    return ArrayImpl(x1.to(torch.uint32)), ArrayImpl(x2.to(torch.uint32))


def threefry_2x32(keypair, count):
    """JAX's `threefry_2x32(keypair, count)`: hash a uint32 array of counts with a key."""
    key = _check_key("threefry_2x32", keypair)
    count = jnp.asarray(count)
    if count.dtype != _U32:
        raise TypeError(f"threefry_2x32 requires uint32 arguments, got count dtype {count.dtype}")
    k1, k2 = _key_words(key)
    flat = jnp.ravel(count)
    n = flat.shape[0]
    if n % 2:
        flat = lax.concatenate([flat, jnp.zeros((1,), _U32)], 0)
    half = flat.shape[0] // 2
    y1, y2 = _threefry2x32(k1, k2, flat[:half], flat[half:])
    out = lax.concatenate([y1, y2], 0)
    return jnp.reshape(out[:n], count.shape)


# ---- keys ----------------------------------------------------------------------------------
def _check_key(name, key, allow_batched=False):
    """Validate a uint32[..., 2] key array and return it as an Array."""
    if not (hasattr(key, "dtype") and hasattr(key, "shape")):
        raise TypeError(f"JAX encountered invalid PRNG key data: expected key_data to have ndim, "
                        f"shape, and dtype attributes. Got {key!r}")
    key = jnp.asarray(key)
    if key.dtype != _U32:
        raise TypeError(f"JAX encountered invalid PRNG key data: expected key_data.dtype = uint32; "
                        f"got dtype={key.dtype}")
    if key.ndim == 0 or key.shape[-1] != 2:
        raise TypeError(f"JAX encountered invalid PRNG key data: expected key_data.shape to end "
                        f"with (2,); got shape={key.shape} for impl=threefry2x32")
    if not allow_batched and key.ndim != 1:
        raise ValueError(f"{name} accepts a single key, but was given a key array of shape "
                         f"{key.shape} != (). Use jax.vmap for batching.")
    return key


def _key_words(key):
    return key[0], key[1]


def _seed_words(seed):
    """(hi, lo) uint32 words of an integer seed, as JAX's threefry_seed."""
    if isinstance(seed, (float, np.floating, complex, str)):
        raise TypeError(f"PRNG key seed must be an integer; got {seed!r}")
    if isinstance(seed, int):
        # JAX turns Python ints into int64 first, then canonicalizes (x64 off: wraps to int32).
        if not -2 ** 63 <= seed < 2 ** 63:
            raise OverflowError("Python int too large to convert to C long")
        seed = np.int64(seed)
    seed = jnp.asarray(seed)
    if seed.ndim:
        raise TypeError(f"PRNGKey accepts a scalar seed, but was given an array of shape "
                        f"{seed.shape} != (). Use jax.vmap for batching")
    if not dtypes.is_int(seed.dtype):
        raise TypeError(f"PRNG key seed must be an integer; got {seed!r}")
    nbits = 8 * seed.dtype.itemsize
    if nbits > 32:
        hi = lax.convert_element_type(_L.shift_right_logical(seed, 32), _U32)
    else:
        hi = jnp.zeros((), _U32)
    lo = lax.convert_element_type(seed, _U32)
    return hi, lo


def PRNGKey(seed, *, impl=None):
    """A legacy threefry key: uint32[2] holding the seed's high and low 32-bit words."""
    _check_impl(impl)
    hi, lo = _seed_words(seed)
    return jnp.stack([hi, lo])


def key(seed, *, impl=None, dtype=None):
    """A new-style key. jaxish represents it as the same uint32[2] data as `PRNGKey`."""
    _check_impl(impl if dtype is None else dtype)
    return PRNGKey(seed)


def _check_impl(impl):
    if isinstance(impl, KeyTy):
        impl = impl.impl
    if impl is not None and impl != "threefry2x32":
        raise ValueError(f"jaxish.random supports only the 'threefry2x32' PRNG, got {impl!r}")


def key_data(keys):
    """The uint32 data underlying keys (keys are their own data in jaxish)."""
    return _check_key("key_data", keys, allow_batched=True)


def wrap_key_data(key_bits_array, *, impl=None):
    _check_impl(impl)
    return _check_key("wrap_key_data", key_bits_array, allow_batched=True)


def key_impl(keys):
    _check_key("key_impl", keys, allow_batched=True)
    return "threefry2x32"


def clone(key):
    return key


def _iota_2x32(shape):
    """(hi, lo) uint32 words of the row-major counter over `shape` (hi is 0 below 2**32)."""
    n = math.prod(shape)
    if n >= 2 ** 32:
        raise NotImplementedError("random draws of 2**32 or more elements")
    if not shape:
        z = jnp.zeros((), _U32)
        return z, z
    lo = jnp.reshape(lax.iota(_U32, n), shape)
    return jnp.zeros(shape, _U32), lo


def _canonical_shape(shape, name="shape"):
    if isinstance(shape, (int, np.integer)) and not isinstance(shape, bool):
        shape = (shape,)    # JAX (0.10) reads an integer shape n as (n,)
    try:
        out = tuple(operator.index(d) for d in shape)
    except TypeError:
        raise TypeError(f"Shapes must be 1D sequences of concrete values of integer type, "
                        f"got {shape}.") from None
    if any(d < 0 for d in out):
        raise ValueError(f"{name} must have nonnegative dimensions, got {out}")
    return out


def _split(key, shape):
    k1, k2 = _key_words(key)
    hi, lo = _iota_2x32(shape)
    b1, b2 = _threefry2x32(k1, k2, hi, lo)
    return jnp.stack([b1, b2], axis=len(shape))


def split(key, num=2):
    """`num` new keys (or an array of keys of shape `num` when it is a tuple)."""
    key = _check_key("split", key)
    shape = tuple(num) if isinstance(num, Sequence) else (num,)
    return _split(key, _canonical_shape(shape, "num"))


def fold_in(key, data):
    """A new key that is a deterministic function of `key` and the 32-bit integer `data`."""
    key = _check_key("fold_in", key)
    if np.ndim(data) if not isinstance(data, Array) else data.ndim:
        raise TypeError(f"fold_in accepts a scalar, but was given an array of shape "
                        f"{np.shape(data)} != (). Use jax.vmap for batching.")
    if isinstance(data, (int, np.integer)) and not 0 <= int(data) < 2 ** 32:
        raise OverflowError(f"Python integer {int(data)} out of bounds for uint32")
    if isinstance(data, int):
        data = np.uint32(data)
    data = lax.convert_element_type(jnp.asarray(data), _U32)
    k1, k2 = _key_words(key)
    y1, y2 = _threefry2x32(k1, k2, jnp.zeros((), _U32), data)
    return jnp.stack([y1, y2])


def _random_bits(key, bit_width, shape):
    k1, k2 = _key_words(key)
    hi, lo = _iota_2x32(shape)
    b1, b2 = _threefry2x32(k1, k2, hi, lo)
    if bit_width == 64:
        u64 = _UINT_DTYPES[64]
        if dtypes.canonicalize(u64) != u64:
            raise TypeError("64-bit random bits need jax_enable_x64")
        return _L.or_(_L.shift_left(lax.convert_element_type(b1, u64), 32),
                              lax.convert_element_type(b2, u64))
    out = _L.xor(b1, b2)
    if bit_width == 32:
        return out
    return lax.convert_element_type(out, _UINT_DTYPES[bit_width])


def bits(key, shape=(), dtype=None):
    """Uniform random bits as unsigned integers (uint32 by default, uint64 with x64)."""
    key = _check_key("bits", key)
    if dtype is None:
        dtype = dtypes.default_uint()
    else:
        dtype = dtypes.canonicalize(dtypes.check_dtype(dtype))
    if not dtypes.is_unsigned(dtype):
        raise ValueError(f"dtype argument to `bits` must be an unsigned int dtype, got {dtype}")
    return _random_bits(key, 8 * dtype.itemsize, _canonical_shape(shape))


# ---- continuous distributions ----------------------------------------------------------------
def _float_dtype(name, dtype, allow_complex=False):
    dtype = dtypes.canonicalize(dtypes.check_dtype(float if dtype is None else dtype))
    if not dtypes.is_float(dtype) and not (allow_complex and dtypes.is_complex(dtype)):
        raise ValueError(f"dtype argument to `{name}` must be a float dtype, got {dtype}")
    return dtype


def _sample_shape(name, shape, *param_shapes):
    """The shape to sample: the parameters' broadcast shape when `shape` is None, else `shape`,
    checked to be one the parameters broadcast to."""
    if shape is None:
        return lax.broadcast_shapes(name, *param_shapes)
    shape = _canonical_shape(shape)
    _check_shape(name, shape, *param_shapes)
    return shape


def _check_shape(name, shape, *param_shapes):
    if param_shapes:
        shapes = [tuple(shape)] + [tuple(s) for s in param_shapes]
        try:
            out = lax.broadcast_shapes(name, *shapes)
        except TypeError:
            raise ValueError(f"Incompatible shapes for broadcasting: shapes={shapes}") from None
        if out != tuple(shape):
            raise ValueError(f"{name} parameter shapes must be broadcast-compatible with shape "
                             f"argument, and the result of broadcasting the shapes must equal "
                             f"the shape argument, but got result {out} for shape argument {shape}.")


def _shape_of(x):
    return tuple(np.shape(x)) if not isinstance(x, Array) else x.shape


def _uniform(key, shape, dtype, minval, maxval):
    out = lax.broadcast_shapes("uniform", tuple(shape), _shape_of(minval), _shape_of(maxval))
    if out != tuple(shape):
        raise TypeError(f"uniform: minval/maxval of shapes {_shape_of(minval)}, {_shape_of(maxval)} "
                        f"do not broadcast to the requested shape {tuple(shape)}")
    minval = lax.convert_element_type(jnp.asarray(minval), dtype)
    maxval = lax.convert_element_type(jnp.asarray(maxval), dtype)
    info = dtypes.finfo(dtype)
    nbits, nmant = info.bits, info.nmant
    rng_bits = 8 if nmant < 8 else nbits
    raw = _random_bits(key, rng_bits, shape)
    uint = _UINT_DTYPES[nbits]
    if rng_bits != nbits:
        raw = lax.convert_element_type(raw, uint)
    mant = _L.shift_right_logical(raw, rng_bits - nmant)
    # JAX bitcasts (mant | bits(1.0)) to float and subtracts 1; that equals mant * 2**-nmant
    # exactly, so the conversion below is bit-identical without a bitcast.
    floats = _L.mul(lax.convert_element_type(mant, dtype), 2.0 ** -nmant)
    return _L.max(minval, _L.add(_L.mul(floats, _L.sub(maxval, minval)), minval))


def uniform(key, shape=(), dtype=None, minval=0.0, maxval=1.0):
    """Uniform values in [minval, maxval) of the given shape and float dtype."""
    key = _check_key("uniform", key)
    dtype = _float_dtype("uniform", dtype)
    return _uniform(key, _canonical_shape(shape), dtype, minval, maxval)


def _normal_real(key, shape, dtype):
    lo = np.nextafter(np.array(-1.0, dtype), np.array(0.0, dtype), dtype=dtype)
    u = _uniform(key, shape, dtype, float(lo), 1.0)
    return _L.mul(lax.erf_inv(u), float(np.sqrt(np.array(2.0, dtype))))


def normal(key, shape=(), dtype=None):
    """Standard normal values: sqrt(2) * erfinv(u) for u uniform in (-1, 1)."""
    key = _check_key("normal", key)
    dtype = _float_dtype("normal", dtype, allow_complex=True)
    shape = _canonical_shape(shape)
    if dtypes.is_complex(dtype):
        real = dtypes.float32 if dtype == dtypes.complex64 else dtypes.float64
        kr, ki = _split(key, (2,))
        re = _normal_real(kr, shape, real)
        im = _normal_real(ki, shape, real)
        z = jnp.add(re.astype(dtype), jnp.multiply(1j, im.astype(dtype)))
        return jnp.true_divide(z, jnp.asarray(np.sqrt(2), dtype))
    return _normal_real(key, shape, dtype)


def truncated_normal(key, lower, upper, shape=None, dtype=None):
    """Normal values truncated to the open interval (lower, upper)."""
    key = _check_key("truncated_normal", key)
    dtype = _float_dtype("truncated_normal", dtype)
    shape = _sample_shape("truncated_normal", shape, _shape_of(lower), _shape_of(upper))
    sqrt2 = float(np.sqrt(np.array(2.0, dtype)))
    lower = lax.convert_element_type(jnp.asarray(lower), dtype)
    upper = lax.convert_element_type(jnp.asarray(upper), dtype)
    a = lax.erf(_L.div(lower, sqrt2))
    b = lax.erf(_L.div(upper, sqrt2))
    u = _uniform(key, shape, dtype, a, b)
    out = _L.mul(lax.erf_inv(u), sqrt2)
    lo = _L.nextafter(lax.stop_gradient(lower), jnp.full(lower.shape, np.inf, dtype))
    hi = _L.nextafter(lax.stop_gradient(upper), jnp.full(upper.shape, -np.inf, dtype))
    return jnp.clip(out, lo, hi)


def bernoulli(key, p=0.5, shape=None, mode="low"):
    """Booleans that are True with probability p."""
    if mode not in ("high", "low"):
        raise ValueError(f"got mode={mode!r}, expected 'high' or 'low'")
    key = _check_key("bernoulli", key)
    p = jnp.asarray(p)
    if not dtypes.is_float(p.dtype):
        raise TypeError(f"bernoulli probability `p` must have a floating dtype, got {p.dtype}.")
    shape = _sample_shape("bernoulli", shape, p.shape)
    dtype = p.dtype
    if mode == "high":
        u = _uniform(key, (2, *shape), dtype, 0.0, 1.0)
        u1, u2 = u[0], u[1]
        u2 = jnp.multiply(u2, 2.0 ** -dtypes.finfo(dtype).nmant)
        return jnp.less(u2, jnp.subtract(p, u1))
    return jnp.less(_uniform(key, shape, dtype, 0.0, 1.0), p)


def rademacher(key, shape=(), dtype=None):
    """-1 or +1 with equal probability."""
    key = _check_key("rademacher", key)
    dtype = dtypes.canonicalize(dtypes.check_dtype(int if dtype is None else dtype))
    b = bernoulli(key, 0.5, _canonical_shape(shape)).astype(dtype)
    return jnp.subtract(jnp.multiply(2, b), 1).astype(dtype)


def exponential(key, shape=(), dtype=None):
    key = _check_key("exponential", key)
    dtype = _float_dtype("exponential", dtype)
    u = _uniform(key, _canonical_shape(shape), dtype, 0.0, 1.0)
    return lax.neg(lax.log1p(lax.neg(u)))


def _tiny(dtype):
    return float(dtypes.finfo(dtype).tiny)


def gumbel(key, shape=(), dtype=None, mode=None):
    """Standard Gumbel values: -log(-log(u))."""
    key = _check_key("gumbel", key)
    dtype = _float_dtype("gumbel", dtype)
    mode = "low" if mode is None else mode
    if mode not in ("high", "low"):
        raise ValueError(f"Must provide valid mode for gumbel got: {mode}")
    return _gumbel(key, _canonical_shape(shape), dtype, mode)


def _gumbel(key, shape, dtype, mode):
    if mode == "high":
        u = _uniform(key, (2, *shape), dtype, 0.0, 1.0)
        high, low = u[0], u[1]
        nmant = dtypes.finfo(dtype).nmant
        x = jnp.where(high >= 0.5, high, high + 2.0 ** -nmant * low + _tiny(dtype))
        return lax.neg(lax.log(lax.neg(lax.log1p(lax.neg(x)))))
    u = _uniform(key, shape, dtype, _tiny(dtype), 1.0)
    return lax.neg(lax.log(lax.neg(lax.log(u))))


def logistic(key, shape=(), dtype=None):
    key = _check_key("logistic", key)
    dtype = _float_dtype("logistic", dtype)
    x = _uniform(key, _canonical_shape(shape), dtype, _tiny(dtype), 1.0)
    return _L.sub(lax.log(x), lax.log1p(lax.neg(x)))


def laplace(key, shape=(), dtype=None):
    key = _check_key("laplace", key)
    dtype = _float_dtype("laplace", dtype)
    u = _uniform(key, _canonical_shape(shape), dtype, -1.0 + float(dtypes.finfo(dtype).epsneg), 1.0)
    return _L.mul(lax.sign(u), lax.log1p(lax.neg(lax.abs(u))))


def cauchy(key, shape=(), dtype=None):
    key = _check_key("cauchy", key)
    dtype = _float_dtype("cauchy", dtype)
    u = _uniform(key, _canonical_shape(shape), dtype, float(dtypes.finfo(dtype).eps), 1.0)
    return lax.tan(_L.mul(_L.sub(u, 0.5), float(np.array(np.pi, dtype))))


def lognormal(key, sigma=np.float32(1), shape=None, dtype=None):
    key = _check_key("lognormal", key)
    dtype = _float_dtype("lognormal", dtype)
    shape = _shape_of(sigma) if shape is None else _canonical_shape(shape)
    sigma = lax.convert_element_type(jnp.asarray(sigma), dtype)
    return lax.exp(_L.mul(_normal_real(key, shape, dtype), sigma))


def maxwell(key, shape=(), dtype=None):
    key = _check_key("maxwell", key)
    dtype = _float_dtype("maxwell", dtype)
    shape = _canonical_shape(shape)
    x = _normal_real(key, (*shape, 3), dtype)
    return jnp.sqrt(jnp.sum(jnp.multiply(x, x), axis=-1))


def rayleigh(key, scale=1.0, shape=None, dtype=None):
    key = _check_key("rayleigh", key)
    dtype = _float_dtype("rayleigh", dtype)
    shape = _shape_of(scale) if shape is None else _canonical_shape(shape)
    scale = jnp.broadcast_to(lax.convert_element_type(jnp.asarray(scale), dtype), shape)
    u = _uniform(key, shape, dtype, 0.0, 1.0)
    log_u = lax.log(u)
    return _L.mul(scale, lax.sqrt(_L.mul(log_u, -2.0)))


# ---- integers ------------------------------------------------------------------------------
def _convert_and_clip_integer(val, dtype):
    """Convert integer `val` to integer `dtype`, clipping to the representable range."""
    lo = builtins.max(int(dtypes.iinfo(dtype).min), int(dtypes.iinfo(val.dtype).min))
    hi = builtins.min(int(dtypes.iinfo(dtype).max), int(dtypes.iinfo(val.dtype).max))
    lo_a = jnp.asarray(np.array(lo, val.dtype))
    hi_a = jnp.asarray(np.array(hi, val.dtype))
    return jnp.clip(val, lo_a, hi_a).astype(dtype)


def randint(key, shape, minval, maxval, dtype=None):
    """Integers uniform in [minval, maxval), JAX's double-draw modulus algorithm."""
    key = _check_key("randint", key)
    dtype = dtypes.canonicalize(dtypes.check_dtype(int if dtype is None else dtype))
    shape = _canonical_shape(shape)
    if not dtypes.is_int(dtype):
        raise TypeError(f"randint only accepts integer dtypes, got {dtype}")
    info = dtypes.iinfo(dtype)
    sample_dtype = dtype
    if info.bits < 32:
        sample_dtype = dtypes.int32
        minval = jnp.clip(jnp.asarray(minval).astype(dtypes.int32), int(info.min), int(info.max))
        maxval = jnp.clip(jnp.asarray(maxval).astype(dtypes.int32), int(info.min), int(info.max) + 1)
    return _randint(key, shape, minval, maxval, sample_dtype).astype(dtype)


def _randint(key, shape, minval, maxval, dtype):
    _check_shape("randint", shape, _shape_of(minval), _shape_of(maxval))
    minval = jnp.asarray(minval)
    maxval = jnp.asarray(maxval)
    if not dtypes.is_int(minval.dtype):
        minval = minval.astype(int)
    if not dtypes.is_int(maxval.dtype):
        maxval = maxval.astype(int)
    top = _convert_and_clip_integer(jnp.asarray(np.array(dtypes.iinfo(dtype).max, dtype)), maxval.dtype)
    maxval_out_of_range = jnp.greater(maxval, top)
    minval = _convert_and_clip_integer(minval, dtype)
    maxval = _convert_and_clip_integer(maxval, dtype)
    nbits = dtypes.iinfo(dtype).bits
    keys = _split(key, (2,))
    higher = _random_bits(keys[0], nbits, shape)
    lower = _random_bits(keys[1], nbits, shape)
    udt = _UINT_DTYPES[nbits]
    span = lax.convert_element_type(_L.sub(maxval, minval), udt)
    span = lax.select(jnp.less_equal(maxval, minval), jnp.ones_like(span), span)
    span = lax.select(jnp.logical_and(maxval_out_of_range, jnp.greater(maxval, minval)),
                      _L.add(span, jnp.ones_like(span)), span)
    # (a * b) % N == ((a % N) * (b % N)) % N; 2**nbits % span without overflowing.
    half = jnp.full_like(span, 2 ** (nbits // 2))
    multiplier = _L.rem(half, span)
    multiplier = _L.rem(_L.mul(multiplier, multiplier), span)
    offset = _L.add(_L.mul(_L.rem(higher, span), multiplier), _L.rem(lower, span))
    offset = _L.rem(offset, span)
    return jnp.add(minval, lax.convert_element_type(offset, dtype))


# ---- permutations and discrete choices -------------------------------------------------------
def _sort_by(sort_keys, x, axis):
    """x reordered along `axis` by a stable sort of uint32 `sort_keys` (same shape)."""
    return lax.sort_key_val(sort_keys, x, axis)[1]


def _shuffle(key, x, axis):
    exponent = 3
    uint32max = np.iinfo(np.uint32).max
    num_rounds = int(np.ceil(exponent * np.log(builtins.max(1, x.size)) / np.log(uint32max)))
    for _ in range(num_rounds):
        keys = _split(key, (2,))
        key, subkey = keys[0], keys[1]
        sort_keys = _random_bits(subkey, 32, x.shape)
        x = _sort_by(sort_keys, x, axis)
    return x


def permutation(key, x, axis=0, independent=False):
    """A random permutation of arange(x) (int x) or of x's slices along `axis`."""
    key = _check_key("permutation", key)
    if isinstance(x, (int, np.integer)) or (np.ndim(x) == 0 if not isinstance(x, Array) else x.ndim == 0):
        xa = jnp.asarray(x)
        if not dtypes.is_int(xa.dtype):
            raise TypeError("x must be an integer or at least 1-dimensional")
        r = operator.index(x) if not isinstance(x, Array) else int(x)
        return _shuffle(key, jnp.arange(r), 0)
    x = jnp.asarray(x)
    axis = _canonical_axis(axis, x.ndim)
    if independent or x.ndim == 1:
        return _shuffle(key, x, axis)
    ind = _shuffle(key, jnp.arange(x.shape[axis]), 0)
    return jnp.take(x, ind, axis=axis)


def shuffle(key, x, axis=0):
    """Deprecated in JAX in favour of permutation; shuffles `x` along `axis`."""
    key = _check_key("shuffle", key)
    x = jnp.asarray(x)
    return _shuffle(key, x, _canonical_axis(axis, x.ndim))


def _canonical_axis(axis, ndim):
    if not -ndim <= axis < builtins.max(ndim, 1):
        raise ValueError(f"axis {axis} is out of bounds for array of dimension {ndim}")
    return axis % builtins.max(ndim, 1)


def categorical(key, logits, axis=-1, shape=None, replace=True, mode=None):
    """Indices sampled from softmax(logits) along `axis` (Gumbel-max trick)."""
    key = _check_key("categorical", key)
    logits = jnp.asarray(logits)
    nd = logits.ndim
    axis_c = _canonical_axis(axis, nd)
    batch_shape = tuple(d for i, d in enumerate(logits.shape) if i != axis_c)
    shape = _sample_shape("categorical", shape, batch_shape)
    mode = "low" if mode is None else mode
    prefix = shape[:len(shape) - len(batch_shape)]
    if replace:
        ax = axis if axis < 0 else axis - nd
        logits_shape = list(shape[len(shape) - len(batch_shape):])
        logits_shape.insert(ax % nd, logits.shape[ax])
        g = _gumbel(key, (*prefix, *logits_shape), logits.dtype, mode)
        expanded = jnp.reshape(logits, (1,) * len(prefix) + logits.shape)
        return jnp.argmax(jnp.add(g, expanded), axis=ax)
    logits = jnp.add(logits, _gumbel(key, logits.shape, logits.dtype, mode))
    k = math.prod(prefix)
    if k > logits.shape[axis_c]:
        raise ValueError(f"Number of samples without replacement ({k}) cannot exceed number "
                         f"of categories ({logits.shape[axis_c]}).")
    _, idx = lax.top_k(jnp.moveaxis(logits, axis_c, -1), k)
    idx = jnp.moveaxis(idx, -1, 0)
    return jnp.reshape(idx, shape)


def choice(key, a, shape=(), replace=True, p=None, axis=0, mode=None):
    """Random samples from `a` (or arange(a)), with or without replacement, optional weights p."""
    key = _check_key("choice", key)
    if not isinstance(shape, Sequence):
        raise TypeError(f"shape argument of jax.random.choice must be a sequence, got {shape}")
    shape = _canonical_shape(shape)
    arr = jnp.asarray(a)
    if arr.ndim == 0:
        n_inputs = operator.index(a) if not isinstance(a, Array) else int(a)
    else:
        axis = _canonical_axis(axis, arr.ndim)
        n_inputs = arr.shape[axis]
    n_draws = math.prod(shape)
    if n_draws == 0:
        return jnp.zeros(shape, dtype=arr.dtype)
    if n_inputs <= 0:
        raise ValueError("a must be greater than 0 unless no samples are taken")
    if not replace and n_draws > n_inputs:
        raise ValueError(f"Cannot take a larger sample (size {n_draws}) than population "
                         f"(size {n_inputs}) when 'replace=False'")
    if p is None:
        if replace:
            ind = randint(key, shape, 0, n_inputs)
            result = ind if arr.ndim == 0 else jnp.take(arr, ind, axis=axis)
        else:
            perm = permutation(key, n_inputs if arr.ndim == 0 else arr, axis)
            result = lax.slice_in_dim(perm, 0, n_draws, 1, axis)
    else:
        p_arr = jnp.asarray(p)
        if not dtypes.is_inexact(p_arr.dtype):
            p_arr = p_arr.astype(dtypes.default_float())
        if p_arr.shape != (n_inputs,):
            raise ValueError("p must be None or a 1D vector with the same size as a.shape[axis]. "
                             f"p has shape {p_arr.shape} and a.shape[axis] is {n_inputs}.")
        if replace:
            p_cuml = jnp.cumsum(p_arr)
            r = jnp.multiply(p_cuml[-1], jnp.subtract(1, _uniform(key, shape, p_cuml.dtype, 0.0, 1.0)))
            # searchsorted(p_cuml, r, side='left') == number of entries strictly below r
            below = jnp.less(jnp.reshape(p_cuml, (1,) * len(shape) + (n_inputs,)),
                             jnp.expand_dims(r, -1))
            ind = jnp.sum(below.astype(dtypes.default_int()), axis=-1)
        else:
            g = jnp.add(_gumbel(key, (n_inputs,), p_arr.dtype, mode or "low"), jnp.log(p_arr))
            ind = lax.top_k(g, n_draws)[1].astype(int)
        result = ind if arr.ndim == 0 else jnp.take(arr, ind, axis=axis)
    out_shape = shape if arr.ndim == 0 else arr.shape[:axis] + tuple(shape) + arr.shape[axis + 1:]
    return jnp.reshape(result, out_shape)


# ---- gamma family (Marsaglia-Tsang with rejection loops, JAX's exact key schedule) ---------------
def _gamma_one(key, alpha, log_space):
    """One Gamma(alpha) draw (or its log) from one key, as JAX's _gamma_one."""
    dtype = alpha.dtype
    zero, one = jnp.zeros((), dtype), jnp.ones((), dtype)
    minus_one, two = jnp.full((), -1, dtype), jnp.full((), 2, dtype)
    one_over_three = jnp.full((), 1.0 / 3.0, dtype)
    squeeze_const = jnp.full((), 0.0331, dtype)
    boost_mask = _L.ge(alpha, one)
    alpha_orig = alpha
    alpha = lax.select(boost_mask, alpha, _L.add(alpha, one))
    d = _L.sub(alpha, one_over_three)
    c = _L.div(one_over_three, lax.sqrt(d))

    def cond_fn(state):
        _, X, V, U = state
        return _L.and_(
            _L.ge(U, _L.sub(one, _L.mul(squeeze_const, _L.mul(X, X)))),
            _L.ge(lax.log(U), _L.add(_L.mul(X, jnp.full((), 0.5, dtype)),
                                       _L.mul(d, _L.add(_L.sub(one, V), lax.log(V))))))

    def body_fn(state):
        def next_kxv(kxv):
            k = kxv[0]
            ks = _split(k, (2,))
            k, subkey = ks[0], ks[1]
            x = _normal_real(subkey, (), dtype)
            v = _L.add(one, _L.mul(x, c))
            return k, x, v

        k = state[0]
        ks = _split(k, (3,))
        k, x_key, u_key = ks[0], ks[1], ks[2]
        _, x, v = lax.while_loop(lambda kxv: _L.le(kxv[2], zero), next_kxv, (x_key, zero, minus_one))
        X = _L.mul(x, x)
        V = _L.mul(_L.mul(v, v), v)
        U = _uniform(u_key, (), dtype, 0.0, 1.0)
        return k, X, V, U

    ks = _split(key, (2,))
    key, subkey = ks[0], ks[1]
    _, _, V, _ = lax.while_loop(cond_fn, body_fn, (key, zero, one, two))
    if log_space:
        log_samples = lax.neg(exponential(subkey, (), dtype=dtype))
        log_boost = lax.select(jnp.logical_or(boost_mask, log_samples == 0), zero,
                               _L.mul(log_samples, _L.div(one, alpha_orig)))
        return _L.add(_L.add(lax.log(d), lax.log(V)), log_boost)
    samples = _L.sub(one, _uniform(subkey, (), dtype, 0.0, 1.0))
    boost = lax.select(boost_mask, one, _L.pow(samples, _L.div(one, alpha_orig)))
    return _L.mul(_L.mul(d, V), boost)


def _gamma(key, a, shape, dtype, log_space):
    a = jnp.asarray(a)
    shape = _sample_shape("gamma", shape, a.shape)
    a = lax.convert_element_type(a, dtype)
    if a.shape != shape:
        a = jnp.broadcast_to(a, shape)
    if math.prod(shape) == 0:
        return jnp.zeros(shape, dtype)
    return _gamma_sample(key, a, log_space)


def _gamma_sample_impl(key, a, log_space):
    n = math.prod(a.shape)
    keys = _split(key, (n,))
    from .api import vmap
    samples = vmap(lambda k, al: _gamma_one(k, al, log_space))(keys, jnp.reshape(a, (n,)))
    return jnp.reshape(samples, a.shape)


def _gamma_sample_jvp(log_space, primals, tangents):
    """JAX's implicit reparameterization: d sample / d a = -(dCDF/da) / pdf at the sample."""
    key, a = primals
    sample = _gamma_sample(key, a, log_space)
    if log_space:
        x = lax.exp(sample)
        x = lax.select(x == 0, jnp.full_like(x, _tiny(x.dtype)), x)
        grad = _random_gamma_grad(a, x) / x
    else:
        grad = _random_gamma_grad(a, sample)
    return sample, tangents[1] * grad


def _make_gamma_sample():
    from .custom_derivatives import custom_jvp
    f = custom_jvp(_gamma_sample_impl, nondiff_argnums=(2,))
    f.defjvp(_gamma_sample_jvp)
    return f


def _gamma_sample(key, a, log_space):
    global _gamma_sample_cjvp
    if _gamma_sample_cjvp is None:
        _gamma_sample_cjvp = _make_gamma_sample()
    return _gamma_sample_cjvp(key, a, log_space)


_gamma_sample_cjvp = None


def _igamma_series_sample_grad(ax, x, a, enabled):
    """d x / d a of a Gamma(a) sample x where x <= 1 or x <= a: the series of P(a, x)."""
    eps = float(dtypes.finfo(a.dtype).eps)

    def body(vals):
        en, r, c, ans, dc_da, dans_da = vals
        r2 = r + 1
        dc_da2 = dc_da * (x / r2) - (c * x) / (r2 * r2)
        dans_da2 = dans_da + dc_da2
        c2 = c * (x / r2)
        ans2 = ans + c2
        cont = en & (jnp.abs(dc_da2 / dans_da2) > eps)
        keep = lambda new, old: lax.select(en, new, old)  # noqa: E731
        return (cont, keep(r2, r), keep(c2, c), keep(ans2, ans), keep(dc_da2, dc_da),
                keep(dans_da2, dans_da))

    one, zero = jnp.ones_like(a), jnp.zeros_like(a)
    vals = lax.while_loop(lambda v: jnp.any(v[0]), body, (enabled, a, one, one, zero, zero))
    ans, dans_da = vals[3], vals[5]
    dlogax_da = lax.log(x) - lax.digamma(a + 1)
    return -(dans_da + ans * dlogax_da) * x / a


def _igammac_cf_sample_grad(ax, x, a, enabled):
    """The same derivative where x > 1 and x > a: the continued fraction of Q(a, x)."""
    eps = float(dtypes.finfo(a.dtype).eps)

    def body(vals):
        (en, ans, y, z, c, pkm1, qkm1, pkm2, qkm2, dpkm2, dqkm2, dpkm1, dqkm1, dans) = vals
        c = c + 1
        y2, z2 = y + 1, z + 2
        yc = y2 * c
        pk = pkm1 * z2 - pkm2 * yc
        qk = qkm1 * z2 - qkm2 * yc
        nz = qk != 0
        r = pk / jnp.where(nz, qk, 1)
        ans2 = lax.select(nz, r, ans)
        dpk = dpkm1 * z2 - pkm1 - dpkm2 * yc + pkm2 * c
        dqk = dqkm1 * z2 - qkm1 - dqkm2 * yc + qkm2 * c
        dans2 = lax.select(nz, (dpk - ans2 * dqk) / jnp.where(nz, qk, 1), dans)
        gcond = lax.select(nz, jnp.abs(dans2 - dans), jnp.ones_like(dans))
        npkm2, npkm1, nqkm2, nqkm1 = pkm1, pk, qkm1, qk
        ndpkm2, ndqkm2, ndpkm1, ndqkm1 = dpkm1, dqkm1, dpk, dqk
        rescale = jnp.abs(pk) > 1 / eps
        sc = lambda v: lax.select(rescale, v * eps, v)  # noqa: E731
        npkm2, npkm1, nqkm2, nqkm1 = sc(npkm2), sc(npkm1), sc(nqkm2), sc(nqkm1)
        ndpkm2, ndqkm2, ndpkm1, ndqkm1 = sc(ndpkm2), sc(ndqkm2), sc(ndpkm1), sc(ndqkm1)
        cont = en & (gcond > eps)
        keep = lambda new, old: lax.select(en, new, old)  # noqa: E731
        return (cont, keep(ans2, ans), keep(y2, y), keep(z2, z), c,
                keep(npkm1, pkm1), keep(nqkm1, qkm1), keep(npkm2, pkm2), keep(nqkm2, qkm2),
                keep(ndpkm2, dpkm2), keep(ndqkm2, dqkm2), keep(ndpkm1, dpkm1), keep(ndqkm1, dqkm1),
                keep(dans2, dans))

    y = 1 - a
    z = x + y + 1
    pkm1, qkm1 = x + 1, z * x
    ans = pkm1 / qkm1
    zero = jnp.zeros_like(x)
    dqkm1 = -x
    dans = (zero - ans * dqkm1) / qkm1
    init = (enabled, ans, y, z, jnp.zeros((), x.dtype), pkm1, qkm1, jnp.ones_like(x), x,
            zero, zero, zero, dqkm1, dans)
    vals = lax.while_loop(lambda v: jnp.logical_and(v[4] < 2000, jnp.any(v[0])), body, init)
    ans, dans = vals[1], vals[13]
    dlogax_da = lax.log(x) - lax.digamma(a)
    return -(dans + ans * dlogax_da) * x


def _random_gamma_grad(a, x):
    """JAX's lax.random_gamma_grad(a, x): the derivative of a Gamma(a) sample x w.r.t. a at fixed
    CDF, by XLA's series / continued-fraction scheme with derivatives carried along."""
    is_nan = jnp.isnan(a) | jnp.isnan(x)
    x_is_zero = x == 0
    domain_error = (x < 0) | (a <= 0)
    use_cf = (x > 1) & (x > a)
    safe_x = jnp.where(x_is_zero | domain_error | is_nan, jnp.ones_like(x), x)
    safe_a = jnp.where(domain_error | is_nan, jnp.ones_like(a), a)
    ax = safe_a * lax.log(safe_x) - safe_x - lax.lgamma(safe_a)
    underflow = ax < -float(np.log(dtypes.finfo(a.dtype).max))
    enabled = ~(x_is_zero | domain_error | underflow | is_nan)
    ax = lax.exp(ax)
    out = lax.select(use_cf, -_igammac_cf_sample_grad(ax, safe_x, safe_a, enabled & use_cf),
                     _igamma_series_sample_grad(ax, safe_x, safe_a, enabled & ~use_cf))
    out = lax.select(x_is_zero, jnp.zeros_like(out), out)
    return lax.select(domain_error | is_nan, jnp.full_like(out, np.nan), out)


def gamma(key, a, shape=None, dtype=None):
    """Gamma(a, 1) samples (Marsaglia & Tsang), matching JAX's draws for the same key."""
    key = _check_key("gamma", key)
    return _gamma(key, a, shape, _float_dtype("gamma", dtype), False)


def loggamma(key, a, shape=None, dtype=None):
    """log of Gamma(a, 1) samples, accurate for small a."""
    key = _check_key("loggamma", key)
    return _gamma(key, a, shape, _float_dtype("loggamma", dtype), True)


def beta(key, a, b, shape=None, dtype=None):
    """Beta(a, b) samples from two log-gamma draws."""
    key = _check_key("beta", key)
    dtype = _float_dtype("beta", dtype)
    shape = _sample_shape("beta", shape, _shape_of(a), _shape_of(b))
    a = jnp.broadcast_to(lax.convert_element_type(jnp.asarray(a), dtype), shape)
    b = jnp.broadcast_to(lax.convert_element_type(jnp.asarray(b), dtype), shape)
    ks = _split(key, (2,))
    log_a = _gamma(ks[0], a, shape, dtype, True)
    log_b = _gamma(ks[1], b, shape, dtype, True)
    log_max = _L.max(log_a, log_b)
    ga, gb = jnp.exp(log_a - log_max), jnp.exp(log_b - log_max)
    return ga / (ga + gb)


def dirichlet(key, alpha, shape=None, dtype=None):
    """Dirichlet(alpha) samples: softmax of log-gamma draws along the last axis."""
    key = _check_key("dirichlet", key)
    dtype = _float_dtype("dirichlet", dtype)
    alpha = jnp.asarray(alpha)
    if alpha.ndim < 1:
        raise ValueError(f"dirichlet requires alpha.ndim >= 1, got alpha.ndim == {alpha.ndim}")
    shape = _sample_shape("dirichlet", shape, alpha.shape[:-1])
    alpha = lax.convert_element_type(alpha, dtype)
    logs = _gamma(key, alpha, tuple(shape) + alpha.shape[-1:], dtype, True)
    m = jnp.max(logs, axis=-1, keepdims=True)
    e = jnp.exp(logs - lax.stop_gradient(m))
    return e / jnp.sum(e, axis=-1, keepdims=True)


def multivariate_normal(key, mean, cov, shape=None, dtype=None, method="cholesky"):
    """Samples mean + factor @ z for z standard normal (factor from cholesky, svd or eigh)."""
    key = _check_key("multivariate_normal", key)
    dtype = _float_dtype("multivariate_normal", dtype)
    if method not in ("svd", "eigh", "cholesky"):
        raise ValueError("method must be one of {'svd', 'eigh', 'cholesky'}")
    mean = lax.convert_element_type(jnp.asarray(mean), dtype)
    cov = lax.convert_element_type(jnp.asarray(cov), dtype)
    if mean.ndim < 1:
        raise ValueError(f"multivariate_normal requires mean.ndim >= 1, got mean.ndim == {mean.ndim}")
    if cov.ndim < 2:
        raise ValueError(f"multivariate_normal requires cov.ndim >= 2, got cov.ndim == {cov.ndim}")
    n = mean.shape[-1]
    if cov.shape[-2:] != (n, n):
        raise ValueError(f"multivariate_normal requires cov.shape == (..., n, n) for n={n}, but got "
                         f"cov.shape == {cov.shape}.")
    if shape is None:
        shape = lax.broadcast_shapes("multivariate_normal", mean.shape[:-1], cov.shape[:-2])
    else:
        shape = _canonical_shape(shape)
        _check_shape("normal", shape, mean.shape[:-1], cov.shape[:-2])
    if method == "svd":
        u, s, _ = jnp.linalg.svd(cov)
        factor = u * jnp.sqrt(s[..., None, :])
    elif method == "eigh":
        w, v = jnp.linalg.eigh(cov)
        factor = v * jnp.sqrt(w[..., None, :])
    else:
        factor = jnp.linalg.cholesky(cov)
    z = _normal_real(key, tuple(shape) + mean.shape[-1:], dtype)
    return mean + jnp.einsum("...ij,...j->...i", factor, z)


# ---- more samplers: JAX's algorithms, key splits and uniform draws, so draws match JAX -----------
class KeyTy:
    """The dtype JAX gives typed keys of an implementation (`key<fry>` for threefry2x32).
    jaxish keys are uint32[..., 2] data, so no array has this dtype; it names the impl."""
    _IMPLS = {"threefry2x32": "fry"}

    def __init__(self, impl="threefry2x32"):
        self.impl = impl
        self.name = f"key<{self._IMPLS[impl]}>"

    def __repr__(self):
        return self.name

    def __eq__(self, other):
        return isinstance(other, KeyTy) and other.impl == self.impl

    def __hash__(self):
        return hash(("KeyTy", self.impl))


def key_dtype(impl_spec=None):
    """The key dtype of a PRNG implementation (jaxish has only threefry2x32)."""
    if impl_spec is None or isinstance(impl_spec, KeyTy):
        return KeyTy()
    if not isinstance(impl_spec, str):
        raise TypeError(f"unrecognized type {type(impl_spec)} for specifying PRNG implementation.")
    _check_impl(impl_spec)
    return KeyTy(impl_spec)


def _check_arraylike(name, *args):
    for i, a in enumerate(args):
        if not (isinstance(a, (Array, np.ndarray, np.generic, int, float, complex, bool))
                or hasattr(a, "__jax_array__")):
            raise TypeError(f"{name} requires ndarray or scalar arguments, got {type(a)} at "
                            f"position {i}.")


def _check_safe_cast(name, dtype, *args):
    """JAX's TypePromotionError (a ValueError) when a parameter would lose precision in `dtype`."""
    for a in args:
        if jnp.result_type(a, dtype) != dtype:
            raise ValueError(f"In arguments to {name}, cannot safely cast argument of type "
                             f"{jnp.asarray(a).dtype} (shape {_shape_of(a)}) to {dtype}")


def _param_shape(name, shape, *params):
    """The sample shape: `shape` (checked against the parameters) or their broadcast shape."""
    shapes = [_shape_of(p) for p in params]
    if shape is None:
        try:
            return lax.broadcast_shapes(name, *shapes) if shapes else ()
        except TypeError:
            raise ValueError(f"Incompatible shapes for broadcasting: shapes={shapes}") from None
    shape = _canonical_shape(shape)
    _check_shape(name, shape, *shapes)
    return shape


def _check_broadcasts_to(name, argname, x, shape):
    xs = x.shape
    if len(xs) > len(shape) or any(a not in (1, b) for a, b in zip(xs[::-1], shape[::-1])):
        raise ValueError(f"{name}: {argname} of shape {xs} and dtype {x.dtype} does not "
                         f"broadcast to the requested shape {tuple(shape)}")


def _float_param(x, dtype):
    return lax.convert_element_type(jnp.asarray(x), dtype)


def _int_dtype(name, dtype):
    dtype = dtypes.canonicalize(dtypes.check_dtype(int if dtype is None else dtype))
    if not dtypes.is_int(dtype):
        raise ValueError(f"dtype argument to `{name}` must be an int dtype, got {dtype}")
    return dtype


def _split2(key, n=2):
    ks = _split(key, (n,))
    return tuple(ks[i] for i in range(n))


def _poisson_knuth(key, lam, shape, dtype, max_iters):
    def body_fn(carry):
        i, k, rng, log_prod = carry
        rng, subkey = _split2(rng)
        k = lax.select(log_prod > -lam, k + 1, k)
        u = _uniform(subkey, shape, dtypes.float32, 0.0, 1.0)
        return i + 1, k, rng, log_prod + jnp.log(u)

    def cond_fn(carry):
        i, log_prod = carry[0], carry[3]
        return jnp.logical_and(jnp.any(log_prod > -lam), i < max_iters)

    init = (jnp.zeros((), dtype), jnp.zeros(shape, dtype), key, jnp.zeros(shape, dtypes.float32))
    k = lax.while_loop(cond_fn, body_fn, init)[1]
    return (k - 1).astype(dtype)


def _poisson_rejection(key, lam, shape, dtype, max_iters):
    """Hormann's transformed rejection, for lam >= 10."""
    log_lam = lax.log(lam)
    b = 0.931 + 2.53 * lax.sqrt(lam)
    a = -0.059 + 0.02483 * b
    inv_alpha = 1.1239 + 1.1328 / (b - 3.4)
    v_r = 0.9277 - 3.6224 / (b - 2)

    def body_fn(carry):
        i, k_out, accepted, key = carry
        key, subkey_0, subkey_1 = _split2(key, 3)
        u = _uniform(subkey_0, shape, lam.dtype, 0.0, 1.0) - 0.5
        v = _uniform(subkey_1, shape, lam.dtype, 0.0, 1.0)
        u_shifted = 0.5 - abs(u)
        k = lax.floor((2 * a / u_shifted + b) * u + lam + 0.43)
        s = lax.log(v * inv_alpha / (a / (u_shifted * u_shifted) + b))
        t = -lam + k * log_lam - lax.lgamma(k + 1)
        accept1 = (u_shifted >= 0.07) & (v <= v_r)
        reject = (k < 0) | ((u_shifted < 0.013) & (v > u_shifted))
        accept = accept1 | (~reject & (s <= t))
        return i + 1, lax.select(accept, k, k_out), accepted | accept, key

    def cond_fn(carry):
        i, _, accepted, _ = carry
        return jnp.logical_and(jnp.any(~accepted), i < max_iters)

    init = (jnp.zeros((), dtype), jnp.full(shape, -1, lam.dtype), jnp.zeros(shape, bool), key)
    return lax.while_loop(cond_fn, body_fn, init)[1].astype(dtype)


def poisson(key, lam, shape=None, dtype=None):
    """Poisson(lam) counts: Knuth's method below lam=10, Hormann's rejection above (as JAX)."""
    key = _check_key("poisson", key)
    dtype = _int_dtype("poisson", dtype)
    lam = jnp.asarray(lam)
    if shape is None:
        shape = lam.shape
    else:
        shape = _canonical_shape(shape)
        _check_broadcasts_to("poisson", "lam", lam, shape)
    lam = lax.convert_element_type(jnp.broadcast_to(lam, shape), dtypes.float32)
    use_knuth = jnp.isnan(lam) | (lam < 10)
    lam_knuth = lax.select(use_knuth, lam, jnp.zeros_like(lam))
    lam_rejection = lax.select(use_knuth, jnp.full_like(lam, 1e5), lam)
    max_iters = jnp.asarray(np.array(dtypes.iinfo(dtype).max, dtype))
    result = lax.select(use_knuth, _poisson_knuth(key, lam_knuth, shape, dtype, max_iters),
                        _poisson_rejection(key, lam_rejection, shape, dtype, max_iters))
    return lax.select(lam == 0, jnp.zeros_like(result), result)


_STIRLING_TAIL = (0.0810614667953272, 0.0413406959554092, 0.0276779256849983, 0.02079067210376509,
                  0.0166446911898211, 0.0138761288230707, 0.0118967099458917, 0.0104112652619720,
                  0.00925546218271273, 0.00833056343336287)


def _stirling_approx_tail(k):
    """log(k!) minus its Stirling approximation: a table below 10, the asymptotic series above."""
    table = jnp.asarray(np.array(_STIRLING_TAIL, k.dtype))
    use_table = k <= 9
    k = jnp.clip(k, 0.0, 9.0)
    kp1sq = (k + 1) * (k + 1)
    approx = (1.0 / 12 - (1.0 / 360 - 1.0 / 1260 / kp1sq) / kp1sq) / (k + 1)
    return lax.select(use_table, jnp.take(table, jnp.floor(k).astype(dtypes.int32)), approx)


def _binomial_inversion(key, count, prob, shape, dtype):
    log1minusprob = jnp.log1p(-prob)

    def body_fn(carry):
        num_geom, geom_sum, key = carry
        subkey, key = _split2(key)
        num_geom_out = lax.select(geom_sum <= count, num_geom + 1, num_geom)
        u = _uniform(subkey, shape, prob.dtype, 0.0, 1.0)
        geom = jnp.ceil(jnp.log(u) / log1minusprob)
        return num_geom_out, geom_sum + geom, key

    init = (jnp.zeros(shape, prob.dtype), jnp.zeros(shape, prob.dtype), key)
    k = lax.while_loop(lambda c: jnp.any(c[1] <= count), body_fn, init)[0]
    return (k - 1).astype(dtype)


def _btrs(key, count, prob, shape, dtype):
    """Hormann's BTRS transformed rejection, for count * prob > 10."""
    stddev = jnp.sqrt(count * prob * (1 - prob))
    b = 1.15 + 2.53 * stddev
    a = -0.0873 + 0.0248 * b + 0.01 * prob
    c = count * prob + 0.5
    v_r = 0.92 - 4.2 / b
    r = prob / (1 - prob)
    alpha = (2.83 + 5.1 / b) * stddev
    m = jnp.floor((count + 1) * prob)

    def body_fn(carry):
        k_out, accepted, key = carry
        key, subkey_0, subkey_1 = _split2(key, 3)
        u = _uniform(subkey_0, shape, prob.dtype, 0.0, 1.0)
        v = _uniform(subkey_1, shape, prob.dtype, 0.0, 1.0)
        u = u - 0.5
        us = 0.5 - jnp.abs(u)
        accept1 = (us >= 0.07) & (v <= v_r)
        k = jnp.floor((2 * a / us + b) * u + c)
        reject = (k < 0) | (k > count)
        v = jnp.log(v * alpha / (a / (us * us) + b))
        ub = ((m + 0.5) * jnp.log((m + 1) / (r * (count - m + 1)))
              + (count + 1) * jnp.log((count - m + 1) / (count - k + 1))
              + (k + 0.5) * jnp.log(r * (count - k + 1) / (k + 1))
              + _stirling_approx_tail(m)
              + _stirling_approx_tail(count - m)
              - _stirling_approx_tail(k)
              - _stirling_approx_tail(count - k))
        accept = accept1 | (~reject & (v <= ub))
        return lax.select(accept, k, k_out), accepted | accept, key

    init = (jnp.full(shape, -1, prob.dtype), jnp.zeros(shape, bool), key)
    return lax.while_loop(lambda c: jnp.any(~c[1]), body_fn, init)[0].astype(dtype)


def _promote_inexact(*xs):
    xs = [jnp.asarray(x) if not isinstance(x, (int, float, complex)) else x for x in xs]
    dt = dtypes.to_inexact(jnp.result_type(*xs))
    return [jnp.asarray(x, dt) if not isinstance(x, Array) else lax.convert_element_type(x, dt)
            for x in xs]


def _binomial(key, count, prob, shape, dtype):
    if shape is None:
        shape = _param_shape("binomial", None, count, prob)
    else:
        _check_shape("binomial", shape, _shape_of(count), _shape_of(prob))
    (prob,) = _promote_inexact(prob)
    count = lax.convert_element_type(jnp.asarray(count), prob.dtype)
    count = jnp.broadcast_to(count, shape)
    prob = jnp.broadcast_to(prob, shape)
    p_lt_half = prob < 0.5
    q = lax.select(p_lt_half, prob, 1.0 - prob)
    count_nan_or_neg = jnp.isnan(count) | (count < 0.0)
    count_inf = jnp.isinf(count)
    q_is_nan = jnp.isnan(q)
    q_l_0 = q < 0.0
    q = lax.select(q_is_nan | q_l_0, jnp.full_like(q, 0.01), q)
    use_inversion = count_nan_or_neg | (count * q <= 10.0)
    count = jnp.floor(count)
    count_inv = lax.select(use_inversion, count, jnp.zeros_like(count))
    count_btrs = lax.select(use_inversion, jnp.full_like(count, 1e4), count)
    q_btrs = lax.select(use_inversion, jnp.full_like(q, 0.5), q)
    samples = lax.select(use_inversion, _binomial_inversion(key, count_inv, q, shape, dtype),
                         _btrs(key, count_btrs, q_btrs, shape, dtype))
    invalid = q_l_0 | q_is_nan | count_nan_or_neg
    samples = lax.select(invalid, jnp.full_like(samples, np.nan), samples)
    samples = lax.select(count_inf & ~invalid, jnp.full_like(samples, np.inf), samples)
    return lax.select(p_lt_half | count_nan_or_neg | q_is_nan | count_inf, samples,
                      count.astype(dtype) - samples)


def binomial(key, n, p, shape=None, dtype=None):
    """Binomial(n, p) counts as floats: inversion for n*min(p,1-p) <= 10, else BTRS (as JAX)."""
    key = _check_key("binomial", key)
    _check_arraylike("binomial", n, p)
    dtype = _float_dtype("binomial", dtype)
    if shape is not None:
        shape = _canonical_shape(shape)
    return _binomial(key, n, p, shape, dtype)


def geometric(key, p, shape=None, dtype=None):
    """Number of Bernoulli(p) trials up to and including the first success (>= 1)."""
    key = _check_key("geometric", key)
    dtype = _int_dtype("geometric", dtype)
    shape = _param_shape("geometric", shape, p)
    _check_arraylike("geometric", p)
    (p,) = _promote_inexact(p)
    u = _uniform(key, shape, p.dtype, 0.0, 1.0)
    u = jnp.where(u == 0, 1, u)
    log_one_minus_p = jnp.broadcast_to(lax.log1p(-p), shape)
    return (lax.floor(_L.div(lax.log(u), log_one_minus_p)) + 1).astype(dtype)


def _float_sampler(name, key, dtype, shape, *params):
    """The checked key, float dtype and sample shape of a sampler with array parameters."""
    key = _check_key(name, key)
    dtype = _float_dtype(name, dtype)
    shape = _param_shape(name, shape, *params)
    _check_safe_cast(name, dtype, *params)
    return key, dtype, shape


def _float_sampler_dtype(name, dtype, *params):
    dtype = _float_dtype(name, dtype)
    _check_safe_cast(name, dtype, *params)
    return dtype


def t(key, df, shape=None, dtype=None):
    """Student's t(df): normal * sqrt(df / 2 / Gamma(df / 2))."""
    key, dtype, shape = _float_sampler("t", key, dtype, shape, df)
    df = _float_param(df, dtype)
    key_n, key_g = _split2(key)
    n = _normal_real(key_n, shape, dtype)
    half_df = df / 2
    g = _gamma(key_g, half_df, shape, dtype, False)
    return n * jnp.sqrt(half_df / g)


def _chisquare(key, df, shape, dtype):
    df = _float_param(df, dtype)
    half_df = df / 2
    return jnp.exp(_gamma(key, half_df, shape, dtype, True)) * 2


def chisquare(key, df, shape=None, dtype=None):
    """Chi-square(df) = 2 * Gamma(df / 2), drawn in log space."""
    key, dtype, shape = _float_sampler("chisquare", key, dtype, shape, df)
    return _chisquare(key, df, shape, dtype)


def f(key, dfnum, dfden, shape=None, dtype=None):
    """F(dfnum, dfden): ratio of two scaled chi-square draws."""
    key, dtype, shape = _float_sampler("f", key, dtype, shape, dfnum, dfden)
    dfnum, dfden = _float_param(dfnum, dtype), _float_param(dfden, dtype)
    key_dfd, key_dfn = _split2(key)
    num = _chisquare(key_dfn, dfnum, shape, dtype) / dfnum
    den = _chisquare(key_dfd, dfden, shape, dtype) / dfden
    return num / den


def pareto(key, b, shape=None, dtype=None):
    """Pareto(b) on [1, inf): exp(Exponential / b)."""
    key, dtype, shape = _float_sampler("pareto", key, dtype, shape, b)
    b = _float_param(b, dtype)
    e = exponential(key, shape, dtype)
    return lax.exp(e / b)


def weibull_min(key, scale, concentration, shape=(), dtype=None):
    """Weibull samples by the inverse CDF; `shape` broadcasts with the parameters (as JAX)."""
    key = _check_key("weibull_min", key)
    dtype = _float_dtype("weibull_min", dtype)
    shape = _canonical_shape(shape)
    u = _uniform(key, shape, dtype, 0.0, 1.0)
    return jnp.power(-jnp.log1p(-u), 1.0 / jnp.asarray(concentration)) * scale


def wald(key, mean, shape=None, dtype=None):
    """Wald (inverse Gaussian) with the given mean and unit shape parameter."""
    key, dtype, shape = _float_sampler("wald", key, dtype, shape, mean)
    k1, k2 = _split2(key)
    mean = jnp.broadcast_to(_float_param(mean, dtype), shape)
    v = _normal_real(k1, shape, dtype)
    z = _uniform(k2, shape, dtype, 0.0, 1.0)
    y = lax.integer_pow(v, 2)
    y_sq = lax.integer_pow(y, 2)
    mean_sq = lax.integer_pow(mean, 2)
    sqrt_term = lax.sqrt(4 * mean * y + mean_sq * y_sq)
    x = mean + mean_sq * y / 2 - mean / 2 * sqrt_term
    return lax.select(_L.le(z, mean / (mean + x)), x, mean_sq / x)


def triangular(key, left, mode, right, shape=None, dtype=None):
    """Triangular(left, mode, right) by the inverse CDF."""
    key, dtype, shape = _float_sampler("triangular", key, dtype, shape, left, mode, right)
    left, mode, right = (jnp.broadcast_to(_float_param(x, dtype), shape) for x in (left, mode, right))
    fc = (mode - left) / (right - left)
    u = _uniform(key, shape, dtype, 0.0, 1.0)
    out1 = left + lax.sqrt(u * (right - left) * (mode - left))
    out2 = right - lax.sqrt((1 - u) * (right - left) * (right - mode))
    return lax.select(u < fc, out1, out2)


def double_sided_maxwell(key, loc, scale, shape=(), dtype=None):
    """sign * Maxwell * scale + loc. As in JAX the result has shape `shape + broadcast(loc, scale)`
    (and `broadcast + broadcast` when shape is ())."""
    key = _check_key("double_sided_maxwell", key)
    dtype = _float_dtype("double_sided_maxwell", dtype)
    shape = _canonical_shape(shape)
    params_shape = _param_shape("double_sided_maxwell", None, loc, scale)
    if not shape:
        shape = params_shape
    shape = shape + params_shape
    maxwell_key, rademacher_key = _split2(key)
    m = maxwell(maxwell_key, shape, dtype)
    sign = rademacher(rademacher_key, shape, dtype)
    return sign * m * scale + loc


def generalized_normal(key, p, shape=(), dtype=None):
    """Samples with density proportional to exp(-|x|**p): sign * Gamma(1/p) ** (1/p)."""
    key = _check_key("generalized_normal", key)
    shape = _canonical_shape(shape)
    dtype = _float_dtype("generalized_normal", dtype)
    return _generalized_normal(key, p, shape, dtype)


def _generalized_normal(key, p, shape, dtype):
    k1, k2 = _split2(key)
    g = _gamma(k1, 1 / p, shape, dtype, False)
    r = rademacher(k2, shape, dtype)
    return r * g ** (1 / p)


def _static_dim(name, argname, d):
    try:
        d = operator.index(d)
    except TypeError:
        raise TypeError(f"{name}: {argname} must be an integer, got {d!r} of type "
                        f"{type(d).__name__}") from None
    if d < 0:
        raise ValueError(f"{name}: {argname} must be nonnegative, got {d}")
    return d


def ball(key, d, p=2, shape=(), dtype=None):
    """Uniform samples from the unit Lp ball in d dimensions, of shape (*shape, d)."""
    key = _check_key("ball", key)
    shape = _canonical_shape(shape)
    dtype = _float_dtype("ball", dtype)
    d = _static_dim("ball", "d", d)
    k1, k2 = _split2(key)
    g = _generalized_normal(k1, p, (*shape, d), dtype)
    e = exponential(k2, shape, dtype)
    return g / (((jnp.abs(g) ** p).sum(-1) + e) ** (1 / p))[..., None]


def orthogonal(key, n, shape=(), dtype=None, m=None):
    """A uniformly random (semi-)orthogonal (unitary for complex dtypes) n x m matrix."""
    key = _check_key("orthogonal", key)
    shape = _canonical_shape(shape)
    dtype = _float_dtype("orthogonal", dtype, allow_complex=True)
    n = _static_dim("orthogonal", "n", n)
    m = n if m is None else _static_dim("orthogonal", "m", m)
    z = normal(key, (*shape, builtins.max(n, m), builtins.min(n, m)), dtype)
    q, r = jnp.linalg.qr(z)
    d = jnp.diagonal(r, axis1=-2, axis2=-1)
    x = q * jnp.expand_dims(jnp.sign(d), -2)
    return jnp.swapaxes(x, -1, -2) if n < m else x


def multinomial(key, n, p, *, shape=None, dtype=None, unroll=1):
    """Counts of n draws over the categories of p (last axis), by sequential binomials."""
    key = _check_key("multinomial", key)
    _check_arraylike("multinomial", n, p)
    n, p = _promote_inexact(n, p)
    if p.ndim < 1:
        raise ValueError(f"multinomial: p must have at least one dimension (the categories), got "
                         f"shape {p.shape} and dtype {p.dtype}")
    shape = p.shape if shape is None else _canonical_shape(shape)
    if not shape:
        raise ValueError("multinomial: shape must include the categories axis, got ()")
    _check_broadcasts_to("multinomial", "n", n, shape[:-1])
    _check_broadcasts_to("multinomial", "p", p, shape)
    n = jnp.broadcast_to(n, shape[:-1])
    p = jnp.moveaxis(jnp.broadcast_to(p, shape), -1, 0)
    remaining = lax.cumsum(p, 0, reverse=True)
    ratios = p / jnp.where(remaining == 0, 1, remaining)
    keys = _split(key, (ratios.shape[0],))

    def step(remainder, ratio_key):
        ratio, k = ratio_key
        count = _binomial(k, remainder, jnp.clip(ratio, 0, 1), None, remainder.dtype)
        return remainder - count, count

    _, counts = lax.scan(step, n, (ratios, keys), unroll=unroll)
    return jnp.moveaxis(counts, 0, -1).astype(dtype)
