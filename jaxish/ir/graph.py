"""The jaxpr-like IR: typed variables, literals, equations and graphs (immutable once built)."""
import itertools

_counter = itertools.count()


class Var:
    __slots__ = ("aval", "id")

    def __init__(self, aval):
        self.aval = aval
        self.id = next(_counter)

    def __repr__(self):
        return f"Var({self.id}:{self.aval.str_short()})"


class Literal:
    """A Python scalar (or 0-d constant) baked into an equation."""
    __slots__ = ("value", "aval")

    def __init__(self, value, aval):
        self.value = value
        self.aval = aval

    def __repr__(self):
        return f"Literal({self.value})"


class Eqn:
    __slots__ = ("primitive", "inputs", "params", "outvars")

    def __init__(self, primitive, inputs, params, outvars):
        self.primitive = primitive
        self.inputs = tuple(inputs)
        self.params = params
        self.outvars = tuple(outvars)

    def __repr__(self):
        from .printer import print_eqn
        return print_eqn(self)


class Graph:
    """Graph(invars, constvars, eqns, outvars). Constvars come first when evaluating."""
    __slots__ = ("invars", "constvars", "eqns", "outvars", "__weakref__")

    def __init__(self, invars, constvars, eqns, outvars):
        self.invars = tuple(invars)
        self.constvars = tuple(constvars)
        self.eqns = tuple(eqns)
        self.outvars = tuple(outvars)

    @property
    def in_avals(self):
        return [v.aval for v in self.invars]

    @property
    def out_avals(self):
        return [v.aval for v in self.outvars]

    def __str__(self):
        from .printer import print_graph
        return print_graph(self)

    __repr__ = __str__


class ClosedGraph:
    """A Graph plus the values of its constvars."""
    __slots__ = ("graph", "consts")

    def __init__(self, graph, consts):
        self.graph = graph
        self.consts = list(consts)

    @property
    def in_avals(self):
        return self.graph.in_avals

    @property
    def out_avals(self):
        return self.graph.out_avals

    @property
    def eqns(self):
        return self.graph.eqns

    def __str__(self):
        return str(self.graph)

    __repr__ = __str__


def subgraphs_of(params):
    """Yield the Graphs held in an equation's params (directly or in tuples)."""
    for v in params.values():
        if isinstance(v, Graph):
            yield v
        elif isinstance(v, ClosedGraph):
            yield v.graph
        elif isinstance(v, (tuple, list)):
            for u in v:
                if isinstance(u, Graph):
                    yield u
                elif isinstance(u, ClosedGraph):
                    yield u.graph
