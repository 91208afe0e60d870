/*
 * test_fork.c — fork() through the C ABI: a child gets a token within its budget and never
 * hangs, whatever the parent's other threads were doing, and serves a still-valid cached
 * token without a request. 20 children per scenario, each under an alarm() watchdog; the
 * fake counts the requests. Run under tests/with-fake-mc.sh. Exits non-zero on any failure.
 */
#define _DEFAULT_SOURCE
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "fake_client.h"
#include "mcauth.h"

#define TRIALS 20
#define WATCHDOG_SECS 15

static const char *g_http, *g_https, *g_ca;
static int g_failed;
static char g_run[32];

/* `cond` is evaluated once: it reaps children. */
#define CHECK(cond, ...)                                                                         \
    do {                                                                                         \
        int ok_ = (cond);                                                                        \
        printf("%s: ", ok_ ? "ok" : "FAILED");                                                   \
        printf(__VA_ARGS__);                                                                     \
        printf("\n");                                                                            \
        fflush(stdout);                                                                          \
        if (!ok_)                                                                                \
            g_failed++;                                                                          \
    } while (0)

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static mc_auth *handle(const char *origin, const char *scenario, unsigned timeout_ms)
{
    char url[512];
    mc_auth *auth = NULL;
    snprintf(url, sizeof url, "%s/%s-%s/", origin, g_run, scenario);
    if (mc_auth_new(url, "client-id", "c-fork-secret", &auth) != MC_OK)
        return NULL;
    mc_auth_set_timeout_ms(auth, timeout_ms);
    return auth;
}

static long requests(const char *scenario)
{
    char name[256];
    snprintf(name, sizeof name, "%s-%s", g_run, scenario);
    return fake_count(g_http, name);
}

/* In a child: 0 when `auth` gives a token (equal to `expected` unless NULL). */
static int child_token(const mc_auth *auth, const char *expected)
{
    char *token = NULL;
    int ok;
    if (auth == NULL || mc_get_token(auth, &token) != MC_OK) {
        fprintf(stderr, "child %d: %s\n", (int)getpid(), mc_last_error());
        return 1;
    }
    ok = expected == NULL || strcmp(token, expected) == 0;
    mc_string_free(token);
    return ok ? 0 : 2;
}

/* Waits for `pid`; 0 when it exited 0, else describes it. */
static int reap(pid_t pid, const char *what)
{
    int status = 0;
    if (waitpid(pid, &status, 0) != pid)
        return 1;
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
        return 0;
    if (WIFSIGNALED(status) && WTERMSIG(status) == SIGALRM)
        printf("    %s: child %d hung (watchdog)\n", what, (int)pid);
    else
        printf("    %s: child %d failed (status %d)\n", what, (int)pid, status);
    return 1;
}

#define IN_CHILD(body)                                                                           \
    do {                                                                                         \
        pid_t pid_ = fork();                                                                     \
        if (pid_ == 0) {                                                                         \
            alarm(WATCHDOG_SECS);                                                                \
            _exit(body);                                                                         \
        }                                                                                        \
        children[n_children++] = pid_;                                                           \
    } while (0)

static int reap_all(const pid_t *children, int n, const char *what)
{
    int i, bad = 0;
    for (i = 0; i < n; i++)
        bad += reap(children[i], what);
    return bad;
}

static void after_caching(void)
{
    pid_t children[TRIALS];
    int i, n_children = 0;
    char *token = NULL;
    mc_auth *auth = handle(g_http, "cached", 5000);
    if (auth == NULL || mc_get_token(auth, &token) != MC_OK) {
        CHECK(0, "after caching: the parent gets a token");
        return;
    }
    for (i = 0; i < TRIALS; i++)
        IN_CHILD(child_token(auth, token) | child_token(handle(g_http, "cached", 5000), token));
    CHECK(reap_all(children, n_children, "after caching") == 0,
          "after caching: %d children get the cached token, on the handle and a new one", TRIALS);
    CHECK(requests("cached") == 1, "after caching: no child sent a request (%ld in all)",
          requests("cached"));
    mc_string_free(token);
    mc_auth_free(auth);
}

static void *get_token(void *auth)
{
    char *token = NULL;
    if (mc_get_token((const mc_auth *)auth, &token) == MC_OK)
        mc_string_free(token);
    return NULL;
}

static void during_request(void)
{
    pid_t children[TRIALS];
    pthread_t thread;
    int i, n_children = 0;
    mc_auth *auth = handle(g_http, "flight/delay=2000", 8000);
    pthread_create(&thread, NULL, get_token, auth);
    sleep_ms(300);
    for (i = 0; i < TRIALS; i++)
        IN_CHILD(child_token(auth, NULL));
    CHECK(reap_all(children, n_children, "during a request") == 0,
          "during another thread's request (2 s): %d children get a token", TRIALS);
    pthread_join(thread, NULL);
    mc_auth_free(auth);
}

