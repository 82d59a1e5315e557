"""jaxish.debug: print and callbacks that work inside jit, grad and vmap (JAX's jax.debug).

`debug_callback` is an effectful primitive: DCE keeps it, CSE and constant folding leave it
alone, and its impl calls the Python callback with numpy values when the program runs."""
import builtins

import numpy as np
import torch

from .array import Array, ArrayImpl, _torch_to_numpy
from .interpreters import core
from .interpreters.core import Primitive
from .tree_util import tree_flatten, tree_unflatten

__all__ = ["print", "callback", "debug_callback_p"]

debug_callback_p = Primitive("debug_callback", multiple_results=True)
debug_callback_p.effectful = True
debug_callback_p.unsigned_shim = False


def _impl(*args, callback):
    callback(*[_torch_to_numpy(a) if isinstance(a, torch.Tensor) else np.asarray(a) for a in args])
    return []


def _jvp(primals, tangents, callback):
    debug_callback_p.bind(*primals, callback=callback)
    return [], []


def _batch(vals, dims, callback):
    """vmap: one call per batch element, in order (as JAX's default for debug callbacks)."""
    from .interpreters.batching import moveaxis
    size = next(core.get_aval(v).shape[d] for v, d in zip(vals, dims) if d is not None)
    moved = [v if d is None else moveaxis(v, d, 0) for v, d in zip(vals, dims)]
    for i in range(size):
        debug_callback_p.bind(*[v if d is None else v[i] for v, d in zip(moved, dims)], callback=callback)
    return [], []


def _transpose(cts, *args, callback):
    return [None] * len(args)


debug_callback_p.impl = _impl
debug_callback_p.abstract_eval = lambda *avals, callback: []
debug_callback_p.jvp = _jvp
debug_callback_p.batch = _batch
debug_callback_p.transpose = _transpose


def callback(callback, *args, ordered=False, **kwargs):
    """Call `callback(*args, **kwargs)` with concrete (numpy) values when the program runs."""
    if not callable(callback):
        raise TypeError(f"debug.callback expects a callable, got {callback!r}")
    leaves, tree = tree_flatten((args, kwargs))
    dyn_pos, dyn, static = [], [], {}
    for i, x in enumerate(leaves):
        if isinstance(x, Array) or isinstance(x, (np.ndarray, np.generic, torch.Tensor)) or \
                core.is_scalar_literal(x):
            dyn_pos.append(i)
            if not isinstance(x, Array):
                from .numpy import asarray
                x = asarray(x)
            dyn.append(x)
        else:
            static[i] = x

    def flat_callback(*vals):
        full = list(leaves)
        for i, v in zip(dyn_pos, vals):
            full[i] = v
        for i, v in static.items():
            full[i] = v
        a, k = tree_unflatten(tree, full)
        callback(*a, **k)

    flat_callback.__name__ = getattr(callback, "__name__", "callback")
    debug_callback_p.bind(*dyn, callback=flat_callback)


def print(fmt, *args, ordered=False, **kwargs):
    """Print `fmt.format(*args, **kwargs)` with the runtime values, jitted or not."""
    def _format_and_print(*a, **k):
        builtins.print(fmt.format(*a, **k))
    callback(_format_and_print, *args, ordered=ordered, **kwargs)


def breakpoint(*args, **kwargs):
    raise NotImplementedError("jaxish.debug.breakpoint: use `with jaxish.disable_jit():` and pdb instead")
