"""Public transformations: make_jaxpr, jit, grad, value_and_grad, jvp, vjp, linearize, jacfwd,
jacrev, hessian, vmap, disable_jit, device_put, block_until_ready, eval_shape."""
import contextlib
import functools
import inspect
import logging
import operator

import numpy as np
import torch

from . import dtypes
from .array import Array, ArrayImpl
from .config import config
from .ir.avals import ShapedArray
from .interpreters import core
from .interpreters.eager import eager_trace, to_tensor
from .interpreters.staging import trace_to_graph, eval_graph, close_over_consts
from .interpreters.jvp import jvp_flat, Zero, instantiate, zero_of
from .interpreters.transpose import linearize_flat, backward_pass, UndefinedPrimal
from .interpreters.batching import vmap_flat, bdim_to, not_mapped
from .tree_util import (tree_flatten, tree_unflatten, tree_map, tree_leaves, tree_structure,
                        broadcast_prefix, Partial)

__all__ = ["make_jaxpr", "jit", "disable_jit", "grad", "value_and_grad", "jvp", "vjp", "linearize",
           "jacfwd", "jacrev", "jacobian", "hessian", "vmap", "device_put", "block_until_ready",
           "eval_shape", "ShapeDtypeStruct", "devices", "device_count", "local_device_count",
           "default_backend", "ClosedJaxpr", "named_call", "linear_transpose", "pure_callback",
           "local_devices", "process_index", "process_count"]

log = logging.getLogger("jaxish")


def _check_arg(x, where="argument"):
    if isinstance(x, (Array, np.ndarray, np.generic, torch.Tensor)) or core.is_scalar_literal(x):
        return x
    raise TypeError(f"{where} of type {type(x).__name__} is not a valid JAX type: {x!r}")


def _to_array(x):
    if isinstance(x, Array):
        return x
    from .numpy import asarray
    return asarray(x)


# ---- make_jaxpr -------------------------------------------------------------------------------
class ClosedJaxpr:
    """What make_jaxpr returns: a Graph and its consts; prints like a jaxpr."""

    def __init__(self, graph, consts, out_tree=None):
        self.jaxpr = graph
        self.consts = consts
        self.out_tree = out_tree

    @property
    def eqns(self):
        return self.jaxpr.eqns

    @property
    def in_avals(self):
        return self.jaxpr.in_avals

    @property
    def out_avals(self):
        return self.jaxpr.out_avals

    def __str__(self):
        return str(self.jaxpr)

    def pretty_print(self):
        return str(self)

    __repr__ = __str__


def _flat_fun(fun, in_tree, kwargs_tree=None):
    out_tree_box = []

    def flat(*leaves):
        args, kwargs = tree_unflatten(in_tree, leaves)
        out = fun(*args, **kwargs)
        out_leaves, out_tree = tree_flatten(out)
        out_tree_box.append(out_tree)
        return [_to_array(o) if not isinstance(o, Array) else o for o in out_leaves]
    return flat, out_tree_box


def _split_static(args, kwargs, static_argnums, static_argnames):
    dyn_args = tuple(a for i, a in enumerate(args) if i not in static_argnums)
    static = tuple((i, args[i]) for i in static_argnums if i < len(args))
    dyn_kwargs = {k: v for k, v in kwargs.items() if k not in static_argnames}
    static_kw = tuple(sorted((k, v) for k, v in kwargs.items() if k in static_argnames))
    return dyn_args, dyn_kwargs, static, static_kw


def _merge_static(fun, static, static_kw, nargs):
    def merged(*dyn_args, **dyn_kwargs):
        args = list(dyn_args)
        for i, v in static:
            args.insert(i, v)
        return fun(*args, **dict(dyn_kwargs, **dict(static_kw)))
    return merged


def _abstractify(x):
    if isinstance(x, ShapeDtypeStruct):
        return ShapedArray(x.shape, x.dtype, x.weak_type)
    return core.get_aval(_check_arg(x)).update(dtype=dtypes.canonicalize(core.get_aval(x).dtype)) \
        if isinstance(x, (np.ndarray, np.generic)) else core.get_aval(_check_arg(x))


