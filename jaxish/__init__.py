"""jaxish: JAX's API and transformations on PyTorch tensors, with fused kernels of its own.

    import jaxish as jax
    import jaxish.numpy as jnp
"""
from .config import config  # noqa: F401
from .interpreters import eager as _eager  # noqa: F401  (installs the eager trace)
from .array import Array, from_torch, to_torch, from_dlpack  # noqa: F401
from .errors import (ConcretizationTypeError, UnexpectedTracerError, TracerBoolConversionError,  # noqa: F401
                     TracerIntegerConversionError, TracerArrayConversionError)
from . import tree_util, tree  # noqa: F401
from . import numpy, lax  # noqa: F401
from . import random  # noqa: F401
from .api import *  # noqa: F401,F403
from .custom_derivatives import custom_jvp, custom_vjp, custom_gradient, closure_convert  # noqa: F401
from .config import (enable_x64, debug_nans, debug_infs, log_compiles, explain_cache_misses,  # noqa: F401
                     numpy_rank_promotion, numpy_dtype_promotion, default_matmul_precision, enable_checks,
                     check_tracer_leaks, checking_leaks, debug_key_reuse, enable_custom_prng,
                     threefry_partitionable, default_prng_impl, softmax_custom_jvp, transfer_guard,
                     transfer_guard_host_to_device, transfer_guard_device_to_device,
                     transfer_guard_device_to_host, no_tracing, no_execution)
from .dtypes import float0  # noqa: F401
from .lax.remat import checkpoint, remat, checkpoint_policies  # noqa: F401
from . import errors  # noqa: F401
from . import debug  # noqa: F401
from . import distributed, sharding  # noqa: F401
from .distributed import pmap, shard_map, make_mesh, make_array_from_callback  # noqa: F401
from .distributed import make_array_from_process_local_data, make_array_from_single_device_arrays  # noqa: F401
from .distributed import device_put_replicated, device_put_sharded  # noqa: F401
from .distributed.runtime import Device  # noqa: F401
from .sharding import NamedSharding, PartitionSpec as P  # noqa: F401

__version__ = "0.1.0"
from . import nn, scipy  # noqa: E402,F401
from . import flatten_util, ad_checkpoint, typing  # noqa: E402,F401
from . import image, ops  # noqa: E402,F401
from . import experimental  # noqa: E402,F401
from . import custom_batching  # noqa: E402,F401
