"""The C++ backend's Executable: one translation unit per program, and a generated Python
launcher with a flat call path (guards, output allocation, ctypes calls with data pointers)."""
import ctypes
import logging
import os
import sys
import threading

import numpy as np
import torch

from .. import dtypes
from ..interpreters.eager import run_impl
from ..scheduler import schedule, kernel as K
from . import compiler
from .emit import KernelWriter, storage_type
from .prelude import PRELUDE

log = logging.getLogger("jaxish.fusion")
# outputs at least this large are recycled once the caller has dropped them
POOL_MIN_BYTES = 1 << 20 if hasattr(torch._C, "_storage_Use_Count") else 1 << 62


def translation_unit(program):
    """(C++ source, segments): every kernel of the program in one source; a segment is an
    exported function running consecutive kernels (no extern call between them)."""
    parts = [PRELUDE]
    segments = []                      # (name, [buffer names in argument order])
    current = []
    for step in program.steps + [None]:
        if isinstance(step, K.Kernel):
            current.append(step)
            continue
        if current:
            name = f"seg{len(segments)}"
            args = []
            for k in current:
                for b in KernelWriter(k, program.buffers).args:
                    if b not in args:
                        args.append(b)
            body = [f'extern "C" void {name}({", ".join(f"void* a{i}" for i in range(len(args)))}) {{']
            for k in current:
                kw = KernelWriter(k, program.buffers)
                parts.append(kw.write())
                call = ", ".join(f"({'const ' if b not in k.writes else ''}"
                                 f"{storage_type(program.buffers[b].dtype)}*)a{args.index(b)}" for b in kw.args)
                body.append(f"  {k.name}({call});")
            body.append("}")
            parts.append("\n".join(body))
            segments.append((name, args, [k.name for k in current]))
            current = []
    return "\n\n".join(parts) + "\n", segments


def input_strides(graph, tensors):
    """{operand position: strides} for example operands that are not contiguous."""
    out = {}
    if len(tensors) != len(graph.invars):
        return out
    for i, (v, t) in enumerate(zip(graph.invars, tensors)):
        if isinstance(t, torch.Tensor) and tuple(t.shape) == v.aval.shape and not t.is_contiguous():
            out[i] = tuple(t.stride())
    return out


