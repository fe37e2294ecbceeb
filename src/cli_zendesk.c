/* cli_zendesk.c - JSON inputs: Zendesk macro exports, where each
 * comment_value(_html) action is one text mapped byte by byte back to its
 * string literal in the file, and JSON Lines records.  jansson reads the
 * structure; the string literals are found again in the raw file, in
 * order, because jansson keeps no positions of values. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "cli_kinds.h"

/* ---- string literals with a byte map ---------------------------------- */

static int hex4(const char *s, unsigned *out)
{
    unsigned v = 0;
    for (int i = 0; i < 4; i++) {
        char c = s[i];
        v <<= 4;
        if (c >= '0' && c <= '9')
            v |= (unsigned)(c - '0');
        else if (c >= 'a' && c <= 'f')
            v |= (unsigned)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F')
            v |= (unsigned)(c - 'A' + 10);
        else
            return -1;
    }
    *out = v;
    return 0;
}

static size_t put_utf8(char *o, unsigned cp)
{
    if (cp < 0x80)
        return o[0] = (char)cp, 1;
    if (cp < 0x800)
        return o[0] = (char)(0xC0 | cp >> 6), o[1] = (char)(0x80 | (cp & 63)), 2;
    if (cp < 0x10000)
        return o[0] = (char)(0xE0 | cp >> 12),
               o[1] = (char)(0x80 | ((cp >> 6) & 63)),
               o[2] = (char)(0x80 | (cp & 63)), 3;
    return o[0] = (char)(0xF0 | cp >> 18), o[1] = (char)(0x80 | ((cp >> 12) & 63)),
           o[2] = (char)(0x80 | ((cp >> 6) & 63)), o[3] = (char)(0x80 | (cp & 63)), 4;
}

/* One escape at raw[i] ('\\'); returns its length in raw, 0 if bad. */
static size_t unescape(const char *raw, size_t len, size_t i, unsigned *cp)
{
    static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
    const char *k = i + 1 < len ? strchr(from, raw[i + 1]) : NULL;
    if (k && *k) {
        *cp = (unsigned char)to[k - from];
        return 2;
    }
    unsigned hi, lo;
    if (i + 6 > len || raw[i + 1] != 'u' || hex4(raw + i + 2, &hi))
        return 0;
    *cp = hi;
    if (hi < 0xD800 || hi > 0xDBFF)
        return 6;
    if (i + 12 > len || raw[i + 6] != '\\' || raw[i + 7] != 'u' ||
        hex4(raw + i + 8, &lo) || lo < 0xDC00 || lo > 0xDFFF)
        return 0;
    *cp = 0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00);
    return 12;
}

typedef struct {
    char *text;
    size_t len;
    size_t *map;          /* len + 1 entries */
} decoded;

/* The literal whose opening quote is raw[q]; each decoded byte maps to
 * the raw byte that produced it (an escape's backslash). */
static int decode(const char *raw, size_t len, size_t q, decoded *d)
{
    size_t cap = 1, i;
    for (i = q + 1; i < len && raw[i] != '"'; i += raw[i] == '\\' ? 2 : 1)
        cap++;
    d->text = malloc(cap + 4);
    d->map = malloc((cap + 4) * sizeof *d->map);
    d->len = 0;
    if (!d->text || !d->map)
        return -1;
    for (i = q + 1; i < len && raw[i] != '"';) {
        unsigned cp = (unsigned char)raw[i];
        size_t step = raw[i] == '\\' ? unescape(raw, len, i, &cp) : 1;
        if (step == 0)
            return -1;
        size_t k = step == 1 ? (d->text[d->len] = raw[i], 1)
                             : put_utf8(d->text + d->len, cp);
        for (size_t j = 0; j < k; j++)
            d->map[d->len + j] = i;
        d->len += k;
        i += step;
    }
    d->text[d->len] = 0;
    d->map[d->len] = i;
    return 0;
}

