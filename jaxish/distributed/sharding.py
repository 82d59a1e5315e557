"""Mesh, PartitionSpec, NamedSharding and the arrays that carry them.

One process (emulated CPU devices or local GPUs): a sharded array keeps its whole value in one
torch tensor and knows how it is laid out (`ShardedArray`, an ArrayImpl). Several processes:
each keeps only the block of its own device (`GlobalArray`); `np.asarray` gathers the blocks,
which is a collective every process must call."""
import collections
import math
import threading

import numpy as np
import torch

from ..array import Array, ArrayImpl
from ..ir.avals import ShapedArray
from .. import dtypes
from . import runtime


# ---- PartitionSpec ------------------------------------------------------------------------------
class PartitionSpec(tuple):
    """Per array dimension: None (not split), a mesh axis name, or a tuple of axis names."""

    def __new__(cls, *parts):
        for p in parts:
            if not (p is None or isinstance(p, str) or
                    (isinstance(p, tuple) and all(isinstance(q, str) for q in p))):
                raise TypeError(f"PartitionSpec entries must be None, an axis name or a tuple of axis "
                                f"names, got {p!r}")
        return tuple.__new__(cls, parts)

    def __repr__(self):   # as JAX's: P('x',), P('x', None), P()
        return "P" + tuple.__repr__(tuple(self))

    def __reduce__(self):
        return (PartitionSpec, tuple(self))


P = PartitionSpec


def _axes_of(entry):
    if entry is None:
        return ()
    return (entry,) if isinstance(entry, str) else tuple(entry)


# ---- Mesh ---------------------------------------------------------------------------------------
_mesh_ctx = threading.local()


def current_mesh():
    stack = getattr(_mesh_ctx, "stack", None)
    return stack[-1] if stack else None


class Mesh:
    """An n-d array of devices with a name per axis."""

    def __init__(self, devices, axis_names, axis_types=None):
        devs = np.array(devices, dtype=object)
        if isinstance(axis_names, str):
            axis_names = (axis_names,)
        axis_names = tuple(axis_names)
        if devs.ndim != len(axis_names):
            raise ValueError(f"Mesh requires the ndim of its first argument (`devices`) to equal the length "
                             f"of its second argument (`axis_names`), but got devices.ndim == {devs.ndim} "
                             f"and len(axis_names) == {len(axis_names)}.")
        if len(set(axis_names)) != len(axis_names):
            raise ValueError(f"Mesh axis names must be unique, got {axis_names}")
        for d in devs.flat:
            if not isinstance(d, runtime.Device):
                raise TypeError(f"Mesh devices must be jaxish devices (jaxish.devices()), got {d!r}")
        ids = [d.id for d in devs.flat]
        if len(set(ids)) != len(ids):
            raise ValueError(f"Mesh devices must be distinct, got ids {ids}")
        self.devices = devs
        self.axis_names = axis_names

    @property
    def shape(self):
        return collections.OrderedDict(zip(self.axis_names, self.devices.shape))

    @property
    def axis_sizes(self):
        return tuple(self.devices.shape)

    @property
    def size(self):
        return int(self.devices.size)

    @property
    def empty(self):
        return self.size == 0

    @property
    def device_ids(self):
        return np.vectorize(lambda d: d.id, otypes=[int])(self.devices)

    @property
    def local_devices(self):
        p = runtime.process_index()
        return [d for d in self.devices.flat if d.process_index == p]

    @property
    def is_multi_process(self):
        return len({d.process_index for d in self.devices.flat}) > 1

    def position(self, device):
        """Coordinates of `device` in the mesh."""
        for idx in np.ndindex(*self.devices.shape):
            if self.devices[idx] == device:
                return idx
        raise ValueError(f"{device} is not in the mesh")

    def __enter__(self):
        if not hasattr(_mesh_ctx, "stack"):
            _mesh_ctx.stack = []
        _mesh_ctx.stack.append(self)
        return self

    def __exit__(self, *exc):
        _mesh_ctx.stack.pop()

    def _key(self):
        return (tuple(d.id for d in self.devices.flat), self.devices.shape, self.axis_names)

    def __eq__(self, other):
        return isinstance(other, Mesh) and self._key() == other._key()

    def __hash__(self):
        return hash(self._key())

    def __repr__(self):
        inner = ", ".join(f"'{n}': {s}" for n, s in self.shape.items())
        return f"Mesh({inner})"


