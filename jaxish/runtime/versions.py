"""What cached plans depend on besides the graph: the code that made them."""
import functools
import glob
import hashlib
import os

_PKG = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@functools.lru_cache(maxsize=None)
def code_version(*subpackages):
    """A hash of the sources of jaxish's `subpackages` (e.g. "scheduler", "codegen_cpp"): a
    change to any of them invalidates the plans cached under this version."""
    h = hashlib.sha256()
    for sub in subpackages:
        for f in sorted(glob.glob(os.path.join(_PKG, sub, "*.py"))):
            with open(f, "rb") as fh:
                h.update(fh.read())
    return h.hexdigest()[:16]


def plan_key(graph, strides, donate, *extra):
    """Hash naming a stored launch plan: the graph's text, its operands' weak types and strides
    (position -> strides), the donated positions, then the backend's `extra` strings."""
    from ..ir.printer import print_graph
    text = "|".join([print_graph(graph), repr([v.aval.weak_type for v in graph.invars]),
                     repr(sorted(strides.items())), repr(tuple(donate)), *extra])
    return hashlib.sha256(text.encode()).hexdigest()[:40]
