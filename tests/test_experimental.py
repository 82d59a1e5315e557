"""jaxish.experimental: odeint against real-JAX values (jax 0.10.2, hard-coded), closed forms and
finite differences, under grad/jit/vmap; the x64 context managers; mesh_utils, shard_map, pjit."""
import os

import numpy as np
import pytest

import jaxish as jax
import jaxish.numpy as jnp
from jaxish.distributed import runtime
from jaxish.experimental import mesh_utils
from jaxish.experimental.ode import odeint
from jaxish.experimental.pjit import pjit
from jaxish.experimental.shard_map import shard_map
from jaxish.sharding import Mesh, NamedSharding, PartitionSpec as P

from breadth_helpers import check_jit, check_vmap, enable_x64


@pytest.fixture
def x64():
    with enable_x64():
        yield


def decay(y, t):
    return -y


def osc(y, t, w, c):
    """Damped oscillator x'' + c x' + w^2 x = 0 as a first-order system."""
    return jnp.stack([y[1], -w ** 2 * y[0] - c * y[1]])


def osc_closed_form(t, w, c):
    """x(t) for x(0) = 1, x'(0) = 0 (underdamped)."""
    wd = np.sqrt(w ** 2 - c ** 2 / 4)
    return np.exp(-c * t / 2) * (np.cos(wd * t) + c / (2 * wd) * np.sin(wd * t))


def tree_dynamics(s, t):
    return {"a": -0.5 * s["a"] + jnp.sin(t), "b": (s["b"][0] * s["a"][0], -s["b"][1])}


TREE_Y0 = {"a": [1., 2.], "b": (0.5, [[1., 2.], [3., 4.]])}


def tree_y0():
    return jax.tree_util.tree_map(jnp.asarray, TREE_Y0, is_leaf=lambda x: isinstance(x, list))


def osc_loss(y0, ts, w, c):
    ys = odeint(osc, y0, ts, w, c)
    return jnp.sum(ys[:, 0] ** 2) + jnp.sum(jnp.sin(ys[:, 1]))


# ---- real-JAX reference values (jax.experimental.ode.odeint, jax 0.10.2) --------------------
OSC_X64 = [[1.0, 0.0], [-0.29475211145905955, -1.5737217697379553], [-0.5322712404023825, 1.113460651093851],
           [0.5949573836752885, 0.3780311705097316], [-0.02663597426249687, -1.0923415614982739],
           [-0.42190941285036526, 0.49281571251222295]]
OSC_F32 = [[1.0, 0.0], [-0.2947520315647125, -1.5737218856811523], [-0.5322709083557129, 1.1134614944458008],
           [0.5949580669403076, 0.37802669405937195], [-0.02663734368979931, -1.092340111732483],
           [-0.4219084084033966, 0.49281904101371765]]
TREE_X64 = {"a": [[1.0, 2.0], [0.8915455765204346, 1.6703463594600025], [1.3588194352941505, 1.7266988764895466]],
            "b": ([0.5, 0.79341930671817, 4.143362576621257],
                  [[[1.0, 2.0], [3.0, 4.0]], [[0.6065306572588133, 1.2130613145176266],
                                              [1.8195919717764395, 2.426122629035253]],
                   [[0.1353352847996837, 0.2706705695993674], [0.40600585439905096, 0.5413411391987348]]])}
MXSTEP2_X64 = [1.0, 0.6066064675572445, 0.36852816733239036]
HMAX_X64 = [1.0, 0.6065306597126434, 0.367879441171452]
LOOSE_X64 = [1.0, 0.6051829004896134, 0.3679296117098341]
OSC_GRADS_X64 = ([4.511168874572582, 0.7776156875309148],
                 [-0.8895373506093066, -0.7198171200832638, 3.4767286513952325, -1.867374180702662],
                 0.16955949207595036, -2.4833771725693694)
OSC_GRADS_F32 = ([4.511175632476807, 0.7776153087615967], 0.1695539802312851)
CLOSURE_GRAD_X64 = -0.739790897779142
TREE_GRAD_X64 = 18.00265466855882


# ---- forward values ----------------------------------------------------------------------------
def test_decay_matches_closed_form_and_jax(x64):
    ts = jnp.linspace(0., 1., 3)
    ys = odeint(decay, 1., ts)
    assert ys.dtype == jnp.float64 and ys.shape == (3,)
    np.testing.assert_allclose(ys, np.exp(-np.linspace(0., 1., 3)), rtol=1e-7)
    np.testing.assert_allclose(ys, [1.0, 0.6065306624293387, 0.3678794420798061], rtol=1e-12)


def test_decay_float32():
    ys = odeint(decay, jnp.ones(3), jnp.linspace(0., 2., 5))
    assert ys.dtype == jnp.float32 and ys.shape == (5, 3)
    np.testing.assert_allclose(ys, np.exp(-np.linspace(0., 2., 5))[:, None] * np.ones(3), rtol=1e-5)


