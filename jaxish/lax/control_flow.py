"""Control flow as higher-order primitives carrying sub-graphs: cond (and switch), scan, while.

Every rule rewrites the sub-graphs with the graph transformations (jvp_graph, batch_graph,
transpose_graph, partial_eval_graph), so grad, vmap and jit compose with control flow as with
any other primitive. The public functions (cond, switch, scan, while_loop, fori_loop, map) trace
the user's Python functions once into graphs and bind the primitives.

Sub-graphs close over nothing: a traced function's constants travel as leading operands.
"""
import builtins

import numpy as np
import torch

from .. import dtypes
from ..array import Array
from ..config import config
from ..ir.graph import Graph, Var, Literal
from ..interpreters import core
from ..interpreters.core import Primitive
from ..interpreters.staging import trace_to_subgraph, eval_graph, abstract_eval as _abstract_eval_of
from ..interpreters.jvp import Zero, instantiate
from ..interpreters.transpose import is_undefined
from ..interpreters.batching import bdim_to, moveaxis
from ..interpreters.graph_transforms import jvp_graph, batch_graph, transpose_graph
from ..interpreters.partial_eval import partial_eval_graph, merge_outputs
from ..tree_util import tree_flatten, tree_unflatten, tree_flatten_with_path, keystr

__all__ = ["cond", "switch", "scan", "while_loop", "fori_loop", "map", "cond_p", "scan_p", "while_p"]

cond_p = Primitive("cond", multiple_results=True)
scan_p = Primitive("scan", multiple_results=True)
while_p = Primitive("while", multiple_results=True)
for _p in (cond_p, scan_p, while_p):
    _p.unsigned_shim = False  # sub-graphs run through run_impl, which shims per primitive


# ---- graph plumbing ---------------------------------------------------------------------------
def _split(xs, *counts):
    out, i = [], 0
    for n in counts:
        out.append(list(xs[i:i + n]))
        i += n
    out.append(list(xs[i:]))
    return out


def _pad_invars(graph, before=(), after=(), at=0):
    """graph with unused invars of the given avals inserted at position `at` (before) / appended."""
    iv = list(graph.invars)
    new = iv[:at] + [Var(a) for a in before] + iv[at:] + [Var(a) for a in after]
    return Graph(new, graph.constvars, graph.eqns, graph.outvars)


def _join_consts(traced):
    """[(graph, consts)] whose graphs take (own consts..., rest...) -> graphs that all take
    (every graph's consts..., rest...), plus the concatenated consts."""
    all_consts, graphs = [], []
    avals = [[core.get_aval(c) for c in consts] for _, consts in traced]
    for i, (g, consts) in enumerate(traced):
        before = [a for j in range(i) for a in avals[j]]
        after_avals = [a for j in range(i + 1, len(traced)) for a in avals[j]]
        iv = list(g.invars)
        n = len(consts)
        new = [Var(a) for a in before] + iv[:n] + [Var(a) for a in after_avals] + iv[n:]
        graphs.append(Graph(new, g.constvars, g.eqns, g.outvars))
        all_consts.extend(consts)
    return graphs, all_consts


def _restrict(graph, keep_in, keep_out, keep_effects=True):
    """The part of graph computing the kept outputs from the kept inputs (None if it needs more).
    keep_effects=False drops effectful equations the kept outputs do not need."""
    from ..ir.passes.dce import dce
    outs = [v for v, k in zip(graph.outvars, keep_out) if k]
    if keep_effects:
        g = dce(Graph(graph.invars, [], graph.eqns, outs))
    else:
        live = {v for v in outs if type(v) is not Literal}
        kept = []
        for e in reversed(graph.eqns):
            if any(v in live for v in e.outvars):
                kept.append(e)
                live.update(a for a in e.inputs if type(a) is not Literal)
        g = Graph(graph.invars, [], kept[::-1], outs)
    dropped = {v for v, k in zip(graph.invars, keep_in) if not k}
    for e in g.eqns:
        if any(type(a) is not Literal and a in dropped for a in e.inputs):
            return None
    if any(type(v) is not Literal and v in dropped for v in outs):
        return None
    return Graph([v for v, k in zip(graph.invars, keep_in) if k], [], g.eqns, g.outvars)


def _run(graph, tensors):
    """Evaluate a sub-graph on torch tensors (the eager backend's flat program, cached)."""
    from ..runtime.executable import compile_cached
    ts = []
    for t, a in zip(tensors, graph.in_avals):
        if not isinstance(t, torch.Tensor):
            from ..config import default_device
            t = torch.tensor(t, dtype=dtypes.to_torch_dtype(a.dtype), device=default_device())
        ts.append(t)
    return compile_cached(graph, "eager", ts).run_tensors(ts)


def _stage_whole(trace, prim, args, params):
    inputs = [trace.to_var(a) for a in args]
    out_avals = _abstract_eval_of(prim, [i.aval for i in inputs], params)
    return trace.add_eqn(prim, inputs, params, out_avals)


def _axis_size(vals, dims):
    for v, d in zip(vals, dims):
        if d is not None:
            return core.get_aval(v).shape[d]
    # no batched operand, but a collective over the vmap's axis inside: that vmap's size
    from ..interpreters.batching import current_batch_axis
    size = current_batch_axis()[1]
    if size is None:
        raise AssertionError("no batched operand")
    return size


def _to_array(x, what):
    if isinstance(x, Array) or core.is_scalar_literal(x):
        from ..numpy import asarray
        return x if isinstance(x, Array) else asarray(x)
    if isinstance(x, (np.ndarray, np.generic, torch.Tensor)):
        from ..numpy import asarray
        return asarray(x)
    raise TypeError(f"{what}: value of type {type(x).__name__} is not a valid JAX type: {x!r}")


def _concrete(x):
    """x's concrete value, or None when it is only known abstractly."""
    if isinstance(x, core.Tracer):
        return x.to_concrete_value()
    return x


def _trace_fun(fun, in_tree, in_avals, what):
    """Trace fun(*unflatten(in_tree, args)) -> (graph with consts as leading invars, consts, out_tree)."""
    box = []

    def flat(*args):
        out = fun(*tree_unflatten(in_tree, args))
        leaves, tree = tree_flatten(out)
        box.append(tree)
        return [o if isinstance(o, Array) or core.is_scalar_literal(o) else _to_array(o, what)
                for o in leaves]

    graph, consts = trace_to_subgraph(flat, in_avals)
    return graph, consts, box[0]


def _fun_desc(f):
    code = getattr(f, "__code__", None)
    name = getattr(f, "__name__", repr(f))
    if code is not None:
        return f"{name} at {code.co_filename}:{code.co_firstlineno}"
    return name


