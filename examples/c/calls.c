/*
 * calls.c: authenticated REST and SOAP calls to Marketing Cloud with libcurl
 * and mcauth, surviving a rejected token.
 *
 * The pattern, for any HTTP stack: get the token once per call, build the
 * Authorization header or the SOAP header from exactly that token
 * (mc_soap_header_for), and when mc_is_token_rejected says the API refused it
 * (HTTP 401, or a "Token Expired"/"Login Failed" SOAP fault with HTTP 500),
 * invalidate exactly that token and retry once. However many threads see the
 * rejection, the auth server gets one new token request.
 *
 * Reads MC_SUBDOMAIN, MC_CLIENT_ID, MC_CLIENT_SECRET and optionally MC_CA_FILE
 * from the environment. Build (from the repository root):
 *
 *   cargo build --release
 *   cc -std=c99 -Iinclude examples/c/calls.c $(curl-config --cflags --libs) \
 *      -Ltarget/release -lmcauth -Wl,-rpath,"$PWD/target/release" -o calls
 *
 * tests/c/test_calls.c includes this file (with MCAUTH_CALLS_NO_MAIN) and runs
 * the pattern from 16 threads through a revoked token.
 */
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mcauth.h"

/* An answer: its HTTP status (0 when no answer came), its body, and how
 * many attempts it took (2 when a rejected token was replaced). */
struct reply {
    long status;
    char *body;
    size_t len;
    int attempts;
};

static void reply_free(struct reply *reply) {
    free(reply->body);
    reply->body = NULL;
    reply->len = 0;
}

static size_t collect(char *data, size_t size, size_t count, void *userdata) {
    struct reply *reply = userdata;
    size_t n = size * count;
    char *grown = realloc(reply->body, reply->len + n + 1);
    if (grown == NULL)
        return 0; /* libcurl then fails the transfer */
    memcpy(grown + reply->len, data, n);
    reply->len += n;
    grown[reply->len] = '\0';
    reply->body = grown;
    return n;
}

/* One POST; fills `reply` (status 0 when the transfer itself failed). */
static void post(const char *url, struct curl_slist *headers, const char *body,
                 struct reply *reply) {
    const char *ca_file = getenv("MC_CA_FILE");
    CURL *curl = curl_easy_init();
    reply->status = 0;
    if (curl == NULL)
        return;
    curl_easy_setopt(curl, CURLOPT_URL, url);
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, reply);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT, 60L);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L); /* threads: no SIGALRM */
    if (ca_file != NULL && *ca_file != '\0')
        curl_easy_setopt(curl, CURLOPT_CAINFO, ca_file);
    if (curl_easy_perform(curl) == CURLE_OK)
        curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &reply->status);
    curl_easy_cleanup(curl);
}

/* A REST call with `token`: POST `json` to `url`. */
static void rest_post(const char *url, const char *token, const char *json,
                      struct reply *reply) {
    size_t size = strlen(token) + sizeof "Authorization: Bearer ";
    char *bearer = malloc(size);
    struct curl_slist *headers = NULL;
    reply->status = 0;
    if (bearer == NULL)
        return;
    snprintf(bearer, size, "Authorization: Bearer %s", token);
    headers = curl_slist_append(headers, bearer);
    headers = curl_slist_append(headers, "Content-Type: application/json");
    post(url, headers, json, reply);
    curl_slist_free_all(headers);
    free(bearer);
}

/* A SOAP call with `token`: the operation's body element inside an envelope
 * whose header is built from exactly `token`. */
static void soap_post(const char *endpoint, const char *action, const char *token,
                      const char *body_xml, struct reply *reply) {
    static const char open[] =
        "<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\"><s:Header>";
    char *header = NULL, *envelope, soap_action[128];
    struct curl_slist *headers = NULL;
    reply->status = 0;
    if (mc_soap_header_for(token, &header) != MC_OK)
        return;
    envelope = malloc(strlen(open) + strlen(header) + strlen(body_xml) + 64);
    if (envelope != NULL) {
        sprintf(envelope, "%s%s</s:Header><s:Body>%s</s:Body></s:Envelope>", open, header,
                body_xml);
        snprintf(soap_action, sizeof soap_action, "SOAPAction: %s", action);
        headers = curl_slist_append(headers, "Content-Type: text/xml; charset=utf-8");
        headers = curl_slist_append(headers, soap_action);
        post(endpoint, headers, envelope, reply);
        curl_slist_free_all(headers);
        free(envelope);
    }
    mc_string_free(header);
}

