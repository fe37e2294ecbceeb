/* match.c - runs the compiled rules over one normalized text, sentence by
 * sentence, and hands on the hits (byte spans of the normalized text).
 * Owns the per-scorer PCRE2 scratch (match data, limits, JIT stack) and
 * the rules self-test.  Every match is bounded by a match limit; a limit
 * error is reported, never read as "no match". */
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "internal.h"

/* Per call, and (PCRE2 restarts the count at every start position) per
 * start position: a runaway pattern stops in well under a millisecond, and
 * every default rule stays far below it.  Under JIT only the match limit
 * and the JIT stack apply; depth and heap bound the interpreter. */
#define MC_MATCH_LIMIT 100000u
/* An anchored pattern (a text-scope "^(?!...regret...)..." test) has one
 * start position for the whole subject, so it gets the limit once per
 * this many bytes of it: a long e-mail is not a runaway pattern. */
#define MC_ANCHORED_SPAN 256u
#define MC_DEPTH_LIMIT 10000u
#define MC_HEAP_LIMIT 20000u /* KiB */
#define MC_JIT_STACK_MAX (1024 * 1024)
/* A pattern that stays just under the limit at every start position can
 * still take seconds on a long subject, so each rule also has a budget of
 * CPU time per text (the thread's: load and -j do not eat into it),
 * checked between calls; a call tries at most MC_WINDOW start positions
 * (PCRE2's offset limit).  Ordinary rules use well under 0.1 ms per KiB,
 * so even valgrind's 50-fold slowdown stays inside; a runaway pattern
 * needs about 200 ms per KiB and is stopped. */
#define MC_RULE_MS 1000ul
#define MC_RULE_MS_PER_MIB 4096ul
#define MC_WINDOW 512u
#define MC_CLOCK_EVERY 8u
/* At most this many hits of one rule per sentence (or per text). */
#define MC_MAX_HITS 32

mc_scorer *mc_scorer_new(const mc_rules *rules, mc_error *err)
{
    mc_scorer *s = calloc(1, sizeof *s);
    if (!s || !rules) {
        free(s);
        mc_error_set(err, "", 0, 0, rules ? "out of memory" : "no rules");
        return NULL;
    }
    s->rules = rules;
    s->md = pcre2_match_data_create(1, NULL);
    s->mctx = pcre2_match_context_create(NULL);
    if (rules->jit)
        s->jit_stack = pcre2_jit_stack_create(32 * 1024, MC_JIT_STACK_MAX,
                                              NULL);
    if (!s->md || !s->mctx || (rules->jit && !s->jit_stack)) {
        mc_scorer_free(s);
        mc_error_set(err, "", 0, 0, "out of memory");
        return NULL;
    }
    s->match_limit = MC_MATCH_LIMIT;
    pcre2_set_depth_limit(s->mctx, MC_DEPTH_LIMIT);
    pcre2_set_heap_limit(s->mctx, MC_HEAP_LIMIT);
    s->rule_ms = MC_RULE_MS;
    s->rule_ms_per_mib = MC_RULE_MS_PER_MIB;
    if (s->jit_stack)
        pcre2_jit_stack_assign(s->mctx, NULL, s->jit_stack);
    return s;
}

int mc_scorer_set_limits(mc_scorer *s, unsigned long match_limit,
                         unsigned long rule_ms)
{
    if (!s || match_limit > UINT32_MAX)
        return MC_ERR_USAGE;
    s->match_limit = match_limit ? (uint32_t)match_limit : MC_MATCH_LIMIT;
    s->rule_ms = rule_ms == 0 ? MC_RULE_MS : rule_ms == ULONG_MAX ? 0 : rule_ms;
    s->rule_ms_per_mib = rule_ms == 0 ? MC_RULE_MS_PER_MIB : 0;
    return MC_OK;
}

void mc_scorer_free(mc_scorer *s)
{
    if (!s)
        return;
    pcre2_match_data_free(s->md);
    pcre2_match_context_free(s->mctx);
    pcre2_jit_stack_free(s->jit_stack);
    mc_text_free(&s->text);
    mc_filter_scratch_free(s->filter);
    free(s->hits.v);
    free(s->limits);
    free(s);
}

