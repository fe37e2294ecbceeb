/* cli_output.c - the reports of the meaculpa command: text for people,
 * JSON Lines, and the machine formats that editors and CI read (gcc,
 * GitHub workflow commands, JUnit XML, SARIF 2.1.0).  Takes scored jobs
 * from cli_jobs.c in order; positions are those of the file. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

struct mc_emitter {
    mc_format fmt;
    const mc_rules *rules;
    int color, verbose;
    FILE *out;
    FILE *junit;          /* test suites, kept until the totals are known */
    char *junit_buf;
    size_t junit_len;
    int tests, failures, errors;
    json_t *sarif, *sarif_rules, *results, *texts, *notes, *rule_index;
    mc_strv warned;       /* rules whose limit was reported this run */
    /* The file being reported, which may come as several jobs (batches
     * of JSON Lines): what they said, whether one failed, and where its
     * JUnit test cases begin. */
    char *fdiag;
    size_t fdiaglen, fstart;
    int ffailed;
};

/* One scored text, as the reports see it. */
typedef struct {
    const mc_job *job;
    const mc_piece *pc;
    const mc_result *res;
    char *name;           /* path, or path#macro-title */
    int min, below;
    mc_cursor cur;        /* over the file, or the text of a record */
} view;

/* ---- shared helpers --------------------------------------------------- */

static int shown(const mc_emitter *e, const mc_finding *f)
{
    return e->verbose || (f->effect != MC_EFFECT_COMPONENT &&
                          f->effect != MC_EFFECT_REGRET);
}

/* The machine formats report a rule left out at a limit once, at the
 * rule's file:line (limit_warnings), not again in every text. */
static int listed(const mc_emitter *e, const mc_finding *f)
{
    return shown(e, f) && !mc_lost_rule(f);
}

static const char *severity(const view *v, const mc_finding *f)
{
    if (f->effect == MC_EFFECT_LIMIT)
        return "warning";
    if (!f->counted || f->effect == MC_EFFECT_COMPONENT ||
        f->effect == MC_EFFECT_REGRET)
        return "note";
    return v->below ? "error" : "warning";
}

/* A limit finding never counts, but nothing outweighed it either. */
static const char *outweighed(const mc_finding *f)
{
    return f->counted || f->effect == MC_EFFECT_LIMIT ? "" : " (outweighed)";
}

/* Where a finding starts (or ends) in the file.  A JSON Lines record is
 * one line of its file, so its findings point at that line. */
static void file_pos(view *v, const mc_finding *f, int end, int *line,
                     int *col)
{
    if (!f->line || v->pc->own_positions) {
        *line = v->pc->line;
        *col = v->pc->column > 0 ? v->pc->column : 1;
        return;
    }
    size_t off = f->offset + (end ? f->length : 0);
    mc_cursor_at(&v->cur, v->pc->map ? v->pc->map[off] : off, line, col);
}

/* What a finding says, on one line. */
static char *finding_text(const mc_finding *f)
{
    char label[64], *s = NULL;
    size_t n;
    FILE *m = open_memstream(&s, &n);
    if (!m)
        return NULL;
    if (f->match[0])
        fprintf(m, "\"%s\" ", f->match);
    fprintf(m, "%s%s: %s", mc_effect_label(f, label, sizeof label),
            outweighed(f), f->message);
    if (f->suggestion[0] && f->effect != MC_EFFECT_COMPONENT &&
        f->effect != MC_EFFECT_REGRET)
        fprintf(m, " %s", f->suggestion);
    fclose(m);
    for (char *p = s; p && *p; p++)
        if (*p == '\n' || *p == '\r' || *p == '\t')
            *p = ' ';
    return s;
}

