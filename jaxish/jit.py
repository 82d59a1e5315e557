"""jit: trace once per signature, optimize the graph, compile it with a backend, and call the
executable on later hits through a flat path.

The hit path for the common call (positional concrete arrays, no static or donated arguments)
is one list comprehension building the key, one dict lookup and a precomputed runner. Every other
call goes through `_call`: split statics, flatten the pytrees, key on
(tree structure, each leaf's shape/dtype/weak type/device, static values, config version).
"""
import functools
import inspect
import logging
import os
import types
import weakref

import torch

from .array import Array, ArrayImpl
from .config import config
from .interpreters import core
from .interpreters.eager import eager_trace
from .interpreters.staging import trace_to_graph, close_over_consts
from .tree_util import tree_flatten, tree_unflatten, tree_flatten_with_path, keystr, treedef_is_leaf

log = logging.getLogger("jaxish")
_SCALARS = (int, float, bool, complex)
_PKG_DIR = os.path.dirname(os.path.abspath(__file__))


def _leaf_sig(x):
    t = type(x)
    if t is ArrayImpl:
        tt = x._t
        return (tt.shape, tt.dtype, x._weak, tt.device)
    if t in _SCALARS:
        return t
    if isinstance(x, core.Tracer):
        return x.aval
    return None


_sig_ids = {}


def _array_sig(a):
    """A small int standing for a concrete array's (shape, dtype, weak type, device), cached on it."""
    t = a._t
    k = (t.shape, t.dtype, a._weak, t.device)
    s = _sig_ids.get(k)
    if s is None:
        s = _sig_ids[k] = len(_sig_ids)
    a._sig = s
    return s


def _as_leaf(x):
    t = type(x)
    if t is ArrayImpl or t in _SCALARS:
        return x
    if isinstance(x, ArrayImpl):
        return ArrayImpl(x._t, x._weak)  # subclasses (sharded arrays) are keyed and run as plain arrays
    if isinstance(x, Array):
        return x
    from .numpy import asarray
    try:
        return asarray(x)
    except TypeError:
        raise TypeError(f"Argument '{x!r}' of type {type(x)} is not a valid JAX type") from None


def _concrete_leaf(x):
    """An ArrayImpl for a concrete leaf (Python scalars become weakly typed arrays)."""
    if type(x) is ArrayImpl:
        return x
    from .numpy import asarray
    return asarray(x)


# ---- traceback filtering (as JAX does): hide our frames from errors raised while tracing ------
def _is_ours(frame):
    return os.path.abspath(frame.f_code.co_filename).startswith(_PKG_DIR + os.sep)


def filter_traceback(tb):
    """The traceback without frames from inside the jaxish package."""
    frames = []
    while tb is not None:
        if not _is_ours(tb.tb_frame):
            frames.append((tb.tb_frame, tb.tb_lasti, tb.tb_lineno))
        tb = tb.tb_next
    out = None
    for frame, lasti, lineno in reversed(frames):
        out = types.TracebackType(out, frame, lasti, lineno)
    return out


class UnfilteredStackTrace(Exception):
    """Carries the full traceback of an error whose frames inside jaxish were filtered out."""


def _reraise_filtered(e):
    """e with its traceback filtered; the original traceback rides along as its cause (as JAX)."""
    if getattr(e, "_jaxish_filtered", False):
        return e
    full = UnfilteredStackTrace(f"{type(e).__name__}: {e}\n\nThe stack trace above includes jaxish's "
                                "internal frames; the one below excludes them. Set "
                                "JAXISH_TRACEBACK_FILTERING=off to see everything in one trace.")
    full = full.with_traceback(e.__traceback__)
    full.__cause__ = e.__cause__
    e.with_traceback(filter_traceback(e.__traceback__))
    e.__cause__ = full
    e.__suppress_context__ = True
    try:
        e._jaxish_filtered = True
    except AttributeError:
        pass
    return e


def _filtering_on():
    return os.environ.get("JAXISH_TRACEBACK_FILTERING", "auto").lower() not in ("off", "0", "false")


class _Entry:
    __slots__ = ("graph", "consts", "const_tensors", "out_tree", "out_weak", "exe", "in_avals",
                 "runner")


