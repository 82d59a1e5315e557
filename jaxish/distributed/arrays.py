"""Putting data on devices: device_put with a Device or a Sharding, and the constructors JAX
offers for building a global array from per-device or per-process pieces."""
import torch

from .. import tree_util
from ..array import Array, ArrayImpl
from ..interpreters import core
from . import runtime
from .sharding import (Sharding, NamedSharding, ShardedArray, GlobalArray,
                       put_with_sharding)


def _as_array(x):
    if isinstance(x, Array):
        return x
    from ..numpy import asarray
    return asarray(x)


def _put_one(x, device):
    a = _as_array(x)
    if isinstance(a, core.Tracer) or device is None:
        return a
    if isinstance(device, Sharding):
        return put_with_sharding(a, device)
    if isinstance(device, runtime.Device):
        dev = device.torch_device
    elif isinstance(device, (torch.device, str)):
        dev = torch.device(device)
    else:
        raise TypeError(f"device_put: device must be a Device, a Sharding or None, got {device!r}")
    if isinstance(a, GlobalArray):
        a = ArrayImpl(a.gather(), a.weak_type)
    return ArrayImpl(a._t.to(dev), a._weak) if a._t.device != dev or type(a) is not ArrayImpl else a


def device_put(x, device=None, *, src=None, donate=False, may_alias=None):
    """Put x (a pytree) on `device` (a Device) or lay it out by `device` (a Sharding, or a
    pytree of them matching x)."""
    if device is None or isinstance(device, (Sharding, runtime.Device, torch.device, str)):
        return tree_util.tree_map(lambda v: _put_one(v, device), x)
    try:
        flat = tree_util.broadcast_prefix(device, x, is_leaf=lambda d: d is None or isinstance(
            d, (Sharding, runtime.Device)))
    except ValueError as e:
        raise ValueError(f"device_put: the device/sharding tree must be a prefix of x ({e})") from None
    leaves, tree = tree_util.tree_flatten(x)
    return tree_util.tree_unflatten(tree, [_put_one(v, d) for v, d in zip(leaves, flat)])


def make_array_from_callback(shape, sharding, data_callback):
    """A global array of `shape` whose block for each local device is data_callback(index)."""
    shape = tuple(int(s) for s in shape)
    idx_map = sharding.addressable_devices_indices_map(shape)
    if not idx_map:
        raise ValueError(f"make_array_from_callback: no device of {sharding} belongs to this process")
    if sharding.is_fully_addressable or sharding.is_fully_replicated:
        full = None
        for d, idx in idx_map.items():
            block = _as_array(data_callback(idx))
            if full is None:
                full = torch.empty(shape, dtype=block._t.dtype, device=block._t.device)
            full[idx] = block._t
        return put_with_sharding(ArrayImpl(full), sharding)
    (d, idx), = idx_map.items()
    block = _as_array(data_callback(idx))._t
    return GlobalArray(block.contiguous(), shape, False, sharding)


def make_array_from_process_local_data(sharding, local_data, global_shape=None):
    """Each process gives its own rows (blocks); together they form the global array."""
    a = _as_array(local_data)
    if not runtime.multi_process() or sharding.is_fully_addressable:
        return put_with_sharding(a, sharding)
    if not isinstance(sharding, NamedSharding):
        raise TypeError("make_array_from_process_local_data needs a NamedSharding across processes")
    if global_shape is None:
        global_shape = tuple(n * k for n, k in zip(a.shape, sharding.dim_partitions(a.ndim)))
    if sharding.is_fully_replicated:
        return ShardedArray(a._t, a._weak, sharding)
    expect = sharding.shard_shape(tuple(global_shape))
    if tuple(a.shape) != expect:
        raise ValueError(f"make_array_from_process_local_data: process {runtime.process_index()} gave data of "
                         f"shape {tuple(a.shape)}, but its block of the global shape {tuple(global_shape)} "
                         f"under {sharding} has shape {expect}")
    return GlobalArray(a._t.contiguous(), tuple(global_shape), a._weak, sharding)


def make_array_from_single_device_arrays(shape, sharding, arrays):
    """Assemble a global array from one array per addressable device (in device-id order)."""
    shape = tuple(int(s) for s in shape)
    idx_map = sharding.addressable_devices_indices_map(shape)
    devs = sorted(idx_map, key=lambda d: d.id)
    if len(arrays) != len(devs):
        raise ValueError(f"make_array_from_single_device_arrays: got {len(arrays)} arrays for {len(devs)} "
                         f"addressable devices of {sharding}")
    by_dev = dict(zip(devs, arrays))
    return make_array_from_callback(shape, sharding, lambda idx: by_dev[
        next(d for d in devs if idx_map[d] == idx)])


def device_put_replicated(x, devices):
    """x (a pytree) copied to each of `devices`: a leading axis of len(devices), as pmap takes it."""
    devices = list(devices)
    if not devices:
        raise ValueError("device_put_replicated: `devices` must be a non-empty list of devices")
    from .sharding import Mesh, PartitionSpec
    mesh = Mesh(devices, ("_replicated",))

    def one(v):
        a = _as_array(v)
        t = a._t.unsqueeze(0).expand((len(devices),) + tuple(a._t.shape)).contiguous()
        return ShardedArray(t, a._weak, NamedSharding(mesh, PartitionSpec("_replicated")))
    return tree_util.tree_map(one, x)


def device_put_sharded(shards, devices):
    """shards[k] (pytrees of one structure) on devices[k], stacked along a new leading axis."""
    devices = list(devices)
    if len(shards) != len(devices):
        raise ValueError(f"device_put_sharded: got {len(shards)} shards for {len(devices)} devices")
    from .sharding import Mesh, PartitionSpec
    mesh = Mesh(devices, ("_sharded",))

    def stack(*vs):
        arrs = [_as_array(v) for v in vs]
        shapes = {tuple(a.shape) for a in arrs}
        if len(shapes) != 1:
            raise ValueError(f"device_put_sharded: shards must have one shape, got {sorted(shapes)}")
        t = torch.stack([a._t for a in arrs])
        return ShardedArray(t, arrs[0]._weak, NamedSharding(mesh, PartitionSpec("_sharded")))
    return tree_util.tree_map(stack, *shards)
