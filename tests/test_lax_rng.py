"""lax.rng_bit_generator / lax.rng_uniform / lax.RandomAlgorithm (jaxish/lax/rng.py).

Shapes, dtypes, structure, weak types and errors are pinned from JAX 0.10.2 (CPU). The bits
are implementation-defined in XLA, so they are checked for determinism, chaining, jit==eager
on every backend, JAX's vmap rule and statistical uniformity rather than against XLA's."""
import enum

import numpy as np
import pytest

import jaxish as jax
import jaxish.numpy as jnp
from jaxish import lax

from breadth_helpers import enable_x64  # noqa: E402

BACKENDS = ["eager", "cpp", "triton"]
KEY = np.array([1, 2, 3, 4], np.uint32)


def rbg(key, shape, dtype=np.uint32, algorithm=lax.RandomAlgorithm.RNG_DEFAULT):
    new, bits = lax.rng_bit_generator(jnp.asarray(key), shape, dtype, algorithm)
    return np.asarray(new), np.asarray(bits)


# ---- RandomAlgorithm --------------------------------------------------------------------------
def test_random_algorithm_enum():
    A = lax.RandomAlgorithm
    assert issubclass(A, enum.IntEnum)
    assert [(a.name, int(a)) for a in A] == [("RNG_DEFAULT", 0), ("RNG_THREE_FRY", 1), ("RNG_PHILOX", 2)]
    assert str(A.RNG_PHILOX) == "RNG_PHILOX"


# ---- structure, shapes, dtypes (as JAX) -------------------------------------------------------
@pytest.mark.parametrize("dtype", ["uint8", "uint16", "uint32", "uint64"])
def test_structure_and_dtypes(dtype):
    out = lax.rng_bit_generator(jnp.asarray(KEY), (3, 5), dtype=dtype)
    assert type(out) is tuple and len(out) == 2
    new, bits = out
    assert new.shape == (4,) and new.dtype == np.uint32 and not new.weak_type
    # JAX (x64 off) canonicalizes uint64 to uint32
    assert bits.shape == (3, 5) and bits.dtype == np.dtype("uint32" if dtype == "uint64" else dtype)
    assert not bits.weak_type


@pytest.mark.parametrize("shape,want", [((), ()), (3, (3,)), ((0, 4), (0, 4)), ([2, 3, 1], (2, 3, 1))])
def test_shapes(shape, want):
    new, bits = lax.rng_bit_generator(jnp.asarray(KEY), shape)
    assert bits.shape == want and new.shape == (4,)


def test_default_dtype_and_numpy_key():
    new, bits = lax.rng_bit_generator(KEY, (2,))   # a NumPy key is accepted, as in JAX
    assert bits.dtype == np.uint32 and new.dtype == np.uint32


def test_uint64_with_x64():
    with enable_x64():
        new, bits = lax.rng_bit_generator(jnp.asarray(KEY), (3,), dtype="uint64")
        assert new.dtype == np.uint32 and new.shape == (4,) and bits.dtype == np.uint64
        # a uint64[2] key (JAX's legacy form) is the bitcast of the uint32[4] key, low word first
        k64 = jnp.asarray(np.array([1 | 2 << 32, 3 | 4 << 32], np.uint64))
        new64, bits64 = lax.rng_bit_generator(k64, (3,), dtype="uint64")
        assert new64.dtype == np.uint64 and new64.shape == (2,) and bits64.dtype == np.uint64
        np.testing.assert_array_equal(np.asarray(bits64), np.asarray(bits))
        np.testing.assert_array_equal(np.asarray(new64).view(np.uint32), np.asarray(new))
        with pytest.raises(AssertionError):
            lax.rng_bit_generator(jnp.asarray(np.array([1, 2, 3], np.uint64)), (3,))
        with pytest.raises(AssertionError):
            lax.rng_bit_generator(jnp.asarray(np.array([1, 2], np.int64)), (3,))


# ---- errors (as JAX) ----------------------------------------------------------------------------
@pytest.mark.parametrize("dtype", ["int32", "int8", "float32", "bool", np.int16])
def test_unsupported_dtype(dtype):
    with pytest.raises(TypeError, match="rng_bit_generator: unsupported dtype"):
        lax.rng_bit_generator(jnp.asarray(KEY), (3,), dtype=dtype)


@pytest.mark.parametrize("key", [np.array([1, 2], np.uint32), np.array([1, 2, 3, 4], np.int32),
                                 np.array([1, 2, 3, 4], np.float32), np.ones((2, 2), np.uint32),
                                 np.ones((8,), np.uint32)])
def test_bad_key(key):
    # JAX fails an AssertionError when lowering such keys; jaxish's error is both kinds
    with pytest.raises(AssertionError, match="key must be uint32"):
        lax.rng_bit_generator(jnp.asarray(key), (3,))
    with pytest.raises(TypeError):
        lax.rng_bit_generator(jnp.asarray(key), (3,))


