/* lang.c - guesses the language of a text (ru, pl or en) from its
 * letters and a few common words, and names the languages.  The scorer
 * calls mc_detect_lang for MC_LANG_AUTO; nothing here keeps state. */

#include "meaculpa.h"

#include <ctype.h>
#include <stdint.h>
#include <string.h>
#include <utf8proc.h>

#define WORD_MAX 48 /* longer words are counted as letters only */

/* What the text shows of each language. */
typedef struct {
    size_t cyr, lat;  /* Cyrillic and Latin letters */
    size_t pl, en;    /* evidence points for Polish and for English */
} lang_counts;

/* One word being read, in lower case. */
typedef struct {
    char buf[WORD_MAX + 4];
    size_t len;
    int overflow;
    int diacritic;    /* holds a Polish letter such as ą or ł */
    int32_t prev;     /* the previous letter, for decomposed ż, ó, ... */
} word;

/* Polish words: 2 points for words no English text contains, 1 for short
 * ones that might ("pan", "nie").  Written with and without diacritics,
 * since many people type Polish without them. */
static const char *const pl_strong[] = {
    "przepraszamy", "przepraszam", "przykro", "dziękujemy", "dziekujemy",
    "dziękuję", "dziekuje", "pozdrawiamy", "pozdrawiam", "zamówienie",
    "zamowienie", "zamówienia", "zamowienia", "państwo", "panstwo",
    "państwa", "panstwa", "jeśli", "jesli", "który", "ktory", "która",
    "ktora", "które", "ktore", "także", "takze", "bardzo", "jest", "się",
    "sie", "oraz", "będzie", "bedzie", "przesyłka", "przesylka",
    "szanowny", "szanowna", "szanowni", "jesteśmy", "jestesmy", "prosimy",
    "nasz", "nasza", "nasze", "naszej", "naszego", "naszym", "wina", "winy",
    "jednak", "przez", "jeżeli", "jezeli", "gdyby", "dzień", "dzien",
};
static const char *const pl_weak[] = {
    "nie", "że", "ze", "dla", "już", "juz", "czy", "pan", "pani", "jak",
    "za", "aby",
};
/* Common English words that are not Polish words ("to", "a", "i", "no",
 * "on", "do" are both, so they are left out). */
static const char *const en_words[] = {
    "the", "and", "you", "your", "we", "our", "are", "is", "for", "of",
    "with", "this", "that", "will", "have", "has", "sorry", "apologize",
    "apologise", "apologies", "please", "thank", "thanks", "it", "be",
    "was", "were", "been", "not", "can", "my", "us", "in", "at", "an",
    "order", "any", "all", "from", "there", "they", "what",
};

/* Every word of a text is looked up: the first byte rules out most
 * entries without a call. */
static int in_list(const char *w, const char *const *list, size_t n)
{
    size_t k;

    for (k = 0; k < n; k++)
        if (w[0] == list[k][0] && strcmp(w, list[k]) == 0)
            return 1;
    return 0;
}

#define IN(w, list) in_list((w), (list), sizeof(list) / sizeof((list)[0]))

static int is_cyrillic(int32_t c)
{
    return (c >= 0x0400 && c <= 0x052F) || (c >= 0x1C80 && c <= 0x1C8F) ||
           (c >= 0x2DE0 && c <= 0x2DFF) || (c >= 0xA640 && c <= 0xA69F);
}

static int is_latin(int32_t c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c >= 0x00C0 && c <= 0x024F && c != 0x00D7 && c != 0x00F7) ||
           (c >= 0x1E00 && c <= 0x1EFF);
}

static int is_polish_letter(int32_t c)
{
    static const int32_t letters[] = {
        0x0105, 0x0107, 0x0119, 0x0142, 0x0144, 0x00F3, 0x015B, 0x017A,
        0x017C, 0x0104, 0x0106, 0x0118, 0x0141, 0x0143, 0x00D3, 0x015A,
        0x0179, 0x017B};
    size_t k;

    for (k = 0; k < sizeof letters / sizeof letters[0]; k++)
        if (c == letters[k])
            return 1;
    return 0;
}

/* A decomposed Polish letter: ogonek on a/e, dot on z, acute on c n o s z. */
static int is_polish_mark(int32_t prev, int32_t mark)
{
    if (mark != 0x0328 && mark != 0x0307 && mark != 0x0301)
        return 0;  /* most letters: no need to look prev up */
    prev = utf8proc_tolower(prev);
    if (mark == 0x0328)
        return prev == 'a' || prev == 'e';
    if (mark == 0x0307)
        return prev == 'z';
    return mark == 0x0301 && prev > 0 && prev < 0x80 &&
           strchr("cnosz", (int)prev) != NULL;
}

/* Letters and combining marks.  Most of a text is ASCII, whose only
 * letters are A-Z and a-z: those skip utf8proc's tables. */
static int is_word_char(int32_t c)
{
    utf8proc_category_t cat;

    if (c < 0x80)
        return (c | 0x20) >= 'a' && (c | 0x20) <= 'z';
    cat = utf8proc_category(c);
    return (cat >= UTF8PROC_CATEGORY_LU && cat <= UTF8PROC_CATEGORY_LO) ||
           cat == UTF8PROC_CATEGORY_MN;
}

