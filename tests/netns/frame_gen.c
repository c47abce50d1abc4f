// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * frame-gen: a test-only Ethernet frame generator for the load tests. It writes raw frames
 * into one interface of the namespace it runs in (AF_PACKET), bounded in count and in time.
 *
 *   frame-gen --dev IF [--count N] [--seconds S] [--rate PPS] [--random-src | --src MAC]
 *             [--dst MAC|broadcast] [--vlan VID] [--size BYTES] [--ethertype HEX] [--seed N]
 *
 *   --count N        frames to send (1..10,000,000; 1000 by default)
 *   --seconds S      stop after S seconds whatever the count (1..600; 60 by default)
 *   --rate PPS       frames per second (0, the default: as fast as possible)
 *   --random-src     a random locally administered unicast source MAC per frame
 *   --src MAC        a fixed source MAC (default: the interface's own)
 *   --dst MAC        destination MAC, or "broadcast" (the default)
 *   --vlan VID       an 802.1Q tag with this VLAN id (0..4094)
 *   --size BYTES     frame length without FCS (60..9000; 60 by default)
 *   --ethertype HEX  EtherType (0x88b5 by default: IEEE local experimental, no host parses it)
 *   --seed N         seed of the random source MACs
 *
 * SIGTERM or SIGINT ends the run early (the summary line is still printed).
 * Prints one line at the end: "frame-gen: sent N of M frames in S s (P pps), E send errors".
 * Exit 0 when every frame was handed to the kernel, 1 when some send failed, 2 on bad usage.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_COUNT   10000000UL
#define MAX_SECONDS 600
#define MIN_SIZE    60
#define MAX_SIZE    9000
#define BATCH       64

static volatile sig_atomic_t stopped;

static void on_stop(int sig)
{
	(void)sig;
	stopped = 1;
}

struct opts {
	const char *dev;
	unsigned long count, rate, seconds, seed;
	bool random_src, have_src;
	uint8_t src[6], dst[6];
	int vlan;
	unsigned size, ethertype;
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* xorshift64*: fast, and good enough to make MACs that never repeat in a test run. */
static uint64_t next_random(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 2685821657736338717ULL;
}

static int parse_mac(const char *s, uint8_t mac[6])
{
	unsigned v[6];

	if (!strcmp(s, "broadcast")) {
		memset(mac, 0xff, 6);
		return 0;
	}
	if (sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5]) != 6)
		return -1;
	for (int i = 0; i < 6; i++)
		mac[i] = (uint8_t)v[i];
	return 0;
}

static int parse_ulong(const char *s, unsigned long min, unsigned long max, unsigned long *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 0);
	if (errno || end == s || *end || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

static void usage(void)
{
	fprintf(stderr, "usage: frame-gen --dev IF [--count N] [--seconds S] [--rate PPS] "
	                "[--random-src | --src MAC] [--dst MAC|broadcast] [--vlan VID] "
	                "[--size BYTES] [--ethertype HEX] [--seed N]\n");
}

static int parse_args(int argc, char **argv, struct opts *o)
{
	unsigned long v;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;
		bool bad = false;

		if (!strcmp(a, "--random-src")) {
			o->random_src = true;
			continue;
		}
		if (!val) {
			fprintf(stderr, "frame-gen: %s needs a value\n", a);
			return -1;
		}
		i++;
		if (!strcmp(a, "--dev"))
			o->dev = val;
		else if (!strcmp(a, "--count"))
			bad = parse_ulong(val, 1, MAX_COUNT, &o->count) < 0;
		else if (!strcmp(a, "--seconds"))
			bad = parse_ulong(val, 1, MAX_SECONDS, &o->seconds) < 0;
		else if (!strcmp(a, "--rate"))
			bad = parse_ulong(val, 0, 100000000, &o->rate) < 0;
		else if (!strcmp(a, "--seed"))
			bad = parse_ulong(val, 0, ~0UL, &o->seed) < 0;
		else if (!strcmp(a, "--src")) {
			bad = parse_mac(val, o->src) < 0;
			o->have_src = true;
		} else if (!strcmp(a, "--dst"))
			bad = parse_mac(val, o->dst) < 0;
		else if (!strcmp(a, "--vlan")) {
			bad = parse_ulong(val, 0, 4094, &v) < 0;
			o->vlan = (int)v;
		} else if (!strcmp(a, "--size")) {
			bad = parse_ulong(val, MIN_SIZE, MAX_SIZE, &v) < 0;
			o->size = (unsigned)v;
		} else if (!strcmp(a, "--ethertype")) {
			bad = parse_ulong(val, 0x600, 0xffff, &v) < 0;
			o->ethertype = (unsigned)v;
		} else {
			fprintf(stderr, "frame-gen: unknown option %s\n", a);
			return -1;
		}
		if (bad) {
			fprintf(stderr, "frame-gen: bad value for %s: %s\n", a, val);
			return -1;
		}
	}
	if (!o->dev) {
		fprintf(stderr, "frame-gen: --dev is required\n");
		return -1;
	}
	return 0;
}

