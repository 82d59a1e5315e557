"""pmap, collectives, sharding and shard_map: one process over 4 emulated CPU devices
(JAXISH_NUM_CPU_DEVICES=4), and real torch.distributed (gloo) processes on loopback."""
import multiprocessing
import os
import pathlib
import socket
import subprocess
import sys
import time
import traceback

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import jaxish as jax
import jaxish.numpy as jnp
from jaxish import lax
from jaxish.distributed import runtime
from jaxish.sharding import Mesh, NamedSharding, PartitionSpec as P

NDEV = 4


@pytest.fixture(autouse=True, scope="module")
def four_cpu_devices():
    """One process with 4 emulated CPU devices (read on first use of the device list)."""
    old = os.environ.get("JAXISH_NUM_CPU_DEVICES")
    os.environ["JAXISH_NUM_CPU_DEVICES"] = str(NDEV)
    runtime._state.devices = None
    yield
    if old is None:
        os.environ.pop("JAXISH_NUM_CPU_DEVICES", None)
    else:
        os.environ["JAXISH_NUM_CPU_DEVICES"] = old
    runtime._state.devices = None


def rand(shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape).astype(np.float32)


# ---- devices --------------------------------------------------------------------------------------
def test_emulated_devices():
    devs = jax.devices()
    assert len(devs) == NDEV == jax.device_count() == jax.local_device_count()
    assert [d.id for d in devs] == list(range(NDEV))
    assert all(d.platform == "cpu" and d.process_index == 0 for d in devs)
    assert jax.process_index() == 0 and jax.process_count() == 1
    assert repr(devs[1]) == "CpuDevice(id=1)"
    assert not jax.distributed.is_initialized()


def test_initialize_needs_coordinates(monkeypatch):
    for k in ("MASTER_ADDR", "MASTER_PORT", "WORLD_SIZE", "RANK"):
        monkeypatch.delenv(k, raising=False)
    with pytest.raises(ValueError, match="coordinator_address"):
        jax.distributed.initialize()
    with pytest.raises(ValueError, match="process_id must be in"):
        jax.distributed.initialize("127.0.0.1:1234", num_processes=2, process_id=5)


# ---- pmap + collectives vs numpy ------------------------------------------------------------------
@settings(max_examples=8, deadline=None)
@given(n=st.integers(1, NDEV), shape=st.lists(st.integers(1, 3), min_size=1, max_size=2),
       seed=st.integers(0, 100))
