"""The CUDA-graph wrapper of GPU launchers (jaxish/codegen_triton/graphs.py), driven on CPU with a
fake capture/replay around a compiled (cpp) executable's launcher: warm-up, inputs copied into
the graph's buffers, constants kept in place, fresh outputs on every call, and the fallbacks to
the plain launcher. The real capture runs in tests/test_gpu.py."""
import threading

import numpy as np
import pytest
import torch

import jaxish as jax
import jaxish.numpy as jnp
from jaxish.codegen_triton import graphs


class FakeGraphs:
    """capture(fn, args): runs fn once; replay runs it again on the same argument list and
    writes the results into the captured outputs, as a CUDA graph rewrites its buffers."""

    def __init__(self, fail=False):
        self.captures = 0
        self.replays = 0
        self.fail = fail

    def sync(self):
        pass

    def capture(self, fn, args):
        if self.fail:
            raise RuntimeError("operation not permitted when stream is capturing")
        self.captures += 1
        outs = fn(args)

        def replay():
            self.replays += 1
            for o, n in zip(outs, fn(args)):
                o.copy_(n)
        return replay, outs


def _step(w, b, x):
    h = jnp.tanh(x @ w + b)
    return w - 0.1 * (x.T @ h), jnp.sum(h * h)


def _setup(how="1", fail=False, warm=2):
    rng = np.random.default_rng(0)
    w = torch.from_numpy(rng.standard_normal((4, 4)).astype(np.float32))
    b = torch.from_numpy(rng.standard_normal(4).astype(np.float32))
    exe = jax.jit(_step, backend="cpp").lower(jnp.asarray(w.numpy()), jnp.asarray(b.numpy()),
                                              jnp.asarray(w.numpy()[:3])).compile().executable
    api = FakeGraphs(fail)
    run = graphs.graphed(exe.run_tensors, torch.device("cpu"), exe._lock, api=api, warm=warm, how=how)
    return exe, api, run, w, b, rng


def _want(w, b, x):
    h = np.tanh(x @ w + b)
    return [w - 0.1 * (x.T @ h), np.sum(h * h)]


def _check(got, w, b, x):
    for g, e in zip(got, _want(w.numpy(), b.numpy(), x.numpy())):
        np.testing.assert_allclose(g.numpy(), e, rtol=1e-5, atol=1e-5)


def test_replays_after_warm_up_with_fresh_outputs_and_new_inputs():
    exe, api, run, w, b, rng = _setup()
    xs = [torch.from_numpy(rng.standard_normal((3, 4)).astype(np.float32)) for _ in range(6)]
    outs = []
    for i, x in enumerate(xs):
        got = run([w, b, x])
        _check(got, w, b, x)
        outs.append(got)
        assert api.captures == (1 if i >= 2 else 0)
    assert api.replays == 4          # call 3 captures, then replays like calls 4-6
    # every call's outputs are its own tensors: later replays did not overwrite earlier results
    for x, got in zip(xs, outs):
        _check(got, w, b, x)
    ptrs = {o.data_ptr() for got in outs for o in got}
    assert len(ptrs) == 2 * len(outs)


def test_constant_inputs_are_captured_in_place_and_a_new_one_runs_plain():
    exe, api, run, w, b, rng = _setup()
    x = torch.from_numpy(rng.standard_normal((3, 4)).astype(np.float32))
    for _ in range(4):
        run([w, b, x.clone()])      # w and b the same objects on every call: kept in place
    assert api.captures == 1 and api.replays == 2
    w2 = w * 2
    got = run([w2, b, x])           # another tensor where a kept one was: the plain launcher
    _check(got, w2, b, x)
    assert api.replays == 2
    got = run([w, b, x * 3])
    _check(got, w, b, x * 3)
    assert api.replays == 3


