/* cli.c - the meaculpa command: parses options, finds the config file,
 * loads the rules, turns the paths into a sorted list of files to score
 * (cli_walk.c) and hands them to the workers (cli_jobs.c) and the
 * reports (cli_output.c).  Owns exit codes: 0 all pass, 1 some text
 * below the bar, 2 usage, config, rules or I/O error, or a text scored
 * without a rule that hit a limit. */
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"

#define MAX_RULE_DIRS 64

typedef struct {
    int lang;             /* -1 when not given */
    mc_format format;
    mc_kind kind;         /* MC_KIND_UNSET when not given */
    int min_score;        /* -1 when not given; 0 means no bar */
    int color;
    int verbose;
    int no_default;
    const char *rule_dirs[MAX_RULE_DIRS];
    int nrule_dirs;
    mc_strv disable;
    int check_rules;
    int dump_patterns;
    int jobs;
    const char *config;
    int no_config;
    const char *stdin_filename;
} options;

enum { OPT_LANG = 256, OPT_FORMAT, OPT_INPUT_FORMAT, OPT_MIN_SCORE,
       OPT_RULES, OPT_NO_DEFAULT, OPT_CHECK, OPT_DUMP, OPT_COLOR,
       OPT_HELP, OPT_VERSION, OPT_VERBOSE, OPT_CONFIG, OPT_NO_CONFIG,
       OPT_STDIN_NAME, OPT_KIND, OPT_DISABLE, OPT_JOBS = 'j' };

/* One table drives getopt_long and --help. */
static const struct {
    struct option opt;
    const char *arg, *help;
} table[] = {
    {{"lang", required_argument, NULL, OPT_LANG}, "LANG",
     "en, ru, pl or auto (default: detect per text)"},
    {{"format", required_argument, NULL, OPT_FORMAT}, "FMT",
     "text (default), json or jsonl (one JSON object per text and line), "
     "gcc, github, junit or sarif"},
    {{"min-score", required_argument, NULL, OPT_MIN_SCORE}, "N",
     "exit 1 when any text scores below N (1-10; 0: no bar)"},
    {{"jobs", required_argument, NULL, OPT_JOBS}, "N",
     "score on N threads: files, or batches of JSON Lines (default: the "
     "number of cores)"},
    {{"kind", required_argument, NULL, OPT_KIND}, "KIND",
     "read every file as text, markdown, html, zendesk or jsonl "
     "(default: by extension)"},
    {{"input-format", required_argument, NULL, OPT_INPUT_FORMAT}, "FMT",
     "text (default) or jsonl ({\"id\",\"text\",\"lang\"?} per line): "
     "--kind jsonl"},
    {{"stdin-filename", required_argument, NULL, OPT_STDIN_NAME}, "PATH",
     "score standard input as if it were PATH (config, kind, name)"},
    {{"config", required_argument, NULL, OPT_CONFIG}, "FILE",
     "read FILE instead of the nearest .meaculpa.ini"},
    {{"no-config", no_argument, NULL, OPT_NO_CONFIG}, NULL,
     "read no .meaculpa.ini"},
    {{"rules", required_argument, NULL, OPT_RULES}, "DIR",
     "add the *.rules files of DIR (repeatable; same id replaces)"},
    {{"no-default-rules", no_argument, NULL, OPT_NO_DEFAULT}, NULL,
     "start from no rules instead of the built-in set"},
    {{"disable", required_argument, NULL, OPT_DISABLE}, "ID",
     "turn the rule ID off (repeatable)"},
    {{"check-rules", no_argument, NULL, OPT_CHECK}, NULL,
     "test every rule against its examples (of DIR... if given) and exit"},
    {{"dump-patterns", no_argument, NULL, OPT_DUMP}, NULL,
     "print every pattern of the loaded rules, one per line, and exit"},
    {{"color", required_argument, NULL, OPT_COLOR}, "WHEN",
     "auto (default: on a terminal, unless NO_COLOR is set), always, never"},
    {{"verbose", no_argument, NULL, OPT_VERBOSE}, NULL,
     "list every rule hit, the components too"},
    {{"help", no_argument, NULL, OPT_HELP}, NULL, "show this help and exit"},
    {{"version", no_argument, NULL, OPT_VERSION}, NULL,
     "show the version and exit"},
};
#define NOPTS (sizeof table / sizeof table[0])

