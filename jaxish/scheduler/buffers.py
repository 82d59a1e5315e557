"""Buffer planning: temps whose lifetimes do not overlap share storage slots."""
from . import kernel as K

# extern primitives whose results never share memory with their operands
FRESH_RESULTS = frozenset(["dot_general", "cumsum", "cumprod", "cummax", "cummin", "cumlogsumexp",
                           "concatenate", "gather_nd"])


def _reads(step):
    if isinstance(step, K.Kernel):
        return step.reads
    return [x for x in step.inputs if isinstance(x, str)]


def _writes(step):
    if isinstance(step, K.Kernel):
        return step.writes
    return list(step.outputs)


def plan_buffers(program):
    """Assign `slot` to every kernel-written temp and fill `program.slots` (bytes per slot)."""
    bufs = program.buffers
    outputs = {o for o in program.outputs if isinstance(o, str)}
    forever = len(program.steps)
    first, last = {}, {}
    for i, st in enumerate(program.steps):
        for b in _writes(st):
            first.setdefault(b, i)
            last[b] = max(last.get(b, i), i)
        for b in _reads(st):
            last[b] = i
    # An extern's result may be a view of its operands: keep those alive as long as the result.
    for i in reversed(range(len(program.steps))):
        st = program.steps[i]
        if isinstance(st, K.ExternCall) and st.primitive.name not in FRESH_RESULTS:
            end = max((forever if o in outputs else last.get(o, i)) for o in st.outputs) if st.outputs else i
            for b in _reads(st):
                last[b] = max(last.get(b, i), end)
    free = []                 # slot ids
    sizes = []
    release = {}
    for i, st in enumerate(program.steps):
        for b in _writes(st):
            buf = bufs[b]
            if buf.kind != "temp" or buf.extern or first.get(b) != i:
                continue
            need = max(buf.nbytes, 1)
            best = None
            for s in free:
                if sizes[s] >= need and (best is None or sizes[s] < sizes[best]):
                    best = s
            if best is None and free:
                best = max(free, key=lambda s: sizes[s])
                sizes[best] = need
            if best is None:
                best = len(sizes)
                sizes.append(need)
            else:
                free.remove(best)
            buf.slot = best
            release.setdefault(last.get(b, i), []).append(best)
        for s in release.pop(i, ()):
            free.append(s)
    program.slots = sizes
    return program
