/* score.c - turns the hits of one text into the score of RUBRIC.md and
 * the findings that explain it.  score_core() and score_step2() are the
 * rubric's Step 1 and Step 2; the rest is bookkeeping.  Hands a result
 * to report.c and to library users. */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define RRP (MC_COMP_REMEDY | MC_COMP_PREVENTION | MC_COMP_COMPENSATION)
#define CONSTRUCTIVE (MC_COMP_OWNERSHIP | RRP)
/* Findings listed per rule and text: the score counts every hit, but a
 * 32 MiB text dense with hits would otherwise list millions of them (GBs
 * of report); the rest are summed up in one "limit.findings" finding. */
#define MC_MAX_FINDINGS_PER_RULE 100

/* What the unmasked hits say, before any level is decided. */
typedef struct {
    int min_cap;           /* lowest cap, 10 when none */
    int regret;
    unsigned components;
    int deductions[MC_DEDUCT_COUNT];
} tally;

static int popcount(unsigned x)
{
    int n = 0;
    for (; x; x &= x - 1)
        n++;
    return n;
}

static tally count_hits(const mc_hits *hits)
{
    tally t = {.min_cap = 10};
    for (size_t i = 0; i < hits->n; i++) {
        const mc_hit *h = &hits->v[i];
        const mc_rule *r = h->rule;
        if (h->masked)
            continue;
        if (r->effect == MC_EFFECT_CAP && h->value < t.min_cap)
            t.min_cap = h->value;
        else if (r->effect == MC_EFFECT_REGRET)
            t.regret = 1;
        else if (r->effect == MC_EFFECT_COMPONENT)
            t.components |= (unsigned)r->value;
        else if (r->effect == MC_EFFECT_DEDUCT)
            t.deductions[r->value] = 1;
    }
    return t;
}

/* Step 1: the lowest level that applies wins. */
static int score_core(const tally *t)
{
    int base = t->regret ? 9 : (t->components & CONSTRUCTIVE) ? 4 : 2;
    return t->min_cap < base ? t->min_cap : base;
}

/* Step 2: components lift 4 and 9; deductions pull 9 and 10 down to 7. */
static int score_step2(int level, const tally *t, int *applied)
{
    unsigned c = t->components;
    int score = level;
    if (level == 4 && (c & MC_COMP_OWNERSHIP) && (c & MC_COMP_REMEDY))
        score = 5;
    if (level == 9 && popcount(c) >= 3 && (c & RRP))
        score = 10;
    if (level != 9)
        return score;
    for (int k = 0; k < MC_DEDUCT_COUNT; k++) {
        applied[k] = t->deductions[k] && score > 7;
        score -= applied[k];
    }
    return score;
}

/* Did this hit move the score?  Used to mark outweighed findings. */
static int counted(const mc_hit *h, int level, const int *applied)
{
    const mc_rule *r = h->rule;
    switch (r->effect) {
    case MC_EFFECT_CAP:
        return h->value == level;
    case MC_EFFECT_REGRET:
        return level == 9;
    case MC_EFFECT_COMPONENT:
        return level == 9 || level == 4;
    case MC_EFFECT_DEDUCT:
        return applied[r->value];
    default:
        return 0;
    }
}

int mc_result_add(mc_result *res, const mc_finding *f)
{
    if (mc_grow((void **)&res->findings, &res->cap, res->nfindings + 1,
                sizeof *res->findings))
        return MC_ERR_NOMEM;
    res->findings[res->nfindings++] = *f;
    return MC_OK;
}

static char *copy_slice(const char *s, size_t n)
{
    char *p = malloc(n + 1);
    if (p) {
        memcpy(p, s, n);
        p[n] = 0;
    }
    return p;
}

/* One finding per rule and sentence, pointing at the original words. */
static int add_hit_finding(mc_result *res, const mc_text *t, const mc_hit *h,
                           int is_counted)
{
    const mc_rule *r = h->rule;
    /* normalize.c maps the byte after a hit to the end of its last word,
     * placeholders and entities included. */
    size_t a = t->orig[h->start], b = t->orig[h->end];
    while (b > a && strchr(" \t\r\n", t->src[b - 1]))
        b--;
    if (b < a)
        b = a;
    mc_finding f = {r->id, r->category, r->effect, h->value, is_counted,
                    0, 0, a, b - a, NULL, r->message,
                    r->suggestion ? r->suggestion : "", r->file, r->line};
    f.line = f.column = 1; /* positioned: set_positions() fills them in */
    char *m = copy_slice(t->src + a, b - a);
    if (!(f.match = m))
        return MC_ERR_NOMEM;
    /* match is a C string: a NUL byte of the original shows as a space
     * (offset and length still count the original bytes). */
    for (size_t i = 0; i < b - a; i++)
        if (m[i] == '\0')
            m[i] = ' ';
    return mc_result_add(res, &f);
}

