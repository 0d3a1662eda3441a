/* driver_pg.c: the PostgreSQL driver (runtime/driver.h), exported as the
 * constant vtable migc_driver_postgres. The only file that includes
 * libpq-fe.h, so only binaries built with the postgres dialect link libpq.
 *
 * URLs: postgres://, postgresql:// and libpq keyword strings go to libpq
 * as they are (PQconnectdbParams with expand_dbname); this file never
 * parses them and never quotes them in a message. libpq quotes a URL it
 * cannot parse in its error, so connection errors are scrubbed of the
 * password before anyone sees them.
 *
 * Text with several statements runs as one message inside a transaction,
 * and statement by statement outside one (a no_transaction step), where
 * one message would be an implicit transaction that CREATE INDEX
 * CONCURRENTLY refuses.
 *
 * The migration lock is a session advisory lock taken by polling
 * pg_try_advisory_lock: a waiter never sits inside a blocked statement, so
 * it cannot deadlock with CREATE INDEX CONCURRENTLY (which waits for every
 * open transaction) and a kill -9 of the holder frees it when its backend
 * ends. DDL runs under SET LOCAL lock_timeout; SQLSTATE 55P03 is reported
 * to the engine, which retries.
 *
 * Every PGresult is cleared on the path that got it. The last failure's
 * message, SQLSTATE and whether the connection died are kept on the handle;
 * rollback() keeps them, so the engine may roll back first and ask after. */
#include <libpq-fe.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "driver.h"

struct migc_drv {
    PGconn *conn;
    bool owned;                 /* PQfinish in close() */
    bool locked;                /* the migration lock is held */
    bool in_tx;                 /* begin() opened a transaction not yet ended */
    int64_t lock_key;           /* its advisory lock key */
    bool lost;                  /* the connection broke */
    int64_t changes;            /* rows the last successful query() changed; -1: unknown */
    char sqlstate[6];           /* of the last failure; "" if none */
    /* A wrapped connection gets back its search_path (set_schema) and its
     * client_min_messages (raised to warning so that NOTICEs such as
     * "relation already exists, skipping" reach no notice processor). */
    char *old_search_path;      /* NULL: search_path untouched */
    char *old_min_messages;     /* NULL: client_min_messages untouched */
    char err[1024];
};

/* Formats the handle's error message and clears the SQLSTATE. Returns
 * MIGC_DRV_ERROR for brevity. */
static enum migc_drv_rc fail(struct migc_drv *d, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static enum migc_drv_rc fail(struct migc_drv *d, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(d->err, sizeof d->err, fmt, ap);
    va_end(ap);
    d->sqlstate[0] = '\0';
    return MIGC_DRV_ERROR;
}

/* Copies src into dst (size n) as one line: newlines and tabs become
 * spaces, runs of spaces collapse, trailing space and a trailing period go. */
static void one_line(char *dst, size_t n, const char *src)
{
    size_t k = 0;
    for (const char *p = src; *p && k + 1 < n; p++) {
        char c = (*p == '\n' || *p == '\r' || *p == '\t') ? ' ' : *p;
        if (c == ' ' && (k == 0 || dst[k - 1] == ' '))
            continue;
        dst[k++] = c;
    }
    while (k > 0 && (dst[k - 1] == ' ' || dst[k - 1] == '.'))
        k--;
    dst[k] = '\0';
}

/* The first line of a libpq connection message, without its severity
 * ("FATAL:  terminating connection due to administrator command\nserver
 * closed the connection unexpectedly\n..." gives the first line's text). */
static void first_message(char *dst, size_t n, const char *msg)
{
    static const char *const severities[] = {"FATAL:", "ERROR:", "PANIC:"};
    for (unsigned i = 0; i < 3; i++)
        if (!strncmp(msg, severities[i], 6)) {
            msg += 6;
            while (*msg == ' ')
                msg++;
            break;
        }
    size_t k = strcspn(msg, "\n");
    if (k >= n)
        k = n - 1;
    memcpy(dst, msg, k);
    dst[k] = '\0';
}

/* Records the failure of a statement: libpq's result (may be NULL when
 * libpq itself failed: out of memory or a broken connection) or connection
 * message, the SQLSTATE, and whether the connection is gone. Returns
 * MIGC_DRV_CONNECTION when it is, else MIGC_DRV_ERROR. Does not clear res. */
static enum migc_drv_rc fail_result(struct migc_drv *d, const PGresult *res)
{
    const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    snprintf(d->sqlstate, sizeof d->sqlstate, "%s", state ? state : "");
    const char *primary = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
    const char *detail = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL) : NULL;
    const char *hint = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_HINT) : NULL;
    char text[sizeof d->err];
    if (primary)
        snprintf(text, sizeof text, "%s%s%s%s%s", primary, detail ? " (" : "",
                 detail ? detail : "", detail ? ")" : "", hint ? "; hint: " : "");
    else
        first_message(text, sizeof text, PQerrorMessage(d->conn));
    if (primary && hint) {
        size_t k = strlen(text);
        snprintf(text + k, sizeof text - k, "%s", hint);
    }
    if (!text[0])
        snprintf(text, sizeof text, "%s", res ? "the server reported an error" : "out of memory");
    /* A broken socket, or 57P01..57P03 (the server ends the session:
     * pg_terminate_backend, shutdown), leave no usable session. */
    if (PQstatus(d->conn) == CONNECTION_BAD || !strcmp(d->sqlstate, "57P01") ||
        !strcmp(d->sqlstate, "57P02") || !strcmp(d->sqlstate, "57P03"))
        d->lost = true;
    char line[sizeof d->err];
    one_line(line, sizeof line, text);
    if (d->lost)
        snprintf(d->err, sizeof d->err, "the connection to postgresql was lost: %.960s", line);
    else
        snprintf(d->err, sizeof d->err, "%s", line);
    return d->lost ? MIGC_DRV_CONNECTION : MIGC_DRV_ERROR;
}

