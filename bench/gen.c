/* gen.c - writes the benchmark corpus: N support macros in English,
 * Russian and Polish, composed from the sentence pieces below with a
 * fixed-seed generator, so that every run and every machine gets the same
 * bytes.  It hands bench/run.sh a directory tree (one file per macro), the
 * same macros as one JSON Lines file, and one short draft for latency.
 *
 * usage: gen [-n N] [-s SEED] [-D] OUTDIR
 *   -n N     number of macros (default 10000)
 *   -s SEED  generator seed (default 6)
 *   -D       JSON Lines only, no directory tree (for the large RSS run)
 *
 * The pieces are written for this benchmark: a realistic mix of regret,
 * hedges, excuses, remedies, filler, placeholders and HTML, so that the
 * rules have work to do.  Mixed lengths: most macros are a few sentences,
 * some are a page long. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define COUNT(a) (sizeof(a) / sizeof(a)[0])

/* ---- the pieces ------------------------------------------------------- */

/* One language: a table of pieces per part of a macro. */
typedef struct {
    const char *code;
    const char *const *greet, *const *open, *const *regret, *const *explain,
        *const *remedy, *const *prevent, *const *extra, *const *info,
        *const *close, *const *sign, *const *quote;
    size_t ngreet, nopen, nregret, nexplain, nremedy, nprevent, nextra,
        ninfo, nclose, nsign, nquote;
} language;

static const char *const en_greet[] = {
    "Hi {customer_name},", "Hello {{ticket.requester.first_name}},",
    "Dear [Name],", "Hi there,", "Good morning %FIRST_NAME%,",
    "Hello ${customer.name},", "Dear customer,", "Hey {first_name},"};
static const char *const en_open[] = {
    "Thanks for getting in touch about order {order_id}.",
    "Thank you for your message and for your patience while we looked into this.",
    "I have read through your ticket and the notes from my colleague.",
    "Thanks for letting us know what happened with your delivery.",
    "I appreciate you taking the time to write to us about the invoice.",
    "Following up on your call earlier today about the missing parts."};
static const char *const en_regret[] = {
    "I'm sorry your parcel arrived two days late.",
    "We apologise for the mix-up with your booking.",
    "I am really sorry that the replacement also failed.",
    "Please accept our apologies for the double charge on your card.",
    "We're sorry if this caused any confusion.",
    "We apologize for any inconvenience this may have caused.",
    "I'm sorry you feel that our service fell short.",
    "We are sorry for the delay, but our terms clearly state five working days.",
    "Sorry to bother you again with another question.",
    "My apologies, I sent you the wrong link yesterday.",
    "We regret that the update removed your saved routes.",
    "I'm so sorry you had to chase us three times for an answer."};
static const char *const en_explain[] = {
    "The courier missed the delivery window because of the storm.",
    "It looks like the payment was processed twice by our provider.",
    "This was our mistake: the order was packed with the wrong size.",
    "Our warehouse was dealing with unusually high volume last week.",
    "Mistakes were made during the migration of your account.",
    "The system flagged your order for a manual review, which took longer than usual.",
    "Unfortunately this was beyond our control.",
    "You should have selected express shipping at checkout.",
    "That's on us, and I won't pretend otherwise."};
static const char *const en_remedy[] = {
    "I've issued a full refund of {amount}, which should reach you in 3-5 days.",
    "A replacement has been sent today with tracking number %TRACKING%.",
    "I have restored your saved routes from last week's backup.",
    "We've rebooked you on the 9:40 flight at no extra cost.",
    "I corrected the invoice and attached the new copy to this email.",
    "Your subscription has been extended by one month free of charge."};
static const char *const en_prevent[] = {
    "We've added a check so that this doesn't happen again.",
    "Our team is reviewing the packing process with the warehouse.",
    "From now on every refund is confirmed by a second person.",
    "We are changing how updates handle saved data, so this won't repeat."};
static const char *const en_extra[] = {
    "As a thank-you for your patience, here is a 15% code: SORRY15.",
    "I know you lost a whole morning waiting for the engineer.",
    "We take this seriously.", "I'll call you on Friday to make sure it all works.",
    "If you reply to this email, it comes straight to me.",
    "I understand how frustrating it is to be without your order.",
    "We value your trust and want to keep it."};
