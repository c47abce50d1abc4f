// SPDX-License-Identifier: GPL-2.0-or-later
#include "peer.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include <openssl/err.h>

#include "comp.h"
#include "log.h"
#include "preauth.h"
#include "roles.h"
#include "tls.h"
#include "tunnel.h"
#include "vnet.h"

#define TLS_WRITE_CHUNK 16384        /* one full TLS record per SSL_write */
#define TX_QUEUE_BYTES  (512 * 1024) /* hard cap of a peer's send queue */
#define TX_QUEUE_MIN    (128 * 1024) /* two super-frames, whatever the link's speed */
#define TX_SOJOURN_MS                                                                              \
	5                          /* frames may wait this long in our queue, at the rate          \
	                            * the link drained it in the last second */
#define NOTSENT_LOWAT (128 * 1024) /* unsent bytes the kernel keeps for us */
#define RX_SLACK      (64 * 1024)
#define PREAUTH_QUEUE 4096 /* each queue until HELLO: the HELLOs are far smaller */
#define LZO_MIN_FRAME 128  /* smaller frames are not worth compressing */

static void peer_on_event(struct watch *w, uint32_t events);

static void format_addr(struct peer *p)
{
	char host[INET6_ADDRSTRLEN] = "?";

	if (p->addr.ss_family == AF_INET) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)&p->addr;
		inet_ntop(AF_INET, &in->sin_addr, host, sizeof(host));
		snprintf(p->addr_str, sizeof(p->addr_str), "%s:%u", host, ntohs(in->sin_port));
	} else if (p->addr.ss_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)&p->addr;
		if (IN6_IS_ADDR_V4MAPPED(&in6->sin6_addr)) {
			inet_ntop(AF_INET, &in6->sin6_addr.s6_addr[12], host, sizeof(host));
			snprintf(p->addr_str, sizeof(p->addr_str), "%s:%u", host,
			         ntohs(in6->sin6_port));
		} else {
			/* OpenVPN prints native IPv6 peers without the port. */
			inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof(host));
			snprintf(p->addr_str, sizeof(p->addr_str), "%s", host);
		}
	} else {
		snprintf(p->addr_str, sizeof(p->addr_str), "unknown");
	}
	snprintf(p->label, sizeof(p->label), "%s", p->addr_str);
}

static void update_events(struct peer *p)
{
	uint32_t ev = EPOLLIN | EPOLLRDHUP;

	if (p->state == PEER_DEAD)
		return;
	if (p->state == PEER_CONNECTING || p->want_write)
		ev |= EPOLLOUT;
	if (ev != p->watch.events)
		vpn_watch(p->vpn, &p->watch, ev);
}

struct peer *peer_new(struct vpn *vpn, int fd, const struct sockaddr *sa, socklen_t sa_len,
                      bool connecting)
{
	struct peer *p = calloc(1, sizeof(*p));
	int one = 1, lowat = NOTSENT_LOWAT;

	if (!p)
		goto fail;
	p->vpn = vpn;
	p->watch.fd = fd;
	p->watch.on_event = peer_on_event;
	memcpy(&p->addr, sa, sa_len < sizeof(p->addr) ? sa_len : sizeof(p->addr));
	format_addr(p);
	snprintf(p->cn, sizeof(p->cn), "UNDEF");
	p->port = PORT_NONE;
	p->started = p->last_rx = p->last_tx = vpn->now;
	p->started_ms = p->active_ms = vpn_now_ms();
	p->ping = vpn->cfg->ping;
	p->ping_restart = vpn->cfg->ping_restart;
	/* Small queues until the peer has authenticated: a thousand strangers cost little. */
	if (bq_init(&p->rx, PREAUTH_QUEUE) < 0 || bq_init(&p->tx, PREAUTH_QUEUE) < 0)
		goto fail;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	/* Latency under load: keep the socket's unsent data small, so queueing happens in our
	 * own queue, which is bounded in time (below) and drops like a NIC when full. */
	setsockopt(fd, IPPROTO_TCP, TCP_NOTSENT_LOWAT, &lowat, sizeof(lowat));
	p->tx_limit = TX_QUEUE_BYTES;
	p->state = connecting ? PEER_CONNECTING : PEER_HANDSHAKE;
	if (!connecting) {
		p->ssl = tls_session_new(vpn->tls, fd);
		if (!p->ssl)
			goto fail;
		/* OpenSSL's record buffers too are released while idle until HELLO. */
		SSL_set_mode(p->ssl, SSL_MODE_RELEASE_BUFFERS);
	}
	/* An accepted connection waits for its ClientHello: no TLS work (nor OpenSSL's buffers)
	 * for a stranger who says nothing. */
	if (vpn_watch(vpn, &p->watch, EPOLLIN | EPOLLRDHUP | (connecting ? EPOLLOUT : 0)) < 0)
		goto fail;
	p->next = vpn->peers;
	vpn->peers = p;
	vpn->n_peers++;
	if (connecting)
		log_info("%s: connecting", p->label);
	else if (log_enabled(LOG_LVL_INFO) &&
	         ratelimit_pass(&vpn->preauth.conn_log, p->active_ms, NULL))
		log_info("%s: accepted TCP connection", p->label);
	return p;
fail:
	log_warnx("%s: could not set up the connection", p ? p->label : "peer");
	if (p) {
		tls_session_free(p->ssl);
		bq_free(&p->rx);
		bq_free(&p->tx);
		free(p);
	}
	close(fd);
	return NULL;
}