/* What to send: a REST POST (action NULL) or a SOAP operation. */
struct call {
    const char *url;
    const char *action;
    const char *body;
};

/* The whole pattern: one token per attempt, and one retry after invalidating
 * exactly the rejected token. Returns MC_OK with the final answer in `reply`
 * (a second rejection in a row is the caller's to see), or the status of the
 * failed token request. */
static mc_status call_marketing_cloud(const mc_auth *auth, const struct call *call,
                                      struct reply *reply) {
    for (int attempt = 0; attempt < 2; attempt++) {
        char *token = NULL;
        mc_status st = mc_get_token(auth, &token); /* cached; one request per lifetime */
        if (st != MC_OK)
            return st;
        reply_free(reply);
        reply->attempts = attempt + 1;
        if (call->action == NULL)
            rest_post(call->url, token, call->body, reply);
        else
            soap_post(call->url, call->action, token, call->body, reply);
        int rejected = mc_is_token_rejected((int)reply->status, reply->body, reply->len);
        if (rejected && attempt == 0)
            mc_auth_invalidate(auth, token); /* only if it is still the cached one */
        mc_string_free(token);
        if (!rejected)
            break;
    }
    return MC_OK;
}

/* The calls this example makes: a Data Extension rows insert over REST and a
 * Retrieve over SOAP. `rest_base` and `soap_endpoint` come from the handle. */
#define ROWS_PATH "data/v1/async/dataextensions/key:mcauth-demo/rows"
#define ROWS_JSON "{\"items\":[{\"Email\":\"ada@example.com\",\"Name\":\"Ada\"}]}"
#define RETRIEVE_XML                                                                      \
    "<RetrieveRequestMsg xmlns=\"http://exacttarget.com/wsdl/partnerAPI\"><RetrieveRequest>" \
    "<ObjectType>DataExtension</ObjectType><Properties>Name</Properties>"                 \
    "</RetrieveRequest></RetrieveRequestMsg>"

#ifndef MCAUTH_CALLS_NO_MAIN
int main(void) {
    mc_auth *auth = NULL;
    char *rest_base = NULL, *soap_endpoint = NULL, rows_url[2048];
    struct reply rest = {0, NULL, 0, 0}, soap = {0, NULL, 0, 0};
    const char *ca_file = getenv("MC_CA_FILE");
    int ok;

    if (mc_auth_new(getenv("MC_SUBDOMAIN"), getenv("MC_CLIENT_ID"), getenv("MC_CLIENT_SECRET"),
                    &auth) != MC_OK ||
        (ca_file != NULL && *ca_file != '\0' && mc_auth_set_ca_file(auth, ca_file) != MC_OK) ||
        mc_rest_base_url(auth, &rest_base) != MC_OK ||
        mc_soap_endpoint(auth, &soap_endpoint) != MC_OK) {
        fprintf(stderr, "error: %s\n", mc_last_error());
        mc_auth_free(auth);
        return 1;
    }
    curl_global_init(CURL_GLOBAL_DEFAULT); /* once, before any thread uses libcurl */
    snprintf(rows_url, sizeof rows_url, "%s" ROWS_PATH, rest_base);
    {
        const struct call rows = {rows_url, NULL, ROWS_JSON};
        const struct call retrieve = {soap_endpoint, "Retrieve", RETRIEVE_XML};
        ok = call_marketing_cloud(auth, &rows, &rest) == MC_OK &&
             call_marketing_cloud(auth, &retrieve, &soap) == MC_OK;
    }
    if (!ok)
        fprintf(stderr, "error: no token: %s\n", mc_last_error());
    else
        printf("  %-13s HTTP %ld%s\n  %-13s HTTP %ld%s\n", "REST rows", rest.status,
               rest.attempts > 1 ? ", after the rejected token was replaced" : "",
               "SOAP Retrieve", soap.status,
               soap.attempts > 1 ? ", after the rejected token was replaced" : "");
    ok = ok && rest.status == 200 && soap.status == 200;
    reply_free(&rest);
    reply_free(&soap);
    mc_string_free(rest_base);
    mc_string_free(soap_endpoint);
    mc_auth_free(auth);
    curl_global_cleanup();
    return ok ? 0 : 1;
}
#endif
