/* prefilter.c - the cheap test before PCRE2.  For every rule it extracts,
 * from the patterns themselves, a set of literals one of which every match
 * must contain; per text, one scan finds them all, and match.c then runs a
 * rule only on the sentences where one of its literals occurs.  Extraction
 * is conservative: whatever it does not understand gives the rule no
 * prefilter, and the rule runs everywhere as before.
 *
 * Why this is sound: patterns run over the normalized text, which is
 * case-folded (normalize.c), so a caseless match of a lower-case letter
 * of the whitelist below is that very byte sequence; and a match lies
 * inside the subject PCRE2 is given (one sentence, or the whole text for
 * scope = text).  The rules' own match examples test it (--check-rules
 * runs them through the prefilter too). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* Sets stay bounded, and cross products small (they are made for every
 * character of a literal run); what does not fit is given up for a
 * weaker, still correct, requirement.  A set holds the union of the
 * branches of a definition: the rules' lists of third parties run to a
 * few hundred words (at 128, dozens of patterns calling them ran on every
 * sentence). */
#define SET_MAX 512
#define PRODUCT_MAX 32
#define LIT_MAX 24
/* Literals shorter than this (in bytes) are too common to be worth it. */
#define LIT_MIN 3
/* A pattern is run only where all of up to this many requirements (from
 * different parts of it: "sorry" ... "if") are met. */
#define NREQ 3
/* Subroutine calls followed into definitions, at most this deep. */
#define CALL_DEPTH 8
/* Scratch for the sets of the patterns, emptied when half full; a pattern
 * that runs out of it has no prefilter. */
#define ARENA_MEMBERS (1u << 18)
#define ARENA_BYTES (1u << 22)

/* ---- sets of strings, in an arena ---------------------------------------- */

typedef struct {
    uint32_t off, len; /* bytes in the arena */
} member;

/* Members first .. first + n - 1 of the arena; "" may be a member. */
typedef struct {
    uint32_t first, n;
} strset;

typedef struct {
    member *m;
    uint32_t nm;
    char *b;
    uint32_t nb;
    int full;          /* the arena ran out: give the pattern up */
} arena;

static int same(const arena *a, member x, const char *s, size_t n)
{
    return x.len == n && memcmp(a->b + x.off, s, n) == 0;
}

static int set_has(const arena *a, strset s, const char *str, size_t n)
{
    for (uint32_t i = 0; i < s.n; i++)
        if (same(a, a->m[s.first + i], str, n))
            return 1;
    return 0;
}

static strset set_new(const arena *a)
{
    return (strset){a->nm, 0};
}

/* Adds str to s, the set created last, unless it is there (dedupe: 0
 * when it is known not to be); 0 when it does not fit. */
static int set_add(arena *a, strset *s, const char *str, size_t n,
                   int dedupe)
{
    if (dedupe && set_has(a, *s, str, n))
        return 1;
    if (s->n == SET_MAX || n > LIT_MAX)
        return 0;
    if (a->nm == ARENA_MEMBERS || a->nb + n > ARENA_BYTES) {
        a->full = 1;
        return 0;
    }
    memcpy(a->b + a->nb, str, n);
    a->m[a->nm++] = (member){a->nb, (uint32_t)n};
    a->nb += (uint32_t)n;
    s->n++;
    return 1;
}

static int set_push(arena *a, strset *s, const char *str, size_t n)
{
    return set_add(a, s, str, n, 1);
}

static strset set_one(arena *a, const char *str, size_t n)
{
    strset s = set_new(a);
    set_push(a, &s, str, n);
    return s;
}

/* x | y, or *ok = 0 when it does not fit.  Members are not deduplicated
 * (that would be quadratic; the index merges equal literals), and the
 * strings are shared, not copied. */
static strset set_union(arena *a, strset x, strset y, int *ok)
{
    strset s = set_new(a);
    if (x.n + y.n > SET_MAX || a->nm + x.n + y.n > ARENA_MEMBERS) {
        a->full |= a->nm + x.n + y.n > ARENA_MEMBERS;
        *ok = 0;
        return s;
    }
    for (uint32_t i = 0; i < x.n + y.n; i++)
        a->m[a->nm++] = a->m[i < x.n ? x.first + i : y.first + i - x.n];
    s.n = x.n + y.n;
    return s;
}

/* Every member of x followed by every member of y.  When either has one
 * member the products are all different (the usual case: one more
 * character for a run), so they need no dedupe. */
static strset set_product(arena *a, strset x, strset y, int *ok)
{
    strset s = set_new(a);
    int dedupe = x.n > 1 && y.n > 1;
    char buf[2 * LIT_MAX];
    if ((uint64_t)x.n * y.n > PRODUCT_MAX)
        *ok = 0;
    for (uint32_t i = 0; *ok && i < x.n; i++)
        for (uint32_t j = 0; *ok && j < y.n; j++) {
            member p = a->m[x.first + i], q = a->m[y.first + j];
            if (p.len + q.len > LIT_MAX) {
                *ok = 0;
                break;
            }
            memcpy(buf, a->b + p.off, p.len);
            memcpy(buf + p.len, a->b + q.off, q.len);
            *ok = set_add(a, &s, buf, p.len + q.len, dedupe);
        }
    return s;
}

static uint32_t min_len(const arena *a, strset s)
{
    uint32_t m = UINT32_MAX;
    for (uint32_t i = 0; i < s.n; i++)
        if (a->m[s.first + i].len < m)
            m = a->m[s.first + i].len;
    return s.n ? m : 0;
}

/* ---- pieces of a pattern -------------------------------------------------- */

/* What is known about the matches of one piece of a pattern. */
typedef struct {
    int exact;          /* every match is one of the strings of e */
    strset e;
    int nreq;           /* every match contains one string of each req[i], */
    strset req[NREQ];   /* the best first */
} piece;