static const char *const en_info[] = {
    "Your tracking number is %TRACKING% and the carrier is {carrier}.",
    "Our support hours are 8:00 to 20:00, Monday to Saturday.",
    "You can see the status of the ticket at any time in your account.",
    "The return label is attached; print it and drop the parcel at any post office.",
    "Refunds go back to the original payment method.",
    "Please keep the original packaging until the case is closed.",
    "For security reasons we never ask for your full card number.",
    "The warranty covers parts and labour for two years from the date of purchase.",
    "If the item is damaged, a photo of the box helps us claim it from the courier.",
    "You will receive a confirmation email once the change is processed."};
static const char *const en_close[] = {
    "Let me know if there is anything else I can do.", "Best regards,",
    "Kind regards,", "Thanks again for your patience.", "Have a good day,",
    "Warm wishes,"};
static const char *const en_sign[] = {
    "{agent_name}", "{{agent.name}} | Customer Care", "The Support Team",
    "%AGENT_NAME%, Billing", "[Agent]"};
static const char *const en_quote[] = {
    "> On Monday you wrote: my order never arrived and nobody answers.",
    "> I want a refund, this is the third time.",
    "> Why was I charged twice?"};

static const char *const ru_greet[] = {
    "Здравствуйте, {customer_name}!", "Добрый день, [Имя]!",
    "Уважаемый клиент,", "Здравствуйте, {{ticket.requester.first_name}}.",
    "Добрый вечер, %FIRST_NAME%!", "Приветствуем, ${customer.name}!"};
static const char *const ru_open[] = {
    "Спасибо, что написали нам по поводу заказа {order_id}.",
    "Благодарим за обращение и за ваше терпение.",
    "Я внимательно прочитала вашу заявку и комментарии коллеги.",
    "Спасибо, что сообщили о проблеме с доставкой.",
    "Возвращаюсь к вашему звонку о недостающих деталях."};
static const char *const ru_regret[] = {
    "Приносим извинения за задержку доставки.",
    "Извините, пожалуйста, за путаницу с бронированием.",
    "Мне очень жаль, что замена тоже оказалась неисправной.",
    "Просим прощения за двойное списание с вашей карты.",
    "Приносим извинения за возможные неудобства.",
    "Сожалеем, если это вызвало у вас недопонимание.",
    "Жаль, что у вас сложилось такое впечатление о нашем сервисе.",
    "Извините за задержку, но по условиям договора срок составляет пять рабочих дней.",
    "Извините за беспокойство, у меня ещё один вопрос.",
    "Простите, вчера я отправил вам неверную ссылку.",
    "Нам очень жаль, что вам пришлось писать нам три раза."};
static const char *const ru_explain[] = {
    "Курьер не успел доставить посылку из-за непогоды.",
    "Похоже, платёжная система провела оплату дважды.",
    "Это наша ошибка: в заказ положили товар не того размера.",
    "На прошлой неделе склад работал с повышенной нагрузкой.",
    "Ваш заказ был направлен на ручную проверку, которая заняла больше времени.",
    "К сожалению, это произошло по независящим от нас причинам.",
    "Вам следовало выбрать экспресс-доставку при оформлении.",
    "Ошибка произошла по нашей вине, и мы это признаём."};
static const char *const ru_remedy[] = {
    "Я оформила полный возврат {amount}, деньги поступят в течение 3-5 дней.",
    "Замена отправлена сегодня, номер отслеживания %TRACKING%.",
    "Я восстановил ваши сохранённые маршруты из резервной копии.",
    "Мы переоформили билет на рейс в 9:40 без доплаты.",
    "Я исправила счёт и приложила новую копию к письму.",
    "Ваша подписка продлена на месяц бесплатно."};
static const char *const ru_prevent[] = {
    "Мы добавили проверку, чтобы это не повторилось.",
    "Команда пересматривает процесс упаковки вместе со складом.",
    "Теперь каждый возврат подтверждает второй сотрудник."};
static const char *const ru_extra[] = {
    "В знак извинения дарим вам промокод на скидку 15%: SORRY15.",
    "Понимаю, что вы потеряли целое утро в ожидании мастера.",
    "Мы относимся к этому очень серьёзно.",
    "Я позвоню вам в пятницу, чтобы убедиться, что всё работает.",
    "Если ответите на это письмо, оно придёт лично мне."};
