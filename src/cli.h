/* cli.h - what the parts of the meaculpa command hand each other: the
 * settings a file is scored with (cli_config.c), the texts a file yields
 * (cli_kinds.c), the jobs that score them (cli_jobs.c) and the reports
 * (cli_output.c).  Private to the command; the library is meaculpa.h. */
#ifndef MC_CLI_H
#define MC_CLI_H

#include <stdio.h>

#include "meaculpa.h"

enum { EXIT_PASS = 0, EXIT_BELOW = 1, EXIT_ERROR = 2 };

/* Largest file read whole; larger inputs are refused with a message.
 * JSON Lines are streamed: no limit on the file, this one on a line. */
#define MC_MAX_TEXT (32u * 1024 * 1024)

/* A growable list of owned strings. */
typedef struct {
    char **v;
    size_t n, cap;
} mc_strv;

int mc_strv_push(mc_strv *sv, const char *s);   /* copies s; -1 on ENOMEM */
void mc_strv_free(mc_strv *sv);

/* ---- File kinds (cli_kinds.c) ------------------------------------------ */

typedef enum {
    MC_KIND_UNSET = 0,
    MC_KIND_TEXT,
    MC_KIND_MARKDOWN,
    MC_KIND_HTML,
    MC_KIND_ZENDESK,  /* Zendesk macro export, JSON */
    MC_KIND_JSONL,    /* {"id","text","lang"?} per line */
    MC_KIND_UNKNOWN
} mc_kind;

const char *mc_kind_name(mc_kind kind);
int mc_kind_parse(const char *name);              /* -1 when unknown */
mc_kind mc_kind_of_path(const char *path);        /* by extension */

/* One text a file yields: the file itself, one macro of an export, or
 * one JSON Lines record.  Everything is owned by the piece. */
typedef struct {
    char *title;          /* macro title, or NULL */
    char *id_json;        /* JSON Lines "id" as JSON text, or NULL */
    int lang;             /* per-record language, or -1 */
    char *text;           /* what is scored, UTF-8 */
    size_t len;
    /* map[i] is the file byte of text byte i (len + 1 entries); NULL
     * when text byte i is file byte i (the file, blanked with spaces
     * where it is not prose). */
    size_t *map;
    int own_positions;    /* JSON Lines: positions are within the text */
    int line, column;     /* where the text starts in the file */
    mc_suppression *sup;  /* inline disables; rule strings owned */
    size_t nsup;
    char *error;          /* the record could not be read: why */
} mc_piece;

typedef struct {
    mc_piece *v;
    size_t n, cap;
    int disabled_file;    /* <!-- meaculpa-disable-file --> was seen */
} mc_pieces;

/* Splits the file buf (len bytes, NUL-terminated) of the given kind into
 * pieces.  Notes and warnings about the file go to diag.  Returns 0, or
 * -1 with an error printed to diag (the file is not scored). */
int mc_extract(mc_kind kind, const char *path, const char *buf, size_t len,
               const mc_rules *rules, mc_pieces *out, FILE *diag);
void mc_pieces_free(mc_pieces *p);

/* Line and column (1-based, column in characters) of byte offsets of
 * one buffer, scanning on from the last offset asked (CRLF and lone CR
 * end a line, and a UTF-8 BOM at the start is no column, as in the
 * library). */
typedef struct {
    const char *buf;
    size_t len, off;
    int line, column;
} mc_cursor;

void mc_cursor_init(mc_cursor *c, const char *buf, size_t len);
void mc_cursor_at(mc_cursor *c, size_t off, int *line, int *column);

/* ---- Configuration (cli_config.c) --------------------------------------- */

/* What one file is scored with: the config file's global keys, then the
 * sections whose glob matches it, then the command line.  -1 / UNSET
 * mean "not set". */
typedef struct {
    int lang;
    int min_score;
    mc_kind kind;
    mc_strv disable;      /* ids off for the whole file (owned) */
} mc_settings;

typedef struct mc_config mc_config;

/* Reads path; on error prints file:line: error: message to stderr and
 * returns NULL. */
mc_config *mc_config_load(const char *path);
/* Looks for .meaculpa.ini in dir and its parents.  Returns a new string
 * (free it) or NULL when there is none. */
char *mc_config_find(const char *dir);
void mc_config_free(mc_config *cfg);

const char *mc_config_path(const mc_config *cfg);
const mc_strv *mc_config_rules(const mc_config *cfg);   /* absolute dirs */
const mc_strv *mc_config_disable(const mc_config *cfg); /* global ids */
/* 1 when path passes exclude, and include too when walked (a file named
 * on the command line needs no include match). */