def _type_mismatch(a, b):
    if a.shape != b.shape:
        return "the shapes do not match"
    if a.dtype != b.dtype:
        return "the dtypes do not match"
    return None


def _type_str(a):
    """As JAX writes a type in its error messages: float32[3,4]."""
    return f"{a.dtype.name}[{','.join(str(d) for d in a.shape)}]"


def _weak_join(avals_lists):
    """Per position: the first list's aval, weak only if weak in every list (as JAX joins types)."""
    return [a.update(weak_type=all(l[i].weak_type for l in avals_lists))
            for i, a in enumerate(avals_lists[0])]


def _promote_weak_inputs(vals, in_avals, out_avals):
    """Weakly typed inputs whose type differs from the output's: convert them (as JAX does)."""
    from .elementwise import convert_element_type_p
    changed = False
    vals = list(vals)
    for i, (a, b) in enumerate(zip(in_avals, out_avals)):
        if a.weak_type and (a.shape == b.shape) and (a.dtype != b.dtype or not b.weak_type):
            dt = dtypes.promote_types((a.dtype, True), (b.dtype, b.weak_type))[0]
            vals[i] = convert_element_type_p.bind(vals[i], new_dtype=np.dtype(dt), weak_type=False)
            changed = True
    return vals, changed


def _carry_mismatch_error(kind, fun, init_tree, in_avals, out_avals):
    try:
        import inspect
        params = list(inspect.signature(fun).parameters)
        base = params[0] if params else "carry"
    except (TypeError, ValueError):
        base = "carry"
    paths = [p for p, _ in tree_flatten_with_path(tree_unflatten(init_tree, in_avals))[0]]
    single = len(in_avals) == 1 and not paths[0]
    lines = []
    for p, a, b in zip(paths, in_avals, out_avals):
        why = _type_mismatch(a, b)
        if why is None:
            continue
        where = f"carry {base}" if single else f"carry component {base}{keystr(p)}"
        lines.append(f"The input {where} has type {_type_str(a)} but the corresponding output carry "
                     f"component has type {_type_str(b)}, so {why}.")
    raise TypeError(f"{kind} function carry input and carry output must have equal types, but they "
                    "differ:\n\n" + "\n".join(lines) +
                    "\n\nRevise the function so that all output types match the corresponding input types.")


# ============================================================================================
# cond / switch
# ============================================================================================
def _cond_impl(index, *ops, branches):
    i = int(index.item()) if isinstance(index, torch.Tensor) else int(index)
    i = builtins.min(builtins.max(i, 0), len(branches) - 1)
    return _run(branches[i], ops)


def _cond_abstract(index, *ops, branches):
    if index.shape != () or not dtypes.is_int(index.dtype):
        raise TypeError(f"cond index must be a scalar integer, got {index.str_short()}")
    for b in branches:
        if len(b.invars) != len(ops):
            raise TypeError(f"cond branch takes {len(b.invars)} operands, got {len(ops)}")
    return _weak_join([b.out_avals for b in branches])


def _cond_weak(weaks, branches):
    return [a.weak_type for a in _weak_join([b.out_avals for b in branches])]


def _cond_jvp(primals, tangents, branches):
    index, ops = primals[0], primals[1:]
    ts = tangents[1:]
    nz = [type(t) is not Zero for t in ts]
    nout = len(branches[0].outvars)
    out_nz = [False] * nout
    for b in branches:
        _, _, onz = jvp_graph(b, nz, instantiate_out=False)
        out_nz = [x or y for x, y in zip(out_nz, onz)]
    new = [jvp_graph(b, nz, instantiate_out=out_nz) for b in branches]
    graphs, consts = _join_consts([(g, c) for g, c, _ in new])
    outs = cond_p.bind(index, *consts, *ops, *[t for t in ts if type(t) is not Zero],
                       branches=tuple(graphs))
    p_out, t_rest = outs[:nout], iter(outs[nout:])
    out_avals = _weak_join([b.out_avals for b in branches])
    t_out = [next(t_rest) if z else Zero(a.strip_weak_type()) for z, a in zip(out_nz, out_avals)]
    return p_out, t_out


def _cond_transpose(cts, index, *ops, branches):
    if is_undefined(index):
        raise ValueError("cond: cannot transpose with respect to the branch index")
    mask = [is_undefined(a) for a in ops]
    cts = [instantiate(c) for c in cts]
    graphs, consts = _join_consts([transpose_graph(b, mask) for b in branches])
    nonlin = [a for a in ops if not is_undefined(a)]
    res = iter(cond_p.bind(index, *consts, *nonlin, *cts, branches=tuple(graphs)))
    return [None] + [next(res) if m else None for m in mask]


def _cond_batch(vals, dims, branches):
    from .elementwise import select_n_p
    from .shape import broadcast_in_dim_p
    size = _axis_size(vals, dims)
    index, ops = vals[0], vals[1:]
    idim, odims = dims[0], list(dims[1:])
    nout = len(branches[0].outvars)
    if idim is None:
        out_b = [False] * nout
        for b in branches:
            _, _, od = batch_graph(b, odims, size)
            out_b = [x or d is not None for x, d in zip(out_b, od)]
        want = [0 if x else None for x in out_b]
        res = [batch_graph(b, odims, size, out_dims_wanted=want) for b in branches]
        graphs, consts = _join_consts([(g, c) for g, c, _ in res])
        return cond_p.bind(index, *consts, *ops, branches=tuple(graphs)), want
    # A batched predicate: run every branch on the whole batch, then pick per lane.
    index = moveaxis(index, idim, 0)
    per_branch = []
    for b in branches:
        g, consts, _ = batch_graph(b, odims, size, out_dims_wanted=[0] * nout)
        per_branch.append(eval_graph(g, [], list(consts) + list(ops)))
    outs = []
    for k in range(nout):
        cases = [pb[k] for pb in per_branch]
        shape = core.get_aval(cases[0]).shape
        which = broadcast_in_dim_p.bind(index, shape=shape, broadcast_dimensions=(0,))
        if len(cases) == 2:
            from .elementwise import ne_p
            which = ne_p.bind(which, 0)
        outs.append(select_n_p.bind(which, *cases))
    return outs, [0] * nout