def make_jaxpr(fun, static_argnums=(), return_shape=False, abstracted_axes=None, axis_env=None):
    static_argnums = (static_argnums,) if isinstance(static_argnums, int) else tuple(static_argnums)

    @functools.wraps(fun)
    def make(*args, **kwargs):
        dyn_args, dyn_kwargs, static, static_kw = _split_static(args, kwargs, static_argnums, ())
        f = _merge_static(fun, static, static_kw, len(args))
        leaves, in_tree = tree_flatten((dyn_args, dyn_kwargs))
        flat, out_tree = _flat_fun(f, in_tree)
        with contextlib.ExitStack() as stack:
            for name, size in (axis_env or ()):  # named axes for collectives, as JAX's axis_env
                stack.enter_context(core.extend_axis_env(name, size))
            graph, consts = trace_to_graph(flat, [_abstractify(x) for x in leaves])
        cj = ClosedJaxpr(graph, consts, out_tree[0])
        if return_shape:
            shapes = tree_unflatten(out_tree[0], [ShapeDtypeStruct(a.shape, a.dtype) for a in graph.out_avals])
            return cj, shapes
        return cj
    return make


class ShapeDtypeStruct:
    __slots__ = ("shape", "dtype", "weak_type", "sharding")

    def __init__(self, shape, dtype, weak_type=False, sharding=None):
        self.shape = tuple(shape)
        self.dtype = dtypes.check_dtype(dtype)
        self.weak_type = weak_type
        self.sharding = sharding

    @property
    def ndim(self):
        return len(self.shape)

    @property
    def size(self):
        return int(np.prod(self.shape))

    def __repr__(self):
        return f"ShapeDtypeStruct(shape={self.shape}, dtype={self.dtype.name})"

    def __eq__(self, other):
        return isinstance(other, ShapeDtypeStruct) and (self.shape, self.dtype) == (other.shape, other.dtype)

    def __hash__(self):
        return hash((self.shape, self.dtype))


def eval_shape(fun, *args, **kwargs):
    leaves, in_tree = tree_flatten((args, kwargs))
    flat, out_tree = _flat_fun(fun, in_tree)
    graph, _ = trace_to_graph(flat, [_abstractify(x) for x in leaves])
    return tree_unflatten(out_tree[0], [ShapeDtypeStruct(a.shape, a.dtype, a.weak_type) for a in graph.out_avals])


# ---- jit --------------------------------------------------------------------------------------
@contextlib.contextmanager
def disable_jit(disable=True):
    prev = config._values["jax_disable_jit"]
    config._values["jax_disable_jit"] = disable
    try:
        yield
    finally:
        config._values["jax_disable_jit"] = prev


from .jit import jit  # noqa: E402


# ---- forward mode -----------------------------------------------------------------------------
def jvp(fun, primals, tangents, has_aux=False):
    if not isinstance(primals, (tuple, list)) or not isinstance(tangents, (tuple, list)):
        raise TypeError("primal and tangent arguments to jax.jvp must be tuples or lists; found "
                        f"{type(primals).__name__} and {type(tangents).__name__}.")
    p_leaves, p_tree = tree_flatten(tuple(primals))
    t_leaves, t_tree = tree_flatten(tuple(tangents))
    if p_tree != t_tree:
        raise TypeError(f"primal and tangent arguments to jax.jvp must have the same tree structure; "
                        f"primals have tree structure {p_tree} whereas tangents have tree structure {t_tree}.")
    p_leaves = [_to_array(_check_arg(p, "jvp primal")) for p in p_leaves]
    ts = []
    for p, t in zip(p_leaves, t_leaves):
        pa = core.get_aval(p)
        inexact = dtypes.is_inexact(pa.dtype)
        if _is_float0(t):
            tshape, tdtype = tuple(t.shape), t.dtype
        else:
            t = _to_array(t)
            ta = core.get_aval(t)
            tshape, tdtype = ta.shape, ta.dtype
        if pa.shape != tshape:
            raise ValueError(f"jvp called with different primal and tangent shapes;Got primal shape "
                             f"{pa.shape} and tangent shape as {tshape}")
        want = pa.dtype if inexact else dtypes.float0
        if tdtype != want:
            raise TypeError(f"primal and tangent arguments to jax.jvp do not match; dtypes must be equal, "
                            f"or in case of int/bool primal dtype the tangent dtype must be float0. Got "
                            f"primal dtype {pa.dtype} and so expected tangent dtype {want}, but got "
                            f"tangent dtype {tdtype} instead.")
        ts.append(t if inexact else zero_of(p))
    aux_box = []

    def flat(*xs):
        out = fun(*tree_unflatten(p_tree, xs))
        if has_aux:
            out, aux = out
            aux_box.append(aux)
        leaves, tree = tree_flatten(out)
        aux_box.insert(0, tree)
        return [_to_array(o) for o in leaves]

    p_out, t_out = jvp_flat(flat, p_leaves, ts)
    out_tree = aux_box[0]
    t_out = [instantiate(t) if dtypes.is_inexact(core.get_aval(p).dtype) else _float0_zeros(p)
             for p, t in zip(p_out, t_out)]
    res = (tree_unflatten(out_tree, p_out), tree_unflatten(out_tree, t_out))
    if has_aux:
        return res + (aux_box[1],)
    return res


