/*
 * test_calls.c: the libcurl example (examples/c/calls.c), as users would run it, from 16
 * threads through one revoked token against the fake Marketing Cloud API: every call succeeds,
 * the auth server sees exactly one new token request, REST bodies arrive intact; a second
 * rejection in a row reaches the caller instead of looping; a token holding XML's special
 * characters reaches the SOAP API intact.
 */
#define MCAUTH_CALLS_NO_MAIN
#include "../../examples/c/calls.c"

#include <pthread.h>

#include "fake_client.h"

enum { THREADS = 16 };
static int passed, failed;
static void check(int ok, const char *what) {
    printf("%s %s\n", ok ? "ok  " : "FAIL", what);
    *(ok ? &passed : &failed) += 1;
}

static mc_auth *auth;
static char rows_url[1024], *soap_endpoint;
static int all_ok = 1; /* cleared by any thread whose call failed */

static void *one_rest_and_one_soap_call(void *unused) {
    struct reply rest = {0, NULL, 0, 0}, soap = {0, NULL, 0, 0};
    const struct call rows = {rows_url, NULL, ROWS_JSON};
    const struct call retrieve = {soap_endpoint, "Retrieve", RETRIEVE_XML};
    int ok = call_marketing_cloud(auth, &rows, &rest) == MC_OK && rest.status == 200 &&
             rest.len == strlen(ROWS_JSON) && memcmp(rest.body, ROWS_JSON, rest.len) == 0 &&
             call_marketing_cloud(auth, &retrieve, &soap) == MC_OK && soap.status == 200 &&
             strstr(soap.body, "<OverallStatus>OK</OverallStatus>") != NULL;
    if (!ok) all_ok = 0; /* only ever cleared, so the race is benign */
    reply_free(&rest), reply_free(&soap), (void)unused;
    return NULL;
}

int main(void) {
    const char *origin = getenv("FAKE_MC_HTTP");
    char scenario[64], base[1024], path[256], *rest_base = NULL;
    pthread_t threads[THREADS];
    struct reply reply = {0, NULL, 0, 0};
    const struct call rows = {rows_url, NULL, ROWS_JSON};
    mc_auth *xml = NULL;

    if (origin == NULL)
        return fprintf(stderr, "FAKE_MC_HTTP is not set: run under tests/with-fake-mc.sh\n"), 2;
    snprintf(scenario, sizeof scenario, "c-calls-%ld", (long)getpid());
    snprintf(base, sizeof base, "%s/%s/", origin, scenario);
    if (mc_auth_new(base, "c-calls-client", "c-calls-secret", &auth) != MC_OK ||
        mc_rest_base_url(auth, &rest_base) != MC_OK || mc_soap_endpoint(auth, &soap_endpoint) != MC_OK)
        return fprintf(stderr, "setup: %s\n", mc_last_error()), 2;
    snprintf(rows_url, sizeof rows_url, "%s" ROWS_PATH, rest_base);
    curl_global_init(CURL_GLOBAL_DEFAULT);

    /* A token in use, then revoked by the server behind our back. */
    snprintf(path, sizeof path, "/_revoke/%s", scenario);
    check(call_marketing_cloud(auth, &rows, &reply) == MC_OK && reply.status == 200 &&
              fake_post(origin, path) == 200,
          "a first call with a fresh token, then the fake revokes it");
    for (int i = 0; i < THREADS; i++)
        pthread_create(&threads[i], NULL, one_rest_and_one_soap_call, NULL);
    for (int i = 0; i < THREADS; i++)
        pthread_join(threads[i], NULL);
    check(all_ok, "16 threads: every REST call succeeds with its body intact, every SOAP call too");
    check(fake_stat(origin, scenario, "token_requests") == 2 &&
              fake_stat(origin, scenario, "token_expired") >= 1,
          "16 threads through one revoked token: exactly 1 new token request");

    /* Rejected twice in a row: one retry, then the caller sees the 401. */
    snprintf(path, sizeof path, "/_reject/%s/2", scenario);
    check(fake_post(origin, path) == 200 && call_marketing_cloud(auth, &rows, &reply) == MC_OK &&
              reply.status == 401 && fake_stat(origin, scenario, "token_requests") == 3,
          "a second rejection in a row reaches the caller, after one new token: no loop");

    /* A token with & < > " ': mc_soap_header_for escapes it, the fake reads it back intact. */
    snprintf(base, sizeof base, "%s/%s-xml/xml-token/", origin, scenario);
    {
        const struct call retrieve = {soap_endpoint, "Retrieve", RETRIEVE_XML};
        check(mc_auth_new(base, "c-calls-client", "c-calls-secret", &xml) == MC_OK &&
                  call_marketing_cloud(xml, &retrieve, &reply) == MC_OK && reply.status == 200 &&
                  reply.attempts == 1,
              "a token with XML's special characters is accepted by the SOAP API at once");
    }

    reply_free(&reply);
    mc_auth_free(xml);
    mc_string_free(rest_base);
    mc_string_free(soap_endpoint);
    mc_auth_free(auth);
    curl_global_cleanup();
    printf("%d passed, %d failed\n", passed, failed);
    return failed == 0 ? 0 : 1;
}
