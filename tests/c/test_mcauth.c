/*
 * test_mcauth.c — the C ABI contract of libmcauth: what include/mcauth.h promises a C caller,
 * one short section per promise. Behaviour (retries, caching, expiry, TLS, proxies, what an
 * error says) is proved once, in Rust against the same fake server (tests/token_flow.rs,
 * failures.rs, …); this program proves what only a C caller sees. run.sh runs it linked to
 * libmcauth.so and to libmcauth.a under valgrind, which turns a leak, a double free or a read
 * of freed memory into a failure: that is what proves the ownership rules.
 *
 * Needs FAKE_MC_HTTP, FAKE_MC_HTTPS and FAKE_MC_CA (tests/with-fake-mc.sh). Prints a line per
 * check, then "N passed, M failed"; exits non-zero if a check failed.
 */
#define _POSIX_C_SOURCE 200809L

#include "fake_client.h" /* also <stdio.h>, <stdlib.h>, <string.h>, sockets */
#include "mcauth.h"

#include <limits.h>
#include <pthread.h>
#include <stdarg.h>

#define ID "c-client-id"
#define SECRET "Zq9-c-s3cr3t-7Hx2Lp" /* distinctive, so that an error text quoting it is caught */
#define TENANT "mc563885gzs27c5t9-63k636ttgm"
#define INVALID MC_ERR_INVALID_ARGUMENT

static const char *fake_http, *fake_https, *fake_ca;
static char scen[128]; /* the scenario of the last fake_handle(), for fake_count() */
static char preset;    /* outputs are preset to &preset, so a call must overwrite them */
#define PRESET ((void *)&preset)

/* ---- CHECK(condition, printf-style text), EXPECT(status, call): a counted line each --------- */

static int passed, failed;

#define CHECK(cond, ...) check((cond) != 0, __LINE__, __VA_ARGS__)
static int check(int ok, int line, const char *fmt, ...)
{
    va_list ap;
    printf("%s ", ok ? "ok  " : "FAIL");
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    if (!ok)
        printf("  [line %d; mc_last_error: %s]", line, mc_last_error());
    printf("\n");
    *(ok ? &passed : &failed) += 1;
    return ok;
}

static const char *name(int s)
{
    static const char *const names[] = {"MC_OK", "MC_ERR_INVALID_ARGUMENT", "MC_ERR_UNAUTHORIZED",
        "MC_ERR_HTTP", "MC_ERR_NETWORK", "MC_ERR_TIMEOUT", "MC_ERR_BAD_RESPONSE", "MC_ERR_INTERNAL",
        "MC_ERR_BUFFER_TOO_SMALL", "MC_ERR_NOT_CACHED"};
    return s >= 0 && s < 10 ? names[s] : "an unknown code";
}

#define EXPECT(want, call) expect((call), (want), #call, __LINE__)
static int expect(mc_status got, mc_status want, const char *call, int line)
{
    return check(got == want, line, "%s -> %s%s%s", call, name(want), got == want ? "" : ", got ",
                 got == want ? "" : name(got));
}

#define REFUSED(call) expect((call), MC_ERR_INVALID_ARGUMENT, #call, __LINE__)

