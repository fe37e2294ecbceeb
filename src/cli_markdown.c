/* cli_markdown.c - Markdown files: parses them with cmark and blanks out
 * (spaces, newlines kept) what is not prose, so that the whole file is
 * scored and every finding keeps its byte offset, line and column in
 * the file.  Hands the blanked buffer back to cli_kinds.c. */
#include <cmark.h>
#include <stdlib.h>
#include <string.h>

#include "cli_kinds.h"

/* Start offsets of the lines of the buffer, as cmark counts them (LF,
 * CRLF and lone CR each end a line). */
typedef struct {
    size_t *start;
    size_t n;
    const char *buf;
    size_t len;
} lines;

static int index_lines(const char *b, size_t len, lines *L)
{
    size_t n = 1;
    for (size_t i = 0; i < len; i++)
        n += b[i] == '\n' || (b[i] == '\r' && (i + 1 == len || b[i + 1] != '\n'));
    *L = (lines){malloc(n * sizeof(size_t)), 0, b, len};
    if (!L->start)
        return -1;
    L->start[L->n++] = 0;
    for (size_t i = 0; i < len; i++)
        if (b[i] == '\n' || (b[i] == '\r' && (i + 1 == len || b[i + 1] != '\n')))
            L->start[L->n++] = i + 1;
    return 0;
}

/* The byte of cmark's 1-based line and byte column. */
static size_t offset_of(const lines *L, int line, int col)
{
    if (line < 1 || (size_t)line > L->n)
        return L->len;
    size_t off = L->start[line - 1] + (size_t)(col > 0 ? col - 1 : 0);
    return off < L->len ? off : L->len;
}

static size_t end_of_line(const lines *L, int line)
{
    size_t off = offset_of(L, line, 1);
    while (off < L->len && L->buf[off] != '\n' && L->buf[off] != '\r')
        off++;
    return off;
}

static void blank(char *b, size_t from, size_t to)
{
    for (size_t i = from; i < to; i++)
        if (b[i] != '\n' && b[i] != '\r')
            b[i] = ' ';
}

/* "---" YAML or "+++" TOML front matter on the first line, closed by the
 * same fence (or "..." for YAML).  Returns where it ends, 0 for none. */
static size_t front_matter_end(const char *b, size_t len)
{
    if (len < 4 || (strncmp(b, "---", 3) && strncmp(b, "+++", 3)) ||
        (b[3] != '\n' && b[3] != '\r'))
        return 0;
    for (size_t i = 3; i < len;) {
        while (i < len && b[i] != '\n')
            i++;
        size_t s = ++i, e = s;
        while (e < len && b[e] != '\n' && b[e] != '\r')
            e++;
        size_t n = e - s;
        while (n && b[s + n - 1] == ' ')
            n--;
        if (n == 3 && (strncmp(b + s, b, 3) == 0 ||
                       (b[0] == '-' && strncmp(b + s, "...", 3) == 0)))
            return e;
    }
    return 0;
}

static size_t node_start(const lines *L, cmark_node *n)
{
    return offset_of(L, cmark_node_get_start_line(n),
                     cmark_node_get_start_column(n));
}

/* One past the last byte (cmark's end column is inclusive). */
static size_t node_end(const lines *L, cmark_node *n)
{
    size_t e = offset_of(L, cmark_node_get_end_line(n),
                         cmark_node_get_end_column(n));
    return e < L->len ? e + 1 : e;
}

/* The backtick runs around [a, b); 0 when they are not there (cmark's
 * inline positions can be off on continuation lines of containers). */
static int code_fences(const char *buf, size_t len, size_t *a, size_t *b)
{
    size_t l = *a, r = *b;
    while (l > 0 && buf[l - 1] == ' ')
        l--;
    if (l == 0 || buf[l - 1] != '`')
        return 0;
    while (l > 0 && buf[l - 1] == '`')
        l--;
    while (r < len && buf[r] == ' ')
        r++;
    if (r >= len || buf[r] != '`')
        return 0;
    while (r < len && buf[r] == '`')
        r++;
    *a = l;
    *b = r;
    return 1;
}

static const char *find(const char *hay, size_t n, const char *needle,
                        size_t k)
{
    for (size_t i = 0; k && i + k <= n; i++)
        if (memcmp(hay + i, needle, k) == 0)
            return hay + i;
    return NULL;
}

static cmark_node *block_of(cmark_node *n)
{
    while (n && cmark_node_get_type(n) >= CMARK_NODE_FIRST_INLINE)
        n = cmark_node_parent(n);
    return n;
}

/* Finds the literal in the enclosing block when the position is off. */
static void blank_code(char *buf, const lines *L, cmark_node *n)
{
    size_t a = node_start(L, n), b = node_end(L, n);
    if (!code_fences(buf, L->len, &a, &b)) {
        const char *lit = cmark_node_get_literal(n);
        cmark_node *blk = block_of(n);
        size_t from = blk ? node_start(L, blk) : 0, k = lit ? strlen(lit) : 0;
        const char *hit = find(buf + from, L->len - from, lit, k);
        if (!hit)
            return;
        a = (size_t)(hit - buf);
        b = a + k;
        if (!code_fences(buf, L->len, &a, &b))
            return;
    }
    blank(buf, a, b);
}

/* "[text](url)": the brackets and the destination go, the text stays;
 * an autolink "<url>" goes whole. */
static void blank_link(char *buf, const lines *L, cmark_node *n)
{
    size_t a = node_start(L, n), b = node_end(L, n);
    cmark_node *last = cmark_node_last_child(n);
    if (a >= b || b > L->len)
        return;
    if (buf[a] == '<' || !last) {
        blank(buf, a, b);
        return;
    }
    size_t e = node_end(L, last);
    if (buf[a] != '[' || e > b || (buf[b - 1] != ')' && buf[b - 1] != ']'))
        return;
    blank(buf, a, a + 1);
    blank(buf, e, b);
}

static void blank_node(char *buf, const lines *L, cmark_node *n)
{
    switch (cmark_node_get_type(n)) {
    case CMARK_NODE_CODE_BLOCK:
        blank(buf, offset_of(L, cmark_node_get_start_line(n), 1),
              end_of_line(L, cmark_node_get_end_line(n)));
        break;
    case CMARK_NODE_CODE:
        blank_code(buf, L, n);
        break;
    case CMARK_NODE_LINK:
        blank_link(buf, L, n);
        break;
    case CMARK_NODE_IMAGE:
        blank(buf, node_start(L, n), node_end(L, n));
        break;
    default:
        break;
    }
}

int mc_markdown_blank(char *buf, size_t len)
{
    blank(buf, 0, front_matter_end(buf, len));
    lines L;
    cmark_node *doc = cmark_parse_document(buf, len, CMARK_OPT_DEFAULT);
    if (!doc || index_lines(buf, len, &L)) {
        cmark_node_free(doc);
        return -1;
    }
    /* cmark keeps its own copy of the source: blanking as we go is safe. */
    cmark_iter *it = cmark_iter_new(doc);
    cmark_event_type ev;
    while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE)
        if (ev == CMARK_EVENT_ENTER)
            blank_node(buf, &L, cmark_iter_get_node(it));
    cmark_iter_free(it);
    cmark_node_free(doc);
    free(L.start);
    return 0;
}
