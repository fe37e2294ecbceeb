/* test_lang.c - unit tests of lang.c: language detection on short
 * replies, and the names of the languages. */

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "meaculpa.h"

static mc_lang detect(const char *s)
{
    return mc_detect_lang(s, strlen(s));
}

static void test_english(void **state)
{
    (void)state;
    assert_int_equal(detect("We are sorry that your parcel arrived late. "
                            "A replacement ships tomorrow."), MC_LANG_EN);
    assert_int_equal(detect("Thanks!"), MC_LANG_EN);
    assert_int_equal(detect(""), MC_LANG_EN);
    assert_int_equal(detect("12345 !!! ..."), MC_LANG_EN);
    assert_int_equal(mc_detect_lang(NULL, 0), MC_LANG_EN);
}

static void test_russian(void **state)
{
    (void)state;
    assert_int_equal(detect("Приносим извинения: курьер перепутал адрес, "
                            "мы уже отправили новую посылку."), MC_LANG_RU);
    assert_int_equal(detect("ИЗВИНИТЕ ЗА ОШИБКУ"), MC_LANG_RU);
    /* Latin product names in a Russian reply. */
    assert_int_equal(detect("Мы заменим ваш iPhone 15 Pro Max и AirPods Pro "
                            "бесплатно."), MC_LANG_RU);
}

static void test_polish(void **state)
{
    (void)state;
    assert_int_equal(detect("Bardzo przepraszamy za pomyłkę w fakturze."),
                     MC_LANG_PL);
    assert_int_equal(detect("Wysłaliśmy nową paczkę kurierem."), MC_LANG_PL);
    assert_int_equal(detect("Szanowna Pani, dziękujemy za cierpliwość."),
                     MC_LANG_PL);
}

static void test_polish_without_diacritics(void **state)
{
    (void)state;
    assert_int_equal(detect("Przepraszamy za opoznienie, zamowienie jest w "
                            "drodze"), MC_LANG_PL);
    assert_int_equal(detect("Czy moge prosic o numer? Nie ma go w systemie, "
                            "juz sprawdzamy."), MC_LANG_PL);
    assert_int_equal(detect("PRZEPRASZAM"), MC_LANG_PL);
}

static void test_english_with_polish_looking_words(void **state)
{
    (void)state;
    /* "pan" is an English word too. */
    assert_int_equal(detect("Sorry, the frying pan we sent you was dented."),
                     MC_LANG_EN);
    /* A Polish name or city in an English reply. */
    assert_int_equal(detect("Dear Mr Wałęsa, we are sorry that the courier "
                            "from Łódź lost your order."), MC_LANG_EN);
    assert_int_equal(detect("Our warehouse in Gdansk will ship it, the "
                            "Nie model is back in stock."), MC_LANG_EN);
}

static void test_mixed(void **state)
{
    (void)state;
    /* Mostly Polish with an English line, and the other way round. */
    assert_int_equal(detect("Thank you for your message.\nPrzepraszamy za "
                            "kłopot, już wysłaliśmy nową przesyłkę, która "
                            "dotrze jutro."), MC_LANG_PL);
    assert_int_equal(detect("We are very sorry for the wrong size and we "
                            "will send the right one today. Pozdrawiamy"),
                     MC_LANG_EN);
    /* Russian wins over English once Cyrillic passes 30% of letters. */
    assert_int_equal(detect("Order #4411: we are sorry. Мы извиняемся за "
                            "задержку."), MC_LANG_RU);
}

static void test_markup_and_bad_bytes(void **state)
{
    (void)state;
    /* Attribute words are markup, not language. */
    assert_int_equal(detect("<div style=\"font-family: Arial, sans-serif; "
                            "color: #333333; line-height: 1.5\">Извините "
                            "нас</div>"), MC_LANG_RU);
    assert_int_equal(detect("Dzie\xFF\xFEkujemy, przepraszamy"), MC_LANG_PL);
    assert_int_equal(detect("\xC3"), MC_LANG_EN); /* truncated sequence */
}

static void test_names(void **state)
{
    (void)state;
    assert_string_equal(mc_lang_name(MC_LANG_EN), "en");
    assert_string_equal(mc_lang_name(MC_LANG_RU), "ru");
    assert_string_equal(mc_lang_name(MC_LANG_PL), "pl");
    assert_string_equal(mc_lang_name(MC_LANG_AUTO), "auto");
    assert_null(mc_lang_name((mc_lang)42));
    assert_int_equal(mc_lang_parse("en"), MC_LANG_EN);
    assert_int_equal(mc_lang_parse("ru"), MC_LANG_RU);
    assert_int_equal(mc_lang_parse("pl"), MC_LANG_PL);
    assert_int_equal(mc_lang_parse("auto"), MC_LANG_AUTO);
    assert_int_equal(mc_lang_parse("PL"), MC_LANG_PL);
    assert_int_equal(mc_lang_parse("de"), -1);
    assert_int_equal(mc_lang_parse("e"), -1);
    assert_int_equal(mc_lang_parse("english"), -1);
    assert_int_equal(mc_lang_parse(""), -1);
    assert_int_equal(mc_lang_parse(NULL), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_english),
        cmocka_unit_test(test_russian),
        cmocka_unit_test(test_polish),
        cmocka_unit_test(test_polish_without_diacritics),
        cmocka_unit_test(test_english_with_polish_looking_words),
        cmocka_unit_test(test_mixed),
        cmocka_unit_test(test_markup_and_bad_bytes),
        cmocka_unit_test(test_names),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