def _cond_partial_eval(trace, own, args, params):
    branches = params["branches"]
    if own[0]:
        return _stage_whole(trace, cond_p, args, params)
    index, ops = args[0], args[1:]
    ops_uk = list(own[1:])
    nout = len(branches[0].outvars)
    out_uk = [False] * nout
    for b in branches:
        out_uk = [x or y for x, y in zip(out_uk, partial_eval_graph(b, ops_uk)[3])]
    pes = [partial_eval_graph(b, ops_uk, instantiate=out_uk) for b in branches]
    res_avals = [kg.out_avals[len(kg.outvars) - nres:] for kg, _, _, _, nres in pes]
    all_res = [a for r in res_avals for a in r]
    known_ops = [a for a, u in zip(ops, ops_uk) if not u]
    known_avals = [core.get_aval(a) for a in known_ops]
    nk = nout - sum(out_uk)

    # known branches: (their consts..., known ops...) -> (known outs..., every branch's residuals...)
    kbranches = []
    for i, (kg, kconsts, _, _, nres) in enumerate(pes):
        def known_fun(*a, kg=kg, nc=len(kconsts), i=i):
            outs = eval_graph(kg, [], a)
            mine = iter(outs[nk:])
            res = []
            for j, avals in enumerate(res_avals):
                for av in avals:
                    res.append(next(mine) if j == i else _zeros(av))
            return list(outs[:nk]) + res
        kbranches.append(trace_to_subgraph(
            known_fun, [core.get_aval(c) for c in kconsts] + known_avals) + (kconsts,))
    graphs, consts = _join_consts([(g, list(gc) + list(kc)) for g, gc, kc in kbranches])
    with core.set_current_trace(trace.parent):
        kout = cond_p.bind(index, *consts, *known_ops, branches=tuple(graphs))
    known_outs, residuals = kout[:nk], kout[nk:]

    # unknown branches: (every branch's residuals..., unknown ops...) -> unknown outs
    ubranches = []
    start = 0
    for (kg, kconsts, ug, _, nres), avals in zip(pes, res_avals):
        before = all_res[:start]
        after = all_res[start + len(avals):]
        start += len(avals)
        ubranches.append(_pad_invars(_pad_invars(ug, before=before), before=after, at=len(before) + len(avals)))
    unknown_ops = [a for a, u in zip(ops, ops_uk) if u]
    inputs = [trace.to_var(a) for a in [index] + list(residuals) + unknown_ops]
    uparams = dict(branches=tuple(ubranches))
    uouts = trace.add_eqn(cond_p, inputs, uparams, _cond_abstract(*[i.aval for i in inputs], **uparams))
    return merge_outputs(out_uk, known_outs, uouts)


def _zeros(aval):
    from .shape import full_p
    return full_p.bind(shape=tuple(aval.shape), fill_value=0, dtype=aval.dtype)


cond_p.impl = _cond_impl
cond_p.abstract_eval = _cond_abstract
cond_p.weak_type_rule = _cond_weak
cond_p.jvp = _cond_jvp
cond_p.transpose = _cond_transpose
cond_p.batch = _cond_batch
cond_p.partial_eval = _cond_partial_eval


class _Missing:
    pass


_missing = _Missing()


def _check_pred(pred):
    try:
        aval = core.get_aval(pred)
    except TypeError:
        raise TypeError(f"Pred must be a scalar, got {pred} of type {type(pred)}") from None
    if aval.shape != ():
        raise TypeError(f"Pred must be a scalar, got {pred} of shape {aval.shape}.")
    if aval.dtype != dtypes.bool_ and not (dtypes.is_int(aval.dtype) or dtypes.is_inexact(aval.dtype)):
        raise TypeError(f"Pred type must be either boolean or number, got {aval.dtype}.")
    return aval


def cond(pred, true_fun, false_fun, *operands, operand=_missing):
    """Run true_fun(*operands) if pred else false_fun(*operands); both are traced (JAX's lax.cond)."""
    if operand is not _missing:
        if operands:
            raise TypeError("cond: pass operands positionally or as `operand=`, not both")
        operands = (operand,)
    if not callable(true_fun) or not callable(false_fun):
        raise TypeError("lax.cond: true_fun and false_fun arguments should be callable.")
    aval = _check_pred(pred)
    if config._values["jax_disable_jit"]:
        c = _concrete(pred)
        if c is not None:
            return true_fun(*operands) if bool(c) else false_fun(*operands)
    from .elementwise import convert_element_type_p, ne_p
    pred = _to_array(pred, "cond pred")
    if aval.dtype != dtypes.bool_:
        pred = ne_p.bind(pred, 0)
    index = convert_element_type_p.bind(pred, new_dtype=np.dtype(np.int32), weak_type=False)
    return _bind_cond(index, [false_fun, true_fun], operands, names=("false_fun", "true_fun"))


def switch(index, branches, *operands, operand=_missing):
    """Apply branches[clamp(index)](*operands) (JAX's lax.switch)."""
    if operand is not _missing:
        operands = (operand,)
    branches = tuple(branches)
    if not branches:
        raise ValueError("Empty branch sequence")
    for b in branches:
        if not callable(b):
            raise TypeError("lax.switch: branches argument should be a sequence of callables.")
    try:
        aval = core.get_aval(index)
    except TypeError:
        raise TypeError(f"Index must be scalar integers, got {index!r}") from None
    if aval.shape != ():
        raise TypeError(f"Branch index must be scalar, got {index} of shape {aval.shape}.")
    if not dtypes.is_int(aval.dtype):
        raise TypeError(f"Index type must be an integer, got {index} as {aval.dtype}")
    if len(branches) == 1:
        return branches[0](*operands)
    if config._values["jax_disable_jit"]:
        c = _concrete(index)
        if c is not None:
            return branches[builtins.min(builtins.max(int(c), 0), len(branches) - 1)](*operands)
    from .elementwise import convert_element_type_p, clamp_p
    index = _to_array(index, "switch index")
    index = convert_element_type_p.bind(index, new_dtype=np.dtype(np.int32), weak_type=False)
    index = clamp_p.bind(0, index, len(branches) - 1)
    names = tuple(f"branch {i}" for i in range(len(branches)))
    return _bind_cond(index, list(branches), operands, names)


def _bind_cond(index, funs, operands, names):
    leaves, in_tree = tree_flatten(operands)
    leaves = [_to_array(x, "cond operand") for x in leaves]
    avals = [core.get_aval(x) for x in leaves]
    traced = [_trace_fun(f, in_tree, avals, "cond branch output") for f in funs]
    # Report mismatches the way JAX does: the first branch against each other one.
    f0, t0 = funs[-1], traced[-1]
    for f, t, name in zip(funs, traced, names):
        if t[2] != t0[2]:
            raise TypeError(
                f"cond branch outputs must have the same pytree structure, but they differ:\n\n"
                f"{names[-1]} is {_fun_desc(f0)}\n{name} is {_fun_desc(f)}\n\n"
                f"{names[-1]} output has structure {t0[2]} but {name} output has structure {t[2]}.\n\n"
                f"Revise {names[-1]} and/or {name} so that they have the same pytree structure.")
        for a, b in zip(t0[0].out_avals, t[0].out_avals):
            why = _type_mismatch(a, b)
            if why:
                raise TypeError(
                    f"cond branches must have equal output types but they differ.\n\n"
                    f"{names[-1]} is {_fun_desc(f0)}\n{name} is {_fun_desc(f)}\n\n"
                    f"The output of {names[-1]} has type {_type_str(a)} but the corresponding output "
                    f"of {name} has type {_type_str(b)}, so {why}.\n\n"
                    f"Revise {names[-1]} and/or {name} so that all output types match.")
    graphs, consts = _join_consts([(g, c) for g, c, _ in traced])
    outs = cond_p.bind(index, *consts, *leaves, branches=tuple(graphs))
    return tree_unflatten(t0[2], outs)


