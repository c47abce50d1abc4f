// SPDX-License-Identifier: GPL-2.0-or-later
/* forward: the virtual switch's per-frame decision (see forward.h). */
#include "forward.h"

#include <errno.h>
#include <string.h>

#define ETH_HLEN         14
#define ETH_TAGGED_LEN   18
#define ETHERTYPE_8021Q  0x8100
#define ETHERTYPE_8021AD 0x88a8

static const uint8_t broadcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

int fwd_parse(const uint8_t *frame, size_t len, struct fwd_frame *f)
{
	unsigned type;

	if (len < ETH_HLEN)
		return -EINVAL;
	f->dst = frame;
	f->src = frame + 6;
	f->vid = 0;
	type = (unsigned)frame[12] << 8 | frame[13];
	if (type == ETHERTYPE_8021Q || type == ETHERTYPE_8021AD) {
		if (len < ETH_TAGGED_LEN)
			return -EINVAL;
		f->vid = (uint16_t)(((unsigned)frame[14] << 8 | frame[15]) & 0x0fff);
	}
	return 0;
}

static struct fwd_decision drop(struct fwd_decision d, enum fwd_drop why)
{
	d.action = FWD_DROP;
	d.drop = why;
	return d;
}

struct fwd_decision fwd_decide(const struct mactable *table, const struct fwd_frame *f, int ingress,
                               const struct fwd_policy *policy, uint64_t now)
{
	struct fwd_decision d = { .action = FWD_DROP, .drop = FWD_DROP_NONE };
	bool from_tap = ingress == FWD_PORT_TAP;
	int port = -1;

	if (mac_is_group(f->dst))
		d.cls = memcmp(f->dst, broadcast, 6) == 0 ? FWD_BROADCAST : FWD_MULTICAST;
	else if ((port = mactable_lookup(table, f->dst, f->vid, now)) >= 0)
		d.cls = FWD_KNOWN_UNICAST;
	else
		d.cls = FWD_UNKNOWN_UNICAST;

	if (mac_is_group(f->src) || mac_is_zero(f->src))
		return drop(d, FWD_DROP_BAD_SOURCE);
	if (policy->ingress_blocked)
		return drop(d, FWD_DROP_BLOCKED);
	d.learn = true;
	if (!from_tap && !policy->client_to_client) {
		d.action = FWD_TAP;
		return d;
	}
	if (memcmp(f->dst, f->src, 6) == 0 || port == ingress)
		return drop(d, FWD_DROP_SAME_SIDE);
	if (port == FWD_PORT_TAP) {
		d.action = FWD_TAP;
	} else if (port > 0) {
		d.action = FWD_PORT;
		d.port = port;
	} else {
		d.action = FWD_FLOOD;
		d.flood_tap = !from_tap;
	}
	return d;
}

const char *fwd_drop_name(enum fwd_drop why)
{
	switch (why) {
	case FWD_DROP_BAD_SOURCE:
		return "bad-source";
	case FWD_DROP_BLOCKED:
		return "blocked";
	case FWD_DROP_SAME_SIDE:
		return "same-side";
	default:
		return "none";
	}
}
