"""The C++ compiler driver: finds a compiler, compiles a translation unit into a shared library
and caches it on disk (JAXISH_CACHE_DIR/cpp, keyed by source, compiler, flags and CPU), with
atomic writes so concurrent processes never load a half-written library."""
import ctypes
import hashlib
import os
import shlex
import shutil
import subprocess
import tempfile
import threading

from ..config import config

FLAGS = ["-O3", "-march=native", "-fno-math-errno", "-fwrapv", "-ffp-contract=off", "-fopenmp-simd", "-fopenmp",
         "-std=c++17", "-shared", "-fPIC", "-w"]
LIBS = ["-lmvec", "-lm"]

# counters the tests read: how often this process ran the compiler or hit a cache
stats = {"compiles": 0, "disk_hits": 0, "memory_hits": 0}
_loaded = {}
_lock = threading.Lock()
_compiler = []


class CompileError(RuntimeError):
    """The C++ compiler rejected a generated kernel (the message names the source file)."""


def find_compiler():
    """The compiler command (a list) from $CXX, else g++, else clang++; None if there is none."""
    if not _compiler:
        cmd = None
        env = os.environ.get("CXX")
        if env:
            parts = shlex.split(env)
            if parts and shutil.which(parts[0]):
                cmd = parts
        if cmd is None:
            for name in ("g++", "clang++"):
                path = shutil.which(name)
                if path:
                    cmd = [path]
                    break
        _compiler.append(cmd)
    return _compiler[0]


def reset_compiler():
    _compiler.clear()
    _ids.clear()


_ids = {}


def cache_dir():
    d = os.path.join(config._values["jaxish_cache_dir"], "cpp")
    os.makedirs(d, exist_ok=True)
    return d


def _atomic_write(path, data):
    d = os.path.dirname(path)
    fd, tmp = tempfile.mkstemp(dir=d, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def compiler_id(cmd):
    """The compiler's version text, cached on disk by the binary's path, size and mtime so a
    warm process runs no subprocess at all."""
    key = tuple(cmd)
    hit = _ids.get(key)
    if hit is not None:
        return hit
    path = os.path.realpath(shutil.which(cmd[0]) or cmd[0])
    st = os.stat(path)
    stamp = hashlib.sha256(f"{path}|{st.st_size}|{st.st_mtime_ns}|{cmd}".encode()).hexdigest()[:24]
    f = os.path.join(cache_dir(), f"compiler-{stamp}.txt")
    try:
        with open(f) as fh:
            text = fh.read()
    except OSError:
        out = subprocess.run(cmd + ["--version"], capture_output=True, text=True)
        text = (out.stdout or out.stderr).strip()
        _atomic_write(f, text.encode())
    _ids[key] = text
    return text


def _cpu_id():
    hit = _ids.get("cpu")
    if hit is None:
        text = ""
        try:
            with open("/proc/cpuinfo") as fh:
                for line in fh:
                    if line.startswith(("model name", "flags")):
                        text += line
                    if line.startswith("flags"):
                        break
        except OSError:
            pass
        hit = _ids["cpu"] = hashlib.sha256(text.encode()).hexdigest()[:16]
    return hit


def library_key(source, cmd):
    h = hashlib.sha256()
    for part in (source, compiler_id(cmd), " ".join(cmd + FLAGS + LIBS), _cpu_id()):
        h.update(part.encode())
        h.update(b"\0")
    return h.hexdigest()[:40]


def toolchain_id():
    """Compiler, flags and CPU: what a compiled library depends on besides its source."""
    cmd = find_compiler()
    return hashlib.sha256(f"{compiler_id(cmd)}|{' '.join(cmd + FLAGS + LIBS)}|{_cpu_id()}".encode()).hexdigest()[:24]


def library_for_key(key):
    """(library, source path) of an already compiled library, or None."""
    d = cache_dir()
    so = os.path.join(d, f"jx_{key}.so")
    with _lock:
        lib = _loaded.get(key)
        if lib is not None:
            stats["memory_hits"] += 1
            return lib, os.path.join(d, f"jx_{key}.cpp")
        if not os.path.exists(so):
            return None
        lib = _loaded[key] = ctypes.CDLL(so)
        stats["disk_hits"] += 1
    return lib, os.path.join(d, f"jx_{key}.cpp")


def key_of_path(path):
    return os.path.basename(path)[3:].rsplit(".", 1)[0]


def load_library(source):
    """ctypes.CDLL of `source`, compiled at most once per machine (disk cache) and per process.
    Returns (library, path of the source file)."""
    cmd = find_compiler()
    if cmd is None:
        raise FileNotFoundError("no C++ compiler found (set CXX, or install g++ or clang++)")
    key = library_key(source, cmd)
    d = cache_dir()
    so = os.path.join(d, f"jx_{key}.so")
    cpp = os.path.join(d, f"jx_{key}.cpp")
    with _lock:
        lib = _loaded.get(key)
        if lib is not None:
            stats["memory_hits"] += 1
            return lib, cpp
        if os.path.exists(so):
            lib = ctypes.CDLL(so)
            stats["disk_hits"] += 1
        else:
            if not os.path.exists(cpp):
                _atomic_write(cpp, source.encode())
            fd, tmp_so = tempfile.mkstemp(dir=d, prefix=".tmp-", suffix=".so")
            os.close(fd)
            try:
                res = subprocess.run(cmd + FLAGS + [cpp, "-o", tmp_so] + LIBS, capture_output=True, text=True)
                if res.returncode != 0:
                    raise CompileError(f"C++ compilation of the generated kernels failed.\n"
                                       f"source: {cpp}\ncommand: {' '.join(cmd + FLAGS)} ... \n"
                                       f"{res.stderr.strip()[-6000:]}")
                os.replace(tmp_so, so)
            finally:
                if os.path.exists(tmp_so):
                    os.unlink(tmp_so)
            stats["compiles"] += 1
            lib = ctypes.CDLL(so)
        _loaded[key] = lib
    return lib, cpp
