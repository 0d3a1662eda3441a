#!/usr/bin/env python3
"""gen_history.py: writes a synthetic migration history for the benchmarks.

    gen_history.py [--seed S] [--width W] N OUTDIR

Writes N files `<version>_<slug>.mig` (versions 1..N, zero-padded to W
digits, default 6) into OUTDIR, which must be empty or absent. The history is
a realistic mix of the statements of DESIGN §1 that a team writes most:
create_table (with identity keys, defaults, foreign keys to earlier tables),
add_column (nullable, or not null with a default), backfill (plain and
batched), alter_column set not null after a backfill that proves it,
set/drop default, create_index / drop_index (plain, unique, multi-column,
partial), insert, rename_column, and the odd drop_column with
`allow data_loss`. Every statement is transactional (no `concurrently`, no
raw SQL), so the same history can be applied with `up --single-transaction`.

The generator keeps its own model of the schema so that every history it
writes passes `migc check --strict`: it only names what exists, gives every
`not null` column added to a table a default, and only sets a column NOT NULL
after a `backfill … where <col> is null` with a non-null value. The output is
a pure function of (N, seed, width).

Exits 0 on success, 2 on bad usage or a non-empty OUTDIR.
"""
import argparse
import os
import random
import sys

WORDS = [
    "users", "orgs", "projects", "issues", "comments", "events", "orders",
    "invoices", "payments", "products", "carts", "sessions", "teams",
    "labels", "tags", "notes", "files", "uploads", "audits", "webhooks",
    "tokens", "plans", "subscriptions", "shipments", "reviews", "messages",
]
COLUMN_WORDS = [
    "title", "status", "amount", "note", "score", "kind", "email", "slug",
    "priority", "region", "currency", "source", "rank", "weight", "label",
    "flag", "seen_at", "closed_at", "total", "quantity",
]
# migc type -> (a literal of that type, a non-null backfill expression template)
TYPES = {
    "text": ("'n/a'", "coalesce({other_text}, 'unknown')"),
    "varchar(100)": ("'x'", "'pending'"),
    "int": ("0", "length({other_text_nn}) * 2"),
    "bigint": ("0", "id * 10"),
    "bool": ("false", "true"),
    "numeric(12,2)": ("0.00", "1.50"),
    "timestamptz": ("now()", "now()"),
}
TYPE_WEIGHTS = [("text", 5), ("varchar(100)", 1), ("int", 3), ("bigint", 2),
                ("bool", 2), ("numeric(12,2)", 1), ("timestamptz", 2)]


class Column:
    def __init__(self, name, ty, nullable, has_default):
        self.name = name
        self.ty = ty
        self.nullable = nullable
        self.has_default = has_default
        self.backfilled = False   # a proving backfill ran since it was added
        self.indexed = 0          # create_index indexes that use it


class Table:
    def __init__(self, name):
        self.name = name
        self.cols = {}            # name -> Column, in creation order
        self.indexes = {}         # index name -> list of column names
        self.next_col = 0
        self.fk_cols = set()      # columns with a foreign key (never dropped)

    def new_col_name(self, rng):
        self.next_col += 1
        return "%s_%d" % (rng.choice(COLUMN_WORDS), self.next_col)


