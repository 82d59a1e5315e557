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
    # a zero-size temp has no kernel writing it, but an extern may still read it (concatenating
    # an empty piece): give it a slot too, so the launchers bind it to an empty tensor
    for buf in bufs.values():
        if buf.kind == "temp" and not buf.extern and buf.slot is None and buf.nbytes == 0:
            buf.slot = len(sizes)
            sizes.append(1)
    program.slots = sizes
    return program


def apply_donation(program, donate):
    """Let outputs take the storage of donated inputs (positions `donate`) where that is safe:
    same shape, dtype and contiguous layout, the input read by exactly the kernel that writes
    the output, only at the element being written, never after that store."""
    import dataclasses
    from .indexing import contiguous_strides
    bufs = program.buffers
    donors = [program.inputs[i] for i in sorted(set(donate)) if 0 <= i < len(program.inputs)]
    outs = [o for o in program.outputs if isinstance(o, str)]
    readers = {}
    for st in program.steps:
        for b in _reads(st):
            readers.setdefault(b, []).append(st)
    used = set()
    for o in dict.fromkeys(outs):
        ob = bufs[o]
        writers = [st for st in program.steps if o in _writes(st)]
        if ob.kind != "output" or ob.extern or len(writers) != 1 or not isinstance(writers[0], K.Kernel):
            continue
        k = writers[0]
        stores = [(si, i, op) for si, st in enumerate(k.stages) for i, op in enumerate(st.ops)
                  if type(op) is K.Store and op.buffer == o]
        if len(stores) != 1:
            continue
        s_stage, s_pos, s_op = stores[0]
        for d in donors:
            ib = bufs[d]
            if d in used or d in outs or ib.shape != ob.shape or ib.dtype != ob.dtype \
                    or tuple(ib.strides) != contiguous_strides(ib.shape) or ib.numel == 0:
                continue
            if any(st is not k for st in readers.get(d, [])):
                continue
            loads = [(si, i, op) for si, st in enumerate(k.stages) for i, op in enumerate(st.ops)
                     if type(op) is K.Load and op.buffer == d]
            if any(si > s_stage or (si == s_stage and i > s_pos) or op.index != s_op.index
                   for si, i, op in loads):
                continue
            for st in k.stages:
                st.ops = [dataclasses.replace(op, buffer=o) if type(op) is K.Load and op.buffer == d else op
                          for op in st.ops]
            ob.donor = d
            used.add(d)
            break
    return program
