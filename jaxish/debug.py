"""jaxish.debug: print and callbacks that work inside jit, grad and vmap (JAX's jax.debug).

`debug_callback` is an effectful primitive: DCE keeps it, CSE and constant folding leave it
alone, and its impl calls the Python callback with numpy values when the program runs."""
import builtins
import logging
import string

import numpy as np
import torch

from .array import Array, _torch_to_numpy
from .interpreters import core
from .interpreters.core import Primitive
from .tree_util import tree_flatten, tree_unflatten

__all__ = ["print", "log", "callback", "debug_callback_p"]

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


class _FormatChecker(string.Formatter):
    """JAX's check of a debug.print format at trace time: fields resolve, every argument is used
    (an f-string passed by mistake leaves keyword arguments unused); nothing is formatted."""

    def format_field(self, value, format_spec):
        return ""

    def check_unused_args(self, used_args, args, kwargs):
        unused_args = [a for i, a in enumerate(args) if i not in used_args]
        unused_kwargs = [k for k in kwargs if k not in used_args]
        if unused_args:
            raise ValueError(f"Unused positional arguments to `jax.debug.print`: {unused_args}")
        if unused_kwargs:
            raise ValueError(f"Unused keyword arguments to `jax.debug.print`: {unused_kwargs}. You may be "
                             "passing an f-string (i.e, `f\"{x}\"`) into `jax.debug.print` and instead should "
                             "pass in a regular string.")


def _printer(ordered, skip_format_check, emit):
    def _print(fmt, *args, **kwargs):
        if not skip_format_check:
            _FormatChecker().format(fmt, *args, **kwargs)
        opts = np.get_printoptions()

        def _format_and_emit(*a, **k):
            with np.printoptions(**opts):
                emit(fmt.format(*a, **k))
        callback(_format_and_emit, *args, ordered=ordered, **kwargs)
    return _print


def _two_call(emit, fmt, args, kwargs, ordered, skip_format_check):
    p = _printer(ordered, skip_format_check, emit)
    if fmt is not None:
        return p(fmt, *args, **kwargs)
    if args or kwargs:
        raise TypeError(f"debug_print received unexpected arguments in the two-call form: {args=} {kwargs=}")
    return p


def print(fmt=None, *args, ordered=False, partitioned=False, skip_format_check=False, **kwargs):
    """Print `fmt.format(*args, **kwargs)` with the runtime values, jitted or not. Also JAX's
    two-call form: `jax.debug.print(ordered=True)("x={x}", x=x)`."""
    return _two_call(builtins.print, fmt, args, kwargs, ordered, skip_format_check)


_log = logging.getLogger("jaxish.debug")


def log(fmt=None, *args, ordered=False, partitioned=False, skip_format_check=False, **kwargs):
    """debug.print through the `logging` module (logger "jaxish.debug", level INFO), as JAX's
    jax.debug.log."""
    return _two_call(_log.info, fmt, args, kwargs, ordered, skip_format_check)


def breakpoint(*args, **kwargs):
    raise NotImplementedError("jaxish.debug.breakpoint: use `with jaxish.disable_jit():` and pdb instead")