static int rule_applies(const mc_rule *r, mc_lang lang)
{
    return !r->disabled && (r->lang == MC_LANG_AUTO || r->lang == lang);
}

/* ---- the time budget --------------------------------------------------- */

/* Nanoseconds on clock id, or 0 when it cannot be read. */
static unsigned long long clock_ns(clockid_t id)
{
    struct timespec ts;
    if (clock_gettime(id, &ts) != 0)
        return 0;
    return (unsigned long long)ts.tv_sec * 1000000000ull +
           (unsigned long long)ts.tv_nsec;
}

static unsigned long long now_ns(void)
{
    unsigned long long t = clock_ns(CLOCK_THREAD_CPUTIME_ID);
    return t ? t : clock_ns(CLOCK_MONOTONIC);
}

/* Starts the budget of one rule on a text of len bytes.  The clock is
 * not read yet: see budget_over. */
static void budget_start(mc_scorer *s, size_t len)
{
    unsigned long long ms = s->rule_ms +
                            (unsigned long long)s->rule_ms_per_mib *
                                (len >> 10) / 1024;
    s->budget_ns = s->rule_ms ? ms * 1000000ull : 0;
    s->deadline_ns = 0;
    s->budget_calls = 0;
}

/* The thread's CPU clock is a system call (no vDSO), and most rules make
 * a handful of match calls per text, so the clock is read only every
 * MC_CLOCK_EVERY calls, the first reading starting the budget.  The calls
 * before it are bounded by the match limit and the window, as any call. */
static int budget_over(mc_scorer *s)
{
    if (!s->budget_ns || ++s->budget_calls % MC_CLOCK_EVERY != 0)
        return 0;
    unsigned long long t = now_ns();
    if (!s->deadline_ns) {
        s->deadline_ns = t + s->budget_ns;
        return 0;
    }
    return t > s->deadline_ns;
}

/* ---- matching ----------------------------------------------------------- */

static int anchored(const pcre2_code *code)
{
    uint32_t opts = 0;
    pcre2_pattern_info(code, PCRE2_INFO_ALLOPTIONS, &opts);
    return (opts & PCRE2_ANCHORED) != 0;
}

/* The match limit for one call over n bytes (see MC_ANCHORED_SPAN). */
static uint32_t match_limit(const mc_scorer *s, const pcre2_code *code,
                            size_t n)
{
    if (!anchored(code))
        return s->match_limit;
    uint64_t l = (uint64_t)s->match_limit * (1 + n / MC_ANCHORED_SPAN);
    return l > UINT32_MAX ? UINT32_MAX : (uint32_t)l;
}

static int windowed(const pcre2_code *code)
{
    uint32_t opts = 0;
    pcre2_pattern_info(code, PCRE2_INFO_ARGOPTIONS, &opts);
    return (opts & PCRE2_USE_OFFSET_LIMIT) != 0;
}

/* The next character boundary at or after i (the text is valid UTF-8). */
static size_t boundary(const char *subj, size_t len, size_t i)
{
    while (i < len && ((unsigned char)subj[i] & 0xC0) == 0x80)
        i++;
    return i;
}

/* The earliest match of pattern k of r that starts in [from, lim] (lim
 * only bounds patterns compiled for it).  Returns 1 and sets [*start,
 * *end), 0 on none, or a negative PCRE2 error (a limit). */
