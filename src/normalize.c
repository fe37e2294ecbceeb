/* normalize.c - turns one original text into what the rule patterns see:
 * NFKC + case folding, ASCII quotes and dashes, HTML, placeholders and
 * quoted lines removed, with a byte map back to the original and the split
 * into sentences.  It hands an mc_text to the matcher and keeps no state. */

#include "normalize.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

/* Larger texts are MC_ERR_INPUT: lines and columns are ints, and NFKC can
 * grow a text many times over. */
#define NORM_MAX_INPUT ((size_t)1 << 28)
/* A starter and its combining marks; a longer run (zalgo text) is composed
 * in pieces that all keep the starter's offset. */
#define CLUSTER_MAX 32
/* Longest {{...}}, {%...%} or ${...} placeholder we recognise. */
#define PLACEHOLDER_MAX 512

typedef struct {
    mc_text *t;
    const unsigned char *s;
    size_t n;
    size_t i;            /* scan position in s */
    int strip_quotes;    /* the whole reply is one '>' blockquote */
    int html;            /* <p>, <div>... seen: raw newlines are spaces */
    int nomem;
    int no_gt;           /* no '>' after the scan position: stop looking */
    int no_comment_end;  /* no "-->" after the scan position */
    unsigned no_raw_end; /* bit per TAG_RAW name: no closing tag ahead */
    int32_t cl[CLUSTER_MAX];
    size_t ncl;
    size_t cl_origin;    /* offset of the cluster's starter */
    int pend_space;      /* a space waits for the next visible character */
    size_t pend_origin;
    int pend_nl;         /* newlines block tags asked for, not yet written */
    size_t pend_nl_origin;
    int visible;         /* the current source unit produced a character */
    size_t last_end;     /* offset after the last unit that produced one */
    int glue;            /* closing markup follows a word directly */
} norm;

/* ---- UTF-8 ------------------------------------------------------------ */

static int is_cont(unsigned char c) { return (c & 0xC0) == 0x80; }

/* Length of the valid UTF-8 sequence at s (n bytes left), 0 if invalid:
 * overlongs, surrogates and values above U+10FFFF are invalid. */
static size_t utf8_seq_len(const unsigned char *s, size_t n)
{
    unsigned char c = s[0];
    size_t k, j;

    if (c < 0x80)
        return 1;
    if (c < 0xC2 || c > 0xF4)
        return 0;
    k = c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
    if (n < k)
        return 0;
    for (j = 1; j < k; j++)
        if (!is_cont(s[j]))
            return 0;
    if ((c == 0xE0 && s[1] < 0xA0) || (c == 0xED && s[1] > 0x9F) ||
        (c == 0xF0 && s[1] < 0x90) || (c == 0xF4 && s[1] > 0x8F))
        return 0;
    return k;
}

/* Offset of the first invalid byte, or n when all of s is valid. */
static size_t utf8_first_invalid(const unsigned char *s, size_t n)
{
    size_t i = 0, k;

    while (i < n) {
        k = utf8_seq_len(s + i, n - i);
        if (k == 0)
            return i;
        i += k;
    }
    return n;
}

/* Decodes the (already validated) sequence at s; *len gets its length. */
static int32_t utf8_decode(const unsigned char *s, size_t n, size_t *len)
{
    size_t k = utf8_seq_len(s, n), j;
    int32_t cp;

    if (k == 0) { /* only reached for text we did not validate */
        *len = 1;
        return 0xFFFD;
    }
    *len = k;
    if (k == 1)
        return s[0];
    cp = s[0] & (0x7F >> k);
    for (j = 1; j < k; j++)
        cp = (cp << 6) | (s[j] & 0x3F);
    return cp;
}

/* ---- Output buffer ---------------------------------------------------- */

/* Makes room for extra more bytes plus the NUL (and orig[len]). */
static int reserve(norm *nm, size_t extra)
{
    mc_text *t = nm->t;
    size_t need = t->len + extra + 1, cap;
    char *b;
    size_t *o;

    if (need <= t->cap)
        return 0;
    cap = t->cap < 256 ? 256 : t->cap;
    while (cap < need)
        cap *= 2;
    b = realloc(t->buf, cap);
    if (b)
        t->buf = b;
    o = b ? realloc(t->orig, cap * sizeof *o) : NULL;
    if (!o) {
        nm->nomem = 1;
        return -1;
    }
    t->orig = o;
    t->cap = cap;
    return 0;
}

static void put_bytes(norm *nm, const char *b, size_t k, size_t origin)
{
    mc_text *t = nm->t;
    size_t j;

    if (reserve(nm, k) != 0)
        return;
    for (j = 0; j < k; j++) {
        t->buf[t->len] = b[j];
        t->orig[t->len++] = origin;
    }
}

static int at_line_start(const mc_text *t)
{
    return t->len == 0 || t->buf[t->len - 1] == '\n';
}

static size_t trailing_newlines(const mc_text *t)
{
    size_t k = 0;

    while (k < t->len && t->buf[t->len - 1 - k] == '\n')
        k++;
    return k;
}

/* Writes the newlines block tags asked for, once something follows them:
 * a text never starts or ends with a tag's newline. */
static void put_pending_newlines(norm *nm)
{
    size_t have = trailing_newlines(nm->t);

    if (nm->t->len > 0)
        for (; have < (size_t)nm->pend_nl; have++)
            put_bytes(nm, "\n", 1, nm->pend_nl_origin);
    nm->pend_nl = 0;
    nm->pend_space = 0;
}