def test_bad_key_list_and_shape():
    with pytest.raises(TypeError, match="Error interpreting argument to rng_bit_generator"):
        lax.rng_bit_generator([1, 2, 3, 4], (3,))
    with pytest.raises(ValueError):
        lax.rng_bit_generator(jnp.asarray(KEY), (-1,))


# ---- semantics ----------------------------------------------------------------------------------
def test_deterministic_and_key_sensitive():
    a = rbg(KEY, (64,))
    b = rbg(KEY, (64,))
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1], b[1])
    for i in range(4):   # every key word matters
        k = KEY.copy()
        k[i] ^= 1
        c = rbg(k, (64,))
        assert not np.array_equal(c[1], a[1]) and not np.array_equal(c[0], a[0])


def test_new_key_chains():
    key, seen_keys, seen_bits = KEY, {KEY.tobytes()}, set()
    for _ in range(6):
        key, bits = rbg(key, (8,))
        assert key.tobytes() not in seen_keys and bits.tobytes() not in seen_bits
        seen_keys.add(key.tobytes())
        seen_bits.add(bits.tobytes())


def test_algorithms():
    A = lax.RandomAlgorithm
    d, t, p = (rbg(KEY, (16,), algorithm=a)[1] for a in A)
    np.testing.assert_array_equal(d, t)   # jaxish's default is Threefry
    assert not np.array_equal(d, p)       # PHILOX: a separate stream
    np.testing.assert_array_equal(rbg(KEY, (16,), algorithm=1)[1], t)   # plain ints, as JAX
    with pytest.raises(AssertionError):
        lax.rng_bit_generator(jnp.asarray(KEY), (3,), algorithm=7)


def test_uniform_bits_chi_square_and_bit_frequency():
    _, b8 = rbg(np.array([7, 11, 13, 17], np.uint32), (1 << 16,), np.uint8)
    counts = np.bincount(b8, minlength=256)
    chi2 = ((counts - 256.0) ** 2 / 256.0).sum()   # 255 dof: mean 255, sd ~22.6
    assert 150 < chi2 < 370, chi2
    _, b32 = rbg(np.array([5, 6, 7, 8], np.uint32), (1 << 14,))
    freq = ((b32[:, None] >> np.arange(32, dtype=np.uint32)) & 1).mean(0)
    assert np.all(np.abs(freq - 0.5) < 5 * 0.5 / np.sqrt(1 << 14)), freq
    _, b16 = rbg(KEY, (1 << 14,), np.uint16)
    assert abs(b16.astype(np.float64).mean() / 65535 - 0.5) < 0.02


@pytest.mark.parametrize("backend", BACKENDS)
def test_jit_equals_eager(backend):
    f = jax.jit(lambda k: lax.rng_bit_generator(k, (3, 5)), backend=backend)
    g = jax.jit(lambda k: lax.rng_bit_generator(k, (7,), jnp.uint8, lax.RandomAlgorithm.RNG_PHILOX),
                backend=backend)
    key = jnp.asarray(KEY)
    for got, want in [(f(key), rbg(KEY, (3, 5))),
                      (g(key), rbg(KEY, (7,), np.uint8, lax.RandomAlgorithm.RNG_PHILOX))]:
        assert got[1].dtype == want[1].dtype
        np.testing.assert_array_equal(np.asarray(got[0]), want[0])
        np.testing.assert_array_equal(np.asarray(got[1]), want[1])


@pytest.mark.parametrize("backend", BACKENDS)
def test_vmap_follows_jax_batching_rule(backend):
    # JAX: a batch of keys uses keys[0] only, with bits of shape (B, *shape); the returned
    # keys are the inputs with row 0 replaced by keys[0]'s new key (pinned with JAX 0.10.2).
    keys = np.arange(12, dtype=np.uint32).reshape(3, 4)
    f = jax.jit(jax.vmap(lambda k: lax.rng_bit_generator(k, (2,))), backend=backend)
    new, bits = f(jnp.asarray(keys))
    new0, bits0 = rbg(keys[0], (3, 2))
    assert new.shape == (3, 4) and bits.shape == (3, 2)
    np.testing.assert_array_equal(np.asarray(bits), bits0)
    np.testing.assert_array_equal(np.asarray(new)[0], new0)
    np.testing.assert_array_equal(np.asarray(new)[1:], keys[1:])


