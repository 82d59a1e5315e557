"""jax.custom_batching (custom_vmap, sequential_vmap): the rule runs exactly where JAX runs it,
with JAX's in_batched patterns; values are pinned to real JAX 0.10.2 running the same programs."""
import numpy as np
import pytest

import jaxish as jax
import jaxish.numpy as jnp
from jaxish.custom_batching import custom_vmap, sequential_vmap


def close(a, b, tol=1e-5):
    np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=tol, atol=tol)


def make_f():
    """f is sin(x) * y, but its rule computes cos(x) * y: a vmap result tells which one ran."""
    calls = []

    @custom_vmap
    def f(x, y):
        return jnp.sin(x) * y

    @f.def_vmap
    def rule(axis_size, in_batched, xs, ys):
        calls.append((axis_size, list(in_batched)))
        f.shapes.append((jnp.shape(xs), jnp.shape(ys)))
        return jnp.cos(xs) * ys, True
    f.shapes = []
    return f, calls


x = jnp.array([0.5, 1.0, 2.0])
y = jnp.array([1.5, -2.0, 3.0])
M = jnp.arange(6.).reshape(2, 3) / 4
VMAP_XY = [1.3163738, -1.0806046, -1.2484405]  # real JAX: vmap(f)(x, y) = cos(x) * y


# ---- unbatched calls run f -------------------------------------------------------------------
def test_unbatched_calls_run_f_not_the_rule():
    f, calls = make_f()
    close(f(0.7, 1.3), 0.83748293)
    close(jax.jit(f)(0.7, 1.3), 0.83748293)
    close(jax.vmap(lambda: f(0.7, 1.3), axis_size=3)(), [0.83748293] * 3)  # nothing mapped
    assert calls == []
    jaxpr = str(jax.make_jaxpr(f)(1., 2.))
    assert "custom_vmap_call" in jaxpr and "sin" in jaxpr and "cos" not in jaxpr


def test_pytree_and_keyword_arguments_unbatched():
    @custom_vmap
    def g(d, s=2.0):
        return {"a": d["u"] * s, "b": d["v"] + 1}
    g.def_vmap(lambda n, b, d, s: ({"a": d["u"], "b": d["v"]}, {"a": True, "b": True}))
    out = jax.jit(lambda u: g({"u": u, "v": 1.0}, s=3.0))(2.0)
    close(out["a"], 6.0)
    close(out["b"], 2.0)


# ---- vmap calls the rule ---------------------------------------------------------------------
def test_vmap_calls_rule_once_with_batched_args():
    f, calls = make_f()
    close(jax.vmap(f)(x, y), VMAP_XY)
    assert calls == [(3, [True, True])]


@pytest.mark.parametrize("in_axes,args,expect,pattern", [
    ((0, None), (x, 2.5), [2.1939564, 1.3507557, -1.0403671], [True, False]),
    ((None, 0), (0.3, y), [1.4330047, -1.910673, 2.8660095], [False, True]),
    ((1, None), (M, 2.), [[2.0, 1.4633777], [1.9378248, 1.0806046], [1.7551651, 0.63064474]], [True, False]),
])
def test_in_batched_patterns(in_axes, args, expect, pattern):
    f, calls = make_f()
    close(jax.vmap(f, in_axes)(*args), expect)
    assert calls == [(len(expect), pattern)]
    for shape, batched in zip(f.shapes[0], pattern):
        assert (shape[:1] == (len(expect),)) if batched else shape == ()  # batch axis at the front


def test_pytree_in_batched_and_partially_batched_outputs():
    seen = []

    @custom_vmap
    def p(d, s):
        return {"a": d["u"] * s, "b": d["v"]}

    @p.def_vmap
    def p_rule(axis_size, in_batched, d, s):
        seen.append(in_batched)
        return {"a": d["u"] - s, "b": d["v"]}, {"a": in_batched[0]["u"] or in_batched[1], "b": in_batched[0]["v"]}
    out = jax.vmap(p, ({"u": 0, "v": None}, None))({"u": x, "v": 5.}, 2.)
    close(out["a"], [-1.5, -1.0, 0.0])  # the rule's d["u"] - s, not d["u"] * s
    close(out["b"], [5., 5., 5.])       # unbatched, broadcast by vmap's out_axes=0
    assert seen == [[{"u": True, "v": False}, False]]


def test_unbatched_outputs_and_out_axes():
    calls = []

    @custom_vmap
    def u(a):
        return a.sum(), a * 2

    @u.def_vmap
    def u_rule(n, b, a):
        calls.append(b)
        return (jnp.float32(7.), a * 3), (False, True)
    A = jnp.arange(6.).reshape(2, 3)
    s, m = jax.vmap(u)(A)
    close(s, [7., 7.])
    close(m, A * 3)
    s, m = jax.vmap(u, out_axes=(None, 1))(A)
    assert s.shape == () and float(s) == 7.0
    close(m, (A * 3).T)
    with pytest.raises(ValueError):  # JAX: an unbatched output can't honour out_axes=1 on a 0-d value
        jax.vmap(u, out_axes=1)(A)
    assert calls == [[True]] * 3


