/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A peer: one TLS-over-TCP connection to another site, from TCP connect through the TLS
 * handshake and the HELLO exchange to frames flowing, with a bounded send queue, keepalive and
 * deadlines. Malformed input closes this connection only.
 */
#ifndef L2VPN_PEER_H
#define L2VPN_PEER_H

#include "context.h"

/* What a peer tells its owner (the server or the client role), so the peer code depends only
 * downward. Every callback gets the peer; none may free it (peer_reap() does). */
struct peer_owner {
	/* TLS and the HELLO exchange are done: true lets the link come up; false refuses it
	 * (the owner has sent a goodbye or closed the peer). NULL: always accepted. */
	bool (*verified)(struct peer *p);
	/* The link is up: frames flow from now on. */
	void (*up)(struct peer *p);
	/* A frame (VH: vnet header + LEN-byte frame, validated and decompressed) arrived. */
	void (*frame)(struct peer *p, uint8_t *vh, size_t len);
	/* The connection is gone (its socket closed); WAS_UP: the link had come up. */
	void (*closed)(struct peer *p, bool was_up);
};

/* Take over socket FD (non-blocking) to a peer at SA for OWNER (which must outlive the
 * peer). CONNECTING: a client connect() is in progress; otherwise the TLS handshake starts at
 * once. Returns the peer (linked into vpn->peers and the loop) or NULL (FD closed, logged). */
struct peer *peer_new(struct vpn *vpn, const struct peer_owner *owner, int fd,
                      const struct sockaddr *sa, socklen_t sa_len, bool connecting);

/* Set TCP socket FD's congestion control to NAME (TCP_CONGESTION). 0 or -errno: -ENOENT
 * the kernel has no such algorithm, -EPERM it is not in net.ipv4.tcp_allowed_congestion_control
 * and the process lacks CAP_NET_ADMIN. A listening socket hands it to the sockets it accepts. */
int peer_set_congestion(int fd, const char *name);

/* Queue one frame (VH: vnet header + LEN-byte frame, see tunnel.h) for the peer: with its
 * header on an offload link, plain otherwise; compressed when negotiated and worthwhile.
 * Dropped and counted when the peer is not up, cannot take a super-frame or its queue is
 * full. */
void peer_send_frame(struct peer *p, uint8_t *vh, size_t len);

/* The same for a flooded frame (broadcast, multicast, unknown destination): it is dropped and
 * counted once the queue is half full, which keeps the other half for frames addressed to the
 * peer. */
void peer_send_flooded(struct peer *p, uint8_t *vh, size_t len);

/* Write as much of the send queue as the socket takes now. */
void peer_flush(struct peer *p);

/* Keepalive and deadlines; call about once a second. */
void peer_tick(struct peer *p);

/* Say goodbye (queued after pending frames) and shut TLS down; the peer is freed by
 * peer_reap(). */
void peer_goodbye(struct peer *p, const char *reason);

/* Close at once, logging WHY (rate-limited for a server's pending connections). The socket
 * is closed now; the peer stays allocated until peer_reap(). */
void peer_close(struct peer *p, const char *why);

/* The same without a log line, for a caller that has logged the reason itself. */
void peer_close_quietly(struct peer *p);

/* Free peers closed during this loop turn. */
void peer_reap(struct vpn *vpn);

/* Peer with pending output that the loop should flush. */
bool peer_wants_flush(const struct peer *p);

/* Peer whose last read stopped at its round cap while OpenSSL still held input: no socket
 * event will announce those bytes, so the loop must not sleep and call peer_read_pending(). */
bool peer_has_pending_input(const struct peer *p);

/* Read another bounded batch of a peer's pending input. */
void peer_read_pending(struct peer *p);

#endif
