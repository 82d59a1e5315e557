"""The Triton backend: the scheduler's kernel description emitted as Triton kernels.

`compile_executable(graph, tensors)` schedules the graph, writes one Triton module for all its
kernels (emit.py, with the math helpers of mathlib.py), loads it compiled for the tensors' GPU
(CUDA or ROCm) or, for CPU tensors, through Triton's interpreter, and returns a
`TritonExecutable` (executable.py) with a flat launcher. On a GPU each kernel's launch plan
(block sizes, warps; persistent / looped / split reductions) is autotuned on the first call and
remembered on disk (configs.py, loader.py). The launch plan itself is stored too (plan.py), so
a warm process neither schedules nor imports sympy."""
import triton  # noqa: F401 - ImportError here makes the runtime fall back to eager

from .executable import TritonExecutable, device_of
from ..scheduler import input_strides
from . import configs, plan as plans

__all__ = ["compile_executable", "TritonExecutable", "configs", "build"]


def build(graph, dev, strides=None, donate=()):
    """A TritonExecutable from the on-disk plan when there is one, else scheduled (and the plan
    stored for the next process)."""
    from ..scheduler.rewrite import prepare
    graph = prepare(graph)   # what the scheduler lowers: extern steps index its equations
    strides = strides or {}
    path = plans.plan_path(graph, strides, donate, dev.type == "cpu")
    if path is not None:
        hit = plans.load(path, graph)
        if hit is not None:
            program, gen = hit
            return TritonExecutable(graph, program, dev, strides, donate=tuple(donate), gen=gen)
    from ..scheduler import schedule
    program = schedule(graph, strides, tuple(donate)) if donate else schedule(graph, strides)
    exe = TritonExecutable(graph, program, dev, strides, donate=tuple(donate))
    if path is not None:
        plans.save(path, program, exe.gen)
    return exe


def compile_executable(graph, tensors=(), donate=()):
    """An executable running `graph` with Triton kernels on the device of `tensors` (example
    operands: consts then arguments; their strides specialize the kernels). donate: operand
    positions the caller gives up, so outputs may be written in place into them."""
    from ..runtime.executable import EagerExecutable
    dev = device_of(tensors)
    if dev.type not in ("cpu", "cuda"):
        return EagerExecutable(graph, note=f"triton backend does not run on {dev.type} tensors: ran eagerly")
    strides = input_strides(graph, tensors)
    try:
        return build(graph, dev, strides, donate)
    except Exception as e:
        from .emit import Unsupported
        if isinstance(e, Unsupported):
            return EagerExecutable(graph, note=f"triton backend: {e}: ran eagerly")
        raise
