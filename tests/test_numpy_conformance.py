"""Regressions found by the differential sweep docs/jnp_sweep.py (jaxish.numpy vs jax.numpy 0.10.2);
every expected value here was printed by JAX 0.10.2."""
import math

import numpy as np
import pytest

import jaxish.numpy as jnp

F = np.array([-2.5, -1, 0, 0.5, 1.5, 3], np.float32)
I = np.array([-3, -1, 0, 1, 2, 5], np.int32)
U = np.array([0, 1, 2, 3, 200, 255], np.uint8)


def test_floor_divide_by_zero_is_signed_inf():
    expect = [-math.inf, -math.inf, math.nan, math.inf, math.inf, math.inf]
    np.testing.assert_array_equal(np.asarray(jnp.floor_divide(jnp.asarray(F), 0.0)), expect)
    np.testing.assert_array_equal(np.asarray(jnp.divmod(jnp.asarray(F), 0.0)[0]), expect)


def test_integer_power_as_jax():
    assert jnp.power(jnp.asarray(I), jnp.asarray(I)).tolist() == [1197088493, -1, 1, 1, 4, 3125]
    assert jnp.power(jnp.asarray(I), jnp.asarray(U)).tolist() == [1, -1, 0, 1, 256, 1501274061]


def test_complex_log2_log10_of_zero():
    for f in (jnp.log2, jnp.log10):
        r = complex(np.asarray(f(jnp.asarray([0j])))[0])
        assert r.real == -math.inf and r.imag == 0.0


def test_copysign_scalar_magnitude_takes_promoted_dtype():
    assert jnp.copysign(2, jnp.ones(2, jnp.float16)).dtype == jnp.float16


def test_isscalar_string():
    assert jnp.isscalar("a") and not jnp.isscalar([1])


@pytest.mark.parametrize("fn", [jnp.sum, jnp.max, jnp.cumsum, jnp.mean, jnp.var, jnp.median])
def test_reductions_of_weak_input_are_strong(fn):
    assert fn(jnp.asarray(2.0)).weak_type is False


def test_cumulative_sum_prod_array_api():
    u = jnp.asarray(U.reshape(2, 3))
    assert jnp.cumulative_sum(u, axis=0).dtype == jnp.uint32
    assert jnp.cumulative_sum(jnp.asarray(U[:3]), include_initial=True).tolist() == [0, 0, 1, 3]
    assert jnp.cumulative_prod(jnp.arange(1, 4), include_initial=True).tolist() == [1, 1, 2, 6]
    with pytest.raises(ValueError):
        jnp.cumulative_sum(u)


def test_mean_var_std_dtype_argument():
    i = jnp.asarray(I)
    m = jnp.mean(i, dtype=jnp.int32)
    assert m.dtype == jnp.int32 and int(m) == 0
    v = jnp.var(i, dtype=jnp.complex64)
    assert v.dtype == jnp.complex64 and abs(complex(v) - 6.222223) < 1e-5
    with pytest.raises(ValueError):
        jnp.std(i, dtype=jnp.int32)
    with pytest.raises(TypeError):
        jnp.mean(i, dtype=jnp.bool_)
    with pytest.raises(TypeError):
        jnp.argmax(i, axis=(0,))


def test_ravel_and_reshape_order_f():
    x = jnp.arange(6.0).reshape(2, 3)
    assert jnp.ravel(x, order="F").tolist() == [0.0, 3.0, 1.0, 4.0, 2.0, 5.0]
    assert jnp.reshape(x, (3, -1), order="F").tolist() == [[0.0, 4.0], [3.0, 2.0], [1.0, 5.0]]
    with pytest.raises(NotImplementedError):
        jnp.ravel(x, order="K")


def test_take_along_axis_fills_out_of_bounds_by_default():
    x = jnp.arange(6.0).reshape(2, 3)
    r = np.asarray(jnp.take_along_axis(x, np.array([[5, 0]]), 1))
    assert np.isnan(r[:, 0]).all() and r[:, 1].tolist() == [0.0, 3.0]
    assert jnp.take_along_axis(jnp.arange(3), np.array([5, -1, -4]), 0).tolist() == [-2147483648, 2, -2147483648]
    assert jnp.take_along_axis(x, np.array([[5, 0]]), 1, mode="clip").tolist() == [[2.0, 0.0], [5.0, 3.0]]
    with pytest.raises(ValueError):
        jnp.take_along_axis(x, np.array([[0, 1]]), None)


def test_array_api_unique_functions():
    x = jnp.asarray(np.array([[np.nan, 1, 2], [3, np.nan, 1]], np.float32))
    assert np.asarray(jnp.unique_values(x)).shape == (5,)
    c = jnp.unique_counts(x)
    assert type(c).__name__ == "_UniqueCountsResult" and c.counts.tolist() == [2, 1, 1, 1, 1]
    a = jnp.unique_all(x)
    assert a._fields == ("values", "indices", "inverse_indices", "counts") and a.inverse_indices.shape == (2, 3)
    assert jnp.unique_inverse(x)._fields == ("values", "inverse_indices")