static void log_closed(struct peer *p, const char *why)
{
	struct vpn *vpn = p->vpn;
	uint64_t suppressed = 0;

	if (p->was_up) {
		log_notice("%s: connection closed: %s", p->label, why);
		return;
	}
	/* Before TLS is done a stranger can make these at will: counted, and their lines bounded
	 * like the refusals. (After TLS the peer holds a certificate: every line is kept.) */
	if (vpn->server && p->state == PEER_HANDSHAKE) {
		vpn->preauth.handshakes_failed++;
		if (!ratelimit_pass(&vpn->preauth.conn_log, vpn_now_ms(), &suppressed))
			return;
	}
	if (suppressed)
		log_warnx("%s: connection closed: %s (%llu lines about other pending connections "
		          "suppressed)",
		          p->label, why, (unsigned long long)suppressed);
	else
		log_warnx("%s: connection closed: %s", p->label, why);
}

void peer_close_quietly(struct peer *p)
{
	bool was_up = p->was_up;
	struct vpn *vpn = p->vpn;

	if (p->state == PEER_DEAD)
		return;
	p->state = PEER_DEAD;
	vpn_watch(vpn, &p->watch, 0);
	/* The descriptor is free at once (a flood may be waiting for it); the rest of the peer
	 * stays until peer_reap(), as events of this loop turn may still name it. */
	close(p->watch.fd);
	p->watch.fd = -1;
	if (was_up)
		tunnel_peer_gone(p);
	if (vpn->server)
		server_peer_closed(p);
	else
		client_peer_closed(vpn, was_up);
}

void peer_close(struct peer *p, const char *why)
{
	if (p->state == PEER_DEAD)
		return;
	log_closed(p, why);
	peer_close_quietly(p);
}

void peer_reap(struct vpn *vpn)
{
	struct peer **pp = &vpn->peers;

	while (*pp) {
		struct peer *p = *pp;
		if (p->state != PEER_DEAD) {
			pp = &p->next;
			continue;
		}
		*pp = p->next;
		vpn->n_peers--;
		vpn->peers_freed++;
		vpn->counters.peer_drops_full += p->stats.drops_queue_full;
		vpn->counters.peer_drops_gso += p->stats.drops_gso;
		vpn->counters.peer_drops_oversize += p->stats.drops_oversize;
		vpn->counters.peer_drops_oversize_in += p->stats.drops_oversize_in;
		vpn->counters.peer_gso_recut += p->stats.gso_recut;
		tls_session_free(p->ssl);
		if (p->watch.fd >= 0)
			close(p->watch.fd);
		bq_free(&p->rx);
		bq_free(&p->tx);
		free(p);
	}
}

/* Append one message (header + payload) to the send queue. false: no room. */
static bool queue_msg(struct peer *p, uint8_t type, const uint8_t *payload, size_t len)
{
	uint8_t *dst = bq_reserve(&p->tx, PROTO_HDR_LEN + len);

	if (!dst)
		return false;
	proto_put_header(dst, type, len);
	if (len)
		memcpy(dst + PROTO_HDR_LEN, payload, len);
	bq_commit(&p->tx, PROTO_HDR_LEN + len);
	return true;
}

/* Queue one message payload (a frame, with or without its vnet header) of a FRAME_LEN-byte
 * frame, LZO-compressed when negotiated and worthwhile. */
