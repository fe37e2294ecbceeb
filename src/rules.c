/* rules.c - loads rules files (rules/README.md) into an mc_rules: parses
 * "key = value" lines, checks every rule, inlines the file's definitions
 * and compiles each pattern with PCRE2.  Errors name the file, line and
 * column.  The set is immutable once scoring starts, so threads may share
 * it; what is compiled on first use (the built-in rules of a language,
 * JIT code, prefilters) is made under a lock and published atomically. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* JIT-compiling a pattern takes ~0.15 ms (measured on the bench/ corpus),
 * so a pattern is JIT-compiled once interpreting it has taken about that
 * long: what it costs, not how much text it saw, since one pattern that
 * scans a whole text from every word start costs a hundred times one that
 * rejects most texts at their first byte; the JIT budget below thus goes
 * to the patterns that are slow interpreted.  Its time is counted only
 * once it has been run over MC_JIT_AFTER bytes, so that one short draft
 * (an editor's save) makes no JIT code at all: compiling would cost it
 * more than it saves. */
#define MC_JIT_AFTER (8u * 1024)
#define MC_JIT_AFTER_NS 150000ull
/* JIT code of every pattern of a large rule set takes tens of MB; past
 * this much, further patterns stay interpreted, so that memory stays
 * under issue 6's bound however many patterns get hot (26 MB: 56 MB peak
 * for 100k macros at -j 2 with 2,625 patterns; 32 MB went to 64.4 MiB). */
#define MC_JIT_BUDGET ((size_t)26 << 20)

struct mc_lazy {
    pthread_mutex_t lock;
    atomic_int ready[MC_LANG_PL + 1];   /* by mc_lang: filter built */
    mc_prefilter *filter[MC_LANG_PL + 1];
    atomic_size_t jit_bytes;            /* JIT code made so far */
};

typedef struct {
    char *name, *body;
    int line, column;
    size_t name_len; /* looked up for every call in every pattern */
} mc_define;

typedef struct {
    const char *file;
    mc_rules *set;
    int lazy;            /* compile on first use (built-in rules only) */
    mc_lang lang;
    int have_lang;
    mc_define *defs;
    size_t ndefs;
    mc_rule **rules;     /* this file's rules, added to set at the end */
    size_t nrules;
    mc_rule *cur;
    mc_error *err;
} parser;

static const char *const component_names[MC_COMP_COUNT] = {
    "ownership", "remedy", "prevention", "compensation", "empathy", "trust"};
static const char *const deduct_names[MC_DEDUCT_COUNT] = {
    "minimising", "excuse", "partial-blame", "evasive-passive"};

/* Length of the valid UTF-8 sequence at s (n bytes left), 0 if invalid:
 * overlongs, surrogates and values above U+10FFFF are invalid. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
    unsigned char c = s[0];
    size_t k = c < 0x80 ? 1 : c < 0xC2 ? 0 : c < 0xE0 ? 2 : c < 0xF0 ? 3
             : c < 0xF5 ? 4 : 0;
    if (k == 0 || n < k)
        return 0;
    for (size_t j = 1; j < k; j++)
        if ((s[j] & 0xC0) != 0x80)
            return 0;
    if ((c == 0xE0 && s[1] < 0xA0) || (c == 0xED && s[1] > 0x9F) ||
        (c == 0xF0 && s[1] < 0x90) || (c == 0xF4 && s[1] > 0x8F))
        return 0;
    return k;
}

/* Offset of the first byte of s[0..n) that is not valid UTF-8, or n. */
static size_t utf8_invalid_at(const char *s, size_t n)
{
    size_t i = 0, k;
    while (i < n) {
        while (i < n && (unsigned char)s[i] < 0x80) /* most of a rules file */
            i++;
        if (i == n || !(k = utf8_len((const unsigned char *)s + i, n - i)))
            break;
        i += k;
    }
    return i;
}

/* A message cut at the end of its buffer may end inside a character:
 * drop the partial one, so that every message is valid UTF-8. */
void mc_utf8_trim(char *s)
{
    size_t n = strlen(s), i = n;
    while (i > 0 && n - i < 4 && ((unsigned char)s[i - 1] & 0xC0) == 0x80)
        i--;
    if (i > 0 && (unsigned char)s[i - 1] >= 0xC0 &&
        utf8_len((const unsigned char *)s + i - 1, n - i + 1) == 0)
        s[i - 1] = 0;
}

void mc_error_set(mc_error *err, const char *file, int line, int column,
                  const char *fmt, ...)
{
    va_list ap;
    if (!err)
        return;
    snprintf(err->file, sizeof err->file, "%s", file ? file : "");
    err->line = line;
    err->column = column;
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof err->message, fmt, ap);
    va_end(ap);
    mc_utf8_trim(err->message);
}

const char *mc_component_name(unsigned bit)
{
    for (int i = 0; i < MC_COMP_COUNT; i++)
        if (bit == 1u << i)
            return component_names[i];
    return NULL;
}

const char *mc_deduct_name(int kind)
{
    return kind >= 0 && kind < MC_DEDUCT_COUNT ? deduct_names[kind] : NULL;
}

static int lookup(const char *const *names, int n, const char *s)
{
    for (int i = 0; i < n; i++)
        if (strcmp(names[i], s) == 0)
            return i;
    return -1;
}

