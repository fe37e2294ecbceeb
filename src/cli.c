/* cli.c - the meaculpa command: parses options, reads texts (files,
 * stdin, or JSON Lines), scores them through the public API of
 * include/meaculpa.h and prints text or JSON reports.  Owns exit codes
 * and the terminal: it is the only part that prints. */
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "meaculpa.h"

enum { EXIT_PASS = 0, EXIT_BELOW = 1, EXIT_ERROR = 2 };

/* Largest text read whole; larger inputs are refused with a message. */
#define MAX_TEXT (32u * 1024 * 1024)
#define MAX_RULE_DIRS 64

typedef struct {
    mc_lang lang;
    int json;
    int jsonl_in;
    int min_score;        /* 0 when no bar */
    int color;
    int verbose;
    int no_default;
    const char *rule_dirs[MAX_RULE_DIRS];
    int nrule_dirs;
    int check_rules;
    int dump_patterns;
} options;

typedef struct {
    const options *opt;
    mc_scorer *scorer;
    int below;            /* some text scored under the bar */
    int errors;           /* some input could not be scored */
} run;

enum { OPT_LANG = 256, OPT_FORMAT, OPT_INPUT_FORMAT, OPT_MIN_SCORE,
       OPT_RULES, OPT_NO_DEFAULT, OPT_CHECK, OPT_DUMP, OPT_COLOR,
       OPT_HELP, OPT_VERSION, OPT_VERBOSE };

