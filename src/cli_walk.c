/* cli_walk.c - paths for the meaculpa command: walks directories in
 * sorted order, matches .gitignore-like globs, and makes paths relative
 * to the directory of the config file.  Hands the files it finds to
 * cli.c; knows nothing of file contents. */
#include <dirent.h>
#include <errno.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"

int mc_strv_push(mc_strv *sv, const char *s)
{
    if (sv->n == sv->cap) {
        size_t ncap = sv->cap ? sv->cap * 2 : 16;
        char **v = realloc(sv->v, ncap * sizeof *v);
        if (!v)
            return -1;
        sv->v = v;
        sv->cap = ncap;
    }
    if (!(sv->v[sv->n] = strdup(s)))
        return -1;
    sv->n++;
    return 0;
}

void mc_strv_free(mc_strv *sv)
{
    for (size_t i = 0; i < sv->n; i++)
        free(sv->v[i]);
    free(sv->v);
    *sv = (mc_strv){0};
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* "./a.md" is reported as "a.md", the way users name it. */
static char *join(const char *dir, const char *name)
{
    if (strcmp(dir, ".") == 0)
        return strdup(name);
    size_t n = strlen(dir);
    char *p = malloc(n + strlen(name) + 2);
    if (p)
        sprintf(p, "%s%s%s", dir, n && dir[n - 1] == '/' ? "" : "/", name);
    return p;
}

/* The entries of dir, hidden ones left out, sorted by strcmp so that the
 * order is the same in every locale. */
static int list_dir(const char *dir, mc_strv *names)
{
    DIR *d = opendir(dir);
    if (!d) {
        fprintf(stderr, "%s: error: cannot open directory: %s\n", dir,
                strerror(errno));
        return -1;
    }
    struct dirent *e;
    int rc = 0;
    while (rc == 0 && (e = readdir(d)))
        if (e->d_name[0] != '.')
            rc = mc_strv_push(names, e->d_name);
    closedir(d);
    if (rc)
        fprintf(stderr, "%s: error: out of memory\n", dir);
    else if (names->n > 1)
        qsort(names->v, names->n, sizeof *names->v, cmp_str);
    return rc;
}

/* Directories are entered, except through symbolic links (no loops).
 * The size is what lstat (or stat, through a link) saw: a hint for
 * batching, the file is read later through its own descriptor. */
static int walk_entry(const char *path, mc_walk_fn fn, void *ctx)
{
    struct stat st;
    if (lstat(path, &st) != 0)
        return 0;  /* vanished while we walked */
    if (S_ISDIR(st.st_mode))
        return mc_walk(path, fn, ctx);
    if (S_ISLNK(st.st_mode) && (stat(path, &st) != 0 || !S_ISREG(st.st_mode)))
        return 0;
    if (!S_ISREG(st.st_mode))
        return 0;
    return fn(ctx, path, (size_t)st.st_size);
}

int mc_walk(const char *dir, mc_walk_fn fn, void *ctx)
{
    mc_strv names = {0};
    int rc = list_dir(dir, &names), failed = rc;
    for (size_t i = 0; rc == 0 && i < names.n; i++) {
        char *p = join(dir, names.v[i]);
        if (!p) {
            fprintf(stderr, "%s: error: out of memory\n", dir);
            rc = failed = -1;
            break;
        }
        failed |= walk_entry(p, fn, ctx);
        free(p);
    }
    mc_strv_free(&names);
    return failed ? -1 : 0;
}

/* A glob without '/' matches any component of the path ("*.md",
 * "drafts"); one with '/' matches the whole relative path, '*' crossing
 * directories, and "**" + "/" may match nothing ("**" "/a.md" matches
 * "a.md"). */
int mc_glob_match(const char *glob, const char *rel)
{
    while (glob[0] == '/')
        glob++;
    if (!strchr(glob, '/')) {
        for (const char *c = rel;; c++) {
            const char *end = strchr(c, '/');
            size_t n = end ? (size_t)(end - c) : strlen(c);
            char comp[1024];
            if (n < sizeof comp) {
                memcpy(comp, c, n);
                comp[n] = 0;
                if (fnmatch(glob, comp, 0) == 0)
                    return 1;
            }
            if (!end)
                return 0;
            c = end;
        }
    }
    size_t gl = strlen(glob);
    if (glob[gl - 1] == '/')  /* "legacy/": everything under it */
        return strncmp(rel, glob, gl) == 0;
    if (fnmatch(glob, rel, 0) == 0)
        return 1;
    return strncmp(glob, "**/", 3) == 0 && fnmatch(glob + 3, rel, 0) == 0;
}

/* Lexically: "a/./b/../c" is "a/c"; no file system access, so that a
 * --stdin-filename that does not exist yet still resolves. */
static void squash(char *p)
{
    char *out = p, *in = p;
    while (*in) {
        while (*in == '/')
            in++;
        char *seg = in;
        while (*in && *in != '/')
            in++;
        size_t n = (size_t)(in - seg);
        if (n == 0 || (n == 1 && seg[0] == '.'))
            continue;
        if (n == 2 && seg[0] == '.' && seg[1] == '.') {
            while (out > p && *--out != '/')
                ;
            continue;
        }
        *out++ = '/';
        memmove(out, seg, n);
        out += n;
    }
    if (out == p)
        *out++ = '/';
    *out = 0;
}

static char *absolute(const char *path)
{
    char cwd[4096] = "/";
    if (path[0] != '/' && !getcwd(cwd, sizeof cwd))
        return NULL;
    char *p = path[0] == '/' ? strdup(path) : join(cwd, path);
    if (p)
        squash(p);
    return p;
}

char *mc_relpath(const char *dir, const char *path)
{
    char *a = absolute(path);
    size_t n = strlen(dir);
    while (n > 1 && dir[n - 1] == '/')
        n--;
    if (a && strncmp(a, dir, n) == 0 && (a[n] == '/' || n == 1)) {
        char *r = strdup(a + (n == 1 ? 1 : n + 1));
        free(a);
        return r;
    }
    free(a);
    while (path[0] == '.' && path[1] == '/')
        path += 2;
    return strdup(path);
}
