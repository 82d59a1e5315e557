"""The Triton backend's Executable: a generated module of kernels and a generated Python launcher
with a flat call path (input guards, output allocation, one `kernel[grid](...)` per kernel with
precomputed grid and constexprs, extern calls through torch).

On a GPU, kernels with several candidate plans are timed on the first call (with the real
arguments) and the winners are stored beside the module, so later processes skip tuning."""
import logging
import os
import threading
import warnings

import numpy as np

import torch

from .. import dtypes
from ..interpreters.eager import run_impl
from ..scheduler import kernel as K
from . import configs, graphs, loader
from ..runtime.buffers import (close_lock, donated_storage, extern_call_lines, fix_extern_output, layout_guard,
                               log_fusion_text, open_lock)

log = logging.getLogger("jaxish.triton")

_TORCH_OF_TL = {"tl.float32": torch.float32, "tl.float64": torch.float64, "tl.int8": torch.int8,
                "tl.int16": torch.int16, "tl.int32": torch.int32, "tl.int64": torch.int64,
                "tl.uint8": torch.uint8}


def device_of(tensors):
    dev = None
    for t in tensors:
        if isinstance(t, torch.Tensor):
            if dev is None or (dev.type == "cpu" and t.device.type != "cpu"):
                dev = t.device
    if dev is None:
        from ..config import default_device
        dev = default_device()
    if dev.type == "cuda" and dev.index is None:
        dev = torch.device("cuda", torch.cuda.current_device())
    return dev


def _run_on(index, run, ts):
    with torch.cuda.device(index):
        return run(ts)


def device_guard():
    """(current device index, run-on-device) for GPU launchers; see _build_launcher."""
    cur = getattr(torch._C, "_cuda_getDevice", None) or torch.cuda.current_device
    return cur, _run_on


def device_name(dev):
    if dev.type == "cpu":
        return "interpreter"
    name = torch.cuda.get_device_name(dev)
    return f"{name} ({'hip' if torch.version.hip else 'cuda'})"


