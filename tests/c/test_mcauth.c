/*
 * test_mcauth.c — checks libmcauth through its C ABI only, against the fake Marketing Cloud.
 *
 * Run under tests/with-fake-mc.sh, which exports FAKE_MC_HTTP, FAKE_MC_HTTPS, FAKE_MC_PROXY
 * and FAKE_MC_CA. Every check prints one line; the last line is exactly "N passed, M failed"
 * and the exit status is non-zero if anything failed.
 *
 * The token cache is process-wide, so every test uses its own scenario path, prefixed with a
 * per-process label so two runs against one fake cannot see each other's counts either.
 *
 * MCAUTH_TEST_UNDER_VALGRIND=1 widens the wall-clock bounds (valgrind runs code 20-50x
 * slower) and skips the one purely timing-based check that valgrind makes meaningless.
 */
#define _POSIX_C_SOURCE 200809L

#include "mcauth.h"
#include "fake_client.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/* ------------------------------------------------------------------------------------------ */
/* Check bookkeeping                                                                            */

static int g_passed;
static int g_failed;

static void check_v(int ok, const char *file, int line, const char *fmt, va_list ap)
{
    fputs(ok ? "ok   " : "FAIL ", stdout);
    vprintf(fmt, ap);
    if (!ok)
        printf("  [%s:%d]", file, line);
    putchar('\n');
    fflush(stdout);
    if (ok)
        g_passed++;
    else
        g_failed++;
}

#ifdef __GNUC__
#define PRINTF_LIKE(f, a) __attribute__((format(printf, f, a)))
#else
#define PRINTF_LIKE(f, a)
#endif

static int check(int ok, const char *file, int line, const char *fmt, ...) PRINTF_LIKE(4, 5);
static int check(int ok, const char *file, int line, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    check_v(ok, file, line, fmt, ap);
    va_end(ap);
    return ok;
}

/* CHECK(cond, printf-style message): one output line, counted; returns cond for early-outs. */
#define CHECK(cond, ...) check((cond) != 0, __FILE__, __LINE__, __VA_ARGS__)

static const char *status_name(mc_status s)
{
    static const char *const names[] = {
        "MC_OK", "MC_ERR_INVALID_ARGUMENT", "MC_ERR_UNAUTHORIZED", "MC_ERR_HTTP",
        "MC_ERR_NETWORK", "MC_ERR_TIMEOUT", "MC_ERR_BAD_RESPONSE", "MC_ERR_INTERNAL",
    };
    unsigned idx = (unsigned)s;
    return idx < sizeof names / sizeof names[0] ? names[idx] : "(unknown status)";
}

/* Like CHECK, but says which status came back (and the library's detail) when it is wrong. */
static int check_status(mc_status got, mc_status want, const char *file, int line, const char *fmt, ...)
    PRINTF_LIKE(5, 6);
static int check_status(mc_status got, mc_status want, const char *file, int line, const char *fmt, ...)
{
    char what[512];
    va_list ap;
    int ok = got == want;

    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    if (ok)
        return check(1, file, line, "%s -> %s", what, status_name(want));
    return check(0, file, line, "%s -> %s, got %s (last error: %s)", what, status_name(want),
                 status_name(got), mc_last_error());
}

#define CHECK_STATUS(got, want, ...) check_status((got), (want), __FILE__, __LINE__, __VA_ARGS__)

/* ------------------------------------------------------------------------------------------ */
/* Environment and small utilities                                                              */

static int g_valgrind;        /* MCAUTH_TEST_UNDER_VALGRIND=1 */
static const char *g_http;    /* "http://127.0.0.1:PORT" */
static const char *g_https;   /* "https://127.0.0.1:PORT" */
static const char *g_proxy;   /* "http://127.0.0.1:PORT" */
static const char *g_ca;      /* path to the fake's throwaway CA */
static char g_run[32];        /* per-process scenario prefix */

/* Distinctive credentials: mc_last_error() must never echo the secret back. */
#define CLIENT_ID "c-client-id"
#define SECRET "Zq9-c-s3cr3t-7Hx2Lp"
#define WRONG_SECRET "wrong-Zq9-c-s3cr3t-7Hx2Lp"

/* A non-NULL pointer that is never a valid library string: outputs preset to it must come back NULL. */
static char g_sentinel_byte;
#define SENTINEL_STR (&g_sentinel_byte)
#define SENTINEL_AUTH ((mc_auth *)(void *)&g_sentinel_byte)

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

static void sleep_ms(long ms)
{
    struct timespec ts;
    ts.tv_sec = ms / 1000;
    ts.tv_nsec = (ms % 1000) * 1000000L;
    while (nanosleep(&ts, &ts) != 0) {
        /* EINTR: continue with the remaining time */
    }
}

/* Wall-clock bounds scale under valgrind; the behaviour being checked does not. */
static double slack(double ms)
{
    return g_valgrind ? ms * 4.0 : ms;
}

/* "<run>-<name>", the scenario path of one test (directives may follow after a '/'). */
static void scenario(char *buf, size_t size, const char *name)
{
    int n = snprintf(buf, size, "%s-%s", g_run, name);
    if (n < 0 || (size_t)n >= size) {
        /* A truncated scenario would silently share counts with another test. */
        fprintf(stderr, "scenario name too long: %s\n", name);
        exit(3);
    }
}

/* The `subdomain` argument that points the library at `scen` on `origin`. */
static void scenario_url(char *buf, size_t size, const char *origin, const char *scen)
{
    int n = snprintf(buf, size, "%s/%s/", origin, scen);
    if (n < 0 || (size_t)n >= size) {
        fprintf(stderr, "scenario URL too long: %s\n", scen);
        exit(3);
    }
}

static long count(const char *scen)
{
    return fake_count(g_http, scen);
}

/* Creates a handle for `scen` on `origin`; NULL (and a failed check) if that did not work. */
static mc_auth *new_auth(const char *origin, const char *scen, const char *id, const char *secret)
{
    char url[512];
    mc_auth *h = SENTINEL_AUTH;
    mc_status st;

    scenario_url(url, sizeof url, origin, scen);
    st = mc_auth_new(url, id, secret, &h);
    if (st != MC_OK || h == NULL || h == SENTINEL_AUTH) {
        CHECK_STATUS(st, MC_OK, "mc_auth_new(%s)", url);
        return NULL;
    }
    return h;
}

/* Fetches a token and returns a copy the caller free()s (so no test leaks a library string). */
static char *get_token_copy(const mc_auth *h, mc_status *st_out)
{
    char *tok = SENTINEL_STR, *copy = NULL;
    mc_status st = mc_get_token(h, &tok);
    if (st == MC_OK && tok != NULL && tok != SENTINEL_STR) {
        copy = strdup(tok);
        mc_string_free(tok);
    }
    if (st_out != NULL)
        *st_out = st;
    return copy;
}

/* The last error must never carry the secret (or any token the caller knows about). */
static void check_error_clean(const char *context, const char *token)
{
    const char *e = mc_last_error();
    CHECK(e != NULL && strstr(e, SECRET) == NULL && strstr(e, "s3cr3t") == NULL,
          "%s: mc_last_error() does not contain the client secret", context);
    /* Every token the fake mints starts with "fake_": this also catches a token quoted from a body. */
    CHECK(e != NULL && strstr(e, "fake_") == NULL, "%s: mc_last_error() quotes no token", context);
    if (token != NULL && token[0] != '\0')
        CHECK(e != NULL && strstr(e, token) == NULL, "%s: mc_last_error() does not contain the token",
              context);
}

/*
 * One failing mc_get_token: checks the status, that the output came back NULL, that a detail
 * message exists and that it leaks no secret. Returns the elapsed milliseconds.
 */
