#!/usr/bin/env python3
"""bench.py: measures what migc costs, against the raw database clients and dbmate.

    bench.py --migc MIGC --source SRC --build BUILD --work WORK --pg-state STATE
             [--runs K] [--quick] [--sections 1,2,3,4,5,6] [--results FILE]
             [--dbmate VERSION|PATH|none]

Called by bench/run.sh, which builds migc and the runtime and starts (and
stops) a throwaway PostgreSQL cluster; see bench/README.md. The sections:

  1. `migc build` wall time and peak RSS for N = 1,000, 10,000, 100,000
     generated migrations (bench/gen_history.py), and the ratio per 10x;
  2. applying N = 1,000 migrations to an empty SQLite file and an empty
     PostgreSQL database (`up --single-transaction` and per-migration),
     against `sqlite3` and `psql -X -1 -f` running `migc sql`'s script;
  3. a no-op `up` at head (whole process), static and dynamic binary,
     against the raw client's connect + one query;
  4. a batched backfill (batch 10,000) of 1,000,000 rows against one plain
     UPDATE of the same rows, on both databases;
  5. the size of the static and of the dynamic binary;
  6. side by side with dbmate (Go), in the same run: applying the same
     1,000 migrations (exported with `migc sql --format dbmate`) to an
     empty SQLite file and PostgreSQL database with `dbmate up` against
     `migc up` and `migc up --single-transaction`, and a no-op up at head.
     dbmate is installed on demand with npm into WORK/tools (pinned,
     --dbmate or MIGC_BENCH_DBMATE pick another version or a binary);
     without it the rows say why. Alembic is not measured (PyPI was not
     reachable where this was written).

Every measurement is a whole process, timed from spawn to exit with
os.wait4 (which also gives its peak RSS); medians of several runs with the
min-max range. Setup (creating a database, copying a file) is never timed.
A section that cannot run says why in the table and in RESULTS.md instead of
failing the whole run. Exit status: 0 when the run completed (whatever the
numbers), 2 on bad usage, 3 when nothing could be measured at all.
"""
import argparse
import datetime
import os
import platform
import re
import resource
import shutil
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))


# ---- processes ------------------------------------------------------------------

class Failed(Exception):
    """A command that had to succeed did not; the message quotes its stderr."""


LAST_CPU = [0.0]   # user + system seconds of the last run_timed child


def limit_memory():
    """In the child before exec: caps its address space at --mem-limit-mb so
    that a compiler that grows without bound fails alone instead of pushing
    a shared machine into the OOM killer."""
    lim = ARGS.mem_limit_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (lim, lim))


def run_timed(argv, env=None, stdin_path=None, cwd=None, check=True, timeout=None):
    """Runs argv to completion with stdout discarded; returns (seconds, peak
    RSS in KiB, exit code). Raises Failed with the stderr tail when check is
    set and the exit code is not 0, or when it runs longer than timeout
    seconds (then it is killed)."""
    errpath = os.path.join(ARGS.work, ".stderr")
    with open(errpath, "w+b") as err:
        stdin = open(stdin_path, "rb") if stdin_path else subprocess.DEVNULL
        try:
            t0 = time.perf_counter()
            p = subprocess.Popen(argv, stdin=stdin, stdout=subprocess.DEVNULL, stderr=err,
                                 env=env, cwd=cwd, preexec_fn=limit_memory)
            if timeout:
                while True:
                    pid, status, ru = os.wait4(p.pid, os.WNOHANG)
                    if pid:
                        break
                    if time.perf_counter() - t0 > timeout:
                        p.kill()
                        os.wait4(p.pid, 0)
                        raise Failed("%s timed out after %.0f s (killed)" % (os.path.basename(argv[0]), timeout))
                    time.sleep(0.01)
            else:
                _, status, ru = os.wait4(p.pid, 0)
            t1 = time.perf_counter()
            p.returncode = os.waitstatus_to_exitcode(status)
        finally:
            if stdin_path:
                stdin.close()
        if check and p.returncode != 0:
            err.seek(0)
            tail = err.read().decode(errors="replace").strip().splitlines()[-6:]
            raise Failed("%s exited %d after %.1f s: %s" % (os.path.basename(argv[0]), p.returncode,
                                                            t1 - t0, " | ".join(tail) or "(no message)"))
    LAST_CPU[0] = ru.ru_utime + ru.ru_stime
    return t1 - t0, ru.ru_maxrss, p.returncode


def run(argv, env=None, stdout_path=None, input_text=None):
    """Runs argv untimed and checked; returns its stdout (or writes it to
    stdout_path). Raises Failed with stderr on a non-zero exit."""
    out = open(stdout_path, "wb") if stdout_path else subprocess.PIPE
    try:
        p = subprocess.run(argv, env=env, stdout=out, stderr=subprocess.PIPE,
                           input=input_text.encode() if input_text is not None else None)
    finally:
        if stdout_path:
            out.close()
    if p.returncode != 0:
        tail = p.stderr.decode(errors="replace").strip().splitlines()[-6:]
        raise Failed("%s exited %d: %s" % (" ".join(os.path.basename(a) for a in argv[:2]),
                                           p.returncode, " | ".join(tail) or "(no message)"))
    return p.stdout.decode(errors="replace") if not stdout_path else ""


# ---- statistics and the table ---------------------------------------------------------

class Stat:
    """Several runs of one measurement: seconds and peak RSS (KiB)."""

    def __init__(self, times, rss=None, cpu=None):
        self.times = times
        self.rss = rss or []
        self.cpu = cpu or []   # user + system seconds of the process itself

    @property
    def cpu_med(self):
        return statistics.median(self.cpu) if self.cpu else 0.0

    @property
    def med(self):
        return statistics.median(self.times)

    def fmt(self, unit="auto"):
        med, lo, hi = self.med, min(self.times), max(self.times)
        if unit == "auto":
            unit = "ms" if hi < 2.0 else "s"
        k = 1000.0 if unit == "ms" else 1.0
        return "%.*f %s (%.*f–%.*f, n=%d)" % (
            1 if unit == "ms" else 3, med * k, unit,
            1 if unit == "ms" else 3, lo * k, 1 if unit == "ms" else 3, hi * k, len(self.times))

    def fmt_rss(self):
        if not self.rss:
            return ""
        return "%.1f MB (%.1f–%.1f)" % (statistics.median(self.rss) / 1024.0,
                                        min(self.rss) / 1024.0, max(self.rss) / 1024.0)


def measure(argv_fn, runs, setup=None, env=None, stdin_path=None, budget=None, timeout=None):
    """Runs setup() (untimed) then argv_fn() (timed) `runs` times; returns a
    Stat. argv_fn may be a list or a function returning one. With budget
    (seconds), stops early once the timed runs add up to more than it (at
    least one run); timeout kills one run that takes longer (Failed)."""
    times, rss, cpus = [], [], []
    for i in range(runs):
        if budget and times and sum(times) > budget:
            break
        if setup:
            setup(i)
        argv = argv_fn(i) if callable(argv_fn) else argv_fn
        t, r, _ = run_timed(argv, env=env, stdin_path=stdin_path, timeout=timeout)
        times.append(t)
        rss.append(r)
        cpus.append(LAST_CPU[0])
    return Stat(times, rss, cpus)