/* A notice processor that drops notices: library code does not print
 * ("relation already exists, skipping" and the like). */
static void ignore_notice(void *arg, const char *message)
{
    (void)arg;
    (void)message;
}

/* postgres://, postgresql://, or a libpq keyword string ("key=value ...":
 * a first word of letters and '_' followed by '='). Pure. */
static bool pg_accepts_url(const char *url)
{
    if (!strncmp(url, "postgres://", 11) || !strncmp(url, "postgresql://", 13))
        return true;
    const char *p = url;
    while (*p == ' ' || *p == '\t')
        p++;
    const char *s = p;
    while ((*p >= 'a' && *p <= 'z') || *p == '_')
        p++;
    if (p == s)
        return false;
    while (*p == ' ' || *p == '\t')
        p++;
    return *p == '=';
}

/* Settings of an owned connection: notices silenced and UTF-8 client
 * encoding (plan SQL is UTF-8). A wrapped connection keeps the
 * application's own settings and notice processor. */
static enum migc_drv_rc configure(struct migc_drv *d)
{
    PQsetNoticeProcessor(d->conn, ignore_notice, NULL);
    if (PQsetClientEncoding(d->conn, "UTF8") != 0)
        return fail_result(d, NULL);
    return MIGC_DRV_OK;
}

/* Replaces every occurrence of secret in msg (a NUL-terminated buffer of
 * size n) with "****", searching on after each replacement (a secret may
 * contain '*'); when msg has no room to grow, the secret's own bytes become
 * '*'. An empty secret is left alone. */
static void mask_all(char *msg, size_t n, const char *secret)
{
    size_t k = strlen(secret);
    if (!k)
        return;
    char *from = msg, *p;
    while ((p = strstr(from, secret)) != NULL) {
        size_t tail = strlen(p + k);
        if (k >= 4 || (size_t)(p - msg) + 4 + tail < n) {
            memmove(p + 4, p + k, tail + 1);
            memcpy(p, "****", 4);
            from = p + 4;
        } else {
            memset(p, '*', k);
            from = p + k;
        }
    }
}

/* libpq quotes parts of a URL it cannot parse in its messages ('... in
 * URI: "postgresql://u:pw@[::1/db"', 'invalid percent-encoded token:
 * "pw%zz"'), password included. Masks in msg: the password as libpq parses
 * it (when it can), and each text migc_redact_url masks in url (between
 * "user:" and "@", after password=, in ?password=). */
static void scrub_password(char *msg, size_t n, const char *url)
{
    char *perr = NULL;
    PQconninfoOption *opts = PQconninfoParse(url, &perr);
    for (PQconninfoOption *o = opts; o && o->keyword; o++)
        if (!strcmp(o->keyword, "password") && o->val)
            mask_all(msg, n, o->val);
    PQconninfoFree(opts);
    PQfreemem(perr);
    char *red = migc_redact_url(url);
    if (!red) {
        snprintf(msg, n, "the connection failed (its message was withheld: out of memory)");
        return;
    }
    /* Align url with its redaction: each "****" of red stands for the url
     * text up to where red's next literal chunk starts again. */
    const char *u = url, *r = red, *m;
    while ((m = strstr(r, "****")) != NULL) {
        size_t lit = (size_t)(m - r);
        if (strncmp(u, r, lit))
            break;   /* not aligned: nothing more to learn */
        u += lit;
        r = m + 4;
        const char *next = strstr(r, "****");
        size_t clen = next ? (size_t)(next - r) : strlen(r), ulen = strlen(u);
        const char *k = NULL;
        if (!next) {
            if (ulen >= clen && !strcmp(u + ulen - clen, r))
                k = u + ulen - clen;
        } else {
            for (const char *q = u; *q && !k; q++)
                if (!strncmp(q, r, clen))
                    k = q;
        }
        if (!k)
            break;
        char *secret = strndup(u, (size_t)(k - u));
        if (!secret) {
            snprintf(msg, n, "the connection failed (its message was withheld: out of memory)");
            break;
        }
        mask_all(msg, n, secret);
        free(secret);
        u = k;
    }
    free(red);
}

