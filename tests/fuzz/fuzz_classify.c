/* Fuzz target: the classifier on any method and path (first byte splits them). */
#include <stddef.h>
#include <stdint.h>
#include "analyzer/classify.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    size_t split = data[0] % size;
    rsla_slice method = { (const char *)data + 1, split > 0 ? split - 1 : 0 };
    rsla_slice path = { (const char *)data + split, size - split };
    classify_result r = classify_request(method, path);
    /* The repository is a slice of the path, never outside it. */
    if (r.repository.len && (r.repository.ptr < path.ptr ||
                             r.repository.ptr + r.repository.len > path.ptr + path.len))
        __builtin_trap();
    return 0;
}
