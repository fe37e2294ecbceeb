/* test_normalize.c - unit tests of normalize.c: the normalized text, the
 * offset map back to the original, sentence splitting and errors. */

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "normalize.h"

/* Normalizes s (a C string) into a fresh text that must succeed. */
static mc_text norm_ok(const char *s)
{
    mc_text t;
    mc_error err;

    memset(&t, 0, sizeof t);
    memset(&err, 0, sizeof err);
    assert_int_equal(mc_normalize(s, strlen(s), &t, &err), MC_OK);
    return t;
}

static void expect_norm(const char *src, const char *want)
{
    mc_text t = norm_ok(src);

    assert_string_equal(t.buf, want);
    assert_int_equal(t.len, strlen(want));
    mc_text_free(&t);
}

/* The original bytes behind the first occurrence of needle in the
 * normalized text, as a rule hit would report them. */
static void hit_in_src(const mc_text *t, const char *needle, size_t *off,
                       size_t *len)
{
    const char *p = strstr(t->buf, needle);
    size_t a, b;

    assert_non_null(p);
    a = (size_t)(p - t->buf);
    b = a + strlen(needle);
    *off = t->orig[a];
    *len = t->orig[b] - t->orig[a];
}

static void expect_hit(const mc_text *t, const char *needle, const char *orig,
                       int line, int column)
{
    size_t off, len;
    int l, c;

    hit_in_src(t, needle, &off, &len);
    assert_int_equal(len, strlen(orig));
    assert_memory_equal(t->src + off, orig, len);
    mc_text_position(t->src, t->src_len, off, &l, &c);
    assert_int_equal(l, line);
    assert_int_equal(c, column);
}

static void expect_sentences(const char *src, const char *const *want,
                             size_t n)
{
    mc_text t = norm_ok(src);
    size_t k;

    assert_int_equal(t.nsentences, n);
    for (k = 0; k < n; k++) {
        const mc_span *sp = &t.sentences[k];

        assert_int_equal(sp->end - sp->start, strlen(want[k]));
        assert_memory_equal(t.buf + sp->start, want[k], strlen(want[k]));
    }
    mc_text_free(&t);
}

/* orig stays inside the source, never goes backwards, ends at src_len. */
static void check_map(const mc_text *t)
{
    size_t i;

    assert_int_equal(t->orig[t->len], t->src_len);
    assert_int_equal(t->buf[t->len], '\0');
    for (i = 0; i < t->len; i++) {
        assert_true(t->orig[i] <= t->src_len);
        assert_true(t->orig[i] <= t->orig[i + 1]);
    }
}

/* ---- offsets ----------------------------------------------------------- */

static void test_offsets_cyrillic(void **state)
{
    const char *src = "Здравствуйте, Анна!\r\n"
                      "Мы  ПРИНОСИМ извинения за Ёлку.";
    mc_text t = norm_ok(src);

    (void)state;
    check_map(&t);
    expect_hit(&t, "приносим извинения", "ПРИНОСИМ извинения", 2, 5);
    expect_hit(&t, "анна", "Анна", 1, 15);
    expect_hit(&t, "елку", "Ёлку", 2, 27);
    mc_text_free(&t);
}

static void test_offsets_polish(void **state)
{
    const char *src = "Szanowna Pani,\n\nBARDZO przepraszamy za BŁĄD w "
                      "zamówieniu.\nŻółw też.";
    mc_text t = norm_ok(src);

    (void)state;
    check_map(&t);
    expect_hit(&t, "błąd", "BŁĄD", 3, 24);
    expect_hit(&t, "zamówieniu", "zamówieniu", 3, 31);
    expect_hit(&t, "też", "też", 4, 6);
    mc_text_free(&t);
}