def linearize(fun, *primals, has_aux=False):
    p_leaves, p_tree = tree_flatten(primals)
    p_leaves = [_to_array(_check_arg(p)) for p in p_leaves]
    box = []

    def flat(*xs):
        out = fun(*tree_unflatten(p_tree, xs))
        if has_aux:
            out, aux = out
            box.append(aux)
        leaves, tree = tree_flatten(out)
        box.insert(0, tree)
        return [_to_array(o) for o in leaves]

    diff = [dtypes.is_inexact(core.get_aval(p).dtype) for p in p_leaves]
    p_out, graph, consts, _ = linearize_flat(flat, p_leaves, diff)
    out_tree = box[0]

    def f_jvp(*tangents):
        t_leaves, t_tree = tree_flatten(tangents)
        if t_tree != p_tree:
            raise TypeError(f"linearized function called with tangents of structure {t_tree}, expected {p_tree}")
        ts = [_to_array(t) for t, d in zip(t_leaves, diff) if d]
        return tree_unflatten(out_tree, eval_graph(graph, consts, ts))

    out = tree_unflatten(out_tree, p_out)
    return (out, f_jvp, box[1]) if has_aux else (out, f_jvp)


# ---- reverse mode -----------------------------------------------------------------------------
def vjp(fun, *primals, has_aux=False, reduce_axes=()):
    return _vjp(fun, primals, has_aux)


def _vjp(fun, primals, has_aux=False, consume=False):
    """vjp; with consume=True the pullback may run once and frees residuals as it goes (grad)."""
    p_leaves, p_tree = tree_flatten(primals)
    p_leaves = [_to_array(_check_arg(p, "vjp primal")) for p in p_leaves]
    box = []

    def flat(*xs):
        out = fun(*tree_unflatten(p_tree, xs))
        if has_aux:
            out, aux = out
            box.append(aux)
        leaves, tree = tree_flatten(out)
        box.insert(0, tree)
        return [_to_array(o) for o in leaves]

    diff = [dtypes.is_inexact(core.get_aval(p).dtype) for p in p_leaves]
    p_out, graph, consts, _ = linearize_flat(flat, p_leaves, diff)
    out_tree = box[0]
    out_avals = [core.get_aval(o) for o in p_out]
    held = [consts]
    del consts

    def vjp_fn(*cts):
        ct = cts[0] if len(cts) == 1 else cts
        ct_leaves, ct_tree = tree_flatten(ct)
        if ct_tree != out_tree:
            raise TypeError(f"Tree structure of cotangent input {ct_tree}, does not match structure of "
                            f"primal output {out_tree}.")
        for k, (c, a) in enumerate(zip(ct_leaves, out_avals)):
            if _is_float0(c):   # an integer output's cotangent: contributes nothing
                cshape, c = tuple(c.shape), instantiate(Zero(a.strip_weak_type()))
            else:
                c = _to_array(c)
                cshape = core.get_aval(c).shape
            if cshape != a.shape:
                raise ValueError(f"Shape of cotangent input to vjp pullback function {cshape} must be the "
                                 f"same as the shape of corresponding primal input {a.shape}.")
            ct_leaves[k] = c
        args = [UndefinedPrimal(v.aval) for v in graph.invars]
        if consume and not held:
            raise RuntimeError("this pullback frees its residuals and can run only once")
        consts = held.pop() if consume else held[0]
        res = iter(backward_pass(graph, consts, args, ct_leaves, consume=consume))
        out = []
        for p, d in zip(p_leaves, diff):
            if d:
                out.append(instantiate(next(res)))
            else:
                out.append(_float0_zeros(p))
        return tree_unflatten(p_tree, out)

    out = tree_unflatten(out_tree, p_out)
    return (out, vjp_fn, box[1]) if has_aux else (out, vjp_fn)