/* One table drives getopt_long and --help. */
static const struct {
    struct option opt;
    const char *arg, *help;
} table[] = {
    {{"lang", required_argument, NULL, OPT_LANG}, "LANG",
     "en, ru, pl or auto (default: detect per text)"},
    {{"format", required_argument, NULL, OPT_FORMAT}, "FMT",
     "text (default) or json (one JSON object per line)"},
    {{"input-format", required_argument, NULL, OPT_INPUT_FORMAT}, "FMT",
     "text (default: each file is one text) or jsonl ({\"id\",\"text\",\"lang\"?} per line)"},
    {{"min-score", required_argument, NULL, OPT_MIN_SCORE}, "N",
     "exit 1 when any text scores below N (1-10)"},
    {{"rules", required_argument, NULL, OPT_RULES}, "DIR",
     "add the *.rules files of DIR (repeatable; same id replaces)"},
    {{"no-default-rules", no_argument, NULL, OPT_NO_DEFAULT}, NULL,
     "start from no rules instead of the built-in set"},
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
    fprintf(f, "usage: meaculpa [OPTION]... [FILE]...\n"
               "Score draft apologies (English, Russian, Polish) from 1 to 10 "
               "and explain every lost point.\nWith no FILE, or FILE -, read "
               "standard input.\n\n");
    for (size_t i = 0; i < NOPTS; i++) {
        char left[64];
        snprintf(left, sizeof left, "--%s%s%s", table[i].opt.name,
                 table[i].arg ? " " : "", table[i].arg ? table[i].arg : "");
        fprintf(f, "  %-24s %s\n", left, table[i].help);
    }
    fprintf(f, "\nExit status: 0 all texts pass, 1 some text below "
               "--min-score, 2 usage, input or rules error.\n");
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

static int set_option(options *o, int c, const char *arg)
{
    int v;
    switch (c) {
    case OPT_LANG:
        if ((v = mc_lang_parse(arg)) < 0)
            return bad_usage("--lang takes en, ru, pl or auto, not '%s'", arg);
        o->lang = (mc_lang)v;
        return 0;
    case OPT_FORMAT:
        if (strcmp(arg, "json") && strcmp(arg, "text") && strcmp(arg, "jsonl"))
            return bad_usage("--format takes text or json, not '%s'", arg);
        o->json = strcmp(arg, "text") != 0;
        return 0;
    case OPT_INPUT_FORMAT:
        if (strcmp(arg, "jsonl") && strcmp(arg, "text"))
            return bad_usage("--input-format takes text or jsonl, not '%s'", arg);
        o->jsonl_in = strcmp(arg, "jsonl") == 0;
        return 0;
    case OPT_MIN_SCORE:
        if (parse_int(arg, 1, 10, &o->min_score))
            return bad_usage("--min-score takes a number from 1 to 10, not '%s'",
                             arg);
        return 0;
    case OPT_RULES:
        if (o->nrule_dirs == MAX_RULE_DIRS)
            return bad_usage("too many --rules directories (%s)", "64");
        o->rule_dirs[o->nrule_dirs++] = arg;
        return 0;
    case OPT_COLOR:
        if (strcmp(arg, "auto") && strcmp(arg, "always") && strcmp(arg, "never"))
            return bad_usage("--color takes auto, always or never, not '%s'", arg);
        o->color = want_color(arg);
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
    while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
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

/* ---- rules ------------------------------------------------------------ */

static mc_rules *load_rules(const options *o, char **dirs, int ndirs)
{
    mc_error err = {0};
    mc_rules *rules = mc_rules_new();
    int rc = rules ? MC_OK : MC_ERR_NOMEM;
    if (rc == MC_OK && !o->no_default && ndirs == 0)
        rc = mc_rules_add_default(rules, &err);
    for (int i = 0; rc == MC_OK && i < o->nrule_dirs; i++)
        rc = mc_rules_add_dir(rules, o->rule_dirs[i], &err);
    for (int i = 0; rc == MC_OK && i < ndirs; i++)
        rc = mc_rules_add_dir(rules, dirs[i], &err);
    if (rc != MC_OK) {
        if (rc == MC_ERR_NOMEM)
            snprintf(err.message, sizeof err.message, "out of memory");
        print_error(&err);
        mc_rules_free(rules);
        return NULL;
    }
    return rules;
}

static void report_check(void *ctx, const char *file, int line,
                         const char *rule, const char *msg)
{
    (void)ctx;
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

/* ---- reports ---------------------------------------------------------- */

static const char *paint(const run *r, const char *code)
{
    return r->opt->color ? code : "";
}

static const char *score_color(int score)
{
    return score >= 9 ? "\033[32m" : score >= 7 ? "\033[33m" : "\033[31m";
}

static int shown(const run *r, const mc_finding *f)
{
    return r->opt->verbose || (f->effect != MC_EFFECT_COMPONENT &&
                               f->effect != MC_EFFECT_REGRET);
}

static void print_finding(const run *r, const mc_finding *f)
{
    char label[64], pos[32] = "";
    if (f->line)
        snprintf(pos, sizeof pos, "%d:%d", f->line, f->column);
    mc_effect_label(f, label, sizeof label);
    printf("  %-7s %-16s %-24s ", pos, f->category, f->rule);
    if (f->match[0])
        printf("%s\"%s\"%s  ", paint(r, "\033[1m"), f->match,
               paint(r, "\033[0m"));
    printf("%s%s%s", label, f->counted ? "" : " (outweighed)",
           f->effect == MC_EFFECT_REGRET || f->effect == MC_EFFECT_COMPONENT
               ? "" : " - ");
    if (f->effect == MC_EFFECT_REGRET || f->effect == MC_EFFECT_COMPONENT)
        printf("\n");
    else
        printf("%s\n", f->suggestion[0] ? f->suggestion : f->message);
}

static void print_text(const run *r, const char *name, const mc_result *res)
{
    int score = mc_result_score(res);
    printf("%s: %s%d/10%s  (%s)\n", name, paint(r, score_color(score)), score,
           paint(r, "\033[0m"), mc_lang_name(mc_result_lang(res)));
    for (size_t i = 0; i < mc_result_finding_count(res); i++) {
        const mc_finding *f = mc_result_finding(res, i);
        if (shown(r, f))
            print_finding(r, f);
    }
    unsigned comps = mc_result_components(res);
    if (comps && !r->opt->verbose) {
        printf("  components:");
        for (int i = 0; i < MC_COMP_COUNT; i++)
            if (comps & (1u << i))
                printf(" %s", mc_component_name(1u << i));
        printf("\n");
    }
}

/* Scores one text and prints it; name is what reports call it. */
static void score_one(run *r, const char *name, const char *id_json,
                      const char *text, size_t len, mc_lang lang, int line)
{
    mc_result *res = NULL;
    mc_error err = {0};
    int rc = mc_score(r->scorer, text, len, lang, &res, &err);
    if (rc != MC_OK) {
        snprintf(err.file, sizeof err.file, "%s", name);
        if (line)
            err.line = line, err.column = 0;
        if (rc == MC_ERR_NOMEM)
            snprintf(err.message, sizeof err.message, "out of memory");
        print_error(&err);
        r->errors = 1;
        return;
    }
    if (r->opt->json) {
        char *s = mc_report_json(res, name, id_json);
        if (s)
            printf("%s\n", s);
        else
            r->errors = 1;
        free(s);
    } else {
        print_text(r, name, res);
    }
    if (r->opt->min_score && mc_result_score(res) < r->opt->min_score)
        r->below = 1;
    mc_result_free(res);
}

/* ---- inputs ----------------------------------------------------------- */

static int read_all(FILE *f, const char *name, char **out, size_t *len)
{
    size_t cap = 0, n = 0, got;
    char *buf = NULL;
    do {
        if (n + 65536 > cap) {
            cap = cap ? cap * 2 : 65536;
            char *nb = realloc(buf, cap + 1);
            if (!nb) {
                free(buf);
                fprintf(stderr, "%s: error: out of memory\n", name);
                return -1;
            }
            buf = nb;
        }
        got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (n > MAX_TEXT) {
            free(buf);
            fprintf(stderr, "%s: error: text too large (over %u MiB); split it "
                    "or use --input-format jsonl\n", name, MAX_TEXT >> 20);
            return -1;
        }
    } while (got > 0);
    if (ferror(f)) {
        free(buf);
        fprintf(stderr, "%s: error: read failed: %s\n", name, strerror(errno));
        return -1;
    }
    buf[n] = 0;
    *out = buf;
    *len = n;
    return 0;
}

static void score_jsonl_line(run *r, const char *name, int lineno,
                             const char *line, size_t len)
{
    json_error_t je;
    json_t *o = json_loadb(line, len, 0, &je);
    const char *text = NULL, *lang = NULL;
    json_t *id = NULL;
    if (!o || json_unpack_ex(o, &je, 0, "{s:s%, s?o, s?s}", "text", &text,
                             &len, "id", &id, "lang", &lang) != 0) {
        fprintf(stderr, "%s:%d: error: %s\n", name, lineno,
                o ? "expected {\"text\": string, \"id\"?: any, \"lang\"?: string}"
                  : je.text);
        r->errors = 1;
        json_decref(o);
        return;
    }
    int l = lang ? mc_lang_parse(lang) : (int)r->opt->lang;
    char *id_json = id ? json_dumps(id, JSON_ENCODE_ANY | JSON_COMPACT) : NULL;
    if (l < 0) {
        fprintf(stderr, "%s:%d: error: unknown lang \"%s\"\n", name, lineno, lang);
        r->errors = 1;
    } else {
        score_one(r, name, id_json ? id_json : "null", text, len, (mc_lang)l,
                  lineno);
    }
    free(id_json);
    json_decref(o);
}

static void score_jsonl(run *r, FILE *f, const char *name)
{
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    int lineno = 0;
    while ((n = getline(&line, &cap, f)) != -1) {
        lineno++;
        size_t len = (size_t)n;
        while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
            len--;
        if (len == 0)
            continue;
        score_jsonl_line(r, name, lineno, line, len);
    }
    if (ferror(f)) {
        fprintf(stderr, "%s: error: read failed: %s\n", name, strerror(errno));
        r->errors = 1;
    }
    free(line);
}

static void score_file(run *r, const char *path)
{
    int is_stdin = strcmp(path, "-") == 0;
    const char *name = is_stdin ? "<stdin>" : path;
    FILE *f = is_stdin ? stdin : fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "%s: error: cannot open: %s\n", path, strerror(errno));
        r->errors = 1;
        return;
    }
    if (r->opt->jsonl_in) {
        score_jsonl(r, f, name);
    } else {
        char *buf;
        size_t len;
        if (read_all(f, name, &buf, &len) == 0) {
            score_one(r, name, NULL, buf, len, r->opt->lang, 0);
            free(buf);
        } else {
            r->errors = 1;
        }
    }
    if (!is_stdin)
        fclose(f);
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

int main(int argc, char **argv)
{
    options opt = {.lang = MC_LANG_AUTO};
    int code = parse_args(argc, argv, &opt);
    if (code >= 0)
        return code == EXIT_PASS && finish_output() ? EXIT_ERROR : code;
    char **args = argv + optind;
    int nargs = argc - optind;
    mc_rules *rules = load_rules(&opt, args, opt.check_rules ? nargs : 0);
    if (!rules)
        return EXIT_ERROR;
    if (opt.check_rules || opt.dump_patterns) {
        code = EXIT_PASS;
        if (opt.dump_patterns)
            mc_rules_each_pattern(rules, print_pattern, NULL);
        else
            code = check_rules(rules);
        mc_rules_free(rules);
        return finish_output() ? EXIT_ERROR : code;
    }
    mc_error err = {0};
    run r = {&opt, mc_scorer_new(rules, &err), 0, 0};
    if (!r.scorer) {
        print_error(&err);
        mc_rules_free(rules);
        return EXIT_ERROR;
    }
    if (nargs == 0)
        score_file(&r, "-");
    for (int i = 0; i < nargs; i++)
        score_file(&r, args[i]);
    mc_scorer_free(r.scorer);
    mc_rules_free(rules);
    if (finish_output())
        return EXIT_ERROR;
    return r.errors ? EXIT_ERROR : r.below ? EXIT_BELOW : EXIT_PASS;
}
