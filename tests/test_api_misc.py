"""JAX's smaller top-level API: float0 tangents, weakly typed gradients, custom_gradient,
closure_convert, ensure_compile_time_eval, config context managers (x64, debug_infs, rank and
dtype promotion, log_compiles), clear_caches, device_get/typeof and friends."""
import logging
import warnings

import numpy as np
import pytest

import jaxish as jax
import jaxish.numpy as jnp
from jaxish import dtypes


# ---- float0 -----------------------------------------------------------------------------------
def test_integer_inputs_get_float0_gradients():
    gx, gi = jax.grad(lambda x, i: (x * i).sum(), argnums=(0, 1), allow_int=True)(jnp.ones(3), jnp.arange(3))
    np.testing.assert_allclose(np.asarray(gx), [0.0, 1.0, 2.0])
    assert isinstance(gi, np.ndarray) and gi.dtype == jax.float0 and gi.shape == (3,)
    with pytest.raises(TypeError, match="allow_int"):
        jax.grad(lambda x, i: x * i, argnums=1)(1.0, 3)


def test_jvp_integer_tangents_must_be_float0():
    f = lambda x, i: (x * i, i * 2)      # noqa: E731
    with pytest.raises(TypeError, match="tangent dtype must be float0"):
        jax.jvp(f, (1.0, 3), (1.0, 3))
    (p, q), (tp, tq) = jax.jvp(f, (1.0, 3), (1.0, np.zeros((), jax.float0)))
    assert float(p) == 3.0 and int(q) == 6 and float(tp) == 3.0
    assert tq.dtype == jax.float0 and tq.shape == ()
    with pytest.raises(ValueError, match="shapes"):
        jax.jvp(f, (1.0, 3), (1.0, np.zeros((2,), jax.float0)))


def test_vjp_takes_float0_cotangents_for_integer_outputs():
    _, pullback = jax.vjp(lambda x, i: (x * i, i * 2), 2.0, 3)
    for ct in (np.zeros((), jax.float0), 5):
        gx, gi = pullback((1.0, ct))
        assert float(gx) == 3.0 and gi.dtype == jax.float0


# ---- weak types of gradients (values checked against JAX 0.10.2) ------------------------------
def test_gradients_are_weak_exactly_when_their_primal_is():
    cases = [(jax.grad(lambda x: x * 2)(1.0), True),
             (jax.grad(lambda x: x * 2)(jnp.float32(1)), False),
             (jax.grad(jnp.sin)(1.0), True),
             (jax.grad(lambda x, y: x * y)(1.0, jnp.float32(2)), True),
             (jax.grad(lambda x: (x * jnp.ones(3)).sum())(1.0), True),
             (jax.jvp(lambda x: x * 2, (1.0,), (1.0,))[1], True)]
    assert [bool(g.weak_type) for g, _ in cases] == [w for _, w in cases]
    # weak gradients then promote like Python scalars
    assert (jax.grad(lambda x: x * 2)(1.0) * jnp.ones(2, jnp.float16)).dtype == jnp.float16


# ---- custom_gradient ----------------------------------------------------------------------------
def test_custom_gradient_replaces_the_derivative():
    @jax.custom_gradient
    def f(x):
        return x ** 2, lambda g: (g * 100.0 * x,)
    assert float(f(3.0)) == 9.0
    assert float(jax.grad(f)(3.0)) == 300.0
    assert float(jax.jit(jax.grad(f))(3.0)) == 300.0
    np.testing.assert_allclose(np.asarray(jax.vmap(jax.grad(f))(jnp.arange(3.0))), [0.0, 100.0, 200.0])

    @jax.custom_gradient
    def clip_y(x, y):
        return x * y, lambda g: (g * y, jnp.zeros_like(y))
    gx, gy = jax.grad(clip_y, argnums=(0, 1))(2.0, 5.0)
    assert (float(gx), float(gy)) == (5.0, 0.0)


def test_custom_gradient_with_pytree_output_and_closure():
    @jax.custom_gradient
    def f(x):
        s = jnp.sin(x)
        return {"a": s, "b": 2 * x}, lambda ct: (ct["a"] * 0.5 + ct["b"] * s,)
    x = jnp.asarray([0.1, 0.7])
    g = jax.grad(lambda v: f(v)["a"].sum() + f(v)["b"].sum())(x)
    np.testing.assert_allclose(np.asarray(g), 0.5 + np.sin([0.1, 0.7]), rtol=1e-6)


