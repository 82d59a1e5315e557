"""jax.experimental: odeint (ode), the x64 context managers, mesh_utils, and the older entry
points shard_map.shard_map and pjit.pjit (today's jaxish.shard_map and jaxish.jit)."""
import contextlib

from ..config import enable_x64 as _x64_flag

__all__ = ["enable_x64", "disable_x64", "io_callback"]


def io_callback(callback, result_shape_dtypes, *args, sharding=None, ordered=False, **kwargs):
    """jax.experimental.io_callback (see jaxish/callback.py)."""
    from ..callback import io_callback as _io_callback
    return _io_callback(callback, result_shape_dtypes, *args, sharding=sharding, ordered=ordered, **kwargs)


@contextlib.contextmanager
def enable_x64(new_val=True):
    """Turn 64-bit types on for the block (new_val=False: off), then restore the previous setting."""
    with _x64_flag(bool(new_val)):
        yield


@contextlib.contextmanager
def disable_x64():
    """Turn 64-bit types off for the block, then restore the previous setting."""
    with _x64_flag(False):
        yield


from . import ode, mesh_utils, shard_map, pjit  # noqa: E402,F401
