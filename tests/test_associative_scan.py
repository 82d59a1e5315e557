"""lax.associative_scan: cumulative sum/product/max against numpy, non-commutative operators
(matrix products, affine-map composition on a pytree) against a sequential fold, reverse and
other axes, every length from 0 up, errors as JAX raises them, and grad / vmap / jit."""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import jaxish as jax
import jaxish.numpy as jnp
from jaxish import lax

from breadth_helpers import check_grads, check_jit, check_vmap, enable_x64, normal


def _fold(fn, xs, reverse=False):
    """The sequential definition: out[k] = fn(out[k-1], x[k]) (or from the end when reverse)."""
    order = range(len(xs) - 1, -1, -1) if reverse else range(len(xs))
    out, acc = [None] * len(xs), None
    for k in order:
        acc = xs[k] if acc is None else fn(acc, xs[k])
        out[k] = acc
    return out


LENGTHS = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 16, 17, 31]


@pytest.mark.parametrize("n", LENGTHS)
def test_cumulative_ops_match_numpy(n):
    x = normal((n, 3), seed=n).astype(np.float32)
    np.testing.assert_allclose(lax.associative_scan(jnp.add, x), np.cumsum(x, 0), rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(lax.associative_scan(jnp.multiply, 1 + 0.1 * x), np.cumprod(1 + 0.1 * x, 0),
                               rtol=1e-5)
    np.testing.assert_array_equal(lax.associative_scan(jnp.maximum, x), np.maximum.accumulate(x, 0))
    np.testing.assert_array_equal(lax.associative_scan(jnp.minimum, x, reverse=True),
                                  np.minimum.accumulate(x[::-1], 0)[::-1])
    np.testing.assert_allclose(lax.associative_scan(jnp.add, x, reverse=True),
                               np.cumsum(x[::-1], 0)[::-1], rtol=1e-5, atol=1e-5)


def test_jax_docstring_examples_and_dtypes():
    out = lax.associative_scan(jnp.add, jnp.arange(0, 4))
    assert out.dtype == jnp.int32
    np.testing.assert_array_equal(out, [0, 1, 3, 6])
    np.testing.assert_array_equal(lax.associative_scan(jnp.add, jnp.arange(0, 4), reverse=True), [6, 6, 5, 3])
    b = lax.associative_scan(jnp.logical_or, jnp.array([False, False, True, False, False]))
    assert b.dtype == jnp.bool_
    np.testing.assert_array_equal(b, [False, False, True, True, True])
    # integer sums stay exact (wrapping like int32 numpy would not be hit here)
    ints = np.random.default_rng(1).integers(-1000, 1000, 37).astype(np.int32)
    np.testing.assert_array_equal(lax.associative_scan(jnp.add, ints), np.cumsum(ints, dtype=np.int32))


@pytest.mark.parametrize("n", [1, 2, 5, 8, 11])
@pytest.mark.parametrize("reverse", [False, True])
def test_matrix_products_are_ordered(n, reverse):
    mats = normal((n, 2, 2), seed=n).astype(np.float32)
    got = np.asarray(lax.associative_scan(jnp.matmul, mats, reverse=reverse))
    want = np.stack(_fold(np.matmul, list(mats), reverse))
    np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-4)
    if n > 2:  # the order matters: the transposed products differ
        wrong = np.stack(_fold(lambda a, b: b @ a, list(mats), reverse))
        assert not np.allclose(got, wrong, rtol=1e-3, atol=1e-3)


def test_matrix_products_match_real_jax():
    # jax 0.10.2: lax.associative_scan(jnp.matmul, m), m = arange(20.).reshape(5, 2, 2) / 10 - 0.5
    m = (jnp.arange(20.0).reshape(5, 2, 2) / 10 - 0.5)
    want = [[[-0.5, -0.4000000059604645], [-0.30000001192092896, -0.19999998807907104]],
            [[0.009999986737966537, -0.07999999821186066], [0.009999996051192284, -0.03999999538064003]],
            [[-0.03700000420212746, -0.04400000721216202], [-0.016999999061226845, -0.019999999552965164]],
            [[-0.06550000607967377, -0.07360000908374786], [-0.029899999499320984, -0.03359999880194664]],
            [[-0.16773001849651337, -0.18164002895355225], [-0.07656999677419662, -0.08291999995708466]]]
    np.testing.assert_allclose(lax.associative_scan(jnp.matmul, m), want, rtol=1e-5, atol=1e-7)
    # jax 0.10.2: the same with reverse=True
    want_rev = [[[-0.1389300525188446, -0.0952400267124176], [-0.16297005116939545, -0.11172003298997879]],
                [[0.03930006921291351, 0.3976000249385834], [0.04610007628798485, 0.46640002727508545]],
                [[1.5950000286102295, 1.9880002737045288], [1.871000051498413, 2.332000255584717]],
                [[1.850000023841858, 2.080000162124634], [2.1700000762939453, 2.440000057220459]],
                [[1.100000023841858, 1.2000000476837158], [1.3000000715255737, 1.399999976158142]]]
    np.testing.assert_allclose(lax.associative_scan(jnp.matmul, m, reverse=True), want_rev, rtol=1e-5, atol=1e-6)