static const char *const ru_info[] = {
    "Номер отслеживания %TRACKING%, перевозчик {carrier}.",
    "Служба поддержки работает с 8:00 до 20:00, с понедельника по субботу.",
    "Статус заявки всегда можно посмотреть в личном кабинете.",
    "Этикетка для возврата во вложении: распечатайте её и сдайте посылку в любом отделении.",
    "Деньги возвращаются на карту, с которой была оплата.",
    "Пожалуйста, сохраните упаковку до закрытия обращения.",
    "Гарантия распространяется на детали и работу в течение двух лет.",
    "После обработки изменения вы получите письмо с подтверждением."};
static const char *const ru_close[] = {
    "Если остались вопросы, напишите нам.", "С уважением,",
    "Хорошего дня!", "Спасибо за терпение.", "Всего доброго,"};
static const char *const ru_sign[] = {
    "{agent_name}", "Служба поддержки", "{{agent.name}}, отдел заботы о клиентах",
    "%AGENT_NAME%"};
static const char *const ru_quote[] = {
    "> Вы пишете: заказ так и не пришёл, никто не отвечает.",
    "> Верните деньги, это уже третий раз."};

static const char *const pl_greet[] = {
    "Dzień dobry {customer_name},", "Szanowna Pani [Imię],",
    "Witam serdecznie,", "Cześć {{ticket.requester.first_name}},",
    "Dzień dobry %FIRST_NAME%,", "Szanowny Panie ${customer.name},"};
static const char *const pl_open[] = {
    "Dziękujemy za wiadomość w sprawie zamówienia {order_id}.",
    "Dziękuję za cierpliwość i za opisanie sytuacji.",
    "Przeczytałam zgłoszenie oraz notatki kolegi.",
    "Dziękujemy za informację o problemie z dostawą.",
    "Wracam do Pana telefonu w sprawie brakujących części."};
static const char *const pl_regret[] = {
    "Przepraszamy za opóźnienie dostawy.",
    "Bardzo przepraszam za pomyłkę przy rezerwacji.",
    "Przykro mi, że wymieniony produkt również okazał się wadliwy.",
    "Przepraszamy za podwójne obciążenie karty.",
    "Przepraszamy za ewentualne utrudnienia.",
    "Przepraszamy, jeśli wprowadziło to Panią w błąd.",
    "Przykro nam, że ma Pan takie odczucia.",
    "Przepraszamy za opóźnienie, jednak regulamin przewiduje pięć dni roboczych.",
    "Przepraszam, że przeszkadzam, mam jeszcze jedno pytanie.",
    "Żałujemy, że aktualizacja usunęła zapisane trasy."};
static const char *const pl_explain[] = {
    "Kurier nie zdążył z dostawą z powodu burzy.",
    "Wygląda na to, że operator płatności pobrał kwotę dwa razy.",
    "To nasz błąd: do paczki trafił zły rozmiar.",
    "W zeszłym tygodniu magazyn miał wyjątkowo dużo zamówień.",
    "Zamówienie trafiło do ręcznej weryfikacji, która trwała dłużej niż zwykle.",
    "Niestety było to niezależne od nas.",
    "Należało wybrać dostawę ekspresową przy składaniu zamówienia."};
static const char *const pl_remedy[] = {
    "Zleciłam pełny zwrot {amount}, środki wrócą w ciągu 3-5 dni.",
    "Wymiana została wysłana dzisiaj, numer przesyłki %TRACKING%.",
    "Przywróciłem zapisane trasy z kopii zapasowej.",
    "Przebukowaliśmy lot na 9:40 bez dopłaty.",
    "Poprawiłam fakturę i załączam nową kopię.",
    "Subskrypcja została przedłużona o miesiąc gratis."};
static const char *const pl_prevent[] = {
    "Dodaliśmy kontrolę, żeby to się nie powtórzyło.",
    "Zespół przegląda proces pakowania razem z magazynem.",
    "Od teraz każdy zwrot zatwierdza druga osoba."};
static const char *const pl_extra[] = {
    "W ramach przeprosin przesyłamy kod rabatowy 15%: SORRY15.",
    "Wiem, że straciła Pani cały poranek, czekając na technika.",
    "Traktujemy to bardzo poważnie.",
    "Zadzwonię w piątek, żeby upewnić się, że wszystko działa.",
    "Jeśli odpowie Pan na tę wiadomość, trafi ona bezpośrednio do mnie."};