def test_argwhere_of_scalar_and_empty_broadcasts():
    assert jnp.argwhere(jnp.asarray(1.5)).shape == (1, 0)
    assert jnp.argwhere(0).shape == (0, 0)
    assert jnp.broadcast_shapes() == () and jnp.broadcast_arrays() == []


def test_like_functions_keep_weak_type():
    assert jnp.zeros_like(jnp.asarray(2.0)).weak_type is True
    assert jnp.ones_like(2.0).weak_type is True
    r = jnp.full_like(2, 2.5)
    assert r.dtype == jnp.int32 and r.weak_type is True and int(r) == 2
    assert jnp.zeros_like(2.0, dtype=jnp.float32).weak_type is False
    with pytest.raises(TypeError):
        jnp.full_like(jnp.arange(2), 1j)


def test_mean_integer_dtype_divides_in_that_dtype():
    u = jnp.asarray(U.reshape(2, 3))
    assert int(jnp.mean(u, dtype=jnp.int8)) == -8   # the int8 sum wraps, as JAX
    assert jnp.mean(u, axis=1, dtype=jnp.int32, keepdims=True).tolist() == [[1], [152]]


def test_half_precision_reductions_compute_in_float32():
    """Values from JAX 0.10.2: sum/prod/mean/var/std of float16 and bfloat16 run in float32 and are
    cast back (var of values near 275 overflowed float16's squares before)."""
    x = jnp.asarray(np.linspace(250, 300, 64).astype(np.float16))
    got = [str(f(x)) for f in (jnp.sum, jnp.prod, jnp.mean, jnp.var, jnp.std,
                               lambda v: jnp.var(v, dtype=jnp.float16))]
    assert got == ["1.76e+04", "inf", "275.0", "215.0", "14.664", "215.0"]
    # (JAX's mean(x, dtype=float16) is 274.8 from XLA's float16 accumulation order; here 275.0, the
    # float32 mean rounded once)
    assert jnp.mean(x).dtype == np.float16 and jnp.var(x).dtype == np.float16
    y = jnp.asarray(np.linspace(0.9, 1.1, 64).astype(jnp.bfloat16))
    assert [str(f(y)) for f in (jnp.sum, jnp.prod, jnp.mean, jnp.var)] == ["64", "0.894531", "1", "0.00344849"]


def test_index_results_are_the_default_int():
    """nonzero/flatnonzero/argwhere/where(x) give int64 under x64, as JAX (int32 before)."""
    import jaxish as jax
    with jax.enable_x64():
        x = jnp.asarray([3.0, 1.0, 0.0])
        for out in (jnp.nonzero(x)[0], jnp.flatnonzero(x), jnp.argwhere(x), jnp.where(x)[0],
                    jnp.nonzero(x, size=3)[0]):
            assert out.dtype == np.int64
    assert jnp.nonzero(jnp.asarray([0.0, 2.0]))[0].dtype == np.int32


def test_linspace_logspace_dtypes_and_array_endpoints():
    """Values from JAX 0.10.2."""
    assert jnp.linspace(0.0, jnp.asarray([1.0, 2.0]), 3).tolist() == [[0.0, 0.0], [0.5, 1.0], [1.0, 2.0]]
    z = jnp.linspace(0, 1 + 1j, 3)
    assert z.dtype == np.complex64 and z.tolist() == [0j, 0.5 + 0.5j, 1 + 1j]
    assert jnp.linspace(jnp.float16(0), 1, 3).dtype == np.float16
    li = jnp.logspace(0, 2, 3, dtype=int)
    assert li.dtype == jnp.int32 and li.tolist() == [1, 10, 100]
    lc = jnp.logspace(0, 1j, 3)
    assert lc.dtype == np.complex64
    np.testing.assert_allclose(np.asarray(lc), [1 + 0j, 0.4073 + 0.9133j, -0.6682 + 0.744j], atol=1e-4)
    assert jnp.linspace(jnp.zeros(2), jnp.ones(2), 3, axis=1).shape == (2, 3)