/* Scores a finished word and starts the next one. */
static void end_word(word *w, lang_counts *lc)
{
    if (w->len > 0 && !w->overflow) {
        w->buf[w->len] = '\0';
        if (IN(w->buf, pl_strong))
            lc->pl += 2;
        else if (IN(w->buf, pl_weak))
            lc->pl += 1;
        else if (IN(w->buf, en_words))
            lc->en += 1;
    }
    if (w->len > 0 && w->diacritic)
        lc->pl += 2;
    memset(w, 0, sizeof *w);
}

static void add_char(word *w, lang_counts *lc, int32_t c)
{
    utf8proc_ssize_t k;

    if (is_cyrillic(c))
        lc->cyr++;
    else if (is_latin(c))
        lc->lat++;
    if (is_polish_letter(c) || is_polish_mark(w->prev, c))
        w->diacritic = 1;
    w->prev = c;
    if (w->len + 4 > WORD_MAX) {
        w->overflow = 1;
        return;
    }
    if (c < 0x80) { /* an ASCII letter (is_word_char) */
        w->buf[w->len++] = (char)(c | 0x20);
        return;
    }
    k = utf8proc_encode_char(utf8proc_tolower(c),
                             (utf8proc_uint8_t *)w->buf + w->len);
    w->len += (size_t)k;
}

/* Bytes to skip for an HTML tag, a {placeholder} or an entity at s (their
 * words are markup, not language); 0 when s starts none of them. */
static size_t markup_len(const unsigned char *s, size_t n)
{
    unsigned char c1 = n > 1 ? (unsigned char)(s[1] | 0x20) : 0;
    const unsigned char *e = NULL;
    size_t j;

    if (s[0] == '<' && (c1 == '/' || c1 == '!' || (c1 >= 'a' && c1 <= 'z')))
        e = memchr(s, '>', n < 1024 ? n : 1024);
    else if (s[0] == '{')
        e = memchr(s, '}', n < 128 ? n : 128);
    if (e)
        return (size_t)(e - s) + 1;
    if (s[0] != '&')
        return 0;
    for (j = 1; j < n && j < 12 && (s[j] == '#' || isalnum(s[j])); j++)
        ;
    return j > 1 && j < n && s[j] == ';' ? j + 1 : 0;
}

static void count_text(const unsigned char *s, size_t n, lang_counts *lc)
{
    word w;
    size_t i = 0, skip;
    utf8proc_int32_t c;
    utf8proc_ssize_t k;

    memset(&w, 0, sizeof w);
    while (i < n) {
        skip = markup_len(s + i, n - i);
        if (skip) {
            end_word(&w, lc);
            i += skip;
            continue;
        }
        if (s[i] < 0x80) {
            c = s[i];
            k = 1;
        } else {
            k = utf8proc_iterate(s + i, (utf8proc_ssize_t)(n - i), &c);
        }
        if (k <= 0) { /* an invalid byte: a word break */
            k = 1;
            c = ' ';
        }
        if (is_word_char(c))
            add_char(&w, lc, c);
        else
            end_word(&w, lc);
        i += (size_t)k;
    }
    end_word(&w, lc);
}

/* Cyrillic as most letters, or as over 30% of them (a Russian reply
 * quoting English product names) is Russian.  Otherwise Polish needs two
 * points (one strong word, a word with Polish letters, or two short
 * words) and more points than English has, so that an English text
 * mentioning "Łódź" or a frying pan stays English. */
mc_lang mc_detect_lang(const char *text, size_t len)
{
    lang_counts lc;
    size_t letters;

    memset(&lc, 0, sizeof lc);
    if (text)
        count_text((const unsigned char *)text, len, &lc);
    letters = lc.cyr + lc.lat;
    if (letters > 0 && (lc.cyr > lc.lat || lc.cyr * 10 > letters * 3))
        return MC_LANG_RU;
    if (lc.pl >= 2 && lc.pl > lc.en)
        return MC_LANG_PL;
    return MC_LANG_EN;
}

const char *mc_lang_name(mc_lang lang)
{
    switch (lang) {
    case MC_LANG_AUTO: return "auto";
    case MC_LANG_EN: return "en";
    case MC_LANG_RU: return "ru";
    case MC_LANG_PL: return "pl";
    default: return NULL;
    }
}

/* Case-insensitive, so "--lang PL" works. */
int mc_lang_parse(const char *name)
{
    static const mc_lang all[] = {MC_LANG_AUTO, MC_LANG_EN, MC_LANG_RU,
                                  MC_LANG_PL};
    const char *want;
    size_t k, j;

    if (!name)
        return -1;
    for (k = 0; k < sizeof all / sizeof all[0]; k++) {
        want = mc_lang_name(all[k]);
        for (j = 0; want[j] && (name[j] | 0x20) == want[j]; j++)
            ;
        if (want[j] == '\0' && name[j] == '\0')
            return (int)all[k];
    }
    return -1;
}
