"""Partial evaluation of a Graph: split it into the part computable from known inputs and the
part that needs unknown ones, connected by residuals (used by linearize for call primitives)."""
from . import core
from .staging import StagingTrace, eval_graph, close_over_consts


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