/* Calls already followed, by the text of the called body: the same
 * definition is inlined into many patterns.  Valid while the arena is. */
#define MEMO_MAX 256
typedef struct {
    struct {
        const char *body;
        size_t len;
        piece p;
    } v[MEMO_MAX];
    int n;
} memo;

typedef struct {
    const char *pat;   /* the whole (expanded) pattern */
    const char *p;     /* the parse position */
    int bail;          /* something not understood: no prefilter */
    int depth;         /* of subroutine calls being followed */
    arena *a;
    memo *mo;
} parser;

static piece none(void)
{
    piece p;
    memset(&p, 0, sizeof p);
    return p;
}

static piece exact_of(parser *ps, const char *s, size_t n)
{
    piece p = none();
    p.exact = 1;
    p.e = set_one(ps->a, s, n);
    p.nreq = n > 0;
    p.req[0] = p.e;
    return p;
}

static piece empty(parser *ps) { return exact_of(ps, "", 0); }

/* Is x a better requirement than y?  The longer shortest member first
 * (capped: past a few bytes every literal is rare), then fewer members. */
static int better(const arena *a, strset x, strset y)
{
    uint32_t mx = min_len(a, x), my = min_len(a, y);
    mx = mx > 6 ? 6 : mx;
    my = my > 6 ? 6 : my;
    return mx != my ? mx > my : x.n < y.n;
}

/* Adds r to the requirements of best, in order, if it is one (no ""
 * member) and among the NREQ best. */
static void consider(const arena *a, piece *best, strset r)
{
    if (r.n == 0 || set_has(a, r, "", 0))
        return;
    int i = best->nreq < NREQ ? best->nreq++ : NREQ;
    for (; i > 0 && better(a, r, best->req[i - 1]); i--)
        if (i < NREQ)
            best->req[i] = best->req[i - 1];
    if (i < NREQ)
        best->req[i] = r;
}

/* ---- the pattern parser ----------------------------------------------- */

static piece parse_alt(parser *ps);
static const char *skip_group(const char *s);

/* Whether the two-byte UTF-8 character at s is a lower-case letter whose
 * caseless matches, in case-folded text, are the letter itself: Cyrillic
 * а-я and ѐ-џ, Latin-1 à-þ, and Polish ą ć ę ł ń ś ź ż (ASCII is handled
 * apart).  Others are no literal. */
static int plain_letter(const unsigned char *s)
{
    static const uint32_t polish[] = {0x105, 0x107, 0x119, 0x142,
                                      0x144, 0x15B, 0x17A, 0x17C};
    uint32_t c = (uint32_t)(s[0] & 0x1F) << 6 | (s[1] & 0x3F);
    if ((c >= 0x430 && c <= 0x45F) || (c >= 0xE0 && c <= 0xFE && c != 0xF7))
        return 1;
    for (size_t i = 0; i < sizeof polish / sizeof polish[0]; i++)
        if (c == polish[i])
            return 1;
    return 0;
}

/* One literal character at ps->p (UTF-8: the pattern compiled). */
static piece literal_char(parser *ps)
{
    const unsigned char *s = (const unsigned char *)ps->p;
    if (s[0] < 0x80) {
        char c = (char)(s[0] >= 'A' && s[0] <= 'Z' ? s[0] + 32 : s[0]);
        ps->p++;
        return exact_of(ps, &c, 1);
    }
    size_t k = s[0] < 0xE0 ? 2 : s[0] < 0xF0 ? 3 : 4;
    if (strnlen(ps->p, k) < k) {
        ps->bail = 1;
        return none();
    }
    ps->p += k;
    return k == 2 && plain_letter(s) ? exact_of(ps, (const char *)s, k)
                                     : none();
}

/* Skips a "{...}" argument of an escape; 0 when there is none. */
static int skip_braces(parser *ps)
{
    if (*ps->p != '{')
        return 0;
    const char *e = strchr(ps->p, '}');
    if (!e)
        ps->bail = 1;
    else
        ps->p = e + 1;
    return 1;
}

static void skip_while(parser *ps, const char *chars, int max)
{
    for (int i = 0; i < max && *ps->p && strchr(chars, *ps->p); i++)
        ps->p++;
}

/* After a backslash: a literal, an assertion, or a class of characters. */
static piece parse_escape(parser *ps)
{
    char c = *++ps->p;
    if (!c) {
        ps->bail = 1;
        return none();
    }
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
          (c >= '0' && c <= '9')))
        return literal_char(ps); /* \. \- \' and the like */
    ps->p++;
    if (strchr("bBAzZGKE", c))
        return empty(ps); /* zero-width */
    if (strchr("dDwWsShHvVRXCntrfeaN", c)) {
        if (c == 'N')
            skip_braces(ps); /* \N{U+...} */
        return none();
    }
    if (c == 'p' || c == 'P') {
        if (!skip_braces(ps) && *ps->p)
            ps->p++; /* \pL */
    } else if (c == 'x') {
        if (!skip_braces(ps))
            skip_while(ps, "0123456789abcdefABCDEF", 2);
    } else if (c == 'o') {
        if (!skip_braces(ps))
            ps->bail = 1;
    } else if (c == 'c') {
        if (*ps->p)
            ps->p++;
    } else if ((c == 'g' || c == 'k') && strchr("<'{", *ps->p) && *ps->p) {
        char close = *ps->p == '<' ? '>' : *ps->p == '{' ? '}' : '\'';
        const char *e = strchr(ps->p + 1, close);
        ps->bail |= !e;
        ps->p = e ? e + 1 : ps->p;
    } else if (c == 'g' || (c >= '0' && c <= '9')) {
        skip_while(ps, "+-0123456789", 8); /* back references */
    } else {
        ps->bail = 1; /* \Q...\E, and anything unknown */
    }
    return none();
}

