"""Launch plans: which variant of a kernel runs with which block sizes, grid and warps.

A `Plan` is everything one scheduler kernel needs per call: one launch (two for a split
reduction: partial sums, then their combination and the epilogue). On a GPU each kernel gets a
short list of candidate plans that the autotuner times once per shape; under the interpreter
(CPU tensors) there is one plan, with large blocks because each program costs Python time.
"""
import os
from dataclasses import dataclass, field



class Options:
    """Knobs (tests use them to force each reduction strategy at small sizes)."""
    force_mode = None                 # None | "persistent" | "looped" | "split"
    persistent_max_r = 8192           # GPU: longest row kept in registers
    interp_persistent_max_r = 4096    # interpreter
    split_min_r = 32768               # GPU: a row this long over few rows is split
    split_max_rows = 64
    interp_split_min_r = 1 << 20
    interp_tile = 1 << 17             # interpreter: elements per program (fewer programs = faster)
    split_programs = 1024             # GPU: programs phase 1 aims for
    tune = os.environ.get("JAXISH_TRITON_AUTOTUNE", "1") != "0"   # GPU: time candidates, else take the first


    def key(self):
        """The knobs that shape candidate plans (part of a stored plan's key)."""
        return tuple((n, getattr(self, n)) for n in sorted(vars(Options)) if not n.startswith("_")
                     and not callable(getattr(Options, n)) and n != "tune")


options = Options()


@dataclass
class Launch:
    fn: str
    grid: tuple
    kwargs: dict
    num_warps: int = 4


@dataclass
class Plan:
    desc: str
    launches: list
    partials: list = field(default_factory=list)   # (triton dtype text, numel) per partial buffer


def next_pow2(n):
    return 1 if n <= 1 else 1 << (int(n) - 1).bit_length()


def cdiv(a, b):
    return -(-int(a) // int(b))


def _warps(tile):
    if tile <= 256:
        return 2
    if tile <= 2048:
        return 4
    if tile <= 8192:
        return 8
    return 16


def pointwise_plan(name, M, XB, warps=None):
    return Plan(f"pointwise XBLOCK={XB}", [Launch(name, (cdiv(M, XB),), {"XBLOCK": XB}, warps or _warps(XB))])


def persistent_plan(name, M, N, XB, warps=None):
    RB = max(next_pow2(N), 2)
    w = warps or _warps(XB * RB)
    return Plan(f"persistent XBLOCK={XB} RBLOCK={RB} warps={w}",
                [Launch(f"{name}_persistent", (cdiv(M, XB),), {"XBLOCK": XB, "RBLOCK": RB}, w)])


def looped_plan(name, M, XB, RB, warps=None):
    w = warps or _warps(XB * RB)
    return Plan(f"looped XBLOCK={XB} RBLOCK={RB} warps={w}",
                [Launch(f"{name}_looped", (cdiv(M, XB),), {"XBLOCK": XB, "RBLOCK": RB}, w)])


def split_plan(name, M, N, RB, split, partial_types, warps=None):
    chunk = cdiv(cdiv(N, split), RB) * RB
    split = cdiv(N, chunk)
    XB = 1
    w = warps or _warps(RB)
    SB = max(next_pow2(split), 2)
    p1 = Launch(f"{name}_split1", (cdiv(M, XB), split),
                {"XBLOCK": XB, "RBLOCK": RB, "SPLIT": split, "CHUNK": chunk}, w)
    p2 = Launch(f"{name}_split2", (M,), {"XBLOCK": 1, "SPLIT": split, "SBLOCK": SB}, _warps(SB))
    return Plan(f"split SPLIT={split} CHUNK={chunk} RBLOCK={RB} warps={w}", [p1, p2],
                [(t, M * split) for t in partial_types])


def _r_contiguous(writer):
    """Whether the kernel's loads walk memory along the reduction (rows) rather than across it."""
    from ..scheduler import kernel as K
    import sympy
    along_r = across = 0
    for st in writer.k.stages:
        for op in st.ops:
            if type(op) is not K.Load or writer.bufs[op.buffer].kind == "local":
                continue
            e = sympy.expand(op.index)
            last_r = f"r{len(writer.k.reduce_ranges) - 1}"
            last_p = f"p{len(writer.k.ranges) - 1}"
            coeffs = {s.name: e.coeff(s) for s in e.free_symbols}
            if coeffs.get(last_r) == 1:
                along_r += 1
            elif coeffs.get(last_p) == 1:
                across += 1
    return along_r >= across


def candidates(writer, interpret):
    """Plans for one kernel, best guess first."""
    name, M, N = writer.k.name, writer.M, writer.N
    if M == 0:
        return [Plan("empty", [])]
    if not writer.reduction:
        if interpret:
            return [pointwise_plan(name, M, min(max(next_pow2(M), 16), options.interp_tile))]
        if M <= 4096:
            return [pointwise_plan(name, M, max(next_pow2(M), 128))]
        return [pointwise_plan(name, M, 1024, 4), pointwise_plan(name, M, 2048, 8)]
    force = options.force_mode
    if force == "split" and not writer.splittable:
        force = "looped"
    ptypes = writer.partial_dtypes() if writer.splittable else []
    if interpret:
        RBp = max(next_pow2(N), 2)
        if force == "persistent" or (force is None and N <= options.interp_persistent_max_r):
            return [persistent_plan(name, M, N, max(1, min(next_pow2(M), options.interp_tile // RBp)))]
        if force == "split" or (force is None and writer.splittable and M <= 4
                                and N >= options.interp_split_min_r):
            RB = 8 if force == "split" else 1024
            return [split_plan(name, M, N, RB, min(4, cdiv(N, RB)) if force == "split" else 64, ptypes)]
        RB = 4 if force == "looped" else 1024
        return [looped_plan(name, M, max(1, min(next_pow2(M), options.interp_tile // RB)), RB)]
    plans = []
    RBp = max(next_pow2(N), 2)
    along_r = _r_contiguous(writer)
    if force in (None, "split") and writer.splittable and M <= options.split_max_rows \
            and N >= options.split_min_r:
        split = max(2, min(1024, next_pow2(cdiv(options.split_programs, M))))
        plans += [split_plan(name, M, N, RB, split, ptypes, w) for RB, w in ((1024, 4), (2048, 8))]
    if force in (None, "persistent") and RBp <= options.persistent_max_r and not plans:
        xbs = []
        for tile in (1024, 2048, 4096):
            xb = min(max(1, tile // RBp), next_pow2(M))
            if xb not in xbs:
                xbs.append(xb)
        plans += [persistent_plan(name, M, N, xb) for xb in xbs]
    if force in (None, "looped") and (N > 1024 or not plans or not along_r) \
            and not any(p.desc.startswith("split") for p in plans):
        if along_r:
            shapes = ((1, 1024, 4), (1, 2048, 8), (4, 512, 4))
        else:
            shapes = ((64, 16, 4), (128, 8, 4), (32, 32, 4))
        for xb, rb, w in shapes:
            xb = min(xb, next_pow2(M))
            rb = min(rb, RBp)
            p = looped_plan(name, M, xb, rb, w)
            if all(p.desc != q.desc for q in plans):
                plans.append(p)
    if not plans:
        plans.append(looped_plan(name, M, 1, 1024, 4))
    return plans
