"""vmap: for every primitive, vmap(f)(xs) equals stacking f(x) over a Python loop (hypothesis
picks shapes, in_axes and out_axes); pytree/negative/None axes, kwargs, nesting, JAX's errors,
named-axis collectives, and composition with grad, vjp and jit."""

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st, HealthCheck

import jaxish as jax
import jaxish.numpy as jnp
from jaxish import lax
from jaxish.tree_util import tree_flatten, tree_unflatten, broadcast_prefix

SETTINGS = settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck))
FEW = settings(max_examples=6, deadline=None, suppress_health_check=list(HealthCheck))


# ---- the oracle: a Python loop over the mapped axis -------------------------------------------
def _np(x):
    return np.asarray(x)


def loop_vmap(f, in_axes, out_axes, args, axis_size=None):
    """Reference: call f once per index along the mapped axes, stack the results along out_axes."""
    args = tuple(args)
    if isinstance(in_axes, list):
        in_axes = tuple(in_axes)
    leaves, tree = tree_flatten(args)
    ia = in_axes if isinstance(in_axes, tuple) else (in_axes,) * len(args)
    dims = broadcast_prefix(ia, args, is_leaf=lambda x: x is None)
    n = axis_size
    for x, d in zip(leaves, dims):
        if d is not None:
            n = _np(x).shape[d]
    outs = []
    for i in range(n):
        sl = [x if d is None else jnp.asarray(np.take(_np(x), i, axis=d)) for x, d in zip(leaves, dims)]
        outs.append(f(*tree_unflatten(tree, sl)))
    out_leaves = [tree_flatten(o)[0] for o in outs]
    out_tree = tree_flatten(outs[0])[1]
    want = broadcast_prefix(out_axes, tree_unflatten(out_tree, list(range(len(out_leaves[0])))),
                            is_leaf=lambda x: x is None)
    res = []
    for j, w in enumerate(want):
        col = [_np(o[j]) for o in out_leaves]
        res.append(col[0] if w is None else np.stack(col, axis=w))
    return tree_unflatten(out_tree, res)


def check(f, args, in_axes=0, out_axes=0, rtol=1e-5, atol=1e-5, axis_size=None, **vmap_kw):
    got = jax.vmap(f, in_axes=in_axes, out_axes=out_axes, axis_size=axis_size, **vmap_kw)(*args)
    want = loop_vmap(f, in_axes, out_axes, args, axis_size)
    g_leaves, g_tree = tree_flatten(got)
    w_leaves, w_tree = tree_flatten(want)
    assert g_tree == w_tree
    for g, w in zip(g_leaves, w_leaves):
        g = _np(g)
        assert g.shape == w.shape, (g.shape, w.shape)
        assert g.dtype == w.dtype, (g.dtype, w.dtype)
        if g.dtype.kind in "fc":
            np.testing.assert_allclose(g, w, rtol=rtol, atol=atol, equal_nan=True)
        else:
            np.testing.assert_array_equal(g, w)
    return got


# ---- strategies --------------------------------------------------------------------------------
def _values(rng, shape, dtype):
    dtype = np.dtype(dtype)
    if dtype == np.bool_:
        return rng.random(shape) < 0.5
    if dtype.kind in "iu":
        return rng.integers(-5 if dtype.kind == "i" else 0, 6, size=shape).astype(dtype)
    return rng.standard_normal(shape).astype(dtype)


@st.composite
def batched(draw, shapes, dtypes=None, allow_none=True, size=None):
    """Arrays for `shapes` (per-example shapes), each with the batch axis at a drawn position
    (negative allowed) or unbatched (None); at least one is batched. Returns (args, in_axes)."""
    n = size if size is not None else draw(st.integers(1, 4))
    seed = draw(st.integers(0, 2**31 - 1))
    rng = np.random.default_rng(seed)
    dtypes = dtypes or ["float32"] * len(shapes)
    axes = []
    for shp in shapes:
        r = len(shp)
        choices = list(range(-(r + 1), r + 1)) + ([None] if allow_none else [])
        axes.append(draw(st.sampled_from(choices)))
    if all(a is None for a in axes):
        axes[draw(st.integers(0, len(shapes) - 1))] = 0
    args = []
    for shp, dt, a in zip(shapes, dtypes, axes):
        if a is None:
            args.append(jnp.asarray(_values(rng, shp, dt)))
        else:
            full = list(shp)
            full.insert(a % (len(shp) + 1), n)
            args.append(jnp.asarray(_values(rng, tuple(full), dt)))
    return args, tuple(axes)


shape_st = st.lists(st.integers(1, 4), min_size=0, max_size=3).map(tuple)
nonscalar_shape_st = st.lists(st.integers(1, 4), min_size=1, max_size=3).map(tuple)


def out_axis_for(draw, out_rank):
    return draw(st.integers(-(out_rank + 1), out_rank))


# ---- elementwise -------------------------------------------------------------------------------
UNARY = {
    "neg": lax.neg, "exp": lax.exp, "sin": lax.sin, "tanh": lax.tanh, "logistic": lax.logistic,
    "abs": lax.abs, "floor": lax.floor, "sign": lax.sign, "square": lax.square,
    "log1p_abs": lambda x: lax.log1p(lax.abs(x)), "sqrt_abs": lambda x: lax.sqrt(lax.abs(x)),
    "erf": lax.erf, "is_finite": lax.is_finite, "integer_pow3": lambda x: lax.integer_pow(x, 3),
    "integer_pow-2": lambda x: lax.integer_pow(x, -2), "stop_gradient": lax.stop_gradient,
    "convert_i32": lambda x: lax.convert_element_type(x, jnp.int32),
    "convert_bool": lambda x: lax.convert_element_type(x, jnp.bool_),
    "round": lax.round,
}


@pytest.mark.parametrize("name", sorted(UNARY))
@given(data=st.data(), shape=shape_st)
@FEW
def test_unary(name, data, shape):
    args, axes = data.draw(batched([shape], allow_none=False))
    out_axes = out_axis_for(data.draw, len(shape))
    check(UNARY[name], args, axes, out_axes)


BINARY = {
    "add": lax.add, "sub": lax.sub, "mul": lax.mul, "div": lax.div, "max": lax.max, "min": lax.min,
    "pow": lambda x, y: lax.pow(lax.abs(x), y), "atan2": lax.atan2, "rem": lax.rem,
    "lt": lax.lt, "eq": lax.eq, "nextafter": lax.nextafter,
    "jnp_add": jnp.add, "jnp_where": lambda x, y: jnp.where(x > y, x, y),
}


@st.composite
def broadcastable_shapes(draw, k):
    """k shapes that broadcast together numpy-style (lower ranks, size-1 axes)."""
    base = draw(st.lists(st.integers(1, 3), min_size=0, max_size=3))
    shapes = []
    for _ in range(k):
        drop = draw(st.integers(0, len(base)))
        shp = [1 if draw(st.booleans()) and draw(st.booleans()) else d for d in base[drop:]]
        shapes.append(tuple(shp))
    return shapes


@pytest.mark.parametrize("name", sorted(BINARY))
@given(data=st.data())
@FEW
def test_binary(name, data):
    shapes = data.draw(broadcastable_shapes(2))
    args, axes = data.draw(batched(shapes))
    out_rank = max(len(s) for s in shapes)
    check(BINARY[name], args, axes, out_axis_for(data.draw, out_rank))


@given(data=st.data())
@SETTINGS
def test_integer_binary(data):
    shapes = data.draw(broadcastable_shapes(2))
    args, axes = data.draw(batched(shapes, dtypes=["int32", "int32"]))
    check(lambda x, y: (lax.bitwise_and(x, y), lax.shift_left(x, lax.abs(y)), lax.max(x, y),
                        lax.rem(x, lax.max(lax.abs(y), 1))), args, axes)


