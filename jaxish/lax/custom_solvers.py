"""lax.custom_linear_solve and lax.custom_root: a solve computed by the user's routine and
differentiated implicitly at its solution, never through the routine's iterations (as JAX).

custom_root is a custom_jvp over closure-converted graphs: the tangent of the root is
-tangent_solve(∂f/∂x, ∂f/∂params · dparams), by the implicit function theorem.

custom_linear_solve needs one primitive, `custom_linear_solve`: its tangent is again a solve
(linear in the right-hand side) whose transpose is a solve with `transpose_solve` on the
transposed map. No composition of custom_jvp/custom_vjp gives a map that both evaluates in
forward mode and transposes by a user rule, so the primitive carries the four graphs
(matvec, vecmat, solve, transpose_solve), each with its consts as leading operands."""
from functools import partial
from typing import Any, NamedTuple

import numpy as np

from .. import dtypes
from ..array import Array
from ..interpreters import core
from ..interpreters.core import Primitive
from ..interpreters.jvp import Zero, instantiate, zero_of, jvp_flat
from ..interpreters.transpose import is_undefined
from ..interpreters.staging import trace_to_subgraph, eval_graph
from ..interpreters.batching import bdim_to
from ..interpreters.graph_transforms import batch_graph
from ..tree_util import tree_flatten, tree_unflatten

__all__ = ["custom_linear_solve", "custom_root", "linear_solve_p"]


def _as_array(x):
    if isinstance(x, Array):
        return x
    from ..numpy import asarray
    return asarray(x)


def _shape(x):
    return tuple(x.shape) if hasattr(x, "shape") else tuple(np.shape(x))


def _split(args, lengths):
    """Split flat operands into per-graph const lists (as `lengths`' type) and the rest."""
    parts, i = [], 0
    for n in lengths:
        parts.append(list(args[i:i + n]))
        i += n
    return _solves_like(lengths, parts), list(args[i:])


def _solves_like(lengths, parts):
    return _Root(*parts) if len(lengths) == 3 else _Solves(*parts)


def _flatten(groups):
    return [x for g in groups for x in g]


# ---- custom_linear_solve ----------------------------------------------------------------------
class _Solves(NamedTuple):
    """One entry per graph of a linear solve (a graph, its const count, or its consts)."""
    matvec: Any
    vecmat: Any
    solve: Any
    transpose_solve: Any

    def transpose(self):
        return _Solves(self.vecmat, self.matvec, self.transpose_solve, self.solve)


def _trace_map(fun, what, tree, avals, has_aux):
    """Trace x -> fun(x) over b's structure: (graph with its consts as leading invars, consts,
    aux structure). Checks the output against b as JAX does: leaf shapes (ValueError), then
    structure (TypeError)."""
    want = [a.shape for a in avals]
    box = []

    def flat(*xs):
        out = fun(tree_unflatten(tree, list(xs)))
        if has_aux:
            y, aux = out
        else:
            y, aux = out, ()
        y_leaves, y_tree = tree_flatten(y)
        got = [_shape(l) for l in y_leaves]
        if got != want:
            raise ValueError(f"{what}() output shapes must match b, got {got} and {want}")
        if y_tree != tree:
            raise TypeError(f"{what}() output pytree structure must match b, got {y_tree} and {tree}.")
        aux_leaves, aux_tree = tree_flatten(aux)
        box.append(aux_tree)
        return [_as_array(l) for l in y_leaves] + [_as_array(l) for l in aux_leaves]

    graph, consts = trace_to_subgraph(flat, avals)
    return graph, consts, box[0]


def custom_linear_solve(matvec, b, solve, transpose_solve=None, symmetric=False, has_aux=False):
    """x = solve(matvec, b), differentiated as the solution of matvec(x) == b (jax.lax.custom_linear_solve).

    Forward mode solves with `solve` against db - d(matvec)(x); reverse mode solves with
    `transpose_solve` (default `solve` when symmetric=True) on the transpose of matvec."""
    from ..api import linear_transpose
    if transpose_solve is None and symmetric:
        transpose_solve = solve
    b_leaves, tree = tree_flatten(b)
    b_leaves = [_as_array(l) for l in b_leaves]
    avals = [core.get_aval(l) for l in b_leaves]

    mv_graph, mv_consts, _ = _trace_map(matvec, "matvec", tree, avals, False)
    solve_graph, solve_consts, aux_tree = _trace_map(partial(solve, matvec), "solve", tree, avals, has_aux)
    if transpose_solve is None:
        vm_graph = ts_graph = None
        vm_consts, ts_consts = [], []
    else:
        if symmetric:
            vecmat, vm_graph, vm_consts = matvec, mv_graph, mv_consts
        else:
            vt = linear_transpose(matvec, tree_unflatten(tree, b_leaves))
            vecmat = lambda y: vt(y)[0]
            vm_graph, vm_consts, _ = _trace_map(vecmat, "vecmat", tree, avals, False)
        ts_graph, ts_consts, _ = _trace_map(partial(transpose_solve, vecmat), "transpose_solve", tree,
                                         avals, has_aux)

    consts = _Solves(mv_consts, vm_consts, solve_consts, ts_consts)
    graphs = _Solves(mv_graph, vm_graph, solve_graph, ts_graph)
    lengths = _Solves(*[len(c) for c in consts])
    outs = linear_solve_p.bind(*_flatten(consts), *b_leaves, graphs=graphs, const_lengths=lengths)
    x = tree_unflatten(tree, outs[:len(b_leaves)])
    if not has_aux:
        return x
    return x, tree_unflatten(aux_tree, outs[len(b_leaves):])


