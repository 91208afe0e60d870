/*
 * quickstart.c: the whole mcauth flow from C.
 *
 * Reads MC_SUBDOMAIN, MC_CLIENT_ID and MC_CLIENT_SECRET (and, optionally,
 * MC_CA_FILE) from the environment, never from the command line, where `ps`
 * would show the secret. MC_PACKAGE=enhanced uses an enhanced installed
 * package (/v2/token), for the business unit MC_ACCOUNT_ID and the scopes
 * MC_SCOPE when they are set. Build (from the repository root):
 *
 *   cargo build --release
 *   cc -std=c99 -Iinclude examples/c/quickstart.c -Ltarget/release -lmcauth \
 *      -Wl,-rpath,"$PWD/target/release" -o quickstart
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mcauth.h"

#define TIMING_ROUNDS 5
#define CALLS_PER_ROUND 20000

static int fail(const char *what, mc_status status) {
    fprintf(stderr, "error: %s failed: %s\n", what, mc_last_error());
    return (int)status;
}

/* A legacy package's handle, or with MC_PACKAGE=enhanced an enhanced one's; an unset
 * MC_ACCOUNT_ID or MC_SCOPE is NULL, which leaves it out of the token request. */
static mc_status new_handle(const char *subdomain, const char *client_id,
                            const char *client_secret, mc_auth **out) {
    const char *package = getenv("MC_PACKAGE");
    if (package != NULL && strcmp(package, "enhanced") == 0) {
        return mc_auth_new_enhanced(subdomain, client_id, client_secret, getenv("MC_ACCOUNT_ID"),
                                    getenv("MC_SCOPE"), out);
    }
    return mc_auth_new(subdomain, client_id, client_secret, out);
}

static double now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

/* Tokens are shown as their first 4 characters: enough to compare, useless to steal. */
static void print_masked(const char *label, const char *token, const char *note) {
    printf("  %-13s %.4s…  %s\n", label, token, note);
}

/* The header with everything between the opening and closing tags masked. */
static void print_masked_header(const char *header) {
    const char *open_end = strchr(header, '>');
    const char *close = strstr(header, "</h:fueloauth>");
    if (open_end == NULL || close == NULL) {
        printf("  %-13s (unexpected shape)\n", "SOAP header");
        return;
    }
    printf("  %-13s %.*s%.4s…%s\n", "SOAP header", (int)(open_end - header + 1), header,
           open_end + 1, close);
}

static void print_endpoint(const mc_auth *auth, const char *label,
                           mc_status (*get)(const mc_auth *, char **)) {
    char *url = NULL;
    if (get(auth, &url) == MC_OK) {
        printf("  %-13s %s\n", label, url);
        mc_string_free(url);
    } else {
        printf("  %-13s n/a (a custom auth URL names no tenant)\n", label);
    }
}

static int compare_doubles(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Median over rounds of the per-call cost of a cached mc_get_token + mc_string_free. */
static double cached_call_ns(const mc_auth *auth) {
    double rounds[TIMING_ROUNDS];
    for (int r = 0; r < TIMING_ROUNDS; r++) {
        double start = now_ns();
        for (int i = 0; i < CALLS_PER_ROUND; i++) {
            char *token = NULL;
            if (mc_get_token(auth, &token) == MC_OK) {
                mc_string_free(token);
            }
        }
        rounds[r] = (now_ns() - start) / CALLS_PER_ROUND;
    }
    qsort(rounds, TIMING_ROUNDS, sizeof rounds[0], compare_doubles);
    return rounds[TIMING_ROUNDS / 2];
}

int main(void) {
    const char *subdomain = getenv("MC_SUBDOMAIN");
    const char *client_id = getenv("MC_CLIENT_ID");
    const char *client_secret = getenv("MC_CLIENT_SECRET");
    const char *ca_file = getenv("MC_CA_FILE");
    if (subdomain == NULL || client_id == NULL || client_secret == NULL) {
        fprintf(stderr, "error: set MC_SUBDOMAIN, MC_CLIENT_ID and MC_CLIENT_SECRET\n");
        return 2;
    }

    mc_auth *auth = NULL;
    mc_status status = new_handle(subdomain, client_id, client_secret, &auth);
    if (status != MC_OK) {
        return fail("creating the handle", status);
    }
    if (ca_file != NULL && *ca_file != '\0' &&
        (status = mc_auth_set_ca_file(auth, ca_file)) != MC_OK) {
        mc_auth_free(auth);
        return fail("mc_auth_set_ca_file", status);
    }

    char note[64];
    char *token = NULL;
    double start = now_ns();
    if ((status = mc_get_token(auth, &token)) != MC_OK) {
        mc_auth_free(auth);
        return fail("mc_get_token", status);
    }
    snprintf(note, sizeof note, "(first call: %.1f ms)", (now_ns() - start) / 1e6);
    print_masked("token", token, note);

    char *again = NULL;
    start = now_ns();
    status = mc_get_token(auth, &again);
    double again_us = (now_ns() - start) / 1e3;
    if (status == MC_OK) {
        snprintf(note, sizeof note, "(%s, %.1f µs: from the cache)",
                 strcmp(token, again) == 0 ? "same token" : "NEW TOKEN", again_us);
        print_masked("again", again, note);
        mc_string_free(again);
    }

    /* A second handle with the same credentials shares the process-wide cache. */
    mc_auth *second = NULL;
    char *shared = NULL;
    if (new_handle(subdomain, client_id, client_secret, &second) == MC_OK &&
        mc_get_token(second, &shared) == MC_OK) {
        print_masked("new handle", shared,
                     strcmp(token, shared) == 0 ? "(same token: the cache is process-wide)"
                                                : "(NEW TOKEN)");
        mc_string_free(shared);
    }
    mc_auth_free(second);

    char *header = NULL;
    if ((status = mc_soap_header(auth, &header)) == MC_OK) {
        print_masked_header(header);
        mc_string_free(header);
    }
    print_endpoint(auth, "REST base", mc_rest_base_url);
    print_endpoint(auth, "SOAP endpoint", mc_soap_endpoint);
    printf("  %-13s %.0f ns (median of %d × %d calls)\n", "cached call", cached_call_ns(auth),
           TIMING_ROUNDS, CALLS_PER_ROUND);

    /* After a REST or SOAP call answers 401 with this token:
     *     mc_auth_invalidate(auth, token);   then mc_get_token() fetches a new one,
     * once, however many threads saw the 401. */
    mc_string_free(token);
    mc_auth_free(auth);
    return status == MC_OK ? 0 : fail("mc_soap_header", status);
}
