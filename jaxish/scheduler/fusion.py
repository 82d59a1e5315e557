"""Fusion: group scheduler nodes into kernels and build each kernel's staged SSA description.

A group has an iteration space: a full shape F (size-1 dims dropped) and reduced positions A;
P = F without A is the outer (parallel) space, R = F at A the reduction space. A node joins a
group as a *full* member (its loop runs over F: a pointwise node of shape F, or a reduction of
F over A) or an *outer* member (a pointwise node of shape P, run once per outer point). A
pointwise group of shape S also takes a pointwise node of shape S + T (its values broadcast
along trailing dims): the group's members become outer members of the space S x T.
A node may join when the spaces match, every value it reads from the group is read at the very
element the group produced it (so it is a register or a row-local value, never another row),
and no other step has to run in between (no path group -> other step -> node). Producer groups
are tried first (vertical fusion), then recent independent groups (horizontal fusion).

Within a kernel, members get stage levels: a full member runs in the loop stage after the
reductions it reads; an outer member runs after the loop stage whose reductions it reads.
A value produced in one loop stage and read in a later one of the same row lives in a row-local
buffer (kind "local") when nothing outside the kernel needs it.
"""
import dataclasses
import heapq

import numpy as np
import sympy

from . import kernel as K
from .indexing import ZERO, syms, simplify, linear_index, merge_dims, contiguous_strides

HORIZONTAL_WINDOW = 16


def squeezed_space(node):
    """(F, A, nz): the node's loop shape without size-1 dims, reduced positions, kept dims."""
    nz = [d for d, s in enumerate(node.shape) if s != 1]
    F = tuple(node.shape[d] for d in nz)
    A = tuple(k for k, d in enumerate(nz) if d in node.axes) if node.kind == "reduction" else ()
    return F, A, nz


class Member:
    __slots__ = ("node", "role", "level")

    def __init__(self, node, role):
        self.node = node
        self.role = role
        self.level = 0


class Group:
    def __init__(self, gid, node, extern=False):
        self.id = gid
        self.members = []
        self.extern = extern
        self.deps = set()
        if extern:
            self.F, self.A = (), ()
            self.members.append(Member(node, "extern"))
        else:
            self.F, self.A, _ = squeezed_space(node)
            self.members.append(Member(node, "full"))

    @property
    def P(self):
        return tuple(s for k, s in enumerate(self.F) if k not in self.A)

    @property
    def R(self):
        return tuple(self.F[k] for k in self.A)


def space_symbols(F, A):
    """Group symbols per position of F (p's for outer, r's for reduced) plus the lists."""
    p = syms("p", len(F) - len(A))
    r = syms("r", len(A))
    full, pi, ri = [], 0, 0
    for k in range(len(F)):
        if k in A:
            full.append(r[ri])
            ri += 1
        else:
            full.append(p[pi])
            pi += 1
    return full, p, r


def member_map(node, role, F, A):
    """Substitution: the node's local symbols i0.. -> group symbols."""
    _, _, nz = squeezed_space(node)
    full, p, _ = space_symbols(F, A)
    targets = full if role == "full" else p
    local = syms("i", len(node.shape))
    m = {s: ZERO for s in local}
    for k, d in enumerate(nz):
        m[local[d]] = targets[k]
    return m


def _ranges(F, A):
    full, _, _ = space_symbols(F, A)
    return dict(zip(full, F))


def role_for(group, node):
    """(role, F, A, demote) if `node`'s space fits `group`, else None. demote: the group's
    members become outer members of a new, larger space (a value computed once per row and
    broadcast along the node's trailing dimensions)."""
    F, A, _ = squeezed_space(node)
    if node.kind == "reduction":
        if F == group.F and (A == group.A or not group.A):
            if not group.A and any(m.role == "outer" for m in group.members):
                return None
            return "full", F, A, False
        return None
    if F == group.F:
        return "full", F, group.A, False
    if group.A and F == group.P:
        return "outer", group.F, group.A, False
    if (not group.A and len(F) > len(group.F) and F[:len(group.F)] == group.F
            and all(m.node.kind == "pointwise" for m in group.members)):
        return "full", F, tuple(range(len(group.F), len(F))), True
    return None