/* The end of the class starting at s (after "["), or NULL. */
static const char *class_end(const char *s)
{
    if (*s == '^')
        s++;
    if (*s == ']')
        s++;
    for (; *s && *s != ']'; s++) {
        if (*s == '[' && s[1] == ':') {
            const char *e = strstr(s + 2, ":]");
            if (!e)
                return NULL;
            s = e + 1;
        } else if (*s == '\\') {
            if (!*++s)
                return NULL;
            if (strchr("pPxoN", *s) && s[1] == '{' && !(s = strchr(s, '}')))
                return NULL;
        }
    }
    return *s ? s : NULL;
}

/* The size of the letter at s that is its own literal (ASCII a-z or a
 * plain_letter), or 0. */
static size_t class_letter(const unsigned char *s, const unsigned char *e)
{
    if (*s >= 'a' && *s <= 'z')
        return 1;
    if (*s < 0xC0 || *s >= 0xE0 || e - s < 2 || (s[1] & 0xC0) != 0x80)
        return 0;
    return plain_letter(s) ? 2 : 0;
}

/* A class: exact when it is a few letters that are their own literals
 * ([sz], and in Polish and Russian [lł], [ęe], [её]): the spelling
 * variants the rules write everywhere. */
static piece parse_class(parser *ps)
{
    const char *s = ps->p + 1, *e = class_end(s);
    if (!e) {
        ps->bail = 1;
        return none();
    }
    ps->p = e + 1;
    if (e == s || e - s > 8) /* up to four letters of two bytes */
        return none();
    piece p = none();
    p.exact = p.nreq = 1;
    p.e = set_new(ps->a);
    const unsigned char *c = (const unsigned char *)s, *end =
        (const unsigned char *)e;
    for (size_t k; c < end; c += k)
        if (!(k = class_letter(c, end)) ||
            !set_push(ps->a, &p.e, (const char *)c, k))
            return none();
    p.req[0] = p.e;
    return p;
}

/* A call (?&name): what the body of the group of that name requires. */
static piece call_named(parser *ps, const char *name, size_t n)
{
    char key[48];
    if (n + 4 >= sizeof key || ps->depth >= CALL_DEPTH)
        return none();
    snprintf(key, sizeof key, "(?<%.*s>", (int)n, name);
    const char *at = strstr(ps->pat, key), *body, *end;
    if (!at || !(end = skip_group(body = at + strlen(key))))
        return none();
    memo *mo = ps->mo;
    for (int i = 0; i < mo->n; i++)
        if (mo->v[i].len == (size_t)(end - body) &&
            memcmp(mo->v[i].body, body, mo->v[i].len) == 0)
            return mo->v[i].p;
    parser sub = {ps->pat, body, 0, ps->depth + 1, ps->a, mo};
    piece p = parse_alt(&sub);
    if (sub.bail || *sub.p != ')')
        p = none();
    if (mo->n < MEMO_MAX) {
        mo->v[mo->n].body = body;
        mo->v[mo->n].len = (size_t)(end - body);
        mo->v[mo->n++].p = p;
    }
    return p;
}

/* Skips a group whose content does not count, from after its opening
 * "(...": (?(DEFINE)...), lookarounds.  Returns the position after ")". */
static const char *skip_group(const char *s)
{
    int depth = 1;
    for (; *s; s++) {
        if (*s == '\\') {
            if (!*++s)
                return NULL;
        } else if (*s == '[') {
            if (!(s = class_end(s + 1)))
                return NULL;
        } else if (*s == '(') {
            depth++;
        } else if (*s == ')' && --depth == 0) {
            return s + 1;
        }
    }
    return NULL;
}

static piece skipped(parser *ps, const char *s)
{
    const char *e = skip_group(s);
    if (!e) {
        ps->bail = 1;
        return none();
    }
    ps->p = e;
    return empty(ps);
}

/* "(?" followed by option letters, (?R) or (?1): the first is nothing,
 * the others recursion (no requirement); (?x) changes the syntax. */
static piece option_group(parser *ps, const char *s, const char **content)
{
    size_t n = strspn(s, "abcdefghijklmnopqrstuvwyzABCDEFGHIJKLMNOPQRSTUVWXYZ^-+0123456789");
    int numeric = n && strchr("R+-0123456789", *s) != NULL;
    *content = NULL;
    if (s[n] == ')' || s[n] == ':') {
        if (s[n] == ':' && !numeric) {
            *content = s + n + 1;
            return none();
        }
        if (s[n] == ')') {
            ps->p = s + n + 1;
            return numeric ? none() : empty(ps);
        }
    }
    ps->bail = 1;
    return none();
}

/* The start of a group's content after "(?", or NULL when the group is
 * dealt with (its piece in *done).  *look: a positive lookaround, whose
 * requirements hold for the subject but which matches nothing. */
static const char *group_kind(parser *ps, const char *s, piece *done,
                              int *look)
{
    if (*s == '&' || (*s == 'P' && s[1] == '>')) {
        const char *name = s + (*s == '&' ? 1 : 2);
        size_t n = strcspn(name, ")");
        ps->p = name + n + (name[n] == ')');
        *done = call_named(ps, name, n);
        return NULL;
    }
    if (*s == '=' || (*s == '<' && s[1] == '=')) {
        *look = 1;
        return s + (*s == '=' ? 1 : 2);
    }
    if (strncmp(s, "(DEFINE)", 8) == 0 || *s == '!' ||
        (*s == '<' && s[1] == '!')) {
        *done = skipped(ps, s); /* never matched here, or zero-width */
        return NULL;
    }
    if (*s == ':' || *s == '|' || *s == '>')
        return s + 1;
    if (*s == '<' || (*s == 'P' && s[1] == '<') || *s == '\'') {
        const char *e = strchr(s + 1, *s == '\'' ? '\'' : '>');
        if (e)
            return e + 1;
    } else if (*s != '(' && *s != 'C' && *s != '#' && *s != 'P') {
        const char *content;
        *done = option_group(ps, s, &content);
        if (content)
            return content;
        return NULL;
    }
    ps->bail = 1; /* conditionals, callouts, comments, (?P=name) */
    *done = none();
    return NULL;
}