static char *dup_str(const char *s)
{
    size_t n = strlen(s) + 1;
    char *p = malloc(n);
    return p ? memcpy(p, s, n) : NULL;
}

int mc_grow(void **v, size_t *cap, size_t need, size_t size)
{
    if (need <= *cap)
        return 0;
    size_t ncap = *cap ? *cap * 2 : 8;
    while (ncap < need)
        ncap *= 2;
    void *p = realloc(*v, ncap * size);
    if (!p)
        return -1;
    *v = p;
    *cap = ncap;
    return 0;
}

/* ---- freeing ---------------------------------------------------------- */

static void hitset_free(mc_hitset *set)
{
    for (size_t i = 0; i < set->nids; i++)
        free(set->ids[i]);
    free(set->ids);
}

static void rule_free(mc_rule *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->npatterns; i++) {
        free(r->patterns[i].source);
        free(r->patterns[i].expanded);
        pcre2_code_free(atomic_load(&r->patterns[i].code));
        pcre2_code_free(atomic_load(&r->patterns[i].jit));
    }
    for (size_t i = 0; i < r->nexamples; i++)
        free(r->examples[i].text);
    hitset_free(&r->masks);
    hitset_free(&r->unless);
    hitset_free(&r->needs);
    free(r->patterns);
    free(r->examples);
    free(r->id);
    free(r->category);
    free(r->message);
    free(r->suggestion);
    free(r->file);
    free(r);
}

/* MEACULPA_NO_JIT=1 forces PCRE2's interpreter: `make valgrind` uses it
 * (memcheck cannot follow JIT code and reports false errors in it), and
 * it tests the fallback taken where JIT is unavailable. */
mc_rules *mc_rules_new(void)
{
    mc_rules *set = calloc(1, sizeof *set);
    uint32_t jit = 0;
    const char *no_jit = getenv("MEACULPA_NO_JIT");
    if (set && !(set->lazy = calloc(1, sizeof *set->lazy))) {
        free(set);
        return NULL;
    }
    if (set && pthread_mutex_init(&set->lazy->lock, NULL) != 0) {
        free(set->lazy);
        free(set);
        return NULL;
    }
    if (set)
        atomic_init(&set->lazy->jit_bytes, 0);
    if (set && pcre2_config(PCRE2_CONFIG_JIT, &jit) >= 0)
        set->jit = (int)jit && !(no_jit && strcmp(no_jit, "1") == 0);
    return set;
}

/* Forgets what was prepared: the rules changed (before scoring). */
static void unprepare(mc_rules *set)
{
    for (int l = 0; l <= MC_LANG_PL; l++) {
        atomic_store(&set->lazy->ready[l], 0);
        mc_prefilter_free(set->lazy->filter[l]);
        set->lazy->filter[l] = NULL;
    }
}

void mc_rules_free(mc_rules *set)
{
    if (!set)
        return;
    for (size_t i = 0; i < set->n; i++)
        rule_free(set->rules[i]);
    free(set->rules);
    unprepare(set);
    pthread_mutex_destroy(&set->lazy->lock);
    free(set->lazy);
    free(set);
}

size_t mc_rules_count(const mc_rules *set)
{
    size_t n = 0;
    for (size_t i = 0; set && i < set->n; i++)
        n += !set->rules[i]->disabled;
    return n;
}

static void parser_free(parser *p)
{
    for (size_t i = 0; i < p->ndefs; i++) {
        free(p->defs[i].name);
        free(p->defs[i].body);
    }
    free(p->defs);
    for (size_t i = 0; i < p->nrules; i++)
        rule_free(p->rules[i]);
    free(p->rules);
}

/* ---- values ----------------------------------------------------------- */

