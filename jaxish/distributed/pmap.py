"""pmap: SPMD over devices.

One process: pmap(f) is jit(vmap(f, axis_name)) over the device axis (the same semantics, the
collectives become reductions over that axis), and the results know they are sharded over it.
Several processes (torch.distributed): each process runs f once per call on its own slice of
the mapped axis, compiled once through jit; the collectives in it run on the process group."""
import functools

from .. import tree_util
from ..array import Array, ArrayImpl
from ..interpreters import core
from ..interpreters.eager import eager_trace
from . import runtime
from .sharding import Mesh, NamedSharding, PartitionSpec, ShardedArray

_PMAP_AXIS = "_pmap_axis"


def pmap(fun, axis_name=None, *, in_axes=0, out_axes=0, static_broadcasted_argnums=(), devices=None,
         backend=None, axis_size=None, donate_argnums=(), global_arg_shapes=None):
    if not callable(fun):
        raise TypeError(f"pmap requires a callable, got {fun!r}")
    if isinstance(static_broadcasted_argnums, int):
        static_broadcasted_argnums = (static_broadcasted_argnums,)
    if isinstance(in_axes, list):
        in_axes = tuple(in_axes)
    return PmapFunction(fun, axis_name, in_axes, out_axes, tuple(static_broadcasted_argnums), devices,
                        axis_size)


