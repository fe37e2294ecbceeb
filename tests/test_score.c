/* test_score.c - the scorer applies RUBRIC.md: every Step 1 level, the
 * components, the 10 condition, every deduction and the floor of 7, the
 * findings without position, masks, and positions in the original text.
 * It uses a small rule set of its own, so it tests the scorer and not
 * the wording of the default rules. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include "fixture.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "meaculpa.h"

#define RULE(id, cat, eff, pat, ex, nex)                                   \
    "[" id "]\ncategory = " cat "\neffect = " eff "\npattern = " pat       \
    "\nmessage = m\nsuggestion = s\nmatch = " ex "\nnomatch = " nex "\n"

static const char *rules_text =
    "lang = en\n"
    RULE("regret.sorry", "regret", "regret", "\\b(?:sorry|apologi[sz]e)\\b",
         "we are sorry", "we are happy")
    RULE("dismiss.elsewhere", "dismissal", "cap 1", "\\bgo elsewhere\\b",
         "go elsewhere", "go home")
    RULE("deny.fault", "blame", "cap 2", "\\bnot our fault\\b",
         "not our fault", "our fault")
    RULE("feel.you-feel", "feelings", "cap 3", "\\bsorry you feel\\b",
         "sorry you feel bad", "sorry you waited")
    RULE("but.policy", "sorry-but", "cap 5\nrequires = regret",
         "\\bbut our (?:policy|terms)\\b", "but our policy", "but we fixed it")
    RULE("deny.rebuttal", "blame", "cap 2\nwith-regret = cap 5",
         "\\bthe parcel was never ordered\\b", "the parcel was never ordered",
         "the parcel was ordered")
    RULE("hedge.if", "conditional", "cap 6", "\\bsorry if\\b", "sorry if",
         "sorry it")
    RULE("own.mistake", "ownership", "component ownership", "\\bour mistake\\b",
         "our mistake", "your mistake")
    RULE("remedy.refund", "remedy", "component remedy", "\\brefunded\\b",
         "we refunded you", "no refund")
    RULE("prevent.again", "prevention", "component prevention",
         "\\bnever happen again\\b", "will never happen again", "again")
    RULE("comp.month", "compensation", "component compensation",
         "\\bfree month\\b", "a free month", "a month")
    RULE("empathy.serious", "empathy", "component empathy",
         "\\bwe take this seriously\\b", "we take this seriously", "we take it")
    RULE("trust.call", "trust", "component trust", "\\bcall you\\b",
         "I will call you", "call me")
    RULE("minimise.small", "minimising", "deduct minimising",
         "\\bsmall delay\\b", "a small delay", "a small gift")
    RULE("excuse.control", "excuse", "deduct excuse", "\\bbeyond our control\\b",
         "beyond our control", "in our control")
    RULE("blame.partial.courier", "partial-blame", "deduct partial-blame",
         "\\bthe courier caused\\b", "the courier caused it", "the courier")
    RULE("passive.mistakes", "evasive-passive", "deduct evasive-passive",
         "\\bmistakes were made\\b", "mistakes were made", "we made mistakes")
    "[excuse.road]\ncategory = excuse\neffect = deduct excuse\n"
    "pattern = \\bstorm closed the road\\b\npattern = \\bclosed the road\\b\n"
    "message = m\nsuggestion = s\nmatch = closed the road\nnomatch = open road\n"
    "[but.any]\ncategory = sorry-but\neffect = cap 5\nrequires = regret-before\n"
    "unless = component regret.sorry\npattern = \\bhowever\\b[^.]*\n"
    "message = m\nsuggestion = s\nmatch = sorry; however, the fee stays\n"
    "nomatch = sorry; however, we refunded you\n"
    "[but.cause]\ncategory = sorry-but\neffect = cap 5\n"
    "requires = regret-before\nunless = component\n"
    "needs = excuse partial-blame\npattern = \\byet\\b[^.]*\n"
    "message = m\nsuggestion = s\nmatch = sorry, yet the courier caused it\n"
    "nomatch = sorry, yet the fee stays\n"
    "[mask.no-storm]\ncategory = negation\neffect = mask\nmasks = deduct\n"
    "pattern = \\bno storm\\b\nmessage = m\nmatch = no storm\n"
    "nomatch = a storm\n"
    "[mask.bother]\ncategory = attention-getter\neffect = mask\nmasks = regret\n"
    "pattern = \\bsorry to bother you\\b\nmessage = m\n"
    "match = sorry to bother you\nnomatch = sorry for the delay\n";

static int setup(void **state)
{
    return fixture_setup(state, "t.rules", rules_text);
}

static mc_result *score(void **state, const char *text)
{
    fixture *fx = *state;
    mc_result *r = NULL;
    mc_error err;
    assert_int_equal(mc_score(fx->scorer, text, strlen(text), MC_LANG_EN, &r,
                              &err),
                     MC_OK);
    return r;
}

static void expect(void **state, const char *text, int level, int score_)
{
    mc_result *r = score(state, text);
    if (mc_result_level(r) != level || mc_result_score(r) != score_)
        fail_msg("\"%s\": want level %d score %d, got level %d score %d", text,
                 level, score_, mc_result_level(r), mc_result_score(r));
    mc_result_free(r);
}

static void step1_levels(void **state)
{
    expect(state, "Sorry, but you can go elsewhere.", 1, 1);
    expect(state, "We are sorry. It is not our fault.", 2, 2);
    expect(state, "We are sorry you feel let down. We refunded you.", 3, 3);
    expect(state, "We refunded you.", 4, 4);
    expect(state, "We are sorry, but our policy is clear.", 5, 5);
    expect(state, "We are sorry if it broke. We refunded you.", 6, 6);
    expect(state, "We are sorry the parcel was late.", 9, 9);
}

static void lowest_level_wins(void **state)
{
    expect(state, "Sorry if it broke, but our terms say so.", 5, 5);
    expect(state, "Sorry you feel upset, but it is not our fault.", 2, 2);
}

static void no_regret_is_two_or_four(void **state)
{
    mc_result *r = score(state, "Your order shipped on Monday.");
    assert_int_equal(mc_result_score(r), 2);
    const mc_finding *f = find_rule(r, "missing.regret");
    assert_non_null(f);
    assert_int_equal(f->line, 0);
    mc_result_free(r);
    expect(state, "It was our mistake, and we refunded you.", 4, 5);
    /* a defending "but" without regret needs regret: it does not apply */
    expect(state, "We refunded you, but our policy changed.", 4, 4);
}