static enum migc_drv_rc pg_open(const char *url, const struct migc_drv_open_opts *opts,
                                struct migc_drv **out, char *errbuf, unsigned errbuf_size)
{
    (void)opts;
    *out = NULL;
    struct migc_drv *d = calloc(1, sizeof *d);
    if (!d) {
        if (errbuf)
            snprintf(errbuf, errbuf_size, "out of memory");
        return MIGC_DRV_CONNECTION;   /* exit 3: an internal failure, not a usage error */
    }
    d->owned = true;
    d->changes = -1;
    /* Entries before dbname are defaults the URL may override; the URL
     * itself is expanded by libpq. Without PGCONNECT_TIMEOUT a dead host
     * would hang the run for the TCP timeout: give up after 30 s. */
    const char *keys[4], *vals[4];
    unsigned n = 0;
    keys[n] = "fallback_application_name", vals[n++] = "migc";
    if (!getenv("PGCONNECT_TIMEOUT"))
        keys[n] = "connect_timeout", vals[n++] = "30";
    keys[n] = "dbname", vals[n++] = url;
    keys[n] = NULL, vals[n] = NULL;
    d->conn = PQconnectdbParams(keys, vals, 1);
    if (!d->conn) {
        free(d);
        if (errbuf)
            snprintf(errbuf, errbuf_size, "out of memory");
        return MIGC_DRV_CONNECTION;   /* exit 3: an internal failure, not a usage error */
    }
    if (PQstatus(d->conn) != CONNECTION_OK) {
        if (errbuf) {
            char line[1024];
            one_line(line, sizeof line, PQerrorMessage(d->conn));
            scrub_password(line, sizeof line, url);
            if (PQconnectionNeedsPassword(d->conn))
                snprintf(errbuf, errbuf_size,
                         "cannot connect to postgresql: the server asks for a password "
                         "(give it in the url, in PGPASSWORD or in ~/.pgpass): %s", line);
            else
                snprintf(errbuf, errbuf_size, "cannot connect to postgresql: %s", line);
        }
        PQfinish(d->conn);
        free(d);
        return MIGC_DRV_CONNECTION;
    }
    if (configure(d) != MIGC_DRV_OK) {
        if (errbuf)
            snprintf(errbuf, errbuf_size, "cannot set up the postgresql session: %s", d->err);
        PQfinish(d->conn);
        free(d);
        return MIGC_DRV_CONNECTION;
    }
    *out = d;
    return MIGC_DRV_OK;
}

static enum migc_drv_rc pg_wrap(void *native, const struct migc_drv_open_opts *opts,
                                struct migc_drv **out)
{
    (void)opts;
    *out = NULL;
    if (!native)
        return MIGC_DRV_ERROR;
    struct migc_drv *d = calloc(1, sizeof *d);
    if (!d)
        return MIGC_DRV_ERROR;
    d->conn = native;
    d->owned = false;
    d->changes = -1;
    if (PQstatus(d->conn) != CONNECTION_OK) {
        free(d);
        return MIGC_DRV_CONNECTION;
    }
    /* Best effort: if the application's session refuses, notices show. */
    PGresult *res = PQexec(d->conn, "SELECT current_setting('client_min_messages'), "
                                    "set_config('client_min_messages', 'warning', false)");
    if (PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1) {
        d->old_min_messages = strdup(PQgetvalue(res, 0, 0));
        if (!d->old_min_messages) {
            PQclear(res);
            PQclear(PQexec(d->conn, "RESET client_min_messages"));
            free(d);
            return MIGC_DRV_ERROR;
        }
    }
    PQclear(res);
    *out = d;
    return MIGC_DRV_OK;
}

static const char *pg_errmsg(struct migc_drv *d)
{
    return d ? d->err : "out of memory";
}

/* Is the result a success (commands, rows, or an empty query)? */
static bool result_ok(const PGresult *res)
{
    if (!res)
        return false;
    switch (PQresultStatus(res)) {
    case PGRES_COMMAND_OK: case PGRES_TUPLES_OK: case PGRES_EMPTY_QUERY:
        return true;
    default:
        return false;
    }
}

/* Drains what a COPY left in flight so the connection stays usable; the
 * plan never holds COPY, so this only guards against raw SQL that does.
 * COPY FROM STDIN is ended with an error (the server rolls it back); the
 * rows of COPY TO STDOUT are read and dropped (libpq returns the COPY
 * state again until they are). Stops when a result is not a COPY one. */
static void end_copy(struct migc_drv *d, PGresult *res)
{
    ExecStatusType st = PQresultStatus(res);
    for (int guard = 0; guard < 1000; guard++) {
        if (st == PGRES_COPY_IN) {
            if (PQputCopyEnd(d->conn, "migc does not run COPY FROM STDIN") < 0)
                return;
        } else if (st == PGRES_COPY_OUT || st == PGRES_COPY_BOTH) {
            char *buf = NULL;
            int n;
            while ((n = PQgetCopyData(d->conn, &buf, 0)) > 0) {
                PQfreemem(buf);
                buf = NULL;
            }
            if (n == -2)
                return;   /* the connection failed; PQstatus tells */
        } else {
            return;
        }
        PGresult *r = PQgetResult(d->conn);
        if (!r)
            return;
        st = PQresultStatus(r);
        PQclear(r);
        if (st != PGRES_COPY_IN && st != PGRES_COPY_OUT && st != PGRES_COPY_BOTH) {
            while ((r = PQgetResult(d->conn)) != NULL)
                PQclear(r);
            return;
        }
    }
}

/* Runs one simple-query message (PQexec); rows are discarded. */
static enum migc_drv_rc exec_text(struct migc_drv *d, const char *sql)
{
    PGresult *res = PQexec(d->conn, sql);
    if (result_ok(res)) {
        PQclear(res);
        return MIGC_DRV_OK;
    }
    if (res && (PQresultStatus(res) == PGRES_COPY_IN || PQresultStatus(res) == PGRES_COPY_OUT ||
                PQresultStatus(res) == PGRES_COPY_BOTH)) {
        end_copy(d, res);
        PQclear(res);
        return fail(d, "the sql runs COPY with the client, which migc does not support");
    }
    enum migc_drv_rc rc = fail_result(d, res);
    PQclear(res);
    return rc;
}

static bool ident_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '_' || c == '$' || (unsigned char)c >= 0x80;
}

/* The length of the statement that starts at s: up to (not including) the
 * ';' that ends it, or to the end of the text. Skips what PostgreSQL's lexer
 * skips: '...' (with '' and, for E'...' or every string when
 * backslash_quotes, backslash escapes), "...",
 * $tag$...$tag$, -- comments and nested comments. *code: the statement has
 * more than whitespace and comments. *atomic: it has BEGIN ATOMIC (a
 * function body whose ';' do not end the statement). */
