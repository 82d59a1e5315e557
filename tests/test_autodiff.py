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
SETTINGS = dict(max_examples=6, deadline=None)


@pytest.fixture(autouse=True)
def x64():
    prev = jax.config.read("jax_enable_x64")
    jax.config.update("jax_enable_x64", True)
    try:
        yield
    finally:
        jax.config.update("jax_enable_x64", prev)


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
    args = tuple(jnp.asarray(a) for a in args)
    tangents = _random_like(rng, args)
    y, t = jax.jvp(f, args, tangents)
    assert_close(y, f(*args), rtol=1e-12, atol=1e-12, what="jvp primal output")
    for yl, tl in zip(_leaves(y), _leaves(t)):
        assert tl.dtype == yl.dtype and tl.shape == yl.shape, (tl.dtype, yl.dtype)
    assert_close(t, numerical_jvp(f, args, tangents, eps), rtol, atol, what="jvp vs finite differences")


def check_vjp(f, args, seed=1, rtol=1e-7, atol=1e-9):
    """<u, J v> (forward mode) equals <J^T u, v> (reverse mode) for random u, v."""
    rng = np.random.default_rng(seed)
    args = tuple(jnp.asarray(a) for a in args)
    y, pullback = jax.vjp(f, *args)
    assert_close(y, f(*args), rtol=1e-12, atol=1e-12, what="vjp primal output")
    u = _random_like(rng, y)
    v = _random_like(rng, args)
    ct = pullback(u)
    assert isinstance(ct, tuple) and len(ct) == len(args)
    for c, a in zip(ct, args):
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
    assert np.all(np.asarray(t) == 0)
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
    for fn in (lambda v: jnp.tile(v, (2, 1)), lambda v: jnp.repeat(v, 2, axis=1),
               lambda v: jnp.split(v, 3, axis=1)[1], lambda v: jnp.flip(v), lambda v: jnp.roll(v, 1, axis=1),
               lambda v: jnp.swapaxes(v, 0, 1), lambda v: jnp.ravel(v), lambda v: jnp.triu(v),
               lambda v: jnp.broadcast_to(v, (4, 2, 3)), lambda v: jnp.pad(v, ((1, 0), (0, 2)))):
        check_grads(fn, (x,))
