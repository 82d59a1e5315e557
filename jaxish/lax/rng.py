"""jax.lax.rng_bit_generator, jax.lax.rng_uniform and jax.lax.RandomAlgorithm.

Both are XLA's low-level RNG ops in JAX, whose bits XLA leaves implementation-defined (they
differ across JAX backends). jaxish builds them on its own Threefry-2x32 hash
(jaxish.random), written with lax ops, so they stage under jit on every backend.

rng_bit_generator(key, shape, dtype=uint32, algorithm=RNG_DEFAULT) -> (new_key, bits)
  * key: uint32[4] (the usual form) or, with jax_enable_x64, uint64[2] (two words per u64,
    low word first, as JAX's bitcast); anything else raises (JAX fails an assertion when
    lowering, so the error here is a TypeError that is also an AssertionError).
  * dtype: uint8/16/32/64 (uint64 becomes uint32 without x64, as JAX canonicalizes it);
    other dtypes raise TypeError('rng_bit_generator: unsupported dtype ...') as JAX.
  * new_key has key's shape and dtype; bits has `shape` and `dtype`.
  * Scheme: the 128-bit key is compressed into a 64-bit Threefry key
    K = threefry(key[0:2], key[2:4]); then K is split (counters (tag, 0..2)) into a subkey
    for the bits and the four words of new_key; bits are jaxish.random's bits of that
    subkey. Deterministic in the key, and new_key is a fresh key to chain with.
  * algorithm: RNG_DEFAULT and RNG_THREE_FRY give the same stream (jaxish's default is
    Threefry; XLA's CPU default is Philox); RNG_PHILOX is NOT Philox-4x32, it is the same
    Threefry construction with another domain tag, so it is a separate, equally uniform
    stream.
  * Unlike XLA (whose new key is the old one with its counter advanced by the draw's
    size), new_key here is a fresh hash of the key that does not depend on shape/dtype.
  * vmap follows JAX's batching rule (jax/_src/lax/control_flow/loops.py): a batch of B keys
    uses only the first key, drawing bits of shape (B, *shape) from it; the returned keys
    are the input keys with row 0 replaced by that key's new key.
  * Not differentiable: the outputs are integers (their tangents are float0 zeros).
  * out_sharding is accepted and ignored.

rng_uniform(a, b, shape): XLA's stateful uniform in [a, b) (b <= a: unspecified), for scalar
  a and b of one dtype (ValueError otherwise, as JAX); the result has a's dtype and is
  weakly typed only if both are. Floats are drawn as jax.random.uniform, integers as
  jax.random.randint. State: a module-level 64-bit counter, read and advanced by an
  io_callback at run time, is folded into a fixed Threefry key, so every call (also every
  run of one jitted function) gets fresh values; `_rng_uniform_seed(n)` resets it. Bool
  and complex dtypes raise TypeError (XLA rejects or crashes on them). vmap and
  differentiation raise NotImplementedError, as JAX's missing rules do.
"""
import enum
import operator
import threading

import numpy as np

from .. import dtypes
from ..interpreters import core

__all__ = ["RandomAlgorithm", "rng_bit_generator", "rng_uniform"]


class RandomAlgorithm(enum.IntEnum):
    """Describes which PRNG algorithm to use for rng_bit_generator."""

    RNG_DEFAULT = 0
    "The platform's default algorithm."

    RNG_THREE_FRY = 1
    "The Threefry-2x32 PRNG algorithm."

    RNG_PHILOX = 2
    "The Philox-4x32 PRNG algorithm (in jaxish: a separate Threefry-2x32 stream)."

    def __str__(self):
        return self.name


class RngBitGeneratorKeyError(TypeError, AssertionError):
    """A bad rng_bit_generator key (JAX fails an assertion on it when lowering)."""


_UNSIGNED = {np.dtype(d) for d in ("uint8", "uint16", "uint32", "uint64")}


def _asarray(x, name):
    from ..numpy import asarray
    if isinstance(x, core.Tracer) or hasattr(x, "_t"):
        return x
    if isinstance(x, (list, tuple, dict)) or x is None:
        raise TypeError(f"Error interpreting argument to {name} as a JAX value. The problematic "
                        f"value is of type {type(x)} and was passed to {name} at position 0.")
    return asarray(x)


def _rbg_words(key4, tag):
    """(bits subkey uint32[2], new-key words uint32[4]) from a uint32[4] key."""
    from .. import numpy as jnp
    from .. import random as R
    u32 = dtypes.uint32
    k1, k2 = R._threefry2x32(key4[0], key4[1], key4[2], key4[3])   # 128 -> 64-bit key
    hi = jnp.full((3,), tag, u32)
    lo = jnp.asarray(np.arange(3, dtype=np.uint32))
    y1, y2 = R._threefry2x32(k1, k2, hi, lo)
    sub = jnp.stack([y1[0], y2[0]])
    new = jnp.stack([y1[1], y2[1], y1[2], y2[2]])
    return sub, new


def _rbg(key, shape, dtype, tag):
    from .. import random as R
    from . import _api
    u64_key = key.dtype == np.dtype("uint64")
    if u64_key:  # uint64[2] -> uint32[4], low word first (JAX's bitcast of u32[2,2] <-> u64[2])
        key4 = _api.reshape(_api.bitcast_convert_type(key, dtypes.uint32), (4,))
    else:
        key4 = key
    sub, new = _rbg_words(key4, tag)
    bits = R._random_bits(sub, 8 * dtype.itemsize, shape)
    if u64_key:
        new = _api.bitcast_convert_type(_api.reshape(new, (2, 2)), dtypes.uint64)
    return new, bits


