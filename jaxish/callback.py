"""Host callbacks that work inside jit and vmap: jax.pure_callback and jax.experimental.io_callback.

The callback runs when the program runs, with its arguments as jaxish arrays on the CPU (as JAX
passes JAX arrays placed on a local CPU device); its results are converted with np.asarray,
cast to the declared dtypes as JAX does, checked against the declared shapes, and put on the
device of the operands. Under jit each call is one extern step (never fused). pure_callback is
pure: CSE may merge and DCE may drop it; io_callback is effectful and kept in program order."""
import numpy as np
import torch

from . import dtypes
from .interpreters import core
from .interpreters.core import Primitive
from .ir.avals import ShapedArray
from .tree_util import tree_flatten, tree_leaves, tree_map, tree_unflatten

__all__ = ["pure_callback", "io_callback", "pure_callback_p", "io_callback_p"]

_VMAP_METHODS = ("sequential", "sequential_unrolled", "expand_dims", "broadcast_all", "legacy_vectorized", None)


class _FlatCallback:
    """The user's callback on flat operands (hashable by identity, as graph params must be)."""
    __slots__ = ("fn", "in_tree")

    def __init__(self, fn, in_tree):
        self.fn, self.in_tree = fn, in_tree

    def __call__(self, *flat):
        args, kwargs = tree_unflatten(self.in_tree, list(flat))
        return self.fn(*args, **kwargs)

    def __repr__(self):
        return getattr(self.fn, "__name__", "callback")


def _impl(*args, callback, result_avals, name, **_):
    from .array import ArrayImpl
    from .config import default_device
    from .numpy.creation import _numpy_to_tensor
    dev = next((a.device for a in args if isinstance(a, torch.Tensor)), None) or torch.device(default_device())
    host = [ArrayImpl(a.detach().cpu() if isinstance(a, torch.Tensor) else torch.as_tensor(a), False)
            for a in args]
    outs = tree_leaves(callback(*host))
    if len(outs) != len(result_avals):
        raise RuntimeError(f"{name}: the callback returned {len(outs)} arrays, but result_shape_dtypes "
                           f"declares {len(result_avals)}")
    res = []
    for i, (o, aval) in enumerate(zip(outs, result_avals)):
        a = np.asarray(o)
        if a.shape != tuple(aval.shape):
            raise RuntimeError(f"{name}: the callback's result {i} has shape {a.shape}, but "
                               f"result_shape_dtypes declares {tuple(aval.shape)}")
        t = _numpy_to_tensor(a, aval.dtype)   # cast to the declared dtype, as JAX does
        res.append(t if t.device == dev else t.to(dev))
    return res


def _abstract(*avals, result_avals, **_):
    return list(result_avals)


def _no_jvp(primals, tangents, name, **_):
    kind = "Pure callbacks" if name == "pure_callback" else "IO callbacks"
    raise ValueError(f"{kind} do not support JVP. Please use `jax.custom_jvp` to use callbacks while "
                     "taking gradients.")


def _no_transpose(cts, *args, name, **_):
    kind = "Pure callbacks" if name == "pure_callback" else "IO callbacks"
    raise ValueError(f"{kind} do not support transpose. Please use `jax.custom_vjp` to use callbacks while "
                     "taking gradients.")