/* Where whitespace at origin maps: back to the end of the last visible
 * unit, but never before the last byte written (a space inside the NFKC
 * form of one character stays with it). */
static size_t gap_origin(const norm *nm, size_t origin)
{
    size_t g = nm->last_end;

    if (nm->t->len > 0 && nm->t->orig[nm->t->len - 1] > g)
        g = nm->t->orig[nm->t->len - 1];
    return g < origin ? g : origin;
}

/* The whitespace stage: a run of spaces becomes one space, written only
 * before a visible character on the same line, so no line starts or ends
 * with a space, and the text does not start with a newline.  Whitespace
 * maps to the start of its gap (just after the last visible unit), so
 * that orig[end] of a hit is the end of its last word even when markup
 * such as "**" or "</b>" sits between that word and the space. */
static void out_cp(norm *nm, int32_t cp, size_t origin)
{
    char enc[4];
    utf8proc_ssize_t k;
    size_t gap = gap_origin(nm, origin);

    if (cp == ' ') {
        if (!nm->pend_space)
            nm->pend_origin = gap;
        nm->pend_space = 1;
        return;
    }
    if (nm->pend_nl)
        put_pending_newlines(nm);
    if (cp == '\n') {
        nm->pend_space = 0;
        if (nm->t->len > 0)
            put_bytes(nm, "\n", 1, gap);
        return;
    }
    if (nm->pend_space && !at_line_start(nm->t))
        put_bytes(nm, " ", 1, nm->pend_origin);
    nm->pend_space = 0;
    k = utf8proc_encode_char(cp, (utf8proc_uint8_t *)enc);
    put_bytes(nm, enc, (size_t)k, origin);
}

/* ---- Characters: mapping, NFKC, case folding --------------------------- */

/* Format characters that must not split or join words. */
static int is_ignorable(int32_t c)
{
    return c == 0x00AD || c == 0x034F || c == 0x061C || c == 0x180E ||
           (c >= 0x200B && c <= 0x200F) || (c >= 0x202A && c <= 0x202E) ||
           (c >= 0x2060 && c <= 0x206F) || (c >= 0xFE00 && c <= 0xFE0F) ||
           c == 0xFEFF || (c >= 0xE0000 && c <= 0xE01EF);
}

static int is_uspace(int32_t c)
{
    return c == 0x00A0 || c == 0x1680 || (c >= 0x2000 && c <= 0x200A) ||
           c == 0x202F || c == 0x205F || c == 0x3000;
}

/* Quotes, dashes and yo; applied before decomposition (so that U+2033 is
 * one '"', not two primes) and again after composition (so that a
 * decomposed yo, or a compatibility form, is caught too). */
static int32_t map_punct(int32_t c)
{
    switch (c) {
    case 0x2018: case 0x2019: case 0x201A: case 0x201B: case 0x2032:
    case 0x2039: case 0x203A: case 0x02BC: case '`':
        return '\'';
    case 0x201C: case 0x201D: case 0x201E: case 0x201F: case 0x00AB:
    case 0x00BB: case 0x2033:
        return '"';
    case 0x2010: case 0x2011: case 0x2012: case 0x2013: case 0x2014:
    case 0x2015: case 0x2212:
        return '-';
    case 0x0401: case 0x0451:
        return 0x0435;
    default:
        return c;
    }
}

/* Control characters become a space (a NUL byte too: rules should see a
 * word break, not the end of the text) or a newline; -1 drops c. */
static int32_t premap(int32_t c)
{
    if (c == '\r' || c == 0x85 || c == 0x2028 || c == 0x2029)
        return '\n';
    if ((c < 0x20 && c != '\n') || (c >= 0x7F && c < 0xA0))
        return ' ';
    if (is_ignorable(c))
        return -1;
    if (is_uspace(c))
        return ' ';
    return map_punct(c);
}

static int ccc(int32_t c)
{
    return utf8proc_get_property(c)->combining_class;
}

/* Composes the cluster and hands it on, every byte mapped to the
 * starter's offset. */
static void flush_cluster(norm *nm)
{
    utf8proc_ssize_t m, k;
    size_t a, b;
    int32_t tmp;

    if (nm->ncl == 0)
        return;
    /* Canonical order: stable sort of each run of combining marks. */
    for (a = 1; a < nm->ncl; a++)
        for (b = a; b > 0 && ccc(nm->cl[b]) != 0 &&
                    ccc(nm->cl[b - 1]) > ccc(nm->cl[b]); b--) {
            tmp = nm->cl[b];
            nm->cl[b] = nm->cl[b - 1];
            nm->cl[b - 1] = tmp;
        }
    m = utf8proc_normalize_utf32(nm->cl, (utf8proc_ssize_t)nm->ncl,
                                 UTF8PROC_COMPOSE);
    for (k = 0; k < m; k++)
        out_cp(nm, map_punct(nm->cl[k]), nm->cl_origin);
    nm->ncl = 0;
}

/* Whether starter c composes with the cluster before it (Hangul L+V+T,
 * a few Indic vowel signs): then it stays in the same cluster. */
static int starter_joins(const norm *nm, int32_t c)
{
    int32_t tmp[CLUSTER_MAX + 1];
    utf8proc_ssize_t m;

    /* no composition pair has a second character below U+0300 */
    if (c < 0x300 || nm->ncl == 0 || nm->ncl >= CLUSTER_MAX ||
        ccc(nm->cl[nm->ncl - 1]))
        return 0;
    memcpy(tmp, nm->cl, nm->ncl * sizeof *tmp);
    m = utf8proc_normalize_utf32(tmp, (utf8proc_ssize_t)nm->ncl,
                                 UTF8PROC_COMPOSE);
    if (m < 0)
        return 0;
    tmp[m] = c;
    return utf8proc_normalize_utf32(tmp, m + 1, UTF8PROC_COMPOSE) == m;
}