def make_mesh(axis_shapes, axis_names, axis_types=None, *, devices=None):
    """A mesh of the given shape over `devices` (default: all devices, in id order)."""
    axis_shapes = tuple(int(s) for s in axis_shapes)
    devs = list(devices) if devices is not None else runtime.devices()
    n = math.prod(axis_shapes)
    if n != len(devs):
        raise ValueError(f"Number of devices {len(devs)} must equal the product of mesh_shape {axis_shapes}")
    return Mesh(np.array(devs, dtype=object).reshape(axis_shapes), axis_names)


# ---- shardings ----------------------------------------------------------------------------------
class Sharding:
    """Base: how an array's elements are laid out over devices."""

    @property
    def device_set(self):
        raise NotImplementedError

    @property
    def is_fully_addressable(self):
        p = runtime.process_index()
        return all(d.process_index == p for d in self.device_set)

    @property
    def addressable_devices(self):
        p = runtime.process_index()
        return {d for d in self.device_set if d.process_index == p}

    @property
    def num_devices(self):
        return len(self.device_set)

    def addressable_devices_indices_map(self, global_shape):
        p = runtime.process_index()
        return {d: i for d, i in self.devices_indices_map(global_shape).items() if d.process_index == p}


class SingleDeviceSharding(Sharding):
    def __init__(self, device, memory_kind=None):
        self._device = device

    @property
    def device_set(self):
        return {self._device}

    @property
    def is_fully_replicated(self):
        return True

    def shard_shape(self, global_shape):
        return tuple(global_shape)

    def devices_indices_map(self, global_shape):
        return {self._device: tuple(slice(None) for _ in global_shape)}

    def __eq__(self, other):
        return isinstance(other, SingleDeviceSharding) and other._device == self._device

    def __hash__(self):
        return hash(("single", self._device))

    def __repr__(self):
        return f"SingleDeviceSharding(device={self._device!r})"