# ---- closure_convert ----------------------------------------------------------------------------
def test_closure_convert_hoists_closed_over_tracers():
    def outer(x):
        def inner(y):
            return y * jnp.sin(x) + 1.0
        conv, hoisted = jax.closure_convert(inner, 1.0)
        return conv(2.0, *hoisted), len(hoisted)
    val, n = outer(jnp.asarray(1.0))
    assert n == 0 and abs(float(val) - (2 * np.sin(1.0) + 1)) < 1e-6     # nothing to hoist eagerly
    g = jax.grad(lambda x: outer(x)[0])(1.0)
    np.testing.assert_allclose(float(g), 2 * np.cos(1.0), rtol=1e-6)

    box = []

    def count(x):
        conv, hoisted = jax.closure_convert(lambda y: y * x, 1.0)
        box.append(len(hoisted))
        return conv(3.0, *hoisted)
    assert float(jax.jit(count)(2.0)) == 6.0 and box == [1]


# ---- ensure_compile_time_eval ---------------------------------------------------------------------
def test_ensure_compile_time_eval_gives_concrete_values_under_jit():
    seen = []

    @jax.jit
    def f(x):
        with jax.ensure_compile_time_eval():
            y = jnp.sin(3.0)
            positive = y > 0
            seen.append(type(y).__name__)
            z = x * 2.0                 # a tracer still traces
            seen.append(type(z).__name__)
        return jnp.cos(x) if positive else x     # Python control flow on the concrete value
    np.testing.assert_allclose(float(f(1.0)), np.cos(1.0), rtol=1e-6)
    assert seen[0] == "ArrayImpl" and seen[1] == "StagingTracer"
    with pytest.raises(jax.errors.ConcretizationTypeError):
        jax.jit(lambda x: 1 if x > 0 else 2)(1.0)


# ---- config context managers --------------------------------------------------------------------
def test_enable_x64_context():
    assert jnp.arange(3.0).dtype == np.float32
    with jax.enable_x64():
        assert jnp.arange(3.0).dtype == np.float64
        assert jax.enable_x64.value is True
    assert jnp.arange(3.0).dtype == np.float32


def test_debug_infs_names_the_primitive():
    with jax.debug_infs(True):
        with pytest.raises(FloatingPointError, match=r"inf.*div"):
            jnp.ones(2) / 0.0
        with pytest.raises(FloatingPointError, match=r"inf"):
            jax.jit(lambda x: x / 0.0)(jnp.ones(2))
        jnp.ones(2) / 1.0
    assert np.isinf(np.asarray(jnp.ones(2) / 0.0)).all()


def test_rank_promotion_modes():
    a, b = jnp.ones(3), jnp.ones((2, 3))
    with jax.numpy_rank_promotion("raise"):
        with pytest.raises(ValueError, match="jax_numpy_rank_promotion='raise'"):
            a + b
        with pytest.raises(ValueError, match="rank_promotion"):
            jnp.maximum(b, a)
        with pytest.raises(ValueError, match="rank_promotion"):
            jax.jit(lambda x, y: x * y)(a, b)
        assert (jnp.ones((1, 3)) + b).shape == (2, 3)      # same rank broadcasts
        assert (a + 1.0).shape == (3,) and (a * jnp.float32(2)).shape == (3,)   # scalars are fine
    f = jax.jit(lambda x, y: x - y)
    assert f(a, b).shape == (2, 3)                          # traced under "allow" ...
    with jax.numpy_rank_promotion("raise"):
        with pytest.raises(ValueError):                     # ... retraced under "raise"
            f(a, b)
    with jax.numpy_rank_promotion("warn"):
        with pytest.warns(UserWarning, match="rank promotion"):
            a + b
    with pytest.raises(ValueError, match="expected one of"):
        jax.config.update("jax_numpy_rank_promotion", "sometimes")


# the strict lattice, checked against JAX 0.10.2: (x, y, result dtype or None for an error)
STRICT = [(np.float32, 2, np.float32), (np.int32, 2.0, None), (np.int32, np.int16, None),
          (jnp.bfloat16, np.float16, None), (np.int32, 2, np.int32), (np.float32, np.float32, np.float32),
          (np.float32, 1j, None), (np.int32, True, None), (np.bool_, True, np.bool_), (np.uint8, 3, np.uint8)]


@pytest.mark.parametrize("x, y, want", STRICT)
def test_strict_dtype_promotion(x, y, want):
    a = jnp.ones(3, dtype=x)
    b = y if not isinstance(y, type) else jnp.ones(3, dtype=y)
    with jax.numpy_dtype_promotion("strict"):
        if want is None:
            with pytest.raises(dtypes.TypePromotionError, match="strict"):
                a + b
        else:
            assert (a + b).dtype == want
    assert (a + b).dtype is not None            # standard promotion allows every pair here