@given(data=st.data())
@SETTINGS
def test_select_n_and_clamp(data):
    shapes = data.draw(broadcastable_shapes(3))
    # select_n's predicate is a scalar or has the cases' shape
    pred_scalar = data.draw(st.booleans())
    full = tuple(np.broadcast_shapes(*shapes))
    pshape = () if pred_scalar else full
    args, axes = data.draw(batched([pshape, full, full], dtypes=["bool", "float32", "float32"]))
    check(lambda p, a, b: lax.select_n(p, a, b), args, axes)
    check(lambda p, a, b: lax.select(p, a, b), args, axes, out_axes=-1)
    args, axes = data.draw(batched([(), full, ()]))
    check(lambda lo, x, hi: lax.clamp(lo, x, lo + jnp.abs(hi)), args, axes)
    args, axes = data.draw(batched([full, full], dtypes=["int32", "int32"]))
    check(lambda w, a: lax.select_n(lax.clamp(0, w, 2), a, a + 1, a * 2), args, axes)


def test_elementwise_scalar_operand_and_weak_types():
    xs = jnp.arange(6.0).reshape(3, 2)
    out = check(lambda x: x * 2 + 1, [xs], 0)
    assert out.dtype == jnp.float32
    check(lambda x: lax.add(x, 2.0), [xs], 1)
    check(lambda x: jnp.float32(3.0) - x, [xs], -1)


# ---- reductions ---------------------------------------------------------------------------------
REDUCERS = {
    "sum": lax.reduce_sum, "max": lax.reduce_max, "min": lax.reduce_min, "prod": lax.reduce_prod,
}


@pytest.mark.parametrize("name", sorted(REDUCERS))
@given(data=st.data(), shape=nonscalar_shape_st)
@FEW
def test_reductions(name, data, shape):
    args, axes = data.draw(batched([shape], allow_none=False))
    red = tuple(sorted(data.draw(st.sets(st.integers(0, len(shape) - 1)))))
    check(lambda x: REDUCERS[name](x, red), args, axes, out_axis_for(data.draw, len(shape) - len(red)))


@given(data=st.data(), shape=nonscalar_shape_st)
@SETTINGS
def test_bool_int_reductions_and_arg(data, shape):
    red = tuple(sorted(data.draw(st.sets(st.integers(0, len(shape) - 1), min_size=1))))
    args, axes = data.draw(batched([shape], dtypes=["bool"], allow_none=False))
    check(lambda x: (jnp.all(x, axis=red), jnp.any(x, axis=red)), args, axes)
    args, axes = data.draw(batched([shape], dtypes=["int32"], allow_none=False))
    check(lambda x: (lax.reduce_sum(x, red), lax.reduce_max(x, red)), args, axes)
    ax = data.draw(st.integers(0, len(shape) - 1))
    for dt in ("float32", "int32"):
        args, axes = data.draw(batched([shape], dtypes=[dt], allow_none=False))
        check(lambda x: (lax.argmax(x, ax, jnp.int32), lax.argmin(x, ax, jnp.int32),
                         jnp.argmax(x, axis=ax - len(shape))), args, axes)


CUMULATIVE = {"cumsum": lax.cumsum, "cumprod": lax.cumprod, "cummax": lax.cummax,
              "cummin": lax.cummin, "cumlogsumexp": lax.cumlogsumexp}


@pytest.mark.parametrize("name", sorted(CUMULATIVE))
@given(data=st.data(), shape=nonscalar_shape_st)
@FEW
def test_cumulative(name, data, shape):
    args, axes = data.draw(batched([shape], allow_none=False))
    ax = data.draw(st.integers(0, len(shape) - 1))
    rev = data.draw(st.booleans())
    check(lambda x: CUMULATIVE[name](x, axis=ax, reverse=rev), args, axes, out_axis_for(data.draw, len(shape)))


# ---- shape ops ----------------------------------------------------------------------------------
@given(data=st.data(), shape=shape_st)
@SETTINGS
def test_broadcast_reshape_transpose(data, shape):
    args, axes = data.draw(batched([shape], allow_none=False))
    r = len(shape)
    extra = data.draw(st.lists(st.integers(1, 3), max_size=2))
    target = tuple(extra) + tuple(shape)
    check(lambda x: lax.broadcast_in_dim(x, target, tuple(range(len(extra), len(target)))), args, axes)
    check(lambda x: jnp.broadcast_to(x, target), args, axes, out_axis_for(data.draw, len(target)))
    perm = tuple(data.draw(st.permutations(range(r))))
    check(lambda x: lax.transpose(x, perm), args, axes)
    size = int(np.prod(shape))
    check(lambda x: lax.reshape(x, (size,)), args, axes, -1)
    check(lambda x: lax.reshape(x, (size, 1), dimensions=perm), args, axes)
    check(lambda x: lax.rev(x, tuple(d for d in range(r) if d % 2 == 0)), args, axes)
    check(lambda x: lax.squeeze(lax.expand_dims(x, (0, r + 1)), (0,)), args, axes)
    check(lambda x: jnp.reshape(x, (-1,)) if r else x, args, axes)


@given(data=st.data(), shape=nonscalar_shape_st)
@SETTINGS
def test_concatenate(data, shape):
    dim = data.draw(st.integers(0, len(shape) - 1))
    shapes = []
    for _ in range(3):
        s = list(shape)
        s[dim] = data.draw(st.integers(1, 3))
        shapes.append(tuple(s))
    args, axes = data.draw(batched(shapes))
    check(lambda a, b, c: lax.concatenate([a, b, c], dim), args, axes, out_axis_for(data.draw, len(shape)))
    check(lambda a, b, c: jnp.stack([a, a]), args, axes)


@given(data=st.data(), shape=nonscalar_shape_st)
@SETTINGS
def test_pad(data, shape):
    cfg = tuple((data.draw(st.integers(-1, 2)), data.draw(st.integers(-1, 2)), data.draw(st.integers(0, 2)))
                for _ in shape)
    # keep every padded dim non-negative
    cfg = tuple((lo, hi, it) if d + (d - 1) * it + lo + hi >= 0 else (0, 0, it)
                for d, (lo, hi, it) in zip(shape, cfg))
    args, axes = data.draw(batched([shape, ()]))
    check(lambda x, pv: lax.pad(x, pv, cfg), args, axes, out_axis_for(data.draw, len(shape)))
    check(lambda x, pv: jnp.pad(x, 1, constant_values=pv) if False else lax.pad(x, 0.0, cfg), args, axes)


@given(data=st.data(), shape=nonscalar_shape_st)
@SETTINGS
def test_slice(data, shape):
    starts, limits, strides = [], [], []
    for d in shape:
        s = data.draw(st.integers(0, d - 1))
        starts.append(s)
        limits.append(data.draw(st.integers(s, d)))
        strides.append(data.draw(st.integers(1, 2)))
    args, axes = data.draw(batched([shape], allow_none=False))
    check(lambda x: lax.slice(x, starts, limits, strides), args, axes, out_axis_for(data.draw, len(shape)))
    check(lambda x: x[::2, ..., 1:] if len(shape) > 1 else x[::-1], args, axes)


@given(data=st.data(), shape=nonscalar_shape_st)
@SETTINGS
def test_dynamic_slice(data, shape):
    sizes = tuple(data.draw(st.integers(0, d)) for d in shape)
    # starts: batched or not, including out-of-range ones that JAX clamps
    args, axes = data.draw(batched([shape] + [()] * len(shape), dtypes=["float32"] + ["int32"] * len(shape)))
    out_axes = out_axis_for(data.draw, len(shape))
    check(lambda x, *s: lax.dynamic_slice(x, s, sizes), args, axes, out_axes)
    check(lambda x, *s: lax.dynamic_index_in_dim(x, s[0], 0, keepdims=False), args, axes)


