/* match.c - runs the compiled rules over one normalized text, sentence by
 * sentence, and hands on the hits (byte spans of the normalized text).
 * Owns the per-scorer PCRE2 scratch (match data, limits, JIT stack) and
 * the rules self-test.  Every match is bounded by a match limit; a limit
 * error is reported, never read as "no match". */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* Per call; low enough that a runaway pattern on a long sentence stops in
 * well under a millisecond, high enough for every default rule. */
#define MC_MATCH_LIMIT 200000u
#define MC_DEPTH_LIMIT 10000u
#define MC_HEAP_LIMIT 20000u /* KiB */
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
        s->jit_stack = pcre2_jit_stack_create(32 * 1024, 1024 * 1024, NULL);
    if (!s->md || !s->mctx || (rules->jit && !s->jit_stack)) {
        mc_scorer_free(s);
        mc_error_set(err, "", 0, 0, "out of memory");
        return NULL;
    }
    pcre2_set_match_limit(s->mctx, MC_MATCH_LIMIT);
    pcre2_set_depth_limit(s->mctx, MC_DEPTH_LIMIT);
    pcre2_set_heap_limit(s->mctx, MC_HEAP_LIMIT);
    if (s->jit_stack)
        pcre2_jit_stack_assign(s->mctx, NULL, s->jit_stack);
    return s;
}

void mc_scorer_free(mc_scorer *s)
{
    if (!s)
        return;
    pcre2_match_data_free(s->md);
    pcre2_match_context_free(s->mctx);
    pcre2_jit_stack_free(s->jit_stack);
    mc_text_free(&s->text);
    free(s->hits.v);
    free(s);
}

static int rule_applies(const mc_rule *r, mc_lang lang)
{
    return !r->disabled && (r->lang == MC_LANG_AUTO || r->lang == lang);
}

/* The earliest match of any of r's patterns in subj at or after *start.
 * Returns 1 and sets [*start, *end) on a match, 0 on none, or a negative
 * PCRE2 error (a limit). */
int mc_match_sentence(mc_scorer *s, const mc_rule *r, const char *subj,
                      size_t len, size_t *start, size_t *end)
{
    size_t best = SIZE_MAX, best_end = 0;
    for (size_t i = 0; i < r->npatterns; i++) {
        int rc = pcre2_match(r->patterns[i].code, (PCRE2_SPTR)subj, len,
                             *start, PCRE2_NO_UTF_CHECK, s->md, s->mctx);
        if (rc == PCRE2_ERROR_NOMATCH)
            continue;
        if (rc < 0)
            return rc;
        PCRE2_SIZE *ov = pcre2_get_ovector_pointer(s->md);
        if (ov[0] < best || (ov[0] == best && ov[1] > best_end)) {
            best = ov[0];
            best_end = ov[1];
        }
    }
    if (best == SIZE_MAX)
        return 0;
    *start = best;
    *end = best_end;
    return 1;
}

static int push_hit(mc_hits *h, const mc_rule *r, size_t start, size_t end,
                    size_t sentence)
{
    if (h->n == h->cap) {
        size_t ncap = h->cap ? h->cap * 2 : 64;
        mc_hit *v = realloc(h->v, ncap * sizeof *v);
        if (!v)
            return MC_ERR_NOMEM;
        h->v = v;
        h->cap = ncap;
    }
    h->v[h->n++] = (mc_hit){r, start, end, sentence, 0};
    return MC_OK;
}

/* Size of the UTF-8 character starting at s. */
static size_t char_len(unsigned char c)
{
    return c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
}

/* All hits of r in one span of the text. */
static int match_span(mc_scorer *s, const mc_rule *r, const mc_text *t,
                      mc_span sp, size_t sentence, mc_hits *hits)
{
    const char *subj = t->buf + sp.start;
    size_t len = sp.end - sp.start, pos = 0;
    for (int n = 0; n < MC_MAX_HITS && pos <= len; n++) {
        size_t st = pos, en = pos;
        int rc = mc_match_sentence(s, r, subj, len, &st, &en);
        if (rc <= 0)
            return rc;
        if (push_hit(hits, r, sp.start + st, sp.start + en, sentence))
            return MC_ERR_NOMEM;
        pos = en > st ? en : st + (st < len ? char_len((unsigned char)subj[st]) : 1);
    }
    return 0;
}

