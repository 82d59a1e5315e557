"""jit(f, in_shardings=, out_shardings=): f is written on global arrays; the shardings say how
arguments and results are laid out over the devices.

One process: f runs as an ordinary jit on the whole values (emulated devices share the host,
so the layout changes nothing but the result's `.sharding`). Several processes: arguments are
gathered to whole values, f runs replicated on every process (compiled once per process), and
each process keeps its block of the results: correct for any f, though not memory-scalable —
write the per-device program with shard_map or pmap for that."""
import functools

from .. import tree_util
from ..array import ArrayImpl
from ..interpreters import core
from ..interpreters.eager import eager_trace
from . import runtime
from .sharding import (Sharding, NamedSharding, PartitionSpec, GlobalArray, current_mesh,
                       global_value, put_with_sharding)


def _is_sharding_leaf(x):
    return x is None or isinstance(x, (Sharding, PartitionSpec))


def _resolve(s):
    if isinstance(s, PartitionSpec):
        mesh = current_mesh()
        if mesh is None:
            raise ValueError(f"a PartitionSpec ({s}) as a sharding needs a mesh: use NamedSharding(mesh, spec) "
                             f"or call inside `with mesh:`")
        return NamedSharding(mesh, s)
    if s is not None and not isinstance(s, Sharding):
        raise TypeError(f"shardings must be Sharding objects, PartitionSpecs or None, got {s!r}")
    return s


class ShardedJit:
    def __init__(self, jitted, in_shardings, out_shardings):
        self.jitted = jitted
        functools.update_wrapper(self, jitted.fun)
        self.in_shardings = in_shardings
        self.out_shardings = out_shardings

    def _flat_in(self, args):
        if self.in_shardings is None:
            return None
        ins = self.in_shardings
        if isinstance(ins, (Sharding, PartitionSpec)):
            ins = (ins,) * len(args)
        elif isinstance(ins, list):
            ins = tuple(ins)
        if len(ins) != len(args):
            raise ValueError(f"jit in_shardings has {len(ins)} entries but the function was called with "
                             f"{len(args)} positional arguments")
        try:
            return [_resolve(s) for s in tree_util.broadcast_prefix(ins, tuple(args), is_leaf=_is_sharding_leaf)]
        except ValueError as e:
            raise ValueError(f"jit in_shardings must be a tree prefix of the arguments ({e})") from None

    def __call__(self, *args, **kwargs):
        dyn = [a for i, a in enumerate(args) if i not in self.jitted.static_argnums]
        flat_sh = self._flat_in(dyn)
        leaves, _ = tree_util.tree_flatten(tuple(dyn))
        multi = runtime.multi_process()
        if flat_sh is not None:
            for x, s in zip(leaves, flat_sh):
                if s is not None and hasattr(x, "shape"):
                    if isinstance(s, NamedSharding):
                        s.shard_shape(tuple(x.shape))
        if multi or any(isinstance(x, GlobalArray) for x in leaves):
            args = tree_util.tree_map(lambda x: ArrayImpl(global_value(x), x.weak_type)
                                      if isinstance(x, GlobalArray) else x, args)
        out = self.jitted(*args, **kwargs)
        if core.state.trace is not eager_trace or self.out_shardings is None:
            return out
        try:
            flat_out = tree_util.broadcast_prefix(self.out_shardings, out, is_leaf=_is_sharding_leaf)
        except ValueError as e:
            raise ValueError(f"jit out_shardings must be a tree prefix of the outputs ({e})") from None
        leaves, tree = tree_util.tree_flatten(out)
        res = [o if s is None else put_with_sharding(o, _resolve(s)) for o, s in zip(leaves, flat_out)]
        return tree_util.tree_unflatten(tree, res)

    def lower(self, *args, **kwargs):
        return self.jitted.lower(*args, **kwargs)

    def __getattr__(self, name):
        return getattr(self.jitted, name)


def with_sharding_constraint(x, shardings):
    """Semantically the identity; on concrete values it lays them out as asked."""
    def one(v, s):
        if s is None or isinstance(v, core.Tracer):
            return v
        return put_with_sharding(v, _resolve(s))
    try:
        flat = tree_util.broadcast_prefix(shardings, x, is_leaf=_is_sharding_leaf)
    except ValueError as e:
        raise ValueError(f"with_sharding_constraint: shardings must be a tree prefix of x ({e})") from None
    leaves, tree = tree_util.tree_flatten(x)
    return tree_util.tree_unflatten(tree, [one(v, s) for v, s in zip(leaves, flat)])