@given(data=st.data(), shape=nonscalar_shape_st)
@SETTINGS
def test_dynamic_update_slice(data, shape):
    ushape = tuple(data.draw(st.integers(0, d)) for d in shape)
    args, axes = data.draw(batched([shape, ushape] + [()] * len(shape),
                                   dtypes=["float32", "float32"] + ["int32"] * len(shape)))
    check(lambda x, u, *s: lax.dynamic_update_slice(x, u, s), args, axes, out_axis_for(data.draw, len(shape)))


def test_dynamic_slice_batched_indices_clamp_like_jax():
    x = jnp.arange(20.0).reshape(4, 5)
    idx = jnp.array([-3, 0, 2, 9], dtype=jnp.int32)
    out = jax.vmap(lambda i: lax.dynamic_slice(x, (i, i), (2, 3)))(idx)
    # JAX clamps each start into [0, dim - size]
    want = [np.asarray(x)[a:a + 2, b:b + 3] for a, b in [(0, 0), (0, 0), (2, 2), (2, 2)]]
    np.testing.assert_array_equal(_np(out), np.stack(want))
    upd = jax.vmap(lambda i: lax.dynamic_update_slice(x, jnp.ones((2, 3)), (i, i)))(idx)
    for k, (a, b) in enumerate([(0, 0), (0, 0), (2, 2), (2, 2)]):
        w = np.asarray(x).copy()
        w[a:a + 2, b:b + 3] = 1
        np.testing.assert_array_equal(_np(upd[k]), w)


def test_creation_inside_vmap():
    xs = jnp.arange(6.0).reshape(3, 2)
    check(lambda x: x + lax.iota(jnp.float32, 2), [xs], 0)
    check(lambda x: (lax.full((2,), 3.0), jnp.zeros_like(x), jnp.ones((2, 2)) @ x), [xs], 0, out_axes=1)
    check(lambda x: (jnp.full_like(x, 7), lax.broadcasted_iota(jnp.int32, (2, 3), 1)), [xs], 1)
    check(lambda x: jnp.arange(3) * x[0], [xs], 0)


# ---- gather / scatter / .at[] ------------------------------------------------------------------
@given(data=st.data())
@SETTINGS
def test_getitem_batched_operand_and_indices(data):
    shape = tuple(data.draw(st.lists(st.integers(1, 4), min_size=1, max_size=3)))
    ishape = tuple(data.draw(st.lists(st.integers(1, 3), max_size=2)))
    args, axes = data.draw(batched([shape, ishape], dtypes=["float32", "int32"]))
    check(lambda x, i: x[i], args, axes, out_axis_for(data.draw, len(ishape) + len(shape) - 1))
    check(lambda x, i: jnp.take(x, i, axis=-1, mode="clip"), args, axes)
    if len(shape) >= 2:
        check(lambda x, i: x[i, i], args, axes)
        check(lambda x, i: x[:, i], args, axes)
        check(lambda x, i: x[1:, i, ...], args, axes)
    check(lambda x, i: x.at[i].get(mode="fill", fill_value=-1.0), args, axes)


@pytest.mark.parametrize("mode", ["set", "add", "multiply", "min", "max"])
@given(data=st.data())
@FEW
def test_at_updates(mode, data):
    shape = tuple(data.draw(st.lists(st.integers(1, 4), min_size=1, max_size=3)))
    ishape = tuple(data.draw(st.lists(st.integers(1, 3), max_size=2)))
    ushape = ishape + shape[1:]
    if data.draw(st.booleans()):
        ushape = ushape[data.draw(st.integers(0, len(ushape))):]  # broadcast updates
    args, axes = data.draw(batched([shape, ishape, ushape], dtypes=["float32", "int32", "float32"]))
    if mode == "set":
        # duplicate indices make .set order-dependent: use distinct ones (negative ones wrap)
        m = int(np.prod(ishape))
        if m > shape[0]:
            return
        rng = np.random.default_rng(m)
        lanes = 1 if axes[1] is None else _np(args[1]).shape[axes[1]]
        per = np.stack([rng.permutation(shape[0])[:m].reshape(ishape) for _ in range(lanes)])
        per = per - shape[0] * (rng.random(per.shape) < 0.3)
        args[1] = jnp.asarray((per[0] if axes[1] is None else np.moveaxis(per, 0, axes[1])).astype(np.int32))
    check(lambda x, i, u: getattr(x.at[i], mode)(u), args, axes, out_axis_for(data.draw, len(shape)))
    if len(shape) >= 2:
        check(lambda x, i, u: getattr(x.at[:, i.reshape(-1)[0]], mode)(u.sum()), args, axes)


@given(data=st.data())
@SETTINGS
def test_take_along_axis_and_scatter_with_oob(data):
    shape = tuple(data.draw(st.lists(st.integers(1, 4), min_size=2, max_size=3)))
    ax = data.draw(st.integers(0, len(shape) - 1))
    args, axes = data.draw(batched([shape, shape], dtypes=["float32", "int32"]))
    check(lambda x, i: jnp.take_along_axis(x, jnp.abs(i) % x.shape[ax], axis=ax), args, axes)
    # out-of-bounds indices: gathers clamp, scatters drop
    check(lambda x, i: (x[i * 3], x.at[i * 3].add(1.0)), args, axes)


# ---- dot_general / matmul / einsum -------------------------------------------------------------
@st.composite
def dot_problem(draw):
    nb, nc = draw(st.integers(0, 2)), draw(st.integers(0, 2))
    nlf, nrf = draw(st.integers(0, 2)), draw(st.integers(0, 2))
    bs = [draw(st.integers(1, 3)) for _ in range(nb)]
    cs = [draw(st.integers(1, 3)) for _ in range(nc)]
    lf = [draw(st.integers(1, 3)) for _ in range(nlf)]
    rf = [draw(st.integers(1, 3)) for _ in range(nrf)]
    lperm = draw(st.permutations(range(nb + nc + nlf)))
    rperm = draw(st.permutations(range(nb + nc + nrf)))
    # logical axis k of lhs goes to position lperm[k]
    lshape, rshape = [0] * len(lperm), [0] * len(rperm)
    for k, d in enumerate(bs + cs + lf):
        lshape[lperm[k]] = d
    for k, d in enumerate(bs + cs + rf):
        rshape[rperm[k]] = d
    lb = tuple(lperm[k] for k in range(nb))
    rb = tuple(rperm[k] for k in range(nb))
    lc = tuple(lperm[nb + k] for k in range(nc))
    rc = tuple(rperm[nb + k] for k in range(nc))
    return tuple(lshape), tuple(rshape), ((lc, rc), (lb, rb)), nb + nlf + nrf


@given(data=st.data(), prob=dot_problem())
@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
def test_dot_general(data, prob):
    lshape, rshape, dn, out_rank = prob
    args, axes = data.draw(batched([lshape, rshape]))
    check(lambda a, b: lax.dot_general(a, b, dn), args, axes, out_axis_for(data.draw, out_rank), rtol=1e-4)


@pytest.mark.parametrize("in_axes", [(0, 0), (0, None), (None, 0), (1, -1), (-1, None), (None, 1)])
def test_matmul_dot_einsum_every_combination(in_axes):
    rng = np.random.default_rng(0)

    def arr(shape, ax):
        if ax is not None:
            shape = list(shape)
            shape.insert(ax % (len(shape) + 1), 5)
        return jnp.asarray(rng.standard_normal(shape).astype(np.float32))

    for ls, rs in [((3, 4), (4, 2)), ((4,), (4, 2)), ((3, 4), (4,)), ((2, 3, 4), (2, 4, 3)), ((2, 3, 4), (4, 5))]:
        args = [arr(ls, in_axes[0]), arr(rs, in_axes[1])]
        check(jnp.matmul, args, in_axes, rtol=1e-4)
        check(lambda a, b: a @ b, args, in_axes, out_axes=-1, rtol=1e-4)
    args = [arr((3, 4), in_axes[0]), arr((4, 2), in_axes[1])]
    check(jnp.dot, args, in_axes, rtol=1e-4)
    check(lambda a, b: jnp.einsum("ij,jk->ki", a, b), args, in_axes, rtol=1e-4)
    check(lambda a, b: jnp.einsum("ij,jk->", a, b), args, in_axes, rtol=1e-4)
    check(lambda a, b: jnp.tensordot(a, b, axes=1), args, in_axes, rtol=1e-4)
    args = [arr((3, 4), in_axes[0]), arr((3, 4), in_axes[1])]
    check(lambda a, b: jnp.einsum("ij,ij->i", a, b), args, in_axes, rtol=1e-4)
    check(lambda a, b: jnp.einsum("ij,kj->ik", a, b), args, in_axes, rtol=1e-4)


