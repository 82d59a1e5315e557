"""The fusion scheduler's kernel description, read directly (no compiler involved)."""
import numpy as np
import sympy

import jaxish as jax
import jaxish.numpy as jnp
from jaxish.scheduler import schedule, kernel as K
from jaxish.scheduler.indexing import FloorDiv, Mod, simplify, merge_dims, syms


def program_of(f, *args):
    return schedule(jax.jit(f, backend="eager").lower(*args)._entry.graph)


def ops(kern, t):
    return [op for st in kern.stages for op in st.ops if type(op) is t]


def softmax(x):
    e = jnp.exp(x - jnp.max(x, axis=-1, keepdims=True))
    return e / jnp.sum(e, axis=-1, keepdims=True)


def test_index_simplification():
    p0, p1 = syms("p", 2)
    rng = {p0: 4, p1: 6}
    assert simplify(FloorDiv(6 * p0 + p1, 6), rng) == p0
    assert simplify(Mod(6 * p0 + p1, 6), rng) == p1
    q = syms("q", 1)[0]
    assert simplify(6 * FloorDiv(q, 6) + Mod(q, 6), {q: 24}) == q
    # a contiguous 2-D access merges into one loop; a broadcast one does not
    s, z, e = merge_dims([p0, p1], [4, 6], [6 * p0 + p1], rng)
    assert z == [24] and e == [s[0]]
    s, z, e = merge_dims([p0, p1], [4, 6], [6 * p0 + p1, p1], rng)
    assert z == [4, 6]


def test_softmax_is_one_kernel_with_three_loop_stages():
    prog = program_of(softmax, jnp.ones((8, 32)))
    assert len(prog.steps) == 1
    (k,) = prog.kernels
    assert k.ranges == (8,) and k.reduce_ranges == (32,)
    assert [st.kind for st in k.stages] == ["loop", "loop", "loop"]
    assert [r.op for r in ops(k, K.Reduce)] == ["max", "sum"]
    # exp(x - max) is kept in a per-row local buffer between the sum and the division
    locals_ = [b for b in prog.buffers.values() if b.kind == "local"]
    assert len(locals_) == 1 and locals_[0].shape == (32,)
    assert [c.op for c in ops(k, K.Compute)].count("exp") == 1
    assert k.bytes_read == k.bytes_written == 8 * 32 * 4


def test_layernorm_stages():
    def ln(x, w, b):
        mu = jnp.mean(x, axis=-1, keepdims=True)
        xc = x - mu
        var = jnp.mean(xc * xc, axis=-1, keepdims=True)
        return xc / jnp.sqrt(var + 1e-5) * w + b
    prog = program_of(ln, jnp.ones((4, 16)), jnp.ones(16), jnp.ones(16))
    (k,) = prog.steps
    assert [st.kind for st in k.stages] == ["loop", "outer", "loop", "outer", "loop"]
    outer_ops = [c.op for st in k.stages if st.kind == "outer" for c in st.ops if type(c) is K.Compute]
    assert "sqrt" in outer_ops            # rsqrt of the variance once per row, not per element
    loads = {(l.buffer, str(l.index)) for l in ops(k, K.Load)}
    assert ("in1", "r0") in loads         # the weight broadcasts along rows


def test_pointwise_chain_flattens_to_one_contiguous_loop():
    prog = program_of(lambda x: jnp.tanh(x * 2.0 + 1.0) * x, jnp.ones((3, 5, 7)))
    (k,) = prog.kernels
    assert k.ranges == (105,) and k.reduce_ranges == ()
    assert {str(l.index) for l in ops(k, K.Load)} == {"p0"}
    assert [s.index for s in ops(k, K.Store)] == [syms("p", 1)[0]]


def test_reshape_and_transpose_are_views():
    prog = program_of(lambda x: jnp.reshape(jnp.transpose(x), (-1,)) + 1.0, jnp.ones((4, 6)))
    (k,) = prog.steps
    assert isinstance(k, K.Kernel)
    (load,) = ops(k, K.Load)
    assert load.buffer == "in0"          # read straight from the input, no copy kernel


def test_broadcast_operand_is_computed_once_per_row():
    prog = program_of(lambda x, v: x * jnp.exp(v)[:, None], jnp.ones((6, 50)), jnp.ones(6))
    (k,) = prog.kernels
    assert [c.op for c in ops(k, K.Compute)].count("exp") == 1
    assert k.ranges[0] == 6


def test_extern_boundary_and_buffer_reuse():
    def f(a):
        h = jnp.tanh(a * 2.0)
        g = h @ a
        u = jnp.exp(g) + 1.0
        return (u @ a) * 3.0
    prog = program_of(f, jnp.ones((16, 16)))
    kinds = [type(s).__name__ for s in prog.steps]
    assert kinds == ["Kernel", "ExternCall", "Kernel", "ExternCall", "Kernel"]
    temps = [b for b in prog.buffers.values() if b.kind == "temp" and not b.extern]
    assert len(temps) == 2
    assert len(prog.slots) == 1            # the second temp reuses the first one's storage
    assert {b.slot for b in temps} == {0}


def test_transposed_consumer_is_not_fused_into_a_row_reduction():
    prog = program_of(lambda x: (jnp.sum(x, axis=1), jnp.transpose(x * 2.0) + jnp.sum(x, axis=1)),
                      jnp.ones((5, 7)))
    assert len(prog.kernels) >= 1
    for k in prog.kernels:
        for st in k.stages:
            assert st.ops


def test_unknown_primitive_becomes_extern():
    prog = program_of(lambda x: jnp.cumsum(x * 2.0) + 1.0, jnp.ones(10))
    names = [s.primitive.name for s in prog.steps if isinstance(s, K.ExternCall)]
    assert names == ["cumsum"]


def test_reduction_kinds_and_argmax_position():
    prog = program_of(lambda x: (jnp.argmax(x, axis=0), jnp.prod(x, axis=1), jnp.any(x > 0)),
                      jnp.ones((4, 9)))
    reds = sorted(r.op for k in prog.kernels for r in ops(k, K.Reduce))
    assert reds == ["argmax", "or", "prod"]
    (am,) = [r for k in prog.kernels for r in ops(k, K.Reduce) if r.op == "argmax"]
    assert isinstance(am.index, sympy.Expr)


def test_transposed_matmul_is_rewritten_to_swap_operands():
    from jaxish.scheduler.rewrite import prepare
    a, b = jnp.ones((6, 4)), jnp.ones((4, 5))
    g = jax.jit(lambda a, b: jnp.transpose(a @ b) * 2.0, backend="eager").lower(a, b)._entry.graph
    g2 = prepare(g)
    assert [e.primitive.name for e in g2.eqns] == ["dot_general", "mul"]
    assert g2.eqns[0].inputs == (g.invars[1], g.invars[0])
    assert prepare(g2) is g2
    prog = schedule(g2)
    (k,) = prog.kernels
    assert {str(l.index) for l in ops(k, K.Load)} == {"p0"}   # contiguous, no transposed read
    got = jax.jit(lambda a, b: jnp.transpose(a @ b) * 2.0)(jnp.arange(24.0).reshape(6, 4), jnp.arange(20.0).reshape(4, 5))
    np.testing.assert_allclose(np.asarray(got), (np.arange(24.0).reshape(6, 4) @ np.arange(20.0).reshape(4, 5)).T * 2)
