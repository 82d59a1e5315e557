"""custom_jvp and custom_vjp: user-given derivative rules, honoured by grad, jvp, vmap and jit.

Under a transformation, a decorated function is traced once into a graph and bound as a
higher-order primitive whose params carry that graph (the primal computation) and the user's
rules as flat Python callables:

- `custom_jvp_call`: eager evaluation and staging run the graph; the JVP rule calls the user's
  jvp rule on (primals, tangents); the batching rule batches the graph and vmaps the rule.
- `custom_vjp_call`: the JVP rule runs the user's fwd, then applies `custom_lin` to the input
  tangents. `custom_lin` carries the residuals (as operands) and the user's bwd (as a param);
  it is linear, and its transpose rule calls bwd. So reverse mode (linearize + transpose) calls
  fwd once forward and bwd once backward, as JAX does; forward mode alone raises JAX's TypeError.

Outside any transformation a decorated function simply runs its Python body.
"""
import functools
import inspect

import numpy as np

from . import dtypes
from .array import Array
from .interpreters import core
from .interpreters.core import Primitive
from .interpreters.eager import EagerTrace
from .interpreters.jvp import Zero, instantiate, zero_of
from .interpreters.transpose import is_undefined
from .interpreters.staging import trace_to_subgraph
from .interpreters.batching import vmap_flat, bdim_to
from .interpreters.graph_transforms import batch_graph
from .tree_util import tree_flatten, tree_unflatten, tree_map, tree_structure

__all__ = ["custom_jvp", "custom_vjp", "custom_jvp_call_p", "custom_vjp_call_p", "custom_lin_p"]


# ---- shared plumbing --------------------------------------------------------------------------
def _fun_name(f):
    return getattr(f, "__name__", repr(f))


def _resolve_kwargs(fun, args, kwargs):
    """Positional arguments only (as JAX): keywords are bound to their positions."""
    if not kwargs:
        return tuple(args)
    try:
        ba = inspect.signature(fun).bind(*args, **kwargs)
    except (TypeError, ValueError) as e:
        raise TypeError(f"{_fun_name(fun)}: {e}") from None
    ba.apply_defaults()
    if ba.kwargs:
        raise TypeError("keyword arguments could not be resolved to positions: "
                        f"{', '.join(ba.kwargs)}")
    return ba.args


def _as_array(x):
    if isinstance(x, Array):
        return x
    from .numpy import asarray
    return asarray(x)


def _is_eager():
    return isinstance(core.current_trace(), EagerTrace)


def _check_nondiff(nondiff_argnums, nargs, what):
    for i in nondiff_argnums:
        if not 0 <= i < nargs:
            raise TypeError(f"{what}: nondiff_argnums {i} out of range for a call with {nargs} "
                            "positional arguments")


def _split_args(args, nondiff_argnums):
    static = [args[i] for i in nondiff_argnums]
    dyn = tuple(a for i, a in enumerate(args) if i not in nondiff_argnums)
    return static, dyn


def _merge_args(static, dyn, nondiff_argnums, nargs):
    s, d = iter(static), iter(dyn)
    return tuple(next(s) if i in nondiff_argnums else next(d) for i in range(nargs))


def _trace_primal(fun, in_tree, leaves):
    """Trace fun over the flat leaves: (graph with consts as leading invars, consts, out_tree)."""
    box = []

    def flat(*xs):
        out = fun(*tree_unflatten(in_tree, xs))
        out_leaves, out_tree = tree_flatten(out)
        box.append(out_tree)
        return [_as_array(o) for o in out_leaves]

    graph, consts = trace_to_subgraph(flat, [core.get_aval(x) for x in leaves])
    return graph, consts, box[0]


def _run_graph(graph, tensors):
    """Eager impl of a call primitive: the graph evaluated with torch, op by op."""
    from .lax.remat import run_graph_on_tensors
    return run_graph_on_tensors(graph, tensors)


def _tangent_aval(aval):
    return aval.strip_weak_type()


def _aval_str(aval):
    return aval.str_short()


def _batch_size(vals, dims):
    return next(core.get_aval(v).shape[d] for v, d in zip(vals, dims) if d is not None)