static char *score_text(const view *v)
{
    char *s = NULL;
    size_t n;
    FILE *m = open_memstream(&s, &n);
    if (!m)
        return NULL;
    if (v->pc->title)
        fprintf(m, "macro \"%s\": ", v->pc->title);
    fprintf(m, "score %d/10 (%s)", mc_result_score(v->res),
            mc_lang_name(mc_result_lang(v->res)));
    if (v->below)
        fprintf(m, ", below the bar of %d", v->min);
    fclose(m);
    return s;
}

/* ---- text ------------------------------------------------------------- */

static const char *paint(const mc_emitter *e, const char *code)
{
    return e->color ? code : "";
}

static const char *score_color(int score)
{
    return score >= 9 ? "\033[32m" : score >= 7 ? "\033[33m" : "\033[31m";
}

static void text_finding(mc_emitter *e, view *v, const mc_finding *f)
{
    char label[64], pos[32] = "";
    int line = f->line, col = f->column;
    if (f->line && !v->pc->own_positions)
        file_pos(v, f, 0, &line, &col);
    if (f->line)
        snprintf(pos, sizeof pos, "%d:%d", line, col);
    mc_effect_label(f, label, sizeof label);
    fprintf(e->out, "  %-7s %-16s %-24s ", pos, f->category, f->rule);
    if (f->match[0])
        fprintf(e->out, "%s\"%s\"%s  ", paint(e, "\033[1m"), f->match,
                paint(e, "\033[0m"));
    int quiet = f->effect == MC_EFFECT_REGRET || f->effect == MC_EFFECT_COMPONENT;
    fprintf(e->out, "%s%s%s", label, outweighed(f),
            quiet ? "" : " - ");
    if (quiet)
        fprintf(e->out, "\n");
    else if (f->effect == MC_EFFECT_LIMIT) /* the message names file:line */
        fprintf(e->out, "%s%s%s\n", f->message, f->suggestion[0] ? ". " : "",
                f->suggestion);
    else
        fprintf(e->out, "%s\n", f->suggestion[0] ? f->suggestion : f->message);
}

static void emit_text(mc_emitter *e, view *v)
{
    int score = mc_result_score(v->res);
    fprintf(e->out, "%s: %s%d/10%s  (%s)\n", v->name,
            paint(e, score_color(score)), score, paint(e, "\033[0m"),
            mc_lang_name(mc_result_lang(v->res)));
    for (size_t i = 0; i < mc_result_finding_count(v->res); i++) {
        const mc_finding *f = mc_result_finding(v->res, i);
        if (shown(e, f))
            text_finding(e, v, f);
    }
    unsigned comps = mc_result_components(v->res);
    if (comps && !e->verbose) {
        fprintf(e->out, "  components:");
        for (int i = 0; i < MC_COMP_COUNT; i++)
            if (comps & (1u << i))
                fprintf(e->out, " %s", mc_component_name(1u << i));
        fprintf(e->out, "\n");
    }
}

/* ---- JSON Lines --------------------------------------------------------- */

/* The library's object, with positions in the file and the macro. */
static char *file_json(view *v, const char *s)
{
    json_t *o = json_loads(s, 0, NULL), *fs = json_object_get(o, "findings"), *j;
    size_t i;
    json_array_foreach(fs, i, j) {
        const mc_finding *f = mc_result_finding(v->res, i);
        int line, col;
        if (!f || !f->line)
            continue;
        file_pos(v, f, 0, &line, &col);
        json_object_set_new(j, "line", json_integer(line));
        json_object_set_new(j, "column", json_integer(col));
    }
    if (v->pc->title) {
        json_object_set_new(o, "macro", json_string(v->pc->title));
        json_object_set_new(o, "line", json_integer(v->pc->line));
    }
    char *r = o ? json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
    json_decref(o);
    return r;
}

static int emit_json(mc_emitter *e, view *v)
{
    char *s = mc_report_json(v->res, v->job->path, v->pc->id_json);
    if (s && !v->pc->own_positions) {
        char *t = file_json(v, s);
        free(s);
        s = t;
    }
    if (s)
        fprintf(e->out, "%s\n", s);
    free(s);
    return s ? 0 : -1;
}