/* After "(": the group's content, or what a special group means. */
static piece parse_group(parser *ps)
{
    const char *s = ++ps->p;
    int look = 0;
    if (*s == '*') { /* (*VERB): (*ACCEPT) ends a match early */
        ps->bail = 1;
        return none();
    }
    if (*s == '?') {
        piece done;
        if (!(s = group_kind(ps, s + 1, &done, &look)))
            return done;
    }
    ps->p = s;
    piece p = parse_alt(ps);
    if (*ps->p != ')') {
        ps->bail = 1;
        return none();
    }
    ps->p++;
    if (look) { /* matches "", but what it requires is in the subject */
        p.exact = 1;
        p.e = set_one(ps->a, "", 0);
    }
    return p;
}

/* Digits at *s, moved past; -1 when there are none. */
static long digits(const char **s)
{
    long v = -1;
    for (; **s >= '0' && **s <= '9' && v < 100000; (*s)++)
        v = (v < 0 ? 0 : v * 10) + (**s - '0');
    return v;
}

/* A quantifier at ps->p: sets *lo and *hi (-1: no bound); 0 when there
 * is none.  A "{" that is no quantifier is given up: PCRE2 versions
 * differ on what "{,3}" means. */
static int parse_quant(parser *ps, long *lo, long *hi)
{
    const char *s = ps->p + 1;
    char c = *ps->p;
    if (c == '?' || c == '*' || c == '+') {
        *lo = c == '+';
        *hi = c == '?' ? 1 : -1;
    } else if (c == '{') {
        *lo = *hi = digits(&s);
        if (*lo >= 0 && *s == ',') {
            s++;
            *hi = digits(&s);
        }
        if (*lo < 0 || *s++ != '}') {
            ps->bail = 1;
            return 0;
        }
    } else {
        return 0;
    }
    ps->p = s;
    if (*ps->p == '?' || *ps->p == '+') /* lazy or possessive */
        ps->p++;
    return 1;
}

static piece quantified(parser *ps, piece a, long lo, long hi)
{
    int ok = 1;
    if (lo == 0 && hi == 1 && a.exact) { /* x? is x or nothing */
        piece p = none();
        p.e = set_union(ps->a, a.e, set_one(ps->a, "", 0), &ok);
        p.exact = ok;
        return p;
    }
    if (lo == 0)
        return none();
    if (lo != 1 || hi != 1)
        a.exact = 0; /* x+, x{2,}: x at least once */
    return a;
}

static piece parse_atom(parser *ps)
{
    piece a;
    switch (*ps->p) {
    case '(':
        a = parse_group(ps);
        break;
    case '[':
        a = parse_class(ps);
        break;
    case '\\':
        a = parse_escape(ps);
        break;
    case '.':
        ps->p++;
        a = none();
        break;
    case '^':
    case '$':
        ps->p++;
        a = empty(ps);
        break;
    case '*':
    case '+':
    case '?':
    case '{':
        ps->bail = 1;
        return none();
    default:
        a = literal_char(ps);
    }
    long lo, hi;
    if (!ps->bail && parse_quant(ps, &lo, &hi))
        a = quantified(ps, a, lo, hi);
    return a;
}

/* A run of exact pieces being joined: every member of set followed by
 * tail.  A piece of one string (most are one character) only grows the
 * tail, so a run costs a copy per character, not one per member. */
typedef struct {
    strset set;
    uint32_t max;      /* the longest member of set */
    uint32_t ntail;
    char tail[LIT_MAX];
} run;

static run run_of(const arena *a, strset s)
{
    run r = {s, 0, 0, {0}};
    for (uint32_t i = 0; i < s.n; i++)
        if (a->m[s.first + i].len > r.max)
            r.max = a->m[s.first + i].len;
    return r;
}

/* Appends the string m to every member; 0 where set_product would give
 * up (too many members, or a literal over LIT_MAX). */
static int run_extend(const arena *a, run *r, member m)
{
    if (r->set.n == 0)
        return 1;
    if (r->set.n > PRODUCT_MAX || r->max + r->ntail + m.len > LIT_MAX)
        return 0;
    memcpy(r->tail + r->ntail, a->b + m.off, m.len);
    r->ntail += m.len;
    return 1;
}

/* The run as one set (the tail joined in); r holds it from then on. */
static strset run_set(arena *a, run *r)
{
    if (r->ntail && r->set.n) {
        int ok = 1;
        strset t = set_one(a, r->tail, r->ntail);
        *r = run_of(a, set_product(a, r->set, t, &ok));
    }
    r->ntail = 0;
    return r->set;
}

/* Joins the exact piece a to the run; 0 when that does not fit. */
static int run_join(arena *a, run *r, piece a_)
{
    if (a_.e.n == 1)
        return run_extend(a, r, a->m[a_.e.first]);
    int ok = 1;
    strset joined = set_product(a, run_set(a, r), a_.e, &ok);
    if (ok)
        *r = run_of(a, joined);
    return ok;
}

/* A sequence: runs of exact pieces are joined into longer literals; each
 * run and each requirement of a piece is required, the best are kept. */