static void usage(FILE *f)
{
    fprintf(f, "usage: meaculpa [OPTION]... [PATH]...\n"
               "Score draft apologies (English, Russian, Polish) from 1 to 10 "
               "and explain every lost point.\nDirectories are walked (hidden "
               "entries skipped); with no PATH, or PATH -, read standard "
               "input.\n\n");
    for (size_t i = 0; i < NOPTS; i++) {
        char left[64];
        snprintf(left, sizeof left, "%s--%s%s%s",
                 table[i].opt.val < 128 ? "-j, " : "", table[i].opt.name,
                 table[i].arg ? " " : "", table[i].arg ? table[i].arg : "");
        fprintf(f, "  %-24s %s\n", left, table[i].help);
    }
    fprintf(f, "\nExit status: 0 all texts pass, 1 some text below "
               "--min-score, 2 usage, config, input or rules error, a binary\n"
               "file named or on stdin, or a rule left out of a text at its "
               "match limit.\n");
}

static int bad_usage(const char *fmt, const char *arg)
{
    fprintf(stderr, "meaculpa: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\nTry 'meaculpa --help'.\n");
    return EXIT_ERROR;
}

static int parse_int(const char *s, int lo, int hi, int *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < lo || v > hi)
        return -1;
    *out = (int)v;
    return 0;
}

static int want_color(const char *when)
{
    if (strcmp(when, "always") == 0)
        return 1;
    if (strcmp(when, "never") == 0)
        return 0;
    const char *nc = getenv("NO_COLOR"), *term = getenv("TERM");
    return isatty(STDOUT_FILENO) && !(nc && *nc) &&
           !(term && strcmp(term, "dumb") == 0);
}

static const char *const format_names[] = {
    [MC_FMT_TEXT] = "text", [MC_FMT_JSON] = "json", [MC_FMT_GCC] = "gcc",
    [MC_FMT_GITHUB] = "github", [MC_FMT_JUNIT] = "junit",
    [MC_FMT_SARIF] = "sarif",
};

static int set_format(options *o, const char *arg)
{
    for (int f = MC_FMT_TEXT; f <= MC_FMT_SARIF; f++)
        if (strcmp(arg, format_names[f]) == 0)
            return o->format = (mc_format)f, 0;
    if (strcmp(arg, "jsonl") == 0)
        return o->format = MC_FMT_JSON, 0;
    return bad_usage("--format takes text, json, jsonl, gcc, github, junit "
                     "or sarif, not '%s'", arg);
}

static int set_value(options *o, int c, const char *arg)
{
    int v;
    switch (c) {
    case OPT_LANG:
        if ((v = mc_lang_parse(arg)) < 0)
            return bad_usage("--lang takes en, ru, pl or auto, not '%s'", arg);
        o->lang = v;
        return 0;
    case OPT_MIN_SCORE:
        if (parse_int(arg, 0, 10, &o->min_score))
            return bad_usage("--min-score takes a number from 0 to 10, not '%s'",
                             arg);
        return 0;
    case OPT_JOBS:
        if (parse_int(arg, 1, 1024, &o->jobs))
            return bad_usage("--jobs takes a number from 1 to 1024, not '%s'", arg);
        return 0;
    case OPT_KIND:
        if ((v = mc_kind_parse(arg)) < 0)
            return bad_usage("--kind takes text, markdown, html, zendesk or "
                             "jsonl, not '%s'", arg);
        o->kind = (mc_kind)v;
        return 0;
    case OPT_INPUT_FORMAT:
        if (strcmp(arg, "jsonl") && strcmp(arg, "text"))
            return bad_usage("--input-format takes text or jsonl, not '%s'", arg);
        o->kind = strcmp(arg, "jsonl") == 0 ? MC_KIND_JSONL : MC_KIND_TEXT;
        return 0;
    }
    return 1;
}