static const char *const pl_info[] = {
    "Numer przesyłki to %TRACKING%, przewoźnik: {carrier}.",
    "Biuro obsługi klienta pracuje od 8:00 do 20:00, od poniedziałku do soboty.",
    "Status zgłoszenia można w każdej chwili sprawdzić na koncie.",
    "Etykieta zwrotna jest w załączniku; wystarczy ją wydrukować i nadać paczkę.",
    "Zwrot trafia na rachunek, z którego dokonano płatności.",
    "Prosimy zachować oryginalne opakowanie do zamknięcia sprawy.",
    "Gwarancja obejmuje części i robociznę przez dwa lata od zakupu.",
    "Po przetworzeniu zmiany otrzyma Pan e-mail z potwierdzeniem."};
static const char *const pl_close[] = {
    "W razie pytań jestem do dyspozycji.", "Pozdrawiam serdecznie,",
    "Z poważaniem,", "Dziękujemy za cierpliwość.", "Miłego dnia,"};
static const char *const pl_sign[] = {
    "{agent_name}", "Zespół obsługi klienta", "{{agent.name}}, Dział reklamacji",
    "%AGENT_NAME%"};
static const char *const pl_quote[] = {
    "> Pisze Pan: paczka nie dotarła i nikt nie odpowiada.",
    "> Żądam zwrotu pieniędzy, to już trzeci raz."};

