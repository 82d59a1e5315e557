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

from breadth_helpers import dot_shapes, einsum_spec
from codegen_helpers import jit_matches_eager

@st.composite
def dot_cases(draw):
    """Random dot_general operands (sizes including 0 and 1) and a dtype."""
    lshape, rshape, dn = dot_shapes(draw, min_size=0)
    return lshape, rshape, dn, draw(st.sampled_from([np.float32, np.float64, np.complex64]))


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(dot_cases(), st.integers(0, 2 ** 31 - 1))
def test_specialized_dot_matches_impl_and_numpy(case, seed):
    lshape, rshape, dn, dtype = case
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
    oracle = np.einsum(einsum_spec(len(lshape), len(rshape), dn), l, r)
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


def _np_pad(x, value, config):
    """lax.pad's semantics in numpy: interior padding, then edge padding (negative crops)."""
    for ax, (lo, hi, interior) in enumerate(config):
        n = x.shape[ax]
        if interior and n > 1:
            shape = list(x.shape)
            shape[ax] = n + (n - 1) * interior
            out = np.full(shape, value, x.dtype)
            idx = [slice(None)] * x.ndim
            idx[ax] = slice(None, None, interior + 1)
            out[tuple(idx)] = x
            x = out
        shape = list(x.shape)
        shape[ax] = max(lo, 0)
        x = np.concatenate([np.full(shape, value, x.dtype), x], axis=ax)
        shape[ax] = max(hi, 0)
        x = np.concatenate([x, np.full(shape, value, x.dtype)], axis=ax)
        x = np.take(x, np.arange(max(-lo, 0), x.shape[ax] - max(-hi, 0)), axis=ax)
    return x


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.integers(0, 4), min_size=0, max_size=3), st.data(),
       st.sampled_from([np.float32, np.int32, np.bool_, np.complex64]))
def test_eager_pad_matches_numpy(shape, data, dtype):
    config = []
    for n in shape:
        interior = data.draw(st.integers(0, 2))
        size = n + max(n - 1, 0) * interior
        lo = data.draw(st.integers(-size, 3))
        hi = data.draw(st.integers(-(size + lo) if size + lo > 0 else 0, 3)) if size + lo >= 0 else 0
        if size + lo + hi < 0:
            hi = -(size + lo)
        config.append((lo, hi, interior))
    x = (np.arange(int(np.prod(shape)), dtype=np.int64).reshape(shape) % 5 + 1).astype(dtype)
    value = dtype(0) if dtype is np.bool_ else dtype(7)
    got = np.asarray(lax.pad(jnp.asarray(x), jnp.asarray(value), config))
    want = _np_pad(x, value, config)
    assert got.shape == want.shape, (config, got.shape, want.shape)
    np.testing.assert_array_equal(got, want)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_specialized_conv_matches_impl(data):
    from jaxish.lax.conv import _conv_impl, _conv_specialize
    nsp = data.draw(st.integers(1, 3))
    groups = data.draw(st.sampled_from([1, 2]))
    n, cin, cout = data.draw(st.integers(1, 2)), groups * data.draw(st.integers(1, 2)), groups * data.draw(st.integers(1, 2))
    sizes = [data.draw(st.integers(3, 6)) for _ in range(nsp)]
    kern = [data.draw(st.integers(1, 3)) for _ in range(nsp)]
    strides = tuple(data.draw(st.integers(1, 2)) for _ in range(nsp))
    rdil = tuple(data.draw(st.integers(1, 2)) for _ in range(nsp))
    padding = tuple((data.draw(st.integers(-1, 2)), data.draw(st.integers(-1, 2))) for _ in range(nsp))
    ls = tuple(data.draw(st.permutations(range(nsp + 2))))
    rs = tuple(data.draw(st.permutations(range(nsp + 2))))
    os_ = tuple(data.draw(st.permutations(range(nsp + 2))))
    lshape = [0] * (nsp + 2)
    for logical, size in zip(ls, [n, cin] + sizes):
        lshape[logical] = size
    rshape = [0] * (nsp + 2)
    for logical, size in zip(rs, [cout, cin // groups] + kern):
        rshape[logical] = size
    dtype = data.draw(st.sampled_from([np.float32, np.float64]))
    rng = np.random.default_rng(0)
    lhs = torch.from_numpy(rng.standard_normal(lshape).astype(dtype))
    rhs = torch.from_numpy(rng.standard_normal(rshape).astype(dtype))
    params = dict(window_strides=strides, padding=padding, lhs_dilation=(1,) * nsp, rhs_dilation=rdil,
                  dimension_numbers=(ls, rs, os_), feature_group_count=groups, batch_group_count=1)
    eff = [s + lo + hi - (k - 1) * d for s, (lo, hi), k, d in zip(sizes, padding, kern, rdil)]
    fn = _conv_specialize([ShapedArray(tuple(lshape), np.dtype(dtype)), ShapedArray(tuple(rshape), np.dtype(dtype))],
                          **params)
    if min(eff) < 1:
        assert fn is None            # an empty output: the impl's zeros
        return
    assert fn is not None
    got, want = fn(lhs, rhs), _conv_impl(lhs, rhs, **params)
    assert tuple(got.shape) == tuple(want.shape)
    np.testing.assert_allclose(got.numpy(), want.numpy(), rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("backend", ["cpp", "triton"])
def test_cnn_step_uses_specialized_convs(backend):
    def loss(p, x):
        h = lax.conv_general_dilated(x, p[0], (1, 1), "SAME", dimension_numbers=("NHWC", "HWIO", "NHWC"))
        h = lax.conv_general_dilated(jnp.tanh(h), p[1], (2, 2), ((0, 1), (1, 0)),
                                     dimension_numbers=("NHWC", "HWIO", "NHWC"))
        return jnp.sum(h ** 2)

    def step(p, x):
        return [a - 0.01 * g for a, g in zip(p, jax.grad(loss)(p, x))]
    rng = np.random.default_rng(3)
    p = [jnp.asarray(rng.standard_normal(s).astype(np.float32) * 0.3) for s in [(3, 3, 2, 4), (2, 2, 4, 3)]]
    x = jnp.asarray(rng.standard_normal((2, 6, 6, 2)).astype(np.float32))
    jit_matches_eager(backend, step, p, x, rtol=1e-5, atol=1e-5)
    src = jax.jit(step, backend=backend).lower(p, x).compile().executable.launcher_source
    # two forward convs and the two weight gradients; the input gradient of the strided conv
    # has lhs dilation, which stays with the generic impl
    assert src.count("_fix(_spec_") == 4 and src.count("_run_impl(") == 1, src