static void send_payload(struct peer *p, const uint8_t *payload, size_t plen, size_t frame_len)
{
	struct vpn *vpn = p->vpn;
	uint8_t type = PROTO_FRAME;

	if (p->comp && plen >= LZO_MIN_FRAME) {
		ssize_t n = comp_compress(vpn->comp, payload, plen, vpn->zip_buf, vpn->zip_buf_len,
		                          vpn->now * 1000);
		if (n > 0) {
			type = PROTO_FRAME_LZO;
			payload = vpn->zip_buf;
			plen = (size_t)n;
		}
	}
	if (bq_len(&p->tx) + PROTO_HDR_LEN + plen > p->tx_limit ||
	    !queue_msg(p, type, payload, plen)) {
		p->stats.drops_queue_full++;
		return;
	}
	p->stats.frames_out++;
	p->stats.bytes_out += frame_len;
}

/* A frame of LEN bytes larger than the link's max frame: dropped and counted like a NIC
 * drops a frame above its MTU, logged once per link (it is the two ends' tun-mtu that differ,
 * not the peer that misbehaves). */
static void drop_oversize(struct peer *p, size_t len)
{
	p->stats.drops_oversize++;
	if (p->oversize_logged)
		return;
	p->oversize_logged = true;
	log_warnx("%s: %zu-byte frame larger than the peer accepts (max frame %u): dropped; "
	          "further drops on this link are only counted",
	          p->label, len, p->max_frame);
}

/* A plain frame (or segment) for a link without vnet headers. */
static void send_plain(const uint8_t *frame, size_t len, void *arg)
{
	struct peer *p = arg;

	if (len <= p->max_frame)
		send_payload(p, frame, len, len);
	else
		drop_oversize(p, len);
}

/* A segment for a link with vnet headers, cut here from a super-frame: it gets an empty
 * header in vpn->plain_buf, which never holds a super-frame (only frames from links without
 * vnet headers), so it is free while one is cut. */
static void send_vnet_segment(const uint8_t *frame, size_t len, void *arg)
{
	struct peer *p = arg;
	uint8_t *vh = p->vpn->plain_buf;

	if (len > p->max_frame) {
		drop_oversize(p, len);
		return;
	}
	memset(vh, 0, VNET_HDR_LEN);
	memcpy(vh + VNET_HDR_LEN, frame, len);
	send_payload(p, vh, VNET_HDR_LEN + len, len);
}

/* A GSO super-frame for a link with vnet headers. Strategy: send it whole when its segments
 * fit the link's MTU; else with a smaller gso_size whose segments do, so the peer's kernel
 * cuts it there (the header in VH is restored afterwards: a flood sends the same buffer to
 * other peers); else (a gso_size below what a peer accepts, from a TCP talked into a tiny MSS
 * or a tiny tun-mtu) cut it into plain segments here. A frame whose IP and TCP headers cannot
 * be read goes as it is when the peer accepts its header, else nowhere. */
static void send_super_frame(struct peer *p, uint8_t *vh, size_t len)
{
	unsigned mtu = p->max_frame - VNET_ETH_OVERHEAD;
	uint8_t saved[VNET_HDR_LEN];
	struct vnet_hdr h, check;
	const char *why;
	int gso_size;

	vnet_hdr_decode(vh, &h);
	gso_size = vnet_gso_size_for_mtu(vh + VNET_HDR_LEN, len, &h, mtu);
	if (gso_size < 0)
		gso_size = h.gso_size;
	check = h;
	check.gso_size = (uint16_t)gso_size;
	if (vnet_hdr_check(&check, len, p->max_frame, mtu, &why) < 0) {
		if (!tunnel_plain_frames(p->vpn, vh, len, mtu, send_vnet_segment, p))
			p->stats.drops_gso++;
		return;
	}
	if (gso_size == h.gso_size) {
		send_payload(p, vh, VNET_HDR_LEN + len, len);
		return;
	}
	memcpy(saved, vh, VNET_HDR_LEN);
	h.gso_size = (uint16_t)gso_size;
	vnet_hdr_encode(&h, vh);
	send_payload(p, vh, VNET_HDR_LEN + len, len);
	memcpy(vh, saved, VNET_HDR_LEN);
	p->stats.gso_recut++;
}

