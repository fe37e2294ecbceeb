/* cli_config.c - the .meaculpa.ini file: finds it, parses it with inih,
 * reports bad keys as file:line, and turns its global keys and [glob]
 * sections into the settings of one file.  Hands settings to cli.c;
 * flags are applied after it there, so they win. */
#define _XOPEN_SOURCE 700 /* realpath */
#include <errno.h>
#include <ini.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"

/* Debian's inih r55 reads lines into a 200-byte buffer: longer lines
 * would be split and misnumbered, so they are refused first. */
#define INI_LINE_MAX 198

typedef struct {
    char *glob;           /* NULL for the keys before the first section */
    int lang, min_score;
    mc_kind kind;
    mc_strv disable;
} section;

struct mc_config {
    char *path, *dir;     /* dir: absolute, no trailing '/' */
    section *sec;         /* sec[0] is the global one */
    size_t nsec;
    mc_strv include, exclude, rules;
    char msg[300];        /* the first handler error */
    const char *last;     /* section name inih last gave us */
};

static section *add_section(mc_config *c, const char *glob)
{
    section *v = realloc(c->sec, (c->nsec + 1) * sizeof *v);
    if (!v)
        return NULL;
    c->sec = v;
    section *s = &v[c->nsec++];
    *s = (section){glob ? strdup(glob) : NULL, -1, -1, MC_KIND_UNSET, {0}};
    return s;
}

static int fail(mc_config *c, const char *fmt, const char *a, const char *b)
{
    if (!c->msg[0])
        snprintf(c->msg, sizeof c->msg, fmt, a, b);
    return 0;
}

/* Values are lists split at commas and white space. */
static int push_list(mc_strv *sv, const char *value)
{
    char *copy = strdup(value), *save = NULL;
    if (!copy)
        return -1;
    int rc = 0;
    for (char *t = strtok_r(copy, ", \t", &save); t && rc == 0;
         t = strtok_r(NULL, ", \t", &save))
        rc = mc_strv_push(sv, t);
    free(copy);
    return rc;
}

static int push_rules_dir(mc_config *c, const char *value)
{
    mc_strv dirs = {0};
    int rc = push_list(&dirs, value);
    for (size_t i = 0; rc == 0 && i < dirs.n; i++) {
        char *p = malloc(strlen(c->dir) + strlen(dirs.v[i]) + 2);
        if (!p)
            rc = -1;
        else {
            sprintf(p, "%s/%s", c->dir, dirs.v[i]);
            rc = mc_strv_push(&c->rules, dirs.v[i][0] == '/' ? dirs.v[i] : p);
            free(p);
        }
    }
    mc_strv_free(&dirs);
    return rc;
}

static int scalar_key(mc_config *c, section *s, const char *name,
                      const char *value)
{
    char *end;
    if (strcmp(name, "min-score") == 0) {
        long v = strtol(value, &end, 10);
        if (end == value || *end || v < 0 || v > 10)
            return fail(c, "min-score takes a number from 0 to 10, not \"%s\"%s",
                        value, "");
        s->min_score = (int)v;
    } else if (strcmp(name, "lang") == 0) {
        if ((s->lang = mc_lang_parse(value)) < 0)
            return fail(c, "lang takes en, ru, pl or auto, not \"%s\"%s", value, "");
    } else if (strcmp(name, "kind") == 0) {
        int k = mc_kind_parse(value);
        if (k < 0)
            return fail(c, "kind takes text, markdown, html, zendesk or jsonl, "
                        "not \"%s\"%s", value, "");
        s->kind = (mc_kind)k;
    } else {
        return -1;
    }
    return 1;
}

static int handler(void *user, const char *sect, const char *name,
                   const char *value)
{
    mc_config *c = user;
    if (!c->last || strcmp(c->last, sect) != 0) {
        if (!add_section(c, sect))
            return fail(c, "out of memory%s%s", "", "");
        c->last = c->sec[c->nsec - 1].glob;
    }
    section *s = &c->sec[c->nsec - 1];
    int global = s->glob == NULL, rc = scalar_key(c, s, name, value);
    if (rc >= 0)
        return rc;
    if (strcmp(name, "disable") == 0)
        rc = push_list(&s->disable, value);
    else if (!global && (!strcmp(name, "include") || !strcmp(name, "exclude") ||
                         !strcmp(name, "rules")))
        return fail(c, "%s is a global key: put it before the first "
                    "[section], not in [%s]", name, sect);
    else if (strcmp(name, "include") == 0)
        rc = push_list(&c->include, value);
    else if (strcmp(name, "exclude") == 0)
        rc = push_list(&c->exclude, value);
    else if (strcmp(name, "rules") == 0)
        rc = push_rules_dir(c, value);
    else
        return fail(c, "unknown key \"%s\"%s (known: min-score, lang, kind, "
                    "include, exclude, rules, disable)", name, "");
    return rc ? fail(c, "out of memory%s%s", "", "") : 1;
}

/* inih returns the line of the first error, its own or ours: tell which
 * by looking at the line. */
static void syntax_message(const char *line, char *msg, size_t size)
{
    while (*line == ' ' || *line == '\t')
        line++;
    if (*line == '[' && !strchr(line, ']'))
        snprintf(msg, size, "unterminated [section] header");
    else if (*line != '[' && !strchr(line, '=') && !strchr(line, ':'))
        snprintf(msg, size, "expected \"key = value\" or \"[glob]\"");
}

