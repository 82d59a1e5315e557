"""Collectives across processes: the torch.distributed side of lax's collective primitives.

A named axis that spans processes is a `DistAxis` (its size, this process's index on it, and
the process group of the processes along it). `axis_env` binds such axes for a block: the
collective primitives' abstract rules see their sizes (core.extend_axis_env) and their
`impl` dispatches to `distributed_impl`, a torch.distributed call. Jitted graphs with
collectives run as `CollectiveExecutable`: compiled segments (fused kernels) with the
collectives as extern calls between them.

Every collective waits at most the configured timeout (jaxish.distributed.initialize(timeout=),
JAXISH_COLLECTIVE_TIMEOUT); a peer that died or never joined makes the others raise
`CollectiveError` naming the collective and the missing ranks. The first time a process runs a
collective of a given kind and shape, the ranks compare shapes and dtypes and raise ValueError
on a mismatch instead of hanging or exchanging garbage."""
import contextlib
import os
import zlib
import datetime
import threading
import time

import numpy as np
import torch

from .. import dtypes
from ..interpreters import core
from ..ir.graph import Var, Literal, Eqn, Graph, subgraphs_of
from ..lax import collectives as C
from . import runtime


class CollectiveError(RuntimeError):
    """A collective across processes failed or timed out (a peer died, hung, or diverged)."""


# ---- axes that span processes -------------------------------------------------------------------
class DistAxis:
    """A named axis over processes: `ranks` are the global ranks along it, in axis order.
    Axes made from a mesh remember the mesh's rank array and their dimension in it."""
    __slots__ = ("name", "ranks", "index", "group", "mesh_ranks", "dims")

    def __init__(self, name, ranks, group, mesh_ranks=None, dims=None):
        self.name = name
        self.ranks = tuple(int(r) for r in ranks)
        self.index = self.ranks.index(runtime.process_index())
        self.group = group
        self.mesh_ranks = mesh_ranks
        self.dims = dims

    @property
    def size(self):
        return len(self.ranks)

    def __repr__(self):
        return f"DistAxis({self.name!r}, ranks={self.ranks})"


_groups = {}  # tuple of ranks -> ProcessGroup (None for the whole world)
_products = {}


def clear():
    _groups.clear()
    _products.clear()


def process_group(ranks, family):
    """The group for `ranks` (axis order). `family` lists every group of the same partition so
    all processes create them in the same order (torch requires each rank to join each new_group)."""
    import torch.distributed as dist
    ranks = tuple(ranks)
    if ranks == tuple(range(runtime.process_count())):
        return None
    if ranks not in _groups:
        for rs in family:
            rs = tuple(rs)
            if rs in _groups:
                continue
            try:
                _groups[rs] = dist.new_group(list(rs), sort_ranks=False)
            except TypeError:
                _groups[rs] = dist.new_group(list(rs))
    return _groups[ranks]


def world_axis(name):
    return DistAxis(name, range(runtime.process_count()), None)


def _lines(mesh_ranks, dims):
    """Partition of the mesh's ranks into lines along `dims` (row-major over them), and mine."""
    nd = mesh_ranks.ndim
    moved = np.moveaxis(mesh_ranks, dims, list(range(nd - len(dims), nd)))
    k = int(np.prod([mesh_ranks.shape[d] for d in dims]))
    family = [tuple(int(r) for r in row) for row in moved.reshape(-1, k)]
    me = runtime.process_index()
    mine = next(f for f in family if me in f)
    return family, mine


def mesh_axes(mesh, names=None):
    """A DistAxis per mesh axis (creating the process groups along each)."""
    ranks = np.vectorize(lambda d: d.process_index, otypes=[int])(mesh.devices)
    me = runtime.process_index()
    if int((ranks == me).sum()) != 1:
        raise ValueError(f"process {me} must own exactly one device of {mesh} (one process per device), "
                         f"owns {int((ranks == me).sum())}")
    out = {}
    for k, name in enumerate(mesh.axis_names):
        if names is not None and name not in names:
            continue
        family, mine = _lines(ranks, [k])
        out[name] = DistAxis(name, mine, process_group(mine, family), ranks, (k,))
    return out