static void during_refresh(void)
{
    pid_t children[TRIALS];
    pthread_t thread;
    int i, n_children = 0;
    /* Lifetime 4 s, refreshed from half-life (the margin is large); answers take 1.2 s. */
    mc_auth *auth = handle(g_http, "refresh/expires=4/delay=1200", 8000);
    mc_auth_set_refresh_margin_secs(auth, 1000);
    get_token(auth);      /* t = 1.2 s */
    sleep_ms(900);        /* t = 2.1 s: inside the margin */
    pthread_create(&thread, NULL, get_token, auth);
    sleep_ms(300);
    for (i = 0; i < TRIALS; i++)
        IN_CHILD((sleep_ms(2000), child_token(auth, NULL))); /* past the old token's expiry */
    CHECK(reap_all(children, n_children, "during a refresh") == 0,
          "during a refresh: %d children get a token after the old one expired", TRIALS);
    pthread_join(thread, NULL);
    mc_auth_free(auth);
}

static volatile int g_stop;

static void *churn(void *arg)
{
    char url[512], id[64];
    long n = 0;
    snprintf(url, sizeof url, "%s/%s-churn/", g_http, g_run);
    while (!g_stop) {
        mc_auth *same = NULL, *other = NULL;
        snprintf(id, sizeof id, "churn-%ld-%ld", (long)(size_t)arg, n++);
        mc_auth_new(url, "client-id", "c-fork-secret", &same);
        mc_auth_new(url, id, "c-fork-secret", &other);
        mc_auth_free(same);
        mc_auth_free(other);
    }
    return NULL;
}

static void during_churn(void)
{
    pid_t children[TRIALS];
    pthread_t threads[3];
    int i, n_children = 0;
    char *token = NULL;
    mc_auth *auth = handle(g_http, "churn", 5000);
    mc_get_token(auth, &token);
    for (i = 0; i < 3; i++)
        pthread_create(&threads[i], NULL, churn, (void *)(size_t)i);
    for (i = 0; i < TRIALS; i++) {
        sleep_ms(3 + i % 7);
        IN_CHILD(child_token(auth, token) | child_token(handle(g_http, "churn", 5000), token));
    }
    CHECK(reap_all(children, n_children, "during churn") == 0,
          "during mc_auth_new/mc_auth_free churn: %d children get the cached token", TRIALS);
    g_stop = 1;
    for (i = 0; i < 3; i++)
        pthread_join(threads[i], NULL);
    CHECK(requests("churn") == 1, "during churn: no child sent a request (%ld in all)",
          requests("churn"));
    mc_string_free(token);
    mc_auth_free(auth);
}

static mc_auth *https_handle(void)
{
    mc_auth *auth = handle(g_https, "roots", 8000);
    if (auth != NULL)
        mc_auth_set_ca_file(auth, g_ca);
    return auth;
}

static void *first_https(void *arg)
{
    (void)arg;
    return (void *)(size_t)child_token(https_handle(), NULL);
}

/* In a fresh process (a child of this one, which never loads the trust store): one thread
 * loads it for its first HTTPS request while the other forks, a little later each trial. */
static int roots_trial(int trial)
{
    pthread_t thread;
    pid_t children[1];
    int n_children = 0;
    void *loader = NULL;
    pthread_create(&thread, NULL, first_https, NULL);
    sleep_ms(trial % 10);
    IN_CHILD(child_token(https_handle(), NULL));
    if (reap_all(children, n_children, "during the trust store load") != 0)
        return 1;
    pthread_join(thread, &loader);
    return loader == NULL ? 0 : 1;
}

static void during_trust_store_load(void)
{
    pid_t children[TRIALS];
    int i, n_children = 0;
    for (i = 0; i < TRIALS; i++)
        IN_CHILD(roots_trial(i));
    CHECK(reap_all(children, n_children, "trust store") == 0,
          "during the first trust-store load: %d children get a token over HTTPS", TRIALS);
}

int main(void)
{
    g_http = getenv("FAKE_MC_HTTP");
    g_https = getenv("FAKE_MC_HTTPS");
    g_ca = getenv("FAKE_MC_CA");
    if (g_http == NULL || g_https == NULL || g_ca == NULL) {
        fprintf(stderr, "run under tests/with-fake-mc.sh\n");
        return 2;
    }
    snprintf(g_run, sizeof g_run, "cfork%ld", (long)getpid());
    during_trust_store_load(); /* first: this process must not have loaded the store */
    after_caching();
    during_request();
    during_refresh();
    during_churn();
    printf("%d failed\n", g_failed);
    return g_failed == 0 ? 0 : 1;
}
