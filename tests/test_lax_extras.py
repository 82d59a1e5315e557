"""The smaller jax.lax functions (jaxish/lax/extras.py): values pinned to JAX 0.10.2's, numpy
oracles, gradients, vmap and jit on every backend."""
import numpy as np
import pytest

import jaxish as jax
import jaxish.numpy as jnp
from jaxish import lax

from breadth_helpers import check_grads, check_jit, check_vmap

# x64 off by default here (values pinned from JAX as it runs by default); float64 where marked


def test_shape_helpers_match_jax():
    assert lax.tile(jnp.arange(3), (2,)).tolist() == [0, 1, 2, 0, 1, 2]
    x = jnp.arange(6.0).reshape(2, 3)
    np.testing.assert_array_equal(np.asarray(lax.tile(x, (2, 3))), np.tile(np.asarray(x), (2, 3)))
    with pytest.raises(TypeError, match="reps length must be equal to the ndim"):
        lax.tile(x, (3,))
    a, b = lax.split(jnp.arange(6), (2, 4))
    assert a.tolist() == [0, 1] and b.tolist() == [2, 3, 4, 5]
    with pytest.raises(ValueError, match="Sum of sizes 5 must be equal to dimension 0"):
        lax.split(jnp.arange(6), (2, 3))
    assert [p.shape for p in lax.split(jnp.ones((2, 5)), (1, 0, 4), axis=1)] == [(2, 1), (2, 0), (2, 4)]
    assert lax.stack([jnp.ones(2), jnp.zeros(2)], 1).tolist() == [[1.0, 0.0], [1.0, 0.0]]
    parts = lax.unstack(x, 1)
    assert len(parts) == 3 and parts[2].tolist() == [2.0, 5.0]
    assert lax.collapse(jnp.ones((2, 3, 4)), 1).shape == (2, 12)
    assert lax.collapse(jnp.ones((2, 3, 4)), 0, 2).shape == (6, 4)
    assert lax.broadcast_to_rank(jnp.ones(3), 3).shape == (1, 1, 3)
    assert lax.broadcast_like(jnp.ones(3), jnp.ones((2, 3))).shape == (2, 3)
    src = jnp.arange(24).reshape(2, 3, 4)
    assert lax.index_take(src, jnp.asarray([[0, 1], [1, 2]]), (0, 1)).tolist() == [[4, 5, 6, 7], [20, 21, 22, 23]]
    assert lax.dtype(1.0) == np.float32 and lax.dtype(jnp.ones(2, jnp.int8)) == np.int8
    assert lax.empty((2,), jnp.float32).shape == (2,)
    tree = (jnp.ones(2), 3.0)
    assert lax.optimization_barrier(tree) is tree


def test_shape_helpers_transform():
    x = jnp.asarray(np.random.default_rng(0).standard_normal((2, 3)))
    check_jit(lambda v: lax.tile(v * 2.0, (2, 1)) + 1.0, x)
    check_jit(lambda v: [p * 3.0 for p in lax.split(v, (1, 2), axis=1)], x)
    check_vmap(lambda v: lax.stack(lax.unstack(v, 0)[::-1], 0), jnp.ones((4, 2, 3)) * jnp.arange(3.0))
    check_vmap(lambda v: lax.collapse(lax.tile(v, (2,)), 0), jnp.arange(12.0).reshape(3, 4))


def test_shape_helpers_grads():
    with jax.enable_x64():
        _shape_grads()


def _shape_grads():
    x = np.random.default_rng(1).standard_normal((2, 3))
    check_grads(lambda v: lax.tile(v, (2, 2)) ** 2, x)
    check_grads(lambda v: lax.split(v, (2, 1), axis=1)[1] * lax.split(v, (2, 1), axis=1)[0][:, :1], x)
    check_grads(lambda v: lax.stack([v, v * v], 1), x)


