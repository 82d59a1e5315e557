"""Automatic differentiation as JAX documents it.

Every primitive's jvp is checked against central finite differences in float64, and its vjp
against its jvp through <u, J v> = <J^T u, v>, on hypothesis-drawn shapes and values chosen
away from kinks. Then nesting (Hessians, HVPs, jacobians over pytrees), the API options
(argnums, has_aux, allow_int), JAX's error messages, custom_jvp / custom_vjp and checkpoint.
"""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from hypothesis.extra import numpy as hnp

import jaxish as jax
import jaxish.numpy as jnp
from jaxish import lax

EPS = 1e-6
from breadth_helpers import x64  # noqa: E402,F401 - the autouse fixture
from breadth_helpers import dot_shapes, einsum_spec  # noqa: E402

SETTINGS = dict(max_examples=10, deadline=None)


# ---- oracles ----------------------------------------------------------------------------------
def _np(x):
    return np.asarray(x, dtype=np.float64) if not np.iscomplexobj(np.asarray(x)) else np.asarray(x)


def _leaves(x):
    return jax.tree_util.tree_leaves(x)


def _inner(a, b):
    """Real inner product of two pytrees with the same structure."""
    return sum(float(np.real(np.sum(np.conj(_np(x)) * _np(y)))) for x, y in zip(_leaves(a), _leaves(b)))


def _axpy(a, x, y):
    return jax.tree_util.tree_map(lambda u, v: jnp.asarray(_np(v) + a * _np(u)), x, y)


def _random_like(rng, tree):
    return jax.tree_util.tree_map(lambda v: jnp.asarray(rng.standard_normal(np.shape(v))), tree)


def numerical_jvp(f, args, tangents, eps=EPS):
    """Central difference (f(x + eps t) - f(x - eps t)) / 2 eps, leaf by leaf."""
    plus = f(*_axpy(eps, tangents, args))
    minus = f(*_axpy(-eps, tangents, args))
    return jax.tree_util.tree_map(lambda p, m: (_np(p) - _np(m)) / (2 * eps), plus, minus)


def assert_close(a, b, rtol=1e-5, atol=1e-6, what=""):
    la, lb = _leaves(a), _leaves(b)
    assert len(la) == len(lb), what
    for x, y in zip(la, lb):
        assert np.shape(x) == np.shape(y), (what, np.shape(x), np.shape(y))
        np.testing.assert_allclose(_np(x), _np(y), rtol=rtol, atol=atol, err_msg=what)


def check_jvp(f, args, seed=0, rtol=1e-5, atol=1e-6, eps=EPS):
    """jax.jvp(f) agrees with central finite differences at args (a tuple of float64 arrays)."""
    rng = np.random.default_rng(seed)
    args = jax.tree_util.tree_map(jnp.asarray, tuple(args))
    tangents = _random_like(rng, args)
    y, t = jax.jvp(f, args, tangents)
    assert_close(y, f(*args), rtol=1e-12, atol=1e-12, what="jvp primal output")
    for yl, tl in zip(_leaves(y), _leaves(t)):
        assert tl.dtype == yl.dtype and tl.shape == yl.shape, (tl.dtype, yl.dtype)
    assert_close(t, numerical_jvp(f, args, tangents, eps), rtol, atol, what="jvp vs finite differences")


def check_vjp(f, args, seed=1, rtol=1e-7, atol=1e-9):
    """<u, J v> (forward mode) equals <J^T u, v> (reverse mode) for random u, v."""
    rng = np.random.default_rng(seed)
    args = jax.tree_util.tree_map(jnp.asarray, tuple(args))
    y, pullback = jax.vjp(f, *args)
    assert_close(y, f(*args), rtol=1e-12, atol=1e-12, what="vjp primal output")
    u = _random_like(rng, y)
    v = _random_like(rng, args)
    ct = pullback(u)
    assert isinstance(ct, tuple) and len(ct) == len(args)
    assert jax.tree_util.tree_structure(ct) == jax.tree_util.tree_structure(args)
    for c, a in zip(_leaves(ct), _leaves(args)):
        assert c.shape == a.shape and c.dtype == a.dtype, (c.shape, a.shape, c.dtype, a.dtype)
    _, jv = jax.jvp(f, args, v)
    lhs, rhs = _inner(u, jv), _inner(ct, v)
    assert abs(lhs - rhs) <= atol + rtol * max(abs(lhs), abs(rhs), 1.0), (lhs, rhs)


def check_grads(f, args, **kw):
    check_jvp(f, args, **kw)
    check_vjp(f, args)


# ---- strategies -------------------------------------------------------------------------------
shapes = hnp.array_shapes(min_dims=0, max_dims=3, min_side=1, max_side=4)


def floats(shape, lo, hi):
    return hnp.arrays(np.float64, shape, elements=st.floats(lo, hi, allow_nan=False, allow_subnormal=False))


def away_from_zero(shape, lo, hi):
    """Magnitudes in [lo, hi] with either sign."""
    mags = floats(shape, lo, hi)
    signs = hnp.arrays(np.bool_, shape)
    return st.tuples(mags, signs).map(lambda ms: np.where(ms[1], ms[0], -ms[0]))


def grid(shape, step=0.125, span=200):
    """Distinct values on a grid: no two entries within `step` of each other (no ties)."""
    n = int(np.prod(shape))
    return st.lists(st.integers(-span, span), min_size=n, max_size=n, unique=True).map(
        lambda ks: np.asarray(ks, np.float64).reshape(shape) * step)


def off_integers(shape):
    """Values whose fractional part stays in (0.1, 0.4) or (0.6, 0.9): away from floor/round kinks."""
    ints = hnp.arrays(np.int64, shape, elements=st.integers(-3, 3))
    frac = floats(shape, 0.1, 0.4)
    hi = hnp.arrays(np.bool_, shape)
    return st.tuples(ints, frac, hi).map(lambda t: t[0] + np.where(t[2], t[1] + 0.5, t[1]))


# ---- elementwise: unary -----------------------------------------------------------------------
UNARY = {
    "neg": (lax.neg, lambda s: floats(s, -3, 3)),
    "sign": (lax.sign, lambda s: away_from_zero(s, 0.1, 3)),
    "floor": (lax.floor, off_integers),
    "ceil": (lax.ceil, off_integers),
    "round": (lax.round, off_integers),
    "exp": (lax.exp, lambda s: floats(s, -3, 3)),
    "exp2": (lax.exp2, lambda s: floats(s, -3, 3)),
    "log": (lax.log, lambda s: floats(s, 0.2, 5)),
    "log1p": (lax.log1p, lambda s: floats(s, -0.7, 5)),
    "expm1": (lax.expm1, lambda s: floats(s, -3, 3)),
    "tanh": (lax.tanh, lambda s: floats(s, -3, 3)),
    "logistic": (lax.logistic, lambda s: floats(s, -4, 4)),
    "sin": (lax.sin, lambda s: floats(s, -4, 4)),
    "cos": (lax.cos, lambda s: floats(s, -4, 4)),
    "tan": (lax.tan, lambda s: floats(s, -1.2, 1.2)),
    "asin": (lax.asin, lambda s: floats(s, -0.9, 0.9)),
    "acos": (lax.acos, lambda s: floats(s, -0.9, 0.9)),
    "atan": (lax.atan, lambda s: floats(s, -4, 4)),
    "sinh": (lax.sinh, lambda s: floats(s, -3, 3)),
    "cosh": (lax.cosh, lambda s: floats(s, -3, 3)),
    "asinh": (lax.asinh, lambda s: floats(s, -4, 4)),
    "acosh": (lax.acosh, lambda s: floats(s, 1.2, 5)),
    "atanh": (lax.atanh, lambda s: floats(s, -0.9, 0.9)),
    "sqrt": (lax.sqrt, lambda s: floats(s, 0.2, 5)),
    "rsqrt": (lax.rsqrt, lambda s: floats(s, 0.2, 5)),
    "cbrt": (lax.cbrt, lambda s: away_from_zero(s, 0.2, 5)),
    "abs": (lax.abs, lambda s: away_from_zero(s, 0.1, 3)),
    "erf": (lax.erf, lambda s: floats(s, -3, 3)),
    "erfc": (lax.erfc, lambda s: floats(s, -3, 3)),
    "erf_inv": (lax.erf_inv, lambda s: floats(s, -0.9, 0.9)),
    "lgamma": (lax.lgamma, lambda s: floats(s, 0.3, 6)),
    "digamma": (lax.digamma, lambda s: floats(s, 0.3, 6)),
    "square": (lax.square, lambda s: floats(s, -3, 3)),
    "integer_pow3": (lambda x: lax.integer_pow(x, 3), lambda s: floats(s, -2, 2)),
    "integer_pow-2": (lambda x: lax.integer_pow(x, -2), lambda s: away_from_zero(s, 0.3, 2)),
    "integer_pow0": (lambda x: lax.integer_pow(x, 0), lambda s: floats(s, -2, 2)),
    "copy": (lambda x: jnp.array(x, copy=True) * 1.0, lambda s: floats(s, -2, 2)),
    "is_finite_select": (lambda x: jnp.where(lax.is_finite(x), x * x, 0.0), lambda s: floats(s, -2, 2)),
}


@pytest.mark.parametrize("name", sorted(UNARY))
@settings(**SETTINGS)
@given(data=st.data())
def test_unary_grads(name, data):
    fn, gen = UNARY[name]
    x = data.draw(shapes.flatmap(gen), label="x")
    check_grads(fn, (x,))