static int fail(parser *p, int line, int col, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int fail(parser *p, int line, int col, const char *fmt, ...)
{
    va_list ap;
    char msg[400];
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    mc_error_set(p->err, p->file, line, col, "%s", msg);
    return MC_ERR_RULES;
}

static int parse_effect(parser *p, mc_rule *r, const char *v, int line,
                        int col)
{
    char word[32] = "", arg[32] = "";
    int idx;
    if (sscanf(v, "%31s %31s", word, arg) < 1)
        return fail(p, line, col, "empty effect");
    if (strcmp(word, "cap") == 0) {
        int lvl = atoi(arg);
        if (strchr("12356", arg[0]) == NULL || arg[1] || !arg[0])
            return fail(p, line, col, "cap must be 1, 2, 3, 5 or 6, not \"%s\"",
                        arg);
        r->effect = MC_EFFECT_CAP;
        r->value = lvl;
    } else if (strcmp(word, "regret") == 0 && !arg[0]) {
        r->effect = MC_EFFECT_REGRET;
    } else if (strcmp(word, "mask") == 0 && !arg[0]) {
        r->effect = MC_EFFECT_MASK;
        r->masks.kinds = MC_MASKS_ALL;
    } else if (strcmp(word, "component") == 0) {
        if ((idx = lookup(component_names, MC_COMP_COUNT, arg)) < 0)
            return fail(p, line, col, "unknown component \"%s\"", arg);
        r->effect = MC_EFFECT_COMPONENT;
        r->value = 1 << idx;
    } else if (strcmp(word, "deduct") == 0) {
        if ((idx = lookup(deduct_names, MC_DEDUCT_COUNT, arg)) < 0)
            return fail(p, line, col, "unknown deduction \"%s\"", arg);
        r->effect = MC_EFFECT_DEDUCT;
        r->value = idx;
    } else {
        return fail(p, line, col, "unknown effect \"%s\"", v);
    }
    return MC_OK;
}

/* "with-regret = cap 5": the same words that deny or blame on their own
 * are a "sorry, but" defence after an apology (RUBRIC.md, level 5), so
 * one rule says both instead of a pair of rules and a mask. */
static int parse_with_regret(parser *p, mc_rule *r, const char *v, int line,
                             int col)
{
    char word[8] = "", arg[4] = "", extra = 0;
    if (sscanf(v, "%7s %3s %c", word, arg, &extra) != 2 ||
        strcmp(word, "cap") != 0 || !arg[0] || arg[1] ||
        !strchr("12356", arg[0]))
        return fail(p, line, col,
                    "with-regret takes \"cap N\" (1, 2, 3, 5 or 6), not \"%s\"",
                    v);
    r->regret_cap = arg[0] - '0';
    return MC_OK;
}

/* One name of a "masks", "unless" or "needs" list: an effect kind, a
 * kind of deduction or a rule id. */
static int add_hit_name(parser *p, mc_hitset *set, const char *name,
                        int line, int col)
{
    static const char *const kinds[] = {"cap", "regret", "component",
                                        "deduct"};
    int k = lookup(kinds, 4, name);
    if (k >= 0) {
        set->kinds |= 1u << k;
        return MC_OK;
    }
    if ((k = lookup(deduct_names, MC_DEDUCT_COUNT, name)) >= 0) {
        set->deducts |= 1u << k;
        return MC_OK;
    }
    char **ids = realloc(set->ids, (set->nids + 1) * sizeof *ids);
    if (!ids || !(ids[set->nids] = dup_str(name))) {
        if (ids)
            set->ids = ids;
        return fail(p, line, col, "out of memory");
    }
    set->ids = ids;
    set->nids++;
    return MC_OK;
}

/* "masks = ...", "unless = ..." and "needs = ...": effect kinds (cap,
 * regret, component, deduct), kinds of deduction (minimising, excuse,
 * partial-blame, evasive-passive) and rule ids, separated by spaces or
 * commas.  Split with
 * strspn/strcspn, not strtok, which keeps hidden state between calls. */
static int parse_hitset(parser *p, mc_hitset *set, char *v, int line, int col)
{
    static const char sep[] = " \t,";
    set->kinds = set->deducts = 0;
    for (char *tok = v + strspn(v, sep); *tok;) {
        size_t len = strcspn(tok, sep);
        char *next = tok + len + (tok[len] != 0);
        tok[len] = 0;
        int rc = add_hit_name(p, set, tok, line, col);
        if (rc != MC_OK)
            return rc;
        tok = next + strspn(next, sep);
    }
    return MC_OK;
}

static int add_pattern(parser *p, mc_rule *r, const char *v, int line,
                       int col)
{
    mc_pattern *np = realloc(r->patterns, (r->npatterns + 1) * sizeof *np);
    if (!np)
        return fail(p, line, 0, "out of memory");
    r->patterns = np;
    mc_pattern *pt = &np[r->npatterns];
    memset(pt, 0, sizeof *pt);
    atomic_init(&pt->code, NULL);
    atomic_init(&pt->jit, NULL);
    atomic_init(&pt->interp_ns, 0);
    atomic_init(&pt->seen, 0);
    pt->source = dup_str(v);
    pt->line = line;
    pt->column = col;
    if (!pt->source)
        return fail(p, line, 0, "out of memory");
    r->npatterns++;
    return MC_OK;
}

static int add_example(parser *p, mc_rule *r, const char *v, int line,
                       int must)
{
    mc_example *ne = realloc(r->examples, (r->nexamples + 1) * sizeof *ne);
    if (!ne)
        return fail(p, line, 0, "out of memory");
    r->examples = ne;
    ne[r->nexamples] = (mc_example){dup_str(v), line, must};
    if (!ne[r->nexamples].text)
        return fail(p, line, 0, "out of memory");
    r->nexamples++;
    return MC_OK;
}

static int set_string(parser *p, char **slot, const char *key, const char *v,
                      int line, int col)
{
    if (*slot)
        return fail(p, line, col, "duplicate key \"%s\"", key);
    if (!(*slot = dup_str(v)))
        return fail(p, line, col, "out of memory");
    return MC_OK;
}

/* One "key = value" inside a [rule] section. */
static int rule_key(parser *p, const char *key, char *v, int line, int col)
{
    mc_rule *r = p->cur;
    if (strcmp(key, "category") == 0)
        return set_string(p, &r->category, key, v, line, col);
    if (strcmp(key, "message") == 0)
        return set_string(p, &r->message, key, v, line, col);
    if (strcmp(key, "suggestion") == 0)
        return set_string(p, &r->suggestion, key, v, line, col);
    if (strcmp(key, "effect") == 0)
        return parse_effect(p, r, v, line, col);
    if (strcmp(key, "pattern") == 0)
        return add_pattern(p, r, v, line, col);
    if (strcmp(key, "match") == 0)
        return add_example(p, r, v, line, 1);
    if (strcmp(key, "nomatch") == 0)
        return add_example(p, r, v, line, 0);
    if (strcmp(key, "masks") == 0)
        return parse_hitset(p, &r->masks, v, line, col);
    if (strcmp(key, "unless") == 0)
        return parse_hitset(p, &r->unless, v, line, col);
    if (strcmp(key, "needs") == 0)
        return parse_hitset(p, &r->needs, v, line, col);
    if (strcmp(key, "requires") == 0) {
        if (strcmp(v, "regret") != 0 && strcmp(v, "regret-before") != 0)
            return fail(p, line, col, "requires takes \"regret\" or "
                        "\"regret-before\", not \"%s\"", v);
        r->requires_regret = strcmp(v, "regret") == 0 ? MC_REQUIRES_REGRET
                                                      : MC_REQUIRES_BEFORE;
        return MC_OK;
    }
    if (strcmp(key, "with-regret") == 0)
        return parse_with_regret(p, r, v, line, col);
    if (strcmp(key, "scope") == 0) {
        if (strcmp(v, "sentence") != 0 && strcmp(v, "text") != 0)
            return fail(p, line, col,
                        "scope is \"sentence\" or \"text\", not \"%s\"", v);
        r->scope_text = strcmp(v, "text") == 0;
        return MC_OK;
    }
    return fail(p, line, 1, "unknown key \"%s\"", key);
}

/* ---- definitions and compiling ------------------------------------- */

static const mc_define *find_define(const parser *p, const char *name,
                                    size_t len)
{
    for (size_t i = 0; i < p->ndefs; i++)
        if (p->defs[i].name_len == len &&
            memcmp(p->defs[i].name, name, len) == 0)
            return &p->defs[i];
    return NULL;
}

/* Marks in used[] every definition that text calls, directly or through
 * other definitions.  Returns the first unknown name's offset, or -1. */
static long mark_used(const parser *p, const char *text, char *used)
{
    for (const char *s = strstr(text, "(?&"); s; s = strstr(s + 3, "(?&")) {
        const char *name = s + 3;
        size_t len = strcspn(name, ")");
        const mc_define *d = find_define(p, name, len);
        if (!d)
            return (long)(s - text);
        size_t i = (size_t)(d - p->defs);
        if (!used[i]) {
            used[i] = 1;
            if (mark_used(p, d->body, used) >= 0)
                return -2;
        }
    }
    return -1;
}

/* The text PCRE2 compiles: "(?(DEFINE)(?<a>...)...)" + pattern. */
static char *expand(const parser *p, const char *pat, const char *used,
                    size_t *prefix_len, size_t want, size_t *want_at)
{
    size_t n = strlen(pat) + 16;
    for (size_t i = 0; i < p->ndefs; i++)
        if (used[i])
            n += strlen(p->defs[i].name) + strlen(p->defs[i].body) + 8;
    char *out = malloc(n);
    if (!out)
        return NULL;
    size_t k = 0;
    int any = memchr(used, 1, p->ndefs) != NULL;
    if (any)
        k += (size_t)sprintf(out + k, "(?(DEFINE)");
    for (size_t i = 0; i < p->ndefs; i++) {
        if (!used[i])
            continue;
        k += (size_t)sprintf(out + k, "(?<%s>", p->defs[i].name);
        if (i == want)
            *want_at = k;
        k += (size_t)sprintf(out + k, "%s)", p->defs[i].body);
    }
    if (any)
        k += (size_t)sprintf(out + k, ")");
    *prefix_len = k;
    strcpy(out + k, pat);
    return out;
}

/* Compiles src (a pattern with its definitions inlined); on error sets
 * *ec and *off.  No JIT here: see mc_pattern_code. */
static pcre2_code *compile_src(const char *src, int *ec, PCRE2_SIZE *off)
{
    return pcre2_compile(
        (PCRE2_SPTR)src, PCRE2_ZERO_TERMINATED,
        PCRE2_UTF | PCRE2_UCP | PCRE2_CASELESS | PCRE2_USE_OFFSET_LIMIT, ec,
        off, NULL); /* the offset limit lets match.c search in windows */
}

static int pcre_fail(parser *p, int line, int col, const char *what, int ec)
{
    PCRE2_UCHAR msg[256];
    pcre2_get_error_message(ec, msg, sizeof msg);
    return fail(p, line, col, "%s: %s", what, (char *)msg);
}

/* A definition is checked on its own, so that its errors point at it. */
static int check_define(parser *p, size_t i)
{
    const mc_define *d = &p->defs[i];
    char *used = calloc(p->ndefs + 1, 1);
    if (!used)
        return fail(p, d->line, 0, "out of memory");
    used[i] = 1;
    long bad = mark_used(p, d->body, used);
    size_t plen = 0, at = 0;
    char *src = bad == -1 ? expand(p, "", used, &plen, i, &at) : NULL;
    free(used);
    if (bad != -1)
        return fail(p, d->line, d->column + (int)(bad > 0 ? bad : 0),
                    "definition \"%s\" calls an unknown or recursive one",
                    d->name);
    if (!src)
        return fail(p, d->line, 0, "out of memory");
    int ec;
    PCRE2_SIZE off;
    pcre2_code *code = compile_src(src, &ec, &off);
    free(src);
    pcre2_code_free(code);
    if (code)
        return MC_OK;
    int col = off >= at ? d->column + (int)(off - at) : d->column;
    return pcre_fail(p, d->line, col, "in definition", ec);
}

static int compile_one(parser *p, mc_rule *r, mc_pattern *pt)
{
    char *used = calloc(p->ndefs + 1, 1);
    if (!used)
        return fail(p, pt->line, 0, "out of memory");
    long bad = mark_used(p, pt->source, used);
    size_t plen = 0, at = 0;
    char *src = bad == -1 ? expand(p, pt->source, used, &plen, SIZE_MAX, &at)
                          : NULL;
    free(used);
    if (bad != -1)
        return fail(p, pt->line, pt->column + (int)(bad > 0 ? bad : 0),
                    "rule %s: call of an unknown definition", r->id);
    if (!src)
        return fail(p, pt->line, 0, "out of memory");
    int ec;
    PCRE2_SIZE off;
    pt->expanded = src;
    pt->defs_len = plen;
    if (p->lazy)
        return MC_OK; /* compiled when first needed: mc_pattern_code */
    atomic_store(&pt->code, compile_src(src, &ec, &off));
    if (atomic_load(&pt->code))
        return MC_OK;
    int col = pt->column + (off > plen ? (int)(off - plen) : 0);
    char what[300];
    snprintf(what, sizeof what, "rule %s", r->id);
    return pcre_fail(p, pt->line, col, what, ec);
}

/* ---- lines ------------------------------------------------------------ */

static int finish_rule(parser *p)
{
    mc_rule *r = p->cur;
    const char *miss = NULL;
    if (!r)
        return MC_OK;
    p->cur = NULL;
    if (!r->category)
        miss = "category";
    else if (r->effect == MC_EFFECT_LIMIT)
        miss = "effect";
    else if (!r->npatterns)
        miss = "pattern";
    else if (!r->message)
        miss = "message";
    else if (!r->suggestion && (r->effect == MC_EFFECT_CAP ||
                                r->effect == MC_EFFECT_DEDUCT))
        miss = "suggestion";
    if (miss)
        return fail(p, r->line, 1, "rule %s: missing \"%s\"", r->id, miss);
    int has_match = 0, has_nomatch = 0;
    for (size_t i = 0; i < r->nexamples; i++)
        *(r->examples[i].must_match ? &has_match : &has_nomatch) = 1;
    if (!has_match || !has_nomatch)
        return fail(p, r->line, 1, "rule %s: needs at least one \"%s\" example",
                    r->id, has_match ? "nomatch" : "match");
    if (r->regret_cap && (r->effect != MC_EFFECT_CAP || r->requires_regret))
        return fail(p, r->line, 1, "rule %s: \"with-regret\" needs effect = "
                    "cap and no \"requires\"", r->id);
    if (!mc_hitset_empty(&r->masks) && r->effect != MC_EFFECT_MASK)
        return fail(p, r->line, 1, "rule %s: \"masks\" needs effect = mask",
                    r->id);
    if (r->effect == MC_EFFECT_MASK &&
        (!mc_hitset_empty(&r->unless) || !mc_hitset_empty(&r->needs)))
        return fail(p, r->line, 1, "rule %s: a mask takes \"masks\", not "
                    "\"%s\"", r->id,
                    mc_hitset_empty(&r->unless) ? "needs" : "unless");
    return MC_OK;
}

static int valid_id(const char *s)
{
    if (!*s)
        return 0;
    for (; *s; s++)
        if (!(islower((unsigned char)*s) || isdigit((unsigned char)*s) ||
              strchr(".-_", *s)))
            return 0;
    return 1;
}

static int start_rule(parser *p, char *line, int lineno)
{
    int rc = finish_rule(p);
    if (rc)
        return rc;
    char *end = strchr(line, ']');
    if (!end || end[1])
        return fail(p, lineno, 1, "a section header is \"[rule.id]\"");
    *end = 0;
    if (!valid_id(line + 1))
        return fail(p, lineno, 2,
                    "bad rule id \"%s\": use a-z, 0-9, '.', '-', '_'",
                    line + 1);
    if (!p->have_lang)
        return fail(p, lineno, 1, "\"lang\" must come before the first rule");
    for (size_t i = 0; i < p->nrules; i++)
        if (strcmp(p->rules[i]->id, line + 1) == 0)
            return fail(p, lineno, 2, "duplicate rule id \"%s\" (first at line %d)",
                        line + 1, p->rules[i]->line);
    mc_rule *r = calloc(1, sizeof *r);
    mc_rule **nr = realloc(p->rules, (p->nrules + 1) * sizeof *nr);
    if (!r || !nr) {
        free(r);
        if (nr)
            p->rules = nr;
        return fail(p, lineno, 0, "out of memory");
    }
    p->rules = nr;
    p->rules[p->nrules++] = r;
    r->id = dup_str(line + 1);
    r->file = dup_str(p->file);
    r->line = lineno;
    r->lang = p->lang;
    r->effect = MC_EFFECT_LIMIT; /* "unset" until an effect line */
    p->cur = r;
    return r->id && r->file ? MC_OK : fail(p, lineno, 0, "out of memory");
}

static int add_define(parser *p, const char *key, const char *v, int line,
                      int col)
{
    const char *name = key + 6;
    while (*name == ' ' || *name == '\t')
        name++;
    size_t len = strlen(name);
    if (!len || len > 32 || strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789_") != len ||
        isdigit((unsigned char)name[0]))
        return fail(p, line, 1, "bad definition name \"%s\"", name);
    if (find_define(p, name, len))
        return fail(p, line, 1, "\"%s\" is defined twice", name);
    mc_define *nd = realloc(p->defs, (p->ndefs + 1) * sizeof *nd);
    if (!nd)
        return fail(p, line, 0, "out of memory");
    p->defs = nd;
    nd[p->ndefs] = (mc_define){dup_str(name), dup_str(v), line, col,
                               strlen(name)};
    p->ndefs++;
    return MC_OK;
}

static int top_key(parser *p, const char *key, const char *v, int line,
                   int col)
{
    if (strcmp(key, "lang") == 0) {
        int l = strcmp(v, "*") == 0 ? MC_LANG_AUTO : mc_lang_parse(v);
        if (l < 0 || (l == MC_LANG_AUTO && strcmp(v, "*") != 0))
            return fail(p, line, col, "lang is en, ru, pl or *, not \"%s\"", v);
        if (p->have_lang)
            return fail(p, line, 1, "\"lang\" is set twice");
        p->lang = (mc_lang)l;
        p->have_lang = 1;
        return MC_OK;
    }
    return fail(p, line, 1, "unknown key \"%s\" outside a rule", key);
}

/* How much of s to quote in a message: at most max bytes, ending on a
 * character boundary. */
static int quote_len(const char *s, size_t max)
{
    size_t n = strlen(s);
    if (n <= max)
        return (int)n;
    while (max > 0 && ((unsigned char)s[max] & 0xC0) == 0x80)
        max--;
    return (int)max;
}

static void trim_right(char *s)
{
    size_t n = strlen(s);
    while (n && isspace((unsigned char)s[n - 1]))
        s[--n] = 0;
}

static int parse_line(parser *p, char *line, int lineno)
{
    char *s = line;
    while (*s == ' ' || *s == '\t')
        s++;
    trim_right(s);
    if (!*s || *s == '#')
        return MC_OK;
    if (*s == '[')
        return start_rule(p, s, lineno);
    char *eq = strchr(s, '=');
    if (!eq)
        return fail(p, lineno, (int)(s - line) + 1,
                    "expected \"key = value\", got \"%.*s\"",
                    quote_len(s, 40), s);
    char *v = eq + 1;
    while (*v == ' ' || *v == '\t')
        v++;
    int col = (int)(v - line) + 1;
    *eq = 0;
    trim_right(s);
    if (strncmp(s, "define", 6) == 0 && (s[6] == ' ' || s[6] == '\t'))
        return add_define(p, s, v, lineno, col);
    if (!*v)
        return fail(p, lineno, col, "empty value for \"%s\"", s);
    return p->cur ? rule_key(p, s, v, lineno, col) : top_key(p, s, v, lineno, col);
}

/* ---- files ------------------------------------------------------------ */

/* Built-in rules (p->lazy) were checked when they were built, so their
 * definitions are not compiled on their own. */
static int compile_file(parser *p)
{
    int rc;
    for (size_t i = 0; i < p->ndefs && !p->lazy; i++)
        if ((rc = check_define(p, i)))
            return rc;
    for (size_t i = 0; i < p->nrules; i++)
        for (size_t j = 0; j < p->rules[i]->npatterns; j++)
            if ((rc = compile_one(p, p->rules[i], &p->rules[i]->patterns[j])))
                return rc;
    return MC_OK;
}

/* Moves the file's rules into the set; a rule with the same language and
 * id as an earlier one replaces it in place, keeping the order stable. */
static int merge(parser *p)
{
    mc_rules *set = p->set;
    for (size_t i = 0; i < p->nrules; i++) {
        mc_rule *r = p->rules[i];
        size_t j = 0;
        while (j < set->n && !(set->rules[j]->lang == r->lang &&
                               strcmp(set->rules[j]->id, r->id) == 0))
            j++;
        if (j == set->n &&
            mc_grow((void **)&set->rules, &set->cap, set->n + 1, sizeof r))
            return fail(p, 0, 0, "out of memory");
        if (j < set->n)
            rule_free(set->rules[j]);
        else
            set->n++;
        set->rules[j] = r;
        r->slot = j;
        p->rules[i] = NULL;
    }
    p->nrules = 0;
    unprepare(set);
    return MC_OK;
}

/* The column (in characters) of byte off of a valid UTF-8 prefix. */
static int utf8_column(const char *s, size_t off)
{
    int col = 1;
    for (size_t i = 0; i < off; i++)
        col += ((unsigned char)s[i] & 0xC0) != 0x80;
    return col;
}

static int parse_lines(parser *p, const char *buf, size_t len)
{
    char *line = NULL;
    size_t cap = 0;
    int lineno = 0, rc = MC_OK;
    for (size_t pos = 0; pos < len && rc == MC_OK;) {
        const char *nl = memchr(buf + pos, '\n', len - pos);
        size_t n = nl ? (size_t)(nl - (buf + pos)) : len - pos;
        lineno++;
        if (memchr(buf + pos, 0, n)) {
            rc = fail(p, lineno, 1, "NUL byte in a rules file");
            break;
        }
        size_t bad = utf8_invalid_at(buf + pos, n);
        if (bad < n) {
            rc = fail(p, lineno, utf8_column(buf + pos, bad),
                      "invalid UTF-8 (byte 0x%02X); rules files are UTF-8",
                      (unsigned char)buf[pos + bad]);
            break;
        }
        if (mc_grow((void **)&line, &cap, n + 1, 1)) {
            rc = fail(p, lineno, 0, "out of memory");
            break;
        }
        memcpy(line, buf + pos, n);
        line[n] = 0;
        rc = parse_line(p, line, lineno);
        pos += n + 1;
    }
    free(line);
    if (rc == MC_OK)
        rc = finish_rule(p);
    if (rc == MC_OK && !p->have_lang)
        rc = fail(p, 1, 1, "missing \"lang = en|ru|pl|*\"");
    return rc;
}

static int add_buffer(mc_rules *set, const char *name, const char *buf,
                      size_t len, int lazy, mc_error *err)
{
    parser p = {.file = name, .set = set, .lazy = lazy, .err = err};
    if (!set || (!buf && len))
        return MC_ERR_USAGE;
    int rc = parse_lines(&p, buf, len);
    if (rc == MC_OK)
        rc = compile_file(&p);
    if (rc == MC_OK)
        rc = merge(&p);
    parser_free(&p);
    return rc;
}

/* A rules file from a user is compiled now, so that its errors come now. */
int mc_rules_add_buffer(mc_rules *set, const char *name, const char *buf,
                        size_t len, mc_error *err)
{
    if (set)
        set->builtin_only = 0;
    return add_buffer(set, name, buf, len, 0, err);
}

static int read_file(const char *path, char **buf, size_t *len, mc_error *err)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        mc_error_set(err, path, 0, 0, "cannot open: %s", strerror(errno));
        return MC_ERR_IO;
    }
    size_t cap = 0, n = 0, got;
    char *b = NULL;
    do {
        if (mc_grow((void **)&b, &cap, n + 65536, 1)) {
            free(b);
            fclose(f);
            mc_error_set(err, path, 0, 0, "out of memory");
            return MC_ERR_NOMEM;
        }
        got = fread(b + n, 1, cap - n, f);
        n += got;
    } while (got > 0);
    int bad = ferror(f);
    fclose(f);
    if (bad) {
        free(b);
        mc_error_set(err, path, 0, 0, "read error");
        return MC_ERR_IO;
    }
    *buf = b;
    *len = n;
    return MC_OK;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The *.rules names of dir, sorted so that load order is stable. */