def test_inputs_that_cannot_be_copied_take_the_plain_launcher():
    x = torch.arange(6, dtype=torch.float32).reshape(2, 3)
    exe = jax.jit(lambda x, s: jnp.sin(x) * s, backend="cpp").lower(
        jnp.asarray(x.numpy()), jnp.float32(2.0)).compile().executable
    api = FakeGraphs()
    run = graphs.graphed(exe.run_tensors, torch.device("cpu"), exe._lock, api=api, how="1")
    for i in range(3):
        run([x.clone(), torch.tensor(float(i), dtype=torch.float32)])
    assert api.captures == 1 and api.replays == 1
    got = run([x.clone(), 3.0])       # a Python scalar: nothing to copy into the graph's buffer
    np.testing.assert_allclose(got[0].numpy(), np.sin(x.numpy()) * 3.0, rtol=1e-6)
    assert api.replays == 1
    got = run([x.clone(), torch.tensor(4.0)])
    np.testing.assert_allclose(got[0].numpy(), np.sin(x.numpy()) * 4.0, rtol=1e-6)
    assert api.replays == 2


def test_failed_capture_and_mode_zero_keep_the_plain_launcher():
    exe, api, run, w, b, rng = _setup(fail=True)
    x = torch.from_numpy(rng.standard_normal((3, 4)).astype(np.float32))
    for _ in range(5):
        _check(run([w, b, x]), w, b, x)
    assert api.captures == 0
    assert graphs.graphed(exe.run_tensors, torch.device("cpu"), exe._lock, how="0") is exe.run_tensors


def test_non_contiguous_input_at_capture_time_keeps_the_plain_launcher():
    exe, api, run, w, b, rng = _setup()
    x = torch.from_numpy(rng.standard_normal((4, 3)).astype(np.float32)).T
    for _ in range(4):
        _check(run([w, b, x]), w, b, x)
    assert api.captures == 0


def test_auto_mode_keeps_the_faster_path(monkeypatch):
    times = iter([1.0, 0.5])         # plain, then graph: the graph wins
    monkeypatch.setattr(graphs, "_time", lambda api, fn, ts, reps=5: next(times))
    exe, api, run, w, b, rng = _setup(how="auto")
    x = torch.from_numpy(rng.standard_normal((3, 4)).astype(np.float32))
    for _ in range(4):
        _check(run([w, b, x.clone()]), w, b, x)
    assert api.replays == 2          # the chosen path's call 3 replays, and call 4
    times = iter([1.0, 0.99])        # no clear win: plain
    exe, api, run, w, b, rng = _setup(how="auto")
    for _ in range(4):
        _check(run([w, b, x.clone()]), w, b, x)
    assert api.replays == 0


def test_a_held_lock_runs_plain():
    exe, api, run, w, b, rng = _setup()
    x = torch.from_numpy(rng.standard_normal((3, 4)).astype(np.float32))
    for _ in range(3):
        run([w, b, x.clone()])
    lock = exe._lock
    assert lock.acquire(False)
    try:
        result = []
        t = threading.Thread(target=lambda: result.append(run([w, b, x.clone()])))
        t.start()
        t.join()
        _check(result[0], w, b, x)
        assert api.replays == 1      # only call 3's; the replay needs the executable's lock; the plain path went on
    finally:
        lock.release()


@pytest.mark.parametrize("value,expected", [("0", "0"), ("1", "1"), ("auto", "auto"), ("bogus", "auto")])
def test_mode_from_environment(monkeypatch, value, expected):
    monkeypatch.setenv("JAXISH_CUDA_GRAPHS", value)
    assert graphs.mode() == expected


def test_programs_calling_back_into_python_are_never_captured():
    """A capture and the timed trial run the launcher again: a debug.print or io_callback would
    fire extra times, so executables with host callbacks keep the plain launcher."""
    def printing(x):
        jax.debug.print("x {}", x)
        return x * 2

    def calling(x):
        return jax.pure_callback(lambda v: np.asarray(v), jax.ShapeDtypeStruct((3,), jnp.float32), x) + 1
    for f, has in ((printing, True), (calling, True), (lambda x: jnp.sin(x) * x, False)):
        exe = jax.jit(f, backend="triton").lower(jnp.ones(3)).compile().executable
        assert exe._host_effects() is has
