/* cli_jobs.c - scores files in parallel: each worker thread has its own
 * mc_scorer over the shared, immutable mc_rules, takes the next file,
 * reads and splits it (cli_kinds.c) and scores its pieces; the calling
 * thread hands finished jobs to the reports strictly in list order, so
 * the output is the same for every -j. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"

/* Git's test for binary files: a NUL byte in the first 8000. */
#define BINARY_PROBE 8000

/* A bigger buffer, up to one byte past the limit (enough to tell that
 * the input is too large); frees buf and returns NULL on failure. */
static char *grow(char *buf, size_t *cap)
{
    size_t ncap = *cap * 2 > MC_MAX_TEXT ? MC_MAX_TEXT + 1 : *cap * 2;
    char *nb = realloc(buf, ncap + 1);
    if (!nb)
        free(buf);
    *cap = ncap;
    return nb;
}

/* Reads fd to its end, or one byte past MC_MAX_TEXT.  size (0: unknown)
 * sizes the first buffer, so a regular file takes one allocation.
 * Returns 0, or -1 with errno set; *len > MC_MAX_TEXT means too large. */
static int read_all(int fd, size_t size, char **out, size_t *len)
{
    size_t cap = size ? size + 1 : 65536, n = 0;
    char *buf = malloc(cap + 1);
    ssize_t got = 1;
    while (buf && got != 0 && n <= MC_MAX_TEXT) {
        if (n == cap && !(buf = grow(buf, &cap)))
            break;
        got = read(fd, buf + n, cap - n);
        if (got < 0 && errno != EINTR)
            break;
        n += got > 0 ? (size_t)got : 0;
    }
    if (!buf || got < 0) {
        int e = buf ? errno : ENOMEM;
        free(buf);
        errno = e;
        return -1;
    }
    buf[n] = 0;
    *out = buf;
    *len = n;
    return 0;
}

int mc_read_input(int fd, const char *path, FILE *diag, char **buf,
                  size_t *len)
{
    struct stat st;
    size_t size = 0;
    *buf = NULL;
    *len = 0;
    if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode))
        size = st.st_size > (off_t)MC_MAX_TEXT ? MC_MAX_TEXT + 1
                                               : (size_t)st.st_size;
    if (size <= MC_MAX_TEXT && read_all(fd, size, buf, len)) {
        if (errno == ENOMEM)
            fprintf(diag, "%s: error: out of memory\n", path);
        else
            fprintf(diag, "%s: error: read failed: %s\n", path, strerror(errno));
        return -1;
    }
    if (size > MC_MAX_TEXT || *len > MC_MAX_TEXT) {
        fprintf(diag, "%s: error: text too large (over %u MiB); split it or "
                "use --input-format jsonl\n", path, MC_MAX_TEXT >> 20);
        free(*buf);
        *buf = NULL;
        return -1;
    }
    return 0;
}

/* A walked entry was a regular file when listed; if something else took
 * its place since (a FIFO would block the read), it is skipped.  The
 * open did not block: O_NONBLOCK. */
static int still_regular(mc_job *job, int fd, FILE *diag)
{
    struct stat st;
    if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode))
        return 0;
    fprintf(diag, "%s: note: skipped: not a regular file\n", job->path);
    return 1;
}

/* Everything is read through the one descriptor (fstat, not stat on the
 * path), so a file replaced after the walk is never half read.  Returns
 * 0, 1 when skipped, -1 on error (printed). */
static int read_file(mc_job *job, FILE *diag)
{
    int fd = open(job->path, O_RDONLY | O_NOCTTY | O_CLOEXEC |
                                 (job->walked ? O_NONBLOCK : 0));
    if (fd < 0) {
        fprintf(diag, "%s: error: cannot open: %s\n", job->path, strerror(errno));
        return -1;
    }
    int rc = job->walked ? still_regular(job, fd, diag) : 0;
    if (rc == 0)
        rc = mc_read_input(fd, job->path, diag, &job->raw, &job->rawlen);
    close(fd);
    return rc;
}

/* The inline suppressions of the piece plus the file's disabled ids,
 * which cover the whole text.  Returns NULL only when out of memory. */
static mc_suppression *suppressions(const mc_job *job, const mc_piece *pc,
                                    size_t *n)
{
    *n = pc->nsup + job->set.disable.n;
    mc_suppression *v = malloc((*n + 1) * sizeof *v);
    if (!v)
        return NULL;
    if (pc->nsup)
        memcpy(v, pc->sup, pc->nsup * sizeof *v);
    for (size_t i = 0; i < job->set.disable.n; i++)
        v[pc->nsup + i] = (mc_suppression){job->set.disable.v[i], 0, SIZE_MAX};
    return v;
}