static double expect_get_failure(const mc_auth *h, mc_status want, const char *what)
{
    char *tok = SENTINEL_STR;
    double t0 = now_ms();
    mc_status st = mc_get_token(h, &tok);
    double elapsed = now_ms() - t0;
    const char *e = mc_last_error();

    CHECK_STATUS(st, want, "%s", what);
    CHECK(tok == NULL, "%s: out_token set to NULL on failure", what);
    if (st == MC_OK && tok != NULL && tok != SENTINEL_STR)
        mc_string_free(tok);
    CHECK(e != NULL && e[0] != '\0', "%s: mc_last_error() explains it (\"%s\")", what, e ? e : "(null)");
    check_error_clean(what, NULL);
    return elapsed;
}

/* A loopback port nobody listens on: bind an ephemeral port, then close it again. */
static int closed_port(void)
{
    struct sockaddr_in a;
    socklen_t len = sizeof a;
    int port = -1;
    int fd = socket(AF_INET, SOCK_STREAM, 0);

    if (fd < 0)
        return -1;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(fd, (struct sockaddr *)&a, sizeof a) == 0 && getsockname(fd, (struct sockaddr *)&a, &len) == 0)
        port = ntohs(a.sin_port);
    close(fd);
    return port;
}

/* /_proxy → {"requests":N,"last_proxy_authorization":"…"|null}; returns N or -1. */
static long proxy_requests(char *auth_out, size_t auth_size)
{
    char body[1024];
    const char *p, *q;
    long n;

    if (auth_out != NULL && auth_size > 0)
        auth_out[0] = '\0';
    if (fake_http_get(g_http, "/_proxy", body, sizeof body) != 200)
        return -1;
    p = strstr(body, "\"requests\"");
    if (p == NULL || (p = strchr(p, ':')) == NULL)
        return -1;
    n = strtol(p + 1, NULL, 10);
    if (auth_out != NULL && auth_size > 0 && (p = strstr(body, "\"last_proxy_authorization\"")) != NULL &&
        (p = strchr(p, ':')) != NULL) {
        p++;
        while (*p == ' ')
            p++;
        if (*p == '"' && (q = strchr(p + 1, '"')) != NULL)
            snprintf(auth_out, auth_size, "%.*s", (int)(q - p - 1), p + 1);
    }
    return n;
}

/* ------------------------------------------------------------------------------------------ */
/* Tests                                                                                        */

static void test_version_and_status_str(void)
{
    /* Every code, then unknown ones: all must have text; the known texts must be distinct. */
    static const int codes[] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 99, -1};
    const size_t ncodes = sizeof codes / sizeof codes[0];
    const char *v = mc_version();
    const char *texts[sizeof codes / sizeof codes[0]];
    size_t i, j;
    int distinct = 1;

    CHECK(v != NULL && v[0] != '\0', "mc_version() is non-empty (\"%s\")", v ? v : "(null)");
    for (i = 0; i < ncodes; i++) {
        texts[i] = mc_status_str(codes[i]);
        CHECK(texts[i] != NULL && texts[i][0] != '\0', "mc_status_str(%d) has text (\"%s\")", codes[i],
              texts[i] ? texts[i] : "(null)");
    }
    /* Codes 0..7 each distinct, and the unknown code 99 distinct from every known one. */
    for (i = 0; i < 8; i++)
        for (j = i + 1; j < 10; j++)
            if (texts[i] == NULL || texts[j] == NULL || strcmp(texts[i], texts[j]) == 0)
                distinct = 0;
    CHECK(distinct, "mc_status_str texts are distinct for 0..7 and for an unknown code");
}

static void test_http_token(void)
{
    char scen[128], *t1, *t2;
    mc_status st;
    mc_auth *h;

    scenario(scen, sizeof scen, "http-token");
    if ((h = new_auth(g_http, scen, CLIENT_ID, SECRET)) == NULL)
        return;
    CHECK(count(scen) == 0, "creating a handle sends nothing (count 0)");
    t1 = get_token_copy(h, &st);
    CHECK_STATUS(st, MC_OK, "mc_get_token over HTTP");
    CHECK(t1 != NULL && t1[0] != '\0', "token is non-empty");
    t2 = get_token_copy(h, &st);
    CHECK(st == MC_OK && t1 != NULL && t2 != NULL && strcmp(t1, t2) == 0, "second call returns the cached token");
    CHECK(count(scen) == 1, "two calls -> 1 request (count %ld)", count(scen));
    free(t1);
    free(t2);
    mc_auth_free(h);
}

static void test_token_into_buffer(void)
{
    char scen[128], small[8], buffer[MC_TOKEN_BUFFER_SIZE], *t;
    mc_status st;
    mc_auth *h;
    size_t len;

    scenario(scen, sizeof scen, "token-into");
    if ((h = new_auth(g_http, scen, CLIENT_ID, SECRET)) == NULL)
        return;
    t = get_token_copy(h, &st);
    CHECK_STATUS(mc_get_token_into(h, buffer, sizeof buffer), MC_OK, "mc_get_token_into");
    CHECK(t != NULL && strcmp(buffer, t) == 0, "mc_get_token_into copies the cached token");
    len = t != NULL ? strlen(t) : 0;
    memset(buffer, 'x', sizeof buffer);
    CHECK_STATUS(mc_get_token_into(h, buffer, len + 1), MC_OK, "a buffer of exactly strlen + 1 is enough");
    CHECK(buffer[len] == '\0', "the token is NUL-terminated in the buffer");
    memset(small, 'x', sizeof small);
    CHECK_STATUS(mc_get_token_into(h, small, sizeof small), MC_ERR_INVALID_ARGUMENT,
                 "a buffer too small for the token");
    CHECK(small[0] == 'x' && small[sizeof small - 1] == 'x', "a too-small buffer is left untouched");
    CHECK_STATUS(mc_get_token_into(h, NULL, sizeof buffer), MC_ERR_INVALID_ARGUMENT, "NULL buffer");
    CHECK_STATUS(mc_get_token_into(NULL, buffer, sizeof buffer), MC_ERR_INVALID_ARGUMENT, "NULL handle");
    CHECK(count(scen) == 1, "mc_get_token_into serves the cache (count %ld)", count(scen));
    free(t);
    mc_auth_free(h);
}

static void test_https_token(void)
{
    char scen[128], scen2[128], *t;
    mc_status st;
    mc_auth *h;

    scenario(scen, sizeof scen, "https-token");
    if ((h = new_auth(g_https, scen, CLIENT_ID, SECRET)) == NULL)
        return;
    CHECK_STATUS(mc_auth_set_ca_file(h, g_ca), MC_OK, "mc_auth_set_ca_file(FAKE_MC_CA)");
    t = get_token_copy(h, &st);
    CHECK_STATUS(st, MC_OK, "mc_get_token over HTTPS with the fake's CA");
    CHECK(t != NULL && t[0] != '\0', "HTTPS token is non-empty");
    CHECK(count(scen) == 1, "HTTPS: 1 request (count %ld)", count(scen));
    free(t);
    mc_auth_free(h);

    /* Without the CA the certificate is untrusted: a TLS failure is a network failure. */
    scenario(scen2, sizeof scen2, "https-untrusted");
    if ((h = new_auth(g_https, scen2, CLIENT_ID, SECRET)) == NULL)
        return;
    mc_auth_set_timeout_ms(h, 5000);
    expect_get_failure(h, MC_ERR_NETWORK, "HTTPS without the fake's CA");
    CHECK(count(scen2) == 0, "untrusted certificate: no request reached the endpoint (count %ld)", count(scen2));
    CHECK(mc_auth_set_ca_file(h, "/nonexistent/mcauth-ca.pem") != MC_OK, "mc_auth_set_ca_file(missing file) fails");
    mc_auth_free(h);
}