void peer_send_frame(struct peer *p, uint8_t *vh, size_t len)
{
	if (p->state != PEER_UP)
		return;
	if (!p->vnet) {
		if (!tunnel_plain_frames(p->vpn, vh, len, p->max_frame - VNET_ETH_OVERHEAD,
		                         send_plain, p))
			p->stats.drops_gso++;
	} else if (vh[1] != VNET_GSO_NONE) {
		send_super_frame(p, vh, len);
	} else if (len > p->max_frame) {
		drop_oversize(p, len);
	} else {
		send_payload(p, vh, VNET_HDR_LEN + len, len);
	}
}

void peer_send_flooded(struct peer *p, uint8_t *vh, size_t len)
{
	/* A storm from one site fills at most half of every other site's queue, so the frames
	 * addressed to a site still find room behind it. */
	if (bq_len(&p->tx) > p->tx_limit / 2) {
		p->stats.drops_queue_full++;
		return;
	}
	peer_send_frame(p, vh, len);
}

static void send_hello(struct peer *p)
{
	const struct config *cfg = p->vpn->cfg;
	struct proto_hello hello = {
		.version = PROTO_VERSION,
		.caps =
		    ((cfg->comp == COMP_YES || cfg->comp == COMP_ADAPTIVE) ? PROTO_CAP_LZO : 0) |
		    (p->vpn->vnet ? PROTO_CAP_VNET_HDR : 0),
		.max_frame = p->vpn->max_frame,
		.ping_interval = (uint16_t)cfg->ping,
		.ping_timeout =
		    (uint16_t)(cfg->keepalive_timeout ? cfg->keepalive_timeout : cfg->ping_restart),
	};
	uint8_t buf[128];
	ssize_t n = proto_hello_encode(&hello, buf, sizeof(buf));
	uint8_t *dst;

	if (n < 0 || !(dst = bq_reserve(&p->tx, (size_t)n)))
		exit_bug("HELLO does not fit an empty send queue");
	memcpy(dst, buf, (size_t)n);
	bq_commit(&p->tx, (size_t)n);
}

static const char *comp_setting(bool on)
{
	return on ? "LZO" : "off";
}

/* The peer's HELLO: agree on compression, frame size and keepalive, then frames may flow. */
static int handle_hello(struct peer *p, const uint8_t *payload, size_t len)
{
	struct vpn *vpn = p->vpn;
	struct proto_hello hello;
	bool local_comp = vpn->cfg->comp == COMP_YES || vpn->cfg->comp == COMP_ADAPTIVE;
	bool remote_comp;
	int ret = proto_hello_decode(payload, len, &hello);

	if (ret < 0) {
		peer_close(p, ret == -EPROTONOSUPPORT
		                  ? "peer speaks an unsupported protocol version"
		                  : "malformed HELLO");
		return ret;
	}
	remote_comp = hello.caps & PROTO_CAP_LZO;
	p->vnet = vpn->vnet && (hello.caps & PROTO_CAP_VNET_HDR);
	p->comp = local_comp && remote_comp;
	if (local_comp != remote_comp)
		log_warnx("%s: compression mismatch (here %s, peer %s): the link runs uncompressed",
		          p->label, comp_setting(local_comp), comp_setting(remote_comp));
	p->max_frame = hello.max_frame < vpn->max_frame ? hello.max_frame : vpn->max_frame;
	if (p->max_frame < 64) {
		peer_close(p, "peer announced a maximum frame below 64 bytes");
		return -EPROTO;
	}
	/* Like OpenVPN's pushed ping settings: a client without keepalive adopts the server's. */
	if (!vpn->server && !vpn->cfg->ping && hello.ping_interval) {
		p->ping = hello.ping_interval;
		p->ping_restart = hello.ping_timeout;
	}
	/* Only a peer that completed the HELLO may replace another with its CN or take a site's
	 * place (max-clients, a switch port). */
	if (vpn->server && !server_peer_verified(p))
		return -EPERM;
	if (bq_grow(&p->rx, vpn->max_payload + PROTO_HDR_LEN + RX_SLACK) < 0 ||
	    bq_grow(&p->tx, TX_QUEUE_BYTES) < 0) {
		peer_close(p, "out of memory for the link's queues");
		return -ENOMEM;
	}
	SSL_clear_mode(p->ssl, SSL_MODE_RELEASE_BUFFERS);
	p->state = PEER_UP;
	p->was_up = true;
	p->connected_since = time(NULL);
	log_notice("%s: link up (%s, %s, compression %s, offloads %s, max frame %u)", p->label,
	           SSL_get_version(p->ssl), SSL_get_cipher_name(p->ssl), comp_setting(p->comp),
	           p->vnet ? "on" : "off", p->max_frame);
	tunnel_update_offloads(vpn);
	if (!vpn->server)
		client_peer_up(vpn);
	return 0;
}

