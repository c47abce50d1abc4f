// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * wan-relay: a test-only WAN impairment for kernels without netem. It moves Ethernet frames
 * between two interfaces of one namespace over AF_PACKET and, on the way, delays, reorders,
 * duplicates and corrupts them. Bounded in time; it only touches the two interfaces it is given
 * (veths a test created). Turn offloads and TX checksumming off on every veth end of the path
 * (ethtool -K IF tx off tso off gso off gro off), so each frame is a real, checksummed wire frame.
 *
 *   wan-relay IF_A IF_B [OPTIONS]
 *     --seconds N        stop after N seconds (default 60, at most 86400)
 *     --delay MS         add MS milliseconds to every frame (each direction)
 *     --jitter MS        the delay varies uniformly by +-MS; frames are sent in order of their
 *                        due time, so jitter reorders, as netem's does
 *     --in-order         jitter without reordering: a delayed frame never leaves before the one
 *                        delayed ahead of it (a WAN queue's varying delay)
 *     --reorder PCT      this share of frames skips the delay and overtakes the queue (netem)
 *     --duplicate PCT    this share of frames is sent twice
 *     --corrupt PCT      this share gets one bit flipped anywhere in the frame; the IP and TCP
 *                        checksums are left as they were, so the receiving kernel drops it
 *     --corrupt-payload PCT
 *                        this share of TCP segments with payload gets one payload bit flipped
 *                        and the TCP checksum made valid again: corruption that slips past TCP
 *                        (a broken middlebox), for the layer above to catch
 *     --payload-gap MS   at least MS milliseconds between two --corrupt-payload hits (0)
 *     --only DIR         impair one direction only: a>b (frames read on IF_A) or b>a; as netem
 *                        on one interface's egress (the round trip then carries one delay)
 *     --limit N          frames queued per direction at most (10000); more are dropped
 *     --seed N           random seed (default: from the clock)
 *
 * Percentages take decimals (0.1). SIGTERM or SIGINT stops it early. At exit it prints one
 * line per direction: "a>b rx N tx N qdrop N txerr N dup N reorder N corrupt N payload N".
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define SLOT        16384 /* a frame buffer: any wire frame up to a 9000-byte MTU and more */
#define BATCH       64    /* frames read (recvmmsg) and sent (sendmmsg) at once */
#define SOCK_BUFFER (8 * 1024 * 1024)

struct frame {
	uint64_t due_ns;
	uint64_t seq;
	size_t len;
	uint8_t data[];
};

struct stats {
	unsigned long long rx, tx, qdrop, txerr, dup, reorder, corrupt, payload;
};

/* One direction: frames read from in_fd leave on out_fd after their due time. */
struct dir {
	const char *name;
	int in_fd, out_fd;
	struct frame **heap;
	size_t n;
	bool impaired;
	uint64_t last_due; /* --in-order: the latest due time given to a delayed frame */
	struct stats st;
};

struct opts {
	unsigned seconds, limit;
	bool in_order;
	uint64_t delay_ns, jitter_ns, payload_gap_ns;
	uint32_t reorder, duplicate, corrupt, payload; /* probabilities scaled to 2^32 */
};

static volatile sig_atomic_t stopping;
static uint64_t rng_state;
static uint64_t next_seq;
static uint64_t last_payload_ns;

static void on_signal(int sig)
{
	(void)sig;
	stopping = 1;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* xorshift64*: fast and good enough to pick frames. */
static uint64_t rnd(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545F4914F6CDD1DULL;
}

static bool chance(uint32_t p)
{
	return p && (uint32_t)(rnd() >> 32) < p;
}

static bool frame_before(const struct frame *x, const struct frame *y)
{
	return x->due_ns < y->due_ns || (x->due_ns == y->due_ns && x->seq < y->seq);
}

static void heap_push(struct dir *d, struct frame *f)
{
	size_t i = d->n++;

	while (i > 0) {
		size_t parent = (i - 1) / 2;
		if (!frame_before(f, d->heap[parent]))
			break;
		d->heap[i] = d->heap[parent];
		i = parent;
	}
	d->heap[i] = f;
}

static struct frame *heap_pop(struct dir *d)
{
	struct frame *top = d->heap[0], *last = d->heap[--d->n];
	size_t i = 0;

	for (;;) {
		size_t c = 2 * i + 1;
		if (c >= d->n)
			break;
		if (c + 1 < d->n && frame_before(d->heap[c + 1], d->heap[c]))
			c++;
		if (!frame_before(d->heap[c], last))
			break;
		d->heap[i] = d->heap[c];
		i = c;
	}
	if (d->n)
		d->heap[i] = last;
	return top;
}

static uint32_t sum16(const uint8_t *p, size_t len, uint32_t sum)
{
	for (; len > 1; p += 2, len -= 2)
		sum += (uint32_t)p[0] << 8 | p[1];
	if (len)
		sum += (uint32_t)p[0] << 8;
	return sum;
}

/* Flip one bit of the TCP payload of an IPv4 frame and make its TCP checksum valid again.
 * False when the frame is not IPv4 TCP with payload (the frame is then unchanged). */
static bool corrupt_tcp_payload(uint8_t *f, size_t len)
{
	size_t ihl, thl, ip_len, seg_len, off;
	uint32_t sum;
	uint16_t csum;
	uint8_t *ip = f + 14, *tcp;

	if (len < 14 + 20 || f[12] != 0x08 || f[13] != 0x00 || (ip[0] >> 4) != 4 || ip[9] != 6)
		return false;
	ihl = (size_t)(ip[0] & 15) * 4;
	ip_len = (size_t)ip[2] << 8 | ip[3];
	if (ihl < 20 || ip_len > len - 14 || ip_len < ihl + 20 || (ip[6] & 0x3f) || ip[7])
		return false; /* short, or a fragment */
	tcp = ip + ihl;
	seg_len = ip_len - ihl;
	thl = (size_t)(tcp[12] >> 4) * 4;
	if (thl < 20 || seg_len <= thl)
		return false;
	off = thl + (size_t)(rnd() % (seg_len - thl));
	tcp[off] ^= (uint8_t)(1u << (rnd() % 8));
	tcp[16] = tcp[17] = 0;
	sum = sum16(ip + 12, 8, 0); /* source and destination address */
	sum += 6 + (uint32_t)seg_len;
	sum = sum16(tcp, seg_len, sum);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	csum = (uint16_t)~sum;
	tcp[16] = (uint8_t)(csum >> 8);
	tcp[17] = (uint8_t)csum;
	return true;
}

static void send_frame(struct dir *d, const uint8_t *data, size_t len)
{
	if (send(d->out_fd, data, len, 0) == (ssize_t)len)
		d->st.tx++;
	else
		d->st.txerr++;
}

/* Frames to send at once with sendmmsg (a batch read, each maybe twice). */
static struct mmsghdr out_msgs[2 * BATCH];
static struct iovec out_iov[2 * BATCH];
static unsigned out_n;

static void batch_add(const uint8_t *data, size_t len)
{
	out_iov[out_n] = (struct iovec){ .iov_base = (void *)data, .iov_len = len };
	out_msgs[out_n] =
	    (struct mmsghdr){ .msg_hdr = { .msg_iov = &out_iov[out_n], .msg_iovlen = 1 } };
	out_n++;
}

static void batch_flush(struct dir *d)
{
	unsigned done = 0;

	while (done < out_n) {
		int n = sendmmsg(d->out_fd, out_msgs + done, out_n - done, 0);
		if (n <= 0) {
			d->st.txerr++; /* this frame could not go: skip it */
			done++;
			continue;
		}
		d->st.tx += (unsigned)n;
		done += (unsigned)n;
	}
	out_n = 0;
}

static void enqueue(struct dir *d, const struct opts *o, const uint8_t *data, size_t len,
                    uint64_t now, bool skip_delay)
{
	struct frame *f;
	uint64_t due = now;

	if (!skip_delay) {
		due += o->delay_ns;
		if (o->jitter_ns) {
			uint64_t span = 2 * o->jitter_ns + 1;
			uint64_t j = rnd() % span;
			due = due + j >= o->jitter_ns ? due + j - o->jitter_ns : now;
		}
		if (o->in_order && due < d->last_due)
			due = d->last_due;
		d->last_due = due;
	}
	if (d->n >= o->limit || !(f = malloc(sizeof(*f) + len))) {
		d->st.qdrop++;
		return;
	}
	f->due_ns = due;
	f->seq = next_seq++;
	f->len = len;
	memcpy(f->data, data, len);
	heap_push(d, f);
}

static void handle(struct dir *d, const struct opts *o, uint8_t *data, size_t len, uint64_t now)
{
	bool queued = o->delay_ns || o->jitter_ns;
	bool skip_delay = false;
	int copies = 1;

	d->st.rx++;
	if (!d->impaired) {
		batch_add(data, len);
		return;
	}
	if (chance(o->corrupt) && len) {
		data[rnd() % len] ^= (uint8_t)(1u << (rnd() % 8));
		d->st.corrupt++;
	}
	if (chance(o->payload) && now - last_payload_ns >= o->payload_gap_ns &&
	    corrupt_tcp_payload(data, len)) {
		last_payload_ns = now;
		d->st.payload++;
	}
	if (chance(o->duplicate)) {
		copies = 2;
		d->st.dup++;
	}
	if (queued && chance(o->reorder)) {
		skip_delay = true;
		d->st.reorder++;
	}
	for (int i = 0; i < copies; i++) {
		if (queued)
			enqueue(d, o, data, len, now, skip_delay);
		else
			batch_add(data, len);
	}
}

/* Read what is waiting on D's input (a few bounded batches); frames that are not delayed
 * leave at once. BUF holds BATCH slots of SLOT bytes. */
static void drain(struct dir *d, const struct opts *o, uint8_t *buf)
{
	struct mmsghdr msgs[BATCH];
	struct iovec iov[BATCH];

	for (int round = 0; round < 4; round++) {
		int n;

		for (int i = 0; i < BATCH; i++) {
			iov[i] =
			    (struct iovec){ .iov_base = buf + (size_t)i * SLOT, .iov_len = SLOT };
			msgs[i] =
			    (struct mmsghdr){ .msg_hdr = { .msg_iov = &iov[i], .msg_iovlen = 1 } };
		}
		n = recvmmsg(d->in_fd, msgs, BATCH, MSG_DONTWAIT | MSG_TRUNC, NULL);
		if (n <= 0)
			return;
		for (int i = 0; i < n; i++) {
			if (msgs[i].msg_hdr.msg_flags & MSG_TRUNC) {
				d->st.qdrop++; /* an offload super-frame: the setup is wrong */
				continue;
			}
			handle(d, o, iov[i].iov_base, msgs[i].msg_len, now_ns());
		}
		batch_flush(d);
		if (n < BATCH)
			return;
	}
}

static void release_due(struct dir *d, uint64_t now)
{
	while (d->n && d->heap[0]->due_ns <= now) {
		struct frame *f = heap_pop(d);
		send_frame(d, f->data, f->len);
		free(f);
	}
}

static int open_if(const char *name)
{
	struct sockaddr_ll sll = { .sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_ALL) };
	int fd, one = 1, size = SOCK_BUFFER;

	sll.sll_ifindex = (int)if_nametoindex(name);
	if (!sll.sll_ifindex) {
		fprintf(stderr, "wan-relay: no interface %s\n", name);
		return -1;
	}
	fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, htons(ETH_P_ALL));
	if (fd < 0) {
		perror("wan-relay: socket");
		return -1;
	}
	/* Our own transmissions on this interface are not input. */
	if (setsockopt(fd, SOL_PACKET, PACKET_IGNORE_OUTGOING, &one, sizeof(one)) < 0 ||
	    bind(fd, (struct sockaddr *)&sll, sizeof(sll)) < 0) {
		perror("wan-relay: bind");
		close(fd);
		return -1;
	}
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size)) < 0)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
	if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &size, sizeof(size)) < 0)
		setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof(size));
	return fd;
}

