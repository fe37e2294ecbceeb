/* fuzz_jsonl.c - the JSON Lines input path, as the CLI runs it (the
 * parsing lives in cli.c; this is its library equivalent): each line is
 * parsed with jansson as {"text": string, "id"?: any, "lang"?: string},
 * the text (which may hold NUL bytes and any \u escape) is scored with the
 * default rules and reported with mc_report_json.  Invariants: every
 * result is well formed, the report is valid UTF-8 and JSON, and its "id"
 * is the input id unchanged. */
#include "fuzz.h"

static mc_rules *rules;
static mc_scorer *scorer;

static void check_id(const char *report, const json_t *id)
{
    json_t *o = json_loads(report, 0, NULL);
    CHECK(o != NULL);
    CHECK(json_equal(json_object_get(o, "id"), (json_t *)id));
    json_decref(o);
}

static void score_line(const char *line, size_t len)
{
    json_error_t je;
    json_t *o = json_loadb(line, len, 0, &je), *id = NULL;
    const char *text = NULL, *lang = NULL;
    size_t n = 0;
    if (!o || json_unpack_ex(o, &je, 0, "{s:s%, s?o, s?s}", "text", &text,
                             &n, "id", &id, "lang", &lang) != 0) {
        CHECK(je.text[0] != '\0');
        json_decref(o);
        return;
    }
    int l = lang ? mc_lang_parse(lang) : MC_LANG_AUTO;
    if (l >= 0) {
        char *id_json = id ? json_dumps(id, JSON_ENCODE_ANY | JSON_COMPACT)
                           : NULL;
        mc_result *res = NULL;
        mc_error err;
        memset(&err, 0, sizeof err);
        /* jansson hands on valid UTF-8 only */
        CHECK(mc_score(scorer, text, n, (mc_lang)l, &res, &err) == MC_OK);
        fz_check_result(res, text, n);
        fz_check_report(res, "in.jsonl", id_json ? id_json : "null");
        char *report = mc_report_json(res, "in.jsonl", id_json);
        CHECK(report != NULL);
        if (id)
            check_id(report, id);
        free(report);
        free(id_json);
        mc_result_free(res);
    }
    json_decref(o);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!scorer)
        fz_default_scorer(&rules, &scorer);
    char *buf = malloc(size ? size : 1);
    if (!buf)
        return 0;
    memcpy(buf, data, size);
    for (size_t pos = 0; pos < size;) {
        const char *nl = memchr(buf + pos, '\n', size - pos);
        size_t n = nl ? (size_t)(nl - (buf + pos)) : size - pos;
        size_t k = n;
        while (k && buf[pos + k - 1] == '\r')
            k--;
        if (k)
            score_line(buf + pos, k);
        pos += n + 1;
    }
    free(buf);
    return 0;
}