class Lowered:
    def __init__(self, jitted, entry, backend):
        self._jitted = jitted
        self._entry = entry
        self._backend = backend

    def as_text(self):
        return str(self._entry.graph)

    @property
    def graph(self):
        return self._entry.graph

    def compile(self):
        from .runtime.executable import compile_cached
        exe = compile_cached(self._entry.graph, self._backend, self._entry.const_tensors)
        return Compiled(self._jitted, self._entry, exe)


class Compiled:
    def __init__(self, jitted, entry, exe):
        self._jitted = jitted
        self._entry = entry
        self.executable = exe

    def as_text(self):
        return self.executable.as_text()

    @property
    def kernel_count(self):
        return getattr(self.executable, "kernel_count", 0)

    def __call__(self, *args, **kwargs):
        return self._jitted(*args, **kwargs)


_live = weakref.WeakSet()   # every jit-wrapped function, for clear_caches()


def clear_caches():
    """Forget every jitted function's traces and executables (jax.clear_caches)."""
    for f in list(_live):
        f.clear_cache()


class JitWrapped:
    def __init__(self, fun, static_argnums=(), static_argnames=(), donate_argnums=(), backend=None,
                 inline=False, donate_argnames=()):
        functools.update_wrapper(self, fun)
        for k in [k for k in vars(self) if not k.startswith("__") and hasattr(JitWrapped, k)]:
            del self.__dict__[k]   # a copied attribute must not shadow a method (a ufunc's _call...)
        self.fun = fun  # after update_wrapper: a wrapped object's __dict__ may hold its own `fun`
        sig = None
        try:
            sig = inspect.signature(fun)
        except (TypeError, ValueError):
            pass
        static_argnums = (static_argnums,) if isinstance(static_argnums, int) else tuple(static_argnums or ())
        static_argnames = (static_argnames,) if isinstance(static_argnames, str) else tuple(static_argnames or ())
        donate_argnums = (donate_argnums,) if isinstance(donate_argnums, int) else tuple(donate_argnums or ())
        donate_argnames = (donate_argnames,) if isinstance(donate_argnames, str) else tuple(donate_argnames or ())
        self._param_names = []
        if sig is not None:
            params = list(sig.parameters.values())
            names = [p.name for p in params]
            positional = (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.POSITIONAL_ONLY)
            self._param_names = [p.name for p in params if p.kind in positional]
            if not any(p.kind == inspect.Parameter.VAR_POSITIONAL for p in params):
                npos = len(self._param_names)
                for i in static_argnums:
                    if not -npos <= i < npos:
                        raise ValueError(f"Jitted function has static_argnums={static_argnums}, but only "
                                         f"accepts {npos} positional arguments.")
            for n in static_argnames:
                if n in names and names.index(n) not in static_argnums and \
                        params[names.index(n)].kind in positional:
                    static_argnums = static_argnums + (names.index(n),)
            for i in static_argnums:
                if i < len(names) and names[i] not in static_argnames and \
                        params[i].kind == inspect.Parameter.POSITIONAL_OR_KEYWORD:
                    static_argnames = static_argnames + (names[i],)
            for n in donate_argnames:
                if n in names and params[names.index(n)].kind in positional:
                    donate_argnums = donate_argnums + (names.index(n),)
        nargs = len(self._param_names)
        self.static_argnums = frozenset(i % nargs if i < 0 and nargs else i for i in static_argnums)
        self.static_argnames = frozenset(static_argnames)
        self.donate_argnums = tuple(sorted(set(donate_argnums)))
        if self.static_argnums & set(self.donate_argnums):
            raise ValueError("static_argnums and donate_argnums cannot intersect: "
                             f"{sorted(self.static_argnums & set(self.donate_argnums))}")
        self.backend = backend
        self._cache = {}
        self._fast = {}
        self._fast_ver = config.version
        _live.add(self)
        self._plain = not self.static_argnums and not self.static_argnames and not self.donate_argnums
        self._seen = []  # (key, leaf names) of every trace, for explaining cache misses
        self._signature = sig

    # ---- the call path ----
    def __call__(self, *args, **kwargs):
        if not kwargs and self._plain:
            try:
                key = tuple([a._sig if a._sig is not None else _array_sig(a) for a in args])
            except AttributeError:  # not all concrete arrays
                key = None
            if key is not None:
                run = self._fast.get(key)
                if run is not None and self._fast_ver == config.version and \
                        core.state.trace is eager_trace and not config._values["jax_disable_jit"]:
                    return run(args)
        return self._call(args, kwargs)

    def _call(self, args, kwargs):
        if config._values["jax_disable_jit"]:
            return self.fun(*args, **kwargs)
        if config._values["jax_no_execution"]:   # (entering the option cleared the fast path)
            name = getattr(self.fun, "__name__", "fun")
            raise RuntimeError(f"JAX tried to execute function jit({name}), but the no_execution config option is set")
        if self._fast_ver != config.version:
            self._fast.clear()
            self._fast_ver = config.version
        dyn_args, dyn_kwargs, statics, skw = self._split(args, kwargs)
        leaves, treedef = tree_flatten((dyn_args, dyn_kwargs))
        sigs = []
        for i, x in enumerate(leaves):
            s = _leaf_sig(x)
            if s is None:
                leaves[i] = x = _as_leaf(x)
                s = _leaf_sig(x)
            sigs.append(s)
        key = (treedef, tuple(sigs), statics, skw, config.version)
        entry = self._cache.get(key)
        if entry is None:
            try:
                entry = self._trace(key, leaves, treedef, statics, skw, dyn_args, dyn_kwargs)
            except Exception as e:
                if not _filtering_on():
                    raise
                raise _reraise_filtered(e) from e.__cause__
        if core.state.trace is eager_trace and entry.consts is not None:
            run = entry.runner
            if run is None:
                run = entry.runner = self._make_runner(entry, leaves, self._donated_positions(args))
            if config._values["_debug_fp"]:
                return self._run_checking_nans(run, leaves, args, kwargs)
            if self._plain and not kwargs and len(leaves) == len(args) and \
                    all(type(a) is ArrayImpl for a in args):
                self._fast[tuple([_array_sig(a) for a in args])] = run
            out = run([_concrete_leaf(x) for x in leaves])
            if self.donate_argnums:
                self._delete_donated(dyn_args, args)
            return out
        return self._bind(entry, leaves)

    def _split(self, args, kwargs):
        statics = ()
        if self.static_argnums:
            statics = tuple((i, args[i]) for i in sorted(self.static_argnums) if i < len(args))
            args = tuple(a for i, a in enumerate(args) if i not in self.static_argnums)
        skw = ()
        if self.static_argnames and kwargs:
            skw = tuple(sorted((k, v) for k, v in kwargs.items() if k in self.static_argnames))
            kwargs = {k: v for k, v in kwargs.items() if k not in self.static_argnames}
        for _, v in statics + skw:
            try:
                hash(v)
            except TypeError:
                raise ValueError(
                    f"Non-hashable static arguments are not supported. An error occurred while trying to "
                    f"hash an object of type {type(v)}, {v!r}. The error was:\nTypeError: unhashable type: "
                    f"'{type(v).__name__}'") from None
        return args, kwargs, statics, skw

    def _rebuild(self, dyn_args, statics):
        args = list(dyn_args)
        for i, v in statics:
            args.insert(i, v)
        return args

    def _delete_donated(self, dyn_args, args):
        for i in self.donate_argnums:
            if i < len(args):
                for leaf in tree_flatten(args[i])[0]:
                    if type(leaf) is ArrayImpl:
                        leaf.delete()

    def _run_checking_nans(self, run, leaves, args, kwargs):
        out = run([_concrete_leaf(x) for x in leaves])
        v = config._values
        for o in tree_flatten(out)[0]:
            t = o._t
            if not (t.is_floating_point() or t.is_complex()):
                continue
            what = ("nan" if v["jax_debug_nans"] and bool(torch.isnan(t).any()) else
                    "inf" if v["jax_debug_infs"] and bool(torch.isinf(t).any()) else None)
            if what is not None:
                # As JAX: re-run op by op so the error names the primitive that made the NaN.
                name = getattr(self.fun, "__name__", "fun")
                log.warning("Invalid %s value encountered in the output of jit(%s). "
                            "Calling the de-optimized version.", what, name)
                prev = config._values["jax_disable_jit"]
                config._values["jax_disable_jit"] = True
                try:
                    self.fun(*args, **kwargs)
                finally:
                    config._values["jax_disable_jit"] = prev
                raise FloatingPointError(f"invalid value ({what}) encountered in jit({name})")
        return out

    def _trace(self, key, leaves, treedef, statics, skw, dyn_args, dyn_kwargs):
        if config._values["jax_no_tracing"]:
            name = getattr(self.fun, "__name__", "fun")
            raise RuntimeError(f"re-tracing function {name} for `jit`, but 'no_tracing' is set")
        if config._values["jax_explain_cache_misses"]:
            self._explain_miss(key, dyn_args, dyn_kwargs)
        in_avals = [core.get_aval(x) for x in leaves]
        out_tree_box = []
        fun = self.fun

        def flat(*xs):
            a, k = tree_unflatten(treedef, xs)
            out = fun(*self._rebuild(a, statics), **dict(k, **dict(skw)))
            ol, ot = tree_flatten(out)
            out_tree_box.append(ot)
            from .numpy import asarray
            return [o if isinstance(o, Array) else asarray(o) for o in ol]

        graph, consts = trace_to_graph(flat, in_avals)
        from .ir.passes import optimize
        graph, consts = optimize(graph, consts)
        entry = _Entry()
        entry.in_avals = in_avals
        entry.graph = close_over_consts(graph)
        entry.out_tree = out_tree_box[0]
        entry.out_weak = [a.weak_type for a in graph.out_avals]
        entry.exe = None
        entry.runner = None
        if all(type(c) is ArrayImpl for c in consts):
            entry.consts = consts
            entry.const_tensors = [c._t for c in consts]
            self._cache[key] = entry
        else:  # closed over tracers of an enclosing transformation: valid for this call only
            entry.consts = None
            entry.const_tensors = consts
        return entry

    def _donated_positions(self, args):
        """Positions, among the flattened dynamic leaves, of the donated arguments' leaves."""
        if not self.donate_argnums:
            return ()
        out, pos = [], 0
        for i, a in enumerate(args):
            if i in self.static_argnums:
                continue
            n = len(tree_flatten(a)[0])
            if i in self.donate_argnums:
                out.extend(range(pos, pos + n))
            pos += n
        return tuple(out)

    def _make_runner(self, entry, leaves, donated=()):
        """A closure: list of ArrayImpl leaves -> the output pytree, with everything precomputed."""
        from .runtime.executable import compile_cached
        tensors = entry.const_tensors + [_concrete_leaf(x)._t for x in leaves]
        nconst = len(entry.const_tensors)
        exe = entry.exe = compile_cached(entry.graph, self.backend, tensors,
                                         tuple(nconst + i for i in donated))
        run_t = exe.run_tensors
        consts = list(entry.const_tensors)
        weaks = list(entry.out_weak)
        tree = entry.out_tree
        from .runtime.executable import EagerExecutable
        if type(exe) is EagerExecutable and len(exe.prog) <= _STRAIGHT_LINE_MAX:
            return _straight_line_runner(exe, consts, len(leaves), weaks, tree)
        if len(weaks) == 1 and treedef_is_leaf(tree):
            w = weaks[0]
            sig = [None]  # the output's signature id, learned on the first run

            def run(args):
                o = ArrayImpl(run_t(consts + [a._t for a in args])[0] if consts else
                              run_t([a._t for a in args])[0], w)
                if sig[0] is None:
                    sig[0] = _array_sig(o)
                else:
                    o._sig = sig[0]
                return o
            return run

        def run(args):
            outs = run_t(consts + [a._t for a in args])
            return tree_unflatten(tree, [ArrayImpl(o, w) for o, w in zip(outs, weaks)])
        return run

    def _bind(self, entry, leaves):
        from .lax.jit_call import jit_call_p
        consts = entry.consts if entry.consts is not None else entry.const_tensors
        outs = jit_call_p.bind(*consts, *leaves, graph=entry.graph,
                               name=getattr(self.fun, "__name__", "jit"), backend=self.backend, donate=())
        return tree_unflatten(entry.out_tree, outs)

    # ---- explaining cache misses (jax_explain_cache_misses) ----
    def _leaf_names(self, dyn_args, dyn_kwargs):
        names = []
        dyn_pos = [i for i in range(len(dyn_args) + len(self.static_argnums))
                   if i not in self.static_argnums]
        for path, _ in tree_flatten_with_path((tuple(dyn_args), dict(dyn_kwargs)))[0]:
            first, rest = path[0], path[1:]
            head = path[1] if len(path) > 1 else None
            if getattr(first, "idx", None) == 0 and head is not None and hasattr(head, "idx"):
                i = dyn_pos[head.idx] if head.idx < len(dyn_pos) else head.idx
                base = self._param_names[i] if i < len(self._param_names) else f"args[{i}]"
                names.append(base + keystr(tuple(path[2:])))
            elif head is not None and hasattr(head, "key"):
                names.append(str(head.key) + keystr(tuple(path[2:])))
            else:
                names.append(keystr(tuple(rest)))
        return names

    def _explain_miss(self, key, dyn_args, dyn_kwargs):
        name = getattr(self.fun, "__name__", "fun")
        code = getattr(self.fun, "__code__", None)
        where = f"{name} defined at {code.co_filename}:{code.co_firstlineno}" if code else name
        names = self._leaf_names(dyn_args, dyn_kwargs)
        if not self._seen:
            log.warning("TRACING CACHE MISS at %s: never seen function:\n  %s", name, where)
            self._seen.append((key, names))
            return

        def score(prev):
            pk = prev[0]
            s = (pk[0] == key[0]) * 4 + (pk[2:4] == key[2:4]) * 2 + (pk[4] == key[4])
            if pk[0] == key[0]:
                s += sum(a == b for a, b in zip(pk[1], key[1])) / (len(key[1]) + 1)
            return s

        prev_key, _ = max(self._seen, key=score)
        ptree, psig, pstat, pskw, pver = prev_key
        tree, sig, stat, skw, ver = key
        lines = []
        if ptree != tree:
            lines.append(f"different input pytree:\n  * now {tree} and before {ptree}")
        if pstat != stat or pskw != skw:
            lines.append("different value of static args:\n  * now "
                         f"{_static_desc(stat, skw, self._param_names)} and before "
                         f"{_static_desc(pstat, pskw, self._param_names)}")
        if ptree == tree:
            diffs = [f"  * at {n}, now {_describe(b, a)} and before {_describe(a, b)}"
                     for n, a, b in zip(names, psig, sig) if a != b]
            if diffs:
                lines.append("different input types:\n" + "\n".join(diffs))
        if pver != ver and not lines:
            lines.append("different config (jaxish.config.update was called since the last trace)")
        self._seen.append((key, names))
        log.warning("TRACING CACHE MISS at %s:\n  for %s\n  all previously seen cache keys differ. "
                    "For the closest previous key:\n  %s", name, where,
                    "\n  ".join(lines) or "unknown reason")

    # ---- AOT ----
    def lower(self, *args, **kwargs):
        dyn_args, dyn_kwargs, statics, skw = self._split(args, kwargs)
        leaves, treedef = tree_flatten((dyn_args, dyn_kwargs))
        leaves = [_as_leaf(x) for x in leaves]
        sigs = tuple(_leaf_sig(x) for x in leaves)
        key = (treedef, sigs, statics, skw, config.version)
        entry = self._cache.get(key) or self._trace(key, leaves, treedef, statics, skw, dyn_args, dyn_kwargs)
        return Lowered(self, entry, self.backend)

    def trace(self, *args, **kwargs):
        return self.lower(*args, **kwargs)

    def eval_shape(self, *args, **kwargs):
        from .api import eval_shape
        return eval_shape(self, *args, **kwargs)

    def clear_cache(self):
        self._cache.clear()
        self._fast.clear()

    def _cache_size(self):
        return len(self._cache)

    def __get__(self, obj, objtype=None):
        if obj is None:
            return self
        return functools.partial(self, obj)