/* Give a frame from a link without vnet headers the (empty) header every frame carries
 * inside the daemon: it is copied after one unless it already has room in front. */
static uint8_t *with_plain_header(struct vpn *vpn, const uint8_t *frame, size_t len)
{
	uint8_t *vh = vpn->plain_buf;

	if (frame == vpn->unzip_buf + VNET_HDR_LEN)
		vh = vpn->unzip_buf;
	else
		memcpy(vh + VNET_HDR_LEN, frame, len);
	memset(vh, 0, VNET_HDR_LEN);
	return vh;
}

/* A frame of LEN bytes from the peer that is well formed but larger than this link takes
 * (WHY: which limit): an older peer that ignores the negotiated maximum, or unequal tun-mtu.
 * Dropped and counted, logged once per link; the link stays up. Returns 0. */
static int drop_oversize_in(struct peer *p, size_t len, const char *why)
{
	p->stats.drops_oversize_in++;
	if (!p->oversize_in_logged) {
		p->oversize_in_logged = true;
		log_warnx("%s: %zu-byte frame from the peer dropped (%s, max frame %u); further "
		          "drops on this link are only counted",
		          p->label, len, why, p->max_frame);
	}
	return 0;
}

static int handle_frame(struct peer *p, const struct proto_msg *msg)
{
	struct vpn *vpn = p->vpn;
	const uint8_t *payload = msg->payload;
	size_t plen = msg->len, len;
	uint8_t *vh;
	struct vnet_hdr h;
	const char *why;
	char reason[128];
	int ret;

	if (msg->type == PROTO_FRAME_LZO) {
		uint8_t *out = p->vnet ? vpn->unzip_buf : vpn->unzip_buf + VNET_HDR_LEN;
		/* Room for any frame, so one merely above the link's max frame is dropped
		 * below rather than taken for corrupt data. */
		size_t max = p->vnet ? VNET_HDR_LEN + VNET_MAX_FRAME : VNET_MAX_FRAME;
		ssize_t n;

		if (!p->comp) {
			peer_close(p, "protocol error: compressed frame on an uncompressed link");
			return -EPROTO;
		}
		n = comp_decompress(vpn->comp, payload, plen, out, max);
		if (n < 0) {
			peer_close(p, "protocol error: compressed frame does not decompress");
			return (int)n;
		}
		payload = out;
		plen = (size_t)n;
	}
	if (p->vnet) {
		if (plen < VNET_HDR_LEN + 14) {
			peer_close(p,
			           "protocol error: frame shorter than a vnet header and 14 bytes");
			return -EPROTO;
		}
		/* The payload sits in our own receive (or decompression) buffer: the header is
		 * validated and normalised in place before the kernel ever sees it. */
		vh = (uint8_t *)payload;
		len = plen - VNET_HDR_LEN;
		vnet_hdr_decode(vh, &h);
		ret = vnet_hdr_check(&h, len, p->max_frame, vpn->cfg->tun_mtu, &why);
		if (ret == -EMSGSIZE)
			return drop_oversize_in(p, len, why);
		if (ret < 0) {
			snprintf(reason, sizeof(reason), "protocol error: %s", why);
			peer_close(p, reason);
			return -EPROTO;
		}
		vnet_hdr_encode(&h, vh);
	} else {
		if (plen < 14) {
			peer_close(p, "protocol error: frame shorter than 14 bytes");
			return -EPROTO;
		}
		if (plen > p->max_frame)
			return drop_oversize_in(p, plen, "frame larger than the maximum frame");
		len = plen;
		vh = with_plain_header(vpn, payload, len);
	}
	p->stats.frames_in++;
	p->stats.bytes_in += len;
	tunnel_frame_from_peer(p, vh, len);
	return 0;
}

