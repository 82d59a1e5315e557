"""lax.reduce_window / reduce_window_shape_tuple, lax.reduce, reduce_and/or/xor, reciprocal and
stax's pooling layers: eager against explicit numpy loops and constants from real JAX (0.10.2),
jit (cpp and the Triton interpreter) against eager, vmap against a loop, jvp/vjp against finite
differences (float64), and JAX's error types for bad arguments."""
import itertools

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import jaxish as jax
import jaxish.numpy as jnp
from jaxish import lax
from jaxish.example_libraries import stax

from breadth_helpers import enable_x64, check_jit, check_vmap, check_grads, normal as _r, x64  # noqa: F401
from codegen_helpers import jit_matches_eager

SETTINGS = dict(max_examples=25, deadline=None)


# ---- the numpy oracle: every window element, one at a time ------------------------------------
def np_reduce_window(x, init, op, wd, ws, pads, bd=None, wdl=None):
    """XLA's ReduceWindow by loops: init combined with each real element a window meets
    (padding and base-dilation holes are skipped)."""
    x = np.asarray(x)
    nd = x.ndim
    bd = bd or (1,) * nd
    wdl = wdl or (1,) * nd
    dil = [0 if n == 0 else (n - 1) * b + 1 for n, b in zip(x.shape, bd)]
    padded = [d + lo + hi for d, (lo, hi) in zip(dil, pads)]
    span = [(w - 1) * d + 1 for w, d in zip(wd, wdl)]
    out_shape = tuple(max(0, (p - s) // st_ + 1) for p, s, st_ in zip(padded, span, ws))
    out = np.empty(out_shape, x.dtype)
    for idx in itertools.product(*[range(n) for n in out_shape]):
        acc = np.asarray(init, x.dtype)
        for k in itertools.product(*[range(w) for w in wd]):
            src = []
            for i, ki, s, d, (lo, _), b, n in zip(idx, k, ws, wdl, pads, bd, x.shape):
                q = i * s + ki * d - lo
                if q < 0 or q % b or q // b >= n:
                    break
                src.append(q // b)
            else:
                acc = op(acc, x[tuple(src)])
        out[idx] = acc
    return out


def _same_pads(shape, wd, ws, wdl, lower=False):
    span = [(w - 1) * d + 1 for w, d in zip(wd, wdl)]
    out = [-(-n // s) for n, s in zip(shape, ws)]
    tot = [max(0, (o - 1) * s + w - n) for o, s, w, n in zip(out, ws, span, shape)]
    return [((t - t // 2, t // 2) if lower else (t // 2, t - t // 2)) for t in tot]


@st.composite
def window_cases(draw):
    nd = draw(st.integers(1, 3))
    shape = tuple(draw(st.integers(1, 5)) for _ in range(nd))
    wd = tuple(draw(st.integers(1, 3)) for _ in range(nd))
    ws = tuple(draw(st.integers(1, 3)) for _ in range(nd))
    bd = tuple(draw(st.integers(1, 2)) for _ in range(nd))
    wdl = tuple(draw(st.integers(1, 2)) for _ in range(nd))
    kind = draw(st.sampled_from(["VALID", "SAME", "SAME_LOWER", "explicit"]))
    if kind == "explicit":
        padding = tuple((draw(st.integers(-1, 2)), draw(st.integers(-1, 2))) for _ in range(nd))
    else:
        padding = kind
    return shape, wd, ws, padding, bd, wdl


def _explicit(padding, shape, wd, ws, bd, wdl):
    """Explicit pads; like JAX, 'SAME' is computed from the operand's shape before base dilation."""
    if padding == "VALID":
        return [(0, 0)] * len(shape)
    if padding in ("SAME", "SAME_LOWER"):
        return _same_pads(shape, wd, ws, wdl, padding == "SAME_LOWER")
    return list(padding)


# (name, computation, init, numpy op): lax monoids with their identity take the separable path,
# the rest (non-identity init, lambdas) the masked fold over every window offset
RW_OPS = [
    ("sum", lax.add, 0.0, np.add),
    ("max", lax.max, -np.inf, np.maximum),
    ("min", lax.min, np.inf, np.minimum),
    ("sum_init", lambda a, b: a + b, 1.5, np.add),
    ("max_init0", lambda a, b: jnp.maximum(a, b), 0.0, np.maximum),
    ("prod", lax.mul, 1.0, np.multiply),
]


@pytest.mark.parametrize("name,comp,init,npop", RW_OPS, ids=[c[0] for c in RW_OPS])
@settings(**SETTINGS)
@given(case=window_cases(), seed=st.integers(0, 1000))
def test_reduce_window_matches_loops(name, comp, init, npop, case, seed):
    shape, wd, ws, padding, bd, wdl = case
    x = _r(shape, seed)
    got = lax.reduce_window(jnp.asarray(x), init, comp, wd, ws, padding, bd, wdl)
    pads = _explicit(padding, shape, wd, ws, bd, wdl)
    want = np_reduce_window(x, init, npop, wd, ws, pads, bd, wdl)
    assert got.shape == want.shape
    assert got.dtype == np.float64
    np.testing.assert_allclose(np.asarray(got), want, rtol=1e-12, atol=1e-12)
    assert lax.reduce_window_shape_tuple(shape, wd, ws, pads, bd, wdl) == want.shape


@settings(**SETTINGS)
@given(case=window_cases(), seed=st.integers(0, 1000))
def test_reduce_window_ints_and_bools(case, seed):
    shape, wd, ws, padding, bd, wdl = case
    pads = _explicit(padding, shape, wd, ws, bd, wdl)
    xi = np.random.default_rng(seed).integers(-50, 50, shape).astype(np.int32)
    got = lax.reduce_window(jnp.asarray(xi), np.int32(np.iinfo(np.int32).min), lax.max, wd, ws, padding, bd, wdl)
    want = np_reduce_window(xi, np.iinfo(np.int32).min, np.maximum, wd, ws, pads, bd, wdl)
    assert got.dtype == np.int32
    np.testing.assert_array_equal(np.asarray(got), want)
    xb = xi > 10
    got = lax.reduce_window(jnp.asarray(xb), False, lax.bitwise_or, wd, ws, padding, bd, wdl)
    np.testing.assert_array_equal(np.asarray(got), np_reduce_window(xb, False, np.logical_or, wd, ws, pads, bd, wdl))
    got = lax.reduce_window(jnp.asarray(xi), np.int32(3), lax.bitwise_xor, wd, ws, padding, bd, wdl)
    np.testing.assert_array_equal(np.asarray(got), np_reduce_window(xi, 3, np.bitwise_xor, wd, ws, pads, bd, wdl))


# ---- constants from real JAX ------------------------------------------------------------------
def test_values_from_jax():
    xa = jnp.arange(5.0)
    np.testing.assert_array_equal(lax.reduce_window(xa, 1.0, lax.add, (3,), (1,), "VALID"), [4, 7, 10])
    # padding does not add the init value again: it is skipped, like a base-dilation hole
    np.testing.assert_array_equal(lax.reduce_window(xa, 1.0, lax.add, (3,), (1,), "SAME"), [2, 4, 7, 10, 8])
    np.testing.assert_array_equal(lax.reduce_window(xa, 1.0, lambda a, b: a + b, (3,), (1,), "SAME"),
                                  [2, 4, 7, 10, 8])
    np.testing.assert_array_equal(lax.reduce_window(xa, 1.0, lax.add, (2,), (1,), "VALID", base_dilation=(2,)),
                                  [1, 2, 2, 3, 3, 4, 4, 5])
    np.testing.assert_array_equal(lax.reduce_window(xa, 0.0, lax.add, (2,), (1,), ((-1, 1),)), [3, 5, 7, 4])
    np.testing.assert_array_equal(lax.reduce_window(jnp.arange(6.0), 0.0, lax.add, (2,), (1,), "VALID",
                                                    window_dilation=(2,)), [2, 4, 6, 8])
    np.testing.assert_array_equal(lax.reduce_window(jnp.arange(6.0), 0.0, lax.add, (4,), (1,), "SAME_LOWER"),
                                  [1, 3, 6, 10, 14, 12])
    np.testing.assert_array_equal(lax.reduce_window(jnp.arange(10.0), 1.0, lax.mul, (2,)),
                                  [0, 2, 6, 12, 20, 30, 42, 56, 72])
    out = lax.reduce_window(jnp.arange(5, dtype=jnp.int32), np.int32(1), lax.mul, (2,), (1,), "VALID")
    assert out.dtype == np.int32
    np.testing.assert_array_equal(out, [0, 2, 6, 12])
    assert lax.reduce_window(xa, 0.0, lax.add, (7,), (1,), "VALID").shape == (0,)
    assert lax.reduce_window_shape_tuple((5, 6), (2, 3), (1, 2), ((0, 0), (1, 1))) == (4, 3)
    assert lax.reduce_window_shape_tuple((5, 6), (2, 3), (1, 2), ((0, 0), (1, 1)), (2, 1), (1, 2)) == (8, 2)
    # the identity is judged in the init's dtype: -inf starts any float max, a Python 0 is no uint8 max
    bf = lax.reduce_window(jnp.arange(4.0).astype(jnp.bfloat16), -jnp.inf, lax.max, (2,), (1,), "SAME")
    assert bf.dtype == jnp.bfloat16
    np.testing.assert_array_equal(np.asarray(bf, np.float32), [1, 2, 3, 3])
    with pytest.raises(TypeError, match="inconsistent dtypes"):
        lax.reduce_window(jnp.arange(4, dtype=jnp.uint8), 0, lax.max, (2,), (1,), "SAME")
    u8 = lax.reduce_window(jnp.arange(4, dtype=jnp.uint8), np.uint8(0), lax.max, (2,), (1,), "SAME")
    np.testing.assert_array_equal(u8, [1, 2, 3, 3])
    nan_max = lax.reduce_window(jnp.array([1.0, np.nan, 2.0, 3.0]), -jnp.inf, lax.max, (2,), (1,), "VALID")
    np.testing.assert_array_equal(nan_max, [np.nan, np.nan, 3.0])


def _argmax_comp(a, b):
    (av, ai), (bv, bi) = a, b
    pick = av >= bv
    return lax.select(pick, av, bv), lax.select(pick, ai, bi)


def test_variadic_and_pytree_operands():
    v = jnp.array([3.0, 1.0, 4.0, 1.0, 5.0, 9.0, 2.0])
    vals, idx = lax.reduce_window((v, jnp.arange(7, dtype=jnp.int32)), (-jnp.inf, np.int32(0)), _argmax_comp,
                                  (3,), (2,), "SAME")
    np.testing.assert_array_equal(vals, [3, 4, 9, 9])
    np.testing.assert_array_equal(idx, [0, 2, 5, 5])
    assert idx.dtype == np.int32
    out = lax.reduce_window({"a": v}, {"a": 0.0}, lambda x, y: {"a": x["a"] + y["a"]}, (3,), (2,), "SAME")
    assert set(out) == {"a"}
    np.testing.assert_array_equal(out["a"], [4, 6, 15, 11])


def test_max_pool_gradient_goes_to_first_tie_like_jax():
    x = jnp.ones((5,), jnp.float32)
    f = lambda x: lax.reduce_window(x, -jnp.inf, lax.max, (2,), (1,), "VALID")  # noqa: E731
    np.testing.assert_array_equal(jax.grad(lambda x: f(x).sum())(x), [1, 1, 1, 1, 0])
    _, t = jax.jvp(f, (x,), (jnp.arange(5.0, dtype=jnp.float32),))
    np.testing.assert_array_equal(t, [0, 1, 2, 3])
    x2 = jnp.array([[1.0, 1, 1], [1, 1, 1], [1, 1, 2]])
    g = jax.grad(lambda x: lax.reduce_window(x, -jnp.inf, lax.max, (2, 2), (1, 1), "VALID").sum())(x2)
    np.testing.assert_array_equal(g, [[1, 1, 0], [1, 0, 0], [0, 0, 1]])
    g = jax.grad(lambda x: lax.reduce_window(x, jnp.inf, lax.min, (2, 2), (1, 1), "SAME").sum())(x2)
    np.testing.assert_array_equal(g, np.ones((3, 3)))
    g = jax.grad(lambda x: lax.reduce_window(x, jnp.inf, lax.min, (2,), (1,), "VALID").sum())(x)
    np.testing.assert_array_equal(g, [1, 1, 1, 1, 0])


# ---- transformations --------------------------------------------------------------------------
POOLS = [
    ("sum_pool", lambda x: lax.reduce_window(x, 0.0, lax.add, (2, 3), (1, 2), "SAME")),
    ("max_pool", lambda x: lax.reduce_window(x, -jnp.inf, lax.max, (3, 2), (2, 1), "SAME")),
    ("max_pool_dilated", lambda x: lax.reduce_window(x, -jnp.inf, lax.max, (2, 2), (1, 1), ((1, 0), (0, 2)),
                                                     (2, 1), (1, 2))),
    ("min_pool", lambda x: lax.reduce_window(x, jnp.inf, lax.min, (2, 2), (2, 2), "VALID")),
    ("generic_prod", lambda x: lax.reduce_window(x, 2.0, lambda a, b: a * b, (2, 2), (1, 2), "SAME")),
    ("generic_softmax_pool", lambda x: lax.reduce_window(x, -jnp.inf, jnp.logaddexp, (2, 3), (1, 1), ((1, 1), (0, 1)))),
]


@pytest.mark.parametrize("name,f", POOLS, ids=[p[0] for p in POOLS])
def test_pool_grads_vmap_jit(name, f):
    x = _r((5, 6), 3)  # continuous normals: no ties
    check_grads(f, x)
    check_vmap(f, jnp.asarray(_r((3, 5, 6), 4)))
    check_vmap(f, jnp.asarray(_r((5, 3, 6), 5)), in_axes=1)
    check_jit(f, jnp.asarray(x))


@pytest.mark.parametrize("backend", ["cpp", "triton"])
def test_jit_backends(backend):
    x = jnp.asarray(_r((2, 7, 6, 3), 1).astype(np.float32))
    max_pool = lambda x: lax.reduce_window(x, -jnp.inf, lax.max, (1, 3, 3, 1), (1, 2, 2, 1), "SAME")  # noqa: E731
    jit_matches_eager(backend, max_pool, x, rtol=1e-5, atol=1e-5)
    jit_matches_eager(backend, jax.grad(lambda x: max_pool(x).sum()), x)
    generic = lambda x, i: lax.reduce_window(x, i, lambda a, b: a + b, (1, 3, 2, 1), (1, 1, 2, 1),  # noqa: E731
                                             "SAME", (1, 2, 1, 1), (1, 1, 2, 1))
    jit_matches_eager(backend, generic, x, jnp.float32(0.5), rtol=1e-5, atol=1e-5)
    red = lambda x: lax.reduce((x, -x), (np.float32(0), np.float32(-np.inf)), lambda a, b: (a[0] + b[0], jnp.maximum(a[1], b[1])),  # noqa: E731
                               (1, 2))
    jit_matches_eager(backend, red, x, rtol=1e-5, atol=1e-5)


def test_max_pool_jit_is_fused():
    x = jnp.asarray(_r((2, 8, 8, 3), 2).astype(np.float32))
    f = lambda x: lax.reduce_window(x, -jnp.inf, lax.max, (1, 3, 3, 1), (1, 2, 2, 1), "VALID")  # noqa: E731
    compiled = jit_matches_eager("cpp", f, x)
    assert compiled.kernel_count <= 2  # one 1-D fold per pooled axis at most, no kernel per offset


def test_traced_and_batched_init_value():
    f = lambda x, i: lax.reduce_window(x, i, lax.add, (2,), (1,), "SAME")  # noqa: E731
    np.testing.assert_array_equal(jax.jit(f)(jnp.arange(5.0), 1.0), [2, 4, 6, 8, 5])
    out = jax.vmap(f)(jnp.ones((2, 5)), jnp.array([1.0, 2.0]))
    np.testing.assert_array_equal(out, [[3, 3, 3, 3, 2], [4, 4, 4, 4, 3]])


def test_variadic_argmax_pool_under_vmap_and_jit():
    v = jnp.asarray(_r((3, 9), 7))
    f = lambda v: lax.reduce_window((v, jnp.arange(9)), (-jnp.inf, 0), _argmax_comp, (3,), (2,), "SAME")  # noqa: E731
    check_vmap(f, v)
    check_jit(f, v[0])
    vals, idx = f(v[1])
    np.testing.assert_array_equal(np.asarray(v[1])[np.asarray(idx)], vals)


# ---- lax.reduce -------------------------------------------------------------------------------
def _affine(a, b):
    """Composition of affine maps t -> m*t + c (associative, not commutative), left to right."""
    (m1, c1), (m2, c2) = a, b
    return m1 * m2, c1 * m2 + c2


def _np_affine_fold(m, c, axis):
    mm, cc = np.ones(np.delete(m.shape, axis)), np.zeros(np.delete(m.shape, axis))
    for i in range(m.shape[axis]):
        mm, cc = _affine((mm, cc), (np.take(m, i, axis), np.take(c, i, axis)))
    return mm, cc


@settings(**SETTINGS)
@given(n=st.integers(0, 11), seed=st.integers(0, 100))
def test_reduce_custom_noncommutative_monoid(n, seed):
    m, c = _r((3, n), seed), _r((3, n), seed + 1)
    got = lax.reduce((jnp.asarray(m), jnp.asarray(c)), (1.0, 0.0), _affine, (1,))
    want = _np_affine_fold(m, c, 1)
    for g, w in zip(got, want):
        np.testing.assert_allclose(np.asarray(g), w, rtol=1e-10, atol=1e-12)


def test_reduce_custom_monoid_transforms():
    m, c = _r((4, 6, 3), 1), _r((4, 6, 3), 2)
    f = lambda m, c: lax.reduce((m, c), (1.0, 0.0), _affine, (1,))  # noqa: E731
    check_grads(f, m, c)
    check_vmap(f, jnp.asarray(m), jnp.asarray(c), in_axes=2)
    check_jit(f, jnp.asarray(m), jnp.asarray(c))
    # several axes at once are flattened in row-major order
    got = lax.reduce((jnp.asarray(m), jnp.asarray(c)), (1.0, 0.0), _affine, (0, 1))
    want = _np_affine_fold(m.reshape(24, 3), c.reshape(24, 3), 0)
    for g, w in zip(got, want):
        np.testing.assert_allclose(np.asarray(g), w, rtol=1e-10)


MONOIDS = [
    (lax.add, 0.0, np.sum, "reduce_sum"), (lax.mul, 1.0, np.prod, "reduce_prod"),
    (lax.max, -np.inf, np.max, "reduce_max"), (lax.min, np.inf, np.min, "reduce_min"),
    (jnp.maximum, -np.inf, np.max, "reduce_max"), (jnp.add, 0.0, np.sum, "reduce_sum"),
]


@pytest.mark.parametrize("comp,init,npfn,prim", MONOIDS, ids=[f"{m[3]}-{i}" for i, m in enumerate(MONOIDS)])
def test_reduce_recognised_monoids_use_primitives(comp, init, npfn, prim):
    x = _r((3, 4, 5), 0)
    got = lax.reduce(jnp.asarray(x), init, comp, (0, 2))
    np.testing.assert_allclose(np.asarray(got), npfn(x, axis=(0, 2)), rtol=1e-12)
    text = str(jax.make_jaxpr(lambda x: lax.reduce(x, init, comp, (0, 2)))(jnp.asarray(x)))
    assert prim in text


def test_reduce_values_from_jax():
    x = jnp.arange(12.0).reshape(3, 4)
    np.testing.assert_array_equal(lax.reduce(x, 1.0, lambda a, b: a + b, (1,)), [7, 23, 39])
    np.testing.assert_array_equal(lax.reduce(jnp.zeros((0, 3)), 5.0, lambda a, b: a + b, (0,)), [5, 5, 5])
    np.testing.assert_array_equal(lax.reduce(x, 0.0, lambda a, b: a + b, ()), x)
    out = lax.reduce([x, x], [0.0, 1.0], lambda a, b: [a[0] + b[0], a[1] * b[1]], (0,))
    assert isinstance(out, list)
    np.testing.assert_array_equal(out[0], [12, 15, 18, 21])
    np.testing.assert_array_equal(out[1], [0, 45, 120, 231])
    vals, idx = lax.reduce((jnp.array([[3.0, 1, 4, 1, 5]]), jnp.arange(5)[None]), (jnp.inf, 0),
                           lambda a, b: (lax.select(a[0] <= b[0], a[0], b[0]), lax.select(a[0] <= b[0], a[1], b[1])),
                           (1,))
    np.testing.assert_array_equal(vals, [1])
    np.testing.assert_array_equal(idx, [1])
    np.testing.assert_array_equal(lax.reduce(jnp.array([7, 3, 5]), -1, lax.bitwise_and, (0,)), 1)
    np.testing.assert_array_equal(lax.reduce(jnp.array([7, 3, 5]), 0, lax.bitwise_xor, (0,)), 1)
    np.testing.assert_array_equal(lax.reduce(jnp.arange(6, dtype=jnp.int32).reshape(2, 3),
                                             np.int32(np.iinfo(np.int32).min), lax.max, (1,)), [2, 5])
    _, t = jax.jvp(lambda x: lax.reduce(x, 1.0, lambda a, b: a * b, (0, 1)), (x + 1,), (jnp.ones_like(x),))
    np.testing.assert_allclose(t, 1.4864429e09, rtol=1e-6)
    g = jax.grad(lambda x: lax.reduce(x, -jnp.inf, lax.max, (0,)).sum())(jnp.ones((3, 2)))
    np.testing.assert_allclose(g, np.full((3, 2), 1 / 3), rtol=1e-6)


# ---- reduce_and / reduce_or / reduce_xor / reciprocal -----------------------------------------
@settings(**SETTINGS)
@given(shape=st.lists(st.integers(0, 4), min_size=1, max_size=3), seed=st.integers(0, 100),
       dtype=st.sampled_from([np.int32, np.uint8, np.bool_]), data=st.data())
def test_logical_reductions(shape, seed, dtype, data):
    axes = tuple(sorted(data.draw(st.sets(st.integers(0, len(shape) - 1)))))
    x = np.random.default_rng(seed).integers(0, 200, shape).astype(dtype)
    for fn, npfn in [(lax.reduce_and, np.bitwise_and), (lax.reduce_or, np.bitwise_or),
                     (lax.reduce_xor, np.bitwise_xor)]:
        got = fn(jnp.asarray(x), axes)
        want = npfn.reduce(x, axis=axes) if axes else x
        assert got.dtype == x.dtype, fn.__name__
        np.testing.assert_array_equal(np.asarray(got), want, err_msg=fn.__name__)


def test_logical_reductions_transform():
    x = jnp.asarray(np.random.default_rng(0).integers(0, 1 << 20, (4, 7, 3)).astype(np.int32))
    for fn in (lax.reduce_and, lax.reduce_or, lax.reduce_xor):
        check_vmap(lambda x: fn(x, (1,)), x)
        check_jit(lambda x: fn(x, (0, 2)), x, default_backend=True)
    np.testing.assert_array_equal(lax.reduce_xor(jnp.array([[7, 3], [5, 6], [1, 1]]), (0,)), [3, 4])
    np.testing.assert_array_equal(lax.reduce_and(jnp.zeros((0, 3), jnp.int32), (0,)), [-1, -1, -1])


def test_reciprocal():
    np.testing.assert_array_equal(lax.reciprocal(jnp.array([2.0, 4.0])), [0.5, 0.25])
    np.testing.assert_allclose(lax.reciprocal(jnp.array([2 + 1j])), [0.4 - 0.2j], rtol=1e-6)
    np.testing.assert_allclose(lax.reciprocal(2.0), 0.5)
    check_grads(lax.reciprocal, _r((3,), 0) + 3)
    check_vmap(lax.reciprocal, jnp.asarray(_r((3, 2), 1) + 3))
    check_jit(lax.reciprocal, jnp.asarray(_r((3,), 2) + 3))
    with pytest.raises(TypeError, match="Integers cannot be raised to negative powers"):
        lax.reciprocal(jnp.array([2, 4]))


# ---- errors (JAX's types) ---------------------------------------------------------------------
RW_ERRORS = [
    (TypeError, "wrong number of window_dimensions", dict(window_dimensions=(2, 2))),
    (TypeError, "inconsistent window_strides", dict(window_strides=(1, 1))),
    (TypeError, "inconsistent base_dilation", dict(base_dilation=(1, 1))),
    (TypeError, "strictly positive", dict(window_dimensions=(0,))),
    (TypeError, "strictly positive", dict(window_strides=(0,))),
    (TypeError, "dilations must be positive", dict(window_dilation=(0,))),
    (TypeError, "integer type", dict(window_dimensions=(2.5,))),
    (TypeError, "tuple/list/ndarray", dict(window_dimensions=2)),
    (RuntimeError, "Unrecognized padding type", dict(padding="FOO")),
    (ValueError, "padding pairs", dict(padding=((0, 0), (0, 0)))),
    (TypeError, "init_values to be scalars", dict(init_value=jnp.zeros(2))),
    (TypeError, "inconsistent dtypes", dict(init_value=1, computation=lax.mul)),
    (ValueError, "same tree structure", dict(operand=(jnp.arange(5.0), jnp.arange(5.0)), init_value=(0.0,))),
    (ValueError, "same tree structure", dict(computation=lambda a, b: (a + b, a))),
    (ValueError, "float64", dict(computation=lambda a, b: (a + b).astype(jnp.int32))),
]


@pytest.mark.parametrize("err,match,kw", RW_ERRORS, ids=[str(i) for i in range(len(RW_ERRORS))])
def test_reduce_window_errors(err, match, kw):
    args = dict(operand=jnp.arange(5.0), init_value=0.0, computation=lambda a, b: a + b,
                window_dimensions=(2,), window_strides=(1,), padding="VALID")
    args.update(kw)
    with pytest.raises(err, match=match):
        lax.reduce_window(**args)


def test_reduce_errors():
    x = jnp.arange(12.0, dtype=jnp.float32).reshape(3, 4)
    with pytest.raises(ValueError, match="out-of-bounds"):
        lax.reduce(x, 0.0, lax.add, (2,))
    with pytest.raises(ValueError, match="out-of-bounds"):
        lax.reduce(x, 0.0, lambda a, b: a + b, (-1,))
    with pytest.raises(ValueError, match="duplicate"):
        lax.reduce(x, 0.0, lambda a, b: a + b, (1, 1))
    with pytest.raises(ValueError, match="non-scalar initial value"):
        lax.reduce(x, jnp.zeros(2), lambda a, b: a + b, (0,))
    with pytest.raises(TypeError, match="dtypes should match"):
        lax.reduce(x, 0, lambda a, b: a + b, (1,))
    with pytest.raises(ValueError, match="same tree structure"):
        lax.reduce((x, -x), (0.0,), lambda a, b: a, (0,))
    with pytest.raises(ValueError, match="same shape"):
        lax.reduce((x, x[:2]), (0.0, 0.0), lambda a, b: (a[0] + b[0], a[1] + b[1]), (0,))
    with pytest.raises(TypeError, match="bool or int"):
        lax.reduce_and(x, (0,))
    with pytest.raises(TypeError, match="bool or int"):
        lax.reduce_xor(x, (0,))
    with pytest.raises(IndexError):
        lax.reduce_or(jnp.array([[7, 3], [5, 6]]), (2,))
    np.testing.assert_array_equal(lax.reduce(x, 0, lax.add, (1,)), [6, 22, 38])  # lax.add with 0: no dtype check


# ---- stax pooling -----------------------------------------------------------------------------
def _np_pool(x, window, strides, padding, op, init):
    nd = x.ndim
    wd = (1,) + tuple(window) + (1,)
    ws = (1,) + tuple(strides or (1,) * len(window)) + (1,)
    pads = _explicit(padding, x.shape, wd, ws, (1,) * nd, (1,) * nd)
    return np_reduce_window(x, init, op, wd, ws, pads)


# outputs on a fixed input, hard-coded from jax.example_libraries.stax (sum of all outputs)
STAX_JAX_SUMS = {
    ("MaxPool", "VALID"): 124.57, ("MaxPool", "SAME"): 62.9427,
    ("SumPool", "VALID"): 41.1683, ("SumPool", "SAME"): 14.5261,
    ("AvgPool", "VALID"): 10.2921, ("AvgPool", "SAME"): 0.7793,
}


@pytest.mark.parametrize("layer", ["MaxPool", "SumPool", "AvgPool"])
def test_stax_pooling(layer):
    x = np.random.default_rng(0).standard_normal((2, 5, 6, 3)).astype(np.float32)
    for window, strides, padding in [((2, 2), None, "VALID"), ((3, 3), (2, 2), "SAME")]:
        init_fun, apply_fun = getattr(stax, layer)(window, strides, padding)
        out_shape, params = init_fun(jax.random.PRNGKey(0), x.shape)
        out = apply_fun(params, jnp.asarray(x))
        assert out.shape == out_shape
        np.testing.assert_allclose(float(np.asarray(out).sum()), STAX_JAX_SUMS[layer, padding], atol=2e-4)
        op, init = (np.maximum, -np.inf) if layer == "MaxPool" else (np.add, 0.0)
        want = _np_pool(x.astype(np.float64), window, strides, padding, op, init)
        if layer == "AvgPool":  # divided by how many real inputs each window covers
            want = want / _np_pool(np.ones_like(x, np.float64), window, strides, padding, np.add, 0.0)
        np.testing.assert_allclose(np.asarray(out), want, rtol=1e-5, atol=1e-5)


def test_stax_pool_spec():
    x = np.random.default_rng(0).standard_normal((2, 5, 6, 3)).astype(np.float32)
    xs = jnp.asarray(np.transpose(x, (3, 0, 1, 2)))  # CNHW
    init_fun, apply_fun = stax.AvgPool((2, 2), (1, 1), "SAME", spec="CNHW")
    shape, _ = init_fun(None, xs.shape)
    assert shape == (3, 2, 5, 6)
    np.testing.assert_allclose(float(np.asarray(apply_fun((), xs)).sum()), 9.8841, atol=2e-4)


def test_stax_pooling_in_a_jitted_training_step():
    init_fun, apply_fun = stax.serial(stax.Conv(4, (3, 3), padding="SAME"), stax.Relu, stax.MaxPool((2, 2), (2, 2)),
                                      stax.AvgPool((2, 2), padding="SAME"), stax.Flatten, stax.Dense(2))
    with enable_x64(False):  # float32 model, as stax users run it
        out_shape, params = init_fun(jax.random.PRNGKey(1), (2, 8, 8, 1))
        assert out_shape == (2, 2)
        x = jnp.asarray(np.random.default_rng(1).standard_normal((2, 8, 8, 1)).astype(np.float32))
        loss = lambda p: jnp.sum(apply_fun(p, x) ** 2)  # noqa: E731
        grads = jax.jit(jax.grad(loss))(params)
        eager = jax.grad(loss)(params)
    for g, e in zip(jax.tree_util.tree_leaves(grads), jax.tree_util.tree_leaves(eager)):
        np.testing.assert_allclose(np.asarray(g), np.asarray(e), rtol=1e-4, atol=1e-5)
    assert any(float(np.abs(np.asarray(g)).sum()) > 0 for g in jax.tree_util.tree_leaves(grads))