_STRAIGHT_LINE_MAX = 200


def _straight_line_runner(exe, consts, n_args, weaks, tree):
    """The eager backend's program as generated straight-line Python: no env list, no loop, each
    impl called with its operands in place (what the hit path of a small jitted function costs)."""
    ns = {"ArrayImpl": ArrayImpl, "tree_unflatten": tree_unflatten, "_array_sig": _array_sig,
          "tree": tree, "sig": [None]}
    names = {}
    lines = ["def run(args):"]
    for j, c in enumerate(consts):
        ns[f"C{j}"] = c
        names[j] = f"C{j}"
    for i in range(n_args):
        names[len(consts) + i] = f"a{i}"
        lines.append(f"    a{i} = args[{i}]._t")
    for k, (prim, ins, params, outs, multi, fn) in enumerate(exe.prog):
        operands = []
        for j, (is_slot, v) in enumerate(ins):
            if is_slot:
                operands.append(names[v])
            else:
                ns[f"L{k}_{j}"] = v
                operands.append(f"L{k}_{j}")
        ns[f"P{k}"] = params
        if fn is not None:
            ns[f"F{k}"] = fn
            call = f"F{k}([{', '.join(operands)}], P{k})"
        else:
            ns[f"I{k}"] = prim.impl
            call = f"I{k}({', '.join(operands + ([f'**P{k}'] if params else []))})"
        if multi:
            lines.append(f"    r{k} = {call}")
            for m, o in enumerate(outs):
                names[o] = f"s{o}"
                lines.append(f"    s{o} = r{k}[{m}]")
        else:
            names[outs[0]] = f"s{outs[0]}"
            lines.append(f"    s{outs[0]} = {call}")
    results = []
    for m, ((is_slot, v), w) in enumerate(zip(exe.outs, weaks)):
        ns[f"W{m}"] = w
        if is_slot:
            results.append(f"ArrayImpl({names[v]}, W{m})")
        else:  # a literal output: one immutable tensor made now, shared by every call
            from .config import default_device
            ns[f"O{m}"] = torch.tensor(v, dtype=_torch_dtype(exe.out_avals[m].dtype), device=default_device())
            results.append(f"ArrayImpl(O{m}, W{m})")
    if len(weaks) == 1 and treedef_is_leaf(tree):
        lines += [f"    o = {results[0]}",
                  "    s = sig[0]",
                  "    if s is None:",
                  "        sig[0] = _array_sig(o)",
                  "    else:",
                  "        o._sig = s",
                  "    return o"]
    else:
        lines.append(f"    return tree_unflatten(tree, [{', '.join(results)}])")
    exec(compile("\n".join(lines), "<jaxish jit runner>", "exec"), ns)
    return ns["run"]