static piece parse_seq(parser *ps)
{
    piece out = none();
    run r = run_of(ps->a, set_one(ps->a, "", 0));
    int all_exact = 1;
    while (*ps->p && *ps->p != '|' && *ps->p != ')' && !ps->bail) {
        piece a = parse_atom(ps);
        if (a.exact && run_join(ps->a, &r, a)) {
            for (int i = 0; a.e.n == 1 && !min_len(ps->a, a.e) && i < a.nreq; i++)
                consider(ps->a, &out, a.req[i]); /* a lookaround's */
            continue;
        }
        consider(ps->a, &out, run_set(ps->a, &r));
        all_exact = 0;
        for (int i = 0; i < a.nreq; i++)
            consider(ps->a, &out, a.req[i]);
        r = run_of(ps->a, a.exact ? a.e : set_one(ps->a, "", 0));
    }
    out.e = run_set(ps->a, &r);
    consider(ps->a, &out, out.e);
    out.exact = all_exact;
    return out;
}

/* Alternatives: when every branch meets all of its requirements, a match
 * meets, for each i, the union of the i-th requirements of the branches. */
static piece parse_alt(parser *ps)
{
    piece acc = parse_seq(ps);
    while (*ps->p == '|' && !ps->bail) {
        ps->p++;
        piece b = parse_seq(ps);
        int ok_e = acc.exact && b.exact, n = 0;
        acc.e = ok_e ? set_union(ps->a, acc.e, b.e, &ok_e) : acc.e;
        acc.exact = ok_e;
        for (int i = 0; i < acc.nreq && i < b.nreq; i++) {
            int ok = 1;
            strset u = set_union(ps->a, acc.req[i], b.req[i], &ok);
            if (ok)
                acc.req[n++] = u;
        }
        acc.nreq = n;
    }
    if (acc.exact && !acc.nreq) /* an exact set is a requirement too */
        consider(ps->a, &acc, acc.e);
    return acc;
}

/* The requirements of one expanded pattern, as sets in a, worth
 * scanning for (no literal under LIT_MIN bytes); how many. */
static int pattern_literals(arena *a, memo *mo, const char *pattern,
                            strset *out)
{
    parser ps = {pattern, pattern, 0, 0, a, mo};
    if (!pattern)
        return 0;
    piece p = parse_alt(&ps);
    int n = 0;
    for (int i = 0; !ps.bail && !a->full && !*ps.p && i < p.nreq; i++)
        if (min_len(a, p.req[i]) >= LIT_MIN)
            out[n++] = p.req[i];
    return n;
}

/* ---- the index --------------------------------------------------------- */

/* Literals are found by their first LIT_MIN bytes, hashed to a bucket; a
 * bitmap of the buckets in use keeps the scan to one test per byte.
 * Patterns are numbered across the set ("pattern slots"): rule slot i
 * has the patterns first[i] .. first[i + 1] - 1; and so are their
 * requirements ("clauses"): pattern slot p has cfirst[p] .. cfirst[p+1]-1,
 * and may match only where each of them has a literal. */
#define HASH_BITS 16
#define NBUCKETS (1u << HASH_BITS)

typedef struct {
    char *s;
    size_t n;
} literal;

struct mc_prefilter {
    literal *lits;                /* point into pool */
    size_t nlits;
    char *pool;
    uint64_t used[NBUCKETS / 64]; /* buckets holding some literal */
    uint32_t *bucket;             /* NBUCKETS + 1 starts into by_bucket */
    uint32_t *by_bucket;          /* literal ids, grouped by bucket */
    uint32_t *lit_cl_at;          /* nlits + 1 starts into lit_cls */
    uint32_t *lit_cls;            /* the clauses a literal satisfies */
    size_t nrules, npats, max_pats, ncl;
    uint32_t *first;              /* by rule slot: its first pattern */
    uint32_t *cfirst;             /* by pattern slot: its first clause */
};

static uint32_t hash3(const unsigned char *s)
{
    uint32_t k = (uint32_t)s[0] << 16 | (uint32_t)s[1] << 8 | s[2];
    return (k * 2654435761u) >> (32 - HASH_BITS);
}

/* One literal of a clause, before they are grouped. */
typedef struct {
    char *s;
    uint32_t n, cl;
} need;

typedef struct {
    need *v;
    size_t n, cap;
} needs;

static int push_need(needs *nd, const char *s, uint32_t n, uint32_t cl)
{
    if (mc_grow((void **)&nd->v, &nd->cap, nd->n + 1, sizeof *nd->v))
        return -1;
    char *copy = malloc(n ? n : 1);
    if (!copy)
        return -1;
    if (n) /* s may be NULL when n is 0 (found by fuzz_rules) */
        memcpy(copy, s, n);
    nd->v[nd->n++] = (need){copy, n, cl};
    return 0;
}

/* Adds the clauses of one pattern, numbered from f->ncl, to nd.  Returns
 * how many, or -1 when out of memory.  The arena (and the calls memo with
 * it) is emptied only when half full. */
static int pattern_needs(mc_prefilter *f, arena *a, memo *mo,
                         const char *expanded, needs *nd)
{
    strset req[NREQ];
    if (a->full || a->nm > ARENA_MEMBERS / 2 || a->nb > ARENA_BYTES / 2) {
        a->nm = a->nb = 0;
        a->full = 0;
        mo->n = 0;
    }
    int n = pattern_literals(a, mo, expanded, req);
    for (int i = 0; i < n; i++, f->ncl++)
        for (uint32_t j = 0; j < req[i].n; j++) {
            member m = a->m[req[i].first + j];
            if (push_need(nd, a->b + m.off, m.len, (uint32_t)f->ncl))
                return -1;
        }
    return n;
}

