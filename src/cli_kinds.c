/* cli_kinds.c - file kinds: picks one by extension, splits a file into
 * the texts that are scored (cli_markdown.c and cli_zendesk.c do the
 * parsing), and reads the inline <!-- meaculpa-disable --> comments into
 * suppressions.  Hands pieces to cli_jobs.c. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cli.h"
#include "cli_kinds.h"

static const char *const kind_names[] = {
    [MC_KIND_TEXT] = "text", [MC_KIND_MARKDOWN] = "markdown",
    [MC_KIND_HTML] = "html", [MC_KIND_ZENDESK] = "zendesk",
    [MC_KIND_JSONL] = "jsonl",
};

const char *mc_kind_name(mc_kind k)
{
    return k > MC_KIND_UNSET && k < MC_KIND_UNKNOWN ? kind_names[k] : "unknown";
}

int mc_kind_parse(const char *name)
{
    for (int k = MC_KIND_TEXT; k < MC_KIND_UNKNOWN; k++)
        if (strcmp(name, kind_names[k]) == 0)
            return k;
    return -1;
}

static const struct {
    const char *ext;
    mc_kind kind;
} extensions[] = {
    {"txt", MC_KIND_TEXT},      {"text", MC_KIND_TEXT},
    {"md", MC_KIND_MARKDOWN},   {"markdown", MC_KIND_MARKDOWN},
    {"mdown", MC_KIND_MARKDOWN}, {"mkd", MC_KIND_MARKDOWN},
    {"html", MC_KIND_HTML},     {"htm", MC_KIND_HTML},
    {"xhtml", MC_KIND_HTML},    {"json", MC_KIND_ZENDESK},
    {"jsonl", MC_KIND_JSONL},   {"ndjson", MC_KIND_JSONL},
};

mc_kind mc_kind_of_path(const char *path)
{
    const char *base = strrchr(path, '/'), *dot;
    base = base ? base + 1 : path;
    if (!(dot = strrchr(base, '.')) || dot == base)
        return MC_KIND_UNKNOWN;
    for (size_t i = 0; i < sizeof extensions / sizeof *extensions; i++)
        if (strcasecmp(dot + 1, extensions[i].ext) == 0)
            return extensions[i].kind;
    return MC_KIND_UNKNOWN;
}

/* ---- pieces ----------------------------------------------------------- */

mc_piece *mc_pieces_add(mc_pieces *p)
{
    if (p->n == p->cap) {
        size_t ncap = p->cap ? p->cap * 2 : 4;
        mc_piece *v = realloc(p->v, ncap * sizeof *v);
        if (!v)
            return NULL;
        p->v = v;
        p->cap = ncap;
    }
    mc_piece *pc = &p->v[p->n++];
    *pc = (mc_piece){.lang = -1, .line = 1, .column = 1};
    return pc;
}

void mc_pieces_free(mc_pieces *p)
{
    for (size_t i = 0; i < p->n; i++) {
        mc_piece *pc = &p->v[i];
        for (size_t k = 0; k < pc->nsup; k++)
            free((char *)pc->sup[k].rule);
        free(pc->sup);
        free(pc->title);
        free(pc->id_json);
        free(pc->text);
        free(pc->map);
        free(pc->error);
    }
    free(p->v);
    *p = (mc_pieces){0};
}

char *mc_strndup(const char *s, size_t n)
{
    char *p = malloc(n + 1);
    if (p) {
        memcpy(p, s, n);
        p[n] = 0;
    }
    return p;
}

/* ---- positions -------------------------------------------------------- */

void mc_cursor_init(mc_cursor *c, const char *buf, size_t len)
{
    *c = (mc_cursor){buf, len, 0, 1, 1};
}

void mc_cursor_at(mc_cursor *c, size_t off, int *line, int *column)
{
    if (off < c->off)
        mc_cursor_init(c, c->buf, c->len);
    if (off > c->len)
        off = c->len;
    /* A BOM at the start is no character: mc_text_position and the
     * library's findings skip it, and the CLI must give the same columns. */
    if (c->off == 0 && off >= 3 && c->len >= 3 &&
        memcmp(c->buf, "\xEF\xBB\xBF", 3) == 0)
        c->off = 3;
    for (; c->off < off; c->off++) {
        unsigned char b = (unsigned char)c->buf[c->off];
        int cr_lf = b == '\r' && c->off + 1 < c->len && c->buf[c->off + 1] == '\n';
        if (b == '\n' || (b == '\r' && !cr_lf))
            c->line++, c->column = 1;
        else if ((b & 0xC0) != 0x80 && !cr_lf)
            c->column++;
    }
    *line = c->line;
    *column = c->column;
}

/* ---- inline control comments ------------------------------------------ */

typedef struct {
    char *rule;           /* NULL: every rule */
    size_t start;
} open_range;

typedef struct {
    mc_piece *pc;
    open_range open[64];
    int nopen;
    const mc_file *file;
    const mc_rules *rules;
    FILE *diag;
} controls;