def test_pmap_collectives_match_numpy(n, shape, seed):
    x = rand((n,) + tuple(shape), seed)

    def f(v):
        return (lax.psum(v, "i"), lax.pmean(v, "i"), lax.pmax(v, "i"), lax.pmin(v, "i"),
                lax.all_gather(v, "i"), lax.all_gather(v, "i", axis=min(1, v.ndim - 1), tiled=True), lax.axis_index("i"),
                lax.ppermute(v, "i", [(k, (k + 1) % n) for k in range(n)]))
    out = jax.pmap(f, axis_name="i")(x)
    ps, pm, px, pn, ag, agt, idx, pp = [np.asarray(o) for o in out]
    rep = lambda a: np.broadcast_to(a, (n,) + a.shape)  # noqa: E731
    np.testing.assert_allclose(ps, rep(x.sum(0)), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(pm, rep(x.mean(0)), rtol=1e-5, atol=1e-6)
    np.testing.assert_array_equal(px, rep(x.max(0)))
    np.testing.assert_array_equal(pn, rep(x.min(0)))
    np.testing.assert_array_equal(ag, rep(x))
    np.testing.assert_array_equal(agt, rep(np.concatenate(list(x), axis=min(1, len(shape) - 1))))
    np.testing.assert_array_equal(idx, np.arange(n, dtype=np.int32))
    np.testing.assert_array_equal(pp, np.roll(x, 1, axis=0))
    assert idx.dtype == np.int32


def test_pmap_psum_scatter_and_all_to_all():
    n = NDEV
    x = rand((n, n, 3), 1)
    rs = np.asarray(jax.pmap(lambda v: lax.psum_scatter(v, "i"), axis_name="i")(x))
    np.testing.assert_allclose(rs, x.sum(0), rtol=1e-5, atol=1e-6)  # device k keeps row k of the sum
    y = rand((n, 2 * n, 3), 2)
    rst = np.asarray(jax.pmap(lambda v: lax.psum_scatter(v, "i", tiled=True), axis_name="i")(y))
    np.testing.assert_allclose(rst, y.sum(0).reshape(n, 2, 3), rtol=1e-5, atol=1e-6)
    # all_to_all: device d gets chunk d of every source, stacked along concat_axis (real-JAX semantics)
    z = rand((n, n, 5), 3)
    a2a = np.asarray(jax.pmap(lambda v: lax.all_to_all(v, "i", 0, 1), axis_name="i")(z))
    np.testing.assert_array_equal(a2a, np.transpose(z, (1, 2, 0)))


def test_pmap_ppermute_partial_perm_gives_zeros():
    x = rand((NDEV, 2), 4)
    out = np.asarray(jax.pmap(lambda v: lax.ppermute(v, "i", [(0, 1), (1, 2)]), axis_name="i")(x))
    np.testing.assert_array_equal(out, np.stack([np.zeros(2), x[0], x[1], np.zeros(2)]).astype(np.float32))


def test_pmap_matches_real_jax_values():
    # values printed by real JAX 0.10.2 (XLA_FLAGS=--xla_force_host_platform_device_count=4)
    f = jax.pmap(lambda x: (lax.psum(x, "i"), lax.ppermute(x, "i", [(0, 1), (1, 2)])), axis_name="i")
    ps, pp = f(jnp.arange(8.0).reshape(4, 2))
    assert np.asarray(ps).tolist() == [[12.0, 16.0]] * 4
    assert np.asarray(pp).tolist() == [[0.0, 0.0], [0.0, 1.0], [2.0, 3.0], [0.0, 0.0]]


# ---- pmap arguments, results, errors --------------------------------------------------------------
def test_pmap_results_are_sharded_over_mapped_axis():
    x = rand((NDEV, 3))
    out = jax.pmap(lambda v: v * 2)(x)
    assert isinstance(out, jax.Array) and out.shape == (NDEV, 3)
    assert isinstance(out.sharding, NamedSharding) and out.sharding.spec == P(out.sharding.mesh.axis_names[0])
    shards = out.addressable_shards
    assert [s.device.id for s in shards] == list(range(NDEV))
    for k, s in enumerate(shards):
        np.testing.assert_array_equal(np.asarray(s.data), 2 * x[k:k + 1])
    assert out.devices() == set(jax.devices())
    # a sharded result is an ordinary array to the rest of jaxish (eager, jit, grad)
    np.testing.assert_allclose(np.asarray(jnp.sum(out)), 2 * x.sum(), rtol=1e-5)
    np.testing.assert_allclose(np.asarray(jax.jit(lambda a: a + 1)(out)), 2 * x + 1, rtol=1e-6)


def test_pmap_in_axes_out_axes_static_kwargs():
    x, b = rand((3, 2)), rand((2,), 1)
    out = jax.pmap(lambda v, c: v + c, in_axes=(0, None))(x, b)
    np.testing.assert_allclose(np.asarray(out), x + b, rtol=1e-6)
    out = jax.pmap(lambda v: v, in_axes=1, out_axes=1)(x.T)
    np.testing.assert_array_equal(np.asarray(out), x.T)
    assert out.sharding.spec == P(None, out.sharding.mesh.axis_names[0])
    g = jax.pmap(lambda v, k: v * k, static_broadcasted_argnums=1)
    np.testing.assert_allclose(np.asarray(g(x, 3)), 3 * x, rtol=1e-6)
    np.testing.assert_allclose(np.asarray(g(x, 5)), 5 * x, rtol=1e-6)
    out = jax.pmap(lambda v, w: v + w)(x, w=x)
    np.testing.assert_allclose(np.asarray(out), 2 * x, rtol=1e-6)
    tree = jax.pmap(lambda d: {"s": d["a"].sum(), "a": d["a"]})({"a": x})
    np.testing.assert_allclose(np.asarray(tree["s"]), x.sum(1), rtol=1e-5)
    out = jax.pmap(lambda v: (v, lax.psum(v, "i")), axis_name="i", out_axes=(0, None))(x)
    np.testing.assert_allclose(np.asarray(out[1]), x.sum(0), rtol=1e-5)
    idx = jax.pmap(lambda v: lax.axis_index("i") + 0 * v, axis_name="i", in_axes=None, axis_size=3)(1)
    np.testing.assert_array_equal(np.asarray(idx), [0, 1, 2])
    sub = jax.pmap(lambda v: v + 1, devices=jax.devices()[1:3])(x[:2])
    assert {d.id for d in sub.devices()} == {1, 2}


def test_device_put_replicated_and_sharded_feed_pmap():
    params = {"w": jnp.ones((2, 3)), "b": jnp.arange(2.0)}
    reps = jax.device_put_replicated(params, jax.devices())
    assert reps["w"].shape == (NDEV, 2, 3) and len(reps["b"].addressable_shards) == NDEV
    xs = jax.device_put_sharded([np.full((3,), k, np.float32) for k in range(NDEV)], jax.devices())
    out = jax.pmap(lambda p, x: p["w"] @ x + p["b"])(reps, xs)
    np.testing.assert_allclose(np.asarray(out), [[3.0 * k, 3.0 * k + 1] for k in range(NDEV)], rtol=1e-6)
    with pytest.raises(ValueError, match="2 shards for 4 devices"):
        jax.device_put_sharded([np.ones(2), np.ones(2)], jax.devices())


def test_pmap_errors():
    with pytest.raises(ValueError, match="requires 5 logical devices, but only 4"):
        jax.pmap(lambda v: v)(np.ones((5, 2), np.float32))
    with pytest.raises(ValueError, match="inconsistent sizes"):
        jax.pmap(lambda a, b: a + b)(np.ones((2, 3), np.float32), np.ones((3, 3), np.float32))
    with pytest.raises(ValueError, match="rank should be at least 1"):
        jax.pmap(lambda v: v)(np.float32(1.0))
    with pytest.raises(NameError, match="unbound axis name: j"):
        jax.pmap(lambda v: lax.psum(v, "j"), axis_name="i")(np.ones((2, 3), np.float32))
    with pytest.raises(ValueError, match="at least one argument with a mapped axis"):
        jax.pmap(lambda v: v, in_axes=None)(np.ones(3, np.float32))
    with pytest.raises(ValueError, match="Non-hashable static"):
        jax.pmap(lambda v, k: v, static_broadcasted_argnums=1)(np.ones((2, 3), np.float32), [1])
    with pytest.raises(ValueError, match="number of devices passed to pmap"):
        jax.pmap(lambda v: v, devices=jax.devices()[:2])(np.ones((3, 3), np.float32))


def _mlp_loss(params, x, y):
    (w1, b1), (w2, b2) = params
    h = jnp.tanh(x @ w1 + b1)
    return jnp.mean((h @ w2 + b2 - y) ** 2)


def _mlp_problem(seed=0, n=16):
    params = ((jnp.asarray(rand((5, 8), seed)), jnp.zeros(8)), (jnp.asarray(rand((8, 2), seed + 1)), jnp.zeros(2)))
    return params, rand((n, 5), seed + 2), rand((n, 2), seed + 3)


def test_pmap_data_parallel_grad_equals_full_batch_grad():
    params, x, y = _mlp_problem()

    def step(p, xb, yb):
        return lax.pmean(jax.grad(_mlp_loss)(p, xb, yb), "b")
    reps = jax.tree.map(lambda a: jnp.broadcast_to(a, (NDEV,) + a.shape), params)
    g_dp = jax.pmap(step, axis_name="b")(reps, x.reshape(NDEV, -1, 5), y.reshape(NDEV, -1, 2))
    g_ref = jax.grad(_mlp_loss)(params, x, y)
    for a, b in zip(jax.tree.leaves(g_dp), jax.tree.leaves(g_ref)):
        for k in range(NDEV):
            np.testing.assert_allclose(np.asarray(a)[k], np.asarray(b), rtol=1e-4, atol=1e-6)


def test_grad_through_psum_and_all_gather():
    x = rand((NDEV, 3), 5)
    # all_gather transposes to psum_scatter: device k collects slot k of every device's cotangent w
    w = rand((NDEV, 3), 6)
    g = jax.pmap(jax.grad(lambda v: jnp.sum(lax.all_gather(v, "i") * w)), axis_name="i")(x)
    np.testing.assert_allclose(np.asarray(g), w * NDEV, rtol=1e-5)
    # psum is its own transpose (as in JAX): grad of psum(sum(v^2)) is 2 v * axis size
    g2 = jax.pmap(jax.grad(lambda v: lax.psum(jnp.sum(v ** 2), "i")), axis_name="i")(x)
    np.testing.assert_allclose(np.asarray(g2), 2 * x * NDEV, rtol=1e-5)


# ---- Mesh, NamedSharding, device_put --------------------------------------------------------------
def test_named_sharding_layout_and_device_put():
    mesh = jax.make_mesh((2, 2), ("x", "y"))
    assert mesh.shape == {"x": 2, "y": 2} and mesh.size == 4 and mesh.axis_names == ("x", "y")
    s = NamedSharding(mesh, P("x", None))
    assert s.shard_shape((8, 6)) == (4, 6) and not s.is_fully_replicated
    idx = s.devices_indices_map((8, 6))
    assert idx[mesh.devices[1, 0]] == (slice(4, 8), slice(None)) and idx[mesh.devices[1, 1]] == idx[mesh.devices[1, 0]]
    x = rand((8, 6))
    a = jax.device_put(x, s)
    assert a.sharding == s and a.shape == (8, 6)
    np.testing.assert_array_equal(np.asarray(a), x)
    reps = sorted((sh.device.id, sh.replica_id) for sh in a.addressable_shards)
    assert reps == [(0, 0), (1, 1), (2, 0), (3, 1)]
    b = jax.device_put(x, NamedSharding(mesh, P(("x", "y"))))
    assert [tuple(np.asarray(sh.data).shape) for sh in b.addressable_shards] == [(2, 6)] * 4
    np.testing.assert_array_equal(np.asarray(b.addressable_shards[3].data), x[6:8])
    assert NamedSharding(mesh, P()).is_fully_replicated
    with pytest.raises(ValueError, match="not found in mesh"):
        NamedSharding(mesh, P("z"))
    with pytest.raises(ValueError, match="duplicate"):
        NamedSharding(mesh, P("x", "x"))
    with pytest.raises(ValueError, match="partitioned 2 times, but the dimension size is 5"):
        jax.device_put(rand((5, 2)), s)
    with pytest.raises(ValueError, match="Number of devices"):
        jax.make_mesh((3, 2), ("x", "y"))
    d = jax.device_put(x, jax.devices()[2])
    np.testing.assert_array_equal(np.asarray(d), x)


def test_shard_map_data_and_tensor_parallel():
    mesh = Mesh(np.array(jax.devices()), ("d",))
    x, w = rand((8, 6)), rand((6, 4), 1)

    # data parallel: rows split, weights replicated, no communication
    f = jax.shard_map(lambda xb, wb: xb @ wb, mesh=mesh, in_specs=(P("d"), P()), out_specs=P("d"))
    out = f(x, w)
    np.testing.assert_allclose(np.asarray(out), x @ w, rtol=1e-5, atol=1e-5)
    assert out.sharding == NamedSharding(mesh, P("d"))

    # tensor parallel over the contraction: each device multiplies a slice, psum adds them
    g = jax.shard_map(lambda xb, wb: lax.psum(xb @ wb, "d"), mesh=mesh, in_specs=(P(None, "d"), P("d")),
                      out_specs=P())
    np.testing.assert_allclose(np.asarray(g(x[:, :4], w[:4])), x[:, :4] @ w[:4], rtol=1e-5, atol=1e-5)

    # check_vma: an output claimed replicated must not vary over the axis
    bad = jax.shard_map(lambda xb: xb * 2, mesh=mesh, in_specs=P("d"), out_specs=P())
    with pytest.raises(ValueError, match="replicat"):
        bad(x)
    ok = jax.shard_map(lambda xb: xb[:1] * 0 + 1, mesh=mesh, in_specs=P("d"), out_specs=P(), check_vma=False)
    np.testing.assert_array_equal(np.asarray(ok(x)), np.ones((1, 6), np.float32))
    with pytest.raises(ValueError, match="does not divide"):
        f(rand((6, 6)), w)


def test_shard_map_2d_mesh():
    mesh = jax.make_mesh((2, 2), ("x", "y"))
    a, b = rand((4, 6)), rand((6, 8), 1)

    # Megatron-style: a split on its columns over y, b on rows over y and columns over x
    def block(ab, bb):
        return lax.psum(ab @ bb, "y")
    f = jax.shard_map(block, mesh=mesh, in_specs=(P(None, "y"), P("y", "x")), out_specs=P(None, "x"))
    np.testing.assert_allclose(np.asarray(f(a, b)), a @ b, rtol=1e-5, atol=1e-5)

    idx = jax.shard_map(lambda v: v * 0 + lax.axis_index("x") * 10 + lax.axis_index("y"), mesh=mesh,
                        in_specs=P("x", "y"), out_specs=P("x", "y"))(np.zeros((2, 2), np.int32))
    np.testing.assert_array_equal(np.asarray(idx), [[0, 1], [10, 11]])

    both = jax.shard_map(lambda v: lax.psum(v, ("x", "y")), mesh=mesh, in_specs=P(("x", "y")), out_specs=P())
    np.testing.assert_allclose(np.asarray(both(rand((8,), 2))), rand((8,), 2).reshape(4, 2).sum(0), rtol=1e-5)

    gat = jax.shard_map(lambda v: lax.all_gather(v, "y", axis=1, tiled=True), mesh=mesh, in_specs=P("x", "y"),
                        out_specs=P("x"))
    np.testing.assert_array_equal(np.asarray(gat(rand((4, 4), 16))), rand((4, 4), 16))


def test_jit_with_shardings():
    mesh = jax.make_mesh((NDEV,), ("d",))
    row, rep = NamedSharding(mesh, P("d")), NamedSharding(mesh, P())
    params, x, y = _mlp_problem(n=8)
    step = jax.jit(lambda p, xb, yb: jax.grad(_mlp_loss)(p, xb, yb), in_shardings=(rep, row, row),
                   out_shardings=rep)
    g = step(params, jax.device_put(x, row), jax.device_put(y, row))
    ref = jax.grad(_mlp_loss)(params, x, y)
    for a, b in zip(jax.tree.leaves(g), jax.tree.leaves(ref)):
        assert a.sharding == rep
        np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=1e-5, atol=1e-6)
    with mesh:
        h = jax.jit(lambda v: v * 2, out_shardings=P("d"))(x)
    assert h.sharding == row
    with pytest.raises(ValueError, match="partitioned 4 times"):
        step(params, rand((6, 5)), rand((6, 2)))