# ============================================================================================
# scan
# ============================================================================================
def _scan_impl(*args, body, num_consts, num_carry, length, reverse, unroll=1):
    consts, carry, xs = _split(args, num_consts, num_carry)
    ny = len(body.outvars) - num_carry
    ys = None
    for step in range(length):
        i = length - 1 - step if reverse else step
        outs = _run(body, consts + carry + [x[i] for x in xs])
        carry, y = outs[:num_carry], outs[num_carry:]
        if ys is None:
            ys = [torch.empty((length,) + tuple(t.shape), dtype=t.dtype, device=t.device) for t in y]
        for buf, t in zip(ys, y):
            buf[i] = t
    if ys is None:
        from ..config import default_device
        dev = next((t.device for t in args if isinstance(t, torch.Tensor)), default_device())
        ys = [torch.empty((0,) + a.shape, dtype=dtypes.to_torch_dtype(a.dtype), device=dev)
              for a in body.out_avals[num_carry:]]
        carry = [c if isinstance(c, torch.Tensor) else
                 torch.tensor(c, dtype=dtypes.to_torch_dtype(a.dtype), device=dev)
                 for c, a in zip(carry, body.in_avals[num_consts:num_consts + num_carry])]
    assert len(ys) == ny
    return list(carry) + ys


def _scan_abstract(*avals, body, num_consts, num_carry, length, reverse, unroll=1):
    consts, carry, xs = _split(avals, num_consts, num_carry)
    for a, b in zip(carry, body.out_avals[:num_carry]):
        if _type_mismatch(a, b):
            raise TypeError(f"scan carry type mismatch: input {a.str_short()} vs body output {b.str_short()}")
    for x in xs:
        if not x.shape or x.shape[0] != length:
            raise TypeError(f"scan: xs operand of type {x.str_short()} does not have leading axis {length}")
    ys = [a.update(shape=(length,) + a.shape) for a in body.out_avals[num_carry:]]
    return list(carry) + ys


def _scan_weak(weaks, body, num_consts, num_carry, **_):
    return list(weaks[num_consts:num_consts + num_carry]) + \
        [a.weak_type for a in body.out_avals[num_carry:]]


def _reorder(g, k, counts_in, nz_in, counts_out, nz_out_flags):
    """Reorder a jvp_graph result into scan's layout, tangents beside their primal groups.

    Inputs of g: (k jvp consts, primal groups..., tangents of each group...); outputs: (primal
    groups..., tangents of each output group...). Returns the graph with inputs
    (jvp consts, group0, tangents0, group1, tangents1, ...) and outputs likewise."""
    iv = list(g.invars)
    gc, rest = iv[:k], iv[k:]
    n = sum(counts_in)
    prim_groups = _split(rest[:n], *counts_in[:-1])
    tan_counts = [sum(z) for z in nz_in]
    tan_groups = _split(rest[n:], *tan_counts[:-1])
    new_in = gc[:]
    for p, t in zip(prim_groups, tan_groups):
        new_in += p + t
    ov = list(g.outvars)
    m = sum(counts_out)
    oprim = _split(ov[:m], *counts_out[:-1])
    otan = _split(ov[m:], *[sum(z) for z in nz_out_flags][:-1])
    new_out = []
    for p, t in zip(oprim, otan):
        new_out += p + t
    return Graph(new_in, [], g.eqns, new_out)


def _scan_jvp(primals, tangents, body, num_consts, num_carry, length, reverse, unroll=1):
    nz = [type(t) is not Zero for t in tangents]
    const_nz, carry_nz, xs_nz = _split(nz, num_consts, num_carry)
    ny = len(body.outvars) - num_carry
    while True:
        g, gconsts, out_nz = jvp_graph(body, const_nz + carry_nz + xs_nz,
                                       instantiate_out=carry_nz + [False] * ny)
        new = [a or b for a, b in zip(carry_nz, out_nz[:num_carry])]
        if new == carry_nz:
            break
        carry_nz = new
    ys_nz = out_nz[num_carry:]
    nx = len(primals) - num_consts - num_carry
    g = _reorder(g, len(gconsts), [num_consts, num_carry, nx], [const_nz, carry_nz, xs_nz],
                 [num_carry, ny], [carry_nz, ys_nz])
    consts, init, xs = _split(primals, num_consts, num_carry)
    t_consts, t_init, t_xs = _split(tangents, num_consts, num_carry)
    t_consts = [t for t in t_consts if type(t) is not Zero]
    t_xs = [t for t in t_xs if type(t) is not Zero]
    t_init = [instantiate(t) if z else None for t, z in zip(t_init, carry_nz)]
    t_init = [t for t in t_init if t is not None]
    outs = scan_p.bind(*gconsts, *consts, *t_consts, *init, *t_init, *xs, *t_xs, body=g,
                       num_consts=len(gconsts) + num_consts + len(t_consts),
                       num_carry=num_carry + len(t_init), length=length, reverse=reverse, unroll=unroll)
    c_out, tc_out, y_out = _split(outs, num_carry, len(t_init))
    y_out, ty_out = y_out[:ny], y_out[ny:]
    tci, tyi = iter(tc_out), iter(ty_out)
    carry_t = [next(tci) if z else Zero(core.get_aval(p).strip_weak_type()) for z, p in zip(carry_nz, c_out)]
    ys_t = [next(tyi) if z else Zero(core.get_aval(p).strip_weak_type()) for z, p in zip(ys_nz, y_out)]
    return c_out + y_out, carry_t + ys_t


def _depends_on(graph, sources):
    """The set of vars of graph that depend on any of `sources`."""
    dep = set(sources)
    for e in graph.eqns:
        if any(type(a) is not Literal and a in dep for a in e.inputs):
            dep.update(e.outvars)
    return dep