# ---- custom_jvp -------------------------------------------------------------------------------
class custom_jvp:
    """Set up a JAX-transformable function for a custom JVP rule definition (as jax.custom_jvp).

        @custom_jvp
        def f(x): ...

        @f.defjvp
        def f_jvp(primals, tangents): return f(*primals), <tangent out>
    """

    def __init__(self, fun, nondiff_argnums=()):
        functools.update_wrapper(self, fun)
        self.fun = fun
        self.nondiff_argnums = tuple(nondiff_argnums)
        self.jvp = None
        self.symbolic_zeros = False

    def __get__(self, obj, objtype=None):
        if obj is None:
            return self
        return functools.partial(self, obj)

    def defjvp(self, jvp, symbolic_zeros=False):
        """Define the rule: jvp(*nondiff_args, primals, tangents) -> (primal_out, tangent_out)."""
        self.jvp = jvp
        self.symbolic_zeros = symbolic_zeros
        return jvp

    def defjvps(self, *jvps):
        """One rule per differentiable argument: jvps[i](g_i, primal_out, *primals) -> tangent
        contribution (None: that argument has zero derivative). Contributions are summed."""
        if self.nondiff_argnums:
            raise TypeError("Can't use ``defjvps`` with ``nondiff_argnums``.")

        def jvp(primals, tangents):
            primal_out = self(*primals)
            acc = None
            for rule, t in zip(jvps, tangents):
                if rule is None:
                    continue
                contrib = rule(t, primal_out, *primals)
                acc = contrib if acc is None else tree_map(lambda a, b: a + b, acc, contrib)
            if acc is None:
                acc = tree_map(lambda p: _zeros_like(p), primal_out)
            return primal_out, acc
        self.defjvp(jvp)

    def __call__(self, *args, **kwargs):
        name = _fun_name(self.fun)
        if self.jvp is None:
            raise AttributeError(f"No JVP defined for custom_jvp function {name} using defjvp.")
        args = _resolve_kwargs(self.fun, args, kwargs)
        if _is_eager():
            return self.fun(*args)
        nargs = len(args)
        _check_nondiff(self.nondiff_argnums, nargs, "custom_jvp")
        nondiff = set(self.nondiff_argnums)
        from .lax import stop_gradient
        static, dyn = _split_args(tuple(stop_gradient(a) if i in nondiff and _holds_arrays(a) else a
                                        for i, a in enumerate(args)), self.nondiff_argnums)
        leaves, in_tree = tree_flatten(dyn)
        leaves = [_as_array(x) for x in leaves]
        fun = lambda *d: self.fun(*_merge_args(static, d, nondiff, nargs))
        graph, consts, out_tree = _trace_primal(fun, in_tree, leaves)
        rule = _flat_jvp_rule(self, static, in_tree, out_tree, graph.out_avals, nargs)
        outs = custom_jvp_call_p.bind(*consts, *leaves, graph=graph, jvp=rule, num_consts=len(consts),
                                      name=name)
        return tree_unflatten(out_tree, outs)


def _holds_arrays(x):
    return any(isinstance(l, (Array, np.ndarray)) for l in tree_flatten(x)[0])


def _zeros_like(x):
    from . import numpy as jnp
    return jnp.zeros_like(x)