/* ---- gcc and GitHub ----------------------------------------------------- */

/* Vim's default errorformat starts with %*[^"]"%f"%*\D%l: %m, which
 * would read a quoted word of the message as a file name: quote with
 * ' as GCC does in the C locale. */
static void gcc_quotes(char *s)
{
    for (; s && *s; s++)
        if (*s == '"')
            *s = '\'';
}

static void emit_gcc(mc_emitter *e, view *v)
{
    for (size_t i = 0; i < mc_result_finding_count(v->res); i++) {
        const mc_finding *f = mc_result_finding(v->res, i);
        int line, col;
        char *t;
        if (!listed(e, f) || !(t = finding_text(f)))
            continue;
        file_pos(v, f, 0, &line, &col);
        gcc_quotes(t);
        fprintf(e->out, "%s:%d:%d: %s: %s [%s]\n", v->job->path, line, col,
                severity(v, f), t, f->rule);
        free(t);
    }
    char *t = score_text(v);
    gcc_quotes(t);
    fprintf(e->out, "%s:%d:%d: %s: %s [score]\n", v->job->path, v->pc->line,
            v->pc->column > 0 ? v->pc->column : 1, v->below ? "error" : "note",
            t ? t : "");
    free(t);
}

/* Workflow commands escape '%', CR and LF; properties ':' and ',' too. */
static void gh_escape(FILE *o, const char *s, int property)
{
    for (; *s; s++) {
        if (*s == '%' || *s == '\r' || *s == '\n' ||
            (property && (*s == ':' || *s == ',')))
            fprintf(o, "%%%02X", (unsigned char)*s);
        else
            fputc(*s, o);
    }
}

static void gh_command(mc_emitter *e, const char *level, const char *path,
                       const int *pos, const char *title, const char *msg)
{
    fprintf(e->out, "::%s file=", level);
    gh_escape(e->out, path, 1);
    fprintf(e->out, ",line=%d,col=%d", pos[0], pos[1]);
    if (pos[2])
        fprintf(e->out, ",endLine=%d,endColumn=%d", pos[2], pos[3]);
    fprintf(e->out, ",title=");
    gh_escape(e->out, title, 1);
    fprintf(e->out, "::");
    gh_escape(e->out, msg, 0);
    fputc('\n', e->out);
}

static const char *gh_level(const char *sev)
{
    return strcmp(sev, "note") == 0 ? "notice" : sev;
}

static void emit_github(mc_emitter *e, view *v)
{
    char title[160];
    for (size_t i = 0; i < mc_result_finding_count(v->res); i++) {
        const mc_finding *f = mc_result_finding(v->res, i);
        int pos[4] = {0};
        char *t;
        if (!listed(e, f) || !(t = finding_text(f)))
            continue;
        file_pos(v, f, 0, &pos[0], &pos[1]);
        if (f->line && !v->pc->own_positions)
            file_pos(v, f, 1, &pos[2], &pos[3]);
        snprintf(title, sizeof title, "meaculpa %s", f->rule);
        gh_command(e, gh_level(severity(v, f)), v->job->path, pos, title, t);
        free(t);
    }
    char *t = score_text(v);
    int pos[4] = {v->pc->line, v->pc->column > 0 ? v->pc->column : 1, 0, 0};
    gh_command(e, v->below ? "error" : "notice", v->job->path, pos,
               "meaculpa score", t ? t : "");
    free(t);
}

/* ---- JUnit XML ---------------------------------------------------------- */

/* XML 1.0 allows no C0 controls but tab, LF and CR. */
static void xml_escape(FILE *o, const char *s)
{
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '&')
            fputs("&amp;", o);
        else if (c == '<')
            fputs("&lt;", o);
        else if (c == '>')
            fputs("&gt;", o);
        else if (c == '"')
            fputs("&quot;", o);
        else if (c < 0x20 && c != '\t' && c != '\n' && c != '\r')
            fputc('?', o);
        else
            fputc(c, o);
    }
}