class _Bound(threading.local):
    def __init__(self):
        self.axes = {}


_bound = _Bound()


@contextlib.contextmanager
def axis_env(axes):
    """Bind {name: DistAxis} for the block: sizes for tracing, process groups for running."""
    prev = _bound.axes
    _bound.axes = {**prev, **axes}
    try:
        with contextlib.ExitStack() as stack:
            for name, ax in axes.items():
                stack.enter_context(core.extend_axis_env(name, ax.size))
            yield
    finally:
        _bound.axes = prev


@contextlib.contextmanager
def staged():
    """Collectives across processes need traced operands (lax treats a concrete value as equal on
    every lane), so the per-process program is always staged, even under jax.disable_jit()."""
    from ..api import disable_jit
    with disable_jit(False):
        yield


def bound_axes():
    return dict(_bound.axes)


def _lookup(names):
    """One DistAxis for a tuple of bound names (their row-major product), or None if unbound."""
    axes = [_bound.axes.get(n) for n in names]
    if any(a is None for a in axes):
        return None
    if len(axes) == 1:
        return axes[0]
    mr = axes[0].mesh_ranks
    if mr is None or any(a.mesh_ranks is not mr for a in axes):
        raise NotImplementedError(f"collective over axes {names} that do not belong to one mesh")
    dims = tuple(d for a in axes for d in a.dims)
    key = (id(mr), dims)
    hit = _products.get(key)
    if hit is None:
        family, mine = _lines(mr, list(dims))
        hit = _products[key] = DistAxis(tuple(names), mine, process_group(mine, family), mr, dims)
    return hit


# ---- running one collective with a timeout ------------------------------------------------------
_seq = [0]


def _wait(work, what, ax):
    timeout = runtime.default_timeout()
    t0 = time.monotonic()
    try:
        ok = work.wait(timeout=datetime.timedelta(seconds=timeout))
        if ok is False:
            raise RuntimeError("timed out")
    except CollectiveError:
        raise
    except Exception as e:  # noqa: BLE001 - gloo/nccl raise RuntimeError subclasses of many kinds
        waited = time.monotonic() - t0
        missing = _missing_ranks(ax)
        who = (f"missing ranks: {missing}" if missing else "missing ranks: unknown")
        raise CollectiveError(
            f"collective {what} over axis {ax.name!r} (ranks {list(ax.ranks)}) did not complete on rank "
            f"{runtime.process_index()} after {waited:.1f}s (timeout {timeout:g}s); {who}. "
            f"Cause: {str(e).splitlines()[0][:300]}") from None


def _missing_ranks(ax):
    """Ranks of `ax` that do not answer: each survivor posts to the job's store, waits briefly."""
    try:
        from torch.distributed import distributed_c10d as c10d
        store = c10d._get_default_store()
        tag = f"jaxish/alive/{_seq[0]}"
        store.set(f"{tag}/{runtime.process_index()}", b"1")
        deadline = time.monotonic() + min(3.0, runtime.default_timeout())
        pending = [r for r in ax.ranks if r != runtime.process_index()]
        while pending and time.monotonic() < deadline:
            pending = [r for r in pending if not store.check([f"{tag}/{r}"])]
            if pending:
                time.sleep(0.05)
        return pending
    except Exception:  # noqa: BLE001 - the store lives in rank 0's process; it may be gone
        return [r for r in ax.ranks if r == 0 and runtime.process_index() != 0] or None


class _Checks(threading.local):
    def __init__(self):
        self.suspended = False  # set while an executable whose program was verified as a whole runs


_checks = _Checks()