class Fuser:
    def __init__(self, nodes, buffers, outputs):
        self.nodes = nodes
        self.buffers = buffers
        self.groups = []
        self.group_of = {}        # node id -> group
        self.producer = {}        # buffer -> node
        self.readers = {}         # buffer -> set of node ids
        self.outputs = {o for o in outputs if isinstance(o, str)}
        for n in nodes:
            for b in n.writes:
                self.producer[b] = n
            for b in n.reads:
                self.readers.setdefault(b, set()).add(id(n))

    # -- grouping --
    def _dep_groups(self, node):
        out = set()
        for b in node.reads:
            p = self.producer.get(b)
            if p is not None:
                out.add(self.group_of[id(p)].id)
        return out

    def _ancestors(self, gid, memo):
        hit = memo.get(gid)
        if hit is not None:
            return hit
        memo[gid] = set()
        acc = set()
        for d in self.groups[gid].deps:
            acc.add(d)
            acc |= self._ancestors(d, memo)
        memo[gid] = acc
        return acc

    def _legal(self, group, node, role, F, A, demote, deps):
        memo = {}
        for h in deps:
            if h != group.id and group.id in self._ancestors(h, memo):
                return False
        ranges = _ranges(F, A)
        nmap = member_map(node, role, F, A)
        produced = {}
        for m in group.members:
            mm = member_map(m.node, "outer" if demote else m.role, F, A)
            for b, idx, _ in m.node.stores:
                produced[b] = simplify(idx.xreplace(mm), ranges)
        for op in node.body.ops:
            if type(op) is K.Load and op.buffer in produced:
                if simplify(op.index.xreplace(nmap), ranges) != produced[op.buffer]:
                    return False
        return True

    def run(self):
        for node in self.nodes:
            deps = self._dep_groups(node)
            if node.kind == "extern":
                g = Group(len(self.groups), node, extern=True)
                g.deps = deps
                self.groups.append(g)
                self.group_of[id(node)] = g
                continue
            chosen = None
            cands = sorted((d for d in deps if not self.groups[d].extern), reverse=True)
            seen = set(cands)
            for g in reversed(self.groups[-HORIZONTAL_WINDOW:]):
                if g.id not in seen and not g.extern:
                    cands.append(g.id)
            for gid in cands:
                g = self.groups[gid]
                fit = role_for(g, node)
                if fit is None:
                    continue
                if self._legal(g, node, *fit, deps):
                    chosen = (g, *fit)
                    break
            if chosen is None:
                g = Group(len(self.groups), node)
                g.deps = deps
                self.groups.append(g)
            else:
                g, role, F, A, demote = chosen
                if demote:
                    for m in g.members:
                        m.role = "outer"
                g.F, g.A = F, A
                g.members.append(Member(node, role))
                g.deps |= deps - {g.id}
            self.group_of[id(node)] = g
        return self.ordered_groups()

    def ordered_groups(self):
        indeg = {g.id: len(g.deps) for g in self.groups}
        users = {g.id: [] for g in self.groups}
        for g in self.groups:
            for d in g.deps:
                users[d].append(g.id)
        ready = [gid for gid, n in indeg.items() if n == 0]
        heapq.heapify(ready)
        order = []
        while ready:
            gid = heapq.heappop(ready)
            order.append(self.groups[gid])
            for u in users[gid]:
                indeg[u] -= 1
                if indeg[u] == 0:
                    heapq.heappush(ready, u)
        assert len(order) == len(self.groups), "fusion produced a cycle"
        return order

    def kept(self, buffer, group):
        """Whether a buffer produced in `group` must exist in memory."""
        if buffer in self.outputs:
            return True
        for nid in self.readers.get(buffer, ()):
            if self.group_of[nid] is not group:
                return True
        return False


