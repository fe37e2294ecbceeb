/* normalize.h - the normalized form of one text, as the rule engine sees
 * it, with the map back to the original bytes.  Owned by normalize.c. */
#ifndef MC_NORMALIZE_H
#define MC_NORMALIZE_H

#include <stddef.h>
#include "meaculpa.h"

/* A half-open byte range [start, end) of the normalized buffer. */
typedef struct {
    size_t start, end;
} mc_span;

typedef struct {
    const char *src;   /* the original text (not owned) */
    size_t src_len;
    char *buf;         /* normalized UTF-8, NUL-terminated (owned) */
    size_t len;
    size_t cap;
    /* orig[i] is the byte offset in src of the character that produced
     * normalized byte i; orig[len] == src_len.  Owned. */
    size_t *orig;
    /* Sentences (and clauses split at ';'), in order, covering the
     * writer's own words; quoted lines are left out. */
    mc_span *sentences;
    size_t nsentences;
    size_t sent_cap;
} mc_text;

/* Normalizes src into t (which it initialises): NFKC, case folding,
 * e for yo, ASCII quotes and dashes, HTML stripped, placeholders as the
 * neutral word "_", '>' quoted lines blanked unless the whole reply is
 * quoted.  Invalid UTF-8 is MC_ERR_INPUT with the line, column and byte
 * offset in err.  Free t with mc_text_free even on error. */
int mc_normalize(const char *src, size_t len, mc_text *t, mc_error *err);
void mc_text_free(mc_text *t);

/* Line and column (1-based, column in characters) of byte offset off of
 * the original text.  CRLF and lone CR each end one line. */
void mc_text_position(const char *src, size_t src_len, size_t off,
                      int *line, int *column);

#endif
