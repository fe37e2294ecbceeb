/* fuzz_rules.c - the rules-file loader (mc_rules_add_buffer) on arbitrary
 * bytes.  Invariants: it never crashes; an error names the file, has a
 * message and a line within the input's line count (1 when the input has
 * none); a loaded set passes through the self-test, the pattern dump and
 * a scorer on a few texts with every result well formed. */
#include "fuzz.h"

static size_t count_lines(const char *s, size_t n)
{
    size_t lines = 1;
    for (size_t i = 0; i < n; i++)
        lines += s[i] == '\n' && i + 1 < n;
    return lines;
}

static void count_check(void *ctx, const char *file, int line,
                        const char *rule, const char *msg)
{
    CHECK(file && rule && msg && msg[0] && line >= 0);
    ++*(int *)ctx;
}

static void count_pattern(void *ctx, const char *rule, const char *pattern)
{
    CHECK(rule && pattern);
    ++*(int *)ctx;
}

static const char *const texts[] = {
    "We are sorry the parcel was late; we refunded the fee.",
    "Przepraszamy za opóźnienie. Zwróciliśmy pieniądze.",
    "Приносим извинения за задержку.",
    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab",
};

static void score_with(const mc_rules *rules)
{
    mc_error err;
    memset(&err, 0, sizeof err);
    mc_scorer *s = mc_scorer_new(rules, &err);
    CHECK(s != NULL);
    CHECK(mc_scorer_set_limits(s, 0, 50) == MC_OK);
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        mc_result *res = NULL;
        size_t n = strlen(texts[i]);
        CHECK(mc_score(s, texts[i], n, MC_LANG_AUTO, &res, &err) == MC_OK);
        fz_check_result(res, texts[i], n);
        fz_check_report(res, "t.txt", NULL);
        mc_result_free(res);
    }
    mc_scorer_free(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *buf = malloc(size ? size : 1);
    if (!buf)
        return 0;
    memcpy(buf, data, size);
    mc_rules *rules = mc_rules_new();
    mc_error err;
    memset(&err, 0, sizeof err);
    int rc = mc_rules_add_buffer(rules, "fuzz.rules", buf, size, &err);
    if (rc != MC_OK) {
        CHECK(rc == MC_ERR_RULES || rc == MC_ERR_NOMEM);
        if (rc == MC_ERR_RULES) {
            fz_check_error(&err, fz_utf8_valid(buf, size));
            CHECK(strcmp(err.file, "fuzz.rules") == 0);
            CHECK(err.line >= 1);
            CHECK((size_t)err.line <= count_lines(buf, size));
        }
        CHECK(mc_rules_count(rules) == 0);
    } else {
        int failures = 0, patterns = 0;
        int got = mc_rules_check(rules, count_check, &failures);
        CHECK(got == failures);
        mc_rules_each_pattern(rules, count_pattern, &patterns);
        CHECK(mc_rules_count(rules) == 0 || patterns > 0);
        score_with(rules);
    }
    mc_rules_free(rules);
    free(buf);
    return 0;
}
