"""CUDA-graph replay of a Triton executable's launcher.

A jitted training step of small matrices is host-bound on a big GPU: on the H200 the transformer
block step spent 0.41 ms on the device and 1.4 ms issuing its 19 kernels and 24 matmuls from
Python. After a warm-up, the launcher's work is captured once into a CUDA graph; a call then
copies its inputs into the graph's input buffers (one `_foreach_copy_`), replays the graph, and
copies the outputs into fresh tensors (jaxish arrays are immutable, so the graph's own output
buffers, rewritten by the next replay, are never handed out). Inputs that were the same tensor
objects on every warm-up call (a jitted function's captured constants) are captured in place;
a call that passes another tensor there runs the plain launcher.

The copies cost device time, so by default (JAXISH_CUDA_GRAPHS=auto) the graph is kept only when
a timed trial of both paths, right after the capture, shows the replay faster; =1 keeps it
whenever the capture works, =0 never captures. Anything that cannot be captured (a
host-to-device copy inside the launcher, say) leaves the plain launcher in place."""
import logging
import os
import statistics
import threading
import time

import torch

log = logging.getLogger("jaxish.triton")

WARM_CALLS = 2     # plain calls before the capture (kernels compiled, tuned and kept by then)
stats = {"captured": 0, "kept": 0}   # graphs captured, and kept after the trial (tests read it)


def mode():
    m = os.environ.get("JAXISH_CUDA_GRAPHS", "auto").strip().lower()
    return m if m in ("0", "1", "auto") else "auto"


class CudaGraphs:
    """The capture and replay primitives (torch.cuda.CUDAGraph); tests use a fake on CPU."""

    def __init__(self, device):
        self.device = device

    def sync(self):
        torch.cuda.synchronize(self.device)

    def capture(self, fn, args):
        """Run fn(args) once on a side stream (first-use work: cuBLAS workspaces, lazy module
        loading), then capture it; returns (replay, outputs of the captured run)."""
        with torch.cuda.device(self.device):
            cur = torch.cuda.current_stream(self.device)
            side = torch.cuda.Stream(self.device)
            side.wait_stream(cur)
            with torch.cuda.stream(side):
                fn(args)
            cur.wait_stream(side)
            g = torch.cuda.CUDAGraph()
            with torch.cuda.graph(g):
                outs = fn(args)
        return g.replay, outs


def graphed(run, device, lock, guard=None, api=None, warm=WARM_CALLS, how=None):
    """run(ts) with CUDA-graph replay once warm (see the module doc); `guard` is the launcher's
    (current_device_fn, device index)."""
    how = how or mode()
    if how == "0":
        return run
    api = api or CudaGraphs(device)
    impl = [None]
    seen = []
    deciding = threading.Lock()

    def warm_run(ts):
        if not deciding.acquire(False):     # another thread is capturing
            return run(ts)
        try:
            if impl[0] is not warm_run:
                return impl[0](ts)
            seen.append(list(ts))
            if len(seen) <= warm:
                return run(ts)
            chosen = run
            try:
                chosen = _build(run, device, lock, guard, api, seen, how)
            except Exception as e:  # noqa: BLE001 - no graph: the plain launcher goes on
                log.info("cuda graph not used: %s", e)
            seen.clear()
            impl[0] = chosen
        finally:
            deciding.release()
        return chosen(ts)
    impl[0] = warm_run
    return lambda ts: impl[0](ts)


def _eligible(t, device):
    return type(t) is torch.Tensor and t.device == device and t.is_contiguous()


def _build(run, device, lock, guard, api, seen, how):
    ts = seen[-1]
    if not all(_eligible(t, device) for t in ts):
        raise ValueError("an input is not a contiguous tensor on the device")
    same = [all(s[i] is t for s in seen) for i, t in enumerate(ts)]
    static = [t if keep else torch.empty_like(t) for t, keep in zip(ts, same)]
    copy_pos = [i for i, keep in enumerate(same) if not keep]
    kept = [(i, t) for i, t in enumerate(ts) if same[i]]
    dst = [static[i] for i in copy_pos]
    if dst:
        torch._foreach_copy_(dst, [ts[i] for i in copy_pos])
    replay_graph, outs = api.capture(run, static)
    stats["captured"] += 1
    outs = list(outs)
    if not outs or not all(type(o) is torch.Tensor for o in outs):
        raise ValueError("no outputs, or an output that is not a tensor")
    foreach_copy, empty_like = torch._foreach_copy_, torch.empty_like
    cur, di = guard if guard is not None else (None, None)

    def replay(ts):
        for i, t in kept:
            if ts[i] is not t:
                return run(ts)
        src = [ts[i] for i in copy_pos]
        for t in src:
            if type(t) is not torch.Tensor or t.device != device:
                return run(ts)
        if cur is not None and cur() != di:
            return run(ts)
        if not lock.acquire(False):
            return run(ts)
        try:
            if src:
                foreach_copy(dst, src)
            replay_graph()
            res = [empty_like(o) for o in outs]
            foreach_copy(res, outs)
        finally:
            lock.release()
        return res

    if how == "auto":
        t_plain = _time(api, run, ts)
        t_graph = _time(api, replay, ts)
        log.info("cuda graph trial: plain %.1f us, graph %.1f us", t_plain * 1e6, t_graph * 1e6)
        if not t_graph < 0.95 * t_plain:
            return run
    stats["kept"] += 1
    return replay


def _time(api, fn, ts, reps=5):
    out = []
    for _ in range(reps):
        api.sync()
        t0 = time.perf_counter()
        fn(ts)
        api.sync()
        out.append(time.perf_counter() - t0)
    return statistics.median(out)
