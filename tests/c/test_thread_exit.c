/*
 * test_thread_exit.c — calls from a pthread key destructor, while the thread is exiting and
 * mcauth's own thread-local slot for mc_last_error() may already be gone: each failing call
 * must return its status, and the process must not abort (it used to: the error was recorded
 * into the destroyed thread-local).
 *
 * Needs no server: every call fails before sending. Prints one line per check and exits
 * non-zero if any failed.
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "mcauth.h"

static pthread_key_t g_key;
static int g_failed;
static int g_ran;

#define CHECK(cond, what)                                                                        \
    do {                                                                                         \
        int ok_ = (cond);                                                                        \
        printf("%s: %s\n", ok_ ? "ok" : "FAILED", what);                                         \
        if (!ok_)                                                                                \
            g_failed++;                                                                          \
    } while (0)

static void destructor(void *value)
{
    mc_auth *auth = (mc_auth *)1;
    char *token = (char *)1;
    const char *detail;

    (void)value;
    g_ran++;
    CHECK(mc_auth_new(NULL, "id", "secret", &auth) == MC_ERR_INVALID_ARGUMENT,
          "mc_auth_new(NULL, ...) in a key destructor is MC_ERR_INVALID_ARGUMENT");
    CHECK(auth == NULL, "... and clears its output");
    CHECK(mc_get_token(NULL, &token) == MC_ERR_INVALID_ARGUMENT,
          "mc_get_token on a NULL handle in a key destructor is MC_ERR_INVALID_ARGUMENT");
    CHECK(token == NULL, "... and clears its output");
    detail = mc_last_error();
    CHECK(detail != NULL && strlen(detail) > 0, "mc_last_error() is a string there too");
}

static void *worker(void *arg)
{
    char *token = NULL;
    (void)arg;
    /* A first failing call sets up mcauth's thread-local error slot, so that it is among
     * the thread's destructors when the key's destructor runs. */
    (void)mc_get_token(NULL, &token);
    pthread_setspecific(g_key, (void *)1);
    return NULL;
}

int main(void)
{
    pthread_t thread;
    int i;

    if (pthread_key_create(&g_key, destructor) != 0)
        return 2;
    for (i = 0; i < 8; i++) {
        if (pthread_create(&thread, NULL, worker, NULL) != 0 || pthread_join(thread, NULL) != 0)
            return 2;
    }
    CHECK(g_ran == 8, "every destructor ran (the process did not abort)");
    printf("%d failed\n", g_failed);
    return g_failed == 0 ? 0 : 1;
}
