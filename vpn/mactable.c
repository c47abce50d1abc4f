// SPDX-License-Identifier: GPL-2.0-or-later
/* mactable: MAC learning table (see mactable.h). */
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "mactable.h"

#define MACTABLE_MAX_ENTRIES (1u << 24)
#define MACTABLE_MAX_PORT    65535 /* ports above are refused (MAC_IGNORED) */
#define MIN_SLOTS            16

struct mac_entry {
	uint8_t mac[6];
	uint16_t vid;
	bool used;
	uint8_t moves; /* moves counted since window_start (saturates) */
	int port;
	uint64_t last_seen;
	uint64_t window_start; /* start of the current flapping window */
};

struct port_info {
	unsigned count;
	unsigned cap, age; /* with limits_set: this port's own cap (0: none) and age */
	bool limits_set;
};

struct mactable {
	struct mac_entry *slots;
	size_t mask; /* slot count - 1 (a power of two), at least 2 x max_entries */
	size_t count;
	unsigned max_entries;
	unsigned max_per_port;
	unsigned age;
	uint64_t seed;           /* keyed hash: a flooder cannot aim at one probe chain */
	struct port_info *ports; /* per port: entries, and limits when set */
	size_t n_ports;
	bool swept;          /* last_sweep is valid */
	uint64_t last_sweep; /* when a full table last triggered an expire sweep */
};

bool mac_is_group(const uint8_t mac[6])
{
	return mac[0] & 1;
}

bool mac_is_zero(const uint8_t mac[6])
{
	return !(mac[0] | mac[1] | mac[2] | mac[3] | mac[4] | mac[5]);
}

static size_t mac_hash(const struct mactable *t, const uint8_t mac[6], uint16_t vid)
{
	uint64_t h = vid;

	for (int i = 0; i < 6; i++)
		h = h << 8 | mac[i];
	/* splitmix64 finaliser over the keyed value */
	h ^= t->seed;
	h = (h ^ (h >> 30)) * 0xbf58476d1ce4e5b9ull;
	h = (h ^ (h >> 27)) * 0x94d049bb133111ebull;
	h ^= h >> 31;
	return (size_t)h & t->mask;
}

struct mactable *mactable_new(unsigned max_entries, unsigned max_per_port, unsigned age_seconds)
{
	struct mactable *t;
	size_t slots = MIN_SLOTS;

	if (max_entries == 0 || max_entries > MACTABLE_MAX_ENTRIES)
		return NULL;
	while (slots < 2 * (size_t)max_entries)
		slots *= 2;
	t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	t->slots = calloc(slots, sizeof(*t->slots));
	if (!t->slots) {
		free(t);
		return NULL;
	}
	t->mask = slots - 1;
	t->max_entries = max_entries;
	t->max_per_port = max_per_port;
	t->age = age_seconds;
	if (getrandom(&t->seed, sizeof(t->seed), GRND_NONBLOCK) != sizeof(t->seed))
		t->seed = (uint64_t)(uintptr_t)t ^ 0x9e3779b97f4a7c15ull;
	return t;
}

void mactable_free(struct mactable *t)
{
	if (!t)
		return;
	free(t->slots);
	free(t->ports);
	free(t);
}

static unsigned port_age(const struct mactable *t, int port)
{
	if (port >= 0 && (size_t)port < t->n_ports && t->ports[port].limits_set)
		return t->ports[port].age;
	return t->age;
}

static bool entry_aged(const struct mactable *t, const struct mac_entry *e, uint64_t now)
{
	unsigned age = port_age(t, e->port);

	return age && now > e->last_seen && now - e->last_seen >= age;
}

/* Index of (MAC, VID)'s slot, or of the free slot where it would go (check .used). */
static size_t probe(const struct mactable *t, const uint8_t mac[6], uint16_t vid)
{
	size_t i = mac_hash(t, mac, vid);

	/* load stays <= 50 %, so a free slot always ends the chain */
	while (t->slots[i].used && (t->slots[i].vid != vid || memcmp(t->slots[i].mac, mac, 6) != 0))
		i = (i + 1) & t->mask;
	return i;
}

