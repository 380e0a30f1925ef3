#include "common/rsla_map.h"

#include <stdlib.h> /* free */

/* The map grows at 3/4 load: probe sequences stay short (a lookup of an absent key, the common
 * case while a table fills, takes ~8.5 probes on average just before the map grows, one or two
 * cache lines of 8-byte slots), and the counter blocks' map of a 4x month takes 64 k slots where
 * at 1/2 load it took 128 k. */
#define RSLA_MAP_INITIAL 16

/* Every slot free; the count is the caller's. */
static void map_empty(rsla_map *m)
{
    for (size_t i = 0; i <= m->mask; i++)
        m->slots[i].index = RSLA_MAP_NONE;
}

static void map_alloc(rsla_map *m, size_t cap)
{
    m->slots = rsla_xmalloc(cap * sizeof *m->slots);
    m->mask = cap - 1;
    map_empty(m);
}

void rsla_map_init(rsla_map *m)
{
    m->count = 0;
    map_alloc(m, RSLA_MAP_INITIAL);
}

void rsla_map_free(rsla_map *m)
{
    free(m->slots);
    m->slots = NULL;
    m->mask = 0;
    m->count = 0;
}

void rsla_map_clear(rsla_map *m)
{
    map_empty(m);
    m->count = 0;
}

static void map_place(rsla_map *m, uint32_t hash, uint32_t index)
{
    size_t i = hash & m->mask;
    while (m->slots[i].index != RSLA_MAP_NONE)
        i = (i + 1) & m->mask;
    m->slots[i].hash = hash;
    m->slots[i].index = index;
}

void rsla_map_insert(rsla_map *m, uint64_t hash, uint32_t index)
{
    if ((m->count + 1) * 4 > (m->mask + 1) * 3) {
        rsla_map_slot *old = m->slots;
        const size_t old_cap = m->mask + 1;
        map_alloc(m, old_cap * 2);
        for (size_t i = 0; i < old_cap; i++)
            if (old[i].index != RSLA_MAP_NONE)
                map_place(m, old[i].hash, old[i].index);
        free(old);
    }
    map_place(m, (uint32_t)(hash >> 32), index);
    m->count++;
}

struct rsla_arena_block {
    rsla_arena_block *next;
    max_align_t align[];
};

#define RSLA_ARENA_BLOCK (64 * 1024)

void rsla_arena_init(rsla_arena *a)
{
    a->head = NULL;
    a->cur = a->end = NULL;
}

void rsla_arena_free(rsla_arena *a)
{
    while (a->head) {
        rsla_arena_block *next = a->head->next;
        free(a->head);
        a->head = next;
    }
    a->cur = a->end = NULL;
}

void *rsla_arena_alloc(rsla_arena *a, size_t n)
{
    n = (n + 7) & ~(size_t)7;
    if ((size_t)(a->end - a->cur) < n) {
        const size_t size = n > RSLA_ARENA_BLOCK / 4 ? n : RSLA_ARENA_BLOCK;
        rsla_arena_block *b = rsla_xmalloc(sizeof *b + size);
        b->next = a->head;
        a->head = b;
        a->cur = (char *)b->align;
        a->end = a->cur + size;
    }
    void *p = a->cur;
    a->cur += n;
    return p;
}

void rsla_arena_adopt(rsla_arena *dst, rsla_arena *src)
{
    if (!src->head)
        return;
    if (!dst->head) {
        *dst = *src;
    } else { /* behind dst's current block, which stays the one it allocates from */
        rsla_arena_block *tail = src->head;
        while (tail->next)
            tail = tail->next;
        tail->next = dst->head->next;
        dst->head->next = src->head;
    }
    rsla_arena_init(src);
}

const char *rsla_arena_strndup(rsla_arena *a, const char *s, size_t len)
{
    char *p = rsla_arena_alloc(a, len + 1);
    if (len)
        memcpy(p, s, len);
    p[len] = '\0';
    return p;
}