static int cmp_need(const void *x, const void *y)
{
    const need *p = x, *q = y;
    uint32_t n = p->n < q->n ? p->n : q->n;
    int c = memcmp(p->s, q->s, n);
    if (c == 0 && p->n != q->n)
        c = p->n < q->n ? -1 : 1;
    return c ? c : (p->cl > q->cl) - (p->cl < q->cl);
}

/* Sorted needs become the literal table (one pool of bytes) and each
 * literal's clauses. */
static int group_needs(mc_prefilter *f, needs *nd)
{
    size_t bytes = 0, used = 0;
    for (size_t i = 0; i < nd->n; i++)
        bytes += nd->v[i].n;
    if (nd->n)
        qsort(nd->v, nd->n, sizeof *nd->v, cmp_need);
    f->lits = malloc((nd->n + 1) * sizeof *f->lits);
    f->lit_cl_at = calloc(nd->n + 2, sizeof *f->lit_cl_at);
    f->lit_cls = malloc((nd->n + 1) * sizeof *f->lit_cls);
    f->pool = malloc(bytes + 1);
    if (!f->lits || !f->lit_cl_at || !f->lit_cls || !f->pool)
        return -1;
    size_t k = 0;
    for (size_t i = 0; i < nd->n; i++) {
        const need *x = &nd->v[i];
        const literal *last = f->nlits ? &f->lits[f->nlits - 1] : NULL;
        if (!last || x->n != last->n || memcmp(x->s, last->s, x->n)) {
            memcpy(f->pool + used, x->s, x->n);
            f->lits[f->nlits++] = (literal){f->pool + used, x->n};
            used += x->n;
        } else if (x->cl == x[-1].cl) {
            continue;
        }
        f->lit_cls[k++] = x->cl;
        f->lit_cl_at[f->nlits]++;
    }
    for (size_t i = 0; i < f->nlits; i++)
        f->lit_cl_at[i + 1] += f->lit_cl_at[i];
    return 0;
}

/* Counting sort of the literal ids into the buckets of their hash. */
static int build_buckets(mc_prefilter *f)
{
    f->bucket = calloc(NBUCKETS + 1, sizeof *f->bucket);
    f->by_bucket = malloc((f->nlits + 1) * sizeof *f->by_bucket);
    uint32_t *fill = malloc(NBUCKETS * sizeof *fill);
    if (!f->bucket || !f->by_bucket || !fill) {
        free(fill);
        return -1;
    }
    for (size_t i = 0; i < f->nlits; i++) {
        uint32_t h = hash3((const unsigned char *)f->lits[i].s);
        f->bucket[h + 1]++;
        f->used[h / 64] |= 1ull << (h % 64);
    }
    for (size_t h = 0; h < NBUCKETS; h++)
        f->bucket[h + 1] += f->bucket[h];
    memcpy(fill, f->bucket, NBUCKETS * sizeof *fill);
    for (size_t i = 0; i < f->nlits; i++)
        f->by_bucket[fill[hash3((const unsigned char *)f->lits[i].s)]++] =
            (uint32_t)i;
    free(fill);
    return 0;
}

/* Numbers the patterns of the set. */
static int number_patterns(mc_prefilter *f, const mc_rules *set)
{
    f->nrules = set->n;
    if (!(f->first = malloc((set->n + 1) * sizeof *f->first)))
        return -1;
    for (size_t i = 0; i < set->n; i++) {
        f->first[i] = (uint32_t)f->npats;
        f->npats += set->rules[i]->npatterns;
        if (set->rules[i]->npatterns > f->max_pats)
            f->max_pats = set->rules[i]->npatterns;
    }
    f->first[set->n] = (uint32_t)f->npats;
    return (f->cfirst = calloc(f->npats + 1, sizeof *f->cfirst)) ? 0 : -1;
}

/* The clauses of the patterns of lang's rules (and every language's),
 * numbered in pattern order. */
static int collect(mc_prefilter *f, const mc_rules *set, mc_lang lang,
                   needs *nd)
{
    arena a = {malloc(ARENA_MEMBERS * sizeof *a.m), 0, malloc(ARENA_BYTES),
               0, 0};
    memo *mo = calloc(1, sizeof *mo);
    int rc = a.m && a.b && mo ? 0 : -1;
    for (size_t i = 0; i < set->n; i++) {
        const mc_rule *r = set->rules[i];
        int mine = !r->disabled && (r->lang == lang || r->lang == MC_LANG_AUTO);
        for (size_t j = 0; j < r->npatterns; j++) {
            f->cfirst[f->first[i] + j] = (uint32_t)f->ncl;
            if (mine && rc == 0 &&
                pattern_needs(f, &a, mo, r->patterns[j].expanded, nd) < 0)
                rc = -1;
        }
    }
    f->cfirst[f->npats] = (uint32_t)f->ncl;
    free(mo);
    free(a.m);
    free(a.b);
    return rc;
}

mc_prefilter *mc_prefilter_build(const mc_rules *set, mc_lang lang)
{
    mc_prefilter *f = calloc(1, sizeof *f);
    needs nd = {NULL, 0, 0};
    int rc = !f || number_patterns(f, set) || collect(f, set, lang, &nd) ||
             group_needs(f, &nd) || build_buckets(f);
    while (nd.n)
        free(nd.v[--nd.n].s);
    free(nd.v);
    if (rc == 0)
        return f;
    mc_prefilter_free(f);
    return NULL;
}

void mc_prefilter_free(mc_prefilter *f)
{
    if (!f)
        return;
    free(f->pool);
    free(f->lits);
    free(f->bucket);
    free(f->by_bucket);
    free(f->lit_cl_at);
    free(f->lit_cls);
    free(f->first);
    free(f->cfirst);
    free(f);
}

/* ---- the snapshot of the built-in rules --------------------------------- */