class CppExecutable:
    """Runs a scheduled Program: kernels from one compiled library, externs through torch."""

    def __init__(self, graph, program, strides=None, donate=()):
        self.graph = graph
        self.program = program
        self.strides = strides or {}
        self.donate = tuple(donate)
        self.kernel_count = len(program.kernels)
        self.source, self.segments = translation_unit(program)
        self.lib, self.source_path = compiler.load_library(self.source)
        self.lib.jx_set_threads(torch.get_num_threads())
        self._variants = {}
        self._lock = threading.Lock()
        self.run_tensors = self._build_launcher()
        if "fusion" in os.environ.get("JAXISH_LOG", ""):
            _log_text(self.as_text())

    def __call__(self, *tensors):
        return self.run_tensors(list(tensors))

    # ---- the launcher ----
    def _build_launcher(self):
        p = self.program
        bufs = p.buffers
        ns = {"torch": torch, "_Tensor": torch.Tensor, "_empty": torch.empty, "_run_impl": run_impl,
              "_self": self, "_lock": self._lock}
        lines = ["def run(ts):"]
        nin = len(p.inputs)
        names = [f"in{i}" for i in range(nin)]
        if nin:
            lines.append(f"    {', '.join(names)}, = ts" if nin == 1 else f"    {', '.join(names)} = ts")
        read_by_kernel = set()
        for k in p.kernels:
            read_by_kernel |= set(k.reads)
        for i, b in enumerate(p.inputs):
            buf = bufs[b]
            ns[f"_dt{i}"] = dtypes.to_torch_dtype(buf.dtype)
            if buf.shape == ():
                lines.append(f"    if type({b}) is not _Tensor: {b} = torch.tensor({b}, dtype=_dt{i})")
            if b not in read_by_kernel or buf.numel <= 1:
                continue
            if i in self.strides:
                lines.append(f"    if {b}.stride() != {tuple(self.strides[i])}: return _self._variant(ts)")
            else:
                lines.append(f"    if not {b}.is_contiguous(): return _self._variant(ts)")
        # temps: storage slots allocated once and kept (tensors for externs, pointers for kernels)
        slots = [torch.empty(max(n, 1), dtype=torch.uint8) for n in p.slots]
        self._slots = slots
        ns["_pool"] = {s.untyped_storage().data_ptr() for s in slots}
        for b, buf in bufs.items():
            if buf.kind == "temp" and not buf.extern and buf.slot is not None:
                t = slots[buf.slot][:buf.nbytes].view(dtypes.to_torch_dtype(buf.dtype)).view(buf.shape) \
                    if buf.nbytes else torch.empty(buf.shape, dtype=dtypes.to_torch_dtype(buf.dtype))
                ns[b] = t
                ns[f"{b}_p"] = t.data_ptr()
        pooled = [b for b, buf in bufs.items()
                  if buf.kind == "output" and not buf.extern and buf.nbytes >= POOL_MIN_BYTES]
        locked = bool(p.slots) or bool(pooled)
        ind = "    "
        if locked:
            lines.append("    if not _lock.acquire(False): return _self._fresh(ts)")
            lines.append("    try:")
            ind = "        "
        for b, buf in bufs.items():
            if buf.kind == "output" and not buf.extern and buf.donor is not None:
                others = [n for n in p.inputs if n != buf.donor and bufs[n].shape != ()]
                lines.append(f"{ind}{b} = _donated({buf.donor}, [{', '.join(others)}])")
            elif buf.kind == "output" and not buf.extern:
                ns[f"_odt_{b}"] = dtypes.to_torch_dtype(buf.dtype)
                if b in pooled:
                    ns[f"_opool_{b}"] = []
                    lines.append(f"{ind}{b} = _take(_opool_{b}, {tuple(buf.shape)}, _odt_{b})")
                else:
                    lines.append(f"{ind}{b} = _empty({tuple(buf.shape)}, dtype=_odt_{b})")
        seg_iter = iter(self.segments)
        pooled_reads = set(n for n, bb in bufs.items() if bb.kind == "temp" and bb.slot is not None)
        steps = p.steps
        i = 0
        while i < len(steps):
            st = steps[i]
            if isinstance(st, K.Kernel):
                name, args, kernels = next(seg_iter)
                fn = getattr(self.lib, name)
                fn.argtypes = [ctypes.c_void_p] * len(args)
                fn.restype = None
                ns[f"_{name}"] = fn
                ptrs = []
                for a in args:
                    ab = bufs[a]
                    if ab.kind == "temp" and not ab.extern and ab.slot is not None:
                        ptrs.append(f"{a}_p")
                    else:
                        ptrs.append(f"{a}.data_ptr()")
                lines.append(f"{ind}_{name}({', '.join(ptrs)})")
                i += len(kernels)
                continue
            ns[f"_prim_{st.name}"] = st.primitive
            ns[f"_params_{st.name}"] = st.params
            args = []
            for a in st.inputs:
                if isinstance(a, str):
                    args.append(a)
                else:
                    ns[f"_lit_{st.name}_{len(args)}"] = a[1]
                    args.append(f"_lit_{st.name}_{len(args)}")
            call = f"_run_impl(_prim_{st.name}, [{', '.join(args)}], _params_{st.name})"
            aliasing = any(isinstance(a, str) and a in pooled_reads for a in st.inputs)
            if st.primitive.multiple_results:
                lines.append(f"{ind}_r = {call}")
                for j, o in enumerate(st.outputs):
                    lines.append(f"{ind}{o} = _fix(_r[{j}], {aliasing})")
            else:
                lines.append(f"{ind}{st.outputs[0]} = _fix({call}, {aliasing})")
            i += 1
        outs = []
        for j, o in enumerate(p.outputs):
            if isinstance(o, str):
                outs.append(o)
            else:
                ns[f"_cdt{j}"] = dtypes.to_torch_dtype(o[2])
                ns[f"_cval{j}"] = o[1]
                outs.append(f"torch.tensor(_cval{j}, dtype=_cdt{j})")
        lines.append(f"{ind}return [{', '.join(outs)}]")
        if locked:
            lines.append("    finally:")
            lines.append("        _lock.release()")
        ns["_fix"] = _fix_extern_output(ns["_pool"])
        ns["_take"] = _take_output
        ns["_donated"] = _donated_storage
        src = "\n".join(lines)
        self.launcher_source = src
        exec(compile(src, f"<jaxish launcher {id(self):x}>", "exec"), ns)
        return ns["run"]

    def _variant(self, ts):
        """Inputs laid out differently from the example: run a program specialized to them."""
        key = tuple(tuple(t.stride()) if isinstance(t, torch.Tensor) and not t.is_contiguous() else None
                    for t in ts)
        exe = self._variants.get(key)
        if exe is None:
            strides = {i: k for i, k in enumerate(key) if k is not None}
            exe = self._variants[key] = CppExecutable(self.graph, schedule(self.graph, strides, self.donate),
                                                      strides, self.donate)
        return exe.run_tensors(ts)

    def _fresh(self, ts):
        """Re-entrant call (another thread is running this executable): private temps."""
        return CppExecutable(self.graph, self.program, self.strides, self.donate).run_tensors(ts)

    def as_text(self):
        p = self.program
        lines = [f"# backend: cpp ({self.kernel_count} kernels, "
                 f"{sum(1 for s in p.steps if isinstance(s, K.ExternCall))} extern calls)",
                 f"# source: {self.source_path}", "# fusion groups:"]
        lines += ["#   " + line for line in p.describe().splitlines()]
        lines.append("")
        lines.append(self.source[len(PRELUDE):].strip())
        return "\n".join(lines)


def _fix_extern_output(pool):
    def fix(t, aliasing):
        if not isinstance(t, torch.Tensor):
            return t
        if not t.is_contiguous():
            return t.contiguous()
        if aliasing and pool and t.untyped_storage().data_ptr() in pool:
            return t.clone()
        return t
    return fix


def _take_output(pool, shape, dtype):
    """A fresh output tensor, or a previous call's output that nobody references any more
    (its pages are already mapped: large fresh allocations cost page faults on every call)."""
    for t in pool:
        if _getrefcount(t) == 3 and t._use_count() == 1 and _storage_use_count(t.untyped_storage()._cdata) == 2:
            return t
    t = torch.empty(shape, dtype=dtype)
    if len(pool) < 2:
        pool.append(t)
    return t


def _donated_storage(t, others):
    """A donated input's tensor, to be overwritten in place by the output it becomes (a private
    copy when it is not contiguous or shares memory with another operand)."""
    if t.is_contiguous():
        ptr = t.untyped_storage().data_ptr()
        if not any(isinstance(o, torch.Tensor) and o.untyped_storage().data_ptr() == ptr for o in others):
            return t
    return t.clone(memory_format=torch.contiguous_format)


_getrefcount = sys.getrefcount
_storage_use_count = getattr(torch._C, "_storage_Use_Count", None)


_handler = []


def _log_text(text):
    if not _handler:
        h = logging.StreamHandler(sys.stderr)
        log.addHandler(h)
        log.setLevel(logging.INFO)
        _handler.append(h)
    log.info(text)