static void push_decomposed(norm *nm, int32_t d, size_t origin)
{
    size_t keep;

    if (ccc(d) == 0 && !starter_joins(nm, d))
        flush_cluster(nm);
    if (nm->ncl == CLUSTER_MAX) {
        keep = nm->cl_origin;
        flush_cluster(nm);
        nm->cl_origin = keep;
    } else if (nm->ncl == 0) {
        nm->cl_origin = origin;
    }
    nm->cl[nm->ncl++] = d;
}

/* One character of the text (or of a decoded entity) at offset origin.
 * Closing markup glued to a word ("</b>", "**") belongs to that word: the
 * character after it maps to the markup, so that a hit ending at the word
 * ends there in the original too. */
static void feed(norm *nm, int32_t c, size_t origin)
{
    int32_t d[32];
    utf8proc_ssize_t k, j;

    c = premap(c);
    if (c < 0)
        return;
    if (c == ' ' || c == '\n') {
        nm->glue = 0;
        flush_cluster(nm);
        out_cp(nm, c, origin);
        return;
    }
    if (nm->glue) /* "<b>word</b>," : the ',' maps to "</b>" */
        origin = nm->last_end;
    nm->glue = 0;
    nm->visible = 1;
    if (c < 0x80) { /* fast path: ASCII only needs lower case */
        push_decomposed(nm, c >= 'A' && c <= 'Z' ? c + 32 : c, origin);
        return;
    }
    k = utf8proc_decompose_char(c, d, 32, UTF8PROC_COMPAT |
                                UTF8PROC_CASEFOLD | UTF8PROC_DECOMPOSE, NULL);
    if (k < 0 || k > 32) { /* cannot happen for valid code points */
        d[0] = c;
        k = 1;
    }
    for (j = 0; j < k; j++)
        push_decomposed(nm, d[j], origin);
}

/* Block tags: the output is to end in at least k newlines before the
 * next visible character. */
static void ensure_newlines(norm *nm, int k, size_t origin)
{
    flush_cluster(nm);
    if (nm->pend_nl == 0)
        nm->pend_nl_origin = gap_origin(nm, origin);
    if (nm->pend_nl < k)
        nm->pend_nl = k;
}

/* ---- Markup: HTML tags, entities, placeholders ------------------------- */

enum { TAG_INLINE, TAG_SPACE, TAG_LINE, TAG_PARA, TAG_BR, TAG_RAW };

static const struct {
    const char *name;
    int kind;
} tag_kinds[] = {
    {"p", TAG_PARA},    {"br", TAG_BR},     {"div", TAG_LINE},
    {"li", TAG_LINE},   {"tr", TAG_LINE},   {"ul", TAG_LINE},
    {"ol", TAG_LINE},   {"table", TAG_LINE}, {"blockquote", TAG_LINE},
    {"h1", TAG_LINE},   {"h2", TAG_LINE},   {"h3", TAG_LINE},
    {"h4", TAG_LINE},   {"h5", TAG_LINE},   {"h6", TAG_LINE},
    {"hr", TAG_LINE},   {"td", TAG_SPACE},  {"th", TAG_SPACE},
    {"style", TAG_RAW}, {"script", TAG_RAW}, {"head", TAG_RAW},
};

