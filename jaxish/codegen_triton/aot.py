"""Ahead-of-time compilation of an executable's kernels for GPU targets, without a GPU.

Triton's compiler (with its bundled ptxas and LLVM AMDGPU backend) runs on any machine, so the
exact source a GPU would JIT can be checked here for CUDA and ROCm targets: every launch of every
candidate plan, with its constexprs and argument types. Tests use it to keep the generated code
inside what the real compiler accepts, which the interpreter alone does not guarantee."""
import numpy as np

from .emit import tl_type
from .loader import load_module

CUDA_SM90 = ("cuda", 90, 32)
ROCM_GFX942 = ("hip", "gfx942", 64)

_SIG = {"tl.float16": "fp16", "tl.bfloat16": "bf16", "tl.float32": "fp32", "tl.float64": "fp64",
        "tl.int8": "i8", "tl.int16": "i16", "tl.int32": "i32", "tl.int64": "i64", "tl.uint8": "u8",
        "tl.uint16": "u16", "tl.uint32": "u32", "tl.uint64": "u64", "tl.int1": "i1"}


def compile_kernels(program, targets=(CUDA_SM90, ROCM_GFX942), all_plans=True):
    """Compile the GPU variants of a Program's kernels for `targets` (every candidate plan, or
    each kernel's first); returns {(fn, target, constexprs): CompiledKernel}.

    Raises the compiler's error for the first launch that does not compile."""
    import triton
    from triton.backends.compiler import GPUTarget
    from triton.compiler import ASTSource
    from .executable import generate
    writers, candidates, _, source = generate(program, interpret=False)
    names = [ln.fn for plans in candidates.values() for p in plans for ln in p.launches]
    mod, _ = load_module(source, False, names)
    bufs = program.buffers
    out = {}
    for kname, plans in candidates.items():
        w = writers[kname]
        for plan in (plans if all_plans else plans[:1]):
            for ln in plan.launches:
                sig = {a: "*" + _SIG[tl_type(np.dtype(bufs[a].dtype))] for a in w.args}
                for i, (tt, _) in enumerate(plan.partials):
                    sig[f"part{i}"] = "*" + _SIG[tt]
                for k in ln.kwargs:
                    sig[k] = "constexpr"
                src = ASTSource(fn=getattr(mod, ln.fn), signature=sig, constexprs=dict(ln.kwargs))
                for tgt in targets:
                    key = (ln.fn, tgt, tuple(sorted(ln.kwargs.items())))
                    if key in out:
                        continue
                    out[key] = triton.compile(src, target=GPUTarget(*tgt),
                                              options={"num_warps": ln.num_warps, "enable_fp_fusion": True})
    return out
