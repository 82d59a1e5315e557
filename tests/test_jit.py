"""jit: differential tests against eager (every primitive family, composed programs, every order
of transformations), caching and retracing, graph passes, donation, debug mode, tracer errors.

Backend is "eager" here (the reference every compiled backend is tested against): jit must give
bit-identical results to running the same function op by op.
"""
import logging
import os
import subprocess
import sys
import traceback

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import jaxish as jax
import jaxish.numpy as jnp
from jaxish import lax
from jaxish.ir.graph import Graph, Var, Literal, Eqn
from jaxish.ir.avals import ShapedArray
from jaxish.ir.passes import optimize, cse, dce, simplify, fold_constants, inline_calls

SETTINGS = dict(max_examples=8, deadline=None)
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def J(f, **kw):
    return jax.jit(f, backend="eager", **kw)


def same(a, b):
    """Bit-identical values, same dtype and weak type (jit on the eager backend vs op by op)."""
    la, lb = jax.tree_util.tree_leaves(a), jax.tree_util.tree_leaves(b)
    assert len(la) == len(lb)
    for x, y in zip(la, lb):
        x, y = jnp.asarray(x), jnp.asarray(y)
        assert x.dtype == y.dtype and x.shape == y.shape, (x.dtype, y.dtype, x.shape, y.shape)
        assert x.weak_type == y.weak_type
        np.testing.assert_array_equal(np.asarray(x), np.asarray(y))


def close(a, b, tol=1e-5):
    for x, y in zip(jax.tree_util.tree_leaves(a), jax.tree_util.tree_leaves(b)):
        np.testing.assert_allclose(np.asarray(x, np.float64), np.asarray(y, np.float64), rtol=tol, atol=tol)


_r = np.random.RandomState(0)
F = jnp.asarray(_r.uniform(0.1, 2.0, (3, 4)).astype(np.float32))
G = jnp.asarray(_r.randn(3, 4).astype(np.float32))
I = jnp.asarray(_r.randint(-5, 5, (3, 4)).astype(np.int32))
B = jnp.asarray(_r.rand(3, 4) > 0.5)
M = jnp.asarray(_r.randn(4, 5).astype(np.float32))

