/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The frame path between the tap and the peers: drain the tap in batches, switch each frame
 * (server: a learning virtual switch whose ports are the tap and each peer), hand frames from
 * peers to the tap and, with client-to-client, to other peers.
 */
#ifndef L2VPN_TUNNEL_H
#define L2VPN_TUNNEL_H

#include "context.h"
#include "vnet.h"

/* Frames travel inside the daemon as VH: a 10-byte little-endian vnet header (all zero for a
 * plain frame) directly followed by the LEN-byte Ethernet frame. */

/* Read frames from the tap until EAGAIN (bounded) and queue them to their peers. */
void tunnel_tap_readable(struct vpn *vpn);

/* A frame (already decompressed and validated) arrived from peer P. */
void tunnel_frame_from_peer(struct peer *p, uint8_t *vh, size_t len);

/* Peer P came up or went away: set the tap's offloads to what every up peer can take. */
void tunnel_update_offloads(struct vpn *vpn);

/* Peer P is gone: forget the MACs learned behind it, re-check offloads. */
void tunnel_peer_gone(struct peer *p);

#endif