def test_collective_executable_splits_at_collectives():
    from jaxish.interpreters import core
    from jaxish.interpreters.staging import trace_to_graph
    from jaxish.distributed.lowering import CollectiveExecutable

    def f(v):
        return [jnp.sin(lax.psum(jnp.exp(v) * 2, "i")) + 1]
    with core.extend_axis_env("i", 2):
        graph, consts = trace_to_graph(f, [core.get_aval(jnp.zeros(3))])
    exe = CollectiveExecutable(graph, "eager")
    kinds = [s[0] for s in exe.steps]
    assert kinds == ["segment", "bucket", "segment"]
    assert "psum" in exe.as_text()

    # data-parallel gradients: adjacent all-reduces of one dtype become one flat all-reduce
    def g(a, b, c):
        s = lax.psum((a * 2, b + 1, c), "i")
        return [s[0] + s[1].sum(), lax.all_gather(s[2], "i")]
    with core.extend_axis_env("i", 2):
        graph, _ = trace_to_graph(g, [core.get_aval(jnp.zeros(3)), core.get_aval(jnp.zeros((2, 3))),
                                      core.get_aval(jnp.zeros(4))])
    exe = CollectiveExecutable(graph, "eager")
    assert [(s[0], len(s[2])) for s in exe.steps] == [("segment", 2), ("bucket", 3), ("segment", 2),
                                                      ("collective", 1)]


