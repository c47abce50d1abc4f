// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * conn-flood: a stranger's connection flood against a TCP server, for the attack tests. Bounded
 * in count and time; it talks only to the address it is given (a namespace of the test).
 *
 *   conn-flood cycle ADDR PORT COUNT SECONDS
 *       COUNT connect/close cycles (closed with a reset, so no TIME_WAIT piles up), up to 64
 *       in flight, within SECONDS. Exit 0 when all COUNT completed.
 *   conn-flood hold ADDR PORT N SECONDS [hello] [SRC...]
 *       Keep N connections open for SECONDS, opening a new one 20 ms after the server closes
 *       one. With "hello", each sends the first bytes of a TLS ClientHello and stalls. SRC
 *       addresses (local to the namespace) are used in turn as source addresses.
 *
 * Prints one line of counts at the end: "connects N closed_by_server N failed N done N".
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_CONNS 4096

struct conn {
	int fd;
	int state;          /* 0 free, 1 connecting, 2 open */
	uint64_t reopen_at; /* ms; when a free slot may reconnect */
};

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static struct sockaddr_in target;
static struct in_addr *sources;
static int n_sources, next_source;

/* A non-blocking connect to the target; -1 on immediate failure. */
static int start_connect(void)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -1;
	if (n_sources) {
		struct sockaddr_in src = { .sin_family = AF_INET };
		src.sin_addr = sources[next_source++ % n_sources];
		if (bind(fd, (struct sockaddr *)&src, sizeof(src)) < 0) {
			close(fd);
			return -1;
		}
	}
	if (connect(fd, (struct sockaddr *)&target, sizeof(target)) < 0 && errno != EINPROGRESS) {
		close(fd);
		return -1;
	}
	return fd;
}

static void close_reset(int fd)
{
	struct linger lg = { .l_onoff = 1, .l_linger = 0 };

	setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	close(fd);
}

static int connected(int fd)
{
	int err = 0;
	socklen_t len = sizeof(err);

	return getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) == 0 && err == 0;
}

/* The first bytes of a TLS 1.x ClientHello record: the header promises more than is sent. */
static const unsigned char partial_hello[] = { 0x16, 0x03, 0x01, 0x02, 0x00, 0x01,
	                                       0x00, 0x01, 0xfc, 0x03, 0x03 };

int main(int argc, char **argv)
{
	static struct conn conns[MAX_CONNS];
	static struct pollfd pfd[MAX_CONNS];
	unsigned long connects = 0, closed = 0, failed = 0, done = 0, inflight = 0;
	int cycle, n, hello = 0;
	long count = 0;
	uint64_t deadline;

	if (argc < 6 || (strcmp(argv[1], "cycle") && strcmp(argv[1], "hold"))) {
		fprintf(stderr, "usage: conn-flood cycle|hold ADDR PORT COUNT|N SECONDS ...\n");
		return 2;
	}
	cycle = !strcmp(argv[1], "cycle");
	target.sin_family = AF_INET;
	target.sin_port = htons((uint16_t)atoi(argv[3]));
	if (inet_pton(AF_INET, argv[2], &target.sin_addr) != 1) {
		fprintf(stderr, "conn-flood: bad address %s\n", argv[2]);
		return 2;
	}
	count = atol(argv[4]);
	deadline = now_ms() + (uint64_t)atol(argv[5]) * 1000;
	n = cycle ? 64 : (int)count;
	if (n < 1 || n > MAX_CONNS) {
		fprintf(stderr, "conn-flood: N must be 1..%d\n", MAX_CONNS);
		return 2;
	}
	for (int i = 6; i < argc; i++) {
		if (!strcmp(argv[i], "hello")) {
			hello = 1;
			continue;
		}
		sources = realloc(sources, sizeof(*sources) * (size_t)(n_sources + 1));
		if (!sources || inet_pton(AF_INET, argv[i], &sources[n_sources]) != 1) {
			fprintf(stderr, "conn-flood: bad source %s\n", argv[i]);
			return 2;
		}
		n_sources++;
	}
	for (int i = 0; i < n; i++)
		conns[i].fd = -1;

	/* Strategy: one poll loop over all slots; a free slot (re)connects when due, a connected
	 * one either closes at once (cycle) or sits idle until the server closes it (hold). */
	while (now_ms() < deadline && (!cycle || (long)done < count)) {
		uint64_t now = now_ms();

		for (int i = 0; i < n; i++) {
			struct conn *c = &conns[i];
			if (c->state == 0 && now >= c->reopen_at &&
			    (!cycle || (long)(done + inflight) < count)) {
				c->fd = start_connect();
				if (c->fd < 0) {
					failed++;
					c->reopen_at = now + 20;
					continue;
				}
				connects++;
				inflight++;
				c->state = 1;
			}
			pfd[i].fd = c->fd;
			pfd[i].events = c->state == 1 ? POLLOUT : c->state == 2 ? POLLIN : 0;
			pfd[i].revents = 0;
		}
		if (poll(pfd, (nfds_t)n, 10) < 0 && errno != EINTR)
			break;
		now = now_ms();
		for (int i = 0; i < n; i++) {
			struct conn *c = &conns[i];
			char buf[256];

			if (c->state == 0 || !pfd[i].revents)
				continue;
			if (c->state == 1) {
				inflight--;
				if (!connected(c->fd)) {
					failed++;
				} else if (cycle) {
					done++;
				} else {
					if (hello &&
					    write(c->fd, partial_hello, sizeof(partial_hello)) < 0)
						failed++;
					c->state = 2;
					continue;
				}
			} else if (read(c->fd, buf, sizeof(buf)) > 0) {
				continue; /* the server said something (an alert): keep waiting */
			} else {
				closed++;
			}
			close_reset(c->fd);
			c->fd = -1;
			c->state = 0;
			c->reopen_at = cycle ? now : now + 20;
		}
	}
	for (int i = 0; i < n; i++)
		if (conns[i].fd >= 0)
			close_reset(conns[i].fd);
	free(sources);
	printf("connects %lu closed_by_server %lu failed %lu done %lu\n", connects, closed, failed,
	       done);
	return cycle ? ((long)done >= count ? 0 : 1) : 0;
}