def test_log_compiles(caplog):
    with jax.log_compiles(True), caplog.at_level(logging.WARNING, logger="jaxish"):
        jax.jit(lambda x: x * 3.0 + 1.5)(jnp.ones(5))
    assert any("Compiling" in r.getMessage() and "f32[5]" in r.getMessage() for r in caplog.records)


# ---- small utilities ----------------------------------------------------------------------------
def test_clear_caches_forgets_traces():
    calls = []

    @jax.jit
    def f(x):
        calls.append(1)
        return x + 1
    f(1.0)
    f(2.0)
    assert len(calls) == 1
    jax.clear_caches()
    f(3.0)
    assert len(calls) == 2


def test_device_get_typeof_and_friends():
    got = jax.device_get({"a": jnp.ones(2), "b": 3})
    assert isinstance(got["a"], np.ndarray) and got["b"] == 3
    t = jax.typeof(jnp.ones((2, 3), jnp.int8))
    assert str(t) == "int8[2,3]" and repr(jax.typeof(1.0)) == "ShapedArray(float32[], weak_type=True)"
    with jax.named_scope("block"):
        assert float(jnp.asarray(2.0) * 2) == 4.0
    with pytest.raises(ValueError, match="string"):
        with jax.named_scope(3):
            pass
    with jax.default_device("cpu"):
        assert jnp.zeros(2).device.type == "cpu"
    assert jax.host_count() == jax.process_count() and jax.process_indices() == [0]
    assert "jaxish" in jax.print_environment_info(return_string=True)
    assert jax.P("x", None) == jax.sharding.PartitionSpec("x", None)
    assert isinstance(jax.devices()[0], jax.Device)
    jax.effects_barrier()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        jax.clear_caches()


# ---- lax.bitcast_convert_type ---------------------------------------------------------------------
@pytest.mark.parametrize("new", ["int32", "uint32", "uint8", "float16", "bfloat16", "int16"])
def test_bitcast_convert_type_matches_numpy_view(new):
    from breadth_helpers import check_jit, check_vmap
    from jaxish import lax
    x = jnp.asarray(np.random.default_rng(0).standard_normal((3, 4)).astype(np.float32))
    dt = jnp.dtype(new)
    out = lax.bitcast_convert_type(x, dt)
    ratio = 4 // dt.itemsize
    want = np.asarray(x).view(np.uint8).reshape(3, 4, ratio, dt.itemsize) if ratio > 1 else None
    assert out.dtype == dt and out.shape == ((3, 4, ratio) if ratio > 1 else (3, 4))
    got = np.asarray(out).view(np.uint8).reshape(3, 4, ratio, dt.itemsize) if ratio > 1 else np.asarray(out)
    if ratio > 1:
        np.testing.assert_array_equal(got, want)
    else:
        np.testing.assert_array_equal(got.view(np.uint8), np.asarray(x).view(np.uint8))
    back = lax.bitcast_convert_type(out, jnp.float32)          # and back again, bit for bit
    np.testing.assert_array_equal(np.asarray(back).view(np.uint32), np.asarray(x).view(np.uint32))
    check_jit(lambda v: lax.bitcast_convert_type(v * 2.0, dt), x)   # an extern between fused kernels
    check_jit(lambda v: lax.bitcast_convert_type(v, jnp.float32) + 1.0, out)
    check_vmap(lambda v: lax.bitcast_convert_type(v, dt), x, in_axes=1)


def test_bitcast_convert_type_rules_and_errors():
    from jaxish import lax
    assert int(lax.bitcast_convert_type(1.0, jnp.int32)) == 1065353216
    assert lax.bitcast_convert_type(jnp.ones((1, 2), jnp.uint8), jnp.uint16).tolist() == [257]
    assert "bitcast_convert_type[new_dtype=int32]" in str(jax.make_jaxpr(
        lambda v: lax.bitcast_convert_type(v, jnp.int32))(1.0))
    g = jax.grad(lambda v: lax.bitcast_convert_type(v, jnp.int32).astype(jnp.float32) * v)(1.0)
    assert float(g) == 1065353216.0                  # the bitcast itself carries no derivative
    with pytest.raises(TypeError, match="bool or complex"):
        lax.bitcast_convert_type(jnp.ones(2, bool), jnp.uint8)
    with pytest.raises(ValueError, match="3 \\* 8 != 16"):
        lax.bitcast_convert_type(jnp.ones((2, 3), jnp.uint8), jnp.uint16)
    with jax.enable_x64():
        y = lax.bitcast_convert_type(jnp.asarray([1.5, -2.0]), jnp.uint32)
        assert y.shape == (2, 2)
        np.testing.assert_array_equal(np.asarray(y).ravel(), np.asarray([1.5, -2.0]).view(np.uint32))


