/* fuzz_score.c - the whole path a text takes: mc_score (or mc_score_ex
 * with a suppression) with the default rules, then mc_report_json.  The
 * first byte picks the options (cmark's trick): bits 0-1 the language,
 * bit 2 a suppression over the middle of the text.  Invariants: invalid
 * UTF-8 is refused at its first bad byte; otherwise the score is 1..10,
 * the level one of 1-6 or 9, every positioned finding lies inside the
 * text and its match is the original bytes there, the report is valid
 * UTF-8 and valid JSON that agrees with the result, and scoring the same
 * text again with the same scorer gives the same result. */
#include "fuzz.h"

static mc_rules *rules;
static mc_scorer *scorer;

static mc_result *score(const char *text, size_t n, unsigned opts,
                        mc_error *err)
{
    static const mc_lang langs[] = {MC_LANG_AUTO, MC_LANG_EN, MC_LANG_RU,
                                    MC_LANG_PL};
    mc_suppression sup = {NULL, n / 4, n / 2};
    mc_result *res = NULL;
    int rc = (opts & 4)
        ? mc_score_ex(scorer, text, n, langs[opts & 3], &sup, 1, &res, err)
        : mc_score(scorer, text, n, langs[opts & 3], &res, err);
    size_t bad = fz_utf8_invalid_at((const unsigned char *)text, n);
    if (bad < n) {
        char want[64];
        snprintf(want, sizeof want, "at byte %zu", bad);
        CHECK(rc == MC_ERR_INPUT && res == NULL);
        CHECK(strstr(err->message, want) != NULL);
        return NULL;
    }
    CHECK(rc == MC_OK && res != NULL);
    return res;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!scorer)
        fz_default_scorer(&rules, &scorer);
    if (size == 0)
        return 0;
    unsigned opts = data[0];
    size_t n = size - 1;
    char *text = malloc(n ? n : 1);
    if (!text)
        return 0;
    memcpy(text, data + 1, n);
    CHECK(mc_detect_lang(text, n) != MC_LANG_AUTO);
    mc_error err;
    memset(&err, 0, sizeof err);
    mc_result *res = score(text, n, opts, &err);
    if (res) {
        fz_check_result(res, text, n);
        fz_check_report(res, (opts & 8) ? "dir/file.txt" : NULL,
                        (opts & 16) ? "\"id-1\"" : NULL);
        mc_result *again = score(text, n, opts, &err);
        CHECK(mc_result_score(again) == mc_result_score(res));
        CHECK(mc_result_level(again) == mc_result_level(res));
        CHECK(mc_result_finding_count(again) == mc_result_finding_count(res));
        mc_result_free(again);
        mc_result_free(res);
    }
    free(text);
    return 0;
}