static void ten_needs_three_components_with_a_fix(void **state)
{
    expect(state, "Sorry. Our mistake: we refunded you and it will never "
                  "happen again.", 9, 10);
    /* three components but none of remedy, prevention, compensation */
    mc_result *r = score(state, "Sorry, our mistake. We take this seriously "
                                "and I will call you.");
    assert_int_equal(mc_result_score(r), 9);
    assert_non_null(find_rule(r, "missing.remediation"));
    mc_result_free(r);
    r = score(state, "Sorry, we refunded you.");
    assert_int_equal(mc_result_score(r), 9);
    assert_non_null(find_rule(r, "missing.components"));
    assert_null(find_rule(r, "missing.remediation"));
    mc_result_free(r);
}

static void caps_are_not_lifted(void **state)
{
    expect(state, "Sorry if it broke. Our mistake: we refunded you, a free "
                  "month, it will never happen again.", 6, 6);
}

static void deductions(void **state)
{
    expect(state, "Sorry for the small delay.", 9, 8);
    expect(state, "Sorry for the small delay beyond our control.", 9, 7);
    expect(state, "Sorry, we refunded you, a free month, never happen again. "
                  "A small delay.", 9, 9);
    /* four kinds from 10 would be 6: never below 7 */
    expect(state, "Sorry, we refunded you, a free month, never happen again. "
                  "A small delay beyond our control; mistakes were made and "
                  "the courier caused it.", 9, 7);
    /* each kind once */
    expect(state, "Sorry for the small delay. Another small delay.", 9, 8);
    /* never from a cap */
    expect(state, "Sorry if the small delay hurt.", 6, 6);
}

