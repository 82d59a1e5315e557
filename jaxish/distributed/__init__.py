"""jaxish.distributed: processes and devices, pmap, collectives across processes, sharding.

    torchrun --nproc_per_node=2 train.py      # jaxish.distributed.initialize() in train.py
    JAXISH_NUM_CPU_DEVICES=4 python train.py  # one process, 4 emulated CPU devices
"""
from .runtime import (Device, initialize, shutdown, is_initialized, devices, local_devices,  # noqa: F401
                      device_count, local_device_count, process_index, process_count)
from .sharding import (Mesh, PartitionSpec, P, NamedSharding, SingleDeviceSharding, Sharding,  # noqa: F401
                       ShardedArray, GlobalArray, Shard, make_mesh)
from .lowering import CollectiveError, CollectiveExecutable, collective_stats  # noqa: F401
from .pmap import pmap  # noqa: F401
from .shard_map import shard_map  # noqa: F401
from .sharded_jit import with_sharding_constraint  # noqa: F401
from .arrays import (device_put, make_array_from_callback, make_array_from_process_local_data,  # noqa: F401
                     make_array_from_single_device_arrays, device_put_replicated, device_put_sharded)
