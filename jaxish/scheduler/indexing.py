"""Symbolic index arithmetic (sympy): loop symbols, floor division and modulo that simplify
against known loop ranges, contiguous offsets, and merging of adjacent loop dimensions."""
import functools

import sympy
from sympy import Integer

ZERO = Integer(0)
ONE = Integer(1)


@functools.lru_cache(maxsize=None)
def sym(name):
    """An index symbol: a non-negative integer loop variable."""
    return sympy.Symbol(name, integer=True, nonnegative=True)


def syms(prefix, n):
    return [sym(f"{prefix}{k}") for k in range(n)]


def _split_multiples(base, divisor):
    """(sum of terms of `base` whose integer coefficient divisor divides, the other terms)."""
    terms = base.args if base.is_Add else (base,)
    mult, rest = [], []
    for t in terms:
        c, m = t.as_coeff_Mul()
        if c.is_Integer and c % divisor == 0:
            mult.append(Integer(c // divisor) * m)
        else:
            rest.append(t)
    return sympy.Add(*mult), sympy.Add(*rest)


class FloorDiv(sympy.Function):
    """floor(base / divisor) for integer base and a positive integer divisor."""
    is_integer = True
    nargs = 2

    @classmethod
    def eval(cls, base, divisor):
        if divisor == 1:
            return base
        if base.is_Integer and divisor.is_Integer:
            return Integer(int(base) // int(divisor))
        if base == 0:
            return ZERO
        if not divisor.is_Integer:
            return None
        if isinstance(base, FloorDiv):
            return FloorDiv(base.args[0], base.args[1] * divisor)
        mult, rest = _split_multiples(base, divisor)
        if mult != 0:
            return mult + FloorDiv(rest, divisor)
        return None

    def _eval_is_nonnegative(self):
        return self.args[0].is_nonnegative


class Mod(sympy.Function):
    """base mod divisor (a non-negative result) for integer base, positive integer divisor."""
    is_integer = True
    nargs = 2

    @classmethod
    def eval(cls, base, divisor):
        if divisor == 1:
            return ZERO
        if base.is_Integer and divisor.is_Integer:
            return Integer(int(base) % int(divisor))
        if base == 0:
            return ZERO
        if not divisor.is_Integer:
            return None
        if isinstance(base, Mod) and base.args[1].is_Integer and int(base.args[1]) % int(divisor) == 0:
            return Mod(base.args[0], divisor)
        mult, rest = _split_multiples(base, divisor)
        if mult != 0:
            return Mod(rest, divisor)
        return None

    def _eval_is_nonnegative(self):
        return True


def bounds(expr, ranges):
    """(lo, hi) integer bounds of `expr` given symbol -> size, or None when unknown."""
    if expr.is_Integer:
        v = int(expr)
        return v, v
    if expr.is_Symbol:
        n = ranges.get(expr)
        if n is None:
            return None
        return 0, max(int(n) - 1, 0)
    if expr.is_Add:
        lo = hi = 0
        for a in expr.args:
            b = bounds(a, ranges)
            if b is None:
                return None
            lo += b[0]
            hi += b[1]
        return lo, hi
    if expr.is_Mul:
        lo = hi = 1
        for a in expr.args:
            b = bounds(a, ranges)
            if b is None:
                return None
            cands = [lo * b[0], lo * b[1], hi * b[0], hi * b[1]]
            lo, hi = min(cands), max(cands)
        return lo, hi
    if isinstance(expr, FloorDiv):
        b = bounds(expr.args[0], ranges)
        d = int(expr.args[1])
        if b is None:
            return None
        return b[0] // d, b[1] // d
    if isinstance(expr, Mod):
        d = int(expr.args[1])
        b = bounds(expr.args[0], ranges)
        if b is not None and 0 <= b[0] and b[1] < d:
            return b
        return 0, d - 1
    return None


def simplify(expr, ranges):
    """Simplify floor divisions and modulos of `expr` using loop ranges (symbol -> size):
    drop those whose operand is provably in [0, divisor), and fold d*(x//d) + x%d into x."""
    if expr.is_Integer or expr.is_Symbol:
        return expr
    if not expr.has(FloorDiv, Mod):
        return expr
    args = [simplify(a, ranges) for a in expr.args]
    if isinstance(expr, (FloorDiv, Mod)):
        base, d = args
        b = bounds(base, ranges)
        if b is not None and b[0] >= 0 and b[1] < int(d):
            return ZERO if isinstance(expr, FloorDiv) else base
        return type(expr)(base, d)
    expr = expr.func(*args)
    if expr.is_Add:
        expr = _fold_div_mod(expr)
    return expr


def _fold_div_mod(expr):
    """c*d*FloorDiv(x, d) + c*Mod(x, d) -> c*x, repeatedly."""
    changed = True
    while changed and expr.is_Add:
        changed = False
        terms = list(expr.args)
        mods = {}
        for i, t in enumerate(terms):
            c, m = t.as_coeff_Mul()
            if isinstance(m, Mod):
                mods[(m.args[0], m.args[1])] = (i, c)
        for i, t in enumerate(terms):
            c, m = t.as_coeff_Mul()
            if isinstance(m, FloorDiv):
                key = (m.args[0], m.args[1])
                hit = mods.get(key)
                if hit is not None and hit[1] * m.args[1] == c:
                    j, cm = hit
                    new = [u for k, u in enumerate(terms) if k not in (i, j)] + [cm * m.args[0]]
                    expr = sympy.Add(*new)
                    changed = True
                    break
    return expr


def contiguous_strides(shape):
    strides, acc = [], 1
    for d in reversed(shape):
        strides.append(acc)
        acc *= d
    return tuple(reversed(strides))


def offset(index, strides):
    """Flat element offset of a multi-index under `strides` (size-1 dims contribute nothing)."""
    e = ZERO
    for i, s in zip(index, strides):
        if s != 0 and i != 0:
            e = e + i * s
    return e


def linear_index(index, shape):
    return offset(index, contiguous_strides(shape))


def count_divmod(expr):
    return sum(1 for a in sympy.preorder_traversal(expr) if isinstance(a, (FloorDiv, Mod)))


def merge_dims(symbols, sizes, exprs, ranges):
    """Merge adjacent loop dimensions where every expression stays free of division.

    symbols/sizes describe one loop nest (outermost first); `exprs` are all index expressions
    that use them; `ranges` maps every symbol in play to its size. Returns (symbols, sizes,
    exprs) after merging."""
    symbols, sizes, exprs = list(symbols), list(sizes), list(exprs)
    k = len(symbols) - 2
    while k >= 0:
        a, b = symbols[k], symbols[k + 1]
        na, nb = sizes[k], sizes[k + 1]
        q = a  # reuse the outer symbol for the merged dimension
        rng = dict(ranges)
        rng.pop(b, None)
        rng[q] = na * nb
        repl = {a: FloorDiv(q, Integer(nb)), b: Mod(q, Integer(nb))}
        new = []
        ok = True
        for e in exprs:
            if not (e.has(a) or e.has(b)):
                new.append(e)
                continue
            ne = simplify(e.xreplace(repl), rng)
            if count_divmod(ne) > count_divmod(e):
                ok = False
                break
            new.append(ne)
        if ok:
            exprs = new
            ranges = rng
            del symbols[k + 1]
            sizes[k] = na * nb
            del sizes[k + 1]
        k -= 1
    return symbols, sizes, exprs
