"""Who takes part: processes (torchrun / explicit arguments over torch.distributed) and devices.

Without a launcher there is one process; its devices are its GPUs, or N emulated CPU devices
when JAXISH_NUM_CPU_DEVICES=N (or XLA's --xla_force_host_platform_device_count=N) is set.
With torch.distributed initialized, each process owns one device and collectives run on the
process group (NCCL on CUDA, gloo on CPU)."""
import datetime
import os
import re

import torch


class Device:
    """A device as JAX shows it: global id, owning process, platform; `torch_device` is where
    its data lives (emulated CPU devices all live on the host CPU)."""
    __slots__ = ("id", "process_index", "platform", "local_id", "torch_device")

    def __init__(self, id, process_index, platform, local_id, torch_device):
        self.id = id
        self.process_index = process_index
        self.platform = platform
        self.local_id = local_id
        self.torch_device = torch_device

    @property
    def device_kind(self):
        if self.platform == "gpu" and torch.cuda.is_available():
            return torch.cuda.get_device_name(self.torch_device)
        return "cpu"

    @property
    def local_hardware_id(self):
        return self.local_id

    @property
    def client(self):
        return None

    def __repr__(self):
        return f"{'Cuda' if self.platform == 'gpu' else 'Cpu'}Device(id={self.id})"

    def __eq__(self, other):
        return isinstance(other, Device) and (self.id, self.platform) == (other.id, other.platform)

    def __hash__(self):
        return hash((Device, self.id, self.platform))


class _State:
    def __init__(self):
        self.initialized = False   # by jaxish.distributed.initialize (or adopted from torch)
        self.owns_group = False
        self.rank = 0
        self.world = 1
        self.local_rank = 0
        self.backend = None
        self.timeout = None         # seconds, from initialize(timeout=)
        self.devices = None        # global list, built lazily
        self.local = None


_state = _State()


def _env_int(name):
    v = os.environ.get(name)
    if v is None or v.strip() == "":
        return None
    try:
        return int(v)
    except ValueError:
        raise ValueError(f"environment variable {name}={v!r} is not an integer") from None


def emulated_cpu_device_count():
    """JAXISH_NUM_CPU_DEVICES, else XLA_FLAGS' --xla_force_host_platform_device_count, else 1."""
    n = _env_int("JAXISH_NUM_CPU_DEVICES")
    if n is None:
        m = re.search(r"--xla_force_host_platform_device_count=(\d+)", os.environ.get("XLA_FLAGS", ""))
        n = int(m.group(1)) if m else 1
    if n < 1:
        raise ValueError(f"JAXISH_NUM_CPU_DEVICES must be >= 1, got {n}")
    return n


def default_timeout():
    """Seconds a collective may wait for its peers: initialize(timeout=), else the environment's
    JAXISH_COLLECTIVE_TIMEOUT, else 300."""
    if _state.timeout is not None:
        return _state.timeout
    v = os.environ.get("JAXISH_COLLECTIVE_TIMEOUT")
    return float(v) if v else 300.0


