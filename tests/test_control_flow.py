"""Control flow: lax.cond / switch / scan / while_loop / fori_loop / map.

Oracles: numpy and Python loops for values; for derivatives and batching, the same program
written without control-flow primitives (Python loops and ifs, unrolled at trace time) goes
through an independent path of jaxish, plus finite differences. Every transformation is applied
in both orders with jit (backend="eager", the reference backend).
"""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import jaxish as jax
import jaxish.numpy as jnp
from jaxish import lax

SETTINGS = dict(max_examples=8, deadline=None)


def J(f, **kw):
    return jax.jit(f, backend="eager", **kw)


def close(a, b, tol=1e-5):
    np.testing.assert_allclose(np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64),
                               rtol=tol, atol=tol)


def fd_grad(f, x, eps=1e-3):
    """Central finite differences of scalar f at float64 x (evaluated in float32 by f)."""
    x = np.asarray(x, dtype=np.float64)
    g = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        xp, xm = x.copy(), x.copy()
        xp[i] += eps
        xm[i] -= eps
        g[i] = (float(f(jnp.asarray(xp.astype(np.float32)))) - float(f(jnp.asarray(xm.astype(np.float32))))) / (2 * eps)
    return g


# ---- cond / switch ----------------------------------------------------------------------------
def _branchy(x):
    return lax.cond(x.sum() > 0, lambda a: jnp.sin(a) * a, lambda a: a ** 2 - 1.0, x)


def _branchy_py(x):
    return jnp.sin(x) * x if float(x.sum()) > 0 else x ** 2 - 1.0


@given(st.lists(st.floats(-2, 2, width=32), min_size=3, max_size=3))
@settings(**SETTINGS)
def test_cond_matches_python_if_values_and_grads(vals):
    x = jnp.asarray(np.array(vals, np.float32))
    close(_branchy(x), _branchy_py(x))
    close(J(_branchy)(x), _branchy_py(x))
    g_ref = jax.grad(lambda x: _branchy_py(x).sum())(x)
    close(jax.grad(lambda x: _branchy(x).sum())(x), g_ref)
    close(J(jax.grad(lambda x: _branchy(x).sum()))(x), g_ref)
    close(jax.grad(lambda x: J(_branchy)(x).sum())(x), g_ref)
    t = jnp.ones(3)
    close(jax.jvp(_branchy, (x,), (t,))[1], jax.jvp(_branchy_py, (x,), (t,))[1])


def test_cond_operands_pytree_and_closure():
    w = jnp.asarray([2.0, 3.0])

    def f(p, x):
        return lax.cond(p, lambda d, y: {"a": d["u"] * w + y, "b": y},
                        lambda d, y: {"a": d["u"] - y, "b": y * 0.0}, {"u": x}, x)
    x = jnp.asarray([1.0, 1.0])
    r = f(True, x)
    close(r["a"], [3.0, 4.0])
    close(r["b"], [1.0, 1.0])
    r = J(f)(False, x)
    close(r["a"], [0.0, 0.0])
    close(r["b"], [0.0, 0.0])
    # closed-over w gets a gradient through the branch
    gw = jax.grad(lambda w_: lax.cond(True, lambda y: (y * w_).sum(), lambda y: y.sum(), x))(w)
    close(gw, [1.0, 1.0])


def test_cond_concrete_pred_runs_only_one_branch(capsys):
    def br(name):
        def f(x):
            jax.debug.print(name)
            return x
        return f
    lax.cond(jnp.asarray(True), br("true"), br("false"), jnp.ones(2))
    J(lambda p, x: lax.cond(p, br("true"), br("false"), x))(False, jnp.ones(2))
    assert capsys.readouterr().out.splitlines() == ["true", "false"]
    # a numeric predicate: nonzero is true
    close(lax.cond(2, lambda: 1.0, lambda: 0.0), 1.0)
    close(lax.cond(0.0, lambda: 1.0, lambda: 0.0), 0.0)


def test_cond_weak_types_join():
    out = lax.cond(True, lambda: 1.0, lambda: jnp.float32(2.0))
    assert out.dtype == np.float32 and not out.weak_type
    out = lax.cond(True, lambda: 1.0, lambda: 2.0)
    assert out.weak_type


