"""torch.nn.Module <-> pure functions of parameter pytrees.

`params, apply = from_module(module)` gives the module's parameters (and buffers) as Arrays that
share memory with the module, and `apply(params, *inputs)` a pure function that runs the
module's forward through a `torch_call` primitive: eager it is the module itself; under jvp it
uses torch.func.jvp, under grad torch.func.vjp (as the transpose of a linear primitive), under
vmap torch.func.vmap, and under jit it is an extern call — so the module composes with every
jaxish transformation."""
import torch as _torch

from .. import dtypes
from ..array import ArrayImpl, from_torch
from ..ir.avals import ShapedArray
from ..interpreters import core
from ..interpreters.core import Primitive
from ..interpreters.jvp import Zero, instantiate
from ..interpreters.transpose import is_undefined
from ..interpreters.batching import moveaxis
from ..tree_util import tree_flatten, tree_unflatten


def _meta_out(fn, avals):
    args = [_torch.empty(a.shape, dtype=dtypes.to_torch_dtype(a.dtype), device="meta") for a in avals]
    try:
        out = fn(*args)
    except Exception:
        args = [_torch.zeros(a.shape, dtype=dtypes.to_torch_dtype(a.dtype)) for a in avals]
        out = fn(*args)
    outs = out if isinstance(out, (tuple, list)) else [out]
    return [ShapedArray(tuple(o.shape), dtypes.from_torch_dtype(o.dtype)) for o in outs]


torch_call_p = Primitive("torch_call", multiple_results=True)
torch_call_p.extern = "torch_call"


def _call_impl(*ts, fn, n_out, **_):
    out = fn(*[t if isinstance(t, _torch.Tensor) else _torch.tensor(t) for t in ts])
    outs = list(out) if isinstance(out, (tuple, list)) else [out]
    return [o.detach() if o.requires_grad else o for o in outs]


def _call_abstract(*avals, fn, n_out, out_avals=None, **_):
    return list(out_avals) if out_avals is not None else _meta_out(fn, avals)


def _as_tuple_fn(fn):
    def g(*a):
        out = fn(*a)
        return tuple(out) if isinstance(out, (tuple, list)) else (out,)
    return g


def _call_jvp(primals, tangents, fn, n_out, **params):
    outs = torch_call_p.bind(*primals, fn=fn, n_out=n_out, **params)
    nz = [type(t) is not Zero for t in tangents]
    if not any(nz):
        return outs, [Zero(core.get_aval(o)) for o in outs]
    ts = [instantiate(t) if z else None for t, z in zip(tangents, nz)]
    t_outs = torch_jvp_p.bind(*primals, *[t for t in ts if t is not None], fn=fn, n_out=n_out,
                              nz=tuple(nz), out_avals=tuple(core.get_aval(o) for o in outs))
    return outs, t_outs


def _call_batch(vals, dims, fn, n_out, **params):
    in_dims = tuple(d for d in dims)
    vfn = _torch.func.vmap(_as_tuple_fn(fn), in_dims=in_dims, out_dims=0)
    return torch_call_p.bind(*vals, fn=vfn, n_out=n_out), [0] * n_out


torch_call_p.impl = _call_impl
torch_call_p.abstract_eval = _call_abstract
torch_call_p.jvp = _call_jvp
torch_call_p.batch = _call_batch
torch_call_p.weak_type_rule = lambda weaks, **_: False

# linear in the tangents: jvp of fn at the primals
torch_jvp_p = Primitive("torch_jvp", multiple_results=True)
torch_jvp_p.extern = "torch_call"


def _jvp_impl(*ts, fn, n_out, nz, out_avals):
    n = len(nz)
    primals, tans = list(ts[:n]), iter(ts[n:])
    full_t = [next(tans) if z else _torch.zeros_like(p) for p, z in zip(primals, nz)]
    _, t_out = _torch.func.jvp(_as_tuple_fn(fn), tuple(primals), tuple(full_t))
    return list(t_out)


def _jvp_transpose(cts, *args, fn, n_out, nz, out_avals):
    n = len(nz)
    primals = args[:n]
    cts = [instantiate(c) for c in cts]
    grads = torch_vjp_p.bind(*primals, *cts, fn=fn, n_in=n)
    return [None] * n + [g for g, z in zip(grads, nz) if z]


torch_jvp_p.impl = _jvp_impl
torch_jvp_p.abstract_eval = lambda *avals, fn, n_out, nz, out_avals: [a.strip_weak_type() for a in out_avals]
torch_jvp_p.transpose = _jvp_transpose
torch_jvp_p.weak_type_rule = lambda weaks, **_: False

torch_vjp_p = Primitive("torch_vjp", multiple_results=True)
torch_vjp_p.extern = "torch_call"


def _vjp_impl(*ts, fn, n_in):
    primals, cts = ts[:n_in], ts[n_in:]
    _, pull = _torch.func.vjp(_as_tuple_fn(fn), *primals)
    return [g if g is not None else _torch.zeros_like(p) for g, p in zip(pull(tuple(cts)), primals)]


torch_vjp_p.impl = _vjp_impl
torch_vjp_p.abstract_eval = lambda *avals, fn, n_in: [a.strip_weak_type() for a in avals[:n_in]]
torch_vjp_p.weak_type_rule = lambda weaks, **_: False


def _batch_vjp(vals, dims, fn, n_in):
    vfn = _torch.func.vmap(lambda *a: tuple(_vjp_impl(*a, fn=fn, n_in=n_in)), in_dims=tuple(dims))
    return torch_call_p.bind(*vals, fn=vfn, n_out=n_in), [0] * n_in


torch_vjp_p.batch = _batch_vjp


def from_module(module, include_buffers=True):
    """(params, apply): params is a dict name -> Array sharing memory with the module."""
    names, tensors = [], []
    for n, p in module.named_parameters():
        names.append(n)
        tensors.append(p.detach())
    if include_buffers:
        for n, b in module.named_buffers():
            names.append(n)
            tensors.append(b.detach())
    params = {n: from_torch(t) for n, t in zip(names, tensors)}

    def apply(params, *args, **kwargs):
        leaves, tree = tree_flatten((params, args))
        if kwargs:
            raise TypeError("apply: keyword arguments to the module are not supported; pass them positionally")

        def call(*flat):
            p, a = tree_unflatten(tree, list(flat))
            return _torch.func.functional_call(module, p, tuple(a))

        out = torch_call_p.bind(*leaves, fn=call, n_out=_n_out(call, leaves))
        return out[0] if len(out) == 1 else tuple(out)

    return params, apply


def _n_out(call, leaves):
    avals = [core.get_aval(l) for l in leaves]
    return len(_meta_out(call, avals))


def to_module(params, module):
    """Write a parameter pytree (dict name -> Array) back into the module, in place."""
    sd = dict(module.named_parameters())
    sd.update(dict(module.named_buffers()))
    with _torch.no_grad():
        for name, value in params.items():
            if name not in sd:
                raise KeyError(f"to_module: module has no parameter or buffer named {name!r}")
            t = value._t if isinstance(value, ArrayImpl) else _torch.as_tensor(value)
            if tuple(t.shape) != tuple(sd[name].shape):
                raise ValueError(f"to_module: {name} has shape {tuple(sd[name].shape)}, got {tuple(t.shape)}")
            if t.data_ptr() != sd[name].data_ptr():
                sd[name].copy_(t)
    return module
