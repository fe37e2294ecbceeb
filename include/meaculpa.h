/* meaculpa.h - score a draft apology (en, ru, pl) on the 1-10 scale of
 * RUBRIC.md and explain, word by word, every point it loses.
 *
 * The pipeline: text -> normalized text + offset map -> rule hits -> score
 * -> report.  Types are opaque; every *_new has a *_free, and *_free(NULL)
 * does nothing.  The library never prints and keeps no global mutable
 * state: an mc_rules is immutable once built and may be shared by threads,
 * an mc_scorer holds per-thread scratch and must not be shared.
 */
#ifndef MEACULPA_H
#define MEACULPA_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
#define MC_API __attribute__((visibility("default")))
#else
#define MC_API
#endif

#define MC_VERSION "0.1.0"

/* Return codes.  MC_OK is 0; every error is negative. */
typedef enum {
    MC_OK = 0,
    MC_ERR_NOMEM = -1,  /* out of memory */
    MC_ERR_IO = -2,     /* a file could not be read */
    MC_ERR_RULES = -3,  /* a rules file is malformed */
    MC_ERR_INPUT = -4,  /* the text is not valid UTF-8 or too large */
    MC_ERR_LIMIT = -5,  /* a pattern hit its match limit */
    MC_ERR_USAGE = -6   /* a bad argument */
} mc_status;

/* Where and what went wrong.  file is "" when no file is involved; line
 * and column are 1-based, 0 when unknown. */
typedef struct {
    char file[512];
    int line;
    int column;
    char message[512];
} mc_error;

/* Languages.  MC_LANG_AUTO asks the scorer to detect it per text. */
typedef enum { MC_LANG_AUTO = 0, MC_LANG_EN, MC_LANG_RU, MC_LANG_PL } mc_lang;

/* "en", "ru", "pl" (or "auto"); NULL for an unknown value. */
MC_API const char *mc_lang_name(mc_lang lang);
/* Parses "en", "ru", "pl", "auto"; returns -1 for anything else. */
MC_API int mc_lang_parse(const char *name);
/* Detects the language of UTF-8 text: Cyrillic -> ru, Polish letters or
 * common Polish words -> pl, else en.  Never returns MC_LANG_AUTO. */
MC_API mc_lang mc_detect_lang(const char *text, size_t len);

/* ---- Rules ------------------------------------------------------------ */

typedef struct mc_rules mc_rules;

/* An empty rule set. */
MC_API mc_rules *mc_rules_new(void);
MC_API void mc_rules_free(mc_rules *rules);
/* Adds the rules compiled into the library at build time. */
MC_API int mc_rules_add_default(mc_rules *rules, mc_error *err);
/* Adds every *.rules file of dir, in name order.  A rule whose id exists
 * already replaces the earlier one. */
MC_API int mc_rules_add_dir(mc_rules *rules, const char *dir, mc_error *err);
/* Adds one rules file held in memory; name is used in error messages. */
MC_API int mc_rules_add_buffer(mc_rules *rules, const char *name,
                               const char *buf, size_t len, mc_error *err);
/* Turns a rule off by id (e.g. from a config file); unknown ids are
 * MC_ERR_USAGE. */
MC_API int mc_rules_disable(mc_rules *rules, const char *id, mc_error *err);
MC_API size_t mc_rules_count(const mc_rules *rules);

/* Called once per failed rule example by mc_rules_check. */
typedef void (*mc_check_fn)(void *ctx, const char *file, int line,
                            const char *rule_id, const char *message);
/* Runs every rule against its own "match" and "nomatch" examples.
 * Returns the number of failures (0 when all pass), or a negative
 * mc_status. */
MC_API int mc_rules_check(const mc_rules *rules, mc_check_fn fn, void *ctx);

/* Calls fn for every pattern of every enabled rule, as PCRE2 source with
 * its definitions inlined (what --dump-patterns prints). */
typedef void (*mc_pattern_fn)(void *ctx, const char *rule_id,
                              const char *pattern);
MC_API void mc_rules_each_pattern(const mc_rules *rules, mc_pattern_fn fn,
                                  void *ctx);

/* ---- Scoring ---------------------------------------------------------- */

typedef struct mc_scorer mc_scorer;
typedef struct mc_result mc_result;

/* A scorer over rules; rules must outlive it.  One per thread. */
MC_API mc_scorer *mc_scorer_new(const mc_rules *rules, mc_error *err);
MC_API void mc_scorer_free(mc_scorer *scorer);
/* Bounds every match the scorer runs.  match_limit is PCRE2's match limit
 * per call and start position (0: the default, 100000); an anchored
 * pattern, which has one start position, gets it once per 256 bytes of the
 * text it runs over.  rule_ms is the
 * CPU time one rule may spend on one text (0: the default, 1000 ms plus
 * 4 ms per KiB of text; ULONG_MAX: no time budget).  A rule that hits
 * either keeps the hits it found, is left out for the rest of that text
 * and is reported as an MC_EFFECT_LIMIT finding.  MC_ERR_USAGE for a
 * NULL scorer or a match_limit above 2^32-1. */
MC_API int mc_scorer_set_limits(mc_scorer *scorer, unsigned long match_limit,
                                unsigned long rule_ms);