/* The built-in rules' prefilters are built with the library
 * (src/tools/pfsnap.c) and loaded from these words and bytes, so that a
 * short draft does not pay for parsing every pattern of its language.
 * Words: the header below, first[nrules + 1], cfirst[npats + 1], the
 * literals' lengths, lit_cl_at[nlits + 1], lit_cls; bytes: the literals,
 * one after another. */
#define SNAP_MAGIC 0x6d637001u /* "mcp", version 1 */
enum { H_MAGIC, H_NLITS, H_NCL, H_NPATS, H_NRULES, H_MAXPATS, H_NLITCLS,
       H_WORDS };

static size_t snap_words(size_t nlits, size_t npats, size_t nrules,
                         size_t nlitcls)
{
    return H_WORDS + (nrules + 1) + (npats + 1) + nlits + (nlits + 1) +
           nlitcls;
}

static uint32_t *put(uint32_t *w, const uint32_t *v, size_t n)
{
    memcpy(w, v, n * sizeof *v);
    return w + n;
}

int mc_prefilter_serialize(const mc_prefilter *f, uint32_t **words,
                           size_t *nwords, char **bytes, size_t *nbytes)
{
    size_t nlitcls = f->lit_cl_at[f->nlits], nb = 0;
    for (size_t i = 0; i < f->nlits; i++)
        nb += f->lits[i].n;
    *nwords = snap_words(f->nlits, f->npats, f->nrules, nlitcls);
    *words = malloc(*nwords * sizeof **words);
    *bytes = malloc(nb + 1);
    if (!*words || !*bytes) {
        free(*words);
        free(*bytes);
        return -1;
    }
    uint32_t head[H_WORDS] = {SNAP_MAGIC, (uint32_t)f->nlits,
                              (uint32_t)f->ncl, (uint32_t)f->npats,
                              (uint32_t)f->nrules, (uint32_t)f->max_pats,
                              (uint32_t)nlitcls};
    uint32_t *w = put(*words, head, H_WORDS);
    w = put(w, f->first, f->nrules + 1);
    w = put(w, f->cfirst, f->npats + 1);
    for (size_t i = 0, at = 0; i < f->nlits; at += f->lits[i++].n) {
        *w++ = (uint32_t)f->lits[i].n;
        memcpy(*bytes + at, f->lits[i].s, f->lits[i].n);
    }
    w = put(w, f->lit_cl_at, f->nlits + 1);
    put(w, f->lit_cls, nlitcls);
    *nbytes = nb;
    return 0;
}

static uint32_t *copy_words(const uint32_t **w, size_t n)
{
    uint32_t *v = malloc((n ? n : 1) * sizeof *v);
    if (v)
        memcpy(v, *w, n * sizeof *v);
    *w += n;
    return v;
}

/* Do the numbers fit the set and each other?  A snapshot of other rules
 * (a stale build) is refused, and the prefilter built instead. */
static int snap_fits(const mc_prefilter *f, const mc_rules *set,
                     size_t nbytes)
{
    size_t bytes = 0;
    if (f->nrules != set->n || f->first[0] != 0 ||
        f->first[f->nrules] != f->npats || f->cfirst[f->npats] != f->ncl ||
        f->lit_cl_at[0] != 0)
        return 0;
    for (size_t i = 0; i < f->nrules; i++)
        if (f->first[i + 1] - f->first[i] != set->rules[i]->npatterns)
            return 0;
    for (size_t p = 0; p < f->npats; p++)
        if (f->cfirst[p + 1] < f->cfirst[p])
            return 0;
    for (size_t i = 0; i < f->nlits; i++) {
        if (f->lits[i].n < LIT_MIN || f->lit_cl_at[i + 1] < f->lit_cl_at[i])
            return 0;
        bytes += f->lits[i].n;
    }
    for (uint32_t k = 0; k < f->lit_cl_at[f->nlits]; k++)
        if (f->lit_cls[k] >= f->ncl)
            return 0;
    return bytes == nbytes;
}

/* The literals, their lengths at *w, copied into one pool. */
static int load_lits(mc_prefilter *f, const uint32_t **w, const char *bytes,
                     size_t nbytes)
{
    f->lits = malloc((f->nlits + 1) * sizeof *f->lits);
    f->pool = malloc(nbytes + 1);
    if (!f->lits || !f->pool)
        return -1;
    memcpy(f->pool, bytes, nbytes);
    for (size_t i = 0, at = 0; i < f->nlits; at += (*w)[i++]) {
        if (at + (*w)[i] > nbytes)
            return -1;
        f->lits[i] = (literal){f->pool + at, (*w)[i]};
    }
    *w += f->nlits;
    return 0;
}

mc_prefilter *mc_prefilter_load(const mc_pf_blob *b, const mc_rules *set)
{
    const uint32_t *w = b->words;
    if (b->nwords < H_WORDS || w[H_MAGIC] != SNAP_MAGIC ||
        b->nwords != snap_words(w[H_NLITS], w[H_NPATS], w[H_NRULES],
                                w[H_NLITCLS]))
        return NULL;
    mc_prefilter *f = calloc(1, sizeof *f);
    if (!f)
        return NULL;
    f->nlits = w[H_NLITS];
    f->ncl = w[H_NCL];
    f->npats = w[H_NPATS];
    f->nrules = w[H_NRULES];
    f->max_pats = w[H_MAXPATS];
    size_t nlitcls = w[H_NLITCLS];
    w += H_WORDS;
    f->first = copy_words(&w, f->nrules + 1);
    f->cfirst = copy_words(&w, f->npats + 1);
    int rc = !f->first || !f->cfirst ||
             load_lits(f, &w, b->bytes, b->nbytes);
    if (!rc) {
        f->lit_cl_at = copy_words(&w, f->nlits + 1);
        f->lit_cls = copy_words(&w, nlitcls);
        rc = !f->lit_cl_at || !f->lit_cls ||
             f->lit_cl_at[f->nlits] != nlitcls ||
             !snap_fits(f, set, b->nbytes) || build_buckets(f);
    }
    if (rc == 0)
        return f;
    mc_prefilter_free(f);
    return NULL;
}

