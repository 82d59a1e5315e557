"""jax.experimental.mesh_utils: numpy arrays of devices laid out for jaxish.sharding.Mesh.

jaxish devices have no physical topology to follow, so a mesh is the devices in order (GPUs
sorted by id, as JAX does) reshaped to the requested shape."""
import collections
import math

import numpy as np

__all__ = ["create_device_mesh", "create_hybrid_device_mesh"]


def _object_array(devices):
    out = np.empty(len(devices), dtype=object)
    for i, d in enumerate(devices):
        out[i] = d
    return out


def _axis_sizes(mesh_shape):
    try:
        return tuple(int(s) for s in mesh_shape)
    except (TypeError, ValueError):
        raise ValueError(f"`mesh_shape` passed to `create_device_mesh` should be a sequence of ints. "
                         f"Got {mesh_shape}") from None


def create_device_mesh(mesh_shape, devices=None, *, contiguous_submeshes=False, allow_split_physical_axes=False):
    """A numpy object array of shape `mesh_shape` holding `devices` (default: jaxish.devices())."""
    if devices is None:
        from .. import devices as all_devices
        devices = all_devices()
    devices = list(devices)
    shape = _axis_sizes(mesh_shape)
    if math.prod(shape) != len(devices):
        raise ValueError(f"Number of devices {len(devices)} must equal the product of mesh_shape {shape}")
    if devices and devices[-1].platform == "gpu":
        devices = sorted(devices, key=lambda d: d.id)
    return _object_array(devices).reshape(shape)


def create_hybrid_device_mesh(mesh_shape, dcn_mesh_shape, devices=None, *, process_is_granule=False,
                              should_sort_granules_by_key=True, allow_split_physical_axes=False):
    """A mesh of shape mesh_shape * dcn_mesh_shape: one create_device_mesh(mesh_shape) block per
    granule (process; jaxish devices have no slices), the blocks tiled in a dcn_mesh_shape grid."""
    if devices is None:
        from .. import devices as all_devices
        devices = all_devices()
    devices = list(devices)
    attr = "process_index" if process_is_granule else "slice_index"
    if not devices or not hasattr(devices[0], attr):
        raise ValueError(f"Device {devices[0] if devices else None} does not have attribute {attr}. "
                         "See `process_is_granule` option.")
    groups = collections.defaultdict(list)
    for d in devices:
        groups[getattr(d, attr)].append(d)
    keys = sorted(groups) if should_sort_granules_by_key else list(groups)
    dcn = _axis_sizes(dcn_mesh_shape)
    inner = _axis_sizes(mesh_shape)
    if len(dcn) != len(inner):
        raise ValueError(f"mesh_shape {inner} and dcn_mesh_shape {dcn} must have the same length")
    if math.prod(dcn) != len(keys):
        raise ValueError(f"Number of slices {len(keys)} must equal the product of dcn_mesh_shape {dcn}")
    blocks = [create_device_mesh(inner, groups[k]) for k in keys]
    out = np.empty(tuple(a * b for a, b in zip(inner, dcn)), dtype=object)
    for g, idx in enumerate(np.ndindex(*dcn)):
        out[tuple(slice(i * n, (i + 1) * n) for i, n in zip(idx, inner))] = blocks[g]
    return out