/* Reads the file once for the line checks inih cannot do. */
static int precheck(const char *path, int bad_line, char *msg, size_t size)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    int lineno = 0, found = 0;
    while (!found && (n = getline(&line, &cap, f)) != -1) {
        lineno++;
        while (n && (line[n - 1] == '\n' || line[n - 1] == '\r'))
            line[--n] = 0;
        if (n > INI_LINE_MAX) {
            snprintf(msg, size, "line too long (%zd bytes; at most %d)", n,
                     INI_LINE_MAX);
            found = lineno;
        } else if (lineno == bad_line) {
            syntax_message(line, msg, size);
            found = lineno;
        }
    }
    free(line);
    fclose(f);
    return found;
}

static char *dir_of(const char *path)
{
    char *real = realpath(path, NULL);
    if (!real)
        return NULL;
    char *slash = strrchr(real, '/');
    if (slash == real)
        slash[1] = 0;
    else
        *slash = 0;
    return real;
}

mc_config *mc_config_load(const char *path)
{
    mc_config *c = calloc(1, sizeof *c);
    if (!c || !(c->path = strdup(path)) || !add_section(c, NULL)) {
        fprintf(stderr, "%s: error: out of memory\n", path);
        mc_config_free(c);
        return NULL;
    }
    c->last = "";
    char msg[300] = "";
    int long_line = precheck(path, 0, msg, sizeof msg);
    if (long_line < 0 || !(c->dir = dir_of(path))) {
        fprintf(stderr, "%s: error: cannot open: %s\n", path, strerror(errno));
        mc_config_free(c);
        return NULL;
    }
    int line = long_line ? long_line : ini_parse(path, handler, c);
    if (line > 0 && !long_line) {
        precheck(path, line, msg, sizeof msg);
        if (!msg[0])
            snprintf(msg, sizeof msg, "%s", c->msg[0] ? c->msg : "syntax error");
    }
    if (line < 0)
        fprintf(stderr, "%s: error: %s\n", path,
                line == -2 ? "out of memory" : "cannot read");
    else if (line > 0)
        fprintf(stderr, "%s:%d: error: %s\n", path, line, msg);
    if (line != 0) {
        mc_config_free(c);
        return NULL;
    }
    return c;
}

char *mc_config_find(const char *dir)
{
    char *d = realpath(dir, NULL);
    while (d) {
        char *p = malloc(strlen(d) + sizeof "/.meaculpa.ini");
        if (!p)
            break;
        sprintf(p, "%s/.meaculpa.ini", strcmp(d, "/") ? d : "");
        struct stat st;
        if (stat(p, &st) == 0 && S_ISREG(st.st_mode)) {
            free(d);
            return p;
        }
        free(p);
        char *slash = strrchr(d, '/');
        if (!slash || strcmp(d, "/") == 0)
            break;
        slash[slash == d] = 0;
    }
    free(d);
    return NULL;
}

void mc_config_free(mc_config *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->nsec; i++) {
        free(c->sec[i].glob);
        mc_strv_free(&c->sec[i].disable);
    }
    free(c->sec);
    mc_strv_free(&c->include);
    mc_strv_free(&c->exclude);
    mc_strv_free(&c->rules);
    free(c->path);
    free(c->dir);
    free(c);
}

const char *mc_config_path(const mc_config *c) { return c->path; }
const mc_strv *mc_config_rules(const mc_config *c) { return &c->rules; }
const mc_strv *mc_config_disable(const mc_config *c) { return &c->sec[0].disable; }

static int any_match(const mc_strv *globs, const char *rel)
{
    for (size_t i = 0; i < globs->n; i++)
        if (mc_glob_match(globs->v[i], rel))
            return 1;
    return 0;
}

int mc_config_wanted(const mc_config *c, const char *path, int walked)
{
    char *rel = mc_relpath(c->dir, path);
    int ok = rel && !any_match(&c->exclude, rel) &&
             (!walked || c->include.n == 0 || any_match(&c->include, rel));
    free(rel);
    return ok;
}

static void apply_section(const section *s, mc_settings *set, int ids)
{
    if (s->lang >= 0)
        set->lang = s->lang;
    if (s->min_score >= 0)
        set->min_score = s->min_score;
    if (s->kind != MC_KIND_UNSET)
        set->kind = s->kind;
    for (size_t i = 0; ids && i < s->disable.n; i++)
        mc_strv_push(&set->disable, s->disable.v[i]);
}

void mc_config_apply(const mc_config *c, const char *path, mc_settings *set)
{
    char *rel = mc_relpath(c->dir, path);
    /* the global ids are turned off in the rules themselves */
    apply_section(&c->sec[0], set, 0);
    for (size_t i = 1; rel && i < c->nsec; i++)
        if (mc_glob_match(c->sec[i].glob, rel))
            apply_section(&c->sec[i], set, 1);
    free(rel);
}

static int rule_exists(const mc_rules *rules, const char *id)
{
    mc_rule_info info;
    for (size_t i = 0; mc_rules_info(rules, i, &info); i++)
        if (strcmp(info.id, id) == 0)
            return 1;
    return 0;
}

int mc_config_check_ids(const mc_config *c, const mc_rules *rules)
{
    int rc = 0;
    for (size_t i = 0; i < c->nsec; i++)
        for (size_t k = 0; k < c->sec[i].disable.n; k++)
            if (!rule_exists(rules, c->sec[i].disable.v[k])) {
                fprintf(stderr, "%s: error: %s%s%sdisable: no rule with id "
                        "\"%s\"\n", c->path, c->sec[i].glob ? "[" : "",
                        c->sec[i].glob ? c->sec[i].glob : "",
                        c->sec[i].glob ? "] " : "", c->sec[i].disable.v[k]);
                rc = -1;
            }
    return rc;
}