static int match_window(mc_scorer *s, const mc_rule *r, size_t k,
                        const char *subj, size_t len, size_t from, size_t lim,
                        size_t *start, size_t *end)
{
    /* rules.c: compiled on first use, JIT once it pays for itself */
    int charge;
    mc_pattern *p = &r->patterns[k];
    const pcre2_code *code = mc_pattern_code(s->rules, p, len - from,
                                             &charge);
    if (!code)
        return MC_LIMIT_COMPILE;
    pcre2_set_match_limit(s->mctx, match_limit(s, code, len - from));
    pcre2_set_offset_limit(s->mctx, lim < len && windowed(code)
                                        ? (PCRE2_SIZE)lim : PCRE2_UNSET);
    /* The monotonic clock is read in user space (vDSO; ~40 ns here),
     * cheap enough to time the interpreted calls of a pattern that may
     * get JIT code: their cost decides which patterns get it. */
    unsigned long long t0 = charge ? clock_ns(CLOCK_MONOTONIC) : 0;
    int rc = pcre2_match(code, (PCRE2_SPTR)subj, len, from,
                         PCRE2_NO_UTF_CHECK, s->md, s->mctx);
    if (charge)
        mc_pattern_charge(s->rules, p, clock_ns(CLOCK_MONOTONIC) - t0);
    if (rc == PCRE2_ERROR_NOMATCH)
        return 0;
    if (rc < 0)
        return rc;
    PCRE2_SIZE *ov = pcre2_get_ovector_pointer(s->md);
    *start = ov[0];
    *end = ov[1];
    return 1;
}

/* The earliest match of pattern k of r in subj at or after *start.
 * Returns 1 and sets [*start, *end) on a match, 0 on none, or a negative
 * PCRE2 error or MC_LIMIT_BUDGET.  Long subjects are searched a window of
 * start positions at a time, with the budget checked in between. */
static int mc_match_sentence(mc_scorer *s, const mc_rule *r, size_t k,
                             const char *subj, size_t len, size_t *start,
                             size_t *end)
{
    size_t from = *start;
    while (from <= len) {
        size_t lim = len - from > MC_WINDOW ? from + MC_WINDOW : len;
        if (budget_over(s))
            return MC_LIMIT_BUDGET;
        int rc = match_window(s, r, k, subj, len, from, lim, start, end);
        if (rc != 0 || lim >= len)
            return rc;
        from = boundary(subj, len, lim + 1);
    }
    return 0;
}

static int push_hit(mc_hits *h, const mc_rule *r, size_t start, size_t end,
                    size_t sentence)
{
    if (mc_grow((void **)&h->v, &h->cap, h->n + 1, sizeof *h->v))
        return MC_ERR_NOMEM;
    h->v[h->n++] = (mc_hit){.rule = r, .start = start, .end = end,
                             .sentence = sentence, .value = r->value};
    return MC_OK;
}

/* Size of the UTF-8 character starting at s. */
static size_t char_len(unsigned char c)
{
    return c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
}

/* All hits of r in one span of the text: every match of each of its
 * patterns, so that a match of one pattern that a mask hides cannot hide
 * another pattern's match of overlapping words.  Returns 0, MC_ERR_NOMEM,
 * or (below MC_ERR_NOMEM) a PCRE2 error or MC_LIMIT_BUDGET. */
static int match_span(mc_scorer *s, const mc_rule *r, const mc_text *t,
                      mc_span sp, size_t sentence, mc_hits *hits)
{
    const char *subj = t->buf + sp.start;
    size_t len = sp.end - sp.start;
    int n = 0;
    for (size_t k = 0; k < r->npatterns && n < MC_MAX_HITS; k++) {
        if (!mc_prefilter_pattern(s, r, k)) /* its literals are not here */
            continue;
        for (size_t pos = 0; n < MC_MAX_HITS && pos <= len; n++) {
            size_t st = pos, en = pos;
            int rc = mc_match_sentence(s, r, k, subj, len, &st, &en);
            if (rc <= 0) {
                if (rc == 0)
                    break;
                return rc == PCRE2_ERROR_NOMEMORY ? MC_ERR_NOMEM : rc;
            }
            if (push_hit(hits, r, sp.start + st, sp.start + en, sentence))
                return MC_ERR_NOMEM;
            pos = en > st ? en
                          : st + (st < len ? char_len((unsigned char)subj[st]) : 1);
        }
    }
    return 0;
}

/* All hits of r in t (whole text or sentence by sentence), within r's
 * budget for t.  Same returns as match_span. */
