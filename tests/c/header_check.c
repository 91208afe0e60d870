/*
 * header_check.c — compiled as C99 and as C++11 (g++ -x c++) with -Wall -Wextra -Wpedantic -Werror,
 * then linked and run: proves include/mcauth.h is self-contained, warning-free in both languages,
 * and declares the functions with C linkage (a missing extern "C" fails the C++ link).
 */
#include "mcauth.h"

#include <stdio.h>

/* The status values are part of the ABI ("fixed forever"), and so is the buffer size callers
 * compile in: a change must not compile. */
typedef char assert_status_values[MC_OK == 0 && MC_ERR_INVALID_ARGUMENT == 1 && MC_ERR_UNAUTHORIZED == 2 &&
    MC_ERR_HTTP == 3 && MC_ERR_NETWORK == 4 && MC_ERR_TIMEOUT == 5 && MC_ERR_BAD_RESPONSE == 6 &&
    MC_ERR_INTERNAL == 7 && MC_ERR_BUFFER_TOO_SMALL == 8 && MC_ERR_NOT_CACHED == 9 ? 1 : -1];
typedef char assert_token_buffer_size[MC_TOKEN_BUFFER_SIZE == 65536 ? 1 : -1];

/* Every export at the signature the contract gives it: a declaration that differs does not compile. */
mc_status (*auth_new)(const char *, const char *, const char *, mc_auth **) = mc_auth_new;
mc_status (*auth_new_enhanced)(const char *, const char *, const char *, const char *, const char *,
                               mc_auth **) = mc_auth_new_enhanced;
mc_status (*get_cached_into)(const mc_auth *, char *, size_t) = mc_get_cached_token_into;
mc_status (*get_stamped)(const mc_auth *, char *, size_t, uint64_t *, uint32_t *) = mc_get_token_stamped;
const uint64_t *(*generation)(const mc_auth *) = mc_token_generation;
mc_status (*get_ttl)(const mc_auth *, char **, uint32_t *) = mc_get_token_ttl;
mc_status (*soap_header_for)(const char *, char **) = mc_soap_header_for;
int (*is_rejected)(int, const char *, size_t) = mc_is_token_rejected;
int (*needs_body)(int) = mc_token_rejection_needs_body;
mc_status (*set_shared_cache)(mc_auth *, const char *) = mc_auth_set_shared_cache;
mc_status (*shared_cache_error)(const mc_auth *, char **) = mc_shared_cache_error;
mc_status (*get_token)(const mc_auth *, char **) = mc_get_token;
mc_status (*get_token_into)(const mc_auth *, char *, size_t) = mc_get_token_into;
mc_status (*soap_header)(const mc_auth *, char **) = mc_soap_header;
mc_status (*invalidate)(const mc_auth *, const char *) = mc_auth_invalidate;
mc_status (*set_timeout)(mc_auth *, uint32_t) = mc_auth_set_timeout_ms;
mc_status (*set_margin)(mc_auth *, uint32_t) = mc_auth_set_refresh_margin_secs;
mc_status (*set_ca)(mc_auth *, const char *) = mc_auth_set_ca_file;
mc_status (*set_proxy)(mc_auth *, const char *) = mc_auth_set_proxy;
mc_status (*set_attempts)(mc_auth *, uint32_t) = mc_auth_set_max_attempts;
mc_status (*rest_url)(const mc_auth *, char **) = mc_rest_base_url;
mc_status (*soap_url)(const mc_auth *, char **) = mc_soap_endpoint;
void (*string_free)(char *) = mc_string_free;
void (*auth_free)(mc_auth *) = mc_auth_free;
const char *(*status_str)(int) = mc_status_str;
const char *(*last_error)(void) = mc_last_error;
const char *(*version)(void) = mc_version;

int main(void)
{
    mc_auth *h = NULL;

    /* A call that needs no network, so the linked program can run anywhere. */
    if (auth_new("mc563885gzs27c5t9-63k636ttgm", "id", "secret", &h) != MC_OK)
        return 1;
    auth_free(h);
#ifdef __cplusplus
    printf("header ok (C++, libmcauth %s)\n", version());
#else
    printf("header ok (C, libmcauth %s)\n", version());
#endif
    return 0;
}
