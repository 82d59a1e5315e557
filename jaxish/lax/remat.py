"""jaxish.checkpoint / jaxish.remat: trade compute for memory in reverse mode.

`checkpoint(f)` traces f into a graph and binds the `remat` primitive. Its partial-evaluation
rule (used by linearize, hence grad/vjp) splits the jvp'd graph as usual into a known part,
evaluated now for the primal outputs, and an unknown (tangent) part, staged into the linear
graph. Unlike plain partial evaluation, the known values the unknown part needs are *not* kept
as residuals unless the policy allows: only the block's inputs (and, per policy, e.g. the
results of dot products) are saved, and the unknown equation re-runs the forward computation
from them when the backward pass reaches it.

Policies (jaxish.checkpoint_policies) are called as policy(prim, *avals, **params) -> bool:
"may this equation's output be saved?", as in JAX.
"""
import functools
import weakref

from ..ir.graph import Graph, Var, Literal, Eqn
from ..interpreters import core
from ..interpreters.core import Primitive
from ..interpreters.eager import EagerTrace
from ..interpreters.jvp import Zero, instantiate
from ..interpreters.transpose import is_undefined
from ..interpreters.staging import trace_to_subgraph
from ..interpreters.graph_transforms import jvp_graph, batch_graph, transpose_graph
from ..interpreters.partial_eval import partial_eval_graph, stage_unknown_part
from ..tree_util import tree_flatten, tree_unflatten

__all__ = ["checkpoint", "remat", "checkpoint_policies", "remat_p", "checkpoint_name", "name_p"]


# ---- checkpoint_name: the identity, with a name policies can select ---------------------------
name_p = Primitive("name")
name_p.pointwise = "name"          # the scheduler lowers it to its operand


def _name_abstract(x, name):
    return x


def _name_jvp(primals, tangents, name):
    return name_p.bind(primals[0], name=name), tangents[0]   # only the primal carries the name


name_p.impl = lambda x, name: x
name_p.abstract_eval = _name_abstract
name_p.jvp = _name_jvp
name_p.batch = lambda vals, dims, name: (name_p.bind(vals[0], name=name), dims[0])
name_p.weak_type_rule = lambda weaks, **_: weaks[0]


def checkpoint_name(x, name):
    """x unchanged, each array in it tagged `name` for checkpoint policies such as
    save_only_these_names (jax.ad_checkpoint.checkpoint_name)."""
    from ..tree_util import tree_map
    return tree_map(lambda v: name_p.bind(_as_array(v), name=name), x)


# ---- policies ---------------------------------------------------------------------------------
def nothing_saveable(prim, *avals, **params):
    return False


def everything_saveable(prim, *avals, **params):
    return True


def dots_saveable(prim, *avals, **params):
    return prim.name == "dot_general"


def dots_with_no_batch_dims_saveable(prim, *avals, **params):
    if prim.name != "dot_general":
        return False
    (_, _), (lb, rb) = params["dimension_numbers"]
    return not lb and not rb


def _named(prim, params):
    return params.get("name") if prim is name_p else None


def save_only_these_names(*names):
    """Save only the values tagged (checkpoint_name) with one of `names`."""
    names = frozenset(names)
    return lambda prim, *avals, **params: _named(prim, params) in names


def save_any_names_but_these(*names):
    """Save every named value except those tagged with one of `names`."""
    names = frozenset(names)
    return lambda prim, *avals, **params: prim is name_p and params["name"] not in names


def save_anything_except_these_names(*names):
    """Save everything except the values tagged with one of `names`."""
    names = frozenset(names)
    return lambda prim, *avals, **params: _named(prim, params) not in names


def save_from_both_policies(policy_1, policy_2):
    """Save what either policy saves."""
    return lambda prim, *avals, **params: bool(policy_1(prim, *avals, **params) or
                                               policy_2(prim, *avals, **params))


class checkpoint_policies:
    """The policies of jax.checkpoint_policies (host offloading ones excepted)."""
    save_only_these_names = staticmethod(save_only_these_names)
    save_any_names_but_these = staticmethod(save_any_names_but_these)
    save_anything_except_these_names = staticmethod(save_anything_except_these_names)
    save_from_both_policies = staticmethod(save_from_both_policies)
    nothing_saveable = staticmethod(nothing_saveable)
    everything_saveable = staticmethod(everything_saveable)
    dots_saveable = staticmethod(dots_saveable)
    checkpoint_dots = staticmethod(dots_saveable)
    dots_with_no_batch_dims_saveable = staticmethod(dots_with_no_batch_dims_saveable)
    checkpoint_dots_with_no_batch_dims = staticmethod(dots_with_no_batch_dims_saveable)