# ---- flatten_util, typing -----------------------------------------------------------------------
def test_ravel_pytree_round_trip_and_errors():
    from jaxish.flatten_util import ravel_pytree
    tree = {"a": jnp.ones(2), "b": (jnp.arange(3), 2.0)}
    flat, unravel = ravel_pytree(tree)
    assert flat.dtype == np.float32 and flat.tolist() == [1.0, 1.0, 0.0, 1.0, 2.0, 2.0]
    back = unravel(flat * 2)
    assert back["b"][0].dtype == jnp.int32 and back["b"][0].tolist() == [0, 2, 4]
    with pytest.raises(ValueError, match="Sum of sizes 6"):
        unravel(jnp.ones(4))
    with pytest.raises(TypeError, match="expected dtype float32"):
        unravel(jnp.ones(6, jnp.int32))
    empty, _ = ravel_pytree([])
    assert empty.shape == (0,) and empty.dtype == np.float32
    half, un = ravel_pytree([jnp.ones(2, jnp.float16), jnp.ones(1, jnp.bfloat16)])
    assert half.dtype == np.float32 and [x.dtype for x in un(half)] == [jnp.float16, jnp.bfloat16]
    g = jax.grad(lambda p: (ravel_pytree(p)[0] ** 2).sum())({"a": jnp.ones(2), "b": 3.0})
    assert g["a"].tolist() == [2.0, 2.0] and float(g["b"]) == 6.0
    f = jax.jit(lambda p: unravel(ravel_pytree(p)[0] + 1.0))
    assert f(tree)["b"][1] == 3.0
    assert jax.vmap(lambda p: ravel_pytree(p)[0])([jnp.ones((3, 2)), jnp.ones((3, 2, 2))]).shape == (3, 6)


def test_typing_names():
    from jaxish.typing import ArrayLike, DTypeLike

    def f(x: ArrayLike, dtype: DTypeLike = None):
        return jnp.asarray(x, dtype)
    assert f(1.0).dtype == np.float32
    import typing
    assert jax.Array in typing.get_args(ArrayLike)


# ---- regressions found while adding the above ------------------------------------------------------
def test_weak_scalars_under_x64_and_folded_constants():
    with jax.enable_x64():
        x = jnp.ones(3, jnp.float32)
        g = jax.jit(jax.grad(lambda v: jnp.maximum(v, 0.0).sum()))(x)     # stax.Relu's gradient
        assert g.dtype == np.float32 and g.tolist() == [1.0, 1.0, 1.0]
        assert jax.grad(lambda v: jnp.minimum(v, 2.0).sum())(x).tolist() == [1.0, 1.0, 1.0]
        g = jax.grad(lambda v: (0.5 - v + 2.0).sum())(x)        # linear ops with scalar operands
        assert g.dtype == np.float32 and g.tolist() == [-1.0, -1.0, -1.0]
    assert jax.lax.full_like(2.0, 1).weak_type and not jax.lax.full_like(jnp.ones(2), 1).weak_type
    assert not jax.lax.full_like(2.0, 1, dtype=jnp.float32).weak_type
    f = lambda v: v + jnp.exp(jnp.asarray(-1.0)) * 2.0     # folds to literal * literal    # noqa: E731
    for backend in ("eager", "cpp"):
        np.testing.assert_allclose(float(jax.jit(f, backend=backend)(1.0)), 1 + 2 * np.exp(-1.0), rtol=1e-6)


def test_zero_size_pieces_and_scalar_only_ops_under_jit():
    from jaxish import lax
    f = lambda b: lax.concatenate([b[:1], lax.slice_in_dim(b, 0, 0) * 2], 0)     # noqa: E731
    for backend in ("eager", "cpp", "triton"):
        assert jax.jit(f, backend=backend)(jnp.arange(4.0)).tolist() == [0.0]
        out = jax.jit(lambda a, b: a @ b + 1.0, backend=backend)(jnp.ones((2, 0)), jnp.ones((0, 3)))
        assert out.tolist() == [[1.0] * 3] * 2
    # a jvp rule on a Python-scalar primal binds ops on scalars alone (JAX: 26.66656)
    np.testing.assert_allclose(float(jax.grad(lambda a: jnp.logspace(0.0, a, 3).sum())(1.0)), 26.66656, rtol=1e-5)
    assert bool(jax.lax.eq(0.0, 0.0)) and int(jax.lax.add(1, 2)) == 3


