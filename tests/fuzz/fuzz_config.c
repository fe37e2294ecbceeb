/* fuzz_config.c - the .meaculpa.ini loader of the command (cli_config.c,
 * over inih) on arbitrary bytes.  mc_config_load reads a path and prints
 * its errors, so each input is written to a file and stderr is captured.
 * Invariants: it never crashes; on failure it printed at least one line,
 * every line starts with the file's path, a "path:N:" line number is
 * within the input's lines, and no line is a bare "error"; on success the
 * queries (apply, wanted, check_ids) run on a few paths without crashing. */
#include <fcntl.h>
#include <unistd.h>

#include "fuzz.h"
#include "cli.h"

static char path[64], errpath[64];
static mc_rules *rules;

static void init(void)
{
    mc_error err;
    memset(&err, 0, sizeof err);
    snprintf(path, sizeof path, "/tmp/mc-fuzz-config-%ld.ini", (long)getpid());
    snprintf(errpath, sizeof errpath, "/tmp/mc-fuzz-config-%ld.err",
             (long)getpid());
    rules = mc_rules_new();
    CHECK(rules && mc_rules_add_default(rules, &err) == MC_OK);
}

static void write_file(const char *p, const uint8_t *data, size_t size)
{
    FILE *f = fopen(p, "wb");
    CHECK(f != NULL);
    CHECK(fwrite(data, 1, size, f) == size);
    CHECK(fclose(f) == 0);
}

/* Loads the config (and checks its ids) with stderr going to errpath;
 * returns what was printed
 * (malloc'd, NUL-terminated). */
static char *captured(mc_config **cfg)
{
    fflush(stderr);
    int saved = dup(2), fd = open(errpath, O_RDWR | O_CREAT | O_TRUNC, 0600);
    CHECK(saved >= 0 && fd >= 0);
    dup2(fd, 2);
    *cfg = mc_config_load(path);
    if (*cfg)
        mc_config_check_ids(*cfg, rules);
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    off_t n = lseek(fd, 0, SEEK_END);
    char *out = malloc((size_t)n + 1);
    CHECK(out && pread(fd, out, (size_t)n, 0) == n);
    out[n] = 0;
    close(fd);
    return out;
}

static size_t count_lines(const uint8_t *s, size_t n)
{
    size_t lines = 1;
    for (size_t i = 0; i < n; i++)
        lines += (s[i] == '\n' || (s[i] == '\r' && !(i + 1 < n &&
                                                      s[i + 1] == '\n'))) &&
                 i + 1 < n;
    return lines;
}

static void check_messages(const char *out, size_t lines)
{
    size_t plen = strlen(path);
    for (const char *p = out; *p;) {
        const char *nl = strchr(p, '\n');
        CHECK(strncmp(p, path, plen) == 0);
        CHECK(p[plen] == ':');
        if (p[plen + 1] >= '0' && p[plen + 1] <= '9') {
            long line = strtol(p + plen + 1, NULL, 10);
            CHECK(line >= 1 && (size_t)line <= lines);
        }
        CHECK(strncmp(p + plen, ": error\n", 8) != 0);
        if (!nl)
            break;
        p = nl + 1;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const paths[] = {"a.txt", "dir/b.md", "x/y/z.html",
                                        "/abs/c.json", ""};
    if (!rules)
        init();
    write_file(path, data, size);
    mc_config *cfg = NULL;
    char *out = captured(&cfg);
    if (!cfg) {
        CHECK(out[0] != '\0');
        check_messages(out, count_lines(data, size));
    } else {
        check_messages(out, count_lines(data, size));
        CHECK(mc_config_path(cfg) != NULL);
        CHECK(mc_config_rules(cfg) != NULL && mc_config_disable(cfg) != NULL);
        for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
            mc_settings set = {.lang = -1, .min_score = -1};
            (void)mc_config_wanted(cfg, paths[i], 1);
            (void)mc_config_wanted(cfg, paths[i], 0);
            mc_config_apply(cfg, paths[i], &set);
            CHECK(set.min_score == -1 || (set.min_score >= 0 &&
                                          set.min_score <= 10));
            mc_strv_free(&set.disable);
        }
        mc_config_free(cfg);
    }
    free(out);
    return 0;
}