static void test_position_lines(void **state)
{
    const char *src = "a\r\nb\rc\nżółw x";
    size_t n = strlen(src);
    int l, c;

    (void)state;
    mc_text_position(src, n, 0, &l, &c);
    assert_int_equal(l, 1);
    assert_int_equal(c, 1);
    mc_text_position(src, n, 3, &l, &c); /* b after CRLF */
    assert_int_equal(l, 2);
    assert_int_equal(c, 1);
    mc_text_position(src, n, 5, &l, &c); /* c after lone CR */
    assert_int_equal(l, 3);
    assert_int_equal(c, 1);
    mc_text_position(src, n, (size_t)(strchr(src, 'x') - src), &l, &c);
    assert_int_equal(l, 4);
    assert_int_equal(c, 6); /* columns count characters, not bytes */
    mc_text_position(src, n, n, &l, &c);
    assert_int_equal(l, 4);
    assert_int_equal(c, 7);
}

static void test_crlf_normalized(void **state)
{
    mc_text t = norm_ok("one\r\ntwo\rthree\n");

    (void)state;
    assert_string_equal(t.buf, "one\ntwo\nthree\n");
    check_map(&t);
    expect_hit(&t, "three", "three", 3, 1);
    mc_text_free(&t);
}

static void test_bom(void **state)
{
    mc_text t = norm_ok("\xEF\xBB\xBFSorry");

    (void)state;
    assert_string_equal(t.buf, "sorry");
    assert_int_equal(t.orig[0], 3);
    expect_hit(&t, "sorry", "Sorry", 1, 1);
    mc_text_free(&t);
}

/* ---- characters -------------------------------------------------------- */

static void test_nfkc_and_case(void **state)
{
    (void)state;
    expect_norm("\xEF\xBC\xB3\xEF\xBD\x8F\xEF\xBD\x92\xEF\xBD\x92\xEF\xBD\x99",
                "sorry");                          /* fullwidth Ｓｏｒｒｙ */
    expect_norm("\xEF\xAC\x81x", "fix");           /* ligature ﬁ */
    expect_norm("\xD0\xB8\xCC\x86", "й");          /* и + combining breve */
    expect_norm("ИЗВИНИТЕ Straße ŻÓŁW", "извините strasse żółw");
    expect_norm("cafe\xCC\x81 caf\xC3\xA9", "café café");
}

static void test_decomposed_offsets(void **state)
{
    /* A combining mark maps to its starter's offset. */
    const char *src = "x \xD0\xB8\xCC\x86" "ду";  /* x йду, й decomposed */
    mc_text t = norm_ok(src);

    (void)state;
    assert_string_equal(t.buf, "x йду");
    check_map(&t);
    expect_hit(&t, "йду", "\xD0\xB8\xCC\x86" "ду", 1, 3);
    mc_text_free(&t);
}

static void test_yo(void **state)
{
    (void)state;
    expect_norm("Ёлка, ещё, ЕЩЁ", "елка, еще, еще");
    expect_norm("\xD0\xB5\xCC\x88", "е"); /* е + combining diaeresis */
}

static void test_quotes_dashes_spaces(void **state)
{
    (void)state;
    expect_norm("‘a’ “b” „c” «d» ‚e‛ `f′ ″g″",
                "'a' \"b\" \"c\" \"d\" 'e' 'f' \"g\"");
    expect_norm("a–b—c‐d‑e‒f―g−h", "a-b-c-d-e-f-g-h");
    expect_norm("a\xC2\xA0\xE2\x80\x83 b\tc", "a b c"); /* NBSP, em space */
    expect_norm("wo\xE2\x80\x8Brd soft\xC2\xADly", "word softly");
    expect_norm("  a  \t b \n   c  ", "a b\nc");
}

static void test_nul_is_space(void **state)
{
    mc_text t;
    mc_error err;

    (void)state;
    memset(&t, 0, sizeof t);
    assert_int_equal(mc_normalize("we\0are", 6, &t, &err), MC_OK);
    assert_string_equal(t.buf, "we are");
    mc_text_free(&t);
}

/* ---- markup ------------------------------------------------------------ */