# ---- real processes over torch.distributed (gloo) --------------------------------------------------
def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _rank_input(rank, shape=(3, 4)):
    return rand(shape, 100 + rank)


def _consistency_fns(world):
    """Functions of one device's (world, 4) block whose values and gradients must agree between
    real processes (torch.distributed) and one process (vmap over emulated devices)."""
    perm = [(k, (k + 1) % world) for k in range(world)]
    c = rand((4, world), 30)
    return {
        "grad_ppermute": jax.grad(lambda v: jnp.sum(jnp.sin(lax.ppermute(v, "i", perm)) * v)),
        "grad_psum_scatter": jax.grad(lambda v: jnp.sum(lax.psum_scatter(v, "i") ** 2)),
        "grad_all_to_all": jax.grad(lambda v: jnp.sum(lax.all_to_all(v, "i", 0, 1) * c)),
        "grad_pmax": jax.grad(lambda v: jnp.sum(lax.pmax(v, "i") * v)),
        "grad_pmean_tree": lambda v: jax.grad(lambda t: lax.pmean(jnp.sum(t[0] * t[1]), "i"))((v, jnp.cos(v)))[1],
        "jvp_all_gather": lambda v: jax.jvp(lambda u: lax.all_gather(jnp.tanh(u), "i", tiled=True), (v,),
                                            (jnp.ones_like(v),))[1],
    }