def _affine(p, q):
    """Composition of x -> a1 x + b1 then x -> a2 x + b2 (a linear recurrence's operator)."""
    (a1, b1), (a2, b2) = p, q
    return a2 * a1, a2 * b1 + b2


def _recurrence(a, b, reverse=False):
    x, out = 0.0, np.zeros_like(b)
    for k in (range(len(a) - 1, -1, -1) if reverse else range(len(a))):
        x = a[k] * x + b[k]
        out[k] = x
    return out


@pytest.mark.parametrize("n", [1, 4, 7, 10])
@pytest.mark.parametrize("reverse", [False, True])
def test_affine_pytree_solves_linear_recurrence(n, reverse):
    a = (0.9 * np.random.default_rng(n).uniform(-1, 1, (n, 3))).astype(np.float32)
    b = normal((n, 3), seed=n + 1).astype(np.float32)
    ca, cb = lax.associative_scan(_affine, (a, b), reverse=reverse)
    np.testing.assert_allclose(cb, _recurrence(a, b, reverse), rtol=1e-5, atol=1e-5)
    want_a = np.cumprod(a[::-1] if reverse else a, 0)
    np.testing.assert_allclose(ca, want_a[::-1] if reverse else want_a, rtol=1e-5, atol=1e-6)


def test_dict_pytree_and_mixed_dtypes():
    def fn(x, y):
        return {"count": x["count"] + y["count"], "best": jnp.maximum(x["best"], y["best"])}
    elems = {"count": np.ones(6, np.int32), "best": np.array([3., 1., 4., 1., 5., 9.], np.float32)}
    out = lax.associative_scan(fn, elems)
    assert set(out) == {"count", "best"} and out["count"].dtype == jnp.int32
    np.testing.assert_array_equal(out["count"], np.arange(1, 7))
    np.testing.assert_array_equal(out["best"], [3, 3, 4, 4, 5, 9])


@pytest.mark.parametrize("axis", [1, 2, -1, -2])
@pytest.mark.parametrize("reverse", [False, True])
def test_other_axes(axis, reverse):
    x = normal((2, 5, 6), seed=3).astype(np.float32)
    got = lax.associative_scan(jnp.add, x, reverse=reverse, axis=axis)
    flip = (lambda v: np.flip(v, axis)) if reverse else (lambda v: v)
    np.testing.assert_allclose(got, flip(np.cumsum(flip(x), axis)), rtol=1e-5, atol=1e-5)
    mats = normal((3, 7, 2, 2), seed=4).astype(np.float32)  # matrices along axis 1
    got = np.asarray(lax.associative_scan(jnp.matmul, mats, axis=1))
    want = np.stack([np.stack(_fold(np.matmul, list(mats[i]))) for i in range(3)])
    np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-4)


@settings(max_examples=15, deadline=None)
@given(n=st.integers(0, 40), rest=st.lists(st.integers(1, 3), max_size=2), reverse=st.booleans(),
       seed=st.integers(0, 1000))
def test_cumsum_property(n, rest, reverse, seed):
    shape = (n, *rest)
    x = np.random.default_rng(seed).integers(-50, 50, shape).astype(np.int32)
    axis = 0 if not rest else seed % (len(rest) + 1)
    x = np.moveaxis(x, 0, axis)
    got = lax.associative_scan(jnp.add, x, reverse=reverse, axis=axis)
    want = np.flip(np.cumsum(np.flip(x, axis), axis), axis) if reverse else np.cumsum(x, axis)
    np.testing.assert_array_equal(got, want.astype(np.int32))


