"""jax.pure_callback and jax.experimental.io_callback: eager, under jit (every backend), under
vmap by each vmap_method, and JAX 0.10.2's errors (no JVP, vmap without a method, wrong shape)."""
import numpy as np
import pytest

import jaxish as jax
import jaxish.numpy as jnp
from jaxish.experimental import io_callback

BACKENDS = ["eager", "cpp", "triton"]


def _sin_cb(calls):
    def host(x):
        calls.append(tuple(np.shape(x)))
        assert isinstance(x, jax.Array)   # JAX hands the callback arrays on the CPU, not numpy
        return np.sin(np.asarray(x))
    return host


def _f(calls, vmap_method=None):
    host = _sin_cb(calls)
    return lambda x: jax.pure_callback(host, jax.ShapeDtypeStruct(x.shape, x.dtype), x, vmap_method=vmap_method)


@pytest.mark.parametrize("backend", BACKENDS)
def test_pure_callback_eager_and_jit(backend):
    calls = []
    f = _f(calls)
    x = jnp.arange(3.0)
    np.testing.assert_allclose(np.asarray(f(x)), np.sin(np.arange(3.0)), rtol=1e-6)
    g = jax.jit(lambda x: f(x * 2.0) + 1.0, backend=backend)
    for _ in range(2):
        np.testing.assert_allclose(np.asarray(g(x)), np.sin(2 * np.arange(3.0)) + 1, rtol=1e-6)
    assert calls == [(3,)] * 3


def test_pure_callback_pytrees_kwargs_and_dtype_cast():
    out = jax.pure_callback(lambda a, b=None: {"s": a * 2, "t": b + 1},
                            {"s": jax.ShapeDtypeStruct((), jnp.float32), "t": jax.ShapeDtypeStruct((2,), jnp.int32)},
                            1.0, b=jnp.array([1, 2]))
    assert out["s"].shape == () and float(out["s"]) == 2.0
    np.testing.assert_array_equal(np.asarray(out["t"]), [2, 3])
    # a float64 result is cast to the declared float32, as JAX does
    r = jax.jit(lambda x: jax.pure_callback(lambda v: np.ones(2, np.float64), jax.ShapeDtypeStruct((2,), jnp.float32), x))(1.0)
    assert r.dtype == jnp.float32


@pytest.mark.parametrize("method,calls_shapes", [("sequential", [(3,), (3,)]), ("sequential_unrolled", [(3,), (3,)]),
                                                 ("expand_dims", [(2, 3)]), ("broadcast_all", [(2, 3)])])
def test_pure_callback_vmap_methods(method, calls_shapes):
    calls = []
    x = jnp.arange(6.0).reshape(2, 3)
    got = jax.vmap(_f(calls, method))(x)
    np.testing.assert_allclose(np.asarray(got), np.sin(np.arange(6.0).reshape(2, 3)), rtol=1e-6)
    assert calls == calls_shapes
    # an unbatched operand: expand_dims gives it a size-1 axis, broadcast_all the batch size
    seen = []

    def host(a, b):
        seen.append((np.shape(a), np.shape(b)))
        return np.asarray(a) + np.asarray(b)
    out = jax.vmap(lambda a, b: jax.pure_callback(host, jax.ShapeDtypeStruct(a.shape, a.dtype), a, b,
                                                  vmap_method=method), in_axes=(0, None))(x, jnp.ones(3))
    np.testing.assert_allclose(np.asarray(out), np.arange(6.0).reshape(2, 3) + 1)
    if method == "expand_dims":
        assert seen == [((2, 3), (1, 3))]
    elif method == "broadcast_all":
        assert seen == [((2, 3), (2, 3))]


def test_pure_callback_errors_as_jax():
    f = _f([])
    with pytest.raises(NotImplementedError, match="Got vmap_method=None"):
        jax.vmap(f)(jnp.ones((2, 3)))
    with pytest.raises(ValueError, match="Pure callbacks do not support JVP"):
        jax.grad(lambda x: f(x).sum())(jnp.ones(3))
    with pytest.raises(ValueError, match="vmap_method must be"):
        jax.pure_callback(lambda x: x, jax.ShapeDtypeStruct((), jnp.float32), 1.0, vmap_method="bogus")
    with pytest.raises(RuntimeError, match=r"shape \(3,\), but result_shape_dtypes declares \(2,\)"):
        jax.jit(lambda x: jax.pure_callback(lambda v: np.ones(3, np.float32), jax.ShapeDtypeStruct((2,), jnp.float32), x))(1.0)
    with pytest.raises(ValueError, match="64-bit types"):
        jax.pure_callback(lambda x: x, jax.ShapeDtypeStruct((), np.float64), 1.0)


def test_pure_callback_under_custom_jvp_is_differentiable():
    @jax.custom_jvp
    def host_sin(x):
        return jax.pure_callback(lambda v: np.sin(np.asarray(v)), jax.ShapeDtypeStruct(x.shape, x.dtype), x)

    @host_sin.defjvp
    def _(primals, tangents):
        (x,), (t,) = primals, tangents
        return host_sin(x), jnp.cos(x) * t
    g = jax.jit(jax.grad(lambda x: jnp.sum(host_sin(x))))(jnp.arange(3.0))
    np.testing.assert_allclose(np.asarray(g), np.cos(np.arange(3.0)), rtol=1e-6)


@pytest.mark.parametrize("backend", BACKENDS)
def test_io_callback_runs_in_order_even_unused(backend):
    log = []

    def record(v):
        log.append(float(v))
        return np.float32(v * 10)

    def f(x):
        io_callback(record, jax.ShapeDtypeStruct((), jnp.float32), x)        # result unused: still runs
        return io_callback(record, jax.ShapeDtypeStruct((), jnp.float32), x + 1) + 1
    assert float(jax.jit(f, backend=backend)(2.0)) == 31.0
    assert log == [2.0, 3.0]
    jax.vmap(lambda x: io_callback(record, jax.ShapeDtypeStruct((), jnp.float32), x))(jnp.array([5.0, 6.0]))
    assert log[-2:] == [5.0, 6.0]