def _flat_jvp_rule(cj, static, in_tree, out_tree, out_avals, nargs):
    """The user's rule as rule(primal leaves, tangent leaves) -> (primal out leaves, tangent out leaves)."""
    name = _fun_name(cj.fun)

    def rule(primals, tangents):
        p = tree_unflatten(in_tree, list(primals))
        t = tree_unflatten(in_tree, [instantiate(x) for x in tangents])
        res = cj.jvp(*static, p, t)
        if not (isinstance(res, (tuple, list)) and len(res) == 2):
            raise TypeError(f"Custom JVP rule {_fun_name(cj.jvp)} for function {name} must produce a pair "
                            f"(list or tuple of length two) representing primal and tangent outputs, "
                            f"but got {res}.")
        p_out, t_out = res
        p_leaves, p_tree = tree_flatten(p_out)
        t_leaves, t_tree = tree_flatten(t_out)
        if p_tree != out_tree:
            raise TypeError(f"Custom JVP rule must produce primal outputs with equal container (pytree) "
                            f"structures to those of the primal function {name}, but got {p_tree} and "
                            f"{out_tree} respectively.")
        if p_tree != t_tree:
            raise TypeError(f"Custom JVP rule must produce primal and tangent outputs with equal container "
                            f"(pytree) structures, but got {p_tree} and {t_tree} respectively.")
        p_leaves = [_as_array(x) for x in p_leaves]
        t_leaves = [_as_array(x) for x in t_leaves]
        for i, (pa, ta, want) in enumerate(zip(p_leaves, t_leaves, out_avals)):
            pa, ta = core.get_aval(pa), core.get_aval(ta)
            if pa.shape != want.shape or pa.dtype != want.dtype:
                raise TypeError(f"Custom JVP rule must produce primal outputs with the same shapes and "
                                f"dtypes as the primal function {name}: output {i} is "
                                f"{_aval_str(pa)} but the function returned {_aval_str(want)}.")
            expect = _tangent_aval(want)
            if dtypes.is_inexact(want.dtype) and (ta.shape != expect.shape or ta.dtype != expect.dtype):
                raise TypeError(f"Custom JVP rule must produce primal and tangent outputs with corresponding "
                                f"shapes and dtypes. Expected {_aval_str(expect)} (tangent type of "
                                f"{_aval_str(want)}) but got {_aval_str(ta)}.")
        return p_leaves, t_leaves

    rule.__name__ = f"jvp_of_{name}"
    return rule


custom_jvp_call_p = Primitive("custom_jvp_call", multiple_results=True)
custom_jvp_call_p.unsigned_shim = False


def _call_abstract_eval(*avals, graph, **params):
    return list(graph.out_avals)


def _call_impl(*tensors, graph, **params):
    return _run_graph(graph, tensors)


def _custom_jvp_call_jvp(primals, tangents, graph, jvp, num_consts, name):
    args, targs = primals[num_consts:], tangents[num_consts:]
    if all(type(t) is Zero for t in targs):  # closed-over values' tangents are ignored, as in JAX
        outs = custom_jvp_call_p.bind(*primals, graph=graph, jvp=jvp, num_consts=num_consts, name=name)
        return outs, [zero_of(o) for o in outs]
    p_out, t_out = jvp(args, targs)
    t_out = [t if dtypes.is_inexact(a.dtype) else zero_of(p) for t, p, a in zip(t_out, p_out, graph.out_avals)]
    return p_out, t_out


def _custom_jvp_call_batch(vals, dims, graph, jvp, num_consts, name, axis_size, axis_name=None):
    nout = len(graph.outvars)
    g, new_consts, _ = batch_graph(graph, dims, axis_size, axis_name, out_dims_wanted=[0] * nout)
    arg_dims = list(dims[num_consts:])

    def batched_jvp(primals, tangents):
        n = len(primals)

        def both(*xs):
            p, t = jvp(xs[:n], xs[n:])
            return list(p) + list(t)
        tangents = [instantiate(t) for t in tangents]
        outs, odims = vmap_flat(both, list(primals) + tangents, arg_dims + arg_dims, axis_size, axis_name)
        outs = [bdim_to(o, d, 0, axis_size) for o, d in zip(outs, odims)]
        return outs[:nout], outs[nout:]

    batched_jvp.__name__ = f"vmap_of_{getattr(jvp, '__name__', 'jvp')}"
    outs = custom_jvp_call_p.bind(*new_consts, *vals, graph=g, jvp=batched_jvp,
                                  num_consts=len(new_consts) + num_consts, name=name)
    return outs, [0] * nout


custom_jvp_call_p.impl = _call_impl
custom_jvp_call_p.abstract_eval = _call_abstract_eval
custom_jvp_call_p.jvp = _custom_jvp_call_jvp
custom_jvp_call_p.batch = _custom_jvp_call_batch
custom_jvp_call_p.batch_needs_axis = True
custom_jvp_call_p.weak_type_rule = core.graph_out_weak_types