static unsigned port_count(const struct mactable *t, int port)
{
	return port >= 0 && (size_t)port < t->n_ports ? t->ports[port].count : 0;
}

static bool port_full(const struct mactable *t, int port)
{
	unsigned cap = t->max_per_port;

	if (port >= 0 && (size_t)port < t->n_ports && t->ports[port].limits_set)
		cap = t->ports[port].cap;
	return port != 0 && cap && port_count(t, port) >= cap;
}

/* Make ports[PORT] addressable. 0 or -1 (out of memory). */
static int reserve_port(struct mactable *t, int port)
{
	size_t n = t->n_ports ? t->n_ports : 16;
	struct port_info *grown;

	if ((size_t)port < t->n_ports)
		return 0;
	while (n <= (size_t)port)
		n *= 2;
	grown = realloc(t->ports, n * sizeof(*grown));
	if (!grown)
		return -1;
	memset(grown + t->n_ports, 0, (n - t->n_ports) * sizeof(*grown));
	t->ports = grown;
	t->n_ports = n;
	return 0;
}

int mactable_set_port_limits(struct mactable *t, int port, unsigned max_entries,
                             unsigned age_seconds)
{
	if (port <= 0 || port > MACTABLE_MAX_PORT || reserve_port(t, port) < 0)
		return -1;
	t->ports[port].cap = max_entries;
	t->ports[port].age = age_seconds;
	t->ports[port].limits_set = true;
	return 0;
}

void mactable_clear_port_limits(struct mactable *t, int port)
{
	if (port >= 0 && (size_t)port < t->n_ports)
		t->ports[port].limits_set = false;
}

/* Remove the entry in slot I. Strategy (backward shift): walk the probe chain after the hole
 * and move back every entry whose home slot does not lie cyclically in (hole, its slot], so
 * every chain stays unbroken without tombstones. */
static void remove_slot(struct mactable *t, size_t i)
{
	size_t j = i;

	t->ports[t->slots[i].port].count--;
	t->count--;
	for (;;) {
		size_t home;

		j = (j + 1) & t->mask;
		if (!t->slots[j].used)
			break;
		home = mac_hash(t, t->slots[j].mac, t->slots[j].vid);
		if (i <= j ? (i < home && home <= j) : (i < home || home <= j))
			continue;
		t->slots[i] = t->slots[j];
		i = j;
	}
	memset(&t->slots[i], 0, sizeof(t->slots[i]));
}

static void move_entry(struct mactable *t, struct mac_entry *e, int port)
{
	t->ports[e->port].count--;
	t->ports[port].count++;
	e->port = port;
}

static void note_move(struct mac_entry *e, uint64_t now)
{
	if (e->moves == 0 || now < e->window_start ||
	    now - e->window_start >= MACTABLE_FLAP_WINDOW) {
		e->window_start = now;
		e->moves = 1;
	} else if (e->moves < UINT8_MAX) {
		e->moves++;
	}
}

/* Learning of a MAC already in slot I. On MAC_MOVED the caller records the old port. */
static enum mactable_learn learn_known(struct mactable *t, size_t i, int port, uint64_t now,
                                       int *old_port)
{
	struct mac_entry *e = &t->slots[i];
	bool aged = entry_aged(t, e, now);

	if (e->port == port) {
		e->last_seen = now;
		if (aged) {
			e->moves = 0;
			return MAC_NEW;
		}
		return MAC_REFRESHED;
	}
	if (port_full(t, port) || reserve_port(t, port) < 0) {
		if (!aged)
			*old_port = e->port;
		remove_slot(t, i);
		return MAC_FULL;
	}
	move_entry(t, e, port);
	e->last_seen = now;
	if (aged) {
		e->moves = 0;
		return MAC_NEW;
	}
	return MAC_MOVED;
}

