/* spawn.h - runs the meaculpa binary as a user would, for the end-to-end
 * tests: given stdin, an optional working directory and one extra
 * environment variable, it returns the exit code, stdout and stderr.
 * Include after <cmocka.h>. */
#ifndef MC_TEST_SPAWN_H
#define MC_TEST_SPAWN_H

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

typedef struct {
    int code;           /* exit code, 128 when killed by a signal */
    char out[4 << 20];  /* 2,000 JSON reports of a JSON Lines file */
    char err[16384];
} outcome;

static void spawn_slurp(int fd, char *buf, size_t size)
{
    ssize_t n = pread(fd, buf, size - 1, 0);
    buf[n > 0 ? n : 0] = 0;
    close(fd);
}

/* An unlinked temporary file holding len bytes of content, read from
 * the start. */
static int spawn_temp_fd(const char *content, size_t len)
{
    char path[] = "/tmp/mc-test-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    unlink(path);
    if (len)
        assert_int_equal(write(fd, content, len), (ssize_t)len);
    lseek(fd, 0, SEEK_SET);
    return fd;
}

/* spawn with len bytes of stdin, which may hold NUL bytes. */
static outcome *spawn_bytes(const char *bin, const char *cwd, const char *env,
                            const char *input, size_t len, char *const argv[])
{
    static outcome o;
    int in = spawn_temp_fd(input, len), out = spawn_temp_fd(NULL, 0),
        err = spawn_temp_fd(NULL, 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        dup2(in, 0);
        dup2(out, 1);
        dup2(err, 2);
        if (env) {
            char name[64];
            const char *eq = strchr(env, '=');
            snprintf(name, sizeof name, "%.*s", (int)(eq - env), env);
            setenv(name, eq + 1, 1);
        }
        if (cwd && chdir(cwd) != 0)
            _exit(126);
        execv(bin, argv);
        _exit(127);
    }
    int status;
    waitpid(pid, &status, 0);
    o.code = WIFEXITED(status) ? WEXITSTATUS(status) : 128;
    close(in);
    spawn_slurp(out, o.out, sizeof o.out);
    spawn_slurp(err, o.err, sizeof o.err);
    return &o;
}

/* Runs bin with argv; cwd and env ("NAME=value") may be NULL.  The
 * result is static: each call overwrites the previous one. */
static outcome *spawn(const char *bin, const char *cwd, const char *env,
                      const char *input, char *const argv[])
{
    return spawn_bytes(bin, cwd, env, input, input ? strlen(input) : 0, argv);
}

/* The assertions the end-to-end tests make on what the binary printed. */
static inline void has(const char *hay, const char *needle)
{
    if (!strstr(hay, needle))
        fail_msg("\"%s\" not in:\n%s", needle, hay);
}

static inline void lacks(const char *hay, const char *needle)
{
    if (strstr(hay, needle))
        fail_msg("\"%s\" unexpected in:\n%s", needle, hay);
}

#endif