def _float0_zeros(p):
    """The tangent or cotangent of an integer or boolean value: a numpy array of dtype float0,
    as JAX gives (it carries no data and takes no part in further arithmetic)."""
    return np.zeros(core.get_aval(p).shape, dtype=dtypes.float0)


def _weak_like(primal, g):
    """A gradient is weakly typed exactly when its primal is (as JAX, whose promotion of a weak
    input inserts a convert that transposes back to weak)."""
    if _is_float0(g) or not isinstance(g, Array):
        return g
    ga = core.get_aval(g)
    if isinstance(primal, Array):
        weak = core.get_aval(primal).weak_type
    else:
        weak = type(primal) in (int, float, complex)
    if ga.weak_type == weak:
        return g
    from .lax import elementwise as E
    return E.convert_element_type_p.bind(g, new_dtype=ga.dtype, weak_type=weak)


def _is_float0(t):
    return isinstance(t, np.ndarray) and t.dtype == dtypes.float0


def _argnums_tuple(argnums, nargs, name="grad"):
    tup = isinstance(argnums, (tuple, list))
    nums = tuple(argnums) if tup else (argnums,)
    for a in nums:
        if not isinstance(a, int):
            raise TypeError(f"argnums must be an int or a tuple of ints, got {argnums!r}")
        if not -nargs <= a < nargs:
            raise TypeError(f"differentiating with respect to argnums={argnums} requires at least {a + 1 if a >= 0 else -a} "
                            f"positional arguments to be passed by the caller, but got only {nargs} positional "
                            "arguments.")   # JAX's TypeError
    return tuple(a % nargs for a in nums), tup


def _check_input_dtype(x, allow_int, name):
    for leaf in tree_leaves(x):
        aval = core.get_aval(_to_array(leaf))
        if dtypes.is_inexact(aval.dtype):
            continue
        if allow_int and (dtypes.is_int(aval.dtype) or aval.dtype == dtypes.bool_):
            continue
        raise TypeError(f"{name} requires real- or complex-valued inputs (input dtype that is a sub-dtype "
                        f"of np.inexact), but got {aval.dtype.name}. If you want to use Boolean- or "
                        f"integer-valued inputs, use vjp or set allow_int to True.")


def value_and_grad(fun, argnums=0, has_aux=False, holomorphic=False, allow_int=False, reduce_axes=()):
    @functools.wraps(fun)
    def vg(*args, **kwargs):
        nums, tup = _argnums_tuple(argnums, len(args), "value_and_grad")
        diff_args = tuple(args[i] for i in nums)
        for a in diff_args:
            _check_input_dtype(a, allow_int, "grad")

        def f_partial(*dargs):
            full = list(args)
            for i, d in zip(nums, dargs):
                full[i] = d
            return fun(*full, **kwargs)

        res = _vjp(f_partial, diff_args, has_aux=has_aux, consume=True)
        if has_aux:
            ans, pullback, aux = res
        else:
            ans, pullback = res
        leaves = tree_leaves(ans)
        if len(leaves) != 1:
            raise TypeError("Gradient only defined for scalar-output functions. Output was a pytree "
                            f"with {len(leaves)} leaves: {tree_structure(ans)}.")
        aval = core.get_aval(leaves[0])
        if aval.shape != ():
            raise TypeError(f"Gradient only defined for scalar-output functions. Output had shape: {aval.shape}.")
        if not dtypes.is_inexact(aval.dtype):
            raise TypeError(f"grad requires real-valued outputs (output dtype that is a sub-dtype of "
                            f"np.floating), but got {aval.dtype.name}. For holomorphic differentiation, "
                            f"pass holomorphic=True. For differentiation of non-holomorphic functions "
                            f"involving complex outputs, use jax.vjp directly.")
        from . import numpy as jnp
        g = pullback(jnp.ones_like(leaves[0]) if not aval.weak_type else
                     jnp.asarray(1.0, dtype=aval.dtype))
        g = tuple(tree_map(_weak_like, p, gp) for p, gp in zip(diff_args, g))
        g = g if tup else g[0]
        return ((ans, aux), g) if has_aux else (ans, g)
    return vg


def grad(fun, argnums=0, has_aux=False, holomorphic=False, allow_int=False, reduce_axes=()):
    vg = value_and_grad(fun, argnums, has_aux, holomorphic, allow_int)

    @functools.wraps(fun)
    def g(*args, **kwargs):
        if has_aux:
            (_, aux), gr = vg(*args, **kwargs)
            return gr, aux
        return vg(*args, **kwargs)[1]
    return g