def checks_enabled():
    """Ranks compare what they are about to exchange (JAXISH_CHECK_COLLECTIVES=0 turns it off)."""
    return os.environ.get("JAXISH_CHECK_COLLECTIVES", "1").lower() not in ("0", "false", "off")


def _exchange_descriptors(text, ax, what):
    """All ranks of `ax` compare `text` (shapes, dtypes, parameters of what they are about to do):
    ValueError naming each rank's version on a mismatch, instead of a hang or garbage."""
    import torch.distributed as dist
    dev = torch.device("cuda", torch.cuda.current_device()) if runtime._state.backend == "nccl" else "cpu"
    desc = torch.tensor([zlib.crc32(text.encode()), len(text)], dtype=torch.int64, device=dev)
    out = torch.empty((ax.size * 2,), dtype=torch.int64, device=dev)
    _seq[0] += 1
    _wait(_all_gather_flat(out, desc, ax.group), f"{what} (agreement check)", ax)
    rows = out.reshape(ax.size, 2).cpu().tolist()
    if any(r != rows[0] for r in rows):
        texts = [None] * ax.size
        dist.all_gather_object(texts, text, group=ax.group)
        raise ValueError(f"collective {what} over axis {ax.name!r}: ranks disagree on the shapes, dtypes or "
                         f"parameters of their collectives: " +
                         "; ".join(f"rank {r}: {t}" for r, t in zip(ax.ranks, texts)))


def _check_agreement(what, ax, t, params_key):
    if _checks.suspended or not checks_enabled():
        return
    dt = str(t.dtype).replace("torch.", "")
    extra = "" if params_key is None else f" {params_key}"
    _exchange_descriptors(f"{what}{extra} {dt}{list(t.shape)}", ax, what)


def _prep(x):
    if not isinstance(x, torch.Tensor):
        x = torch.as_tensor(x)
    return x.contiguous()


def _all_gather_flat(out, flat, group):
    import torch.distributed as dist
    ag = getattr(dist, "all_gather_single", None) or dist.all_gather_into_tensor
    return ag(out, flat, group=group, async_op=True)


def _all_reduce(x, op, ax, what):
    import torch.distributed as dist
    y = _prep(x).clone()
    _check_agreement(what, ax, y, None)
    _seq[0] += 1
    orig = y.dtype
    if y.dtype == torch.bool:
        y = y.to(torch.int32)
    _wait(dist.all_reduce(y, op=op, group=ax.group, async_op=True), what, ax)
    return y.to(orig) if y.dtype != orig else y


def _gather_stack(x, ax, what):
    """(size, *x.shape): every rank's x, in axis order."""
    x = _prep(x)
    _check_agreement(what, ax, x, None)
    flat = x.reshape(-1)
    out = torch.empty((ax.size * flat.numel(),), dtype=x.dtype, device=x.device)
    _seq[0] += 1
    if flat.numel():
        _wait(_all_gather_flat(out, flat, ax.group), what, ax)
    return out.reshape((ax.size,) + tuple(x.shape))


# ---- distributed impls, one per collective primitive ------------------------------------------
def _reduce_impl(op_name):
    def impl(x, axes, axis_index_groups=None):
        import torch.distributed as dist
        if axis_index_groups is not None:
            raise NotImplementedError(f"{op_name} with axis_index_groups across processes")
        op = {"psum": dist.ReduceOp.SUM, "pmax": dist.ReduceOp.MAX, "pmin": dist.ReduceOp.MIN}[op_name]
        y = x
        for n in axes:
            y = _all_reduce(y, op, _lookup((n,)), op_name)
        return y
    return impl