static int set_option(options *o, int c, const char *arg)
{
    int rc = set_value(o, c, arg);
    if (rc != 1)
        return rc;
    switch (c) {
    case OPT_FORMAT:
        return set_format(o, arg);
    case OPT_RULES:
        if (o->nrule_dirs == MAX_RULE_DIRS)
            return bad_usage("too many --rules directories (%s)", "64");
        o->rule_dirs[o->nrule_dirs++] = arg;
        return 0;
    case OPT_DISABLE:
        return mc_strv_push(&o->disable, arg) ? bad_usage("%s", "out of memory") : 0;
    case OPT_COLOR:
        if (strcmp(arg, "auto") && strcmp(arg, "always") && strcmp(arg, "never"))
            return bad_usage("--color takes auto, always or never, not '%s'", arg);
        o->color = want_color(arg);
        return 0;
    case OPT_CONFIG:
        o->config = arg;
        return 0;
    case OPT_STDIN_NAME:
        o->stdin_filename = arg;
        return 0;
    }
    return 0;
}

/* Returns -1 to go on, or the exit code. */
static int parse_args(int argc, char **argv, options *o)
{
    struct option longopts[NOPTS + 1];
    for (size_t i = 0; i < NOPTS; i++)
        longopts[i] = table[i].opt;
    memset(&longopts[NOPTS], 0, sizeof longopts[NOPTS]);
    o->color = want_color("auto");
    int c;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "j:", longopts, NULL)) != -1) {
        if (c == '?')
            return bad_usage("unknown or incomplete option '%s'",
                             argv[optind - 1]);
        if (c == OPT_HELP)
            return usage(stdout), EXIT_PASS;
        if (c == OPT_VERSION)
            return printf("meaculpa %s\n", MC_VERSION), EXIT_PASS;
        o->no_default |= c == OPT_NO_DEFAULT;
        o->check_rules |= c == OPT_CHECK;
        o->dump_patterns |= c == OPT_DUMP;
        o->verbose |= c == OPT_VERBOSE;
        o->no_config |= c == OPT_NO_CONFIG;
        if (set_option(o, c, optarg))
            return EXIT_ERROR;
    }
    return -1;
}

static void print_error(const mc_error *e)
{
    const char *file = e->file[0] ? e->file : "meaculpa";
    if (e->line && e->column)
        fprintf(stderr, "%s:%d:%d: error: %s\n", file, e->line, e->column,
                e->message);
    else if (e->line)
        fprintf(stderr, "%s:%d: error: %s\n", file, e->line, e->message);
    else
        fprintf(stderr, "%s: error: %s\n", file, e->message);
}

/* ---- config ----------------------------------------------------------- */

/* The nearest existing directory of path (a --stdin-filename need not
 * exist yet). */
static char *existing_dir(const char *path)
{
    char *d = strdup(path);
    struct stat st;
    while (d) {
        char *slash = strrchr(d, '/');
        if (!slash) {
            free(d);
            return strdup(".");
        }
        *(slash == d ? slash + 1 : slash) = 0;
        if (stat(d, &st) == 0 && S_ISDIR(st.st_mode))
            return d;
        if (slash == d)
            break;
    }
    free(d);
    return strdup(".");
}

/* --config FILE, else the .meaculpa.ini nearest to the current directory
 * (to the file's directory with --stdin-filename).  *cfg stays NULL when
 * there is none; returns -1 on error. */