static int is_alpha(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int is_digit(unsigned char c) { return c >= '0' && c <= '9'; }

/* Reads the tag name at s[j..n) in lower case into name (NUL-terminated,
 * empty if too long for cap). */
static void tag_name(const unsigned char *s, size_t n, size_t j,
                     char *name, size_t cap)
{
    size_t k = 0;

    while (j < n && (is_alpha(s[j]) || is_digit(s[j]))) {
        if (k + 1 >= cap) {
            k = 0;
            break;
        }
        name[k++] = (char)(s[j++] | 0x20);
    }
    name[k] = '\0';
}

static int tag_kind(const char *name)
{
    size_t k;

    for (k = 0; k < sizeof tag_kinds / sizeof tag_kinds[0]; k++)
        if (strcmp(name, tag_kinds[k].name) == 0)
            return tag_kinds[k].kind;
    return TAG_INLINE;
}

/* Whether src holds a paragraph-level tag: then it is HTML and its own
 * line breaks are layout, not text.  A lone <br> in Markdown is not
 * enough. */
static int looks_html(const unsigned char *s, size_t n)
{
    const unsigned char *p = s, *end = s + n;
    char name[16];
    size_t j;
    int kind;

    while ((p = memchr(p, '<', (size_t)(end - p))) != NULL) {
        j = (size_t)(p - s) + 1;
        if (j < n && s[j] == '/')
            j++;
        tag_name(s, n, j, name, sizeof name);
        kind = tag_kind(name);
        j += strlen(name);
        if ((kind == TAG_PARA || kind == TAG_LINE) && j < n && s[j] &&
            strchr(" \t\r\n/>", s[j]))
            return 1;
        p++;
    }
    return 0;
}

/* Offset of needle in s[from..n), or n if absent. */
static size_t find(const unsigned char *s, size_t n, size_t from,
                   const char *needle)
{
    size_t k = strlen(needle), j;

    for (j = from; j + k <= n; j++)
        if (s[j] == (unsigned char)needle[0] && memcmp(s + j, needle, k) == 0)
            return j;
    return n;
}

/* "<!-- ... -->" (and FreeMarker's "<#-- ... -->", and the "<-- ... -->"
 * some templates use) vanish whole; open is the opener's length. */
static size_t try_comment(norm *nm, size_t open)
{
    size_t e;

    if (nm->no_comment_end)
        return 0;
    e = find(nm->s, nm->n, nm->i + open, "-->");
    if (e == nm->n) {
        nm->no_comment_end = 1; /* unclosed: keep it as text */
        return 0;
    }
    return e + 3 - nm->i;
}

/* ASCII case-insensitive prefix test (strncasecmp is not C11). */
static int ascii_prefix(const unsigned char *s, const char *lower, size_t k)
{
    size_t j;

    for (j = 0; j < k; j++)
        if ((s[j] | 0x20) != (unsigned char)lower[j])
            return 0;
    return 1;
}

/* After <style>, <script> or <head>: skips to the end of the closing tag
 * (case-insensitive), so CSS never reaches the rules.  Returns the offset
 * after it, or from when there is none. */
static size_t skip_raw_text(const unsigned char *s, size_t n, size_t from,
                            const char *name)
{
    size_t k = strlen(name), j;
    const unsigned char *gt;

    for (j = from; j + 2 + k <= n; j++) {
        if (s[j] != '<' || s[j + 1] != '/')
            continue;
        if (!ascii_prefix(s + j + 2, name, k))
            continue;
        gt = memchr(s + j, '>', n - j);
        return gt ? (size_t)(gt - s) + 1 : n;
    }
    return from;
}

/* skip_raw_text, remembering a missing closing tag so that a text full of
 * unclosed <style> tags stays linear. */
static size_t skip_raw(norm *nm, size_t from, const char *name)
{
    unsigned bit = strcmp(name, "style") == 0    ? 1u
                   : strcmp(name, "script") == 0 ? 2u
                                                 : 4u;
    size_t end;

    if (nm->no_raw_end & bit)
        return from;
    end = skip_raw_text(nm->s, nm->n, from, name);
    if (end == from)
        nm->no_raw_end |= bit;
    return end;
}

static void tag_effect(norm *nm, int kind, size_t origin)
{
    switch (kind) {
    case TAG_PARA: ensure_newlines(nm, 2, origin); break;
    case TAG_LINE: ensure_newlines(nm, 1, origin); break;
    case TAG_BR: feed(nm, '\n', origin); break;
    case TAG_SPACE: feed(nm, ' ', origin); break;
    default: break;
    }
}

/* A tag is '<' followed by a letter, '/', '!' or '#' (FreeMarker), up to
 * the next '>'. */
static size_t try_tag(norm *nm)
{
    const unsigned char *s = nm->s, *gt;
    size_t j = nm->i + 1, end;
    char name[16];
    int closing = 0, kind;

    if (j < nm->n && (s[j] == '/' || s[j] == '#')) {
        closing = s[j] == '/';
        j++;
    }
    if (j >= nm->n || !(is_alpha(s[j]) || s[j] == '!' || s[j] == '#'))
        return 0;
    if (nm->no_gt || !(gt = memchr(s + j, '>', nm->n - j))) {
        nm->no_gt = 1;
        return 0;
    }
    end = (size_t)(gt - s) + 1;
    if (closing && nm->last_end > 0 && nm->last_end == nm->i)
        nm->glue = 1;
    tag_name(s, nm->n, j, name, sizeof name);
    kind = tag_kind(name);
    if (kind == TAG_RAW && !closing)
        end = skip_raw(nm, end, name);
    tag_effect(nm, kind, nm->i);
    return end - nm->i;
}

static const struct {
    const char *name;
    int32_t cp;
} entities[] = {
    {"amp", '&'}, {"lt", '<'}, {"gt", '>'}, {"quot", '"'}, {"apos", '\''},
    {"nbsp", 0xA0}, {"mdash", 0x2014}, {"ndash", 0x2013},
    {"hellip", 0x2026}, {"laquo", 0xAB}, {"raquo", 0xBB},
    {"lsquo", 0x2018}, {"rsquo", 0x2019}, {"sbquo", 0x201A},
    {"ldquo", 0x201C}, {"rdquo", 0x201D}, {"bdquo", 0x201E},
    {"lsaquo", 0x2039}, {"rsaquo", 0x203A}, {"shy", 0xAD},
    {"zwj", 0x200D}, {"zwnj", 0x200C}, {"thinsp", 0x2009},
    {"ensp", 0x2002}, {"emsp", 0x2003}, {"minus", 0x2212},
    {"prime", 0x2032}, {"Prime", 0x2033}, {"bull", 0x2022},
    {"middot", 0xB7}, {"copy", 0xA9}, {"reg", 0xAE}, {"trade", 0x2122},
    {"euro", 0x20AC}, {"pound", 0xA3}, {"deg", 0xB0}, {"times", 0xD7},
    {"iexcl", 0xA1}, {"iquest", 0xBF}, {"szlig", 0xDF},
    {"aacute", 0xE1}, {"eacute", 0xE9}, {"iacute", 0xED},
    {"oacute", 0xF3}, {"uacute", 0xFA}, {"Oacute", 0xD3},
    {"agrave", 0xE0}, {"egrave", 0xE8}, {"auml", 0xE4}, {"ouml", 0xF6},
    {"uuml", 0xFC}, {"Auml", 0xC4}, {"Ouml", 0xD6}, {"Uuml", 0xDC},
    {"ccedil", 0xE7}, {"ntilde", 0xF1},
};

/* HTML maps &#128;..&#159; through windows-1252, and Outlook writes its
 * quotes and dashes that way. */
static int32_t cp1252(int32_t v)
{
    static const int32_t hi[32] = {
        0x20AC, 0x81, 0x201A, 0x192, 0x201E, 0x2026, 0x2020, 0x2021,
        0x2C6, 0x2030, 0x160, 0x2039, 0x152, 0x8D, 0x17D, 0x8F,
        0x90, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
        0x2DC, 0x2122, 0x161, 0x203A, 0x153, 0x9D, 0x17E, 0x178};

    if (v >= 0x80 && v <= 0x9F)
        return hi[v - 0x80];
    if (v == 0 || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
        return 0xFFFD;
    return v;
}

/* "&#NNN;" or "&#xHH;" at s (after the '&'); 0 if not one. */
static size_t numeric_entity(const unsigned char *s, size_t n, int32_t *cp)
{
    int hex = n > 1 && (s[1] == 'x' || s[1] == 'X');
    size_t j = hex ? 2 : 1, digits = 0;
    uint32_t v = 0; /* unsigned: an 8th hex digit must not overflow */
    unsigned char c;

    for (; j < n && digits < 8; j++, digits++) {
        c = s[j];
        if (is_digit(c))
            v = v * (hex ? 16 : 10) + (c - '0');
        else if (hex && is_alpha(c) && (c | 0x20) <= 'f')
            v = v * 16 + ((c | 0x20) - 'a' + 10);
        else
            break;
    }
    if (digits == 0 || digits == 8 || j >= n || s[j] != ';')
        return 0;
    *cp = cp1252((int32_t)v); /* at most 7 digits: below 2^28 */
    return j + 1;
}

/* An entity at the scan position (which holds '&'); decoded, it goes
 * through the same normalization as any character. */
static size_t try_entity(norm *nm)
{
    const unsigned char *s = nm->s + nm->i + 1;
    size_t n = nm->n - nm->i - 1, j = 0, k;
    int32_t cp;

    if (n > 0 && s[0] == '#') {
        k = numeric_entity(s, n, &cp);
        if (k == 0)
            return 0;
        feed(nm, cp, nm->i);
        return k + 1;
    }
    while (j < n && j < 10 && (is_alpha(s[j]) || is_digit(s[j])))
        j++;
    if (j == 0 || j >= n || s[j] != ';')
        return 0;
    for (k = 0; k < sizeof entities / sizeof entities[0]; k++)
        if (strlen(entities[k].name) == j &&
            memcmp(entities[k].name, s, j) == 0) {
            feed(nm, entities[k].cp, nm->i);
            return j + 2;
        }
    return 0;
}

/* A placeholder becomes the neutral word "_" at its first byte. */
static size_t placeholder(norm *nm, size_t end)
{
    feed(nm, '_', nm->i);
    return end - nm->i;
}

/* Offset after close within PLACEHOLDER_MAX bytes, or 0. */
static size_t closed_by(const norm *nm, size_t from, const char *close,
                        int newline_ok)
{
    size_t lim = nm->i + PLACEHOLDER_MAX, e, j;

    lim = lim < nm->n ? lim : nm->n;
    e = find(nm->s, lim, from, close);
    if (e == lim)
        return 0;
    for (j = from; !newline_ok && j < e; j++)
        if (nm->s[j] == '\n' || nm->s[j] == '\r')
            return 0;
    return e + strlen(close);
}

/* {name}, {order/billing cycle}, {Short explanation, in plain English}:
 * one line of at most 64 bytes without braces, starting with a letter,
 * digit or '_' and not ending in a space, so "{ }" and code stay text. */
static size_t brace_name_end(const unsigned char *s, size_t n, size_t j)
{
    size_t start = j;

    if (j >= n || !(is_alpha(s[j]) || is_digit(s[j]) || s[j] == '_' ||
                    s[j] >= 0x80))
        return 0;
    while (j < n && j - start <= 64 && !strchr("{}\r\n", s[j]))
        j++;
    if (j >= n || s[j] != '}' || j - start > 64 || s[j - 1] == ' ')
        return 0;
    return j + 1;
}

static size_t try_brace(norm *nm)
{
    const unsigned char *s = nm->s;
    size_t j = nm->i + 1, e;

    if (j < nm->n && s[j] == '{') {
        e = closed_by(nm, j + 1, "}}", 1);
        if (e && e < nm->n && s[e] == '}' && s[j + 1] == '{')
            e++; /* {{{raw}}} */
        return e ? placeholder(nm, e) : 0;
    }
    if (j < nm->n && s[j] == '%') {
        e = closed_by(nm, j + 1, "%}", 1);
        return e ? placeholder(nm, e) : 0;
    }
    e = brace_name_end(s, nm->n, j);
    return e ? placeholder(nm, e) : 0;
}

static size_t try_dollar(norm *nm)
{
    size_t j = nm->i + 1, e;

    if (j >= nm->n || nm->s[j] != '{')
        return 0;
    e = closed_by(nm, j + 1, "}", 0);
    return e ? placeholder(nm, e) : 0;
}

/* %NAME%: upper-case letters, digits and '_', starting with a letter or
 * '_' and holding a letter, so "50%" and "20%-30%" stay text. */
static size_t try_percent(norm *nm)
{
    const unsigned char *s = nm->s;
    size_t j = nm->i + 1, start = j;
    int letter = 0;

    if (j >= nm->n || !((s[j] >= 'A' && s[j] <= 'Z') || s[j] == '_'))
        return 0;
    for (; j < nm->n && j - start <= 64; j++) {
        if (s[j] >= 'A' && s[j] <= 'Z')
            letter = 1;
        else if (!(is_digit(s[j]) || s[j] == '_'))
            break;
    }
    if (!letter || j >= nm->n || s[j] != '%' || j - start > 64)
        return 0;
    return placeholder(nm, j + 1);
}

static int is_letter_cat(int32_t cp)
{
    utf8proc_category_t c = utf8proc_category(cp);

    return c == UTF8PROC_CATEGORY_LU || c == UTF8PROC_CATEGORY_LL ||
           c == UTF8PROC_CATEGORY_LT || c == UTF8PROC_CATEGORY_LM ||
           c == UTF8PROC_CATEGORY_LO || c == UTF8PROC_CATEGORY_MN;
}

/* [Name], [Imię], [Имя клиента] (or <Name> with close '>'): one to three
 * words of letters ('_' and '-' inside), the first capitalised, no digits,
 * at most 48 bytes, and not a Markdown link "[text](url)".  Returns the
 * offset after close, or 0. */
static size_t bracket_name_end(const unsigned char *s, size_t n, size_t j,
                               unsigned char close)
{
    size_t start = j, k;
    int32_t cp;
    int words = 1, prev_space = 1;

    for (; j < n && j - start <= 48 && s[j] != close; j += k) {
        cp = utf8_decode(s + j, n - j, &k);
        if (cp == ' ' && !prev_space && ++words <= 3) {
            prev_space = 1;
            continue;
        }
        if (j == start && utf8proc_category(cp) != UTF8PROC_CATEGORY_LU &&
            utf8proc_category(cp) != UTF8PROC_CATEGORY_LT)
            return 0;
        if (!is_letter_cat(cp) && !(j > start && (cp == '_' || cp == '-')))
            return 0;
        prev_space = 0;
    }
    if (j >= n || s[j] != close || j == start || prev_space ||
        (j + 1 < n && s[j + 1] == '('))
        return 0;
    return j + 1;
}

static size_t try_bracket(norm *nm)
{
    size_t e = bracket_name_end(nm->s, nm->n, nm->i + 1, ']');

    return e ? placeholder(nm, e) : 0;
}

/* HTML elements, so that <B> is a tag while <Name> is a placeholder. */
static int is_html_element(const char *name)
{
    static const char *const inline_tags[] = {
        "a", "b", "i", "u", "s", "q", "em", "strong", "span", "font", "img",
        "small", "big", "sub", "sup", "code", "html", "body", "title",
        "meta", "link", "tbody", "thead", "tfoot", "center", "section",
        "article", "header", "footer", "nav", "main", "label", "pre",
        "strike", "abbr", "mark", "cite", "caption", "dl", "dt", "dd",
    };
    size_t k;

    if (tag_kind(name) != TAG_INLINE)
        return 1;
    for (k = 0; k < sizeof inline_tags / sizeof inline_tags[0]; k++)
        if (strcmp(name, inline_tags[k]) == 0)
            return 1;
    return 0;
}

/* <Name>, <Имя клиента>: like [Name], unless it is an HTML element. */
static size_t try_angle_name(norm *nm)
{
    size_t e = bracket_name_end(nm->s, nm->n, nm->i + 1, '>');
    char name[16];

    if (e == 0)
        return 0;
    tag_name(nm->s, nm->n, nm->i + 1, name, sizeof name);
    return is_html_element(name) ? 0 : placeholder(nm, e);
}

static size_t try_markup(norm *nm)
{
    const unsigned char *s = nm->s + nm->i;
    size_t left = nm->n - nm->i, k;

    if (left >= 4 && (memcmp(s, "<!--", 4) == 0 || memcmp(s, "<#--", 4) == 0))
        return try_comment(nm, 4);
    if (left >= 3 && memcmp(s, "<--", 3) == 0)
        return try_comment(nm, 3);
    k = try_angle_name(nm);
    return k ? k : try_tag(nm);
}

/* ---- The scan --------------------------------------------------------- */

/* Whether every non-blank line starts with '>' (a reply that is one
 * blockquote, as a Markdown macro writes it). */
static int whole_blockquote(const unsigned char *s, size_t n, size_t i)
{
    size_t quoted = 0;

    while (i < n) {
        while (i < n && (s[i] == ' ' || s[i] == '\t'))
            i++;
        if (i < n && s[i] != '\n' && s[i] != '\r') {
            if (s[i] != '>')
                return 0;
            quoted++;
        }
        while (i < n && s[i] != '\n' && s[i] != '\r')
            i++;
        i++;
    }
    return quoted > 0;
}

/* At the start of a source line: strips the '>' markers (and one space
 * after each) of a whole-blockquote reply, or skips a quoted line to its
 * line break, so that only the newline is left of it. */
static void quote_line(norm *nm)
{
    const unsigned char *s = nm->s;
    size_t j = nm->i;

    while (j < nm->n && (s[j] == ' ' || s[j] == '\t'))
        j++;
    if (j >= nm->n || s[j] != '>')
        return;
    if (nm->strip_quotes) {
        while (j < nm->n && s[j] == '>') {
            j++;
            if (j < nm->n && s[j] == ' ')
                j++;
        }
    } else {
        while (j < nm->n && s[j] != '\n' && s[j] != '\r')
            j++;
    }
    nm->i = j;
}

/* Whether the source line starting at j is blank. */
static int blank_line_at(const unsigned char *s, size_t n, size_t j)
{
    while (j < n && (s[j] == ' ' || s[j] == '\t'))
        j++;
    return j < n && (s[j] == '\n' || s[j] == '\r');
}

/* CRLF and lone CR are one newline.  In HTML a line break is a space,
 * but a blank line still parts paragraphs (Markdown with some HTML). */
static void newline(norm *nm)
{
    size_t at = nm->i;

    nm->i += (nm->s[at] == '\r' && at + 1 < nm->n && nm->s[at + 1] == '\n')
                 ? 2 : 1;
    if (!nm->html)
        feed(nm, '\n', at);
    else if (blank_line_at(nm->s, nm->n, nm->i))
        ensure_newlines(nm, 2, at);
    else
        feed(nm, ' ', at);
}

/* Handles the construct at the scan position; returns 1 after a source
 * line break. */
static int scan_one(norm *nm)
{
    unsigned char c = nm->s[nm->i];
    size_t k = 0;
    int32_t cp;

    switch (c) {
    case '\r': case '\n': newline(nm); return 1;
    case '<': k = try_markup(nm); break;
    case '&': k = try_entity(nm); break;
    case '{': k = try_brace(nm); break;
    case '$': k = try_dollar(nm); break;
    case '%': k = try_percent(nm); break;
    case '[': k = try_bracket(nm); break;
    case '*': case '_': /* Markdown emphasis: runs of 2+ are dropped */
        while (nm->i + k < nm->n && nm->s[nm->i + k] == c)
            k++;
        k = k >= 2 ? k : 0;
        if (k && nm->last_end > 0 && nm->last_end == nm->i)
            nm->glue = 1;
        break;
    default: break;
    }
    if (k == 0) {
        cp = utf8_decode(nm->s + nm->i, nm->n - nm->i, &k);
        feed(nm, cp, nm->i);
    }
    nm->i += k;
    if (nm->visible)
        nm->last_end = nm->i;
    nm->visible = 0;
    return 0;
}

static void scan(norm *nm)
{
    int line_start = 1;

    if (nm->n >= 3 && memcmp(nm->s, "\xEF\xBB\xBF", 3) == 0)
        nm->i = 3;
    nm->strip_quotes = whole_blockquote(nm->s, nm->n, nm->i);
    nm->html = looks_html(nm->s, nm->n);
    while (nm->i < nm->n && !nm->nomem) {
        if (line_start)
            quote_line(nm);
        line_start = nm->i < nm->n && scan_one(nm);
    }
    flush_cluster(nm);
}

/* ---- Sentences -------------------------------------------------------- */

static int is_space(char c) { return c == ' ' || c == '\n'; }

static int is_term(char c)
{
    return c == '.' || c == '!' || c == '?' || c == ';';
}

static int add_span(mc_text *t, size_t a, size_t b)
{
    mc_span *p;
    size_t cap;

    while (a < b && is_space(t->buf[a]))
        a++;
    while (b > a && is_space(t->buf[b - 1]))
        b--;
    if (a == b)
        return 0;
    if (t->nsentences == t->sent_cap) {
        cap = t->sent_cap ? t->sent_cap * 2 : 16;
        p = realloc(t->sentences, cap * sizeof *p);
        if (!p)
            return -1;
        t->sentences = p;
        t->sent_cap = cap;
    }
    t->sentences[t->nsentences].start = a;
    t->sentences[t->nsentences++].end = b;
    return 0;
}

/* Abbreviations whose dot does not end a sentence (text is case-folded). */
static int is_abbrev(const char *b, size_t dot)
{
    static const char *const abbr[] = {
        "mr", "mrs", "ms", "dr", "e.g", "i.e", "no", "nr", "ul", "np",
        "godz", "tel", "ok", "prof", "tj", "tzn", "ps",
        "\xd0\xb3",                                 /* г */
        "\xd1\x82.\xd0\xb5",                        /* т.е */
        "\xd1\x82.\xd0\xba",                        /* т.к */
        "\xd1\x83\xd0\xbb",                         /* ул */
        "\xd1\x81\xd0\xbc",                         /* см */
    };
    size_t j = dot, k;

    /* the longest abbreviation is 5 bytes; stop well after it */
    while (j > 0 && dot - j < 8 &&
           (is_alpha((unsigned char)b[j - 1]) || b[j - 1] == '.' ||
            (unsigned char)b[j - 1] >= 0x80))
        j--;
    if (j > 0 && (is_alpha((unsigned char)b[j - 1]) ||
                  (unsigned char)b[j - 1] >= 0x80))
        return 0;
    for (k = 0; k < sizeof abbr / sizeof abbr[0]; k++)
        if (strlen(abbr[k]) == dot - j && memcmp(b + j, abbr[k], dot - j) == 0)
            return 1;
    return 0;
}

/* Offset of the '"' closing the one at i within its paragraph, or 0. */
static size_t closing_quote(const char *b, size_t i, size_t n)
{
    size_t j;

    for (j = i + 1; j < n; j++) {
        if (b[j] == '"')
            return j;
        if (b[j] == '\n' && j + 1 < n && b[j + 1] == '\n')
            return 0;
    }
    return 0;
}

/* After a run of .!?; at i (and closing brackets or quotes): the end of
 * the sentence, or 0 when it does not end here. */
static size_t sentence_end(const char *b, size_t i, size_t n)
{
    size_t e = i;

    while (e < n && is_term(b[e]))
        e++;
    while (e < n && b[e] != '\0' && strchr(")]'\"", b[e]))
        e++;
    if (e < n && !is_space(b[e]))
        return 0;
    if (e == i + 1 && b[i] == '.' && is_abbrev(b, i))
        return 0;
    return e;
}

/* A line break ends a sentence after punctuation or before a blank line;
 * elsewhere it is a line wrapped mid-sentence. */
static int newline_ends(const char *b, size_t i, size_t n)
{
    return (i > 0 && strchr(".!?;:,", b[i - 1]) && b[i - 1] != '\0') ||
           (i + 1 < n && b[i + 1] == '\n');
}

/* Whether the text after normalized byte i (a space) starts with anything
 * but a lower-case letter in the original: the case folding has erased
 * that from buf. */
static int next_not_lower(const mc_text *t, size_t i)
{
    size_t o, k;

    if (i + 1 >= t->len)
        return 1;
    o = t->orig[i + 1];
    return utf8proc_category(utf8_decode((const unsigned char *)t->src + o,
                                         t->src_len - o, &k)) !=
           UTF8PROC_CATEGORY_LL;
}

/* A quoted passage is one piece; it ends the sentence when it ends in
 * .!? and the next word is not lower case ('He said "Sorry." Then...' but
 * not 'you wrote "a joke!" and ...'). */
static size_t quote_step(const mc_text *t, size_t q, size_t *cut,
                         size_t *next)
{
    const char *b = t->buf;

    if (strchr(".!?", b[q - 1]) &&
        (q + 1 == t->len || (is_space(b[q + 1]) && next_not_lower(t, q + 1))))
        *cut = *next = q + 1;
    return q + 1;
}

/* The step from i in the split: sets *cut where a sentence ends (and
 * *next where the next one starts), returns the next position. */
static size_t split_step(const mc_text *t, size_t i, size_t *cut,
                         size_t *next)
{
    const char *b = t->buf;
    size_t n = t->len, q, e;

    if (b[i] == '"' && (q = closing_quote(b, i, n)) != 0)
        return quote_step(t, q, cut, next);
    if (is_term(b[i])) {
        e = sentence_end(b, i, n);
        if (e)
            *cut = *next = e;
        return e ? e : i + 1;
    }
    if (b[i] == '\n' && newline_ends(b, i, n)) {
        *cut = i;
        *next = i + 1;
    }
    return i + 1;
}

static int split_sentences(mc_text *t)
{
    size_t start = 0, i = 0, cut, next;

    t->nsentences = 0;
    while (i < t->len) {
        cut = next = SIZE_MAX;
        i = split_step(t, i, &cut, &next);
        if (cut != SIZE_MAX) {
            if (add_span(t, start, cut) != 0)
                return -1;
            start = next;
        }
    }
    return add_span(t, start, t->len);
}

/* ---- Entry points ----------------------------------------------------- */

static void set_error(mc_error *err, int line, int column, const char *msg)
{
    if (!err)
        return;
    err->line = line;
    err->column = column;
    snprintf(err->message, sizeof err->message, "%s", msg);
}

static int input_error(const char *src, size_t len, size_t bad,
                       mc_error *err)
{
    char msg[96];
    int line = 0, column = 0;

    if (bad < len) {
        mc_text_position(src, len, bad, &line, &column);
        snprintf(msg, sizeof msg, "invalid UTF-8 at byte %zu", bad);
    } else {
        snprintf(msg, sizeof msg, "text too large (%zu bytes, limit %zu)",
                 len, NORM_MAX_INPUT);
    }
    set_error(err, line, column, msg);
    return MC_ERR_INPUT;
}

/* Offsets in the error message and in orig are 0-based bytes into src. */
int mc_normalize(const char *src, size_t len, mc_text *t, mc_error *err)
{
    norm nm;
    size_t bad;

    t->src = src ? src : "";
    t->src_len = src ? len : 0;
    t->len = t->nsentences = 0;
    if (t->buf)
        t->buf[0] = '\0';
    if (t->src_len > NORM_MAX_INPUT)
        return input_error(t->src, t->src_len, t->src_len, err);
    bad = utf8_first_invalid((const unsigned char *)t->src, t->src_len);
    if (bad < t->src_len)
        return input_error(t->src, t->src_len, bad, err);
    memset(&nm, 0, sizeof nm);
    nm.t = t;
    nm.s = (const unsigned char *)t->src;
    nm.n = t->src_len;
    scan(&nm);
    if (nm.nomem || reserve(&nm, 0) != 0 || split_sentences(t) != 0) {
        t->len = t->nsentences = 0;
        set_error(err, 0, 0, "out of memory");
        return MC_ERR_NOMEM;
    }
    t->buf[t->len] = '\0';
    t->orig[t->len] = t->src_len;
    return MC_OK;
}

void mc_text_free(mc_text *t)
{
    if (!t)
        return;
    free(t->buf);
    free(t->orig);
    free(t->sentences);
    memset(t, 0, sizeof *t);
}

/* Columns count code points; a UTF-8 BOM at the start is not one. */
void mc_text_position(const char *src, size_t src_len, size_t off,
                      int *line, int *column)
{
    const unsigned char *s = (const unsigned char *)src;
    size_t i = 0;
    int l = 1, c = 1;

    if (off > src_len)
        off = src_len;
    if (src_len >= 3 && off >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0)
        i = 3;
    for (; i < off; i++) {
        if (s[i] == '\n' || (s[i] == '\r' && !(i + 1 < src_len &&
                                                s[i + 1] == '\n'))) {
            l++;
            c = 1;
        } else if (s[i] != '\r' && !is_cont(s[i])) {
            c++;
        }
    }
    *line = l;
    *column = c;
}