linear_solve_p = Primitive("custom_linear_solve", multiple_results=True)
linear_solve_p.unsigned_shim = False


def _linear_solve_impl(*tensors, graphs, const_lengths):
    graphs, const_lengths = _Solves(*graphs), _Solves(*const_lengths)
    from .remat import run_graph_on_tensors
    consts, b = _split(tensors, const_lengths)
    return run_graph_on_tensors(graphs.solve, consts.solve + b)


def _linear_solve_abstract_eval(*avals, graphs, const_lengths):
    return list(graphs[2].out_avals)


def _linear_solve_jvp(primals, tangents, graphs, const_lengths):
    # A x = b  =>  dA x + A dx = db  =>  dx = A^{-1} (db - dA x), a solve linear in its right side.
    graphs, const_lengths = _Solves(*graphs), _Solves(*const_lengths)
    params = dict(graphs=graphs, const_lengths=const_lengths)
    x_all = linear_solve_p.bind(*primals, **params)
    consts, b = _split(primals, const_lengths)
    consts_dot, b_dot = _split(tangents, const_lengths)
    nb = len(b)
    x = list(x_all[:nb])
    rhs = list(b_dot)
    if any(type(t) is not Zero for t in consts_dot.matvec):
        mv_dot = [t if dtypes.is_inexact(core.get_aval(p).dtype) else zero_of(p)
                  for p, t in zip(consts.matvec, consts_dot.matvec)]
        _, dAx = jvp_flat(lambda *c: eval_graph(graphs.matvec, [], list(c) + x), consts.matvec, mv_dot)
        rhs = [_sub_tangent(r, m) for r, m in zip(rhs, dAx)]
    aux_dot = [zero_of(a) for a in x_all[nb:]]
    if all(type(r) is Zero for r in rhs):
        return x_all, [zero_of(p) for p in x] + aux_dot
    x_dot = linear_solve_p.bind(*_flatten(consts), *[instantiate(r) for r in rhs], **params)
    return x_all, list(x_dot[:nb]) + aux_dot


def _sub_tangent(a, b):
    if type(b) is Zero:
        return a
    if type(a) is Zero:
        return -b
    return a - b


def _linear_solve_transpose(cts, *args, graphs, const_lengths):
    graphs, const_lengths = _Solves(*graphs), _Solves(*const_lengths)
    if graphs.transpose_solve is None:
        raise TypeError("transpose_solve required for backwards mode automatic differentiation of "
                        "custom_linear_solve")
    consts, b = _split(args, const_lengths)
    if any(is_undefined(c) for c in _flatten(consts)):
        raise NotImplementedError("custom_linear_solve: transposing with respect to the linear "
                                  "map's closed-over values is not supported")
    nb = len(b)
    ct_x = [instantiate(c) for c in cts[:nb]]
    ct_b = linear_solve_p.bind(*_flatten(consts.transpose()), *ct_x, graphs=graphs.transpose(),
                               const_lengths=const_lengths.transpose())
    return [None] * sum(const_lengths) + list(ct_b[:nb])


def _linear_solve_batch(vals, dims, graphs, const_lengths, axis_size, axis_name=None):
    """Batch every graph with b (hence x) batched at axis 0; consts keep their own dims."""
    graphs, const_lengths = _Solves(*graphs), _Solves(*const_lengths)
    consts, b = _split(vals, const_lengths)
    cdims, bdims = _split(dims, const_lengths)
    nb = len(b)
    b = [bdim_to(v, d, 0, axis_size) for v, d in zip(b, bdims)]
    new_graphs, new_consts = [], []
    for g, cs, ds in zip(graphs, consts, cdims):
        if g is None:
            new_graphs.append(None)
            new_consts.append([])
            continue
        bg, extra, _ = batch_graph(g, list(ds) + [0] * nb, axis_size, axis_name,
                                   out_dims_wanted=[0] * len(g.outvars))
        new_graphs.append(bg)
        new_consts.append(list(extra) + list(cs))
    lengths = _Solves(*[len(c) for c in new_consts])
    outs = linear_solve_p.bind(*_flatten(new_consts), *b, graphs=_Solves(*new_graphs),
                               const_lengths=lengths)
    return outs, [0] * len(outs)


