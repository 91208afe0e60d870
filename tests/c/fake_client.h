/* fake_client.h — the C client of the fake Marketing Cloud's control endpoints (its counters,
 * revoking and rejecting tokens), for the C tests. Not through libmcauth: a count must be the
 * server's view, not the library's. */
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

/* `METHOD path` to the fake at `origin` ("http://127.0.0.1:PORT", as exported by
 * tests/with-fake-mc.sh); returns the HTTP status (-1 on failure) and points `*body` into
 * `resp`. HTTP/1.0 without keep-alive: the answer ends when the fake closes the connection. */
static inline int fake_request(const char *origin, const char *method, const char *path,
                               char *resp, size_t size, char **body)
{
    struct sockaddr_in addr = {0};
    struct timeval tv = {10, 0}; /* a hung fake fails the check instead of hanging the run */
    char req[1024];
    size_t used = 0;
    ssize_t got;
    int fd, port, n, status = -1;

    n = snprintf(req, sizeof req, "%s %s HTTP/1.0\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\n\r\n",
                 method, path);
    if (sscanf(origin, "http://127.0.0.1:%d", &port) != 1 || n < 0 || (size_t)n >= sizeof req ||
        (fd = socket(AF_INET, SOCK_STREAM, 0)) < 0)
        return -1;
    addr.sin_family = AF_INET;
    addr.sin_port = htons((unsigned short)port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    if (connect(fd, (struct sockaddr *)&addr, sizeof addr) == 0 && send(fd, req, (size_t)n, 0) == n) {
        while (used < size - 1 && (got = recv(fd, resp + used, size - 1 - used, 0)) > 0)
            used += (size_t)got;
        resp[used] = '\0';
        if (sscanf(resp, "HTTP/1.%*d %d", &status) != 1 || (*body = strstr(resp, "\r\n\r\n")) == NULL)
            status = -1;
        else
            *body += 4;
    }
    close(fd);
    return status;
}

/* The number after `"field":` (or the first number) in the answer to GET `path`, or -1. */
static inline long fake_number(const char *origin, const char *path, const char *field)
{
    char resp[4096], *body = NULL, *at;
    if (fake_request(origin, "GET", path, resp, sizeof resp, &body) != 200)
        return -1;
    at = field != NULL ? strstr(body, field) : body;
    if (at == NULL || *(at += strcspn(at, "0123456789")) == '\0')
        return -1;
    return strtol(at, NULL, 10);
}

/* Requests (all attempts) that reached `scenario`'s token endpoint, or -1. */
static inline long fake_count(const char *origin, const char *scenario)
{
    char path[512];
    snprintf(path, sizeof path, "/_count/%s", scenario);
    return fake_number(origin, path, NULL);
}

/* One counter of GET /_stats/<scenario> ("token_requests", "token_expired", …), or -1. */
static inline long fake_stat(const char *origin, const char *scenario, const char *counter)
{
    char path[512], field[64];
    snprintf(path, sizeof path, "/_stats/%s", scenario);
    snprintf(field, sizeof field, "\"%s\":", counter);
    return fake_number(origin, path, field);
}

/* POST `path` (/_revoke/<scenario>, /_reject/<scenario>/<N>): the HTTP status, or -1. */
static inline int fake_post(const char *origin, const char *path)
{
    char resp[1024], *body = NULL;
    return fake_request(origin, "POST", path, resp, sizeof resp, &body);
}

#endif /* MCAUTH_TESTS_FAKE_CLIENT_H */