static void test_cache_sharing(void)
{
    enum { N = 5 };
    char scen[128], scen_other[128], *tok[N], *t_id, *t_secret, *t_other;
    mc_auth *h[N], *h_id, *h_secret, *h_other;
    mc_status st;
    int i, all_ok = 1, same = 1;

    scenario(scen, sizeof scen, "cache-shared");
    scenario(scen_other, sizeof scen_other, "cache-shared-other");
    for (i = 0; i < N; i++)
        if ((h[i] = new_auth(g_http, scen, CLIENT_ID, SECRET)) == NULL)
            return; /* already reported; the leak of earlier handles does not matter then */
    for (i = 0; i < N; i++) {
        tok[i] = get_token_copy(h[i], &st);
        if (st != MC_OK || tok[i] == NULL)
            all_ok = 0;
    }
    for (i = 1; i < N && all_ok; i++)
        if (strcmp(tok[0], tok[i]) != 0)
            same = 0;
    CHECK(all_ok && same, "%d handles with the same credentials get the same token", N);
    CHECK(count(scen) == 1, "%d handles with the same credentials -> 1 request (count %ld)", N, count(scen));

    /* Any difference in the key (client id, secret, URL) means a separate token. */
    h_id = new_auth(g_http, scen, "c-client-id-2", SECRET);
    h_secret = new_auth(g_http, scen, CLIENT_ID, SECRET "-2");
    h_other = new_auth(g_http, scen_other, CLIENT_ID, SECRET);
    t_id = h_id ? get_token_copy(h_id, &st) : NULL;
    t_secret = h_secret ? get_token_copy(h_secret, &st) : NULL;
    t_other = h_other ? get_token_copy(h_other, &st) : NULL;
    CHECK(t_id && tok[0] && strcmp(t_id, tok[0]) != 0, "another client id gets its own token");
    CHECK(t_secret && tok[0] && strcmp(t_secret, tok[0]) != 0 && (!t_id || strcmp(t_secret, t_id) != 0),
          "another secret gets its own token");
    CHECK(count(scen) == 3, "other id and other secret -> 2 more requests (count %ld)", count(scen));
    CHECK(t_other && tok[0] && strcmp(t_other, tok[0]) != 0 && count(scen_other) == 1,
          "another URL with the same credentials gets its own token (count %ld)", count(scen_other));

    for (i = 0; i < N; i++) {
        free(tok[i]);
        mc_auth_free(h[i]);
    }
    free(t_id);
    free(t_secret);
    free(t_other);
    mc_auth_free(h_id);
    mc_auth_free(h_secret);
    mc_auth_free(h_other);
}

#define SOAP_OPEN "<h:fueloauth xmlns=\"http://exacttarget.com\" xmlns:h=\"http://exacttarget.com\">"
#define SOAP_CLOSE "</h:fueloauth>"

/*
 * Undoes XML escaping of element content into `out`; returns 0 on success, -1 if the text
 * holds a raw '<' or a bare '&' (i.e. it was not escaped correctly).
 */
static int xml_unescape(const char *in, size_t len, char *out, size_t out_size)
{
    static const struct { const char *ent; char ch; } ents[] = {
        {"&amp;", '&'}, {"&lt;", '<'}, {"&gt;", '>'}, {"&quot;", '"'}, {"&apos;", '\''},
        {"&#39;", '\''}, {"&#34;", '"'}, {"&#x27;", '\''}, {"&#x22;", '"'},
    };
    size_t i = 0, o = 0, k;

    while (i < len) {
        char c = in[i];
        if (o + 1 >= out_size || c == '<')
            return -1;
        if (c == '&') {
            for (k = 0; k < sizeof ents / sizeof ents[0]; k++) {
                size_t el = strlen(ents[k].ent);
                if (el <= len - i && strncmp(in + i, ents[k].ent, el) == 0) {
                    out[o++] = ents[k].ch;
                    i += el;
                    break;
                }
            }
            if (k == sizeof ents / sizeof ents[0])
                return -1; /* a bare '&' */
            continue;
        }
        out[o++] = c;
        i++;
    }
    out[o] = '\0';
    return 0;
}

static void test_soap_header(void)
{
    char scen[128], expected[1024], decoded[1024], *tok, *hdr = SENTINEL_STR;
    mc_status st;
    mc_auth *h;
    size_t lo = strlen(SOAP_OPEN), lc = strlen(SOAP_CLOSE), lh;

    scenario(scen, sizeof scen, "soap");
    if ((h = new_auth(g_http, scen, CLIENT_ID, SECRET)) == NULL)
        return;
    tok = get_token_copy(h, &st);
    st = mc_soap_header(h, &hdr);
    CHECK_STATUS(st, MC_OK, "mc_soap_header");
    snprintf(expected, sizeof expected, "%s%s%s", SOAP_OPEN, tok ? tok : "", SOAP_CLOSE);
    CHECK(st == MC_OK && hdr != NULL && tok != NULL && strcmp(hdr, expected) == 0, "SOAP header is exactly %s",
          expected);
    CHECK(count(scen) == 1, "SOAP header reuses the cached token (count %ld)", count(scen));
    if (st == MC_OK)
        mc_string_free(hdr);
    free(tok);
    mc_auth_free(h);

    /* Tokens with <&>"' must be escaped; compare after undoing the escaping (either style is valid XML). */
    scenario(scen, sizeof scen, "soap-xml/xml-token");
    if ((h = new_auth(g_http, scen, CLIENT_ID, SECRET)) == NULL)
        return;
    tok = get_token_copy(h, &st);
    CHECK(tok != NULL && strpbrk(tok, "<&>") != NULL, "xml-token: the raw token has XML special characters (%s)",
          tok ? tok : "(null)");
    hdr = SENTINEL_STR;
    st = mc_soap_header(h, &hdr);
    CHECK_STATUS(st, MC_OK, "mc_soap_header with an xml-token");
    if (st == MC_OK && hdr != NULL && tok != NULL) {
        lh = strlen(hdr);
        CHECK(lh >= lo + lc && strncmp(hdr, SOAP_OPEN, lo) == 0 && strcmp(hdr + lh - lc, SOAP_CLOSE) == 0,
              "xml-token: SOAP header keeps the exact element (%s)", hdr);
        CHECK(lh >= lo + lc && xml_unescape(hdr + lo, lh - lo - lc, decoded, sizeof decoded) == 0 &&
                  strcmp(decoded, tok) == 0,
              "xml-token: header content is the XML-escaped token");
        mc_string_free(hdr);
    } else {
        CHECK(0, "xml-token: SOAP header available");
    }
    free(tok);
    mc_auth_free(h);
}

static void test_invalidate(void)
{
    char scen[128], *t1, *t2, *t3, *t;
    mc_status st;
    mc_auth *h, *h2;

    scenario(scen, sizeof scen, "invalidate");
    if ((h = new_auth(g_http, scen, CLIENT_ID, SECRET)) == NULL)
        return;
    if ((h2 = new_auth(g_http, scen, CLIENT_ID, SECRET)) == NULL) {
        mc_auth_free(h);
        return;
    }
    t1 = get_token_copy(h, &st);
    CHECK(st == MC_OK && t1 != NULL && count(scen) == 1, "invalidate: first token (count %ld)", count(scen));

    CHECK_STATUS(mc_auth_invalidate(h, "not-the-current-token"), MC_OK, "invalidate(non-matching token)");
    t = get_token_copy(h, &st);
    CHECK(t && t1 && strcmp(t, t1) == 0 && count(scen) == 1,
          "non-matching invalidate keeps the token, no request (count %ld)", count(scen));
    free(t);

    /* Through the other handle: the cache is shared, so h sees the drop too. */
    CHECK_STATUS(mc_auth_invalidate(h2, t1 ? t1 : ""), MC_OK, "invalidate(current token) via a second handle");
    t2 = get_token_copy(h, &st);
    CHECK(t2 && t1 && strcmp(t2, t1) != 0 && count(scen) == 2,
          "matching invalidate -> next get is a new token, 1 more request (count %ld)", count(scen));

    /* A late invalidate of the old token must not throw away the fresh one. */
    CHECK_STATUS(mc_auth_invalidate(h, t1 ? t1 : ""), MC_OK, "invalidate(stale token)");
    t = get_token_copy(h, &st);
    CHECK(t && t2 && strcmp(t, t2) == 0 && count(scen) == 2,
          "invalidating a stale token keeps the current one (count %ld)", count(scen));
    free(t);

    CHECK_STATUS(mc_auth_invalidate(h, NULL), MC_OK, "invalidate(NULL)");
    t3 = get_token_copy(h2, &st);
    CHECK(t3 && t2 && t1 && strcmp(t3, t2) != 0 && strcmp(t3, t1) != 0 && count(scen) == 3,
          "invalidate(NULL) drops unconditionally -> new token, 1 more request (count %ld)", count(scen));

    CHECK_STATUS(mc_auth_invalidate(h, "bad-\xff-utf8"), MC_ERR_INVALID_ARGUMENT, "invalidate(invalid UTF-8)");
    t = get_token_copy(h, &st);
    CHECK(t && t3 && strcmp(t, t3) == 0 && count(scen) == 3, "a rejected invalidate changes nothing (count %ld)",
          count(scen));
    free(t);
    free(t1);
    free(t2);
    free(t3);
    mc_auth_free(h);
    mc_auth_free(h2);
}

