/*
 * test_fork.c — fork() in a C program linked to libmcauth: a child gets a token within its
 * budget and never hangs, whatever the parent's other threads were doing (a request, a refresh,
 * handle churn, the first trust-store load), and serves a still-valid cached token without a
 * request. 20 children per scenario, each under an alarm() watchdog; the fake counts the
 * requests. The same scenarios through the Rust API are tests/fork.rs. Run under
 * tests/with-fake-mc.sh; exits non-zero on any failure.
 */
#define _DEFAULT_SOURCE
#include <pthread.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>

#include "fake_client.h" /* also <stdio.h>, <stdlib.h>, <string.h>, <unistd.h> */
#include "mcauth.h"

enum { TRIALS = 20, WATCHDOG_SECS = 15 };

static const char *g_http, *g_https, *g_ca;
static char g_run[32];
static int g_failed;
static int g_stop, g_loaded; /* ends the churn threads; a trial's first HTTPS request ended (atomic) */

static void check(int ok, const char *what, long n)
{
    printf("%s: %s (%ld)\n", ok ? "ok" : "FAILED", what, n);
    fflush(stdout); /* before the next fork, so that no child prints it again */
    g_failed += !ok;
}

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* A handle on this run's `scenario` (the fake's directives may end it); HTTPS trusts the fake. */
static mc_auth *handle(const char *origin, const char *scenario, unsigned timeout_ms)
{
    char url[512];
    mc_auth *auth = NULL;
    snprintf(url, sizeof url, "%s/%s-%s/", origin, g_run, scenario);
    if (mc_auth_new(url, "client-id", "c-fork-secret", &auth) != MC_OK)
        return NULL;
    mc_auth_set_timeout_ms(auth, timeout_ms);
    if (origin == g_https)
        mc_auth_set_ca_file(auth, g_ca);
    return auth;
}

static long requests(const char *scenario)
{
    char name[256];
    snprintf(name, sizeof name, "%s-%s", g_run, scenario);
    return fake_count(g_http, name);
}

/* 0 when `auth` gives a token, equal to `expected` unless that is NULL. */
static int token_is(const mc_auth *auth, const char *expected)
{
    char *token = NULL;
    int bad = auth == NULL || mc_get_token(auth, &token) != MC_OK;
    if (bad)
        fprintf(stderr, "child %d: %s\n", (int)getpid(), mc_last_error());
    else
        bad = expected != NULL && strcmp(token, expected) != 0;
    mc_string_free(token);
    return bad;
}

static pid_t in_child(int (*body)(void *), void *arg)
{
    pid_t pid = fork();
    if (pid == 0) {
        alarm(WATCHDOG_SECS);
        _exit(body(arg));
    }
    return pid;
}

/* Reaps `n` children; the number that failed or hung, each described. */
static int reap(const pid_t *pids, int n)
{
    int i, status, bad = 0;
    for (i = 0; i < n; i++) {
        if (waitpid(pids[i], &status, 0) == pids[i] && WIFEXITED(status) && WEXITSTATUS(status) == 0)
            continue;
        bad++;
        fprintf(stderr, "    child %d %s (status %d)\n", (int)pids[i],
                WIFSIGNALED(status) && WTERMSIG(status) == SIGALRM ? "hung" : "failed", status);
    }
    return bad;
}

/* What every child of a scenario does: after `wait_ms`, a token through the inherited handle
 * and, when `scenario` is set, through a new handle on it; `expected`, unless NULL. */
static struct child_task {
    const mc_auth *auth;
    const char *scenario, *expected;
    long wait_ms;
} g_task;

static int child_task(void *unused)
{
    (void)unused;
    sleep_ms(g_task.wait_ms);
    return token_is(g_task.auth, g_task.expected) |
           (g_task.scenario != NULL && token_is(handle(g_http, g_task.scenario, 5000), g_task.expected));
}

/* Forks TRIALS children running g_task, `spread` ms apart at most; the number that failed. */
static int fork_children(int spread)
{
    pid_t pids[TRIALS];
    int i;
    for (i = 0; i < TRIALS; i++) {
        sleep_ms(spread ? 3 + i % spread : 0);
        pids[i] = in_child(child_task, NULL);
    }
    return reap(pids, TRIALS);
}

static void *get_token(void *auth)
{
    token_is((const mc_auth *)auth, NULL);
    return NULL;
}