def _rbg_batched(key, shape, dtype, tag):
    """JAX's batching rule: only keys[0] is used; it draws bits of shape (B, *shape)."""
    from ..custom_batching import custom_vmap
    from . import _api

    @custom_vmap
    def f(k):
        return _rbg(k, shape, dtype, tag)

    @f.def_vmap
    def rule(axis_size, in_batched, keys):
        new0, bits = _rbg_call(keys[0], (axis_size, *shape), dtype, tag)
        new_keys = _api.dynamic_update_index_in_dim(keys, new0, 0, 0)
        return (new_keys, bits), (True, True)

    return f(key)


def _rbg_call(key, shape, dtype, tag):
    from ..custom_derivatives import _is_eager
    if _is_eager():
        return _rbg(key, shape, dtype, tag)
    return _rbg_batched(key, shape, dtype, tag)


def _check_key(key):
    key = _asarray(key, "rng_bit_generator")
    kshape, kdtype = tuple(key.shape), np.dtype(key.dtype)
    if not ((kshape == (4,) and kdtype == np.dtype("uint32")) or
            (kshape == (2,) and kdtype == np.dtype("uint64"))):
        raise RngBitGeneratorKeyError(f"rng_bit_generator: the key must be uint32[4] (or uint64[2] with "
                        f"jax_enable_x64); got {kdtype.name}{list(kshape)}")
    return key


def rng_bit_generator(key, shape, dtype=np.uint32, algorithm=RandomAlgorithm.RNG_DEFAULT,
                      *, out_sharding=None):
    """Stateless PRNG bit generator: returns (new_key, bits), bits uniformly distributed
    unsigned integers of `shape` and `dtype` (see the module docstring for jaxish's
    algorithm, which differs from XLA's, as XLA's differ across platforms)."""
    from ..random import _canonical_shape
    shape = _canonical_shape(shape, "rng_bit_generator: shape")
    dtype = dtypes.check_dtype(dtype)
    if dtype is None or np.dtype(dtype) not in _UNSIGNED:
        raise TypeError(f"rng_bit_generator: unsupported dtype {dtype}")
    dtype = np.dtype(dtypes.canonicalize(dtype))
    if algorithm not in tuple(RandomAlgorithm):
        raise AssertionError(f"rng_bit_generator: unknown algorithm {algorithm!r}")
    tag = 1 if int(algorithm) == RandomAlgorithm.RNG_PHILOX else 0
    key = _check_key(key)
    return tuple(_rbg_call(key, shape, dtype, tag))


# ---- rng_uniform ---------------------------------------------------------------------------
class _Counter:
    def __init__(self):
        self.lock = threading.Lock()
        self.value = 0

    def next(self):
        with self.lock:
            v = self.value
            self.value = (v + 1) % 2 ** 64
        return np.array([v >> 32, v & 0xFFFFFFFF], np.uint32)


_counter = _Counter()
_UNIFORM_KEY = (0x6A09E667, 0xBB67AE85)   # fixed base key of the stateful stream


def _rng_uniform_seed(n=0):
    """Reset rng_uniform's state counter (for reproducible tests)."""
    with _counter.lock:
        _counter.value = int(n) % 2 ** 64


def _uniform_impl(a, b, shape, dtype):
    from .. import numpy as jnp
    from .. import random as R
    from ..callback import io_callback
    from ..api import ShapeDtypeStruct
    count = io_callback(_counter.next, ShapeDtypeStruct((2,), np.uint32))
    base = jnp.asarray(np.array(_UNIFORM_KEY, np.uint32))
    y1, y2 = R._threefry2x32(base[0], base[1], count[0], count[1])
    key = jnp.stack([y1, y2])
    if dtypes.is_int(dtype):
        return R.randint(key, shape, a, b, dtype)
    return R._uniform(key, shape, dtype, a, b)


def rng_uniform(a, b, shape):
    """Stateful PRNG generator: values uniform in [a, b) of `shape` and the (common) dtype of
    the scalars a and b. Experimental in JAX, as here; use jaxish.random for most purposes."""
    from ..custom_derivatives import custom_jvp, _is_eager
    from ..custom_batching import custom_vmap
    shape = tuple(shape)
    a = _asarray(a, "rng_uniform")
    b = _asarray(b, "rng_uniform")
    if a.dtype != b.dtype:
        raise ValueError(f"Arguments to rng_uniform must have identical dtypes, got {a.dtype} "
                         f"and {b.dtype}.")
    if a.shape != () or b.shape != ():
        raise ValueError(f"Arguments to rng_uniform must be scalars; got shapes {a.shape} and "
                         f"{b.shape}.")
    shape = tuple(operator.index(d) for d in shape)
    if any(d < 0 for d in shape):
        raise ValueError(f"rng_uniform: shape must have nonnegative dimensions, got {shape}")
    dtype = np.dtype(a.dtype)
    if not (dtypes.is_int(dtype) or dtypes.issubdtype(dtype, np.floating)):
        raise TypeError(f"rng_uniform: unsupported dtype {dtype} (integer or floating point only)")
    weak = bool(getattr(a, "weak_type", False) and getattr(b, "weak_type", False))
    if _is_eager():
        out = _uniform_impl(a, b, shape, dtype)
    else:
        @custom_jvp
        def g(a, b):
            return _uniform_impl(a, b, shape, dtype)

        @g.defjvp
        def g_jvp(primals, tangents):
            raise NotImplementedError("Differentiation rule for 'rng_uniform' not implemented")

        @custom_vmap
        def f(a, b):
            return g(a, b)

        @f.def_vmap
        def f_vmap(axis_size, in_batched, a, b):
            raise NotImplementedError("Batching rule for 'rng_uniform' not implemented")

        out = f(a, b)
    if weak:
        from . import _ops
        out = _ops.convert(out, dtype, weak_type=True)
    return out