def test_complex_clz_mulhi_match_jax():
    z = lax.complex(jnp.ones(2), jnp.asarray([0.0, -2.0]))
    assert z.dtype == np.complex64 and z.tolist() == [1 + 0j, 1 - 2j]
    with pytest.raises(TypeError, match="complex does not accept dtype float16 at position 1"):
        lax.complex(jnp.ones(2), jnp.zeros(2, jnp.float16))
    g = jax.grad(lambda v: jnp.abs(lax.complex(v, 2.0 * v)).sum())(jnp.asarray([1.0, 2.0]))
    np.testing.assert_allclose(np.asarray(g), [np.sqrt(5.0)] * 2, rtol=1e-6)
    assert lax.clz(jnp.asarray([0, 1, 2, -1, 255], jnp.int32)).tolist() == [32, 31, 30, 0, 24]
    assert lax.clz(jnp.asarray([0, 1, 255], jnp.uint8)).tolist() == [8, 7, 0]
    assert lax.mulhi(jnp.asarray([2 ** 30, -5], jnp.int32), jnp.asarray([8, 3], jnp.int32)).tolist() == [2, -1]
    assert lax.mulhi(jnp.asarray([2 ** 31], jnp.uint32), jnp.asarray([6], jnp.uint32)).tolist() == [3]
    with pytest.raises(TypeError, match="clz does not accept dtype float32"):
        lax.clz(jnp.ones(2))
    ints = jnp.asarray([0, 1, 7, 1 << 20, -3, 2 ** 31 - 1], jnp.int32)
    check_jit(lambda v: lax.clz(v) + lax.mulhi(v, v), ints)


# JAX 0.10.2's lax.reduce_precision of these float32 values (NaN checked separately)
RP_IN = [1e-5, 1e-8, 70000.0, 1.0009765625, 3.14159, -2.5e-39, 1e-40]
RP_JAX = {(5, 10): [0.0, 0.0, np.inf, 1.0009766, 3.140625, -0.0, 0.0],
          (8, 7): [1.0013580e-05, 1.0011718e-08, 7.0144000e+04, 1.0, 3.1406250, -2.4795584e-39, 9.1835496e-41],
          (4, 3): [0.0, 0.0, np.inf, 1.0, 3.25, -0.0, 0.0]}


@pytest.mark.parametrize("bits", sorted(RP_JAX))
def test_reduce_precision_matches_jax(bits):
    x = jnp.asarray(RP_IN + [np.nan, -np.inf], jnp.float32)
    got = np.asarray(lax.reduce_precision(x, *bits))
    np.testing.assert_array_equal(got[:-2].view(np.uint32), np.asarray(RP_JAX[bits], np.float32).view(np.uint32))
    assert np.isnan(got[-2]) and got[-1] == -np.inf
    check_jit(lambda v: lax.reduce_precision(v * 1.0, *bits), x)
    g = jax.grad(lambda v: lax.reduce_precision(v * 3.0, *bits).sum())(jnp.ones(2))
    assert g.tolist() == ([3.0, 3.0] if bits != (4, 3) else [3.0, 3.0])


def test_reduce_precision_is_a_cast_round_trip():
    with jax.enable_x64():
        _cast_round_trip()


def _cast_round_trip():
    v = np.random.default_rng(2).standard_normal(1000) * np.exp(np.random.default_rng(3).uniform(-20, 20, 1000))
    got = np.asarray(lax.reduce_precision(jnp.asarray(v), 8, 23))      # float64 -> float32 rounding
    np.testing.assert_array_equal(got, v.astype(np.float32).astype(np.float64))
    h = jnp.asarray(np.linspace(-3, 3, 101), jnp.float32)
    np.testing.assert_array_equal(np.asarray(lax.reduce_precision(h, 5, 10)),
                                  np.asarray(h).astype(np.float16).astype(np.float32))
    check_vmap(lambda a: lax.reduce_precision(a, 5, 3), jnp.asarray(v.reshape(10, 100)))
    with pytest.raises(TypeError, match="reduce_precision does not accept dtype int32"):
        lax.reduce_precision(jnp.ones(2, jnp.int32), 5, 10)