class NamedSharding(Sharding):
    """Lay an array out over `mesh` by `spec`: dimension i is split over the mesh axes spec[i]
    names (in order, major to minor) and replicated over the mesh axes spec never names."""

    def __init__(self, mesh, spec=PartitionSpec(), memory_kind=None):
        if not isinstance(mesh, Mesh):
            raise TypeError(f"NamedSharding expects a Mesh as its first argument, got {type(mesh).__name__}")
        if spec is None:
            spec = PartitionSpec()
        if not isinstance(spec, PartitionSpec):
            if isinstance(spec, (tuple, list)):
                spec = PartitionSpec(*spec)
            else:
                raise TypeError(f"NamedSharding expects a PartitionSpec, got {spec!r}")
        used = []
        for entry in spec:
            for a in _axes_of(entry):
                if a not in mesh.axis_names:
                    raise ValueError(f"Resource axis: {a} of {spec} is not found in mesh: "
                                     f"{tuple(mesh.axis_names)}.")
                if a in used:
                    raise ValueError(f"A single NamedSharding spec specification can map every mesh axis "
                                     f"to at most one positional dimension, but {spec} has duplicate "
                                     f"entries for `{a}`")
                used.append(a)
        self.mesh = mesh
        self.spec = spec
        self.memory_kind = memory_kind

    @property
    def device_set(self):
        return set(self.mesh.devices.flat)

    @property
    def is_fully_replicated(self):
        sizes = self.mesh.shape
        return all(sizes[a] == 1 for e in self.spec for a in _axes_of(e))

    def _check_rank(self, global_shape):
        if len(self.spec) > len(global_shape):
            raise ValueError(f"One of device_put args was given the sharding of {self}, which implies that "
                             f"the global size of its dimension {len(self.spec) - 1} should be divisible by "
                             f"its number of shards, but the array has rank {len(global_shape)} "
                             f"(shape {tuple(global_shape)})")

    def dim_partitions(self, ndim):
        """Number of blocks along each of ndim dimensions."""
        sizes = self.mesh.shape
        out = []
        for i in range(ndim):
            entry = self.spec[i] if i < len(self.spec) else None
            out.append(math.prod(sizes[a] for a in _axes_of(entry)))
        return out

    def shard_shape(self, global_shape):
        self._check_rank(global_shape)
        out = []
        for i, (n, k) in enumerate(zip(global_shape, self.dim_partitions(len(global_shape)))):
            if n % k:
                raise ValueError(f"Sharding {self} implies that array axis {i} is partitioned {k} times, but "
                                 f"the dimension size is {n} (full shape: {tuple(global_shape)})")
            out.append(n // k)
        return tuple(out)

    def block_index(self, position, ndim):
        """Which block (per dimension) the device at mesh `position` holds."""
        pos = dict(zip(self.mesh.axis_names, position))
        sizes = self.mesh.shape
        out = []
        for i in range(ndim):
            entry = self.spec[i] if i < len(self.spec) else None
            b = 0
            for a in _axes_of(entry):
                b = b * sizes[a] + pos[a]
            out.append(b)
        return tuple(out)

    def replica_id(self, position):
        pos = dict(zip(self.mesh.axis_names, position))
        used = {a for e in self.spec for a in _axes_of(e)}
        r = 0
        for a in self.mesh.axis_names:
            if a not in used:
                r = r * self.mesh.shape[a] + pos[a]
        return r

    def devices_indices_map(self, global_shape):
        block = self.shard_shape(global_shape)
        out = {}
        for pos in np.ndindex(*self.mesh.devices.shape):
            bi = self.block_index(pos, len(global_shape))
            out[self.mesh.devices[pos]] = tuple(
                slice(b * s, (b + 1) * s) if s != n else slice(None)
                for b, s, n in zip(bi, block, global_shape))
        return out

    def __eq__(self, other):
        if not isinstance(other, NamedSharding):
            return False
        nd = max(len(self.spec), len(other.spec))
        pad = lambda s: tuple(s) + (None,) * (nd - len(s))  # noqa: E731
        return self.mesh == other.mesh and pad(self.spec) == pad(other.spec)

    def __hash__(self):
        return hash((self.mesh, tuple(e for e in self.spec)))

    def __repr__(self):
        return f"NamedSharding(mesh={self.mesh!r}, spec={self.spec!r})"


def PositionalSharding(*a, **k):  # noqa: N802
    raise NotImplementedError("PositionalSharding was removed from JAX; use NamedSharding")


# ---- arrays that know their sharding ------------------------------------------------------------
class Shard:
    __slots__ = ("device", "index", "replica_id", "data")

    def __init__(self, device, index, replica_id, data):
        self.device, self.index, self.replica_id, self.data = device, index, replica_id, data

    def __repr__(self):
        return (f"Shard(device={self.device!r}, index={self.index}, replica_id={self.replica_id}, "
                f"data={self.data})")


def _replica_ids(sharding, global_shape):
    if isinstance(sharding, NamedSharding):
        return {sharding.mesh.devices[pos]: sharding.replica_id(pos)
                for pos in np.ndindex(*sharding.mesh.devices.shape)}
    return {d: 0 for d in sharding.device_set}


class ShardedArray(ArrayImpl):
    """A fully addressable array laid out by `sharding`: its whole value is one torch tensor
    (emulated devices share the host), the shards are views of it."""
    __slots__ = ("_sharding",)

    def __init__(self, tensor, weak_type, sharding):
        super().__init__(tensor, weak_type)
        self._sharding = sharding

    @property
    def sharding(self):
        return self._sharding

    @property
    def is_fully_addressable(self):
        return True

    @property
    def is_fully_replicated(self):
        return self._sharding.is_fully_replicated

    def devices(self):
        return set(self._sharding.device_set)

    @property
    def addressable_shards(self):
        shape = self.shape
        reps = _replica_ids(self._sharding, shape)
        out = []
        for d, idx in self._sharding.addressable_devices_indices_map(shape).items():
            t = self._t[idx]
            if t.device != d.torch_device:
                t = t.to(d.torch_device)
            out.append(Shard(d, idx, reps.get(d, 0), ArrayImpl(t, self._weak)))
        return sorted(out, key=lambda s: s.device.id)

    global_shards = addressable_shards

    def copy(self):
        return ShardedArray(self._t.clone(), self._weak, self._sharding)


class GlobalArray(Array):
    """An array spread over several processes: this process holds the block of its device.
    Use it as an argument of pmap / shard_map / jit; `np.asarray` gathers it (collectively)."""
    __slots__ = ("_local", "_shape", "_dtype", "_weak", "_sharding")

    def __init__(self, local, shape, weak_type, sharding):
        self._local = local
        self._shape = tuple(shape)
        self._dtype = dtypes.from_torch_dtype(local.dtype)
        self._weak = weak_type
        self._sharding = sharding

    @property
    def aval(self):
        return ShapedArray(self._shape, self._dtype, self._weak)

    shape = property(lambda self: self._shape)
    dtype = property(lambda self: self._dtype)
    weak_type = property(lambda self: self._weak)
    ndim = property(lambda self: len(self._shape))
    size = property(lambda self: math.prod(self._shape))
    sharding = property(lambda self: self._sharding)
    is_fully_addressable = property(lambda self: False)
    is_fully_replicated = property(lambda self: self._sharding.is_fully_replicated)

    def devices(self):
        return set(self._sharding.device_set)

    @property
    def addressable_shards(self):
        reps = _replica_ids(self._sharding, self._shape)
        return [Shard(d, idx, reps.get(d, 0), ArrayImpl(self._local, self._weak))
                for d, idx in self._sharding.addressable_devices_indices_map(self._shape).items()]

    def block_until_ready(self):
        if self._local.is_cuda:
            torch.cuda.synchronize(self._local.device)
        return self

    def gather(self):
        """The whole value on every process (an all-gather over the job)."""
        from .lowering import gather_blocks
        return gather_blocks(self._local, self._shape, self._sharding)

    def __array__(self, dtype=None, copy=None):
        from ..array import _torch_to_numpy
        a = _torch_to_numpy(self.gather())
        return a if dtype is None else a.astype(dtype)

    def __repr__(self):
        procs = sorted({d.process_index for d in self._sharding.device_set})
        return (f"GlobalArray(shape={self._shape}, dtype={self._dtype.name}, sharding={self._sharding!r}, "
                f"local block {tuple(self._local.shape)}; spread over processes {procs}: pass it to "
                f"shard_map or jit(in_shardings=...), or gather it with np.asarray on every process)")


def global_value(x):
    """The full torch tensor behind any array (gathering a GlobalArray across processes)."""
    if isinstance(x, GlobalArray):
        return x.gather()
    if isinstance(x, ArrayImpl):
        return x._t
    from ..numpy import asarray
    return asarray(x)._t


def local_block(t, sharding, device=None):
    """The block of tensor `t` (the global value) that `device` (default: this process's) holds."""
    if device is None:
        device = runtime.local_devices()[0]
    idx = sharding.devices_indices_map(tuple(t.shape))[device]
    return t[idx]


def put_with_sharding(x, sharding):
    """device_put(x, sharding): lay x out; in several processes keep only the local block."""
    from ..numpy import asarray
    if isinstance(x, GlobalArray):
        if x.sharding == sharding:
            return x
        t, weak = x.gather(), x.weak_type
    else:
        a = x if isinstance(x, ArrayImpl) else asarray(x)
        t, weak = a._t, a._weak
    shape = tuple(t.shape)
    if isinstance(sharding, SingleDeviceSharding):
        d = next(iter(sharding.device_set))
        return ArrayImpl(t.to(d.torch_device) if d.process_index == runtime.process_index() else t, weak)
    if not isinstance(sharding, NamedSharding):
        raise TypeError(f"device_put: expected a Device or Sharding, got {sharding!r}")
    sharding.shard_shape(shape)  # checks divisibility
    local = [d for d in sharding.device_set if d.process_index == runtime.process_index()]
    if not local:
        raise ValueError(f"device_put: none of the devices of {sharding} belongs to process "
                         f"{runtime.process_index()}")
    if sharding.is_fully_addressable:
        dev = local[0].torch_device
        return ShardedArray(t if t.device == dev else t.to(dev), weak, sharding)
    if sharding.is_fully_replicated:
        return ShardedArray(t.to(local[0].torch_device), weak, sharding)
    block = local_block(t, sharding, local[0]).contiguous().to(local[0].torch_device)
    return GlobalArray(block, shape, weak, sharding)