def test_dot_general_folds_batch_dims_no_loop():
    """Both operands batched: one dot_general with the vmapped axis as a batch dimension."""
    a, b = jnp.ones((7, 3, 4)), jnp.ones((7, 4, 2))
    jaxpr = jax.make_jaxpr(jax.vmap(jnp.matmul))(a, b)
    dots = [e for e in jaxpr.eqns if e.primitive.name == "dot_general"]
    assert len(dots) == 1 and len(jaxpr.eqns) <= 3, str(jaxpr)
    (_, _), (lb, rb) = dots[0].params["dimension_numbers"]
    assert len(lb) == 1 and len(rb) == 1
    # one operand batched: the batch axis becomes a free dimension, still one dot_general
    jaxpr = jax.make_jaxpr(jax.vmap(jnp.matmul, in_axes=(0, None)))(a, b[0])
    dots = [e for e in jaxpr.eqns if e.primitive.name == "dot_general"]
    assert len(dots) == 1, str(jaxpr)
    assert dots[0].params["dimension_numbers"][1] == ((), ())


# ---- vmap API: in_axes / out_axes / pytrees / kwargs / nesting --------------------------------
def test_in_axes_pytrees_prefix_and_none():
    rng = np.random.default_rng(1)
    a = jnp.asarray(rng.standard_normal((3, 4)).astype(np.float32))
    b = jnp.asarray(rng.standard_normal((4, 3)).astype(np.float32))
    c = jnp.asarray(rng.standard_normal((2,)).astype(np.float32))

    def f(d, c):
        return {"s": d["a"] * 2 + d["b"], "c": c.sum() + d["a"][0]}

    args = ({"a": a, "b": b}, c)
    check(f, args, ({"a": 0, "b": 1}, None))
    check(f, args, ({"a": -2, "b": -1}, None), out_axes={"s": 1, "c": 0})
    check(lambda t: t[0] + t[1][0], ((a, [b.T, c]),), ((0, [0, None]),))
    check(lambda t: t[0] + t[1][0], ((a, [b.T, c]),), ((0, None),))
    check(lambda x, y: (x, y), (a, c), [1, None], out_axes=(0, None))
    check(lambda x, y: (x, y), (a, c), (1, None), out_axes=(-1, 0))


@given(data=st.data(), s1=shape_st, s2=shape_st)
@SETTINGS
def test_out_axes_per_output(data, s1, s2):
    args, axes = data.draw(batched([s1, s2]))
    oa = (out_axis_for(data.draw, len(s1)), data.draw(st.one_of(st.none(), st.integers(-1, 0)))
          if axes[1] is None else out_axis_for(data.draw, len(s2)))
    check(lambda x, y: (jnp.sin(x), y * 2), args, axes, out_axes=oa)


def test_kwargs_mapped_over_axis_0():
    xs, ys = jnp.arange(6.0).reshape(3, 2), jnp.arange(3.0)
    f = lambda x, *, scale: x * scale
    out = jax.vmap(f)(xs, scale=ys)
    np.testing.assert_allclose(_np(out), _np(xs) * _np(ys)[:, None])
    out = jax.vmap(f, in_axes=1)(xs.T, scale=ys)  # in_axes covers positional args only
    np.testing.assert_allclose(_np(out), _np(xs) * _np(ys)[:, None])
    with pytest.raises(ValueError, match="inconsistent sizes"):
        jax.vmap(f)(xs, scale=jnp.arange(4.0))
    out = jax.vmap(lambda x, y=None: x if y is None else x + y)(xs, y=None)
    np.testing.assert_allclose(_np(out), _np(xs))


def test_unbatched_outputs_are_broadcast_to_out_axes():
    xs, y = jnp.arange(6.0).reshape(3, 2), jnp.arange(2.0)
    out = jax.vmap(lambda x, y: y, in_axes=(0, None))(xs, y)
    np.testing.assert_array_equal(_np(out), np.broadcast_to(_np(y), (3, 2)))
    out = jax.vmap(lambda x, y: y, in_axes=(0, None), out_axes=1)(xs, y)
    np.testing.assert_array_equal(_np(out), np.broadcast_to(_np(y)[:, None], (2, 3)))
    out = jax.vmap(lambda x, y: y, in_axes=(0, None), out_axes=None)(xs, y)
    np.testing.assert_array_equal(_np(out), _np(y))
    out = jax.vmap(lambda x: 1.0)(xs)
    assert _np(out).shape == (3,)
    out = jax.vmap(lambda x: (x, None))(xs)
    assert out[1] is None
    # no mapped argument: axis_size says how many times
    out = jax.vmap(lambda y: y * 2, in_axes=None, axis_size=4)(y)
    np.testing.assert_array_equal(_np(out), np.broadcast_to(_np(y) * 2, (4, 2)))
    out = jax.vmap(lambda: jnp.ones(2), axis_size=3)()
    assert _np(out).shape == (3, 2)


def test_nested_vmap_two_axes():
    rng = np.random.default_rng(2)
    x = jnp.asarray(rng.standard_normal((3, 4, 5)).astype(np.float32))
    w = jnp.asarray(rng.standard_normal((5, 2)).astype(np.float32))
    f = lambda v, w: jnp.tanh(v @ w).sum() * v
    out = jax.vmap(jax.vmap(f, in_axes=(0, None)), in_axes=(1, None), out_axes=1)(x, w)
    want = np.stack([np.stack([_np(f(x[i, j], w)) for j in range(4)], 0) for i in range(3)], 0)
    np.testing.assert_allclose(_np(out), want, rtol=1e-5, atol=1e-5)
    # inner maps an axis of the outer's slice; outer maps w too
    ws = jnp.stack([w, 2 * w])
    out = jax.vmap(jax.vmap(f, in_axes=(-3, None), out_axes=-1), in_axes=(None, 0))(x, ws)
    assert out.shape == (2, 4, 5, 3)
    for k in range(2):
        for i in range(3):
            np.testing.assert_allclose(_np(out[k, ..., i]), _np(f(x[i], ws[k])), rtol=1e-5, atol=1e-5)


@given(data=st.data(), shape=st.lists(st.integers(1, 3), min_size=2, max_size=3).map(tuple))
@FEW
def test_nested_vmap_hypothesis(data, shape):
    (x,), (a1,) = data.draw(batched([shape], allow_none=False))
    inner_rank = len(shape)
    a2 = data.draw(st.integers(-inner_rank, inner_rank - 1))
    f = lambda v: jnp.cumsum(v, axis=0) * v.sum()
    o2, o1 = data.draw(st.integers(-inner_rank, inner_rank - 1)), data.draw(st.integers(-inner_rank - 1, inner_rank))
    got = jax.vmap(jax.vmap(f, in_axes=a2, out_axes=o2), in_axes=a1, out_axes=o1)(x)
    want = loop_vmap(lambda v: loop_vmap(f, a2, o2, (v,)), a1, o1, (x,))
    np.testing.assert_allclose(_np(got), want, rtol=1e-5, atol=1e-5)