static void test_html(void **state)
{
    mc_text t;

    (void)state;
    expect_norm("<p>We&rsquo;re <b>very</b> sorry&nbsp;&amp; sad&#33; "
                "&#x41;&hellip;</p><p>Next</p>",
                "we're very sorry & sad! a...\n\nnext");
    expect_norm("<div>Hi,</div><div>line<br>two</div>", "hi,\nline\ntwo");
    expect_norm("a <!-- hidden\n note --> b", "a b");
    expect_norm("<html><head><style>p{color:red}</style></head>"
                "<body><p>Text</p></body></html>", "text");
    expect_norm("3 < 4 &bogus; <3 &lt;b&gt;", "3 < 4 &bogus; <3 <b>");
    expect_norm("&laquo;x&raquo; &ldquo;y&rdquo; &bdquo;z&ldquo; &mdash; "
                "&ndash; &#150;", "\"x\" \"y\" \"z\" - - -");
    t = norm_ok("<p>Dear <b>Anna</b>,</p>");
    check_map(&t);
    expect_hit(&t, "anna", "Anna", 1, 12);
    mc_text_free(&t);
}

static void test_html_newlines_are_layout(void **state)
{
    (void)state;
    expect_norm("<p>We are sorry\nfor the delay.</p>\n<p>Bye</p>",
                "we are sorry for the delay.\n\nbye");
    /* A blank line still parts paragraphs in HTML-ish Markdown... */
    expect_norm("<div>Hi,\n\nsorry</div>", "hi,\n\nsorry");
    /* ...and a lone <br> does not make a text HTML. */
    expect_norm("Hi,<br>\nsorry\nagain", "hi,\n\nsorry\nagain");
}

static void test_placeholders(void **state)
{
    mc_text t;

    (void)state;
    expect_norm("Hi {{ticket.requester.first_name}}!", "hi _!");
    expect_norm("{% if vip %}Gift{% endif %}", "_gift_");
    expect_norm("Dear ${user.name},", "dear _,");
    expect_norm("Dear {name}, your {order/billing cycle}", "dear _, your _");
    expect_norm("Hello %FIRST_NAME%", "hello _");
    expect_norm("Dear [Name], [Imię], [Имя клиента]", "dear _, _, _");
    expect_norm("<#-- FreeMarker note -->Sorry", "sorry");
    expect_norm("A<--subject separator-->B", "ab");
    expect_norm("{{{raw}}} x", "_ x");
    expect_norm("Dear <Name>, <Имя клиента>! <B>Bold</B>", "dear _, _! bold");
    /* Not placeholders. */
    expect_norm("50% off, 20%-30%", "50% off, 20%-30%");
    expect_norm("{Short explanation, in plain English} {brief description}",
                "_ _");
    expect_norm("{ spaced } {x\ny} [sic] [Link](http://x)",
                "{ spaced } {x\ny} [sic] [link](http://x)");
    expect_norm("[Order 12]", "[order 12]");
    t = norm_ok("Sorry, {{name}}.");
    expect_hit(&t, "_", "{{name}}", 1, 8);
    mc_text_free(&t);
}

static void test_gap_mapping(void **state)
{
    /* A hit ending before dropped markup and a space ends at the word. */
    mc_text t = norm_ok("We <i>apologise</i>  \nfor <b>this</b>&nbsp;delay");

    (void)state;
    check_map(&t);
    assert_string_equal(t.buf, "we apologise\nfor this delay");
    expect_hit(&t, "we apologise", "We <i>apologise", 1, 1);
    expect_hit(&t, "for this", "for <b>this", 2, 1);
    expect_hit(&t, "delay", "delay", 2, 22);
    mc_text_free(&t);
}

