/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Inside a peer: the pieces peer.c (connection, TLS, socket I/O), peer_send.c (frames and
 * messages into the send queue) and peer_recv.c (messages out of the receive queue) share.
 * Not for other modules: they use peer.h.
 */
#ifndef L2VPN_PEER_INTERNAL_H
#define L2VPN_PEER_INTERNAL_H

#include "peer.h"

#define TX_QUEUE_BYTES (512 * 1024) /* hard cap of a peer's send queue */
#define RX_SLACK       (64 * 1024)  /* receive queue room beyond one maximum message */
#define PREAUTH_QUEUE  4096         /* each queue until HELLO: the HELLOs are far smaller */
#define LZO_MIN_FRAME  128          /* smaller frames are not worth compressing */
#define TX_CTRL_ROOM   512          /* send queue room frames leave for PING, PONG and GOODBYE */
#define TLS_READ_BUF   (128 * 1024) /* an up link's read-ahead: many records per socket read */

/* Append one message (header + LEN-byte payload) to P's send queue. false: no room (frames
 * always leave TX_CTRL_ROOM bytes for control messages). */
bool peer_queue_msg(struct peer *p, uint8_t type, const uint8_t *payload, size_t len);

/* Queue our HELLO (capabilities, max frame, keepalive): the first message after TLS. */
void peer_send_hello(struct peer *p);

/* Parse and act on every complete message in P's receive queue (HELLO, frames, keepalive,
 * goodbye). A malformed one closes P. */
void peer_parse_rx(struct peer *p);

#endif