def _scan_partial_eval(trace, own, args, params):
    body = params["body"]
    nconst, ncar, length = params["num_consts"], params["num_carry"], params["length"]
    ny = len(body.outvars) - ncar
    const_uk, carry_uk, xs_uk = _split(own, nconst, ncar)
    while True:
        out_uk = partial_eval_graph(body, const_uk + carry_uk + xs_uk,
                                    instantiate=carry_uk + [False] * ny)[3]
        new = [a or b for a, b in zip(carry_uk, out_uk[:ncar])]
        if new == carry_uk:
            break
        carry_uk = new
    kg, kconsts, ug, out_uk, nres = partial_eval_graph(body, const_uk + carry_uk + xs_uk,
                                                       instantiate=carry_uk + [False] * ny)
    ys_uk = out_uk[ncar:]
    consts, init, xs = _split(args, nconst, ncar)
    k_consts = [c for c, u in zip(consts, const_uk) if not u]
    k_init = [c for c, u in zip(init, carry_uk) if not u]
    k_xs = [x for x, u in zip(xs, xs_uk) if not u]
    nkc = len(kconsts) + len(k_consts)
    # Residuals that depend only on consts are loop-invariant: compute them once, outside.
    loop_vars = kg.invars[nkc:]
    dep = _depends_on(kg, loop_vars)
    n_kout = len(kg.outvars) - nres
    res_vars = kg.outvars[n_kout:]
    invariant = [type(v) is Literal or v not in dep for v in res_vars]
    with core.set_current_trace(trace.parent):
        inv_graph = _restrict(kg, [True] * nkc + [False] * len(loop_vars),
                              [False] * n_kout + invariant, keep_effects=False)
        inv_vals = eval_graph(inv_graph, [], list(kconsts) + k_consts)
        kbody = Graph(kg.invars, [], kg.eqns,
                      list(kg.outvars[:n_kout]) + [v for v, i in zip(res_vars, invariant) if not i])
        from ..ir.passes.dce import dce
        kbody = dce(kbody)
        n_kcarry = len(k_init)
        kout = scan_p.bind(*kconsts, *k_consts, *k_init, *k_xs, body=kbody, num_consts=nkc,
                           num_carry=n_kcarry, length=length, reverse=params["reverse"],
                           unroll=params.get("unroll", 1))
    k_carry_out, k_ys, var_vals = _split(kout, n_kcarry, n_kout - n_kcarry)
    # The unknown scan: consts (invariant residuals, unknown consts), carry (unknown carries),
    # xs (stacked residuals, unknown xs).
    uiv = list(ug.invars)
    res_in, rest = uiv[:nres], uiv[nres:]
    u_const_v, u_carry_v, u_xs_v = _split(rest, sum(const_uk), sum(carry_uk))
    inv_in = [v for v, i in zip(res_in, invariant) if i]
    var_in = [v for v, i in zip(res_in, invariant) if not i]
    ubody = Graph(inv_in + u_const_v + u_carry_v + var_in + u_xs_v, [], ug.eqns, ug.outvars)
    u_consts = [c for c, u in zip(consts, const_uk) if u]
    u_init = [c for c, u in zip(init, carry_uk) if u]
    u_xs = [x for x, u in zip(xs, xs_uk) if u]
    operands = list(inv_vals) + u_consts + u_init + list(var_vals) + u_xs
    inputs = [trace.to_var(a) for a in operands]
    uparams = dict(params, body=ubody, num_consts=len(inv_vals) + len(u_consts), num_carry=len(u_init))
    uouts = trace.add_eqn(scan_p, inputs, uparams, _scan_abstract(*[i.aval for i in inputs], **uparams))
    uc, uy = uouts[:len(u_init)], uouts[len(u_init):]
    kci, kyi, uci, uyi = iter(k_carry_out), iter(k_ys), iter(uc), iter(uy)
    return [next(uci) if u else next(kci) for u in carry_uk] + [next(uyi) if u else next(kyi) for u in ys_uk]


def _scan_transpose(cts, *args, body, num_consts, num_carry, length, reverse, unroll=1):
    consts, init, xs = _split(args, num_consts, num_carry)
    ny = len(body.outvars) - num_carry
    ct_carry = [instantiate(c) for c in cts[:num_carry]]
    ct_ys = [instantiate(c) for c in cts[num_carry:]]
    const_lin = [is_undefined(c) for c in consts]
    xs_lin = [is_undefined(x) for x in xs]
    tg, tconsts = transpose_graph(body, const_lin + [True] * num_carry + xs_lin)
    nl_consts = [c for c, m in zip(consts, const_lin) if not m]
    nl_xs = [x for x, m in zip(xs, xs_lin) if not m]
    lin_const_avals = [c.aval.strip_weak_type() for c, m in zip(consts, const_lin) if m]
    n_lc, ntc = len(lin_const_avals), len(tconsts)
    carry_avals = [a.strip_weak_type() for a in body.in_avals[num_consts:num_consts + num_carry]]
    x_avals = [a for a, m in zip(body.in_avals[num_consts + num_carry:], xs_lin) if not m]
    y_avals = [a.strip_weak_type() for a in body.out_avals[num_carry:]]
    from .elementwise import add_p

    def tbody(*a):
        tc, nlc, acc, ctc, cty, nlx = _split(a, ntc, len(nl_consts), n_lc, num_carry, ny)
        outs = eval_graph(tg, [], tc + nlc + nlx + ctc + cty)
        ct_lc, ct_cin, ct_lx = _split(outs, n_lc, num_carry)
        return [add_p.bind(x, y) for x, y in zip(acc, ct_lc)] + ct_cin + ct_lx

    in_avals = ([core.get_aval(c) for c in tconsts] + [core.get_aval(c) for c in nl_consts] +
                lin_const_avals + carry_avals + y_avals + x_avals)
    tb, tb_consts = trace_to_subgraph(tbody, in_avals)
    acc0 = [_zeros(a) for a in lin_const_avals]
    outs = scan_p.bind(*tb_consts, *tconsts, *nl_consts, *acc0, *ct_carry, *ct_ys, *nl_xs, body=tb,
                       num_consts=len(tb_consts) + ntc + len(nl_consts), num_carry=n_lc + num_carry,
                       length=length, reverse=not reverse, unroll=unroll)
    ct_lc, ct_init, ct_lx = _split(outs, n_lc, num_carry)
    lci, lxi = iter(ct_lc), iter(ct_lx)
    return ([next(lci) if m else None for m in const_lin] +
            [c if is_undefined(a) else None for a, c in zip(init, ct_init)] +
            [next(lxi) if m else None for m in xs_lin])