def test_more_jax_conformance_from_the_sweep():
    """Values and error types from JAX 0.10.2."""
    assert jnp.cumprod(jnp.asarray([True, False, True]), dtype=bool).tolist() == [True, False, False]
    assert jnp.cumsum(jnp.asarray([False, True, False]), dtype=bool).tolist() == [False, True, True]
    with pytest.raises(ValueError, match="out of bounds"):
        jnp.sort(jnp.asarray(3.0))
    out = jnp.einsum(jnp.ones((2, 3)), [0, 1], jnp.ones((3, 4)), [1, 2], [0, 2])
    assert out.shape == (2, 4) and float(out[0, 0]) == 3.0
    out = jnp.einsum(jnp.ones((5, 2, 3)), [Ellipsis, 0, 1], jnp.ones((3, 4)), [1, 2], [Ellipsis, 0, 2])
    assert out.shape == (5, 2, 4)
    assert jnp.einsum(jnp.arange(3.0), [0]).tolist() == [0.0, 1.0, 2.0]      # implicit output, as numpy
    assert jnp.einsum(jnp.arange(3.0), [0], []).tolist() == 3.0
    with pytest.raises(TypeError, match="different numbers of dimensions"):
        jnp.concatenate([jnp.ones(2), jnp.ones((2, 2))])
    with pytest.raises(TypeError, match="isn't a permutation"):
        jnp.transpose(jnp.ones((2, 3)), (0, 0))
    with pytest.raises(TypeError, match="one unknown axis size"):
        jnp.reshape(jnp.ones(6), (-1, -1))
    assert jnp.less(jnp.asarray([1 + 1j, 2]), 2).tolist() == [True, False]
    assert jnp.greater_equal(2, jnp.asarray([1 + 1j, 2])).tolist() == [True, True]


def test_complex_power_at_a_zero_base():
    """XLA's rule, as JAX 0.10.2 gives: 0**0 = 1, 0**y = 0 for real y > 0, else NaN."""
    import jaxish as jax
    b = jnp.asarray([0j, 0j, 0j, 0j, 0j, 2 + 0j], jnp.complex64)
    e = jnp.asarray([0j, 1 + 0j, 2 + 1j, -1 + 0j, 1j, 0j], jnp.complex64)
    for out in (b ** e, jax.jit(lambda x, y: x ** y)(b, e)):
        got = np.asarray(out)
        assert got[0] == 1 and got[1] == 0 and got[5] == 1 and np.isnan(got[2:5]).all()


def test_promote_types_reads_python_types_as_weak():
    """JAX 0.10.2: promote_types(float, float) is float64 (not canonicalized), int joins int8 at int8."""
    cases = [((float, float), "float64"), ((int, "int8"), "int8"), ((float, "float16"), "float16"),
             ((int, int), "int64"), ((complex, "float32"), "complex64"), ((bool, int), "int64"),
             (("float32", float), "float32")]
    for (a, b), want in cases:
        assert str(jnp.promote_types(a, b)) == want, (a, b)


def test_complex_arctan2_follows_xla():
    """JAX 0.10.2 values: -i log((x2 + i x1) / sqrt(x1**2 + x2**2))."""
    a = jnp.asarray(np.array([1 + 2j, -0.5 + 0.1j, 3 - 1j], np.complex64))
    b = jnp.asarray(np.array([0.5 - 1j, 2 + 0j, -1 + 1j], np.complex64))
    want = [1.908166766166687 + 0.3790868818759918j, -0.24553345143795013 + 0.04708705097436905j,
            1.9634953737258911 - 0.17328687012195587j]
    np.testing.assert_allclose(np.asarray(jnp.arctan2(a, b)), want, rtol=2e-6)
    assert jnp.arctan2(jnp.float32(1.0), jnp.asarray([1 + 0j])).dtype == np.complex64


def test_result_dtypes_as_jax_under_x64_and_not():
    """Dtypes the x64 sweep (docs/jnp_sweep.py) found off, pinned to JAX 0.10.2 in both modes."""
    from breadth_helpers import enable_x64
    for on, want in ((False, ["float32", "float32", "float32", "float32", "float32", "float32", "int32", "int8",
                              "bool", "int8", "int32", "complex64", "complex64", "float32", "int32", "int16"]),
                     (True, ["float32", "float64", "float64", "float32", "float32", "float64", "int32", "int8",
                             "bool", "int8", "int64", "complex64", "complex64", "float32", "int32", "int16"])):
        with enable_x64(on):
            i32, i8 = jnp.ones(3, jnp.int32), jnp.ones(3, jnp.int8)
            got = [jnp.tri(3), jnp.rint(i32), jnp.angle(i32), jnp.median(i32), jnp.quantile(i32, 0.3),
                   jnp.var(i32, dtype=jnp.int32), jnp.einsum("i->", i32), jnp.einsum("i->", i8),
                   jnp.einsum("i->", jnp.ones(2, bool)), jnp.cumulative_prod(i8), jnp.cumulative_prod(jnp.ones(2, bool)),
                   jnp.sort_complex(jnp.ones(2, jnp.float16)), jnp.sort_complex(i32), jnp.histogram(i32, 4)[1],
                   jnp.arange(np.int32(3)), jnp.arange(np.int16(3))]
            assert [str(g.dtype) for g in got] == want, on


def test_quantile_refuses_complex_q():
    """q is cast to the data's dtype; a complex q must raise (as in JAX), not lose its imaginary part."""
    with pytest.raises(ValueError, match="does not support complex input"):
        jnp.quantile(jnp.ones(3), 0.5 + 1j)