# ---- custom_vjp -------------------------------------------------------------------------------
class custom_vjp:
    """Set up a JAX-transformable function for a custom VJP rule definition (as jax.custom_vjp).

        @custom_vjp
        def f(x): ...
        def f_fwd(x): return f(x), residuals
        def f_bwd(residuals, g): return (cotangent of x,)
        f.defvjp(f_fwd, f_bwd)
    """

    def __init__(self, fun, nondiff_argnums=()):
        functools.update_wrapper(self, fun)
        self.fun = fun
        self.nondiff_argnums = tuple(nondiff_argnums)
        self.fwd = None
        self.bwd = None
        self.symbolic_zeros = False

    def __get__(self, obj, objtype=None):
        if obj is None:
            return self
        return functools.partial(self, obj)

    def defvjp(self, fwd, bwd, symbolic_zeros=False, optimize_remat=False):
        """fwd(*args) -> (out, residuals); bwd(*nondiff_args, residuals, out_cotangent) -> tuple of
        cotangents, one per differentiable argument (None: a zero cotangent)."""
        self.fwd = fwd
        self.bwd = bwd
        self.symbolic_zeros = symbolic_zeros

    def __call__(self, *args, **kwargs):
        name = _fun_name(self.fun)
        if self.fwd is None or self.bwd is None:
            raise AttributeError(f"No VJP defined for custom_vjp function {name} using defvjp.")
        args = _resolve_kwargs(self.fun, args, kwargs)
        nargs = len(args)
        _check_nondiff(self.nondiff_argnums, nargs, "custom_vjp")
        for i in self.nondiff_argnums:
            for leaf in tree_flatten(args[i])[0]:
                if isinstance(leaf, core.Tracer):
                    raise TypeError(
                        "Found a JAX Tracer object passed as a non-differentiable argument to a "
                        "custom_vjp function in a position indicated by nondiff_argnums as "
                        "non-differentiable. Tracers cannot be passed as non-differentiable arguments "
                        "to custom_vjp functions; instead, nondiff_argnums should only be used for "
                        "arguments that can't be or contain JAX tracers, e.g. function-valued "
                        "arguments. In particular, array-valued arguments should typically not be "
                        "indicated as nondiff_argnums.")
        if _is_eager():
            return self.fun(*args)
        nondiff = set(self.nondiff_argnums)
        static, dyn = _split_args(args, self.nondiff_argnums)
        leaves, in_tree = tree_flatten(dyn)
        leaves = [_as_array(x) for x in leaves]
        fun = lambda *d: self.fun(*_merge_args(static, d, nondiff, nargs))
        graph, consts, out_tree = _trace_primal(fun, in_tree, leaves)
        fwd = _flat_fwd(self, static, in_tree, out_tree, graph.out_avals, nargs,
                        [core.get_aval(x) for x in leaves])
        outs = custom_vjp_call_p.bind(*consts, *leaves, graph=graph, fwd=fwd, num_consts=len(consts),
                                      name=name)
        return tree_unflatten(out_tree, outs)


def _is_array_leaf(x):
    return isinstance(x, (Array, np.ndarray, np.generic)) or core.is_scalar_literal(x)


