/* test_prefilter.c - the required-literal prefilter (src/prefilter.c) must
 * never hide a match: every pattern syntax it reads (runs, classes of
 * ASCII, Polish or Cyrillic letters, optional parts, alternatives, calls,
 * lookarounds, long literals) or gives up on (\Q, escapes, upper-case
 * letters) still matches its examples, and texts that reach the patterns
 * only through normalization (long s, Kelvin sign) still match.  The
 * self-test runs every example through the prefilter, as scoring does.
 * The built-in rules' prefilters, made when the library is built
 * (src/tools/pfsnap.c), must equal a fresh build, and a set with rules of
 * its own must not use them. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "meaculpa.h"

#define RULE(id, pat, yes, no)                                             \
    "[" id "]\ncategory = test\neffect = cap 1\npattern = " pat "\n"       \
    "message = m\nsuggestion = s\nmatch = " yes "\nnomatch = " no "\n"

static const char *const tricky =
    "lang = en\n"
    "define feel = (?:upset|annoyed|let\\s+down)\n"
    RULE("t.lookbehind", "(?<=sorry )if\\b", "We are sorry if it broke.",
         "If it broke, call us.")
    RULE("t.optional", "apolog(?:ise|ize)s?\\b", "We apologize.",
         "An apology.")
    RULE("t.class", "\\bapologi[sz]e\\b", "We apologise.", "Apologies.")
    RULE("t.class-polish", "\\bb[lł][ąa]d\\w*", "To był BŁĄD systemu.",
         "To był problem.")
    RULE("t.class-cyrillic", "\\bвс[её]\\b", "ВСЁ готово.", "Ничего.")
    RULE("t.class-range", "\\bsorr[x-z]\\b", "Sorry.", "Sore.")
    RULE("t.class-negated", "\\bsorr[^a]\\b", "Sorry.", "Sorra.")
    RULE("t.empty-branch", "\\b(?:very |)sorry\\b", "Sorry.", "Sore.")
    RULE("t.repeat", "\\b(?:so ){0,2}sorry\\b", "So so sorry.", "So sad.")
    RULE("t.call", "\\bsorry\\s+you\\s+(?:were|are)\\s+(?&feel)\\b",
         "We are sorry you were let down.", "We are sorry it was late.")
    RULE("t.cyrillic-upper", "ИЗВИНИТЕ", "Извините за задержку.",
         "Спасибо за ожидание.")
    RULE("t.ascii-upper", "\\bSORRY\\b", "sorry about that", "sore about it")
    RULE("t.escaped", "\\be\\-mail\\b", "Please e-mail us.", "Please email us.")
    RULE("t.hex", "\\bsorr\\x{79}\\b", "We are sorry.", "We are sore.")
    RULE("t.alternatives", "\\b(?:sorry\\s+if|if\\s+\\w+\\s+sorry)\\b",
         "If so sorry, say so.", "If you want, say so.")
    RULE("t.lookahead", "(?=.*\\brefund\\b)\\bsorry\\b",
         "Sorry, the refund is late.", "Sorry, the parcel is late.")
    RULE("t.quoted", "\\b\\Qsorry\\E\\b", "We are sorry.", "We are sad.")
    RULE("t.long", "\\bwe are terribly sorry for the inconvenience caused\\b",
         "We are terribly sorry for the inconvenience caused.",
         "We are sorry for the inconvenience.")
    RULE("t.long-s", "\\bsorry\\b", "We are \xC5\xBForry.", "We are sad.")
    RULE("t.kelvin", "\\bok\\s+then\\b", "O\xE2\x84\xAA then.", "Fine then.")
    RULE("t.options", "(?s)\\bsorry\\b.*\\brefund\\b",
         "We are sorry, the refund is sent.", "The refund is sent.")
    "[t.text-scope]\ncategory = test\neffect = cap 1\nscope = text\n"
    "pattern = (?s)\\bsorry\\b.*\\brefund\\b\nmessage = m\nsuggestion = s\n"
    "match = We are sorry. The refund is sent.\n"
    "nomatch = The refund is sent.\n";

/* Counts failures of a rule's own examples.  These rules share one effect
 * and many match "sorry", so the check's other finding, a nomatch example
 * that a sibling matches, says nothing about the prefilter. */
static void report(void *ctx, const char *file, int line, const char *rule,
                   const char *message)
{
    if (strstr(message, "gets the same effect from rule"))
        return;
    ++*(int *)ctx;
    print_message("%s:%d: %s: %s\n", file, line, rule, message);
}

