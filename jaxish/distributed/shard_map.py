"""shard_map: run a per-block function over the devices of a mesh.

One process: the mesh axes become nested named vmaps over the blocks (so the collectives are
vmap's), the whole thing compiled by jit. Several processes: each runs the function on the
block of its own device, with each mesh axis bound to the processes along it."""
import functools
import math

from .. import tree_util
from ..array import Array, ArrayImpl
from ..interpreters import core
from ..interpreters.eager import eager_trace
from . import runtime
from .sharding import (Mesh, NamedSharding, PartitionSpec, GlobalArray, ShardedArray, current_mesh,
                       _axes_of, local_block)


def _is_spec(x):
    return x is None or isinstance(x, PartitionSpec)


def shard_map(f=None, /, *, out_specs, in_specs=None, mesh=None, axis_names=frozenset(), check_vma=True,
              check_rep=None, auto=frozenset()):
    if f is None:
        return lambda g: shard_map(g, out_specs=out_specs, in_specs=in_specs, mesh=mesh, axis_names=axis_names,
                                   check_vma=check_vma, check_rep=check_rep)
    if not callable(f):
        raise TypeError(f"shard_map requires a callable, got {f!r}")
    check = check_vma if check_rep is None else check_rep

    @functools.wraps(f)
    def wrapped(*args):
        m = mesh if mesh is not None else current_mesh()
        if m is None:
            raise ValueError("shard_map requires a mesh: pass mesh= or call it inside `with mesh:`")
        if not isinstance(m, Mesh):
            raise TypeError(f"shard_map mesh must be a Mesh, got {type(m).__name__}")
        specs = in_specs
        if specs is None:
            raise ValueError("shard_map in_specs must be given (inferring them from arguments is not supported)")
        return _ShardMapCall(f, m, specs, out_specs, check)(args)
    return wrapped