@pytest.mark.parametrize("u", [[1.5, 2.0, 0.5, 3.0, 4.0, 7.0], [0.0, 2.0, 0.5, 0.0, 0.0, 1.0],
                               [0.0, 2.0, 0.0, 3.0, 1.0, 0.0]])
def test_scatter_multiply_gradient_with_zero_and_repeated_updates(u):
    """.at[].multiply's derivative in the updates is exact with zeros among repeated updates
    (it divided by the update before: NaN), and zero for an out-of-bounds (dropped) update."""
    with jax.enable_x64():
        x = jnp.asarray([2.0, 3.0, 5.0])
        idx = jnp.asarray([0, 0, 1, 2, 2, 7])

        def f(v):
            return x.at[idx].multiply(v, mode="drop")
        u = np.asarray(u)
        eps = 1e-6
        fd = np.stack([(np.asarray(f(jnp.asarray(u + eps * e))) - np.asarray(f(jnp.asarray(u - eps * e)))) / (2 * eps)
                       for e in np.eye(len(u))], 1)
        for jac in (jax.jacrev(f), jax.jacfwd(f)):
            np.testing.assert_allclose(np.asarray(jac(jnp.asarray(u))), fd, atol=1e-6)


def test_small_jax_conformance_fixes():
    from jaxish import lax
    with pytest.raises(TypeError, match=r"Integers cannot be raised to negative powers, got integer_pow\(int32\[3\], -1\)"):
        lax.integer_pow(jnp.arange(3), -1)
    with pytest.raises(TypeError, match="negative powers"):
        jax.jit(lambda v: lax.integer_pow(v, -2))(jnp.arange(3))
    assert lax.integer_pow(jnp.arange(3), 2).tolist() == [0, 1, 4]
    assert jnp.bool is jnp.bool_ and not isinstance(True, jnp.bool) and isinstance(np.bool_(True), jnp.bool)
    assert isinstance(np.float32(1), jnp.float32) and not isinstance(1.0, jnp.float32)
    assert jnp.float32 == np.float32 and jnp.dtype(jnp.float32) == np.float32 and hash(jnp.int8) == hash(np.dtype("int8"))
    assert jnp.result_type(True, 1) == jnp.int32 and jnp.isscalar(True)
    assert jax.random.normal(jax.random.PRNGKey(0), 3).shape == (3,)
    assert jnp.polyval(jnp.ones((3, 2)), jnp.asarray(2.0)).tolist() == [7.0, 7.0]      # JAX: [7. 7.]


def test_full_like_of_a_tangent_is_a_constant():
    """ones_like(y) of a linear value is known in reverse mode (it only reads y's shape), so a
    tangent_solve such as y / g(ones_like(y)) transposes (AssertionError in div's transpose before)."""
    from jaxish import lax

    def root(a):
        return lax.custom_root(lambda y: y ** 2 - a, 1.0, lambda g, x0: jnp.sqrt(a),
                               lambda g, y: y / g(jnp.ones_like(y)))
    assert float(jax.grad(root)(4.0)) == 0.25
    g = jax.grad(lambda v: (v / jnp.ones_like(v)).sum() + jnp.full_like(v, 2.0).sum())(jnp.ones(3))
    assert g.tolist() == [1.0, 1.0, 1.0]


def test_vmap_of_jit_batches_the_graph_once():
    """vmap(jit(f)) keeps the batched graph (and so its executable): a custom_vmap rule inside
    runs once for repeated calls, as in JAX."""
    from jaxish.custom_batching import custom_vmap
    calls = []

    @custom_vmap
    def g(x):
        return jnp.sin(x)

    @g.def_vmap
    def rule(axis_size, in_batched, x):
        calls.append(axis_size)
        return jnp.sin(x) * 2.0, in_batched[0]
    vf = jax.vmap(jax.jit(lambda x: g(x) + 1.0))
    x = jnp.ones((4, 3))
    for _ in range(3):
        np.testing.assert_allclose(np.asarray(vf(x)), np.sin(1.0) * 2 + 1, rtol=1e-6)
    assert calls == [4]
    vf(jnp.ones((5, 3)))
    assert calls == [4, 5]