def test_switch_clamps_index_and_batches():
    fs = [lambda x: x, lambda x: x * 2, lambda x: x * 3]
    x = jnp.arange(3.0)
    for i, m in [(-5, 1), (0, 1), (1, 2), (2, 3), (9, 3)]:
        close(lax.switch(i, fs, x), np.arange(3.0) * m)
        close(J(lambda i, x: lax.switch(i, fs, x))(i, x), np.arange(3.0) * m)
    idx = jnp.asarray([0, 2, 1, 7, -1])
    xs = jnp.ones((5, 3))
    out = jax.vmap(lambda i, x: lax.switch(i, fs, x))(idx, xs)
    close(out, np.array([1, 3, 2, 3, 1.0])[:, None] * np.ones((5, 3)))
    out = J(jax.vmap(lambda i, x: lax.switch(i, fs, x)))(idx, xs)
    close(out, np.array([1, 3, 2, 3, 1.0])[:, None] * np.ones((5, 3)))


def test_vmap_cond_batched_and_unbatched_predicate():
    f = lambda p, x: lax.cond(p, lambda x: jnp.sin(x), lambda x: jnp.cos(x), x)  # noqa: E731
    ps = jnp.asarray([True, False, True])
    xs = jnp.asarray([[0.1, 0.2], [0.3, 0.4], [0.5, 0.6]])
    want = np.where(np.asarray(ps)[:, None], np.sin(np.asarray(xs)), np.cos(np.asarray(xs)))
    close(jax.vmap(f)(ps, xs), want)
    close(J(jax.vmap(f))(ps, xs), want)
    close(jax.vmap(J(f))(ps, xs), want)
    close(jax.vmap(f, in_axes=(None, 0))(True, xs), np.sin(np.asarray(xs)))
    # grad under vmap with a batched predicate
    g = jax.vmap(jax.grad(lambda p, x: f(p, x).sum(), argnums=1))(ps, xs)
    close(g, np.where(np.asarray(ps)[:, None], np.cos(np.asarray(xs)), -np.sin(np.asarray(xs))))


def test_nested_conds_in_jit_grad():
    def f(x):
        return lax.cond(x > 0,
                        lambda x: lax.cond(x > 1, lambda x: x ** 3, lambda x: x ** 2, x),
                        lambda x: -x, x)
    for x0, want, dwant in [(2.0, 8.0, 12.0), (0.5, 0.25, 1.0), (-1.0, 1.0, -1.0)]:
        close(J(f)(x0), want)
        close(jax.grad(f)(x0), dwant)
        close(J(jax.grad(f))(x0), dwant)
        close(jax.grad(J(f))(x0), dwant)
    close(jax.vmap(jax.grad(f))(jnp.asarray([2.0, 0.5, -1.0])), [12.0, 1.0, -1.0])
    close(jax.hessian(f)(2.0), 12.0)


def test_cond_errors_as_jax():
    x = jnp.ones(3)
    with pytest.raises(TypeError, match="dtypes do not match"):
        lax.cond(True, lambda x: x, lambda x: x.astype(jnp.int32), x)
    with pytest.raises(TypeError, match=r"float32\[3\] but .* float32\[2\], so the shapes do not match"):
        lax.cond(True, lambda x: x, lambda x: x[:2], x)
    with pytest.raises(TypeError, match="same pytree structure"):
        lax.cond(True, lambda x: (x, x), lambda x: x, x)
    with pytest.raises(TypeError, match="Pred must be a scalar"):
        lax.cond(jnp.ones(2) > 0, lambda x: x, lambda x: x, 1.0)
    with pytest.raises(TypeError, match="Pred must be a scalar"):
        lax.cond("a", lambda x: x, lambda x: x, 1.0)
    with pytest.raises(ValueError, match="Empty branch sequence"):
        lax.switch(1, [], 1.0)
    with pytest.raises(TypeError, match="Index type must be an integer"):
        lax.switch(1.0, [lambda: 1.0, lambda: 2.0])


# ---- scan -------------------------------------------------------------------------------------
def _rnn(W, h0, xs):
    def step(h, x):
        h = jnp.tanh(W @ h + x)
        return h, (h.sum(), h * 2)
    return lax.scan(step, h0, xs)


def _rnn_py(W, h0, xs):
    h, s, d = h0, [], []
    for i in range(xs.shape[0]):
        h = jnp.tanh(W @ h + xs[i])
        s.append(h.sum())
        d.append(h * 2)
    return h, (jnp.stack(s), jnp.stack(d))


