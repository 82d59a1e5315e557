"""jax.ad_checkpoint: checkpoint (remat), checkpoint_name, the checkpoint policies, and the
residual reports (saved_residuals, print_saved_residuals)."""
import inspect

from .lax.remat import checkpoint, remat, checkpoint_name, checkpoint_policies  # noqa: F401

__all__ = ["checkpoint", "remat", "checkpoint_name", "checkpoint_policies", "saved_residuals",
           "print_saved_residuals"]


def _arg_names(f, args, kwargs, leaves_per_arg):
    try:
        params = list(inspect.signature(f).parameters)
    except (TypeError, ValueError):
        params = []
    names = []
    for i, n in enumerate(leaves_per_arg):
        base = params[i] if i < len(params) else f"args[{i}]"
        names += [base] if n == 1 else [f"{base}[{j}]" for j in range(n)]
    for k, n in kwargs:
        names += [k] if n == 1 else [f"{k}[{j}]" for j in range(n)]
    return names


def saved_residuals(f, *args, **kwargs):
    """The values reverse-mode differentiation of f at args keeps for the backward pass, as JAX's:
    a list of (aval, description), the description saying whether each is an argument, a
    literal or constant, or which primitive's output. Found as JAX finds them: linearize f
    inside a trace, so each residual is a variable of the traced graph."""
    from .api import make_jaxpr
    from .interpreters.transpose import linearize_flat
    from .ir.graph import Literal
    from .tree_util import tree_flatten, tree_leaves
    leaves, tree = tree_flatten((args, kwargs))

    def residuals(*flat):
        from .tree_util import tree_unflatten
        a, kw = tree_unflatten(tree, list(flat))

        def outs(*xs):
            b, bkw = tree_unflatten(tree, list(xs))
            return tree_leaves(f(*b, **bkw))
        _, _, consts, _ = linearize_flat(outs, list(flat))
        return list(consts)
    closed = make_jaxpr(residuals)(*leaves)
    graph = closed.jaxpr
    names = _arg_names(f, args, [(k, len(tree_leaves(v))) for k, v in kwargs.items()],
                       [len(tree_leaves(a)) for a in args])
    producer = {}
    for e in graph.eqns:
        for v in e.outvars:
            producer[id(v)] = e.primitive.name
    invars = {id(v): i for i, v in enumerate(graph.invars)}
    constvars = {id(v) for v in graph.constvars}
    out = []
    for v in graph.outvars:
        if isinstance(v, Literal):
            desc = "from a literal"
        elif id(v) in invars:
            i = invars[id(v)]
            desc = f"from the argument {names[i] if i < len(names) else i}"
        elif id(v) in constvars:
            desc = "from a constant"
        else:
            desc = f"output of {producer.get(id(v), '?')}"
        out.append((v.aval, desc))
    return out


def print_saved_residuals(f, *args, **kwargs):
    """Print saved_residuals(f, *args, **kwargs), one residual a line, as JAX's."""
    for aval, desc in saved_residuals(f, *args, **kwargs):
        print(f"{aval.str_short()} {desc}")