def _all_gather_impl(x, all_gather_dimension, axis_name, axis_index_groups, axis_size, tiled):
    if axis_index_groups is not None:
        raise NotImplementedError("all_gather with axis_index_groups across processes")
    ax = _lookup(axis_name)
    g = _gather_stack(x, ax, "all_gather")
    g = torch.movedim(g, 0, all_gather_dimension)
    if tiled:
        shp = list(g.shape)
        shp[all_gather_dimension:all_gather_dimension + 2] = [shp[all_gather_dimension] *
                                                              shp[all_gather_dimension + 1]]
        g = g.reshape(shp)
    return g.contiguous()


def _reduce_scatter_impl(x, scatter_dimension, axis_name, axis_index_groups, axis_size, tiled):
    import torch.distributed as dist
    if axis_index_groups is not None:
        raise NotImplementedError("psum_scatter with axis_index_groups across processes")
    ax = _lookup(axis_name)
    n = ax.size
    x = _prep(x)
    _check_agreement("psum_scatter", ax, x, (scatter_dimension, tiled))
    front = torch.movedim(x, scatter_dimension, 0).contiguous()
    block = front.shape[0] // n
    out = torch.empty((block,) + tuple(front.shape[1:]), dtype=x.dtype, device=x.device)
    _seq[0] += 1
    if out.numel():
        rs = getattr(dist, "reduce_scatter_single", None) or dist.reduce_scatter_tensor
        _wait(rs(out, front, group=ax.group, async_op=True), "psum_scatter", ax)
    if not tiled:
        out = out.reshape(tuple(front.shape[1:]))
        return out.contiguous()
    return torch.movedim(out, 0, scatter_dimension).contiguous()