static uint32_t parse_pct(const char *s)
{
	char *end;
	double v = strtod(s, &end);

	if (*end || v < 0 || v > 100) {
		fprintf(stderr, "wan-relay: bad percentage %s\n", s);
		exit(2);
	}
	return v >= 100 ? UINT32_MAX : (uint32_t)(v / 100.0 * 4294967296.0);
}

static unsigned long parse_num(const char *s, unsigned long max)
{
	char *end;
	unsigned long v = strtoul(s, &end, 10);

	if (*end || !*s || v > max) {
		fprintf(stderr, "wan-relay: bad number %s\n", s);
		exit(2);
	}
	return v;
}

static void print_stats(const struct dir *d)
{
	printf("%s rx %llu tx %llu qdrop %llu txerr %llu dup %llu reorder %llu corrupt %llu "
	       "payload %llu\n",
	       d->name, d->st.rx, d->st.tx, d->st.qdrop, d->st.txerr, d->st.dup, d->st.reorder,
	       d->st.corrupt, d->st.payload);
}

int main(int argc, char **argv)
{
	struct opts o = { .seconds = 60, .limit = 10000 };
	struct dir dirs[2] = { { .name = "a>b", .impaired = true },
		               { .name = "b>a", .impaired = true } };
	struct sigaction sa = { .sa_handler = on_signal };
	uint64_t seed = 0, end;
	uint8_t *buf = NULL;
	int fa = -1, fb = -1, rc = 1;

	if (argc < 3) {
		fprintf(stderr,
		        "usage: wan-relay IF_A IF_B [--seconds N] [--delay MS] [--jitter MS]"
		        " [--in-order] [--reorder PCT] [--duplicate PCT] [--corrupt PCT]"
		        " [--corrupt-payload PCT] [--payload-gap MS] [--only a>b|b>a]"
		        " [--limit N]"
		        " [--seed N]\n");
		return 2;
	}
	for (int i = 3; i < argc; i += 2) {
		const char *k = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (!strcmp(k, "--in-order")) {
			o.in_order = true;
			i--;
			continue;
		}
		if (!v) {
			fprintf(stderr, "wan-relay: %s needs a value\n", k);
			return 2;
		}
		if (!strcmp(k, "--seconds"))
			o.seconds = (unsigned)parse_num(v, 86400);
		else if (!strcmp(k, "--delay"))
			o.delay_ns = parse_num(v, 60000) * 1000000u;
		else if (!strcmp(k, "--jitter"))
			o.jitter_ns = parse_num(v, 60000) * 1000000u;
		else if (!strcmp(k, "--reorder"))
			o.reorder = parse_pct(v);
		else if (!strcmp(k, "--duplicate"))
			o.duplicate = parse_pct(v);
		else if (!strcmp(k, "--corrupt"))
			o.corrupt = parse_pct(v);
		else if (!strcmp(k, "--corrupt-payload"))
			o.payload = parse_pct(v);
		else if (!strcmp(k, "--payload-gap"))
			o.payload_gap_ns = parse_num(v, 3600000) * 1000000u;
		else if (!strcmp(k, "--limit"))
			o.limit = (unsigned)parse_num(v, 1000000);
		else if (!strcmp(k, "--only") && (!strcmp(v, "a>b") || !strcmp(v, "b>a")))
			dirs[strcmp(v, "a>b") ? 0 : 1].impaired = false;
		else if (!strcmp(k, "--seed"))
			seed = parse_num(v, ~0UL);
		else {
			fprintf(stderr, "wan-relay: unknown option %s\n", k);
			return 2;
		}
	}
	rng_state = seed ? seed : now_ns() ^ ((uint64_t)getpid() << 32);
	if (!rng_state)
		rng_state = 1;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);

	buf = malloc((size_t)BATCH * SLOT);
	dirs[0].heap = calloc(o.limit, sizeof(struct frame *));
	dirs[1].heap = calloc(o.limit, sizeof(struct frame *));
	if (!buf || !dirs[0].heap || !dirs[1].heap) {
		fprintf(stderr, "wan-relay: out of memory\n");
		goto out;
	}
	fa = open_if(argv[1]);
	fb = open_if(argv[2]);
	if (fa < 0 || fb < 0)
		goto out;
	dirs[0].in_fd = dirs[1].out_fd = fa;
	dirs[0].out_fd = dirs[1].in_fd = fb;
	end = now_ns() + (uint64_t)o.seconds * 1000000000u;

	while (!stopping) {
		struct pollfd pfd[2] = { { .fd = fa, .events = POLLIN },
			                 { .fd = fb, .events = POLLIN } };
		uint64_t now = now_ns(), wake = end;
		struct timespec ts;

		if (now >= end)
			break;
		for (int i = 0; i < 2; i++)
			if (dirs[i].n && dirs[i].heap[0]->due_ns < wake)
				wake = dirs[i].heap[0]->due_ns;
		wake = wake > now ? wake - now : 0;
		ts.tv_sec = (time_t)(wake / 1000000000u);
		ts.tv_nsec = (long)(wake % 1000000000u);
		if (ppoll(pfd, 2, &ts, NULL) < 0 && errno != EINTR) {
			perror("wan-relay: ppoll");
			goto out;
		}
		if (pfd[0].revents & POLLIN)
			drain(&dirs[0], &o, buf);
		if (pfd[1].revents & POLLIN)
			drain(&dirs[1], &o, buf);
		now = now_ns();
		release_due(&dirs[0], now);
		release_due(&dirs[1], now);
	}
	rc = 0;
out:
	for (int i = 0; i < 2; i++) {
		if (rc == 0)
			print_stats(&dirs[i]);
		while (dirs[i].n)
			free(heap_pop(&dirs[i]));
		free(dirs[i].heap);
	}
	if (fa >= 0)
		close(fa);
	if (fb >= 0)
		close(fb);
	free(buf);
	return rc;
}
