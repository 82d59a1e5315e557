"""jax.experimental.shard_map.shard_map: the older spelling of jaxish.shard_map, with the mesh
and specs positional and `check_rep` for today's `check_vma`."""
from ..distributed.shard_map import shard_map as _shard_map

__all__ = ["shard_map"]


def shard_map(f, mesh, in_specs, out_specs, check_rep=True, auto=frozenset()):
    """Map `f` over the blocks of its arguments laid out on `mesh` (see jaxish.shard_map)."""
    return _shard_map(f, mesh=mesh, in_specs=in_specs, out_specs=out_specs, check_vma=check_rep)