static void piece_error(const mc_job *job, const mc_piece *pc,
                        const mc_error *err, int rc, FILE *diag)
{
    const char *msg = rc == MC_ERR_NOMEM ? "out of memory" : err->message;
    if (pc->own_positions || pc->map || !err->line)
        fprintf(diag, "%s:%d: error: %s\n", job->path, pc->line, msg);
    else
        fprintf(diag, "%s:%d:%d: error: %s\n", job->path, err->line,
                err->column, msg);
}

static void score_piece(mc_job *job, size_t i, mc_scorer *s, FILE *diag)
{
    const mc_piece *pc = &job->pieces.v[i];
    if (pc->error) {
        fprintf(diag, "%s:%d: error: %s\n", job->path, pc->line, pc->error);
        job->errors = 1;
        return;
    }
    size_t nsup;
    mc_suppression *sup = suppressions(job, pc, &nsup);
    mc_error err = {0};
    int lang = pc->lang >= 0 ? pc->lang : job->set.lang;
    int rc = sup ? mc_score_ex(s, pc->text, pc->len, (mc_lang)lang, sup, nsup,
                               &job->results[i], &err)
                 : MC_ERR_NOMEM;
    free(sup);
    if (rc != MC_OK) {
        piece_error(job, pc, &err, rc, diag);
        job->errors = 1;
    }
}

/* The offset of the NUL byte that makes buf binary, or -1. */
static long binary_at(const char *buf, size_t len)
{
    const char *nul = memchr(buf, 0, len < BINARY_PROBE ? len : BINARY_PROBE);
    return nul ? (long)(nul - buf) : -1;
}

/* A binary file met while walking a directory is not what the user
 * meant to score: a note.  One named on the command line, or stdin, was
 * asked for, so leaving it unscored is an error (CI must not pass with
 * nothing scored). */
static void skip_binary(mc_job *job, long at, FILE *diag)
{
    if (job->walked) {
        fprintf(diag, "%s: note: skipped: binary file\n", job->path);
        job->skipped = 1;
        return;
    }
    fprintf(diag, "%s: error: binary file (NUL byte at offset %ld), not "
            "scored\n", job->path, at);
    job->errors = 1;
}

int mc_lost_rule(const mc_finding *f)
{
    return f->effect == MC_EFFECT_LIMIT && strcmp(f->rule, "limit.findings");
}

/* Texts of the job that were scored without some rule. */
static int count_lost(const mc_job *job)
{
    int n = 0;
    for (size_t i = 0; i < job->pieces.n; i++) {
        const mc_result *r = job->results[i];
        for (size_t k = 0; r && k < mc_result_finding_count(r); k++)
            if (mc_lost_rule(mc_result_finding(r, k))) {
                n++;
                break;
            }
    }
    return n;
}

/* The file's bytes (stdin's are preloaded), if they are text: 0 to go
 * on, -1 when the job is done (skipped or failed, printed). */
static int load(mc_job *job, FILE *diag)
{
    int rc = job->raw ? 0 : read_file(job, diag);
    if (rc) {
        job->errors |= rc < 0;
        job->skipped |= rc > 0;
        return -1;
    }
    long nul = binary_at(job->raw, job->rawlen);
    if (nul >= 0) {
        skip_binary(job, nul, diag);
        return -1;
    }
    return 0;
}

static void score_job(mc_job *job, mc_scorer *s, const mc_rules *rules,
                      FILE *diag)
{
    if (job->set.kind == MC_KIND_UNKNOWN) {
        fprintf(diag, "%s: note: skipped: unknown file kind (name it with "
                "--kind or kind = in .meaculpa.ini)\n", job->path);
        job->skipped = 1;
        return;
    }
    if (load(job, diag))
        return;
    if (mc_extract(job->set.kind, job->path, job->raw, job->rawlen, rules,
                   &job->pieces, diag)) {
        job->errors = 1;
        return;
    }
    if (job->pieces.disabled_file || job->pieces.n == 0) {
        job->skipped = 1;
        return;
    }
    if (!(job->results = calloc(job->pieces.n, sizeof *job->results))) {
        fprintf(diag, "%s: error: out of memory\n", job->path);
        job->errors = 1;
        return;
    }
    for (size_t i = 0; i < job->pieces.n; i++)
        score_piece(job, i, s, diag);
    job->lost = count_lost(job);
}

