// SPDX-License-Identifier: GPL-2.0-or-later
#include "peer_internal.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include <openssl/err.h>

#include "escape.h"
#include "log.h"
#include "preauth.h"
#include "tls.h"

#define TLS_WRITE_CHUNK 16384        /* one full TLS record per SSL_write */
#define TX_QUEUE_MIN    (128 * 1024) /* two super-frames, whatever the link's speed */
#define TX_SOJOURN_MS                                                                              \
	5                          /* frames may wait this long in our queue, at the rate          \
	                            * the link drained it in the last second */
#define NOTSENT_LOWAT (128 * 1024) /* unsent bytes the kernel keeps for us */

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

int peer_set_congestion(int fd, const char *name)
{
	if (setsockopt(fd, IPPROTO_TCP, TCP_CONGESTION, name, (socklen_t)strlen(name)) < 0)
		return -errno;
	return 0;
}

struct peer *peer_new(struct vpn *vpn, const struct peer_owner *owner, int fd,
                      const struct sockaddr *sa, socklen_t sa_len, bool connecting)
{
	struct peer *p = calloc(1, sizeof(*p));
	int one = 1, lowat = NOTSENT_LOWAT;

	if (!p)
		goto fail;
	p->vpn = vpn;
	p->owner = owner;
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
	vpn_peer_changed(p, NULL);
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
	p->owner->closed(p, was_up);
}

void peer_close(struct peer *p, const char *why)
{
	if (p->state == PEER_DEAD)
		return;
	log_closed(p, why);
	peer_close_quietly(p);
	vpn_peer_changed(p, why);
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
		for (int k = 0; k < STORM_N; k++)
			vpn->counters.storm_dropped_gone += p->storm.dropped[k];
		vpn->counters.peer_link_read += p->stats.link_read;
		vpn->counters.peer_link_write += p->stats.link_write;
		tls_session_free(p->ssl);
		if (p->watch.fd >= 0)
			close(p->watch.fd);
		bq_free(&p->rx);
		bq_free(&p->tx);
		free(p);
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
	char cn[sizeof(p->cn)];
	size_t cn_len;
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
	/* The CN is the peer's text: log lines and the status file get a printable copy. */
	cn_len = tls_peer_common_name(p->ssl, cn, sizeof(cn));
	esc_printable(p->cn, sizeof(p->cn), cn, cn_len, 0);
	snprintf(p->label, sizeof(p->label), "%s/%s", p->cn, p->addr_str);
	log_info("%s: TLS handshake done, certificate verified", p->label);
	rekey_mark_set(&p->rekey, p->vpn->now, 0, 0);
	p->state = PEER_HELLO;
	vpn_peer_changed(p, NULL);
	peer_send_hello(p);
}

/* SSL_read() returned N <= 0: nothing more to read now (TLS may want the socket writable
 * first), or the connection failed and is closed with WHAT. */
static void read_stopped(struct peer *p, int n, const char *what)
{
	int err = SSL_get_error(p->ssl, n);

	if (err == SSL_ERROR_WANT_READ)
		return;
	if (err == SSL_ERROR_WANT_WRITE) {
		p->want_write = p->read_wants_write = true;
		return;
	}
	tls_failed(p, what, err);
}

static void do_read(struct peer *p)
{
	/* Strategy: bounded number of reads per event so one busy peer cannot starve others.
	 * When the bound stops the reads, OpenSSL may hold the rest of a record (or more) that
	 * the socket will not announce again: rx_pending makes the loop come back at once. */
	p->rx_pending = p->read_wants_write = false;
	for (int round = 0; round < 64 && (p->state == PEER_HELLO || p->state == PEER_UP);
	     round++) {
		size_t room;
		uint8_t *dst = bq_tail_room(&p->rx, &room);
		int n;

		if (!room) {
			peer_close(p, "receive buffer full without a complete message");
			return;
		}
		ERR_clear_error();
		n = SSL_read(p->ssl, dst, room > INT32_MAX ? INT32_MAX : (int)room);
		if (n <= 0) {
			read_stopped(p, n, "read");
			return;
		}
		bq_commit(&p->rx, (size_t)n);
		p->stats.link_read += (uint64_t)n;
		p->last_rx = p->vpn->now;
		peer_parse_rx(p);
	}
	p->rx_pending = (p->state == PEER_HELLO || p->state == PEER_UP) && SSL_has_pending(p->ssl);
}

bool peer_has_pending_input(const struct peer *p)
{
	return p->rx_pending && (p->state == PEER_HELLO || p->state == PEER_UP);
}

void peer_read_pending(struct peer *p)
{
	if (!peer_has_pending_input(p))
		return;
	do_read(p);
	update_events(p);
}

/* A closing peer's input is read and dropped: left unread it would wake the level-triggered
 * loop again and again until the goodbye deadline. Bounded like do_read(); the peer closing
 * its side (or any read error) ends the connection at once. */
static void drain_closing(struct peer *p)
{
	uint8_t scratch[TLS_WRITE_CHUNK];

	for (int round = 0; round < 64 && p->state == PEER_CLOSING; round++) {
		int n;

		ERR_clear_error();
		n = SSL_read(p->ssl, scratch, sizeof(scratch));
		if (n <= 0) {
			read_stopped(p, n, "read while saying goodbye");
			return;
		}
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
	vpn_peer_changed(p, NULL);
	do_handshake(p);
}

/* Whether an event on a peer whose link was in state BEFORE calls for a read: input, an
 * error or hangup, a read that waited for the socket to be writable, or decrypted bytes
 * OpenSSL holds. A link that just reached HELLO reads too: the handshake's last read may have
 * brought the peer's HELLO along. A mere EPOLLOUT does not: no empty read() per send, even
 * when read-ahead left part of a record inside OpenSSL (the rest comes with EPOLLIN). */
static bool wants_read(const struct peer *p, uint32_t events, enum peer_state before)
{
	return (events & ~(uint32_t)EPOLLOUT) || p->read_wants_write || p->state != before ||
	       SSL_pending(p->ssl) > 0;
}

static void peer_on_event(struct watch *w, uint32_t events)
{
	struct peer *p = container_of(w, struct peer, watch);
	enum peer_state before = p->state;

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
	if (p->state == PEER_HELLO || p->state == PEER_UP) {
		if (wants_read(p, events, before))
			do_read(p);
	} else if (p->state == PEER_CLOSING && (events & (EPOLLIN | EPOLLRDHUP)))
		drain_closing(p);
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
	peer_queue_msg(p, PROTO_GOODBYE, (const uint8_t *)reason,
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
		} else if (p->state == PEER_CONNECTING &&
		           now - p->started >= vpn->cfg->connect_timeout) {
			/* Into a blackhole the kernel's SYN retries back off to minutes: a fresh
			 * attempt after connect-retry gets through sooner once the path is back. */
			snprintf(why, sizeof(why),
			         "TCP connect timed out after %u s (connect-timeout)",
			         vpn->cfg->connect_timeout);
			peer_close(p, why);
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
		peer_queue_msg(p, PROTO_PING, stamp, sizeof(stamp));
		peer_flush(p);
	}
}
