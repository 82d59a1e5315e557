"""The Triton backend: the scheduler's kernel description emitted as Triton kernels.

`compile_executable(graph, tensors)` schedules the graph, writes one Triton module for all its
kernels (emit.py, with the math helpers of mathlib.py), loads it compiled for the tensors' GPU
(CUDA or ROCm) or, for CPU tensors, through Triton's interpreter, and returns a
`TritonExecutable` (executable.py) with a flat launcher. On a GPU each kernel's launch plan
(block sizes, warps; persistent / looped / split reductions) is autotuned on the first call and
remembered on disk (configs.py, loader.py)."""
import triton  # noqa: F401 - ImportError here makes the runtime fall back to eager

from ..scheduler import schedule
from .emit import Unsupported
from .executable import TritonExecutable, device_of
from ..scheduler import input_strides
from . import configs

__all__ = ["compile_executable", "TritonExecutable", "configs"]


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
        program = schedule(graph, strides, tuple(donate)) if donate else schedule(graph, strides)
        return TritonExecutable(graph, program, dev, strides, donate=tuple(donate))
    except Unsupported as e:
        return EagerExecutable(graph, note=f"triton backend: {e}: ran eagerly")