static void test_unauthorized(void)
{
    char scen[128], *hdr;
    const char *e;
    mc_auth *h;

    scenario(scen, sizeof scen, "unauthorized");
    if ((h = new_auth(g_http, scen, CLIENT_ID, WRONG_SECRET)) == NULL)
        return;
    expect_get_failure(h, MC_ERR_UNAUTHORIZED, "wrong secret");
    CHECK(strstr(mc_last_error(), WRONG_SECRET) == NULL, "wrong secret: mc_last_error() does not echo it");
    CHECK(count(scen) == 1, "401 is not retried (count %ld)", count(scen));
    hdr = SENTINEL_STR;
    CHECK_STATUS(mc_soap_header(h, &hdr), MC_ERR_UNAUTHORIZED, "mc_soap_header with a wrong secret");
    CHECK(hdr == NULL, "mc_soap_header: out_header set to NULL on failure");
    check_error_clean("mc_soap_header with a wrong secret", NULL);
    mc_auth_free(h);

    scenario(scen, sizeof scen, "enhanced/enhanced");
    if ((h = new_auth(g_http, scen, CLIENT_ID, SECRET)) == NULL)
        return;
    expect_get_failure(h, MC_ERR_UNAUTHORIZED, "enhanced package on /v1/requestToken");
    e = mc_last_error();
    CHECK(strstr(e, "/v2/token") != NULL && strstr(e, "10007") != NULL,
          "enhanced: mc_last_error() mentions /v2/token and 10007 (\"%s\")", e);
    CHECK(count(scen) == 1, "enhanced: not retried (count %ld)", count(scen));
    mc_auth_free(h);

    scenario(scen, sizeof scen, "forbidden/fail=403x*");
    if ((h = new_auth(g_http, scen, CLIENT_ID, SECRET)) == NULL)
        return;
    expect_get_failure(h, MC_ERR_UNAUTHORIZED, "HTTP 403");
    CHECK(count(scen) == 1, "403 is not retried (count %ld)", count(scen));
    mc_auth_free(h);

    scenario(scen, sizeof scen, "unauth401/fail=401x*");
    if ((h = new_auth(g_http, scen, CLIENT_ID, SECRET)) == NULL)
        return;
    expect_get_failure(h, MC_ERR_UNAUTHORIZED, "HTTP 401 (fail=401x*)");
    CHECK(count(scen) == 1, "401 (fail=401x*) is not retried (count %ld)", count(scen));
    mc_auth_free(h);
}

static void test_http_errors_and_retries(void)
{
    char scen[128], *t;
    mc_status st;
    mc_auth *h;
    double t0, elapsed;

    scenario(scen, sizeof scen, "http500/fail=500x*");
    if ((h = new_auth(g_http, scen, CLIENT_ID, SECRET)) == NULL)
        return;
    expect_get_failure(h, MC_ERR_HTTP, "HTTP 500 every time");
    CHECK(count(scen) == 4, "500 is retried: 4 attempts (count %ld)", count(scen));
    mc_auth_free(h);

    scenario(scen, sizeof scen, "http400/fail=400x*");
    if ((h = new_auth(g_http, scen, CLIENT_ID, SECRET)) == NULL)
        return;
    expect_get_failure(h, MC_ERR_HTTP, "HTTP 400");
    CHECK(count(scen) == 1, "400 is not retried (count %ld)", count(scen));
    mc_auth_free(h);

    scenario(scen, sizeof scen, "retry503/fail=503x2");
    if ((h = new_auth(g_http, scen, CLIENT_ID, SECRET)) == NULL)
        return;
    t = get_token_copy(h, &st);
    CHECK_STATUS(st, MC_OK, "two 503s, then success");
    CHECK(t != NULL && count(scen) == 3, "503x2 -> OK after 3 requests (count %ld)", count(scen));
    free(t);
    mc_auth_free(h);

    scenario(scen, sizeof scen, "retry429/fail=429x1/retry-after=1");
    if ((h = new_auth(g_http, scen, CLIENT_ID, SECRET)) == NULL)
        return;
    t0 = now_ms();
    t = get_token_copy(h, &st);
    elapsed = now_ms() - t0;
    CHECK_STATUS(st, MC_OK, "429 with Retry-After: 1, then success");
    CHECK(t != NULL && count(scen) == 2, "429x1 -> OK after 2 requests (count %ld)", count(scen));
    CHECK(elapsed >= 900.0, "Retry-After: 1 is honoured (waited %.0f ms)", elapsed);
    free(t);
    mc_auth_free(h);

    /* mc_auth_set_max_attempts bounds the retries. */
    scenario(scen, sizeof scen, "maxattempts/fail=500x*");
    if ((h = new_auth(g_http, scen, CLIENT_ID, SECRET)) == NULL)
        return;
    CHECK_STATUS(mc_auth_set_max_attempts(h, 0), MC_ERR_INVALID_ARGUMENT, "set_max_attempts(0)");
    CHECK_STATUS(mc_auth_set_max_attempts(h, 11), MC_ERR_INVALID_ARGUMENT, "set_max_attempts(11)");
    CHECK_STATUS(mc_auth_set_max_attempts(h, 10), MC_OK, "set_max_attempts(10)");
    CHECK_STATUS(mc_auth_set_max_attempts(h, 2), MC_OK, "set_max_attempts(2)");
    expect_get_failure(h, MC_ERR_HTTP, "HTTP 500 with max 2 attempts");
    CHECK(count(scen) == 2, "max_attempts 2 -> 2 requests (count %ld)", count(scen));
    mc_auth_free(h);
}

static void test_network_errors(void)
{
    char scen[128], url[256], *t;
    mc_status st;
    mc_auth *h;
    long n;
    int port;

    scenario(scen, sizeof scen, "drop/drop=*");
    if ((h = new_auth(g_http, scen, CLIENT_ID, SECRET)) == NULL)
        return;
    expect_get_failure(h, MC_ERR_NETWORK, "connection closed without an answer (drop=*)");
    n = count(scen);
    CHECK(n == 4, "drop=*: a network error is retried, 4 attempts (count %ld)", n);
    mc_auth_free(h);

    scenario(scen, sizeof scen, "drop1/drop=1");
    if ((h = new_auth(g_http, scen, CLIENT_ID, SECRET)) == NULL)
        return;
    t = get_token_copy(h, &st);
    CHECK_STATUS(st, MC_OK, "one dropped connection, then success (retried)");
    free(t);
    mc_auth_free(h);

    port = closed_port();
    snprintf(url, sizeof url, "http://127.0.0.1:%d/%s-closed/", port, g_run);
    h = SENTINEL_AUTH;
    st = mc_auth_new(url, CLIENT_ID, SECRET, &h);
    CHECK_STATUS(st, MC_OK, "mc_auth_new(closed port)");
    if (st != MC_OK)
        return;
    mc_auth_set_timeout_ms(h, 5000);
    expect_get_failure(h, MC_ERR_NETWORK, "connection refused (closed port)");
    mc_auth_free(h);
}