def test_oscillator_with_args(x64):
    ts = jnp.linspace(0., 5., 6)
    ys = odeint(osc, jnp.array([1., 0.]), ts, 2.0, 0.3)
    assert ys.shape == (6, 2) and ys.dtype == jnp.float64
    np.testing.assert_allclose(ys, OSC_X64, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(ys[:, 0], osc_closed_form(np.linspace(0., 5., 6), 2.0, 0.3), rtol=1e-6, atol=1e-8)


def test_oscillator_float32():
    ys = odeint(osc, jnp.array([1., 0.]), jnp.linspace(0., 5., 6), 2.0, 0.3)
    assert ys.dtype == jnp.float32
    np.testing.assert_allclose(ys, OSC_F32, rtol=1e-5, atol=1e-5)


def test_pytree_state(x64):
    out = odeint(tree_dynamics, tree_y0(), jnp.array([0., 0.5, 2.0]))
    assert jax.tree_util.tree_structure(out) == jax.tree_util.tree_structure(tree_y0())
    assert out["b"][1].shape == (3, 2, 2)
    got = [np.asarray(x) for x in jax.tree_util.tree_leaves(out)]
    want = [np.asarray(x) for x in jax.tree_util.tree_leaves(TREE_X64, is_leaf=lambda x: isinstance(x, list))]
    for g, w in zip(got, want):
        np.testing.assert_allclose(g, w, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(out["b"][1][-1], np.exp(-2.0) * np.array([[1., 2.], [3., 4.]]), rtol=1e-7)


def test_options_mxstep_hmax_tolerances(x64):
    ts = jnp.linspace(0., 1., 3)
    np.testing.assert_allclose(odeint(decay, 1., ts, mxstep=2), MXSTEP2_X64, rtol=1e-10)
    np.testing.assert_allclose(odeint(decay, 1., ts, hmax=0.01), HMAX_X64, rtol=1e-12)
    np.testing.assert_allclose(odeint(decay, 1., ts, rtol=1e-3, atol=1e-3), LOOSE_X64, rtol=1e-10)


def test_complex_state_and_time_dependence(x64):
    ts = jnp.linspace(0., 1., 3)
    ys = odeint(lambda y, t: 1j * y, jnp.array([1. + 0j, 0.5j]), ts)
    assert ys.dtype == jnp.complex128
    t = np.linspace(0., 1., 3)[:, None]
    np.testing.assert_allclose(ys, np.exp(1j * t) * np.array([1., 0.5j]), rtol=1e-7)
    np.testing.assert_allclose(odeint(lambda y, t: jnp.cos(t) + 0 * y, 0., ts), np.sin(t[:, 0]), atol=1e-7)
    np.testing.assert_allclose(odeint(decay, 1., jnp.array([0.3])), [1.0])


def test_mixed_dtype_pytree_keeps_leaf_dtypes(x64):
    out = odeint(lambda s, t: (-s[0], -s[1]), (jnp.array(1., jnp.float32), jnp.array([2.])), jnp.linspace(0., 1., 3))
    assert out[0].dtype == jnp.float32 and out[1].dtype == jnp.float64
    np.testing.assert_allclose(out[1][:, 0], 2 * np.exp(-np.linspace(0., 1., 3)), rtol=1e-7)


# ---- gradients (adjoint method) ----------------------------------------------------------------
def test_grads_y0_t_args_match_jax(x64):
    args = (jnp.array([1., 0.]), jnp.array([0., 0.7, 1.5, 3.0]), jnp.array(2.0), jnp.array(0.3))
    grads = jax.grad(osc_loss, argnums=(0, 1, 2, 3))(*args)
    for g, w in zip(grads, OSC_GRADS_X64):
        np.testing.assert_allclose(g, w, rtol=1e-8, atol=1e-10)
    # and against central finite differences of the forward solve, one direction per argument
    eps = 1e-6
    rng = np.random.default_rng(0)
    for i, g in enumerate(grads):
        d = rng.standard_normal(np.shape(args[i]))
        plus = [a + eps * d if j == i else a for j, a in enumerate(args)]
        minus = [a - eps * d if j == i else a for j, a in enumerate(args)]
        fd = (float(osc_loss(*plus)) - float(osc_loss(*minus))) / (2 * eps)
        np.testing.assert_allclose(np.sum(np.asarray(g) * d), fd, rtol=1e-5, atol=1e-7)


def test_grads_float32():
    grads = jax.grad(osc_loss, argnums=(0, 2))(jnp.array([1., 0.]), jnp.array([0., 0.7, 1.5, 3.0]), 2.0, 0.3)
    assert grads[0].dtype == jnp.float32
    np.testing.assert_allclose(grads[0], OSC_GRADS_F32[0], rtol=1e-4)
    np.testing.assert_allclose(grads[1], OSC_GRADS_F32[1], rtol=1e-3)


def test_grad_through_closure_and_time(x64):
    # y' = -k t y: y(2) = 1.5 exp(-2k), d/dk = -3 exp(-2k); the closed-over k is a hoisted tracer
    g = jax.grad(lambda k: odeint(lambda y, t: -k * y * t, 1.5, jnp.array([0., 1., 2.]))[-1])(0.7)
    np.testing.assert_allclose(g, CLOSURE_GRAD_X64, rtol=1e-9)
    np.testing.assert_allclose(g, -3 * np.exp(-1.4), rtol=1e-7)
    # y(t1) = exp(-(t1 - t0)): d/dt0 = y, d/dt1 = -y
    gt = jax.grad(lambda t: odeint(decay, 1., t)[-1])(jnp.array([0., 2.]))
    np.testing.assert_allclose(gt, [np.exp(-2.), -np.exp(-2.)], rtol=1e-7)


def test_grad_pytree_state(x64):
    def loss(a):
        s0 = {"p": jnp.array([1., 2.]) * a, "q": a}
        out = odeint(lambda s, t: {"p": -s["q"] * s["p"], "q": jnp.cos(t) * s["q"]}, s0, jnp.array([0., 0.5, 1.0]))
        return jnp.sum(out["p"]) + jnp.sum(out["q"] ** 2)
    np.testing.assert_allclose(jax.grad(loss)(0.8), TREE_GRAD_X64, rtol=1e-8)


# ---- jit and vmap ----------------------------------------------------------------------------------
def test_jit(x64):
    ts = jnp.array([0., 0.7, 1.5, 3.0])
    f = lambda y0, w: odeint(osc, y0, ts, w, 0.3)
    want = check_jit(f, jnp.array([1., 0.]), jnp.array(2.0), default_backend=True, rtol=1e-9, atol=1e-10)
    np.testing.assert_allclose(want[:, 0], osc_closed_form(np.asarray(ts), 2.0, 0.3), rtol=1e-6, atol=1e-8)


def test_jit_of_grad(x64):
    loss = lambda w: odeint(osc, jnp.array([1., 0.]), jnp.array([0., 0.7, 1.5, 3.0]), w, 0.3)[-1, 0]
    np.testing.assert_allclose(jax.jit(jax.grad(loss), backend="eager")(2.0), jax.grad(loss)(2.0), rtol=1e-9)
    np.testing.assert_allclose(jax.grad(loss)(2.0), 0.7120052680762804, rtol=1e-8)   # real JAX


def test_vmap_over_initial_conditions_and_args(x64):
    ts = jnp.linspace(0., 2., 4)
    Y0 = jnp.asarray([[1., 0.], [0., 1.], [0.5, -0.5]])
    check_vmap(lambda y0: odeint(osc, y0, ts, 2.0, 0.3), Y0, rtol=1e-9, atol=1e-10)
    check_vmap(lambda y0, w: odeint(osc, y0, ts, w, 0.3), Y0, jnp.array([1., 2., 3.]), rtol=1e-9, atol=1e-10)
    ys = jax.vmap(lambda y0: odeint(decay, y0, ts))(jnp.array([1., 2., 3.]))
    np.testing.assert_allclose(ys, np.array([1., 2., 3.])[:, None] * np.exp(-np.linspace(0., 2., 4)), rtol=1e-7)


@pytest.mark.slow
def test_vmap_of_grad(x64):
    loss = lambda w: odeint(osc, jnp.array([1., 0.]), jnp.array([0., 0.7, 1.5, 3.0]), w, 0.3)[-1, 0]
    np.testing.assert_allclose(jax.vmap(jax.grad(loss))(jnp.array([1., 2., 3.])),
                               [-0.6441880036769893, 0.7120052680762804, -0.9003337252410843], rtol=1e-8)


def test_decreasing_times_traced_give_nan_like_jax():
    out = jax.jit(lambda t: odeint(decay, 1., t), backend="eager")(jnp.array([1., 0.]))
    assert out[0] == 1.0 and np.isnan(out[1])


# ---- argument errors -------------------------------------------------------------------------------
def test_errors():
    ts = jnp.linspace(0., 1., 3)
    with pytest.raises(TypeError, match="t must be an array of floats"):
        odeint(decay, 1., jnp.arange(3))
    with pytest.raises(TypeError, match="t must be an array of floats"):
        odeint(decay, 1., [0., 1.])
    with pytest.raises(TypeError, match=r"\*args must be arrays or scalars"):
        odeint(lambda y, t, a: -y, 1., ts, "a")
    with pytest.raises(TypeError, match=r"\*args must be arrays or scalars"):
        odeint(lambda y, t, a: -y, 1., ts, decay)
    with pytest.raises(TypeError, match="y0 leaves must be floating"):
        odeint(decay, jnp.array([1, 2]), ts)
    with pytest.raises(TypeError, match="callable"):
        odeint(1.0, 1., ts)
    with pytest.raises(IndexError):
        odeint(decay, 1., jnp.array(1.))
    with pytest.raises(ValueError, match="1-D"):
        odeint(decay, 1., jnp.ones((2, 2)))
    with pytest.raises(ValueError, match="strictly increasing"):
        odeint(decay, 1., jnp.array([0., 1., 1.]))
    with pytest.raises(ValueError, match="returned 2 values"):
        odeint(lambda y, t: (y, y), 1., ts)
    # None among args is an empty pytree, as in JAX
    np.testing.assert_allclose(odeint(lambda y, t, a: -y, 1., ts, None), np.exp(-np.linspace(0., 1., 3)), rtol=1e-5)


# ---- x64 context managers --------------------------------------------------------------------------
def test_enable_disable_x64():
    prev = jax.config.read("jax_enable_x64")
    try:
        jax.config.update("jax_enable_x64", False)
        with jax.experimental.enable_x64():
            assert jnp.array(1.).dtype == jnp.float64 and jnp.arange(3).dtype == jnp.int64
            with jax.experimental.disable_x64():
                assert jnp.array(1.).dtype == jnp.float32
            assert jnp.array(1.).dtype == jnp.float64
            with jax.experimental.enable_x64(False):
                assert jnp.array(1.).dtype == jnp.float32
        assert jnp.array(1.).dtype == jnp.float32
        with pytest.raises(RuntimeError):
            with jax.experimental.enable_x64():
                raise RuntimeError("restored even on error")
        assert not jax.config.read("jax_enable_x64")
    finally:
        jax.config.update("jax_enable_x64", prev)


# ---- meshes, shard_map, pjit -------------------------------------------------------------------------
@pytest.fixture
def four_devices():
    old = os.environ.get("JAXISH_NUM_CPU_DEVICES")
    os.environ["JAXISH_NUM_CPU_DEVICES"] = "4"
    runtime._state.devices = None
    yield jax.devices()
    if old is None:
        os.environ.pop("JAXISH_NUM_CPU_DEVICES", None)
    else:
        os.environ["JAXISH_NUM_CPU_DEVICES"] = old
    runtime._state.devices = None


def ids(mesh):
    return np.vectorize(lambda d: d.id, otypes=[int])(mesh).tolist()


def test_create_device_mesh(four_devices):
    m = mesh_utils.create_device_mesh((2, 2))
    assert isinstance(m, np.ndarray) and m.dtype == object and m.shape == (2, 2)
    assert ids(m) == [[0, 1], [2, 3]]                         # jax.devices() order, as JAX on CPU
    assert ids(mesh_utils.create_device_mesh([4, 1], devices=four_devices[::-1])) == [[3], [2], [1], [0]]
    assert ids(mesh_utils.create_device_mesh((4,))) == [0, 1, 2, 3]
    h = mesh_utils.create_hybrid_device_mesh((2, 2), (1, 1), process_is_granule=True)
    assert ids(h) == [[0, 1], [2, 3]]
    with pytest.raises(ValueError, match="must equal the product of mesh_shape"):
        mesh_utils.create_device_mesh((3,))
    with pytest.raises(ValueError, match="sequence of ints"):
        mesh_utils.create_device_mesh(("a", 2))
    with pytest.raises(ValueError, match="slice_index"):
        mesh_utils.create_hybrid_device_mesh((2, 2), (1, 1))
    mesh = Mesh(m, ("x", "y"))
    assert mesh.axis_sizes == (2, 2)


def test_experimental_shard_map(four_devices):
    mesh = Mesh(mesh_utils.create_device_mesh((4,)), ("d",))
    x = jnp.arange(8.)
    total = shard_map(lambda b: jax.lax.psum(b, "d"), mesh, in_specs=P("d"), out_specs=P())(x)
    np.testing.assert_allclose(total, [12., 16.])              # real JAX: [12., 16.]
    np.testing.assert_allclose(shard_map(lambda b: b * 2, mesh, P("d"), P("d"))(x), np.arange(8.) * 2)


def test_pjit(four_devices):
    mesh = Mesh(mesh_utils.create_device_mesh((4,)), ("d",))
    with mesh:
        g = pjit(lambda x: x + 1, in_shardings=P("d"), out_shardings=P("d"))
        r = g(jnp.arange(8.))
    np.testing.assert_allclose(r, np.arange(8.) + 1)
    assert isinstance(r.sharding, NamedSharding) and r.sharding.spec == P("d")
    h = pjit(lambda x, n: x * n, static_argnums=1)
    np.testing.assert_allclose(h(jnp.arange(3.), 3), [0., 3., 6.])