def _rnn_loss(f):
    def loss(W, h0, xs):
        h, (s, d) = f(W, h0, xs)
        return (h ** 2).sum() + s.sum() + (d * xs).sum()
    return loss


@pytest.fixture(scope="module")
def rnn_data():
    rng = np.random.RandomState(0)
    return (jnp.asarray(rng.randn(3, 3).astype(np.float32) * 0.5),
            jnp.asarray(rng.randn(3).astype(np.float32)),
            jnp.asarray(rng.randn(5, 3).astype(np.float32)))


def test_scan_values_match_python_loop(rnn_data):
    W, h0, xs = rnn_data
    ref = _rnn_py(W, h0, xs)
    for out in (_rnn(W, h0, xs), J(_rnn)(W, h0, xs)):
        for a, b in zip(jax.tree_util.tree_leaves(out), jax.tree_util.tree_leaves(ref)):
            close(a, b)


def test_scan_grad_all_orders(rnn_data):
    W, h0, xs = rnn_data
    loss, loss_py = _rnn_loss(_rnn), _rnn_loss(_rnn_py)
    want = jax.grad(loss_py, argnums=(0, 1, 2))(W, h0, xs)
    for g in (jax.grad(loss, argnums=(0, 1, 2))(W, h0, xs),
              J(jax.grad(loss, argnums=(0, 1, 2)))(W, h0, xs),
              jax.grad(J(loss), argnums=(0, 1, 2))(W, h0, xs)):
        for a, b in zip(g, want):
            close(a, b, 1e-4)
    fd = fd_grad(lambda w: loss(w, h0, xs), W)
    close(want[0], fd, 2e-2)


def test_scan_jvp_and_vmap(rnn_data):
    W, h0, xs = rnn_data
    loss, loss_py = _rnn_loss(_rnn), _rnn_loss(_rnn_py)
    tW = jnp.ones_like(W)
    close(jax.jvp(lambda w: loss(w, h0, xs), (W,), (tW,))[1],
          jax.jvp(lambda w: loss_py(w, h0, xs), (W,), (tW,))[1], 1e-4)
    xb = jnp.stack([xs, xs * 0.5, -xs])
    want = jnp.stack([loss_py(W, h0, xb[i]) for i in range(3)])
    close(jax.vmap(loss, in_axes=(None, None, 0))(W, h0, xb), want, 1e-5)
    close(J(jax.vmap(loss, in_axes=(None, None, 0)))(W, h0, xb), want, 1e-5)
    close(jax.vmap(J(loss), in_axes=(None, None, 0))(W, h0, xb), want, 1e-5)
    # batched along a non-leading axis, batched carry only, batched const only
    close(jax.vmap(loss, in_axes=(None, None, 1))(W, h0, jnp.moveaxis(xb, 0, 1)), want, 1e-5)
    hb = jnp.stack([h0, h0 * 0, h0 + 1])
    close(jax.vmap(loss, in_axes=(None, 0, None))(W, hb, xs),
          [loss_py(W, hb[i], xs) for i in range(3)], 1e-5)
    Wb = jnp.stack([W, W.T])
    close(jax.vmap(loss, in_axes=(0, None, None))(Wb, h0, xs),
          [loss_py(Wb[i], h0, xs) for i in range(2)], 1e-5)
    # per-example gradients: vmap of grad of scan
    g = jax.vmap(jax.grad(loss), in_axes=(None, None, 0))(W, h0, xb)
    for i in range(3):
        close(g[i], jax.grad(loss_py)(W, h0, xb[i]), 1e-4)


def test_scan_carry_tangent_appears_inside_body():
    # the carry starts with no tangent; the body mixes in a differentiated const
    def f(w):
        return lax.scan(lambda c, x: (c * x + w, c), 1.0, jnp.arange(1.0, 4.0))[0]
    close(f(2.0), ((1 * 1 + 2) * 2 + 2) * 3 + 2)
    close(jax.grad(f)(2.0), 1 * 2 * 3 + 1 * 3 + 1)
    close(jax.jvp(f, (2.0,), (1.0,))[1], 10.0)
    close(jax.vmap(f)(jnp.asarray([2.0, 0.0])), [26.0, 6.0])