def _consistency_input(rank, world):
    return rand((world, 4), 200 + rank)


def _battery(rank, world):
    """Every collective across processes, their gradients, a data-parallel training run."""
    res = {}
    x = _rank_input(rank)[None]  # this process's slice of the mapped axis (1 local device)
    f = jax.pmap(lambda v: (lax.psum(v, "i"), lax.pmean(v, "i"), lax.pmax(v, "i"), lax.pmin(v, "i"),
                            lax.all_gather(v, "i"), lax.all_gather(v, "i", axis=1, tiled=True),
                            lax.axis_index("i"),
                            lax.ppermute(v, "i", [(k, (k + 1) % world) for k in range(world)])), axis_name="i")
    for name, o in zip(["psum", "pmean", "pmax", "pmin", "all_gather", "all_gather_tiled", "axis_index",
                        "ppermute"], f(x)):
        res[name] = np.asarray(o)[0]
    z = rand((world, 2 * world, 3), 7)[rank][None]
    res["psum_scatter"] = np.asarray(jax.pmap(lambda v: lax.psum_scatter(v, "i"), axis_name="i")(
        z[:, :world]))[0]
    res["psum_scatter_tiled"] = np.asarray(jax.pmap(lambda v: lax.psum_scatter(v, "i", tiled=True),
                                                    axis_name="i")(z))[0]
    res["all_to_all"] = np.asarray(jax.pmap(lambda v: lax.all_to_all(v, "i", 0, 1), axis_name="i")(
        z[:, :world]))[0]
    # gradients of collectives
    res["grad_psum"] = np.asarray(jax.pmap(jax.grad(lambda v: lax.psum(jnp.sum(jnp.sin(v)), "i")),
                                           axis_name="i")(x))[0]
    w = rand((world, 3, 4), 8)
    res["grad_all_gather"] = np.asarray(jax.pmap(jax.grad(lambda v: jnp.sum(lax.all_gather(v, "i") * w)),
                                                 axis_name="i")(x))[0]
    for name, fn in _consistency_fns(world).items():
        res[name] = np.asarray(jax.pmap(fn, axis_name="i")(_consistency_input(rank, world)[None]))[0]
    # data-parallel training = single-process training, step for step
    params, xs, ys = _mlp_problem(n=4 * world)
    lr = 0.1

    @jax.jit
    def ref_step(p, xb, yb):
        return jax.tree.map(lambda a, g: a - lr * g, p, jax.grad(_mlp_loss)(p, xb, yb)), _mlp_loss(p, xb, yb)

    def dp(p, xb, yb):
        loss, g = jax.value_and_grad(_mlp_loss)(p, xb, yb)
        g = lax.pmean(g, "b")
        return jax.tree.map(lambda a, d: a - lr * d, p, g), lax.pmean(loss, "b")
    dp_step = jax.pmap(dp, axis_name="b")
    local = jax.tree.map(lambda a: a[None], params)
    ref = params
    diffs, losses = [], []
    for step in range(3):
        xb, yb = xs + step, ys
        rows = slice(rank * 4, rank * 4 + 4)
        local, loss = dp_step(local, xb[rows][None], yb[rows][None])
        ref, ref_loss = ref_step(ref, xb, yb)
        losses.append((float(np.asarray(loss)[0]), float(ref_loss)))
        diffs.append(max(float(np.abs(np.asarray(a)[0] - np.asarray(b)).max())
                         for a, b in zip(jax.tree.leaves(local), jax.tree.leaves(ref))))
    res["dp_losses"] = np.array(losses)
    res["dp_diffs"] = np.array(diffs)
    # shard_map over a 1-d mesh of processes: tensor-parallel matmul with psum
    mesh = Mesh(np.array(jax.devices()), ("d",))
    a, b = rand((4, 2 * world), 9), rand((2 * world, 3), 10)
    tp = jax.shard_map(lambda ab, bb: lax.psum(ab @ bb, "d"), mesh=mesh, in_specs=(P(None, "d"), P("d")),
                       out_specs=P())
    res["shard_map_tp"] = np.asarray(tp(a, b))
    dpm = jax.shard_map(lambda ab: ab * 2, mesh=mesh, in_specs=P("d"), out_specs=P("d"))(rand((2 * world, 3), 11))
    res["shard_map_global_shape"] = np.array(dpm.shape)
    res["shard_map_gathered"] = np.asarray(dpm)  # a collective gather of every process's block
    # jit with shardings across processes
    row = NamedSharding(mesh, P("d"))
    xg = jax.device_put(rand((2 * world, 3), 12), row)
    res["device_put_local"] = np.asarray(xg.addressable_shards[0].data)
    yj = jax.jit(lambda v: jnp.sum(v, axis=0) + v, in_shardings=row, out_shardings=row)(xg)
    res["jit_sharded"] = np.asarray(yj)
    # graphs with collectives run as compiled segments around torch.distributed calls
    from jaxish.runtime.executable import compile_graph
    from jaxish.distributed.lowering import CollectiveExecutable, axis_env, world_axis
    from jaxish.interpreters.staging import trace_to_graph
    from jaxish.interpreters import core
    with axis_env({"i": world_axis("i")}):
        graph, _ = trace_to_graph(lambda v: [jnp.cos(lax.psum(v * 2, "i")) + 1], [core.get_aval(jnp.zeros(3))])
        exe = compile_graph(graph, "cpp", [])
        res["collective_exe"] = np.array([isinstance(exe, CollectiveExecutable)])
        res["collective_exe_out"] = exe.run_tensors([jax.to_torch(jnp.full((3,), float(rank)))])[0].numpy()
        res["collective_exe_cpp"] = np.array(["backend: cpp" in exe.as_text()])
        res["collective_exe_kernels"] = np.array(exe.kernel_count)
    if world == 4:  # a 2-d mesh of processes: sub-groups per mesh axis
        mesh2 = Mesh(np.array(jax.devices()).reshape(2, 2), ("x", "y"))
        a, b = rand((4, 6), 13), rand((6, 8), 14)
        mm = jax.shard_map(lambda ab, bb: lax.psum(ab @ bb, "y"), mesh=mesh2, in_specs=(P(None, "y"), P("y", "x")),
                           out_specs=P(None, "x"))
        res["mesh2d_matmul"] = np.asarray(mm(a, b))
        idx = jax.shard_map(lambda v: v * 0 + lax.axis_index("x") * 10 + lax.axis_index("y"), mesh=mesh2,
                            in_specs=P("x", "y"), out_specs=P("x", "y"))(np.zeros((2, 2), np.int32))
        res["mesh2d_index"] = np.asarray(idx)
        both = jax.shard_map(lambda v: lax.psum(v, ("x", "y")), mesh=mesh2, in_specs=P(("x", "y")), out_specs=P())
        res["mesh2d_psum_both"] = np.asarray(both(rand((8,), 15)))
        gat = jax.shard_map(lambda v: lax.all_gather(v, "y", axis=1, tiled=True), mesh=mesh2, in_specs=P("x", "y"),
                            out_specs=P("x"))
        res["mesh2d_gather_y"] = np.asarray(gat(rand((4, 4), 16)))
    # ranks that disagree on a shape get a clear error, not a hang
    try:
        jax.pmap(lambda v: lax.psum(v, "i"), axis_name="i")(np.ones((1, 2 + rank), np.float32))
        res["mismatch"] = np.array(["no error"])
    except ValueError as e:
        res["mismatch"] = np.array([str(e)])
    return res