/* ---- the scan, per text ------------------------------------------------ */

/* Per scorer: which clauses are met where in the current text, and
 * which patterns of rule `rule` may match in the span asked about last. */
struct mc_filter_scratch {
    const mc_prefilter *f;
    unsigned char *any;    /* by clause: one of its literals is in the text */
    uint64_t *sent;        /* by clause, `words` each: sentences with one */
    size_t words;
    size_t any_cap, sent_cap, active_cap;
    const mc_rule *rule;   /* of the last mc_prefilter_pass */
    unsigned char *active; /* its patterns that may match there */
};

void mc_filter_scratch_free(mc_filter_scratch *x)
{
    if (!x)
        return;
    free(x->any);
    free(x->sent);
    free(x->active);
    free(x);
}

static int grow_to(void **v, size_t *cap, size_t bytes)
{
    if (bytes <= *cap)
        return 0;
    void *p = realloc(*v, bytes);
    if (!p)
        return -1;
    *v = p;
    *cap = bytes;
    return 0;
}

/* Sizes and clears the scratch of s for text t. */
static int reset(mc_scorer *s, const mc_prefilter *f, const mc_text *t)
{
    if (!s->filter && !(s->filter = calloc(1, sizeof *s->filter)))
        return MC_ERR_NOMEM;
    mc_filter_scratch *x = s->filter;
    x->words = (t->nsentences + 63) / 64;
    size_t nsent = f->ncl * x->words * sizeof *x->sent;
    if (grow_to((void **)&x->any, &x->any_cap, f->ncl + 1) ||
        grow_to((void **)&x->sent, &x->sent_cap, nsent + 1) ||
        grow_to((void **)&x->active, &x->active_cap, f->max_pats + 1))
        return MC_ERR_NOMEM;
    memset(x->any, 0, f->ncl);
    memset(x->sent, 0, nsent);
    x->f = f;
    x->rule = NULL;
    return MC_OK;
}

/* Literal id occurs at [at, at + n): marks its clauses, for the text and
 * for the sentence holding it (sentences are in order and disjoint, and
 * *k follows the scan). */
static void found(mc_filter_scratch *x, const mc_text *t, uint32_t id,
                  size_t at, size_t n, size_t *k)
{
    const mc_prefilter *f = x->f;
    while (*k < t->nsentences && t->sentences[*k].end <= at)
        (*k)++;
    int inside = *k < t->nsentences && t->sentences[*k].start <= at &&
                 at + n <= t->sentences[*k].end;
    uint64_t bit = 1ull << (*k % 64);
    for (uint32_t i = f->lit_cl_at[id]; i < f->lit_cl_at[id + 1]; i++) {
        uint32_t cl = f->lit_cls[i];
        x->any[cl] = 1;
        if (inside)
            x->sent[cl * x->words + *k / 64] |= bit;
    }
}

static void scan(mc_filter_scratch *x, const mc_text *t)
{
    const mc_prefilter *f = x->f;
    const unsigned char *b = (const unsigned char *)t->buf;
    size_t k = 0;
    for (size_t i = 0; i + LIT_MIN <= t->len; i++) {
        uint32_t h = hash3(b + i);
        if (!(f->used[h / 64] >> (h % 64) & 1))
            continue;
        for (uint32_t j = f->bucket[h]; j < f->bucket[h + 1]; j++) {
            const literal *l = &f->lits[f->by_bucket[j]];
            if (l->n <= t->len - i && memcmp(b + i, l->s, l->n) == 0)
                found(x, t, f->by_bucket[j], i, l->n, &k);
        }
    }
}

int mc_prepare_text(mc_scorer *s, const mc_text *t, mc_lang lang,
                    mc_error *err)
{
    const mc_prefilter *f = NULL;
    if (s->filter)
        s->filter->f = NULL; /* until this text is scanned */
    int rc = mc_rules_prepare(s->rules, lang, &f, err);
    if (rc == MC_OK && (rc = reset(s, f, t)) == MC_OK)
        scan(s->filter, t);
    return rc;
}

/* May pattern slot pat match in sentence k (SIZE_MAX: the text)?  Only
 * if each of its clauses is met there; one with none always may. */
static int pattern_may(const mc_filter_scratch *x, uint32_t pat, size_t k)
{
    for (uint32_t c = x->f->cfirst[pat]; c < x->f->cfirst[pat + 1]; c++)
        if (!(k == SIZE_MAX ? x->any[c]
                            : x->sent[c * x->words + k / 64] >> (k % 64) & 1))
            return 0;
    return 1;
}

int mc_prefilter_pass(mc_scorer *s, const mc_rule *r, size_t sentence)
{
    mc_filter_scratch *x = s->filter;
    if (!x || !x->f || r->slot >= x->f->nrules ||
        x->f->first[r->slot + 1] - x->f->first[r->slot] != r->npatterns) {
        if (x)
            x->rule = NULL;
        return 1; /* not prepared for this rule: everything runs */
    }
    int any = 0;
    for (size_t j = 0; j < r->npatterns; j++)
        any |= x->active[j] =
            (unsigned char)pattern_may(x, x->f->first[r->slot] + (uint32_t)j,
                                       sentence);
    x->rule = r;
    return any;
}

int mc_prefilter_pattern(const mc_scorer *s, const mc_rule *r, size_t i)
{
    const mc_filter_scratch *x = s->filter;
    return !x || x->rule != r || x->active[i];
}