int mc_config_wanted(const mc_config *cfg, const char *path, int walked);
/* Applies the global keys and every matching section to s. */
void mc_config_apply(const mc_config *cfg, const char *path, mc_settings *s);
/* Checks that every disabled id names a rule; prints and returns -1 if
 * not. */
int mc_config_check_ids(const mc_config *cfg, const mc_rules *rules);

/* ---- Paths (cli_walk.c) ------------------------------------------------- */

/* Gets one regular file found by mc_walk and the size the walk saw;
 * returns 0, or -1 when the file could not be kept (out of memory). */
typedef int (*mc_walk_fn)(void *ctx, const char *path, size_t size);
/* Calls fn for every file under directory dir, in byte order of their
 * names, skipping hidden entries (.git among them) and symbolic links
 * to directories.  Returns 0, or -1 when a directory could not be read
 * (printed) or fn failed. */
int mc_walk(const char *dir, mc_walk_fn fn, void *ctx);
/* fnmatch with "**" and basename rules of .gitignore-like globs. */
int mc_glob_match(const char *glob, const char *relpath);
/* path relative to dir when it lies under it, else path as given. */
char *mc_relpath(const char *dir, const char *path);

/* ---- Jobs (cli_jobs.c) -------------------------------------------------- */

/* One file to score, or one batch of lines of a JSON Lines file. */
typedef struct {
    const char *path;     /* as reported */
    int is_stdin;
    int walked;           /* found by walking a directory */
    size_t size;          /* the file's size when it was listed: only a
                           * hint for batching small files (0: unknown) */
    mc_settings set;
    char *raw;            /* the file (stdin preloaded by the caller, but
                           * JSON Lines), or the batch's lines */
    size_t rawlen;
    int first_line;       /* a batch: the line raw starts at; 0: a file */
    int last;             /* the last batch of its file (1 for a file) */
    FILE *diagf;          /* a batch: diag, opened by the reader */
    mc_pieces pieces;
    mc_result **results;  /* one per piece; NULL when not scored */
    char *diag;           /* what goes to stderr, in order */
    size_t diaglen;
    int errors;
    int skipped;
    int lost;             /* texts scored without some rule (a limit) */
} mc_job;

/* Gets a scored job; the runner frees what scoring made when it returns
 * (the path and settings stay the caller's). */
typedef void (*mc_emit_fn)(void *ctx, mc_job *job);

/* Scores the files of jobs on nthreads threads, the calling one among
 * them, one mc_scorer each, and calls emit from the calling thread for
 * every job in list order, so the output is the same for every -j.
 * Small files are handed to the threads a few at a time (by the size
 * hint).  A JSON Lines file (kind MC_KIND_JSONL) is read on the calling
 * thread a line at a time and scored in batches of lines, each emitted
 * as a job of its own.  At most 2 * nthreads batches (of files or of
 * lines) are in flight: memory does not grow with the input.  Returns 0
 * or -1 (out of memory, printed). */
int mc_run_jobs(mc_job *jobs, size_t n, int nthreads, const mc_rules *rules,
                mc_emit_fn emit, void *ctx);
/* Frees what the job owns, its settings too. */
void mc_job_clear(mc_job *job);

/* Reads the input open on fd to its end into a new NUL-terminated
 * buffer (*buf; the caller frees it).  A regular file over MC_MAX_TEXT
 * (fstat on fd) is refused unread, a stream once it passes the limit.
 * Returns 0, or -1 with "PATH: error: ..." printed to diag. */
int mc_read_input(int fd, const char *path, FILE *diag, char **buf,
                  size_t *len);
/* 1 for a finding that says a rule was left out of its text (a match
 * limit or time budget); "limit.findings" (a capped list) is not. */
int mc_lost_rule(const mc_finding *f);

/* ---- Reports (cli_output.c) --------------------------------------------- */

typedef enum {
    MC_FMT_TEXT, MC_FMT_JSON, MC_FMT_GCC, MC_FMT_GITHUB, MC_FMT_JUNIT,
    MC_FMT_SARIF
} mc_format;

typedef struct mc_emitter mc_emitter;

mc_emitter *mc_emitter_new(mc_format fmt, const mc_rules *rules, int color,
                           int verbose, FILE *out);
/* Reports every piece of a scored job, and once per run and rule a
 * warning at the file:line of a rule left out of a text at a limit
 * (stderr, or the output of gcc, github and sarif); returns how many
 * texts fell below their bar. */
int mc_emit_job(mc_emitter *e, const mc_job *job);
/* Writes what a whole-document format keeps to the end; returns -1 when
 * out of memory. */
int mc_emitter_finish(mc_emitter *e);
void mc_emitter_free(mc_emitter *e);

#endif