#define LANG(c, p)                                                        \
    {c, p##_greet, p##_open, p##_regret, p##_explain, p##_remedy,          \
     p##_prevent, p##_extra, p##_info, p##_close, p##_sign, p##_quote,     \
     COUNT(p##_greet), COUNT(p##_open), COUNT(p##_regret),                \
     COUNT(p##_explain), COUNT(p##_remedy), COUNT(p##_prevent),           \
     COUNT(p##_extra), COUNT(p##_info), COUNT(p##_close), COUNT(p##_sign), \
     COUNT(p##_quote)}

static const language langs[] = {LANG("en", en), LANG("ru", ru),
                                 LANG("pl", pl)};

/* ---- a small deterministic generator (splitmix64) ------------------- */

static uint64_t rng_state;

static uint64_t next_random(void)
{
    uint64_t z = (rng_state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static size_t pick(size_t n) { return (size_t)(next_random() % n); }
static int chance(int percent) { return (int)pick(100) < percent; }

/* ---- composing one macro -------------------------------------------- */

typedef struct {
    char *s;
    size_t n, cap;
} buf;

static void put(buf *b, const char *s)
{
    size_t k = strlen(s);
    if (b->n + k + 1 > b->cap) {
        b->cap = (b->n + k + 1) * 2;
        if (!(b->s = realloc(b->s, b->cap))) {
            perror("gen");
            exit(2);
        }
    }
    memcpy(b->s + b->n, s, k + 1);
    b->n += k;
}

/* One paragraph of sentences from the given tables; HTML macros get <p>,
 * some bold words and entities, plain ones blank lines. */
typedef struct {
    buf *out;
    int html;
} writer;

static void sentence(writer *w, const char *s)
{
    if (w->html && chance(8)) {
        put(w->out, "<strong>");
        put(w->out, s);
        put(w->out, "</strong>");
    } else {
        put(w->out, s);
    }
}

static void para_start(writer *w) { put(w->out, w->html ? "<p>" : ""); }
static void para_end(writer *w) { put(w->out, w->html ? "</p>\n" : "\n\n"); }

static void para(writer *w, const char *const *t, size_t n, int k)
{
    if (k == 0)
        return;
    para_start(w);
    for (int i = 0; i < k; i++) {
        if (i)
            put(w->out, w->html && chance(10) ? "&nbsp;" : " ");
        sentence(w, t[pick(n)]);
    }
    para_end(w);
}

/* How many filler sentences: most macros are short, a few are long. */
static int body_length(void)
{
    int r = (int)pick(100);
    return r < 60 ? (int)pick(3) : r < 92 ? 2 + (int)pick(6) : 10 + (int)pick(30);
}

static void compose(buf *b, const language *L)
{
    writer w = {b, chance(25)};
    b->n = 0;
    put(b, "");
    if (w.html && chance(50))
        put(b, "<div class=\"macro\">\n");
    para(&w, L->greet, L->ngreet, 1);
    para(&w, L->open, L->nopen, chance(70));
    para(&w, L->regret, L->nregret, 1 + chance(30));
    if (chance(60))
        para(&w, L->explain, L->nexplain, 1 + chance(25));
    if (chance(65))
        para(&w, L->remedy, L->nremedy, 1 + chance(20));
    if (chance(30))
        para(&w, L->prevent, L->nprevent, 1);
    for (int left = body_length(); left > 0; left -= 3)
        para(&w, L->info, L->ninfo, left < 3 ? left : 3);
    if (chance(45))
        para(&w, L->extra, L->nextra, 1 + chance(40));
    para(&w, L->close, L->nclose, 1);
    para(&w, L->sign, L->nsign, 1);
    if (w.html && strstr(b->s, "<div"))
        put(b, "</div>\n");
    if (!w.html && chance(10)) {
        put(b, L->quote[pick(L->nquote)]);
        put(b, "\n");
    }
}

/* ---- output ------------------------------------------------------------ */

static void json_string(FILE *f, const char *s)
{
    fputc('"', f);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\')
            fprintf(f, "\\%c", *p);
        else if (*p == '\n')
            fputs("\\n", f);
        else if (*p < 0x20)
            fprintf(f, "\\u%04x", *p);
        else
            fputc(*p, f);
    }
    fputc('"', f);
}

static void make_dir(const char *path)
{
    if (mkdir(path, 0777) != 0 && errno != EEXIST) {
        fprintf(stderr, "gen: %s: %s\n", path, strerror(errno));
        exit(2);
    }
}

/* dir/<lang>/<bucket>/<id>.txt, 100 macros per bucket directory. */
static void write_file(const char *out, const char *lang, size_t i,
                       const buf *b)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/dir/%s", out, lang);
    make_dir(path);
    snprintf(path, sizeof path, "%s/dir/%s/%03zu", out, lang, i / 100);
    make_dir(path);
    snprintf(path, sizeof path, "%s/dir/%s/%03zu/m%06zu.txt", out, lang,
             i / 100, i);
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(b->s, 1, b->n, f) != b->n || fclose(f) != 0) {
        fprintf(stderr, "gen: %s: %s\n", path, strerror(errno));
        exit(2);
    }
}

/* The latency case: one short English draft of about half a kilobyte. */
static void write_short(const char *out)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/short.txt", out);
    FILE *f = fopen(path, "wb");
    if (!f) {
        fprintf(stderr, "gen: %s: %s\n", path, strerror(errno));
        exit(2);
    }
    fprintf(f, "%s\n\n%s %s\n\n%s %s %s\n\n%s %s\n\n%s\n%s\n", en_greet[0],
            en_open[0], en_regret[0], en_explain[2], en_remedy[1],
            en_info[3], en_prevent[0], en_extra[3], en_close[1], en_sign[0]);
    fclose(f);
}

int main(int argc, char **argv)
{
    size_t n = 10000;
    uint64_t seed = 6;
    int want_dir = 1, c;
    while ((c = getopt(argc, argv, "n:s:D")) != -1) {
        if (c == 'n')
            n = strtoul(optarg, NULL, 10);
        else if (c == 's')
            seed = strtoull(optarg, NULL, 10);
        else if (c == 'D')
            want_dir = 0;
        else
            return fprintf(stderr, "usage: gen [-n N] [-s SEED] [-D] OUTDIR\n"), 2;
    }
    if (optind + 1 != argc)
        return fprintf(stderr, "usage: gen [-n N] [-s SEED] [-D] OUTDIR\n"), 2;
    const char *out = argv[optind];
    char path[4096];
    make_dir(out);
    if (want_dir) {
        snprintf(path, sizeof path, "%s/dir", out);
        make_dir(path);
    }
    snprintf(path, sizeof path, "%s/corpus.jsonl", out);
    FILE *jl = fopen(path, "wb");
    if (!jl)
        return fprintf(stderr, "gen: %s: %s\n", path, strerror(errno)), 2;
    rng_state = seed;
    buf b = {0};
    size_t bytes = 0;
    for (size_t i = 0; i < n; i++) {
        /* English is the most common language of a macro library. */
        const language *L = &langs[i % 5 < 3 ? 0 : i % 5 == 3 ? 1 : 2];
        compose(&b, L);
        bytes += b.n;
        if (want_dir)
            write_file(out, L->code, i, &b);
        fprintf(jl, "{\"id\":\"m%06zu\",\"text\":", i);
        json_string(jl, b.s);
        fputs("}\n", jl);
    }
    if (fclose(jl) != 0)
        return fprintf(stderr, "gen: %s: write failed\n", path), 2;
    write_short(out);
    free(b.s);
    printf("gen: %zu macros, %zu bytes of text in %s\n", n, bytes, out);
    return 0;
}
