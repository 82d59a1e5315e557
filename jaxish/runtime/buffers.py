"""Buffer handling shared by the compiled backends' executables (C++ and Triton)."""
import logging
import sys

import torch

_fusion_log = logging.getLogger("jaxish.fusion")
_handler = []


def donated_storage(t, others):
    """A donated input's tensor, to be overwritten in place by the output it becomes (a private
    copy when it is not contiguous or shares memory with another operand)."""
    if t.is_contiguous():
        ptr = t.untyped_storage().data_ptr()
        if not any(isinstance(o, torch.Tensor) and o.untyped_storage().data_ptr() == ptr for o in others):
            return t
    return t.clone(memory_format=torch.contiguous_format)


def fix_extern_output(pool):
    """fix(t, aliasing): an extern call's result made contiguous and, when it may alias, never
    sharing storage with the executable's reusable buffers (`pool`: their storage pointers)."""
    def fix(t, aliasing):
        if not isinstance(t, torch.Tensor):
            return t
        if not t.is_contiguous():
            return t.contiguous()
        if aliasing and pool and t.untyped_storage().data_ptr() in pool:
            return t.clone()
        return t
    return fix


def layout_guard(b, i, strides):
    """Launcher line sending a call to _self._variant when operand `b` (position i) is laid out
    unlike the example it was compiled for (its strides, or contiguous)."""
    if i in strides:
        return f"    if {b}.stride() != {tuple(strides[i])}: return _self._variant(ts)"
    return f"    if not {b}.is_contiguous(): return _self._variant(ts)"


def open_lock(lines, locked):
    """A launcher holding storage between calls runs under its lock (a re-entrant call gets a
    private executable, _self._fresh); returns the body's indentation."""
    if not locked:
        return "    "
    lines += ["    if not _lock.acquire(False): return _self._fresh(ts)", "    try:"]
    return "        "


def close_lock(lines, locked):
    if locked:
        lines += ["    finally:", "        _lock.release()"]


def extern_call_lines(ns, name, primitive, params, inputs, outputs, pooled, ind, avals=None):
    """Launcher lines of one extern step (the compiled backends' shared form): the primitive's
    impl through run_impl on tensors and literals (or, given the operands' `avals`, the function
    its `specialize` rule makes for them), each result through `_fix` (which copies it out of
    pooled storage when an input lived there). Names it needs go into `ns`."""
    aliasing = any(isinstance(a, str) and a in pooled for a in inputs)
    spec = None
    if primitive.specialize is not None and avals is not None and all(isinstance(a, str) for a in inputs):
        spec = primitive.specialize(avals, **params)
    if spec is not None:
        ns[f"_spec_{name}"] = spec
        call = f"_spec_{name}({', '.join(inputs)})"
    else:
        ns[f"_prim_{name}"] = primitive
        ns[f"_params_{name}"] = params
        args = []
        for a in inputs:
            if isinstance(a, str):
                args.append(a)
            else:
                lit = f"_lit_{name}_{len(args)}"
                ns[lit] = a[1]
                args.append(lit)
        call = f"_run_impl(_prim_{name}, [{', '.join(args)}], _params_{name})"
    if primitive.multiple_results:
        return [f"{ind}_r = {call}"] + [f"{ind}{o} = _fix(_r[{j}], {aliasing})" for j, o in enumerate(outputs)]
    return [f"{ind}{outputs[0]} = _fix({call}, {aliasing})"]


def log_fusion_text(text):
    """Print an executable's fusion report on stderr (JAXISH_LOG=fusion)."""
    if not _handler:
        h = logging.StreamHandler(sys.stderr)
        _fusion_log.addHandler(h)
        _fusion_log.setLevel(logging.INFO)
        _handler.append(h)
    _fusion_log.info(text)