# ---- errors as JAX -----------------------------------------------------------------------------
def test_error_inconsistent_sizes_lists_each_argument():
    x3, x4 = jnp.ones((3, 2)), jnp.ones((4, 2))
    with pytest.raises(ValueError) as e:
        jax.vmap(lambda a, b: a + b)(x3, x4)
    msg = str(e.value)
    assert msg.startswith("vmap got inconsistent sizes for array axes to be mapped:")
    assert "one axis had size 3: axis 0 of argument a of type float32[3,2]" in msg
    assert "one axis had size 4: axis 0 of argument b of type float32[4,2]" in msg
    with pytest.raises(ValueError) as e:
        jax.vmap(lambda a, b, c: a)(x3, x4, x3)
    assert "most axes (2 of them) had size 3, e.g. axis 0 of argument a" in str(e.value)
    with pytest.raises(ValueError) as e:
        jax.vmap(lambda a: a)({"u": x3, "v": x4})
    assert "argument a['v'] of type float32[4,2]" in str(e.value)
    with pytest.raises(ValueError) as e:
        jax.vmap(lambda a, b: a)(x3, b=x4)
    assert "kwargs['b']" in str(e.value)
    with pytest.raises(ValueError) as e:
        jax.vmap(lambda a: a, axis_size=4)(x3)
    assert "the `axis_size` argument was 4" in str(e.value)


def test_error_in_axes_tree_mismatch_and_bad_specs():
    x = jnp.ones((3, 2))
    with pytest.raises(ValueError, match="vmap in_axes specification must be a tree prefix"):
        jax.vmap(lambda a: a, in_axes=({"u": 0, "w": 0},))({"u": x, "v": x})
    with pytest.raises(ValueError, match=r"len\(in_axes\)=1, len\(args\)=2"):
        jax.vmap(lambda a, b: a, in_axes=(0,))(x, x)
    with pytest.raises(TypeError, match="vmap in_axes must be an int, None, or a tuple"):
        jax.vmap(lambda a: a, in_axes=1.0)
    with pytest.raises(TypeError, match="vmap in_axes must be an int, None, or \\(nested\\) container"):
        jax.vmap(lambda a: a, in_axes=({"u": "x"},))
    with pytest.raises(TypeError, match="vmap out_axes must be"):
        jax.vmap(lambda a: a, out_axes="x")
    with pytest.raises(ValueError, match="vmap out_axes specification must be a tree prefix"):
        jax.vmap(lambda a: (a, a), out_axes=(0, 0, 0))(x)
    with pytest.raises(ValueError, match="rank should be at least 4, but is only 2"):
        jax.vmap(lambda a: a, in_axes=3)(x)
    with pytest.raises(ValueError, match="rank should be at least 1, but is only 0"):
        jax.vmap(lambda a: a)(1.0)
    with pytest.raises(ValueError, match="axis 3 is out of bounds for array of dimension 2"):
        jax.vmap(lambda a: a, out_axes=3)(x)
    with pytest.raises(ValueError, match="got axis spec None but output was batched on axis 0"):
        jax.vmap(lambda a: a, out_axes=None)(x)
    with pytest.raises(ValueError, match="at least one non-None value in in_axes"):
        jax.vmap(lambda a: a, in_axes=None)(x)
    with pytest.raises(ValueError, match="must be passed at least one argument"):
        jax.vmap(lambda: 1.0)()


# ---- collectives over a named axis -------------------------------------------------------------
XS = jnp.arange(12.0).reshape(3, 4)


def test_psum_pmean_pmax_pmin_axis_index():
    np_x = _np(XS)
    out = jax.vmap(lambda x: (lax.psum(x, "i"), lax.pmean(x, "i"), lax.pmax(x, "i"), lax.pmin(x, "i"),
                              lax.axis_index("i")), axis_name="i")(XS)
    np.testing.assert_allclose(_np(out[0]), np.broadcast_to(np_x.sum(0), (3, 4)))
    np.testing.assert_allclose(_np(out[1]), np.broadcast_to(np_x.mean(0), (3, 4)))
    np.testing.assert_allclose(_np(out[2]), np.broadcast_to(np_x.max(0), (3, 4)))
    np.testing.assert_allclose(_np(out[3]), np.broadcast_to(np_x.min(0), (3, 4)))
    np.testing.assert_array_equal(_np(out[4]), [0, 1, 2])
    assert out[4].dtype == jnp.int32
    # unmapped operand, Python scalar, pytree, bool and int operands (values from real JAX)
    out = jax.vmap(lambda x, y: lax.psum(y, "i") + x, in_axes=(0, None), axis_name="i")(XS, jnp.ones(4))
    np.testing.assert_allclose(_np(out), np_x + 3)
    np.testing.assert_array_equal(_np(jax.vmap(lambda x: lax.psum(1, "i"), axis_name="i")(XS)), [3, 3, 3])
    a, b = jax.vmap(lambda x: lax.psum((x, 2 * x), "i"), axis_name="i")(jnp.arange(3.0))
    np.testing.assert_allclose(_np(a), [3, 3, 3])
    np.testing.assert_allclose(_np(b), [6, 6, 6])
    pm = jax.vmap(lambda x: lax.pmean(x, "i"), axis_name="i")(jnp.arange(6).reshape(3, 2))
    np.testing.assert_allclose(_np(pm), [[2.0, 3.0]] * 3)
    assert pm.dtype == jnp.float32
    cnt = jax.vmap(lambda x: lax.psum(x > 1, "i"), axis_name="i")(jnp.arange(4))
    np.testing.assert_array_equal(_np(cnt), [2, 2, 2, 2])
    # axis_index_groups (vmap in JAX raises NotImplementedError; here: pmap's semantics)
    g = jax.vmap(lambda x: lax.psum(x, "i", axis_index_groups=[[0, 1], [2, 3]]), axis_name="i")(jnp.arange(4.0))
    np.testing.assert_allclose(_np(g), [1, 1, 5, 5])