def _all_to_all_impl(x, axis_name, split_axis, concat_axis, axis_index_groups, tiled):
    import torch.distributed as dist
    if axis_index_groups is not None:
        raise NotImplementedError("all_to_all with axis_index_groups across processes")
    ax = _lookup(axis_name)
    n = ax.size
    x = _prep(x)
    _check_agreement("all_to_all", ax, x, (split_axis, concat_axis))
    shp = tuple(x.shape)
    # chunks along split_axis, chunk k goes to axis index k
    parts = x.reshape(shp[:split_axis] + (n, shp[split_axis] // n) + shp[split_axis + 1:])
    send = torch.movedim(parts, split_axis, 0).contiguous()
    recv = torch.empty_like(send)
    _seq[0] += 1
    if send.numel():
        _wait(dist.all_to_all_single(recv, send, group=ax.group, async_op=True), "all_to_all", ax)
    # recv[j] = chunk from source j; stack sources along concat_axis (of the chunk-shaped array)
    chunk_shape = list(shp)
    chunk_shape[split_axis] //= n
    y = torch.movedim(recv, 0, concat_axis)  # (..., n, chunk[concat_axis], ...)
    out_shape = list(chunk_shape)
    out_shape[concat_axis] *= n
    return y.reshape(out_shape).contiguous()


def _ppermute_impl(x, axis_name, perm):
    import torch.distributed as dist
    ax = _lookup(axis_name)
    me = ax.index
    x = _prep(x)
    _check_agreement("ppermute", ax, x, tuple(perm))
    out = torch.zeros_like(x)
    ops = []
    for s, t in perm:
        if s == me and t == me:
            out = x.clone()
        elif s == me:
            ops.append(dist.P2POp(dist.isend, x, ax.ranks[t], group=ax.group))
        elif t == me:
            ops.append(dist.P2POp(dist.irecv, out, ax.ranks[s], group=ax.group))
    _seq[0] += 1
    if ops and x.numel():
        for w in dist.batch_isend_irecv(ops):
            _wait(w, "ppermute", ax)
    return out


def _axis_index_impl(axis_name):
    ax = _lookup((axis_name,))
    from ..config import default_device
    return torch.tensor(ax.index, dtype=torch.int32, device=default_device())


_DIST_IMPLS = {
    C.psum_p: _reduce_impl("psum"),
    C.pmax_p: _reduce_impl("pmax"),
    C.pmin_p: _reduce_impl("pmin"),
    C.all_gather_p: _all_gather_impl,
    C.reduce_scatter_p: _reduce_scatter_impl,
    C.all_to_all_p: _all_to_all_impl,
    C.ppermute_p: _ppermute_impl,
    C.axis_index_p: _axis_index_impl,
}


def _names_of(params):
    n = params.get("axes", params.get("axis_name"))
    return tuple(n) if isinstance(n, (tuple, list)) else (n,)


class CollectiveStats:
    """Time and bytes spent in collectives across processes (for benchmarks and profiling)."""

    def __init__(self):
        self.reset()

    def reset(self):
        self.calls = 0
        self.seconds = 0.0
        self.bytes = 0
        self.by_name = {}

    def add(self, name, seconds, nbytes):
        self.calls += 1
        self.seconds += seconds
        self.bytes += nbytes
        c, t = self.by_name.get(name, (0, 0.0))
        self.by_name[name] = (c + 1, t + seconds)

    def __repr__(self):
        return (f"CollectiveStats(calls={self.calls}, seconds={self.seconds:.4f}, bytes={self.bytes}, "
                f"by_name={self.by_name})")


collective_stats = CollectiveStats()


def _dispatching_impl(prim, fallback):
    def impl(*args, **params):
        if _bound.axes and all(n in _bound.axes for n in _names_of(params)):
            t0 = time.perf_counter()
            out = prim.distributed_impl(*args, **params)
            nbytes = sum(a.numel() * a.element_size() for a in args if isinstance(a, torch.Tensor))
            collective_stats.add(prim.name, time.perf_counter() - t0, nbytes)
            return out
        return fallback(*args, **params)
    impl._jaxish_distributed = True
    return impl


def install():
    """Give each collective primitive its torch.distributed rule (idempotent)."""
    for prim, fn in _DIST_IMPLS.items():
        prim.distributed_impl = fn
        if not getattr(prim.impl, "_jaxish_distributed", False):
            prim.impl = _dispatching_impl(prim, prim.impl)


install()


# ---- gathering a GlobalArray ------------------------------------------------------------------
def gather_blocks(local, global_shape, sharding):
    """Every process's block -> the global tensor (a collective over the sharding's processes)."""
    devs = sorted(sharding.device_set, key=lambda d: d.process_index)
    ranks = tuple(d.process_index for d in devs)
    ax = DistAxis("<gather>", ranks, process_group(ranks, [ranks]))
    stack = _gather_stack(local, ax, "gather")
    out = torch.empty(global_shape, dtype=local.dtype, device=local.device)
    idx = sharding.devices_indices_map(tuple(global_shape))
    for k, d in enumerate(devs):
        out[idx[d]] = stack[k]
    return out


# ---- executing graphs that contain collectives --------------------------------------------------
def graph_has_collectives(graph):
    for eqn in graph.eqns:
        if eqn.primitive.is_collective:
            return True
        for sub in subgraphs_of(eqn.params):
            if graph_has_collectives(sub):
                return True
    return False


def inline_collective_calls(graph):
    """Inline jit-call equations whose graphs hold collectives, so they are split like the rest."""
    if not any(eqn.primitive.name == "jit_call" and graph_has_collectives(eqn.params["graph"])
               for eqn in graph.eqns):
        return graph
    eqns = []
    for eqn in graph.eqns:
        if not (eqn.primitive.name == "jit_call" and graph_has_collectives(eqn.params["graph"])):
            eqns.append(eqn)
            continue
        sub = inline_collective_calls(eqn.params["graph"])
        env = dict(zip(sub.invars, eqn.inputs))
        for e in sub.eqns:
            ins = [a if type(a) is Literal else env[a] for a in e.inputs]
            outs = [Var(v.aval) for v in e.outvars]
            env.update(zip(e.outvars, outs))
            eqns.append(Eqn(e.primitive, ins, e.params, outs))
        # the call's outputs alias the inlined graph's outputs
        rename = {o: (a if type(a) is Literal else env[a]) for o, a in zip(eqn.outvars, sub.outvars)}
        eqns.append(_Alias(rename))
    return _resolve_aliases(graph, eqns)


class _Alias:
    def __init__(self, mapping):
        self.mapping = mapping


def _resolve_aliases(graph, items):
    sub = {}

    def r(a):
        while type(a) is not Literal and a in sub:
            a = sub[a]
        return a
    eqns = []
    for it in items:
        if isinstance(it, _Alias):
            sub.update(it.mapping)
            continue
        eqns.append(Eqn(it.primitive, [r(a) for a in it.inputs], it.params, it.outvars))
    return Graph(graph.invars, graph.constvars, eqns, [r(v) for v in graph.outvars])


def _bucketable(eqn):
    return eqn.primitive in (C.psum_p, C.pmax_p, C.pmin_p) and len(eqn.inputs) == 1 and \
        type(eqn.inputs[0]) is not Literal and eqn.params.get("axis_index_groups") is None


class CollectiveExecutable:
    """Runs a graph whose collectives cross processes: the equations between collectives form
    segments compiled by the chosen backend (fused kernels); each collective is an extern call
    into torch.distributed between them."""

    def __init__(self, graph, backend=None):
        graph = inline_collective_calls(graph)
        self.graph = graph
        self.backend = backend
        slot = {}
        for v in list(graph.constvars) + list(graph.invars):
            slot[v] = len(slot)
        n = len(slot)
        last_use = {}
        for i, eqn in enumerate(graph.eqns):
            for a in eqn.inputs:
                if type(a) is not Literal:
                    last_use[a] = i
        for v in graph.outvars:
            if type(v) is not Literal:
                last_use[v] = len(graph.eqns)
        steps, run, names, program = [], [], set(), []

        def flush(end):
            if not run:
                return
            defined = {v for e in run for v in e.outvars}
            ins = []
            for e in run:
                for a in e.inputs:
                    if type(a) is not Literal and a not in defined and a not in ins:
                        ins.append(a)
            outs = [v for e in run for v in e.outvars if last_use.get(v, -1) >= end]
            sub = Graph(ins, [], list(run), outs)
            steps.append(("segment", sub, tuple(slot[a] for a in ins), tuple(_new(slot, v) for v in outs), None))
            run.clear()

        def _new(slot, v):
            slot[v] = len(slot)
            return slot[v]

        for i, eqn in enumerate(graph.eqns):
            if eqn.primitive.is_collective:
                flush(i)
                names.update(_names_of(eqn.params))
                program.append(f"{eqn.primitive.name}{sorted(eqn.params.items())} "
                               f"{[a.aval.str_short() for a in eqn.inputs]}")
                ins = tuple((False, a.value) if type(a) is Literal else (True, slot[a]) for a in eqn.inputs)
                outs = tuple(_new(slot, v) for v in eqn.outvars)
                if _bucketable(eqn) and steps and steps[-1][0] == "bucket" and \
                        steps[-1][1] is eqn.primitive and steps[-1][4][0] == eqn.params and \
                        steps[-1][4][1][0][0] == eqn.inputs[0].aval.dtype and ins[0][1] not in steps[-1][3]:
                    kind, prim, bins, bouts, (bparams, avals) = steps.pop()
                    steps.append((kind, prim, bins + (ins[0][1],), bouts + outs,
                                  (bparams, avals + ((eqn.inputs[0].aval.dtype, eqn.inputs[0].aval.shape),))))
                elif _bucketable(eqn):
                    a = eqn.inputs[0].aval
                    steps.append(("bucket", eqn.primitive, (ins[0][1],), outs, (eqn.params, ((a.dtype, a.shape),))))
                else:
                    steps.append(("collective", eqn.primitive, ins, outs, eqn.params))
            else:
                run.append(eqn)
        flush(len(graph.eqns))
        self.steps = steps
        self.nslots = len(slot)
        self.outs = tuple((False, v.value) if type(v) is Literal else (True, slot[v]) for v in graph.outvars)
        self.out_avals = graph.out_avals
        self._exes = {}
        self.axis_names = tuple(names)
        self.program = "; ".join(program)
        self.collective_names = sorted({s[1].name for s in steps if s[0] != "segment"})
        del n

    def _verify(self):
        """Once per run, all ranks compare the whole list of collectives this run will make."""
        axes = [_lookup((n,)) for n in self.axis_names]
        if any(a is None for a in axes):
            return False
        ranks = {r for a in axes for r in a.ranks}
        if ranks != set(range(runtime.process_count())):
            return False
        ax = world_axis(",".join(sorted(map(str, self.axis_names))))
        t0 = time.perf_counter()
        _exchange_descriptors(self.program, ax, "+".join(self.collective_names) + " (agreement check)")
        collective_stats.add("agreement check", time.perf_counter() - t0, 16)
        return True

    @property
    def kernel_count(self):
        return sum(getattr(e, "kernel_count", 0) for e in self._exes.values())

    def run_tensors(self, tensors):
        env = list(tensors) + [None] * (self.nslots - len(tensors))
        verified = checks_enabled() and not _checks.suspended and self._verify()
        prev = _checks.suspended
        _checks.suspended = prev or verified
        try:
            self._run(env)
        finally:
            _checks.suspended = prev
        res = []
        for (is_slot, i), aval in zip(self.outs, self.out_avals):
            if is_slot:
                res.append(env[i])
            else:
                from ..config import default_device
                res.append(torch.tensor(i, dtype=dtypes.to_torch_dtype(aval.dtype), device=default_device()))
        return res

    def _run(self, env):
        from ..runtime.executable import compile_cached
        from ..interpreters.eager import run_impl
        for k, (kind, a, ins, outs, params) in enumerate(self.steps):
            if kind == "segment":
                args = [env[i] for i in ins]
                exe = self._exes.get(k)
                if exe is None:
                    exe = self._exes[k] = compile_cached(a, self.backend, args)
                res = exe.run_tensors(args)
                for o, r in zip(outs, res):
                    env[o] = r
            elif kind == "bucket":
                # adjacent all-reduces of one dtype over the same axes travel as one flat buffer
                args = [env[i] for i in ins]
                if len(args) == 1:
                    env[outs[0]] = run_impl(a, args, params[0])
                    continue
                flat = torch.cat([t.reshape(-1) for t in args])
                red = run_impl(a, [flat], params[0])
                start = 0
                for o, t in zip(outs, args):
                    n = t.numel()
                    env[o] = red[start:start + n].reshape(t.shape)
                    start += n
            else:
                args = [env[i] if is_slot else i for is_slot, i in ins]
                res = run_impl(a, args, params)
                if a.multiple_results:
                    for o, r in zip(outs, res):
                        env[o] = r
                else:
                    env[outs[0]] = res

    __call__ = run_tensors

    def as_text(self):
        lines = [f"# collective executable: {sum(1 for s in self.steps if s[0] == 'segment')} compiled "
                 f"segment(s), {sum(1 for s in self.steps if s[0] != 'segment')} collective(s)"]
        for k, (kind, a, ins, outs, params) in enumerate(self.steps):
            if kind == "segment":
                exe = self._exes.get(k)
                lines.append(f"## segment {k}" + ("" if exe is None else "\n" + exe.as_text()))
                if exe is None:
                    lines.append(str(a))
            elif kind == "bucket":
                lines.append(f"## collective {a.name} {params[0]} of {len(ins)} array(s) as one flat buffer "
                             f"{[str(d) + str(list(sh)) for d, sh in params[1]]} -> torch.distributed")
            else:
                lines.append(f"## collective {a.name} {params} -> torch.distributed")
        return "\n".join(lines)