def _flat_fwd(cv, static, in_tree, out_tree, out_avals, nargs, in_avals):
    """fwd(arg leaves) -> (out leaves, residual leaves, bwd) with
    bwd(residual leaves, cotangent leaves) -> one cotangent (or Zero) per arg leaf."""
    nondiff = set(cv.nondiff_argnums)
    name = _fun_name(cv.fun)

    def fwd(args):
        dyn = tree_unflatten(in_tree, list(args))
        res = cv.fwd(*_merge_args(static, dyn, nondiff, nargs))
        if not (isinstance(res, (tuple, list)) and len(res) == 2):
            raise TypeError(f"Custom VJP fwd rule {_fun_name(cv.fwd)} for function {name} must produce a "
                            f"pair (list or tuple of length two) where the first element represents the "
                            f"primal output (equal to the output of the custom_vjp-decorated function "
                            f"{name}) and the second element represents residuals (i.e. values stored "
                            f"from the forward pass for use on the backward pass), but instead the fwd "
                            f"rule output's type was {type(res).__name__}.")
        out, residuals = res
        o_leaves, o_tree = tree_flatten(out)
        if o_tree != out_tree:
            raise TypeError(f"Custom VJP fwd rule {_fun_name(cv.fwd)} for function {name} must produce a "
                            f"pair (list or tuple of length two) where the first element represents the "
                            f"primal output (equal in value to the output of the custom_vjp-decorated "
                            f"function {name}, and in particular of the same container/pytree "
                            f"structure), but instead the fwd rule output's first element had container/"
                            f"pytree structure {o_tree} while the custom_vjp-decorated function {name} "
                            f"had output container/pytree structure {out_tree}.")
        o_leaves = [_as_array(o) for o in o_leaves]
        for i, (o, want) in enumerate(zip(o_leaves, out_avals)):
            a = core.get_aval(o)
            if a.shape != want.shape or a.dtype != want.dtype:
                raise TypeError(f"Custom VJP fwd rule {_fun_name(cv.fwd)} for function {name} must produce "
                                f"primal outputs with the same shapes and dtypes as the function: output "
                                f"{i} is {_aval_str(a)} but the function returned {_aval_str(want)}.")
        r_leaves, r_tree = tree_flatten(residuals)
        arr = [_is_array_leaf(r) or isinstance(r, core.Tracer) for r in r_leaves]
        res_ops = [_as_array(r) for r, a in zip(r_leaves, arr) if a]
        others = [r for r, a in zip(r_leaves, arr) if not a]

        def bwd(res_vals, cts):
            it, ot = iter(res_vals), iter(others)
            residuals = tree_unflatten(r_tree, [next(it) if a else next(ot) for a in arr])
            ct = tree_unflatten(out_tree, [instantiate(c) for c in cts])
            cts_in = cv.bwd(*static, residuals, ct)
            return _flatten_bwd_output(cv, name, cts_in, in_tree, in_avals)

        bwd.__name__ = f"bwd_of_{name}"
        return o_leaves, res_ops, bwd

    fwd.__name__ = f"fwd_of_{name}"
    return fwd


def _flatten_bwd_output(cv, name, cts_in, in_tree, in_avals):
    """bwd's output as one cotangent per argument leaf; None (for any subtree) means zeros."""
    marker = object()
    dummy = tree_unflatten(in_tree, [marker] * in_tree.num_leaves)
    leaves = []

    def append(c, d):
        if c is None:
            leaves.extend([None] * len(tree_flatten(d)[0]))
        else:
            leaves.append(c)
        return c

    try:
        if not isinstance(cts_in, tuple):
            raise ValueError
        tree_map(append, cts_in, dummy, is_leaf=lambda x: x is None)
    except ValueError:
        raise TypeError(f"Custom VJP bwd rule must produce an output with the same container (pytree) "
                        f"structure as the args tuple of the primal function, and in particular must "
                        f"produce a tuple of length equal to the number of arguments to the primal "
                        f"function, but got bwd output structure {tree_structure(cts_in)} for primal "
                        f"input structure {in_tree}.") from None
    out = []
    for i, (c, want) in enumerate(zip(leaves, in_avals)):
        if c is None or type(c) is Zero or not dtypes.is_inexact(want.dtype):
            out.append(Zero(_tangent_aval(want)))
            continue
        c = _as_array(c)
        a = core.get_aval(c)
        if a.shape != want.shape or a.dtype != want.dtype:
            raise ValueError(f"Custom VJP bwd rule must produce an output with the same shape/dtypes as "
                             f"the args tuple of the primal function {name}. At argument leaf {i}, the "
                             f"bwd rule returned {_aval_str(a)} but {_aval_str(want)} was expected.")
        out.append(c)
    return out


custom_vjp_call_p = Primitive("custom_vjp_call", multiple_results=True)
custom_vjp_call_p.unsigned_shim = False