def test_scan_reverse_length_unroll_and_no_xs():
    c, ys = lax.scan(lambda c, x: (c + x, c), 0.0, jnp.arange(4.0), reverse=True)
    close(c, 6.0)
    close(ys, [6.0, 5.0, 3.0, 0.0])
    c, ys = J(lambda: lax.scan(lambda c, _: (c * 2, c), 1.0, None, length=5, unroll=2))()
    close(c, 32.0)
    close(ys, [1, 2, 4, 8, 16])
    c, ys = lax.scan(lambda c, x: (c, x), 0.0, jnp.zeros((0, 2)))
    assert ys.shape == (0, 2)
    # grad with reverse
    g = jax.grad(lambda xs: lax.scan(lambda c, x: (c * x, c), 1.0, xs, reverse=True)[0])(jnp.arange(1.0, 4.0))
    close(g, [6.0, 3.0, 2.0])


def test_scan_pytree_carry_and_xs():
    def step(carry, x):
        a, b = carry["a"], carry["b"]
        return {"a": a + x[0], "b": b * x[1]}, {"s": a + b}
    init = {"a": jnp.zeros(2), "b": jnp.ones(2)}
    xs = (jnp.ones((3, 2)), jnp.full((3, 2), 2.0))
    c, ys = J(lambda i, x: lax.scan(step, i, x))(init, xs)
    close(c["a"], [3, 3])
    close(c["b"], [8, 8])
    close(ys["s"], [[1, 1], [3, 3], [6, 6]])


def test_nested_scan_grad():
    def f(x):
        def outer(c, row):
            inner = lax.scan(lambda d, v: (d * v + 1.0, d), c, row)[0]
            return inner, inner
        return lax.scan(outer, 1.0, x)[1].sum()

    def f_py(x):
        c, tot = 1.0, 0.0
        for i in range(x.shape[0]):
            for j in range(x.shape[1]):
                c = c * x[i, j] + 1.0
            tot = tot + c
        return tot
    x = jnp.asarray(np.random.RandomState(1).uniform(0.5, 1.5, (3, 2)).astype(np.float32))
    close(f(x), f_py(x), 1e-4)
    close(jax.grad(f)(x), jax.grad(f_py)(x), 1e-4)
    close(J(jax.grad(f))(x), jax.grad(f_py)(x), 1e-4)


def test_scan_partial_eval_keeps_loop_invariant_residuals_unstacked():
    W = jnp.ones((4, 4))

    def loss(W, xs):
        return lax.scan(lambda h, x: (jnp.tanh(W @ h + x), None), jnp.zeros(4), xs)[0].sum()
    text = str(jax.make_jaxpr(jax.grad(loss))(W, jnp.ones((50, 4))).jaxpr)
    assert "f32[50,4,4]" not in text  # W is not copied per step


def test_scan_errors_as_jax():
    with pytest.raises(TypeError, match="shapes do not match"):
        lax.scan(lambda c, x: (jnp.ones(3), x), 0.0, jnp.ones(3))
    with pytest.raises(TypeError, match="dtypes do not match"):
        lax.scan(lambda c, x: (c.astype(jnp.int32), x), jnp.float32(0), jnp.ones(3))
    with pytest.raises(TypeError, match="same pytree structure"):
        lax.scan(lambda c, x: ((c, c), x), 0.0, jnp.ones(3))
    with pytest.raises(ValueError, match="different leading axis sizes: 3, 4"):
        lax.scan(lambda c, x: (c, x), 0.0, (jnp.ones(3), jnp.ones(4)))
    with pytest.raises(ValueError, match="disagrees"):
        lax.scan(lambda c, x: (c, x), 0.0, jnp.ones(3), length=4)
    with pytest.raises(ValueError, match="no values to scan over"):
        lax.scan(lambda c, x: (c, x), 0.0, None)


def test_scan_weak_init_is_promoted():
    c, _ = lax.scan(lambda c, x: (c + x, None), 0, jnp.ones(3))  # int weak init, float body
    assert c.dtype == np.float32
    close(c, 3.0)


