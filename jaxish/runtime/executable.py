"""Executables: one flat, precomputed call path from input tensors to output tensors.

`compile_graph` picks the backend ("cpp" for CPU tensors, "triton" for CUDA/ROCm, "eager"
as the reference and fallback) and caches the result per (graph, backend)."""
import functools
import os
import weakref

import torch

from ..config import config
from ..ir.graph import Literal
from ..interpreters.eager import run_impl
from ..dtypes import TORCH_WIDE_UNSIGNED as _WIDE_U

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


def compile_graph(graph, backend, tensors=(), donate=()):
    """An executable of `graph` on `backend`. donate: operand positions whose buffers the caller
    gives up (a backend may write outputs there)."""
    backend = resolve_backend(backend, tensors)
    if any(e.primitive.is_collective or e.primitive.name == "jit_call" for e in graph.eqns):
        from ..distributed.lowering import graph_has_collectives, CollectiveExecutable
        if graph_has_collectives(graph):  # segments compiled by `backend`, torch.distributed between
            return CollectiveExecutable(graph, backend)
    if backend == "eager":
        return EagerExecutable(graph)
    try:
        if backend == "cpp":
            from ..codegen_cpp import compile_executable
        else:
            from ..codegen_triton import compile_executable
    except ImportError:
        return EagerExecutable(graph, note=f"{backend} backend not available: ran eagerly")
    if donate:
        return compile_executable(graph, tensors, donate=tuple(donate))
    return compile_executable(graph, tensors)


def compile_cached(graph, backend, tensors=(), donate=()):
    backend = resolve_backend(backend, tensors)
    key = (backend, tuple(donate)) if donate else backend
    per = _cache.get(graph)
    if per is None:
        per = _cache[graph] = {}
    exe = per.get(key)
    if exe is None:
        from ..config import config
        if config._values["jax_log_compiles"]:
            import logging
            logging.getLogger("jaxish").warning(
                "Compiling %s with the %s backend for inputs (%s)", getattr(graph, "name", None) or "jit",
                backend, ", ".join(v.aval.str_short() for v in graph.invars))
        exe = per[key] = compile_graph(graph, backend, tensors, donate)
    return exe


class EagerExecutable:
    """Runs a graph op by op with each primitive's torch impl (the reference backend).

    The program is precomputed: per equation the impl to call (run_impl only where the unsigned
    shim is needed), where its operands live, and where its results go."""
    kernel_count = 0

    def __init__(self, graph, note=None):
        from ..dtypes import to_torch_dtype
        self.graph = graph
        self.note = note
        slot = {}
        for i, v in enumerate(list(graph.constvars) + list(graph.invars)):
            slot[v] = i
        n = len(slot)
        prog = []
        for eqn in graph.eqns:
            ins = tuple((False, a.value) if type(a) is Literal else (True, slot[a]) for a in eqn.inputs)
            if ins and all(type(a) is Literal for a in eqn.inputs):
                # impls take Python scalars beside a tensor operand, not alone: make the first one
                # a tensor (folding normally removes such equations; this is when it could not)
                from ..numpy.creation import asarray
                a = eqn.inputs[0]
                ins = ((False, asarray(a.value, dtype=a.aval.dtype)._t),) + ins[1:]
            outs = []
            for v in eqn.outvars:
                slot[v] = n
                outs.append(n)
                n += 1
            prim = eqn.primitive
            shim = prim.unsigned_shim and any(
                type(a) is not Literal and to_torch_dtype(a.aval.dtype) in _WIDE_U for a in eqn.inputs)
            fn = functools.partial(run_impl, prim) if shim else None
            prog.append((prim, ins, eqn.params, tuple(outs), prim.multiple_results, fn))
        self.prog = prog
        self.nslots = n
        self.outs = tuple((False, v.value) if type(v) is Literal else (True, slot[v]) for v in graph.outvars)
        self.out_avals = graph.out_avals
        # free each intermediate after its last use, so peak memory follows the live set
        last = {}
        for k, (prim, ins, params, outs, multi, fn) in enumerate(prog):
            for is_slot, i in ins:
                if is_slot:
                    last[i] = k
        keep = {i for s_, i in self.outs if s_}
        frees = [[] for _ in prog]
        for i, k in last.items():
            if i not in keep:
                frees[k].append(i)
        self._steps = [(fn, prim.impl, ins, params, outs, multi, tuple(fr))
                       for (prim, ins, params, outs, multi, fn), fr in zip(prog, frees)]
        self._pad = [None] * (n - len(graph.constvars) - len(graph.invars))
        self._out_slots = [i for s_, i in self.outs] if all(s_ for s_, _ in self.outs) else None
        # one equation reading only inputs and giving the only output: call its impl directly
        self._single = None
        if len(prog) == 1 and self._out_slots is not None:
            prim, ins, params, outs, multi, fn = prog[0]
            if fn is None and not multi and self._out_slots == [outs[0]]:
                self._single = (prim.impl, ins, params)

    def run_tensors(self, tensors):
        single = self._single
        if single is not None:
            impl, ins, params = single
            return [impl(*[tensors[i] if is_slot else i for is_slot, i in ins], **params)]
        env = list(tensors)
        env.extend(self._pad)
        for fn, impl, ins, params, outs, multi, frees in self._steps:
            args = [env[i] if is_slot else i for is_slot, i in ins]
            res = fn(args, params) if fn is not None else impl(*args, **params)
            if multi:
                for o, r in zip(outs, res):
                    env[o] = r
            else:
                env[outs[0]] = res
            for i in frees:
                env[i] = None
        if self._out_slots is not None:
            return [env[i] for i in self._out_slots]
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