static void test_markdown_emphasis(void **state)
{
    mc_text t;

    (void)state;
    expect_norm("We are **really** sorry, __truly__.",
                "we are really sorry, truly.");
    expect_norm("*************\nHello *you* a_b", "hello *you* a_b");
    t = norm_ok("**Sorry** now, **truly**! x<i>Yes</i>, y");
    check_map(&t);
    expect_hit(&t, "sorry", "Sorry", 1, 3);
    expect_hit(&t, "truly", "truly", 1, 18);
    expect_hit(&t, "yes", "Yes", 1, 31);
    mc_text_free(&t);
}

static void test_quoted_lines_blanked(void **state)
{
    mc_text t = norm_ok("We are sorry.\n"
                        "> You never refund anyone.\n"
                        "  > Second quoted line.\n"
                        "Regards");

    (void)state;
    assert_string_equal(t.buf, "we are sorry.\n\n\nregards");
    assert_null(strstr(t.buf, "refund"));
    check_map(&t);
    assert_int_equal(t.nsentences, 2);
    mc_text_free(&t);
}

static void test_whole_blockquote_kept(void **state)
{
    mc_text t = norm_ok("> We are sorry.\n>\n> > We will refund you.\n");

    (void)state;
    assert_string_equal(t.buf, "we are sorry.\n\nwe will refund you.\n");
    expect_hit(&t, "refund", "refund", 3, 13);
    mc_text_free(&t);
}

/* ---- sentences ---------------------------------------------------------- */

static void test_sentences_scope(void **state)
{
    static const char *const want[] = {"if you have questions, just reply.",
                                       "we are sorry."};

    (void)state;
    expect_sentences("If you have questions, just reply. We are sorry.",
                     want, 2);
}

static void test_sentences_quote(void **state)
{
    static const char *const want[] = {
        "you wrote \"this is a joke. nobody answers!\" and you are right.",
        "sorry."};

    (void)state;
    expect_sentences("You wrote \"this is a joke. Nobody answers!\" and you "
                     "are right. Sorry.", want, 2);
}

static void test_sentences_quote_ends(void **state)
{
    static const char *const want[] = {"he said \"we are sorry.\"",
                                       "then we left?!", "ok"};

    (void)state;
    expect_sentences("He said \"We are sorry.\" Then we left?! OK", want, 3);
}

static void test_sentences_abbrev(void **state)
{
    static const char *const want[] = {
        "mr. smith, e.g. you, paid 3.5 usd;", /* ';' ends a clause too */
        "we refund it.",
        "przesyłka nr. 5, np. jutro, ul. długa.",
        "т.е. мы ошиблись, г. москва."};

    (void)state;
    expect_sentences("Mr. Smith, e.g. you, paid 3.5 USD; we refund it. "
                     "Przesyłka nr. 5, np. jutro, ul. Długa. "
                     "Т.е. мы ошиблись, г. Москва.", want, 4);
}

static void test_sentences_lines(void **state)
{
    static const char *const want[] = {"hi anna,",
                                       "we are sorry for\nthe delay",
                                       "it ships today", "thanks"};

    (void)state;
    expect_sentences("Hi Anna,\nWe are sorry for\nthe delay\n\n"
                     "It ships today\n\n\nThanks\n", want, 4);
}

static void test_sentences_unclosed_quote(void **state)
{
    static const char *const want[] = {"he said \"sorry.", "we left."};

    (void)state;
    expect_sentences("He said \"sorry. We left.", want, 2);
}

/* ---- errors and buffers ---------------------------------------------- */

static void expect_invalid(const char *src, size_t len, size_t byte,
                           int line, int column)
{
    mc_text t;
    mc_error err;
    char want[64];

    memset(&t, 0, sizeof t);
    memset(&err, 0, sizeof err);
    assert_int_equal(mc_normalize(src, len, &t, &err), MC_ERR_INPUT);
    snprintf(want, sizeof want, "invalid UTF-8 at byte %zu", byte);
    assert_string_equal(err.message, want);
    assert_int_equal(err.line, line);
    assert_int_equal(err.column, column);
    mc_text_free(&t);
}