static void tricky_patterns_keep_their_matches(void **state)
{
    (void)state;
    mc_rules *r = mc_rules_new();
    mc_error err;
    assert_int_equal(mc_rules_add_buffer(r, "t.rules", tricky, strlen(tricky),
                                         &err), MC_OK);
    int own = 0;
    assert_true(mc_rules_check(r, report, &own) >= 0);
    assert_int_equal(own, 0);
    mc_rules_free(r);
}

/* Scoring, not just the self-test: a rule found once is found again by a
 * scorer on a second text of another language and back (the per-text
 * prefilter state is reset between texts). */
static void scorer_reuse_between_languages(void **state)
{
    (void)state;
    mc_rules *r = mc_rules_new();
    mc_error err;
    assert_int_equal(mc_rules_add_default(r, &err), MC_OK);
    mc_scorer *s = mc_scorer_new(r, &err);
    const char *texts[] = {"We are so sorry the parcel was late.",
                           "Приносим извинения за задержку.",
                           "We are so sorry the parcel was late."};
    int scores[3];
    for (int i = 0; i < 3; i++) {
        mc_result *res = NULL;
        assert_int_equal(mc_score(s, texts[i], strlen(texts[i]), MC_LANG_AUTO,
                                  &res, &err), MC_OK);
        scores[i] = mc_result_score(res);
        mc_result_free(res);
    }
    assert_int_equal(scores[0], scores[2]);
    mc_scorer_free(s);
    mc_rules_free(r);
}

/* A prefilter's words and bytes, for comparing two. */
typedef struct {
    uint32_t *w;
    size_t nw;
    char *b;
    size_t nb;
} flat;

static flat flatten(const mc_prefilter *f)
{
    flat x;
    assert_non_null(f);
    assert_int_equal(mc_prefilter_serialize(f, &x.w, &x.nw, &x.b, &x.nb), 0);
    return x;
}

static void flat_free(flat *x)
{
    free(x->w);
    free(x->b);
}

static void builtin_snapshot_equals_a_fresh_build(void **state)
{
    (void)state;
    mc_rules *r = mc_rules_new();
    mc_error err;
    assert_int_equal(mc_rules_add_default(r, &err), MC_OK);
    for (int l = MC_LANG_AUTO; l <= MC_LANG_PL; l++) {
        const mc_prefilter *loaded = NULL;
        assert_int_equal(mc_rules_prepare(r, (mc_lang)l, &loaded, &err), MC_OK);
        mc_prefilter *built = mc_prefilter_build(r, (mc_lang)l);
        mc_prefilter *again = mc_prefilter_load(&mc_builtin_prefilter[l], r);
        assert_non_null(again); /* the snapshot fits the built-in rules */
        flat a = flatten(loaded), b = flatten(built), c = flatten(again);
        assert_true(a.nw > 8 || l == MC_LANG_AUTO);
        assert_int_equal(a.nw, b.nw);
        assert_int_equal(a.nb, b.nb);
        assert_memory_equal(a.w, b.w, a.nw * sizeof *a.w);
        assert_memory_equal(a.b, b.b, a.nb);
        assert_memory_equal(a.w, c.w, a.nw * sizeof *a.w);
        flat_free(&a);
        flat_free(&b);
        flat_free(&c);
        mc_prefilter_free(built);
        mc_prefilter_free(again);
    }
    mc_rules_free(r);
}

/* A rule of the user's own beside the built-in ones: the snapshot does
 * not fit that set, and the new rule's phrase is found. */
static void own_rules_do_not_use_the_snapshot(void **state)
{
    (void)state;
    static const char own[] =
        "lang = en\n"
        RULE("own.zorbl", "\\bzorblified\\b", "Your order got zorblified.",
             "Your order arrived.");
    mc_rules *r = mc_rules_new();
    mc_error err;
    assert_int_equal(mc_rules_add_default(r, &err), MC_OK);
    assert_int_equal(mc_rules_add_buffer(r, "own.rules", own, strlen(own),
                                         &err), MC_OK);
    assert_null(mc_prefilter_load(&mc_builtin_prefilter[MC_LANG_EN], r));
    mc_scorer *s = mc_scorer_new(r, &err);
    const char *text = "We are sorry: your order got zorblified.";
    mc_result *res = NULL;
    assert_int_equal(mc_score(s, text, strlen(text), MC_LANG_EN, &res, &err),
                     MC_OK);
    assert_int_equal(mc_result_score(res), 1); /* the rule's cap 1 */
    mc_result_free(res);
    mc_scorer_free(s);
    mc_rules_free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(tricky_patterns_keep_their_matches),
        cmocka_unit_test(scorer_reuse_between_languages),
        cmocka_unit_test(builtin_snapshot_equals_a_fresh_build),
        cmocka_unit_test(own_rules_do_not_use_the_snapshot),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
