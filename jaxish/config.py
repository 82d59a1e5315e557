"""Global flags, read through `config.<name>` and set with `config.update(name, value)` (as jax.config),
and the context managers JAX names after them (`with jaxish.enable_x64(): ...`)."""
import contextlib
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
            "jax_debug_infs": _env_bool("JAX_DEBUG_INFS"),
            "jax_disable_jit": _env_bool("JAXISH_DISABLE_JIT") or _env_bool("JAX_DISABLE_JIT"),
            "jax_explain_cache_misses": False,
            "jaxish_backend": os.environ.get("JAXISH_BACKEND") or None,
            "jaxish_cache_dir": os.environ.get("JAXISH_CACHE_DIR")
            or os.path.join(os.path.expanduser("~"), ".cache", "jaxish"),
            "jax_numpy_rank_promotion": os.environ.get("JAX_NUMPY_RANK_PROMOTION", "allow"),
            "jax_numpy_dtype_promotion": os.environ.get("JAX_NUMPY_DTYPE_PROMOTION", "standard"),
            "jax_default_matmul_precision": None,
            "jax_log_compiles": _env_bool("JAX_LOG_COMPILES"),
            # JAX options programs set at start-up; see _ONLY and _update_effects
            "jax_threefry_partitionable": True,
            "jax_enable_checks": False,
            "jax_check_tracer_leaks": False,
            "jax_debug_key_reuse": False,
            "jax_default_prng_impl": "threefry2x32",
            "jax_enable_custom_prng": False,
            "jax_transfer_guard": None,
            "jax_platforms": os.environ.get("JAX_PLATFORMS") or None,
            "jax_platform_name": os.environ.get("JAX_PLATFORM_NAME") or None,
            "jax_compilation_cache_dir": None,
            "jax_persistent_cache_min_compile_time_secs": 1.0,
            "jax_traceback_filtering": os.environ.get("JAXISH_TRACEBACK_FILTERING", "auto"),
            "jax_softmax_custom_jvp": False,
            "jax_default_device": None,
            "jax_no_tracing": False,     # a jit trace is a RuntimeError (cache-hit checks)
            "jax_no_execution": False,   # running a jitted function or an eager op is a RuntimeError
        }
        self._derive()
        self.version = 0

    _CHOICES = {"jax_numpy_rank_promotion": ("allow", "warn", "raise"),
                "jax_numpy_dtype_promotion": ("standard", "strict"),
                "jax_traceback_filtering": ("off", "tracebackhide", "remove_frames", "quiet_remove_frames",
                                            "auto")}
    # Options jaxish accepts only at the value whose behaviour it implements: another value would
    # change results (random bits, key checks, transfer guards) in ways jaxish does not follow.
    _ONLY = {"jax_threefry_partitionable": (True,), "jax_debug_key_reuse": (False,),
             "jax_default_prng_impl": ("threefry2x32",), "jax_enable_custom_prng": (False,),
             "jax_transfer_guard": (None, "allow")}

    def _derive(self):
        v = self._values
        v["_debug_fp"] = bool(v["jax_debug_nans"] or v["jax_debug_infs"])   # one lookup on hot paths

    def update(self, name, value):
        if name not in self._values or name.startswith("_"):
            raise AttributeError(f"Unrecognized config option: {name}")
        choices = self._CHOICES.get(name)
        if choices is not None and value not in choices:
            raise ValueError(f"Invalid value {value!r} for JAX flag {name}; expected one of {', '.join(choices)}")
        only = self._ONLY.get(name)
        if only is not None and value not in only:
            raise NotImplementedError(f"jaxish implements {name}={only[0]!r} only, got {value!r}")
        self._values[name] = value
        self._update_effects(name, value)
        self._derive()
        if name != "jax_no_tracing":   # nothing a trace computes depends on it: keep the caches
            self.version += 1

    def _update_effects(self, name, value):
        """Options that act outside the flag table."""
        if name in ("jax_platforms", "jax_platform_name") and value:
            first = str(value).split(",")[0].strip().lower()
            set_default_device("cuda" if first in ("gpu", "cuda", "rocm") else "cpu")
        elif name == "jax_default_device":
            use_default_device(value)
        elif name == "jax_compilation_cache_dir" and value:
            self._values["jaxish_cache_dir"] = str(value)
        elif name == "jax_traceback_filtering":
            os.environ["JAXISH_TRACEBACK_FILTERING"] = "off" if value == "off" else "auto"

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
        return (v["jax_enable_x64"], v["jax_debug_nans"], v["jax_debug_infs"], v["jax_default_matmul_precision"],
                v["jax_numpy_rank_promotion"], v["jax_numpy_dtype_promotion"])


config = Config()


class _Flag:
    """JAX's config-option context managers: `with enable_x64(): ...` sets the option for the
    block (`new_val` defaults to True for boolean options); `.value` reads it."""

    def __init__(self, name, default=True):
        self.name, self.default = name, default
        self.__doc__ = f"Context manager for `{name}` config option."

    @property
    def value(self):
        return config.read(self.name)

    @contextlib.contextmanager
    def __call__(self, new_val=None):
        new_val = self.default if new_val is None else new_val
        prev = config.read(self.name)
        config.update(self.name, new_val)
        try:
            yield
        finally:
            config.update(self.name, prev)

    def __repr__(self):
        return f"<config option {self.name}={self.value!r}>"


enable_x64 = _Flag("jax_enable_x64")
debug_nans = _Flag("jax_debug_nans")
debug_infs = _Flag("jax_debug_infs")
log_compiles = _Flag("jax_log_compiles")
explain_cache_misses = _Flag("jax_explain_cache_misses")
numpy_rank_promotion = _Flag("jax_numpy_rank_promotion", None)
numpy_dtype_promotion = _Flag("jax_numpy_dtype_promotion", None)
default_matmul_precision = _Flag("jax_default_matmul_precision", None)
enable_checks = _Flag("jax_enable_checks")
check_tracer_leaks = _Flag("jax_check_tracer_leaks")
checking_leaks = check_tracer_leaks
debug_key_reuse = _Flag("jax_debug_key_reuse")
enable_custom_prng = _Flag("jax_enable_custom_prng")
threefry_partitionable = _Flag("jax_threefry_partitionable")
default_prng_impl = _Flag("jax_default_prng_impl", None)
softmax_custom_jvp = _Flag("jax_softmax_custom_jvp")
transfer_guard = _Flag("jax_transfer_guard", None)
no_tracing = _Flag("jax_no_tracing")
no_execution = _Flag("jax_no_execution")
transfer_guard_host_to_device = transfer_guard_device_to_device = transfer_guard_device_to_host = transfer_guard


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


def use_default_device(device):
    """Arrays made from nothing go to `device` (a jaxish Device, torch.device or name); None
    restores the automatic choice."""
    if device is None:
        _default_device[:] = []
    else:
        set_default_device(getattr(device, "torch_device", device))
