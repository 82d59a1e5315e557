"""vmap: the batch trace carries (value, batch_dim); each primitive's `batch` rule maps
(args, dims) -> (out, out_dim) without looping. Named axes let collectives find their trace."""
import threading
import weakref

from . import core

not_mapped = None


class BatchTracer(core.Tracer):
    __slots__ = ("val", "bdim")

    def __init__(self, trace, val, bdim):
        self._trace = trace
        self.val = val
        self.bdim = bdim

    @property
    def aval(self):
        a = core.get_aval(self.val)
        if self.bdim is None:
            return a
        shape = a.shape[:self.bdim] + a.shape[self.bdim + 1:]
        return a.update(shape=shape)


class BatchTrace(core.Trace):
    def __init__(self, axis_size, axis_name=None, parent=None):
        self.parent = parent if parent is not None else core.current_trace()
        self.level = self.parent.level + 1
        self.axis_size = axis_size
        self.axis_name = axis_name

    def unpack(self, x):
        if isinstance(x, BatchTracer) and x._trace is self:
            return x.val, x.bdim
        if isinstance(x, core.Tracer):
            core.check_alive(x)
        return x, None

    def process_primitive(self, prim, args, params):
        vals, dims = [], []
        for a in args:
            v, d = self.unpack(a)
            vals.append(v)
            dims.append(d)
        if prim.is_collective:
            return prim.batch_collective(self, vals, dims, params)
        if all(d is None for d in dims) and not (
                self.axis_name is not None and _subgraphs_use_axis(params, self.axis_name)):
            with core.set_current_trace(self.parent):
                return prim.bind(*vals, **params)
        if prim.batch is None:
            raise prim.missing_rule("vmap (batching)")
        prev = _ambient.axis
        _ambient.axis = (self.axis_name, self.axis_size)
        try:
            with core.set_current_trace(self.parent):
                if getattr(prim, "batch_needs_axis", False):
                    out, out_dim = prim.batch(vals, dims, axis_size=self.axis_size,
                                              axis_name=self.axis_name, **params)
                elif getattr(prim, "batch_needs_size", False):
                    out, out_dim = prim.batch(vals, dims, axis_size=self.axis_size, **params)
                else:
                    out, out_dim = prim.batch(vals, dims, **params)
        finally:
            _ambient.axis = prev
        if prim.multiple_results:
            return [self.wrap(o, d) for o, d in zip(out, out_dim)]
        return self.wrap(out, out_dim)

    def wrap(self, v, d):
        if d is None:
            return v
        return BatchTracer(self, v, d)


class _Ambient(threading.local):
    axis = (None, None)


_ambient = _Ambient()


def current_batch_axis():
    """(axis_name, axis_size) of the vmap whose batching rule is running, else (None, None).
    batch_graph reads it, so collectives in the sub-graphs of cond/scan/while see their axis."""
    return _ambient.axis


def collective_axis_names(params):
    """The named axes a collective equation reduces over (psum/pmax/pmin: `axes`, else `axis_name`)."""
    names = params.get("axes", params.get("axis_name", ()))
    return names if isinstance(names, tuple) else (names,)


_axis_names_cache = weakref.WeakKeyDictionary()


def _graph_axis_names(graph):
    hit = _axis_names_cache.get(graph)
    if hit is None:
        from ..ir.graph import subgraphs_of
        names = set()
        for eqn in graph.eqns:
            if eqn.primitive.is_collective:
                names.update(collective_axis_names(eqn.params))
            for g in subgraphs_of(eqn.params):
                names |= _graph_axis_names(g)
        hit = _axis_names_cache[graph] = frozenset(names)
    return hit


def _subgraphs_use_axis(params, name):
    """Whether a higher-order primitive's sub-graphs hold a collective over axis `name` (then
    it must be batched even with no batched operand: psum of an unbatched value is n * x)."""
    from ..ir.graph import subgraphs_of
    return any(name in _graph_axis_names(g) for g in subgraphs_of(params))


# ---- helpers for rules (they run on the parent trace) -----------------------------------------
def moveaxis(x, src, dst):
    """Move axis src of x to dst (both non-negative or negative), via lax.transpose."""
    from ..lax import shape as S
    nd = core.get_aval(x).ndim
    src, dst = src % nd, dst % nd
    if src == dst:
        return x
    perm = [i for i in range(nd) if i != src]
    perm.insert(dst, src)
    return S.transpose_p.bind(x, permutation=tuple(perm))


def bdim_to_front(x, d, size):
    """x with its batch dim at 0; an unbatched x is broadcast (no copy in eager torch)."""
    from ..lax import shape as S
    if d is None:
        a = core.get_aval(x)
        return S.broadcast_in_dim_p.bind(x, shape=(size,) + a.shape,
                                         broadcast_dimensions=tuple(range(1, a.ndim + 1)))
    return moveaxis(x, d, 0)


def bdim_to(x, d, dst, size):
    from ..lax import shape as S
    if d is None:
        a = core.get_aval(x)
        shape = list(a.shape)
        shape.insert(dst, size)
        bd = tuple(i for i in range(len(shape)) if i != dst)
        return S.broadcast_in_dim_p.bind(x, shape=tuple(shape), broadcast_dimensions=bd)
    return moveaxis(x, d, dst)


def batch_elementwise(prim):
    """Batch rule for broadcasting elementwise primitives: batch dims go to the front and every
    batched operand gets rank out_rank+1 (size-1 axes where it had none)."""
    from ..lax import shape as S

    def rule(vals, dims, **params):
        ranks = [core.get_aval(v).ndim - (0 if d is None else 1) for v, d in zip(vals, dims)]
        shapes = [tuple(n for i, n in enumerate(core.get_aval(v).shape) if i != d) for v, d in zip(vals, dims)]
        if len(set(shapes)) > 1:  # report incompatible shapes per example, as JAX does
            from ..lax.elementwise import broadcast_shapes
            broadcast_shapes(prim.name, *shapes)
        r = max(ranks)
        new = []
        for v, d, k in zip(vals, dims, ranks):
            if d is None:
                new.append(v)  # broadcasting aligns it from the right
                continue
            v = moveaxis(v, d, 0)
            if k < r:
                shp = core.get_aval(v).shape
                v = S.reshape_p.bind(v, new_sizes=(shp[0],) + (1,) * (r - k) + shp[1:], dimensions=None)
            new.append(v)
        return prim.bind(*new, **params), 0
    prim.batch = rule
    return rule


def vmap_flat(fn, args, in_dims, axis_size, axis_name=None):
    """Run fn with args batched along in_dims -> (outs, out_dims)."""
    trace = BatchTrace(axis_size, axis_name)
    ins = [BatchTracer(trace, a, d) if d is not None else a for a, d in zip(args, in_dims)]
    try:
        with core.set_current_trace(trace):
            if axis_name is None:
                outs = fn(*ins)
            else:
                with core.extend_axis_env(axis_name, axis_size):
                    outs = fn(*ins)
        res, dims = [], []
        for o in outs:
            v, d = trace.unpack(o)
            res.append(v)
            dims.append(d)
        return res, dims
    finally:
        trace.invalidate()