class _ShardMapCall:
    def __init__(self, f, mesh, in_specs, out_specs, check):
        self.f, self.mesh, self.in_specs, self.out_specs, self.check = f, mesh, in_specs, out_specs, check

    def _flat_specs(self, args):
        specs = self.in_specs
        if isinstance(specs, PartitionSpec) or specs is None:
            specs = (specs,) * len(args)
        try:
            flat = tree_util.broadcast_prefix(tuple(specs), tuple(args), is_leaf=_is_spec)
        except ValueError as e:
            raise ValueError(f"shard_map in_specs must be a tree prefix of the arguments: got in_specs "
                             f"{self.in_specs} for arguments of structure {tree_util.tree_structure(args)}. "
                             f"({e})") from None
        return [PartitionSpec() if s is None else s for s in flat]

    def _check_spec(self, spec, shape, what):
        sizes = self.mesh.shape
        if len(spec) > len(shape):
            raise ValueError(f"shard_map {what} spec {spec} has more entries than the array's rank "
                             f"{len(shape)} (shape {shape})")
        for i, e in enumerate(spec):
            for a in _axes_of(e):
                if a not in sizes:
                    raise ValueError(f"shard_map {what} spec {spec} names axis {a!r}, which is not in the mesh "
                                     f"{self.mesh}")
            k = math.prod(sizes[a] for a in _axes_of(e))
            if shape[i] % k:
                raise ValueError(f"shard_map {what} spec {spec} splits array axis {i} of size {shape[i]} "
                                 f"into {k} blocks, which does not divide it (shape {shape})")

    def __call__(self, args):
        specs = self._flat_specs(args)
        leaves, in_tree = tree_util.tree_flatten(tuple(args))
        from ..api import _to_array
        leaves = [x if isinstance(x, Array) else _to_array(x) for x in leaves]
        for x, s in zip(leaves, specs):
            self._check_spec(s, tuple(x.shape), "in_specs")
        multi = runtime.multi_process() and self.mesh.is_multi_process
        if multi:
            return self._call_multi(leaves, in_tree, specs)
        return self._call_single(leaves, in_tree, specs)

    # ---- one process: nested named vmaps over the blocks ----
    def _call_single(self, leaves, in_tree, specs):
        from ..api import vmap
        from ..jit import jit
        from .. import numpy as jnp
        mesh, names = self.mesh, self.mesh.axis_names
        sizes = mesh.shape
        out_box = []
        f = self.f

        def body(*local):
            out = f(*tree_util.tree_unflatten(in_tree, local))
            ol, ot = tree_util.tree_flatten(out)
            out_box.append(ot)
            ol = [o if isinstance(o, Array) else jnp.asarray(o) for o in ol]
            if self.check:
                for j, (o, s) in enumerate(zip(ol, self._flat_out_specs(ot))):
                    keep = {a for e in s for a in _axes_of(e)}
                    for a in names:
                        if a not in keep and _varies_over(o, a):
                            raise ValueError(
                                f"shard_map applied to the function '{getattr(f, '__name__', f)}' was given "
                                f"out_specs which require replication which can't be statically inferred given "
                                f"the mesh: out_specs leaf {j} is {s}, which implies the output is replicated "
                                f"across mesh axis {a!r}, but it varies over it. Reduce it over {a!r} (e.g. "
                                f"lax.psum), name {a!r} in out_specs, or pass check_vma=False.")
            return ol

        def to_blocks(x, spec):
            """(mesh sizes of the axes spec uses, in mesh order) + block shape."""
            shape = tuple(x.shape)
            split, order = [], []
            for i, n in enumerate(shape):
                axes = _axes_of(spec[i]) if i < len(spec) else ()
                for a in axes:
                    order.append((names.index(a), len(split)))
                    split.append(sizes[a])
                k = math.prod(sizes[a] for a in axes)
                split.append(n // k)
            y = jnp.reshape(x, tuple(split)) if split else x
            mesh_dims = [pos for _, pos in sorted(order)]
            rest = [i for i in range(len(split)) if i not in mesh_dims]
            return jnp.transpose(y, mesh_dims + rest) if mesh_dims else y

        def run(*ls):
            blocks = [to_blocks(x, s) for x, s in zip(ls, specs)]
            used = [{a for e in s for a in _axes_of(e)} for s in specs]
            fn = body
            for k in reversed(range(len(names))):
                fn = vmap(fn, in_axes=tuple(0 if names[k] in u else None for u in used),
                          out_axes=0, axis_name=names[k])
            outs = fn(*blocks)
            out_tree = out_box[-1]
            out_specs = self._flat_out_specs(out_tree)
            res = []
            for o, s in zip(outs, out_specs):
                res.append(from_blocks(o, s))
            return tree_util.tree_unflatten(out_tree, res)

        def from_blocks(o, spec):
            """o: (mesh sizes...) + block -> global array by spec; unnamed axes keep replica 0."""
            m = len(names)
            bshape = tuple(o.shape)[m:]
            self._check_spec_rank(spec, bshape)
            keep = {a for e in spec for a in _axes_of(e)}
            idx = tuple(slice(None) if a in keep else 0 for a in names)
            y = o[idx] if any(i == 0 for i in idx) else o
            kept = [a for a in names if a in keep]
            perm, new_shape = [], []
            nm = len(kept)
            for i, b in enumerate(bshape):
                axes = _axes_of(spec[i]) if i < len(spec) else ()
                for a in axes:
                    perm.append(kept.index(a))
                perm.append(nm + i)
                new_shape.append(b * math.prod(sizes[a] for a in axes))
            if nm:
                y = jnp.transpose(y, perm)
            return jnp.reshape(y, tuple(new_shape))

        key = (in_tree, tuple(specs), tuple(tuple(x.shape) for x in leaves))
        if core.state.trace is not eager_trace:
            return run(*leaves)
        jitted = _jit_cache.get((self.f, mesh, key, repr(self.out_specs)))
        if jitted is None:
            jitted = jit(run)
            if len(_jit_cache) > 64:
                _jit_cache.clear()
            _jit_cache[(self.f, mesh, key, repr(self.out_specs))] = jitted
        out = jitted(*leaves)
        ol, ot = tree_util.tree_flatten(out)
        specs_out = self._flat_out_specs(ot)
        res = [ShardedArray(o._t, o._weak, NamedSharding(mesh, s)) if type(o) is ArrayImpl else o
               for o, s in zip(ol, specs_out)]
        return tree_util.tree_unflatten(ot, res)

    def _check_spec_rank(self, spec, shape):
        if len(spec) > len(shape):
            raise ValueError(f"shard_map out_specs {spec} has more entries than the output's rank "
                             f"{len(shape)} (block shape {shape})")

    def _flat_out_specs(self, out_tree):
        dummy = tree_util.tree_unflatten(out_tree, [0] * out_tree.num_leaves)
        try:
            flat = tree_util.broadcast_prefix(self.out_specs, dummy, is_leaf=_is_spec)
        except ValueError as e:
            raise ValueError(f"shard_map out_specs must be a tree prefix of the function's outputs: got "
                             f"{self.out_specs} for outputs of structure {out_tree}. ({e})") from None
        return [PartitionSpec() if s is None else s for s in flat]

    # ---- several processes: this process's block, mesh axes bound to process groups ----
    def _call_multi(self, leaves, in_tree, specs):
        from .lowering import axis_env, mesh_axes, staged
        from ..jit import jit
        mesh = self.mesh
        me = runtime.local_devices()[0]
        local = []
        for x, s in zip(leaves, specs):
            sh = NamedSharding(mesh, s)
            if isinstance(x, GlobalArray) and x.sharding == sh:
                local.append(ArrayImpl(x._local, x._weak))
                continue
            from .sharding import global_value
            t = global_value(x)
            local.append(ArrayImpl(local_block(t, sh, me).contiguous(), getattr(x, "_weak", False)))
        key = (self.f, mesh, in_tree, tuple(specs))
        hit = _jit_cache.get(key)
        if hit is None:
            f, box = self.f, []

            def body(*ls):
                out = f(*tree_util.tree_unflatten(in_tree, ls))
                ol, ot = tree_util.tree_flatten(out)
                box[:] = [ot]
                return ol
            hit = _jit_cache[key] = (jit(body), box)
        jitted, box = hit
        with axis_env(mesh_axes(mesh)), staged():
            outs = jitted(*local)
        out_tree = box[0]
        specs_out = self._flat_out_specs(out_tree)
        res = []
        for o, s in zip(outs, specs_out):
            sh = NamedSharding(mesh, s)
            block = tuple(o.shape)
            self._check_spec_rank(s, block)
            gshape = tuple(b * k for b, k in zip(block, sh.dim_partitions(len(block))))
            if sh.is_fully_replicated:
                res.append(ShardedArray(o._t, o._weak, sh))
            else:
                res.append(GlobalArray(o._t, gshape, o._weak, sh))
        return tree_util.tree_unflatten(out_tree, res)


_jit_cache = {}


def _varies_over(x, name):
    """Whether traced value x is batched along the vmap axis called `name`."""
    from ..interpreters.batching import BatchTracer
    while isinstance(x, BatchTracer):
        if x._trace.axis_name == name:
            return x.bdim is not None
        x = x.val
    return False