# ---- while / fori / map -----------------------------------------------------------------------
def test_while_loop_values_jvp_and_grad_error():
    f = lambda x: lax.while_loop(lambda c: c[0] < 5, lambda c: (c[0] + 1, c[1] * 1.5), (0, x))[1]  # noqa: E731
    close(f(1.0), 1.5 ** 5)
    close(J(f)(2.0), 2 * 1.5 ** 5)
    close(jax.jvp(f, (1.0,), (1.0,))[1], 1.5 ** 5)
    close(jax.jacfwd(f)(1.0), 1.5 ** 5)
    with pytest.raises(ValueError, match="Reverse-mode differentiation does not work for lax.while_loop"):
        jax.grad(f)(1.0)
    with pytest.raises(TypeError, match="boolean scalar"):
        lax.while_loop(lambda c: c, lambda c: c, 1.0)
    with pytest.raises(TypeError, match="dtypes do not match"):
        lax.while_loop(lambda c: c > 0, lambda c: c.astype(jnp.int32), jnp.float32(1.0))


def test_vmap_while_batched_predicate_runs_until_all_lanes_finish():
    def f(n, x):
        return lax.while_loop(lambda c: c[0] < n, lambda c: (c[0] + 1, c[1] * 2.0), (0, x))
    ns = jnp.asarray([0, 3, 1, 5])
    xs = jnp.asarray([1.0, 1.0, 3.0, 0.5])
    for g in (jax.vmap(f), J(jax.vmap(f)), jax.vmap(J(f))):
        i, v = g(ns, xs)
        close(i, [0, 3, 1, 5])
        close(v, [1.0, 8.0, 6.0, 16.0])
    # batched const only in the body, unbatched predicate
    v = jax.vmap(lambda s: lax.while_loop(lambda c: c[0] < 3, lambda c: (c[0] + 1, c[1] + s), (0, 0.0))[1])(
        jnp.asarray([1.0, 2.0]))
    close(v, [3.0, 6.0])
    # forward mode composes with the batched loop
    t = jax.vmap(lambda n, x: jax.jvp(lambda y: f(n, y)[1], (x,), (1.0,))[1])(ns, xs)
    close(t, [1.0, 8.0, 2.0, 32.0])


def test_fori_loop_static_is_scan_and_reverse_differentiable():
    f = lambda x: lax.fori_loop(0, 3, lambda i, x: x * x + i, x)  # noqa: E731
    close(f(2.0), ((2.0 ** 2) ** 2 + 1) ** 2 + 2)
    text = str(jax.make_jaxpr(f)(2.0))
    assert "scan" in text and "while" not in text
    # d/dx of ((x^2)^2+1)^2+2 = 2((x^4)+1)*4x^3
    close(jax.grad(f)(2.0), 2 * (16 + 1) * 4 * 8)
    close(J(jax.grad(f))(2.0), 2 * (16 + 1) * 4 * 8)
    # dynamic bounds: a while loop; forward mode works, reverse mode raises
    g = lambda n, x: lax.fori_loop(0, n, lambda i, x: x * 2.0, x)  # noqa: E731
    close(J(g)(4, 1.0), 16.0)
    assert "while" in str(jax.make_jaxpr(g)(4, 1.0))
    with pytest.raises(ValueError, match="Reverse-mode"):
        jax.grad(lambda x: J(g)(4, x))(1.0)
    close(lax.fori_loop(0, 10, lambda i, x: x + 1.5, 0), 15.0)
    close(lax.fori_loop(5, 2, lambda i, x: x + 1.0, 0.0), 0.0)
    close(lax.fori_loop(0, 4, lambda i, x: x + i, 0), 6)


def test_lax_map_and_batch_size():
    xs = jnp.arange(7.0)
    close(lax.map(lambda x: x ** 2, xs), np.arange(7.0) ** 2)
    close(lax.map(lambda x: x ** 2, xs, batch_size=3), np.arange(7.0) ** 2)
    out = J(lambda xs: lax.map(lambda p: {"s": p[0] + p[1]}, xs))((xs, xs))
    close(out["s"], 2 * np.arange(7.0))


def test_disable_jit_runs_control_flow_in_python():
    seen = []

    def body(c, x):
        seen.append(type(c).__name__)
        return c + x, None
    with jax.disable_jit():
        c, _ = lax.scan(body, 0.0, jnp.arange(3.0))
        out = lax.cond(True, lambda: "python", lambda: "other")
    close(c, 3.0)
    assert len(seen) == 3 and out == "python"