static void test_timeout(void)
{
    char scen[128];
    mc_auth *h;
    double elapsed;

    scenario(scen, sizeof scen, "timeout/delay=3000");
    if ((h = new_auth(g_http, scen, CLIENT_ID, SECRET)) == NULL)
        return;
    CHECK_STATUS(mc_auth_set_timeout_ms(h, 300), MC_OK, "set_timeout_ms(300)");
    elapsed = expect_get_failure(h, MC_ERR_TIMEOUT, "server answers after 3 s, budget 300 ms");
    CHECK(elapsed < slack(1500.0), "the 300 ms budget is kept (took %.0f ms)", elapsed);
    mc_auth_free(h);
}

static void test_bad_responses(void)
{
    static const char *const variants[] = {
        "garbage", "no-token", "empty-token", "zero-expiry", "string-expiry", "negative-expiry", "not-object",
        "oversize",
    };
    char name[128], scen[128];
    size_t i;
    mc_auth *h;

    for (i = 0; i < sizeof variants / sizeof variants[0]; i++) {
        snprintf(name, sizeof name, "bad-%s/body=%s", variants[i], variants[i]);
        scenario(scen, sizeof scen, name);
        if ((h = new_auth(g_http, scen, CLIENT_ID, SECRET)) == NULL)
            continue;
        snprintf(name, sizeof name, "body=%s", variants[i]);
        expect_get_failure(h, MC_ERR_BAD_RESPONSE, name);
        CHECK(count(scen) >= 1, "body=%s: the request was sent (count %ld)", variants[i], count(scen));
        mc_auth_free(h);
    }
}

static void test_redirect(void)
{
    char scen[128], redirected[192];
    mc_auth *h;

    scenario(scen, sizeof scen, "redirect/redirect");
    snprintf(redirected, sizeof redirected, "%s/redirected", scen);
    if ((h = new_auth(g_http, scen, CLIENT_ID, SECRET)) == NULL)
        return;
    expect_get_failure(h, MC_ERR_HTTP, "307 redirect is refused");
    CHECK(count(scen) >= 1, "redirect: the original endpoint was asked (count %ld)", count(scen));
    CHECK(count(redirected) == 0, "redirect: the target was never asked (count %ld)", count(redirected));
    mc_auth_free(h);
}

static void test_proxy(void)
{
    static const char *const malformed[] = {
        "not a url", "http://", "ftp://127.0.0.1:21", "http://127.0.0.1:notaport", "http://:8080", "",
    };
    char scen[128], proxy_url[256], auth[256], *t;
    const char *hostport;
    mc_status st;
    mc_auth *h;
    long before, after;
    size_t i;

    /* Plain HTTP through the proxy. */
    scenario(scen, sizeof scen, "proxy-http");
    if ((h = new_auth(g_http, scen, CLIENT_ID, SECRET)) == NULL)
        return;
    CHECK_STATUS(mc_auth_set_proxy(h, g_proxy), MC_OK, "set_proxy(FAKE_MC_PROXY)");
    before = proxy_requests(NULL, 0);
    t = get_token_copy(h, &st);
    after = proxy_requests(NULL, 0);
    CHECK_STATUS(st, MC_OK, "token over HTTP through the proxy");
    CHECK(before >= 0 && after > before, "HTTP: the proxy saw the request (%ld -> %ld)", before, after);
    CHECK(count(scen) == 1, "HTTP via proxy: 1 request (count %ld)", count(scen));
    free(t);
    mc_auth_free(h);

    /* HTTPS (CONNECT) through an authenticating proxy. */
    hostport = strstr(g_proxy, "://");
    hostport = hostport ? hostport + 3 : g_proxy;
    snprintf(proxy_url, sizeof proxy_url, "http://user:pa55@%s", hostport);
    scenario(scen, sizeof scen, "proxy-https");
    if ((h = new_auth(g_https, scen, CLIENT_ID, SECRET)) == NULL)
        return;
    CHECK_STATUS(mc_auth_set_ca_file(h, g_ca), MC_OK, "set_ca_file for HTTPS via proxy");
    CHECK_STATUS(mc_auth_set_proxy(h, proxy_url), MC_OK, "set_proxy(http://user:pa55@proxy)");
    before = proxy_requests(NULL, 0);
    t = get_token_copy(h, &st);
    after = proxy_requests(auth, sizeof auth);
    CHECK_STATUS(st, MC_OK, "token over HTTPS through the proxy");
    CHECK(before >= 0 && after > before, "HTTPS: the proxy saw the request (%ld -> %ld)", before, after);
    CHECK(strcmp(auth, "Basic dXNlcjpwYTU1") == 0, "proxy credentials sent as Proxy-Authorization (\"%s\")", auth);
    CHECK(count(scen) == 1, "HTTPS via proxy: 1 request (count %ld)", count(scen));
    free(t);

    for (i = 0; i < sizeof malformed / sizeof malformed[0]; i++)
        CHECK_STATUS(mc_auth_set_proxy(h, malformed[i]), MC_ERR_INVALID_ARGUMENT, "set_proxy(\"%s\")", malformed[i]);
    mc_auth_free(h);

    /* An unreachable proxy is a network failure, and its password stays out of the error text. */
    snprintf(proxy_url, sizeof proxy_url, "http://user:Pr0xyPa55Zq@127.0.0.1:%d", closed_port());
    scenario(scen, sizeof scen, "proxy-unreachable");
    if ((h = new_auth(g_http, scen, CLIENT_ID, SECRET)) == NULL)
        return;
    CHECK_STATUS(mc_auth_set_proxy(h, proxy_url), MC_OK, "set_proxy(closed port)");
    mc_auth_set_timeout_ms(h, 5000);
    expect_get_failure(h, MC_ERR_NETWORK, "unreachable proxy");
    CHECK(strstr(mc_last_error(), "Pr0xyPa55Zq") == NULL, "unreachable proxy: the proxy password is not in the error");
    CHECK(count(scen) == 0, "unreachable proxy: nothing reached the server (count %ld)", count(scen));
    mc_auth_free(h);
}

/*
 * Several kinds of failure with the distinctive secret: none may echo it. The token of an earlier
 * success with the same credentials must not show up either (it is cached under the same id/secret).
 */
static void test_last_error_secrecy(void)
{
    static const struct { const char *directive; mc_status want; } failing[] = {
        {"fail=500x*", MC_ERR_HTTP},         {"fail=400x*", MC_ERR_HTTP},
        {"body=garbage", MC_ERR_BAD_RESPONSE}, {"body=zero-expiry", MC_ERR_BAD_RESPONSE},
        {"redirect", MC_ERR_HTTP},           {"enhanced", MC_ERR_UNAUTHORIZED},
        {"drop=*", MC_ERR_NETWORK},
    };
    char scen[128], name[128], *tok;
    mc_status st;
    mc_auth *h;
    size_t i;

    scenario(scen, sizeof scen, "secrecy-ok");
    if ((h = new_auth(g_http, scen, CLIENT_ID, SECRET)) == NULL)
        return;
    tok = get_token_copy(h, &st);
    mc_auth_free(h);
    CHECK(tok != NULL, "secrecy: got a token to look for");

    for (i = 0; i < sizeof failing / sizeof failing[0]; i++) {
        snprintf(name, sizeof name, "secrecy-%u/%s", (unsigned)i, failing[i].directive);
        scenario(scen, sizeof scen, name);
        if ((h = new_auth(g_http, scen, CLIENT_ID, SECRET)) == NULL)
            continue;
        mc_auth_set_max_attempts(h, 1); /* one attempt is enough to produce the error text */
        expect_get_failure(h, failing[i].want, name);
        check_error_clean(name, tok);
        mc_auth_free(h);
    }
    /* The secret that the server rejected is just as secret. */
    scenario(scen, sizeof scen, "secrecy-wrong");
    if ((h = new_auth(g_http, scen, CLIENT_ID, WRONG_SECRET)) != NULL) {
        expect_get_failure(h, MC_ERR_UNAUTHORIZED, "secrecy: wrong secret");
        CHECK(strstr(mc_last_error(), WRONG_SECRET) == NULL, "secrecy: the rejected secret is not in the error");
        mc_auth_free(h);
    }
    free(tok);
}