# ---- kernel assembly ------------------------------------------------------------------------
class _Emitter:
    def __init__(self):
        self.count = 0
        self.stages = {}          # key -> (Stage, cse dict)
        self.dtype = {}

    def stage(self, kind, level):
        key = (level, 0 if kind == "outer" else 1)
        st = self.stages.get(key)
        if st is None:
            st = self.stages[key] = (K.Stage(kind), {})
        return st

    def emit(self, where, key, make, dtype):
        stage, cse = where
        if key is not None:
            hit = cse.get(key)
            if hit is not None:
                return hit
        name = f"v{self.count}"
        self.count += 1
        stage.ops.append(make(name))
        if dtype is not None:
            self.dtype[name] = np.dtype(dtype)
        if key is not None:
            cse[key] = name
        return name

    def ordered(self):
        return [self.stages[k][0] for k in sorted(self.stages) if self.stages[k][0].ops]


def _assign_levels(group, producer_member):
    for m in group.members:
        lvl = 0
        for op in m.node.body.ops:
            if type(op) is not K.Load:
                continue
            d = producer_member.get(op.buffer)
            if d is None:
                continue
            if m.role == "outer":
                lvl = max(lvl, d.level + 1 if d.role == "full" else d.level)
            elif d.role == "outer":
                lvl = max(lvl, d.level)
            elif d.node.kind == "reduction":
                lvl = max(lvl, d.level + 1)
            else:
                lvl = max(lvl, d.level)
        m.level = lvl


def build_kernel(name, group, fuser, buffers):
    F, A = group.F, group.A
    full, psyms, rsyms = space_symbols(F, A)
    P, R = group.P, group.R
    ranges = dict(zip(full, F))
    has_loop = bool(A)
    producer_member = {}
    for m in group.members:
        for b, _, _ in m.node.stores:
            producer_member[b] = m
    _assign_levels(group, producer_member)
    # which eliminated buffers are read in a later loop stage than produced (-> local rows)
    needs_local = set()
    for m in group.members:
        for op in m.node.body.ops:
            if type(op) is K.Load and op.buffer in producer_member:
                d = producer_member[op.buffer]
                if (d.role == "full" and d.node.kind != "reduction" and m.role == "full"
                        and m.level > d.level and not fuser.kept(op.buffer, group)):
                    needs_local.add(op.buffer)
    em = _Emitter()
    produced = {}             # buffer -> kernel value
    local_of = {}
    rlin = linear_index(rsyms, R)
    for m in group.members:
        nmap = member_map(m.node, m.role, F, A)
        if not has_loop:
            body_where = store_where = em.stage("outer", 0)
        elif m.role == "outer":
            body_where = store_where = em.stage("outer", m.level)
        else:
            body_where = em.stage("loop", m.level)
            store_where = em.stage("outer", m.level + 1) if m.node.kind == "reduction" else body_where
        ren = {}

        def idx_of(e):
            return simplify(e.xreplace(nmap), ranges)
        for op in m.node.body.ops:
            t = type(op)
            if t is K.Load:
                d = producer_member.get(op.buffer)
                if d is not None:
                    same_stage = not has_loop or d.role == "outer" or d.node.kind == "reduction" \
                        or d.level == m.level
                    if same_stage:
                        ren[op.out] = produced[op.buffer]
                        continue
                    if op.buffer in local_of:
                        lb = local_of[op.buffer]
                        ren[op.out] = em.emit(body_where, ("load", lb, rlin),
                                              lambda n, lb=lb, dt=op.dtype: K.Load(n, dt, lb, rlin), op.dtype)
                        continue
                idx = idx_of(op.index)
                ren[op.out] = em.emit(body_where, ("load", op.buffer, idx),
                                      lambda n, op=op, idx=idx: K.Load(n, op.dtype, op.buffer, idx), op.dtype)
            elif t is K.Const:
                ren[op.out] = em.emit(body_where, ("const", op.value, op.dtype.str, type(op.value)),
                                      lambda n, op=op: K.Const(n, op.dtype, op.value), op.dtype)
            elif t is K.IndexValue:
                e = idx_of(op.expr)
                ren[op.out] = em.emit(body_where, ("index", e, op.dtype.str),
                                      lambda n, op=op, e=e: K.IndexValue(n, op.dtype, e), op.dtype)
            elif t is K.Compute:
                args = tuple(ren[a] for a in op.args)
                ren[op.out] = em.emit(body_where, ("op", op.op, args, op.dtype.str, op.params),
                                      lambda n, op=op, args=args: K.Compute(n, op.dtype, op.op, args, op.params),
                                      op.dtype)
            elif t is K.Reduce:
                e = idx_of(op.index) if op.index is not None else None
                arg = ren[op.arg]
                ren[op.out] = em.emit(body_where, None,
                                      lambda n, op=op, e=e, arg=arg: K.Reduce(n, op.dtype, op.op, arg, e), op.dtype)
        for b, idx, v in m.node.stores:
            val = ren[v]
            produced[b] = val
            if fuser.kept(b, group):
                i = idx_of(idx)
                em.emit(store_where, None, lambda n, b=b, i=i, val=val: K.Store(b, i, val), None)
            elif b in needs_local:
                lb = f"loc{len(buffers)}"
                buffers[lb] = K.Buffer(lb, R, buffers[b].dtype, contiguous_strides(R), "local")
                local_of[b] = lb
                em.emit(store_where, None, lambda n, lb=lb, val=val: K.Store(lb, rlin, val), None)
    stages = em.ordered()
    kern = K.Kernel(name, tuple(P), tuple(R), stages,
                    origin=list(dict.fromkeys(o for m in group.members for o in m.node.origin)))
    _simplify_loops(kern, psyms, rsyms, buffers)
    kern.bytes_read = sum(buffers[b].nbytes for b in kern.reads if buffers[b].kind != "local")
    kern.bytes_written = sum(buffers[b].nbytes for b in kern.writes if buffers[b].kind != "local")
    return kern


