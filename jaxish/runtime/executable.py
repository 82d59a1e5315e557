"""Executables: one flat, precomputed call path from input tensors to output tensors.

`compile_graph` picks the backend ("cpp" for CPU tensors, "triton" for CUDA/ROCm, "eager"
as the reference and fallback) and caches the result per (graph, backend)."""
import os
import weakref

import torch

from ..config import config
from ..ir.graph import Literal
from ..interpreters.eager import run_impl

BACKENDS = ("cpp", "triton", "eager")
_cache = weakref.WeakKeyDictionary()


def resolve_backend(backend, tensors):
    if backend is None:
        backend = config._values["jaxish_backend"]
    if backend is None:
        dev = None
        for t in tensors:
            if isinstance(t, torch.Tensor):
                dev = t.device
                break
        if dev is None:
            from ..config import default_device
            dev = default_device()
        backend = "triton" if dev.type == "cuda" else "cpp"
    if backend not in BACKENDS:
        raise ValueError(f"Unknown backend {backend!r}; expected one of {BACKENDS}")
    return backend


def compile_graph(graph, backend, tensors=()):
    backend = resolve_backend(backend, tensors)
    if backend == "eager":
        return EagerExecutable(graph)
    if any(e.primitive.is_collective or e.primitive.name == "jit_call" for e in graph.eqns):
        from ..distributed.lowering import graph_has_collectives, CollectiveExecutable
        if graph_has_collectives(graph):  # segments compiled by `backend`, torch.distributed between
            return CollectiveExecutable(graph, backend)
    try:
        if backend == "cpp":
            from ..codegen_cpp import compile_executable
        else:
            from ..codegen_triton import compile_executable
    except ImportError:
        return EagerExecutable(graph, note=f"{backend} backend not available: ran eagerly")
    return compile_executable(graph, tensors)


def compile_cached(graph, backend, tensors=()):
    key = resolve_backend(backend, tensors)
    per = _cache.get(graph)
    if per is None:
        per = _cache[graph] = {}
    exe = per.get(key)
    if exe is None:
        exe = per[key] = compile_graph(graph, key, tensors)
    return exe


class EagerExecutable:
    """Runs a graph op by op with each primitive's torch impl (the reference backend)."""
    kernel_count = 0

    def __init__(self, graph, note=None):
        self.graph = graph
        self.note = note
        slot = {}
        for i, v in enumerate(list(graph.constvars) + list(graph.invars)):
            slot[v] = i
        n = len(slot)
        prog = []
        for eqn in graph.eqns:
            ins = tuple((False, a.value) if type(a) is Literal else (True, slot[a]) for a in eqn.inputs)
            outs = []
            for v in eqn.outvars:
                slot[v] = n
                outs.append(n)
                n += 1
            prog.append((eqn.primitive, ins, eqn.params, tuple(outs), eqn.primitive.multiple_results))
        self.prog = prog
        self.nslots = n
        self.outs = tuple((False, v.value) if type(v) is Literal else (True, slot[v]) for v in graph.outvars)
        self.out_avals = graph.out_avals

    def run_tensors(self, tensors):
        env = list(tensors) + [None] * (self.nslots - len(tensors))
        for prim, ins, params, outs, multi in self.prog:
            args = [env[i] if is_slot else i for is_slot, i in ins]
            res = run_impl(prim, args, params)
            if multi:
                for o, r in zip(outs, res):
                    env[o] = r
            else:
                env[outs[0]] = res
        res = []
        for (is_slot, i), aval in zip(self.outs, self.out_avals):
            if is_slot:
                res.append(env[i])
            else:
                from ..dtypes import to_torch_dtype
                from ..config import default_device
                res.append(torch.tensor(i, dtype=to_torch_dtype(aval.dtype), device=default_device()))
        return res

    __call__ = run_tensors

    def as_text(self):
        head = "# backend: eager (op by op with torch)"
        if self.note:
            head += f"\n# {self.note}"
        return head + "\n" + str(self.graph)