def test_debug_print_inside_control_flow(capsys):
    def step(c, x):
        jax.debug.print("c={} x={}", c, x)
        return c + x, None
    J(lambda xs: lax.scan(step, 0.0, xs))(jnp.arange(3.0))
    lax.cond(True, lambda: jax.debug.print("in branch {}", 7), lambda: None)
    out = capsys.readouterr().out.splitlines()
    assert out == ["c=0.0 x=0.0", "c=0.0 x=1.0", "c=1.0 x=2.0", "in branch 7"]

    # under grad (partial evaluation splits the scan): printed once per step, primal values
    def f(w):
        def step(c, x):
            jax.debug.print("c={}", c)
            return c * w + x, c
        return lax.scan(step, 1.0, jnp.arange(3.0))[0]
    for g in (jax.grad(f), J(jax.grad(f))):
        close(g(2.0), 13.0)  # d/dw (w^3 + w + 2)
        assert capsys.readouterr().out.splitlines() == ["c=1.0", "c=2.0", "c=5.0"]


def test_more_compositions_against_unrolled_programs():
    r = np.random.RandomState(0)
    W = jnp.asarray(r.randn(3, 3).astype(np.float32) * 0.5)
    xb = jnp.asarray(r.randn(2, 4, 3).astype(np.float32))

    def rnn(W, xs):
        return lax.scan(lambda h, x: (jnp.tanh(W @ h + x), h.sum()), jnp.zeros(3), xs)[1].sum()

    def rnn_py(W, xs):
        h, t = jnp.zeros(3), 0.0
        for i in range(xs.shape[0]):
            t = t + h.sum()
            h = jnp.tanh(W @ h + xs[i])
        return t
    close(jax.grad(lambda W: jax.vmap(rnn, (None, 0))(W, xb).sum())(W),
          jax.grad(lambda W: jax.vmap(rnn_py, (None, 0))(W, xb).sum())(W), 1e-4)
    close(J(jax.vmap(jax.grad(rnn), (None, 0)))(W, xb), jax.vmap(jax.grad(rnn_py), (None, 0))(W, xb), 1e-4)
    close(jax.hessian(lambda W: rnn(W, xb[0]))(W), jax.hessian(lambda W: rnn_py(W, xb[0]))(W), 1e-4)
    close(jax.grad(rnn, 1)(W, xb[0]), jax.grad(rnn_py, 1)(W, xb[0]), 1e-4)
    _, lin = jax.linearize(lambda W: rnn(W, xb[0]), W)
    close(lin(jnp.ones_like(W)), jax.jvp(lambda W: rnn_py(W, xb[0]), (W,), (jnp.ones_like(W),))[1], 1e-4)
    prefix = lambda x: lax.scan(lambda c, x: (c * x, c), 1.0, x)[1]  # noqa: E731
    close(jax.jacrev(prefix)(jnp.arange(1.0, 4.0)), jax.jacfwd(prefix)(jnp.arange(1.0, 4.0)))

    fs = [lambda x: jnp.sin(x).sum(), lambda x: (x ** 3).sum(), lambda x: jnp.exp(x).sum() * x[0]]
    sw = lambda i, x: lax.switch(i, fs, x)  # noqa: E731
    for i in range(3):
        close(jax.grad(sw, 1)(i, jnp.arange(3.0)), jax.grad(fs[i])(jnp.arange(3.0)))
        close(J(jax.grad(sw, 1))(i, jnp.arange(3.0)), jax.grad(fs[i])(jnp.arange(3.0)))
    close(jax.vmap(jax.grad(sw, 1))(jnp.asarray([0, 1, 2]), jnp.ones((3, 3))),
          jnp.stack([jax.grad(f)(jnp.ones(3)) for f in fs]))

    def h(x):  # an integer and a float output through grad
        n, y = lax.cond(x > 0, lambda x: (1, x * 2), lambda x: (2, x * 3), x)
        return y * n
    close(jax.grad(h)(1.0), 2.0)
    close(jax.grad(h)(-1.0), 6.0)

    def m(w):  # batched predicate inside grad, closing over the differentiated value
        return jax.vmap(lambda x: lax.cond(x > 0, lambda x: x * w, lambda x: x / w, x))(
            jnp.asarray([1.0, -2.0, 3.0])).sum()
    close(jax.grad(m)(2.0), 4.5)
    close(J(jax.grad(m))(2.0), 4.5)