static void junit_findings(mc_emitter *e, view *v)
{
    for (size_t i = 0; i < mc_result_finding_count(v->res); i++) {
        const mc_finding *f = mc_result_finding(v->res, i);
        int line, col;
        char *t;
        if (!shown(e, f) || !(t = finding_text(f)))
            continue;
        file_pos(v, f, 0, &line, &col);
        fprintf(e->junit, "%s:%d:%d: %s: ", v->job->path, line, col,
                severity(v, f));
        xml_escape(e->junit, t);
        fprintf(e->junit, " [%s]\n", f->rule);
        free(t);
    }
}

static void emit_junit_case(mc_emitter *e, view *v)
{
    FILE *j = e->junit;
    char *t = score_text(v);
    fputs("    <testcase classname=\"", j);
    xml_escape(j, v->job->path);
    fputs("\" name=\"", j);
    xml_escape(j, v->name);
    fprintf(j, "\" file=\"");
    xml_escape(j, v->job->path);
    fprintf(j, "\" line=\"%d\">\n", v->pc->line);
    fprintf(j, v->below ? "      <failure type=\"min-score\" message=\""
                        : "      <system-out>");
    if (v->below) {
        xml_escape(j, t ? t : "");
        fputs("\">", j);
    }
    junit_findings(e, v);
    fprintf(j, v->below ? "</failure>\n" : "</system-out>\n");
    fputs("    </testcase>\n", j);
    free(t);
    e->tests++;
    e->failures += v->below;
}

/* Goes before the file's test cases, which were written as its jobs
 * came: they move down. */
static int junit_error_case(mc_emitter *e, const char *path)
{
    fflush(e->junit);
    size_t n = e->junit_len - e->fstart;
    char *cases = malloc(n + 1);
    if (!cases)
        return -1;
    memcpy(cases, e->junit_buf + e->fstart, n);
    fseek(e->junit, (long)e->fstart, SEEK_SET);
    fputs("    <testcase classname=\"", e->junit);
    xml_escape(e->junit, path);
    fputs("\" name=\"", e->junit);
    xml_escape(e->junit, path);
    fputs("\">\n      <error message=\"could not be scored\">", e->junit);
    xml_escape(e->junit, e->fdiag);
    fputs("</error>\n    </testcase>\n", e->junit);
    fwrite(cases, 1, n, e->junit);
    free(cases);
    e->tests++;
    e->errors++;
    return 0;
}

/* ---- SARIF 2.1.0 -------------------------------------------------------- */

/* A relative URI reference: unreserved bytes and '/' as they are, the
 * rest percent-encoded; absolute paths become file:// URIs. */
static json_t *path_uri(const char *path)
{
    static const char ok[] = "-._~/";
    char *s = malloc(strlen(path) * 3 + 8), *o = s;
    if (!s)
        return NULL;
    while (path[0] == '.' && path[1] == '/')
        path += 2;
    if (path[0] == '/')
        o += sprintf(o, "file://");
    for (const unsigned char *p = (const unsigned char *)path; *p; p++) {
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
            (*p >= '0' && *p <= '9') || strchr(ok, *p))
            *o++ = (char)*p;
        else
            o += sprintf(o, "%%%02X", *p);
    }
    *o = 0;
    json_t *j = json_string(s);
    free(s);
    return j;
}

static json_t *text_obj(const char *s)
{
    return json_pack("{s:s}", "text", s ? s : "");
}