static int match_rule(mc_scorer *s, const mc_rule *r, const mc_text *t,
                      mc_hits *hits)
{
    int rc = 0;
    budget_start(s, t->len);
    if (r->scope_text)
        return match_span(s, r, t, (mc_span){0, t->len}, SIZE_MAX, hits);
    for (size_t k = 0; k < t->nsentences && rc == 0; k++)
        if (mc_prefilter_pass(s, r, k)) /* one of r's literals is in k */
            rc = match_span(s, r, t, t->sentences[k], k, hits);
    return rc;
}

void mc_limit_message(const mc_limit_hit *l, char *buf, size_t size)
{
    PCRE2_UCHAR msg[160];
    if (l->code == MC_LIMIT_BUDGET)
        snprintf((char *)msg, sizeof msg, "ran out of its time budget");
    else if (l->code == MC_LIMIT_COMPILE)
        snprintf((char *)msg, sizeof msg, "its pattern does not compile");
    else if (pcre2_get_error_message(l->code, msg, sizeof msg) < 0)
        snprintf((char *)msg, sizeof msg, "PCRE2 error %d", l->code);
    snprintf(buf, size, "rule %s (%s:%d): %s; the text is scored without "
             "this rule", l->rule->id, l->rule->file, l->rule->line,
             (char *)msg);
    mc_utf8_trim(buf);
}

static int record_limit(mc_scorer *s, const mc_rule *r, int code)
{
    if (mc_grow((void **)&s->limits, &s->limits_cap, s->nlimits + 1,
                sizeof *s->limits))
        return MC_ERR_NOMEM;
    s->limits[s->nlimits++] = (mc_limit_hit){r, code};
    return MC_OK;
}

/* A requires=regret rule counts only beside a regret hit (mc_apply_masks),
 * so on a text with no regret hit at all it need not run; the costliest
 * rules (a defence with no "but") are of this kind.  A mask runs always:
 * it hides hits whatever the regret. */
static int needs_regret(const mc_rule *r)
{
    return r->requires_regret && r->effect != MC_EFFECT_MASK;
}

/* Runs r over t unless its literals are absent.  A rule that hits a limit
 * keeps the hits it had and is left out for the rest of the text; every
 * such rule is recorded in s->limits, the first one in err too. */
static int run_rule(mc_scorer *s, const mc_rule *r, const mc_text *t,
                    mc_hits *hits, mc_error *err)
{
    if (!mc_prefilter_pass(s, r, SIZE_MAX))
        return MC_OK;
    int rc = match_rule(s, r, t, hits);
    if (rc == MC_ERR_NOMEM || (rc < 0 && record_limit(s, r, rc)))
        return MC_ERR_NOMEM;
    if (rc < 0 && s->nlimits == 1) {
        char msg[sizeof err->message];
        mc_limit_message(&s->limits[0], msg, sizeof msg);
        mc_error_set(err, r->file, r->line, 0, "%s", msg);
    }
    return MC_OK;
}

static int has_regret(const mc_hits *hits)
{
    for (size_t i = 0; i < hits->n; i++)
        if (hits->v[i].rule->effect == MC_EFFECT_REGRET)
            return 1;
    return 0;
}

int mc_match_text(mc_scorer *s, const mc_text *t, mc_lang lang,
                  mc_hits *hits, mc_error *err)
{
    s->nlimits = 0;
    /* prefilter.c: compiles lang on first use, finds the rules' literals */
    int prc = mc_prepare_text(s, t, lang, err);
    if (prc != MC_OK)
        return prc;
    for (int pass = 0; pass < 2; pass++) {
        if (pass == 1 && !has_regret(hits))
            break;
        for (size_t i = 0; i < s->rules->n; i++) {
            const mc_rule *r = s->rules->rules[i];
            if (rule_applies(r, lang) && needs_regret(r) == pass &&
                run_rule(s, r, t, hits, err) == MC_ERR_NOMEM)
                return MC_ERR_NOMEM;
        }
    }
    return s->nlimits ? MC_ERR_LIMIT : MC_OK;
}