def _scan_batch(vals, dims, body, num_consts, num_carry, length, reverse, unroll=1):
    size = _axis_size(vals, dims)
    const_d, carry_d, xs_d = _split(dims, num_consts, num_carry)
    consts, init, xs = _split(vals, num_consts, num_carry)
    carry_b = [d is not None for d in carry_d]
    x_body_d = [None if d is None else 0 for d in xs_d]
    while True:
        _, _, od = batch_graph(body, const_d + [0 if b else None for b in carry_b] + x_body_d, size)
        new = [b or d is not None for b, d in zip(carry_b, od[:num_carry])]
        if new == carry_b:
            break
        carry_b = new
    ys_b = [d is not None for d in od[num_carry:]]
    want = [0 if b else None for b in carry_b + ys_b]
    g, gconsts, _ = batch_graph(body, const_d + [0 if b else None for b in carry_b] + x_body_d, size,
                                out_dims_wanted=want)
    init = [bdim_to(v, d, 0, size) if b else v for v, d, b in zip(init, carry_d, carry_b)]
    xs = [v if d is None else moveaxis(v, d, 1) for v, d in zip(xs, xs_d)]
    outs = scan_p.bind(*gconsts, *consts, *init, *xs, body=g, num_consts=len(gconsts) + num_consts,
                       num_carry=num_carry, length=length, reverse=reverse, unroll=unroll)
    return outs, [0 if b else None for b in carry_b] + [1 if b else None for b in ys_b]


scan_p.impl = _scan_impl
scan_p.abstract_eval = _scan_abstract
scan_p.weak_type_rule = _scan_weak
scan_p.jvp = _scan_jvp
scan_p.transpose = _scan_transpose
scan_p.batch = _scan_batch
scan_p.partial_eval = _scan_partial_eval


def scan(f, init, xs=None, length=None, reverse=False, unroll=1, _split_transpose=False):
    """Loop f(carry, x) -> (carry, y) over the leading axis of xs, stacking the ys (JAX's lax.scan)."""
    if not callable(f):
        raise TypeError("scan: f argument should be a callable.")
    xs_leaves, xs_tree = tree_flatten(xs)
    xs_leaves = [_to_array(x, "scan xs") for x in xs_leaves]
    x_avals_full = [core.get_aval(x) for x in xs_leaves]
    for x, a in zip(xs_leaves, x_avals_full):
        if a.ndim == 0:
            raise ValueError(f"scan got value with no leading axis to scan over: {a.str_short()}.")
    lengths = [a.shape[0] for a in x_avals_full]
    if length is not None:
        c = _concrete(length)
        if c is None:
            raise core.ConcretizationTypeError(length, "The `length` argument to `scan` must be concrete.")
        length = int(c)
        if any(n != length for n in lengths):
            raise ValueError(f"scan got `length` argument of {length} which disagrees with leading axis "
                             f"sizes {lengths}.")
    else:
        if not lengths:
            raise ValueError("scan got no values to scan over and `length` not provided.")
        if len(set(lengths)) > 1:
            raise ValueError("scan got values with different leading axis sizes: "
                             + ", ".join(str(n) for n in lengths) + ".")
        length = lengths[0]
    if isinstance(unroll, bool):
        unroll = length if unroll else 1
    init_leaves, init_tree = tree_flatten(init)
    init_leaves = [_to_array(x, "scan init") for x in init_leaves]

    if config._values["jax_disable_jit"]:
        return _scan_python(f, init, xs_leaves, xs_tree, length, reverse)

    x_avals = [a.update(shape=a.shape[1:]) for a in x_avals_full]
    for attempt in range(2):  # a weakly typed init promoted to the body's carry type: retrace once
        carry_avals = [core.get_aval(x) for x in init_leaves]
        box = []

        def body_fn(carry, x):
            out = f(carry, x)
            if not isinstance(out, (tuple, list)) or len(out) != 2:
                raise TypeError(f"scan body output must be a pair, got {out!r}.")
            box.append(tree_flatten(out[0])[1])
            return out

        in_tree = tree_flatten((tree_unflatten(init_tree, init_leaves),
                                tree_unflatten(xs_tree, xs_leaves)))[1]
        graph, consts, out_tree = _trace_fun(body_fn, in_tree, carry_avals + x_avals, "scan body output")
        carry_tree = box[0]
        if carry_tree != init_tree:
            raise TypeError(
                "scan body function carry input and carry output must have the same pytree structure, "
                f"but they differ:\n\nThe input carry has structure {init_tree} but the carry output "
                f"has structure {carry_tree}.\n\nRevise the function so that the carry output has the "
                "same pytree structure as the carry input.")
        nc = len(init_leaves)
        c_out_avals = graph.out_avals[:nc]
        init_leaves, changed = _promote_weak_inputs(init_leaves, carry_avals, c_out_avals)
        if not changed:
            break
    for a, b in zip(carry_avals, c_out_avals):
        if _type_mismatch(a, b):
            _carry_mismatch_error("scan body", f, init_tree, carry_avals, c_out_avals)
    outs = scan_p.bind(*consts, *init_leaves, *xs_leaves, body=graph, num_consts=len(consts),
                       num_carry=len(init_leaves), length=length, reverse=bool(reverse), unroll=int(unroll))
    # out_tree is the tree of (carry, ys); rebuild from the pair's children.
    from ..tree_util import treedef_children
    carry_t, ys_t = treedef_children(out_tree)
    return tree_unflatten(carry_t, outs[:nc]), tree_unflatten(ys_t, outs[nc:])


def _scan_python(f, init, xs_leaves, xs_tree, length, reverse):
    from .. import numpy as jnp
    carry, ys = init, []
    order = range(length - 1, -1, -1) if reverse else range(length)
    for i in order:
        carry, y = f(carry, tree_unflatten(xs_tree, [x[i] for x in xs_leaves]))
        ys.append(y)
    if reverse:
        ys.reverse()
    if not ys:
        return carry, None
    leaves0, ytree = tree_flatten(ys[0])
    cols = [tree_flatten(y)[0] for y in ys]
    stacked = [jnp.stack([c[k] for c in cols]) for k in range(len(leaves0))]
    return carry, tree_unflatten(ytree, stacked)


# ============================================================================================
# while
# ============================================================================================
def _while_impl(*args, cond_graph, body_graph, cond_nconsts, body_nconsts):
    cc, bc, carry = _split(args, cond_nconsts, body_nconsts)
    while bool(_run(cond_graph, cc + carry)[0]):
        carry = _run(body_graph, bc + carry)
    if carry and not all(isinstance(c, torch.Tensor) for c in carry):
        from ..config import default_device
        carry = [c if isinstance(c, torch.Tensor) else
                 torch.tensor(c, dtype=dtypes.to_torch_dtype(a.dtype), device=default_device())
                 for c, a in zip(carry, body_graph.out_avals)]
    return list(carry)