def _batch(prim):
    def rule(vals, dims, *, result_avals, vmap_method, **params):
        """vmap as JAX's (ffi_batching_rule): by vmap_method; without one, NotImplementedError."""
        from .interpreters.batching import moveaxis
        from .lax import _api as lax_api
        size = next(core.get_aval(v).shape[d] for v, d in zip(vals, dims) if d is not None)
        moved = [v if d is None else moveaxis(v, d, 0) for v, d in zip(vals, dims)]
        batched_avals = tuple(ShapedArray((size,) + tuple(a.shape), a.dtype) for a in result_avals)
        if vmap_method == "legacy_vectorized":
            outs = prim.bind(*moved, result_avals=batched_avals, vmap_method=vmap_method, **params)
        elif vmap_method in ("expand_dims", "broadcast_all"):
            n = size if vmap_method == "broadcast_all" else 1
            args = [v if d is not None else lax_api.broadcast(v, (n,)) for v, d in zip(moved, dims)]
            outs = prim.bind(*args, result_avals=batched_avals, vmap_method=vmap_method, **params)
        elif vmap_method in ("sequential", "sequential_unrolled"):
            from .lax.control_flow import scan
            batched = [v for v, d in zip(moved, dims) if d is not None]

            def body(carry, xs):
                it = iter(xs)
                args = [next(it) if d is not None else v for v, d in zip(moved, dims)]
                return carry, prim.bind(*args, result_avals=result_avals, vmap_method=vmap_method, **params)
            _, outs = scan(body, (), batched, unroll=vmap_method == "sequential_unrolled")
        else:
            raise NotImplementedError(
                f"vmap is only supported for the {prim.name} primitive when vmap_method is one of "
                f"'sequential', 'sequential_unrolled', 'expand_dims', 'broadcast_all', or "
                f"'legacy_vectorized'. Got vmap_method={vmap_method!r}.")
        return list(outs), [0] * len(outs)
    return rule


pure_callback_p = Primitive("pure_callback", multiple_results=True)
io_callback_p = Primitive("io_callback", multiple_results=True)
io_callback_p.effectful = True   # kept by DCE, never merged by CSE, in program order
for _p in (pure_callback_p, io_callback_p):
    _p.extern = "callback"
    _p.unsigned_shim = False
    _p.impl = _impl
    _p.abstract_eval = _abstract
    _p.jvp = _no_jvp
    _p.transpose = _no_transpose
    _p.batch = _batch(_p)


def _call(prim, name, callback, result_shape_dtypes, args, kwargs, vmap_method):
    if not callable(callback):
        raise TypeError(f"{name} expects a callable, got {callback!r}")
    if vmap_method not in _VMAP_METHODS:
        raise ValueError(f"vmap_method must be on of the allowed methods {list(_VMAP_METHODS)}, "
                         f"but got: {vmap_method}")
    flat, in_tree = tree_flatten((args, kwargs))
    from .numpy import asarray
    flat = [x if isinstance(x, core.Tracer) or hasattr(x, "_t") else asarray(x) for x in flat]

    def aval_of(s):
        dt = dtypes.check_dtype(s.dtype)
        if dtypes.canonicalize(dt) != dt:
            raise ValueError("result_shape_dtypes cannot specify 64-bit types when `jax_enable_x64` is disabled")
        return ShapedArray(tuple(s.shape), dt)
    result_avals = tree_map(aval_of, result_shape_dtypes)
    flat_avals, out_tree = tree_flatten(result_avals)
    outs = prim.bind(*flat, callback=_FlatCallback(callback, in_tree), result_avals=tuple(flat_avals),
                     vmap_method=vmap_method, name=name)
    return tree_unflatten(out_tree, list(outs))


def pure_callback(callback, result_shape_dtypes, *args, sharding=None, vmap_method=None, **kwargs):
    """Call the pure host function `callback(*args, **kwargs)` with the runtime values, inside
    jit and vmap too; `result_shape_dtypes` (a pytree of ShapeDtypeStruct-likes) declares its
    results. Not differentiable (wrap it in custom_jvp/custom_vjp). Under vmap, vmap_method
    says how: "sequential" loops, "expand_dims"/"broadcast_all" call once with a batch axis."""
    return _call(pure_callback_p, "pure_callback", callback, result_shape_dtypes, args, kwargs, vmap_method)


def io_callback(callback, result_shape_dtypes, *args, sharding=None, ordered=False, **kwargs):
    """Like pure_callback for a callback with side effects: always run, in program order
    (jax.experimental.io_callback); vmap calls it once per element, in order."""
    return _call(io_callback_p, "io_callback", callback, result_shape_dtypes, args, kwargs, "sequential")