def _worker(rank, world, port, queue, job, env):
    try:
        os.environ.update(env)
        os.environ.update(MASTER_ADDR="127.0.0.1", MASTER_PORT=str(port), RANK=str(rank),
                          WORLD_SIZE=str(world), LOCAL_RANK=str(rank), JAXISH_NUM_CPU_DEVICES="1")
        runtime._state.devices = None
        jax.distributed.initialize(timeout=float(os.environ.get("JAXISH_TEST_TIMEOUT", "60")))
        out = job(rank, world)
        queue.put((rank, "ok", out))
        jax.distributed.shutdown()
    except BaseException:  # noqa: BLE001 - report everything to the parent
        queue.put((rank, "error", traceback.format_exc()))


def _spawn(job, world, timeout=240, env=None, wait_for=None):
    # a fork server imports jaxish once, then forks the ranks (fresh interpreters would each pay it)
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(["jaxish", __name__])
    queue = ctx.Queue()
    port = _free_port()
    procs = [ctx.Process(target=_worker, args=(r, world, port, queue, job, env or {}), daemon=True)
             for r in range(world)]
    for p in procs:
        p.start()
    results, deadline = {}, time.monotonic() + timeout
    wanted = set(range(world) if wait_for is None else wait_for)
    try:
        while not wanted <= set(results) and time.monotonic() < deadline:
            try:
                rank, status, payload = queue.get(timeout=1.0)
            except Exception:  # noqa: BLE001 - queue.Empty
                if all(not p.is_alive() for p in procs) and queue.empty():
                    break
                continue
            results[rank] = (status, payload)
    finally:
        for p in procs:
            p.join(timeout=5 if wait_for is None else 0.5)
            if p.is_alive():
                p.kill()
    return results