/* Whether set names r, by its effect kind or by its id. */
static int hitset_has(const mc_hitset *set, const mc_rule *r)
{
    static const unsigned kind_bit[] = {
        [MC_EFFECT_CAP] = MC_MASKS_CAP, [MC_EFFECT_REGRET] = MC_MASKS_REGRET,
        [MC_EFFECT_COMPONENT] = MC_MASKS_COMPONENT,
        [MC_EFFECT_DEDUCT] = MC_MASKS_DEDUCT};
    if (r->effect == MC_EFFECT_MASK)
        return 0;
    if (r->effect <= MC_EFFECT_DEDUCT && (set->kinds & kind_bit[r->effect]))
        return 1;
    if (r->effect == MC_EFFECT_DEDUCT && (set->deducts & (1u << r->value)))
        return 1;
    for (size_t i = 0; i < set->nids; i++)
        if (strcmp(set->ids[i], r->id) == 0)
            return 1;
    return 0;
}

static int mask_hides(const mc_rule *mask, const mc_rule *r)
{
    return hitset_has(&mask->masks, r);
}

typedef struct {
    size_t start, end, pmax; /* pmax: largest end of this and earlier */
    const mc_rule *rule;
} mask_span;

static int cmp_mask(const void *a, const void *b)
{
    const mask_span *x = a, *y = b;
    return x->start < y->start ? -1 : x->start > y->start;
}

/* Whether a mask in m[0..k) (sorted by start, each starting before x
 * ends) overlaps x and hides its rule. */
static int masked_by(const mask_span *m, size_t k, const mc_hit *x)
{
    while (k-- > 0) {
        if (m[k].pmax <= x->start)
            return 0; /* no earlier mask reaches x */
        if (m[k].end > x->start && mask_hides(m[k].rule, x->rule))
            return 1;
    }
    return 0;
}

/* The masks sorted by start, so that each hit looks only at the masks
 * that can overlap it: linear in practice, where every-mask-against-
 * every-hit was quadratic on a long text.  NULL when out of memory. */
static mask_span *sorted_masks(const mc_hits *h, size_t *n)
{
    size_t k = 0;
    for (size_t i = 0; i < h->n; i++)
        k += h->v[i].rule->effect == MC_EFFECT_MASK;
    mask_span *m = malloc((k ? k : 1) * sizeof *m);
    if (!m)
        return NULL;
    k = 0;
    for (size_t i = 0; i < h->n; i++)
        if (h->v[i].rule->effect == MC_EFFECT_MASK)
            m[k++] = (mask_span){h->v[i].start, h->v[i].end, 0, h->v[i].rule};
    qsort(m, k, sizeof *m, cmp_mask);
    for (size_t i = 0; i < k; i++)
        m[i].pmax = i && m[i - 1].pmax > m[i].end ? m[i - 1].pmax : m[i].end;
    *n = k;
    return m;
}

/* How many masks start before end. */
static size_t masks_before(const mask_span *m, size_t n, size_t end)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (m[mid].start < end)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* Every mask against every hit: the fallback when out of memory. */
static void mask_all_pairs(mc_hits *h)
{
    for (size_t i = 0; i < h->n; i++) {
        const mc_hit *m = &h->v[i];
        if (m->rule->effect != MC_EFFECT_MASK)
            continue;
        for (size_t j = 0; j < h->n; j++) {
            mc_hit *x = &h->v[j];
            if (x->start < m->end && m->start < x->end &&
                mask_hides(m->rule, x->rule))
                x->masked = 1;
        }
    }
}

/* After the masks: the hits of a requires = regret rule count only beside
 * an unconditional regret hit, and a with-regret rule's cap applies after
 * an apology for what happened, before its words: "apologises, then ...
 * justifies" is level 5; regret for a feeling (level 3) is none, and
 * "sorry you feel that way, but it is not our fault" stays a denial
 * (RUBRIC.md). */
