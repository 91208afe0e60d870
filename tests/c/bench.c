/*
 * bench.c — what a cached token costs through the C ABI (mc_get_token + mc_string_free),
 * next to a baseline measured in the same run: the least a thread-safe "hand out a copy of a
 * cached string" can do (mutex lock + malloc/memcpy of a token-sized string + unlock + free).
 *
 * With 2 threads each thread runs its own loop. The library's threads share one handle (and so
 * one cache entry); the baseline's threads share nothing (own mutex, own string), so the
 * 2-thread slowdown of the baseline is the machine's own and the library's extra slowdown is
 * its contention cost. Figures are medians over several repeats. Reported, never asserted.
 *
 * Needs the fake (FAKE_MC_HTTP) only for the first token; every measured call is a cache hit,
 * which the request count checks at the end.
 */
#define _POSIX_C_SOURCE 200809L

#include "mcauth.h"
#include "fake_client.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

enum { REPEATS = 7, MAX_THREADS = 2 };

static long g_iters = 200000;
static size_t g_token_len;
static const mc_auth *g_auth;

/* Per-thread baseline state, padded so the two threads never share a cache line. */
struct baseline_slot {
    pthread_mutex_t mutex;
    char *src;
    char pad[64];
};
static struct baseline_slot g_slots[MAX_THREADS];

static double now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

/* Returns ns per call of one loop. */
static double loop_baseline(struct baseline_slot *slot)
{
    /* A local sink keeps the copies from being elided without making the threads share a line. */
    volatile unsigned char sink = 0;
    long i;
    double t0 = now_ns();
    for (i = 0; i < g_iters; i++) {
        char *copy;
        pthread_mutex_lock(&slot->mutex);
        copy = malloc(g_token_len + 1);
        if (copy == NULL)
            abort();
        memcpy(copy, slot->src, g_token_len + 1);
        pthread_mutex_unlock(&slot->mutex);
        sink ^= (unsigned char)copy[i % (long)g_token_len];
        free(copy);
    }
    return (now_ns() - t0) / (double)g_iters;
}

static double loop_library(void)
{
    volatile unsigned char sink = 0;
    long i;
    double t0 = now_ns();
    for (i = 0; i < g_iters; i++) {
        char *tok = NULL;
        if (mc_get_token(g_auth, &tok) != MC_OK)
            abort(); /* a cache hit cannot fail; if it does the figures mean nothing */
        sink ^= (unsigned char)tok[0];
        mc_string_free(tok);
    }
    return (now_ns() - t0) / (double)g_iters;
}

struct worker {
    int library;              /* 1: mc_get_token loop, 0: baseline loop */
    int slot;
    pthread_barrier_t *start;
    double ns_per_call;
};

static void *worker_main(void *p)
{
    struct worker *w = (struct worker *)p;
    pthread_barrier_wait(w->start); /* both loops run at the same time */
    w->ns_per_call = w->library ? loop_library() : loop_baseline(&g_slots[w->slot]);
    return NULL;
}

/*
 * One repeat with `n` threads; the per-call cost is the mean over the threads. The 1-thread case
 * runs on a spawned thread too, so both cases use the same kind of malloc arena and stack.
 */
static double run_once(int library, int n)
{
    pthread_t th[MAX_THREADS];
    struct worker w[MAX_THREADS];
    pthread_barrier_t start;
    double sum = 0.0;
    int i;

    pthread_barrier_init(&start, NULL, (unsigned)n);
    for (i = 0; i < n; i++) {
        w[i].library = library;
        w[i].slot = i;
        w[i].start = &start;
        if (pthread_create(&th[i], NULL, worker_main, &w[i]) != 0) {
            fprintf(stderr, "bench: pthread_create failed\n");
            exit(2);
        }
    }
    for (i = 0; i < n; i++) {
        pthread_join(th[i], NULL);
        sum += w[i].ns_per_call;
    }
    pthread_barrier_destroy(&start);
    return sum / n;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median_of_repeats(int library, int n)
{
    double v[REPEATS];
    int r;
    for (r = 0; r < REPEATS; r++)
        v[r] = run_once(library, n);
    qsort(v, REPEATS, sizeof v[0], cmp_double);
    return v[REPEATS / 2];
}

int main(void)
{
    const char *http = getenv("FAKE_MC_HTTP");
    const char *iters = getenv("MCAUTH_BENCH_ITERS");
    char scen[64], url[256];
    char *tok = NULL;
    mc_auth *h = NULL;
    double base1, base2, lib1, lib2;
    long sent;
    int i;

    if (http == NULL) {
        fprintf(stderr, "bench: FAKE_MC_HTTP is not set; run under tests/with-fake-mc.sh\n");
        return 2;
    }
    if (iters != NULL && atol(iters) > 0)
        g_iters = atol(iters);
    snprintf(scen, sizeof scen, "cbench%ld", (long)getpid());
    if (snprintf(url, sizeof url, "%s/%s/", http, scen) >= (int)sizeof url ||
        mc_auth_new(url, "bench-id", "bench-secret", &h) != MC_OK || mc_get_token(h, &tok) != MC_OK) {
        fprintf(stderr, "bench: cannot get a first token: %s\n", mc_last_error());
        mc_auth_free(h);
        return 2;
    }
    g_auth = h;
    g_token_len = strlen(tok);
    for (i = 0; i < MAX_THREADS; i++) {
        pthread_mutex_init(&g_slots[i].mutex, NULL);
        g_slots[i].src = malloc(g_token_len + 1);
        memcpy(g_slots[i].src, tok, g_token_len + 1);
    }
    mc_string_free(tok);

    /* Warm up both paths (page faults, malloc arenas, CPU frequency) before measuring. */
    run_once(0, 1);
    run_once(1, 1);

    base1 = median_of_repeats(0, 1);
    lib1 = median_of_repeats(1, 1);
    base2 = median_of_repeats(0, 2);
    lib2 = median_of_repeats(1, 2);
    sent = fake_count(http, scen);

    printf("mcauth bench: libmcauth %s, token %zu bytes, %ld calls/thread, median of %d\n", mc_version(),
           g_token_len, g_iters, REPEATS);
    printf("  %-34s %9s %10s %8s\n", "ns/call", "1 thread", "2 threads", "2T/1T");
    printf("  %-34s %9.1f %10.1f %7.2fx\n", "baseline (mutex+malloc copy+free)", base1, base2, base2 / base1);
    printf("  %-34s %9.1f %10.1f %7.2fx\n", "mc_get_token + mc_string_free", lib1, lib2, lib2 / lib1);
    printf("  %-34s %8.2fx %9.2fx   (target 1T <= 2.00x)\n", "cached / baseline", lib1 / base1, lib2 / base2);
    printf("  %-34s %8.2fx            (target <= 1.50x)\n", "contention: lib 2T/1T over base's",
           (lib2 / lib1) / (base2 / base1));
    printf("  token requests during the run: %ld (want 1: every measured call was a cache hit)\n", sent);

    for (i = 0; i < MAX_THREADS; i++) {
        free(g_slots[i].src);
        pthread_mutex_destroy(&g_slots[i].mutex);
    }
    mc_auth_free(h);
    return sent == 1 ? 0 : 1;
}