/* The hits of one rule in one sentence are adjacent (match.c pushes them
 * in order), so only the run just before i is looked at: a text with
 * millions of hits stays linear. */
static int seen_before(const mc_hits *hits, size_t i)
{
    for (size_t j = i; j-- > 0;) {
        const mc_hit *h = &hits->v[j];
        if (h->rule != hits->v[i].rule || h->sentence != hits->v[i].sentence)
            return 0;
        if (!h->masked)
            return 1;
    }
    return 0;
}

static int add_missing(mc_result *res, const char *rule, const char *cat,
                       const char *msg, const char *sugg)
{
    mc_finding f = {rule, cat, MC_EFFECT_MISSING, 0, 1, 0, 0, 0, 0, NULL,
                    msg, sugg, "", 0};
    if (!(f.match = copy_slice("", 0)))
        return MC_ERR_NOMEM;
    return mc_result_add(res, &f);
}

/* The findings with no position that explain a missing point. */
static int explain_missing(mc_result *res, const tally *t)
{
    if (!t->regret && res->level >= 4)
        return add_missing(res, "missing.regret", "no-regret",
                           "The text expresses no regret for what happened.",
                           "Say plainly that you are sorry for what went wrong.");
    if (!t->regret && res->level == 2 && t->min_cap > 2)
        return add_missing(res, "missing.regret", "no-regret",
                           "No regret and nothing fixed: a bare status line or excuse.",
                           "Apologise for what happened and say what you are doing about it.");
    if (res->level != 9)
        return MC_OK;
    if (!(t->components & RRP))
        return add_missing(res, "missing.remediation", "missing",
                           "No remedy, prevention or compensation: this is what keeps it from 10.",
                           "Say what you did or will do to fix it, and what changes so it does not happen again.");
    if (res->score < 10 && popcount(t->components) < 3)
        return add_missing(res, "missing.components", "missing",
                           "Fewer than three of ownership, remedy, prevention, compensation, empathy, trust.",
                           "Add what is missing: own the mistake, say what changes, or offer a way to follow up.");
    return MC_OK;
}

static int cmp_finding(const void *a, const void *b)
{
    const mc_finding *x = a, *y = b;
    int xa = x->line == 0, ya = y->line == 0;
    if (xa != ya)
        return xa - ya;
    if (x->offset != y->offset)
        return x->offset < y->offset ? -1 : 1;
    return strcmp(x->rule, y->rule);
}

/* The finding that says how many were not listed (no position). */
static int add_unlisted(mc_result *res, size_t n)
{
    char msg[160];
    if (n == 0)
        return MC_OK;
    snprintf(msg, sizeof msg, "%zu more findings not listed (at most %d per "
             "rule and text); the score counts them all", n,
             MC_MAX_FINDINGS_PER_RULE);
    mc_finding f = {"limit.findings", "limit", MC_EFFECT_LIMIT, 0, 0, 0, 0,
                    0, 0, copy_slice("", 0), copy_slice(msg, strlen(msg)),
                    "Score a long text in parts to see every finding.", "",
                    0};
    if (!f.match || !f.message || mc_result_add(res, &f)) {
        free((char *)f.match);
        free((char *)f.message);
        return MC_ERR_NOMEM;
    }
    return MC_OK;
}

/* Line and column of every positioned finding, as mc_text_position
 * counts them, in one pass over the text: the findings are in offset
 * order by now.  (A scan from the start per finding was quadratic: a
 * 1 MiB text with 100,000 hits took minutes.) */
static void set_positions(const mc_text *t, mc_result *res)
{
    const unsigned char *s = (const unsigned char *)t->src;
    size_t at = 0;
    int line = 1, col = 1;
    if (t->src_len >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0)
        at = 3;
    for (size_t k = 0; k < res->nfindings; k++) {
        mc_finding *f = &res->findings[k];
        if (f->line == 0)
            continue;
        for (; at < f->offset && at < t->src_len; at++) {
            if (s[at] == '\n' || (s[at] == '\r' && !(at + 1 < t->src_len &&
                                                     s[at + 1] == '\n'))) {
                line++;
                col = 1;
            } else if (s[at] != '\r' && (s[at] & 0xC0) != 0x80) {
                col++;
            }
        }
        f->line = line;
        f->column = col;
    }
}