/* Diagnostics are kept with the job, so they come out in order too. */
static void run_one(mc_job *job, mc_scorer *s, const mc_rules *rules)
{
    FILE *diag = open_memstream(&job->diag, &job->diaglen);
    if (!diag) {
        job->errors = 1;
        return;
    }
    score_job(job, s, rules, diag);
    fclose(diag);
}

void mc_job_clear(mc_job *job)
{
    for (size_t i = 0; job->results && i < job->pieces.n; i++)
        mc_result_free(job->results[i]);
    free(job->results);
    mc_pieces_free(&job->pieces);
    mc_strv_free(&job->set.disable);
    free(job->raw);
    free(job->diag);
    job->results = NULL;
    job->raw = job->diag = NULL;
}

/* ---- the pool --------------------------------------------------------- */

typedef struct {
    mc_job *jobs;
    size_t n, next;
    char *done;
    const mc_rules *rules;
    pthread_mutex_t mu;
    pthread_cond_t cv;
} pool;

typedef struct {
    pool *p;
    mc_scorer *scorer;
} worker;

static void *work(void *arg)
{
    worker *w = arg;
    pool *p = w->p;
    for (;;) {
        pthread_mutex_lock(&p->mu);
        size_t i = p->next < p->n ? p->next++ : p->n;
        pthread_mutex_unlock(&p->mu);
        if (i == p->n)
            return NULL;
        run_one(&p->jobs[i], w->scorer, p->rules);
        pthread_mutex_lock(&p->mu);
        p->done[i] = 1;
        pthread_cond_broadcast(&p->cv);
        pthread_mutex_unlock(&p->mu);
    }
}

static void emit_in_order(pool *p, mc_emit_fn emit, void *ctx)
{
    for (size_t i = 0; i < p->n; i++) {
        pthread_mutex_lock(&p->mu);
        while (!p->done[i])
            pthread_cond_wait(&p->cv, &p->mu);
        pthread_mutex_unlock(&p->mu);
        emit(ctx, &p->jobs[i]);
    }
}

static int make_workers(worker *w, int n, pool *p)
{
    for (int i = 0; i < n; i++) {
        mc_error err = {0};
        w[i] = (worker){p, mc_scorer_new(p->rules, &err)};
        if (!w[i].scorer) {
            fprintf(stderr, "meaculpa: error: %s\n", err.message);
            return -1;
        }
    }
    return 0;
}

/* One file or -j 1: no thread to start (what an editor runs on save). */
static int run_here(mc_job *jobs, size_t n, const mc_rules *rules,
                    mc_emit_fn emit, void *ctx)
{
    mc_error err = {0};
    mc_scorer *s = mc_scorer_new(rules, &err);
    if (!s) {
        fprintf(stderr, "meaculpa: error: %s\n", err.message);
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        run_one(&jobs[i], s, rules);
        emit(ctx, &jobs[i]);
    }
    mc_scorer_free(s);
    return 0;
}

int mc_run_jobs(mc_job *jobs, size_t n, int nthreads, const mc_rules *rules,
                mc_emit_fn emit, void *ctx)
{
    if ((size_t)nthreads > n)
        nthreads = (int)n;
    if (nthreads <= 1)
        return run_here(jobs, n, rules, emit, ctx);
    pool p = {jobs, n, 0, calloc(n + 1, 1), rules, PTHREAD_MUTEX_INITIALIZER,
              PTHREAD_COND_INITIALIZER};
    worker *w = calloc((size_t)nthreads, sizeof *w);
    pthread_t *tid = calloc((size_t)nthreads, sizeof *tid);
    int started = 0, rc = p.done && w && tid ? make_workers(w, nthreads, &p) : -1;
    if (!p.done || !w || !tid)
        fprintf(stderr, "meaculpa: error: out of memory\n");
    while (rc == 0 && started < nthreads) {
        if (pthread_create(&tid[started], NULL, work, &w[started])) {
            fprintf(stderr, "meaculpa: error: cannot start a thread\n");
            rc = -1;
        } else {
            started++;
        }
    }
    if (started > 0) {  /* even after a failed start, finish with those up */
        emit_in_order(&p, emit, ctx);
        for (int i = 0; i < started; i++)
            pthread_join(tid[i], NULL);
        rc = 0;
    }
    for (int i = 0; w && i < nthreads; i++)
        mc_scorer_free(w[i].scorer);
    free(w);
    free(tid);
    free(p.done);
    return rc;
}