static int add_sup(mc_piece *pc, char *rule, size_t start, size_t end)
{
    mc_suppression *v = realloc(pc->sup, (pc->nsup + 1) * sizeof *v);
    if (!v) {
        free(rule);
        return -1;
    }
    pc->sup = v;
    v[pc->nsup++] = (mc_suppression){rule, start, end};
    return 0;
}

static void warn_at(const controls *c, size_t off, const char *fmt,
                    const char *arg)
{
    const mc_piece *pc = c->pc;
    size_t at = pc->map ? pc->map[off] : off;
    mc_cursor cur;
    int line, col;
    mc_cursor_init(&cur, c->file->buf, c->file->len);
    mc_cursor_at(&cur, at, &line, &col);
    fprintf(c->diag, "%s:%d:%d: warning: ", c->file->path, line, col);
    fprintf(c->diag, fmt, arg);
    fputc('\n', c->diag);
}

static int known_rule(const mc_rules *rules, const char *id)
{
    mc_rule_info info;
    for (size_t i = 0; mc_rules_info(rules, i, &info); i++)
        if (strcmp(info.id, id) == 0)
            return 1;
    return 0;
}

static int disable(controls *c, const char *id, size_t at, size_t where)
{
    if (c->nopen == (int)(sizeof c->open / sizeof *c->open)) {
        warn_at(c, where, "too many open meaculpa-disable ranges%s", "");
        return 0;
    }
    if (id && !known_rule(c->rules, id))
        warn_at(c, where, "meaculpa-disable: no rule with id \"%s\"", id);
    char *copy = id ? strdup(id) : NULL;
    if (id && !copy)
        return -1;
    c->open[c->nopen++] = (open_range){copy, at};
    return 0;
}

/* "meaculpa-enable" closes every open range; with ids, those only. */
static int enable(controls *c, const char *id, size_t at)
{
    int k = 0, rc = 0;
    for (int i = 0; i < c->nopen; i++) {
        open_range *o = &c->open[i];
        int close = !id || (o->rule && strcmp(o->rule, id) == 0);
        if (close)
            rc |= add_sup(c->pc, o->rule, o->start, at);
        else
            c->open[k++] = *o;
    }
    c->nopen = k;
    return rc;
}

static int directive(controls *c, mc_pieces *ps, char *body, size_t end,
                     size_t where)
{
    char *save = NULL, *word = strtok_r(body, " \t\r\n,", &save);
    int is_disable = word && strcmp(word, "meaculpa-disable") == 0;
    int is_enable = word && strcmp(word, "meaculpa-enable") == 0;
    if (word && strcmp(word, "meaculpa-disable-file") == 0)
        ps->disabled_file = 1;
    if (!is_disable && !is_enable)
        return 0;
    int rc = 0, ids = 0;
    for (char *id; (id = strtok_r(NULL, " \t\r\n,", &save)); ids++)
        rc |= is_disable ? disable(c, id, end, where) : enable(c, id, end);
    if (!ids)
        rc |= is_disable ? disable(c, NULL, end, where) : enable(c, NULL, end);
    return rc;
}

int mc_scan_controls(mc_pieces *ps, mc_piece *pc, const mc_file *file,
                     const mc_rules *rules, FILE *diag)
{
    controls c = {.pc = pc, .file = file, .rules = rules, .diag = diag};
    const char *t = pc->text, *end = t + pc->len, *p = t;
    int rc = 0;
    while (rc == 0 && (p = strstr(p, "<!--")) && p < end) {
        const char *q = strstr(p + 4, "-->");
        if (!q)
            break;
        char *body = mc_strndup(p + 4, (size_t)(q - p - 4));
        if (!body)
            return -1;
        rc = directive(&c, ps, body, (size_t)(q + 3 - t), (size_t)(p - t));
        free(body);
        p = q + 3;
    }
    rc |= enable(&c, NULL, pc->len);
    return rc;
}

/* ---- dispatch --------------------------------------------------------- */

static int whole_file(const mc_file *f, int blank_markdown, int controls,
                      mc_pieces *out, FILE *diag)
{
    mc_piece *pc = mc_pieces_add(out);
    if (!pc || !(pc->text = mc_strndup(f->buf, f->len)))
        return -1;
    pc->len = f->len;
    if (blank_markdown && mc_markdown_blank(pc->text, pc->len))
        return -1;
    return controls ? mc_scan_controls(out, pc, f, f->rules, diag) : 0;
}

int mc_extract(mc_kind kind, const char *path, const char *buf, size_t len,
               const mc_rules *rules, mc_pieces *out, FILE *diag)
{
    mc_file f = {path, buf, len, rules};
    int rc;
    switch (kind) {
    case MC_KIND_MARKDOWN:
        rc = whole_file(&f, 1, 1, out, diag);
        break;
    case MC_KIND_HTML:
        rc = whole_file(&f, 0, 1, out, diag);
        break;
    case MC_KIND_ZENDESK:
        return mc_zendesk_pieces(&f, out, diag);
    case MC_KIND_JSONL:
        rc = mc_jsonl_pieces(&f, out);
        break;
    default:
        rc = whole_file(&f, 0, 0, out, diag);
        break;
    }
    if (rc)
        fprintf(diag, "%s: error: out of memory\n", path);
    return rc;
}
