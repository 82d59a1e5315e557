"""Transformations of whole Graphs, used by higher-order primitives (jit call, cond, scan...):
each re-traces `eval_graph` under a transformation inside a fresh staging trace.

Each result is remembered per (graph, arguments): transforming the same graph the same way
again returns the same new graph, so grad(jit(f)) or vmap(jit(f)) called again reuses the
executables compiled for it instead of re-tracing and recompiling on every call."""
from .core import memo_by_graph
from .staging import trace_to_subgraph, eval_graph
from .jvp import jvp_flat, Zero, instantiate, zero_of
from .batching import vmap_flat, bdim_to
from .transpose import backward_pass, UndefinedPrimal


@memo_by_graph
def jvp_graph(graph, nonzero_tangents, instantiate_out=True):
    """Graph (primals..., nonzero tangents...) -> (primal outs..., tangent outs...).
    instantiate_out: a bool, or one bool per output (materialize that output's tangent).

    Returns (new_graph, consts, out_nonzero) where out_nonzero flags outputs with a tangent."""
    n = len(graph.invars)
    in_avals = list(graph.in_avals) + [a.strip_weak_type() for a, nz in zip(graph.in_avals, nonzero_tangents) if nz]
    out_nz = []

    def fn(*args):
        primals = args[:n]
        ts = iter(args[n:])
        tangents = [next(ts) if nz else zero_of(p) for p, nz in zip(primals, nonzero_tangents)]
        p_out, t_out = jvp_flat(lambda *xs: eval_graph(graph, [], xs), primals, tangents)
        inst = instantiate_out if isinstance(instantiate_out, (list, tuple)) else [instantiate_out] * len(t_out)
        out_nz[:] = [i or type(t) is not Zero for t, i in zip(t_out, inst)]
        t_out = [instantiate(t) for t, nz in zip(t_out, out_nz) if nz]
        return list(p_out) + t_out

    g, consts = trace_to_subgraph(fn, in_avals)
    return g, consts, list(out_nz)


def batch_graph(graph, in_dims, axis_size, axis_name=None, out_dims_wanted=None):
    """Graph over unbatched values -> Graph over batched ones (batch dim placed per out_dims).
    axis_name defaults to that of the vmap whose rule is running (for collectives inside)."""
    if axis_name is None:
        from .batching import current_batch_axis
        name, size = current_batch_axis()
        if size == axis_size:
            axis_name = name
    return _batch_graph(graph, list(in_dims), axis_size, axis_name,
                        None if out_dims_wanted is None else list(out_dims_wanted))


@memo_by_graph
def _batch_graph(graph, in_dims, axis_size, axis_name, out_dims_wanted):
    in_avals = []
    for a, d in zip(graph.in_avals, in_dims):
        if d is None:
            in_avals.append(a)
        else:
            shp = list(a.shape)
            shp.insert(d, axis_size)
            in_avals.append(a.update(shape=tuple(shp)))
    out_dims_box = []

    def fn(*args):
        outs, dims = vmap_flat(lambda *xs: eval_graph(graph, [], xs), args, in_dims, axis_size, axis_name)
        if out_dims_wanted is not None:
            res = []
            for o, d, w in zip(outs, dims, out_dims_wanted):
                if w is None and d is None:
                    res.append(o)
                elif w is None:
                    raise ValueError("batch_graph: output batched where unbatched was required")
                else:
                    res.append(bdim_to(o, d, w, axis_size))
            out_dims_box[:] = list(out_dims_wanted)
            return res
        out_dims_box[:] = dims
        return outs

    g, consts = trace_to_subgraph(fn, in_avals)
    return g, consts, list(out_dims_box)


@memo_by_graph
def transpose_graph(graph, linear_mask):
    """Graph (nonlinear ins..., cts of outs...) -> cts of the linear inputs (Zero instantiated)."""
    nonlin_avals = [a for a, m in zip(graph.in_avals, linear_mask) if not m]
    ct_avals = [a.strip_weak_type() for a in graph.out_avals]

    def fn(*args):
        nl = iter(args[:len(nonlin_avals)])
        cts = args[len(nonlin_avals):]
        ins = [UndefinedPrimal(a) if m else next(nl) for a, m in zip(graph.in_avals, linear_mask)]
        res = backward_pass(graph, [], ins, list(cts))
        return [instantiate(r) for r in res]

    return trace_to_subgraph(fn, nonlin_avals + ct_avals)
