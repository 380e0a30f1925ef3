#ifndef RSLA_CLASSIFY_H
#define RSLA_CLASSIFY_H
/* Request classification by the OCI distribution API (SLA-SPEC section 3): which requests are
 * pushes, which are pulls, and which do not take part in availability at all.
 *
 * Paths are matched from the right, after removing the query and a known deployment prefix
 * (Artifactory /api/docker/<repo>, Nexus /repository/<repo>, absolute-form scheme://host): a
 * repository name may contain '/' and even components called blobs or manifests. */
#include "common/rsla_base.h" /* rsla_slice */

typedef enum classify_class {
    CLASSIFY_PUSH = 0,
    CLASSIFY_PULL = 1,
    CLASSIFY_OTHER,        /* registry API, but neither push nor pull (ping, catalog, tags, ...) */
    CLASSIFY_NOT_REGISTRY, /* not under /v2/ at all */
    CLASSIFY_CLASS_COUNT
} classify_class;

typedef enum classify_endpoint {
    CLASSIFY_EP_NONE = 0,     /* not a registry path */
    CLASSIFY_EP_BASE,         /* /v2/ */
    CLASSIFY_EP_CATALOG,      /* /v2/_catalog */
    CLASSIFY_EP_TAGS,         /* /v2/<name>/tags/list */
    CLASSIFY_EP_REFERRERS,    /* /v2/<name>/referrers/<digest> */
    CLASSIFY_EP_MANIFEST,     /* /v2/<name>/manifests/<reference> */
    CLASSIFY_EP_BLOB,         /* /v2/<name>/blobs/<digest> */
    CLASSIFY_EP_UPLOAD_START, /* /v2/<name>/blobs/uploads/ */
    CLASSIFY_EP_UPLOAD,       /* /v2/<name>/blobs/uploads/<id> */
    CLASSIFY_EP_UNKNOWN,      /* under /v2/ but no known route */
    CLASSIFY_EP_COUNT
} classify_endpoint;

typedef struct classify_result {
    classify_class cls;
    classify_endpoint endpoint;
    rsla_slice repository; /* <name>, empty when the route has none */
} classify_result;

/* classify_request() :
 * Classifies one request. Pure function of its arguments; thread-safe.
 * @return the class, the endpoint and the repository name (a slice of path). */
classify_result classify_request(rsla_slice method, rsla_slice path);

const char *classify_class_name(classify_class c);
/* Route name for reports: "manifests", "blobs", "blobs/uploads/", "blobs/uploads/<id>", ... */
const char *classify_endpoint_name(classify_endpoint e);

#endif