static void sarif_rule(mc_emitter *e, const char *id, const char *category,
                       const char *message, const char *help,
                       const char *effect, const char *level)
{
    char md[1024];
    snprintf(md, sizeof md, "**%s** (%s)\n\n%s", effect, category,
             help && *help ? help : message);
    json_t *r = json_pack("{s:s, s:o, s:o, s:{s:s, s:s}, s:{s:s}, s:{s:s, s:s, s:[s, s]}}",
                          "id", id, "shortDescription", text_obj(message),
                          "fullDescription", text_obj(message),
                          "help", "text", help && *help ? help : message,
                          "markdown", md, "defaultConfiguration", "level", level,
                          "properties", "category", category, "effect", effect,
                          "tags", "apology", category);
    json_object_set_new(e->rule_index, id,
                        json_integer((json_int_t)json_array_size(e->sarif_rules)));
    json_array_append_new(e->sarif_rules, r);
}

static const struct {
    const char *id, *category, *message, *help, *effect, *level;
} extra_rules[] = {
    {"missing.regret", "no-regret", "The text expresses no regret.",
     "Say plainly that you are sorry for what went wrong.", "missing", "warning"},
    {"missing.remediation", "missing", "No remedy, prevention or compensation.",
     "Say what you did or will do to fix it, and what changes so it does not "
     "happen again.", "missing", "warning"},
    {"missing.components", "missing", "Fewer than three components of a full "
     "apology.", "Own the mistake, say what changes, or offer a way to follow up.",
     "missing", "warning"},
    {"limit", "limit", "A rule hit a match limit or its time budget and "
     "was left out of a text.", "Simplify the pattern of this rule (nested "
     "or long repeats backtrack without end).", "limit", "warning"},
    {"limit.findings", "limit", "More findings of one rule than are listed.",
     "Score a long text in parts to see every finding.", "limit", "warning"},
    {"score", "score", "The text scores below the bar (min-score).",
     "Fix the findings of the text until it reaches the bar.", "min-score",
     "error"},
};

static void sarif_rules(mc_emitter *e)
{
    mc_rule_info ri;
    char label[64];
    for (size_t i = 0; mc_rules_info(e->rules, i, &ri); i++) {
        mc_finding f = {.effect = ri.effect, .value = ri.value};
        int quiet = ri.effect == MC_EFFECT_COMPONENT || ri.effect == MC_EFFECT_REGRET;
        if (!ri.disabled)
            sarif_rule(e, ri.id, ri.category, ri.message, ri.suggestion,
                       mc_effect_label(&f, label, sizeof label),
                       quiet ? "note" : "warning");
    }
    for (size_t i = 0; i < sizeof extra_rules / sizeof *extra_rules; i++)
        sarif_rule(e, extra_rules[i].id, extra_rules[i].category,
                   extra_rules[i].message, extra_rules[i].help,
                   extra_rules[i].effect, extra_rules[i].level);
}

static int sarif_new(mc_emitter *e)
{
    e->sarif_rules = json_array();
    e->results = json_array();
    e->texts = json_array();
    e->notes = json_array();
    e->rule_index = json_object();
    if (!e->sarif_rules || !e->results || !e->texts || !e->notes || !e->rule_index)
        return -1;
    sarif_rules(e);
    e->sarif = json_pack(
        "{s:s, s:s, s:[{s:{s:{s:s, s:s, s:s, s:O}}, s:s, s:O, s:{s:O}}]}",
        "$schema", "https://json.schemastore.org/sarif-2.1.0.json",
        "version", "2.1.0", "runs", "tool", "driver", "name", "meaculpa",
        "version", MC_VERSION, "informationUri",
        "https://github.com/meaculpa/meaculpa", "rules", e->sarif_rules,
        "columnKind", "unicodeCodePoints", "results", e->results,
        "properties", "texts", e->texts);
    return e->sarif ? 0 : -1;
}

static json_t *sarif_location(const char *path, int l, int c, int el, int ec)
{
    json_t *region = json_pack("{s:i, s:i}", "startLine", l, "startColumn", c);
    if (el && (el > l || ec > c)) {
        json_object_set_new(region, "endLine", json_integer(el));
        json_object_set_new(region, "endColumn", json_integer(ec));
    }
    return json_pack("[{s:{s:{s:o}, s:o}}]", "physicalLocation",
                     "artifactLocation", "uri", path_uri(path), "region", region);
}