static void *churn(void *arg)
{
    char url[512], id[64];
    long n = 0;
    snprintf(url, sizeof url, "%s/%s-churn/", g_http, g_run);
    while (!__atomic_load_n(&g_stop, __ATOMIC_SEQ_CST)) { /* the parent's tenant, another client */
        mc_auth *same = handle(g_http, "churn", 5000), *other = NULL;
        snprintf(id, sizeof id, "churn-%ld-%ld", (long)(size_t)arg, n++);
        mc_auth_new(url, id, "c-fork-secret", &other);
        mc_auth_free(same), mc_auth_free(other);
    }
    return NULL;
}

/* Cached (after caching, or during churn): children get the parent's token, and send nothing. */
static void cached(const char *scenario, int churners)
{
    pthread_t threads[3];
    char *token = NULL;
    mc_auth *auth = handle(g_http, scenario, 5000);
    int i, bad;
    mc_get_token(auth, &token);
    for (i = 0; i < churners; i++)
        pthread_create(&threads[i], NULL, churn, (void *)(size_t)i);
    g_task = (struct child_task){auth, scenario, token, 0};
    bad = fork_children(churners ? 7 : 0);
    for (__atomic_store_n(&g_stop, 1, __ATOMIC_SEQ_CST), i = 0; i < churners; i++)
        pthread_join(threads[i], NULL);
    check(token != NULL && bad == 0, churners ? "during new/free churn: children get the cached token"
                                              : "after caching: children get the cached token", bad);
    check(requests(scenario) == 1, "  and no child sent a request (the fake counted)", requests(scenario));
    mc_string_free(token), mc_auth_free(auth);
}

/* During another thread's request (answers take 2 s), or its refresh inside the margin. */
static void in_flight(const char *what, const char *scenario, int refresh)
{
    pthread_t thread;
    mc_auth *auth = handle(g_http, scenario, 8000);
    int bad;
    if (refresh) { /* lifetime 4 s, refreshed from half-life; answers take 1.2 s */
        mc_auth_set_refresh_margin_secs(auth, 1000);
        get_token(auth), sleep_ms(900); /* t = 2.1 s: inside the margin */
    }
    pthread_create(&thread, NULL, get_token, auth);
    sleep_ms(300);
    g_task = (struct child_task){auth, NULL, NULL, refresh ? 2000 : 0}; /* past the old token's expiry */
    bad = fork_children(0);
    check(bad == 0, what, bad);
    pthread_join(thread, NULL);
    mc_auth_free(auth);
}

static int first_https(void *unused)
{
    (void)unused;
    return token_is(handle(g_https, "roots", 8000), NULL);
}

static void *first_https_thread(void *unused)
{
    void *failed = (void *)(size_t)first_https(unused);
    __atomic_store_n(&g_loaded, 1, __ATOMIC_SEQ_CST);
    return failed;
}

/* In a fresh process (a child of this one, which never loads the trust store): one thread loads
 * it (run.sh's 10 MB SSL_CERT_FILE) for its first HTTPS request while the other forks, later each trial. */
static int roots_trial(void *trial)
{
    pthread_t thread;
    void *loader = NULL;
    pid_t pid;
    pthread_create(&thread, NULL, first_https_thread, NULL);
    sleep_ms((long)(size_t)trial % 5);
    if (__atomic_load_n(&g_loaded, __ATOMIC_SEQ_CST))
        return fprintf(stderr, "    trial %d: the HTTPS request ended before the fork (proves nothing)\n",
                       (int)(size_t)trial), pthread_join(thread, NULL), 1;
    pid = in_child(first_https, NULL);
    pthread_join(thread, &loader);
    return reap(&pid, 1) != 0 || loader != NULL;
}

int main(void)
{
    pid_t pids[TRIALS];
    int i;
    g_http = getenv("FAKE_MC_HTTP"), g_https = getenv("FAKE_MC_HTTPS"), g_ca = getenv("FAKE_MC_CA");
    if (g_http == NULL || g_https == NULL || g_ca == NULL)
        return fprintf(stderr, "run under tests/with-fake-mc.sh\n"), 2;
    snprintf(g_run, sizeof g_run, "cfork%ld", (long)getpid());
    for (i = 0; i < TRIALS; i++) /* first: this process must not have loaded the store */
        pids[i] = in_child(roots_trial, (void *)(size_t)i);
    i = reap(pids, TRIALS);
    check(i == 0, "during the first trust-store load: children get a token over HTTPS", i);
    cached("cached", 0);
    in_flight("during another thread's request: children get a token", "flight/delay=2000", 0);
    in_flight("during a refresh: children get a token after the old one expired",
              "refresh/expires=4/delay=1200", 1);
    cached("churn", 3);
    printf("%d failed\n", g_failed);
    return g_failed == 0 ? 0 : 1;
}
