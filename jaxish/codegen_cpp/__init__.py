"""The C++ CPU backend: compiles a scheduled Program (jaxish.scheduler) into one shared library
of OpenMP/SIMD kernels and runs it through a flat ctypes launcher.

`compile_executable(graph, tensors, donate)` is what jaxish.runtime calls for backend "cpp".
Both the library and the launch plan are cached on disk (JAXISH_CACHE_DIR/cpp), so a second
process with the same graph neither schedules nor compiles."""
import logging
import os
import warnings

from . import compiler
from .compiler import CompileError, stats  # noqa: F401
from .executable import CppExecutable, load_plan, save_plan
from ..scheduler import input_strides
from ..runtime.versions import code_version, plan_key

log = logging.getLogger("jaxish")
_warned = []


def _eager(graph, note):
    from ..runtime.executable import EagerExecutable
    return EagerExecutable(graph, note=note)


def build(graph, strides=None, donate=()):
    """A CppExecutable from the plan cache when possible, else scheduled and compiled."""
    strides = strides or {}
    path = None
    try:
        key = plan_key(graph, strides, donate, code_version("codegen_cpp", "scheduler"), compiler.toolchain_id())
        path = os.path.join(compiler.cache_dir(), f"plan-{key}.json")
    except Exception:  # noqa: BLE001 - an unprintable graph just skips the plan cache
        pass
    if path is not None:
        plan, libkey = load_plan(path)
        if plan is not None and libkey:
            hit = compiler.library_for_key(libkey)
            if hit is not None:
                return CppExecutable(graph, None, strides, donate, plan=plan, lib=hit[0], source_path=hit[1])
    from ..scheduler import schedule
    exe = CppExecutable(graph, schedule(graph, strides, donate), strides, donate)
    if path is not None:
        save_plan(path, exe.plan, compiler.key_of_path(exe.source_path))
    return exe


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
        from ..scheduler.rewrite import prepare
        return build(prepare(graph), strides, donate)
    except (CompileError, FileNotFoundError):
        raise
    except Exception as e:  # noqa: BLE001 - a scheduler gap must not stop the program
        if os.environ.get("JAXISH_CPP_STRICT"):
            raise
        log.warning("jaxish cpp backend could not compile this graph (%s: %s); running it eagerly",
                    type(e).__name__, e)
        return _eager(graph, f"cpp backend failed ({type(e).__name__}: {e}); ran eagerly")
