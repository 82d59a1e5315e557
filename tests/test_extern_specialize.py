"""Extern calls specialized to their operands' avals (Primitive.specialize): dot_general's
generated torch calls against its generic impl and numpy, and the compiled backends using them."""
import numpy as np
import pytest
import torch
from hypothesis import given, settings, strategies as st, HealthCheck

import jaxish as jax
import jaxish.numpy as jnp
from jaxish import lax
from jaxish.ir.avals import ShapedArray
from jaxish.lax.linalg import _dot_impl, _dot_specialize

from codegen_helpers import jit_matches_eager

_LET = "abcdefghij"


@st.composite
def dot_cases(draw):
    """Random dot_general operands: batch, contracting and free dims in shuffled positions,
    sizes including 0 and 1."""
    nb, nc = draw(st.integers(0, 2)), draw(st.integers(0, 2))
    nlf, nrf = draw(st.integers(0, 2)), draw(st.integers(0, 2))
    size = st.integers(0, 3)
    b = [draw(size) for _ in range(nb)]
    c = [draw(size) for _ in range(nc)]
    lfree = [draw(size) for _ in range(nlf)]
    rfree = [draw(size) for _ in range(nrf)]
    ldims = [("b", i) for i in range(nb)] + [("c", i) for i in range(nc)] + [("f", i) for i in range(nlf)]
    rdims = [("b", i) for i in range(nb)] + [("c", i) for i in range(nc)] + [("g", i) for i in range(nrf)]
    ldims = draw(st.permutations(ldims))
    rdims = draw(st.permutations(rdims))
    sz = {"b": b, "c": c, "f": lfree, "g": rfree}
    lshape = tuple(sz[k][i] for k, i in ldims)
    rshape = tuple(sz[k][i] for k, i in rdims)
    lc = tuple(ldims.index(("c", i)) for i in range(nc))
    rc = tuple(rdims.index(("c", i)) for i in range(nc))
    lb = tuple(ldims.index(("b", i)) for i in range(nb))
    rb = tuple(rdims.index(("b", i)) for i in range(nb))
    dtype = draw(st.sampled_from([np.float32, np.float64, np.complex64]))
    return lshape, rshape, ((lc, rc), (lb, rb)), dtype, ldims, rdims


def _einsum_spec(ldims, rdims):
    names = {}

    def letter(d):
        key = d if d[0] in "fg" else (d[0], d[1])
        if key not in names:
            names[key] = _LET[len(names)]
        return names[key]
    lhs = "".join(letter(d) for d in ldims)
    rhs = "".join(letter(d) for d in rdims)
    out = ("".join(names[("b", i)] for i in range(sum(1 for d in ldims if d[0] == "b")))
           + "".join(letter(d) for d in ldims if d[0] == "f")
           + "".join(letter(d) for d in rdims if d[0] == "g"))
    return f"{lhs},{rhs}->{out}"


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(dot_cases(), st.integers(0, 2 ** 31 - 1))
def test_specialized_dot_matches_impl_and_numpy(case, seed):
    lshape, rshape, dn, dtype, ldims, rdims = case
    rng = np.random.default_rng(seed)
    l = rng.standard_normal(lshape).astype(dtype)
    r = rng.standard_normal(rshape).astype(dtype)
    fn = _dot_specialize([ShapedArray(lshape, np.dtype(dtype)), ShapedArray(rshape, np.dtype(dtype))], dn)
    assert fn is not None
    lt, rt = torch.from_numpy(l), torch.from_numpy(r)
    got = fn(lt, rt)
    want = _dot_impl(lt, rt, dn)
    assert tuple(got.shape) == tuple(want.shape)
    assert got.dtype == want.dtype
    np.testing.assert_allclose(got.numpy(), want.numpy(), rtol=1e-5, atol=1e-5)
    oracle = np.einsum(_einsum_spec(ldims, rdims), l, r)
    np.testing.assert_allclose(got.numpy(), oracle, rtol=1e-4, atol=1e-4)


def test_specialized_dot_declines_what_the_impl_must_handle():
    f32, i32, f16 = np.dtype(np.float32), np.dtype(np.int32), np.dtype(np.float16)
    dn = (((1,), (0,)), ((), ()))
    a = lambda dt: ShapedArray((2, 3), dt)  # noqa: E731
    b = lambda dt: ShapedArray((3, 4), dt)  # noqa: E731
    assert _dot_specialize([a(i32), b(i32)], dn) is None            # integers
    assert _dot_specialize([a(f32), b(f16)], dn) is None            # mixed
    assert _dot_specialize([a(f16), b(f16)], dn, preferred_element_type=f32) is None   # widening
    assert _dot_specialize([a(f32), b(f32)], dn, preferred_element_type=f32) is not None


def _attention_grads(q, k, w):
    def loss(q, k, w):
        s = jnp.einsum("bhqd,bhkd->bhqk", q, k)
        return jnp.sum(jnp.tanh(jnp.einsum("bhqk,kd->bhqd", s, w)) ** 2)
    return jax.grad(loss, argnums=(0, 1, 2))(q, k, w)


def _per_example(w, x):
    return jax.vmap(jax.grad(lambda w, xi: jnp.sum(jnp.tanh(xi @ w) ** 2)), in_axes=(None, 0))(w, x)


@pytest.mark.parametrize("backend", ["cpp", "triton"])
def test_compiled_backends_call_specialized_dots(backend):
    rng = np.random.default_rng(0)
    q = jnp.asarray(rng.standard_normal((2, 3, 5, 4)).astype(np.float32))
    k = jnp.asarray(rng.standard_normal((2, 3, 6, 4)).astype(np.float32))
    w = jnp.asarray(rng.standard_normal((6, 4)).astype(np.float32))
    jit_matches_eager(backend, _attention_grads, q, k, w, rtol=1e-5, atol=1e-5)
    x = jnp.asarray(rng.standard_normal((7, 5)).astype(np.float32))
    w2 = jnp.asarray(rng.standard_normal((5, 3)).astype(np.float32))
    jit_matches_eager(backend, _per_example, w2, x, rtol=1e-5, atol=1e-5)
    exe = jax.jit(_per_example, backend=backend).lower(w2, x).compile().executable
    src = exe.launcher_source
    assert "_spec_" in src and "_run_impl" not in src, src


@pytest.mark.parametrize("backend", ["cpp", "triton"])
def test_integer_and_widening_dots_keep_the_generic_impl(backend):
    rng = np.random.default_rng(1)
    a = jnp.asarray(rng.integers(-5, 5, (4, 3)).astype(np.int32))
    b = jnp.asarray(rng.integers(-5, 5, (3, 2)).astype(np.int32))
    out = jax.jit(lambda a, b: (a @ b) + 1, backend=backend)(a, b)
    np.testing.assert_array_equal(np.asarray(out), np.asarray(a) @ np.asarray(b) + 1)
    h = jnp.asarray(np.full((2, 4), 300.0, np.float16))
    g = jnp.asarray(np.full((4, 2), 300.0, np.float16))
    wide = jax.jit(lambda h, g: lax.dot_general(h, g, (((1,), (0,)), ((), ())),
                                                 preferred_element_type=jnp.float32) * 2, backend=backend)(h, g)
    assert wide.dtype == jnp.float32
    np.testing.assert_allclose(np.asarray(wide), np.full((2, 2), 2 * 4 * 300.0 * 300.0))
