/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * mactable: the MAC learning table of the server's virtual switch. Entries are keyed on
 * (VLAN id, MAC): untagged frames are VLAN 0, and the same MAC on two VLANs is two entries (a
 * VRRP virtual MAC at two sites is no flap). Ports are small ints: 0 = the local tap, 1.. =
 * peers. Open addressing with linear probing and backward-shift
 * deletion in one array sized at creation; lookups and learning never allocate (learning on a
 * port number never seen before may grow the small per-port counter array once).
 *
 * Times are monotonic seconds. An entry is aged when now - last_seen >= age_seconds
 * (age_seconds 0: entries never age). An aged entry is invisible to lookups and is replaced on
 * the next learn of that MAC; mactable_expire() removes aged entries for good.
 */
#ifndef L2VPN_MACTABLE_H
#define L2VPN_MACTABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Flapping: a MAC that moved at least MACTABLE_FLAP_MOVES times within MACTABLE_FLAP_WINDOW
 * seconds (a duplicate MAC or a loop rather than a migration). */
#define MACTABLE_FLAP_MOVES  3
#define MACTABLE_FLAP_WINDOW 10

#define MACTABLE_MAX_VID     4095 /* 802.1Q VLAN ids are 12 bits; VLAN 0 = untagged */

struct mactable;

/* A table holding at most MAX_ENTRIES MACs (> 0), at most MAX_PER_PORT of them on any one peer
 * port (0: no per-port cap; port 0, the local tap, is only bounded by MAX_ENTRIES), aged after
 * AGE_SECONDS (0: never). NULL on bad arguments or out of memory. */
struct mactable *mactable_new(unsigned max_entries, unsigned max_per_port, unsigned age_seconds);
void mactable_free(struct mactable *t);

/* Group (multicast/broadcast) bit: the I/G bit of the first octet. */
bool mac_is_group(const uint8_t mac[6]);
bool mac_is_zero(const uint8_t mac[6]);

enum mactable_learn {
	MAC_IGNORED = 0, /* group/zero MAC, negative port or VID above 4095: never learned */
	MAC_NEW,         /* a new entry (also: an aged entry re-learned) */
	MAC_REFRESHED,   /* known on this port: last_seen updated */
	MAC_MOVED,       /* known on another port: moved here, *old_port says from where */
	MAC_FULL,        /* table or per-port cap reached: not learned */
};

/* Learn source MAC of VLAN VID on PORT at NOW. A MAC seen on a new port moves at once; *OLD_PORT
 * (may be NULL) gets the previous port on MAC_MOVED, and on MAC_FULL when a move was refused
 * because the new port is at its cap: then the stale entry is removed (the MAC floods until it is
 * learned again) and *OLD_PORT names the port it was on; otherwise *OLD_PORT is set to -1.
 * When the table is full, aged entries are swept first (at most once per second). */
enum mactable_learn mactable_learn(struct mactable *t, const uint8_t mac[6], uint16_t vid, int port,
                                   uint64_t now, int *old_port);

/* Port for destination MAC on VLAN VID, or -1 (unknown, aged out, or group: flood). */
int mactable_lookup(const struct mactable *t, const uint8_t mac[6], uint16_t vid, uint64_t now);

/* Give site PORT (>= 1) its own cap of MAX_ENTRIES (0: none) and age (0: never) instead of
 * the table's, for entries learned from now on and for the ones it holds. 0, or -1 (a bad
 * port, or out of memory). */
int mactable_set_port_limits(struct mactable *t, int port, unsigned max_entries,
                             unsigned age_seconds);

/* PORT goes back to the table's cap and age. */
void mactable_clear_port_limits(struct mactable *t, int port);

/* Remove every entry on PORT (a peer went away). */
void mactable_forget_port(struct mactable *t, int port);

/* Remove aged entries. */
void mactable_expire(struct mactable *t, uint64_t now);

/* Entries held (aged ones included until expired or replaced). */
size_t mactable_count(const struct mactable *t);
size_t mactable_port_count(const struct mactable *t, int port);

/* True when (MAC, VID) is present and has moved MACTABLE_FLAP_MOVES times or more within the last
 * MACTABLE_FLAP_WINDOW seconds. Meant to be asked after MAC_MOVED to log a duplicate MAC or
 * a loop (the caller rate-limits the log line). */
bool mactable_flapping(const struct mactable *t, const uint8_t mac[6], uint16_t vid, uint64_t now);

/* Call FN for every entry (aged ones included; expire first to skip them), in table order.
 * FN must not modify the table. */
typedef void mactable_visit_fn(const uint8_t mac[6], uint16_t vid, int port, uint64_t last_seen,
                               void *arg);
void mactable_foreach(const struct mactable *t, mactable_visit_fn *fn, void *arg);

#endif