static int list_dir(const char *dir, char ***names, size_t *n, mc_error *err)
{
    DIR *d = opendir(dir);
    *names = NULL;
    *n = 0;
    if (!d) {
        mc_error_set(err, dir, 0, 0, "cannot open rules directory: %s",
                     strerror(errno));
        return MC_ERR_IO;
    }
    size_t cap = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        size_t l = strlen(e->d_name);
        if (l < 7 || strcmp(e->d_name + l - 6, ".rules") != 0 ||
            e->d_name[0] == '.')
            continue;
        if (mc_grow((void **)names, &cap, *n + 1, sizeof **names) ||
            !((*names)[*n] = dup_str(e->d_name))) {
            closedir(d);
            mc_error_set(err, dir, 0, 0, "out of memory");
            return MC_ERR_NOMEM;
        }
        (*n)++;
    }
    closedir(d);
    if (*n)
        qsort(*names, *n, sizeof **names, cmp_str);
    return MC_OK;
}

int mc_rules_add_dir(mc_rules *set, const char *dir, mc_error *err)
{
    char **names = NULL;
    size_t n = 0;
    int rc = list_dir(dir, &names, &n, err);
    for (size_t i = 0; rc == MC_OK && i < n; i++) {
        char path[4096];
        char *buf = NULL;
        size_t len = 0;
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        rc = read_file(path, &buf, &len, err);
        if (rc == MC_OK)
            rc = mc_rules_add_buffer(set, path, buf, len, err);
        free(buf);
    }
    if (rc == MC_OK && n == 0) {
        mc_error_set(err, dir, 0, 0, "no *.rules files in this directory");
        rc = MC_ERR_RULES;
    }
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
    return rc;
}

