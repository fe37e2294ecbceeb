/* test_anchors.c - Seth Godin's six anchor phrasings (seed 003, RUBRIC.md
 * Step 1) score exactly 1, 2, 3, 6, 9, 10 in each language with the
 * default rules.  The Russian ones are the seed's; the English and Polish
 * renderings are ours.  Also the rubric's own boundary notes. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "meaculpa.h"

typedef struct {
    mc_lang lang;
    int score;
    const char *text;
} anchor;

static const anchor anchors[] = {
    {MC_LANG_EN, 1, "You can always go somewhere else."},
    {MC_LANG_EN, 2, "It's not our fault."},
    {MC_LANG_EN, 3, "We're sorry that this upset you."},
    {MC_LANG_EN, 6, "We're sorry if we did anything wrong."},
    {MC_LANG_EN, 9, "We're sorry that happened."},
    {MC_LANG_EN, 9, "We're sorry we let this happen."},
    {MC_LANG_EN, 10,
     "We are very sorry that we created a problem for you; it worries us a "
     "lot. We want you to know that we take this seriously. This was a big "
     "oversight on our part. I will tell my supervisor at once, and we will "
     "review our procedures so that it does not happen again. That is no "
     "consolation for the poor service you got from us! What can we do to "
     "keep your trust? We will send you a small gift to thank you for "
     "staying with us."},
    {MC_LANG_RU, 1, "Вы всегда можете обратиться в другое место."},
    {MC_LANG_RU, 2, "Это не наша вина."},
    {MC_LANG_RU, 3, "Мы сожалеем, что это вас расстроило."},
    {MC_LANG_RU, 6, "Мы сожалеем, если мы что-то сделали не так."},
    {MC_LANG_RU, 9, "Мы сожалеем, что так произошло."},
    {MC_LANG_RU, 9, "Мы сожалеем, что мы это допустили."},
    {MC_LANG_RU, 10,
     "Мы очень сожалеем, что мы создали для вас проблему; нас это очень "
     "беспокоит. Мы хотим, чтобы вы знали, что мы принимаем это всерьез. Это "
     "огромная оплошность с нашей стороны. Я немедленно сообщу об этом своему "
     "супервайзеру, и мы пересмотрим текущие процедуры, чтобы впредь "
     "предотвратить возникновение таких проблем. Тем не менее, это не "
     "послужит для вас утешением за недостаточно качественные услуги с нашей "
     "стороны! Что мы можем сделать, чтобы не потерять ваше доверие? Мы "
     "вышлем вам небольшой подарок в знак благодарности за то, что вы "
     "остаетесь нашим клиентом."},
    {MC_LANG_PL, 1, "Zawsze może Pan skorzystać z usług innej firmy."},
    {MC_LANG_PL, 2, "To nie nasza wina."},
    {MC_LANG_PL, 3, "Przykro nam, że to Pana zdenerwowało."},
    {MC_LANG_PL, 6, "Przepraszamy, jeśli zrobiliśmy coś nie tak."},
    {MC_LANG_PL, 9, "Przepraszamy, że do tego doszło."},
    {MC_LANG_PL, 9, "Przepraszamy, że na to pozwoliliśmy."},
    {MC_LANG_PL, 10,
     "Bardzo przepraszamy, że narobiliśmy Panu kłopotu; bardzo nas to "
     "niepokoi. Chcemy, żeby Pan wiedział, że traktujemy to poważnie. To "
     "duże niedopatrzenie z naszej strony. Natychmiast powiadomię o tym "
     "swojego przełożonego, a my przejrzymy nasze procedury, aby to się nie "
     "powtórzyło. Wiem, że to żadna pociecha za słabą obsługę z naszej "
     "strony! Co możemy zrobić, żeby nie stracić Pana zaufania? Wyślemy Panu "
     "drobny upominek w podziękowaniu za to, że pozostaje Pan naszym "
     "klientem."},
};

/* RUBRIC.md's notes on Step 1, in our own words. */
static const anchor notes[] = {
    {MC_LANG_EN, 9, "Sorry you had to wait so long for your new card."},
    {MC_LANG_EN, 3, "Sorry you feel that the answer was unfair."},
    {MC_LANG_EN, 9, "Sorry for the late delivery, but your new chair is "
                    "already on its way."},
    {MC_LANG_EN, 6, "We apologize for any inconvenience this may have caused."},
    {MC_LANG_EN, 9, "We apologize for the inconvenience."},
    {MC_LANG_RU, 6, "Приносим извинения за возможные неудобства."},
    {MC_LANG_RU, 9, "Приносим извинения за доставленные неудобства."},
    {MC_LANG_PL, 6, "Przepraszamy za ewentualne utrudnienia."},
    {MC_LANG_PL, 9, "Przepraszamy za utrudnienia."},
    {MC_LANG_EN, 2, "Sorry you feel that way, but it is not our fault."},
};

static void check_table(const anchor *t, size_t n)
{
    mc_rules *rules = mc_rules_new();
    mc_error err;
    assert_int_equal(mc_rules_add_default(rules, &err), MC_OK);
    mc_scorer *s = mc_scorer_new(rules, &err);
    int bad = 0;
    for (size_t i = 0; i < n; i++) {
        mc_result *r;
        for (int auto_lang = 0; auto_lang < 2; auto_lang++) {
            mc_lang lang = auto_lang ? MC_LANG_AUTO : t[i].lang;
            assert_int_equal(mc_score(s, t[i].text, strlen(t[i].text), lang,
                                      &r, &err),
                             MC_OK);
            if (mc_result_score(r) != t[i].score ||
                mc_result_lang(r) != t[i].lang) {
                fprintf(stderr, "want %d (%s), got %d (%s): %s\n", t[i].score,
                        mc_lang_name(t[i].lang), mc_result_score(r),
                        mc_lang_name(mc_result_lang(r)), t[i].text);
                bad++;
            }
            mc_result_free(r);
        }
    }
    mc_scorer_free(s);
    mc_rules_free(rules);
    assert_int_equal(bad, 0);
}

static void godin_anchors(void **state)
{
    (void)state;
    check_table(anchors, sizeof anchors / sizeof *anchors);
}

static void rubric_notes(void **state)
{
    (void)state;
    check_table(notes, sizeof notes / sizeof *notes);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(godin_anchors),
        cmocka_unit_test(rubric_notes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