def linear_transpose(fun, *primals, reduce_axes=()):
    p_leaves, p_tree = tree_flatten(primals)
    avals = [_abstractify(p) for p in p_leaves]
    box = []

    def flat(*xs):
        out = fun(*tree_unflatten(p_tree, xs))
        leaves, tree = tree_flatten(out)
        box.append(tree)
        return [_to_array(o) for o in leaves]

    graph, consts = trace_to_graph(flat, avals)

    def transposed(*cts):
        ct = cts[0] if len(cts) == 1 else cts
        ct_leaves, _ = tree_flatten(ct)
        res = backward_pass(graph, consts, [UndefinedPrimal(a) for a in avals], [_to_array(c) for c in ct_leaves])
        return tree_unflatten(p_tree, [instantiate(r) for r in res])
    return transposed


# ---- vmap -------------------------------------------------------------------------------------
_AXES_TYPE_MSG = ("vmap in_axes must be an int, None, or a tuple of entries corresponding to the "
                  "positional arguments passed to the function")


def _is_axis_spec(x):
    return x is None or type(x) is int


def _vmap_arg_names(fun, args, kwargs):
    """Describe each flat leaf of (args, kwargs) as JAX's vmap errors do ("argument x['k']")."""
    from .tree_util import tree_flatten_with_path, keystr
    try:
        params = list(inspect.signature(fun).bind(*args, **kwargs).signature.parameters)
    except (TypeError, ValueError):
        params = None
    names = []
    for path, _ in tree_flatten_with_path(args)[0]:
        i = path[0].idx
        if params is None or i >= len(params):
            names.append(f"args{keystr(path)}")
        else:
            names.append(f"argument {params[i]}{keystr(path[1:])}")
    for path, _ in tree_flatten_with_path(kwargs)[0]:
        names.append(f"kwargs{keystr(path)}")
    return names


def _vmap_size_error(fun, args, kwargs, leaves, dims, sizes, axis_size):
    import collections
    names = _vmap_arg_names(fun, args, kwargs)
    def type_str(x):
        a = core.get_aval(x)
        return f"{a.dtype.name}[{','.join(str(d) for d in a.shape)}]"
    described = [f"{n} of type {type_str(x)}" for n, x in zip(names, leaves)]
    counts = collections.Counter(s for s in sizes if s is not None).most_common()
    first = {}
    for i, s in enumerate(sizes):
        if s is not None:
            first.setdefault(s, i)
    msg = ["vmap got inconsistent sizes for array axes to be mapped:\n"]
    if axis_size is not None:
        msg.append(f"  * the `axis_size` argument was {axis_size};\n")
    for k, (sz, ct) in enumerate(counts):
        i = first[sz]
        if ct == 1:
            msg.append(f"  * one axis had size {sz}: axis {dims[i]} of {described[i]};\n")
        else:
            lead = "most" if k == 0 else "some"
            msg.append(f"  * {lead} axes ({ct} of them) had size {sz}, e.g. axis {dims[i]} of {described[i]};\n")
    return ValueError("".join(msg)[:-2])