static int limit_error(const mc_rule *r, int rc, mc_error *err)
{
    PCRE2_UCHAR msg[160];
    pcre2_get_error_message(rc, msg, sizeof msg);
    mc_error_set(err, r->file, r->line, 0, "rule %s: %s (the text is scored "
                 "without this rule)", r->id, (char *)msg);
    return MC_ERR_LIMIT;
}

int mc_match_text(mc_scorer *s, const mc_text *t, mc_lang lang,
                  mc_hits *hits, mc_error *err)
{
    int status = MC_OK;
    for (size_t i = 0; i < s->rules->n; i++) {
        const mc_rule *r = s->rules->rules[i];
        if (!rule_applies(r, lang))
            continue;
        int rc = 0;
        if (r->scope_text) {
            rc = match_span(s, r, t, (mc_span){0, t->len}, SIZE_MAX, hits);
        } else {
            for (size_t k = 0; k < t->nsentences && rc >= 0; k++)
                rc = match_span(s, r, t, t->sentences[k], k, hits);
        }
        if (rc == MC_ERR_NOMEM)
            return rc;
        if (rc < 0 && status == MC_OK)
            status = limit_error(r, rc, err);
    }
    return status;
}

static int mask_hides(const mc_rule *mask, const mc_rule *r)
{
    static const unsigned kind_bit[] = {
        [MC_EFFECT_CAP] = MC_MASKS_CAP, [MC_EFFECT_REGRET] = MC_MASKS_REGRET,
        [MC_EFFECT_COMPONENT] = MC_MASKS_COMPONENT,
        [MC_EFFECT_DEDUCT] = MC_MASKS_DEDUCT};
    if (r->effect == MC_EFFECT_MASK)
        return 0;
    if (r->effect <= MC_EFFECT_DEDUCT && (mask->mask_kinds & kind_bit[r->effect]))
        return 1;
    for (size_t i = 0; i < mask->nmask_ids; i++)
        if (strcmp(mask->mask_ids[i], r->id) == 0)
            return 1;
    return 0;
}

void mc_apply_masks(mc_hits *h)
{
    int regret = 0;
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
    for (size_t i = 0; i < h->n; i++)
        regret |= !h->v[i].masked && h->v[i].rule->effect == MC_EFFECT_REGRET;
    for (size_t i = 0; i < h->n; i++)
        if (h->v[i].rule->requires_regret && !regret)
            h->v[i].masked = 1;
}

/* ---- self-test -------------------------------------------------------- */

/* Does r match example text ex, seen through the normalizer? */
static int example_matches(mc_scorer *s, const mc_rule *r, const char *ex,
                           mc_error *err)
{
    int rc = mc_normalize(ex, strlen(ex), &s->text, err);
    if (rc)
        return rc;
    s->hits.n = 0;
    const mc_text *t = &s->text;
    if (r->scope_text) {
        rc = match_span(s, r, t, (mc_span){0, t->len}, 0, &s->hits);
    } else {
        for (size_t k = 0; k < t->nsentences && rc >= 0; k++)
            rc = match_span(s, r, t, t->sentences[k], k, &s->hits);
    }
    if (rc < 0)
        return rc == MC_ERR_NOMEM ? rc : limit_error(r, rc, err);
    return s->hits.n > 0;
}

static int check_rule(mc_scorer *s, const mc_rule *r, mc_check_fn fn,
                      void *ctx)
{
    int failures = 0;
    for (size_t i = 0; i < r->nexamples; i++) {
        const mc_example *ex = &r->examples[i];
        mc_error err = {0};
        int got = example_matches(s, r, ex->text, &err);
        char msg[700];
        if (got < 0)
            snprintf(msg, sizeof msg, "%s", err.message);
        else if (got != ex->must_match)
            snprintf(msg, sizeof msg, "%s: \"%s\"",
                     ex->must_match ? "does not match its example"
                                    : "matches its nomatch example",
                     ex->text);
        else
            continue;
        failures++;
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