static void sarif_result(mc_emitter *e, view *v, const char *rule,
                         const char *level, const char *msg, json_t *loc)
{
    json_t *idx = json_object_get(e->rule_index, rule);
    json_t *r = json_pack("{s:s, s:s, s:o, s:o, s:{s:s, s:i, s:i}}", "ruleId",
                          rule, "level", level, "message", text_obj(msg),
                          "locations", loc, "properties", "text", v->name,
                          "score", mc_result_score(v->res), "level",
                          mc_result_level(v->res));
    if (r && idx)
        json_object_set(r, "ruleIndex", idx);
    json_array_append_new(e->results, r);
}

static void emit_sarif(mc_emitter *e, view *v)
{
    for (size_t i = 0; i < mc_result_finding_count(v->res); i++) {
        const mc_finding *f = mc_result_finding(v->res, i);
        int l, c, el = 0, ec = 0;
        char *t;
        if (!listed(e, f) || !(t = finding_text(f)))
            continue;
        file_pos(v, f, 0, &l, &c);
        if (f->line && !v->pc->own_positions)
            file_pos(v, f, 1, &el, &ec);
        sarif_result(e, v, f->rule, severity(v, f), t,
                     sarif_location(v->job->path, l, c, el, ec));
        free(t);
    }
    char *t = score_text(v);
    int col = v->pc->column > 0 ? v->pc->column : 1;
    if (v->below)
        sarif_result(e, v, "score", "error", t ? t : "",
                     sarif_location(v->job->path, v->pc->line, col, 0, 0));
    json_array_append_new(e->texts, json_pack(
        "{s:s, s:o, s:i, s:i, s:i, s:s, s:i, s:b}", "name", v->name, "uri",
        path_uri(v->job->path), "line", v->pc->line, "score",
        mc_result_score(v->res), "level", mc_result_level(v->res), "lang",
        mc_lang_name(mc_result_lang(v->res)), "minScore", v->min, "pass",
        !v->below));
    free(t);
}

/* Files that could not be scored become tool notifications. */
static void sarif_error(mc_emitter *e, const char *path)
{
    json_array_append_new(e->notes, json_pack(
        "{s:s, s:o, s:[{s:{s:{s:o}}}]}", "level", "error", "message",
        text_obj(*e->fdiag ? e->fdiag : "could not be scored"),
        "locations", "physicalLocation", "artifactLocation", "uri",
        path_uri(path)));
}