/* A raw socket bound to DEV; its ifindex in *IFINDEX and its MAC in MAC. -1 on error. */
static int open_dev(const char *dev, int *ifindex, uint8_t mac[6])
{
	struct sockaddr_ll sll = { .sll_family = AF_PACKET, .sll_protocol = 0 };
	struct ifreq ifr = { 0 };
	int fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);

	if (fd < 0) {
		perror("frame-gen: socket(AF_PACKET)");
		return -1;
	}
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", dev);
	if (ioctl(fd, SIOCGIFINDEX, &ifr) < 0) {
		fprintf(stderr, "frame-gen: %s: %s\n", dev, strerror(errno));
		goto fail;
	}
	*ifindex = ifr.ifr_ifindex;
	if (ioctl(fd, SIOCGIFHWADDR, &ifr) < 0) {
		fprintf(stderr, "frame-gen: %s: %s\n", dev, strerror(errno));
		goto fail;
	}
	memcpy(mac, ifr.ifr_hwaddr.sa_data, 6);
	sll.sll_ifindex = *ifindex;
	if (bind(fd, (struct sockaddr *)&sll, sizeof(sll)) < 0) {
		perror("frame-gen: bind");
		goto fail;
	}
	return fd;
fail:
	close(fd);
	return -1;
}

/* Fill FRAME (SIZE bytes) with the headers; the source MAC goes in later per frame. */
static void build_frame(uint8_t *frame, const struct opts *o)
{
	size_t off = 12;

	memset(frame, 0, o->size);
	memcpy(frame, o->dst, 6);
	memcpy(frame + 6, o->src, 6);
	if (o->vlan >= 0) {
		frame[off++] = 0x81;
		frame[off++] = 0x00;
		frame[off++] = (uint8_t)(o->vlan >> 8);
		frame[off++] = (uint8_t)o->vlan;
	}
	frame[off++] = (uint8_t)(o->ethertype >> 8);
	frame[off++] = (uint8_t)o->ethertype;
	for (size_t i = off; i < o->size; i++)
		frame[i] = (uint8_t)i;
}

static void random_src(uint8_t *mac, uint64_t *state)
{
	uint64_t r = next_random(state);

	for (int i = 0; i < 6; i++)
		mac[i] = (uint8_t)(r >> (8 * i));
	mac[0] = (uint8_t)((mac[0] & 0xfc) | 0x02); /* unicast, locally administered */
}

/* Strategy: batches of up to BATCH frames through sendmmsg; with a rate, each batch waits for
 * its start time on the monotonic clock (batches shrink to keep small rates smooth). */
static int run(int fd, const struct opts *o, unsigned long *sent, unsigned long *errors)
{
	static uint8_t frames[BATCH][MAX_SIZE];
	struct mmsghdr msgs[BATCH];
	struct iovec iov[BATCH];
	uint64_t state = o->seed * 0x9e3779b97f4a7c15ULL + 1, start = now_ns();
	uint64_t deadline = start + o->seconds * 1000000000ULL;
	unsigned long batch = BATCH;

	if (o->rate && o->rate < 10 * BATCH)
		batch = o->rate / 10 ? o->rate / 10 : 1;
	for (int i = 0; i < BATCH; i++) {
		build_frame(frames[i], o);
		iov[i] = (struct iovec){ frames[i], o->size };
		msgs[i] = (struct mmsghdr){ .msg_hdr = { .msg_iov = &iov[i], .msg_iovlen = 1 } };
	}
	while (*sent < o->count) {
		unsigned long n = o->count - *sent;
		uint64_t t = now_ns();
		int done;

		if (t >= deadline || stopped)
			break;
		if (n > batch)
			n = batch;
		if (o->rate) {
			uint64_t due = start + *sent * 1000000000ULL / o->rate;
			if (due > t) {
				struct timespec ts = { (time_t)((due - t) / 1000000000ULL),
					               (long)((due - t) % 1000000000ULL) };
				nanosleep(&ts, NULL);
			}
		}
		if (o->random_src)
			for (unsigned long i = 0; i < n; i++)
				random_src(frames[i] + 6, &state);
		done = sendmmsg(fd, msgs, (unsigned)n, 0);
		if (done < 0) {
			if (errno != ENOBUFS && errno != EAGAIN && errno != EINTR) {
				perror("frame-gen: sendmmsg");
				return -1;
			}
			/* the device's queue is full: retry the batch shortly (until the deadline)
			 */
			(*errors)++;
			nanosleep(&(struct timespec){ 0, 50000 }, NULL);
			continue;
		}
		*sent += (unsigned long)done;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct opts o = {
		.count = 1000, .seconds = 60, .vlan = -1, .size = MIN_SIZE, .ethertype = 0x88b5
	};
	unsigned long sent = 0, errors = 0;
	uint8_t own[6];
	uint64_t start;
	double secs;
	int fd, ifindex, ret;

	memset(o.dst, 0xff, 6);
	if (parse_args(argc, argv, &o) < 0) {
		usage();
		return 2;
	}
	fd = open_dev(o.dev, &ifindex, own);
	if (fd < 0)
		return 1;
	if (!o.have_src)
		memcpy(o.src, own, 6);
	signal(SIGTERM, on_stop);
	signal(SIGINT, on_stop);
	start = now_ns();
	ret = run(fd, &o, &sent, &errors);
	secs = (double)(now_ns() - start) / 1e9;
	close(fd);
	printf("frame-gen: sent %lu of %lu frames in %.3f s (%.0f pps), %lu send errors\n", sent,
	       o.count, secs, secs > 0 ? (double)sent / secs : 0.0, errors);
	return ret < 0 || sent < o.count ? 1 : 0;
}