def vmap(fun, in_axes=0, out_axes=0, axis_name=None, axis_size=None, spmd_axis_name=None):
    """Vectorizing map: fun mapped over the in_axes of its arguments, without a Python loop.

    in_axes/out_axes are ints (negative allowed), None (unmapped), or pytree prefixes of the
    arguments/outputs; keyword arguments are mapped over axis 0. axis_name binds a named axis
    for collectives (lax.psum, ...); axis_size gives the size when no argument is mapped."""
    if not callable(fun):
        raise TypeError(f"vmap requires a callable, got {fun!r}")
    if isinstance(in_axes, list):
        in_axes = tuple(in_axes)
    if not (in_axes is None or type(in_axes) in (int, tuple)):
        raise TypeError(f"{_AXES_TYPE_MSG}, but got {in_axes}.")
    if not all(_is_axis_spec(leaf) for leaf in tree_leaves(in_axes)):
        raise TypeError(f"vmap in_axes must be an int, None, or (nested) container with those types "
                        f"as leaves, but got {in_axes}.")
    if not all(_is_axis_spec(leaf) for leaf in tree_leaves(out_axes)):
        raise TypeError(f"vmap out_axes must be an int, None, or (nested) container with those types "
                        f"as leaves, but got {out_axes}.")
    if axis_size is not None:
        axis_size = operator.index(axis_size)

    @functools.wraps(fun)
    def batched(*args, **kwargs):
        if isinstance(in_axes, tuple) and len(in_axes) != len(args):
            raise ValueError(f"{_AXES_TYPE_MSG}, but got len(in_axes)={len(in_axes)}, len(args)={len(args)}")
        leaves, in_tree = tree_flatten((args, kwargs))
        try:
            dims = broadcast_prefix((in_axes, 0), tree_unflatten(in_tree, ["*"] * len(leaves)),
                                    is_leaf=lambda x: x is None)
        except ValueError as e:
            raise ValueError(f"vmap in_axes specification must be a tree prefix of the corresponding "
                             f"value; got specification {in_axes} for value tree "
                             f"{tree_structure(args)}. {e}") from None
        leaves = [_to_array(x) for x in leaves]
        norm, sizes = [], []
        for x, d in zip(leaves, dims):
            if d is None:
                norm.append(None)
                sizes.append(None)
                continue
            shape = core.get_aval(x).shape
            if not -len(shape) <= d < len(shape):
                raise ValueError(f"vmap was requested to map its argument along axis {d}, which implies "
                                 f"that its rank should be at least {d + 1 if d >= 0 else -d}, but is only "
                                 f"{len(shape)} (its shape is {shape})")
            norm.append(d % len(shape))
            sizes.append(shape[d])
        distinct = {s for s in sizes if s is not None}
        if axis_size is not None:
            distinct.add(axis_size)
        if len(distinct) > 1:
            raise _vmap_size_error(fun, args, kwargs, leaves, dims, sizes, axis_size)
        if not distinct:
            if not leaves:
                raise ValueError(f"vmap wrapped function must be passed at least one argument containing "
                                 f"an array or axis_size must be specified, got empty *args={args} and "
                                 f"**kwargs={kwargs}")
            raise ValueError("vmap must have at least one non-None value in in_axes or axis_size must "
                             "be specified")
        size = distinct.pop()
        box = []

        def flat(*xs):
            a, k = tree_unflatten(in_tree, xs)
            ol, ot = tree_flatten(fun(*a, **k))
            box.append(ot)
            return [_to_array(o) for o in ol]

        outs, odims = vmap_flat(flat, leaves, norm, size, axis_name)
        out_tree = box[0]
        try:
            want = broadcast_prefix(out_axes, tree_unflatten(out_tree, ["*"] * len(outs)),
                                    is_leaf=lambda x: x is None)
        except ValueError as e:
            raise ValueError(f"vmap out_axes specification must be a tree prefix of the corresponding "
                             f"value; got specification {out_axes} for value tree {out_tree}. {e}") from None
        res = []
        for i, (o, d, w) in enumerate(zip(outs, odims, want)):
            if w is None:
                if d is not None:
                    from .tree_util import tree_flatten_with_path, keystr
                    paths = tree_flatten_with_path(tree_unflatten(out_tree, list(range(len(outs)))))[0]
                    raise ValueError(f"at vmap out_axes{keystr(paths[i][0])}, got axis spec None but "
                                     f"output was batched on axis {d}")
                res.append(o)
                continue
            nd = core.get_aval(o).ndim + (1 if d is None else 0)
            if not -nd <= w < nd:
                raise ValueError(f"axis {w} is out of bounds for array of dimension {nd}")
            res.append(bdim_to(o, d, w % nd, size))
        return tree_unflatten(out_tree, res)
    return batched


# ---- jacobians --------------------------------------------------------------------------------
def _std_basis(leaves):
    """Identity basis over the flattened inputs: (N, *shape) per leaf, N = total size."""
    from . import numpy as jnp
    sizes = [core.get_aval(x).size for x in leaves]
    total = sum(sizes)
    dt = dtypes.promote_types(*[(core.get_aval(x).dtype, False) for x in leaves])[0] if leaves else dtypes.float32
    eye = jnp.eye(total, dtype=dt)
    out, start = [], 0
    for x, n in zip(leaves, sizes):
        blk = eye[:, start:start + n]
        out.append(jnp.reshape(blk, (total,) + core.get_aval(x).shape).astype(core.get_aval(x).dtype))
        start += n
    return out, total


