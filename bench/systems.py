"""The systems under test, behind one small adapter.

A System turns (workload, numpy inputs) into a zero-argument `call`, knows how to wait for
a result (`block`) and read it back (`to_numpy`), and may wrap the run in a `context`.
Discovery never fails: a system whose library cannot load is still listed, carrying the
error, so the table shows "error: ..." in its column instead of the run stopping.

torch, jax and jaxish are imported lazily: this module loads in an interpreter that has
only one of them (the external-jax worker).
"""
import contextlib
import importlib
import importlib.util

import numpy as np


def flatten(tree):
    """Leaves of nested tuples / lists / dicts (dict keys sorted, as jax does), in order."""
    if isinstance(tree, (tuple, list)):
        return [leaf for item in tree for leaf in flatten(item)]
    if isinstance(tree, dict):
        return [leaf for key in sorted(tree) for leaf in flatten(tree[key])]
    return [tree]


def short_error(exc, limit=160):
    """`Type: first line of the message`, cut to `limit` characters."""
    lines = str(exc).strip().splitlines()
    text = f"{type(exc).__name__}: {lines[0] if lines else ''}".rstrip(": ")
    return text if len(text) <= limit else text[:limit - 3] + "..."


class System:
    """Base adapter. Subclasses set `name` and implement `prepare`, `block`, `to_numpy`."""
    name = "?"
    has_compiler = False     # takes part in the compile-time rows
    runs_eager_rows = True   # runs workloads marked jit=False (run without a compiler)
    external_python = None   # set when the system runs in another interpreter (worker)

    def __init__(self, device):
        self.device = device
        self.error = None    # why the system cannot run at all (import failure)

    def not_applicable(self, workload):
        """A reason this system does not run `workload`, or None."""
        if workload.kind == "compile" and not self.has_compiler:
            return "no compiler"
        if not workload.jit and not self.runs_eager_rows:
            return "eager-only row"
        return None

    def context(self):
        return contextlib.nullcontext()

    def cache_env(self, cache_dir):
        """Environment variables that send this system's on-disk compile cache to `cache_dir`."""
        return {}

    def prepare(self, workload, size_name, inputs):
        raise NotImplementedError

    def block(self, out):
        return out

    def to_numpy(self, out):
        raise NotImplementedError


# --- torch ----------------------------------------------------------------------------

class TorchEager(System):
    name = "torch"

    def __init__(self, device):
        super().__init__(device)
        import torch
        self.torch = torch

    def build(self, workload, size_name):
        return workload.torch_fn(**workload.size(size_name))

    def prepare(self, workload, size_name, inputs):
        fn = self.build(workload, size_name)
        args = tuple(self.torch.from_numpy(np.ascontiguousarray(a)).to(self.device) for a in inputs)
        return lambda: fn(*args)

    def block(self, out):
        if self.device != "cpu":
            self.torch.cuda.synchronize()
        return out

    def to_numpy(self, out):
        return [np.asarray(leaf.detach().cpu().numpy()) if hasattr(leaf, "detach") else np.asarray(leaf)
                for leaf in flatten(out)]


class TorchCompile(TorchEager):
    name = "torch.compile"
    has_compiler = True
    runs_eager_rows = False

    def build(self, workload, size_name):
        self.torch._dynamo.reset()
        return self.torch.compile(workload.torch_fn(**workload.size(size_name)))

    def cache_env(self, cache_dir):
        return {"TORCHINDUCTOR_CACHE_DIR": f"{cache_dir}/inductor", "TRITON_CACHE_DIR": f"{cache_dir}/triton"}


# --- jax and jaxish -------------------------------------------------------------------

