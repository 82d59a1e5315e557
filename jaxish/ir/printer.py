"""Print graphs the way JAX prints jaxprs: `{ lambda ; a:f32[3]. let b:f32[3] = mul a a in (b,) }`."""
import numpy as np

from .graph import Graph, ClosedGraph, Literal


def _names():
    i = 0
    while True:
        n, s = i, ""
        while True:
            s = chr(ord("a") + n % 26) + s
            n = n // 26 - 1
            if n < 0:
                break
        yield s
        i += 1


class _Namer:
    def __init__(self):
        self.names = {}
        self.gen = _names()

    def __call__(self, v):
        if isinstance(v, Literal):  # JAX prints literals with their type: `2.0:f32[]`
            return f"{self._literal(v.value)}:{v.aval.str_short()}"
        if id(v) not in self.names:
            self.names[id(v)] = next(self.gen)
        return self.names[id(v)]

    @staticmethod
    def _literal(val):
        if isinstance(val, (bool, np.bool_)):
            return str(bool(val))
        if hasattr(val, "item") and getattr(val, "ndim", 1) == 0:
            val = val.item()
        return repr(val) if isinstance(val, float) else f"{val}"

    def decl(self, v):
        return f"{self(v)}:{v.aval.str_short()}"


def _param_str(value, namer, indent):
    if isinstance(value, (Graph, ClosedGraph)):
        g = value.graph if isinstance(value, ClosedGraph) else value
        return _graph_str(g, namer, indent)
    if isinstance(value, (tuple, list)) and any(isinstance(u, (Graph, ClosedGraph)) for u in value):
        return "(\n" + "".join(" " * (indent + 2) + _param_str(u, namer, indent + 2) + "\n" for u in value) + " " * indent + ")"
    if callable(value) and not isinstance(value, type):
        return getattr(value, "__name__", "fn")
    if isinstance(value, (np.dtype, str)):   # as JAX: name=h, not name='h'
        return str(value)
    return repr(value)


def print_eqn(eqn, namer=None, indent=0):
    namer = namer or _Namer()
    outs = " ".join(namer.decl(v) for v in eqn.outvars)
    params = ""
    if eqn.params:
        items = [f"{k}={_param_str(v, namer, indent + 2)}" for k, v in sorted(eqn.params.items())]
        params = "[" + " ".join(items) + "]" if sum(len(i) for i in items) < 60 else \
            "[\n" + "".join(" " * (indent + 2) + i + "\n" for i in items) + " " * indent + "]"
    ins = " ".join(namer(v) for v in eqn.inputs)
    return f"{outs} = {eqn.primitive.name}{params} {ins}"


def _graph_str(graph, namer, indent=0):
    pad = " " * indent
    consts = " ".join(namer.decl(v) for v in graph.constvars)
    ins = " ".join(namer.decl(v) for v in graph.invars)
    lines = [f"{{ lambda {consts}; {ins}. let"]
    for e in graph.eqns:
        lines.append(pad + "    " + print_eqn(e, namer, indent + 4))
    outs = " ".join(namer(v) for v in graph.outvars)
    outs = f"({outs},)" if len(graph.outvars) == 1 else "(" + ", ".join(namer(v) for v in graph.outvars) + ")"
    lines.append(pad + f"  in {outs} }}")
    return "\n".join(lines)


def print_graph(graph):
    return _graph_str(graph, _Namer())
