/*
 * stress.c — 16 threads through the C ABI at once, for ThreadSanitizer and AddressSanitizer
 * (tests/sanitizers/run.sh builds and runs it): mc_get_token, mc_get_token_into,
 * mc_get_cached_token_into, mc_soap_header, mc_auth_invalidate, mc_auth_new + mc_auth_free
 * and the setters, on shared handles whose tokens live 1 second (the fake's expires=1), so
 * refreshes, expiries and invalidations race the cached path for STRESS_SECONDS.
 *
 * Built with -DDELIBERATE_RACE, every thread also increments one plain int (for
 * ThreadSanitizer), and with -DDELIBERATE_USE_AFTER_FREE the program reads a token after
 * mc_string_free (for AddressSanitizer): those runs must be reported, which proves the
 * sanitizer is really watching. Run under tests/with-fake-mc.sh.
 */
#define _DEFAULT_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mcauth.h"

#define THREADS 16
#define STRESS_SECONDS 3

static mc_auth *g_shared[2];
static char g_url[512];
static int g_stop; /* read and written with __atomic builtins */
static long g_calls[THREADS];
#ifdef DELIBERATE_RACE
static int g_racy;
#endif

static void *work(void *arg)
{
    long n = 0, who = (long)(size_t)arg;
    char buffer[MC_TOKEN_BUFFER_SIZE];
    while (!__atomic_load_n(&g_stop, __ATOMIC_RELAXED)) {
        const mc_auth *auth = g_shared[(who + n) % 2];
        char *s = NULL;
        switch ((who + n) % 7) {
        case 0:
            if (mc_get_token(auth, &s) == MC_OK)
                mc_string_free(s);
            break;
        case 1:
            mc_get_token_into(auth, buffer, sizeof buffer);
            break;
        case 2:
            mc_get_cached_token_into(auth, buffer, sizeof buffer);
            break;
        case 3:
            if (mc_soap_header(auth, &s) == MC_OK)
                mc_string_free(s);
            break;
        case 4:
            if (mc_get_token(auth, &s) == MC_OK) {
                mc_auth_invalidate(auth, s); /* as after a 401 with this token */
                mc_string_free(s);
            }
            break;
        case 5: {
            mc_auth *own = NULL;
            if (mc_auth_new(g_url, "client-id", "stress-secret", &own) == MC_OK) {
                mc_auth_set_timeout_ms(own, 5000);
                if (mc_get_token(own, &s) == MC_OK)
                    mc_string_free(s);
                mc_auth_free(own);
            }
            break;
        }
        default:
            mc_auth_set_timeout_ms(g_shared[who % 2], 5000 + (unsigned)(n % 100));
            mc_auth_set_refresh_margin_secs(g_shared[who % 2], (unsigned)(n % 3));
            mc_auth_set_max_attempts(g_shared[who % 2], 2 + (unsigned)(n % 3));
            (void)mc_last_error();
            break;
        }
#ifdef DELIBERATE_RACE
        g_racy++;
#endif
        n++;
    }
    g_calls[who] = n;
    return NULL;
}

int main(void)
{
    pthread_t threads[THREADS];
    struct timespec pause = {STRESS_SECONDS, 0};
    const char *http = getenv("FAKE_MC_HTTP");
    long total = 0;
    int i;
    if (http == NULL) {
        fprintf(stderr, "run under tests/with-fake-mc.sh\n");
        return 2;
    }
    snprintf(g_url, sizeof g_url, "%s/stress-%ld/expires=1/", http, (long)time(NULL));
    for (i = 0; i < 2; i++) {
        if (mc_auth_new(g_url, "client-id", "stress-secret", &g_shared[i]) != MC_OK)
            return 2;
        mc_auth_set_timeout_ms(g_shared[i], 5000);
    }
    for (i = 0; i < THREADS; i++)
        pthread_create(&threads[i], NULL, work, (void *)(size_t)i);
    nanosleep(&pause, NULL);
    __atomic_store_n(&g_stop, 1, __ATOMIC_RELAXED);
    for (i = 0; i < THREADS; i++) {
        pthread_join(threads[i], NULL);
        total += g_calls[i];
    }
#ifdef DELIBERATE_USE_AFTER_FREE
    {
        char *s = NULL;
        if (mc_get_token(g_shared[0], &s) == MC_OK) {
            mc_string_free(s);
            printf("read after free: %d\n", s[0]);
        }
    }
#endif
    mc_auth_free(g_shared[0]);
    mc_auth_free(g_shared[1]);
    printf("stress: %d threads, %ld calls in %d s\n", THREADS, total, STRESS_SECONDS);
    return 0;
}
