/* analyzer/classify: SLA-SPEC section 3, one check per row and per pitfall. */
#include "analyzer/classify.h"
#include "rsla_test.h"

static void expect(const char *method, const char *path, classify_class cls,
                   classify_endpoint ep, const char *repo)
{
    classify_result r = classify_request(rsla_slice_of(method), rsla_slice_of(path));
    if (r.cls != cls || r.endpoint != ep || !rsla_slice_eq_cstr(r.repository, repo))
        fprintf(stderr, "  for %s %s: got %s/%s/%.*s\n", method, path, classify_class_name(r.cls),
                classify_endpoint_name(r.endpoint), (int)r.repository.len, r.repository.ptr);
    CHECK_EQ_INT(r.cls, cls);
    CHECK_EQ_INT(r.endpoint, ep);
    CHECK(rsla_slice_eq_cstr(r.repository, repo));
}

int main(void)
{
    const char *d = "sha256:a3ed95caeb02ffe68cdd9fd84406680ae93d633cb16422d00e8a7c22955b46d4";
    char p[512];
    /* pulls */
    expect("GET", "/v2/library/ubuntu/manifests/latest", CLASSIFY_PULL, CLASSIFY_EP_MANIFEST, "library/ubuntu");
    expect("HEAD", "/v2/a/manifests/sha256:abc", CLASSIFY_PULL, CLASSIFY_EP_MANIFEST, "a");
    snprintf(p, sizeof p, "/v2/ubuntu2/blobs/%s", d);
    expect("GET", p, CLASSIFY_PULL, CLASSIFY_EP_BLOB, "ubuntu2");
    expect("HEAD", p, CLASSIFY_PULL, CLASSIFY_EP_BLOB, "ubuntu2");
    /* pushes */
    expect("POST", "/v2/project-2/repo-2/blobs/uploads/", CLASSIFY_PUSH, CLASSIFY_EP_UPLOAD_START, "project-2/repo-2");
    expect("POST", "/v2/a/blobs/uploads/?mount=sha256:1&from=b", CLASSIFY_PUSH, CLASSIFY_EP_UPLOAD_START, "a");
    expect("PATCH", "/v2/a/blobs/uploads/1f2e-33?_state=xyz", CLASSIFY_PUSH, CLASSIFY_EP_UPLOAD, "a");
    expect("PUT", "/v2/a/blobs/uploads/1f2e-33?digest=sha256%3A11", CLASSIFY_PUSH, CLASSIFY_EP_UPLOAD, "a");
    expect("GET", "/v2/a/blobs/uploads/1f2e-33", CLASSIFY_PUSH, CLASSIFY_EP_UPLOAD, "a");
    expect("DELETE", "/v2/a/blobs/uploads/1f2e-33", CLASSIFY_PUSH, CLASSIFY_EP_UPLOAD, "a");
    expect("PUT", "/v2/admin/sampleapp/manifests/latest", CLASSIFY_PUSH, CLASSIFY_EP_MANIFEST, "admin/sampleapp");
    /* other */
    expect("GET", "/v2/", CLASSIFY_OTHER, CLASSIFY_EP_BASE, "");
    expect("GET", "/v2", CLASSIFY_OTHER, CLASSIFY_EP_BASE, "");
    expect("GET", "/v2/_catalog?n=100", CLASSIFY_OTHER, CLASSIFY_EP_CATALOG, "");
    expect("GET", "/v2/a/b/tags/list?n=10&last=x", CLASSIFY_OTHER, CLASSIFY_EP_TAGS, "a/b");
    expect("GET", "/v2/a/referrers/sha256:1?artifactType=x", CLASSIFY_OTHER, CLASSIFY_EP_REFERRERS, "a");
    expect("DELETE", "/v2/a/manifests/sha256:1", CLASSIFY_OTHER, CLASSIFY_EP_MANIFEST, "a");
    expect("DELETE", "/v2/a/blobs/sha256:1", CLASSIFY_OTHER, CLASSIFY_EP_BLOB, "a");
    expect("POST", "/v2/a/manifests/x", CLASSIFY_OTHER, CLASSIFY_EP_MANIFEST, "a");
    expect("GET", "/v2/justname", CLASSIFY_OTHER, CLASSIFY_EP_UNKNOWN, "");
    /* not registry */
    expect("GET", "/", CLASSIFY_NOT_REGISTRY, CLASSIFY_EP_NONE, "");
    expect("GET", "/v1/_ping", CLASSIFY_NOT_REGISTRY, CLASSIFY_EP_NONE, "");
    expect("GET", "/service/token?scope=x", CLASSIFY_NOT_REGISTRY, CLASSIFY_EP_NONE, "");
    expect("GET", "/v2token", CLASSIFY_NOT_REGISTRY, CLASSIFY_EP_NONE, "");
    /* right-anchored: names with components called blobs, manifests, uploads */
    expect("GET", "/v2/blobs/manifests/manifests/v1", CLASSIFY_PULL, CLASSIFY_EP_MANIFEST, "blobs/manifests");
    expect("GET", "/v2/org/blobs/blobs/sha256:1", CLASSIFY_PULL, CLASSIFY_EP_BLOB, "org/blobs");
    expect("PUT", "/v2/x/manifests/blobs/manifests/t", CLASSIFY_PUSH, CLASSIFY_EP_MANIFEST, "x/manifests/blobs");
    expect("POST", "/v2/uploads/blobs/uploads/", CLASSIFY_PUSH, CLASSIFY_EP_UPLOAD_START, "uploads");
    expect("GET", "/v2/blobs/uploads", CLASSIFY_OTHER, CLASSIFY_EP_UNKNOWN, "");
    /* deployment prefixes */
    expect("GET", "/api/docker/docker-local/v2/a/manifests/1", CLASSIFY_PULL, CLASSIFY_EP_MANIFEST, "a");
    expect("POST", "/repository/docker-hosted/v2/a/b/blobs/uploads/", CLASSIFY_PUSH, CLASSIFY_EP_UPLOAD_START, "a/b");
    expect("GET", "https://registry.equeo.de/v2/", CLASSIFY_OTHER, CLASSIFY_EP_BASE, "");
    expect("HEAD", "http://r:5000/v2/x/blobs/sha256:2", CLASSIFY_PULL, CLASSIFY_EP_BLOB, "x");
    expect("GET", "/api/docker/", CLASSIFY_NOT_REGISTRY, CLASSIFY_EP_NONE, "");
    TEST_MAIN_END();
}