SECOND_ORDER = ["exp", "log", "tanh", "logistic", "sin", "cos", "tan", "asin", "acos", "atan", "sinh",
                "cosh", "asinh", "acosh", "atanh", "sqrt", "rsqrt", "cbrt", "abs", "erf", "erfc",
                "erf_inv", "lgamma", "square", "integer_pow3", "integer_pow-2", "log1p", "expm1", "exp2"]


@pytest.mark.parametrize("name", SECOND_ORDER)
@settings(max_examples=3, deadline=None)
@given(data=st.data())
def test_unary_second_order(name, data):
    """d/dx of the elementwise derivative (grad of grad) against finite differences of grad."""
    fn, gen = UNARY[name]
    x = data.draw(shapes.flatmap(gen), label="x")
    g = jax.grad(lambda v: jnp.sum(fn(v)))
    check_jvp(g, (x,), rtol=1e-4, atol=1e-5)
    check_vjp(g, (x,))


# ---- elementwise: binary (with numpy broadcasting between operands) ---------------------------
def _pair(gen_x, gen_y):
    return hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=3, max_side=3).flatmap(
        lambda bs: st.tuples(gen_x(bs.input_shapes[0]), gen_y(bs.input_shapes[1])))


BINARY = {
    "add": (lax.add, lambda s: floats(s, -3, 3), lambda s: floats(s, -3, 3)),
    "sub": (lax.sub, lambda s: floats(s, -3, 3), lambda s: floats(s, -3, 3)),
    "mul": (lax.mul, lambda s: floats(s, -3, 3), lambda s: floats(s, -3, 3)),
    "div": (lax.div, lambda s: floats(s, -3, 3), lambda s: away_from_zero(s, 0.3, 3)),
    "pow": (lax.pow, lambda s: floats(s, 0.3, 3), lambda s: floats(s, -2, 2)),
    "atan2": (lax.atan2, lambda s: away_from_zero(s, 0.3, 3), lambda s: floats(s, 0.3, 3)),
    "rem": (lax.rem, lambda s: floats(s, 0.1, 0.9), lambda s: floats(s, 1.0, 2.0)),
}


@pytest.mark.parametrize("name", sorted(BINARY))
@settings(**SETTINGS)
@given(data=st.data())
def test_binary_grads(name, data):
    fn, gx, gy = BINARY[name]
    x, y = data.draw(_pair(gx, gy), label="x, y")
    check_grads(fn, (x, y))


@pytest.mark.parametrize("op", ["max", "min"])
@settings(**SETTINGS)
@given(data=st.data())
def test_max_min_grads(op, data):
    bs = data.draw(hnp.mutually_broadcastable_shapes(num_shapes=2, max_dims=3, max_side=3))
    x = data.draw(floats(bs.input_shapes[0], -2, 2), label="x")
    d = data.draw(away_from_zero(bs.input_shapes[1], 0.1, 1.0), label="y - x")
    # y = x + d (so y has the broadcast shape): every pair differs by at least 0.1
    y = np.broadcast_to(x, bs.result_shape) + np.broadcast_to(d, bs.result_shape)
    fn = getattr(lax, op)
    check_grads(fn, (x, y))


def test_max_min_ties_split_as_jax():
    """JAX splits the gradient evenly between tied operands (values from JAX 0.10.2)."""
    g = jax.grad(lambda x: jnp.max(x))(jnp.array([1.0, 3.0, 3.0]))
    np.testing.assert_array_equal(np.asarray(g), [0.0, 0.5, 0.5])
    g = jax.grad(lambda x: jnp.min(x))(jnp.array([2.0, 1.0, 1.0, 1.0, 5.0]))
    np.testing.assert_allclose(np.asarray(g), [0.0, 1 / 3, 1 / 3, 1 / 3, 0.0])
    gx, gy = jax.grad(lambda x, y: jnp.sum(jnp.maximum(x, y)), argnums=(0, 1))(
        jnp.array([1.0, 2.0, 3.0]), jnp.array([1.0, 5.0, 0.0]))
    np.testing.assert_array_equal(np.asarray(gx), [0.5, 0.0, 1.0])
    np.testing.assert_array_equal(np.asarray(gy), [0.5, 1.0, 0.0])
    gx, gy = jax.grad(lambda x, y: jnp.sum(lax.min(x, y)), argnums=(0, 1))(
        jnp.array([1.0, 2.0, 3.0]), jnp.array([1.0, 5.0, 0.0]))
    np.testing.assert_array_equal(np.asarray(gx), [0.5, 1.0, 0.0])
    np.testing.assert_array_equal(np.asarray(gy), [0.5, 0.0, 1.0])
    # reduce_max along an axis with ties in some rows only
    g = jax.grad(lambda x: jnp.sum(jnp.max(x, axis=1)))(jnp.array([[1.0, 1.0], [0.0, 2.0]]))
    np.testing.assert_array_equal(np.asarray(g), [[0.5, 0.5], [0.0, 1.0]])


@settings(**SETTINGS)
@given(data=st.data())
def test_clamp_grads(data):
    shape = data.draw(shapes)
    x = data.draw(grid(shape, 0.25, 40), label="x")  # x on a grid of step 0.25, bounds off-grid
    check_grads(lambda lo, x, hi: lax.clamp(lo, x, hi), (np.float64(-1.1), x, np.float64(1.3)))


@settings(**SETTINGS)
@given(data=st.data())
def test_select_and_where_grads(data):
    bs = data.draw(hnp.mutually_broadcastable_shapes(num_shapes=3, max_dims=3, max_side=3))
    c = data.draw(hnp.arrays(np.bool_, bs.input_shapes[0]), label="cond")
    x = data.draw(floats(bs.input_shapes[1], -2, 2), label="x")
    y = data.draw(floats(bs.input_shapes[2], -2, 2), label="y")
    check_grads(lambda x, y: jnp.where(c, x * x, jnp.sin(y)), (x, y))
    shp = bs.result_shape
    xs, ys = np.broadcast_to(x, shp), np.broadcast_to(y, shp)
    which = data.draw(hnp.arrays(np.int32, shp, elements=st.integers(0, 2)), label="which")
    check_grads(lambda a, b: lax.select_n(which, a, b, a * b), (xs, ys))
    check_grads(lambda a, b: lax.select(np.broadcast_to(c, shp), a, b), (xs, ys))


def test_convert_element_type_grads():
    x = jnp.asarray(np.linspace(-2, 2, 7))
    # f64 -> f32 -> f64: the cotangent comes back in the input's dtype
    g = jax.grad(lambda v: jnp.sum(lax.convert_element_type(v, np.float32) ** 2))(x)
    assert g.dtype == np.float64
    np.testing.assert_allclose(np.asarray(g), 2 * np.asarray(x), rtol=1e-6)
    # to an integer: no gradient flows
    g = jax.grad(lambda v: jnp.sum(lax.convert_element_type(v, np.int32) * v))(x)
    np.testing.assert_array_equal(np.asarray(g), np.trunc(np.asarray(x)))
    t = jax.jvp(lambda v: lax.convert_element_type(v, np.int32), (x,), (jnp.ones_like(x),))[1]
    assert t.dtype == jax.float0 and t.shape == x.shape      # as JAX: integer tangents are float0
    # astype in float64 is exact: full check
    check_grads(lambda v: (v * 3.0).astype(np.float64), (np.linspace(-1, 1, 5),))
    # to complex and back via real
    check_grads(lambda v: jnp.real(lax.convert_element_type(v, np.complex128) * (1 + 2j)),
                (np.linspace(-1, 1, 4),))


def test_non_differentiable_elementwise_give_zero_tangents():
    x = jnp.asarray(np.linspace(-2, 2, 5))
    for fn in (lambda v: lax.sign(v) * 1.0, lambda v: (v > 0).astype(np.float64),
               lambda v: lax.argmax(v, 0, np.int32).astype(np.float64),
               lambda v: jnp.floor(v)):
        t = jax.jvp(fn, (x,), (jnp.ones_like(x),))[1]
        assert np.all(np.asarray(t) == 0)


def test_stop_gradient_and_unused_inputs_cost_nothing():
    from jaxish.interpreters.transpose import linearize_flat
    x = jnp.asarray(np.linspace(0.5, 2.0, 4))
    y, t = jax.jvp(lambda v: v * lax.stop_gradient(v), (x,), (jnp.ones_like(x),))
    np.testing.assert_allclose(np.asarray(t), np.asarray(x))
    np.testing.assert_allclose(np.asarray(jax.grad(lambda v: jnp.sum(v * lax.stop_gradient(v)))(x)),
                               np.asarray(x))
    check_vjp(lambda v: v * lax.stop_gradient(jnp.sin(v)), (x,))
    # the linear graph holds nothing for a stopped or unused input: symbolic zeros all the way
    _, graph2, _, zero2 = linearize_flat(lambda a, b: [jnp.sin(lax.stop_gradient(a)) * 2.0], [x, x], [True, True])
    assert zero2 == [True]
    assert all(e.primitive.name in ("full", "full_like", "broadcast_in_dim") for e in graph2.eqns), graph2
    g = jax.grad(lambda a, b: jnp.sum(jnp.sin(lax.stop_gradient(a)) * b), argnums=0)(x, x)
    np.testing.assert_array_equal(np.asarray(g), 0.0)