int mc_rules_disable(mc_rules *set, const char *id, mc_error *err)
{
    int found = 0;
    for (size_t i = 0; set && i < set->n; i++)
        if (strcmp(set->rules[i]->id, id) == 0)
            set->rules[i]->disabled = found = 1;
    if (!found) {
        mc_error_set(err, "", 0, 0, "no rule with id \"%s\"", id);
        return MC_ERR_USAGE;
    }
    return MC_OK;
}

void mc_rules_each_pattern(const mc_rules *set, mc_pattern_fn fn, void *ctx)
{
    for (size_t i = 0; set && i < set->n; i++) {
        const mc_rule *r = set->rules[i];
        for (size_t j = 0; !r->disabled && j < r->npatterns; j++)
            fn(ctx, r->id, r->patterns[j].expanded);
    }
}

/* Generated at build time from the rules directory by src/tools/embed.c. */
typedef struct {
    const char *name;
    const unsigned char *data;
    size_t len;
} mc_embedded;
extern const mc_embedded mc_default_rules[];
extern const size_t mc_default_rules_count;

int mc_rules_add_default(mc_rules *set, mc_error *err)
{
    int alone = set && set->n == 0;
    for (size_t i = 0; i < mc_default_rules_count; i++) {
        const mc_embedded *e = &mc_default_rules[i];
        int rc = add_buffer(set, e->name, (const char *)e->data, e->len, 1,
                            err);
        if (rc)
            return rc;
    }
    if (set)
        set->builtin_only = alone;
    return MC_OK;
}

