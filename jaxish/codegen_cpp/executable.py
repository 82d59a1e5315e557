"""The C++ backend's Executable: one translation unit per program, and a generated Python
launcher with a flat call path (guards, output allocation, ctypes calls with data pointers).

What the launcher needs is a `LaunchPlan` (buffers, segments, extern calls); it is built from
the scheduler's Program, or read back from the on-disk cache together with the compiled
library, so a warm process neither schedules nor compiles (nor imports sympy)."""
import ctypes
import json
import os
import sys
import threading

import numpy as np
import torch

from .. import dtypes
from ..interpreters.eager import run_impl
from ..scheduler import kernel as K, graph_equations
from . import compiler
from ..runtime.buffers import (close_lock, donated_storage, extern_call_lines, fix_extern_output, layout_guard,
                               log_fusion_text, open_lock)

# outputs at least this large are recycled once the caller has dropped them
POOL_MIN_BYTES = 1 << 20 if hasattr(torch._C, "_storage_Use_Count") else 1 << 62


def translation_unit(program):
    """(C++ source, segments): every kernel of the program in one source; a segment is an
    exported function running consecutive kernels (no extern call between them)."""
    from .emit import KernelWriter, storage_type
    from .prelude import PRELUDE
    parts = [PRELUDE]
    segments = []                      # (name, [buffer names in argument order], kernel names)
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


class LaunchPlan:
    """Everything the launcher needs, without the kernels' bodies (JSON-serializable)."""

    def __init__(self, inputs, outputs, buffers, steps, slots, kernel_reads, kernel_count, describe):
        self.inputs = inputs            # buffer names, one per operand
        self.outputs = outputs          # buffer name or ("const", value, dtype name)
        self.buffers = buffers          # name -> K.Buffer
        self.steps = steps              # ("seg", name, args, kernels) | ("extern", name, eqn, ins, outs)
        self.slots = slots
        self.kernel_reads = set(kernel_reads)
        self.kernel_count = kernel_count
        self.describe = describe

    @classmethod
    def from_program(cls, program, segments):
        seg = iter(segments)
        steps = []
        i = 0
        while i < len(program.steps):
            st = program.steps[i]
            if isinstance(st, K.Kernel):
                name, args, kernels = next(seg)
                steps.append(("seg", name, list(args), list(kernels)))
                i += len(kernels)
            else:
                steps.append(("extern", st.name, st.eqn_index,
                              [x if isinstance(x, str) else ["literal", x[1]] for x in st.inputs],
                              list(st.outputs)))
                i += 1
        reads = set()
        for k in program.kernels:
            reads |= set(k.reads)
        outputs = [o if isinstance(o, str) else ["const", o[1], np.dtype(o[2]).name] for o in program.outputs]
        return cls(list(program.inputs), outputs, dict(program.buffers), steps, list(program.slots),
                   reads, len(program.kernels), program.describe())

    def to_json(self):
        bufs = {n: b.to_json() for n, b in self.buffers.items() if b.kind != "local"}
        return dict(inputs=self.inputs, outputs=self.outputs, buffers=bufs, steps=self.steps,
                    slots=self.slots, kernel_reads=sorted(self.kernel_reads),
                    kernel_count=self.kernel_count, describe=self.describe)

    @classmethod
    def from_json(cls, d):
        bufs = {n: K.Buffer.from_json(n, b) for n, b in d["buffers"].items()}
        return cls(d["inputs"], d["outputs"], bufs, d["steps"], d["slots"], d["kernel_reads"],
                   d["kernel_count"], d["describe"])