# (name, function, args): one or more per primitive family.
PRIMS = [
    ("exp", jnp.exp, (G,)), ("log", jnp.log, (F,)), ("sin", jnp.sin, (G,)), ("tanh", jnp.tanh, (G,)),
    ("sqrt", jnp.sqrt, (F,)), ("rsqrt", lax.rsqrt, (F,)), ("logistic", lax.logistic, (G,)),
    ("erf", lax.erf, (G,)), ("abs", jnp.abs, (I,)), ("neg", jnp.negative, (G,)), ("sign", jnp.sign, (G,)),
    ("floor", jnp.floor, (G,)), ("round", jnp.round, (G,)), ("log1p", jnp.log1p, (F,)),
    ("expm1", jnp.expm1, (G,)), ("integer_pow", lambda x: x ** 3, (G,)),
    ("add", jnp.add, (G, F)), ("sub", jnp.subtract, (I, I)), ("mul", jnp.multiply, (G, 2.5)),
    ("div", jnp.divide, (G, F)), ("int_div", lambda a, b: a // (b + 10), (I, I)),
    ("rem", jnp.remainder, (G, F)), ("pow", jnp.power, (F, G)), ("max", jnp.maximum, (G, F)),
    ("min", jnp.minimum, (I, 0)), ("atan2", jnp.arctan2, (G, F)), ("and", jnp.logical_and, (B, ~B)),
    ("xor", jnp.bitwise_xor, (I, 3)), ("shift", jnp.left_shift, (I, 2)), ("eq", jnp.equal, (I, 1)),
    ("lt", jnp.less, (G, F)), ("select", jnp.where, (B, G, F)), ("clamp", lambda x: jnp.clip(x, -0.5, 0.5), (G,)),
    ("convert", lambda x: x.astype(jnp.int32), (G,)), ("convert_bool", lambda x: x.astype(jnp.float32), (B,)),
    ("reduce_sum", lambda x: x.sum(axis=1), (G,)), ("reduce_max", lambda x: x.max(), (I,)),
    ("reduce_min", lambda x: x.min(axis=0), (G,)), ("reduce_prod", lambda x: x.prod(axis=1), (F,)),
    ("reduce_and", jnp.all, (B,)), ("reduce_or", lambda x: jnp.any(x, axis=0), (B,)),
    ("argmax", lambda x: jnp.argmax(x, axis=1), (G,)), ("argmin", jnp.argmin, (G,)),
    ("mean_var", lambda x: (x.mean(0), x.var(1)), (G,)), ("cumsum", lambda x: jnp.cumsum(x, axis=1), (G,)),
    ("cumprod", lambda x: jnp.cumprod(x, axis=0), (F,)), ("cummax", lambda x: lax.cummax(x, axis=1), (G,)),
    ("logsumexp_like", lambda x: jnp.log(jnp.exp(x - x.max(1, keepdims=True)).sum(1)), (G,)),
    ("broadcast_in_dim", lambda x: jnp.broadcast_to(x, (2, 3, 4)), (G,)),
    ("reshape", lambda x: x.reshape(4, 3), (G,)), ("transpose", lambda x: x.T, (G,)),
    ("squeeze", lambda x: jnp.squeeze(x[None]), (G,)), ("rev", lambda x: jnp.flip(x, 1), (G,)),
    ("concatenate", lambda a, b: jnp.concatenate([a, b], 0), (G, F)),
    ("slice", lambda x: x[1:, ::2], (G,)), ("pad", lambda x: jnp.pad(x, ((1, 0), (0, 2))), (G,)),
    ("dynamic_slice", lambda x, i: lax.dynamic_slice(x, (i, 0), (2, 2)), (G, 1)),
    ("dynamic_update_slice", lambda x, u: lax.dynamic_update_slice(x, u, (1, 1)), (G, jnp.ones((2, 2)))),
    ("iota_full", lambda x: x + jnp.arange(4.0) + jnp.full((3, 4), 2.0), (G,)),
    ("gather", lambda x, i: x[i], (G, jnp.asarray([2, 0, 2]))),
    ("gather2", lambda x: x[jnp.asarray([0, 2]), jnp.asarray([1, 3])], (G,)),
    ("scatter_add", lambda x: x.at[jnp.asarray([0, 0, 2])].add(1.0), (G,)),
    ("scatter_set", lambda x: x.at[1, 2].set(7.0), (G,)),
    ("take_along_axis", lambda x: jnp.take_along_axis(x, jnp.argsort(x, axis=1), axis=1), (G,)),
    ("dot_general", jnp.matmul, (G, M)), ("einsum", lambda a, b: jnp.einsum("ij,jk->ik", a, b), (G, M)),
    ("dot_batch", lambda a: jnp.einsum("bij,bkj->bik", a, a), (jnp.stack([G, F]),)),
    ("sort", lambda x: jnp.sort(x, axis=1), (G,)),
    ("stop_gradient", lax.stop_gradient, (G,)),
    ("uint32", lambda x: (x + 1) * 3, (jnp.asarray(np.array([1, 2, 4000000000], np.uint32)),)),
    ("cond", lambda x: lax.cond(x.sum() > 0, jnp.sin, jnp.cos, x), (G,)),
    ("scan", lambda x: lax.scan(lambda c, r: (c + r, c * r), jnp.zeros(4), x), (G,)),
    ("while", lambda x: lax.while_loop(lambda c: c.sum() < 100.0, lambda c: c * 2.0, x), (F,)),
]


@pytest.mark.parametrize("name,f,args", PRIMS, ids=[p[0] for p in PRIMS])
def test_jit_equals_eager_per_primitive(name, f, args):
    same(J(f)(*args), f(*args))


@given(st.lists(st.floats(-3, 3, width=32), min_size=1, max_size=6),
       st.sampled_from(["float32", "int32"]))
@settings(**SETTINGS)
def test_jit_equals_eager_composed_hypothesis(vals, dt):
    x = jnp.asarray(np.array(vals).astype(dt))

    def f(x):
        y = x * 2 + 1
        z = jnp.where(y > 0, y, -y) + y.sum()
        return z * 1, (z - 0).max(), jnp.cumsum(z)[::-1]
    same(J(f)(x), f(x))


# ---- composed programs ------------------------------------------------------------------------
def _init_mlp(seed=0):
    r = np.random.RandomState(seed)
    return {"w1": jnp.asarray(r.randn(4, 8).astype(np.float32) * 0.3), "b1": jnp.zeros(8),
            "w2": jnp.asarray(r.randn(8, 3).astype(np.float32) * 0.3), "b2": jnp.zeros(3)}


def _loss(p, x, y):
    h = jnp.tanh(x @ p["w1"] + p["b1"])
    logits = h @ p["w2"] + p["b2"]
    logp = logits - jnp.log(jnp.exp(logits).sum(-1, keepdims=True))
    return -(logp * y).sum(-1).mean()


def _step(p, x, y, lr=0.1):
    loss, g = jax.value_and_grad(_loss)(p, x, y)
    return jax.tree_util.tree_map(lambda a, b: a - lr * b, p, g), loss


def test_training_step_jit_equals_eager():
    p = _init_mlp()
    r = np.random.RandomState(1)
    x = jnp.asarray(r.randn(16, 4).astype(np.float32))
    y = jnp.asarray(np.eye(3, dtype=np.float32)[r.randint(0, 3, 16)])
    step = J(_step, static_argnames="lr")
    pe, pj = p, p
    losses = []
    for _ in range(5):
        pe, le = _step(pe, x, y)
        pj, lj = step(pj, x, y, lr=0.1)
        close(lj, le, 1e-6)
        close(pj, pe, 1e-6)
        losses.append(float(lj))
    assert losses[-1] < losses[0]


def test_scan_training_loop_jit_equals_eager():
    p = _init_mlp(2)
    r = np.random.RandomState(3)
    xs = jnp.asarray(r.randn(4, 8, 4).astype(np.float32))
    ys = jnp.asarray(np.eye(3, dtype=np.float32)[r.randint(0, 3, (4, 8))])

    def train(p, xs, ys):
        return lax.scan(lambda p, b: _step(p, *b), p, (xs, ys))
    pe, le = train(p, xs, ys)
    pj, lj = J(train)(p, xs, ys)
    close(le, lj, 1e-6)
    close(pe, pj, 1e-6)


# ---- transformations in every order -----------------------------------------------------------
def _f(x, w):
    return jnp.sum(jnp.sin(x * w) ** 2 + lax.cond(x.sum() > 0, lambda v: v * w, lambda v: v - w, x))


def test_transformations_compose_in_every_order():
    x = jnp.asarray([0.3, -0.2, 0.5])
    w = jnp.asarray([1.5, 2.0, -1.0])
    g = jax.grad(_f)(x, w)
    same(jax.grad(J(_f))(x, w), g)
    close(J(jax.grad(_f))(x, w), g, 1e-6)
    close(J(jax.grad(J(_f)))(x, w), g, 1e-6)
    close(J(J(_f))(x, w), _f(x, w), 1e-6)
    xs = jnp.stack([x, -x, x * 2])
    v = jax.vmap(_f, in_axes=(0, None))(xs, w)
    close(jax.vmap(J(_f), in_axes=(0, None))(xs, w), v, 1e-6)
    close(J(jax.vmap(_f, in_axes=(0, None)))(xs, w), v, 1e-6)
    close(v, jnp.stack([_f(xs[i], w) for i in range(3)]), 1e-6)
    pg = jax.vmap(jax.grad(_f), in_axes=(0, None))(xs, w)
    close(jax.vmap(jax.grad(J(_f)), in_axes=(0, None))(xs, w), pg, 1e-6)
    close(J(jax.vmap(jax.grad(_f), in_axes=(0, None)))(xs, w), pg, 1e-6)
    close(jax.vmap(J(jax.grad(_f)), in_axes=(0, None))(xs, w), pg, 1e-6)
    close(pg, jnp.stack([jax.grad(_f)(xs[i], w) for i in range(3)]), 1e-6)
    t = jnp.ones(3)
    close(jax.jvp(J(lambda x: _f(x, w)), (x,), (t,))[1], jnp.dot(g, t), 1e-5)
    close(jax.jacfwd(J(lambda x: _f(x, w)))(x), g, 1e-5)
    close(jax.jacrev(J(lambda x: _f(x, w)))(x), g, 1e-5)
    h = jax.hessian(lambda x: _f(x, w))(x)
    close(jax.hessian(J(lambda x: _f(x, w)))(x), h, 1e-4)
    close(J(jax.hessian(lambda x: _f(x, w)))(x), h, 1e-4)


# ---- caching and retracing --------------------------------------------------------------------
def test_retrace_only_on_signature_changes():
    count = [0]

    def f(x, n=1, *, scale=1.0):
        count[0] += 1
        return x * n * scale

    jf = J(f, static_argnums=1)
    x = jnp.ones(3)
    jf(x, 2)
    jf(jnp.zeros(3), 2)           # new values, same signature
    jf(x + 1, 2)
    assert count[0] == 1
    jf(jnp.ones(4), 2)            # shape
    assert count[0] == 2
    jf(jnp.ones(3, jnp.int32), 2)  # dtype
    assert count[0] == 3
    jf(x, 3)                      # static value
    assert count[0] == 4
    jf(x, 3)
    assert count[0] == 4
    jf(1.0, 3)                    # weakly typed Python scalar
    jf(2.0, 3)                    # ... same type, other value: no retrace
    assert count[0] == 5
    jf(jnp.float32(1.0), 3)       # strong f32[] vs weak f32[]
    assert count[0] == 6
    jf(x, 3, scale=2.0)           # a new kwarg: tree structure
    assert count[0] == 7
    jf(x, 3, scale=3.0)
    assert count[0] == 7

    jt = J(lambda t: t["a"] + t["b"][0])
    jt({"a": 1.0, "b": (jnp.ones(2),)})
    jt({"a": 2.0, "b": (jnp.zeros(2),)})
    assert jt._cache_size() == 1
    jt({"a": 2.0, "b": [jnp.zeros(2)]})  # list vs tuple: new tree
    assert jt._cache_size() == 2


def test_config_change_retraces():
    count = [0]

    def f(x):
        count[0] += 1
        return x + 1
    jf = J(f)
    jf(jnp.ones(2))
    jf(jnp.ones(2))
    jax.config.update("jax_enable_x64", jax.config.read("jax_enable_x64"))
    jf(jnp.ones(2))
    assert count[0] == 2


def test_explain_cache_misses_logs_reason(caplog):
    jf = J(lambda x, n: x * n, static_argnums=1)
    jax.config.update("jax_explain_cache_misses", True)
    try:
        with caplog.at_level(logging.WARNING, logger="jaxish"):
            jf(jnp.ones(4), 2)
            jf(jnp.ones(3), 2)
            jf(jnp.ones(3), 3)
            jf(jnp.ones(3, jnp.int32), 3)
            jf(jnp.ones(3, jnp.int32), 3)
    finally:
        jax.config.update("jax_explain_cache_misses", False)
    msgs = [r.getMessage() for r in caplog.records if "TRACING CACHE MISS" in r.getMessage()]
    assert len(msgs) == 4
    assert "never seen function" in msgs[0]
    assert "at x, now f32[3] and before f32[4]" in msgs[1]
    assert "static args" in msgs[2] and "n=3" in msgs[2] and "n=2" in msgs[2]
    assert "at x, now i32[3] and before f32[3]" in msgs[3]


def test_lower_shows_optimized_ir_and_compile():
    def f(x):
        a = (x * 1.0).T.T
        b = jnp.sin(a) + jnp.sin(a)
        c = jnp.reshape(jnp.reshape(b, (6,)), (3, 2))
        return c.astype(jnp.float32) + J(lambda y: y * 2)(c)
    x = jnp.ones((3, 2))
    low = J(f).lower(x)
    text = low.as_text()
    assert text.count("sin") == 1 and "transpose" not in text and "jit_call" not in text
    assert text.count("reshape") == 0 and "convert_element_type" not in text
    comp = low.compile()
    assert "backend: eager" in comp.as_text()
    same(comp(x), f(x))


def test_backend_switch_by_config():
    prev = jax.config.read("jaxish_backend")
    jax.config.update("jaxish_backend", "eager")
    try:
        c = jax.jit(lambda x: x + 1).lower(jnp.ones(2)).compile()
        assert "backend: eager" in c.as_text()
        same(jax.jit(lambda x: x + 1)(jnp.ones(2)), jnp.ones(2) + 1)
    finally:
        jax.config.update("jaxish_backend", prev)
    with pytest.raises(ValueError, match="Unknown backend"):
        jax.jit(lambda x: x, backend="tpu")


def test_env_backend_override_and_env_disable_jit():
    code = (
        "import jaxish as jax, jaxish.numpy as jnp\n"
        "c = jax.jit(lambda x: x + 1).lower(jnp.ones(2)).compile()\n"
        "print('EAGER' if 'backend: eager' in c.as_text() else 'OTHER')\n"
        "@jax.jit\n"
        "def f(x):\n"
        "    print('concrete', float(x.sum()))\n"
        "    return x\n"
        "f(jnp.ones(2))\n")
    env = dict(os.environ, JAXISH_BACKEND="eager", JAXISH_DISABLE_JIT="1", PYTHONPATH=ROOT)
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["EAGER", "concrete", "2.0"]


def test_jit_pytrees_kwargs_methods_and_scalars():
    class Model:
        def __init__(self, k):
            self.k = k

        def apply(self, x):
            return x * self.k * 2
        apply = J(apply, static_argnums=0)

    f = J(lambda a, b=2.0: {"s": a + b, "t": (a, 3.0)})
    out = f(jnp.ones(2), b=jnp.ones(2))
    same(out["s"], jnp.full(2, 2.0, "float32"))
    assert out["t"][1].weak_type and float(out["t"][1]) == 3.0
    same(Model(1).apply(jnp.ones(2)), jnp.full(2, 2.0, "float32"))
    with pytest.raises(TypeError, match="not a valid JAX type"):
        J(lambda m, x: x)(Model(1), jnp.ones(2))
    same(J(lambda x: x)(np.arange(3)), jnp.arange(3))
    same(J(lambda: jnp.arange(3.0) * 2)(), jnp.arange(3.0) * 2)
    assert J(lambda x: None)(jnp.ones(2)) is None
    assert J(lambda x: ())(jnp.ones(2)) == ()
    out = J(lambda: 3)()
    assert out.dtype == np.int32 and out.weak_type and int(out) == 3


# ---- graph passes -----------------------------------------------------------------------------
def _prim(name):
    from jaxish.lax import elementwise as E, shape as S
    return {"add": E.add_p, "mul": E.mul_p, "sub": E.sub_p, "sin": E.sin_p, "neg": E.neg_p,
            "transpose": S.transpose_p, "reshape": S.reshape_p, "convert": E.convert_element_type_p,
            "bid": S.broadcast_in_dim_p}[name]


def test_pass_cse_and_dce():
    a = ShapedArray((3,), np.float32)
    x, s1, s2, d, y = Var(a), Var(a), Var(a), Var(a), Var(a)
    g = Graph([x], [], [Eqn(_prim("sin"), [x], {}, [s1]), Eqn(_prim("sin"), [x], {}, [s2]),
                        Eqn(_prim("mul"), [x, x], {}, [d]), Eqn(_prim("add"), [s1, s2], {}, [y])], [y])
    g2 = dce(cse(g))
    assert [e.primitive.name for e in g2.eqns] == ["sin", "add"]
    assert g2.eqns[1].inputs[0] is g2.eqns[1].inputs[1]
    # literals 0.0 and -0.0 are different expressions
    lp, ln = Literal(0.0, ShapedArray((), np.float32, True)), Literal(-0.0, ShapedArray((), np.float32, True))
    o1, o2 = Var(a), Var(a)
    g = Graph([x], [], [Eqn(_prim("add"), [x, lp], {}, [o1]), Eqn(_prim("add"), [x, ln], {}, [o2])], [o1, o2])
    assert len(cse(g).eqns) == 2


def test_pass_algebraic_rewrites_never_change_bits():
    m = ShapedArray((2, 3), np.float32)
    x, t1, t2, r1, r2, c, b = (Var(m), Var(m.update(shape=(3, 2))), Var(m), Var(m.update(shape=(6,))),
                               Var(m), Var(m), Var(m))
    g = Graph([x], [], [
        Eqn(_prim("transpose"), [x], {"permutation": (1, 0)}, [t1]),
        Eqn(_prim("transpose"), [t1], {"permutation": (1, 0)}, [t2]),
        Eqn(_prim("reshape"), [t2], {"new_sizes": (6,), "dimensions": None}, [r1]),
        Eqn(_prim("reshape"), [r1], {"new_sizes": (2, 3), "dimensions": None}, [r2]),
        Eqn(_prim("convert"), [r2], {"new_dtype": np.dtype(np.float32), "weak_type": False}, [c]),
        Eqn(_prim("bid"), [c], {"shape": (2, 3), "broadcast_dimensions": (0, 1)}, [b])], [b])
    g2 = dce(simplify(g))
    assert g2.eqns == () and g2.outvars[0] is x
    # float x + 0.0 must stay (-0.0 + 0.0 is +0.0); x * 1, x - 0.0, x + -0.0 go
    f = lambda x: ((x + 0.0) * 1.0, x - 0.0, x + -0.0, x * 1)  # noqa: E731
    text = J(f).lower(jnp.ones(2)).as_text()
    assert text.count("add") == 1 and "mul" not in text and "sub" not in text
    z = jnp.asarray([-0.0, 1.0, np.nan, -np.inf])
    for a, b in zip(J(f)(z), f(z)):
        np.testing.assert_array_equal(np.signbit(np.asarray(a)), np.signbit(np.asarray(b)))
        same(a, b)
    # integers: x + 0 is x
    assert "add" not in J(lambda i: i + 0).lower(jnp.ones(2, jnp.int32)).as_text()


def test_pass_constant_folding_and_inlining():
    k = jnp.arange(4.0)

    def f(x):
        c = jnp.exp(k) * 2.0 + jnp.arange(4.0)   # all constant, small: folded
        return x + c + J(lambda y: y * 3.0)(x)
    x = jnp.ones(4)
    low = J(f).lower(x)
    names = [e.primitive.name for e in low.graph.eqns]
    assert "exp" not in names and "iota" not in names and "jit_call" not in names
    same(J(f)(x), f(x))
    # large constants are left to run time
    big = jnp.ones(100_000)
    names = [e.primitive.name for e in J(lambda x: x + jnp.exp(big)).lower(jnp.ones(100_000)).graph.eqns]
    assert "exp" in names
    # direct: fold turns an all-literal add into a const
    a = ShapedArray((2,), np.float32)
    cv, o, y = Var(a), Var(a), Var(a)
    x_ = Var(a)
    g = Graph([x_], [cv], [Eqn(_prim("add"), [cv, Literal(1.0, ShapedArray((), np.float32, True))], {}, [o]),
                           Eqn(_prim("mul"), [x_, o], {}, [y])], [y])
    g2, consts = fold_constants(g, [jnp.ones(2)])
    g2, consts = dce(g2, consts)
    assert [e.primitive.name for e in g2.eqns] == ["mul"]
    same(consts[0], jnp.full(2, 2.0, "float32"))
    assert inline_calls(g2) is None


def test_nested_jit_inlined_twice_keeps_distinct_vars():
    inner = J(lambda y: jnp.sin(y) * 2)
    f = lambda x: inner(x) + inner(x + 1)  # noqa: E731
    low = J(f).lower(jnp.ones(3))
    outs = [v for e in low.graph.eqns for v in e.outvars]
    assert len(outs) == len(set(outs))
    same(J(f)(jnp.ones(3)), f(jnp.ones(3)))


def test_optimize_keeps_effects():
    def f(x):
        jax.debug.print("unused {}", x * 2)
        return x
    names = [e.primitive.name for e in J(f).lower(jnp.ones(2)).graph.eqns]
    assert "debug_callback" in names and "mul" in names


# ---- donation ---------------------------------------------------------------------------------
def test_donate_argnums_deletes_donated_arrays():
    f = J(lambda x, y: x * 2 + y, donate_argnums=0)
    x, y = jnp.ones(3), jnp.ones(3)
    out = f(x, y)
    same(out, jnp.full(3, 3.0, "float32"))
    assert x.is_deleted() and not y.is_deleted()
    with pytest.raises(RuntimeError, match="Array has been deleted"):
        x + 1
    with pytest.raises(RuntimeError, match="Array has been deleted"):
        f(x, y)
    g = J(lambda p: jax.tree_util.tree_map(lambda a: a + 1, p), donate_argnames="p")
    p = {"a": jnp.ones(2)}
    g(p)
    assert p["a"].is_deleted()


# ---- eager debug mode -------------------------------------------------------------------------
def test_disable_jit_runs_op_by_op(capsys):
    @J
    def f(x):
        print("sees", type(x).__name__, float(x.sum()))
        return x * 2
    with jax.disable_jit():
        same(f(jnp.ones(2)), jnp.full(2, 2.0, "float32"))
    assert "sees ArrayImpl 2.0" in capsys.readouterr().out
    with pytest.raises(jax.errors.ConcretizationTypeError):
        f(jnp.ones(2))


def test_debug_print_and_callback_jitted_and_not(capsys):
    seen = []

    def f(x):
        jax.debug.print("x={x} s={}", x.sum(), x=x)
        jax.debug.callback(lambda v, k: seen.append((type(v).__name__, k, float(v.sum()))), x, k="tag")
        return x * 2
    x = jnp.asarray([1.0, 2.0])
    f(x)
    J(f)(x)
    J(f)(x)  # cached: the callback still runs each call
    jax.grad(lambda x: f(x).sum())(x)
    jax.vmap(f)(jnp.stack([x, x + 1]))
    lines = capsys.readouterr().out.splitlines()
    assert lines == ["x=[1. 2.] s=3.0"] * 4 + ["x=[1. 2.] s=3.0", "x=[2. 3.] s=5.0"]
    assert seen == [("ndarray", "tag", 3.0)] * 4 + [("ndarray", "tag", 3.0), ("ndarray", "tag", 5.0)]


def test_debug_nans_names_the_primitive():
    f = lambda x: jnp.log(x) * 2.0  # noqa: E731
    x = jnp.asarray([-1.0, 1.0])
    jax.config.update("jax_debug_nans", True)
    try:
        with pytest.raises(FloatingPointError, match="nan.*log"):
            f(x)
        with pytest.raises(FloatingPointError, match="nan.*log"):
            J(f)(x)
        same(J(f)(jnp.ones(2)), jnp.zeros(2))
    finally:
        jax.config.update("jax_debug_nans", False)
    assert np.isnan(np.asarray(J(f)(x))[0])


# ---- tracer errors ----------------------------------------------------------------------------
def _user_fn(x):
    if x > 0:
        return x
    return -x


def test_python_if_on_tracer_raises_concretization_error_ending_in_user_code():
    with pytest.raises(jax.errors.ConcretizationTypeError) as info:
        J(_user_fn)(1.0)
    assert isinstance(info.value, TypeError)
    msg = str(info.value)
    assert "static_argnums" in msg and "lax.cond" in msg
    frames = traceback.extract_tb(info.value.__traceback__)
    assert frames[-1].name == "_user_fn"
    assert not any("/jaxish/" in fr.filename and fr.name != "_call" and fr.name != "__call__"
                   for fr in frames)
    # static_argnums is the fix the message suggests
    same(J(_user_fn, static_argnums=0)(1.0), jnp.asarray(1.0))
    with pytest.raises(TypeError):
        J(lambda x: int(x))(jnp.ones(()))


def test_escaped_tracer_raises_unexpected_tracer_error():
    leaked = []

    @J
    def f(x):
        leaked.append(x * 2)
        return x
    f(jnp.ones(2))
    with pytest.raises(jax.errors.UnexpectedTracerError):
        leaked[0] + 1
    with pytest.raises(jax.errors.UnexpectedTracerError):
        J(lambda y: y + leaked[0])(jnp.ones(2))


def test_unhashable_static_arg_error():
    with pytest.raises(ValueError, match="Non-hashable static arguments"):
        J(lambda x, s: x, static_argnums=1)(jnp.ones(2), [1, 2])


def test_static_argnums_out_of_range_raises_at_jit_time():
    """As in JAX: an index past the positional parameters is a ValueError when jit wraps the
    function; varargs functions and negative indices in range are accepted."""
    with pytest.raises(ValueError, match=r"static_argnums=\(3,\), but only accepts 1 positional"):
        jax.jit(lambda x: x, static_argnums=3)
    with pytest.raises(ValueError, match="accepts 2 positional"):
        jax.jit(lambda x, y: x, static_argnums=(0, -3))
    assert jax.jit(lambda x, *a: x, static_argnums=3)(1.0) == 1.0
    assert jax.jit(lambda x, y=2: x * y, static_argnums=-1)(1.0) == 2.0