def _scale_plus_100():
    """a * n, whose vmap rule adds 100 (so a result shows the rule ran) and records in_batched."""
    seen = []

    @custom_vmap
    def f(a, n):
        return a * n

    @f.def_vmap
    def rule(axis_size, in_batched, a, n):
        seen.append(tuple(in_batched))
        return a * n + 100., True
    return f, seen


def test_int_argument_is_passed_batched():
    f, seen = _scale_plus_100()
    close(jax.vmap(f)(jnp.arange(3.), jnp.arange(3)), [100., 101., 104.])
    assert seen == [(True, True)]


# ---- nesting and jit -------------------------------------------------------------------------
def test_nested_vmap_rule_called_once_per_custom_level():
    f, calls = make_f()
    close(jax.vmap(jax.vmap(f))(M, M + 1),
          [[1.0, 1.2111405, 1.3163738], [1.2804555, 1.0806046, 0.70947534]])
    assert calls == [(3, [True, True])]  # the inner vmap uses the rule, the outer vmaps the rule
    calls.clear()
    close(jax.vmap(jax.vmap(f, (0, None)), (None, 0))(x, M),
          [[0.0, 0.13507557, -0.20807342], [0.6581869, 0.5403023, -0.52018356]])
    assert calls == [(3, [True, False])]


def test_jit_of_vmap_and_vmap_of_jit():
    f, calls = make_f()
    g = jax.jit(jax.vmap(f))
    close(g(x, y), VMAP_XY)
    close(g(x, y + 1), np.cos(np.asarray(x)) * (np.asarray(y) + 1))
    assert calls == [(3, [True, True])]  # traced once, then cached
    calls.clear()
    close(jax.vmap(jax.jit(f), (0, None))(x, 1.7), [1.4918904, 0.9185139, -0.70744967])
    assert calls == [(3, [True, False])]
    calls.clear()
    close(jax.jit(lambda a: jax.vmap(jax.jit(f))(a, a))(x), np.cos(np.asarray(x)) * np.asarray(x))
    assert calls == [(3, [True, True])]


# ---- differentiation -------------------------------------------------------------------------
def test_jvp_unbatched_differentiates_f():
    f, calls = make_f()
    p, t = jax.jvp(f, (0.7, 1.3), (0.4, -0.2))
    close(p, 0.83748293)
    close(t, 0.2688744)
    assert calls == []


def test_vmap_of_jvp_and_jvp_of_vmap_use_the_rule():
    f, calls = make_f()
    p, t = jax.vmap(lambda a, b: jax.jvp(f, (a, b), (jnp.float32(1.), jnp.float32(0.5))))(x, y)
    close(p, VMAP_XY)
    close(t, [-0.28034705, 1.9530931, -2.9359655])
    assert calls == [(3, [False, False])]  # tangents unbatched: JAX maps the rule's JVP instead
    calls.clear()
    p, t = jax.vmap(lambda a, b, ta, tb: jax.jvp(f, (a, b), (ta, tb)))(x, y, y, x)
    close(t, [-0.6399162, -2.8255816, -9.01597])
    assert calls == [(3, [True, True])]
    calls.clear()
    p, t = jax.jvp(jax.vmap(f), (x, y), (y, x))
    close(p, VMAP_XY)
    close(t, [-0.6399162, -2.8255816, -9.01597])
    assert calls == [(3, [True, True])]


def test_jvp_compositions_with_jit_and_int_args():
    f, seen = _scale_plus_100()
    xs, ns = jnp.arange(3.), jnp.arange(3)
    close(jax.jvp(lambda a: f(a, 2), (1.5,), (1.,)), (3.0, 2.0))
    p, t = jax.vmap(lambda a, n: jax.jvp(lambda a: f(a, n), (a,), (jnp.ones(()),)))(xs, ns)
    close(p, [100., 101., 104.])
    close(t, [0., 1., 2.])
    assert seen == [(False, False)]
    for prog in [lambda a, t: jax.jvp(jax.vmap(lambda v: f(v, 3)), (a,), (t,)),
                 jax.jit(lambda a, t: jax.jvp(jax.vmap(lambda v: f(v, 3)), (a,), (t,))),
                 lambda a, t: jax.jvp(jax.jit(jax.vmap(lambda v: f(v, 3))), (a,), (t,)),
                 jax.vmap(lambda a, t: jax.jvp(jax.jit(lambda v: f(v, 3)), (a,), (t,)))]:
        seen.clear()
        p, t = prog(xs, xs)
        close(p, [100., 103., 106.])
        close(t, [0., 3., 6.])
        assert seen == [(True, False)]
    # second order through the rule
    p, t = jax.jvp(lambda a: jax.jvp(jax.vmap(lambda v: f(v, 3) ** 2), (a,), (a,))[1], (xs,), (xs,))
    close(p, [0., 618., 1272.])
    close(t, [0., 636., 1344.])