/* A rebuttal is a denial (2) on its own and a "sorry, but" (5) after an
 * apology: one rule with "with-regret", and its finding says which. */
static void with_regret_changes_the_cap(void **state)
{
    expect(state, "The parcel was never ordered.", 2, 2);
    mc_result *r = score(state, "We are sorry: the parcel was never ordered.");
    assert_int_equal(mc_result_score(r), 5);
    const mc_finding *f = find_rule(r, "deny.rebuttal");
    assert_non_null(f);
    assert_int_equal(f->effect, MC_EFFECT_CAP);
    assert_int_equal(f->value, 5);
    assert_true(f->counted);
    mc_result_free(r);
    /* the apology must come first: a denial, then "sorry", stays a denial */
    expect(state, "The parcel was never ordered. We are sorry.", 2, 2);
    /* regret hidden by a mask is no regret */
    expect(state, "Sorry to bother you: the parcel was never ordered.", 2, 2);
    /* regret for a feeling is no apology for what happened: still 2 */
    expect(state, "Sorry you feel bad, but the parcel was never ordered.", 2, 2);
    /* a lower cap still wins */
    expect(state, "Sorry, the parcel was never ordered; go elsewhere.", 1, 1);
}

/* "unless": the hit is dropped where a hit it names overlaps its words,
 * and only there; masked hits drop nothing. */
static void unless_drops_beside_a_named_hit(void **state)
{
    expect(state, "We are sorry; however, the fee stays.", 5, 5);
    mc_result *r = score(state, "We are sorry; however, we refunded you.");
    assert_int_equal(mc_result_score(r), 9);
    const mc_finding *f = find_rule(r, "but.any");
    assert_true(f == NULL || !f->counted);
    assert_non_null(find_rule(r, "remedy.refund"));
    mc_result_free(r);
    /* a named rule id: more regret after "however" is no defence */
    expect(state, "We are sorry; however, sorry again.", 9, 9);
    /* the fix in another sentence does not drop it */
    expect(state, "We are sorry; however, the fee stays. We refunded you.", 5, 5);
    /* regret-before: a "however" before the apology is no "sorry, but" */
    expect(state, "However, the fee stays. We are sorry.", 9, 9);
    /* a hit of a kind it does not name (a deduction) does not drop it */
    expect(state, "We are sorry; however, mistakes were made.", 5, 5);
}

/* "needs": the hit counts only where a counted hit of a kind of deduction
 * it names overlaps its words ("sorry, yet the courier caused it"). */
static void needs_keeps_only_beside_a_named_hit(void **state)
{
    expect(state, "We are sorry, yet the courier caused it.", 5, 5);
    expect(state, "We are sorry, yet it was beyond our control.", 5, 5);
    /* no named hit in the clause: no cap */
    expect(state, "We are sorry, yet the fee stays.", 9, 9);
    /* a deduction it does not name: only the deduction */
    expect(state, "We are sorry, yet mistakes were made.", 9, 8);
    /* the named hit in another sentence does not count */
    expect(state, "We are sorry, yet the fee stays. The courier caused it.", 9, 8);
    /* "unless" still drops it: the clause brings the fix */
    expect(state, "We are sorry, yet the courier caused it and we refunded you.",
           9, 8);
}

/* Every pattern of a rule finds its own matches: one pattern's match that
 * a mask hides does not hide another's match of overlapping words. */