/* mc_last_error() is per thread: a failure elsewhere does not overwrite this thread's detail. */
static void *fail_in_thread(void *arg)
{
    mc_auth *h = SENTINEL_AUTH;
    size_t *fresh_len = (size_t *)arg;
    const char *fresh = mc_last_error();

    /* A thread that never failed still gets a readable string (valgrind would flag a bad one). */
    *fresh_len = fresh != NULL ? strlen(fresh) : (size_t)-1;
    mc_auth_new("ftp://x", CLIENT_ID, SECRET, &h); /* fails here, on this thread only */
    return NULL;
}

static void test_last_error_thread_local(void)
{
    char scen[128], before[512];
    size_t fresh_len = (size_t)-1;
    pthread_t th;
    mc_auth *h;

    scenario(scen, sizeof scen, "tls-error/fail=400x*");
    if ((h = new_auth(g_http, scen, CLIENT_ID, SECRET)) == NULL)
        return;
    expect_get_failure(h, MC_ERR_HTTP, "thread-local error: HTTP 400 here");
    snprintf(before, sizeof before, "%s", mc_last_error());
    CHECK(pthread_create(&th, NULL, fail_in_thread, &fresh_len) == 0, "thread-local error: thread started");
    pthread_join(th, NULL);
    CHECK(fresh_len != (size_t)-1, "mc_last_error() is non-NULL on a thread that never failed");
    CHECK(strcmp(before, mc_last_error()) == 0, "another thread's failure leaves this thread's mc_last_error() alone");
    mc_auth_free(h);
}

/* ------------------------------------------------------------------------------------------ */
/* Threads                                                                                      */

struct thread_arg {
    const mc_auth *shared;         /* the handle to use, or NULL: make an own handle */
    const char *url;               /* for an own handle */
    pthread_barrier_t *barrier;
    const char *invalidate_first;  /* when set: invalidate this token after the first get */
    mc_status st1, st2;
    char *tok1, *tok2;             /* copies, free()d by the test */
    double elapsed_ms;             /* of the (last) mc_get_token */
};

static void *token_thread(void *p)
{
    struct thread_arg *a = (struct thread_arg *)p;
    mc_auth *own = NULL;
    const mc_auth *h = a->shared;
    double t0;

    if (h == NULL) {
        if (mc_auth_new(a->url, CLIENT_ID, SECRET, &own) != MC_OK) {
            a->st1 = a->st2 = MC_ERR_INTERNAL;
            pthread_barrier_wait(a->barrier);
            return NULL;
        }
        h = own;
    }
    pthread_barrier_wait(a->barrier); /* everyone starts together: a cold cache meets 32 callers */
    t0 = now_ms();
    a->tok1 = get_token_copy(h, &a->st1);
    a->elapsed_ms = now_ms() - t0;
    if (a->invalidate_first != NULL) {
        pthread_barrier_wait(a->barrier); /* all hold the same token, now all reject it at once */
        mc_auth_invalidate(h, a->tok1 ? a->tok1 : "");
        a->tok2 = get_token_copy(h, &a->st2);
    }
    mc_auth_free(own);
    return NULL;
}

/* Runs n token_threads; returns 0 if all were started and joined. */
static int run_threads(struct thread_arg *args, int n)
{
    pthread_t th[64];
    pthread_barrier_t barrier;
    int i, started = 0;

    if (n > 64 || pthread_barrier_init(&barrier, NULL, (unsigned)n) != 0)
        return -1;
    for (i = 0; i < n; i++) {
        args[i].barrier = &barrier;
        if (pthread_create(&th[i], NULL, token_thread, &args[i]) != 0)
            break;
        started++;
    }
    if (started != n) {
        /* Cannot happen in practice; the barrier would deadlock, so give up loudly. */
        fprintf(stderr, "pthread_create failed\n");
        exit(3);
    }
    for (i = 0; i < n; i++)
        pthread_join(th[i], NULL);
    pthread_barrier_destroy(&barrier);
    return 0;
}

static void free_thread_tokens(struct thread_arg *args, int n)
{
    int i;
    for (i = 0; i < n; i++) {
        free(args[i].tok1);
        free(args[i].tok2);
    }
}

static void test_threads_cold_cache(void)
{
    enum { N = 32 };
    struct thread_arg args[N];
    char scen[128], url[512];
    mc_auth *h;
    int i, ok = 1, same = 1;

    /* The delay keeps the first request in flight while all 32 callers arrive. */
    scenario(scen, sizeof scen, "threads-cold/delay=300");
    scenario_url(url, sizeof url, g_http, scen);
    if ((h = new_auth(g_http, scen, CLIENT_ID, SECRET)) == NULL)
        return;
    memset(args, 0, sizeof args);
    for (i = 0; i < N; i++) {
        args[i].shared = (i % 2 == 0) ? h : NULL; /* half share a handle, half make their own */
        args[i].url = url;
    }
    run_threads(args, N);
    for (i = 0; i < N; i++) {
        if (args[i].st1 != MC_OK || args[i].tok1 == NULL)
            ok = 0;
        else if (args[0].tok1 == NULL || strcmp(args[0].tok1, args[i].tok1) != 0)
            same = 0;
    }
    CHECK(ok, "32 threads on a cold cache: all got a token");
    CHECK(ok && same, "32 threads on a cold cache: all got the same token");
    CHECK(count(scen) == 1, "32 threads on a cold cache: exactly 1 request (count %ld)", count(scen));
    free_thread_tokens(args, N);
    mc_auth_free(h);
}

static void test_threads_invalidate(void)
{
    enum { N = 16 };
    struct thread_arg args[N];
    char scen[128], *t0;
    mc_status st;
    mc_auth *h;
    int i, first_same = 1, second_ok = 1, second_same = 1;

    scenario(scen, sizeof scen, "threads-invalidate/delay=200");
    if ((h = new_auth(g_http, scen, CLIENT_ID, SECRET)) == NULL)
        return;
    t0 = get_token_copy(h, &st);
    CHECK(t0 != NULL && count(scen) == 1, "16 threads: warm token (count %ld)", count(scen));
    memset(args, 0, sizeof args);
    for (i = 0; i < N; i++) {
        args[i].shared = h;
        args[i].invalidate_first = "yes";
    }
    run_threads(args, N);
    for (i = 0; i < N; i++) {
        if (args[i].tok1 == NULL || t0 == NULL || strcmp(args[i].tok1, t0) != 0)
            first_same = 0;
        if (args[i].st2 != MC_OK || args[i].tok2 == NULL)
            second_ok = 0;
        else if (args[0].tok2 == NULL || strcmp(args[0].tok2, args[i].tok2) != 0 ||
                 (t0 != NULL && strcmp(args[i].tok2, t0) == 0))
            second_same = 0;
    }
    CHECK(first_same, "16 threads: all started with the same cached token");
    CHECK(second_ok && second_same, "16 threads: after invalidating it, all got the same new token");
    CHECK(count(scen) == 2, "16 threads invalidating the same token -> exactly 1 new request (count %ld)",
          count(scen));
    free_thread_tokens(args, N);
    free(t0);
    mc_auth_free(h);
}