def _while_abstract(*avals, cond_graph, body_graph, cond_nconsts, body_nconsts):
    carry = list(avals[cond_nconsts + body_nconsts:])
    for a, b in zip(carry, body_graph.out_avals):
        if _type_mismatch(a, b):
            raise TypeError(f"while carry type mismatch: input {a.str_short()} vs body output {b.str_short()}")
    return carry


def _while_weak(weaks, cond_nconsts, body_nconsts, **_):
    return list(weaks[cond_nconsts + body_nconsts:])


def _while_jvp(primals, tangents, cond_graph, body_graph, cond_nconsts, body_nconsts):
    nz = [type(t) is not Zero for t in tangents]
    _, bc_nz, carry_nz = _split(nz, cond_nconsts, body_nconsts)
    ncar = len(carry_nz)
    while True:
        g, gconsts, out_nz = jvp_graph(body_graph, bc_nz + carry_nz, instantiate_out=carry_nz)
        new = [a or b for a, b in zip(carry_nz, out_nz)]
        if new == carry_nz:
            break
        carry_nz = new
    g = _reorder(g, len(gconsts), [body_nconsts, ncar], [bc_nz, carry_nz], [ncar], [carry_nz])
    cc, bc, init = _split(primals, cond_nconsts, body_nconsts)
    _, t_bc, t_init = _split(tangents, cond_nconsts, body_nconsts)
    t_bc = [t for t in t_bc if type(t) is not Zero]
    t_init = [instantiate(t) for t, z in zip(t_init, carry_nz) if z]
    # the cond ignores the tangent carries: (cc, carry, t_carry)
    cg = _pad_invars(cond_graph, after=[core.get_aval(t) for t in t_init])
    # body's carry layout after _reorder: (carry, t_carry) — pair them by group
    outs = while_p.bind(*cc, *gconsts, *bc, *t_bc, *init, *t_init, cond_graph=cg, body_graph=g,
                        cond_nconsts=cond_nconsts, body_nconsts=len(gconsts) + body_nconsts + len(t_bc))
    p_out, t_out = outs[:ncar], iter(outs[ncar:])
    return p_out, [next(t_out) if z else Zero(core.get_aval(p).strip_weak_type())
                   for z, p in zip(carry_nz, p_out)]


def _while_transpose(cts, *args, **params):
    raise ValueError("Reverse-mode differentiation does not work for lax.while_loop or lax.fori_loop "
                     "with dynamic start/stop values. Try using lax.scan, or using fori_loop with "
                     "static start/stop.")


def _while_partial_eval(trace, own, args, params):
    cg, bg = params["cond_graph"], params["body_graph"]
    ncc, nbc = params["cond_nconsts"], params["body_nconsts"]
    cc_uk, bc_uk, carry_uk = _split(own, ncc, nbc)
    while True:
        out_uk = partial_eval_graph(bg, bc_uk + carry_uk, instantiate=carry_uk)[3]
        new = [a or b for a, b in zip(carry_uk, out_uk)]
        if new == carry_uk:
            break
        carry_uk = new
    cond_uk = partial_eval_graph(cg, cc_uk + carry_uk)[3][0]
    if cond_uk or all(carry_uk):
        return _stage_whole(trace, while_p, args, params)
    known = [not u for u in carry_uk]
    kcg = _restrict(cg, [True] * ncc + known, [True])
    kbg = _restrict(bg, [True] * nbc + known, known)
    if kcg is None or kbg is None or any(cc_uk):
        return _stage_whole(trace, while_p, args, params)
    cc, bc, init = _split(args, ncc, nbc)
    kbc_mask = [True] * nbc
    if any(bc_uk):  # the known body must not read unknown consts
        kbg2 = _restrict(bg, [not u for u in bc_uk] + known, known)
        if kbg2 is None:
            return _stage_whole(trace, while_p, args, params)
        kbg = kbg2
        kbc_mask = [not u for u in bc_uk]
    k_bc = [c for c, k in zip(bc, kbc_mask) if k]
    k_init = [c for c, k in zip(init, known) if k]
    with core.set_current_trace(trace.parent):
        kout = while_p.bind(*cc, *k_bc, *k_init, cond_graph=kcg, body_graph=kbg,
                            cond_nconsts=ncc, body_nconsts=len(k_bc))
    # The unknown part recomputes the whole loop (as JAX does); reverse mode stops there.
    whole = _stage_whole(trace, while_p, args, params)
    ki = iter(kout)
    return [w if u else next(ki) for w, u in zip(whole, carry_uk)]


def _while_batch(vals, dims, cond_graph, body_graph, cond_nconsts, body_nconsts):
    from .elementwise import select_n_p
    from .shape import broadcast_in_dim_p
    from .reductions import reduce_or_p
    size = _axis_size(vals, dims)
    cc, bc, init = _split(vals, cond_nconsts, body_nconsts)
    cc_d, bc_d, init_d = _split(dims, cond_nconsts, body_nconsts)
    carry_b = [d is not None for d in init_d]
    while True:
        cdims = [0 if b else None for b in carry_b]
        _, _, pd = batch_graph(cond_graph, cc_d + cdims, size)
        pred_b = pd[0] is not None
        if pred_b:
            carry_b = [True] * len(carry_b)
            cdims = [0] * len(carry_b)
        _, _, od = batch_graph(body_graph, bc_d + cdims, size)
        new = [b or d is not None for b, d in zip(carry_b, od)]
        if new == carry_b:
            break
        carry_b = new
    cdims = [0 if b else None for b in carry_b]
    bg, bgc, _ = batch_graph(body_graph, bc_d + cdims, size, out_dims_wanted=cdims)
    cg, cgc, _ = batch_graph(cond_graph, cc_d + cdims, size, out_dims_wanted=[0 if pred_b else None])
    init = [bdim_to(v, d, 0, size) if b else v for v, d, b in zip(init, init_d, carry_b)]
    ncar = len(init)
    if not pred_b:
        outs = while_p.bind(*cgc, *cc, *bgc, *bc, *init, cond_graph=cg, body_graph=bg,
                            cond_nconsts=len(cgc) + len(cc), body_nconsts=len(bgc) + len(bc))
        return outs, cdims
    # A batched predicate: loop while any lane runs; finished lanes keep their carry.
    ncg = len(cgc) + len(cc)
    cond_avals = [core.get_aval(x) for x in list(cgc) + list(cc)]
    body_avals = [core.get_aval(x) for x in list(bgc) + list(bc)]
    carry_avals = [core.get_aval(x) for x in init]

    def new_cond(*a):
        p = eval_graph(cg, [], a)[0]
        return [reduce_or_p.bind(p, axes=(0,))]

    def new_body(*a):
        cconsts, bconsts, carry = _split(a, ncg, len(body_avals))
        p = eval_graph(cg, [], cconsts + carry)[0]
        new = eval_graph(bg, [], bconsts + carry)
        res = []
        for old, nw in zip(carry, new):
            shape = core.get_aval(old).shape
            which = broadcast_in_dim_p.bind(p, shape=shape, broadcast_dimensions=(0,))
            res.append(select_n_p.bind(which, old, nw))
        return res

    ncg_graph, ncg_consts = trace_to_subgraph(new_cond, cond_avals + carry_avals)
    nbg_graph, nbg_consts = trace_to_subgraph(new_body, cond_avals + body_avals + carry_avals)
    outs = while_p.bind(*ncg_consts, *cgc, *cc, *nbg_consts, *cgc, *cc, *bgc, *bc, *init,
                        cond_graph=ncg_graph, body_graph=nbg_graph,
                        cond_nconsts=len(ncg_consts) + ncg,
                        body_nconsts=len(nbg_consts) + ncg + len(body_avals))
    return outs, [0] * ncar


