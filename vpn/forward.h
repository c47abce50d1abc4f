/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * forward: the per-frame decision of the server's virtual switch, a pure function of the MAC
 * table, the frame's addresses and VLAN, the port it came in on and the policy. Port 0 is the
 * local tap (the server's own bridge), ports 1.. are sites. The caller learns and sends as
 * told; nothing here does I/O or changes the table.
 *
 * The rules, as a learning bridge with split horizon:
 *   - a frame whose source MAC is a group or all-zero address is invalid Ethernet: dropped,
 *     never learned (a Linux bridge drops those too);
 *   - a frame from a port in loop protection's hold is dropped and not learned;
 *   - the source is learned on the ingress port;
 *   - from the tap: a destination known on a site goes to that site, one known on the tap
 *     (or the source itself) is dropped, an unknown or group destination is flooded to the
 *     sites;
 *   - from a site without client-to-client: to the tap, whatever the destination (as
 *     OpenVPN, so the server's bridge and its firewall see every frame);
 *   - from a site with client-to-client: to the tap or the site the destination is known on,
 *     dropped when it is known on the ingress site itself (or is the source), flooded to the
 *     tap and every other site when unknown or a group address.
 * The destination is looked up in the frame's own VLAN (802.1Q or 802.1ad outer tag; untagged
 * and priority-tagged frames are VLAN 0).
 */
#ifndef L2VPN_FORWARD_H
#define L2VPN_FORWARD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mactable.h"

#define FWD_PORT_TAP 0

struct fwd_frame {
	const uint8_t *dst, *src; /* into the frame */
	uint16_t vid;             /* VLAN id of the outer tag, 0 when untagged */
};

/* Read the addresses and VLAN of the Ethernet FRAME of LEN bytes. 0, or -EINVAL when LEN is
 * shorter than an Ethernet header (14 bytes), or than a tagged one (18) for a tagged frame. */
int fwd_parse(const uint8_t *frame, size_t len, struct fwd_frame *f);

/* What the destination is, for storm control: a known unicast, an unknown unicast (flooded),
 * a multicast, or the broadcast address. */
enum fwd_class {
	FWD_KNOWN_UNICAST,
	FWD_UNKNOWN_UNICAST,
	FWD_MULTICAST,
	FWD_BROADCAST,
};

enum fwd_action {
	FWD_DROP,  /* nowhere (see reason) */
	FWD_TAP,   /* to the local tap */
	FWD_PORT,  /* to the site on .port */
	FWD_FLOOD, /* to every site but the ingress one, and to the tap when .flood_tap */
};

enum fwd_drop {
	FWD_DROP_NONE,
	FWD_DROP_BAD_SOURCE, /* group or zero source MAC */
	FWD_DROP_BLOCKED,    /* the ingress port is held by loop protection */
	FWD_DROP_SAME_SIDE,  /* the destination is behind the ingress port (or is the source) */
	FWD_DROP_N,
};

struct fwd_policy {
	bool client_to_client; /* sites may reach each other directly */
	bool ingress_blocked;  /* the ingress port is held by loop protection */
};

struct fwd_decision {
	enum fwd_action action;
	enum fwd_drop drop; /* FWD_DROP: why */
	enum fwd_class cls;
	int port;       /* FWD_PORT: the site's port */
	bool flood_tap; /* FWD_FLOOD: the tap gets it too */
	bool learn;     /* learn the source MAC (and VLAN) on the ingress port */
};

/* The decision for frame F that came in on port INGRESS at NOW (monotonic seconds), by the
 * rules above. TABLE is only read. */
struct fwd_decision fwd_decide(const struct mactable *table, const struct fwd_frame *f, int ingress,
                               const struct fwd_policy *policy, uint64_t now);

/* "bad-source", "blocked", "same-side" (and "none"), for counters and logs. */
const char *fwd_drop_name(enum fwd_drop drop);

#endif