static void test_stale_while_refresh(void)
{
    enum { N = 8 };
    struct thread_arg args[N];
    char scen[128], *t0, *t;
    mc_status st;
    mc_auth *h;
    int i, old = 0, fast = 0, all_ok = 1;
    long n = -1;
    double slowest = 0.0, started, waited;

    /*
     * expires=4 with a 1000 s margin: the margin is larger than the lifetime, so the refresh is
     * due at half life (2 s). At ~2.5 s the token is still valid for ~1.5 s, so callers should
     * get it at once while one refresh (taking 1.5 s because of delay=1500) runs.
     * The library counts the lifetime from when it sent the request (the safe side), and the
     * first request itself takes 1.5 s, so the 2.5 s are counted from before the first call.
     */
    scenario(scen, sizeof scen, "swr/expires=4/delay=1500");
    if ((h = new_auth(g_http, scen, CLIENT_ID, SECRET)) == NULL)
        return;
    CHECK_STATUS(mc_auth_set_refresh_margin_secs(h, 1000), MC_OK, "set_refresh_margin_secs(1000)");
    started = now_ms();
    t0 = get_token_copy(h, &st);
    CHECK(t0 != NULL && count(scen) == 1, "stale-while-refresh: first token (count %ld)", count(scen));
    waited = now_ms() - started;
    if (waited < 2500.0)
        sleep_ms((long)(2500.0 - waited));

    memset(args, 0, sizeof args);
    for (i = 0; i < N; i++)
        args[i].shared = h;
    run_threads(args, N);
    for (i = 0; i < N; i++) {
        if (args[i].st1 != MC_OK)
            all_ok = 0;
        if (args[i].tok1 != NULL && t0 != NULL && strcmp(args[i].tok1, t0) == 0)
            old++;
        if (args[i].elapsed_ms < 500.0)
            fast++;
        if (args[i].elapsed_ms > slowest)
            slowest = args[i].elapsed_ms;
    }
    CHECK(all_ok, "stale-while-refresh: all 8 calls succeeded");
    CHECK(old >= N - 1, "stale-while-refresh: %d of 8 got the still-valid old token (want >= 7)", old);
    CHECK(fast >= N - 1, "stale-while-refresh: %d of 8 returned in < 500 ms while the refresh takes 1.5 s "
                         "(slowest %.0f ms)", fast, slowest);

    /* Wait for a background refresh to land (it may also have run inside one caller). */
    for (i = 0; i < 40 && (n = count(scen)) < 2; i++)
        sleep_ms(100);
    sleep_ms(300); /* give a (wrong) second refresh the chance to show up */
    CHECK(count(scen) == 2, "stale-while-refresh: exactly one refresh request (count %ld)", count(scen));
    t = get_token_copy(h, &st);
    CHECK(t != NULL && t0 != NULL && strcmp(t, t0) != 0 && count(scen) == 2,
          "stale-while-refresh: the refreshed token is served afterwards (count %ld)", count(scen));
    free(t);
    free(t0);
    free_thread_tokens(args, N);
    mc_auth_free(h);
}

static void test_short_lived_token(void)
{
    char scen[128], *t0, *t;
    mc_status st;
    mc_auth *h;
    int i, same = 1;

    /* expires=2 is far below the default 300 s margin; it must still be reused, not re-fetched per call. */
    scenario(scen, sizeof scen, "short/expires=2");
    if ((h = new_auth(g_http, scen, CLIENT_ID, SECRET)) == NULL)
        return;
    t0 = get_token_copy(h, &st);
    for (i = 0; i < 19; i++) {
        t = get_token_copy(h, &st);
        if (t == NULL || t0 == NULL || strcmp(t, t0) != 0)
            same = 0;
        free(t);
    }
    CHECK(t0 != NULL && same, "expires=2: 20 quick calls return the same token");
    CHECK(count(scen) == 1, "expires=2: 20 quick calls -> 1 request (count %ld)", count(scen));

    /* Once it has expired, the next call must fetch a new one. */
    sleep_ms(2300);
    t = get_token_copy(h, &st);
    CHECK(t != NULL && t0 != NULL && strcmp(t, t0) != 0 && count(scen) == 2,
          "expires=2: after expiry a new token is fetched (count %ld)", count(scen));
    free(t);
    free(t0);
    mc_auth_free(h);
}

/* ------------------------------------------------------------------------------------------ */
/* Bad input                                                                                    */

static void expect_new_invalid(const char *sub, const char *id, const char *secret, const char *what)
{
    mc_auth *h = SENTINEL_AUTH;
    mc_status st = mc_auth_new(sub, id, secret, &h);
    CHECK_STATUS(st, MC_ERR_INVALID_ARGUMENT, "mc_auth_new(%s)", what);
    CHECK(h == NULL, "mc_auth_new(%s): out set to NULL", what);
    if (st == MC_OK && h != NULL && h != SENTINEL_AUTH)
        mc_auth_free(h);
}

static void expect_out_invalid(mc_status st, char *out, const char *what)
{
    CHECK_STATUS(st, MC_ERR_INVALID_ARGUMENT, "%s", what);
    CHECK(out == NULL, "%s: out set to NULL", what);
    if (st == MC_OK && out != NULL && out != SENTINEL_STR)
        mc_string_free(out);
}

static void test_bad_input(void)
{
    char scen[128], url[512], bad_url[512], long_name[301], name63[64], name64[65];
    char *out;
    mc_status st;
    mc_auth *h;
    size_t i;
    static const char *const bad_subdomains[] = {
        "evil.com/", "a b", "mc.evil", "mc#x", "http://10.1.2.3", "ftp://x", "", "http://10.1.2.3/v1/requestToken",
        "https://", "mc563885gzs27c5t9-63k636ttgm.evil",
    };

    scenario(scen, sizeof scen, "bad-input");
    scenario_url(url, sizeof url, g_http, scen);
    snprintf(bad_url, sizeof bad_url, "%s/%s-\xff/", g_http, scen);

    /* mc_auth_new: each pointer NULL, invalid UTF-8 in each string, empty credentials. */
    expect_new_invalid(NULL, CLIENT_ID, SECRET, "NULL subdomain");
    expect_new_invalid(url, NULL, SECRET, "NULL client_id");
    expect_new_invalid(url, CLIENT_ID, NULL, "NULL client_secret");
    CHECK_STATUS(mc_auth_new(url, CLIENT_ID, SECRET, NULL), MC_ERR_INVALID_ARGUMENT, "mc_auth_new(NULL out)");
    expect_new_invalid(bad_url, CLIENT_ID, SECRET, "invalid UTF-8 subdomain");
    expect_new_invalid(url, "id-\xc3\x28", SECRET, "invalid UTF-8 client_id");
    expect_new_invalid(url, CLIENT_ID, "\xed\xa0\x80-surrogate", "invalid UTF-8 client_secret");
    expect_new_invalid(url, "", SECRET, "empty client_id");
    expect_new_invalid(url, CLIENT_ID, "", "empty client_secret");

    for (i = 0; i < sizeof bad_subdomains / sizeof bad_subdomains[0]; i++) {
        char what[128];
        snprintf(what, sizeof what, "subdomain \"%s\"", bad_subdomains[i]);
        expect_new_invalid(bad_subdomains[i], CLIENT_ID, SECRET, what);
    }
    memset(long_name, 'a', sizeof long_name - 1);
    long_name[0] = 'm';
    long_name[1] = 'c';
    long_name[sizeof long_name - 1] = '\0';
    expect_new_invalid(long_name, CLIENT_ID, SECRET, "300-character subdomain");
    memset(name64, 'b', sizeof name64 - 1);
    name64[sizeof name64 - 1] = '\0';
    expect_new_invalid(name64, CLIENT_ID, SECRET, "64-character subdomain");
    memset(name63, 'b', sizeof name63 - 1);
    name63[sizeof name63 - 1] = '\0';
    h = NULL;
    CHECK_STATUS(mc_auth_new(name63, CLIENT_ID, SECRET, &h), MC_OK, "mc_auth_new(63-character subdomain)");
    mc_auth_free(h);

    /* Every other function, with a valid handle that has never fetched anything. */
    h = NULL;
    if (mc_auth_new(url, CLIENT_ID, SECRET, &h) != MC_OK || h == NULL) {
        CHECK(0, "mc_auth_new(%s) for the bad-input checks", url);
        return;
    }
    out = SENTINEL_STR;
    st = mc_get_token(NULL, &out);
    expect_out_invalid(st, out, "mc_get_token(NULL auth)");
    CHECK_STATUS(mc_get_token(h, NULL), MC_ERR_INVALID_ARGUMENT, "mc_get_token(NULL out)");
    out = SENTINEL_STR;
    st = mc_soap_header(NULL, &out);
    expect_out_invalid(st, out, "mc_soap_header(NULL auth)");
    CHECK_STATUS(mc_soap_header(h, NULL), MC_ERR_INVALID_ARGUMENT, "mc_soap_header(NULL out)");
    out = SENTINEL_STR;
    st = mc_rest_base_url(NULL, &out);
    expect_out_invalid(st, out, "mc_rest_base_url(NULL auth)");
    CHECK_STATUS(mc_rest_base_url(h, NULL), MC_ERR_INVALID_ARGUMENT, "mc_rest_base_url(NULL out)");
    out = SENTINEL_STR;
    st = mc_soap_endpoint(NULL, &out);
    expect_out_invalid(st, out, "mc_soap_endpoint(NULL auth)");
    CHECK_STATUS(mc_soap_endpoint(h, NULL), MC_ERR_INVALID_ARGUMENT, "mc_soap_endpoint(NULL out)");
    CHECK_STATUS(mc_auth_invalidate(NULL, "x"), MC_ERR_INVALID_ARGUMENT, "mc_auth_invalidate(NULL auth)");
    CHECK_STATUS(mc_auth_invalidate(h, "\xc0\xaf"), MC_ERR_INVALID_ARGUMENT, "mc_auth_invalidate(invalid UTF-8)");
    CHECK_STATUS(mc_auth_set_timeout_ms(NULL, 1000), MC_ERR_INVALID_ARGUMENT, "set_timeout_ms(NULL auth)");
    CHECK_STATUS(mc_auth_set_timeout_ms(h, 0), MC_ERR_INVALID_ARGUMENT, "set_timeout_ms(0)");
    CHECK_STATUS(mc_auth_set_timeout_ms(h, 1000), MC_OK, "set_timeout_ms(1000)");
    CHECK_STATUS(mc_auth_set_refresh_margin_secs(NULL, 10), MC_ERR_INVALID_ARGUMENT, "set_refresh_margin(NULL auth)");
    CHECK_STATUS(mc_auth_set_refresh_margin_secs(h, 60), MC_OK, "set_refresh_margin_secs(60)");
    CHECK_STATUS(mc_auth_set_ca_file(NULL, g_ca), MC_ERR_INVALID_ARGUMENT, "set_ca_file(NULL auth)");
    CHECK_STATUS(mc_auth_set_ca_file(h, NULL), MC_ERR_INVALID_ARGUMENT, "set_ca_file(NULL path)");
    CHECK_STATUS(mc_auth_set_ca_file(h, "/tmp/\xff.pem"), MC_ERR_INVALID_ARGUMENT, "set_ca_file(invalid UTF-8)");
    CHECK_STATUS(mc_auth_set_proxy(NULL, g_proxy), MC_ERR_INVALID_ARGUMENT, "set_proxy(NULL auth)");
    CHECK_STATUS(mc_auth_set_proxy(h, NULL), MC_ERR_INVALID_ARGUMENT, "set_proxy(NULL url)");
    CHECK_STATUS(mc_auth_set_proxy(h, "http://127.0.0.1:\xff"), MC_ERR_INVALID_ARGUMENT,
                 "set_proxy(invalid UTF-8)");
    CHECK_STATUS(mc_auth_set_max_attempts(NULL, 2), MC_ERR_INVALID_ARGUMENT, "set_max_attempts(NULL auth)");

    /* The NULL-tolerant frees: reaching the next line and a working library is the check. */
    mc_string_free(NULL);
    mc_auth_free(NULL);
    CHECK(mc_version() != NULL, "mc_string_free(NULL) and mc_auth_free(NULL) are harmless");

    CHECK(count(scen) == 0, "bad input: nothing was sent (count %ld)", count(scen));
    mc_auth_free(h);
}