# ---- the public function ----------------------------------------------------------------------
def checkpoint(fun, *, prevent_cse=True, policy=None, static_argnums=()):
    """Make `fun` recompute its internal values on the backward pass instead of storing them."""
    if isinstance(static_argnums, int):
        static_argnums = (static_argnums,)
    static_argnums = tuple(static_argnums)

    @functools.wraps(fun)
    def remat_fun(*args, **kwargs):
        if isinstance(core.current_trace(), EagerTrace):
            return fun(*args, **kwargs)  # nothing is being differentiated or staged: just run it
        nargs = len(args)
        statics = {i % nargs: args[i] for i in static_argnums} if nargs else {}
        dyn = tuple(a for i, a in enumerate(args) if i not in statics)
        leaves, in_tree = tree_flatten((dyn, kwargs))
        leaves = [_as_array(x) for x in leaves]
        box = []

        def flat(*xs):
            d, kw = tree_unflatten(in_tree, xs)
            it = iter(d)
            full = [statics[i] if i in statics else next(it) for i in range(nargs)]
            out_leaves, out_tree = tree_flatten(fun(*full, **kw))
            box.append(out_tree)
            return [_as_array(o) for o in out_leaves]

        graph, consts = trace_to_subgraph(flat, [core.get_aval(x) for x in leaves])
        outs = remat_p.bind(*consts, *leaves, graph=graph, policy=policy, prevent_cse=prevent_cse)
        return tree_unflatten(box[0], outs)
    return remat_fun


remat = checkpoint


def _as_array(x):
    from ..array import Array
    if isinstance(x, Array):
        return x
    from ..numpy import asarray
    return asarray(x)


# ---- the primitive ----------------------------------------------------------------------------
remat_p = Primitive("remat", multiple_results=True)
remat_p.unsigned_shim = False


def run_graph_on_tensors(graph, tensors):
    """Evaluate a constvar-free graph with each primitive's torch impl, dropping every value
    after its last use (so a recomputing backward pass holds one block's values at a time):
    the eager backend's executable, cached per graph, does exactly this."""
    from ..runtime.executable import compile_cached
    return compile_cached(graph, "eager").run_tensors(list(tensors))


def _remat_impl(*tensors, graph, **params):
    return run_graph_on_tensors(graph, tensors)


def _remat_jvp(primals, tangents, graph, **params):
    nz = [type(t) is not Zero for t in tangents]
    g, consts, out_nz = jvp_graph(graph, nz, instantiate_out=False)
    outs = remat_p.bind(*consts, *primals, *[t for t in tangents if type(t) is not Zero], graph=g, **params)
    n = len(graph.outvars)
    p_out, t_iter = outs[:n], iter(outs[n:])
    t_out = [next(t_iter) if z else Zero(core.get_aval(p).strip_weak_type()) for p, z in zip(p_out, out_nz)]
    return p_out, t_out


def _remat_batch(vals, dims, graph, axis_size, axis_name=None, **params):
    g, consts, out_dims = batch_graph(graph, dims, axis_size, axis_name)
    return remat_p.bind(*consts, *vals, graph=g, **params), out_dims


_transposed = weakref.WeakKeyDictionary()


def _remat_transpose(cts, *args, graph, **params):
    mask = tuple(is_undefined(a) for a in args)
    per = _transposed.setdefault(graph, {})
    hit = per.get(mask)
    if hit is None:
        tg, consts = transpose_graph(graph, list(mask))
        hit = per[mask] = (_dce(tg), consts)  # e.g. cotangents of zeros that transpose to nothing
    tg, consts = hit
    nonlin = [a for a in args if not is_undefined(a)]
    cts = [instantiate(c) for c in cts]
    res = iter(remat_p.bind(*consts, *nonlin, *cts, graph=tg, **params))
    return [next(res) if m else None for m in mask]


def _saveable(policy, eqn):
    if policy is None:
        return False
    return bool(policy(eqn.primitive, *[a.aval for a in eqn.inputs], **eqn.params))


