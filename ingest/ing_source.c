#include "ingest/ing_source.h"

#include <dirent.h>   /* opendir, readdir */
#include <errno.h>    /* errno */
#include <fcntl.h>    /* open */
#include <stdio.h>    /* snprintf */
#include <stdlib.h>   /* qsort, free */
#include <string.h>   /* strerror, strcmp */
#include <sys/stat.h> /* stat */
#include <unistd.h>   /* read, close */
#include <zstd.h>     /* ZSTD_DCtx, ZSTD_decompressStream */

#include "common/rsla_base.h"

/* MARK: - Finding inputs (Private) */

typedef struct dir_id {
    dev_t dev;
    ino_t ino;
} dir_id;

typedef struct finder {
    ing_input_list *out;
    dir_id *ids;   /* device and inode of each item, for reading a file reached twice once */
    size_t cap, errors_cap;
    dir_id *stack; /* folders on the current path: a folder met again is a symlink loop */
    size_t depth, stack_cap;
} finder;

static void add_error(finder *f, const char *path, const char *why)
{
    if (f->out->n_errors == f->errors_cap) {
        f->errors_cap = f->errors_cap ? f->errors_cap * 2 : 8;
        f->out->errors = rsla_xrealloc(f->out->errors, f->errors_cap * sizeof(char *));
    }
    char msg[4200];
    snprintf(msg, sizeof msg, "%s: %s", path, why);
    f->out->errors[f->out->n_errors++] = rsla_xstrndup(msg, strlen(msg));
}

/* id: the file's device and inode; {0, 0} for standard input. */
static void add_input(finder *f, const char *path, uint64_t size, dir_id id)
{
    if (f->out->n == f->cap) {
        f->cap = f->cap ? f->cap * 2 : 16;
        f->out->items = rsla_xrealloc(f->out->items, f->cap * sizeof(ing_input));
        f->ids = rsla_xrealloc(f->ids, f->cap * sizeof *f->ids);
    }
    f->ids[f->out->n] = id;
    f->out->items[f->out->n++] = (ing_input){ rsla_xstrndup(path, strlen(path)), size };
}

static void find_path(finder *f, const char *path, bool named);

static void find_dir(finder *f, const char *path, const struct stat *st)
{
    for (size_t i = 0; i < f->depth; i++) {
        if (f->stack[i].dev == st->st_dev && f->stack[i].ino == st->st_ino) {
            add_error(f, path, "folder already being read (symlink loop), skipped");
            return;
        }
    }
    DIR *d = opendir(path);
    if (!d) {
        add_error(f, path, strerror(errno));
        return;
    }
    if (f->depth == f->stack_cap) {
        f->stack_cap = f->stack_cap ? f->stack_cap * 2 : 16;
        f->stack = rsla_xrealloc(f->stack, f->stack_cap * sizeof *f->stack);
    }
    f->stack[f->depth++] = (dir_id){ st->st_dev, st->st_ino };
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        char child[4096];
        const int n = snprintf(child, sizeof child, "%s%s%s", path,
                               path[strlen(path) - 1] == '/' ? "" : "/", e->d_name);
        if (n < 0 || (size_t)n >= sizeof child) {
            add_error(f, path, "path too long, entry skipped");
            continue;
        }
        find_path(f, child, false);
    }
    closedir(d);
    f->depth--;
}

/* named: given as an argument. A FIFO, socket or device found inside a folder is not read:
 * opening a FIFO nobody writes to would wait forever. One named on the command line is read
 * (a pipe from <(zstd -dc ...), /dev/stdin). */
static void find_path(finder *f, const char *path, bool named)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        add_error(f, path, strerror(errno));
        return;
    }
    if (S_ISDIR(st.st_mode))
        find_dir(f, path, &st);
    else if (!named && !S_ISREG(st.st_mode))
        add_error(f, path, "not a regular file (a FIFO, socket or device), skipped");
    else
        add_input(f, path, S_ISREG(st.st_mode) ? (uint64_t)st.st_size : 0,
                  (dir_id){ st.st_dev, st.st_ino });
}

/* An item with its file identity while the list is sorted and de-duplicated. */
typedef struct found {
    ing_input item;
    dir_id id;
    size_t rank; /* position in path order */
    bool drop;
} found;

static int found_path_cmp(const void *a, const void *b)
{
    return strcmp(((const found *)a)->item.path, ((const found *)b)->item.path);
}

/* By file identity, then path order; standard input (no identity) sorts apart by path. */
static int found_id_cmp(const void *a, const void *b)
{
    const found *x = *(const found *const *)a, *y = *(const found *const *)b;
    if (x->id.dev != y->id.dev)
        return x->id.dev < y->id.dev ? -1 : 1;
    if (x->id.ino != y->id.ino)
        return x->id.ino < y->id.ino ? -1 : 1;
    return (x->rank > y->rank) - (x->rank < y->rank);
}

static int str_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

void ing_inputs_find(char *const *args, size_t n_args, ing_input_list *out)
{
    memset(out, 0, sizeof *out);
    finder f = { .out = out };
    for (size_t i = 0; i < n_args; i++) {
        if (strcmp(args[i], "-") == 0)
            add_input(&f, "-", 0, (dir_id){ 0, 0 });
        else
            find_path(&f, args[i], true);
    }
    free(f.stack);
    rsla_sort(out->errors, out->n_errors, sizeof *out->errors, str_cmp);
    if (out->n == 0) {
        free(f.ids);
        return;
    }
    found *all = rsla_xcalloc(out->n, sizeof *all);
    found **by_id = rsla_xcalloc(out->n, sizeof *by_id);
    for (size_t i = 0; i < out->n; i++)
        all[i] = (found){ out->items[i], f.ids[i], 0, false };
    free(f.ids);
    rsla_sort(all, out->n, sizeof *all, found_path_cmp);
    /* The same path named twice, and the same file reached under two paths (a folder and a
     * symlink to it, "logs" and "./logs", a hard link): read once, under the first path. */
    for (size_t i = 0; i < out->n; i++) {
        all[i].rank = i;
        by_id[i] = &all[i];
        if (i > 0 && strcmp(all[i - 1].item.path, all[i].item.path) == 0)
            all[i].drop = true;
    }
    rsla_sort(by_id, out->n, sizeof *by_id, found_id_cmp);
    for (size_t i = 1; i < out->n; i++) {
        const found *prev = by_id[i - 1], *cur = by_id[i];
        const bool is_stdin = strcmp(cur->item.path, "-") == 0;
        if (!is_stdin && prev->id.dev == cur->id.dev && prev->id.ino == cur->id.ino)
            by_id[i]->drop = true;
    }
    size_t w = 0;
    for (size_t i = 0; i < out->n; i++) {
        if (all[i].drop)
            free(all[i].item.path);
        else
            out->items[w++] = all[i].item;
    }
    out->n = w;
    free(by_id);
    free(all);
}

void ing_inputs_free(ing_input_list *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->items[i].path);
    for (size_t i = 0; i < l->n_errors; i++)
        free(l->errors[i]);
    free(l->items);
    free(l->errors);
    memset(l, 0, sizeof *l);
}