def test_vmap_axes_and_unbatched_key():
    keys = np.arange(12, dtype=np.uint32).reshape(3, 4)
    new, bits = jax.vmap(lambda k: lax.rng_bit_generator(k, (2,)), in_axes=1, out_axes=1)(jnp.asarray(keys.T))
    assert new.shape == (4, 3) and bits.shape == (2, 3)
    np.testing.assert_array_equal(np.asarray(bits).T, rbg(keys[0], (3, 2))[1])
    np.testing.assert_array_equal(np.asarray(new)[:, 1:], keys.T[:, 1:])
    # key unbatched, another argument batched: every row gets the same bits
    new, bits = jax.vmap(lambda x, k: lax.rng_bit_generator(k, (2,)), in_axes=(0, None))(jnp.zeros(3), KEY)
    assert new.shape == (3, 4) and bits.shape == (3, 2)
    np.testing.assert_array_equal(np.asarray(bits), np.broadcast_to(rbg(KEY, (2,))[1], (3, 2)))


def test_not_differentiable_outputs():
    # JAX: grad through an integer output is zero; tangents of the outputs are float0
    g = jax.grad(lambda x: lax.rng_bit_generator(jnp.asarray(KEY), (2,))[1].astype(jnp.float32).sum() * 0 + x)
    assert float(g(1.0)) == 1.0
    _, tangents = jax.jvp(lambda k: lax.rng_bit_generator(k, (2,)), (jnp.asarray(KEY),),
                          (np.zeros(4, jax.dtypes.float0),))
    assert [t.dtype for t in tangents] == [jax.dtypes.float0] * 2


# ---- rng_uniform --------------------------------------------------------------------------------
@pytest.mark.parametrize("a,b,dtype,weak", [
    (0., 1., "float32", True), (np.float32(0), np.float32(1), "float32", False),
    (np.int32(0), np.int32(10), "int32", False), (0, 10, "int32", True),
    (np.float32(0), 1.0, "float32", False), (np.float16(0), np.float16(1), "float16", False),
    (jnp.bfloat16(0), jnp.bfloat16(1), "bfloat16", False), (np.uint32(0), np.uint32(10), "uint32", False)])
def test_rng_uniform_dtypes(a, b, dtype, weak):
    out = lax.rng_uniform(a, b, (3,))
    assert out.shape == (3,) and out.dtype == np.dtype(jnp.bfloat16 if dtype == "bfloat16" else dtype)
    assert out.weak_type == weak


def test_rng_uniform_errors():
    with pytest.raises(ValueError, match="identical dtypes, got float32 and int32"):
        lax.rng_uniform(np.float32(0), np.int32(1), (3,))
    with pytest.raises(ValueError, match="must be scalars; got shapes"):
        lax.rng_uniform(jnp.zeros(2), jnp.ones(2), (3,))
    with pytest.raises(TypeError):
        lax.rng_uniform(0., 1., 3)   # JAX: tuple(shape) fails on an int
    with pytest.raises(TypeError):
        lax.rng_uniform(np.complex64(0), np.complex64(1), (3,))
    with pytest.raises(NotImplementedError, match="Batching rule for 'rng_uniform'"):
        jax.vmap(lambda a: lax.rng_uniform(a, 1., (3,)))(jnp.zeros(2))
    with pytest.raises(NotImplementedError, match="Differentiation rule for 'rng_uniform'"):
        jax.grad(lambda a: lax.rng_uniform(a, 1., ()))(0.)


def test_rng_uniform_range_and_statefulness():
    x = np.asarray(lax.rng_uniform(np.float32(2), np.float32(5), (4000,)))
    assert x.min() >= 2 and x.max() < 5 and abs(x.mean() - 3.5) < 0.1
    assert not np.array_equal(x, np.asarray(lax.rng_uniform(np.float32(2), np.float32(5), (4000,))))
    i = np.asarray(lax.rng_uniform(np.int32(-3), np.int32(4), (7000,)))
    assert i.min() == -3 and i.max() == 3
    counts = np.bincount(i + 3, minlength=7)
    assert ((counts - 1000.0) ** 2 / 1000.0).sum() < 30   # 6 dof
    from jaxish.lax import rng as R
    R._rng_uniform_seed(123)
    first = np.asarray(lax.rng_uniform(0., 1., (5,)))
    R._rng_uniform_seed(123)
    np.testing.assert_array_equal(np.asarray(lax.rng_uniform(0., 1., (5,))), first)


@pytest.mark.parametrize("backend", BACKENDS)
def test_rng_uniform_jit(backend):
    from jaxish.lax import rng as R
    f = jax.jit(lambda a, b: lax.rng_uniform(a, b, (6,)), backend=backend)
    a, b = jnp.float32(-1), jnp.float32(1)
    R._rng_uniform_seed(7)
    eager = np.asarray(lax.rng_uniform(a, b, (6,)))
    R._rng_uniform_seed(7)
    x1 = np.asarray(f(a, b))
    x2 = np.asarray(f(a, b))   # the state advances at run time, also inside one compiled function
    np.testing.assert_array_equal(x1, eager)
    assert not np.array_equal(x1, x2)
    assert x2.min() >= -1 and x2.max() < 1