static void test_invalid_utf8(void **state)
{
    (void)state;
    expect_invalid("ok\nżab\xC0\x80", 9, 7, 2, 4);       /* overlong */
    expect_invalid("a\xED\xA0\x80", 4, 1, 1, 2);          /* surrogate */
    expect_invalid("\xF4\x90\x80\x80", 4, 0, 1, 1);       /* > U+10FFFF */
    expect_invalid("ab\r\ncd\xE2\x82", 8, 6, 2, 3);        /* truncated */
    expect_invalid("\xFFx", 2, 0, 1, 1);
    expect_invalid("x\x80", 2, 1, 1, 2);             /* lone continuation */
}

static void test_empty(void **state)
{
    mc_text t;
    mc_error err;

    (void)state;
    memset(&t, 0, sizeof t);
    assert_int_equal(mc_normalize("", 0, &t, &err), MC_OK);
    assert_int_equal(t.len, 0);
    assert_string_equal(t.buf, "");
    assert_int_equal(t.orig[0], 0);
    assert_int_equal(t.nsentences, 0);
    mc_text_free(&t);
    assert_null(t.buf);
    mc_text_free(&t); /* twice is harmless */
    expect_norm(" \t ", "");
    expect_norm("\n\n<p>\n</p>\n", "");
}

static void test_buffer_reuse(void **state)
{
    const char *a = "The first text is much longer than the second one. "
                    "It has two sentences, and a third; too.";
    const char *b = "Короче.";
    mc_text t;
    mc_error err;
    char *buf;
    size_t *orig, cap;

    (void)state;
    memset(&t, 0, sizeof t);
    assert_int_equal(mc_normalize(a, strlen(a), &t, &err), MC_OK);
    assert_int_equal(t.nsentences, 3);
    buf = t.buf;
    orig = t.orig;
    cap = t.cap;
    assert_int_equal(mc_normalize(b, strlen(b), &t, &err), MC_OK);
    assert_ptr_equal(t.buf, buf);
    assert_ptr_equal(t.orig, orig);
    assert_int_equal(t.cap, cap);
    assert_string_equal(t.buf, "короче.");
    assert_ptr_equal(t.src, b);
    assert_int_equal(t.src_len, strlen(b));
    assert_int_equal(t.nsentences, 1);
    assert_int_equal(t.sentences[0].end, strlen("короче."));
    check_map(&t);
    /* An error leaves a usable, empty text. */
    assert_int_equal(mc_normalize("\xFF", 1, &t, &err), MC_ERR_INPUT);
    assert_int_equal(t.len, 0);
    assert_int_equal(t.nsentences, 0);
    mc_text_free(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_offsets_cyrillic),
        cmocka_unit_test(test_offsets_polish),
        cmocka_unit_test(test_position_lines),
        cmocka_unit_test(test_crlf_normalized),
        cmocka_unit_test(test_bom),
        cmocka_unit_test(test_nfkc_and_case),
        cmocka_unit_test(test_decomposed_offsets),
        cmocka_unit_test(test_yo),
        cmocka_unit_test(test_quotes_dashes_spaces),
        cmocka_unit_test(test_nul_is_space),
        cmocka_unit_test(test_html),
        cmocka_unit_test(test_html_newlines_are_layout),
        cmocka_unit_test(test_placeholders),
        cmocka_unit_test(test_gap_mapping),
        cmocka_unit_test(test_markdown_emphasis),
        cmocka_unit_test(test_quoted_lines_blanked),
        cmocka_unit_test(test_whole_blockquote_kept),
        cmocka_unit_test(test_sentences_scope),
        cmocka_unit_test(test_sentences_quote),
        cmocka_unit_test(test_sentences_quote_ends),
        cmocka_unit_test(test_sentences_abbrev),
        cmocka_unit_test(test_sentences_lines),
        cmocka_unit_test(test_sentences_unclosed_quote),
        cmocka_unit_test(test_invalid_utf8),
        cmocka_unit_test(test_empty),
        cmocka_unit_test(test_buffer_reuse),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