static size_t statement_length(const char *s, bool backslash_quotes, bool *code, bool *atomic)
{
    const char *p = s, *word = NULL;
    size_t wordlen = 0;
    bool after_begin = false;
    while (*p && *p != ';') {
        char c = *p;
        if (c == '-' && p[1] == '-') {
            while (*p && *p != '\n')
                p++;
            continue;
        }
        if (c == '/' && p[1] == '*') {
            int depth = 0;
            while (*p) {
                if (p[0] == '/' && p[1] == '*') {
                    depth++;
                    p += 2;
                } else if (p[0] == '*' && p[1] == '/') {
                    p += 2;
                    if (--depth == 0)
                        break;
                } else {
                    p++;
                }
            }
            continue;
        }
        if (c != ' ' && c != '\t' && c != '\n' && c != '\r' && c != '\f')
            *code = true;
        if (c == '\'') {
            bool esc = backslash_quotes ||
                       (p > s && (p[-1] == 'E' || p[-1] == 'e') && (p - 1 == s || !ident_char(p[-2])));
            for (p++; *p; p++) {
                if (esc && *p == '\\' && p[1]) {
                    p++;
                } else if (*p == '\'') {
                    if (p[1] != '\'')
                        break;
                    p++;
                }
            }
            if (*p)
                p++;
            continue;
        }
        if (c == '"') {
            for (p++; *p; p++)
                if (*p == '"') {
                    if (p[1] != '"')
                        break;
                    p++;
                }
            if (*p)
                p++;
            continue;
        }
        if (c == '$' && !(p > s && ident_char(p[-1])) && !(p[1] >= '0' && p[1] <= '9')) {
            const char *q = p + 1;
            while (*q && *q != '$' && ident_char(*q))
                q++;
            if (*q == '$') {
                size_t taglen = (size_t)(q + 1 - p);
                const char *end = q + 1;
                while ((end = strchr(end, '$')) && strncmp(end, p, taglen))
                    end++;
                p = end ? end + taglen : p + strlen(p);
                continue;
            }
        }
        if (ident_char(c) && !(p > s && ident_char(p[-1]))) {
            word = p;
            while (ident_char(*p))
                p++;
            wordlen = (size_t)(p - word);
            if (wordlen == 6 && after_begin && !strncasecmp(word, "atomic", 6))
                *atomic = true;
            after_begin = wordlen == 5 && !strncasecmp(word, "begin", 5);
            continue;
        }
        p++;
    }
    return (size_t)(p - s);
}

/* Runs text that may hold several statements; rows are discarded. Inside a
 * transaction the text goes as one message. Outside one (a no_transaction
 * step) it is split into its statements, each run on its own as psql runs
 * a script: one multi-statement message would be an implicit transaction,
 * where CREATE INDEX CONCURRENTLY and VACUUM refuse to run. A failure names
 * the statement ("statement 2 of 3: ..."); those before it stay done. */
static enum migc_drv_rc pg_exec(struct migc_drv *d, const char *sql)
{
    if (PQtransactionStatus(d->conn) != PQTRANS_IDLE)
        return exec_text(d, sql);
    const char *scs = PQparameterStatus(d->conn, "standard_conforming_strings");
    bool bq = scs && !strcmp(scs, "off");
    unsigned n = 0;
    bool atomic = false;
    for (const char *p = sql;;) {
        bool code = false;
        size_t len = statement_length(p, bq, &code, &atomic);
        n += code;
        if (!p[len])
            break;
        p += len + 1;
    }
    if (n <= 1 || atomic)
        return exec_text(d, sql);
    char *copy = strdup(sql);
    if (!copy)
        return fail(d, "out of memory");
    unsigned k = 0;
    enum migc_drv_rc rc = MIGC_DRV_OK;
    for (char *p = copy; rc == MIGC_DRV_OK;) {
        bool code = false, unused = false;
        size_t len = statement_length(p, bq, &code, &unused);
        bool last = !p[len];
        p[len] = '\0';
        if (code) {
            k++;
            rc = exec_text(d, p);
            if (rc) {
                char msg[sizeof d->err];
                memcpy(msg, d->err, sizeof msg);
                snprintf(d->err, sizeof d->err, "statement %u of %u: %.900s", k, n, msg);
            }
        }
        if (last)
            break;
        p += len + 1;
    }
    free(copy);
    return rc;
}

/* Copies a tuples result into out; false on OOM (out then holds what was
 * copied, for migc_rows_free). */
static bool copy_rows(const PGresult *res, struct migc_rows *out)
{
    int nr = PQntuples(res), nc = PQnfields(res);
    out->ncols = (unsigned)nc;
    if (nr == 0 || nc == 0)
        return true;
    out->cells = calloc((size_t)nr * (size_t)nc, sizeof *out->cells);
    if (!out->cells)
        return false;
    out->nrows = (unsigned)nr;   /* zeroed cells: migc_rows_free handles a partial copy */
    for (int r = 0; r < nr; r++)
        for (int c = 0; c < nc; c++) {
            if (PQgetisnull(res, r, c))
                continue;
            char *v = strdup(PQgetvalue(res, r, c));
            if (!v)
                return false;
            out->cells[(size_t)r * (size_t)nc + (size_t)c] = v;
        }
    return true;
}

/* One statement with text parameters (PQexecParams: the extended protocol,
 * so never several statements). */
