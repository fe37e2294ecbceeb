/* cli_jobs.c - scores files in parallel: each thread has its own
 * mc_scorer over the shared, immutable mc_rules, takes the next task (a
 * few small files, or a batch of JSON Lines), reads and splits each
 * file (cli_kinds.c) and scores its pieces.  The calling thread cuts
 * the file list into tasks, reads JSON Lines a line at a time and cuts
 * them into batches, one job each, and hands finished jobs to the
 * reports strictly in list order, so the output is the same for every
 * -j. */
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

/* A batch of JSON Lines: enough lines to be worth a hand-off between
 * threads, few enough that -j N splits one file; bytes bound it too (a
 * line may be long).  It never ends before BINARY_PROBE bytes, so the
 * first batch tells a binary file as a file read whole does. */
#define BATCH_LINES 256
#define BATCH_BYTES (1u << 20)

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
 * it, or -1 when the file is not read: job->errors or job->skipped is
 * set and the reason printed. */
static int open_input(mc_job *job, FILE *diag)
{
    int fd = open(job->path, O_RDONLY | O_NOCTTY | O_CLOEXEC |
                                 (job->walked ? O_NONBLOCK : 0));
    if (fd < 0) {
        fprintf(diag, "%s: error: cannot open: %s\n", job->path, strerror(errno));
        job->errors = 1;
    } else if (job->walked && still_regular(job, fd, diag)) {
        close(fd);
        fd = -1;
        job->skipped = 1;
    }
    return fd;
}