/* ------------------------------------------------------------------------------------------ */
/* Endpoints                                                                                    */

#define REAL_SUB "mc563885gzs27c5t9-63k636ttgm"

static void check_endpoints(const char *sub)
{
    char *rest = SENTINEL_STR, *soap = SENTINEL_STR;
    mc_auth *h = NULL;
    mc_status st1, st2;

    if (mc_auth_new(sub, CLIENT_ID, SECRET, &h) != MC_OK || h == NULL) {
        CHECK(0, "mc_auth_new(\"%s\") (last error: %s)", sub, mc_last_error());
        return;
    }
    st1 = mc_rest_base_url(h, &rest);
    st2 = mc_soap_endpoint(h, &soap);
    CHECK(st1 == MC_OK && rest != NULL &&
              strcmp(rest, "https://" REAL_SUB ".rest.marketingcloudapis.com/") == 0,
          "mc_rest_base_url for \"%s\" (%s)", sub, st1 == MC_OK && rest ? rest : status_name(st1));
    CHECK(st2 == MC_OK && soap != NULL &&
              strcmp(soap, "https://" REAL_SUB ".soap.marketingcloudapis.com/Service.asmx") == 0,
          "mc_soap_endpoint for \"%s\" (%s)", sub, st2 == MC_OK && soap ? soap : status_name(st2));
    if (st1 == MC_OK)
        mc_string_free(rest);
    if (st2 == MC_OK)
        mc_string_free(soap);
    mc_auth_free(h);
}

static void test_endpoints(void)
{
    char scen[128], *out;
    mc_status st;
    mc_auth *h;

    check_endpoints(REAL_SUB);
    check_endpoints("https://" REAL_SUB ".auth.marketingcloudapis.com/");
    check_endpoints("https://" REAL_SUB ".auth.marketingcloudapis.com/v1/requestToken");

    /* The fake's URL is not an SFMC tenant: no REST/SOAP endpoint can be derived, nothing is sent. */
    scenario(scen, sizeof scen, "endpoints");
    if ((h = new_auth(g_http, scen, CLIENT_ID, SECRET)) == NULL)
        return;
    out = SENTINEL_STR;
    st = mc_rest_base_url(h, &out);
    expect_out_invalid(st, out, "mc_rest_base_url(fake's URL)");
    out = SENTINEL_STR;
    st = mc_soap_endpoint(h, &out);
    expect_out_invalid(st, out, "mc_soap_endpoint(fake's URL)");
    CHECK(count(scen) == 0, "endpoints: the handle sent nothing (count %ld)", count(scen));
    mc_auth_free(h);
}

/* ------------------------------------------------------------------------------------------ */

static const char *need_env(const char *name)
{
    const char *v = getenv(name);
    if (v == NULL || v[0] == '\0') {
        fprintf(stderr, "test_mcauth: %s is not set; run under tests/with-fake-mc.sh\n", name);
        exit(2);
    }
    return v;
}

int main(void)
{
    const char *vg = getenv("MCAUTH_TEST_UNDER_VALGRIND");

    g_valgrind = vg != NULL && strcmp(vg, "1") == 0;
    g_http = need_env("FAKE_MC_HTTP");
    g_https = need_env("FAKE_MC_HTTPS");
    g_proxy = need_env("FAKE_MC_PROXY");
    g_ca = need_env("FAKE_MC_CA");
    snprintf(g_run, sizeof g_run, "c%ld", (long)getpid());
    if (fake_count(g_http, "c-ping") < 0) {
        fprintf(stderr, "test_mcauth: cannot read %s/_count/…; is the fake running?\n", g_http);
        return 2;
    }
    printf("# libmcauth %s against %s%s\n", mc_version(), g_http, g_valgrind ? " (under valgrind)" : "");

    test_version_and_status_str();
    test_http_token();
    test_token_into_buffer();
    test_https_token();
    test_cache_sharing();
    test_soap_header();
    test_invalidate();
    test_unauthorized();
    test_http_errors_and_retries();
    test_network_errors();
    test_timeout();
    test_bad_responses();
    test_redirect();
    test_proxy();
    test_last_error_secrecy();
    test_last_error_thread_local();
    test_threads_cold_cache();
    test_threads_invalidate();
    test_stale_while_refresh();
    test_short_lived_token();
    test_bad_input();
    test_endpoints();

    printf("%d passed, %d failed\n", g_passed, g_failed);
    return g_failed == 0 ? 0 : 1;
}