static enum migc_drv_rc pg_query(struct migc_drv *d, const char *sql, unsigned nparams,
                                 const char *const *params, struct migc_rows *out)
{
    struct migc_rows rows = {0};
    if (out)
        *out = rows;
    PGresult *res = PQexecParams(d->conn, sql, (int)nparams, NULL, params, NULL, NULL, 0);
    if (!result_ok(res)) {
        enum migc_drv_rc rc = fail_result(d, res);
        PQclear(res);
        return rc;
    }
    if (out && !copy_rows(res, &rows)) {
        PQclear(res);
        migc_rows_free(&rows);
        return fail(d, "out of memory");
    }
    const char *tuples = PQcmdTuples(res);   /* "" for commands without a count */
    d->changes = *tuples ? strtoll(tuples, NULL, 10) : -1;
    PQclear(res);
    if (out)
        *out = rows;
    return MIGC_DRV_OK;
}

/* sql (BEGIN, maybe with more after it), on an idle session only: a wrapped
 * connection that is inside the application's own transaction is refused
 * rather than joined (COMMIT would commit the application's work, ROLLBACK
 * undo it). */
static enum migc_drv_rc begin_with(struct migc_drv *d, const char *sql)
{
    PGTransactionStatusType ts = PQtransactionStatus(d->conn);
    if (ts == PQTRANS_INTRANS || ts == PQTRANS_INERROR)
        return fail(d, "the connection is inside a transaction that migc did not open: "
                       "commit or roll it back before migrating");
    enum migc_drv_rc rc = exec_text(d, sql);
    /* ours to roll back whenever it opened one, even if a later statement
     * of sql failed */
    ts = PQtransactionStatus(d->conn);
    d->in_tx = rc == MIGC_DRV_OK || ts == PQTRANS_INTRANS || ts == PQTRANS_INERROR;
    return rc;
}

/* driver.h begin. */
static enum migc_drv_rc pg_begin(struct migc_drv *d)
{
    return begin_with(d, "BEGIN");
}

/* COMMIT of a transaction that already failed answers ROLLBACK with
 * success: that is a failure here. */
static enum migc_drv_rc pg_commit(struct migc_drv *d)
{
    d->in_tx = false;
    PGresult *res = PQexec(d->conn, "COMMIT");
    if (!result_ok(res)) {
        enum migc_drv_rc rc = fail_result(d, res);
        PQclear(res);
        return rc;
    }
    bool committed = !strcmp(PQcmdStatus(res), "COMMIT");
    PQclear(res);
    if (!committed)
        return fail(d, "the transaction had failed and was rolled back");
    return MIGC_DRV_OK;
}

/* Rolls back an open or failed transaction (on a wrapped connection only
 * one that begin() opened); a no-op without one (or on a dead connection,
 * where the server has rolled back already). Keeps the
 * handle's last error, SQLSTATE and lost flag when it succeeds. */
static enum migc_drv_rc pg_rollback(struct migc_drv *d)
{
    PGTransactionStatusType ts = PQtransactionStatus(d->conn);
    bool ours = d->in_tx || d->owned;
    d->in_tx = false;
    if (!ours || ts == PQTRANS_IDLE || ts == PQTRANS_UNKNOWN || PQstatus(d->conn) != CONNECTION_OK)
        return MIGC_DRV_OK;
    char saved_err[sizeof d->err], saved_state[sizeof d->sqlstate];
    memcpy(saved_err, d->err, sizeof saved_err);
    memcpy(saved_state, d->sqlstate, sizeof saved_state);
    PGresult *res = PQexec(d->conn, "ROLLBACK");
    if (!result_ok(res)) {
        enum migc_drv_rc rc = fail_result(d, res);
        PQclear(res);
        return rc;
    }
    PQclear(res);
    memcpy(d->err, saved_err, sizeof saved_err);
    memcpy(d->sqlstate, saved_state, sizeof saved_state);
    return MIGC_DRV_OK;
}

/* FNV-1a 64 over the bytes of s, continuing from h. */
static uint64_t fnv1a(uint64_t h, const char *s)
{
    for (const char *p = s; *p; p++)
        h = (h ^ (unsigned char)*p) * 1099511628211u;
    return h;
}

/* The advisory lock key for the engine's lock name, the same in every
 * process and version. The engine names the lock "migc:<schema>.<table>",
 * with <schema> empty when no --schema was given; both spellings of one
 * history table must give one lock, so an empty or explicit schema prefix
 * that is the session's current_schema() is replaced by it:
 *   hash("migc:" current_schema() "." table).
 * Any other name (or no current schema) is hashed as it is. */
static enum migc_drv_rc lock_key_for(struct migc_drv *d, const char *key, int64_t *out)
{
    PGresult *res = PQexec(d->conn, "SELECT current_schema()");
    if (PQresultStatus(res) != PGRES_TUPLES_OK || PQntuples(res) != 1) {
        enum migc_drv_rc rc = fail_result(d, res);
        PQclear(res);
        return rc;
    }
    const char *rest = NULL, *cur = PQgetisnull(res, 0, 0) ? NULL : PQgetvalue(res, 0, 0);
    if (cur && !strncmp(key, "migc:", 5)) {
        size_t n = strlen(cur);
        if (key[5] == '.')
            rest = key + 6;
        else if (!strncmp(key + 5, cur, n) && key[5 + n] == '.')
            rest = key + 6 + n;
    }
    uint64_t h = fnv1a(14695981039346656037u, "migc:");
    if (rest) {
        h = fnv1a(h, cur);
        h = fnv1a(h, ".");
        h = fnv1a(h, rest);
    } else {
        h = fnv1a(h, key);
    }
    PQclear(res);
    *out = (int64_t)h;
    return MIGC_DRV_OK;
}

