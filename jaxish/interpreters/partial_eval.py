"""Partial evaluation of a Graph: split it into the part computable from known inputs and the
part that needs unknown ones, connected by residuals (used by linearize for call primitives)."""
from . import core
from .staging import StagingTrace, eval_graph, close_over_consts


@core.memo_by_graph
def partial_eval_graph(graph, in_unknowns, instantiate=False):
    """Returns (known_graph, known_consts, unknown_graph, out_unknowns, num_residuals).

    instantiate: a bool or one per output; a known output so flagged is made unknown
    (forwarded to the unknown graph as a residual).

    known_graph: (known inputs) -> (known outputs..., residuals...)
    unknown_graph: (residuals..., unknown inputs...) -> unknown outputs."""
    K = StagingTrace()
    try:
        P = StagingTrace(parent=K, partial=True)
        args = []
        for a, u in zip(graph.in_avals, in_unknowns):
            args.append(P.new_arg(a) if u else K.new_arg(a))
        with core.set_current_trace(P):
            outs = eval_graph(graph, [], args)
        inst = instantiate if isinstance(instantiate, (list, tuple)) else [instantiate] * len(outs)
        out_unknowns = [P.is_own(o) or bool(i) for o, i in zip(outs, inst)]
        with core.set_current_trace(P):
            ugraph, residuals = P.to_graph([o for o, u in zip(outs, out_unknowns) if u])
        P.invalidate()
        ugraph = close_over_consts(ugraph)
        known_outs = [o for o, u in zip(outs, out_unknowns) if not u]
        kgraph, kconsts = K.to_graph(known_outs + list(residuals))
        return close_over_consts(kgraph), kconsts, ugraph, out_unknowns, len(residuals)
    finally:
        K.invalidate()


def merge_outputs(out_unknowns, known_outs, unknown_outs):
    """Interleave a split call's known and unknown outputs back into the call's output order."""
    ki, ui = iter(known_outs), iter(unknown_outs)
    return [next(ui) if u else next(ki) for u in out_unknowns]


def stage_unknown_part(trace, prim, params, args, own, kout, nres, ugraph, out_unknowns):
    """After the known part of a split call ran (kout = known outputs + nres residuals), record
    its unknown part `ugraph` (residuals, unknown args -> unknown outputs) on `trace`."""
    nk = len(kout) - nres
    known_outs, residuals = kout[:nk], kout[nk:]
    unknown_args = [a for a, o in zip(args, own) if o]
    inputs = [trace.to_var(a) for a in list(residuals) + unknown_args]
    uouts = trace.add_eqn(prim, inputs, dict(params, graph=ugraph), ugraph.out_avals)
    return merge_outputs(out_unknowns, known_outs, uouts)