static void settle_regret(mc_hits *h)
{
    size_t first_regret = SIZE_MAX;
    int feelings = 0;
    for (size_t i = 0; i < h->n; i++) {
        const mc_rule *r = h->v[i].rule;
        if (h->v[i].masked)
            continue;
        if (r->effect == MC_EFFECT_REGRET && h->v[i].start < first_regret)
            first_regret = h->v[i].start;
        feelings |= r->effect == MC_EFFECT_CAP && r->value == 3;
    }
    int regret = first_regret != SIZE_MAX;
    int apology = regret && !feelings;
    for (size_t i = 0; i < h->n; i++) {
        const mc_rule *r = h->v[i].rule;
        if (r->requires_regret && (!regret ||
                                   (r->requires_regret == MC_REQUIRES_BEFORE &&
                                    first_regret >= h->v[i].start)))
            h->v[i].masked = 1;
        h->v[i].value = apology && r->regret_cap && first_regret < h->v[i].end
                            ? r->regret_cap
                            : r->value;
    }
}

static int has_conditions(const mc_rule *r)
{
    return !mc_hitset_empty(&r->unless) || !mc_hitset_empty(&r->needs);
}

/* Whether a counted hit that set names overlaps x. */
static int overlapped_by(const mc_hits *h, const mc_hit *x,
                         const mc_hitset *set)
{
    for (size_t j = 0; j < h->n; j++) {
        const mc_hit *y = &h->v[j];
        if (y != x && !y->masked && y->start < x->end && x->start < y->end &&
            hitset_has(set, y->rule))
            return 1;
    }
    return 0;
}

/* "unless": "sorry, but" followed by the fix is no defence (RUBRIC.md),
 * and the remedy rules already know a fix, so a rule that reads any clause
 * after "but" as a defence leaves out those that hold one.  "needs": the
 * other way round, a "but" clause is a defence when the excuse rules find
 * an outside cause in it, so the open class of causes is written once. */
static int conditions_drop(const mc_hits *h, const mc_hit *x)
{
    const mc_rule *r = x->rule;
    if (!mc_hitset_empty(&r->unless) && overlapped_by(h, x, &r->unless))
        return 1;
    return !mc_hitset_empty(&r->needs) && !overlapped_by(h, x, &r->needs);
}

/* Decided on the hits as the masks left them, all at once, so that the
 * order of the rules does not matter. */
static void apply_conditions(mc_hits *h)
{
    size_t n = 0;
    for (size_t i = 0; i < h->n; i++)
        if (!h->v[i].masked && has_conditions(h->v[i].rule))
            n += h->v[i].dropped = conditions_drop(h, &h->v[i]);
    for (size_t i = 0; n && i < h->n; i++)
        if (h->v[i].dropped)
            h->v[i].masked = 1;
}

void mc_apply_masks(mc_hits *h)
{
    size_t nm = 0;
    mask_span *m = sorted_masks(h, &nm);
    if (!m) {
        mask_all_pairs(h);
    } else {
        for (size_t i = 0; nm && i < h->n; i++) {
            mc_hit *x = &h->v[i];
            if (x->rule->effect != MC_EFFECT_MASK &&
                masked_by(m, masks_before(m, nm, x->end), x))
                x->masked = 1;
        }
        free(m);
    }
    apply_conditions(h);
    settle_regret(h);
}

/* ---- self-test -------------------------------------------------------- */

/* For a rule with "unless" or "needs", matching its example means a hit
 * that the rest of the set leaves standing: its patterns match, no hit
 * that "unless" names overlaps them and one that "needs" names does
 * (apply_conditions marks the others dropped).  Only these are tested,
 * not the masks, as for every other rule. */
static int survives_conditions(mc_scorer *s, const mc_rule *r, const char *ex,
                           mc_error *err)
{
    mc_lang lang = r->lang != MC_LANG_AUTO ? r->lang
                                           : mc_detect_lang(ex, strlen(ex));
    s->hits.n = 0;
    int rc = mc_match_text(s, &s->text, lang, &s->hits, err);
    if (rc != MC_OK)
        return rc == MC_ERR_NOMEM ? rc : MC_ERR_LIMIT;
    mc_apply_masks(&s->hits);
    for (size_t i = 0; i < s->hits.n; i++)
        if (s->hits.v[i].rule == r && !s->hits.v[i].dropped)
            return 1;
    return 0;
}