def _custom_vjp_call_jvp(primals, tangents, graph, fwd, num_consts, name):
    args = primals[num_consts:]
    targs = tangents[num_consts:]
    if any(type(t) is not Zero for t in tangents[:num_consts]):
        raise TypeError(f"custom_vjp function {name} closes over a value that is being differentiated: "
                        "custom_vjp functions can't close over values involved in differentiation; pass "
                        "them as explicit arguments instead.")
    if all(type(t) is Zero for t in targs):
        outs = custom_vjp_call_p.bind(*primals, graph=graph, fwd=fwd, num_consts=num_consts, name=name)
        return outs, [zero_of(o) for o in outs]
    p_out, res, bwd = fwd(args)
    out_avals = [_tangent_aval(a) for a in graph.out_avals]
    t_in = [instantiate(t) for t in targs]
    t_out = custom_lin_p.bind(*res, *t_in, num_res=len(res), bwd=bwd, out_avals=tuple(out_avals), name=name)
    t_out = [t if dtypes.is_inexact(a.dtype) else zero_of(p) for t, p, a in zip(t_out, p_out, out_avals)]
    return p_out, t_out


def _custom_vjp_call_batch(vals, dims, graph, fwd, num_consts, name, axis_size, axis_name=None):
    nout = len(graph.outvars)
    g, new_consts, _ = batch_graph(graph, dims, axis_size, axis_name, out_dims_wanted=[0] * nout)
    arg_dims = list(dims[num_consts:])

    def batched_fwd(args):
        box = []

        def run(*xs):
            o, r, b = fwd(xs)
            box.append((len(r), b))
            return list(o) + list(r)
        outs, odims = vmap_flat(run, list(args), arg_dims, axis_size, axis_name)
        outs = [bdim_to(o, d, 0, axis_size) for o, d in zip(outs, odims)]
        nres, bwd = box[0]
        res = outs[nout:]

        def batched_bwd(res_vals, cts):
            cts = [instantiate(c) for c in cts]
            box2 = []

            def back(*xs):
                r = bwd(list(xs[:nres]), list(xs[nres:]))
                box2.append([type(c) is Zero for c in r])
                return [instantiate(c) for c in r]
            cts_in, cdims = vmap_flat(back, list(res_vals) + cts, [0] * (nres + len(cts)), axis_size, axis_name)
            zero = box2[0]
            out = []
            from .lax import reduce_sum
            for c, cd, d, z in zip(cts_in, cdims, arg_dims, zero):
                if z:
                    out.append(Zero(core.get_aval(c).strip_weak_type()) if cd is None else
                               Zero(_unbatched(core.get_aval(c), cd)))
                elif d is None:  # an unbatched argument was used by every example: sum their cotangents
                    out.append(c if cd is None else reduce_sum(c, (cd,)))
                else:
                    out.append(bdim_to(c, cd, d, axis_size))
            return out
        return outs[:nout], res, batched_bwd

    batched_fwd.__name__ = f"vmap_of_{getattr(fwd, '__name__', 'fwd')}"
    outs = custom_vjp_call_p.bind(*new_consts, *vals, graph=g, fwd=batched_fwd,
                                  num_consts=len(new_consts) + num_consts, name=name)
    return outs, [0] * nout


def _unbatched(aval, d):
    shape = aval.shape[:d] + aval.shape[d + 1:]
    return aval.update(shape=shape).strip_weak_type()


custom_vjp_call_p.impl = _call_impl
custom_vjp_call_p.abstract_eval = _call_abstract_eval
custom_vjp_call_p.jvp = _custom_vjp_call_jvp
custom_vjp_call_p.batch = _custom_vjp_call_batch
custom_vjp_call_p.batch_needs_axis = True
custom_vjp_call_p.weak_type_rule = core.graph_out_weak_types

# ---- custom_lin: the linear map whose transpose is the user's bwd ------------------------------
custom_lin_p = Primitive("custom_lin", multiple_results=True)
custom_lin_p.unsigned_shim = False


def _custom_lin_impl(*args, num_res, bwd, out_avals, name):
    raise TypeError("can't apply forward-mode autodiff (jvp) to a custom_vjp function.")


