/* fake_client.h — the C client of the fake Marketing Cloud's request counter, for test_mcauth.c
 * and bench.c. Not through libmcauth: a count must be the server's view, not the library's. */
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

/* GET /_count/<scenario> from the fake at `origin` ("http://127.0.0.1:PORT", as exported by
 * tests/with-fake-mc.sh): the requests that reached the scenario's token endpoint, or -1.
 * HTTP/1.0 without keep-alive: the answer ends when the fake closes the connection. */
static inline long fake_count(const char *origin, const char *scenario)
{
    struct sockaddr_in addr = {0};
    struct timeval tv = {10, 0}; /* a hung fake fails the check instead of hanging the run */
    char req[1024], resp[4096], *body;
    size_t used = 0;
    ssize_t got;
    int fd, port, n;
    long count = -1;

    n = snprintf(req, sizeof req, "GET /_count/%s HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n", scenario);
    if (sscanf(origin, "http://127.0.0.1:%d", &port) != 1 || n < 0 || (size_t)n >= sizeof req ||
        (fd = socket(AF_INET, SOCK_STREAM, 0)) < 0)
        return -1;
    addr.sin_family = AF_INET;
    addr.sin_port = htons((unsigned short)port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    if (connect(fd, (struct sockaddr *)&addr, sizeof addr) == 0 && send(fd, req, (size_t)n, 0) == n) {
        while (used < sizeof resp - 1 && (got = recv(fd, resp + used, sizeof resp - 1 - used, 0)) > 0)
            used += (size_t)got;
        resp[used] = '\0';
        /* "HTTP/1.x 200", then a body that is a bare number or JSON holding one: {"count":3} */
        if (used > 12 && strncmp(resp + 9, "200", 3) == 0 && (body = strstr(resp, "\r\n\r\n")) != NULL &&
            *(body += strcspn(body, "0123456789")) != '\0')
            count = strtol(body, NULL, 10);
    }
    close(fd);
    return count;
}

#endif /* MCAUTH_TESTS_FAKE_CLIENT_H */