def initialize(coordinator_address=None, num_processes=None, process_id=None, local_device_ids=None,
               *, backend=None, timeout=None, initialization_timeout=None, heartbeat_timeout_seconds=None,
               **unused):
    """Join the job: explicit arguments win, else torchrun's RANK, WORLD_SIZE, LOCAL_RANK,
    MASTER_ADDR and MASTER_PORT. Starts torch.distributed (NCCL on CUDA, gloo on CPU).

    timeout (or JAX's heartbeat_timeout_seconds, or JAXISH_COLLECTIVE_TIMEOUT): seconds a
    collective may wait for its peers before raising CollectiveError (default 300)."""
    import torch.distributed as dist
    if _state.initialized:
        raise RuntimeError("jaxish.distributed.initialize should only be called once.")
    if timeout is None:
        timeout = heartbeat_timeout_seconds
    if timeout is not None:
        if not timeout > 0:
            raise ValueError(f"timeout must be a positive number of seconds, got {timeout!r}")
        _state.timeout = float(timeout)
    if dist.is_available() and dist.is_initialized():
        _adopt_torch_group(dist)
        return
    if coordinator_address is None:
        addr, port = os.environ.get("MASTER_ADDR"), os.environ.get("MASTER_PORT")
        if addr and port:
            coordinator_address = f"{addr}:{port}"
    if num_processes is None:
        num_processes = _env_int("WORLD_SIZE")
    if process_id is None:
        process_id = _env_int("RANK")
    missing = [n for n, v in (("coordinator_address", coordinator_address), ("num_processes", num_processes),
                              ("process_id", process_id)) if v is None]
    if missing:
        raise ValueError(
            f"jaxish.distributed.initialize: could not determine {', '.join(missing)}: pass them explicitly "
            "or launch with torchrun (which sets MASTER_ADDR, MASTER_PORT, WORLD_SIZE and RANK)")
    num_processes, process_id = int(num_processes), int(process_id)
    if num_processes < 1:
        raise ValueError(f"num_processes must be >= 1, got {num_processes}")
    if not 0 <= process_id < num_processes:
        raise ValueError(f"process_id must be in [0, {num_processes}), got {process_id}")
    if ":" not in str(coordinator_address):
        raise ValueError(f"coordinator_address must be 'host:port', got {coordinator_address!r}")
    local_rank = _env_int("LOCAL_RANK")
    if local_rank is None:
        local_rank = process_id
    if isinstance(local_device_ids, int):
        local_device_ids = [local_device_ids]
    if local_device_ids is not None and len(local_device_ids) != 1:
        raise ValueError("jaxish runs one process per device: local_device_ids must name exactly one device, "
                         f"got {list(local_device_ids)}")
    from ..config import default_device
    use_cuda = default_device().type == "cuda"
    if backend is None:
        backend = os.environ.get("JAXISH_DIST_BACKEND") or ("nccl" if use_cuda else "gloo")
    if use_cuda:
        idx = local_device_ids[0] if local_device_ids is not None else local_rank % torch.cuda.device_count()
        torch.cuda.set_device(idx)
        from ..config import set_default_device
        set_default_device(torch.device("cuda", idx))
    secs = initialization_timeout if initialization_timeout is not None else default_timeout()
    dist.init_process_group(backend, init_method=f"tcp://{coordinator_address}", rank=process_id,
                            world_size=num_processes, timeout=datetime.timedelta(seconds=secs))
    _state.owns_group = True
    _adopt_torch_group(dist, local_rank)


def _adopt_torch_group(dist, local_rank=None):
    _state.initialized = True
    _state.rank = dist.get_rank()
    _state.world = dist.get_world_size()
    _state.local_rank = local_rank if local_rank is not None else (_env_int("LOCAL_RANK") or 0)
    _state.backend = dist.get_backend()
    _state.devices = None
    _state.local = None


def shutdown():
    """Leave the job (destroys the process group if initialize created it)."""
    import torch.distributed as dist
    if _state.owns_group and dist.is_initialized():
        dist.destroy_process_group()
    from . import lowering
    lowering.clear()
    _state.__init__()


def is_initialized():
    return _state.initialized


def multi_process():
    """True when collectives cross processes (torch.distributed up with more than one rank)."""
    if not _state.initialized:
        import torch.distributed as dist
        if dist.is_available() and dist.is_initialized():
            _adopt_torch_group(dist)
        else:
            return False
    return _state.world > 1


def _build_devices():
    from ..config import default_device
    dev = default_device()
    platform = "gpu" if dev.type == "cuda" else "cpu"
    if multi_process():
        out = []
        for r in range(_state.world):
            td = dev if r == _state.rank else (torch.device("cuda") if platform == "gpu" else torch.device("cpu"))
            out.append(Device(r, r, platform, 0 if r != _state.rank else (dev.index or 0), td))
        _state.devices = out
        _state.local = [out[_state.rank]]
        return
    if platform == "gpu":
        n = torch.cuda.device_count()
        out = [Device(i, 0, "gpu", i, torch.device("cuda", i)) for i in range(n)]
    else:
        out = [Device(i, 0, "cpu", i, torch.device("cpu")) for i in range(emulated_cpu_device_count())]
    _state.devices = out
    _state.local = list(out)


def devices(backend=None):
    """All devices of the job, ordered by id."""
    if backend is not None and backend not in ("cpu", "gpu", "cuda", "rocm"):
        raise RuntimeError(f"Unknown backend {backend}")
    if _state.devices is None:
        _build_devices()
    if backend is not None:
        want = "gpu" if backend in ("gpu", "cuda", "rocm") else "cpu"
        if _state.devices[0].platform != want:
            if want == "cpu":
                return [Device(0, 0, "cpu", 0, torch.device("cpu"))]
            raise RuntimeError(f"Backend '{backend}' failed to initialize: no {backend} devices")
    return list(_state.devices)


def local_devices(process_index=None, backend=None):
    devs = devices(backend)
    p = _current_process() if process_index is None else process_index
    return [d for d in devs if d.process_index == p]


def device_count(backend=None):
    return len(devices(backend))


def local_device_count(backend=None):
    return len(local_devices(backend=backend))


def _current_process():
    return _state.rank if multi_process() else 0


def process_index(backend=None):
    return _current_process()


def process_count(backend=None):
    return _state.world if multi_process() else 1

