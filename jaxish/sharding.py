"""jaxish.sharding (as jax.sharding): meshes, partition specs and shardings."""
from .distributed.sharding import (Mesh, PartitionSpec, NamedSharding, SingleDeviceSharding,  # noqa: F401
                                   Sharding, PositionalSharding)
from .distributed.shard_map import shard_map  # noqa: F401