/* Scores one UTF-8 text.  On MC_OK *out is a new result the caller frees
 * with mc_result_free.  Invalid UTF-8 is MC_ERR_INPUT with the line,
 * column and byte offset in err. */
MC_API int mc_score(mc_scorer *scorer, const char *text, size_t len,
                    mc_lang lang, mc_result **out, mc_error *err);
MC_API void mc_result_free(mc_result *result);

/* Inline control ("<!-- meaculpa-disable hedge.if -->"): hits of rule
 * (every rule when rule is NULL) that start at a byte offset in
 * [start, end) of the text are dropped before the score is computed, so
 * a suppressed hit changes the score as if the words were not there. */
typedef struct {
    const char *rule;       /* a rule id, or NULL for every rule */
    size_t start, end;      /* byte offsets into the text; end exclusive */
} mc_suppression;

/* mc_score with suppressions (nsup of them at sup; sup may be NULL when
 * nsup is 0).  The array and its strings are only read during the call;
 * the caller keeps ownership. */
MC_API int mc_score_ex(mc_scorer *scorer, const char *text, size_t len,
                       mc_lang lang, const mc_suppression *sup, size_t nsup,
                       mc_result **out, mc_error *err);

/* The six components of RUBRIC.md Step 2, as bits. */
typedef enum {
    MC_COMP_OWNERSHIP = 1 << 0,
    MC_COMP_REMEDY = 1 << 1,
    MC_COMP_PREVENTION = 1 << 2,
    MC_COMP_COMPENSATION = 1 << 3,
    MC_COMP_EMPATHY = 1 << 4,
    MC_COMP_TRUST = 1 << 5
} mc_component;
#define MC_COMP_COUNT 6
/* "ownership", "remedy", ... for one bit; NULL otherwise. */
MC_API const char *mc_component_name(unsigned bit);

MC_API int mc_result_score(const mc_result *r);      /* 1..10 */
MC_API int mc_result_level(const mc_result *r);      /* Step 1: 1..6 or 9 */
MC_API mc_lang mc_result_lang(const mc_result *r);
MC_API unsigned mc_result_components(const mc_result *r); /* mc_component bits */
MC_API size_t mc_result_finding_count(const mc_result *r);

/* What a finding does to the score. */
typedef enum {
    MC_EFFECT_CAP,        /* caps the core level at value */
    MC_EFFECT_REGRET,     /* unconditional regret: core level 9 */
    MC_EFFECT_COMPONENT,  /* a Step 2 component (value is its bit) */
    MC_EFFECT_DEDUCT,     /* -1 from 9 or 10, never below 7 */
    MC_EFFECT_MISSING,    /* no regret / no remediation: no position */
    MC_EFFECT_LIMIT       /* a rule hit a match limit or its time budget
                             and was left out: rule, rule_file and
                             rule_line name it, message says which limit;
                             or (rule "limit.findings") more than 100
                             findings of one rule: the message counts
                             those not listed.  No position. */
} mc_effect;

typedef struct {
    const char *rule;       /* stable id, e.g. "hedge.if" */
    const char *category;   /* e.g. "conditional" */
    mc_effect effect;
    int value;              /* cap level, component bit, or 0 */
    int counted;            /* 1 if it changed the score, 0 if outweighed */
    int line, column;       /* 1-based, in characters; 0 when none */
    size_t offset, length;  /* bytes into the original text */
    const char *match;      /* the original words (NUL-terminated; a NUL
                               byte of the text shows as a space), or "" */
    const char *message;
    const char *suggestion;
    const char *rule_file;  /* where the rule was defined */
    int rule_line;
} mc_finding;

/* What reports say about one rule (SARIF's tool.driver.rules).  The
 * strings are owned by rules and live as long as it; suggestion is ""
 * when the rule has none. */
typedef struct mc_rule_info {
    const char *id, *category, *message, *suggestion;
    const char *file;       /* where the rule was defined */
    int line;
    mc_lang lang;           /* MC_LANG_AUTO: every language */
    mc_effect effect;       /* as in mc_finding; mask rules are skipped */
    int value;
    int disabled;
} mc_rule_info;

/* Fills *out with the i-th reportable rule (0-based, in load order, mask
 * rules left out) and returns 1, or returns 0 when i is past the end. */
MC_API int mc_rules_info(const mc_rules *rules, size_t i, mc_rule_info *out);

/* The i-th finding, in text order (findings without position last).
 * Owned by the result. */
MC_API const mc_finding *mc_result_finding(const mc_result *r, size_t i);
/* "caps at 6", "-1", "+remedy", ...: a short effect label. */
MC_API const char *mc_effect_label(const mc_finding *f, char *buf,
                                   size_t size);

/* ---- Reports ---------------------------------------------------------- */

/* One compact JSON object (no newline) describing the result: "id" when
 * id_json is not NULL (a JSON value as text, e.g. "\"a-1\"" or "42",
 * copied as it is), "file" when file is not NULL, then "lang", "score",
 * "level", "components" and "findings".  The caller frees it with free().
 * NULL when out of memory. */
MC_API char *mc_report_json(const mc_result *r, const char *file,
                            const char *id_json);

#ifdef __cplusplus
}
#endif
#endif