class TritonExecutable:
    """Runs a scheduled Program with Triton kernels (interpreted on CPU tensors)."""

    def __init__(self, graph, program, device, strides=None, module=None, donate=(), gen=None):
        self.graph = graph
        self.program = program
        self.device = device
        self.strides = strides or {}
        self.donate = tuple(donate)
        self.interpret = device.type == "cpu"
        self.kernel_count = len(program.kernels)
        self.gen = gen = gen or generate(program, self.interpret)
        self.writers, self.candidates, self.sources, self.source = gen
        names = [ln.fn for plans in self.candidates.values() for p in plans for ln in p.launches]
        self.module, self.hash = module or loader.load_module(self.source, self.interpret, names)
        self.device_name = device_name(device)
        tuned = loader.tuned_plans(self.hash, self.device_name)
        self.chosen = {}
        for n, plans in self.candidates.items():
            if len(plans) == 1 or not configs.options.tune:
                self.chosen[n] = plans[0]
                continue
            for p in plans:
                if p.desc == tuned.get(n):
                    self.chosen[n] = p
        self._variants = {}
        self._lock = threading.Lock()
        self._alloc_storage()
        if len(self.chosen) == len(self.candidates):
            self.run_tensors = self._launcher()
        else:
            # callers may hold on to run_tensors: a trampoline that switches after tuning
            impl = [self._tuning_run]
            self._impl = impl
            self.run_tensors = lambda ts: impl[0](ts)
        if "fusion" in os.environ.get("JAXISH_LOG", ""):
            log_fusion_text(self.as_text())

    def __call__(self, *tensors):
        return self.run_tensors(list(tensors))

    # ---- storage kept between calls ----
    def _alloc_storage(self):
        p = self.program
        dev = self.device
        self._slots = [torch.empty(max(n, 1), dtype=torch.uint8, device=dev) for n in p.slots]
        self._temps = {}
        for b, buf in p.buffers.items():
            if buf.kind == "temp" and not buf.extern and buf.slot is not None:
                tdt = dtypes.to_torch_dtype(buf.dtype)
                if buf.nbytes:
                    t = self._slots[buf.slot][:buf.nbytes].view(tdt).view(buf.shape)
                else:
                    t = torch.empty(buf.shape, dtype=tdt, device=dev)
                self._temps[b] = t
        self._partials = {}
        for n, plans in self.candidates.items():
            for plan in plans:
                for i, (tt, size) in enumerate(plan.partials):
                    key = (n, i)
                    have = self._partials.get(key)
                    if have is None or have.numel() < size:
                        self._partials[key] = torch.empty(max(size, 1), dtype=_TORCH_OF_TL[tt], device=dev)

    # ---- the flat launcher ----
    def _launcher(self):
        """The call path: on a GPU the direct launcher (falling back to Triton's own launch on
        misaligned inputs), under the interpreter the plain one."""
        guard = None if self.interpret else device_guard()
        slow = self._build_launcher(guard=guard)
        if self.interpret or not direct_launch_ok():
            return slow
        try:
            from triton.runtime import driver
            stream = driver.active.get_current_stream
        except Exception as e:  # noqa: BLE001 - an unknown Triton: keep its own launch path
            log.info("triton direct launch unavailable: %s", e)
            return slow
        fast = self._build_launcher(direct=(stream, slow), guard=guard)
        if self.donate or self._host_effects():
            # donated inputs are overwritten in place (a graph would copy them); host callbacks
            # would run again at the capture and the timed trial (and cannot be captured anyway)
            return fast
        di = self.device.index if self.device.index is not None else torch.cuda.current_device()
        return graphs.graphed(fast, torch.device(self.device.type, di), self._lock, guard=(guard[0], di))

    def _host_effects(self):
        """Whether a step calls back into Python (debug.print, io_callback, pure_callback)."""
        return any(not isinstance(st, K.Kernel) and (getattr(st.primitive, "effectful", False) or
                                                     getattr(st.primitive, "extern", None) == "callback")
                   for st in self.program.steps)

    def _build_launcher(self, direct=None, guard=None):
        """Generate run(ts). With `direct=(stream_fn, slow_run)`, each kernel's first call goes
        through Triton (`kernel[grid](...)`, which compiles or loads it) and keeps the
        CompiledKernel; later calls call its C launcher straight away with the arguments in
        signature order, skipping Triton's per-call binding, specialization key and cache
        lookup (tens of microseconds a launch). Triton specialized the kernel on 16-byte
        aligned pointers, so inputs and extern results are checked for alignment first: a
        misaligned one takes Triton's path (`slow_run` for inputs).

        With `guard=(current_device_fn, run_on_fn)` (every GPU launcher), a call made while
        another GPU is current switches to the executable's own device first: Triton compiles,
        loads and launches on the current device, and the jit cache keys executables by device."""
        p = self.program
        bufs = p.buffers
        ns = {"torch": torch, "_Tensor": torch.Tensor, "_empty": torch.empty, "_run_impl": run_impl,
              "_self": self, "_lock": self._lock, "_dev": self.device, "_donated": donated_storage}
        lines = ["def run(ts):"]
        ns["_di"] = (self.device.index if self.device.index is not None
                     else 0 if self.interpret else torch.cuda.current_device())
        if guard is not None:
            ns["_cur"], ns["_on"] = guard
            lines.append("    if _cur() != _di: return _on(_di, run, ts)")
        nin = len(p.inputs)
        if nin:
            lines.append(f"    {', '.join(p.inputs)}, = ts" if nin == 1 else f"    {', '.join(p.inputs)} = ts")
        read_by_kernel = {bb.donor for bb in bufs.values() if getattr(bb, "donor", None)}
        for k in p.kernels:
            read_by_kernel |= set(k.reads)
        for i, b in enumerate(p.inputs):
            buf = bufs[b]
            if buf.shape == ():
                ns[f"_dt{i}"] = dtypes.to_torch_dtype(buf.dtype)
                lines.append(f"    if type({b}) is not _Tensor: {b} = torch.tensor({b}, dtype=_dt{i}, device=_dev)")
                lines.append(f"    elif {b}.device != _dev: {b} = {b}.to(_dev)")
            if b not in read_by_kernel or buf.numel <= 1:
                continue
            lines.append(layout_guard(b, i, self.strides))
        if direct is not None:
            ns["_stream"], ns["_slow"] = direct
            ns["_keep"] = _keeper(ns)
            ext = [b for b in p.inputs if b in read_by_kernel]
            if ext:
                lines.append(f"    if ({' | '.join(f'{b}.data_ptr()' for b in ext)}) & 15: return _slow(ts)")
            extern_outs = {o for st in p.steps if not isinstance(st, K.Kernel) for o in st.outputs}
        for b, t in self._temps.items():
            ns[b] = t
        locked = bool(p.slots) or bool(self._partials)
        ind = open_lock(lines, locked)
        for b, buf in bufs.items():
            if buf.kind == "output" and not buf.extern:
                donor = getattr(buf, "donor", None)
                if donor is not None:
                    others = [n for n in p.inputs if n != donor and bufs[n].shape != ()]
                    lines.append(f"{ind}{b} = _donated({donor}, [{', '.join(others)}])")
                    continue
                ns[f"_odt_{b}"] = dtypes.to_torch_dtype(buf.dtype)
                lines.append(f"{ind}{b} = _empty({tuple(buf.shape)}, dtype=_odt_{b}, device=_dev)")
        pooled = {n for n, bb in bufs.items() if bb.kind == "temp" and bb.slot is not None}
        for st in p.steps:
            if isinstance(st, K.Kernel):
                w = self.writers[st.name]
                plan = self.chosen[st.name]
                for j, ln in enumerate(plan.launches):
                    fname = f"_k_{st.name}_{j}"
                    ns[fname] = getattr(self.module, ln.fn)
                    args = list(w.args)
                    for i in range(len(plan.partials)):
                        pn = f"_part_{st.name}_{i}"
                        ns[pn] = self._partials[(st.name, i)]
                        args.append(pn)
                    kw = ", ".join(f"{k}={v}" for k, v in ln.kwargs.items())
                    launch = f"{fname}[{ln.grid!r}]({', '.join(args)}, {kw}, num_warps={ln.num_warps})"
                    pos = _positional(ns[fname], args, ln.kwargs) if direct is not None else None
                    if pos is None:
                        lines.append(f"{ind}{launch}")
                        continue
                    g = tuple(ln.grid) + (1,) * (3 - len(ln.grid))
                    n = f"{st.name}_{j}"
                    ns[f"_r_{n}"] = None
                    risky = [a for a in args if a in extern_outs]
                    odd = f"({' | '.join(f'{a}.data_ptr()' for a in risky)}) & 15" if risky else ""
                    lines.append(f"{ind}if _r_{n} is None{' or ' + odd if odd else ''}: "
                                 f"_keep({n!r}, {launch}, {'not ' + odd if odd else 'True'})")
                    lines.append(f"{ind}else: _r_{n}({g[0]}, {g[1]}, {g[2]}, _stream(_di), _f_{n}, _m_{n}, None, None, "
                                 f"None, {', '.join(pos)})")
                continue
            lines += extern_call_lines(ns, st.name, st.primitive, st.params, st.inputs, st.outputs, pooled, ind,
                                      [bufs[a] if isinstance(a, str) else None for a in st.inputs])
        outs = []
        for j, o in enumerate(p.outputs):
            if isinstance(o, str):
                outs.append(o)
            else:
                ns[f"_cdt{j}"] = dtypes.to_torch_dtype(o[2])
                ns[f"_cval{j}"] = o[1]
                outs.append(f"torch.tensor(_cval{j}, dtype=_cdt{j}, device=_dev)")
        lines.append(f"{ind}return [{', '.join(outs)}]")
        close_lock(lines, locked)
        ns["_fix"] = fix_extern_output({s.untyped_storage().data_ptr() for s in self._slots})
        src = "\n".join(lines)
        self.launcher_source = src
        exec(compile(src, f"<jaxish triton launcher {id(self):x}>", "exec"), ns)
        return _quiet(ns["run"]) if self.interpret else ns["run"]

    def _variant(self, ts):
        """Inputs laid out differently from the example: run a program specialized to them."""
        key = tuple(tuple(t.stride()) if isinstance(t, torch.Tensor) and not t.is_contiguous() else None
                    for t in ts)
        exe = self._variants.get(key)
        if exe is None:
            strides = {i: k for i, k in enumerate(key) if k is not None}
            from . import build
            exe = self._variants[key] = build(self.graph, self.device, strides, self.donate)
        return exe.run_tensors(ts)

    def _fresh(self, ts):
        """Re-entrant call (another thread is running this executable): private temps."""
        return TritonExecutable(self.graph, self.program, self.device, self.strides,
                                module=(self.module, self.hash), donate=self.donate, gen=self.gen).run_tensors(ts)

    # ---- first call on a GPU: time the candidate plans ----
    def _tuning_run(self, ts):
        if not self.interpret:
            cur, on = device_guard()
            if cur() != self.device.index:
                return on(self.device.index, self._tuning_run, ts)
        self._warm_up(ts)
        p = self.program
        bufs = p.buffers
        env = {}
        for b, t in zip(p.inputs, ts):
            if bufs[b].shape == () and (not isinstance(t, torch.Tensor) or t.device != self.device):
                t = torch.as_tensor(t, dtype=dtypes.to_torch_dtype(bufs[b].dtype)).to(self.device)
            if isinstance(t, torch.Tensor) and bufs[b].numel > 1 and not self._layout_ok(b, t):
                return self._variant(ts)
            env[b] = t
        env.update(self._temps)
        for b, buf in bufs.items():
            if buf.kind == "output" and not buf.extern:
                donor = getattr(buf, "donor", None)
                if donor is not None:
                    env[b] = donated_storage(env[donor], [env[n] for n in p.inputs if n != donor])
                    continue
                env[b] = torch.empty(buf.shape, dtype=dtypes.to_torch_dtype(buf.dtype), device=self.device)
        choices = {}
        fix = fix_extern_output({s.untyped_storage().data_ptr() for s in self._slots})
        pooled = {n for n, bb in bufs.items() if bb.kind == "temp" and bb.slot is not None}
        for st in p.steps:
            if isinstance(st, K.Kernel):
                plans = self.candidates[st.name]
                plan = self.chosen.get(st.name)
                if plan is None:
                    plan = self._tune(st.name, plans, env)
                    self.chosen[st.name] = plan
                    choices[st.name] = plan.desc
                self._launch(st.name, plan, env)
                continue
            args = [env[a] if isinstance(a, str) else a[1] for a in st.inputs]
            res = run_impl(st.primitive, args, st.params)
            res = res if st.primitive.multiple_results else [res]
            aliasing = any(isinstance(a, str) and a in pooled for a in st.inputs)
            for o, r in zip(st.outputs, res):
                env[o] = fix(r, aliasing)
        if choices:
            loader.save_tuned(self.hash, self.device_name, choices)
        self._impl[0] = self._launcher()
        outs = []
        for o in p.outputs:
            if isinstance(o, str):
                outs.append(env[o])
            else:
                outs.append(torch.tensor(o[1], dtype=dtypes.to_torch_dtype(o[2]), device=self.device))
        return outs

    def _warm_up(self, ts):
        """First call on a GPU: compile every candidate launch of every kernel at once, on a
        thread pool through Triton's asynchronous compile mode (Triton releases the GIL for much
        of a compile: three candidates for sm_90 took 4.8 s one by one and 2.4 s in threads on a
        2-core machine), instead of one after another as each is first launched. Arguments the
        first call does not know yet (extern results) are stand-ins of the right dtype; a launch
        whose real arguments specialize differently compiles then, as before. Anything going
        wrong here only leaves the compiles to the launches."""
        if self.interpret or os.environ.get("JAXISH_TRITON_PARALLEL_COMPILE", "1") == "0":
            return
        try:
            from concurrent.futures import ThreadPoolExecutor
            from triton.runtime._async_compile import AsyncCompileMode
        except ImportError:
            return
        p = self.program
        bufs = p.buffers
        env = dict(self._temps)
        for b, t in zip(p.inputs, ts):
            if isinstance(t, torch.Tensor) and t.device == self.device:
                env[b] = t
        stand_in = {}

        def arg(b):
            t = env.get(b)
            if t is None:
                dt = dtypes.to_torch_dtype(bufs[b].dtype)
                t = stand_in.get(dt)
                if t is None:
                    t = stand_in[dt] = torch.empty(64, dtype=dt, device=self.device)
            return t
        jobs = []
        for n, plans in self.candidates.items():
            chosen = self.chosen.get(n)
            for plan in ([chosen] if chosen is not None else plans):
                args = self._launch_args(n, plan, arg)
                jobs += [(getattr(self.module, ln.fn), args, ln) for ln in plan.launches]
        if len(jobs) < 2:
            return
        try:
            with torch.cuda.device(self.device), \
                    ThreadPoolExecutor(min(len(jobs), os.cpu_count() or 1, 16)) as pool, \
                    AsyncCompileMode(pool, ignore_errors=True):
                for fn, args, ln in jobs:
                    fn.warmup(*args, grid=ln.grid, **ln.kwargs, num_warps=ln.num_warps)
        except Exception as e:  # noqa: BLE001 - the launches compile whatever did not
            log.info("triton parallel compile skipped: %s", e)

    def _layout_ok(self, b, t):
        i = self.program.inputs.index(b)
        if i in self.strides:
            return tuple(t.stride()) == tuple(self.strides[i])
        return t.is_contiguous()

    def _launch_args(self, name, plan, value):
        """Kernel `name`'s arguments under `plan`: value(buffer) per buffer, then its partials."""
        return [value(b) for b in self.writers[name].args] + [self._partials[(name, i)]
                                                               for i in range(len(plan.partials))]

    def _launch(self, name, plan, env):
        args = self._launch_args(name, plan, env.__getitem__)
        for ln in plan.launches:
            getattr(self.module, ln.fn)[ln.grid](*args, **ln.kwargs, num_warps=ln.num_warps)

    def _tune(self, name, plans, env):
        # a kernel updating a donated buffer in place must see the same input on every run
        bufs = self.program.buffers
        inplace = [b for b in self.writers[name].args if getattr(bufs[b], "donor", None)]
        saved = {b: env[b].clone() for b in inplace}

        def run(plan):
            for b, t in saved.items():
                env[b].copy_(t)
            self._launch(name, plan, env)
        best, best_t = None, None
        for plan in plans:
            try:
                t = _bench(lambda: run(plan))
            except Exception as e:  # noqa: BLE001 - a config may not fit (registers, shared memory)
                log.info("triton autotune: %s %s failed: %s", name, plan.desc, e)
                continue
            log.info("triton autotune: %s %s %.4f ms", name, plan.desc, t)
            if best_t is None or t < best_t:
                best, best_t = plan, t
        if best is None:
            raise RuntimeError(f"no launch plan of triton kernel {name} compiled: "
                               f"{[p.desc for p in plans]}")
        for b, t in saved.items():
            env[b].copy_(t)
        return best

    # ---- reports ----
    def as_text(self):
        p = self.program
        lines = [f"# backend: triton ({'interpreter' if self.interpret else self.device_name}; "
                 f"{self.kernel_count} kernels, "
                 f"{sum(1 for s in p.steps if isinstance(s, K.ExternCall))} extern calls)",
                 "# fusion groups:"]
        lines += ["#   " + line for line in p.describe().splitlines()]
        for k in p.kernels:
            plan = self.chosen.get(k.name)
            lines.append("")
            lines.append(f"# {k.name}: read {k.bytes_read} B, written {k.bytes_written} B; plan: "
                         + (plan.desc if plan else "to be tuned among "
                            + "; ".join(q.desc for q in self.candidates[k.name])))
            lines.append(self.sources[k.name].strip())
        return "\n".join(lines)


