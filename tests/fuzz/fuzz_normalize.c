/* fuzz_normalize.c - the normalizer and its offset map on arbitrary bytes.
 * Invariants: invalid UTF-8 is refused at exactly the first bad byte;
 * otherwise the buffer is valid UTF-8 with no NUL inside, every orig[i] is
 * a character start within [0, src_len], orig is non-decreasing and ends
 * at src_len, and the sentences are ordered, non-empty, inside the buffer
 * and on character boundaries.  The same mc_text is then reused for a
 * shorter text, as the scorer reuses it. */
#include "fuzz.h"
#include "normalize.h"

static void check_text(const mc_text *t, const char *src, size_t n)
{
    CHECK(t->src == src || n == 0);
    CHECK(t->src_len == n);
    CHECK(t->buf != NULL && t->orig != NULL);
    CHECK(t->len < t->cap);
    CHECK(t->buf[t->len] == '\0');
    CHECK(memchr(t->buf, 0, t->len) == NULL);
    CHECK(fz_utf8_valid(t->buf, t->len));
    CHECK(t->orig[t->len] == n);
    for (size_t i = 0; i < t->len; i++) {
        CHECK(t->orig[i] <= n);
        CHECK(t->orig[i] <= t->orig[i + 1]);
        CHECK(t->orig[i] == n || !fz_is_cont(src, t->orig[i]));
    }
    for (size_t k = 0; k < t->nsentences; k++) {
        const mc_span *sp = &t->sentences[k];
        CHECK(sp->start < sp->end && sp->end <= t->len);
        CHECK(!fz_is_cont(t->buf, sp->start));
        CHECK(sp->end == t->len || !fz_is_cont(t->buf, sp->end));
        if (k > 0)
            CHECK(t->sentences[k - 1].end <= sp->start);
    }
}

static void check_one(mc_text *t, const char *src, size_t n)
{
    mc_error err;
    memset(&err, 0, sizeof err);
    size_t bad = fz_utf8_invalid_at((const unsigned char *)src, n);
    int rc = mc_normalize(src, n, t, &err);
    if (bad < n) {
        char want[64];
        snprintf(want, sizeof want, "invalid UTF-8 at byte %zu", bad);
        CHECK(rc == MC_ERR_INPUT);
        CHECK(strcmp(err.message, want) == 0);
        CHECK(err.line >= 1 && err.column >= 1);
        return;
    }
    CHECK(rc == MC_OK);
    check_text(t, src, n);
    int line, col;
    mc_text_position(src, n, n / 2, &line, &col);
    CHECK(line >= 1 && col >= 1);
    mc_text_position(src, n, n + 5, &line, &col);
    CHECK(line >= 1 && col >= 1);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    mc_text t;
    char *src = malloc(size ? size : 1); /* a copy: ASan sees overreads */
    if (!src)
        return 0;
    memcpy(src, data, size);
    memset(&t, 0, sizeof t);
    check_one(&t, src, size);
    check_one(&t, src, size / 3);
    mc_text_free(&t);
    free(src);
    return 0;
}