def _check_battery(results, world):
    assert sorted(results) == list(range(world)), results
    for r in range(world):
        assert results[r][0] == "ok", results[r][1]
    stacked = np.stack([_consistency_input(r, world) for r in range(world)])
    for name, fn in _consistency_fns(world).items():
        one_process = np.asarray(jax.pmap(fn, axis_name="i")(stacked))
        for r in range(world):
            np.testing.assert_allclose(results[r][1][name], one_process[r], rtol=1e-5, atol=1e-6, err_msg=name)
    xs = np.stack([_rank_input(r) for r in range(world)])
    z = rand((world, 2 * world, 3), 7)
    w = rand((world, 3, 4), 8)
    for r in range(world):
        res = results[r][1]
        np.testing.assert_allclose(res["psum"], xs.sum(0), rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(res["pmean"], xs.mean(0), rtol=1e-5, atol=1e-6)
        np.testing.assert_array_equal(res["pmax"], xs.max(0))
        np.testing.assert_array_equal(res["pmin"], xs.min(0))
        np.testing.assert_array_equal(res["all_gather"], xs)
        np.testing.assert_array_equal(res["all_gather_tiled"], np.concatenate(list(xs), axis=1))
        assert res["axis_index"] == r
        np.testing.assert_array_equal(res["ppermute"], xs[(r - 1) % world])
        np.testing.assert_allclose(res["psum_scatter"], z[:, :world].sum(0)[r], rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(res["psum_scatter_tiled"], z.sum(0)[2 * r:2 * r + 2], rtol=1e-5, atol=1e-6)
        np.testing.assert_array_equal(res["all_to_all"], z[:, :world][:, r].T)
        np.testing.assert_allclose(res["grad_psum"], np.cos(xs[r]) * world, rtol=1e-5)
        # transpose of all_gather is psum_scatter: device r collects sum over devices of w[r]
        np.testing.assert_allclose(res["grad_all_gather"], w[r] * world, rtol=1e-5)
        losses = res["dp_losses"]
        np.testing.assert_allclose(losses[:, 0], losses[:, 1], rtol=1e-5)
        assert res["dp_diffs"].max() < 1e-5, res["dp_diffs"]
        a, b = rand((4, 2 * world), 9), rand((2 * world, 3), 10)
        np.testing.assert_allclose(res["shard_map_tp"], a @ b, rtol=1e-5, atol=1e-5)
        assert tuple(res["shard_map_global_shape"]) == (2 * world, 3)
        np.testing.assert_allclose(res["shard_map_gathered"], 2 * rand((2 * world, 3), 11), rtol=1e-6)
        xg = rand((2 * world, 3), 12)
        np.testing.assert_array_equal(res["device_put_local"], xg[2 * r:2 * r + 2])
        np.testing.assert_allclose(res["jit_sharded"], xg.sum(0) + xg, rtol=1e-5, atol=1e-6)
        assert res["collective_exe"][0]
        if res["collective_exe_cpp"][0]:  # fused kernels on either side of the all-reduce
            assert int(res["collective_exe_kernels"]) >= 2
        if world == 4:
            np.testing.assert_allclose(res["mesh2d_matmul"], rand((4, 6), 13) @ rand((6, 8), 14), rtol=1e-5,
                                       atol=1e-5)
            np.testing.assert_array_equal(res["mesh2d_index"], [[0, 1], [10, 11]])
            np.testing.assert_allclose(res["mesh2d_psum_both"], rand((8,), 15).reshape(4, 2).sum(0), rtol=1e-5)
            np.testing.assert_array_equal(res["mesh2d_gather_y"], rand((4, 4), 16))
        np.testing.assert_allclose(res["collective_exe_out"],
                                   np.cos(np.full(3, 2.0 * sum(range(world)))) + 1, rtol=1e-5)
        msg = str(res["mismatch"][0])
        assert "disagree" in msg and "f32[2]" in msg and "f32[3]" in msg and "rank 1" in msg, msg


def test_two_gloo_processes_collectives_grads_and_training():
    world = 2
    _check_battery(_spawn(_battery, world), world)


@pytest.mark.slow
def test_four_gloo_processes():
    world = 4
    _check_battery(_spawn(_battery, world, timeout=600), world)


def _fault_job(rank, world):
    """Rank 1 dies (or hangs) before the second all-reduce; the others must fail, not hang."""
    f = jax.pmap(lambda v: lax.psum(v, "i"), axis_name="i")
    f(np.ones((1, 3), np.float32))  # one good step
    mode = os.environ["JAXISH_TEST_FAULT"]
    if rank == 1:
        if mode == "die":
            os._exit(3)
        time.sleep(20)  # hang: never joins the collective (killed by the parent once rank 0 reports)
        os._exit(0)
    t0 = time.monotonic()
    try:
        f(np.ones((1, 3), np.float32))
        return {"error": None}
    except jax.distributed.CollectiveError as e:
        return {"error": str(e), "seconds": time.monotonic() - t0}


@pytest.mark.slow
@pytest.mark.parametrize("mode", ["die", "hang"])
def test_dead_or_hung_rank_makes_others_fail_with_timeout_error(mode):
    results = _spawn(_fault_job, 2, timeout=120, env={"JAXISH_TEST_FAULT": mode, "JAXISH_TEST_TIMEOUT": "4"},
                     wait_for=[0])
    status, res = results[0]
    assert status == "ok", res
    assert res["error"] is not None
    assert "psum" in res["error"] and "missing ranks: [1]" in res["error"], res["error"]
    assert res["seconds"] < 4 + 3 + 5


@pytest.mark.slow
def test_example_data_parallel_one_process_and_torchrun():
    root = pathlib.Path(__file__).resolve().parents[1]
    script = str(root / "examples" / "data_parallel.py")
    args = ["--steps", "4", "--sizes", "32,64,10", "--batch", "64", "--check"]
    env = dict(os.environ, JAXISH_NUM_CPU_DEVICES="4", PYTHONPATH=str(root))
    one = subprocess.run([sys.executable, script] + args, env=env, capture_output=True, text=True, timeout=300)
    assert one.returncode == 0, one.stdout + one.stderr
    assert "4 device(s) over 1 process(es)" in one.stdout and "step   3" in one.stdout
    env.pop("JAXISH_NUM_CPU_DEVICES")
    two = subprocess.run([sys.executable, "-m", "torch.distributed.run", "--nproc_per_node=2",
                          f"--master_port={_free_port()}", script] + args,
                         env=env, capture_output=True, text=True, timeout=300)
    assert two.returncode == 0, two.stdout + two.stderr
    assert "2 device(s) over 2 process(es)" in two.stdout and "step   3" in two.stdout
    loss = lambda out: [float(ln.split()[3]) for ln in out.splitlines() if ln.startswith("step")]  # noqa: E731
    np.testing.assert_allclose(loss(one.stdout), loss(two.stdout), rtol=1e-5)  # 4 emulated devices = 2 processes


def test_partition_spec_repr_as_jax():
    from jaxish.sharding import PartitionSpec as P
    assert [repr(P("x")), str(P("x", None)), repr(P()), repr(P(("a", "b"), None)), repr(P(None))] == \
        ["P('x',)", "P('x', None)", "P()", "P(('a', 'b'), None)", "P(None,)"]   # JAX 0.10.2