while_p.impl = _while_impl
while_p.abstract_eval = _while_abstract
while_p.weak_type_rule = _while_weak
while_p.jvp = _while_jvp
while_p.transpose = _while_transpose
while_p.batch = _while_batch
while_p.partial_eval = _while_partial_eval


def while_loop(cond_fun, body_fun, init_val):
    """Repeat body_fun while cond_fun(carry) (JAX's lax.while_loop); forward-differentiable only."""
    if not callable(cond_fun) or not callable(body_fun):
        raise TypeError("lax.while_loop: cond_fun and body_fun arguments should be callable.")
    if config._values["jax_disable_jit"]:
        val = init_val
        while bool(cond_fun(val)):
            val = body_fun(val)
        return val
    init_leaves, init_tree = tree_flatten(init_val)
    init_leaves = [_to_array(x, "while_loop init_val") for x in init_leaves]
    arg_tree = tree_flatten((init_val,))[1]
    for attempt in range(2):
        avals = [core.get_aval(x) for x in init_leaves]
        cg, cconsts, ctree = _trace_fun(cond_fun, arg_tree, avals, "while_loop cond_fun output")
        if len(cg.outvars) != 1 or cg.out_avals[0].shape != () or cg.out_avals[0].dtype != dtypes.bool_:
            if len(cg.outvars) != 1:
                raise TypeError(f"cond_fun must return a boolean scalar, but got pytree {ctree}.")
            raise TypeError(f"cond_fun must return a boolean scalar, but got output type(s) "
                            f"{cg.out_avals}.")
        bg, bconsts, btree = _trace_fun(body_fun, arg_tree, avals, "while_loop body_fun output")
        if btree != init_tree:
            raise TypeError(
                "while_loop body function carry input and carry output must have the same pytree "
                f"structure, but they differ:\n\nThe input carry has structure {init_tree} but the "
                f"carry output has structure {btree}.\n\nRevise the function so that the carry output "
                "has the same pytree structure as the carry input.")
        init_leaves, changed = _promote_weak_inputs(init_leaves, avals, bg.out_avals)
        if not changed:
            break
    for a, b in zip(avals, bg.out_avals):
        if _type_mismatch(a, b):
            _carry_mismatch_error("while_loop body", body_fun, init_tree, avals, bg.out_avals)
    outs = while_p.bind(*cconsts, *bconsts, *init_leaves, cond_graph=cg, body_graph=bg,
                        cond_nconsts=len(cconsts), body_nconsts=len(bconsts))
    return tree_unflatten(init_tree, outs)


def fori_loop(lower, upper, body_fun, init_val, *, unroll=None):
    """body_fun(i, val) for i in [lower, upper): a scan when the bounds are concrete (so it can be
    reverse-differentiated), else a while_loop (JAX's lax.fori_loop)."""
    if not callable(body_fun):
        raise TypeError("lax.fori_loop: body_fun argument should be callable.")
    from .. import numpy as jnp
    lo_c, hi_c = _concrete(lower), _concrete(upper)
    try:
        la, ua = core.get_aval(lower), core.get_aval(upper)
        dt = dtypes.promote_types((la.dtype, la.weak_type), (ua.dtype, ua.weak_type))[0]
    except TypeError:
        raise TypeError(f"fori_loop bounds must be integers, got {lower!r} and {upper!r}") from None
    if not dtypes.is_int(dt):
        raise TypeError(f"lower and upper arguments to fori_loop must have integer dtypes, got {dt}")
    if config._values["jax_disable_jit"] and lo_c is not None and hi_c is not None:
        val = init_val
        for i in range(int(lo_c), int(hi_c)):
            val = body_fun(jnp.asarray(i, dtype=dt), val)
        return val
    if lo_c is not None and hi_c is not None:
        lo, hi = int(lo_c), int(hi_c)

        def scan_body(carry, _):
            i, x = carry
            return (i + 1, body_fun(i, x)), None

        (_, out), _ = scan(scan_body, (jnp.asarray(lo, dtype=dt), init_val), None,
                           length=builtins.max(hi - lo, 0), unroll=1 if unroll is None else unroll)
        return out
    lower = jnp.asarray(lower, dtype=dt)
    upper = jnp.asarray(upper, dtype=dt)

    def wbody(c):
        i, x = c
        return i + 1, body_fun(i, x)

    _, out = while_loop(lambda c: c[0] < upper, wbody, (lower, init_val))
    return out


def map(f, xs, *, batch_size=None):
    """Map f over the leading axis of xs with a scan (JAX's lax.map); batch_size vmaps chunks."""
    if batch_size is None:
        _, ys = scan(lambda _, x: ((), f(x)), (), xs)
        return ys
    from .. import numpy as jnp
    from ..api import vmap
    leaves, tree = tree_flatten(xs)
    n = core.get_aval(leaves[0]).shape[0]
    nb, rem = divmod(n, batch_size)
    parts = []
    if nb:
        main = tree_unflatten(tree, [jnp.reshape(x[:nb * batch_size], (nb, batch_size) + x.shape[1:])
                                     for x in leaves])
        _, ys = scan(lambda _, x: ((), vmap(f)(x)), (), main)
        parts.append(tree_flatten(ys)[0])
        ytree = tree_flatten(ys)[1]
        parts[-1] = [jnp.reshape(y, (nb * batch_size,) + y.shape[2:]) for y in parts[-1]]
    if rem:
        tail = vmap(f)(tree_unflatten(tree, [x[nb * batch_size:] for x in leaves]))
        ytree = tree_flatten(tail)[1]
        parts.append(tree_flatten(tail)[0])
    if len(parts) == 1:
        return tree_unflatten(ytree, parts[0])
    return tree_unflatten(ytree, [jnp.concatenate([a, b]) for a, b in zip(*parts)])