_INDEXED = {K.Load: "index", K.Store: "index", K.IndexValue: "expr", K.Reduce: "index"}


def _simplify_loops(kern, psyms, rsyms, buffers):
    """Merge adjacent loop dims whose index arithmetic stays division-free; rename symbols."""
    refs = []
    for st in kern.stages:
        for i, op in enumerate(st.ops):
            f = _INDEXED.get(type(op))
            if f is not None and getattr(op, f) is not None:
                refs.append((st, i, f))
    exprs = [getattr(st.ops[i], f) for st, i, f in refs]
    ranges = dict(zip(psyms, kern.ranges))
    ranges.update(zip(rsyms, kern.reduce_ranges))
    ps, pz, exprs = merge_dims(psyms, kern.ranges, exprs, ranges)
    ranges = dict(zip(ps, pz))
    ranges.update(zip(rsyms, kern.reduce_ranges))
    rs, rz, exprs = merge_dims(rsyms, kern.reduce_ranges, exprs, ranges)
    rename = dict(zip(ps, syms("p", len(ps))))
    rename.update(zip(rs, syms("r", len(rs))))
    new_ranges = {rename[s]: n for s, n in zip(ps, pz)}
    new_ranges.update({rename[s]: n for s, n in zip(rs, rz)})
    for (st, i, f), e in zip(refs, exprs):
        e = simplify(sympy.sympify(e).xreplace(rename), new_ranges)
        op = st.ops[i]
        st.ops[i] = _replace(op, f, e)
    kern.ranges = tuple(pz)
    kern.reduce_ranges = tuple(rz)


def _replace(op, field, value):
    return dataclasses.replace(op, **{field: value})
