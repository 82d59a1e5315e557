"""The C++ CPU backend: compiles a scheduled Program (jaxish.scheduler) into one shared library
of OpenMP/SIMD kernels and runs it through a flat ctypes launcher.

`compile_executable(graph, tensors)` is what jaxish.runtime calls for backend "cpp"."""
import logging
import os
import warnings

from ..scheduler import schedule
from . import compiler
from .compiler import CompileError, stats  # noqa: F401
from .executable import CppExecutable, input_strides

log = logging.getLogger("jaxish")
_warned = []


def _eager(graph, note):
    from ..runtime.executable import EagerExecutable
    return EagerExecutable(graph, note=note)


def compile_executable(graph, tensors=(), donate=()):
    """An executable for `graph` (operands: consts then arguments). tensors: example operands
    (their strides specialize the kernels); donate: operand positions the caller donates."""
    if compiler.find_compiler() is None:
        if not _warned:
            warnings.warn("jaxish: no C++ compiler found (set CXX, or install g++ or clang++); "
                          "jit runs eagerly on CPU", RuntimeWarning, stacklevel=3)
            _warned.append(True)
        return _eager(graph, "cpp backend: no C++ compiler, ran eagerly")
    strides = input_strides(graph, list(tensors))
    try:
        program = schedule(graph, strides, donate)
        return CppExecutable(graph, program, strides, donate)
    except (CompileError, FileNotFoundError):
        raise
    except Exception as e:  # noqa: BLE001 - a scheduler gap must not stop the program
        if os.environ.get("JAXISH_CPP_STRICT"):
            raise
        log.warning("jaxish cpp backend could not compile this graph (%s: %s); running it eagerly",
                    type(e).__name__, e)
        return _eager(graph, f"cpp backend failed ({type(e).__name__}: {e}); ran eagerly")