int mc_score_hits(const mc_text *t, const mc_hits *hits, mc_lang lang,
                  mc_result *res)
{
    tally ty = count_hits(hits);
    int applied[MC_DEDUCT_COUNT] = {0};
    res->lang = lang;
    res->level = score_core(&ty);
    res->score = score_step2(res->level, &ty, applied);
    res->components = ty.components;
    const mc_rule *cur = NULL; /* a rule's hits are adjacent */
    size_t listed = 0, unlisted = 0;
    for (size_t i = 0; i < hits->n; i++) {
        const mc_hit *h = &hits->v[i];
        if (h->masked || h->rule->effect == MC_EFFECT_MASK || seen_before(hits, i))
            continue;
        if (h->rule != cur)
            cur = h->rule, listed = 0;
        if (listed++ >= MC_MAX_FINDINGS_PER_RULE) {
            unlisted++;
            continue;
        }
        if (add_hit_finding(res, t, h, counted(h, res->level, applied)))
            return MC_ERR_NOMEM;
    }
    if (explain_missing(res, &ty) || add_unlisted(res, unlisted))
        return MC_ERR_NOMEM;
    if (res->nfindings > 1)
        qsort(res->findings, res->nfindings, sizeof *res->findings,
              cmp_finding);
    set_positions(t, res);
    return MC_OK;
}

/* ---- Suppressions (mc_score_ex) -------------------------------------- */

static int suppressed(const mc_text *t, const mc_hit *h,
                      const mc_suppression *sup, size_t nsup)
{
    size_t at = t->orig[h->start];
    for (size_t i = 0; i < nsup; i++)
        if (at >= sup[i].start && at < sup[i].end &&
            (!sup[i].rule || strcmp(sup[i].rule, h->rule->id) == 0))
            return 1;
    return 0;
}

/* Removes suppressed hits before masks are applied, so that a suppressed
 * mask or regret hit hides nothing and counts for nothing. */
static void drop_suppressed(const mc_text *t, mc_hits *hits,
                            const mc_suppression *sup, size_t nsup)
{
    size_t k = 0;
    for (size_t i = 0; i < hits->n; i++)
        if (!suppressed(t, &hits->v[i], sup, nsup))
            hits->v[k++] = hits->v[i];
    hits->n = k;
}

/* One finding per rule that hit a limit on this text; the message is
 * owned by the result (freed in mc_result_free). */
static int add_limits(const mc_scorer *s, mc_result *res)
{
    for (size_t i = 0; i < s->nlimits; i++) {
        const mc_rule *r = s->limits[i].rule;
        char msg[700];
        mc_limit_message(&s->limits[i], msg, sizeof msg);
        mc_finding f = {r->id, "limit", MC_EFFECT_LIMIT, 0, 0, 0, 0, 0, 0,
                        copy_slice("", 0), copy_slice(msg, strlen(msg)),
                        "Simplify this rule's pattern (nested or long "
                        "repeats backtrack without end).", r->file, r->line};
        if (!f.match || !f.message || mc_result_add(res, &f)) {
            free((char *)f.match);
            free((char *)f.message);
            return MC_ERR_NOMEM;
        }
    }
    return MC_OK;
}

int mc_score(mc_scorer *s, const char *text, size_t len, mc_lang lang,
             mc_result **out, mc_error *err)
{
    return mc_score_ex(s, text, len, lang, NULL, 0, out, err);
}

int mc_score_ex(mc_scorer *s, const char *text, size_t len, mc_lang lang,
                const mc_suppression *sup, size_t nsup, mc_result **out,
                mc_error *err)
{
    *out = NULL;
    if (!s || (!text && len))
        return MC_ERR_USAGE;
    int rc = mc_normalize(text ? text : "", len, &s->text, err);
    if (rc)
        return rc;
    if (lang == MC_LANG_AUTO)
        lang = mc_detect_lang(text, len);
    s->hits.n = 0;
    int mrc = mc_match_text(s, &s->text, lang, &s->hits, err);
    if (mrc == MC_ERR_NOMEM)
        return mrc;
    if (nsup)
        drop_suppressed(&s->text, &s->hits, sup, nsup);
    mc_apply_masks(&s->hits);
    mc_result *res = calloc(1, sizeof *res);
    if (!res || mc_score_hits(&s->text, &s->hits, lang, res)) {
        mc_result_free(res);
        return MC_ERR_NOMEM;
    }
    if (mrc == MC_ERR_LIMIT && add_limits(s, res)) {
        mc_result_free(res);
        return MC_ERR_NOMEM;
    }
    *out = res;
    return MC_OK;
}

void mc_result_free(mc_result *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->nfindings; i++) {
        free((char *)r->findings[i].match);
        if (r->findings[i].effect == MC_EFFECT_LIMIT)
            free((char *)r->findings[i].message);
    }
    free(r->findings);
    free(r->limit_msg);
    free(r->limit_file);
    free(r);
}

int mc_result_score(const mc_result *r) { return r->score; }
int mc_result_level(const mc_result *r) { return r->level; }
mc_lang mc_result_lang(const mc_result *r) { return r->lang; }
unsigned mc_result_components(const mc_result *r) { return r->components; }
size_t mc_result_finding_count(const mc_result *r) { return r->nfindings; }

const mc_finding *mc_result_finding(const mc_result *r, size_t i)
{
    return i < r->nfindings ? &r->findings[i] : NULL;
}
