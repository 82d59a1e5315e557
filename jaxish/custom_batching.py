"""custom_vmap and sequential_vmap: a user-given batching rule, honoured by vmap, jvp and jit.

Outside any transformation a decorated function runs its Python body. Under one it is traced
once into a graph and bound as the higher-order primitive `custom_vmap_call`, whose params
carry that graph (the unbatched computation) and the rule as a flat Python callable
`rule(axis_size, in_batched, args) -> (outs, out_batched)` over all operands:

- impl / jit: the graph is evaluated (under jit the equation stays and runs as a call);
- batching: batch dims move to the front and the rule is called; its out_batched flags say
  which outputs carry the batch axis (at 0), the others stay unbatched;
- jvp: binds `custom_vmap_call` again with the JVP of the graph and, as its rule, the JVP of
  the user's rule (mapped over the batch dims that only primals or only tangents carry), so
  vmap(jvp(f)) and jvp(vmap(f)) both use the rule. As in JAX, reverse mode (grad, vjp) of a
  custom_vmap function is unsupported: wrap it in custom_vjp to give it a VJP.
"""
import functools

from . import dtypes
from .interpreters import core
from .interpreters.core import Primitive
from .interpreters.jvp import instantiate, zero_of, jvp_flat
from .interpreters.batching import vmap_flat, moveaxis
from .interpreters.graph_transforms import jvp_graph
from .interpreters.staging import abstract_eval as _staged_abstract_eval
from .custom_derivatives import (_fun_name, _as_array, _is_eager, _trace_primal, _run_graph)
from .tree_util import tree_flatten, tree_unflatten, tree_map

__all__ = ["custom_vmap", "sequential_vmap", "custom_vmap_call_p"]


class custom_vmap:
    """Customize how a function is batched by vmap (as jax.custom_batching.custom_vmap).

        @custom_vmap
        def f(x, y): ...

        @f.def_vmap
        def f_vmap(axis_size, in_batched, xs, ys):
            return <batched outputs>, <pytree of bools: which outputs are batched>
    """

    def __init__(self, fun):
        functools.update_wrapper(self, fun)
        self.fun = fun
        self.vmap_rule = None

    def __get__(self, obj, objtype=None):
        if obj is None:
            return self
        return functools.partial(self, obj)

    def def_vmap(self, vmap_rule):
        """Define the rule: vmap_rule(axis_size, in_batched, *batched_args) -> (out, out_batched).
        in_batched is a list (one pytree of bools per argument); batched arguments have their
        batch axis at 0. Returns the rule unchanged."""
        self.vmap_rule = vmap_rule
        return vmap_rule

    def __call__(self, *args, **kwargs):
        name = _fun_name(self.fun)
        args = _resolve_positional(self.fun, name, args, kwargs)
        if not self.vmap_rule:
            raise AttributeError(f"No batching rule defined for custom_vmap function {name} using def_vmap.")
        if _is_eager():
            return self.fun(*args)
        leaves, in_tree = tree_flatten(args)
        leaves = [_as_array(x) for x in leaves]
        graph, consts, out_tree = _trace_primal(self.fun, in_tree, leaves)
        rule = _UserRule(self.vmap_rule, len(consts), in_tree, out_tree, name)
        outs = custom_vmap_call_p.bind(*consts, *leaves, graph=graph, rule=rule, name=name)
        return tree_unflatten(out_tree, outs)


def _resolve_positional(fun, name, args, kwargs):
    """Keywords bound to their positions, as JAX requires of custom_vmap arguments."""
    import inspect
    try:
        sig = inspect.signature(fun)
    except (TypeError, ValueError):  # no signature to read (some builtins): positional as given
        if kwargs:
            raise TypeError(f"custom_vmap function {name} takes no keyword arguments") from None
        return tuple(args)
    try:
        ba = sig.bind(*args, **kwargs)
        ba.apply_defaults()
        if ba.kwargs:
            raise TypeError(f"keyword-only arguments {', '.join(ba.kwargs)}")
    except (TypeError, ValueError) as e:
        raise TypeError(f"The input arguments to the custom_vmap-decorated function {name} could not be "
                        f"resolved to positional-only arguments: {e}") from None
    return ba.args


