/* internal.h - the types the pipeline stages hand each other: a loaded
 * rule (rules.c), a hit (match.c), and the scorer and result that
 * score.c fills.  Not installed; the public API is include/meaculpa.h. */
#ifndef MC_INTERNAL_H
#define MC_INTERNAL_H

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdatomic.h>
#include <stdio.h>

#include "meaculpa.h"
#include "normalize.h"

#define MC_HIDDEN __attribute__((visibility("hidden")))

/* Deduction kinds of RUBRIC.md Step 2, in the rubric's order. */
enum { MC_DEDUCT_MINIMISING, MC_DEDUCT_EXCUSE, MC_DEDUCT_PARTIAL_BLAME,
       MC_DEDUCT_EVASIVE_PASSIVE, MC_DEDUCT_COUNT };

/* Internal effect for mask rules: never reported, only hides hits. */
#define MC_EFFECT_MASK ((mc_effect)100)

/* "requires = regret": an unconditional regret hit anywhere in the text;
 * "regret-before": one that starts before the hit. */
enum { MC_REQUIRES_REGRET = 1, MC_REQUIRES_BEFORE = 2 };

/* Bits of mc_hitset.kinds. */
enum { MC_MASKS_CAP = 1, MC_MASKS_REGRET = 2, MC_MASKS_COMPONENT = 4,
       MC_MASKS_DEDUCT = 8, MC_MASKS_ALL = 15 };

/* Which hits a rule names in "masks", "unless" or "needs": effect kinds,
 * kinds of deduction and rule ids. */
typedef struct {
    unsigned kinds;
    unsigned deducts;         /* bit k: a deduction of kind k (excuse, ...) */
    char **ids;
    size_t nids;
} mc_hitset;

static inline int mc_hitset_empty(const mc_hitset *s)
{
    return !s->kinds && !s->deducts && !s->nids;
}

typedef struct {
    char *source;       /* as written in the file */
    char *expanded;     /* what PCRE2 compiles: definitions inlined */
    size_t defs_len;    /* the inlined definitions before source */
    /* Interpreted code: compiled at load (rules files), or the first time
     * a text may match it (built-in rules; mc_pattern_code). */
    _Atomic(pcre2_code *) code;
    int compile_failed;       /* a built-in pattern that does not compile */
    /* A JIT-compiled copy, made once interpreting the pattern has cost
     * what JIT-compiling it does (mc_pattern_charge); that cost in
     * nanoseconds so far, and the bytes it has been run over (its time
     * counts only past MC_JIT_AFTER of them). */
    _Atomic(pcre2_code *) jit;
    _Atomic unsigned long long interp_ns;
    atomic_size_t seen;
    int line, column;
} mc_pattern;

typedef struct {
    char *text;
    int line;
    int must_match;
} mc_example;

typedef struct {
    char *id, *category, *message, *suggestion;
    char *file;
    int line;                 /* of the [id] header */
    mc_lang lang;             /* MC_LANG_AUTO means every language */
    mc_effect effect;
    int value;                /* cap level, component bit, deduct kind */
    int requires_regret;     /* 0, MC_REQUIRES_REGRET or _BEFORE */
    int regret_cap;           /* with-regret: the cap after regret, or 0 */
    int scope_text;
    mc_hitset masks;          /* a mask: the hits it hides */
    mc_hitset unless;         /* its hit is dropped beside one of these */
    mc_hitset needs;          /* its hit is dropped unless beside one */
    mc_pattern *patterns;
    size_t npatterns;
    mc_example *examples;
    size_t nexamples;
    int disabled;
    size_t slot;              /* its index in the set (per-rule scratch) */
} mc_rule;

/* What rules.c prepares on first use behind an immutable mc_rules:
 * compiled languages and their prefilters, under a lock. */
typedef struct mc_lazy mc_lazy;
typedef struct mc_prefilter mc_prefilter;
typedef struct mc_filter_scratch mc_filter_scratch;

struct mc_rules {
    mc_rule **rules;
    size_t n, cap;
    int jit;                  /* 1 when the JIT compiler is available */
    int builtin_only;         /* the built-in rules and no others: their
                               * prefilters come with the library */
    mc_lazy *lazy;
};

/* One match of a rule, as byte offsets into the normalized text. */
typedef struct {
    const mc_rule *rule;
    size_t start, end;
    size_t sentence;
    int masked;
    int value;         /* the rule's value, or its with-regret cap */
    int dropped;       /* by its rule's "unless" or "needs" (mc_apply_masks) */
} mc_hit;

typedef struct {
    mc_hit *v;
    size_t n, cap;
} mc_hits;

/* A rule that stopped on one text: a PCRE2 error code (a limit) or
 * MC_LIMIT_BUDGET (its time budget for the text ran out). */
#define MC_LIMIT_BUDGET (-1000)
/* ... or a built-in pattern that does not compile (a broken build). */
#define MC_LIMIT_COMPILE (-1001)
typedef struct {
    const mc_rule *rule;
    int code;
} mc_limit_hit;