def test_grad_is_unsupported_as_in_jax_but_grad_of_vmap_differentiates_the_rule():
    f, calls = make_f()
    for prog, args in [(jax.grad(f), (0.5, 2.)), (jax.grad(jax.jit(f)), (0.5, 2.)),
                       (jax.vmap(jax.grad(f)), (x, y))]:
        with pytest.raises(ValueError, match="Linearization failed"):
            prog(*args)
    calls.clear()
    g = jax.grad(lambda a: jax.vmap(f)(a, y).sum())
    close(g(x), [-0.7191383, 1.6829419, -2.7278922])
    close(jax.jit(g)(x), [-0.7191383, 1.6829419, -2.7278922])
    assert calls == [(3, [True, True])] * 2


def test_custom_vjp_around_custom_vmap():
    calls = []
    g = custom_vmap(lambda a, b: jnp.sin(a) * b)

    @g.def_vmap
    def g_rule(n, in_batched, xs, ys):
        calls.append(n)
        return jnp.cos(xs) * ys, True
    h = jax.custom_vjp(g)
    h.defvjp(lambda a, b: (h(a, b), (jnp.cos(a), jnp.sin(a), b)),
             lambda r, ct: (r[0] * ct * r[2], r[1] * ct))
    close(jax.vmap(h)(jnp.zeros(3), jnp.ones(3)), [1., 1., 1.])
    close(jax.grad(h)(0.5, 2.), 1.75517)
    close(jax.vmap(jax.grad(h))(jnp.arange(3.), jnp.arange(3.)), [0., 0.5403, -0.83229])
    assert calls == [3, 3]  # as JAX: vmap(h), and the fwd inside vmap(grad(h))


# ---- sequential_vmap -------------------------------------------------------------------------
def _seq():
    body = []

    @sequential_vmap
    def sq(a, b):
        body.append(1)
        return {"s": jnp.sum(a) * b, "m": jnp.max(a)}
    return sq, body


def test_sequential_vmap_matches_a_loop():
    sq, body = _seq()
    A = jnp.arange(12.).reshape(4, 3) / 5
    bs = jnp.arange(4.)
    want = [sq(A[i], bs[i]) for i in range(4)]
    for prog in [jax.vmap(sq), jax.jit(jax.vmap(sq))]:
        out = prog(A, bs)
        close(out["s"], [w["s"] for w in want])
        close(out["m"], [w["m"] for w in want])
    close(out["s"], [0.0, 2.4, 8.4, 18.0])  # real JAX
    out = jax.vmap(sq, (None, 0))(A[0], jnp.arange(3.))
    close(out["s"], [0.0, 0.6, 1.2])
    close(out["m"], [0.4, 0.4, 0.4])
    out = jax.vmap(jax.vmap(sq))(A.reshape(2, 2, 3), jnp.ones((2, 2)))
    close(out["s"], [[0.6, 2.4], [4.2, 6.0]])
    p, t = jax.jvp(jax.vmap(sq), (A, bs), (A, jnp.ones(4)))
    close(t["s"], [0.6, 4.8, 12.6, 24.0])


def test_sequential_vmap_runs_a_scan():
    sq, _ = _seq()
    jaxpr = str(jax.make_jaxpr(jax.vmap(sq, (0, None)))(jnp.ones((5, 3)), 2.))
    assert "scan" in jaxpr


# ---- errors ----------------------------------------------------------------------------------
def _with_rule(rule, fun=lambda a: (a, a)):
    g = custom_vmap(fun)
    g.def_vmap(rule)
    return g


def test_rule_structure_errors():
    g = _with_rule(lambda n, b, a: ((a, a), True))
    with pytest.raises(ValueError, match="output batching specification .* do not match"):
        jax.vmap(g)(x)
    g = _with_rule(lambda n, b, a: ([a, a], [True, True]))
    with pytest.raises(ValueError, match="does not match that of original custom-vmapped function"):
        jax.vmap(g)(x)
    with pytest.raises(ValueError, match="does not match that of original"):
        jax.jit(jax.vmap(g))(x)
    g = _with_rule(lambda n, b, a: a, fun=lambda a: a)
    with pytest.raises(ValueError, match="must return a pair"):
        jax.vmap(g)(x)
    g = _with_rule(lambda n, b, a: (a[0], True), fun=lambda a: a)
    with pytest.raises(ValueError, match="no leading axis of the batch size 3"):
        jax.vmap(g)(x)


def test_missing_rule_keywords_and_batched_closure():
    g = custom_vmap(lambda a: a)
    with pytest.raises(AttributeError, match="No batching rule defined"):
        g(1.)

    f, _ = make_f()
    with pytest.raises(TypeError, match="could not be resolved to positional-only"):
        f(1., 2., z=3.)

    def outer(z):
        k = custom_vmap(lambda a: a * z)
        k.def_vmap(lambda n, b, a: (a * z, True))
        return k(1.)
    with pytest.raises(AssertionError, match="closes over a value batched"):
        jax.vmap(outer)(x)

    def closes_over_unbatched(z):
        k = custom_vmap(lambda a: a * z)
        k.def_vmap(lambda n, b, a: (a * z + 1, True))
        return jax.vmap(k)(x)
    close(jax.jit(closes_over_unbatched)(2.), np.asarray(x) * 2 + 1)
