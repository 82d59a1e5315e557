"""Graph passes. `optimize` runs the default pipeline; each pass returns a new graph."""
from .dce import dce


def optimize(graph, consts):
    graph, consts = dce(graph, consts)
    return graph, consts