/* ---- compiling on first use ----------------------------------------- */

int mc_rules_prepare(const mc_rules *set, mc_lang lang,
                     const mc_prefilter **filter, mc_error *err)
{
    mc_lazy *z = set->lazy;
    int rc = MC_OK;
    (void)err;
    if ((unsigned)lang > MC_LANG_PL)
        return MC_ERR_USAGE;
    if (!atomic_load_explicit(&z->ready[lang], memory_order_acquire)) {
        pthread_mutex_lock(&z->lock);
        if (!atomic_load_explicit(&z->ready[lang], memory_order_relaxed)) {
            if (set->builtin_only)
                z->filter[lang] =
                    mc_prefilter_load(&mc_builtin_prefilter[lang], set);
            if (!z->filter[lang])
                z->filter[lang] = mc_prefilter_build(set, lang);
            if (!z->filter[lang])
                rc = MC_ERR_NOMEM;
            else
                atomic_store_explicit(&z->ready[lang], 1,
                                      memory_order_release);
        }
        pthread_mutex_unlock(&z->lock);
    }
    *filter = rc == MC_OK ? z->filter[lang] : NULL;
    return rc;
}

/* A built-in pattern, the first time a text may match it: only those a
 * text needs are compiled (a short draft needs few).  They were checked
 * when the library was built (make test runs --check-rules). */