# ---- reductions and cumulative ops ------------------------------------------------------------
def _with_axes(gen):
    """(x, axes) with axes a random subset of x's dimensions."""
    return shapes.flatmap(lambda s: st.tuples(gen(s), st.sets(st.integers(0, max(len(s) - 1, 0)),
                                                              max_size=len(s)).map(lambda a: tuple(sorted(a)))
                                              if s else st.just(())))


REDUCTIONS = {
    "reduce_sum": (lax.reduce_sum, lambda s: floats(s, -3, 3)),
    "reduce_max": (lax.reduce_max, lambda s: grid(s)),
    "reduce_min": (lax.reduce_min, lambda s: grid(s)),
    "reduce_prod": (lax.reduce_prod, lambda s: away_from_zero(s, 0.5, 1.5)),
}


@pytest.mark.parametrize("name", sorted(REDUCTIONS))
@settings(**SETTINGS)
@given(data=st.data())
def test_reduction_grads(name, data):
    fn, gen = REDUCTIONS[name]
    x, axes = data.draw(_with_axes(gen), label="x, axes")
    check_grads(lambda v: fn(v, axes), (x,))


def test_reduce_prod_with_a_zero():
    """prod's gradient is exact even where an entry is zero (no division by x)."""
    x = jnp.asarray([2.0, 0.0, 3.0, 4.0])
    np.testing.assert_allclose(np.asarray(jax.grad(jnp.prod)(x)), [0.0, 24.0, 0.0, 0.0])
    x = jnp.asarray([[2.0, 0.0], [0.0, 0.0]])
    np.testing.assert_allclose(np.asarray(jax.grad(jnp.prod)(x)), np.zeros((2, 2)))


CUMULATIVE = {
    "cumsum": (lax.cumsum, lambda s: floats(s, -3, 3)),
    "cumprod": (lax.cumprod, lambda s: away_from_zero(s, 0.5, 1.5)),
    "cummax": (lax.cummax, lambda s: grid(s)),
    "cummin": (lax.cummin, lambda s: grid(s)),
    "cumlogsumexp": (lax.cumlogsumexp, lambda s: floats(s, -3, 3)),
}


@pytest.mark.parametrize("name", sorted(CUMULATIVE))
@settings(**SETTINGS)
@given(data=st.data())
def test_cumulative_grads(name, data):
    fn, gen = CUMULATIVE[name]
    shape = data.draw(hnp.array_shapes(min_dims=1, max_dims=3, max_side=4), label="shape")
    x = data.draw(gen(shape), label="x")
    axis = data.draw(st.integers(0, len(shape) - 1), label="axis")
    reverse = data.draw(st.booleans(), label="reverse")
    check_grads(lambda v: fn(v, axis=axis, reverse=reverse), (x,))


def test_jnp_reductions_grads():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((3, 4))
    for fn in (jnp.mean, jnp.var, jnp.std, lambda v: jnp.sqrt(jnp.sum(v * v)),
               lambda v: jnp.sum(v, axis=0, keepdims=True), lambda v: jnp.mean(v ** 2, axis=1),
               lambda v: jnp.log(jnp.sum(jnp.exp(v), axis=1)), lambda v: jnp.prod(v, axis=1),
               lambda v: jnp.cumsum(v, axis=1), lambda v: jnp.cumprod(v, axis=0), lambda v: jnp.max(v, axis=0)):
        check_grads(fn, (x,))


# ---- shape ops --------------------------------------------------------------------------------
@settings(**SETTINGS)
@given(data=st.data())
def test_broadcast_in_dim_grads(data):
    out_shape = data.draw(hnp.array_shapes(min_dims=0, max_dims=4, max_side=3), label="out shape")
    nd = len(out_shape)
    dims = tuple(sorted(data.draw(st.sets(st.integers(0, max(nd - 1, 0)), max_size=nd), label="dims"))) if nd else ()
    ones = data.draw(st.lists(st.booleans(), min_size=len(dims), max_size=len(dims)), label="size-1 dims")
    in_shape = tuple(1 if o else out_shape[d] for d, o in zip(dims, ones))
    x = data.draw(floats(in_shape, -2, 2), label="x")
    check_grads(lambda v: lax.broadcast_in_dim(v, out_shape, dims), (x,))


@settings(**SETTINGS)
@given(data=st.data())
def test_reshape_transpose_squeeze_rev_grads(data):
    shape = data.draw(hnp.array_shapes(min_dims=1, max_dims=4, max_side=3), label="shape")
    x = data.draw(floats(shape, -2, 2), label="x")
    nd = len(shape)
    perm = tuple(data.draw(st.permutations(range(nd)), label="perm"))
    check_grads(lambda v: lax.transpose(v, perm), (x,))
    check_grads(lambda v: lax.reshape(v, (int(np.prod(shape)),), dimensions=perm), (x,))
    check_grads(lambda v: lax.reshape(v, tuple(reversed(shape))), (x,))
    dims = tuple(sorted(data.draw(st.sets(st.integers(0, nd - 1)), label="rev dims")))
    check_grads(lambda v: lax.rev(v, dims), (x,))
    y = x.reshape((1,) + shape + (1,))
    check_grads(lambda v: lax.squeeze(v, (0, nd + 1)), (y,))
    check_grads(lambda v: lax.expand_dims(v, (0, 2)) * 2.0, (x,))


@settings(**SETTINGS)
@given(data=st.data())
def test_concatenate_grads(data):
    shape = data.draw(hnp.array_shapes(min_dims=1, max_dims=3, max_side=3), label="shape")
    axis = data.draw(st.integers(0, len(shape) - 1), label="axis")
    sizes = data.draw(st.lists(st.integers(0, 3), min_size=1, max_size=3), label="sizes")
    xs = tuple(data.draw(floats(shape[:axis] + (n,) + shape[axis + 1:], -2, 2)) for n in sizes)
    check_grads(lambda *vs: lax.concatenate([v * 1.0 for v in vs] + [vs[0]], axis), xs)
    check_grads(lambda *vs: jnp.stack(vs, axis=0), xs[:1] * 2)


@settings(**SETTINGS)
@given(data=st.data())
def test_slice_grads(data):
    shape = data.draw(hnp.array_shapes(min_dims=1, max_dims=3, max_side=5), label="shape")
    starts, limits, strides = [], [], []
    for d in shape:
        s = data.draw(st.integers(0, d - 1))
        starts.append(s)
        limits.append(data.draw(st.integers(s, d)))
        strides.append(data.draw(st.integers(1, 3)))
    x = data.draw(floats(shape, -2, 2), label="x")
    check_grads(lambda v: lax.slice(v, starts, limits, strides), (x,))
    check_grads(lambda v: lax.slice(v, starts, limits), (x,))
    check_grads(lambda v: v[..., ::-2] if v.ndim else v, (x,))


@settings(**SETTINGS)
@given(data=st.data())
def test_pad_grads(data):
    shape = data.draw(hnp.array_shapes(min_dims=1, max_dims=3, max_side=4), label="shape")
    config = [(data.draw(st.integers(-1, 2)), data.draw(st.integers(-1, 2)), data.draw(st.integers(0, 2)))
              for _ in shape]
    config = [(lo, hi, it) if d + lo + hi + max(d - 1, 0) * it >= 0 else (0, 0, it)
              for d, (lo, hi, it) in zip(shape, config)]
    x = data.draw(floats(shape, -2, 2), label="x")
    check_grads(lambda v, p: lax.pad(v, p, config), (x, np.float64(0.7)))
    check_grads(lambda v: lax.pad(v, 0.0, config), (x,))


@settings(**SETTINGS)
@given(data=st.data())
def test_dynamic_slice_and_update_grads(data):
    shape = data.draw(hnp.array_shapes(min_dims=1, max_dims=3, max_side=5), label="shape")
    sizes = [data.draw(st.integers(0, d)) for d in shape]
    starts = [data.draw(st.integers(-2, d + 1)) for d in shape]  # out of range starts are clamped
    x = data.draw(floats(shape, -2, 2), label="x")
    u = data.draw(floats(tuple(sizes), -2, 2), label="update")
    idx = [jnp.asarray(np.int32(s)) for s in starts]
    check_grads(lambda v: lax.dynamic_slice(v, idx, sizes), (x,))
    check_grads(lambda v, w: lax.dynamic_update_slice(v, w, idx), (x, u))
    check_grads(lambda v, w: lax.dynamic_update_slice(v * v, jnp.sin(w), idx), (x, u))


def test_jnp_shape_helpers_grads():
    rng = np.random.default_rng(3)
    x = rng.standard_normal((2, 3))
    for fn in (lambda v: jnp.split(v, 3, axis=1)[1], lambda v: jnp.flip(v), lambda v: jnp.clip(v, -0.5, 0.5),
               lambda v: jnp.swapaxes(v, 0, 1), lambda v: jnp.ravel(v), lambda v: jnp.outer(v[0], v[1]),
               lambda v: jnp.broadcast_to(v, (4, 2, 3)), lambda v: jnp.concatenate([v, v[:1]], axis=0)):
        check_grads(fn, (x,))