/* Names the backend that holds the advisory lock key in this database, for
 * the lock-wait message: " (held by server process PID, application NAME)"
 * or "" when it cannot tell. */
static void lock_holder(struct migc_drv *d, const char *keytext, char *buf, size_t n)
{
    buf[0] = '\0';
    const char *p[1] = {keytext};
    PGresult *res = PQexecParams(
        d->conn,
        "SELECT l.pid, coalesce(a.application_name, '') FROM pg_locks l "
        "LEFT JOIN pg_stat_activity a ON a.pid = l.pid "
        "WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1 "
        "AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database()) "
        "AND ((l.classid::bigint << 32) | l.objid::bigint) = $1::bigint LIMIT 1",
        1, NULL, p, NULL, NULL, 0);
    if (PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1)
        snprintf(buf, n, " (held by server process %s%s%s)", PQgetvalue(res, 0, 0),
                 PQgetvalue(res, 0, 1)[0] ? ", application " : "", PQgetvalue(res, 0, 1));
    PQclear(res);
}

/* Polls pg_try_advisory_lock (each poll its own short statement, outside
 * any transaction) every 50..500 ms until wait_ms has passed. */
static enum migc_drv_rc pg_lock_acquire(struct migc_drv *d, const char *key, int64_t wait_ms)
{
    if (d->locked)
        return MIGC_DRV_OK;
    /* a wrapped connection inside the application's transaction: refused
     * here, before anything (the history table too) is written into it */
    PGTransactionStatusType ts = PQtransactionStatus(d->conn);
    if (!d->in_tx && (ts == PQTRANS_INTRANS || ts == PQTRANS_INERROR))
        return fail(d, "the connection is inside a transaction that migc did not open: "
                       "commit or roll it back before migrating");
    int64_t k = 0;
    enum migc_drv_rc krc = lock_key_for(d, key, &k);
    if (krc)
        return krc;
    char keytext[32];
    snprintf(keytext, sizeof keytext, "%lld", (long long)k);
    const char *p[1] = {keytext};
    int64_t start = migc_now_ms(), pause = 50;
    for (;;) {
        PGresult *res = PQexecParams(d->conn, "SELECT pg_try_advisory_lock($1::bigint)", 1,
                                     NULL, p, NULL, NULL, 0);
        if (PQresultStatus(res) != PGRES_TUPLES_OK || PQntuples(res) != 1) {
            enum migc_drv_rc rc = fail_result(d, res);
            PQclear(res);
            return rc;
        }
        bool got = !strcmp(PQgetvalue(res, 0, 0), "t");
        PQclear(res);
        if (got) {
            d->locked = true;
            d->lock_key = k;
            return MIGC_DRV_OK;
        }
        int64_t left = wait_ms - (migc_now_ms() - start);
        if (left <= 0) {
            char holder[160];
            lock_holder(d, keytext, holder, sizeof holder);
            fail(d, "another migrator holds the migration lock of this database%s", holder);
            return MIGC_DRV_LOCK_TIMEOUT;
        }
        migc_sleep_ms(pause < left ? pause : left);
        if (pause < 500)
            pause += 50;
    }
}

/* Releases the advisory lock. On a dead connection the server has already
 * released it with the session. */
static enum migc_drv_rc pg_lock_release(struct migc_drv *d)
{
    if (!d->locked)
        return MIGC_DRV_OK;
    d->locked = false;
    if (PQstatus(d->conn) != CONNECTION_OK)
        return MIGC_DRV_OK;
    char keytext[32];
    snprintf(keytext, sizeof keytext, "%lld", (long long)d->lock_key);
    const char *p[1] = {keytext};
    PGresult *res = PQexecParams(d->conn, "SELECT pg_advisory_unlock($1::bigint)", 1, NULL, p,
                                 NULL, NULL, 0);
    if (PQresultStatus(res) != PGRES_TUPLES_OK) {
        enum migc_drv_rc rc = fail_result(d, res);
        PQclear(res);
        return rc;
    }
    PQclear(res);
    return MIGC_DRV_OK;
}

/* driver.h begin_ddl: BEGIN with SET LOCAL lock_timeout (it ends with the
 * transaction), as one simple-query message. */
static enum migc_drv_rc pg_begin_ddl(struct migc_drv *d, int64_t lock_timeout_ms)
{
    char sql[80];
    snprintf(sql, sizeof sql, "BEGIN; SET LOCAL lock_timeout = '%lldms'",
             (long long)(lock_timeout_ms < 0 ? 0 : lock_timeout_ms));
    return begin_with(d, sql);
}

static bool pg_last_error_is_lock_timeout(struct migc_drv *d)
{
    return !strcmp(d->sqlstate, "55P03");
}

static bool pg_connection_lost(struct migc_drv *d)
{
    return d->lost || PQstatus(d->conn) == CONNECTION_BAD;
}

/* Makes schema the only schema of search_path (so current_schema() is it,
 * and unqualified names, the history table included, live there). The
 * schema must exist: a typo must not create one. A wrapped connection gets
 * its search_path back in close(). */
