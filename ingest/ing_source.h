#ifndef RSLA_ING_SOURCE_H
#define RSLA_ING_SOURCE_H
/* Finding inputs and reading them as decoded log text.
 *
 * An INPUT argument is a file, a folder (read recursively, symlinks followed, loops cut by
 * device and inode) or "-" for standard input. The list is sorted by path so that messages and
 * reports come out in the same order whatever order the arguments or the directory entries came
 * in. Compression is told by magic bytes, never by the file name: a zstd frame (or a skippable
 * frame) at the start means zstd, anything else is plain text. */
#include <stdbool.h>  /* bool */
#include <stddef.h>   /* size_t */
#include <stdint.h>   /* uint64_t */

typedef struct ing_input {
    char *path;        /* "-" for standard input */
    uint64_t size;     /* bytes on disk, 0 when unknown (stdin, pipes) */
} ing_input;

typedef struct ing_input_list {
    ing_input *items;
    size_t n;
    char **errors;     /* one message per argument or entry that could not be listed */
    size_t n_errors;
} ing_input_list;

/* Expands the arguments into the sorted, de-duplicated list of inputs. Never fails as a whole:
 * what cannot be listed is in errors. */
void ing_inputs_find(char *const *args, size_t n_args, ing_input_list *out);
void ing_inputs_free(ing_input_list *l);

/* Whether p[0, n) starts with a zstd frame or a skippable frame (0x184D2A50..5F, as pzstd and
 * seekable-format files start). */
bool ing_zstd_magic(const void *p, size_t n);

/* A UTF-8 byte order mark (EF BB BF) at p (n bytes) is turned into three spaces: JSON
 * whitespace, so the first line parses, and byte offsets and columns stay those of the file.
 * The readers apply it to the start of an input only. @return whether p held one. */
bool ing_bom_to_spaces(void *p, size_t n);

/* An open input that yields decoded bytes. */
typedef struct ing_reader ing_reader;

/* Opens path ("-": standard input). @return NULL with a message in err on failure. */
ing_reader *ing_reader_open(const char *path, char *err, size_t errlen);
void ing_reader_close(ing_reader *r);

/* ing_reader_open_range() :
 * Opens the compressed bytes [start, end) of a zstd file: its frames are decoded as by
 * ing_reader_open() (no BOM rule: that is the file's first bytes), and ing_reader_read() returns
 * 0 once they are (the input ends there, between frames or in one). Error offsets are file
 * offsets; ing_reader_bytes_in() is the file offset read up to. ing_reader_unbound() then lets it
 * decode on into the frames after end, to the end of the file (ingest/ing_frames.h). */
ing_reader *ing_reader_open_range(const char *path, uint64_t start, uint64_t end, char *err,
                                  size_t errlen);
void ing_reader_unbound(ing_reader *r);

/* Reads up to cap decoded bytes into buf. @return the count; 0 at the end of the input or on
 * error (then ing_reader_error() says why). */
size_t ing_reader_read(ing_reader *r, char *buf, size_t cap);

/* ing_reader_read_inplace() :
 * Reads at least max(target, the window of the zstd frame being decoded) bytes into buf (fewer
 * only at the end of the input), decoding zstd blocks straight into buf, with no copy. buf needs
 * ing_reader_inplace_room(r, target) bytes, asked just before. The text of the previous call's
 * buf is the window this call decodes from: it must stay unchanged until this call returns (the
 * caller may read it meanwhile). Plain input is read as by ing_reader_read(). A reader read in
 * place may go on with ing_reader_read(): the last buffer read in place must then stay unchanged
 * until ing_reader_read() has handed on a window of text (or the input ended). */
size_t ing_reader_inplace_room(ing_reader *r, size_t target);
/* The largest window decoded in place: each chunk holds at least a window, and the pipeline
 * keeps 2 chunks per thread and 2 more, so a larger one (levels 17 and up use 8 MiB, --long and
 * --ultra more) goes through the reader's ring, copied, rather than make every chunk that large.
 * Levels up to 16 use at most 4 MiB (zstd 1.5). */
#define ING_INPLACE_WINDOW_MAX ((size_t)4 << 20)
size_t ing_reader_read_inplace(ing_reader *r, char *buf, size_t cap, size_t target);

/* NULL while the input reads cleanly; else why it stopped, with the byte offset in the file of
 * the compressed data that could not be decoded. */
const char *ing_reader_error(const ing_reader *r, uint64_t *offset);
bool ing_reader_is_zstd(const ing_reader *r);
uint64_t ing_reader_bytes_in(const ing_reader *r);   /* file bytes consumed */
uint64_t ing_reader_bytes_out(const ing_reader *r);  /* decoded bytes produced */

#endif