def test_transforms_of_a_jitted_function_are_traced_once(monkeypatch):
    """grad(jit(f)), vmap(jit(f)) and jvp(jit(f)) called again reuse the transformed graphs (and
    so their executables): no graph transformation re-traces on later calls."""
    from jaxish.interpreters import graph_transforms, partial_eval
    f = jax.jit(lambda v: (jnp.sin(v) * 2.0 + v.sum()).sum())
    x = jnp.ones((4, 3))
    runs = [lambda: jax.grad(f)(x), lambda: jax.vmap(jax.grad(f))(x),
            lambda: jax.jvp(f, (x,), (x,)), lambda: jax.vmap(f)(x)]
    first = [np.asarray(r()[0] if isinstance(r(), tuple) else r()) for r in runs]
    traced = []
    real_trace, real_pe = graph_transforms.trace_to_subgraph, partial_eval.StagingTrace
    monkeypatch.setattr(graph_transforms, "trace_to_subgraph", lambda *a, **k: traced.append(1) or real_trace(*a, **k))
    monkeypatch.setattr(partial_eval, "StagingTrace", lambda *a, **k: traced.append(1) or real_pe(*a, **k))
    again = [np.asarray(r()[0] if isinstance(r(), tuple) else r()) for r in runs]
    assert traced == []
    for a, b in zip(first, again):
        np.testing.assert_array_equal(a, b)


def test_dot_general_accumulates_in_the_preferred_type():
    from jaxish import lax
    a = jnp.full((2, 64), 100.0, jnp.float16)
    dn = (((1,), (0,)), ((), ()))
    out = lax.dot_general(a, jnp.full((64, 3), 100.0, jnp.float16), dn, preferred_element_type=jnp.float32)
    assert out.dtype == np.float32 and out.tolist() == [[640000.0] * 3] * 2      # f16 would give inf
    jout = jax.jit(lambda x, y: lax.dot_general(x, y, dn, preferred_element_type=jnp.float32))(
        a, jnp.full((64, 3), 100.0, jnp.float16))
    assert jout.tolist() == out.tolist()


def test_nn_activations_on_integer_and_scalar_inputs_follow_jax():
    """dtypes and weak types checked against JAX 0.10.2 for int32 inputs and a Python scalar."""
    import jaxish.nn as nn
    i = jnp.arange(12, dtype=jnp.int32).reshape(3, 4)
    for f in (nn.celu, nn.elu, nn.selu, nn.leaky_relu, nn.relu6, nn.hard_sigmoid, nn.hard_silu,
              nn.sparse_plus, nn.sparse_sigmoid):
        out = f(i)
        assert (out.dtype, out.weak_type) == (np.float32, True), f.__name__
    assert nn.hard_tanh(i).dtype == np.int32
    for f in (nn.sigmoid, nn.silu, nn.glu):
        with pytest.raises(TypeError):
            f(i)
    for g in (nn.gelu(0.5), nn.logsumexp(0.5), nn.logmeanexp(0.5)):
        assert g.dtype == np.float32 and not g.weak_type
    np.testing.assert_allclose(np.asarray(nn.relu6(jnp.asarray([-1.0, 3.0, 7.0]))), [0.0, 3.0, 6.0])
    assert jax.grad(lambda v: nn.relu6(v).sum())(jnp.asarray([0.0, 3.0, 6.0])).tolist() == [0.0, 1.0, 0.0]


def test_lax_shift_right_arithmetic_and_conj_follow_xla():
    """Values from JAX 0.10.2: out-of-range (negative or too large) arithmetic shifts fill with the
    sign, unsigned bits are read as signed, on every backend; conj of a real array is complex."""
    from jaxish import lax
    cases = [(np.int32, -1, [-1, -1, 0, 0]), (np.int8, -1, [-1, -1, 0, 0]), (np.uint8, 200, [0, 0, 0, 255]),
             (np.uint32, 3, [0, 0, 0, 4294967295]), (np.uint32, 33, [0, 0, 0, 4294967295])]
    for dt, s, want in cases:
        info = np.iinfo(dt)
        x = jnp.asarray(np.array([info.min, -1 if info.min < 0 else 1, 5, info.max], dt))
        sh = jnp.full((4,), s, dt)
        assert lax.shift_right_arithmetic(x, sh).tolist() == want, (dt, s)
        for backend in ("cpp", "triton"):
            assert jax.jit(lax.shift_right_arithmetic, backend=backend)(x, sh).tolist() == want, (dt, s, backend)
    z = lax.conj(jnp.asarray([1.0, -2.0]))
    assert z.dtype == np.complex64 and z.tolist() == [1 + 0j, -2 + 0j]
    assert lax.conj(jnp.asarray([1 + 2j])).tolist() == [1 - 2j]
    with pytest.raises(TypeError, match="conj does not accept dtype float16"):
        lax.conj(jnp.ones(2, jnp.float16))