static int find_config(const options *o, mc_config **cfg)
{
    *cfg = NULL;
    if (o->no_config && !o->config)
        return 0;
    char *dir = o->stdin_filename ? existing_dir(o->stdin_filename) : strdup(".");
    char *path = o->config ? strdup(o->config) : dir ? mc_config_find(dir) : NULL;
    free(dir);
    if (path)
        *cfg = mc_config_load(path);
    int rc = path && !*cfg ? -1 : 0;
    free(path);
    return rc;
}

/* ---- rules ------------------------------------------------------------ */

static int add_dirs(mc_rules *rules, const options *o, const mc_config *cfg,
                    char **dirs, int ndirs, mc_error *err)
{
    int rc = MC_OK;
    const mc_strv *cdirs = cfg ? mc_config_rules(cfg) : NULL;
    for (size_t i = 0; rc == MC_OK && cdirs && i < cdirs->n; i++)
        rc = mc_rules_add_dir(rules, cdirs->v[i], err);
    for (int i = 0; rc == MC_OK && i < o->nrule_dirs; i++)
        rc = mc_rules_add_dir(rules, o->rule_dirs[i], err);
    for (int i = 0; rc == MC_OK && i < ndirs; i++)
        rc = mc_rules_add_dir(rules, dirs[i], err);
    return rc;
}

/* Global disables of the config file and of --disable. */
static int disable_ids(mc_rules *rules, const options *o, const mc_config *cfg,
                       mc_error *err)
{
    const mc_strv *ids = cfg ? mc_config_disable(cfg) : NULL;
    int rc = MC_OK;
    for (size_t i = 0; rc == MC_OK && ids && i < ids->n; i++)
        if ((rc = mc_rules_disable(rules, ids->v[i], err)))
            snprintf(err->file, sizeof err->file, "%s", mc_config_path(cfg));
    for (size_t i = 0; rc == MC_OK && i < o->disable.n; i++)
        rc = mc_rules_disable(rules, o->disable.v[i], err);
    return rc;
}

static mc_rules *load_rules(const options *o, const mc_config *cfg,
                            char **dirs, int ndirs)
{
    mc_error err = {0};
    mc_rules *rules = mc_rules_new();
    int rc = rules ? MC_OK : MC_ERR_NOMEM;
    if (rc == MC_OK && !o->no_default && ndirs == 0)
        rc = mc_rules_add_default(rules, &err);
    if (rc == MC_OK)
        rc = add_dirs(rules, o, cfg, dirs, ndirs, &err);
    if (rc == MC_OK)
        rc = disable_ids(rules, o, cfg, &err);
    if (rc != MC_OK) {
        if (rc == MC_ERR_NOMEM)
            snprintf(err.message, sizeof err.message, "out of memory");
        print_error(&err);
    }
    if (rc == MC_OK && cfg && mc_config_check_ids(cfg, rules))
        rc = MC_ERR_USAGE;
    if (rc != MC_OK) {
        mc_rules_free(rules);
        return NULL;
    }
    return rules;
}

/* A limit hit on an example is the pattern's fault, not the example's:
 * a GNU warning line, so an editor jumps to the rule. */
static void report_check(void *ctx, const char *file, int line,
                         const char *rule, const char *msg)
{
    (void)ctx;
    if (strncmp(msg, "limit: ", 7) == 0)
        fprintf(stderr, "%s:%d: warning: rule %s: %s\n", file, line, rule,
                msg + 7);
    else
        fprintf(stderr, "%s:%d: rule %s: %s\n", file, line, rule, msg);
}

static int check_rules(const mc_rules *rules)
{
    int failures = mc_rules_check(rules, report_check, NULL);
    if (failures < 0) {
        fprintf(stderr, "meaculpa: error: out of memory\n");
        return EXIT_ERROR;
    }
    printf("%zu rules checked, %d failing example%s\n", mc_rules_count(rules),
           failures, failures == 1 ? "" : "s");
    return failures ? EXIT_BELOW : EXIT_PASS;
}

static void print_pattern(void *ctx, const char *id, const char *pattern)
{
    (void)ctx;
    (void)id;
    printf("%s\n", pattern);
}