class Gen:
    def __init__(self, seed):
        self.rng = random.Random(seed)
        self.tables = []
        self.next_table = 0

    def pick_type(self):
        r = self.rng.uniform(0, sum(w for _, w in TYPE_WEIGHTS))
        for ty, w in TYPE_WEIGHTS:
            r -= w
            if r <= 0:
                return ty
        return "text"

    def pick_table(self):
        # Recent tables are touched more often, as in a real project.
        n = len(self.tables)
        i = n - 1 - min(n - 1, int(self.rng.expovariate(1.0 / max(1.0, n / 4.0))))
        return self.tables[i]

    # ---- statements: each returns (slug, [lines]) or None if not possible ----

    def create_table(self):
        self.next_table += 1
        t = Table("%s_%d" % (self.rng.choice(WORDS), self.next_table))
        lines = ["create_table %s {" % t.name,
                 "  id bigint identity primary key,"]
        t.cols["id"] = Column("id", "bigint", False, True)
        name = t.new_col_name(self.rng)
        lines.append("  %s text not null," % name)
        t.cols[name] = Column(name, "text", False, False)
        extra = []
        if self.tables and self.rng.random() < 0.5:
            parent = self.pick_table()
            fk = "%s_id" % parent.name
            if len(fk) <= 63 and fk not in t.cols:
                lines.append("  %s bigint references %s(id) on delete cascade," % (fk, parent.name))
                t.cols[fk] = Column(fk, "bigint", True, False)
                t.fk_cols.add(fk)
                extra.append(self.index_on(t, [fk]))
        for _ in range(self.rng.randint(1, 4)):
            name = t.new_col_name(self.rng)
            ty = self.pick_type()
            if self.rng.random() < 0.4:
                lines.append("  %s %s not null default %s," % (name, ty, TYPES[ty][0]))
                t.cols[name] = Column(name, ty, False, True)
            else:
                lines.append("  %s %s," % (name, ty))
                t.cols[name] = Column(name, ty, True, False)
        lines.append("  created_at timestamptz not null default now()")
        t.cols["created_at"] = Column("created_at", "timestamptz", False, True)
        lines.append("}")
        self.tables.append(t)
        lines.extend(extra)
        return "create_%s" % t.name, lines

    def index_on(self, t, cols, unique=False, where=None):
        name = "%s_%s_%s" % (t.name, "_".join(cols), "key" if unique else "idx")
        if len(name) > 63 or name in t.indexes:
            name = "%s_ix%d" % (t.name, len(t.indexes) + 1)
            if name in t.indexes:
                return "-- (index skipped)"
        t.indexes[name] = list(cols)
        for c in cols:
            t.cols[c].indexed += 1
        s = "create_index %s on %s (%s)" % (name, t.name, ", ".join(cols))
        if unique:
            s += " unique"
        if where:
            s += " where " + where
        return s

    def add_column(self):
        t = self.pick_table()
        if len(t.cols) >= 24:
            return None
        name = t.new_col_name(self.rng)
        ty = self.pick_type()
        if self.rng.random() < 0.3:
            t.cols[name] = Column(name, ty, False, True)
            return "add_%s_to_%s" % (name, t.name), [
                "add_column %s.%s %s not null default %s" % (t.name, name, ty, TYPES[ty][0])]
        t.cols[name] = Column(name, ty, True, False)
        return "add_%s_to_%s" % (name, t.name), ["add_column %s.%s %s" % (t.name, name, ty)]

    def text_col(self, t, nullable):
        cands = [c.name for c in t.cols.values()
                 if c.ty == "text" and (nullable or not c.nullable)]
        return self.rng.choice(cands) if cands else None

    def backfill(self):
        t = self.pick_table()
        cands = [c for c in t.cols.values() if c.nullable and not c.backfilled and c.name not in t.fk_cols]
        if not cands:
            return None
        c = self.rng.choice(cands)
        tmpl = TYPES[c.ty][1]
        other = self.text_col(t, True)
        other_nn = self.text_col(t, False)
        if "{other_text_nn}" in tmpl and other_nn is None:
            tmpl = TYPES[c.ty][0]
        if "{other_text}" in tmpl and (other is None or other == c.name):
            tmpl = "'unknown'"
        value = tmpl.format(other_text=other, other_text_nn=other_nn)
        s = "backfill %s set %s = %s where %s is null" % (t.name, c.name, value, c.name)
        if self.rng.random() < 0.3:
            s += " batch 10000"
        c.backfilled = True
        return "backfill_%s_%s" % (t.name, c.name), [s]

    def set_not_null(self):
        t = self.pick_table()
        cands = [c for c in t.cols.values() if c.nullable and c.backfilled]
        if not cands:
            return None
        c = self.rng.choice(cands)
        c.nullable = False
        return "require_%s_%s" % (t.name, c.name), [
            "alter_column %s.%s set not null" % (t.name, c.name)]

    def drop_not_null(self):
        t = self.pick_table()
        cands = [c for c in t.cols.values()
                 if not c.nullable and c.name not in ("id",) and c.indexed == 0]
        if not cands:
            return None
        c = self.rng.choice(cands)
        c.nullable = True
        c.backfilled = False
        return "relax_%s_%s" % (t.name, c.name), [
            "alter_column %s.%s drop not null" % (t.name, c.name)]

    def set_default(self):
        t = self.pick_table()
        cands = [c for c in t.cols.values() if c.name != "id" and c.name not in t.fk_cols]
        if not cands:
            return None
        c = self.rng.choice(cands)
        if c.has_default and self.rng.random() < 0.3 and c.nullable:
            c.has_default = False
            return "drop_default_%s_%s" % (t.name, c.name), [
                "alter_column %s.%s drop default" % (t.name, c.name)]
        c.has_default = True
        return "default_%s_%s" % (t.name, c.name), [
            "alter_column %s.%s set default %s" % (t.name, c.name, TYPES[c.ty][0])]

    def create_index(self):
        t = self.pick_table()
        cols = [c for c in t.cols.values() if c.name != "id"]
        if not cols:
            return None
        r = self.rng.random()
        if r < 0.6:
            c = self.rng.choice(cols)
            where = "%s is not null" % c.name if c.nullable and self.rng.random() < 0.3 else None
            s = self.index_on(t, [c.name], where=where)
        elif r < 0.85 and len(cols) >= 2:
            a, b = self.rng.sample(cols, 2)
            s = self.index_on(t, [a.name, b.name])
        else:
            c = self.rng.choice(cols)
            s = self.index_on(t, [c.name, "id"], unique=True)
        return "index_%s" % t.name, [s]

    def drop_index(self):
        t = self.pick_table()
        if not t.indexes:
            return None
        name = self.rng.choice(sorted(t.indexes))
        for c in t.indexes.pop(name):
            t.cols[c].indexed -= 1
        return "drop_%s" % name, ["drop_index %s" % name]

    def rename_column_safe(self):
        t = self.pick_table()
        cands = [c for c in t.cols.values()
                 if c.name not in ("id", "created_at") and c.name not in t.fk_cols and c.indexed == 0]
        if not cands:
            return None
        c = self.rng.choice(cands)
        old = c.name
        new = t.new_col_name(self.rng)
        t.cols = {(new if k == old else k): v for k, v in t.cols.items()}
        c.name = new
        return "rename_%s_in_%s" % (old, t.name), [
            "rename_column %s.%s to %s" % (t.name, old, new)]

    def drop_column(self):
        t = self.pick_table()
        cands = [c for c in t.cols.values()
                 if c.name not in ("id", "created_at") and c.name not in t.fk_cols and c.indexed == 0]
        # keep at least one not-null text column for inserts and backfills
        cands = [c for c in cands if not (c.ty == "text" and not c.nullable)]
        if not cands:
            return None
        c = self.rng.choice(cands)
        del t.cols[c.name]
        return "drop_%s_from_%s" % (c.name, t.name), [
            "drop_column %s.%s allow data_loss" % (t.name, c.name)]

    def insert(self):
        t = self.pick_table()
        need = [c for c in t.cols.values() if c.name != "id" and not c.nullable and not c.has_default]
        cols = need[:]
        rows = []
        for _ in range(self.rng.randint(1, 3)):
            rows.append("(%s)" % ", ".join(TYPES[c.ty][0] for c in cols))
        if not cols:
            # every column has a default or is nullable: insert one text value
            opt = [c for c in t.cols.values() if c.name != "id" and c.ty == "text"]
            if not opt:
                return None
            cols = [opt[0]]
            rows = ["('seed')"]
        # rows written here hold NULL in every nullable column they skip:
        # an earlier backfill no longer proves those columns NULL-free
        for c in t.cols.values():
            if c.nullable and c not in cols:
                c.backfilled = False
        return "seed_%s" % t.name, [
            "insert into %s (%s) values %s" % (t.name, ", ".join(c.name for c in cols), ", ".join(rows))]

    # ---- one migration ---------------------------------------------------------

    MIX = [  # (weight, method)
        (8, "create_table"), (24, "add_column"), (14, "backfill"),
        (10, "set_not_null"), (2, "drop_not_null"), (6, "set_default"),
        (18, "create_index"), (4, "drop_index"), (3, "rename_column_safe"),
        (2, "drop_column"), (5, "insert"),
    ]

    def one_change(self):
        if not self.tables:
            return self.create_table()
        total = sum(w for w, _ in self.MIX)
        for _ in range(50):
            r = self.rng.uniform(0, total)
            for w, m in self.MIX:
                r -= w
                if r <= 0:
                    break
            out = getattr(self, m)()
            if out is not None:
                return out
        return self.create_table()

    def migration(self):
        slug, lines = self.one_change()
        # about one migration in four carries a second, related change
        if self.rng.random() < 0.25 and len(self.tables) > 0:
            more = self.one_change()
            lines = lines + more[1]
        return slug, lines


def main():
    ap = argparse.ArgumentParser(description="write a synthetic migc migration history")
    ap.add_argument("n", type=int, help="number of migrations")
    ap.add_argument("outdir", help="directory to create (must be empty or absent)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--width", type=int, default=6, help="zero-padded version width")
    a = ap.parse_args()
    if a.n < 1:
        print("gen_history.py: error: N must be at least 1", file=sys.stderr)
        return 2
    os.makedirs(a.outdir, exist_ok=True)
    if os.listdir(a.outdir):
        print("gen_history.py: error: %s is not empty; remove it first" % a.outdir, file=sys.stderr)
        return 2
    g = Gen(a.seed)
    for v in range(1, a.n + 1):
        slug, lines = g.migration()
        slug = slug[:80]
        path = os.path.join(a.outdir, "%0*d_%s.mig" % (a.width, v, slug))
        with open(path, "w") as f:
            f.write("-- generated by bench/gen_history.py (seed %d)\n" % a.seed)
            f.write("\n".join(lines) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