static pcre2_code *compile_now(const mc_rules *set, mc_pattern *p)
{
    pthread_mutex_lock(&set->lazy->lock);
    pcre2_code *code = atomic_load_explicit(&p->code, memory_order_relaxed);
    if (!code && !p->compile_failed) {
        int ec;
        PCRE2_SIZE off;
        code = compile_src(p->expanded, &ec, &off);
        p->compile_failed = code == NULL;
        atomic_store_explicit(&p->code, code, memory_order_release);
    }
    pthread_mutex_unlock(&set->lazy->lock);
    return code;
}

/* A private copy is JIT-compiled, then published: threads matching with
 * the interpreted code meanwhile are never disturbed. */
static const pcre2_code *jit_now(mc_lazy *lazy, mc_pattern *p,
                                 pcre2_code *code)
{
    if (atomic_load_explicit(&lazy->jit_bytes, memory_order_relaxed) >=
        MC_JIT_BUDGET)
        return code; /* over budget: it stays interpreted */
    pcre2_code *copy = pcre2_code_copy(code);
    size_t size = 0;
    if (!copy || pcre2_jit_compile(copy, PCRE2_JIT_COMPLETE) != 0) {
        pcre2_code_free(copy);
        return code; /* no JIT for this one: it stays interpreted */
    }
    pcre2_pattern_info(copy, PCRE2_INFO_JITSIZE, &size);
    atomic_fetch_add_explicit(&lazy->jit_bytes, size, memory_order_relaxed);
    atomic_store_explicit(&p->jit, copy, memory_order_release);
    return copy;
}