static int handle_msg(struct peer *p, const struct proto_msg *msg)
{
	char reason[256];

	if (p->state == PEER_HELLO) {
		if (msg->type != PROTO_HELLO) {
			peer_close(p, "protocol error: expected HELLO first");
			return -EPROTO;
		}
		return handle_hello(p, msg->payload, msg->len);
	}
	switch (msg->type) {
	case PROTO_FRAME:
	case PROTO_FRAME_LZO:
		return handle_frame(p, msg);
	case PROTO_PING:
		queue_msg(p, PROTO_PONG, msg->payload, msg->len);
		return 0;
	case PROTO_PONG:
		return 0;
	case PROTO_GOODBYE:
		snprintf(reason, sizeof(reason), "peer said goodbye (%.*s)",
		         (int)(msg->len < 200 ? msg->len : 200), (const char *)msg->payload);
		peer_close(p, reason);
		return -ECONNRESET;
	default:
		peer_close(p, "protocol error: unexpected message");
		return -EPROTO;
	}
}

/* Strategy: the receive queue holds at least one maximum message; read TLS records until
 * OpenSSL has nothing more, parsing every complete message after each read, so one big read
 * yields many frames. */
static void parse_rx(struct peer *p)
{
	while (p->state == PEER_HELLO || p->state == PEER_UP) {
		struct proto_msg msg;
		size_t avail;
		const uint8_t *buf = bq_peek(&p->rx, &avail);
		/* Before HELLO only a HELLO fits: anything bigger is refused at its header. */
		size_t max_payload =
		    p->state == PEER_UP ? p->vpn->max_payload : PREAUTH_QUEUE - PROTO_HDR_LEN;
		ssize_t n = proto_decode(buf, avail, max_payload, &msg);

		if (n == 0)
			return;
		if (n < 0) {
			peer_close(p, n == -EMSGSIZE ? "protocol error: message larger than the "
			                               "maximum frame"
			                             : "protocol error: malformed message");
			return;
		}
		if (handle_msg(p, &msg) < 0)
			return;
		bq_consume(&p->rx, (size_t)n);
	}
}

static void tls_failed(struct peer *p, const char *what, int ssl_err)
{
	char why[512];
	const char *reason = p->ssl ? tls_session_reject_reason(p->ssl) : NULL;
	unsigned long e = ERR_peek_last_error();

	if (reason) {
		snprintf(why, sizeof(why), "%s: %s", what, reason);
	} else if (ssl_err == SSL_ERROR_SYSCALL && !e) {
		snprintf(why, sizeof(why), "%s: %s", what,
		         errno ? strerror(errno) : "connection closed by peer");
	} else if (ssl_err == SSL_ERROR_ZERO_RETURN) {
		snprintf(why, sizeof(why), "%s: peer closed TLS", what);
	} else {
		char buf[256] = "unknown error";
		if (e)
			ERR_error_string_n(e, buf, sizeof(buf));
		snprintf(why, sizeof(why), "%s: %s", what, buf);
	}
	ERR_clear_error();
	peer_close(p, why);
}

static void do_handshake(struct peer *p)
{
	int ret, err;

	ERR_clear_error();
	ret = SSL_do_handshake(p->ssl);
	if (ret != 1) {
		err = SSL_get_error(p->ssl, ret);
		if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) {
			p->want_write = err == SSL_ERROR_WANT_WRITE;
			return;
		}
		tls_failed(p, "TLS handshake failed", err);
		return;
	}
	p->want_write = false;
	tls_peer_common_name(p->ssl, p->cn, sizeof(p->cn));
	snprintf(p->label, sizeof(p->label), "%s/%s", p->cn, p->addr_str);
	log_info("%s: TLS handshake done, certificate verified", p->label);
	rekey_mark_set(&p->rekey, p->vpn->now, 0, 0);
	p->state = PEER_HELLO;
	send_hello(p);
}

static void do_read(struct peer *p)
{
	/* Strategy: bounded number of reads per event so one busy peer cannot starve others. */
	for (int round = 0; round < 64 && (p->state == PEER_HELLO || p->state == PEER_UP);
	     round++) {
		size_t room;
		uint8_t *dst = bq_tail_room(&p->rx, &room);
		int n, err;

		if (!room) {
			peer_close(p, "receive buffer full without a complete message");
			return;
		}
		ERR_clear_error();
		n = SSL_read(p->ssl, dst, room > INT32_MAX ? INT32_MAX : (int)room);
		if (n <= 0) {
			err = SSL_get_error(p->ssl, n);
			if (err == SSL_ERROR_WANT_READ)
				return;
			if (err == SSL_ERROR_WANT_WRITE) {
				p->want_write = true;
				return;
			}
			tls_failed(p, "read", err);
			return;
		}
		bq_commit(&p->rx, (size_t)n);
		p->stats.link_read += (uint64_t)n;
		p->last_rx = p->vpn->now;
		parse_rx(p);
	}
}

