/* fuzz.h - what every harness of tests/fuzz shares: the libFuzzer entry
 * point, CHECK() for invariants (it aborts, which libFuzzer reports as a
 * crash and the replay driver as a failure), an independent UTF-8
 * validator, and the checks on a scored result and its JSON report. */
#ifndef MC_FUZZ_H
#define MC_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "meaculpa.h"
#include "normalize.h" /* mc_text_position, to check positions */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                         \
    do {                                                                    \
        if (!(cond)) {                                                      \
            fprintf(stderr, "%s:%d: invariant failed: %s\n", __FILE__,      \
                    __LINE__, #cond);                                       \
            abort();                                                        \
        }                                                                   \
    } while (0)

/* Offset of the first byte that is not valid UTF-8 (RFC 3629: no
 * overlongs, surrogates or values above U+10FFFF), or n.  Written apart
 * from normalize.c on purpose, so the two check each other. */
static inline size_t fz_utf8_invalid_at(const unsigned char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        unsigned c = s[i];
        size_t k;
        uint32_t cp, min;
        if (c < 0x80) {
            i++;
            continue;
        } else if ((c & 0xE0) == 0xC0) {
            k = 2, cp = c & 0x1F, min = 0x80;
        } else if ((c & 0xF0) == 0xE0) {
            k = 3, cp = c & 0x0F, min = 0x800;
        } else if ((c & 0xF8) == 0xF0) {
            k = 4, cp = c & 0x07, min = 0x10000;
        } else {
            return i;
        }
        if (n - i < k)
            return i;
        for (size_t j = 1; j < k; j++) {
            if ((s[i + j] & 0xC0) != 0x80)
                return i;
            cp = (cp << 6) | (s[i + j] & 0x3F);
        }
        if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            return i;
        i += k;
    }
    return n;
}

static inline int fz_utf8_valid(const char *s, size_t n)
{
    return fz_utf8_invalid_at((const unsigned char *)s, n) == n;
}

static inline int fz_is_cont(const char *s, size_t i)
{
    return ((unsigned char)s[i] & 0xC0) == 0x80;
}

/* The error a function filled in: a message, always; line and column
 * never negative; valid UTF-8 when what it quotes was. */
static inline void fz_check_error(const mc_error *e, int input_valid)
{
    CHECK(e->message[0] != '\0');
    CHECK(strcmp(e->message, "error") != 0);
    CHECK(e->line >= 0 && e->column >= 0);
    CHECK(memchr(e->message, 0, sizeof e->message) != NULL);
    if (input_valid)
        CHECK(fz_utf8_valid(e->message, strlen(e->message)));
}

/* Every invariant of a result of scoring text[0..len). */
static inline void fz_check_result(const mc_result *r, const char *text,
                                   size_t len)
{
    static const int levels[] = {1, 2, 3, 4, 5, 6, 9};
    int score = mc_result_score(r), level = mc_result_level(r), ok = 0;
    CHECK(score >= 1 && score <= 10);
    for (size_t i = 0; i < sizeof levels / sizeof levels[0]; i++)
        ok |= level == levels[i];
    CHECK(ok);
    CHECK(mc_lang_name(mc_result_lang(r)) != NULL);
    CHECK(mc_result_lang(r) != MC_LANG_AUTO);
    CHECK((mc_result_components(r) & ~0x3Fu) == 0);
    CHECK(mc_result_finding(r, mc_result_finding_count(r)) == NULL);
    for (size_t i = 0; i < mc_result_finding_count(r); i++) {
        const mc_finding *f = mc_result_finding(r, i);
        char label[64];
        CHECK(f && f->rule && f->category && f->message && f->suggestion);
        CHECK(f->match && f->rule_file);
        CHECK(f->effect >= MC_EFFECT_CAP && f->effect <= MC_EFFECT_LIMIT);
        CHECK(f->counted == 0 || f->counted == 1);
        CHECK(mc_effect_label(f, label, sizeof label) == label);
        if (f->line == 0) { /* no position */
            CHECK(f->column == 0 && f->length == 0 && f->match[0] == '\0');
            CHECK(f->effect == MC_EFFECT_MISSING ||
                  f->effect == MC_EFFECT_LIMIT);
            continue;
        }
        CHECK(f->line >= 1 && f->column >= 1);
        int line, col;
        mc_text_position(text, len, f->offset, &line, &col);
        CHECK(f->line == line && f->column == col);
        CHECK(f->offset <= len && f->length <= len - f->offset);
        CHECK(strlen(f->match) == f->length);
        for (size_t j = 0; j < f->length; j++) /* NUL shows as a space */
            CHECK(f->match[j] == (text[f->offset + j] ? text[f->offset + j]
                                                       : ' '));
        CHECK(f->offset == len || !fz_is_cont(text, f->offset));
        CHECK(f->offset + f->length == len ||
              !fz_is_cont(text, f->offset + f->length));
        CHECK(fz_utf8_valid(f->match, f->length));
        /* text order: positioned findings are sorted by offset */
        if (i > 0 && mc_result_finding(r, i - 1)->line)
            CHECK(mc_result_finding(r, i - 1)->offset <= f->offset);
    }
}

/* The JSON report: valid UTF-8, valid JSON, and saying what r says. */
static inline void fz_check_report(const mc_result *r, const char *file,
                                   const char *id_json)
{
    char *s = mc_report_json(r, file, id_json);
    CHECK(s != NULL);
    size_t n = strlen(s);
    CHECK(fz_utf8_valid(s, n));
    CHECK(memchr(s, '\n', n) == NULL);
    json_error_t je;
    json_t *o = json_loads(s, 0, &je);
    CHECK(o != NULL && json_is_object(o));
    CHECK(json_integer_value(json_object_get(o, "score")) ==
          mc_result_score(r));
    CHECK(json_integer_value(json_object_get(o, "level")) ==
          mc_result_level(r));
    json_t *fs = json_object_get(o, "findings");
    CHECK(json_is_array(fs) && json_array_size(fs) ==
                                   mc_result_finding_count(r));
    for (size_t i = 0; i < json_array_size(fs); i++) {
        const mc_finding *f = mc_result_finding(r, i);
        json_t *m = json_object_get(json_array_get(fs, i), "match");
        CHECK(json_is_string(m));
        CHECK(json_string_length(m) == strlen(f->match));
        CHECK(memcmp(json_string_value(m), f->match, strlen(f->match)) == 0);
    }
    if (file)
        CHECK(json_is_string(json_object_get(o, "file")));
    if (id_json)
        CHECK(json_object_get(o, "id") != NULL);
    json_decref(o);
    free(s);
}

/* The default rules and a scorer over them, made once per harness process
 * (the rules are immutable; the scorer is reused, as the CLI reuses it). */
static inline void fz_default_scorer(mc_rules **rules, mc_scorer **scorer)
{
    mc_error err;
    memset(&err, 0, sizeof err);
    *rules = mc_rules_new();
    CHECK(*rules && mc_rules_add_default(*rules, &err) == MC_OK);
    *scorer = mc_scorer_new(*rules, &err);
    CHECK(*scorer != NULL);
}

#endif