enum mactable_learn mactable_learn(struct mactable *t, const uint8_t mac[6], uint16_t vid, int port,
                                   uint64_t now, int *old_port)
{
	int dummy;
	size_t i;

	if (!old_port)
		old_port = &dummy;
	*old_port = -1;
	if (mac_is_group(mac) || mac_is_zero(mac) || port < 0 || port > MACTABLE_MAX_PORT ||
	    vid > MACTABLE_MAX_VID)
		return MAC_IGNORED;
	i = probe(t, mac, vid);
	if (t->slots[i].used) {
		int prev = t->slots[i].port;
		enum mactable_learn r = learn_known(t, i, port, now, old_port);

		if (r == MAC_MOVED) {
			*old_port = prev;
			note_move(&t->slots[i], now);
		}
		return r;
	}
	if ((t->count >= t->max_entries || port_full(t, port)) &&
	    (!t->swept || t->last_sweep != now)) {
		t->swept = true;
		t->last_sweep = now;
		mactable_expire(t, now);
		i = probe(t, mac, vid);
	}
	if (t->count >= t->max_entries || port_full(t, port) || reserve_port(t, port) < 0)
		return MAC_FULL;
	memcpy(t->slots[i].mac, mac, 6);
	t->slots[i].vid = vid;
	t->slots[i].used = true;
	t->slots[i].moves = 0;
	t->slots[i].port = port;
	t->slots[i].last_seen = now;
	t->ports[port].count++;
	t->count++;
	return MAC_NEW;
}

int mactable_lookup(const struct mactable *t, const uint8_t mac[6], uint16_t vid, uint64_t now)
{
	size_t i;

	if (mac_is_group(mac) || mac_is_zero(mac) || vid > MACTABLE_MAX_VID)
		return -1;
	i = probe(t, mac, vid);
	if (!t->slots[i].used || entry_aged(t, &t->slots[i], now))
		return -1;
	return t->slots[i].port;
}

/* Remove every entry for which DROP says so. Strategy: a removal shifts later chain members
 * back into the current slot, so the slot is examined again until it keeps its entry or is
 * free. Entries shifted from the table's start into its end were examined already. */
static void remove_matching(struct mactable *t,
                            bool (*drop)(const struct mactable *t, const struct mac_entry *e,
                                         uint64_t arg),
                            uint64_t arg)
{
	for (size_t i = 0; i <= t->mask; i++)
		while (t->slots[i].used && drop(t, &t->slots[i], arg))
			remove_slot(t, i);
}

static bool on_port(const struct mactable *t, const struct mac_entry *e, uint64_t port)
{
	(void)t;
	return (uint64_t)e->port == port;
}

static bool aged_at(const struct mactable *t, const struct mac_entry *e, uint64_t now)
{
	return entry_aged(t, e, now);
}

void mactable_forget_port(struct mactable *t, int port)
{
	if (port < 0 || port_count(t, port) == 0)
		return;
	remove_matching(t, on_port, (uint64_t)port);
}

void mactable_expire(struct mactable *t, uint64_t now)
{
	if (t->age)
		remove_matching(t, aged_at, now);
}

size_t mactable_count(const struct mactable *t)
{
	return t->count;
}

size_t mactable_port_count(const struct mactable *t, int port)
{
	return port_count(t, port);
}

bool mactable_flapping(const struct mactable *t, const uint8_t mac[6], uint16_t vid, uint64_t now)
{
	const struct mac_entry *e;

	if (mac_is_group(mac) || mac_is_zero(mac) || vid > MACTABLE_MAX_VID)
		return false;
	e = &t->slots[probe(t, mac, vid)];
	return e->used && e->moves >= MACTABLE_FLAP_MOVES && now >= e->window_start &&
	       now - e->window_start < MACTABLE_FLAP_WINDOW;
}

void mactable_foreach(const struct mactable *t, mactable_visit_fn *fn, void *arg)
{
	for (size_t i = 0; i <= t->mask; i++)
		if (t->slots[i].used)
			fn(t->slots[i].mac, t->slots[i].vid, t->slots[i].port,
			   t->slots[i].last_seen, arg);
}
