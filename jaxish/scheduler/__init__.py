"""The fusion scheduler: lower an optimized Graph to the backend-neutral kernel description
(`kernel.py`): loop-level nodes (lowering.py), fused into kernels (fusion.py), with a buffer
plan (buffers.py). Codegens (C++, Triton) read only the resulting `Program`.

Importing this package is cheap (no sympy): the machinery loads on the first `schedule`."""
from . import kernel
from .kernel import Program, Kernel, ExternCall, Buffer, SCALAR_OPS

__all__ = ["schedule", "graph_equations", "input_strides", "Program", "Kernel", "ExternCall", "Buffer", "SCALAR_OPS",
           "kernel"]


def graph_equations(graph):
    """The graph's equations in the order lowering visits them (into inlined jit calls):
    `ExternCall.eqn_index` indexes this list."""
    out = []

    def walk(g):
        for e in g.eqns:
            out.append(e)
            if e.primitive.name == "jit_call":
                walk(e.params["graph"])
    walk(graph)
    return out


def input_strides(graph, tensors):
    """{operand position: strides} for example operands that are not contiguous."""
    import torch
    out = {}
    if len(tensors) != len(graph.invars):
        return out
    for i, (v, t) in enumerate(zip(graph.invars, tensors)):
        if isinstance(t, torch.Tensor) and tuple(t.shape) == v.aval.shape and not t.is_contiguous():
            out[i] = tuple(t.stride())
    return out


def schedule(graph, input_strides=None, donate=()):
    """Lower `graph` (invars = all operands, consts included) to a Program.

    input_strides: optional {operand position: element strides} for operands that are not
    contiguous (kernels are specialized on them). donate: operand positions whose storage the
    caller gives up (outputs may be written in place there)."""
    from .lowering import Lowering
    from .fusion import Fuser, build_kernel
    from .buffers import plan_buffers, apply_donation
    from .rewrite import prepare
    low = Lowering(prepare(graph), input_strides)
    inputs, outputs = low.lower_graph()
    fuser = Fuser(low.nodes, low.buffers, outputs)
    steps, groups = [], []
    for g in fuser.run():
        if g.extern:
            n = g.members[0].node
            steps.append(ExternCall(f"x{len(steps)}", n.prim, n.params, list(n.inputs),
                                    list(n.outputs), origin=list(n.origin), eqn_index=n.eqn_index))
        else:
            k = build_kernel(f"kernel{len(steps)}", g, fuser, low.buffers)
            steps.append(k)
            groups.append(k.origin)
    # drop temps nobody stores any more (eliminated by fusion)
    used = set(inputs) | {o for o in outputs if isinstance(o, str)}
    for s in steps:
        if isinstance(s, Kernel):
            used |= set(s.reads) | set(s.writes)
        else:
            used |= {x for x in s.inputs if isinstance(x, str)} | set(s.outputs)
    buffers = {k: v for k, v in low.buffers.items() if k in used}
    prog = Program(buffers, inputs, outputs, steps, groups=groups)
    if donate:
        apply_donation(prog, donate)
    return plan_buffers(prog)
