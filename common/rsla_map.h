#ifndef RSLA_MAP_H
#define RSLA_MAP_H
/* An open-addressing index map and a bump arena: the two containers every table in regsla is
 * built from.
 *
 * The map stores only (hash, index) pairs; the entries themselves live in the caller's own
 * vector, so one map type serves every key shape, and entries stay densely packed for the
 * sort-and-walk passes at the end of a run. Lookup takes the caller's equality test as a
 * function the compiler inlines at each call site. */
#include <stdbool.h>          /* bool */
#include <stddef.h>           /* size_t */
#include <stdint.h>           /* uint32_t, uint64_t */
#include "common/rsla_base.h" /* rsla_xcalloc */

#define RSLA_MAP_NONE UINT32_MAX

/* A slot keeps 32 bits of the key's hash, which place it and spare most equality tests: with the
 * full 64 bits a slot was 16 bytes, and the counter blocks' map of a dense month (then two slots a
 * block at most half full) took 16 MB, a third of what the blocks themselves took. */
typedef struct rsla_map_slot {
    uint32_t hash;  /* the high 32 bits of the key's hash */
    uint32_t index; /* RSLA_MAP_NONE when the slot is free */
} rsla_map_slot;

typedef struct rsla_map {
    rsla_map_slot *slots;
    size_t mask;  /* capacity - 1; capacity is a power of two */
    size_t count;
} rsla_map;

void rsla_map_init(rsla_map *m);
void rsla_map_free(rsla_map *m);
/* Forgets every entry; the capacity stays, for a map that fills again to the same size. */
void rsla_map_clear(rsla_map *m);
/* Records index under hash; the caller has checked that no equal entry is present. */
void rsla_map_insert(rsla_map *m, uint64_t hash, uint32_t index);

/* The index of the entry with this hash for which eq(ctx, index) holds, or RSLA_MAP_NONE. */
static inline uint32_t rsla_map_find(const rsla_map *m, uint64_t hash,
                                     bool (*eq)(const void *ctx, uint32_t index), const void *ctx)
{
    const uint32_t h = (uint32_t)(hash >> 32);
    for (size_t i = h & m->mask;; i = (i + 1) & m->mask) {
        const rsla_map_slot *s = &m->slots[i];
        if (s->index == RSLA_MAP_NONE)
            return RSLA_MAP_NONE;
        if (s->hash == h && eq(ctx, s->index))
            return s->index;
    }
}

/* A bump allocator for strings and small records that live as long as their table. */
typedef struct rsla_arena_block rsla_arena_block;
typedef struct rsla_arena {
    rsla_arena_block *head;
    char *cur, *end;
} rsla_arena;

void rsla_arena_init(rsla_arena *a);
void rsla_arena_free(rsla_arena *a);
void *rsla_arena_alloc(rsla_arena *a, size_t n); /* 8-byte aligned */
/* Moves every allocation of src to dst, nothing copied: they live as long as dst now. src is left
 * empty and usable. */
void rsla_arena_adopt(rsla_arena *dst, rsla_arena *src);
/* A NUL-terminated copy of s[0..len). */
const char *rsla_arena_strndup(rsla_arena *a, const char *s, size_t len);

#endif