# ---- indexing: gather, scatter and .at[] ------------------------------------------------------
@settings(**SETTINGS)
@given(data=st.data())
def test_gather_grads(data):
    shape = data.draw(hnp.array_shapes(min_dims=1, max_dims=3, max_side=4), label="shape")
    x = data.draw(floats(shape, -2, 2), label="x")
    n = shape[0]
    ishape = data.draw(hnp.array_shapes(min_dims=0, max_dims=2, max_side=4), label="index shape")
    idx = data.draw(hnp.arrays(np.int32, ishape, elements=st.integers(-n, n - 1)), label="idx")
    check_grads(lambda v: v[idx], (x,))
    check_grads(lambda v: jnp.take(v, idx, axis=0), (x,))
    if len(shape) > 1:
        j = data.draw(hnp.arrays(np.int32, ishape, elements=st.integers(0, shape[1] - 1)), label="j")
        check_grads(lambda v: v[idx, j], (x,))
        check_grads(lambda v: v[:, j % shape[1]] * 2.0, (x,))
    wild = data.draw(hnp.arrays(np.int32, ishape, elements=st.integers(-2 * n - 1, 2 * n)), label="wild idx")
    for mode in ("clip", "fill"):  # (the default mode promises in-bounds indices: not this test)
        check_grads(lambda v: v.at[wild].get(mode=mode, fill_value=0.0), (x,))


@settings(**SETTINGS)
@given(data=st.data())
def test_take_along_axis_grads(data):
    shape = data.draw(hnp.array_shapes(min_dims=1, max_dims=3, max_side=4), label="shape")
    axis = data.draw(st.integers(0, len(shape) - 1), label="axis")
    x = data.draw(floats(shape, -2, 2), label="x")
    idx = data.draw(hnp.arrays(np.int32, shape, elements=st.integers(0, shape[axis] - 1)), label="idx")
    check_grads(lambda v: jnp.take_along_axis(v, idx, axis=axis), (x,))


@settings(**SETTINGS)
@given(data=st.data())
def test_scatter_grads(data):
    shape = data.draw(hnp.array_shapes(min_dims=1, max_dims=3, max_side=4), label="shape")
    n = shape[0]
    k = data.draw(st.integers(1, 5), label="number of updates")
    dup = data.draw(hnp.arrays(np.int32, (k,), elements=st.integers(-n, n - 1)), label="idx (duplicates ok)")
    uniq = np.asarray(data.draw(st.permutations(range(n)), label="perm"), np.int32)[:min(k, n)]
    x = data.draw(grid(shape, 0.125, 300), label="x")
    u = data.draw(grid((k,) + shape[1:], 0.125, 300), label="updates") + 0.0625  # never ties with x
    uu = u[:len(uniq)]
    check_grads(lambda v, w: v.at[dup].add(w), (x, u))
    check_grads(lambda v, w: v.at[uniq].set(w), (x, uu))
    check_grads(lambda v, w: v.at[dup].set(w), (x, u))
    check_grads(lambda v, w: v.at[dup].max(w), (x, u))
    check_grads(lambda v, w: v.at[dup].min(w), (x, u))
    check_grads(lambda v, w: v.at[uniq].multiply(w), (x, uu + 2.0 * np.sign(uu) + (uu == 0)))
    check_grads(lambda v, w: jnp.sin(v).at[dup].add(w * w), (x, u))
    check_grads(lambda v: v.at[0].set(3.0) * v, (x,))
    check_grads(lambda v, s: v.at[uniq].set(s), (x, np.float64(0.3)))  # a broadcast scalar update


def test_scatter_grads_match_jax_on_ties_and_duplicates():
    """Values from JAX 0.10.2: duplicate-index `set` credits only the winning update; min/max
    average the tangents of every value that ties for the result; jnp indexing drops the
    cotangent of an out-of-bounds index (its read is clamped, as JAX's promise_in_bounds)."""
    x = jnp.array([1.0, 2.0, 3.0])
    ones = jnp.ones(3)
    gx, gu = jax.grad(lambda a, b: jnp.sum(a.at[jnp.array([0, 0, 2])].set(b)), argnums=(0, 1))(
        x, jnp.array([7.0, 7.0, 0.0]))
    np.testing.assert_array_equal(np.asarray(gx), [0.0, 1.0, 0.0])
    np.testing.assert_array_equal(np.asarray(gu), [0.0, 1.0, 1.0])
    f = lambda a, b: a.at[jnp.array([0, 1, 2])].max(b)
    _, t = jax.jvp(f, (x, jnp.array([1.0, 5.0, 0.0])), (ones, 10 * ones))
    np.testing.assert_array_equal(np.asarray(t), [5.5, 10.0, 1.0])
    f = lambda a, b: a.at[jnp.array([0, 0, 2])].max(b)
    _, t = jax.jvp(f, (x, jnp.array([7.0, 7.0, 0.0])), (ones, jnp.array([10.0, 20.0, 30.0])))
    np.testing.assert_array_equal(np.asarray(t), [15.0, 1.0, 1.0])
    f = lambda a, b: a.at[jnp.array([0, 0, 2])].min(b)
    _, t = jax.jvp(f, (x, jnp.array([7.0, 7.0, 0.0])), (ones, jnp.array([10.0, 20.0, 30.0])))
    np.testing.assert_array_equal(np.asarray(t), [1.0, 1.0, 30.0])
    idx = jnp.array([0, 5, -1, -7])
    np.testing.assert_array_equal(np.asarray(x[idx]), [1.0, 3.0, 3.0, 1.0])
    np.testing.assert_array_equal(np.asarray(jax.grad(lambda a: jnp.sum(a[idx]))(x)), [1.0, 0.0, 1.0])
    np.testing.assert_array_equal(np.asarray(jax.grad(lambda a: jnp.sum(a.at[idx].get(mode="clip")))(x)),
                                  [2.0, 0.0, 2.0])
    gx, gu = jax.grad(lambda a, b: jnp.sum(a.at[idx].set(b) ** 2), argnums=(0, 1))(x, 3 * jnp.ones(4))
    np.testing.assert_array_equal(np.asarray(gx), [0.0, 4.0, 0.0])
    np.testing.assert_array_equal(np.asarray(gu), [6.0, 0.0, 6.0, 0.0])


# ---- dot_general, matmul, einsum --------------------------------------------------------------
@st.composite
def dot_problems(draw):
    """Random dimension numbers: batch, contracting and free dims in shuffled positions."""
    lshape, rshape, dn = dot_shapes(draw)
    return draw(floats(lshape, -2, 2)), draw(floats(rshape, -2, 2)), dn


@settings(max_examples=12, deadline=None)
@given(problem=dot_problems())
def test_dot_general_grads(problem):
    x, y, dn = problem
    ref = np.einsum(einsum_spec(x.ndim, y.ndim, dn), x, y)
    np.testing.assert_allclose(np.asarray(lax.dot_general(jnp.asarray(x), jnp.asarray(y), dn)), ref, rtol=1e-12)
    check_grads(lambda a, b: lax.dot_general(a, b, dn), (x, y))
    check_grads(lambda a: lax.dot_general(a, jnp.asarray(y), dn), (x,))
    check_grads(lambda b: lax.dot_general(jnp.asarray(x), b, dn), (y,))


@pytest.mark.parametrize("spec,shapes_", [
    ("ij,jk->ik", [(2, 3), (3, 4)]), ("bij,bjk->bik", [(2, 2, 3), (2, 3, 2)]), ("ii->i", [(3, 3)]),
    ("i,i->", [(4,), (4,)]), ("ij->ji", [(2, 3)]), ("ij,kj,k->i", [(2, 3), (4, 3), (4,)]),
    ("...ij,...jk->...ik", [(2, 1, 2, 3), (3, 3, 2)]), ("ii->", [(3, 3)]), ("ijk->", [(2, 3, 2)]),
])
def test_einsum_grads(spec, shapes_):
    rng = np.random.default_rng(7)
    args = tuple(rng.standard_normal(s) for s in shapes_)
    np.testing.assert_allclose(np.asarray(jnp.einsum(spec, *[jnp.asarray(a) for a in args])),
                               np.einsum(spec, *args), rtol=1e-10, atol=1e-12)
    check_grads(lambda *a: jnp.einsum(spec, *a), args)


@pytest.mark.parametrize("sx,sy", [((3,), (3,)), ((2, 3), (3,)), ((3,), (3, 2)), ((2, 3), (3, 4)),
                                   ((2, 1, 2, 3), (3, 3, 2)), ((4, 2, 3), (3, 2))])
def test_matmul_dot_grads(sx, sy):
    rng = np.random.default_rng(8)
    x, y = rng.standard_normal(sx), rng.standard_normal(sy)
    check_grads(jnp.matmul, (x, y))
    check_grads(lambda a, b: a @ b, (x, y))
    if len(sx) <= 2 and len(sy) <= 2:
        check_grads(jnp.dot, (x, y))
    check_grads(lambda a, b: jnp.tensordot(a, b, axes=1), (x, y))


# ---- nesting: Hessians, HVPs, jacobians over pytrees ------------------------------------------
def _loss(params, x):
    """A small two-layer network: a pytree of parameters, a scalar loss."""
    h = jnp.tanh(x @ params["w1"] + params["b1"])
    out = h @ params["w2"]
    return jnp.sum(jnp.log1p(jnp.exp(out)) * params["scale"][0]) + 0.1 * jnp.sum(params["w1"] ** 2)


def _params(rng):
    return {"w1": jnp.asarray(rng.standard_normal((3, 4))), "b1": jnp.asarray(rng.standard_normal(4)),
            "w2": jnp.asarray(rng.standard_normal((4, 2))), "scale": (jnp.asarray(1.5),)}