def test_special_functions_in_lax_match_jax():
    want = {"zeta": 1.644934, "igamma": 0.26424113, "bessel_i0e": 0.46575963, "polygamma": 1.644934,
            "betainc": 0.6874998, "igamma_grad_a": -0.27619603}
    got = {"zeta": lax.zeta(2.0, 1.0), "igamma": lax.igamma(2.0, 1.0), "bessel_i0e": lax.bessel_i0e(1.0),
           "polygamma": lax.polygamma(1, 1.0), "betainc": lax.betainc(2.0, 3.0, 0.5),
           "igamma_grad_a": lax.igamma_grad_a(2.0, 1.0)}
    for k in want:
        np.testing.assert_allclose(float(got[k]), want[k], rtol=2e-6, err_msg=k)
    np.testing.assert_allclose(float(lax.igammac(2.0, 1.0)), 1 - 0.26424113, rtol=1e-6)


def test_precision_enum():
    assert lax.Precision("highest") is lax.Precision.HIGHEST and lax.Precision("tensorfloat32") is lax.Precision.HIGH
    assert str(lax.Precision.DEFAULT) == "DEFAULT"
    out = lax.dot_general(jnp.ones((2, 3)), jnp.ones((3, 4)), (((1,), (0,)), ((), ())),
                          precision=lax.Precision.HIGHEST)
    assert out.tolist() == [[3.0] * 4] * 2


@pytest.mark.parametrize("dt", ["int8", "int16", "int32", "uint8", "uint16", "uint32"])
def test_mulhi_against_python_integers(dt):
    info, bits = np.iinfo(dt), np.dtype(dt).itemsize * 8
    rng = np.random.default_rng(bits)
    a = [int(v) for v in rng.integers(info.min, info.max, 60, endpoint=True)] + [info.min, info.max, 0, info.max]
    b = [int(v) for v in rng.integers(info.min, info.max, 60, endpoint=True)] + [info.min, info.max, info.max, info.min]
    want = [(p * q) >> bits for p, q in zip(a, b)]     # Python ints: exact, floor shift as XLA's
    x, y = jnp.asarray(np.asarray(a, dt)), jnp.asarray(np.asarray(b, dt))
    assert lax.mulhi(x, y).tolist() == want
    assert jax.jit(lax.mulhi, backend="cpp")(x, y).tolist() == want


def test_approx_top_k_and_ragged_dot_match_jax():
    x = jnp.asarray([[3.0, 1.0, 4.0, 1.0, 5.0], [9.0, 2.0, 6.0, 5.0, 3.0]])
    v, i = lax.approx_max_k(x, 2)
    assert v.tolist() == [[5.0, 4.0], [9.0, 6.0]] and i.tolist() == [[4, 2], [0, 2]] and i.dtype == np.int32
    v, i = lax.approx_min_k(x, 2, reduction_dimension=0)
    assert v.tolist() == [[3.0, 1.0, 4.0, 1.0, 3.0], [9.0, 2.0, 6.0, 5.0, 5.0]]
    assert i.tolist() == [[0, 0, 0, 0, 1], [1, 1, 1, 1, 0]]
    lhs, rhs = jnp.arange(12.0).reshape(4, 3), jnp.arange(12.0).reshape(2, 3, 2)
    gs = jnp.asarray([1, 2], jnp.int32)
    want = [[10.0, 13.0], [100.0, 112.0], [172.0, 193.0], [0.0, 0.0]]
    assert lax.ragged_dot(lhs, rhs, gs).tolist() == want
    check_jit(lambda a, b, g: lax.ragged_dot(a, b, g), lhs, rhs, gs)
    g = jax.grad(lambda a: lax.ragged_dot(a, rhs, gs).sum())(lhs)
    assert g.tolist() == [[1.0, 5.0, 9.0], [13.0, 17.0, 21.0], [13.0, 17.0, 21.0], [0.0, 0.0, 0.0]]
