"""Global flags, read through `config.<name>` and set with `config.update(name, value)` (as jax.config)."""
import os


def _env_bool(name, default=False):
    v = os.environ.get(name)
    if v is None:
        return default
    return v.strip().lower() in ("1", "true", "yes", "on")


class Config:
    """Flags with JAX's names; a version counter lets caches key on config cheaply."""

    def __init__(self):
        self._values = {
            "jax_enable_x64": _env_bool("JAX_ENABLE_X64"),
            "jax_debug_nans": _env_bool("JAX_DEBUG_NANS"),
            "jax_disable_jit": _env_bool("JAXISH_DISABLE_JIT") or _env_bool("JAX_DISABLE_JIT"),
            "jax_explain_cache_misses": False,
            "jaxish_backend": os.environ.get("JAXISH_BACKEND") or None,
            "jaxish_cache_dir": os.environ.get("JAXISH_CACHE_DIR")
            or os.path.join(os.path.expanduser("~"), ".cache", "jaxish"),
            "jax_numpy_rank_promotion": "allow",
            "jax_default_matmul_precision": None,
        }
        self.version = 0

    def update(self, name, value):
        if name not in self._values:
            raise AttributeError(f"Unrecognized config option: {name}")
        self._values[name] = value
        self.version += 1

    def read(self, name):
        return self._values[name]

    def __getattr__(self, name):
        try:
            return self.__dict__["_values"][name]
        except KeyError:
            raise AttributeError(name) from None

    def key(self):
        """The config values that change what a traced function computes."""
        v = self._values
        return (v["jax_enable_x64"], v["jax_debug_nans"], v["jax_default_matmul_precision"])


config = Config()


_default_device = []


def default_device():
    """Where arrays made from nothing (zeros, arange, PRNG keys) live: CUDA when present."""
    if not _default_device:
        import torch
        name = os.environ.get("JAXISH_DEFAULT_DEVICE")
        if name is None:
            name = "cuda" if torch.cuda.is_available() else "cpu"
        _default_device.append(torch.device(name))
    return _default_device[0]


def set_default_device(device):
    import torch
    _default_device[:] = [torch.device(device)]