@given(data=st.data(), shape=shape_st)
@FEW
def test_psum_family_batched_anywhere(data, shape):
    args, axes = data.draw(batched([shape, shape]))
    f = lambda x, y: (lax.psum(x * y, "i"), lax.pmax(x, "i"), lax.pmean(y, "i") + x, lax.axis_index("i") + x)
    got = jax.vmap(f, in_axes=axes, axis_name="i")(*args)
    xs = [np.moveaxis(_np(a), ax, 0) if ax is not None else None for a, ax in zip(args, axes)]
    n = next(x.shape[0] for x in xs if x is not None)
    X = xs[0] if xs[0] is not None else np.broadcast_to(_np(args[0]), (n,) + shape)
    Y = xs[1] if xs[1] is not None else np.broadcast_to(_np(args[1]), (n,) + shape)
    np.testing.assert_allclose(_np(got[0]), np.broadcast_to((X * Y).sum(0), (n,) + shape), rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(_np(got[1]), np.broadcast_to(X.max(0), (n,) + shape))
    np.testing.assert_allclose(_np(got[2]), Y.mean(0) + X, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(_np(got[3]), X + np.arange(n).reshape((n,) + (1,) * len(shape)), rtol=1e-6)


def test_all_gather_tiled_and_axis():
    out = jax.vmap(lambda x: lax.all_gather(x, "i"), axis_name="i")(XS)
    np.testing.assert_array_equal(_np(out), np.broadcast_to(_np(XS), (3, 3, 4)))
    out = jax.vmap(lambda x: lax.all_gather(x, "i", axis=1), axis_name="i")(XS)
    np.testing.assert_array_equal(_np(out), np.broadcast_to(_np(XS).T, (3, 4, 3)))
    out = jax.vmap(lambda x: lax.all_gather(x, "i", tiled=True), axis_name="i")(XS)
    np.testing.assert_array_equal(_np(out), np.broadcast_to(_np(XS).reshape(12), (3, 12)))
    out = jax.vmap(lambda x: lax.all_gather(x, "i", axis=-1), in_axes=1, axis_name="i")(XS)
    np.testing.assert_array_equal(_np(out), np.broadcast_to(_np(XS), (4, 3, 4)))
    out = jax.vmap(lambda x, y: lax.all_gather(y, "i"), in_axes=(0, None), axis_name="i")(XS, jnp.ones(2))
    np.testing.assert_array_equal(_np(out), np.ones((3, 3, 2)))


def test_ppermute_all_to_all_psum_scatter():
    out = jax.vmap(lambda x: lax.ppermute(x, "i", perm=[(0, 1), (1, 2), (2, 0)]), axis_name="i")(XS)
    np.testing.assert_array_equal(_np(out), _np(XS)[[2, 0, 1]])
    out = jax.vmap(lambda x: lax.ppermute(x, "i", perm=[(0, 1), (1, 2)]), axis_name="i")(XS)
    np.testing.assert_array_equal(_np(out), np.stack([np.zeros(4), _np(XS)[0], _np(XS)[1]]))
    out = jax.vmap(lambda x: lax.pshuffle(x, "i", perm=[2, 0, 1]), axis_name="i")(XS)
    np.testing.assert_array_equal(_np(out), _np(XS)[[2, 0, 1]])
    x = jnp.arange(18.0).reshape(3, 3, 2)
    # values from real JAX 0.10.2
    out = jax.vmap(lambda v: lax.all_to_all(v, "i", 0, 0), axis_name="i")(x)
    np.testing.assert_array_equal(_np(out), [[[0, 1], [6, 7], [12, 13]], [[2, 3], [8, 9], [14, 15]],
                                             [[4, 5], [10, 11], [16, 17]]])
    out = jax.vmap(lambda v: lax.all_to_all(v, "i", 0, 1), axis_name="i")(x)
    np.testing.assert_array_equal(_np(out), [[[0, 6, 12], [1, 7, 13]], [[2, 8, 14], [3, 9, 15]],
                                             [[4, 10, 16], [5, 11, 17]]])
    X = np.arange(3 * 6 * 2, dtype=np.float32).reshape(3, 6, 2)
    out = jax.vmap(lambda v: lax.all_to_all(v, "i", 0, 1, tiled=True), axis_name="i")(jnp.asarray(X))
    for c in range(3):
        want = np.concatenate([X[s, 2 * c:2 * c + 2] for s in range(3)], axis=1)
        np.testing.assert_array_equal(_np(out[c]), want)
    out = jax.vmap(lambda v: lax.psum_scatter(v, "i"), axis_name="i")(jnp.arange(9.0).reshape(3, 3))
    np.testing.assert_array_equal(_np(out), [9, 12, 15])
    out = jax.vmap(lambda v: lax.psum_scatter(v, "i", tiled=True), axis_name="i")(jnp.arange(18.0).reshape(3, 6))
    np.testing.assert_array_equal(_np(out), [[18, 21], [24, 27], [30, 33]])
    out = jax.vmap(lambda v: lax.psum_scatter(v, "i", scatter_dimension=1), axis_name="i")(
        jnp.arange(18.0).reshape(3, 2, 3))
    np.testing.assert_array_equal(_np(out), np.moveaxis(np.arange(18.0).reshape(3, 2, 3).sum(0), 1, 0))


def test_collectives_nested_and_tuple_names():
    out = jax.vmap(jax.vmap(lambda x: lax.psum(x, ("i", "j")), axis_name="j"), axis_name="i")(XS)
    np.testing.assert_allclose(_np(out), np.full((3, 4), 66.0))
    out = jax.vmap(jax.vmap(lambda x: lax.psum(x, "i"), axis_name="j"), axis_name="i")(XS)
    np.testing.assert_allclose(_np(out), np.broadcast_to(_np(XS).sum(0), (3, 4)))
    out = jax.vmap(jax.vmap(lambda x: lax.axis_index(("i", "j")), axis_name="j"), axis_name="i")(XS)
    np.testing.assert_array_equal(_np(out), np.arange(12).reshape(3, 4))
    out = jax.vmap(jax.vmap(lambda x: lax.all_gather(x, ("i", "j")), axis_name="j"), axis_name="i")(XS)
    np.testing.assert_array_equal(_np(out), np.broadcast_to(np.arange(12.0), (3, 4, 12)))
    out = jax.vmap(jax.vmap(lambda x: lax.ppermute(x, ("i", "j"), [(k, (k + 1) % 12) for k in range(12)]),
                            axis_name="j"), axis_name="i")(XS)
    np.testing.assert_array_equal(_np(out).reshape(-1), np.roll(np.arange(12.0), 1))
    x = jnp.arange(2 * 3 * 6.0).reshape(2, 3, 6)
    out = jax.vmap(jax.vmap(lambda v: lax.all_to_all(v, ("i", "j"), 0, 0, tiled=True), axis_name="j"),
                   axis_name="i")(x)
    flat = _np(x).reshape(6, 6)  # lane L = 3 i + j holds row L; chunk c of every lane goes to lane c
    np.testing.assert_array_equal(_np(out).reshape(6, 6), flat.T)
    out = jax.vmap(jax.vmap(lambda v: lax.psum_scatter(v, ("i", "j")), axis_name="j"), axis_name="i")(x)
    np.testing.assert_array_equal(_np(out).reshape(6), flat.sum(0))


def test_unbound_axis_name_raises_name_error():
    with pytest.raises(NameError, match="unbound axis name: i"):
        lax.psum(XS, "i")
    with pytest.raises(NameError, match="unbound axis name: i"):
        jax.jit(lambda x: lax.psum(x, "i"))(XS)
    with pytest.raises(NameError, match="unbound axis name: j"):
        jax.vmap(lambda x: lax.psum(x, "j"), axis_name="i")(XS)
    with pytest.raises(NameError, match="unbound axis name: i"):
        jax.vmap(lambda x: lax.axis_index("i"))(XS)
    with pytest.raises(NameError):
        lax.all_gather(XS, "k")


def test_collectives_under_jit_and_grad():
    f = jax.jit(lambda x: lax.psum(x, "i"))
    out = jax.vmap(f, axis_name="i")(XS)
    np.testing.assert_allclose(_np(out), np.broadcast_to(_np(XS).sum(0), (3, 4)))
    out = jax.vmap(jax.jit(lambda y: lax.psum(y, "i")), in_axes=None, axis_size=3, axis_name="i")(jnp.ones(2))
    np.testing.assert_allclose(_np(out), np.full((3, 2), 3.0))
    out = jax.jit(jax.vmap(lambda x: x - lax.pmean(x, "i"), axis_name="i"))(XS)
    np.testing.assert_allclose(_np(out), _np(XS) - _np(XS).mean(0), atol=1e-6)
    # grads through collectives: values from real JAX 0.10.2 (psum transposes to psum)
    g = jax.vmap(jax.grad(lambda x: lax.psum(x, "i").sum()), axis_name="i")(XS)
    np.testing.assert_allclose(_np(g), np.full((3, 4), 3.0))
    g = jax.vmap(jax.grad(lambda x: (lax.psum(x, "i") * x).sum()), axis_name="i")(XS)
    np.testing.assert_allclose(_np(g), np.broadcast_to([24.0, 30, 36, 42], (3, 4)))
    g = jax.vmap(jax.grad(lambda x: lax.pmean(x, "i").sum()), axis_name="i")(XS)
    np.testing.assert_allclose(_np(g), np.ones((3, 4)))
    g = jax.vmap(jax.grad(lambda x: (lax.all_gather(x, "i") * jnp.arange(3.0)[:, None]).sum()), axis_name="i")(XS)
    np.testing.assert_allclose(_np(g), np.broadcast_to([[0.0], [3.0], [6.0]], (3, 4)))
    g = jax.vmap(jax.grad(lambda x: (lax.ppermute(x, "i", [(0, 1), (1, 2), (2, 0)]) * jnp.array([1.0, 2, 3, 4])).sum()),
                 axis_name="i")(XS)
    np.testing.assert_allclose(_np(g), np.broadcast_to([1.0, 2, 3, 4], (3, 4)))
    g = jax.vmap(jax.grad(lambda x: (lax.psum_scatter(x, "i") * 2).sum()), axis_name="i")(jnp.arange(9.0).reshape(3, 3))
    np.testing.assert_allclose(_np(g), np.full((3, 3), 2.0))
    g = jax.vmap(jax.grad(lambda x: (lax.all_to_all(x, "i", 0, 0) * jnp.arange(6.0).reshape(3, 2)).sum()),
                 axis_name="i")(jnp.arange(18.0).reshape(3, 3, 2))
    np.testing.assert_allclose(_np(g), np.broadcast_to(np.arange(6.0).reshape(3, 1, 2), (3, 3, 2)))
    # jvp of psum is psum of the tangent
    t = jax.vmap(lambda x, t: jax.jvp(lambda v: lax.psum(v, "i"), (x,), (t,))[1], axis_name="i")(XS, 2 * XS)
    np.testing.assert_allclose(_np(t), np.broadcast_to(2 * _np(XS).sum(0), (3, 4)))


# ---- composition -------------------------------------------------------------------------------
def _mlp_loss(params, x, y):
    w1, b1, w2, b2 = params
    h = jnp.tanh(x @ w1 + b1)
    logits = h @ w2 + b2
    logp = logits - jnp.log(jnp.sum(jnp.exp(logits), axis=-1, keepdims=True))
    return -jnp.sum(logp * y)


def _mlp_setup(n=6):
    rng = np.random.default_rng(3)
    params = tuple(jnp.asarray(rng.standard_normal(s).astype(np.float32) * 0.3)
                   for s in [(5, 7), (7,), (7, 3), (3,)])
    xs = jnp.asarray(rng.standard_normal((n, 5)).astype(np.float32))
    ys = jnp.asarray(np.eye(3, dtype=np.float32)[rng.integers(0, 3, n)])
    return params, xs, ys


def test_per_example_gradients_vmap_of_grad():
    params, xs, ys = _mlp_setup()
    g = jax.vmap(jax.grad(_mlp_loss), in_axes=(None, 0, 0))(params, xs, ys)
    for i in range(xs.shape[0]):
        gi = jax.grad(_mlp_loss)(params, xs[i], ys[i])
        for a, b in zip(g, gi):
            np.testing.assert_allclose(_np(a[i]), _np(b), rtol=1e-5, atol=1e-6)
    # the same through jit, both ways round
    gj = jax.jit(jax.vmap(jax.grad(_mlp_loss), in_axes=(None, 0, 0)))(params, xs, ys)
    gv = jax.vmap(jax.jit(jax.grad(_mlp_loss)), in_axes=(None, 0, 0))(params, xs, ys)
    for a, b, c in zip(g, gj, gv):
        np.testing.assert_allclose(_np(a), _np(b), rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(_np(a), _np(c), rtol=1e-5, atol=1e-6)


def test_grad_of_vmap_is_sum_of_grads():
    params, xs, ys = _mlp_setup()
    total = lambda p: jnp.sum(jax.vmap(_mlp_loss, in_axes=(None, 0, 0))(p, xs, ys))
    g = jax.grad(total)(params)
    per = jax.vmap(jax.grad(_mlp_loss), in_axes=(None, 0, 0))(params, xs, ys)
    for a, b in zip(g, per):
        np.testing.assert_allclose(_np(a), _np(b).sum(0), rtol=1e-4, atol=1e-5)


def test_jacrev_is_vmap_of_vjp_and_matches_jacfwd():
    rng = np.random.default_rng(4)
    w = jnp.asarray(rng.standard_normal((4, 3)).astype(np.float32))
    f = lambda x: jnp.sin(x @ w) * jnp.sum(x ** 2)
    x = jnp.asarray(rng.standard_normal(4).astype(np.float32))
    jr, jf = jax.jacrev(f)(x), jax.jacfwd(f)(x)
    y, pullback = jax.vjp(f, x)
    manual = jax.vmap(pullback)(jnp.eye(3))[0]
    np.testing.assert_allclose(_np(jr), _np(jf), rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(_np(jr), _np(manual), rtol=1e-5, atol=1e-5)
    eps = 1e-3
    fd = np.stack([(_np(f(x + eps * jnp.eye(4)[k])) - _np(f(x - eps * jnp.eye(4)[k]))) / (2 * eps)
                   for k in range(4)], 1)
    np.testing.assert_allclose(_np(jr), fd, rtol=2e-2, atol=2e-2)
    # batched jacobians
    xs = jnp.asarray(rng.standard_normal((5, 4)).astype(np.float32))
    jb = jax.vmap(jax.jacrev(f))(xs)
    for i in range(5):
        np.testing.assert_allclose(_np(jb[i]), _np(jax.jacfwd(f)(xs[i])), rtol=1e-5, atol=1e-5)


def test_vmap_of_jit_and_jit_of_vmap():
    rng = np.random.default_rng(5)
    xs = jnp.asarray(rng.standard_normal((4, 3, 2)).astype(np.float32))
    f = lambda x: jnp.cumsum(jnp.exp(x) @ x.T, axis=1)[0] + x.sum()
    check(jax.jit(f), [xs], 0)
    check(jax.jit(f), [xs], -1, out_axes=1)
    jv = jax.jit(jax.vmap(f, in_axes=2, out_axes=1))
    np.testing.assert_allclose(_np(jv(xs)), _np(jax.vmap(f, in_axes=2, out_axes=1)(xs)), rtol=1e-5)
    # jit with an unbatched argument and a static one
    g = jax.jit(lambda x, y, k: x * y + k, static_argnums=2)
    check(lambda x, y: g(x, y, 3), [xs, xs[0]], (0, None))
    # vmap(jit) twice with different sizes re-traces correctly
    np.testing.assert_allclose(_np(jax.vmap(jax.jit(f))(xs[:2])), _np(jax.vmap(f)(xs[:2])), rtol=1e-5)


def test_vmap_grad_hessian_compose():
    f = lambda x: jnp.sum(jnp.sin(x) * x ** 2)
    xs = jnp.asarray(np.random.default_rng(6).standard_normal((3, 4)).astype(np.float32))
    h = jax.vmap(jax.hessian(f))(xs)
    for i in range(3):
        np.testing.assert_allclose(_np(h[i]), _np(jax.hessian(f)(xs[i])), rtol=1e-5, atol=1e-5)
    gg = jax.vmap(jax.grad(lambda x: jax.grad(lambda y: jnp.sum(jnp.tanh(y) ** 2))(x).sum()))(xs)
    for i in range(3):
        want = jax.grad(lambda x: jax.grad(lambda y: jnp.sum(jnp.tanh(y) ** 2))(x).sum())(xs[i])
        np.testing.assert_allclose(_np(gg[i]), _np(want), rtol=1e-5, atol=1e-6)


def test_collectives_inside_control_flow_and_make_jaxpr_axis_env():
    # values from real JAX 0.10.2
    f_scan = lambda x: lax.scan(lambda c, v: (c + lax.psum(v, "i"), c), 0.0, x)[0]
    np.testing.assert_allclose(_np(jax.vmap(f_scan, axis_name="i")(XS)), [66.0, 66, 66])
    f_cond = lambda x: lax.cond(x[0] > 3, lambda v: lax.psum(v, "i"), lambda v: v, x)
    np.testing.assert_allclose(_np(jax.vmap(f_cond, axis_name="i")(XS)),
                               [[0, 1, 2, 3], [12, 15, 18, 21], [12, 15, 18, 21]])
    f_while = lambda x: lax.while_loop(lambda c: c[0] < 3, lambda c: (c[0] + 1, lax.pmax(c[1], "i")), (0, x))[1]
    np.testing.assert_allclose(_np(jax.vmap(f_while, axis_name="i")(XS)), np.broadcast_to([8.0, 9, 10, 11], (3, 4)))
    # no batched operand, but a collective over the axis inside the body
    f_unb = lambda x: lax.scan(lambda c, v: (c + lax.psum(v, "i"), c), 0.0, jnp.ones(2))[0]
    np.testing.assert_allclose(_np(jax.vmap(f_unb, axis_name="i")(XS)), [6.0, 6, 6])
    jaxpr = jax.make_jaxpr(lambda x: lax.all_gather(lax.psum(x, "i"), "i"), axis_env=[("i", 4)])(jnp.ones(3))
    assert [e.primitive.name for e in jaxpr.eqns] == ["psum", "all_gather"]
    assert jaxpr.out_avals[0].shape == (4, 3)


def test_collective_argument_errors():
    with pytest.raises(ValueError, match="sources and destinations must be unique"):
        jax.vmap(lambda x: lax.ppermute(x, "i", [(0, 1), (1, 1)]), axis_name="i")(XS)
    with pytest.raises(ValueError, match="all_to_all requires the size of the mapped axis"):
        jax.vmap(lambda x: lax.all_to_all(x, "i", 0, 0), axis_name="i")(XS)
    with pytest.raises(ValueError, match="must match shard count"):
        jax.vmap(lambda x: lax.psum_scatter(x, "i"), axis_name="i")(XS)
    with pytest.raises(ValueError, match="cover"):
        jax.vmap(lambda x: lax.psum(x, "i", axis_index_groups=[[0, 1]]), axis_name="i")(XS)


@pytest.mark.parametrize("name,f,in_axes", [
    ("gather", lambda x, i: x[i], (0, 0)),
    ("scatter", lambda x, i: x.at[i].add(1.0), (None, 0)),
    ("dynamic_slice", lambda x, i: lax.dynamic_slice(x, (i, 0), (2, 2)), (0, 0)),
    ("dynamic_update_slice", lambda x, i: lax.dynamic_update_slice(x, jnp.ones((2, 2)), (i, i)), (None, 0)),
    ("matmul", lambda x, i: x @ x.T, (0, None)),
    ("psum", lambda x, i: lax.psum(x, "i") + lax.axis_index("i"), (0, None)),
])
def test_no_python_loop_over_the_batch(name, f, in_axes):
    """The batched program has the same equations whatever the batch size: nothing is unrolled."""
    def eqns(n):
        x = jnp.ones((n, 4, 3)) if in_axes[0] == 0 else jnp.ones((4, 3))
        i = jnp.zeros((n,), jnp.int32) if in_axes[1] == 0 else jnp.zeros((), jnp.int32)
        jaxpr = jax.make_jaxpr(jax.vmap(f, in_axes=in_axes, axis_name="i", axis_size=n))(x, i)
        return [e.primitive.name for e in jaxpr.eqns]
    assert eqns(2) == eqns(7)


COLLECTIVE_FNS = {
    "psum": lambda v: lax.psum(v, "i"),
    "pmax": lambda v: lax.pmax(v, "i"),
    "all_gather": lambda v: lax.all_gather(v, "i", axis=1),
    "all_gather_tiled": lambda v: lax.all_gather(v, "i", axis=-1, tiled=True),
    "psum_scatter": lambda v: lax.psum_scatter(v, "i", scatter_dimension=1),
    "psum_scatter_tiled": lambda v: lax.psum_scatter(v, "i", scatter_dimension=0, tiled=True),
    "all_to_all": lambda v: lax.all_to_all(v, "i", 1, 0),
    "all_to_all_tiled": lambda v: lax.all_to_all(v, "i", 0, 1, tiled=True),
    "ppermute": lambda v: lax.ppermute(v, "i", [(0, 2), (2, 1)]),
    "axis_index": lambda v: v * lax.axis_index("i"),
}


@pytest.mark.parametrize("name", sorted(COLLECTIVE_FNS))
@given(data=st.data())
@FEW
def test_collective_over_outer_axis_with_inner_vmap(name, data):
    """A collective over the outer vmap's axis, called inside an inner (unnamed) vmap that batches
    its operand at any position: the inner trace forwards it with its batch dim accounted for.
    Oracle: the same outer vmap with the inner vmap replaced by a Python loop."""
    f = COLLECTIVE_FNS[name]
    per_lane = (3, 3, 2)  # axis "i" has size 3
    ia = data.draw(st.integers(-4, 3))
    oa = data.draw(st.integers(-1, 0))
    m = data.draw(st.integers(1, 3))
    shp = list(per_lane)
    shp.insert(ia % 4, m)
    rng = np.random.default_rng(data.draw(st.integers(0, 1000)))
    x = jnp.asarray(rng.standard_normal((3,) + tuple(shp)).astype(np.float32))
    got = jax.vmap(jax.vmap(f, in_axes=ia, out_axes=oa), axis_name="i")(x)
    want = jax.vmap(lambda v: jnp.stack([f(jnp.take(v, j, axis=ia)) for j in range(m)], axis=oa),
                    axis_name="i")(x)
    np.testing.assert_allclose(_np(got), _np(want), rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("mode", ["add", "mul", "min", "max", "gather_clip", "gather_fill"])
@given(data=st.data())
@FEW
def test_gather_scatter_nd_with_broadcasting_indices(mode, data):
    """The primitives under jnp indexing: index arrays of different ranks broadcast together."""
    from jaxish.lax.indexing import gather_nd_p, scatter_nd_p
    xshape = tuple(data.draw(st.lists(st.integers(1, 4), min_size=2, max_size=3)))
    k = data.draw(st.integers(1, 2))
    base = tuple(data.draw(st.lists(st.integers(1, 3), max_size=2)))
    ishapes = [base[data.draw(st.integers(0, len(base))):] for _ in range(k)]
    ishape = tuple(np.broadcast_shapes(*ishapes))
    ushape = ishape + xshape[k:]
    args, axes = data.draw(batched([xshape, ushape] + ishapes, dtypes=["float32", "float32"] + ["int32"] * k))
    if mode.startswith("gather"):
        kw = dict(mode=mode[7:], fill_value=None)
        check(lambda x, u, *i: gather_nd_p.bind(x, *i, **kw), args, axes)
    else:
        check(lambda x, u, *i: scatter_nd_p.bind(x, u, *i, mode=mode), args, axes, rtol=1e-4)


def test_jvp_and_linearize_of_vmap_match_vmap_of_jvp():
    rng = np.random.default_rng(7)
    xs = jnp.asarray(rng.standard_normal((4, 3)).astype(np.float32))
    ts = jnp.asarray(rng.standard_normal((4, 3)).astype(np.float32))
    f = lambda x: jnp.sin(x) * jnp.sum(x ** 2) + jnp.cumsum(x)[::-1]
    y1, t1 = jax.jvp(jax.vmap(f), (xs,), (ts,))
    y2, t2 = jax.vmap(lambda x, t: jax.jvp(f, (x,), (t,)))(xs, ts)
    np.testing.assert_allclose(_np(y1), _np(y2), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(_np(t1), _np(t2), rtol=1e-5, atol=1e-6)
    y3, f_lin = jax.linearize(jax.vmap(f, in_axes=1, out_axes=1), xs.T)
    np.testing.assert_allclose(_np(f_lin(ts.T)), _np(t2).T, rtol=1e-5, atol=1e-6)
    # vmap of a linearized function: the tangent map applied to a batch of tangents
    _, f_lin1 = jax.linearize(f, xs[0])
    np.testing.assert_allclose(_np(jax.vmap(f_lin1)(ts)),
                               np.stack([_np(jax.jvp(f, (xs[0],), (ts[i],))[1]) for i in range(4)]),
                               rtol=1e-5, atol=1e-6)