/* Reads the job's file whole: 0, or -1 when it is not (printed). */
static int read_file(mc_job *job, FILE *diag)
{
    int fd = open_input(job, diag);
    if (fd < 0)
        return -1;
    int rc = mc_read_input(fd, job->path, diag, &job->raw, &job->rawlen);
    close(fd);
    job->errors |= rc != 0;
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

/* The file's bytes (stdin's and a batch's are read already), if they
 * are text: 0 to go on, -1 when the job is done (skipped or failed,
 * printed).  A batch past the first is never binary: the first one
 * decided for the file. */
static int load(mc_job *job, FILE *diag)
{
    /* A batch of no lines holds the reader's message only. */
    if (!job->raw && (job->first_line || read_file(job, diag)))
        return -1;
    long nul = job->first_line > 1 ? -1 : binary_at(job->raw, job->rawlen);
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
    /* A batch's lines are counted from its first line in the file. */
    for (size_t i = 0; job->first_line > 1 && i < job->pieces.n; i++)
        job->pieces.v[i].line += job->first_line - 1;
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
    FILE *diag = job->diagf ? job->diagf
                            : open_memstream(&job->diag, &job->diaglen);
    job->diagf = NULL;
    if (!diag) {
        job->errors = 1;
        return;
    }
    score_job(job, s, rules, diag);
    fclose(diag);
}

/* What reading and scoring made; the path and settings stay. */
static void job_release(mc_job *job)
{
    for (size_t i = 0; job->results && i < job->pieces.n; i++)
        mc_result_free(job->results[i]);
    free(job->results);
    mc_pieces_free(&job->pieces);
    free(job->raw);
    if (job->diagf)
        fclose(job->diagf);
    free(job->diag);
    job->results = NULL;
    job->raw = job->diag = NULL;
    job->diagf = NULL;
}

void mc_job_clear(mc_job *job)
{
    job_release(job);
    mc_strv_free(&job->set.disable);
}

/* ---- the window ------------------------------------------------------- */

/* What a thread takes at a time: a run of files of the caller's list,
 * or one batch of JSON Lines.  Small files go several to a task, as
 * lines go to a batch, so that tasks are about the same size: with one
 * file each, a thread that took a long file held the window up while
 * the other ran out of work (-j 2 was 1.5 times -j 1 on a directory of
 * macros), and every file cost a hand-off. */
typedef struct {
    mc_job *job;          /* n jobs: files of the list, or &batch */
    size_t n;
    mc_job batch;
} task;

/* A task of files ends after TASK_FILES files, or once their sizes
 * when listed reach TASK_BYTES (a larger file goes alone), so that at
 * most 2 * nthreads tasks of that size are held.  For the macros of
 * `make bench` that is about 10 ms of scoring.  A short list is cut
 * finer: every thread gets TASKS_PER_THREAD tasks or more. */
#define TASK_FILES 32
#define TASK_BYTES (64u << 10)
#define TASKS_PER_THREAD 8

/* The tasks in flight, numbered in input order: those before next are
 * taken by a thread (done once scored), those from next to produced
 * wait for one; task k lives in slot[k % cap] until it is emitted, so
 * at most cap are held however long the input.  The calling thread
 * fills the window, emits its oldest task once done and scores while it
 * waits. */
typedef struct {
    task *slot;
    char *done;
    size_t cap, produced, next, emitted;
    int closed;           /* nothing more to come: the threads may end */
    const mc_rules *rules;
    mc_scorer *scorer;    /* the calling thread's */
    mc_emit_fn emit;
    void *ctx;
    pthread_mutex_t mu;
    pthread_cond_t cv;
} pool;

typedef struct {
    pool *p;
    mc_scorer *scorer;
} worker;

/* Takes the next waiting task and scores it; called with the lock held,
 * which is let go meanwhile. */
static void score_next(pool *p, mc_scorer *s)
{
    size_t k = p->next++ % p->cap;
    pthread_mutex_unlock(&p->mu);
    for (size_t i = 0; i < p->slot[k].n; i++)
        run_one(&p->slot[k].job[i], s, p->rules);
    pthread_mutex_lock(&p->mu);
    p->done[k] = 1;
    pthread_cond_broadcast(&p->cv);
}

static void *work(void *arg)
{
    worker *w = arg;
    pool *p = w->p;
    pthread_mutex_lock(&p->mu);
    while (p->next < p->produced || !p->closed) {
        if (p->next < p->produced)
            score_next(p, w->scorer);
        else
            pthread_cond_wait(&p->cv, &p->mu);
    }
    pthread_mutex_unlock(&p->mu);
    return NULL;
}

static void emit_oldest(pool *p)
{
    size_t k = p->emitted % p->cap;
    pthread_mutex_lock(&p->mu);
    while (!p->done[k]) {
        if (p->next < p->produced)
            score_next(p, p->scorer);
        else
            pthread_cond_wait(&p->cv, &p->mu);
    }
    pthread_mutex_unlock(&p->mu);
    for (size_t i = 0; i < p->slot[k].n; i++) {
        p->emit(p->ctx, &p->slot[k].job[i]);
        job_release(&p->slot[k].job[i]);
    }
    p->emitted++;
}

/* A free slot: the oldest task is emitted first when none is. */
static task *free_slot(pool *p)
{
    if (p->produced - p->emitted == p->cap)
        emit_oldest(p);
    return &p->slot[p->produced % p->cap];
}

/* The task of free_slot is ready to be taken. */
static void publish(pool *p)
{
    pthread_mutex_lock(&p->mu);
    p->done[p->produced++ % p->cap] = 0;
    pthread_cond_broadcast(&p->cv);
    pthread_mutex_unlock(&p->mu);
}

/* Files per task: TASK_FILES, or fewer for a short list (20 files on
 * -j 2 go one at a time). */
static size_t files_per_task(size_t n, int nthreads)
{
    size_t most = n / ((size_t)nthreads * TASKS_PER_THREAD);
    return most < 1 ? 1 : most > TASK_FILES ? TASK_FILES : most;
}

/* Hands the file jobs[0] on in a task with the files after it that fit
 * (JSON Lines, streamed, end a task); returns how many went. */
static size_t hand_files(pool *p, mc_job *jobs, size_t n, size_t most)
{
    task *t = free_slot(p);
    size_t k = 0, bytes = 0;
    while (k < n && k < most && bytes < TASK_BYTES &&
           jobs[k].set.kind != MC_KIND_JSONL) {
        jobs[k].last = 1;  /* a file is its own last batch */
        bytes += jobs[k++].size;
    }
    *t = (task){.job = jobs, .n = k};
    publish(p);
    return k;
}

/* ---- JSON Lines, read as they come ------------------------------------ */

typedef struct {
    FILE *f;
    int line;             /* lines read */
    size_t cap;           /* of the batch's raw */
    int err;              /* errno of a failed read or allocation */
} reader;

static int put(reader *r, mc_job *b, char c)
{
    if (b->rawlen + 1 >= r->cap) {
        size_t ncap = r->cap ? r->cap * 2 : 65536;
        char *nb = realloc(b->raw, ncap);
        if (!nb)
            return r->err = ENOMEM, -1;
        b->raw = nb;
        r->cap = ncap;
    }
    b->raw[b->rawlen++] = c;
    return 0;
}

/* Appends the next line and a '\n' to the batch.  Not getline: that
 * would hold a line of any length, and this keeps MC_MAX_TEXT bytes at
 * most.  Returns 1, 0 at the end of the input or on an error (r->err),
 * -1 for a line over MC_MAX_TEXT (read to its end, not kept). */
static int read_line(reader *r, mc_job *b)
{
    size_t start = b->rawlen, n = 0;
    int c;
    while ((c = getc_unlocked(r->f)) != EOF && c != '\n')
        if (n++ < MC_MAX_TEXT && put(r, b, (char)c))
            break;
    if (c == EOF && n == 0 && ferror(r->f))
        r->err = errno;
    if (r->err || (c == EOF && n == 0))
        return b->rawlen = start, 0;
    r->line++;
    if (n > MC_MAX_TEXT)
        return b->rawlen = start, -1;
    return put(r, b, '\n') ? (b->rawlen = start, 0) : 1;
}

/* Fills the batch with whole lines.  Returns 1 when it is full, 0 at the
 * end of the input, -1 when a line too long ends it. */
static int fill_batch(reader *r, mc_job *b)
{
    for (int n = 0; n < BATCH_LINES || b->rawlen < BINARY_PROBE; n++) {
        int rc = read_line(r, b);
        if (rc != 1 || b->rawlen >= BATCH_BYTES)
            return rc;
    }
    return 1;
}

/* A new batch of the file from line first on; NULL when out of memory. */
static mc_job *new_batch(pool *p, mc_job *file, int first)
{
    task *t = free_slot(p);
    *t = (task){.batch = *file, .n = 1};
    mc_job *b = t->job = &t->batch;
    b->first_line = first;
    if (!(b->diagf = open_memstream(&b->diag, &b->diaglen)))
        job_release(b);
    return b->diagf ? b : NULL;
}

/* The input of a JSON Lines file (stdin is one already), or NULL when
 * it is not read: why is in the batch's diag, or in *err. */
static FILE *open_lines(mc_job *b, int *err)
{
    if (b->is_stdin)
        return stdin;
    int fd = open_input(b, b->diagf);
    FILE *f = fd < 0 ? NULL : fdopen(fd, "r");
    if (fd >= 0 && !f) {
        *err = errno;
        close(fd);
    }
    return f;
}

/* Hands the batch on; more is what fill_batch said.  Returns it, or 0
 * when the file ends here: at its end, an error (which the batch tells)
 * or a binary first batch (its worker says so; the rest is not read). */
static int end_batch(pool *p, reader *r, mc_job *b, int more)
{
    if (b->raw)
        b->raw[b->rawlen] = 0;
    if (b->raw && b->first_line == 1 && binary_at(b->raw, b->rawlen) >= 0)
        more = 0;
    if (!more && r->err == ENOMEM)
        fprintf(b->diagf, "%s: error: out of memory\n", b->path);
    else if (!more && r->err)
        fprintf(b->diagf, "%s: error: read failed: %s\n", b->path,
                strerror(r->err));
    b->errors |= !more && r->err;
    b->last = !more;
    publish(p);
    return more;
}

/* Hands the lines of a JSON Lines file (or stdin) on in batches as they
 * are read.  A bad line is an error of its batch; a line too long is one
 * between two batches.  Returns -1 when out of memory. */
static int stream(pool *p, mc_job *file)
{
    mc_job *b = new_batch(p, file, 1);
    reader r = {0};
    if (b)
        r.f = open_lines(b, &r.err);
    for (int more = b != NULL; more;) {
        r.cap = 0;  /* a new batch, its raw still NULL */
        more = end_batch(p, &r, b, r.f ? fill_batch(&r, b) : 0);
        if (more && !(b = new_batch(p, file, r.line + 1)))
            break;
        if (more < 0) {
            fprintf(b->diagf, "%s:%d: error: line too long (over %u MiB)\n",
                    b->path, r.line, MC_MAX_TEXT >> 20);
            b->errors = 1;
        }
    }
    if (r.f && r.f != stdin)
        fclose(r.f);
    return b ? 0 : -1;
}

/* ---- the run ---------------------------------------------------------- */

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

/* Threads beyond one per file are only worth starting for JSON Lines,
 * which is cut into batches (one file: no thread to start, what an
 * editor runs on save). */
static int useful_threads(const mc_job *jobs, size_t n, int nthreads)
{
    for (size_t i = 0; i < n; i++)
        if (jobs[i].set.kind == MC_KIND_JSONL)
            return nthreads;
    return n < (size_t)nthreads ? (n ? (int)n : 1) : nthreads;
}

/* w[0] is the calling thread; returns how many run. */
static int start_threads(worker *w, pthread_t *tid, int n)
{
    int started = 1;
    while (started < n && pthread_create(&tid[started], NULL, work,
                                         &w[started]) == 0)
        started++;
    if (started < n)  /* the calling thread alone will do */
        fprintf(stderr, "meaculpa: error: cannot start a thread\n");
    return started;
}

int mc_run_jobs(mc_job *jobs, size_t n, int nthreads, const mc_rules *rules,
                mc_emit_fn emit, void *ctx)
{
    nthreads = useful_threads(jobs, n, nthreads);
    pool p = {.cap = 2 * (size_t)nthreads, .rules = rules, .emit = emit,
              .ctx = ctx, .mu = PTHREAD_MUTEX_INITIALIZER,
              .cv = PTHREAD_COND_INITIALIZER};
    p.slot = calloc(p.cap, sizeof *p.slot);
    p.done = calloc(p.cap, 1);
    worker *w = calloc((size_t)nthreads, sizeof *w);
    pthread_t *tid = calloc((size_t)nthreads, sizeof *tid);
    int started = 1, rc = -1;
    if (!p.slot || !p.done || !w || !tid)
        fprintf(stderr, "meaculpa: error: out of memory\n");
    else if ((rc = make_workers(w, nthreads, &p)) == 0)
        started = start_threads(w, tid, nthreads);
    p.scorer = w ? w[0].scorer : NULL;
    size_t most = files_per_task(n, nthreads);
    for (size_t i = 0; rc == 0 && i < n;) {
        if (jobs[i].set.kind == MC_KIND_JSONL)
            rc = stream(&p, &jobs[i++]);
        else
            i += hand_files(&p, jobs + i, n - i, most);
    }
    while (p.emitted < p.produced)
        emit_oldest(&p);
    pthread_mutex_lock(&p.mu);
    p.closed = 1;
    pthread_cond_broadcast(&p.cv);
    pthread_mutex_unlock(&p.mu);
    for (int i = 1; i < started; i++)
        pthread_join(tid[i], NULL);
    for (int i = 0; w && i < nthreads; i++)
        mc_scorer_free(w[i].scorer);
    free(w);
    free(tid);
    free(p.slot);
    free(p.done);
    return rc;
}
