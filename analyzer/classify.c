#include "analyzer/classify.h"

#include <string.h> /* memchr, memrchr, memcmp */

static bool starts_with(rsla_slice s, const char *lit, size_t n)
{
    return s.len >= n && memcmp(s.ptr, lit, n) == 0;
}

static bool method_is(rsla_slice m, const char *lit)
{
    return rsla_slice_eq_cstr(m, lit);
}

static rsla_slice drop_front(rsla_slice s, size_t n)
{
    return (rsla_slice){ s.ptr + n, s.len - n };
}

/* Index of the '/' that ends the first path component after `from`, or s.len. */
static size_t component_end(rsla_slice s, size_t from)
{
    const char *slash = from < s.len ? memchr(s.ptr + from, '/', s.len - from) : NULL;
    return slash ? (size_t)(slash - s.ptr) : s.len;
}

/* Removes what a deployment puts before /v2/: the query, an absolute-form scheme://host, and
 * the Artifactory and Nexus per-repository prefixes. */
static rsla_slice strip_prefixes(rsla_slice path)
{
    const char *q = memchr(path.ptr, '?', path.len);
    if (q)
        path.len = (size_t)(q - path.ptr);
    const char *scheme = path.len > 3 ? memchr(path.ptr, ':', RSLA_MIN(path.len, 16)) : NULL;
    if (scheme && path.ptr[0] != '/' && (size_t)(scheme - path.ptr) + 3 <= path.len &&
        memcmp(scheme, "://", 3) == 0) {
        const size_t host_start = (size_t)(scheme - path.ptr) + 3;
        path = drop_front(path, component_end(path, host_start));
    }
    if (starts_with(path, "/api/docker/", 12))
        path = drop_front(path, component_end(path, 12));
    else if (starts_with(path, "/repository/", 12))
        path = drop_front(path, component_end(path, 12));
    return path;
}

/* Splits off the last component: rest = everything before the final '/', last = after it.
 * memrchr: the last component is mostly a 71-byte blob digest, walked on every request. */
static bool split_last(rsla_slice s, rsla_slice *rest, rsla_slice *last)
{
    const char *slash = s.len ? memrchr(s.ptr, '/', s.len) : NULL;
    if (!slash)
        return false;
    const size_t i = (size_t)(slash - s.ptr);
    *rest = (rsla_slice){ s.ptr, i };
    *last = drop_front(s, i + 1);
    return true;
}

static classify_result result(classify_class c, classify_endpoint e, rsla_slice repo)
{
    return (classify_result){ c, e, repo };
}

static classify_result classify_manifest(rsla_slice method, rsla_slice name)
{
    if (method_is(method, "GET") || method_is(method, "HEAD"))
        return result(CLASSIFY_PULL, CLASSIFY_EP_MANIFEST, name);
    if (method_is(method, "PUT"))
        return result(CLASSIFY_PUSH, CLASSIFY_EP_MANIFEST, name);
    return result(CLASSIFY_OTHER, CLASSIFY_EP_MANIFEST, name);
}

static classify_result classify_blob(rsla_slice method, rsla_slice name)
{
    if (method_is(method, "GET") || method_is(method, "HEAD"))
        return result(CLASSIFY_PULL, CLASSIFY_EP_BLOB, name);
    return result(CLASSIFY_OTHER, CLASSIFY_EP_BLOB, name);
}

static classify_result classify_upload(rsla_slice method, rsla_slice name, bool has_id)
{
    if (!has_id) {
        if (method_is(method, "POST"))
            return result(CLASSIFY_PUSH, CLASSIFY_EP_UPLOAD_START, name);
        return result(CLASSIFY_OTHER, CLASSIFY_EP_UPLOAD_START, name);
    }
    if (method_is(method, "PATCH") || method_is(method, "PUT") || method_is(method, "GET") ||
        method_is(method, "DELETE"))
        return result(CLASSIFY_PUSH, CLASSIFY_EP_UPLOAD, name);
    return result(CLASSIFY_OTHER, CLASSIFY_EP_UPLOAD, name);
}

/* rest is what follows "/v2/": "<name>/<route>" matched from the right. */
static classify_result classify_route(rsla_slice method, rsla_slice rest)
{
    const rsla_slice none = { rest.ptr, 0 };
    if (rest.len == 0)
        return result(CLASSIFY_OTHER, CLASSIFY_EP_BASE, none);
    if (rsla_slice_eq_cstr(rest, "_catalog"))
        return result(CLASSIFY_OTHER, CLASSIFY_EP_CATALOG, none);
    rsla_slice a, last, b, prev, c, prev2;
    if (!split_last(rest, &a, &last) || !split_last(a, &b, &prev) || b.len == 0)
        return result(CLASSIFY_OTHER, CLASSIFY_EP_UNKNOWN, none);
    /* a = "<name>/<prev>", b = "<name>" */
    if (rsla_slice_eq_cstr(prev, "uploads") && split_last(b, &c, &prev2) && c.len > 0 &&
        rsla_slice_eq_cstr(prev2, "blobs"))
        return classify_upload(method, c, last.len > 0);
    if (last.len == 0)
        return result(CLASSIFY_OTHER, CLASSIFY_EP_UNKNOWN, none);
    if (rsla_slice_eq_cstr(prev, "manifests"))
        return classify_manifest(method, b);
    if (rsla_slice_eq_cstr(prev, "blobs"))
        return classify_blob(method, b);
    if (rsla_slice_eq_cstr(prev, "tags") && rsla_slice_eq_cstr(last, "list"))
        return result(CLASSIFY_OTHER, CLASSIFY_EP_TAGS, b);
    if (rsla_slice_eq_cstr(prev, "referrers"))
        return result(CLASSIFY_OTHER, CLASSIFY_EP_REFERRERS, b);
    return result(CLASSIFY_OTHER, CLASSIFY_EP_UNKNOWN, none);
}

classify_result classify_request(rsla_slice method, rsla_slice path)
{
    path = strip_prefixes(path);
    if (rsla_slice_eq_cstr(path, "/v2"))
        return result(CLASSIFY_OTHER, CLASSIFY_EP_BASE, (rsla_slice){ path.ptr, 0 });
    if (!starts_with(path, "/v2/", 4))
        return result(CLASSIFY_NOT_REGISTRY, CLASSIFY_EP_NONE, (rsla_slice){ path.ptr, 0 });
    return classify_route(method, drop_front(path, 4));
}

const char *classify_class_name(classify_class c)
{
    static const char *const names[CLASSIFY_CLASS_COUNT] = { "push", "pull", "other",
                                                             "not_registry" };
    return (unsigned)c < CLASSIFY_CLASS_COUNT ? names[c] : "unknown";
}

const char *classify_endpoint_name(classify_endpoint e)
{
    static const char *const names[CLASSIFY_EP_COUNT] = {
        [CLASSIFY_EP_NONE] = "none",
        [CLASSIFY_EP_BASE] = "base",
        [CLASSIFY_EP_CATALOG] = "catalog",
        [CLASSIFY_EP_TAGS] = "tags/list",
        [CLASSIFY_EP_REFERRERS] = "referrers",
        [CLASSIFY_EP_MANIFEST] = "manifests",
        [CLASSIFY_EP_BLOB] = "blobs",
        [CLASSIFY_EP_UPLOAD_START] = "blobs/uploads/",
        [CLASSIFY_EP_UPLOAD] = "blobs/uploads/<id>",
        [CLASSIFY_EP_UNKNOWN] = "unknown",
    };
    return (unsigned)e < CLASSIFY_EP_COUNT ? names[e] : "unknown";
}