static enum migc_drv_rc pg_set_schema(struct migc_drv *d, const char *schema)
{
    struct migc_rows r;
    const char *p[1] = {schema};
    enum migc_drv_rc rc = pg_query(
        d, "SELECT current_setting('search_path'), "
           "EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = $1)", 1, p, &r);
    if (rc)
        return rc;
    bool exists = !strcmp(migc_rows_get(&r, 0, 1) ? migc_rows_get(&r, 0, 1) : "", "t");
    if (!exists) {
        migc_rows_free(&r);
        return fail(d, "schema \"%s\" does not exist: create it (CREATE SCHEMA) or give another "
                       "--schema", schema);
    }
    if (!d->owned && !d->old_search_path) {
        const char *old = migc_rows_get(&r, 0, 0);
        d->old_search_path = strdup(old ? old : "");
        if (!d->old_search_path) {
            migc_rows_free(&r);
            return fail(d, "out of memory");
        }
    }
    migc_rows_free(&r);
    return pg_query(d, "SELECT set_config('search_path', quote_ident($1), false)", 1, p, NULL);
}

/* Rolls back, unlocks, gives a wrapped connection back as it was, and
 * finishes an owned one. */
static void pg_close(struct migc_drv *d)
{
    if (!d)
        return;
    if (PQstatus(d->conn) == CONNECTION_OK) {
        pg_rollback(d);
        pg_lock_release(d);
        if (d->old_search_path) {
            const char *p[1] = {d->old_search_path};
            PQclear(PQexecParams(d->conn, "SELECT set_config('search_path', $1, false)", 1, NULL,
                                 p, NULL, NULL, 0));
        }
        if (d->old_min_messages) {
            const char *p[1] = {d->old_min_messages};
            PQclear(PQexecParams(d->conn, "SELECT set_config('client_min_messages', $1, false)", 1,
                                 NULL, p, NULL, NULL, 0));
        }
    }
    if (d->owned)
        PQfinish(d->conn);
    free(d->old_search_path);
    free(d->old_min_messages);
    free(d);
}

/* Ordinary or partitioned table of that name in current_schema(). */
static enum migc_drv_rc pg_table_exists(struct migc_drv *d, const char *table, bool *exists)
{
    struct migc_rows r;
    const char *p[1] = {table};
    *exists = false;
    enum migc_drv_rc rc = pg_query(
        d, "SELECT 1 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
           "WHERE n.nspname = current_schema() AND c.relname = $1 AND c.relkind IN ('r', 'p')",
        1, p, &r);
    if (rc)
        return rc;
    *exists = r.nrows > 0;
    migc_rows_free(&r);
    return MIGC_DRV_OK;
}

/* DESIGN §5's history table; unqualified, so it lands in current_schema()
 * (the --schema one when given). */
static char *pg_history_ddl(const char *quoted_table)
{
    static const char fmt[] =
        "CREATE TABLE IF NOT EXISTS %s (\n"
        "  version BIGINT PRIMARY KEY,\n"
        "  description TEXT,\n"
        "  checksum TEXT,\n"
        "  applied_at TIMESTAMPTZ,\n"
        "  execution_ms BIGINT,\n"
        "  state TEXT,\n"
        "  progress TEXT,\n"
        "  migc_version TEXT\n"
        ")";
    size_t n = sizeof fmt + strlen(quoted_table);
    char *s = malloc(n);
    if (s)
        snprintf(s, n, fmt, quoted_table);
    return s;
}

/* Copies column 0 of every row of r into a new string list; false on OOM
 * (what was copied stays in *v / *n for the caller to free). */
static bool names_of(const struct migc_rows *r, char ***v, unsigned *n)
{
    *v = NULL;
    *n = 0;
    if (r->nrows == 0)
        return true;
    *v = calloc(r->nrows, sizeof **v);
    if (!*v)
        return false;
    for (unsigned i = 0; i < r->nrows; i++) {
        const char *s = migc_rows_get(r, i, 0);
        (*v)[i] = strdup(s ? s : "");
        if (!(*v)[i])
            return false;
        (*n)++;
    }
    return true;
}

/* Columns (format_type spelling; has_default: a DEFAULT expression, which
 * identity columns do not have), valid indexes no constraint owns (an
 * INVALID one, which a failed concurrent build leaves and queries never
 * use, does not count: verify calls it missing unless its build is the
 * recorded partial step), and named
 * constraints (PK, UNIQUE, CHECK, FK, EXCLUDE) of the table with that oid. */
static enum migc_drv_rc introspect_table(struct migc_drv *d, struct migc_live_table *t,
                                         const char *oid)
{
    struct migc_rows r;
    const char *p[1] = {oid};
    enum migc_drv_rc rc = pg_query(
        d, "SELECT attname, format_type(atttypid, atttypmod), attnotnull, atthasdef "
           "FROM pg_attribute WHERE attrelid = $1::oid AND attnum > 0 AND NOT attisdropped "
           "ORDER BY attnum",
        1, p, &r);
    if (rc)
        return rc;
    t->columns = calloc(r.nrows ? r.nrows : 1, sizeof *t->columns);
    if (!t->columns) {
        migc_rows_free(&r);
        return fail(d, "out of memory");
    }
    for (unsigned i = 0; i < r.nrows; i++) {
        struct migc_live_column *c = &t->columns[i];
        const char *name = migc_rows_get(&r, i, 0), *type = migc_rows_get(&r, i, 1);
        c->name = strdup(name ? name : "");
        c->type = strdup(type ? type : "");
        t->ncolumns++;
        if (!c->name || !c->type) {
            migc_rows_free(&r);
            return fail(d, "out of memory");
        }
        const char *nn = migc_rows_get(&r, i, 2), *df = migc_rows_get(&r, i, 3);
        c->not_null = nn && !strcmp(nn, "t");
        c->has_default = df && !strcmp(df, "t");
    }
    migc_rows_free(&r);

    rc = pg_query(
        d, "SELECT c.relname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
           "WHERE i.indrelid = $1::oid AND i.indisvalid AND NOT EXISTS (SELECT 1 FROM pg_constraint k "
           "WHERE k.conindid = i.indexrelid AND k.conrelid = i.indrelid "
           "AND k.contype IN ('p', 'u', 'x')) ORDER BY c.relname COLLATE \"C\"",
        1, p, &r);
    if (rc)
        return rc;
    bool ok = names_of(&r, &t->indexes, &t->nindexes);
    migc_rows_free(&r);
    if (!ok)
        return fail(d, "out of memory");

    rc = pg_query(d, "SELECT conname FROM pg_constraint WHERE conrelid = $1::oid "
                     "AND contype IN ('p', 'u', 'c', 'f', 'x') ORDER BY conname COLLATE \"C\"",
                  1, p, &r);
    if (rc)
        return rc;
    ok = names_of(&r, &t->constraints, &t->nconstraints);
    migc_rows_free(&r);
    if (!ok)
        return fail(d, "out of memory");
    return MIGC_DRV_OK;
}