def test_hessian_symmetric_and_matches_finite_differences_of_grad():
    rng = np.random.default_rng(0)
    f = lambda v: jnp.sum(jnp.sin(v) * v[::-1]) + jnp.prod(v) + jnp.max(v) * jnp.sum(v ** 2)
    x = rng.standard_normal(5)
    H = np.asarray(jax.hessian(f)(jnp.asarray(x)))
    assert H.shape == (5, 5)
    np.testing.assert_allclose(H, H.T, rtol=1e-10, atol=1e-12)
    g = jax.grad(f)
    fd = np.stack([numerical_jvp(g, (jnp.asarray(x),), (jnp.asarray(e),)) for e in np.eye(5)], axis=1)
    np.testing.assert_allclose(H, fd, rtol=1e-5, atol=1e-6)
    for H2 in (jax.jacfwd(jax.jacrev(f))(jnp.asarray(x)), jax.jacrev(jax.jacfwd(f))(jnp.asarray(x)),
               jax.jacfwd(jax.jacfwd(f))(jnp.asarray(x)), jax.jacrev(jax.jacrev(f))(jnp.asarray(x))):
        np.testing.assert_allclose(np.asarray(H2), H, rtol=1e-10, atol=1e-12)


@settings(max_examples=4, deadline=None)
@given(x=floats((4,), -1.5, 1.5), v=floats((4,), -1, 1))
def test_hvp_forward_over_reverse(x, v):
    f = lambda a: jnp.sum(jnp.exp(a) * jnp.cos(a[::-1])) + jnp.sum(a) ** 3
    hvp = jax.jvp(jax.grad(f), (jnp.asarray(x),), (jnp.asarray(v),))[1]
    H = np.asarray(jax.hessian(f)(jnp.asarray(x)))
    np.testing.assert_allclose(np.asarray(hvp), H @ v, rtol=1e-10, atol=1e-12)
    # reverse-over-reverse and reverse-over-forward give the same product
    rr = jax.grad(lambda a: jnp.vdot(jax.grad(f)(a), jnp.asarray(v)))(jnp.asarray(x))
    rf = jax.grad(lambda a: jax.jvp(f, (a,), (jnp.asarray(v),))[1])(jnp.asarray(x))
    np.testing.assert_allclose(np.asarray(rr), H @ v, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(np.asarray(rf), H @ v, rtol=1e-10, atol=1e-12)


def test_higher_order_scalar_derivatives():
    x = jnp.asarray(0.7)
    d = [jnp.sin]
    for _ in range(4):
        d.append(jax.grad(d[-1]))
    vals = [float(fn(x)) for fn in d]
    s, c = np.sin(0.7), np.cos(0.7)
    np.testing.assert_allclose(vals, [s, c, -s, -c, s], rtol=1e-12)
    third = jax.grad(jax.grad(jax.grad(lambda t: t ** 5 + jnp.exp(2 * t))))
    np.testing.assert_allclose(float(third(x)), 60 * 0.7 ** 2 + 8 * np.exp(1.4), rtol=1e-12)


def test_jacobians_over_pytrees():
    rng = np.random.default_rng(1)
    p = _params(rng)
    x = jnp.asarray(rng.standard_normal((5, 3)))
    f = lambda params: {"y": jnp.tanh(x @ params["w1"] + params["b1"]), "s": jnp.sum(params["w2"] ** 3)}
    jr, jf = jax.jacrev(f)(p), jax.jacfwd(f)(p)
    assert jax.tree_util.tree_structure(jr) == jax.tree_util.tree_structure(jf)
    assert jr["y"]["w1"].shape == (5, 4, 3, 4) and jr["s"]["w2"].shape == (4, 2)
    assert jr["y"]["scale"][0].shape == (5, 4) and jr["s"]["b1"].shape == (4,)
    assert_close(jr, jf, rtol=1e-10, atol=1e-12)
    # a column of the jacobian is the jvp along a basis direction
    t = jax.tree_util.tree_map(jnp.zeros_like, p)
    t["b1"] = jnp.asarray(np.eye(4)[2])
    _, tan = jax.jvp(f, (p,), (t,))
    np.testing.assert_allclose(np.asarray(jr["y"]["b1"][..., 2]), np.asarray(tan["y"]), rtol=1e-12)
    # the gradient of a pytree-input loss matches finite differences leaf by leaf
    check_vjp(lambda q: _loss(q, x), (p,))
    g = jax.grad(_loss)(p, x)
    assert jax.tree_util.tree_structure(g) == jax.tree_util.tree_structure(p)
    for path in (("w1",), ("b1",), ("w2",)):
        e = jax.tree_util.tree_map(jnp.zeros_like, p)
        leaf = np.zeros(p[path[0]].shape)
        leaf.flat[1] = 1.0
        e[path[0]] = jnp.asarray(leaf)
        fd = numerical_jvp(lambda q: _loss(q, x), (p,), (e,))
        np.testing.assert_allclose(float(np.asarray(g[path[0]]).flat[1]), float(fd), rtol=1e-6)


def test_hessian_over_pytree_and_argnums():
    f = lambda a, b: jnp.sum(a ** 2 * b[0]) + jnp.sum(jnp.sin(b[1]) * a[0])
    a = jnp.asarray([1.0, 2.0])
    b = (jnp.asarray(3.0), jnp.asarray([0.5, -0.5]))
    H = jax.hessian(f, argnums=(0, 1))(a, b)
    # H[i][j] is d2f / d arg_i d arg_j; its blocks are transposes of each other
    np.testing.assert_allclose(np.asarray(H[0][0]), np.diag([6.0, 6.0]))
    np.testing.assert_allclose(np.asarray(H[0][1][0]), [2.0, 4.0])
    np.testing.assert_allclose(np.asarray(H[1][0][0]), [2.0, 4.0])
    np.testing.assert_allclose(np.asarray(H[0][1][1]), [[np.cos(0.5), np.cos(-0.5)], [0.0, 0.0]])
    np.testing.assert_allclose(np.asarray(H[1][1][1][1]), np.diag(-np.sin([0.5, -0.5]) * 1.0))


# ---- the API options --------------------------------------------------------------------------
def test_argnums_has_aux_value_and_grad():
    f = lambda x, y, z: (jnp.sum(x * y ** 2) + z, {"aux": x * 2, "n": 3})
    x, y = jnp.asarray([1.0, 2.0]), jnp.asarray([3.0, 4.0])
    gx, aux = jax.grad(f, has_aux=True)(x, y, 1.0)
    np.testing.assert_allclose(np.asarray(gx), [9.0, 16.0])
    np.testing.assert_allclose(np.asarray(aux["aux"]), [2.0, 4.0])
    assert aux["n"] == 3
    (gx, gz), aux = jax.grad(f, argnums=(0, 2), has_aux=True)(x, y, 1.0)
    np.testing.assert_allclose(np.asarray(gz), 1.0)
    (val, aux), (gy,) = jax.value_and_grad(f, argnums=(1,), has_aux=True)(x, y, 1.0)
    np.testing.assert_allclose(float(val), 42.0)
    np.testing.assert_allclose(np.asarray(gy), [6.0, 16.0])
    gy = jax.grad(lambda *a: f(*a)[0], argnums=-2)(x, y, 1.0)
    np.testing.assert_allclose(np.asarray(gy), [6.0, 16.0])
    _, f_jvp, aux = jax.linearize(f, x, y, 1.0, has_aux=True)
    np.testing.assert_allclose(float(f_jvp(jnp.ones(2), jnp.zeros(2), 0.0)), 25.0)
    out, pullback, aux = jax.vjp(f, x, y, 1.0, has_aux=True)
    assert aux["n"] == 3
    cts = pullback(jnp.asarray(1.0))
    np.testing.assert_allclose(np.asarray(cts[0]), [9.0, 16.0])
    p, t, aux = jax.jvp(lambda a: f(a, y, 1.0), (x,), (jnp.ones(2),), has_aux=True)
    np.testing.assert_allclose(float(t), 25.0)


def test_grad_errors_as_jax():
    x = jnp.asarray([1.0, 2.0, 3.0])
    with pytest.raises(TypeError, match=r"Gradient only defined for scalar-output functions\. "
                                        r"Output had shape: \(3,\)\."):
        jax.grad(lambda v: v * 2)(x)
    with pytest.raises(TypeError, match="grad requires real- or complex-valued inputs.*but got int32"):
        jax.grad(lambda v: jnp.sum(v * 2.0))(jnp.asarray([1, 2], dtype=np.int32))
    with pytest.raises(TypeError, match="int64"):
        jax.grad(lambda v: v * 2.0)(3)
    with pytest.raises(TypeError, match="bool"):
        jax.grad(lambda a, b: jnp.sum(a), argnums=1)(x, jnp.asarray([True]))
    with pytest.raises(TypeError, match="grad requires real-valued outputs"):
        jax.grad(lambda v: jnp.sum(v).astype(np.int32))(x)
    with pytest.raises(TypeError, match="Gradient only defined for scalar-output functions"):
        jax.grad(lambda v: (v[0], v[1]))(x)


def test_allow_int():
    f = lambda x, n: jnp.sum(x ** 2) * n
    x, n = jnp.asarray([1.0, 2.0]), jnp.asarray(3, dtype=np.int32)
    gx, gn = jax.grad(f, argnums=(0, 1), allow_int=True)(x, n)
    np.testing.assert_allclose(np.asarray(gx), [6.0, 12.0])
    assert gn.shape == () and gn.dtype == jax.float0  # as JAX: integer inputs get float0 zeros
    ints = jnp.asarray([1, 2, 3])
    g = jax.grad(lambda v: jnp.sum(v * 1.5), allow_int=True)(ints)
    assert g.shape == (3,) and not np.any(np.asarray(g))


def test_vjp_and_linearize_pytree_io():
    f = lambda d: (jnp.sin(d["a"]) * d["b"], [d["a"] ** 2])
    x = {"a": jnp.asarray([0.1, 0.2]), "b": jnp.asarray(2.0)}
    out, pullback = jax.vjp(f, x)
    ct = pullback((jnp.asarray([1.0, 1.0]), [jnp.asarray([0.0, 1.0])]))
    assert isinstance(ct, tuple) and set(ct[0]) == {"a", "b"}
    np.testing.assert_allclose(np.asarray(ct[0]["a"]), 2 * np.cos([0.1, 0.2]) + [0.0, 0.4])
    np.testing.assert_allclose(float(ct[0]["b"]), np.sin(0.1) + np.sin(0.2))
    y, f_jvp = jax.linearize(f, x)
    t = {"a": jnp.asarray([1.0, 0.0]), "b": jnp.asarray(1.0)}
    assert_close(f_jvp(t), jax.jvp(f, (x,), (t,))[1], rtol=1e-12, atol=1e-14)
    with pytest.raises(TypeError, match="Tree structure of cotangent input"):
        pullback(jnp.asarray([1.0, 1.0]))
    with pytest.raises(ValueError, match="Shape of cotangent input"):
        pullback((jnp.asarray([1.0, 1.0, 1.0]), [jnp.asarray([0.0, 1.0])]))


def test_grad_composes_with_jit_and_vmap():
    f = lambda w, x: jnp.sum(jnp.tanh(x @ w) ** 2)
    rng = np.random.default_rng(2)
    w, x = jnp.asarray(rng.standard_normal((3, 2))), jnp.asarray(rng.standard_normal((4, 3)))
    ref = jax.grad(f)(w, x)
    assert_close(jax.jit(jax.grad(f))(w, x), ref, rtol=1e-12, atol=1e-14)
    assert_close(jax.grad(jax.jit(f))(w, x), ref, rtol=1e-12, atol=1e-14)
    assert_close(jax.grad(lambda a, b: jax.jit(f)(a, b) * 2.0)(w, x), 2 * np.asarray(ref), rtol=1e-12)
    per_example = jax.vmap(jax.grad(f), in_axes=(None, 0))(w, x[:, None, :])
    assert_close(jnp.sum(per_example, axis=0), ref, rtol=1e-10, atol=1e-12)
    assert_close(jax.jit(jax.hessian(lambda v: f(v, x)))(w), jax.hessian(lambda v: f(v, x))(w), rtol=1e-10)
    check_grads(lambda a: jax.jit(f)(a, x), (w,))


# ---- custom_jvp -------------------------------------------------------------------------------
def _log1pexp_naive(x):
    return jnp.log(1.0 + jnp.exp(x))


def _make_log1pexp(calls):
    @jax.custom_jvp
    def log1pexp(x):
        return jnp.log(1.0 + jnp.exp(x))

    @log1pexp.defjvp
    def log1pexp_jvp(primals, tangents):
        calls.append("jvp")
        (x,), (t,) = primals, tangents
        return log1pexp(x), t * (1.0 - 1.0 / (1.0 + jnp.exp(x)))
    return log1pexp


def test_custom_jvp_rule_is_used_by_grad_jvp_jit_vmap():
    calls = []
    f = _make_log1pexp(calls)
    x = jnp.asarray(1000.0)
    assert np.isnan(float(jax.grad(_log1pexp_naive)(x)))  # the naive derivative overflows
    np.testing.assert_allclose(float(f(jnp.asarray(3.0))), np.log1p(np.exp(3.0)), rtol=1e-12)
    assert calls == []  # no transformation: the rule is not consulted
    assert float(jax.grad(f)(x)) == 1.0
    assert calls == ["jvp"]
    assert float(jax.jit(jax.grad(f))(x)) == 1.0 and len(calls) == 2
    assert float(jax.grad(jax.jit(f))(x)) == 1.0 and len(calls) == 3
    y, t = jax.jvp(f, (x,), (jnp.asarray(2.0),))
    assert float(t) == 2.0 and len(calls) == 4
    xs = jnp.asarray([-100.0, 0.0, 100.0])
    n = len(calls)
    g = jax.vmap(jax.grad(f))(xs)
    np.testing.assert_allclose(np.asarray(g), [0.0, 0.5, 1.0], atol=1e-12)
    assert len(calls) == n + 1  # traced once for the whole batch
    g = jax.grad(lambda v: jnp.sum(jax.vmap(f)(v)))(xs)  # the batched primitive, differentiated
    np.testing.assert_allclose(np.asarray(g), [0.0, 0.5, 1.0], atol=1e-12)
    assert len(calls) == n + 2
    g = jax.jit(jax.vmap(jax.grad(f)))(xs)
    np.testing.assert_allclose(np.asarray(g), [0.0, 0.5, 1.0], atol=1e-12)
    # second order: the rule's own computation is differentiated
    h = jax.grad(jax.grad(f))(jnp.asarray(0.3))
    s = 1 / (1 + np.exp(-0.3))
    np.testing.assert_allclose(float(h), s * (1 - s), rtol=1e-12)
    jaxpr = jax.make_jaxpr(f)(x)
    assert [e.primitive.name for e in jaxpr.eqns] == ["custom_jvp_call"]


def test_custom_jvp_defjvps_pytrees_kwargs():
    @jax.custom_jvp
    def f(x, y):
        return jnp.sin(x) * y

    calls = []
    f.defjvps(lambda x_dot, out, x, y: calls.append(0) or jnp.cos(x) * x_dot * y * 3.0,
              lambda y_dot, out, x, y: calls.append(1) or jnp.sin(x) * y_dot)
    x, y = jnp.asarray(0.4), jnp.asarray(2.0)
    gx, gy = jax.grad(f, argnums=(0, 1))(x, y)
    np.testing.assert_allclose(float(gx), 3 * np.cos(0.4) * 2.0)
    np.testing.assert_allclose(float(gy), np.sin(0.4))
    assert sorted(calls) == [0, 1]
    np.testing.assert_allclose(float(jax.grad(lambda a: f(a, y=y))(x)), 3 * np.cos(0.4) * 2.0)

    @jax.custom_jvp
    def norm_and_dir(d):
        n = jnp.sqrt(d["a"] ** 2 + d["b"] ** 2)
        return {"n": n, "dir": (d["a"] / n, d["b"] / n)}

    @norm_and_dir.defjvp
    def _(primals, tangents):
        (d,), (t,) = primals, tangents
        out = norm_and_dir(d)
        tn = (d["a"] * t["a"] + d["b"] * t["b"]) / out["n"]
        return out, {"n": tn, "dir": (jnp.zeros_like(tn), jnp.zeros_like(tn))}

    d = {"a": jnp.asarray(3.0), "b": jnp.asarray(4.0)}
    g = jax.grad(lambda v: norm_and_dir(v)["n"] + norm_and_dir(v)["dir"][0])(d)
    np.testing.assert_allclose([float(g["a"]), float(g["b"])], [0.6, 0.8])  # dir's tangent was declared 0


def test_custom_jvp_nondiff_argnums():
    import functools

    @functools.partial(jax.custom_jvp, nondiff_argnums=(0,))
    def app(f, x):
        return f(x)

    @app.defjvp
    def app_jvp(f, primals, tangents):
        (x,), (t,) = primals, tangents
        return app(f, x), 2.0 * t

    assert float(jax.grad(app, 1)(lambda v: v ** 3, 3.0)) == 2.0
    np.testing.assert_allclose(np.asarray(jax.vmap(lambda x: jax.grad(app, 1)(lambda v: v ** 3, x))(
        jnp.arange(3.0))), [2.0, 2.0, 2.0])
    assert float(jax.jit(jax.grad(app, 1), static_argnums=0)(jnp.sin, 3.0)) == 2.0

    @functools.partial(jax.custom_jvp, nondiff_argnums=(1,))
    def scale(x, k):
        return x * k

    @scale.defjvp
    def scale_jvp(k, primals, tangents):
        return scale(primals[0], k), tangents[0] * k * 10.0

    # an array in a nondiff position gets no gradient (as JAX: it is stop_gradient-ed)
    gx, gk = jax.grad(lambda x, k: scale(x, k), argnums=(0, 1))(jnp.asarray(1.0), jnp.asarray(2.0))
    assert float(gx) == 20.0 and float(gk) == 0.0


def test_custom_jvp_errors():
    @jax.custom_jvp
    def f(x):
        return x * 2.0

    with pytest.raises(AttributeError, match="No JVP defined for custom_jvp function f using defjvp"):
        jax.grad(f)(1.0)
    f.defjvp(lambda p, t: (f(*p), (t[0], t[0])))
    with pytest.raises(TypeError, match="equal container"):
        jax.grad(f)(1.0)
    f.defjvp(lambda p, t: f(*p))
    with pytest.raises(TypeError, match="must produce a pair"):
        jax.jvp(f, (jnp.asarray(1.0),), (jnp.asarray(1.0),))
    f.defjvp(lambda p, t: (f(*p), jnp.zeros((2,))))
    with pytest.raises(TypeError, match="corresponding shapes and dtypes"):
        jax.grad(f)(1.0)


# ---- custom_vjp -------------------------------------------------------------------------------
def _make_clip_gradient(calls):
    @jax.custom_vjp
    def clip_gradient(lo, hi, x):
        return x

    def fwd(lo, hi, x):
        calls.append("fwd")
        return x, (lo, hi)

    def bwd(res, g):
        calls.append("bwd")
        lo, hi = res
        return (None, None, jnp.clip(g, lo, hi))

    clip_gradient.defvjp(fwd, bwd)
    return clip_gradient


def test_custom_vjp_rule_is_used_by_grad_jit_vmap():
    calls = []
    clip = _make_clip_gradient(calls)
    f = lambda x: jnp.sum(clip(-0.75, 0.75, jnp.sin(x) * 3.0))
    x = jnp.asarray([0.1, 0.2, 1.5])
    assert float(jnp.sum(clip(-0.75, 0.75, x))) == pytest.approx(1.8) and calls == []
    want = np.clip(np.ones(3), -0.75, 0.75) * 3.0 * np.cos([0.1, 0.2, 1.5])
    np.testing.assert_allclose(np.asarray(jax.grad(f)(x)), want, rtol=1e-12)
    assert calls == ["fwd", "bwd"]
    np.testing.assert_allclose(np.asarray(jax.jit(jax.grad(f))(x)), want, rtol=1e-12)
    np.testing.assert_allclose(np.asarray(jax.grad(jax.jit(f))(x)), want, rtol=1e-12)
    assert calls.count("fwd") == 3 and calls.count("bwd") == 3
    xs = jnp.asarray(np.linspace(-1, 1, 6).reshape(2, 3))
    per = jax.vmap(jax.grad(f))(xs)
    assert per.shape == (2, 3) and calls.count("bwd") == 4
    np.testing.assert_allclose(np.asarray(per[1]), np.asarray(jax.grad(f)(xs[1])), rtol=1e-12)
    # grad of a vmapped custom_vjp: the batched primitive's fwd/bwd are vmaps of the user's
    g = jax.grad(lambda v: jnp.sum(jax.vmap(lambda r: clip(-0.75, 0.75, r * 3.0))(v)))(xs)
    np.testing.assert_allclose(np.asarray(g), np.full((2, 3), 0.75 * 3.0))
    # an unbatched argument's cotangent is summed over the batch
    @jax.custom_vjp
    def mul(w, x):
        return w * x
    mul.defvjp(lambda w, x: (w * x, (w, x)), lambda r, g: (jnp.sum(g * r[1] * 0 + g * r[1]), g * r[0]))
    gw = jax.grad(lambda w: jnp.sum(jax.vmap(mul, in_axes=(None, 0))(w, jnp.arange(4.0))))(jnp.asarray(2.0))
    assert float(gw) == 6.0
    with pytest.raises(TypeError, match=r"can't apply forward-mode autodiff \(jvp\) to a custom_vjp function"):
        jax.jvp(f, (x,), (x,))


def test_custom_vjp_nondiff_pytrees_and_higher_order():
    import functools

    @functools.partial(jax.custom_vjp, nondiff_argnums=(0,))
    def app(f, x):
        return f(x)

    app.defvjp(lambda f, x: (f(x), x), lambda f, x, g: (5.0 * g,))
    assert float(jax.grad(app, 1)(lambda v: v ** 2, 4.0)) == 5.0
    with pytest.raises(TypeError, match="non-differentiable argument"):
        _vjp_with_tracer_nondiff()

    calls = []

    @jax.custom_vjp
    def f(p):
        return {"y": jnp.sin(p["a"]) * p["b"]}

    def f_fwd(p):
        calls.append("fwd")
        return f(p), (jnp.cos(p["a"]), p["b"], jnp.sin(p["a"]))

    def f_bwd(res, g):
        calls.append("bwd")
        c, b, s = res
        return ({"a": c * b * g["y"], "b": s * g["y"]},)

    f.defvjp(f_fwd, f_bwd)
    p = {"a": jnp.asarray([0.3, 0.6]), "b": jnp.asarray([2.0, -1.0])}
    check_vjp(lambda q: jnp.sum(jnp.sin(q["a"]) * q["b"]), (p,))
    g = jax.grad(lambda q: jnp.sum(f(q)["y"]))(p)
    np.testing.assert_allclose(np.asarray(g["a"]), np.cos([0.3, 0.6]) * [2.0, -1.0], rtol=1e-12)
    np.testing.assert_allclose(np.asarray(g["b"]), np.sin([0.3, 0.6]), rtol=1e-12)
    assert calls == ["fwd", "bwd"]
    # second order: the user's bwd is itself differentiated (d/da of cos(a) b = -sin(a) b)
    h = jax.grad(lambda a: jnp.sum(jax.grad(lambda q: jnp.sum(f(q)["y"]))({"a": a, "b": p["b"]})["a"]))(p["a"])
    np.testing.assert_allclose(np.asarray(h), -np.sin([0.3, 0.6]) * [2.0, -1.0], rtol=1e-12)


def _vjp_with_tracer_nondiff():
    import functools

    @functools.partial(jax.custom_vjp, nondiff_argnums=(1,))
    def f(a, b):
        return a * b
    f.defvjp(lambda a, b: (a * b, None), lambda b, r, g: (g * b,))
    return jax.grad(lambda v: f(v, v))(1.0)


def test_custom_vjp_errors():
    @jax.custom_vjp
    def f(x):
        return x * 2.0

    with pytest.raises(AttributeError, match="No VJP defined"):
        jax.grad(f)(1.0)
    f.defvjp(lambda x: x * 2.0, lambda r, g: (g,))
    with pytest.raises(TypeError, match="must produce a pair"):
        jax.grad(f)(1.0)
    f.defvjp(lambda x: (x * 2.0, None), lambda r, g: g)
    with pytest.raises(TypeError, match="must produce a tuple"):
        jax.grad(f)(1.0)
    f.defvjp(lambda x: (x * 2.0, None), lambda r, g: (g, g))
    with pytest.raises(TypeError, match="same container"):
        jax.grad(f)(1.0)
    f.defvjp(lambda x: (x * 2.0, None), lambda r, g: (jnp.zeros(3),))
    with pytest.raises(ValueError, match="same shape/dtypes"):
        jax.grad(f)(jnp.asarray(1.0))


# ---- checkpoint / remat -----------------------------------------------------------------------
def _linear_graph(f, *args):
    """The linear graph of f at args, and its residuals (the values saved for the backward pass)."""
    from jaxish.interpreters.transpose import linearize_flat
    _, graph, consts, _ = linearize_flat(lambda *a: [f(*a)], [jnp.asarray(a) for a in args])
    return graph, consts


def _prims(graph):
    from jaxish.ir.graph import subgraphs_of
    names = []
    for e in graph.eqns:
        names.append(e.primitive.name)
        for g in subgraphs_of(e.params):
            names.extend(_prims(g))
    return names


def _block(x, w):
    return jnp.sin(jnp.tanh(x @ w) * 2.0)


def test_checkpoint_recomputes_instead_of_saving():
    rng = np.random.default_rng(4)
    x, w = rng.standard_normal((4, 3)), rng.standard_normal((3, 5))
    f = lambda x, w: jnp.sum(_block(x, w) * 3.0)
    g_plain, res_plain = _linear_graph(f, x, w)
    assert not {"tanh", "cos"} & set(_prims(g_plain))  # plain: residuals saved, nothing recomputed
    assert len(res_plain) >= 4
    # (the block's own output sin(u) is not needed backward: its derivative is cos(u))
    for policy, saved, recomputed in [(None, 2, {"dot_general", "tanh", "cos"}),
                                      (jax.checkpoint_policies.nothing_saveable, 2, {"dot_general", "tanh", "cos"}),
                                      (jax.checkpoint_policies.dots_saveable, 3, {"tanh", "cos"}),
                                      (jax.checkpoint_policies.everything_saveable, None, set())]:
        fc = lambda x, w: jnp.sum(jax.checkpoint(_block, policy=policy)(x, w) * 3.0)
        graph, res = _linear_graph(fc, x, w)
        remats = [e for e in graph.eqns if e.primitive.name == "remat"]
        assert len(remats) == 1
        inner = _prims(remats[0].params["graph"])
        assert recomputed <= set(inner), (policy, inner)
        if not recomputed:
            assert not {"tanh", "sin", "cos"} & set(inner)
        # residuals: only the block's inputs (x, w), plus the dot's output under dots_saveable
        shapes_ = sorted(np.shape(r) for r in res)
        if saved is not None:
            assert len(res) == saved, (policy, shapes_)
            assert {(4, 3), (3, 5)} <= set(shapes_)
        else:
            assert shapes_ == sorted(np.shape(r) for r in res_plain)
        ref = jax.grad(f, argnums=(0, 1))(jnp.asarray(x), jnp.asarray(w))
        got = jax.grad(fc, argnums=(0, 1))(jnp.asarray(x), jnp.asarray(w))
        assert_close(got, ref, rtol=1e-12, atol=1e-14)
        check_vjp(fc, (x, w))


def test_checkpoint_name_policies():
    """Named values (jax.ad_checkpoint.checkpoint_name) are saved or recomputed per policy; the
    residual counts are JAX 0.10.2's (print_saved_residuals) for the same block."""
    from jaxish.ad_checkpoint import checkpoint_name
    cp = jax.checkpoint_policies
    rng = np.random.default_rng(6)
    x, w = rng.standard_normal((4, 3)), rng.standard_normal((3, 5))

    def block(x, w):
        h = checkpoint_name(x @ w, "h")
        return jnp.sin(jnp.tanh(h) * 2.0)
    assert "name[name=h]" in str(jax.make_jaxpr(block)(x, w))
    f = lambda x, w: jnp.sum(block(x, w) * 3.0)
    ref = jax.grad(f, argnums=(0, 1))(jnp.asarray(x), jnp.asarray(w))
    # dots: the tangent's two products, plus one when the forward product is recomputed
    for policy, saved, dots in [(cp.save_only_these_names("h"), 3, 2),
                                (cp.save_only_these_names("other"), 2, 3),
                                (cp.save_any_names_but_these("h"), 2, 3),
                                (cp.save_anything_except_these_names("h"), None, 2),
                                (cp.save_from_both_policies(cp.dots_saveable, cp.save_only_these_names("h")), 3, 2)]:
        fc = lambda x, w: jnp.sum(jax.checkpoint(block, policy=policy)(x, w) * 3.0)
        graph, res = _linear_graph(fc, x, w)
        inner = _prims([e for e in graph.eqns if e.primitive.name == "remat"][0].params["graph"])
        assert inner.count("dot_general") == dots, inner
        assert ({"tanh", "cos"} <= set(inner)) == (saved is not None), inner   # recomputed unless saved
        if saved is not None:
            assert len(res) == saved, sorted(np.shape(r) for r in res)
        assert_close(jax.grad(fc, argnums=(0, 1))(jnp.asarray(x), jnp.asarray(w)), ref, rtol=1e-12, atol=1e-14)
    fj = jax.jit(jax.grad(lambda x, w: jnp.sum(jax.checkpoint(block, policy=cp.save_only_these_names("h"))(x, w))))
    assert_close(fj(jnp.asarray(x), jnp.asarray(w)),
                 jax.grad(lambda x, w: jnp.sum(block(x, w)))(jnp.asarray(x), jnp.asarray(w)), rtol=1e-6, atol=1e-6)


def test_checkpoint_composes():
    rng = np.random.default_rng(5)
    x, w = jnp.asarray(rng.standard_normal((4, 3))), jnp.asarray(rng.standard_normal((3, 3)))

    def net(w, x):
        for _ in range(3):
            x = jax.checkpoint(_block)(x, w)
        return jnp.sum(x ** 2)

    def net_plain(w, x):
        for _ in range(3):
            x = _block(x, w)
        return jnp.sum(x ** 2)

    ref = jax.grad(net_plain)(w, x)
    assert_close(jax.grad(net)(w, x), ref, rtol=1e-12, atol=1e-14)
    assert_close(jax.jit(jax.grad(net))(w, x), ref, rtol=1e-12, atol=1e-14)
    assert_close(jax.grad(jax.jit(net))(w, x), ref, rtol=1e-12, atol=1e-14)
    assert_close(jax.vmap(jax.grad(net), in_axes=(None, 0))(w, x[:, None]),
                 jax.vmap(jax.grad(net_plain), in_axes=(None, 0))(w, x[:, None]), rtol=1e-12, atol=1e-14)
    assert_close(jax.hessian(lambda v: net(v, x))(w), jax.hessian(lambda v: net_plain(v, x))(w),
                 rtol=1e-10, atol=1e-12)
    check_jvp(lambda v: net(v, x), (w,))
    nested = jax.checkpoint(lambda w, x: jax.checkpoint(_block)(jax.checkpoint(_block)(x, w), w))
    assert_close(jax.grad(lambda v: jnp.sum(nested(v, x)))(w),
                 jax.grad(lambda v: jnp.sum(_block(_block(x, v), v)))(w), rtol=1e-12, atol=1e-14)
    # static_argnums, pytrees and the remat alias
    f = jax.remat(lambda p, n: p["a"] * jnp.sin(p["b"]) ** n, static_argnums=(1,))
    p = {"a": jnp.asarray(2.0), "b": jnp.asarray(0.5)}
    g = jax.grad(lambda q: f(q, 3))(p)
    np.testing.assert_allclose(float(g["a"]), np.sin(0.5) ** 3, rtol=1e-12)
    np.testing.assert_allclose(float(g["b"]), 2.0 * 3 * np.sin(0.5) ** 2 * np.cos(0.5), rtol=1e-12)
    jaxpr = jax.make_jaxpr(jax.checkpoint(_block))(x, w)
    assert [e.primitive.name for e in jaxpr.eqns] == ["remat"]


def test_complex_grads_match_jax():
    """Gradients of real-valued functions of complex inputs, values from JAX 0.10.2 (x64)."""
    z = jnp.asarray([3 + 4j, 1 - 2j])
    cases = [(lambda v: jnp.sum(jnp.abs(v) ** 2), [6 - 8j, 2 + 4j]),
             (lambda v: jnp.sum(jnp.imag(v) * jnp.real(v)), [4 - 3j, -2 - 1j]),
             (lambda v: jnp.sum(jnp.real(jnp.conj(v) * v * (1 + 2j))), [6 - 8j, 2 + 4j]),
             (lambda v: jnp.sum(jnp.abs(v)), [0.6 - 0.8j, 0.4472135954999579 + 0.8944271909999159j]),
             (lambda v: jnp.sum(jnp.real(jnp.exp(v) * jnp.sin(v))),
              [-164.8762613 + 757.63137735j, -3.18070868 - 14.08488574j])]
    for f, want in cases:
        np.testing.assert_allclose(np.asarray(jax.grad(f)(z)), want, rtol=1e-8)
    np.testing.assert_allclose(np.asarray(jax.grad(lambda v: jnp.sum(jnp.exp(v)), holomorphic=True)(z)),
                               np.exp([3 + 4j, 1 - 2j]), rtol=1e-12)
    assert float(jax.grad(jnp.abs)(0.0)) == 1.0 and float(jax.grad(jnp.abs)(-2.0)) == -1.0


# ---- control flow -----------------------------------------------------------------------------
def _scan_fn(x):
    def body(carry, xi):
        carry = jnp.tanh(carry * xi + 0.5)
        return carry, carry ** 2
    c, ys = lax.scan(body, x[0], x)
    return c + ys * x


def test_control_flow_grads():
    x = np.asarray([0.3, -0.7, 1.1])
    fns = [lambda v: lax.cond(jnp.sum(v) > 0, lambda u: jnp.sin(u) * 2, lambda u: jnp.cos(u), v),
           lambda v: lax.cond(jnp.sum(v) < 0, lambda u: jnp.sin(u) * 2, lambda u: jnp.cos(u) * u, v),
           lambda v: lax.switch(1, [jnp.sin, lambda u: jnp.cos(u) * u, jnp.tanh], v),
           _scan_fn,
           lambda v: lax.scan(lambda c, xi: (c * jnp.sin(xi), c), 1.0, v, reverse=True)[1],
           lambda v: lax.fori_loop(0, 3, lambda i, u: jnp.sin(u) * 1.5 + i, v)]
    for f in fns:
        check_grads(f, (x,))
        H = np.asarray(jax.hessian(lambda v: jnp.sum(f(v)))(jnp.asarray(x)))
        np.testing.assert_allclose(H, H.T, rtol=1e-10, atol=1e-12)
        assert_close(jax.jit(jax.grad(lambda v: jnp.sum(f(v))))(x), jax.grad(lambda v: jnp.sum(f(v)))(x),
                     rtol=1e-12, atol=1e-14)
    # while_loop: forward mode only, as JAX
    wl = lambda v: lax.while_loop(lambda s: s[1] < 3, lambda s: (jnp.sin(s[0]) * 1.5, s[1] + 1), (v, 0))[0]
    check_jvp(wl, (x,))
    assert_close(jax.jacfwd(wl)(jnp.asarray(x)), np.diag(np.asarray(jax.jvp(wl, (jnp.asarray(x),),
                                                                             (jnp.ones(3),))[1])), rtol=1e-12)
    with pytest.raises(ValueError, match="Reverse-mode differentiation does not work for lax.while_loop"):
        jax.grad(lambda v: jnp.sum(wl(v)))(x)


def test_saved_residuals_report():
    """jax.ad_checkpoint.saved_residuals / print_saved_residuals: what the backward pass keeps,
    named as JAX names it. Under checkpoint only the block's inputs are kept (as JAX 0.10.2
    reports for the same block); plainly, the primitive outputs the derivative needs."""
    import io
    import contextlib
    from jaxish.ad_checkpoint import saved_residuals, print_saved_residuals
    x, w = jnp.ones((4, 3)), jnp.ones((3, 5))
    fc = lambda x, w: jnp.sum(jax.checkpoint(_block)(x, w) * 3.0)
    got = sorted((tuple(a.shape), d) for a, d in saved_residuals(fc, x, w))
    assert got == [((3, 5), "from the argument w"), ((4, 3), "from the argument x")]
    plain = saved_residuals(lambda x, w: jnp.sum(_block(x, w) * 3.0), x, w)
    descs = [d for _, d in plain]
    assert any(d.startswith("output of ") for d in descs) and "from the argument x" in descs
    assert [d for _, d in saved_residuals(lambda x: jnp.sin(jnp.sin(x)) * 2, 1.0)] == ["output of cos"] * 2
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        print_saved_residuals(fc, x, w)
    dt = "f64" if jax.config.jax_enable_x64 else "f32"   # (this file runs under x64)
    assert sorted(buf.getvalue().splitlines()) == [f"{dt}[3,5] from the argument w", f"{dt}[4,3] from the argument x"]
