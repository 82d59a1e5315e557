"""Shared checks for the breadth tests (numpy extras, linalg, fft, nn): every function is run
eagerly against an oracle, then through jit (eager backend and the default one), vmap (against
a Python loop) and jvp/vjp (against central finite differences, and <u, J v> = <J^T u, v>)."""
import contextlib

import numpy as np
import pytest

import jaxish as jax
import jaxish.numpy as jnp


@contextlib.contextmanager
def enable_x64(on=True):
    """Set jax_enable_x64 for a block and restore the previous value."""
    prev = jax.config.read("jax_enable_x64")
    jax.config.update("jax_enable_x64", on)
    try:
        yield
    finally:
        jax.config.update("jax_enable_x64", prev)


@pytest.fixture(autouse=True)
def x64():
    """The breadth tests run with jax_enable_x64 (import this fixture into a test module)."""
    with enable_x64():
        yield


def normal(shape, seed=0, scale=1.0):
    """Standard normal samples (numpy float64) times `scale`, from a seeded generator."""
    return np.random.default_rng(seed).standard_normal(shape) * scale


def leaves(x):
    return [np.asarray(l) for l in jax.tree_util.tree_leaves(x)]


def assert_tree_close(a, b, rtol=1e-6, atol=1e-6):
    la, lb = leaves(a), leaves(b)
    assert len(la) == len(lb)
    for x, y in zip(la, lb):
        assert x.shape == y.shape, (x.shape, y.shape)
        assert x.dtype == y.dtype, (x.dtype, y.dtype)
        np.testing.assert_allclose(x, y, rtol=rtol, atol=atol, equal_nan=True)


def check_jit(fn, *args, default_backend=False, rtol=1e-6, atol=1e-6):
    """jit (eager backend, and optionally the default fused backend) agrees with eager."""
    want = fn(*args)
    assert_tree_close(jax.jit(fn, backend="eager")(*args), want, rtol, atol)
    if default_backend:
        assert_tree_close(jax.jit(fn)(*args), want, rtol=max(rtol, 1e-5), atol=max(atol, 1e-5))
    return want


def check_vmap(fn, *args, in_axes=0, rtol=1e-6, atol=1e-6):
    """vmap(fn) over in_axes agrees with stacking fn over a Python loop."""
    axes = in_axes if isinstance(in_axes, (tuple, list)) else (in_axes,) * len(args)
    n = next(np.shape(a)[ax] for a, ax in zip(args, axes) if ax is not None)
    got = jax.vmap(fn, in_axes=tuple(axes))(*args)
    rows = []
    for i in range(n):
        sl = [a if ax is None else jnp.take(jnp.asarray(a), i, axis=ax) for a, ax in zip(args, axes)]
        rows.append(fn(*sl))
    want = jax.tree_util.tree_map(lambda *r: jnp.stack(r), *rows)
    assert_tree_close(got, want, rtol, atol)


def _rand_like(rng, x):
    x = np.asarray(x)
    t = rng.standard_normal(x.shape)
    if np.iscomplexobj(x):
        t = t + 1j * rng.standard_normal(x.shape)
    return t.astype(x.dtype)


def _float0(x):
    return getattr(x, "dtype", None) == jax.float0


def _inner(a, b):
    """<a, b> over the leaves; integer positions (float0 tangents or cotangents) add nothing."""
    return sum(float(np.real(np.vdot(np.asarray(x), np.asarray(y)))) for x, y in zip(leaves(a), leaves(b))
               if not (_float0(x) or _float0(y)))


def check_grads(fn, *args, eps=1e-6, rtol=1e-5, atol=1e-6, seed=0, vjp=True):
    """float64: jvp against central finite differences; vjp against jvp by <u, J v> = <J^T u, v>."""
    rng = np.random.default_rng(seed)
    args = [jnp.asarray(a) for a in args]
    for a in args:
        assert np.asarray(a).dtype in (np.float64, np.complex128), "check_grads wants float64 inputs"
    ts = [jnp.asarray(_rand_like(rng, a)) for a in args]
    out, jv = jax.jvp(fn, tuple(args), tuple(ts))
    plus = fn(*[a + eps * t for a, t in zip(args, ts)])
    minus = fn(*[a - eps * t for a, t in zip(args, ts)])
    fd = jax.tree_util.tree_map(lambda p, m: (np.asarray(p) - np.asarray(m)) / (2 * eps), plus, minus)
    for x, y in zip(leaves(jv), leaves(fd)):
        if _float0(x):      # an integer output: its tangent is float0 (as JAX), nothing to compare
            assert np.all(y == 0)
            continue
        np.testing.assert_allclose(x, y, rtol=rtol, atol=atol * max(1.0, float(np.abs(y).max(initial=0))))
    if vjp:
        out2, pullback = jax.vjp(fn, *args)
        u = jax.tree_util.tree_map(lambda o: jnp.asarray(_rand_like(rng, o)), out2)
        cts = pullback(u)
        lhs = _inner(u, jv)
        rhs = _inner(cts, ts)
        assert np.isclose(lhs, rhs, rtol=1e-6, atol=1e-8), (lhs, rhs)
    return out


def dot_shapes(draw, min_size=1):
    """(lhs shape, rhs shape, dimension numbers) for a random dot_general: batch, contracting and
    free dims in shuffled positions, sizes from min_size to 3 (call inside @st.composite)."""
    from hypothesis import strategies as st
    nb, nc = draw(st.integers(0, 2)), draw(st.integers(0, 2))
    nlf, nrf = draw(st.integers(0, 2)), draw(st.integers(0, 2))
    size = st.integers(min_size, 3)
    dims = {"b": [draw(size) for _ in range(nb)], "c": [draw(size) for _ in range(nc)],
            "f": [draw(size) for _ in range(nlf)], "g": [draw(size) for _ in range(nrf)]}
    lkinds = [("b", i) for i in range(nb)] + [("c", i) for i in range(nc)] + [("f", i) for i in range(nlf)]
    rkinds = [("b", i) for i in range(nb)] + [("c", i) for i in range(nc)] + [("g", i) for i in range(nrf)]
    lkinds, rkinds = draw(st.permutations(lkinds)), draw(st.permutations(rkinds))
    lshape = tuple(dims[k][i] for k, i in lkinds)
    rshape = tuple(dims[k][i] for k, i in rkinds)
    lc = tuple(lkinds.index(("c", i)) for i in range(nc))
    rc = tuple(rkinds.index(("c", i)) for i in range(nc))
    lb = tuple(lkinds.index(("b", i)) for i in range(nb))
    rb = tuple(rkinds.index(("b", i)) for i in range(nb))
    return lshape, rshape, ((lc, rc), (lb, rb))


def einsum_spec(nl, nr, dn):
    """The numpy einsum string computing dot_general with dimension numbers dn."""
    (lc, rc), (lb, rb) = dn
    letters = iter("abcdefghijklmnop")
    ls = [None] * nl
    rs = [None] * nr
    for i, j in zip(lb, rb):
        ls[i] = rs[j] = next(letters)
    for i, j in zip(lc, rc):
        ls[i] = rs[j] = next(letters)
    for i in range(nl):
        ls[i] = ls[i] or next(letters)
    for j in range(nr):
        rs[j] = rs[j] or next(letters)
    out = [ls[i] for i in lb] + [ls[i] for i in range(nl) if i not in lb and i not in lc] + \
          [rs[j] for j in range(nr) if j not in rb and j not in rc]
    return "".join(ls) + "," + "".join(rs) + "->" + "".join(out)