/* ---- the list of files ------------------------------------------------ */

typedef struct {
    mc_job *v;
    size_t n, cap;
    mc_strv paths;        /* owns the job paths */
    int errors;
} job_list;

/* Config first, then the flags, which win. */
static void settle(mc_job *job, const options *o, const mc_config *cfg)
{
    mc_settings *s = &job->set;
    *s = (mc_settings){MC_LANG_AUTO, 0, MC_KIND_UNSET, {0}};
    if (cfg)
        mc_config_apply(cfg, job->path, s);
    if (o->lang >= 0)
        s->lang = o->lang;
    if (o->min_score >= 0)
        s->min_score = o->min_score;
    if (o->kind != MC_KIND_UNSET)
        s->kind = o->kind;
    if (s->kind == MC_KIND_UNSET)
        s->kind = job->is_stdin && !o->stdin_filename
                      ? MC_KIND_TEXT : mc_kind_of_path(job->path);
    if (s->kind == MC_KIND_UNKNOWN && !job->walked)
        s->kind = MC_KIND_TEXT;  /* named on purpose: read it as text */
}

static int add_job(job_list *l, const char *path, int walked, int is_stdin,
                   size_t size, const options *o, const mc_config *cfg)
{
    if (cfg && !is_stdin && !mc_config_wanted(cfg, path, walked)) {
        if (!walked)
            fprintf(stderr, "%s: note: skipped: excluded by %s\n", path,
                    mc_config_path(cfg));
        return 0;
    }
    if (l->n == l->cap) {
        size_t ncap = l->cap ? l->cap * 2 : 64;
        mc_job *v = realloc(l->v, ncap * sizeof *v);
        if (!v)
            return -1;
        l->v = v;
        l->cap = ncap;
    }
    if (mc_strv_push(&l->paths, path))
        return -1;
    mc_job *j = &l->v[l->n++];
    *j = (mc_job){.path = l->paths.v[l->paths.n - 1], .is_stdin = is_stdin,
                  .walked = walked, .size = size};
    settle(j, o, cfg);
    return 0;
}

/* Standard input is read now, before the workers start (two "-" must
 * not be read at once), but JSON Lines, which the runner streams. */
static int add_stdin(job_list *l, const options *o, const mc_config *cfg)
{
    const char *name = o->stdin_filename ? o->stdin_filename : "<stdin>";
    if (add_job(l, name, 0, 1, 0, o, cfg))
        return -1;
    mc_job *j = &l->v[l->n - 1];
    if (j->set.kind != MC_KIND_JSONL &&
        mc_read_input(STDIN_FILENO, name, stderr, &j->raw, &j->rawlen)) {
        mc_job_clear(j);
        l->n--;
        l->errors = 1;
    } else {
        j->size = j->rawlen;
    }
    return 0;
}

/* What the walk of one directory adds its files to. */
typedef struct {
    job_list *l;
    const options *o;
    const mc_config *cfg;
    int nomem;
} walk_ctx;

static int add_walked(void *ctx, const char *path, size_t size)
{
    walk_ctx *w = ctx;
    if (w->nomem || add_job(w->l, path, 1, 0, size, w->o, w->cfg))
        w->nomem = 1;
    return w->nomem ? -1 : 0;
}

static int add_path(job_list *l, const char *arg, const options *o,
                    const mc_config *cfg)
{
    struct stat st;
    if (strcmp(arg, "-") == 0)
        return add_stdin(l, o, cfg);
    if (stat(arg, &st) != 0)
        return add_job(l, arg, 0, 0, 0, o, cfg);  /* opening it will say why */
    if (!S_ISDIR(st.st_mode))
        return add_job(l, arg, 0, 0, (size_t)st.st_size, o, cfg);
    walk_ctx w = {l, o, cfg, 0};
    l->errors |= mc_walk(arg, add_walked, &w) != 0;
    return w.nomem ? -1 : 0;
}

