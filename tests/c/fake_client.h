/*
 * fake_client.h — a tiny blocking HTTP/1.0 client for the fake Marketing Cloud's control
 * endpoints (GET /_count/<scenario>, GET /_proxy).
 *
 * It deliberately does not use libmcauth: request counts must come from the server's point
 * of view, not from the library under test. HTTP/1.0 without keep-alive means "read until
 * the server closes", so no chunked decoding or Content-Length handling is needed.
 *
 * Functions are `static inline` so a translation unit that uses only some of them does not
 * trip -Wunused-function under -Werror.
 */
#ifndef MCAUTH_TESTS_FAKE_CLIENT_H
#define MCAUTH_TESTS_FAKE_CLIENT_H

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

/* Parses "http://127.0.0.1:PORT" or "http://localhost:PORT" (a trailing '/' is fine). */
static inline int fake_parse_origin(const char *origin, struct sockaddr_in *addr)
{
    char host[64];
    const char *p, *colon;
    char *end;
    long port;
    size_t n;

    if (origin == NULL || strncmp(origin, "http://", 7) != 0)
        return -1;
    p = origin + 7;
    colon = strchr(p, ':');
    if (colon == NULL)
        return -1;
    n = (size_t)(colon - p);
    if (n == 0 || n >= sizeof host)
        return -1;
    memcpy(host, p, n);
    host[n] = '\0';
    port = strtol(colon + 1, &end, 10);
    if (end == colon + 1 || (*end != '\0' && *end != '/') || port <= 0 || port > 65535)
        return -1;

    memset(addr, 0, sizeof *addr);
    addr->sin_family = AF_INET;
    addr->sin_port = htons((unsigned short)port);
    if (strcmp(host, "localhost") == 0)
        strcpy(host, "127.0.0.1");
    return inet_pton(AF_INET, host, &addr->sin_addr) == 1 ? 0 : -1;
}

/*
 * GET `path` from `origin`; copies the body (NUL-terminated, truncated to body_size - 1) into
 * `body`. Returns the HTTP status code, or -1 on any transport or parse error.
 */
static inline int fake_http_get(const char *origin, const char *path, char *body, size_t body_size)
{
    struct sockaddr_in addr;
    struct timeval tv;
    char req[1024];
    char resp[65536];
    size_t used = 0;
    ssize_t got;
    int fd, status = -1, reqlen;
    const char *hdr_end;

    if (body_size > 0)
        body[0] = '\0';
    if (fake_parse_origin(origin, &addr) != 0)
        return -1;
    reqlen = snprintf(req, sizeof req, "GET %s HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n", path);
    if (reqlen < 0 || (size_t)reqlen >= sizeof req)
        return -1;

    fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        return -1;
    /* A hung fake must fail the check, not hang the whole test run. */
    tv.tv_sec = 10;
    tv.tv_usec = 0;
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    if (connect(fd, (const struct sockaddr *)&addr, sizeof addr) != 0)
        goto out;
    if (send(fd, req, (size_t)reqlen, 0) != (ssize_t)reqlen)
        goto out;
    while (used < sizeof resp - 1 && (got = recv(fd, resp + used, sizeof resp - 1 - used, 0)) > 0)
        used += (size_t)got;
    resp[used] = '\0';

    if (sscanf(resp, "HTTP/1.%*d %d", &status) != 1) {
        status = -1;
        goto out;
    }
    hdr_end = strstr(resp, "\r\n\r\n");
    if (hdr_end != NULL && body_size > 0) {
        snprintf(body, body_size, "%s", hdr_end + 4);
    }
out:
    close(fd);
    return status;
}

/* Number of requests that reached `scenario`'s token endpoint (all attempts), or -1. */
static inline long fake_count(const char *origin, const char *scenario)
{
    char path[1024], body[256];
    char *p, *end;
    long n;

    if (snprintf(path, sizeof path, "/_count/%s", scenario) >= (int)sizeof path)
        return -1;
    if (fake_http_get(origin, path, body, sizeof body) != 200)
        return -1;
    /* Accept a bare number or a JSON object holding one ("{\"count\":3}"). */
    p = body;
    while (*p != '\0' && (*p < '0' || *p > '9'))
        p++;
    n = strtol(p, &end, 10);
    return end == p ? -1 : n;
}

#endif /* MCAUTH_TESTS_FAKE_CLIENT_H */