const pcre2_code *mc_pattern_code(const mc_rules *set, mc_pattern *p,
                                  size_t len, int *charge)
{
    *charge = 0;
    pcre2_code *jit = atomic_load_explicit(&p->jit, memory_order_acquire);
    if (jit)
        return jit;
    pcre2_code *code = atomic_load_explicit(&p->code, memory_order_acquire);
    if (!code && !(code = compile_now(set, p)))
        return NULL;
    /* Once the budget is spent, or a pattern is past the mark, no shared
     * counter is written again: these are the hot calls. */
    if (!set->jit || atomic_load_explicit(&set->lazy->jit_bytes,
                                          memory_order_relaxed) >=
                         MC_JIT_BUDGET)
        return code;
    if (atomic_load_explicit(&p->seen, memory_order_relaxed) < MC_JIT_AFTER)
        atomic_fetch_add_explicit(&p->seen, len, memory_order_relaxed);
    else
        *charge = 1;
    return code;
}

void mc_pattern_charge(const mc_rules *set, mc_pattern *p,
                       unsigned long long ns)
{
    /* Exactly one caller moves the count across the mark, and compiles. */
    unsigned long long before =
        atomic_fetch_add_explicit(&p->interp_ns, ns, memory_order_relaxed);
    if (before < MC_JIT_AFTER_NS && before + ns >= MC_JIT_AFTER_NS) {
        pcre2_code *code =
            atomic_load_explicit(&p->code, memory_order_acquire);
        jit_now(set->lazy, p, code);
    }
}
