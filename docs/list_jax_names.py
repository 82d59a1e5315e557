"""Add namespaces to docs/jax_names.json from an installed JAX (run with JAX's Python, e.g.
/work/jaxenv/bin/python docs/list_jax_names.py jax.image jax.ops ...): each namespace's public
callables (functions and classes), the reference docs/coverage.py checks jaxish against."""
import importlib
import json
import os
import sys

import jax

HERE = os.path.dirname(os.path.abspath(__file__))


def public_callables(path):
    mod = importlib.import_module(path)
    return sorted(n for n in dir(mod) if not n.startswith("_") and callable(getattr(mod, n))
                  and not isinstance(getattr(mod, n), type(mod)))


def main(namespaces):
    target = os.path.join(HERE, "jax_names.json")
    ref = json.load(open(target))
    if ref["jax_version"] != jax.__version__:
        sys.exit(f"jax_names.json lists jax {ref['jax_version']}, this is jax {jax.__version__}")
    for ns in namespaces:
        ref["names"][ns] = public_callables(ns)
    with open(target, "w") as f:
        json.dump(ref, f, indent=1)
    print({ns: len(ref["names"][ns]) for ns in namespaces})


if __name__ == "__main__":
    main(sys.argv[1:])