# ---- transformations -------------------------------------------------------------------------
def test_grads_through_scan():
    with enable_x64():
        a = 0.8 * np.random.default_rng(0).uniform(-1, 1, (9, 2))
        b = normal((9, 2), seed=1)
        check_grads(lambda a, b: lax.associative_scan(_affine, (a, b))[1], a, b)
        check_grads(lambda a, b: lax.associative_scan(_affine, (a, b), reverse=True), a, b)
        m = normal((6, 2, 2), seed=2) * 0.5
        check_grads(lambda m: lax.associative_scan(jnp.matmul, m, axis=0), m)
        x = normal((4, 7), seed=3)
        check_grads(lambda x: lax.associative_scan(jnp.multiply, x, axis=1), x)
        # grad of the last partial sum is all ones
        g = jax.grad(lambda x: lax.associative_scan(jnp.add, x)[-1])(jnp.asarray(normal(7)))
        np.testing.assert_allclose(g, np.ones(7))


def test_vmap_matches_loop():
    x = normal((4, 7, 3), seed=5).astype(np.float32)
    check_vmap(lambda v: lax.associative_scan(jnp.add, v), x, rtol=1e-5, atol=1e-5)
    check_vmap(lambda v: lax.associative_scan(jnp.add, v, reverse=True, axis=1), x, in_axes=1,
               rtol=1e-5, atol=1e-5)
    a = (0.9 * np.random.default_rng(6).uniform(-1, 1, (3, 5))).astype(np.float32)
    b = normal((3, 5), seed=7).astype(np.float32)
    check_vmap(lambda a, b: lax.associative_scan(_affine, (a, b)), a, b, rtol=1e-5, atol=1e-5)
    # fn itself vmapped over the element axis, as JAX's docs suggest
    mats = normal((2, 6, 2, 2), seed=8).astype(np.float32)
    check_vmap(lambda m: lax.associative_scan(jax.vmap(jnp.matmul), m), mats, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("backend", ["cpp", "triton"])
def test_jit_backends_match_eager(backend):
    if backend == "triton":
        pytest.importorskip("jaxish.codegen_triton")
    a = (0.9 * np.random.default_rng(9).uniform(-1, 1, (11, 2))).astype(np.float32)
    b = normal((11, 2), seed=10).astype(np.float32)

    def f(a, b):
        ca, cb = lax.associative_scan(_affine, (a, b), reverse=True)
        return ca, cb, lax.associative_scan(jnp.maximum, b, axis=1)

    want = check_jit(f, a, b, rtol=1e-5, atol=1e-5)
    got = jax.jit(f, backend=backend)(a, b)
    for g, w in zip(got, want):
        np.testing.assert_allclose(g, w, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(want[1], _recurrence(a, b, reverse=True), rtol=1e-5, atol=1e-5)
    # every short length (0, 1 and 2 take the early exits) in one compiled function
    x = jnp.arange(1.0, 7.0)
    outs = jax.jit(lambda x: [lax.associative_scan(jnp.multiply, x[:k]) for k in range(7)],
                   backend=backend)(x)
    for k, o in enumerate(outs):
        np.testing.assert_allclose(o, np.cumprod(np.arange(1.0, 7.0)[:k]), rtol=1e-6)


# ---- errors ----------------------------------------------------------------------------------
def test_errors():
    x = jnp.ones((4, 3))
    with pytest.raises(TypeError, match="fn argument should be callable"):
        lax.associative_scan(3, x)
    with pytest.raises(ValueError, match=r"same first dimension.*\(4, 3\).*\(5,\)"):
        lax.associative_scan(lambda p, q: p, (x, jnp.ones(5)))
    with pytest.raises(ValueError, match=r"same first dimension"):
        lax.associative_scan(jnp.add, [x, jnp.ones((4, 2))], axis=1)
    with pytest.raises(ValueError, match=r"axis 2 is out of bounds.*\(4, 3\)"):
        lax.associative_scan(jnp.add, x, axis=2)
    with pytest.raises(ValueError, match=r"axis -3 is out of bounds"):
        lax.associative_scan(jnp.add, x, axis=-3)
    with pytest.raises(ValueError, match="at least one array"):
        lax.associative_scan(jnp.add, ())
    with pytest.raises(ValueError, match="same tree structure"):
        lax.associative_scan(lambda p, q: p[0] + q[0], (x, x))
    with pytest.raises(ValueError, match="elementwise"):
        lax.associative_scan(lambda p, q: jnp.sum(p + q, axis=0), x)