def interleave(specs, runs):
    """Measures several commands round-robin (A B C A B C ...) so that a
    machine whose load drifts during the run biases none of them: ratios
    between them stay fair. specs: list of (argv, setup or None, stdin path
    or None). Returns one Stat per spec. Raises Failed on the first failure."""
    times = [[] for _ in specs]
    rss = [[] for _ in specs]
    cpu = [[] for _ in specs]
    for i in range(runs):
        for j, (argv, setup, stdin_path) in enumerate(specs):
            if setup:
                setup(i)
            t, r, _ = run_timed(argv, stdin_path=stdin_path)
            times[j].append(t)
            rss[j].append(r)
            cpu[j].append(LAST_CPU[0])
    return [Stat(t, r, c) for t, r, c in zip(times, rss, cpu)]


class Report:
    """The results: rows per section, notes, and the target verdicts."""

    def __init__(self):
        self.sections = []      # (title, [row dict], [notes])
        self.targets = []       # (target, measured, verdict)

    def section(self, title):
        self.sections.append((title, [], []))
        print("\n== %s" % title, flush=True)

    def row(self, what, value, extra=""):
        self.sections[-1][1].append((what, value, extra))
        print("  %-58s %-34s %s" % (what, value, extra), flush=True)

    def note(self, text):
        self.sections[-1][2].append(text)
        print("  note: %s" % text, flush=True)

    def target(self, what, measured, ok):
        verdict = "met" if ok is True else ("MISSED" if ok is False else "not measured")
        self.targets.append((what, measured, verdict))


REPORT = Report()


# ---- machine ----------------------------------------------------------------------

