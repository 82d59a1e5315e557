"""The jit call primitive: carries a Graph; its rules transform that graph, so grad(jit(f)),
jit(grad(f)), vmap(jit(f)) and jit(vmap(f)) compose without special cases."""
from ..interpreters import core
from ..interpreters.core import Primitive
from ..interpreters.jvp import Zero, instantiate
from ..interpreters.transpose import is_undefined
from ..interpreters.graph_transforms import jvp_graph, batch_graph, transpose_graph
from ..interpreters.partial_eval import partial_eval_graph, stage_unknown_part

jit_call_p = Primitive("jit_call", multiple_results=True)


def _impl(*tensors, graph, name="jit", backend=None, donate=()):
    import torch
    from ..runtime.executable import compile_cached
    if not all(type(t) is torch.Tensor for t in tensors):  # Python scalars bound as operands
        from ..dtypes import to_torch_dtype
        from ..config import default_device
        tensors = [t if isinstance(t, torch.Tensor) else
                   torch.tensor(t, dtype=to_torch_dtype(a.dtype), device=default_device())
                   for t, a in zip(tensors, graph.in_avals)]
    return compile_cached(graph, backend, tensors).run_tensors(tensors)


def _abstract_eval(*avals, graph, **params):
    return list(graph.out_avals)


def _jvp(primals, tangents, graph, **params):
    nz = [type(t) is not Zero for t in tangents]
    g, consts, out_nz = jvp_graph(graph, nz)
    outs = jit_call_p.bind(*consts, *primals, *[t for t in tangents if type(t) is not Zero],
                           graph=g, **dict(params, donate=()))
    n = len(graph.outvars)
    return outs[:n], outs[n:]


def _transpose(cts, *args, graph, **params):
    mask = [is_undefined(a) for a in args]
    g, consts = transpose_graph(graph, mask)
    nonlin = [a for a in args if not is_undefined(a)]
    cts = [instantiate(c) for c in cts]
    res = iter(jit_call_p.bind(*consts, *nonlin, *cts, graph=g, **dict(params, donate=())))
    return [next(res) if m else None for m in mask]


def _batch(vals, dims, graph, axis_size, axis_name=None, **params):
    g, consts, out_dims = batch_graph(graph, dims, axis_size, axis_name)   # remembered per graph
    return jit_call_p.bind(*consts, *vals, graph=g, **dict(params, donate=())), out_dims


def _partial_eval(trace, own, args, params):
    graph = params["graph"]
    kg, kconsts, ug, out_unknowns, nres = partial_eval_graph(graph, own)
    known = [a for a, o in zip(args, own) if not o]
    p2 = {k: v for k, v in params.items() if k != "graph"}
    p2["donate"] = ()
    with core.set_current_trace(trace.parent):
        kout = jit_call_p.bind(*kconsts, *known, graph=kg, **p2)
    return stage_unknown_part(trace, jit_call_p, p2, args, own, kout, nres, ug, out_unknowns)


jit_call_p.impl = _impl
jit_call_p.abstract_eval = _abstract_eval
jit_call_p.jvp = _jvp
jit_call_p.transpose = _transpose
jit_call_p.batch = _batch
jit_call_p.batch_needs_axis = True  # collectives inside the graph need the vmap's axis name
jit_call_p.partial_eval = _partial_eval
jit_call_p.weak_type_rule = core.graph_out_weak_types
jit_call_p.unsigned_shim = False