/* Ordinary and partitioned tables of current_schema(), by name (strcmp
 * order), without skip_table. */
static enum migc_drv_rc pg_introspect(struct migc_drv *d, const char *skip_table,
                                      struct migc_live_schema *out)
{
    struct migc_live_schema s = {0};
    *out = s;
    struct migc_rows r;
    const char *p[1] = {skip_table ? skip_table : ""};
    enum migc_drv_rc rc = pg_query(
        d, "SELECT c.relname, c.oid FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
           "WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') AND NOT c.relispartition "
           "AND c.relname <> $1 ORDER BY c.relname COLLATE \"C\"",
        1, p, &r);
    if (rc)
        return rc;
    s.tables = calloc(r.nrows ? r.nrows : 1, sizeof *s.tables);
    if (!s.tables) {
        migc_rows_free(&r);
        return fail(d, "out of memory");
    }
    for (unsigned i = 0; i < r.nrows; i++) {
        struct migc_live_table *t = &s.tables[s.ntables++];
        t->name = strdup(migc_rows_get(&r, i, 0));
        if (!t->name) {
            rc = fail(d, "out of memory");
            goto failed;
        }
        rc = introspect_table(d, t, migc_rows_get(&r, i, 1));
        if (rc)
            goto failed;
    }
    migc_rows_free(&r);
    *out = s;
    return MIGC_DRV_OK;
failed:
    migc_rows_free(&r);
    migc_live_schema_free(&s);
    return rc;
}

/* pg_index.indisvalid of the index of that name in current_schema(). A
 * CREATE INDEX CONCURRENTLY that failed or was cancelled (or whose session
 * died) leaves the index in place, INVALID. */
static enum migc_drv_rc pg_index_state(struct migc_drv *d, const char *index, bool *exists,
                                       bool *invalid)
{
    struct migc_rows r;
    const char *p[1] = {index};
    *exists = *invalid = false;
    enum migc_drv_rc rc = pg_query(
        d, "SELECT i.indisvalid FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
           "JOIN pg_index i ON i.indexrelid = c.oid "
           "WHERE n.nspname = current_schema() AND c.relname = $1",
        1, p, &r);
    if (rc)
        return rc;
    if (r.nrows > 0) {
        const char *v = migc_rows_get(&r, 0, 0);
        *exists = true;
        *invalid = !v || strcmp(v, "t") != 0;
    }
    migc_rows_free(&r);
    return MIGC_DRV_OK;
}

/* DROP INDEX CONCURRENTLY IF EXISTS <current_schema>.<index>, outside any
 * transaction (the statement refuses to run inside one). */
static enum migc_drv_rc pg_drop_index(struct migc_drv *d, const char *index)
{
    struct migc_rows r;
    const char *p[1] = {index};
    enum migc_drv_rc rc = pg_query(
        d, "SELECT format('DROP INDEX CONCURRENTLY IF EXISTS %I.%I', current_schema(), $1::text)",
        1, p, &r);
    if (rc)
        return rc;
    const char *sql = migc_rows_get(&r, 0, 0);
    if (!sql) {
        migc_rows_free(&r);
        return fail(d, "no current schema to drop index \"%s\" from (check search_path)", index);
    }
    rc = pg_exec(d, sql);
    migc_rows_free(&r);
    return rc;
}

/* Rows the last successful query() changed (PQcmdTuples), -1 if unknown. */
static int64_t pg_changes(struct migc_drv *d)
{
    return d->changes;
}

const struct migc_driver migc_driver_postgres = {
    .dialect = MIGC_POSTGRES,
    .name = "postgres",
    .param_prefix = "$",
    .accepts_url = pg_accepts_url,
    .open = pg_open,
    .wrap = pg_wrap,
    .close = pg_close,
    .errmsg = pg_errmsg,
    .exec = pg_exec,
    .query = pg_query,
    .begin = pg_begin,
    .commit = pg_commit,
    .rollback = pg_rollback,
    .lock_acquire = pg_lock_acquire,
    .lock_release = pg_lock_release,
    .begin_ddl = pg_begin_ddl,
    .last_error_is_lock_timeout = pg_last_error_is_lock_timeout,
    .connection_lost = pg_connection_lost,
    .set_schema = pg_set_schema,
    .table_exists = pg_table_exists,
    .history_ddl = pg_history_ddl,
    .now_sql = "now()",
    .introspect = pg_introspect,
    .index_state = pg_index_state,
    .drop_index = pg_drop_index,
    .foreign_keys_off = NULL,
    .foreign_keys_restore = NULL,
    .foreign_key_check = NULL,
    .save_dependents = NULL,
    .restore_dependents = NULL,
    .changes = pg_changes,
};