def test_result_type_and_list_dtypes_follow_jax():
    """Values from JAX 0.10.2 (x64 off, then on)."""
    want = {False: ["int32", "int32", "int8", "float16", "complex64", "int8", "int32", "uint8", "float32"],
            True: ["float64", "float64", "int8", "float16", "complex64", "int8", "int64", "uint8", "float64"]}
    args = [("uint64", "int8"), ("uint64", "int64"), (int, "int8"), (float, "float16"), (complex, "float32"),
            (bool, "int8"), ("uint32", "int32"), (int, "uint8"), (float, int)]
    for x64, expect in want.items():
        with jax.enable_x64(x64):
            assert [str(jnp.result_type(*a)) for a in args] == expect
            assert jnp.array([np.uint8(3), 1]).dtype == np.uint8
            assert jnp.result_type(jnp.ones(2), 1) == (jnp.float64 if x64 else jnp.float32)
    assert jnp.array([1, 2.0]).dtype == np.float32 and jnp.array([[np.float16(1)], [2]]).dtype == np.float16


def test_start_up_config_options_programs_set(tmp_path):
    """Options JAX programs commonly set at start-up are accepted; those whose other values would
    change results jaxish does not follow raise NotImplementedError instead of being ignored."""
    cfg = jax.config
    for name, value in [("jax_threefry_partitionable", True), ("jax_enable_checks", True),
                        ("jax_check_tracer_leaks", False), ("jax_default_prng_impl", "threefry2x32"),
                        ("jax_persistent_cache_min_compile_time_secs", 0), ("jax_softmax_custom_jvp", True)]:
        old = cfg.read(name)
        cfg.update(name, value)
        cfg.update(name, old)
    for name, value in [("jax_threefry_partitionable", False), ("jax_debug_key_reuse", True),
                        ("jax_default_prng_impl", "rbg"), ("jax_transfer_guard", "disallow")]:
        with pytest.raises(NotImplementedError, match=name):
            cfg.update(name, value)
    old_dir = cfg.read("jaxish_cache_dir")
    try:
        cfg.update("jax_compilation_cache_dir", str(tmp_path))
        assert cfg.read("jaxish_cache_dir") == str(tmp_path)
        jax.jit(lambda v: v * 7.0 + 1.0)(jnp.ones(3))          # compiles into the new directory
        assert (tmp_path / "cpp").exists()
    finally:
        cfg._values["jaxish_cache_dir"] = old_dir
        cfg._values["jax_compilation_cache_dir"] = None
    from jaxish.config import _default_device
    saved = list(_default_device)
    try:
        cfg.update("jax_platform_name", "cpu")
        assert jnp.zeros(2).device.type == "cpu"
    finally:
        _default_device[:] = saved
        cfg._values["jax_platform_name"] = None
    with pytest.raises(AttributeError):
        cfg.update("jax_no_such_option", 1)


def test_flag_context_managers_accept_what_jaxish_implements():
    with jax.transfer_guard("allow"), jax.checking_leaks(), jax.enable_checks(True), jax.softmax_custom_jvp(True):
        assert float(jnp.ones(2).sum()) == 2.0
    for ctx in (lambda: jax.transfer_guard("disallow"), lambda: jax.debug_key_reuse(True),
                lambda: jax.threefry_partitionable(False), lambda: jax.default_prng_impl("rbg")):
        with pytest.raises(NotImplementedError):
            with ctx():
                pass
    assert jax.copy_to_host_async(jnp.ones(2)) is None


def test_weak_booleans_follow_jax():
    """JAX 0.10.2: comparisons of weakly typed values give weakly typed bools; reductions and
    isclose/allclose/array_equal do not."""
    from jaxish import lax
    assert lax.eq(0.75, 0.5).weak_type and (jnp.asarray(1.0) < 2).weak_type and jnp.isnan(1.0).weak_type
    assert not (jnp.ones(2) < 2).weak_type and not jnp.asarray(True).weak_type
    assert jax.jit(lambda a: a < 2)(1.0).weak_type
    for v in (jnp.array_equal(2, 2), jnp.all(jnp.asarray(2) == 2), jnp.isclose(jnp.arange(2), 0.5),
              jnp.allclose(jnp.ones(2), 1.0), jnp.isclose(1.0, 1.0)):
        assert v.dtype == np.bool_ and not v.weak_type
    assert jnp.where(jnp.asarray(1.0) < 2, 1, 2).weak_type        # as JAX: only the branches decide