/* Does r match example text ex, seen through the normalizer?  1 or 0,
 * or a negative code (a limit hit is recorded in s->limits). */
static int example_matches(mc_scorer *s, const mc_rule *r, const char *ex,
                           mc_error *err)
{
    int rc = mc_normalize(ex, strlen(ex), &s->text, err);
    if (!rc) /* the prefilter is part of what is tested */
        rc = mc_prepare_text(s, &s->text, r->lang, err);
    if (rc)
        return rc;
    s->hits.n = 0;
    s->nlimits = 0;
    rc = match_rule(s, r, &s->text, &s->hits);
    if (rc == MC_ERR_NOMEM)
        return rc;
    if (rc < 0)
        return record_limit(s, r, rc) ? MC_ERR_NOMEM : MC_ERR_LIMIT;
    if (s->hits.n == 0 || !has_conditions(r))
        return s->hits.n > 0;
    return survives_conditions(s, r, ex, err);
}

/* A nomatch example says "this sentence must not get r's effect", so it
 * holds only if no other rule gives the sentence that effect either, after
 * the masks, as in scoring.  Returns the rule that does, NULL if none (or
 * on a limit or no memory: the own-rule test reports those).  Call after
 * example_matches on the same text. */
static const mc_rule *same_effect_hit(mc_scorer *s, const mc_rule *r,
                                      mc_error *err)
{
    if (r->effect == MC_EFFECT_MASK || r->lang == MC_LANG_AUTO)
        return NULL;
    s->hits.n = 0;
    if (mc_match_text(s, &s->text, r->lang, &s->hits, err) != MC_OK)
        return NULL;
    mc_apply_masks(&s->hits);
    for (size_t i = 0; i < s->hits.n; i++) {
        const mc_hit *h = &s->hits.v[i];
        if (!h->masked && h->rule != r && h->rule->effect == r->effect &&
            h->value == r->value)
            return h->rule;
    }
    return NULL;
}

static int check_rule(mc_scorer *s, const mc_rule *r, mc_check_fn fn,
                      void *ctx)
{
    int failures = 0;
    for (size_t i = 0; i < r->nexamples; i++) {
        const mc_example *ex = &r->examples[i];
        mc_error err = {0};
        const mc_rule *other;
        int got = example_matches(s, r, ex->text, &err);
        char msg[800], why[600];
        if (got == MC_ERR_LIMIT) {
            mc_limit_message(&s->limits[0], why, sizeof why);
            snprintf(msg, sizeof msg, "limit: on its %s example \"%s\": %s",
                     ex->must_match ? "match" : "nomatch", ex->text, why);
        } else if (got < 0)
            snprintf(msg, sizeof msg, "%s", err.message);
        else if (got != ex->must_match)
            snprintf(msg, sizeof msg, "%s: \"%s\"",
                     ex->must_match ? "does not match its example"
                                    : "matches its nomatch example",
                     ex->text);
        else if (!ex->must_match && (other = same_effect_hit(s, r, &err)))
            snprintf(msg, sizeof msg, "its nomatch example \"%s\" gets the "
                     "same effect from rule %s (%s:%d)", ex->text, other->id,
                     other->file, other->line);
        else
            continue;
        failures++;
        mc_utf8_trim(msg);
        if (fn)
            fn(ctx, r->file, ex->line, r->id, msg);
    }
    return failures;
}

int mc_rules_check(const mc_rules *rules, mc_check_fn fn, void *ctx)
{
    mc_error err;
    mc_scorer *s = mc_scorer_new(rules, &err);
    if (!s)
        return MC_ERR_NOMEM;
    int failures = 0;
    for (size_t i = 0; i < rules->n; i++)
        if (!rules->rules[i]->disabled)
            failures += check_rule(s, rules->rules[i], fn, ctx);
    mc_scorer_free(s);
    return failures;
}