/* As EXPECT, with the output `out` preset: then NULL after a failure, written after MC_OK. */
#define EXPECT_OUT(want, out, call)                                                      \
    ((out) = PRESET, expect((call), (want), #call, __LINE__),                             \
     CHECK((want) == MC_OK ? (out) != NULL && (void *)(out) != PRESET : (out) == NULL,    \
           "  and " #out " is %s", (want) == MC_OK ? "written" : "NULL"))

/* A handle on the fake's scenario "c<pid>-<path>" (the fake's directives may end the path). */
static mc_auth *fake_handle(const char *origin, const char *path, const char *secret)
{
    char url[256];
    mc_auth *h = NULL;

    snprintf(scen, sizeof scen, "c%ld-%s", (long)getpid(), path);
    snprintf(url, sizeof url, "%s/%s/", origin, scen);
    if (mc_auth_new(url, ID, secret, &h) != MC_OK)
        CHECK(0, "mc_auth_new(\"%s\")", url);
    return h;
}

/* A handle whose token requests fail with MC_ERR_NETWORK: the fake closes the connection
 * without an answer (drop=*), and one attempt means no retry and no backoff. */
static mc_auth *dropping_handle(void)
{
    mc_auth *h = fake_handle(fake_http, "down/drop=*", SECRET);
    mc_auth_set_max_attempts(h, 1);
    return h;
}

/* ---- 1. Every status code has a static text, and so has any unknown code (that they differ
 *         is Rust's to prove). mc_version() is a static string too. -------------------------- */

static void static_texts(void)
{
    static const int codes[] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, -1, 10, 99, INT_MIN, INT_MAX};
    size_t i;

    for (i = 0; i < sizeof codes / sizeof codes[0]; i++)
        CHECK(mc_status_str(codes[i]) != NULL && mc_status_str(codes[i])[0] != '\0',
              "mc_status_str(%d), %s: \"%s\"", codes[i], name(codes[i]), mc_status_str(codes[i]));
    CHECK(mc_version() != NULL && mc_version()[0] != '\0', "mc_version(): \"%s\"", mc_version());
}

/* ---- 2. Out-pointers are set to NULL by a failure and written only on MC_OK. The caller frees
 *         each string with mc_string_free and each handle with mc_auth_free; both accept NULL. */

static void outputs_and_ownership(void)
{
    char *s, *t;
    mc_auth *h, *fake = fake_handle(fake_http, "outputs", SECRET), *custom = NULL;

    EXPECT_OUT(INVALID, h, mc_auth_new("ftp://x", ID, SECRET, &h));
    EXPECT(MC_OK, mc_auth_new("https://auth.example.com/", ID, SECRET, &custom));
    EXPECT_OUT(INVALID, s, mc_rest_base_url(custom, &s)); /* a custom URL names no tenant */
    EXPECT_OUT(INVALID, s, mc_soap_endpoint(custom, &s));
    mc_auth_free(custom);
    /* mc_get_token's and mc_soap_header's outputs are section 3's, mc_get_token_into's section 4's. */

    EXPECT_OUT(MC_OK, h, mc_auth_new(TENANT, ID, SECRET, &h));
    EXPECT_OUT(MC_OK, s, mc_rest_base_url(h, &s));
    EXPECT_OUT(MC_OK, t, mc_soap_endpoint(h, &t));
    mc_string_free(s), mc_string_free(t);
    /* The exports not called elsewhere with valid arguments; the handle keeps (and frees) copies. */
    EXPECT(MC_OK, mc_auth_set_proxy(h, "http://user:pw@127.0.0.1:3128"));
    EXPECT(MC_OK, mc_auth_set_ca_file(h, fake_ca));
    EXPECT(MC_OK, mc_auth_set_refresh_margin_secs(h, 60));
    EXPECT(MC_OK, mc_auth_invalidate(h, NULL)); /* nothing is cached for it: drops nothing */
    mc_auth_free(h);
    /* The shared cache's URL is checked at once and opened by the first fetch; a failing store
     * never fails a call, and mc_shared_cache_error says why ("" when nothing failed). */
    EXPECT(INVALID, mc_auth_set_shared_cache(fake, "ftp://x"));
    EXPECT(MC_OK, mc_auth_set_shared_cache(fake, "file:///dev/null/mcauth"));
    EXPECT_OUT(MC_OK, s, mc_get_token(fake, &s));
    EXPECT_OUT(MC_OK, t, mc_shared_cache_error(fake, &t));
    CHECK(t[0] != '\0' && strstr(t, s) == NULL, "  the store's failure, without the token: \"%s\"", t);
    mc_string_free(s), mc_string_free(t);
    EXPECT(MC_OK, mc_auth_set_shared_cache(fake, NULL));
    EXPECT_OUT(MC_OK, t, mc_shared_cache_error(fake, &t));
    CHECK(t[0] == '\0', "  no store, nothing to tell: \"%s\"", t);
    mc_string_free(t);
    mc_auth_free(fake);
    mc_string_free(NULL); /* both do nothing: valgrind and the run going on are the check */
    mc_auth_free(NULL);
}

/* ---- 3. Each status once, from mc_get_token and mc_soap_header, so that valgrind sees each
 *         path free what it allocated. A failure sets the output to NULL, and mc_last_error() to
 *         the status's text and a detail that never holds the secret. The fake's scenario
 *         directives choose the outcome. MC_ERR_INVALID_ARGUMENT is section 5's. MC_ERR_INTERNAL,
 *         a caught panic, cannot be provoked from C: src/ffi/tests.rs proves it. --- */

static void one_status(mc_auth *h, mc_status want, const char *what)
{
    char *tok, *header;
    const char *text = mc_status_str(want);

    printf("# %s:\n", what);
    EXPECT_OUT(want, tok, mc_get_token(h, &tok));
    EXPECT_OUT(want, header, mc_soap_header(h, &header));
    if (want != MC_OK)
        CHECK(strncmp(mc_last_error(), text, strlen(text)) == 0 && strstr(mc_last_error(), SECRET) == NULL,
              "  mc_last_error(): \"%s\"", mc_last_error());
    mc_string_free(tok), mc_string_free(header);
    mc_auth_free(h);
}

static void each_status(void)
{
    mc_auth *tls = fake_handle(fake_https, "ok", SECRET), *slow = fake_handle(fake_http, "timeout/delay=2000", SECRET);

    mc_auth_set_ca_file(tls, fake_ca);
    mc_auth_set_timeout_ms(slow, 200);
    one_status(tls, MC_OK, "a token over HTTPS, so that valgrind watches the TLS code too");
    one_status(fake_handle(fake_http, "unauthorized", "wrong-" SECRET), MC_ERR_UNAUTHORIZED,
               "HTTP 401: the fake refuses a secret that starts with \"wrong\"");
    one_status(fake_handle(fake_http, "http/fail=400x*", SECRET), MC_ERR_HTTP, "HTTP 400 (never retried)");
    one_status(dropping_handle(), MC_ERR_NETWORK, "the connection closed without an answer");
    one_status(slow, MC_ERR_TIMEOUT, "an answer after 2 s, for a call with a budget of 200 ms");
    one_status(fake_handle(fake_http, "bad-response/body=garbage", SECRET), MC_ERR_BAD_RESPONSE,
               "a 200 whose body is not JSON");
}

/* ---- 4. mc_get_token_into copies the token and its NUL into the caller's buffer. A buffer too
 *         small is MC_ERR_BUFFER_TOO_SMALL and, as after any failure, is left untouched.
 *         MC_TOKEN_BUFFER_SIZE bytes always suffice. ----------------------------------------- */

/* All `n` bytes of `buf` are still the 'x' they were set to. */
#define UNTOUCHED(buf, n) ((buf)[0] == 'x' && memcmp((buf), (buf) + 1, (n) - 1) == 0)

static void token_into_buffer(void)
{
    static char big[MC_TOKEN_BUFFER_SIZE];
    char *t = NULL, *buf;
    size_t len;
    /* A token of some 65,000 characters: nearly the 64 KiB answer the library accepts. */
    mc_auth *h = fake_handle(fake_http, "buffer/token-length=65000", SECRET), *down = dropping_handle();

    EXPECT(MC_OK, mc_get_token_into(h, big, MC_TOKEN_BUFFER_SIZE));
    EXPECT(MC_OK, mc_get_token(h, &t));
    len = strlen(big);
    CHECK(t != NULL && strcmp(big, t) == 0 && len > 65000, "  the same %lu-character token", (unsigned long)len);
    buf = malloc(len + 1);
    memset(buf, 'x', len + 1);
    EXPECT(MC_OK, mc_get_token_into(h, buf, len + 1));
    CHECK(t != NULL && memcmp(buf, t, len + 1) == 0, "  an exact fit holds the token and its NUL");
    memset(buf, 'x', len + 1);
    EXPECT(MC_ERR_BUFFER_TOO_SMALL, mc_get_token_into(h, buf, len));
    CHECK(UNTOUCHED(buf, len + 1), "  one byte short: the buffer is untouched");
    EXPECT(MC_ERR_BUFFER_TOO_SMALL, mc_get_token_into(h, buf, 0));
    EXPECT(INVALID, mc_get_token_into(h, NULL, MC_TOKEN_BUFFER_SIZE));
    EXPECT(MC_ERR_NETWORK, mc_get_token_into(down, buf, len + 1));
    CHECK(UNTOUCHED(buf, len + 1), "  a failed call leaves the buffer untouched");
    free(buf);
    mc_string_free(t), mc_auth_free(h), mc_auth_free(down);
}

/* ---- 5. Every pointer argument of every export: NULL, or invalid UTF-8 in a string, is
 *         MC_ERR_INVALID_ARGUMENT and has no effect. NULL is valid only for mc_auth_invalidate's
 *         token (it means "whatever is cached"), mc_string_free and mc_auth_free. -------------- */

static void null_and_utf8_arguments(void)
{
    static const char bad[] = "bad-\xff\xfe-utf8";
    char buf[64], *out = NULL, *before = NULL, *after = NULL;
    uint32_t secs;
    uint64_t gen;
    mc_auth *h = fake_handle(fake_http, "arguments", SECRET), *o = NULL;

    EXPECT(MC_OK, mc_get_token(h, &before)); /* a cached token, which none of the calls may drop */
    REFUSED(mc_auth_new(NULL, ID, SECRET, &o));        REFUSED(mc_auth_new(bad, ID, SECRET, &o));
    REFUSED(mc_auth_new(TENANT, NULL, SECRET, &o));    REFUSED(mc_auth_new(TENANT, bad, SECRET, &o));
    REFUSED(mc_auth_new(TENANT, ID, NULL, &o));        REFUSED(mc_auth_new(TENANT, ID, bad, &o));
    REFUSED(mc_auth_new(TENANT, ID, SECRET, NULL));
    REFUSED(mc_get_token(NULL, &out));                 REFUSED(mc_get_token(h, NULL));
    REFUSED(mc_get_token_into(NULL, buf, sizeof buf)); /* its NULL buffer is section 4's */
    REFUSED(mc_soap_header(NULL, &out));               REFUSED(mc_soap_header(h, NULL));
    REFUSED(mc_soap_header_for(NULL, &out));           REFUSED(mc_soap_header_for(bad, &out));
    REFUSED(mc_soap_header_for("t", NULL));            REFUSED(mc_get_token_ttl(h, &out, NULL));
    REFUSED(mc_get_token_ttl(NULL, &out, &secs));      secs = 7;
    REFUSED(mc_get_token_ttl(h, NULL, &secs));         CHECK(secs == 0, "  and the seconds are 0");
    REFUSED(mc_get_cached_token_into(NULL, buf, sizeof buf));
    REFUSED(mc_get_cached_token_into(h, NULL, sizeof buf));
    gen = 7, secs = 7;
    REFUSED(mc_get_token_stamped(NULL, buf, sizeof buf, &gen, &secs));
    CHECK(gen == 0 && secs == 0, "  and its out-values are 0");
    REFUSED(mc_get_token_stamped(h, NULL, sizeof buf, &gen, &secs));
    secs = 7;
    REFUSED(mc_get_token_stamped(h, buf, sizeof buf, NULL, &secs));
    CHECK(secs == 0, "  and the milliseconds are 0");
    REFUSED(mc_get_token_stamped(h, buf, sizeof buf, &gen, NULL));
    CHECK(mc_token_generation(NULL) == NULL, "mc_token_generation(NULL) is NULL");
    REFUSED(mc_auth_invalidate(NULL, before));         REFUSED(mc_auth_invalidate(h, bad));
    REFUSED(mc_auth_set_timeout_ms(NULL, 1000));       REFUSED(mc_auth_set_refresh_margin_secs(NULL, 60));
    REFUSED(mc_auth_set_max_attempts(NULL, 2));
    REFUSED(mc_auth_set_ca_file(NULL, fake_ca));       REFUSED(mc_auth_set_ca_file(h, NULL));
    REFUSED(mc_auth_set_ca_file(h, bad));
    REFUSED(mc_auth_set_proxy(NULL, "http://127.0.0.1:3128")); REFUSED(mc_auth_set_proxy(h, NULL));
    REFUSED(mc_auth_set_proxy(h, bad));
    REFUSED(mc_auth_set_shared_cache(NULL, "file:///tmp/mcauth")); REFUSED(mc_auth_set_shared_cache(h, bad));
    REFUSED(mc_shared_cache_error(NULL, &out));        REFUSED(mc_shared_cache_error(h, NULL));
    REFUSED(mc_rest_base_url(NULL, &out));             REFUSED(mc_rest_base_url(h, NULL));
    REFUSED(mc_soap_endpoint(NULL, &out));             REFUSED(mc_soap_endpoint(h, NULL));
    EXPECT(MC_OK, mc_get_token(h, &after));
    CHECK(o == NULL && out == NULL && before != NULL && after != NULL && strcmp(before, after) == 0 &&
              fake_count(fake_http, scen) == 1,
          "  no handle, no string, the same token, 1 request (the fake counted %ld)", fake_count(fake_http, scen));
    mc_string_free(before), mc_string_free(after);
    mc_auth_free(h);
}

/* ---- 6. mc_last_error() is per thread, never NULL, and valid until the next failing call on
 *         its thread: successful calls leave it alone. ---------------------------------------- */

static char other_before[512], other_after[512];
static mc_status other_st;

static void *fail_on_another_thread(void *h)
{
    char *tok = NULL;
    const char *fresh = mc_last_error(); /* nothing failed on this thread yet */

    snprintf(other_before, sizeof other_before, "%s", fresh != NULL ? fresh : "");
    other_st = mc_get_token((mc_auth *)h, &tok);
    snprintf(other_after, sizeof other_after, "%s", mc_last_error());
    return NULL;
}

static void last_error(void)
{
    pthread_t th;
    char mine[512];
    const char *e, *network = mc_status_str(MC_ERR_NETWORK);
    mc_auth *down = dropping_handle(), *h = NULL;

    EXPECT(INVALID, mc_auth_set_max_attempts(down, 0));
    e = mc_last_error();
    snprintf(mine, sizeof mine, "%s", e);
    pthread_create(&th, NULL, fail_on_another_thread, down);
    pthread_join(th, NULL);
    CHECK(other_before[0] != '\0' && strcmp(other_before, mine) != 0,
          "  another thread, before it fails, reads \"%s\"", other_before);
    CHECK(other_st == MC_ERR_NETWORK && strncmp(other_after, network, strlen(network)) == 0,
          "  then it fails with %s and reads its own \"%s\"", name(other_st), other_after);
    EXPECT(MC_OK, mc_auth_new(TENANT, ID, SECRET, &h));
    EXPECT(MC_OK, mc_auth_set_max_attempts(down, 1));
    mc_auth_free(h);
    CHECK(strcmp(e, mine) == 0 && strcmp(mc_last_error(), mine) == 0,
          "this thread, after successful calls, still reads \"%s\" through the same pointer", e);
    mc_auth_free(down);
}

/* ---- 7. A call from a pthread key destructor, while its thread exits and mcauth's slot for
 *         mc_last_error() may be gone already, returns its status and clears its output; the
 *         process goes on (it used to abort). glibc runs thread_local destructors, mcauth's
 *         included, before key destructors: each thread fails once first, so it has a slot. */

static pthread_key_t exiting;
static int destructors_ran; /* written by the exiting threads, read after each join */

static void call_while_exiting(void *unused)
{
    mc_auth *h;
    char *tok;

    destructors_ran++, (void)unused;
    EXPECT_OUT(INVALID, h, mc_auth_new(NULL, ID, SECRET, &h));
    EXPECT_OUT(INVALID, tok, mc_get_token(NULL, &tok));
    CHECK(mc_last_error() != NULL && mc_last_error()[0] != '\0', "  mc_last_error() is a string there too");
}

static void *fail_then_exit(void *unused)
{
    char *tok = NULL;

    (void)mc_get_token(NULL, &tok);
    pthread_setspecific(exiting, &exiting);
    return unused;
}

static void thread_exit(void)
{
    pthread_t th;
    int i;

    pthread_key_create(&exiting, call_while_exiting);
    for (i = 0; i < 4; i++)
        pthread_create(&th, NULL, fail_then_exit, NULL), pthread_join(th, NULL);
    CHECK(destructors_ran == 4, "4 key destructors called mcauth while their threads exited");
    pthread_key_delete(exiting);
}

/* ---- 8. What calls need: the header for a given token, the rejection checks, the TTL, a
 *         cached-only read, and the stamped token with its generation counter. ------------------ */

static void for_calls(void)
{
    static char mib[1 << 20];
    static const char *const rejected[] = {
        "<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\"><s:Body><s:Fault>"
        "<faultcode>s:Client</faultcode><faultstring>Token Expired</faultstring></s:Fault></s:Body></s:Envelope>",
        "<Envelope><Body><Fault><faultstring>Login Failed</faultstring></Fault></Body></Envelope>",
        "<e:Envelope xmlns:e=\"http://www.w3.org/2003/05/soap-envelope\"><e:Body><e:Fault><e:Reason>"
        "<e:Text xml:lang=\"en\">Token Expired</e:Text></e:Reason></e:Fault></e:Body></e:Envelope>"};
    const char *other = "<Envelope><Body><Fault><faultstring>Server Error</faultstring></Fault></Body></Envelope>";
    char buf[256], *header = NULL, *token = NULL;
    uint32_t secs = 0, fresh_ms = 0;
    uint64_t gen = 0;
    const uint64_t *counter;
    mc_auth *h = fake_handle(fake_http, "for-calls/expires=120", SECRET);
    size_t i;

    EXPECT(MC_OK, mc_soap_header_for("a&b<c>d\"e'f", &header));
    CHECK(header != NULL && strstr(header, ">a&amp;b&lt;c&gt;d&quot;e&apos;f</h:fueloauth>") != NULL,
          "  the token is XML-escaped: %s", header != NULL ? header : "(none)");
    mc_string_free(header);
    EXPECT(INVALID, mc_soap_header_for("", &header));
    CHECK(mc_is_token_rejected(401, NULL, 0) == 1, "mc_is_token_rejected: 401 with no body is 1");
    for (i = 0; i < sizeof rejected / sizeof rejected[0]; i++)
        CHECK(mc_is_token_rejected(500, rejected[i], strlen(rejected[i])) == 1, "  500 fault %lu is 1", (unsigned long)i);
    memset(mib, '<', sizeof mib);
    CHECK(mc_is_token_rejected(200, rejected[0], strlen(rejected[0])) == 1 &&
              mc_is_token_rejected(500, other, strlen(other)) == 0 && mc_is_token_rejected(500, NULL, 0) == 0 &&
              mc_is_token_rejected(500, "", 0) == 0 && mc_is_token_rejected(500, "\xff\xfe\0<", 4) == 0 &&
              mc_is_token_rejected(500, mib, sizeof mib) == 0 && mc_is_token_rejected(200, "{}", 2) == 0,
          "  another fault, NULL, empty, binary and 1 MiB bodies are 0");
    CHECK(mc_token_rejection_needs_body(500) == 1 && mc_token_rejection_needs_body(401) == 0,
          "mc_token_rejection_needs_body: a 500's body is read, a 401 needs none");
    EXPECT(MC_ERR_NOT_CACHED, mc_get_cached_token_into(h, buf, sizeof buf));
    CHECK(fake_count(fake_http, scen) == 0, "  and sent nothing");
    EXPECT(MC_OK, mc_get_token_ttl(h, &token, &secs));
    CHECK(secs >= 118 && secs <= 120, "  %u s left of the fake's expiresIn 120", secs);
    EXPECT(MC_OK, mc_get_cached_token_into(h, buf, sizeof buf));
    EXPECT(MC_OK, mc_get_token_stamped(h, buf, sizeof buf, &gen, &fresh_ms));
    counter = mc_token_generation(h);
    CHECK(token != NULL && strcmp(buf, token) == 0 && counter != NULL && *counter == gen && fresh_ms > 0,
          "  the same token, generation %lu, fresh for %u ms", (unsigned long)gen, fresh_ms);
    EXPECT(MC_OK, mc_auth_invalidate(h, token));
    CHECK(*counter != gen, "  invalidating it changes the generation counter");
    mc_string_free(token), mc_auth_free(h);
}

/* ---- 9. mc_auth_new_enhanced: account_id and scope may be NULL, else strings checked like every
 *         other; one token via /v2/token. */

static void enhanced(void)
{
    static const char bad[] = "\xff";
    char url[256], last[256], *tok;
    mc_auth *h;

    snprintf(scen, sizeof scen, "c%ld-enhanced", (long)getpid());
    snprintf(url, sizeof url, "%s/%s/", fake_http, scen);
    REFUSED(mc_auth_new_enhanced(NULL, ID, SECRET, NULL, NULL, &h)); REFUSED(mc_auth_new_enhanced(url, ID, bad, NULL, NULL, &h));
    REFUSED(mc_auth_new_enhanced(url, ID, SECRET, bad, NULL, &h));   REFUSED(mc_auth_new_enhanced(url, ID, SECRET, NULL, bad, &h));
    EXPECT_OUT(INVALID, h, mc_auth_new_enhanced(url, ID, SECRET, "12x", NULL, &h)); /* the rules: src/token/enhanced_tests.rs */
    REFUSED(mc_auth_new_enhanced(url, ID, SECRET, NULL, NULL, NULL));
    EXPECT_OUT(MC_OK, h, mc_auth_new_enhanced(url, ID, SECRET, "510000123", "email_read", &h));
    EXPECT_OUT(MC_OK, tok, mc_get_token(h, &tok));
    snprintf(last, sizeof last, "/_last/%s", scen);
    CHECK(fake_count(fake_http, scen) == 1 && fake_number(fake_http, last, "\"account_id\":") == 510000123,
          "  1 request to /v2/token, for account_id 510000123 (the fake counted %ld)", fake_count(fake_http, scen));
    mc_string_free(tok), mc_auth_free(h);
}

int main(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0); /* every line is out, even if a check crashes */
    if ((fake_http = getenv("FAKE_MC_HTTP")) == NULL || (fake_https = getenv("FAKE_MC_HTTPS")) == NULL ||
        (fake_ca = getenv("FAKE_MC_CA")) == NULL) {
        fprintf(stderr, "test_mcauth: needs FAKE_MC_HTTP, _HTTPS, _CA: run it under tests/with-fake-mc.sh\n");
        return 2;
    }
    printf("# libmcauth %s; the fake Marketing Cloud at %s\n", mc_version(), fake_http);
    static_texts(), outputs_and_ownership(), each_status();
    token_into_buffer(), null_and_utf8_arguments(), last_error();
    thread_exit(), for_calls(), enhanced();
    printf("%d passed, %d failed\n", passed, failed);
    return failed == 0 ? 0 : 1;
}