class JaxLike(System):
    """Real jax or jaxish, running a workload's JAX-style function under jit or eagerly."""

    def __init__(self, name, module, device, jit, backend=None):
        super().__init__(device)
        self.name, self.module_name, self.jit, self.backend = name, module, jit, backend
        self.has_compiler = jit
        # real jax has no eager column of its own: its column shows eager ops on jit=False rows
        self.runs_eager_rows = (not jit) or module == "jax"
        try:
            self.jax = importlib.import_module(module)
            self.jnp = importlib.import_module(module + ".numpy")
            self.check_device()
        except Exception as e:  # noqa: BLE001 - any import failure becomes the column's status
            self.error = short_error(e)

    def check_device(self):
        if self.module_name == "jax" and self.device != "cpu" and self.jax.default_backend() != "gpu":
            raise RuntimeError("this jax has no GPU backend")

    def not_applicable(self, workload):
        if workload.jax_fn is None:
            return "torch-only row"
        return super().not_applicable(workload)

    def context(self):
        stack = contextlib.ExitStack()
        if self.module_name == "jax" and self.device == "cpu":
            stack.enter_context(self.jax.default_device(self.jax.devices("cpu")[0]))
        if not self.jit:
            stack.enter_context(self.jax.disable_jit())
        return stack

    def cache_env(self, cache_dir):
        return {"JAXISH_CACHE_DIR": f"{cache_dir}/jaxish", "TRITON_CACHE_DIR": f"{cache_dir}/triton",
                "JAX_COMPILATION_CACHE_DIR": f"{cache_dir}/jax"}

    def to_array(self, a):
        if self.module_name == "jaxish" and hasattr(self.jax, "from_torch"):
            import torch
            return self.jax.from_torch(torch.from_numpy(np.ascontiguousarray(a)).to(self.device))
        return self.jnp.asarray(a)

    def prepare(self, workload, size_name, inputs):
        fn = workload.jax_fn(self.jax, self.jnp, **workload.size(size_name))
        if self.jit and workload.jit:
            fn = self.jax.jit(fn, backend=self.backend) if self.backend else self.jax.jit(fn)
        args = tuple(self.to_array(a) for a in inputs)
        return lambda: fn(*args)

    def block(self, out):
        wait = getattr(self.jax, "block_until_ready", None)
        if wait is not None:
            return wait(out)
        for leaf in flatten(out):
            leaf.block_until_ready()
        return out

    def to_numpy(self, out):
        return [np.asarray(leaf) for leaf in flatten(out)]


class ExternalJax(System):
    """Real jax in another interpreter (one without torch); the harness runs it through bench.worker."""
    name = "jax"
    has_compiler = True

    def __init__(self, device, python):
        super().__init__(device)
        self.external_python = python


# --- discovery ------------------------------------------------------------------------

def jaxish_backends(device):
    """jaxish.jit backends worth a column on `device`."""
    return ["triton", "eager"] if device != "cpu" else ["cpp", "eager"]


def all_names(device, jax_python=None):
    names = ["torch", "torch.compile", "jaxish-eager"]
    names += [f"jaxish-jit-{b}" for b in jaxish_backends(device)]
    if jax_python or importlib.util.find_spec("jax") is not None:
        names.append("jax")
    return names


def make(name, device, jax_python=None):
    """The System called `name`."""
    if name == "torch":
        return TorchEager(device)
    if name == "torch.compile":
        return TorchCompile(device)
    if name == "jaxish-eager":
        return JaxLike(name, "jaxish", device, jit=False)
    if name.startswith("jaxish-jit-"):
        return JaxLike(name, "jaxish", device, jit=True, backend=name[len("jaxish-jit-"):])
    if name == "jax":
        if importlib.util.find_spec("jax") is None and jax_python:
            return ExternalJax(device, jax_python)
        return JaxLike(name, "jax", device, jit=True)
    raise ValueError(f"unknown system {name!r}; known: {', '.join(all_names(device, jax_python))}")


def select(names, wanted):
    """Names in `names` matching a comma list: exact names or prefixes ("jaxish" -> all jaxish-*)."""
    if not wanted:
        return list(names)
    def matches(name, w):
        return name == w or name.startswith(w + "-")
    picked = [n for n in names if any(matches(n, w) for w in wanted)]
    unknown = [w for w in wanted if not any(matches(n, w) for n in names)]
    if unknown:
        raise ValueError(f"unknown system(s) {', '.join(unknown)}; known: {', '.join(names)}")
    return picked