/* TLS key lifetime (reneg-sec/-bytes/-pkts, counted over both directions). A TLS 1.3 link
 * updates its keys in place: SSL_key_update asks the peer to update its sending keys too, and
 * the KeyUpdate message goes out at once, between records, with no round trip on the data path.
 * It must not be called while a partial SSL_write is pending (want_write): it waits for the
 * next flush then. A TLS 1.2 link cannot update its keys, so it ends with a goodbye and the
 * client reconnects with fresh ones. */
static void maybe_update_keys(struct peer *p)
{
	const struct config *cfg = p->vpn->cfg;
	struct rekey_limits lim = { cfg->reneg_sec, cfg->reneg_bytes, cfg->reneg_pkts };
	uint64_t bytes = p->stats.link_read + p->stats.link_write;
	uint64_t pkts = p->stats.frames_in + p->stats.frames_out;
	enum rekey_reason why = rekey_due(&lim, &p->rekey, p->vpn->now, bytes, pkts);
	char reason[160];
	int ret;

	if (why == REKEY_NONE || p->state != PEER_UP || p->want_write)
		return;
	if (SSL_version(p->ssl) < TLS1_3_VERSION) {
		snprintf(reason, sizeof(reason),
		         "%s reached on a %s link, which cannot update its keys: reconnecting",
		         rekey_reason_name(why), SSL_get_version(p->ssl));
		peer_goodbye(p, reason);
		return;
	}
	ERR_clear_error();
	if (SSL_key_update(p->ssl, SSL_KEY_UPDATE_REQUESTED) != 1) {
		ERR_clear_error(); /* e.g. the peer's own update is still going out: next time */
		return;
	}
	p->key_updates++;
	log_info("%s: TLS key update %u (%s: %llu bytes, %llu frames, %llu s on the old keys)",
	         p->label, p->key_updates, rekey_reason_name(why),
	         (unsigned long long)(bytes - p->rekey.bytes),
	         (unsigned long long)(pkts - p->rekey.pkts),
	         (unsigned long long)(p->vpn->now - p->rekey.at));
	rekey_mark_set(&p->rekey, p->vpn->now, bytes, pkts);
	ret = SSL_do_handshake(p->ssl);
	if (ret != 1) {
		int err = SSL_get_error(p->ssl, ret);
		if (err == SSL_ERROR_WANT_WRITE)
			p->want_write = true;
		else if (err != SSL_ERROR_WANT_READ)
			tls_failed(p, "TLS key update", err);
	}
}

void peer_flush(struct peer *p)
{
	if (p->state != PEER_HELLO && p->state != PEER_UP && p->state != PEER_CLOSING)
		return;
	p->want_write = false;
	while (bq_len(&p->tx)) {
		size_t len;
		const uint8_t *buf = bq_peek(&p->tx, &len);
		int n, err;

		if (len > TLS_WRITE_CHUNK)
			len = TLS_WRITE_CHUNK;
		ERR_clear_error();
		n = SSL_write(p->ssl, buf, (int)len);
		if (n <= 0) {
			err = SSL_get_error(p->ssl, n);
			if (err == SSL_ERROR_WANT_WRITE) {
				p->want_write = true;
				break;
			}
			if (err == SSL_ERROR_WANT_READ)
				break;
			tls_failed(p, "write", err);
			return;
		}
		bq_consume(&p->tx, (size_t)n);
		p->stats.link_write += (uint64_t)n;
		p->last_tx = p->vpn->now;
	}
	if (p->state == PEER_CLOSING && !bq_len(&p->tx)) {
		SSL_shutdown(p->ssl);
		peer_close(p, "goodbye sent");
		return;
	}
	maybe_update_keys(p);
	update_events(p);
}

bool peer_wants_flush(const struct peer *p)
{
	return bq_len(&p->tx) && !p->want_write &&
	       (p->state == PEER_HELLO || p->state == PEER_UP || p->state == PEER_CLOSING);
}