static void decoded_free(decoded *d)
{
    free(d->text);
    free(d->map);
    *d = (decoded){0};
}

static size_t string_end(const char *raw, size_t len, size_t q)
{
    size_t i = q + 1;
    while (i < len && raw[i] != '"')
        i += raw[i] == '\\' ? 2 : 1;
    return i < len ? i + 1 : len;
}

/* The next string value (not a key) at or after *cursor that decodes to
 * want; moves *cursor past it.  0 when found. */
static int find_value(const char *raw, size_t len, size_t *cursor,
                      const char *want, size_t wlen, decoded *d)
{
    for (size_t i = *cursor; i < len; i++) {
        if (raw[i] != '"')
            continue;
        size_t e = string_end(raw, len, i), k = e;
        while (k < len && (raw[k] == ' ' || raw[k] == '\t' || raw[k] == '\n' ||
                           raw[k] == '\r'))
            k++;
        if (k < len && raw[k] == ':') {
            i = e - 1;
            continue;
        }
        if (decode(raw, len, i, d) == 0 && d->len == wlen &&
            memcmp(d->text, want, wlen) == 0) {
            *cursor = e;
            return 0;
        }
        decoded_free(d);
        i = e - 1;
    }
    return -1;
}

/* ---- Zendesk macro exports -------------------------------------------- */

/* {"macros": [...]}, {"macro": {...}} or a bare array of macros. */
static size_t macro_list(json_t *root, json_t ***out)
{
    json_t *list = json_is_array(root) ? root : json_object_get(root, "macros");
    json_t *one = json_object_get(root, "macro");
    size_t n = json_is_array(list) ? json_array_size(list) : json_is_object(one);
    *out = n ? malloc(n * sizeof **out) : NULL;
    for (size_t i = 0; *out && i < n; i++)
        (*out)[i] = json_is_array(list) ? json_array_get(list, i) : one;
    return *out ? n : 0;
}

static char *macro_title(json_t *m, size_t index)
{
    char buf[64];
    const char *t = json_string_value(json_object_get(m, "title"));
    json_t *id = json_object_get(m, "id");
    if (t && *t)
        return strdup(t);
    if (json_is_integer(id))
        snprintf(buf, sizeof buf, "%" JSON_INTEGER_FORMAT, json_integer_value(id));
    else
        snprintf(buf, sizeof buf, "macro %zu", index + 1);
    return strdup(buf);
}

/* The text of a comment action: a string, or (older exports) an array
 * whose last element is the text. */
static const char *comment_text(json_t *action, size_t *len)
{
    const char *field = json_string_value(json_object_get(action, "field"));
    json_t *v = json_object_get(action, "value");
    if (!field || (strcmp(field, "comment_value") &&
                   strcmp(field, "comment_value_html")))
        return NULL;
    if (json_is_array(v))
        v = json_array_get(v, json_array_size(v) - 1);
    *len = json_string_length(v);
    return json_string_value(v);
}

/* "Refund (2)" for the second text of a title already used. */
static char *unique_title(const mc_pieces *out, char *title)
{
    int seen = 0;
    size_t n = title ? strlen(title) : 0;
    for (size_t i = 0; title && i < out->n; i++) {
        const char *t = out->v[i].title;
        seen += t && strncmp(t, title, n) == 0 &&
                (t[n] == 0 || strncmp(t + n, " (", 2) == 0);
    }
    if (!seen)
        return title;
    char *t = malloc(strlen(title) + 16);
    if (t)
        sprintf(t, "%s (%d)", title, seen + 1);
    free(title);
    return t;
}

