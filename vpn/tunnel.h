/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The frame path between the tap and the peers: drain the tap in batches, switch each frame
 * (server: a learning virtual switch whose ports are the tap and each peer), hand frames from
 * peers to the tap and, with client-to-client, to other peers.
 */
#ifndef L2VPN_TUNNEL_H
#define L2VPN_TUNNEL_H

#include "context.h"

/* Read frames from the tap until EAGAIN (bounded) and queue them to their peers. */
void tunnel_tap_readable(struct vpn *vpn);

/* A frame (already decompressed) arrived from peer P. */
void tunnel_frame_from_peer(struct peer *p, const uint8_t *frame, size_t len);

/* Peer P is gone: forget the MACs learned behind it. */
void tunnel_peer_gone(struct peer *p);

#endif