def test_no_tracing_and_no_execution_as_jax():
    """jax.no_tracing: a jit cache miss is a RuntimeError, hits run (and entering the option
    does not empty the caches); jax.no_execution: running a jitted function or an eager op is a
    RuntimeError, tracing (make_jaxpr) is not."""
    f = jax.jit(lambda x: x + 1)
    f(1.0)
    with jax.no_tracing():
        assert float(f(2.0)) == 3.0
        with pytest.raises(RuntimeError, match="re-tracing function <lambda> for `jit`, but 'no_tracing' is set"):
            f(jnp.ones(3))
    assert f(jnp.ones(3)).shape == (3,)
    x = jnp.ones(2)
    with jax.no_execution():
        with pytest.raises(RuntimeError, match=r"execute function jit\(<lambda>\), but the no_execution"):
            f(2.0)
        with pytest.raises(RuntimeError, match="execute function sin"):
            jnp.sin(x)
        assert "add" in str(jax.make_jaxpr(lambda x: x + 1)(1.0))
    assert float(f(2.0)) == 3.0


def test_platform_dependent_and_tokens():
    from jaxish import lax
    assert float(lax.platform_dependent(1.0, 2.0, cpu=lambda x, y: x + y, default=lambda x, y: x - y)) == 3.0
    assert float(jax.jit(lambda x: lax.platform_dependent(x, cpu=lambda x: x * 3, default=lambda x: x))(2.0)) == 6.0
    assert float(lax.platform_dependent(2.0, cuda=lambda x: x * 5, default=lambda x: x - 1)) == 1.0
    with pytest.raises(ValueError, match="Use 'cuda' or 'rocm'"):
        lax.platform_dependent(1.0, gpu=lambda x: x, default=lambda x: x)
    with pytest.raises(NotImplementedError):
        lax.platform_dependent(1.0, tpu=lambda x: x)
    t = lax.create_token(1.0)
    assert isinstance(t, lax.Token) and isinstance(lax.after_all(t, jnp.ones(2)), lax.Token)


def test_debug_print_forms_checks_and_log(capsys, caplog):
    """jax.debug.print's two-call form and trace-time format check (an f-string leaves keyword
    arguments unused: ValueError), and jax.debug.log through the logging module."""
    import logging
    jax.jit(lambda x: jax.debug.print(ordered=True)("y={} {z}", x, z=x * 2))(1.0)
    assert capsys.readouterr().out == "y=1.0 2.0\n"
    with pytest.raises(ValueError, match="Unused keyword arguments to `jax.debug.print`: \\['x'\\]"):
        jax.debug.print("plain", x=1.0)
    with pytest.raises(ValueError, match="Unused positional arguments"):
        jax.debug.print("{}", 1.0, 2.0)
    with pytest.raises(TypeError, match="two-call form"):
        jax.debug.print(None, 1.0)
    with caplog.at_level(logging.INFO, logger="jaxish.debug"):
        jax.jit(lambda x: jax.debug.log("logged {}", x))(3.0)
    assert [r.getMessage() for r in caplog.records if r.name == "jaxish.debug"] == ["logged 3.0"]


def test_dtypes_public_helpers_as_jax():
    import numpy as np
    from jaxish import dtypes
    assert dtypes.canonicalize_dtype(np.float64) == np.float32 and dtypes.canonicalize_dtype(np.int64) == np.int32
    assert dtypes.itemsize_bits(jnp.bfloat16) == 16 and dtypes.itemsize_bits(np.bool_) == 8
    assert dtypes.scalar_type_of(1.0) is float and dtypes.scalar_type_of(np.int8(3)) is int
    assert dtypes.scalar_type_of(jnp.ones(2, jnp.bfloat16)) is float and dtypes.scalar_type_of(jnp.ones(2, bool)) is bool
    with pytest.raises(TypeError, match="not a valid JAX array type"):
        dtypes.scalar_type_of("a")
    assert jnp.issubdtype(jax.random.key_dtype(), dtypes.prng_key)
    assert jnp.issubdtype(jax.random.key_dtype(), dtypes.extended)
    assert not jnp.issubdtype(jnp.float32, dtypes.extended) and jnp.issubdtype(jnp.float32, jnp.floating)