static void finish_connect(struct peer *p)
{
	int err = 0;
	socklen_t len = sizeof(err);

	if (getsockopt(p->watch.fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
		err = errno;
	if (err) {
		peer_close(p, strerror(err));
		return;
	}
	p->ssl = tls_session_new(p->vpn->tls, p->watch.fd);
	if (!p->ssl) {
		peer_close(p, "TLS session setup failed");
		return;
	}
	log_info("%s: TCP connected, TLS handshake", p->label);
	p->state = PEER_HANDSHAKE;
	do_handshake(p);
}

static void peer_on_event(struct watch *w, uint32_t events)
{
	struct peer *p = container_of(w, struct peer, watch);

	if (p->state == PEER_DEAD)
		return;
	p->active_ms = vpn_now_ms();
	if (events & EPOLLIN)
		p->heard = true;
	if (p->state == PEER_CONNECTING) {
		if (events & (EPOLLOUT | EPOLLERR | EPOLLHUP))
			finish_connect(p);
	} else if (p->state == PEER_HANDSHAKE) {
		do_handshake(p);
	}
	if (p->state == PEER_HELLO || p->state == PEER_UP)
		do_read(p);
	if (p->state == PEER_HELLO || p->state == PEER_UP || p->state == PEER_CLOSING)
		peer_flush(p);
	if (p->state == PEER_CLOSING && (events & (EPOLLHUP | EPOLLERR)))
		peer_close(p, "connection lost while closing");
	update_events(p);
}

void peer_goodbye(struct peer *p, const char *reason)
{
	size_t len = strlen(reason);

	if (p->state != PEER_UP && p->state != PEER_HELLO) {
		peer_close(p, reason);
		return;
	}
	queue_msg(p, PROTO_GOODBYE, (const uint8_t *)reason,
	          len > PROTO_GOODBYE_MAX ? PROTO_GOODBYE_MAX : len);
	p->state = PEER_CLOSING;
	p->closing_since = p->vpn->now;
	log_info("%s: saying goodbye (%s)", p->label, reason);
	peer_flush(p);
}

/* Bound the send queue in time: as many bytes as the link drained in TX_SOJOURN_MS over the
 * last second (at least TX_QUEUE_MIN, at most TX_QUEUE_BYTES). A slow WAN gets a short queue
 * in bytes, so a bulk transfer does not add seconds of delay to everything else. */
static void adapt_tx_limit(struct peer *p)
{
	uint64_t rate = p->stats.link_write - p->tx_written_at_tick; /* bytes in ~1 s */
	uint64_t limit = rate * TX_SOJOURN_MS / 1000;

	p->tx_written_at_tick = p->stats.link_write;
	if (limit < TX_QUEUE_MIN)
		limit = TX_QUEUE_MIN;
	if (limit > TX_QUEUE_BYTES)
		limit = TX_QUEUE_BYTES;
	p->tx_limit = (size_t)limit;
}

void peer_tick(struct peer *p)
{
	struct vpn *vpn = p->vpn;
	uint64_t now = vpn->now;
	char why[128];

	if (p->state == PEER_DEAD)
		return;
	if (p->state == PEER_CLOSING) {
		if (now - p->closing_since >= 2)
			peer_close(p, "goodbye not acknowledged in time");
		return;
	}
	if (p->state != PEER_UP) {
		if (vpn->server && now - p->started >= vpn->cfg->preauth_timeout) {
			/* A stranger's slot: counted and logged with the other refusals. */
			preauth_refused(vpn, REFUSED_TIMEOUT, p->addr_str);
			peer_close_quietly(p);
		} else if (now - p->started >= vpn->cfg->hand_window) {
			snprintf(why, sizeof(why),
			         "no working link within %u s (hand-window): giving up",
			         vpn->cfg->hand_window);
			peer_close(p, why);
		}
		return;
	}
	if (vpn->cfg->ping_exit && now - p->last_rx >= vpn->cfg->ping_exit) {
		log_notice("%s: nothing received for %u s (ping-exit): exiting", p->label,
		           vpn->cfg->ping_exit);
		vpn->run = STOP;
		return;
	}
	if (p->ping_restart && now - p->last_rx >= p->ping_restart) {
		snprintf(why, sizeof(why), "nothing received for %u s (ping-restart)",
		         p->ping_restart);
		peer_close(p, why);
		return;
	}
	adapt_tx_limit(p);
	maybe_update_keys(p);
	if (p->state == PEER_UP && p->ping && now - p->last_tx >= p->ping) {
		uint8_t stamp[8] = { 0 };
		memcpy(stamp, &now, sizeof(stamp));
		queue_msg(p, PROTO_PING, stamp, sizeof(stamp));
		peer_flush(p);
	}
}