static int add_macro_text(const mc_file *f, mc_pieces *out, size_t *cursor,
                          char *title, const char *text, size_t len, FILE *diag)
{
    mc_piece *pc = mc_pieces_add(out);
    decoded d = {0};
    if (!pc || !(pc->title = unique_title(out, title)))
        return free(title), -1;
    if (find_value(f->buf, f->len, cursor, text, len, &d) == 0) {
        mc_cursor cur;
        pc->text = d.text;
        pc->map = d.map;
        pc->len = d.len;
        mc_cursor_init(&cur, f->buf, f->len);
        mc_cursor_at(&cur, d.map[0], &pc->line, &pc->column);
    } else {  /* not found again: positions within the text */
        if (!(pc->text = mc_strndup(text, len)))
            return -1;
        pc->len = len;
        pc->own_positions = 1;
    }
    return mc_scan_controls(out, pc, f, f->rules, diag);
}

static int add_macro(const mc_file *f, json_t *m, size_t index, size_t *cursor,
                     mc_pieces *out, FILE *diag)
{
    json_t *actions = json_object_get(m, "actions"), *a;
    size_t i, len;
    json_array_foreach(actions, i, a) {
        const char *text = comment_text(a, &len);
        if (!text)
            continue;
        char *title = macro_title(m, index);
        if (!title || add_macro_text(f, out, cursor, title, text, len, diag))
            return -1;
    }
    return 0;
}

int mc_zendesk_pieces(const mc_file *f, mc_pieces *out, FILE *diag)
{
    json_error_t je;
    json_t *root = json_loadb(f->buf, f->len, 0, &je), **macros;
    if (!root) {
        fprintf(diag, "%s:%d:%d: error: %s\n", f->path, je.line, je.column,
                je.text);
        return -1;
    }
    size_t n = macro_list(root, &macros), cursor = 0;
    int rc = 0;
    if (n == 0)
        fprintf(diag, "%s: note: skipped: not a Zendesk macro export "
                "({\"macros\": [...]}, {\"macro\": {...}} or [...])\n", f->path);
    for (size_t i = 0; rc == 0 && i < n; i++)
        rc = add_macro(f, macros[i], i, &cursor, out, diag);
    if (rc)
        fprintf(diag, "%s: error: out of memory\n", f->path);
    free(macros);
    json_decref(root);
    return rc;
}

/* ---- JSON Lines ------------------------------------------------------- */

static int jsonl_record(mc_piece *pc, const char *line, size_t len)
{
    json_error_t je;
    json_t *o = json_loadb(line, len, 0, &je), *id = NULL;
    const char *text = NULL, *lang = NULL;
    size_t tlen = 0;
    int rc = 0;
    if (!o || json_unpack_ex(o, &je, 0, "{s:s%, s?o, s?s}", "text", &text,
                             &tlen, "id", &id, "lang", &lang) != 0) {
        pc->error = strdup(o ? "expected {\"text\": string, \"id\"?: any, "
                               "\"lang\"?: string}" : je.text);
    } else if (lang && (pc->lang = mc_lang_parse(lang)) < 0) {
        char msg[300];
        snprintf(msg, sizeof msg, "unknown lang \"%s\"", lang);
        pc->error = strdup(msg);
    } else {
        pc->id_json = id ? json_dumps(id, JSON_ENCODE_ANY | JSON_COMPACT)
                         : strdup("null");
        pc->text = mc_strndup(text, tlen);
        pc->len = tlen;
        rc = pc->id_json && pc->text ? 0 : -1;
    }
    json_decref(o);
    return rc || (!pc->error && !pc->text) ? -1 : 0;
}

int mc_jsonl_pieces(const mc_file *f, mc_pieces *out)
{
    int lineno = 0;
    for (size_t i = 0; i < f->len;) {
        size_t e = i;
        while (e < f->len && f->buf[e] != '\n')
            e++;
        size_t n = e - i;
        lineno++;
        while (n && (f->buf[i + n - 1] == '\r' || f->buf[i + n - 1] == '\n'))
            n--;
        if (n) {
            mc_piece *pc = mc_pieces_add(out);
            if (!pc)
                return -1;
            pc->line = lineno;
            pc->column = 0;
            pc->own_positions = 1;
            if (jsonl_record(pc, f->buf + i, n))
                return -1;
        }
        i = e + 1;
    }
    return 0;
}