def machine_info():
    info = []
    cpu = "unknown"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    mem = ""
    try:
        with open("/proc/meminfo") as f:
            kb = int(f.readline().split()[1])
            mem = "%.1f GB" % (kb / 1024.0 / 1024.0)
    except (OSError, ValueError, IndexError):
        pass
    info.append(("cpu", "%s, %d cores online" % (cpu, os.cpu_count() or 0)))
    info.append(("memory", mem))
    info.append(("kernel", platform.release()))
    for label, argv in (("cc", ["cc", "--version"]), ("sqlite3", ["sqlite3", "--version"]),
                        ("psql", ["psql", "--version"])):
        try:
            info.append((label, run(argv).splitlines()[0][:80]))
        except (Failed, OSError):
            info.append((label, "not found"))
    try:
        head = run(["git", "-C", ARGS.source, "rev-parse", "--short", "HEAD"]).strip()
        dirty = run(["git", "-C", ARGS.source, "status", "--porcelain", "--untracked-files=no"]).strip()
        info.append(("migc source", "commit %s%s" % (head, " + uncommitted changes" if dirty else "")))
    except (Failed, OSError):
        info.append(("migc source", "unknown (not a git checkout)"))
    info.append(("postgresql server", PG.get("version", "not started") if PG else "not started"))
    info.append(("date", datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")))
    return info


# ---- PostgreSQL --------------------------------------------------------------------

PG = {}


def pg_load(state):
    """Reads cluster.sh's state file; leaves PG empty when there is none."""
    if not state or not os.path.exists(state):
        return
    with open(state) as f:
        for line in f:
            if "=" in line:
                k, v = line.rstrip("\n").split("=", 1)
                PG[k] = v
    PG["base"] = "postgresql://postgres@127.0.0.1:%s" % PG["PGPORT"]
    try:
        PG["version"] = psql("postgres", "show server_version").strip()
    except Failed as e:
        PG["version"] = "unknown (%s)" % e


def pg_url(db):
    return "%s/%s" % (PG["base"], db)


def psql(db, sql):
    """Runs one SQL command over TCP as the postgres superuser; returns stdout."""
    return run(["psql", "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1", "-d", pg_url(db), "-c", sql])


def pg_recreate(db, template=None):
    psql("postgres", "drop database if exists %s" % db)
    psql("postgres", "create database %s%s" % (db, " template %s" % template if template else ""))


# ---- histories and binaries --------------------------------------------------------------

def history(n):
    """The generated history of n migrations (generated once per work dir)."""
    d = os.path.join(ARGS.work, "hist_%d" % n)
    if not os.path.isdir(d) or len(os.listdir(d)) != n:
        shutil.rmtree(d, ignore_errors=True)
        run([sys.executable, os.path.join(HERE, "gen_history.py"), str(n), d])
    return d


def write_file(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)


BIN_CACHE = {}
CONSUMER = {}


def plans():
    """Every history a section builds a binary for: name -> directory."""
    return {"bench_apply": history(1000), "bench_backfill": backfill_history()}


def cache_value(key):
    """A value from the benchmark build tree's CMakeCache.txt, or ""."""
    try:
        with open(os.path.join(ARGS.build, "CMakeCache.txt")) as f:
            for line in f:
                if line.startswith(key + ":"):
                    return line.split("=", 1)[1].strip()
    except OSError:
        pass
    return ""


def consumer_build():
    """Configures and builds bench/consumer once for every plan: each plan
    as <name>_dynamic and, unless --no-static, <name>_static, through
    add_migrations(). Returns {exe name: path}; records why in CONSUMER['why']."""
    if "done" in CONSUMER:
        return CONSUMER
    CONSUMER["done"] = True
    CONSUMER["why"] = ""
    src = os.path.join(HERE, "consumer")
    bdir = os.path.join(ARGS.work, "consumer")
    spec = ";".join("%s=%s" % kv for kv in sorted(plans().items()))
    cfg = ["cmake", "-S", src, "-B", bdir, "-DCMAKE_BUILD_TYPE=Release",
           "-DMIGC_SOURCE_DIR=" + ARGS.source, "-DBENCH_PLANS=" + spec]
    flags = cache_value("CMAKE_C_FLAGS")
    if flags:
        cfg.append("-DCMAKE_C_FLAGS=" + flags)   # build the consumer like the build tree
    if os.environ.get("MIGC_STATIC_LIBPQ_DIR"):
        cfg.append("-DMIGC_STATIC_LIBPQ_DIR=" + os.environ["MIGC_STATIC_LIBPQ_DIR"])
    try:
        run(cfg)
    except Failed as e:
        CONSUMER["why"] = "bench/consumer (add_migrations) did not configure: " + str(e)
        return CONSUMER
    for name in sorted(plans()):
        for kind in ("dynamic", "static"):
            if kind == "static" and not ARGS.static:
                CONSUMER["why_" + name + kind] = "static build disabled (--no-static)"
                continue
            exe = "%s_%s" % (name, kind)
            try:
                run(["cmake", "--build", bdir, "-j2", "--target", exe])
                path = os.path.join(bdir, exe)
                if not os.path.exists(path):
                    raise Failed("bench/consumer built no %s" % exe)
                CONSUMER[exe] = path
            except Failed as e:
                CONSUMER["why_" + name + kind] = "add_migrations(... %s) failed: %s" % (
                    "STATIC" if kind == "static" else "EXECUTABLE", e)
    return CONSUMER


def direct_dynamic(hist, name):
    """Fallback for the dynamic binary: migc build + cc against the runtime
    libraries of the benchmark's build tree. Returns the path; raises Failed."""
    gen = os.path.join(ARGS.work, "gen_" + name)
    shutil.rmtree(gen, ignore_errors=True)
    run([ARGS.migc, "build", "-d", hist, "-o", gen, "--name", name])
    write_file(os.path.join(gen, "main.c"),
               '#include "%s.h"\n#include <migc/migc.h>\n'
               "int main(int argc, char **argv) { return migc_main(&%s, argc, argv); }\n"
               % (name, name))
    rt = os.path.join(ARGS.build, "runtime")
    libs = [os.path.join(rt, l) for l in ("libmigc_driver_postgres.a",
                                          "libmigc_driver_sqlite.a", "libmigc_runtime.a")]
    missing = [l for l in libs if not os.path.exists(l)]
    if missing:
        raise Failed("runtime libraries not built: %s" % ", ".join(os.path.basename(m) for m in missing))
    exe = os.path.join(ARGS.work, name + "_dynamic_direct")
    run(["cc", "-O2", "-std=c11", "-I", gen, "-I", os.path.join(ARGS.source, "runtime", "include"),
         os.path.join(gen, name + ".c"), os.path.join(gen, "main.c")] + libs
        + ["-lpq", "-lsqlite3", "-lpthread", "-lm", "-o", exe])
    return exe


def binaries(hist, name):
    """The generated binaries of plan `name` (history hist), dynamic and static.
    Returns {'dynamic': path|None, 'static': path|None, 'why': {kind: reason}}.
    Both come from bench/consumer (add_migrations, as a user builds them);
    when that fails the dynamic one is linked directly (and the note says so)."""
    if name in BIN_CACHE:
        return BIN_CACHE[name]
    out = {"dynamic": None, "static": None, "why": {}, "how": "add_migrations()"}
    c = consumer_build()
    for kind in ("dynamic", "static"):
        out[kind] = c.get("%s_%s" % (name, kind))
        if not out[kind]:
            out["why"][kind] = c.get("why_" + name + kind) or c["why"]
    if not out["dynamic"]:
        try:
            out["dynamic"] = direct_dynamic(hist, name)
            out["how"] = "dynamic linked directly (cc), add_migrations() failed"
            out["why"].pop("dynamic", None)
        except (Failed, OSError) as e:
            out["why"]["dynamic"] += "; direct link failed too: %s" % e
    BIN_CACHE[name] = out
    return out


# ---- 1. migc build scaling ---------------------------------------------------------------

def section_build():
    REPORT.section("1. migc build: time and peak memory")
    # 2,000 is not asked for: it shows the growth when 10,000 does not fit.
    ns = [1000, 2000, 10000, 100000]
    runs = {1000: ARGS.runs, 2000: ARGS.runs, 10000: ARGS.runs, 100000: max(1, min(3, ARGS.runs))}
    if ARGS.quick:
        ns = [1000, 2000]
    res = {}
    failed = None
    for n in ns:
        hist = history(n)
        try:   # untimed warm-up of the page cache, and the check's own cost
            t, r, _ = run_timed([ARGS.migc, "check", "-d", hist, "--strict"], timeout=600)
            t, r, _ = run_timed([ARGS.migc, "check", "-d", hist, "--strict"], timeout=600)
            REPORT.row("migc check --strict, N=%d (1 warm run)" % n, "%.3f s" % t,
                       "%.1f MB; cpu %.3f s" % (r / 1024.0, LAST_CPU[0]))
        except Failed as e:
            REPORT.row("migc check --strict, N=%d" % n, "FAILED", str(e)[:200])
            REPORT.note("the generated history of %d migrations does not pass migc check; "
                        "see %s" % (n, hist))
        if failed:
            REPORT.row("migc build, N=%d" % n, "NOT RUN", "N=%d already failed" % failed)
            continue
        out = os.path.join(ARGS.work, "build_out_%d" % n)
        try:
            st = measure([ARGS.migc, "build", "-d", hist, "-o", out, "--name", "bench_plan"],
                         runs[n], setup=lambda i, out=out: shutil.rmtree(out, ignore_errors=True),
                         budget=120, timeout=600)
            size = os.path.getsize(os.path.join(out, "bench_plan.c"))
            res[n] = st
            REPORT.row("migc build, N=%d" % n, st.fmt("s"),
                       "peak %s; cpu %.3f s; bench_plan.c %.1f MB" % (st.fmt_rss(), st.cpu_med, size / 1e6))
        except (Failed, OSError) as e:
            REPORT.row("migc build, N=%d" % n, "FAILED", str(e)[:300])
            failed = n
        shutil.rmtree(out, ignore_errors=True)
    for a, b in ((1000, 2000), (1000, 10000), (10000, 100000)):
        if a in res and b in res:
            REPORT.row("ratio N=%d / N=%d (linear: %d)" % (b, a, b // a),
                       "time %.1fx" % (res[b].med / res[a].med),
                       "memory %.1fx" % (statistics.median(res[b].rss) / statistics.median(res[a].rss)))
    if failed:
        REPORT.note("every measured process runs under an address-space cap of %d MB "
                    "(--mem-limit-mb); 'out of memory' means migc needed more" % ARGS.mem_limit_mb)
    if 10000 in res:
        t, m = res[10000].med, statistics.median(res[10000].rss) / 1024.0
        REPORT.target("migc build of 10,000 migrations < 1 s and < 100 MB",
                      "%.3f s, %.1f MB" % (t, m), t < 1.0 and m < 100.0)
    else:
        REPORT.target("migc build of 10,000 migrations < 1 s and < 100 MB",
                      "did not complete (see section 1)", False if 10000 in ns else None)


# ---- 2. apply N = 1,000 -------------------------------------------------------------------

def sql_script(hist, dialect, path):
    """The plain up script of `migc sql` for hist; returns path."""
    run([ARGS.migc, "sql", "-d", hist, "--dialect", dialect], stdout_path=path)
    return path


def one_transaction_script(plain, path, dialect):
    """Rewrites migc's plain script (BEGIN/COMMIT around each migration) as
    one transaction, the way a person runs it by hand: the per-migration
    BEGIN/COMMIT lines are dropped (inside `psql -1` an inner COMMIT would end
    the outer transaction); for SQLite the foreign_keys PRAGMAs around the
    rebuilds are dropped too (no-ops inside a transaction) and the whole is
    wrapped in PRAGMA foreign_keys=OFF; BEGIN; ... COMMIT;. PostgreSQL's is
    run with psql -1, which adds BEGIN/COMMIT itself."""
    with open(plain) as f:
        body = f.read()
    body = re.sub(r"(?im)^\s*(BEGIN( IMMEDIATE| EXCLUSIVE| DEFERRED)?( TRANSACTION)?|COMMIT|END)\s*;\s*$",
                  "", body)
    if dialect == "sqlite":
        body = re.sub(r"(?im)^\s*PRAGMA\s+foreign_keys\s*=\s*(ON|OFF|0|1)\s*;\s*$", "", body)
        body = "PRAGMA foreign_keys=OFF;\nBEGIN;\n" + body + "\nCOMMIT;\nPRAGMA foreign_keys=ON;\n"
    write_file(path, body)
    return path


def rm_sqlite(path):
    for suffix in ("", "-journal", "-wal", "-shm", "-migc.lock"):
        try:
            os.remove(path + suffix)
        except FileNotFoundError:
            pass


def section_apply():
    REPORT.section("2. apply N=1,000 migrations to an empty database")
    hist = history(1000)
    bins = binaries(hist, "bench_apply")
    exe = bins["static"] or bins["dynamic"]
    if not exe:
        REPORT.row("generated binary", "NOT BUILT", "; ".join(bins["why"].values())[:300])
        for t in ("apply SQLite within 1.1x of sqlite3 (single transaction)",
                  "apply PostgreSQL within 1.2x of psql -1 (single transaction)"):
            REPORT.target(t, "-", None)
        return
    REPORT.note("binary used: %s, built with %s" % ("static" if exe == bins["static"] else "dynamic", bins["how"]))
    runs = ARGS.runs
    db = os.path.join(ARGS.work, "apply.db")
    verdict = {}
    # SQLite
    try:
        plain = sql_script(hist, "sqlite", os.path.join(ARGS.work, "up_sqlite.sql"))
        raw1 = one_transaction_script(plain, os.path.join(ARGS.work, "up_sqlite_1tx.sql"), "sqlite")
        reset = lambda i: rm_sqlite(db)
        raw_st, one, raw_per, per = interleave([
            (["sqlite3", db], reset, raw1),
            ([exe, "--database", "sqlite:" + db, "up", "--single-transaction"], reset, None),
            (["sqlite3", db], reset, plain),
            ([exe, "--database", "sqlite:" + db, "up"], reset, None)], runs)
        REPORT.row("sqlite3 < script, one transaction (raw)", raw_st.fmt(),
                   "cpu %.3f s" % raw_st.cpu_med)
        REPORT.row("migc up --single-transaction (SQLite)", one.fmt(),
                   "%.2fx raw; cpu %.3f s, %.2fx raw" % (one.med / raw_st.med, one.cpu_med,
                                                          one.cpu_med / max(raw_st.cpu_med, 1e-9)))
        REPORT.row("sqlite3 < script as exported, a transaction per migration", raw_per.fmt())
        REPORT.row("migc up, a transaction per migration (SQLite)", per.fmt(),
                   "%.2fx raw per migration" % (per.med / raw_per.med))
        verdict["sqlite"] = (one.med / raw_st.med, one.med, raw_st.med)
    except (Failed, OSError) as e:
        REPORT.row("SQLite apply", "FAILED", str(e)[:300])
    # PostgreSQL
    if PG:
        try:
            plain = sql_script(hist, "postgres", os.path.join(ARGS.work, "up_pg.sql"))
            raw1 = one_transaction_script(plain, os.path.join(ARGS.work, "up_pg_1tx.sql"), "postgres")
            reset = lambda i: pg_recreate("bench_apply")
            psql_f = ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", pg_url("bench_apply")]
            raw_st, one, raw_per, per = interleave([
                (psql_f + ["-1", "-f", raw1], reset, None),
                ([exe, "--database", pg_url("bench_apply"), "up", "--single-transaction"], reset, None),
                (psql_f + ["-f", plain], reset, None),
                ([exe, "--database", pg_url("bench_apply"), "up"], reset, None)], runs)
            REPORT.row("psql -X -1 -f script, one transaction (raw, TCP)", raw_st.fmt())
            REPORT.row("migc up --single-transaction (PostgreSQL)", one.fmt(),
                       "%.2fx raw" % (one.med / raw_st.med))
            REPORT.row("psql -X -f script as exported, a transaction per migration", raw_per.fmt())
            REPORT.row("migc up, a transaction per migration (PostgreSQL)", per.fmt(),
                       "%.2fx raw per migration" % (per.med / raw_per.med))
            verdict["postgres"] = (one.med / raw_st.med, one.med, raw_st.med)
            psql("postgres", "drop database if exists bench_apply")
        except (Failed, OSError) as e:
            REPORT.row("PostgreSQL apply", "FAILED", str(e)[:300])
    else:
        REPORT.row("PostgreSQL apply", "NOT RUN", "no PostgreSQL cluster")
    for d, lim, label in (("sqlite", 1.1, "apply SQLite within 1.1x of sqlite3 (single transaction)"),
                          ("postgres", 1.2, "apply PostgreSQL within 1.2x of psql -1 (single transaction)")):
        if d in verdict:
            r, a, b = verdict[d]
            REPORT.target(label, "%.2fx (%.3f s vs %.3f s)" % (r, a, b), r <= lim)
        else:
            REPORT.target(label, "-", None)


# ---- 3. no-op up at head --------------------------------------------------------------------

def section_noop():
    REPORT.section("3. no-op up at head (1,000 applied), whole process")
    hist = history(1000)
    bins = binaries(hist, "bench_apply")
    runs = max(ARGS.runs * 4, 10)
    db = os.path.join(ARGS.work, "noop.db")
    got = {}
    kinds = [(k, bins[k]) for k in ("static", "dynamic")]
    for k, why in bins["why"].items():
        REPORT.row("%s binary" % k, "NOT BUILT", why[:300])
    exe0 = bins["static"] or bins["dynamic"]
    q = "select max(version) from migc_schema_history"
    for d, url, raw_argv in (
            ("sqlite", "sqlite:" + db, ["sqlite3", db, q]),
            ("postgres", pg_url("bench_noop") if PG else None,
             ["psql", "-X", "-At", "-d", pg_url("bench_noop"), "-c", q] if PG else None)):
        try:
            if not url:
                REPORT.row("PostgreSQL no-op up", "NOT RUN", "no PostgreSQL cluster")
                continue
            if not exe0:
                raise Failed("no generated binary")
            if d == "sqlite":
                rm_sqlite(db)
            else:
                pg_recreate("bench_noop")
            run([exe0, "--database", url, "up"])
            present = [(k, exe) for k, exe in kinds if exe]
            stats = interleave([(raw_argv, None, None)] +
                               [([exe, "--database", url, "up"], None, None) for _, exe in present], runs)
            raw = stats[0]
            got[(d, "raw")] = raw
            REPORT.row("sqlite3 FILE '<one query>'" if d == "sqlite" else
                       "psql -X -At -c '<one query>' (TCP)", raw.fmt())
            for (k, _), st in zip(present, stats[1:]):
                got[(d, k)] = st
                REPORT.row("migc up at head, %s binary (%s)" % (k, "SQLite" if d == "sqlite" else "PostgreSQL"),
                           st.fmt(), "%.2fx raw" % (st.med / raw.med))
        except (Failed, OSError) as e:
            REPORT.row("%s no-op up" % d, "FAILED", str(e)[:300])
    REPORT.note("the raw client runs `%s`; both connect, read, and exit" % q)
    for d, label in (("sqlite", "no-op up, static binary, no slower than sqlite3 connect + query"),
                     ("postgres", "no-op up, static binary, no slower than psql connect + query")):
        if (d, "static") in got and (d, "raw") in got:
            a, b = got[(d, "static")].med, got[(d, "raw")].med
            REPORT.target(label, "%.1f ms vs %.1f ms (%.2fx)" % (a * 1e3, b * 1e3, a / b), a <= b)
        else:
            REPORT.target(label, "-", None)


# ---- 4. batched backfill of 1,000,000 rows -----------------------------------------------------

BF_ROWS = 1000000


def backfill_history():
    d = os.path.join(ARGS.work, "hist_backfill")
    shutil.rmtree(d, ignore_errors=True)
    write_file(os.path.join(d, "0001_create_items.mig"),
               "create_table items {\n  id bigint identity primary key,\n"
               "  a int not null default 0,\n  b bigint\n}\n")
    write_file(os.path.join(d, "0002_backfill_b.mig"),
               "backfill items set b = a * 2 batch 10000\n")
    return d


def section_backfill():
    rows = BF_ROWS if not ARGS.quick else 100000
    REPORT.section("4. backfill of %d rows: batched (10,000) vs one UPDATE" % rows)
    hist = backfill_history()
    bins = binaries(hist, "bench_backfill")
    exe = bins["static"] or bins["dynamic"]
    runs = max(1, min(ARGS.runs, 3))
    got = {}
    if not exe:
        REPORT.row("generated binary", "NOT BUILT", "; ".join(bins["why"].values())[:300])
    # SQLite
    tpl = os.path.join(ARGS.work, "backfill_tpl.db")
    db = os.path.join(ARGS.work, "backfill.db")
    try:
        if not exe:
            raise Failed("no generated binary")
        rm_sqlite(tpl)
        run([exe, "--database", "sqlite:" + tpl, "up", "--to", "1"])
        run(["sqlite3", tpl],
            input_text="WITH RECURSIVE g(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM g WHERE x < %d) "
                       "INSERT INTO items (a) SELECT x FROM g;\n" % rows)

        def reset(i):
            rm_sqlite(db)
            shutil.copyfile(tpl, db)

        # The physical limit of batching itself: the same batches by hand,
        # one transaction each (ids are dense, 1..rows).
        batches = os.path.join(ARGS.work, "backfill_batches.sql")
        write_file(batches, "".join(
            "BEGIN IMMEDIATE;\nUPDATE items SET b = a * 2 WHERE id > %d AND id <= %d;\nCOMMIT;\n"
            % (k, k + 10000) for k in range(0, rows, 10000)))

        # The same on a database in WAL mode (what most applications use).
        def reset_wal(i):
            reset(i)
            run(["sqlite3", db, "PRAGMA journal_mode=WAL"])

        upd = ["sqlite3", db, "UPDATE items SET b = a * 2"]
        up = [exe, "--database", "sqlite:" + db, "up"]
        raw, st, one, rawb, raww, stw = interleave([
            (upd, reset, None), (up, reset, None), (up + ["--single-transaction"], reset, None),
            (["sqlite3", db], reset, batches), (upd, reset_wal, None), (up, reset_wal, None)], runs)
        got[("sqlite", "raw")] = raw
        got[("sqlite", "migc")] = st
        REPORT.row("sqlite3: UPDATE items SET b = a * 2", raw.fmt(), "%.0f rows/s" % (rows / raw.med))
        REPORT.row("migc up: backfill batch 10000 (SQLite)", st.fmt(),
                   "%.0f rows/s, %.2f of raw" % (rows / st.med, raw.med / st.med))
        REPORT.row("migc up --single-transaction: one UPDATE (SQLite)", one.fmt(),
                   "%.0f rows/s" % (rows / one.med))
        REPORT.row("sqlite3: the same batches by hand, a transaction each", rawb.fmt(),
                   "%.0f rows/s, %.2f of raw; migc batched %.2fx this" % (
                       rows / rawb.med, raw.med / rawb.med, st.med / rawb.med))
        REPORT.row("sqlite3: UPDATE items SET b = a * 2 (WAL database)", raww.fmt(),
                   "%.0f rows/s" % (rows / raww.med))
        REPORT.row("migc up: backfill batch 10000 (WAL database)", stw.fmt(),
                   "%.0f rows/s, %.2f of raw (WAL)" % (rows / stw.med, raww.med / stw.med))
        REPORT.note("SQLite runs with its defaults (journal_mode=DELETE, synchronous=FULL) unless "
                    "the row says WAL; each committed batch then waits for the disk several times.")
    except (Failed, OSError) as e:
        REPORT.row("SQLite backfill", "FAILED", str(e)[:300])
    # PostgreSQL
    if PG:
        try:
            if not exe:
                raise Failed("no generated binary")
            pg_recreate("bench_bf_tpl")
            run([exe, "--database", pg_url("bench_bf_tpl"), "up", "--to", "1"])
            psql("bench_bf_tpl", "insert into items (a) select g from generate_series(1, %d) g" % rows)
            psql("bench_bf_tpl", "vacuum analyze items")

            def reset(i):
                pg_recreate("bench_bf", template="bench_bf_tpl")
                psql("postgres", "checkpoint")

            up = [exe, "--database", pg_url("bench_bf"), "up"]
            raw, st, one = interleave([
                (["psql", "-X", "-q", "-d", pg_url("bench_bf"), "-c", "UPDATE items SET b = a * 2"], reset, None),
                (up, reset, None), (up + ["--single-transaction"], reset, None)], runs)
            got[("postgres", "raw")] = raw
            got[("postgres", "migc")] = st
            REPORT.row("psql: UPDATE items SET b = a * 2", raw.fmt(), "%.0f rows/s" % (rows / raw.med))
            REPORT.row("migc up: backfill batch 10000 (PostgreSQL)", st.fmt(),
                       "%.0f rows/s, %.2f of raw" % (rows / st.med, raw.med / st.med))
            REPORT.row("migc up --single-transaction: one UPDATE (PostgreSQL)", one.fmt(),
                       "%.0f rows/s" % (rows / one.med))
            REPORT.note("the PostgreSQL cluster is tests/pg/cluster.sh's: fsync=off, "
                        "synchronous_commit=off, so no commit waits for the disk.")
            psql("postgres", "drop database if exists bench_bf")
            psql("postgres", "drop database if exists bench_bf_tpl")
        except (Failed, OSError) as e:
            REPORT.row("PostgreSQL backfill", "FAILED", str(e)[:300])
    for d, label in (("sqlite", "batched backfill >= 0.5x rows/s of one UPDATE (SQLite)"),
                     ("postgres", "batched backfill >= 0.5x rows/s of one UPDATE (PostgreSQL)")):
        if (d, "migc") in got:
            f = got[(d, "raw")].med / got[(d, "migc")].med
            REPORT.target(label, "%.2f of raw" % f, f >= 0.5)
        else:
            REPORT.target(label, "-", None)


# ---- 5. binary sizes -------------------------------------------------------------------------

def section_sizes():
    REPORT.section("5. size of the generated binary (N=1,000 migrations)")
    bins = binaries(history(1000), "bench_apply")
    for k in ("static", "dynamic"):
        exe = bins[k]
        if not exe:
            REPORT.row("%s binary" % k, "NOT BUILT", bins["why"].get(k, "")[:300])
            continue
        size = os.path.getsize(exe)
        stripped = exe + ".stripped"
        extra = ""
        try:
            run(["strip", "-o", stripped, exe])
            extra = "stripped %.2f MB" % (os.path.getsize(stripped) / 1e6)
        except (Failed, OSError):
            pass
        if k == "dynamic":
            try:
                libs = [l for l in run(["ldd", exe]).splitlines() if "=>" in l]
                extra += "; %d shared libraries (ldd)" % len(libs)
            except (Failed, OSError):
                pass
        REPORT.row("%s binary" % k, "%.2f MB" % (size / 1e6), extra)
    emptyish = backfill_history()
    b2 = binaries(emptyish, "bench_backfill")
    for k in ("static", "dynamic"):
        if b2[k]:
            REPORT.row("%s binary, N=2 migrations" % k, "%.2f MB" % (os.path.getsize(b2[k]) / 1e6))


# ---- 6. side by side with dbmate -------------------------------------------------------------

DBMATE_VERSION = "2.36.0"   # the default of --dbmate / MIGC_BENCH_DBMATE
DBMATE = {}


def dbmate_version(exe):
    out = run([exe, "--version"]).strip()
    m = re.search(r"(\d+\.\d+\.\d+\S*)", out)
    if not m:
        raise Failed("%s --version printed %r" % (exe, out[:80]))
    return m.group(1)


def dbmate_native(tools):
    """The native dbmate binary npm put under tools, or None. The package's
    node_modules/.bin/dbmate is a Node.js launcher that spawns the native
    binary of the platform package (@dbmate/<os>-<arch>); timing the launcher
    would add Node's start-up to every dbmate run, so the binary is used."""
    base = os.path.join(tools, "node_modules", "@dbmate")
    try:
        plats = sorted(os.listdir(base))
    except OSError:
        return None
    for p in plats:
        exe = os.path.join(base, p, "bin", "dbmate")
        if os.path.isfile(exe) and os.access(exe, os.X_OK):
            return exe
    return None


def dbmate_find(spec):
    """Resolves --dbmate: 'none' (skip), a path to a dbmate binary, or a
    version to install with npm into WORK/tools/dbmate-VERSION (once: an
    installed binary of that version is reused). Returns (path, version,
    how); raises Failed with the reason."""
    spec = (spec or "").strip()
    if spec.lower() in ("", "none", "off", "no", "0"):
        raise Failed("dbmate disabled (--dbmate %s)" % (spec or "''"))
    if os.sep in spec or os.path.exists(spec):
        exe = os.path.abspath(spec)
        if not (os.path.isfile(exe) and os.access(exe, os.X_OK)):
            raise Failed("--dbmate / MIGC_BENCH_DBMATE: %s is not an executable file" % spec)
        return exe, dbmate_version(exe), "the binary given by --dbmate / MIGC_BENCH_DBMATE"
    if not re.fullmatch(r"\d+\.\d+\.\d+[-.+\w]*", spec):
        raise Failed("--dbmate %r is neither a version (like %s), a path to a dbmate binary, nor 'none'"
                     % (spec, DBMATE_VERSION))
    tools = os.path.join(ARGS.work, "tools", "dbmate-" + spec)
    exe = dbmate_native(tools)
    if exe:
        try:
            if dbmate_version(exe) == spec:
                return exe, spec, "the native binary of npm package dbmate@%s, installed earlier in the work directory" % spec
        except (Failed, OSError):
            pass
    npm = shutil.which("npm")
    if not npm:
        raise Failed("npm not found, so dbmate %s could not be installed (install npm, or set "
                     "MIGC_BENCH_DBMATE=/path/to/dbmate)" % spec)
    shutil.rmtree(tools, ignore_errors=True)
    os.makedirs(tools)
    print("  installing dbmate %s with npm into %s" % (spec, tools), flush=True)
    try:
        p = subprocess.run([npm, "install", "--prefix", tools, "--no-audit", "--no-fund", "--no-save",
                            "--loglevel=error", "dbmate@" + spec],
                           stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           timeout=300)
    except subprocess.TimeoutExpired:
        raise Failed("npm install dbmate@%s did not finish within 300 s" % spec)
    if p.returncode != 0:
        shutil.rmtree(tools, ignore_errors=True)
        tail = [l for l in p.stdout.decode(errors="replace").strip().splitlines()
                if "complete log of this run" not in l][-3:]
        raise Failed("npm install dbmate@%s exited %d: %s" % (spec, p.returncode,
                                                             " | ".join(tail) or "(no message)"))
    exe = dbmate_native(tools)
    if not exe:
        shutil.rmtree(tools, ignore_errors=True)
        raise Failed("npm installed dbmate@%s but no native binary for this platform "
                     "(node_modules/@dbmate/*/bin/dbmate)" % spec)
    v = dbmate_version(exe)
    if v != spec:
        raise Failed("npm installed dbmate@%s but it says it is version %s" % (spec, v))
    return exe, v, "the native binary of npm package dbmate@%s, installed by this run" % spec


def dbmate_binary():
    """The dbmate to compare with (found or installed once per run); raises
    Failed with the reason it is not available."""
    if "done" not in DBMATE:
        DBMATE["done"] = True
        try:
            DBMATE["exe"], DBMATE["version"], DBMATE["how"] = dbmate_find(ARGS.dbmate)
        except (Failed, OSError) as e:
            DBMATE["why"] = str(e)
    if DBMATE.get("exe"):
        return DBMATE["exe"]
    raise Failed(DBMATE["why"])


class Target:
    """One database of section 6: how to name, reset and query a fresh one
    for SQLite (a file in WORK) or PostgreSQL (a database in the cluster)."""

    def __init__(self, dialect):
        self.dialect = dialect
        self.label = "SQLite" if dialect == "sqlite" else "PostgreSQL"

    def _path(self, name):
        return os.path.join(ARGS.work, name + ".db")

    def migc_url(self, name):
        return "sqlite:" + self._path(name) if self.dialect == "sqlite" else pg_url(name)

    def dbmate_url(self, name, full_sync=False):
        """full_sync: SQLite with synchronous=FULL, SQLite's own default and
        what migc runs with; dbmate's driver (mattn/go-sqlite3) defaults to
        NORMAL, one fsync per commit fewer, with a small chance of a corrupt
        database after a power failure in rollback-journal mode."""
        if self.dialect == "sqlite":
            return "sqlite:" + self._path(name) + ("?_sync=FULL" if full_sync else "")
        return "postgres://postgres@127.0.0.1:%s/%s?sslmode=disable" % (PG["PGPORT"], name)

    def fresh(self, name):
        if self.dialect == "sqlite":
            rm_sqlite(self._path(name))
        else:
            pg_recreate(name)

    def drop(self, name):
        if self.dialect == "sqlite":
            rm_sqlite(self._path(name))
        else:
            psql("postgres", "drop database if exists %s" % name)

    def query(self, name, sql):
        if self.dialect == "sqlite":
            return run(["sqlite3", self._path(name), sql]).strip()
        return psql(name, sql).strip()

    def count(self, name, table):
        try:
            return int(self.query(name, "select count(*) from %s" % table))
        except (Failed, ValueError) as e:
            raise Failed("cannot count the rows of %s in %s: %s" % (table, name, e))

    def objects(self, name):
        """'T tables, I indexes' of the migrated schema, bookkeeping excluded."""
        if self.dialect == "sqlite":
            q = ("select (select count(*) from sqlite_master where type = 'table' and {0}), "
                 "(select count(*) from sqlite_master where type = 'index' and {0})").format(
                "name not like 'sqlite\\_%' escape '\\' and name not like 'migc\\_%' escape '\\' "
                "and name <> 'schema_migrations' and tbl_name not like 'migc\\_%' escape '\\' "
                "and tbl_name <> 'schema_migrations'")
        else:
            q = ("select (select count(*) from pg_tables where schemaname = 'public' and {0}), "
                 "(select count(*) from pg_indexes where schemaname = 'public' and {0})").format(
                "tablename not like 'migc\\_%' and tablename <> 'schema_migrations'")
        t, i = self.query(name, q).replace(",", "|").split("|")
        return "%s tables, %s indexes" % (t, i)


def dbmate_export(hist, dialect):
    """migc sql --format dbmate: one dbmate migration file per migc migration."""
    out = os.path.join(ARGS.work, "dbmate_%s" % dialect)
    shutil.rmtree(out, ignore_errors=True)
    run([ARGS.migc, "sql", "-d", hist, "--dialect", dialect, "--format", "dbmate", "-o", out])
    return out


def section_dbmate():
    REPORT.section("6. side by side with dbmate (N=1,000 migrations)")
    n = 1000
    hist = history(n)
    targets = [Target("sqlite")] + ([Target("postgres")] if PG else [])
    REPORT.note("Alembic is not measured: it is installed from PyPI, which the machine this "
                "comparison was written on could not reach, so no Alembic run was ever set up; "
                "its rows are absent rather than estimated.")
    if not PG:
        REPORT.row("PostgreSQL side by side with dbmate", "NOT RUN", "no PostgreSQL cluster")
    try:
        dbm = dbmate_binary()
    except Failed as e:
        for t in targets:
            REPORT.row("dbmate up, {:,} migrations ({})".format(n, t.label), "not measured", str(e)[:300])
            REPORT.row("dbmate up at head (%s)" % t.label, "not measured", str(e)[:300])
        return
    REPORT.note("dbmate %s (%s); the migrations are exported with `migc sql --format dbmate`, "
                "one file per migration, which dbmate runs in a transaction each; dbmate runs with "
                "--no-dump-schema" % (DBMATE["version"], DBMATE["how"]))
    bins = binaries(hist, "bench_apply")
    exe = bins["static"] or bins["dynamic"]
    if not exe:
        REPORT.row("generated binary", "NOT BUILT", "; ".join(bins["why"].values())[:300])
        return

    # a. apply n migrations to an empty database
    for t in targets:
        try:
            mdir = dbmate_export(hist, t.dialect)
            dbm_up = lambda name, full=False: [dbm, "--url", t.dbmate_url(name, full),
                                               "--migrations-dir", mdir, "--no-dump-schema", "up"]
            # One untimed run first: dbmate must apply every migration, else
            # it is reported, not timed (this also warms the page cache).
            t.fresh("bench_dbmate_apply")
            run(dbm_up("bench_dbmate_apply"))
            got = t.count("bench_dbmate_apply", "schema_migrations")
            if got != n:
                raise Failed("dbmate up recorded %d of %d migrations in schema_migrations" % (got, n))
            specs = [
                (dbm_up("bench_dbmate_apply"), lambda i: t.fresh("bench_dbmate_apply"), None),
                ([exe, "--database", t.migc_url("bench_migc_apply"), "up"],
                 lambda i: t.fresh("bench_migc_apply"), None),
                ([exe, "--database", t.migc_url("bench_migc_apply1"), "up", "--single-transaction"],
                 lambda i: t.fresh("bench_migc_apply1"), None)]
            if t.dialect == "sqlite":
                specs.append((dbm_up("bench_dbmate_apply_full", True),
                              lambda i: t.fresh("bench_dbmate_apply_full"), None))
            stats = interleave(specs, ARGS.runs)
            dbm_st, per, one = stats[:3]
            # The last timed runs' databases: all applied, the same schema.
            for name, table in (("bench_dbmate_apply", "schema_migrations"),
                                ("bench_migc_apply", "migc_schema_history"),
                                ("bench_migc_apply1", "migc_schema_history")):
                got = t.count(name, table)
                if got != n:
                    raise Failed("after the timed runs %s holds %d rows in %s, not %d" % (name, got, table, n))
            shapes = [t.objects(x) for x in ("bench_dbmate_apply", "bench_migc_apply", "bench_migc_apply1")]
            REPORT.row("dbmate up, a transaction per migration (%s)" % t.label, dbm_st.fmt(),
                       "cpu %.3f s" % dbm_st.cpu_med)
            if t.dialect == "sqlite":
                full = stats[3]
                REPORT.row("dbmate up, the same with synchronous=FULL (?_sync=FULL)", full.fmt(),
                           "cpu %.3f s; migc up %.2fx this, --single-transaction %.2fx" % (
                               full.cpu_med, per.med / full.med, one.med / full.med))
            REPORT.row("migc up, a transaction per migration (%s)" % t.label, per.fmt(),
                       "%.2fx dbmate; cpu %.3f s" % (per.med / dbm_st.med, per.cpu_med))
            REPORT.row("migc up --single-transaction (%s)" % t.label, one.fmt(),
                       "%.2fx dbmate; cpu %.3f s" % (one.med / dbm_st.med, one.cpu_med))
            if len(set(shapes)) == 1:
                REPORT.note("{}: every run applied all {:,} migrations (schema_migrations / "
                            "migc_schema_history counted after the runs); the schemas match: {}"
                            .format(t.label, n, shapes[0]))
            else:
                REPORT.note("%s: the schemas differ after applying: dbmate %s, migc up %s, "
                            "migc up --single-transaction %s" % ((t.label,) + tuple(shapes)))
        except (Failed, OSError) as e:
            REPORT.row("%s apply side by side with dbmate" % t.label, "FAILED", str(e)[:300])
        if t.dialect == "sqlite":
            REPORT.note("SQLite: dbmate's driver (mattn/go-sqlite3) opens the database with "
                        "synchronous=NORMAL: three fsyncs per commit in rollback-journal mode "
                        "instead of four, at the price of a small chance of a corrupt database "
                        "after a power failure (SQLite's documentation of PRAGMA synchronous); "
                        "migc keeps SQLite's default, FULL. The ?_sync=FULL row is dbmate with "
                        "the same durability as migc.")
        for name in ("bench_dbmate_apply", "bench_migc_apply", "bench_migc_apply1"):
            try:
                if t.dialect == "postgres":
                    t.drop(name)
            except Failed:
                pass

    # b. no-op up at head, n applied
    runs = max(ARGS.runs * 4, 10)
    kinds = [(k, bins[k]) for k in ("static", "dynamic") if bins[k]]
    for k, why in bins["why"].items():
        REPORT.row("%s binary" % k, "NOT BUILT", why[:300])
    for t in targets:
        try:
            mdir = os.path.join(ARGS.work, "dbmate_%s" % t.dialect)
            if not os.path.isdir(mdir):
                mdir = dbmate_export(hist, t.dialect)
            dbm_args = [dbm, "--url", t.dbmate_url("bench_dbmate_noop"), "--migrations-dir", mdir,
                        "--no-dump-schema"]
            t.fresh("bench_dbmate_noop")
            t.fresh("bench_migc_noop")
            run(dbm_args + ["up"])
            run([exe, "--database", t.migc_url("bench_migc_noop"), "up"])
            for name, table in (("bench_dbmate_noop", "schema_migrations"),
                                ("bench_migc_noop", "migc_schema_history")):
                got = t.count(name, table)
                if got != n:
                    raise Failed("setup: %s holds %d rows in %s, not %d" % (name, got, table, n))
            stats = interleave([(dbm_args + ["up"], None, None), (dbm_args + ["migrate"], None, None)] +
                               [([e, "--database", t.migc_url("bench_migc_noop"), "up"], None, None)
                                for _, e in kinds], runs)
            base = stats[0]
            REPORT.row("dbmate up at head (%s)" % t.label, base.fmt(), "peak %s" % base.fmt_rss())
            REPORT.row("dbmate migrate at head (%s)" % t.label, stats[1].fmt(),
                       "%.2fx dbmate up; peak %s" % (stats[1].med / base.med, stats[1].fmt_rss()))
            for (k, _), st in zip(kinds, stats[2:]):
                REPORT.row("migc up at head, %s binary (%s)" % (k, t.label), st.fmt(),
                           "%.2fx dbmate up; peak %s" % (st.med / base.med, st.fmt_rss()))
        except (Failed, OSError) as e:
            REPORT.row("%s no-op up side by side with dbmate" % t.label, "FAILED", str(e)[:300])
        if t.dialect == "postgres":
            for name in ("bench_dbmate_noop", "bench_migc_noop"):
                try:
                    t.drop(name)
                except Failed:
                    pass
    REPORT.note("`dbmate up` also checks that the database exists and creates it when it is "
                "missing; `dbmate migrate` skips that. Ratios are migc / dbmate up: below 1 means "
                "migc is faster.")


# ---- RESULTS.md ----------------------------------------------------------------------------------

def write_results(path, machine, started, elapsed):
    lines = ["# migc benchmark results", "",
             "Written by `bench/run.sh` (bench/bench.py); do not edit by hand — "
             "findings and profiles live in bench/FINDINGS.md and are appended below.", "",
             "## Machine", "", "| | |", "| --- | --- |"]
    for k, v in machine:
        lines.append("| %s | %s |" % (k, v.replace("|", "/")))
    lines += ["| run | %s, %.0f s, %d runs per measurement%s |" % (
        started, elapsed, ARGS.runs, " (quick mode)" if ARGS.quick else ""), ""]
    lines += ["Times are wall clock of the whole process (spawn to exit), median of the runs "
              "with the min–max range; memory is the peak RSS and cpu the user + system time "
              "of that process, both from wait4. Compared commands run round-robin. Setup "
              "(creating a database, copying a file) is not timed. The machine was shared with "
              "other builds and test suites during the run: compare ratios, not absolute times.", ""]
    lines += ["## Targets", "", "| target | measured | verdict |", "| --- | --- | --- |"]
    for t, m, v in REPORT.targets:
        lines.append("| %s | %s | %s |" % (t, m, v))
    lines.append("")
    for title, rows, notes in REPORT.sections:
        lines += ["## " + title, "", "| measurement | median (min–max, runs) | |", "| --- | --- | --- |"]
        for what, value, extra in rows:
            lines.append("| %s | %s | %s |" % (what.replace("|", "/"), value, extra.replace("|", "/")))
        lines.append("")
        for n in notes:
            lines.append("- " + n)
        if notes:
            lines.append("")
    findings = os.path.join(HERE, "FINDINGS.md")
    if os.path.exists(findings):
        with open(findings) as f:
            lines += ["", f.read().rstrip(), ""]
    write_file(path, "\n".join(lines) + "\n")


def refresh_findings(path):
    """Replaces everything from the findings heading of RESULTS.md on with
    the current bench/FINDINGS.md (what a run appends), leaving the measured
    tables as they are. Returns an exit status (2: no such file or heading)."""
    try:
        with open(path) as f:
            text = f.read()
        with open(os.path.join(HERE, "FINDINGS.md")) as f:
            findings = f.read().rstrip()
    except (OSError, TypeError) as e:
        print("bench.py: error: %s; give --results RESULTS.md" % e, file=sys.stderr)
        return 2
    head = findings.splitlines()[0]
    at = text.find("\n" + head + "\n")
    if at < 0:
        print("bench.py: error: %s has no '%s' section" % (path, head), file=sys.stderr)
        return 2
    write_file(path, text[:at + 1] + findings + "\n")
    return 0


def main():
    global ARGS
    ap = argparse.ArgumentParser(description="migc benchmarks (run through bench/run.sh)")
    ap.add_argument("--migc", required=True)
    ap.add_argument("--source", required=True)
    ap.add_argument("--build", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--pg-state")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--no-static", dest="static", action="store_false")
    ap.add_argument("--sections", default="1,2,3,4,5,6")
    ap.add_argument("--dbmate", default=os.environ.get("MIGC_BENCH_DBMATE") or DBMATE_VERSION,
                    help="section 6: a dbmate version to install with npm into WORK/tools (default "
                         "$MIGC_BENCH_DBMATE or %s), a path to a dbmate binary, or 'none'" % DBMATE_VERSION)
    ap.add_argument("--mem-limit-mb", type=int, default=4096,
                    help="address-space cap of every measured process (default 4096)")
    ap.add_argument("--results")
    ap.add_argument("--refresh-findings", action="store_true",
                    help="only replace the findings appended to --results with bench/FINDINGS.md")
    ARGS = ap.parse_args()
    if ARGS.refresh_findings:
        return refresh_findings(ARGS.results)
    # absolute: bench/consumer passes the source to add_subdirectory(), where
    # a relative "." would name bench/consumer itself (endless recursion)
    ARGS.work = os.path.abspath(ARGS.work)
    ARGS.migc = os.path.abspath(ARGS.migc)
    ARGS.source = os.path.abspath(ARGS.source)
    if ARGS.build:
        ARGS.build = os.path.abspath(ARGS.build)
    os.makedirs(ARGS.work, exist_ok=True)
    if not os.access(ARGS.migc, os.X_OK):
        print("bench.py: error: %s is not an executable migc; build it first" % ARGS.migc, file=sys.stderr)
        return 2
    pg_load(ARGS.pg_state)
    started = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    t0 = time.time()
    machine = machine_info()
    for k, v in machine:
        print("%-18s %s" % (k, v))
    table = {"1": section_build, "2": section_apply, "3": section_noop,
             "4": section_backfill, "5": section_sizes, "6": section_dbmate}
    for s in ARGS.sections.split(","):
        if s.strip() in table:
            table[s.strip()]()
    if DBMATE.get("version"):
        machine.append(("dbmate", "%s (%s)" % (DBMATE["version"], DBMATE["how"])))
    elif DBMATE.get("why"):
        machine.append(("dbmate", "not available: %s" % DBMATE["why"]))
    print("\n== targets")
    for t, m, v in REPORT.targets:
        print("  %-66s %-34s %s" % (t, m, v))
    if ARGS.results:
        write_results(ARGS.results, machine, started, time.time() - t0)
        print("\nwrote %s" % ARGS.results)
    return 0


ARGS = None

if __name__ == "__main__":
    sys.exit(main())