def split_for_remat(graph, in_unknowns, policy):
    """Partial evaluation that recomputes instead of saving.

    Ordinary partial evaluation (nested higher-order primitives apply their own rules) splits
    `graph` into a known graph, which computes the known outputs and residuals, and an unknown
    graph that reads those residuals. Here a residual is saved only if it is an input of the
    block or the policy allows saving the equation that made it; every other residual is
    recomputed inside the unknown graph from the saved ones.

    Returns (known_graph, known_consts, unknown_graph, out_unknowns, num_saved):
    known_graph: (known_consts..., known inputs...) -> (known outputs..., saved values...)
    unknown_graph: (saved values..., unknown inputs...) -> unknown outputs."""
    kg, kconsts, ug, out_unknowns, nres = partial_eval_graph(graph, in_unknowns)
    nkout = len(kg.outvars) - nres
    known_outs, res_vars = list(kg.outvars[:nkout]), list(kg.outvars[nkout:])
    producer = {v: e for e in kg.eqns for v in e.outvars}
    saved, seen, recompute = [], set(), set()
    needed = [v for v in res_vars if type(v) is not Literal]
    while needed:
        v = needed.pop()
        if v in seen:
            continue
        seen.add(v)
        eqn = producer.get(v)
        if eqn is None or _saveable(policy, eqn):  # an input of the block, or allowed by the policy
            saved.append(v)
            continue
        if id(eqn) not in recompute:
            recompute.add(id(eqn))
            needed.extend(a for a in eqn.inputs if type(a) is not Literal)
    order = {v: i for i, v in enumerate(kg.invars)}
    order.update({v: len(order) + i for i, e in enumerate(kg.eqns) for v in e.outvars})
    saved.sort(key=order.__getitem__)
    known = _dce(Graph(kg.invars, [], kg.eqns, known_outs + saved))

    rename = {v: Var(v.aval) for v in saved}
    sub = lambda a: a if type(a) is Literal else rename.get(a, a)
    eqns = [Eqn(e.primitive, [sub(a) for a in e.inputs], e.params, e.outvars)
            for e in kg.eqns if id(e) in recompute]
    res_of = dict(zip(ug.invars[:nres], (sub(v) for v in res_vars)))
    usub = lambda a: a if type(a) is Literal else res_of.get(a, a)
    eqns += [Eqn(e.primitive, [usub(a) for a in e.inputs], e.params, e.outvars) for e in ug.eqns]
    unknown = _dce(Graph([rename[v] for v in saved] + list(ug.invars[nres:]), [], eqns,
                         [usub(v) for v in ug.outvars]))
    return known, kconsts, unknown, out_unknowns, len(saved)


def _dce(graph):
    from ..ir.passes.dce import dce
    return dce(graph)


def _eval_dropping_dead(graph, args):
    """eval_graph on the current trace, letting go of each value after its last use (the
    forward pass of a checkpointed block must not hold all of its intermediates at once)."""
    last = {}
    for i, e in enumerate(graph.eqns):
        for a in e.inputs:
            if type(a) is not Literal:
                last[a] = i
    keep = {v for v in graph.outvars if type(v) is not Literal}
    env = dict(zip(graph.invars, args))
    del args
    for i, e in enumerate(graph.eqns):
        out = e.primitive.bind(*[a.value if type(a) is Literal else env[a] for a in e.inputs], **e.params)
        if e.primitive.multiple_results:
            env.update(zip(e.outvars, out))
        else:
            env[e.outvars[0]] = out
        for a in e.inputs:
            if type(a) is not Literal and last.get(a) == i and a not in keep:
                env.pop(a, None)
    return [v.value if type(v) is Literal else env[v] for v in graph.outvars]


def _remat_partial_eval(trace, own, args, params):
    graph, policy = params["graph"], params["policy"]
    kgraph, kconsts, ugraph, out_unknowns, nsaved = split_for_remat(graph, own, policy)
    known = [a for a, o in zip(args, own) if not o]
    with core.set_current_trace(trace.parent):
        kout = _eval_dropping_dead(kgraph, list(kconsts) + known)
    return stage_unknown_part(trace, remat_p, params, args, own, kout, nsaved, ugraph, out_unknowns)


remat_p.impl = _remat_impl
remat_p.abstract_eval = lambda *avals, graph, **params: list(graph.out_avals)
remat_p.jvp = _remat_jvp
remat_p.transpose = _remat_transpose
remat_p.batch = _remat_batch
remat_p.batch_needs_axis = True
remat_p.partial_eval = _remat_partial_eval
remat_p.weak_type_rule = core.graph_out_weak_types