def _custom_lin_transpose(cts, *args, num_res, bwd, out_avals, name):
    res = list(args[:num_res])
    if any(is_undefined(r) for r in res):
        raise NotImplementedError("custom_lin: residuals must be known on the backward pass")
    cts = [instantiate(c) if type(c) is Zero else c for c in cts]
    cts_in = bwd(res, cts)
    return [None] * num_res + list(cts_in)


custom_lin_p.impl = _custom_lin_impl
custom_lin_p.abstract_eval = lambda *avals, out_avals, **_: list(out_avals)
custom_lin_p.transpose = _custom_lin_transpose
custom_lin_p.weak_type_rule = lambda weaks, out_avals, **_: [False] * len(out_avals)


# ---- custom_gradient and closure_convert ------------------------------------------------------
class _TracedRule:
    """custom_gradient's gradient rule, traced to a graph at fwd time; its consts (whatever the
    rule closed over) travel as the residuals, so bwd never touches fwd's tracers."""

    def __init__(self, graph, out_tree):
        self.graph, self.out_tree = graph, out_tree


def custom_gradient(fun):
    """jax.custom_gradient: `fun(*args)` returns `(value, vjp_fn)`; gradients of the result use
    `vjp_fn(cotangent)` (one cotangent per argument) instead of differentiating `fun`."""
    from .api import make_jaxpr, ShapeDtypeStruct
    from .interpreters.staging import eval_graph

    @custom_vjp
    def wrapped(*args, **kwargs):
        ans, _ = fun(*args, **kwargs)
        return ans

    def fwd(*args, **kwargs):
        ans, rule = fun(*args, **kwargs)
        ans_flat, ans_tree = tree_flatten(ans)
        box = []

        def flat_rule(*cts):
            leaves, tree = tree_flatten(rule(tree_unflatten(ans_tree, list(cts))))
            box.append(tree)
            return leaves
        avals = [core.get_aval(_as_array(a)) for a in ans_flat]
        closed = make_jaxpr(flat_rule)(*[ShapeDtypeStruct(a.shape, a.dtype) for a in avals])
        return ans, (_TracedRule(closed.jaxpr, box[0]), list(closed.consts))

    def bwd(res, ct):
        rule, consts = res
        outs = eval_graph(rule.graph, consts, tree_flatten(ct)[0])
        cts = tree_unflatten(rule.out_tree, outs)
        return tuple(cts) if isinstance(cts, (tuple, list)) else (cts,)

    wrapped.defvjp(fwd, bwd)
    functools.update_wrapper(wrapped, fun)
    return wrapped


def closure_convert(fun, *example_args):
    """jax.closure_convert: `(converted, hoisted)` where `converted(*args, *hoisted)` computes
    `fun(*args)`, with the inexact tracers `fun` closes over (values of an enclosing
    transformation) made explicit arguments, so a custom_vjp/custom_jvp can differentiate them."""
    from .api import make_jaxpr
    from .interpreters.staging import eval_graph
    flat, in_tree = tree_flatten(example_args)
    box = []

    def flat_fun(*xs):
        leaves, tree = tree_flatten(fun(*tree_unflatten(in_tree, list(xs))))
        box.append(tree)
        return leaves
    closed = make_jaxpr(flat_fun)(*flat)
    graph, consts, out_tree = closed.jaxpr, list(closed.consts), box[0]
    hoist = [isinstance(c, core.Tracer) and dtypes.is_inexact(core.get_aval(c).dtype) for c in consts]
    hoisted = [c for c, h in zip(consts, hoist) if h]
    kept = [c for c, h in zip(consts, hoist) if not h]

    def converted(*args):
        n = len(args) - len(hoisted)
        xs, hs = args[:n], args[n:]
        leaves, tree = tree_flatten(xs)
        if tree != in_tree:
            raise TypeError(f"closure-converted function expected arguments of structure {in_tree}, got {tree}")
        ih, ik = iter(hs), iter(kept)
        outs = eval_graph(graph, [next(ih) if h else next(ik) for h in hoist], leaves)
        return tree_unflatten(out_tree, outs)
    return converted, hoisted


__all__ += ["custom_gradient", "closure_convert"]
