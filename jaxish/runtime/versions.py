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