def generate(program, interpret):
    """(writers, candidate plans, source per kernel, module source) for a Program."""
    from .emit import KernelWriter
    from .mathlib import PRELUDE
    bufs = program.buffers
    writers = {k.name: KernelWriter(k, bufs, interpret) for k in program.kernels}
    candidates = {n: configs.candidates(w, interpret) for n, w in writers.items()}
    sources = {}
    for n, w in writers.items():
        fns = []
        for plan in candidates[n]:
            for ln in plan.launches:
                if ln.fn not in fns:
                    fns.append(ln.fn)
        sources[n] = "\n\n".join(_variant_source(w, fn) for fn in fns)
    source = PRELUDE + "\n\n" + "\n\n".join(sources.values()) + "\n"
    return writers, candidates, sources, source


def _variant_source(writer, fn):
    base = writer.k.name
    if fn == base:
        return writer.pointwise(fn)
    kind = fn[len(base) + 1:]
    return {"persistent": writer.persistent, "looped": writer.looped,
            "split1": writer.split_phase1, "split2": writer.split_phase2}[kind](fn)


def _bench(fn):
    """Milliseconds per call of `fn` (compiles on the first call)."""
    fn()
    torch.cuda.synchronize()
    start = torch.cuda.Event(enable_timing=True)
    end = torch.cuda.Event(enable_timing=True)
    start.record()
    fn()
    end.record()
    end.synchronize()
    once = max(start.elapsed_time(end), 1e-3)
    reps = max(3, min(50, int(3.0 / once)))
    start.record()
    for _ in range(reps):
        fn()
    end.record()
    end.synchronize()
    return start.elapsed_time(end) / reps