def jacfwd(fun, argnums=0, has_aux=False, holomorphic=False):
    def jac(*args, **kwargs):
        nums, tup = _argnums_tuple(argnums, len(args), "jacfwd")
        dargs = tuple(args[i] for i in nums)
        _check_input_dtype(dargs, False, "jacfwd")
        leaves, tree = tree_flatten(dargs)
        leaves = [_to_array(x) for x in leaves]

        def f_partial(*dl):
            full = list(args)
            for i, d in zip(nums, tree_unflatten(tree, dl)):
                full[i] = d
            return fun(*full, **kwargs)

        basis, total = _std_basis(leaves)

        def push(*tangent):
            if has_aux:
                out, t_out, aux = jvp(f_partial, tuple(leaves), tuple(tangent), has_aux=True)
                return t_out, aux
            return jvp(f_partial, tuple(leaves), tuple(tangent))[1]

        res = vmap(push, out_axes=-1)(*basis) if not has_aux else vmap(push, out_axes=(-1, None))(*basis)
        if has_aux:
            res, aux = res
        # split the trailing basis axis per input leaf
        out = tree_map(lambda r: _split_last(r, leaves, tree, tup), res)
        return (out, f_partial(*leaves)[1]) if has_aux else out
    return jac


def _split_last(r, leaves, tree, tup):
    from . import numpy as jnp
    parts, start = [], 0
    shape = core.get_aval(r).shape[:-1]
    for x in leaves:
        n = core.get_aval(x).size
        parts.append(jnp.reshape(r[..., start:start + n], shape + core.get_aval(x).shape))
        start += n
    out = tree_unflatten(tree, parts)
    return out if tup else out[0]


def jacrev(fun, argnums=0, has_aux=False, holomorphic=False, allow_int=False):
    def jac(*args, **kwargs):
        nums, tup = _argnums_tuple(argnums, len(args), "jacrev")
        dargs = tuple(args[i] for i in nums)
        _check_input_dtype(dargs, allow_int, "jacrev")

        def f_partial(*da):
            full = list(args)
            for i, d in zip(nums, da):
                full[i] = d
            return fun(*full, **kwargs)

        res = vjp(f_partial, *dargs, has_aux=has_aux)
        if has_aux:
            y, pullback, aux = res
        else:
            y, pullback = res
        y_leaves, y_tree = tree_flatten(y)
        basis, total = _std_basis(y_leaves)
        cts = vmap(lambda *b: pullback(tree_unflatten(y_tree, b)))(*basis)
        # cts: tuple over dargs of trees with leading axis `total` -> reshape to y shape + x shape
        def per_y(i, yl):
            start = sum(core.get_aval(z).size for z in y_leaves[:i])
            n = core.get_aval(yl).size
            from . import numpy as jnp
            return tree_map(lambda c: jnp.reshape(c[start:start + n], core.get_aval(yl).shape + core.get_aval(c).shape[1:]), cts)
        per = [per_y(i, yl) for i, yl in enumerate(y_leaves)]
        # per[i] is a tuple over dargs; restructure to y_tree of (tuple over dargs)
        jac_tree = tree_unflatten(y_tree, [p if tup else p[0] for p in per])
        return (jac_tree, aux) if has_aux else jac_tree
    return jac


jacobian = jacrev


def hessian(fun, argnums=0, has_aux=False, holomorphic=False):
    return jacfwd(jacrev(fun, argnums, has_aux=has_aux), argnums, has_aux=has_aux)


# ---- devices ----------------------------------------------------------------------------------
def devices(backend=None):
    """All devices of the job (see jaxish.distributed: emulated CPU devices, torchrun processes)."""
    from .distributed import runtime
    return runtime.devices(backend)


def local_devices(process_index=None, backend=None):
    from .distributed import runtime
    return runtime.local_devices(process_index, backend)


def device_count(backend=None):
    return len(devices(backend))


def local_device_count(backend=None):
    from .distributed import runtime
    return runtime.local_device_count(backend)


def process_index(backend=None):
    from .distributed import runtime
    return runtime.process_index(backend)


def process_count(backend=None):
    from .distributed import runtime
    return runtime.process_count(backend)


def default_backend():
    from .config import default_device
    return "gpu" if default_device().type == "cuda" else "cpu"


def device_put(x, device=None, *, src=None, donate=False, may_alias=None):
    """Put x on a device (Device, torch.device or name) or lay it out by a Sharding."""
    from .distributed.arrays import device_put as put
    return put(x, device)