static void each_pattern_matches_on_its_own(void **state)
{
    expect(state, "We are sorry: the storm closed the road.", 9, 8);
    expect(state, "We are sorry: no storm closed the road.", 9, 8);
    expect(state, "We are sorry: no storm came.", 9, 9);
}

static void masks_hide_words(void **state)
{
    expect(state, "Sorry to bother you. Your order shipped.", 2, 2);
    expect(state, "Sorry to bother you, and sorry for the delay.", 9, 9);
}

static void positions_are_in_the_original(void **state)
{
    const char *text = "Привет, Łukasz!\r\n<p>We&nbsp;are <b>sorry</b> "
                       "if it broke.</p>";
    mc_result *r = score(state, text);
    const mc_finding *f = find_rule(r, "hedge.if");
    assert_non_null(f);
    assert_int_equal(f->line, 2);
    assert_int_equal(f->column, 19);
    assert_string_equal(f->match, "sorry</b> if");
    assert_memory_equal(text + f->offset, "sorry", 5);
    assert_int_equal(f->effect, MC_EFFECT_CAP);
    assert_int_equal(f->value, 6);
    assert_true(f->counted);
    mc_result_free(r);
}

static void two_scorers_in_one_process(void **state)
{
    fixture *fx = *state;
    mc_error err;
    mc_scorer *other = mc_scorer_new(fx->rules, &err);
    mc_result *a, *b;
    const char *t1 = "We are sorry if it broke.", *t2 = "We refunded you.";
    assert_int_equal(mc_score(fx->scorer, t1, strlen(t1), MC_LANG_EN, &a, &err), 0);
    assert_int_equal(mc_score(other, t2, strlen(t2), MC_LANG_EN, &b, &err), 0);
    assert_int_equal(mc_result_score(a), 6);
    assert_int_equal(mc_result_score(b), 4);
    mc_result_free(a);
    mc_result_free(b);
    mc_scorer_free(other);
    mc_scorer_free(NULL);
    mc_result_free(NULL);
}

static void invalid_utf8_is_an_error(void **state)
{
    fixture *fx = *state;
    mc_result *r = (mc_result *)1;
    mc_error err;
    const char text[] = "sorry\n ab\xff";
    assert_int_equal(mc_score(fx->scorer, text, sizeof text - 1, MC_LANG_EN, &r,
                              &err),
                     MC_ERR_INPUT);
    assert_null(r);
    assert_int_equal(err.line, 2);
    assert_non_null(strstr(err.message, "UTF-8"));
}

static void json_report(void **state)
{
    mc_result *r = score(state, "Sorry if it broke.");
    char *s = mc_report_json(r, "a.txt", "\"x-1\"");
    assert_non_null(s);
    assert_non_null(strstr(s, "\"id\":\"x-1\""));
    assert_non_null(strstr(s, "\"score\":6"));
    assert_non_null(strstr(s, "\"effect\":\"cap 6\""));
    assert_null(strchr(s, '\n'));
    free(s);
    mc_result_free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(step1_levels),
        cmocka_unit_test(lowest_level_wins),
        cmocka_unit_test(no_regret_is_two_or_four),
        cmocka_unit_test(ten_needs_three_components_with_a_fix),
        cmocka_unit_test(caps_are_not_lifted),
        cmocka_unit_test(deductions),
        cmocka_unit_test(masks_hide_words),
        cmocka_unit_test(each_pattern_matches_on_its_own),
        cmocka_unit_test(positions_are_in_the_original),
        cmocka_unit_test(with_regret_changes_the_cap),
        cmocka_unit_test(unless_drops_beside_a_named_hit),
        cmocka_unit_test(needs_keeps_only_beside_a_named_hit),
        cmocka_unit_test(two_scorers_in_one_process),
        cmocka_unit_test(invalid_utf8_is_an_error),
        cmocka_unit_test(json_report),
    };
    return cmocka_run_group_tests(tests, setup, fixture_teardown);
}