def _rule_name(rule):
    return getattr(rule, "__name__", "<unnamed rule>")


class _UserRule:
    """The user's rule over flat operands (the closed-over values first, which must be unbatched).
    It checks the pair it returns: out_batched must match the outputs' structure, which must
    match the function's. (The batching rule checks that a batched output has the batch axis.)"""

    def __init__(self, rule, num_consts, in_tree, out_tree, name):
        self.rule, self.num_consts, self.in_tree, self.out_tree, self.name = \
            rule, num_consts, in_tree, out_tree, name
        self.__name__ = _rule_name(rule)

    def __call__(self, axis_size, in_batched, args):
        nc = self.num_consts
        if any(in_batched[:nc]):
            # JAX trips an assertion here; say what happened instead
            raise AssertionError(f"custom_vmap function {self.name} closes over a value batched by the "
                                 "enclosing vmap; pass it as an explicit argument instead.")
        rname = _rule_name(self.rule)
        batched_args = tree_unflatten(self.in_tree, list(args[nc:]))
        flags = tree_unflatten(self.in_tree, [bool(b) for b in in_batched[nc:]])
        res = self.rule(axis_size, list(flags), *batched_args)
        if not (isinstance(res, (tuple, list)) and len(res) == 2):
            raise ValueError(f"custom vmap rule ({rname}) for function {self.name} must return a pair "
                             f"(batched outputs, out_batched), but got a value of type {type(res).__name__}.")
        out, out_batched = res
        out_leaves, tree1 = tree_flatten(out)
        flag_leaves, tree2 = tree_flatten(out_batched)
        if tree1 != tree2:
            raise ValueError(f"structure of output value and output batching specification returned by "
                             f"custom vmap rule ({rname}) do not match.\nOutput values: {tree1}\n"
                             f"Batching spec: {tree2}")
        if tree1 != self.out_tree:
            raise ValueError(f"structure of output returned by custom vmap rule ({rname}) does not match "
                             f"that of original custom-vmapped function.\nOriginal output: {self.out_tree}\n"
                             f"Rule output: {tree1}")
        return [_as_array(o) for o in out_leaves], [bool(b) for b in flag_leaves]


class _JVPRule:
    """The rule of a JVP'd custom_vmap_call, over operands (jvp consts, primals, tangents of the
    differentiable primals): the inner rule sees the arguments batched in both primal and
    tangent; the dims only one side carries are mapped over with an ordinary vmap around the
    JVP of the inner rule (as JAX does)."""

    def __init__(self, inner, num_consts, tangent_mask):
        self.inner, self.num_consts, self.tangent_mask = inner, num_consts, list(tangent_mask)
        self.__name__ = f"jvp_of_{_rule_name(inner)}"

    def __call__(self, axis_size, in_batched, args):
        k, mask = self.num_consts, self.tangent_mask
        if any(in_batched[:k]):
            raise AssertionError("custom_vmap: constants of a differentiated call were batched")
        args, in_batched = list(args[k:]), list(in_batched[k:])
        n = len(mask)
        primals, pb = args[:n], in_batched[:n]
        tangents, tb_given = args[n:], in_batched[n:]
        it = iter(tb_given)
        tb = [next(it) if m else False for m in mask]
        mutual = [p and t for p, t in zip(pb, tb)]
        extra_p = [0 if p and not t else None for p, t in zip(pb, tb)]
        extra_t = [0 if t and not p else None for p, t, m in zip(pb, tb, mask) if m]
        box = []

        def rule_on_primals(*xs):
            outs, ob = self.inner(axis_size, mutual, list(xs))
            box.append(ob)
            return outs

        def primal_and_tangent(*xs):
            ps, ts = xs[:n], iter(xs[n:])
            full = [next(ts) if m else zero_of(p) for p, m in zip(ps, mask)]
            po, to = jvp_flat(rule_on_primals, list(ps), full)
            return list(po) + [instantiate(t) for t in to]

        outs, dims = vmap_flat(primal_and_tangent, primals + tangents, extra_p + extra_t, axis_size)
        outs = [o if d is None else moveaxis(o, d, 0) for o, d in zip(outs, dims)]
        mutual_out = box[0]
        flags = [m or d is not None for m, d in zip(mutual_out + mutual_out, dims)]
        return outs, flags


