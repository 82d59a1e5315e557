"""The Triton backend's launch plans on disk: what a TritonExecutable needs (buffers, steps,
each kernel's arguments and candidate launch plans, the module source) without the scheduler's
kernel bodies, so a warm process neither schedules nor imports sympy.

A plan is keyed by the graph's text, the operands' weak types and strides, the donated operands,
whether kernels run on a GPU or in the interpreter, and a hash of this backend's and the
scheduler's sources (a change to either invalidates every plan). Extern steps keep the position
of their equation (`scheduler.graph_equations`); their primitive and parameters come back from
the graph."""
import json
import os

import numpy as np

from ..scheduler import kernel as K, graph_equations
from . import configs, loader
from ..runtime.versions import code_version, plan_key

def plan_path(graph, strides, donate, interpret):
    """Where the plan of this graph lives, or None (a graph that cannot be printed)."""
    try:
        key = plan_key(graph, strides or {}, donate, "interp" if interpret else "gpu",
                       repr(configs.options.key()), code_version("codegen_triton", "scheduler"))
    except Exception:  # noqa: BLE001 - an unprintable graph just skips the plan cache
        return None
    return os.path.join(loader.cache_dir(), f"plan-{key}.json")


class CachedKernel(K.Kernel):
    """A scheduler Kernel read back from a plan: name, ranges, traffic and the buffers it reads
    and writes, without its body."""

    def __init__(self, name, ranges, reduce_ranges, reads, writes, bytes_read, bytes_written, origin=()):
        super().__init__(name, tuple(ranges), tuple(reduce_ranges), [], list(origin), bytes_read, bytes_written)
        self._reads, self._writes = list(reads), list(writes)

    @property
    def reads(self):
        return self._reads

    @property
    def writes(self):
        return self._writes


class CachedWriter:
    """Stands in for the KernelWriter: the launcher only needs the argument order."""

    def __init__(self, args):
        self.args = list(args)


def _literal(x):
    return x.item() if isinstance(x, np.generic) else x


def to_json(program, gen):
    writers, candidates, sources, source = gen
    bufs = {n: b.to_json() for n, b in program.buffers.items() if b.kind != "local"}
    steps = []
    for st in program.steps:
        if isinstance(st, K.Kernel):
            plans = [dict(desc=p.desc, partials=[list(x) for x in p.partials],
                          launches=[dict(fn=ln.fn, grid=list(ln.grid), kwargs=ln.kwargs, num_warps=ln.num_warps)
                                    for ln in p.launches]) for p in candidates[st.name]]
            steps.append(dict(kernel=st.name, ranges=list(st.ranges), reduce_ranges=list(st.reduce_ranges),
                              reads=list(st.reads), writes=list(st.writes), bytes_read=st.bytes_read,
                              bytes_written=st.bytes_written, origin=[str(o) for o in st.origin],
                              args=list(writers[st.name].args), plans=plans,
                              source=sources[st.name]))
        else:
            if st.eqn_index is None:
                raise ValueError(f"extern {st.name} has no equation position")
            steps.append(dict(extern=st.name, eqn_index=st.eqn_index,
                              inputs=[x if isinstance(x, str) else ["literal", _literal(x[1])] for x in st.inputs],
                              outputs=list(st.outputs), origin=[str(o) for o in st.origin]))
    outputs = [o if isinstance(o, str) else ["const", _literal(o[1]), np.dtype(o[2]).name] for o in program.outputs]
    return dict(buffers=bufs, inputs=list(program.inputs), outputs=outputs, steps=steps,
                slots=list(program.slots), source=source)


def from_json(d, graph):
    """(Program, (writers, candidates, sources, source)) of a stored plan."""
    bufs = {n: K.Buffer.from_json(n, b) for n, b in d["buffers"].items()}
    eqns = None
    steps, writers, candidates, sources = [], {}, {}, {}
    for s in d["steps"]:
        if "kernel" in s:
            n = s["kernel"]
            steps.append(CachedKernel(n, s["ranges"], s["reduce_ranges"], s["reads"], s["writes"],
                                      s["bytes_read"], s["bytes_written"], s.get("origin", ())))
            writers[n] = CachedWriter(s["args"])
            candidates[n] = [configs.Plan(p["desc"], [configs.Launch(ln["fn"], tuple(ln["grid"]), dict(ln["kwargs"]),
                                                                     ln["num_warps"]) for ln in p["launches"]],
                                          [tuple(x) for x in p["partials"]]) for p in s["plans"]]
            sources[n] = s["source"]
        else:
            if eqns is None:
                eqns = graph_equations(graph)
            e = eqns[s["eqn_index"]]
            steps.append(K.ExternCall(s["extern"], e.primitive, e.params,
                                      [x if isinstance(x, str) else ("literal", x[1]) for x in s["inputs"]],
                                      list(s["outputs"]), origin=list(s.get("origin", ())),
                                      eqn_index=s["eqn_index"]))
    outputs = [o if isinstance(o, str) else ("const", o[1], K.dtype_named(o[2])) for o in d["outputs"]]
    program = K.Program(bufs, list(d["inputs"]), outputs, steps, list(d["slots"]))
    return program, (writers, candidates, sources, d["source"])


def load(path, graph):
    try:
        with open(path) as f:
            return from_json(json.load(f), graph)
    except (OSError, ValueError, KeyError, IndexError, TypeError):
        return None


def save(path, program, gen):
    try:
        loader._write_atomic(path, json.dumps(to_json(program, gen)))
    except (OSError, TypeError, ValueError):
        pass   # a plan that cannot be stored is only a slower next start