class CppExecutable:
    """Runs a scheduled program: kernels from one compiled library, externs through torch."""

    def __init__(self, graph, program=None, strides=None, donate=(), plan=None, lib=None, source_path=None):
        self.graph = graph
        self._program = program
        self.strides = strides or {}
        self.donate = tuple(donate)
        if plan is None:
            source, segments = translation_unit(program)
            lib, source_path = compiler.load_library(source)
            plan = LaunchPlan.from_program(program, segments)
        self.plan = plan
        self.lib, self.source_path = lib, source_path
        self.kernel_count = plan.kernel_count
        self.lib.jx_set_threads(torch.get_num_threads())
        self._variants = {}
        self._lock = threading.Lock()
        self.run_tensors = self._build_launcher()
        if "fusion" in os.environ.get("JAXISH_LOG", ""):
            log_fusion_text(self.as_text())

    @property
    def program(self):
        """The scheduler's Program (rebuilt on demand when this executable came from the cache)."""
        if self._program is None:
            from ..scheduler import schedule
            self._program = schedule(self.graph, self.strides, self.donate)
        return self._program

    @property
    def source(self):
        with open(self.source_path) as f:
            return f.read()

    def __call__(self, *tensors):
        return self.run_tensors(list(tensors))

    # ---- the launcher ----
    def _build_launcher(self):
        p = self.plan
        bufs = p.buffers
        ns = {"torch": torch, "_Tensor": torch.Tensor, "_empty": torch.empty, "_run_impl": run_impl,
              "_self": self, "_lock": self._lock}
        lines = ["def run(ts):"]
        nin = len(p.inputs)
        if nin:
            lines.append(f"    {p.inputs[0]}, = ts" if nin == 1 else f"    {', '.join(p.inputs)} = ts")
        for i, b in enumerate(p.inputs):
            buf = bufs[b]
            ns[f"_dt{i}"] = dtypes.to_torch_dtype(buf.dtype)
            if buf.shape == ():
                lines.append(f"    if type({b}) is not _Tensor: {b} = torch.tensor({b}, dtype=_dt{i})")
            if b not in p.kernel_reads or buf.numel <= 1:
                continue
            lines.append(layout_guard(b, i, self.strides))
        # temps: storage slots allocated once and kept (tensors for externs, pointers for kernels)
        slots = [torch.empty(max(n, 1), dtype=torch.uint8) for n in p.slots]
        self._slots = slots
        ns["_pool"] = {s.untyped_storage().data_ptr() for s in slots}
        pooled_temps = set()
        for b, buf in bufs.items():
            if buf.kind == "temp" and not buf.extern and buf.slot is not None:
                t = slots[buf.slot][:buf.nbytes].view(dtypes.to_torch_dtype(buf.dtype)).view(buf.shape) \
                    if buf.nbytes else torch.empty(buf.shape, dtype=dtypes.to_torch_dtype(buf.dtype))
                ns[b] = t
                ns[f"{b}_p"] = t.data_ptr()
                pooled_temps.add(b)
        pooled = [b for b, buf in bufs.items()
                  if buf.kind == "output" and not buf.extern and buf.donor is None and buf.nbytes >= POOL_MIN_BYTES]
        locked = bool(p.slots) or bool(pooled)
        ind = open_lock(lines, locked)
        for b, buf in bufs.items():
            if buf.kind != "output" or buf.extern:
                continue
            if buf.donor is not None:
                others = [n for n in p.inputs if n != buf.donor and bufs[n].shape != ()]
                lines.append(f"{ind}{b} = _donated({buf.donor}, [{', '.join(others)}])")
                continue
            ns[f"_odt_{b}"] = dtypes.to_torch_dtype(buf.dtype)
            if b in pooled:
                ns[f"_opool_{b}"] = []
                lines.append(f"{ind}{b} = _take(_opool_{b}, {tuple(buf.shape)}, _odt_{b})")
            else:
                lines.append(f"{ind}{b} = _empty({tuple(buf.shape)}, dtype=_odt_{b})")
        eqns = None
        for st in p.steps:
            if st[0] == "seg":
                _, name, args, _kernels = st
                fn = getattr(self.lib, name)
                fn.argtypes = [ctypes.c_void_p] * len(args)
                fn.restype = None
                ns[f"_{name}"] = fn
                ptrs = [f"{a}_p" if a in pooled_temps else f"{a}.data_ptr()" for a in args]
                lines.append(f"{ind}_{name}({', '.join(ptrs)})")
                continue
            _, name, eqn_index, ins, outs = st
            if eqns is None:
                eqns = graph_equations(self.graph)
            eqn = eqns[eqn_index]
            lines += extern_call_lines(ns, name, eqn.primitive, eqn.params, ins, outs, pooled_temps, ind,
                                      [v.aval for v in eqn.inputs])
        outs = []
        for j, o in enumerate(p.outputs):
            if isinstance(o, str):
                outs.append(o)
            else:
                ns[f"_cdt{j}"] = dtypes.to_torch_dtype(K.dtype_named(o[2]))
                ns[f"_cval{j}"] = o[1]
                outs.append(f"torch.tensor(_cval{j}, dtype=_cdt{j})")
        lines.append(f"{ind}return [{', '.join(outs)}]")
        close_lock(lines, locked)
        ns["_fix"] = fix_extern_output(ns["_pool"])
        ns["_take"] = _take_output
        ns["_donated"] = donated_storage
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
            from . import build
            exe = self._variants[key] = build(self.graph, {i: k for i, k in enumerate(key) if k is not None},
                                              self.donate)
        return exe.run_tensors(ts)

    def _fresh(self, ts):
        """Re-entrant call (another thread is running this executable): private temps."""
        return CppExecutable(self.graph, self._program, self.strides, self.donate, plan=self.plan,
                             lib=self.lib, source_path=self.source_path).run_tensors(ts)

    def as_text(self):
        from .prelude import PRELUDE
        p = self.plan
        nx = sum(1 for s in p.steps if s[0] == "extern")
        lines = [f"# backend: cpp ({self.kernel_count} kernels, {nx} extern calls)",
                 f"# source: {self.source_path}", "# fusion groups:"]
        lines += ["#   " + line for line in p.describe.splitlines()]
        lines.append("")
        src = self.source
        lines.append(src[len(PRELUDE):].strip() if src.startswith(PRELUDE) else src)
        return "\n".join(lines)


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


_getrefcount = sys.getrefcount
_storage_use_count = getattr(torch._C, "_storage_Use_Count", None)


def save_plan(path, plan, library_key):
    d = plan.to_json()
    d["library"] = library_key
    try:
        compiler._atomic_write(path, json.dumps(d).encode())
    except (TypeError, ValueError, OSError):
        pass                            # a param that JSON cannot hold: no warm start, no harm


def load_plan(path):
    try:
        with open(path) as f:
            d = json.load(f)
    except (OSError, ValueError):
        return None, None
    return LaunchPlan.from_json(d), d.get("library")