linear_solve_p.impl = _linear_solve_impl
linear_solve_p.abstract_eval = _linear_solve_abstract_eval
linear_solve_p.jvp = _linear_solve_jvp
linear_solve_p.transpose = _linear_solve_transpose
linear_solve_p.batch = _linear_solve_batch
linear_solve_p.batch_needs_axis = True
linear_solve_p.weak_type_rule = lambda weaks, graphs, **_: [a.weak_type for a in graphs[2].out_avals]


# ---- custom_root ------------------------------------------------------------------------------
class _Root(NamedTuple):
    f: Any
    solve: Any
    l_and_s: Any


class _RootStatic:
    """custom_root's graphs and const counts: a static (non-differentiated) custom_jvp argument."""

    def __init__(self, graphs, lengths, num_solution):
        self.graphs, self.lengths, self.num_solution = graphs, lengths, num_solution


def _trace_flat(fun, in_tree, avals):
    """Trace fun(*unflattened args) over flat avals: (graph with leading const invars, consts, out tree)."""
    box = []

    def flat(*xs):
        leaves, out_tree = tree_flatten(fun(*tree_unflatten(in_tree, list(xs))))
        box.append(out_tree)
        return [_as_array(l) for l in leaves]

    graph, consts = trace_to_subgraph(flat, avals)
    return graph, consts, box[0]


def custom_root(f, initial_guess, solve, tangent_solve, has_aux=False):
    """A root of f found by solve(f, initial_guess), differentiated by the implicit function theorem
    (jax.lax.custom_root): tangent_solve(g, y) must solve g(x) = y for g, f linearized at the root."""
    from ..api import linearize
    g_leaves, tree = tree_flatten(initial_guess)
    g_leaves = [_as_array(l) for l in g_leaves]
    avals = [core.get_aval(l) for l in g_leaves]
    arg_tree = tree_flatten((initial_guess,))[1]

    f_graph, f_consts, f_tree = _trace_flat(f, arg_tree, avals)
    if f_tree != tree:
        raise TypeError(f"f() output pytree structure must match initial_guess, got {f_tree} and {tree}.")

    s_graph, s_consts, s_tree = _trace_flat(partial(solve, f), arg_tree, avals)
    sol_tree = s_tree
    if has_aux:
        children = s_tree.children()
        if len(children) != 2:
            raise ValueError(f"solve() produced a pytree with structure {s_tree}, but a pytree tuple "
                             "with auxiliary output was expected because has_aux was set to True.")
        sol_tree = children[0]
    if sol_tree != tree:
        raise TypeError(f"solve() output pytree structure must match initial_guess, got {sol_tree} "
                        f"and {tree}.")

    def linearize_and_solve(x, y):
        _, f_jvp = linearize(f, x)
        return tangent_solve(f_jvp, y)

    pair_tree = tree_flatten((initial_guess, initial_guess))[1]
    ls_graph, ls_consts, ls_tree = _trace_flat(linearize_and_solve, pair_tree, avals + avals)
    if ls_tree != tree:
        raise TypeError(f"tangent_solve() output pytree structure must match x, got {ls_tree} and {tree}.")

    consts = _Root(f_consts, s_consts, ls_consts)
    static = _RootStatic(_Root(f_graph, s_graph, ls_graph), _Root(*[len(c) for c in consts]), len(g_leaves))
    outs = _root(static, *_flatten(consts), *g_leaves)
    return tree_unflatten(s_tree, list(outs))


def _root_solve(static, *args):
    consts, guess = _split(args, static.lengths)
    return tuple(eval_graph(static.graphs.solve, [], consts.solve + guess))


def _root_jvp(static, primals, tangents):
    # f(p, x*(p)) = 0  =>  ∂x f · dx + ∂p f · dp = 0  =>  dx = -(∂x f)^{-1} (∂p f · dp)
    sol_all = _root(static, *primals)
    consts, _ = _split(primals, static.lengths)
    consts_dot, _ = _split(tangents, static.lengths)
    n = static.num_solution
    solution = list(sol_all[:n])
    f_dot = [t if dtypes.is_inexact(core.get_aval(p).dtype) else zero_of(p)
             for p, t in zip(consts.f, consts_dot.f)]
    _, rhs = jvp_flat(lambda *c: eval_graph(static.graphs.f, [], list(c) + solution), consts.f, f_dot)
    rhs = [instantiate(r) for r in rhs]
    dx = eval_graph(static.graphs.l_and_s, [], consts.l_and_s + solution + rhs)
    from ..numpy import zeros_like
    aux_dot = [zeros_like(a) for a in sol_all[n:]]
    return sol_all, tuple([-t for t in dx] + aux_dot)


def _make_root():
    from ..custom_derivatives import custom_jvp
    fn = custom_jvp(_root_solve, nondiff_argnums=(0,))
    fn.defjvp(_root_jvp)
    return fn


_root = _make_root()