struct mc_scorer {
    const mc_rules *rules;
    pcre2_match_data *md;
    pcre2_match_context *mctx;
    pcre2_jit_stack *jit_stack;
    mc_filter_scratch *filter; /* prefilter.c: which rules run where */
    mc_text text;             /* reused between texts */
    mc_hits hits;
    mc_limit_hit *limits;     /* rules stopped on the current text */
    size_t nlimits, limits_cap;
    uint32_t match_limit;     /* per start position (see match.c) */
    unsigned long rule_ms;    /* time budget per rule and text, and */
    unsigned long rule_ms_per_mib; /* more per MiB; rule_ms 0: none */
    unsigned long long budget_ns;   /* of the rule being matched; 0: none */
    unsigned long long deadline_ns; /* set at its first clock reading */
    unsigned budget_calls;          /* match calls of the rule so far */
};

struct mc_result {
    int score, level;
    mc_lang lang;
    unsigned components;
    mc_finding *findings;
    size_t nfindings, cap;
    char *limit_msg, *limit_file;  /* owned text of a limit finding */
};

/* rules.c */
/* Makes room for need elements of size bytes in *v (capacity *cap),
 * doubling; 0, or -1 when out of memory (then *v is unchanged). */
MC_HIDDEN int mc_grow(void **v, size_t *cap, size_t need, size_t size);
MC_HIDDEN const char *mc_deduct_name(int kind);
/* Cuts a partial UTF-8 character off the end of s (a message that
 * snprintf truncated). */
MC_HIDDEN void mc_utf8_trim(char *s);
MC_HIDDEN void mc_error_set(mc_error *err, const char *file, int line,
                            int column, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

/* rules.c: builds the prefilter of lang's rules (and every language's)
 * the first time a text of lang comes (*filter).  Thread-safe: rules stay
 * shareable. */
MC_HIDDEN int mc_rules_prepare(const mc_rules *set, mc_lang lang,
                               const mc_prefilter **filter, mc_error *err);
/* The code to match p with over a subject of len bytes: compiled on
 * first use, the JIT copy once there is one; NULL when a built-in pattern
 * does not compile.  *charge is set when the caller should time the match
 * and report it with mc_pattern_charge, which JIT-compiles p once its
 * time pays for it. */
MC_HIDDEN const pcre2_code *mc_pattern_code(const mc_rules *set,
                                            mc_pattern *p, size_t len,
                                            int *charge);
MC_HIDDEN void mc_pattern_charge(const mc_rules *set, mc_pattern *p,
                                 unsigned long long ns);

/* prefilter.c: the literals each rule needs (built per language by
 * mc_rules_prepare), and the scan of one text for them. */
MC_HIDDEN mc_prefilter *mc_prefilter_build(const mc_rules *set,
                                           mc_lang lang);
MC_HIDDEN void mc_prefilter_free(mc_prefilter *f);
/* The prefilter as words and bytes (malloc'd), and back: the built-in
 * rules' prefilters are made when the library is built (src/tools/
 * pfsnap.c writes mc_builtin_prefilter).  Load returns NULL when the
 * snapshot does not fit set (then build it). */
typedef struct {
    const uint32_t *words;
    size_t nwords;
    const char *bytes;
    size_t nbytes;
} mc_pf_blob;
MC_HIDDEN extern const mc_pf_blob mc_builtin_prefilter[MC_LANG_PL + 1];
MC_HIDDEN int mc_prefilter_serialize(const mc_prefilter *f, uint32_t **words,
                                     size_t *nwords, char **bytes,
                                     size_t *nbytes);
MC_HIDDEN mc_prefilter *mc_prefilter_load(const mc_pf_blob *b,
                                          const mc_rules *set);
/* Prepares t's language and scans t.  Then mc_prefilter_pass says
 * whether rule r can match in sentence k of t (SIZE_MAX: anywhere), and
 * until the next call mc_prefilter_pattern says which of r's patterns
 * can. */
MC_HIDDEN int mc_prepare_text(mc_scorer *s, const mc_text *t, mc_lang lang,
                              mc_error *err);
MC_HIDDEN int mc_prefilter_pass(mc_scorer *s, const mc_rule *r,
                                size_t sentence);
MC_HIDDEN int mc_prefilter_pattern(const mc_scorer *s, const mc_rule *r,
                                   size_t i);
MC_HIDDEN void mc_filter_scratch_free(mc_filter_scratch *x);

/* match.c: appends the hits of every enabled rule for lang to hits.
 * Returns MC_OK or MC_ERR_LIMIT (err names the rule) after recording
 * what it could. */
MC_HIDDEN int mc_match_text(mc_scorer *s, const mc_text *t, mc_lang lang,
                            mc_hits *hits, mc_error *err);
/* "rule ID (FILE:LINE) hit ...": what a limit hit means, for findings
 * and errors. */
MC_HIDDEN void mc_limit_message(const mc_limit_hit *l, char *buf,
                                size_t size);
/* Drops hits overlapped by a mask hit, and requires=regret hits when
 * there is no regret. */
MC_HIDDEN void mc_apply_masks(mc_hits *hits);

/* score.c */
MC_HIDDEN int mc_score_hits(const mc_text *t, const mc_hits *hits,
                            mc_lang lang, mc_result *res);
MC_HIDDEN int mc_result_add(mc_result *res, const mc_finding *f);

#endif
