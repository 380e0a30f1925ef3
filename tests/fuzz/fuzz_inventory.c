/* Fuzz target: inventory and exclusions CSV (first byte: which one). A parse either fails with
 * a "NAME:LINE..." message or gives sorted, consistent records. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "analyzer/inventory.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    const char *text = (const char *)data + 1;
    const size_t len = size - 1;
    char err[256];
    if (data[0] & 1) {
        exclusions *ex = exclusions_parse(text, len, "x.csv", err, sizeof err);
        if (!ex) {
            if (strncmp(err, "x.csv:", 6) != 0)
                __builtin_trap();
            return 0;
        }
        for (size_t i = 0; i < ex->n; i++) {
            if (ex->items[i].end_min < ex->items[i].start_min)
                __builtin_trap();
            if (i && ex->items[i].start_min < ex->items[i - 1].start_min)
                __builtin_trap();
        }
        exclusions_free(ex);
        return 0;
    }
    inventory *inv = inventory_parse(text, len, "i.csv", err, sizeof err);
    if (!inv) {
        if (strncmp(err, "i.csv:", 6) != 0)
            __builtin_trap();
        return 0;
    }
    for (size_t i = 0; i < inv->n_hosts; i++) {
        const char *id = inventory_instance_of_host(inv, inv->hosts[i].host);
        if (!id || strcmp(id, inv->instances[inv->hosts[i].instance].id) != 0)
            __builtin_trap();
    }
    for (size_t i = 0; i < inv->n_instances; i++) {
        const inventory_instance *ii = &inv->instances[i];
        if (inventory_find(inv, ii->id) != ii)
            __builtin_trap();
        if (ii->has_created && ii->has_deleted && ii->created_min >= ii->deleted_min)
            __builtin_trap();
    }
    inventory_free(inv);
    return 0;
}