class PmapFunction:
    def __init__(self, fun, axis_name, in_axes, out_axes, static_argnums, devices, axis_size):
        self.fun = fun
        functools.update_wrapper(self, fun)
        self.axis_name = axis_name
        self.in_axes = in_axes
        self.out_axes = out_axes
        self.static_argnums = static_argnums
        self.devices = list(devices) if devices is not None else None
        self.axis_size = axis_size
        self._compiled = {}

    # ---- argument handling ----
    def _split(self, args):
        nargs = len(args)
        statics = []
        for i in self.static_argnums:
            j = i % nargs if -nargs <= i < nargs else None
            if j is None:
                raise ValueError(f"pmapped function has static_broadcasted_argnums={self.static_argnums} but "
                                 f"was called with only {nargs} positional argument(s)")
            try:
                hash(args[j])
            except TypeError:
                raise ValueError(f"Non-hashable static arguments are not supported. An error occurred while "
                                 f"trying to hash an object of type {type(args[j])}, {args[j]!r}.") from None
            statics.append((j, args[j]))
        statics.sort()
        static_pos = {j for j, _ in statics}
        dyn = tuple(a for i, a in enumerate(args) if i not in static_pos)
        in_axes = self.in_axes
        if isinstance(in_axes, tuple):
            if len(in_axes) == nargs and static_pos:
                in_axes = tuple(a for i, a in enumerate(in_axes) if i not in static_pos)
            if len(in_axes) != len(dyn):
                raise ValueError(f"pmap in_axes must be an int, None, or a tuple of entries corresponding to "
                                 f"the positional arguments passed to the function, but got "
                                 f"len(in_axes)={len(in_axes)}, len(args)={len(dyn)}")
        else:
            in_axes = (in_axes,) * len(dyn)
        return dyn, tuple(statics), in_axes

    def _flat_dims(self, dyn, kwargs, in_axes):
        try:
            dims = tree_util.broadcast_prefix((in_axes, {k: 0 for k in kwargs}), (dyn, kwargs),
                                              is_leaf=lambda x: x is None)
        except ValueError as e:
            raise ValueError(f"pmap in_axes specification must be a tree prefix of the corresponding value, "
                             f"got specification {in_axes} for value tree "
                             f"{tree_util.tree_structure(dyn)}. ({e})") from None
        leaves, in_tree = tree_util.tree_flatten((dyn, kwargs))
        from ..api import _to_array
        leaves = [x if isinstance(x, Array) else _to_array(x) for x in leaves]
        norm = []
        for i, (x, d) in enumerate(zip(leaves, dims)):
            if d is None:
                norm.append(None)
                continue
            if not isinstance(d, int):
                raise TypeError(f"pmap in_axes must be an int, None, or (nested) container with those types "
                                f"as leaves, but got {d!r}")
            nd = len(x.shape)
            if not -nd <= d < nd:
                raise ValueError(f"pmap was requested to map its argument along axis {d}, which implies that "
                                 f"its rank should be at least {d + 1 if d >= 0 else -d}, but is only {nd} "
                                 f"(its shape is {tuple(x.shape)})")
            norm.append(d % nd)
        sizes = {x.shape[d] for x, d in zip(leaves, norm) if d is not None}
        if self.axis_size is not None:
            sizes.add(self.axis_size)
        if len(sizes) > 1:
            lines = [f"  argument {i} of shape {tuple(x.shape)} has axis {d} of size {x.shape[d]}"
                     for i, (x, d) in enumerate(zip(leaves, norm)) if d is not None]
            raise ValueError("pmap got inconsistent sizes for array axes to be mapped:\n" + "\n".join(lines))
        if not sizes:
            raise ValueError("pmap requires at least one argument with a mapped axis.")
        return leaves, in_tree, tuple(norm), sizes.pop()

    def _target_devices(self, n, multi):
        if self.devices is not None:
            if len(self.devices) != n:
                raise ValueError(f"Leading axis size of input to pmapped function must equal the number of "
                                 f"devices passed to pmap. Got axis_size={n}, num_devices={len(self.devices)}.")
            return self.devices
        local = runtime.local_devices()
        if multi:
            if n != len(local):
                raise ValueError(
                    f"pmap across {runtime.process_count()} processes maps each process's own slice: the mapped "
                    f"axis must have the local device count {len(local)} (jaxish.local_device_count()), got {n}")
            return local
        if n > len(local):
            raise ValueError(f"compiling computation that requires {n} logical devices, but only {len(local)} "
                             f"devices are available (num_replicas={n}); set JAXISH_NUM_CPU_DEVICES to "
                             f"emulate more CPU devices")
        return local[:n]

    def _user_fn(self, in_tree, statics):
        fun = self.fun

        def g(*leaves):
            dyn, kwargs = tree_util.tree_unflatten(in_tree, leaves)
            full = list(dyn)
            for i, v in statics:
                full.insert(i, v)
            return fun(*full, **kwargs)
        return g

    # ---- call ----
    def __call__(self, *args, **kwargs):
        dyn, statics, in_axes = self._split(args)
        leaves, in_tree, dims, n = self._flat_dims(dyn, kwargs, in_axes)
        multi = runtime.multi_process()
        devs = self._target_devices(n, multi)
        key = (in_tree, dims, statics, n, multi)
        fn = self._compiled.get(key)
        if fn is None:
            fn = self._compiled[key] = (self._build_multi if multi else self._build_single)(in_tree, statics,
                                                                                               dims, n)
        out = fn(*leaves)
        return self._annotate(out, devs)

    def _build_single(self, in_tree, statics, dims, n):
        from ..api import vmap
        from ..jit import jit
        vm = vmap(self._user_fn(in_tree, statics), in_axes=dims, out_axes=self.out_axes,
                  axis_name=self.axis_name, axis_size=n)
        jitted = jit(vm)

        def run(*leaves):
            if core.state.trace is not eager_trace:
                return vm(*leaves)  # pmap inside another transformation: stage/transform the vmap
            return jitted(*leaves)
        return run

    def _build_multi(self, in_tree, statics, dims, n):
        from ..jit import jit
        from ..lax.shape import squeeze_p, broadcast_in_dim_p
        from .lowering import axis_env, world_axis, staged
        g = self._user_fn(in_tree, statics)
        jitted = jit(g)
        axis_name = self.axis_name
        out_axes = self.out_axes

        def run(*leaves):
            local = [x if d is None else squeeze_p.bind(x, dimensions=(d,)) for x, d in zip(leaves, dims)]
            env = {axis_name: world_axis(axis_name)} if axis_name is not None else {}
            with axis_env(env), staged():
                out = jitted(*local)
            want = _out_dims(out_axes, out)
            ol, ot = tree_util.tree_flatten(out)
            res = []
            for o, w in zip(ol, want):
                if w is None:
                    res.append(o)
                    continue
                shape = tuple(o.shape)
                w = w % (len(shape) + 1)
                new = shape[:w] + (1,) + shape[w:]
                bd = tuple(i for i in range(len(new)) if i != w)
                res.append(broadcast_in_dim_p.bind(o, shape=new, broadcast_dimensions=bd))
            return tree_util.tree_unflatten(ot, res)
        return run

    def _annotate(self, out, devs):
        """Concrete results become ShardedArrays laid out over the mapped axis."""
        want = _out_dims(self.out_axes, out)
        leaves, tree = tree_util.tree_flatten(out)
        name = str(self.axis_name) if self.axis_name is not None else _PMAP_AXIS
        mesh = Mesh(devs, (name,))
        res = []
        for o, w in zip(leaves, want):
            if type(o) is not ArrayImpl:
                res.append(o)
                continue
            if w is None:
                spec = PartitionSpec()
            else:
                w = w % o.ndim
                spec = PartitionSpec(*([None] * w + [name]))
            res.append(ShardedArray(o._t, o._weak, NamedSharding(mesh, spec)))
        return tree_util.tree_unflatten(tree, res)

    def lower(self, *args, **kwargs):
        raise NotImplementedError("pmap(...).lower is not supported; use jit(vmap(f, axis_name=...)).lower")


def _out_dims(out_axes, out):
    try:
        return tree_util.broadcast_prefix(out_axes, out, is_leaf=lambda x: x is None)
    except ValueError as e:
        raise ValueError(f"pmap out_axes specification must be a tree prefix of the corresponding value, got "
                         f"specification {out_axes} for value tree {tree_util.tree_structure(out)}. ({e})") from None
