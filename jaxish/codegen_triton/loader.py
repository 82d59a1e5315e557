"""Generated modules on disk and in memory, built for the GPU or for Triton's interpreter.

A module's source is written once to `<cache dir>/triton/k_<hash>.py` (Triton reads kernel source
from files) and imported under a name that says its mode. Whether `@triton.jit` makes a GPU
kernel or an interpreted one is decided when the decorator runs, from TRITON_INTERPRET: the
loader sets it for exactly that import, so CPU (interpreter) and GPU modules can share one
process whatever the variable was when triton was first imported. The generated code never
calls triton.language's own `@jit` helpers, which are bound to the mode of triton's import.
Autotuning results are kept beside the module, per device name."""
import contextlib
import hashlib
import importlib.util
import json
import os
import sys
import tempfile
import threading

from ..config import config

_modules = {}
_lock = threading.Lock()


def cache_dir():
    d = os.path.join(config._values["jaxish_cache_dir"], "triton")
    os.makedirs(d, exist_ok=True)
    return d


def source_hash(source):
    return hashlib.sha256(source.encode()).hexdigest()[:24]


def _write_atomic(path, text):
    d = os.path.dirname(path)
    fd, tmp = tempfile.mkstemp(dir=d, suffix=".tmp")
    with os.fdopen(fd, "w") as f:
        f.write(text)
    os.replace(tmp, path)


@contextlib.contextmanager
def _interpret_env(interpret):
    old = os.environ.get("TRITON_INTERPRET")
    os.environ["TRITON_INTERPRET"] = "1" if interpret else "0"
    try:
        yield
    finally:
        if old is None:
            os.environ.pop("TRITON_INTERPRET", None)
        else:
            os.environ["TRITON_INTERPRET"] = old


def load_module(source, interpret, kernel_names=()):
    """The imported module for `source` (cached), with kernels interpreted or compiled."""
    h = source_hash(source)
    key = (h, bool(interpret))
    with _lock:
        mod = _modules.get(key)
        if mod is not None:
            return mod, h
        path = os.path.join(cache_dir(), f"k_{h}.py")
        try:
            with open(path) as f:
                fresh = f.read() != source
        except OSError:
            fresh = True
        if fresh:
            _write_atomic(path, source)
        name = f"jaxish_triton_{h}_{'interp' if interpret else 'jit'}"
        spec = importlib.util.spec_from_file_location(name, path)
        mod = importlib.util.module_from_spec(spec)
        with _interpret_env(interpret):
            spec.loader.exec_module(mod)
        sys.modules[name] = mod
        _check_mode(mod, interpret, kernel_names)
        _modules[key] = mod
        return mod, h


def _check_mode(mod, interpret, kernel_names):
    from triton.runtime.interpreter import InterpretedFunction
    for n in kernel_names:
        fn = getattr(mod, n)
        if isinstance(fn, InterpretedFunction) != bool(interpret):
            if interpret:
                raise RuntimeError(
                    "jaxish's triton backend on CPU tensors needs Triton's interpreter, but this "
                    "triton decided the mode when it was imported. Set TRITON_INTERPRET=1 in the "
                    "environment before triton is imported (or use backend='cpp' on CPU).")
            raise RuntimeError(
                "TRITON_INTERPRET=1 was set when triton was imported, so triton kernels cannot be "
                "compiled for the GPU in this process; unset it to run backend='triton' on a GPU.")


# ---- autotuning results -------------------------------------------------------------------------
_tuned = {}


def tuned_plans(h, device_name):
    key = (h, device_name)
    hit = _tuned.get(key)
    if hit is None:
        hit = {}
        try:
            with open(os.path.join(cache_dir(), f"k_{h}.tune.json")) as f:
                hit = json.load(f).get(device_name, {})
        except (OSError, ValueError):
            pass
        _tuned[key] = hit
    return hit


def save_tuned(h, device_name, choices):
    _tuned.setdefault((h, device_name), {}).update(choices)
    path = os.path.join(cache_dir(), f"k_{h}.tune.json")
    with _lock:
        try:
            with open(path) as f:
                data = json.load(f)
        except (OSError, ValueError):
            data = {}
        data.setdefault(device_name, {}).update(choices)
        _write_atomic(path, json.dumps(data, indent=1, sort_keys=True))