static int sarif_finish(mc_emitter *e)
{
    json_t *run = json_array_get(json_object_get(e->sarif, "runs"), 0);
    json_object_set_new(run, "invocations", json_pack(
        "[{s:b, s:O}]", "executionSuccessful", json_array_size(e->notes) == 0,
        "toolExecutionNotifications", e->notes));
    char *s = json_dumps(e->sarif, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    if (!s)
        return -1;
    fprintf(e->out, "%s\n", s);
    free(s);
    return 0;
}

/* ---- rules left out at a limit ------------------------------------------ */

/* Which limit: the library says "rule ID (FILE:LINE): WHAT; the text is
 * scored without this rule".  Falls back to the whole message. */
static char *limit_what(const mc_finding *f)
{
    char head[700];
    int n = snprintf(head, sizeof head, "rule %s (%s:%d): ", f->rule,
                     f->rule_file, f->rule_line);
    const char *m = f->message, *end;
    if (n > 0 && (size_t)n < sizeof head && strncmp(m, head, (size_t)n) == 0)
        m += n;
    end = strstr(m, "; the text is scored without");
    return strndup(m, end ? (size_t)(end - m) : strlen(m));
}

/* "rule ID: WHAT on TEXT; the text was scored without this rule". */
static char *limit_text(const view *v, const mc_finding *f)
{
    char *what = limit_what(f), *s = NULL;
    size_t n;
    FILE *m = what ? open_memstream(&s, &n) : NULL;
    if (m) {
        fprintf(m, "rule %s: %s on %s", f->rule, what, v->name);
        if (v->pc->own_positions)  /* a JSON Lines record: its line */
            fprintf(m, ":%d", v->pc->line);
        fprintf(m, "; the text was scored without this rule");
        fclose(m);
    }
    free(what);
    return s;
}

/* At the rule's file:line, where the fix is: in the output of the
 * machine formats, on stderr (GNU format) beside the others. */
static void warn_limit(mc_emitter *e, view *v, const mc_finding *f, char *msg)
{
    int pos[4] = {f->rule_line, 1, 0, 0};
    switch (e->fmt) {
    case MC_FMT_GCC:
        gcc_quotes(msg);
        fprintf(e->out, "%s:%d:1: warning: %s [limit]\n", f->rule_file,
                f->rule_line, msg);
        break;
    case MC_FMT_GITHUB:
        gh_command(e, "warning", f->rule_file, pos, "meaculpa limit", msg);
        break;
    case MC_FMT_SARIF:
        sarif_result(e, v, "limit", "warning", msg,
                     sarif_location(f->rule_file, f->rule_line, 1, 0, 0));
        break;
    default:
        fflush(e->out);  /* after the text's report on a terminal */
        fprintf(stderr, "%s:%d: warning: %s\n", f->rule_file, f->rule_line,
                msg);
    }
}

static int warned(const mc_emitter *e, const char *rule)
{
    for (size_t i = 0; i < e->warned.n; i++)
        if (strcmp(e->warned.v[i], rule) == 0)
            return 1;
    return 0;
}

/* Once per run and rule, naming the first text it was left out of: a
 * broken rule on 1,000 texts is one problem, not 1,000. */
static int limit_warnings(mc_emitter *e, view *v)
{
    for (size_t i = 0; i < mc_result_finding_count(v->res); i++) {
        const mc_finding *f = mc_result_finding(v->res, i);
        if (!mc_lost_rule(f) || warned(e, f->rule))
            continue;
        char *msg = limit_text(v, f);
        if (!msg || mc_strv_push(&e->warned, f->rule)) {
            free(msg);
            return -1;
        }
        warn_limit(e, v, f, msg);
        free(msg);
    }
    return 0;
}

/* ---- the emitter -------------------------------------------------------- */

mc_emitter *mc_emitter_new(mc_format fmt, const mc_rules *rules, int color,
                           int verbose, FILE *out)
{
    mc_emitter *e = calloc(1, sizeof *e);
    if (!e)
        return NULL;
    *e = (mc_emitter){.fmt = fmt, .rules = rules, .color = color,
                      .verbose = verbose, .out = out};
    int rc = 0;
    if (fmt == MC_FMT_JUNIT)
        rc = (e->junit = open_memstream(&e->junit_buf, &e->junit_len)) ? 0 : -1;
    else if (fmt == MC_FMT_SARIF)
        rc = sarif_new(e);
    if (rc) {
        mc_emitter_free(e);
        return NULL;
    }
    return e;
}

static char *view_name(const mc_job *job, const mc_piece *pc)
{
    if (!pc->title)
        return strdup(job->path);
    char *s = malloc(strlen(job->path) + strlen(pc->title) + 2);
    if (s)
        sprintf(s, "%s#%s", job->path, pc->title);
    return s;
}

static int emit_view(mc_emitter *e, view *v)
{
    switch (e->fmt) {
    case MC_FMT_TEXT:
        emit_text(e, v);
        return 0;
    case MC_FMT_JSON:
        return emit_json(e, v);
    case MC_FMT_GCC:
        emit_gcc(e, v);
        return 0;
    case MC_FMT_GITHUB:
        emit_github(e, v);
        return 0;
    case MC_FMT_JUNIT:
        emit_junit_case(e, v);
        return 0;
    case MC_FMT_SARIF:
        emit_sarif(e, v);
        return 0;
    }
    return 0;
}

/* JUnit and SARIF report a file that could not be scored (or some of
 * whose lines could not) once, with all its jobs said, as when it was
 * one job. */
static void file_begins(mc_emitter *e, const mc_job *job)
{
    if (job->first_line > 1)
        return;  /* a later batch of the same file */
    e->fdiaglen = 0;
    e->ffailed = 0;
    if (e->junit && fflush(e->junit) == 0)
        e->fstart = e->junit_len;
}

static int file_ends(mc_emitter *e, const mc_job *job)
{
    char *d = realloc(e->fdiag, e->fdiaglen + job->diaglen + 1);
    if (!d)
        return -1;
    if (job->diaglen)
        memcpy(d + e->fdiaglen, job->diag, job->diaglen);
    e->fdiag = d;
    e->fdiaglen += job->diaglen;
    d[e->fdiaglen] = 0;
    e->ffailed |= job->errors;
    if (!job->last || !e->ffailed)
        return 0;
    if (e->fmt == MC_FMT_JUNIT)
        return junit_error_case(e, job->path);
    sarif_error(e, job->path);
    return 0;
}

int mc_emit_job(mc_emitter *e, const mc_job *job)
{
    int below = 0, whole = e->fmt == MC_FMT_JUNIT || e->fmt == MC_FMT_SARIF;
    if (whole)
        file_begins(e, job);
    for (size_t i = 0; job->results && i < job->pieces.n; i++) {
        const mc_piece *pc = &job->pieces.v[i];
        if (!job->results[i])
            continue;
        view v = {job, pc, job->results[i], view_name(job, pc), job->set.min_score,
                  0, {0}};
        v.below = v.min > 0 && mc_result_score(v.res) < v.min;
        if (pc->own_positions)
            mc_cursor_init(&v.cur, pc->text, pc->len);
        else
            mc_cursor_init(&v.cur, job->raw, job->rawlen);
        if (!v.name || emit_view(e, &v) || limit_warnings(e, &v))
            fprintf(stderr, "%s: error: out of memory\n", job->path);
        below += v.below;
        free(v.name);
    }
    if (whole && file_ends(e, job))
        fprintf(stderr, "%s: error: out of memory\n", job->path);
    return below;
}

static int junit_finish(mc_emitter *e)
{
    fclose(e->junit);
    e->junit = NULL;
    fprintf(e->out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
            "<testsuites name=\"meaculpa\" tests=\"%d\" failures=\"%d\" "
            "errors=\"%d\">\n  <testsuite name=\"meaculpa\" tests=\"%d\" "
            "failures=\"%d\" errors=\"%d\">\n", e->tests, e->failures,
            e->errors, e->tests, e->failures, e->errors);
    if (e->junit_len)
        fwrite(e->junit_buf, 1, e->junit_len, e->out);
    fprintf(e->out, "  </testsuite>\n</testsuites>\n");
    return 0;
}

int mc_emitter_finish(mc_emitter *e)
{
    if (e->fmt == MC_FMT_JUNIT)
        return junit_finish(e);
    if (e->fmt == MC_FMT_SARIF)
        return sarif_finish(e);
    return 0;
}

void mc_emitter_free(mc_emitter *e)
{
    if (!e)
        return;
    if (e->junit)
        fclose(e->junit);
    free(e->junit_buf);
    json_decref(e->sarif);
    json_decref(e->sarif_rules);
    json_decref(e->results);
    json_decref(e->texts);
    json_decref(e->notes);
    json_decref(e->rule_index);
    mc_strv_free(&e->warned);
    free(e->fdiag);
    free(e);
}