static void job_list_free(job_list *l)
{
    for (size_t i = 0; i < l->n; i++)
        mc_job_clear(&l->v[i]);
    free(l->v);
    mc_strv_free(&l->paths);
}

/* ---- the run ---------------------------------------------------------- */

typedef struct {
    mc_emitter *emitter;
    int below, errors;
    int lost;             /* texts scored without some rule */
} run;

static void emit(void *ctx, mc_job *job)
{
    run *r = ctx;
    fflush(stdout);
    if (job->diaglen)
        fwrite(job->diag, 1, job->diaglen, stderr);
    r->below |= mc_emit_job(r->emitter, job) > 0;
    r->errors |= job->errors;
    r->lost += job->lost;
}

static int finish_output(void)
{
    if (fflush(stdout) != 0 || ferror(stdout)) {
        fprintf(stderr, "meaculpa: error: writing the output failed: %s\n",
                strerror(errno));
        return -1;
    }
    return 0;
}

static int default_jobs(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n < 1 ? 1 : n > 64 ? 64 : (int)n;
}

static int score_paths(const options *o, const mc_config *cfg,
                       const mc_rules *rules, char **args, int nargs)
{
    job_list l = {0};
    run r = {mc_emitter_new(o->format, rules, o->color, o->verbose, stdout),
             0, 0, 0};
    int rc = r.emitter ? 0 : -1;
    if (nargs == 0 && rc == 0)
        rc = add_path(&l, "-", o, cfg);
    for (int i = 0; rc == 0 && i < nargs; i++)
        rc = add_path(&l, args[i], o, cfg);
    if (rc == 0)
        rc = mc_run_jobs(l.v, l.n, o->jobs ? o->jobs : default_jobs(), rules,
                         emit, &r);
    if (rc == 0)
        rc = mc_emitter_finish(r.emitter);
    if (rc)
        fprintf(stderr, "meaculpa: error: out of memory\n");
    mc_emitter_free(r.emitter);
    /* A text scored without a rule may score too high (a cap could not
     * run): like an unreadable input, CI must notice. */
    int errors = l.errors || r.errors || rc || r.lost;
    job_list_free(&l);
    if (finish_output() || errors)
        return EXIT_ERROR;
    return r.below ? EXIT_BELOW : EXIT_PASS;
}

static int rules_only(const options *o, char **args, int nargs)
{
    mc_rules *rules = load_rules(o, NULL, args, o->check_rules ? nargs : 0);
    if (!rules)
        return EXIT_ERROR;
    int code = EXIT_PASS;
    if (o->dump_patterns)
        mc_rules_each_pattern(rules, print_pattern, NULL);
    else
        code = check_rules(rules);
    mc_rules_free(rules);
    return finish_output() ? EXIT_ERROR : code;
}

static int run_main(options *o, char **args, int nargs)
{
    if (o->check_rules || o->dump_patterns)
        return rules_only(o, args, nargs);
    if (o->stdin_filename && nargs > 0)
        return bad_usage("--stdin-filename reads standard input: name no "
                         "PATH (got '%s')", args[0]);
    mc_config *cfg;
    if (find_config(o, &cfg))
        return EXIT_ERROR;
    mc_rules *rules = load_rules(o, cfg, NULL, 0);
    int code = rules ? score_paths(o, cfg, rules, args, nargs) : EXIT_ERROR;
    mc_rules_free(rules);
    mc_config_free(cfg);
    return code;
}

int main(int argc, char **argv)
{
    options opt = {.lang = -1, .min_score = -1};
    json_object_seed(0);  /* before any thread makes a JSON object */
    int code = parse_args(argc, argv, &opt);
    if (code < 0)
        code = run_main(&opt, argv + optind, argc - optind);
    else if (code == EXIT_PASS && finish_output())
        code = EXIT_ERROR;
    mc_strv_free(&opt.disable);
    return code;
}