# ---- the primitive ---------------------------------------------------------------------------
custom_vmap_call_p = Primitive("custom_vmap_call", multiple_results=True)
custom_vmap_call_p.unsigned_shim = False


def _custom_vmap_impl(*tensors, graph, rule, name):
    return _run_graph(graph, tensors)


def _custom_vmap_abstract_eval(*avals, graph, rule, name):
    return list(graph.out_avals)


def _custom_vmap_batch(vals, dims, graph, rule, name, axis_size):
    vals = [v if d is None else moveaxis(v, d, 0) for v, d in zip(vals, dims)]
    outs, out_batched = rule(axis_size, [d is not None for d in dims], vals)
    for i, (o, b) in enumerate(zip(outs, out_batched)):
        shape = core.get_aval(o).shape
        if b and (not shape or shape[0] != axis_size):
            raise ValueError(f"custom vmap rule ({_rule_name(rule)}) for function {name} marked output {i} "
                             f"as batched, but its shape {shape} has no leading axis of the batch size "
                             f"{axis_size}.")
    return outs, [0 if b else None for b in out_batched]


def _custom_vmap_jvp(primals, tangents, graph, rule, name):
    mask = [dtypes.is_inexact(a.dtype) for a in graph.in_avals]
    ts = [instantiate(t) for t, m in zip(tangents, mask) if m]
    jgraph, jconsts, _ = jvp_graph(graph, mask, instantiate_out=True)
    jrule = _JVPRule(rule, len(jconsts), mask)
    outs = custom_vmap_call_p.bind(*jconsts, *primals, *ts, graph=jgraph, rule=jrule, name=name)
    nout = len(graph.outvars)
    p_out, t_out = outs[:nout], outs[nout:]
    t_out = [t if dtypes.is_inexact(a.dtype) else zero_of(p) for t, p, a in zip(t_out, p_out, graph.out_avals)]
    return p_out, t_out


def _custom_vmap_partial_eval(trace, own, args, params):
    """Linearize: a JVP'd call with known primals and unknown tangents would leave its primal
    outputs unknown. JAX has no reverse mode for custom_vmap and reports exactly that."""
    if isinstance(params["rule"], _JVPRule):
        raise ValueError("Linearization failed to produce known values for all output primals: the "
                         f"custom_vmap function {params['name']} does not support reverse-mode autodiff "
                         "(grad, vjp). To differentiate it in reverse mode, wrap it in jax.custom_vjp.")
    inputs = [trace.to_var(a) for a in args]
    out_avals = _staged_abstract_eval(custom_vmap_call_p, [i.aval for i in inputs], params)
    return trace.add_eqn(custom_vmap_call_p, inputs, params, out_avals)


custom_vmap_call_p.impl = _custom_vmap_impl
custom_vmap_call_p.abstract_eval = _custom_vmap_abstract_eval
custom_vmap_call_p.batch = _custom_vmap_batch
custom_vmap_call_p.batch_needs_size = True
custom_vmap_call_p.jvp = _custom_vmap_jvp
custom_vmap_call_p.partial_eval = _custom_vmap_partial_eval
custom_vmap_call_p.weak_type_rule = core.graph_out_weak_types


# ---- sequential_vmap -------------------------------------------------------------------------
def sequential_vmap(f):
    """A custom_vmap whose rule runs f once per example, in a loop (lax.map), for functions that
    have no batched form. The batched arguments are mapped; the others are passed to each call."""
    from .lax.control_flow import map as lax_map
    f = custom_vmap(f)

    @f.def_vmap
    def rule(axis_size, in_batched, *args):
        leaves, tree = tree_flatten(list(args))
        flags = tree_flatten(in_batched)[0]
        mapped = [x for x, b in zip(leaves, flags) if b]

        def one(xs):
            it = iter(xs)
            return f(*tree_unflatten(tree, [next(it) if b else x for x, b in zip(leaves, flags)]))

        out = lax_map(one, mapped)
        return out, tree_map(lambda _: True, out)

    return f