def block_until_ready(x):
    if type(x) is ArrayImpl:  # the common single-array case, without a tree walk
        if x._t.is_cuda:
            torch.cuda.synchronize(x._t.device)
        return x
    for leaf in tree_leaves(x):
        if hasattr(leaf, "block_until_ready"):
            leaf.block_until_ready()
    return x


def named_call(fun, *, name=None):
    return fun


def pure_callback(callback, result_shape_dtypes, *args, sharding=None, vmap_method=None, **kwargs):
    """jax.pure_callback (see jaxish/callback.py)."""
    from .callback import pure_callback as _pure_callback
    return _pure_callback(callback, result_shape_dtypes, *args, sharding=sharding, vmap_method=vmap_method,
                          **kwargs)


# ---- smaller pieces of JAX's top-level API ----------------------------------------------------
def device_get(x):
    """A pytree of arrays copied to the host as numpy arrays (other leaves pass through)."""
    def get(leaf):
        if isinstance(leaf, Array):
            return np.asarray(leaf)
        return leaf
    return tree_map(get, x)


def copy_to_host_async(x):
    """Start copying a pytree of arrays to the host (a no-op here: device_get copies when asked)."""
    return None


def typeof(x):
    """The abstract value (shape, dtype, weak type) of an array or scalar."""
    return core.get_aval(_to_array(x))


@contextlib.contextmanager
def named_scope(name):
    """Names the operations in the block (JAX uses it for profiler and HLO metadata; jaxish's
    graphs carry no such names, so it only checks its argument)."""
    if not isinstance(name, str):
        raise ValueError("named_scope name argument must be a string.")
    yield


class _CompileTimeEval(core.Trace):
    """Within ensure_compile_time_eval: operations on concrete values run now, eagerly, even
    while a function is being traced; operations on tracers go to the trace that was current."""

    def __init__(self, parent):
        self.parent = parent
        self.level = parent.level

    def process_primitive(self, prim, args, params):
        for a in args:
            if isinstance(a, core.Tracer):
                return self.parent.process_primitive(prim, args, params)
        return eager_trace.process_primitive(prim, args, params)


@contextlib.contextmanager
def ensure_compile_time_eval():
    """Evaluate operations on concrete values at trace time (jax.ensure_compile_time_eval): under
    jit, `jnp.sin(3.0)` in the block is a concrete array rather than a traced value."""
    cur = core.current_trace()
    with core.set_current_trace(_CompileTimeEval(cur)):
        yield


def clear_caches():
    """Drop every jitted function's traces and executables (on-disk kernel caches stay)."""
    from .jit import clear_caches as clear
    clear()
    from .runtime import executable
    executable._cache.clear()


def effects_barrier():
    """Wait until all dispatched device work is done."""
    if torch.cuda.is_available() and torch.cuda.is_initialized():
        torch.cuda.synchronize()


def print_environment_info(return_string=False):
    """Versions of jaxish and what it runs on."""
    import platform
    import sys
    from . import __version__
    lines = [f"jaxish:    {__version__}", f"torch:     {torch.__version__}", f"numpy:     {np.__version__}"]
    try:
        import triton
        lines.append(f"triton:    {triton.__version__}")
    except ImportError:
        lines.append("triton:    not installed")
    lines += [f"python:    {sys.version.split()[0]}", f"platform:  {platform.platform()}",
              f"backend:   {default_backend()}", f"devices:   {devices()}",
              f"processes: {process_count()}"]
    text = "\n".join(lines)
    if return_string:
        return text
    print(text)


def host_count(backend=None):
    return process_count(backend)


def host_id(backend=None):
    return process_index(backend)


def process_indices(backend=None):
    return list(range(process_count(backend)))


host_ids = process_indices


@contextlib.contextmanager
def default_device(device):
    """Within the block, arrays made from nothing (zeros, arange, keys) live on `device` (a
    Device, torch.device or name such as "cpu"); None restores the automatic choice."""
    from .config import _default_device as current, use_default_device
    saved = list(current)
    use_default_device(device)
    try:
        yield
    finally:
        current[:] = saved


__all__ += ["device_get", "copy_to_host_async", "typeof", "named_scope", "ensure_compile_time_eval", "clear_caches",
            "effects_barrier", "print_environment_info", "host_count", "host_id", "host_ids",
            "process_indices", "default_device"]