def direct_launch_ok():
    """Direct launches skip Triton's launch hooks: only when none is installed (a profiler such
    as proton installs some), and not when JAXISH_TRITON_DIRECT=0."""
    if os.environ.get("JAXISH_TRITON_DIRECT", "1") == "0":
        return False
    try:
        from triton import knobs
    except ImportError:
        return False
    for hook in (knobs.runtime.launch_enter_hook, knobs.runtime.launch_exit_hook):
        if hook is not None and getattr(hook, "calls", None) != []:
            return False
    return True


def _positional(fn, args, kwargs):
    """The launch's arguments in the kernel's signature order (pointers, then the constexpr
    values as literals), or None when the signature is not what we generated."""
    names = getattr(fn, "arg_names", None)
    if names is None or len(names) != len(args) + len(kwargs) or set(names[len(args):]) != set(kwargs):
        return None
    return list(args) + [repr(kwargs[n]) for n in names[len(args):]]


def _keeper(ns):
    """_keep(n, kernel, aligned): after Triton's own launch of `n`, keep its compiled kernel's
    C launcher, function handle and packed metadata for the direct path (only from a launch
    with aligned pointers, which is what the direct path guards for)."""
    def keep(n, kernel, aligned=True):
        if not aligned or kernel is None:
            return
        if hasattr(kernel, "result"):   # an asynchronous compile's future
            kernel = kernel.result()
        run = kernel.run                # loads the module and the function handle
        ns[f"_f_{n}"], ns[f"_m_{n}"] = kernel.function, kernel.packed_metadata
        ns[f"_r_{n}"] = run
    return keep


def _quiet(run):
    """Interpreted kernels compute with numpy: keep its overflow/NaN warnings out of the way."""
    def quiet_run(ts):
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            return run(ts)
    return quiet_run