def _torch_dtype(dtype):
    from .dtypes import to_torch_dtype
    return to_torch_dtype(dtype)


def _static_desc(stat, skw, names):
    parts = [f"{names[i] if i < len(names) else i}={v!r}" for i, v in stat] + [f"{k}={v!r}" for k, v in skw]
    return "{" + ", ".join(parts) + "}"


def _describe(sig, other=None):
    """A leaf signature as the cache-miss log writes it (the device only where it differs)."""
    if isinstance(sig, tuple) and len(sig) == 4:
        shape, dtype, weak, dev = sig
        from . import dtypes
        d = dtypes.dtype_short(dtypes.from_torch_dtype(dtype))
        moved = isinstance(other, tuple) and len(other) == 4 and other[3] != dev
        return f"{d}[{','.join(str(s) for s in shape)}]{'{weak_type=True}' if weak else ''}" + \
            (f" on {dev}" if moved else "")
    if isinstance(sig, type):
        return f"Python {sig.__name__}"
    if hasattr(sig, "str_short"):
        return sig.str_short() + ("{weak_type=True}" if sig.weak_type else "")
    return str(sig)


def jit(fun=None, *, static_argnums=(), static_argnames=(), donate_argnums=(), donate_argnames=(),
        backend=None, device=None, inline=False, keep_unused=False, in_shardings=None,
        out_shardings=None, abstracted_axes=None):
    """Compile `fun` (JAX's jax.jit). backend: "cpp", "triton" or "eager" (default: by device;
    the env JAXISH_BACKEND or config "jaxish_backend" overrides)."""
    if fun is None:
        return lambda f: jit(f, static_argnums=static_argnums, static_argnames=static_argnames,
                             donate_argnums=donate_argnums, donate_argnames=donate_argnames,
                             backend=backend, inline=inline, in_shardings=in_shardings,
                             out_shardings=out_shardings)
    if not callable(fun):
        raise TypeError(f"Expected a callable value, got {fun!r}")
    if backend is not None and backend not in ("cpp", "triton", "eager", "cpu", "gpu", "cuda"):
        raise ValueError(f"Unknown backend {backend!r}; expected 'cpp', 'triton' or 'eager'")
    backend = {"cpu": "cpp", "gpu": "triton", "cuda": "triton"}.get(backend, backend)
    wrapped = JitWrapped(fun, static_argnums, static_argnames, donate_argnums, backend, inline,
                         donate_argnames)
    if in_shardings is not None or out_shardings is not None:
        from .distributed.sharded_jit import ShardedJit  # lays arguments/results out over devices
        return ShardedJit(wrapped, in_shardings, out_shardings)
    return wrapped
