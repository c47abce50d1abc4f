/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The daemon's context: one instance of `struct vpn` is passed explicitly everywhere (no global
 * state beyond signal flags). Internal to the daemon modules.
 */
#ifndef L2VPN_CONTEXT_H
#define L2VPN_CONTEXT_H

#include <netinet/in.h>
#include <openssl/ssl.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>
#include <time.h>

#include "bytequeue.h"
#include "notify.h"
#include "config.h"
#include "forward.h"
#include "portmap.h"
#include "proto.h"
#include "ratelimit.h"
#include "rekey.h"
#include "storm.h"
#include "tapbridge.h"

#define container_of(ptr, type, member) ((type *)((char *)(ptr)-offsetof(type, member)))

/* An fd registered with the epoll loop; embedded in its owner. */
struct watch {
	int fd;
	uint32_t events;
	void (*on_event)(struct watch *w, uint32_t events);
};

enum peer_state {
	PEER_CONNECTING, /* client: TCP connect in progress */
	PEER_HANDSHAKE,  /* TLS handshake */
	PEER_HELLO,      /* TLS up, waiting for the peer's HELLO */
	PEER_UP,         /* frames flow */
	PEER_CLOSING,    /* goodbye sent, flushing */
	PEER_DEAD,       /* closed; freed at the end of the loop turn */
};

struct peer_stats {
	uint64_t link_read, link_write; /* TLS payload bytes received / sent */
	uint64_t frames_in, frames_out;
	uint64_t bytes_in, bytes_out; /* Ethernet frame bytes */
	uint64_t drops_gso;           /* super-frames that could not be made fit for this peer */
	uint64_t drops_queue_full;    /* frames dropped: our send queue was full */
	uint64_t drops_oversize;      /* frames not sent: larger than the peer accepts */
	uint64_t drops_oversize_in;   /* frames from the peer larger than we accept, dropped */
	uint64_t gso_recut;           /* super-frames sent with a smaller gso_size to fit */
};

struct peer {
	struct vpn *vpn;
	const struct peer_owner *owner; /* the role's callbacks (peer.h) */
	struct peer *next;
	struct watch watch;
	SSL *ssl;
	enum peer_state state;
	int port; /* server: switch port (>= 1) from HELLO on; PORT_NONE before; 0 is the tap */
	struct sockaddr_storage addr;
	char addr_str[64]; /* "a.b.c.d:port" / v6 address without port, OpenVPN style */
	char cn[128];      /* peer certificate CN once verified, else "UNDEF" */
	char label[200];   /* for log lines: "CN/ADDR" or "ADDR" */
	struct bytequeue rx, tx;
	size_t tx_limit;             /* frames are dropped beyond this many queued bytes */
	uint64_t tx_written_at_tick; /* link_write at the last peer_tick() */
	bool want_write;             /* TLS needs the socket writable to progress */
	bool read_wants_write;       /* ... and a read waits for that too */
	bool rx_pending;             /* OpenSSL holds input the last read left (round cap) */
	bool was_up;                 /* reached PEER_UP at some point */
	unsigned ping;               /* keepalive for this link, seconds (0 = off) */
	unsigned ping_restart;       /* drop the link after this many silent seconds */
	uint64_t closing_since;
	bool comp;                          /* LZO negotiated on this link */
	uint32_t max_frame;                 /* negotiated, plain frames */
	bool vnet;                          /* frames carry a vnet header (both offer it) */
	bool oversize_logged;               /* a frame too large for the peer was logged */
	bool oversize_in_logged;            /* a frame too large from the peer was logged */
	time_t connected_since;             /* wall clock, for status */
	uint64_t started, last_rx, last_tx; /* monotonic seconds */
	uint64_t started_ms, active_ms;     /* monotonic ms: accepted; the last socket event */
	bool heard;                         /* the peer has sent something */
	struct peer_stats stats;
	struct site_policy policy; /* server: the site's switch policy (client-config-dir) */
	struct storm_port storm;   /* server: storm control on frames from this site */
	uint64_t blocked_until;    /* server: loop protection holds the site until then (s) */
	unsigned blocks;           /* times loop protection blocked this site */
	struct rekey_mark rekey;   /* when and at which totals the current TLS keys started */
	unsigned key_updates;      /* TLS key updates this link did */
};

#define PORT_NONE (-1) /* a connection that has not completed its HELLO has no switch port */

/* A peer that has not completed TLS and HELLO: on a server, a stranger until proven otherwise. */
static inline bool peer_pending(const struct peer *p)
{
	return p->state == PEER_CONNECTING || p->state == PEER_HANDSHAKE || p->state == PEER_HELLO;
}

/* Server: the budget of connections that have not authenticated yet (see preauth.h). */
enum preauth_refusal {
	REFUSED_SOURCE,      /* preauth-max-per-source reached for that address */
	REFUSED_EVICTED,     /* pre-authentication table full: the least active one made room */
	REFUSED_FD_LIMIT,    /* out of file descriptors: connection shed at accept */
	REFUSED_MAX_CLIENTS, /* authenticated, but max-clients sites are up */
	REFUSED_TIMEOUT,     /* no working link within preauth-timeout */
	REFUSED_N,
};

struct preauth_state {
	uint64_t accepted;
	uint64_t handshakes_failed; /* closed in the TLS handshake, refusals aside */
	uint64_t refused[REFUSED_N];
	struct ratelimit refusal_log[REFUSED_N]; /* one line per reason per interval */
	struct ratelimit conn_log;               /* lines about single pending connections */
	struct ratelimit accept_error_log;       /* accept() failures */
	int reserve_fd;               /* spare descriptor to shed connections at EMFILE */
	bool paused;                  /* listeners not polled (accept backs off) */
	uint64_t resume_ms;           /* when to poll them again */
	unsigned backoff_ms;          /* the next pause (doubles while it recurs) */
	struct candidate *candidates; /* scratch space of preauth_evict() */
	size_t n_candidates;
};

/* Client-side connection management (remote list, backoff). */
struct client_state {
	size_t remote_index;            /* next remote to try */
	unsigned backoff;               /* seconds to wait before the next attempt */
	uint64_t next_attempt_ms;       /* monotonic milliseconds; 0 = now */
	unsigned attempts;              /* consecutive failed attempts (connect-retry-max) */
	uint64_t resolve_failing_since; /* monotonic seconds; 0 = names resolve */
	bool congestion_warned;         /* tcp-congestion failed on a socket: said once */
	uint64_t up_since_ms;           /* monotonic ms the current session came up */
};

struct vpn_counters {
	uint64_t tap_read, tap_write;      /* bytes */
	uint64_t tap_drops;                /* frames dropped writing to the tap */
	uint64_t frames_bad;               /* runt / oversize frames ignored */
	uint64_t frames_segmented;         /* super-frames cut up for a plain link or tap */
	uint64_t tap_write_errors;         /* frames the tap refused (e.g. a GSO write) */
	uint64_t peer_drops_full;          /* drops_queue_full of peers already gone */
	uint64_t peer_drops_gso;           /* drops_gso of peers already gone */
	uint64_t peer_drops_oversize;      /* drops_oversize of peers already gone */
	uint64_t peer_drops_oversize_in;   /* drops_oversize_in of peers already gone */
	uint64_t peer_gso_recut;           /* gso_recut of peers already gone */
	uint64_t switch_drops[FWD_DROP_N]; /* frames the switch dropped, by enum fwd_drop */
	uint64_t flap_blocks;              /* sites blocked by loop protection */
	uint64_t storm_dropped_gone;       /* storm control drops of sites already gone */
	uint64_t peer_link_read;           /* link_read of peers already gone */
	uint64_t peer_link_write;          /* link_write of peers already gone */
};

/* Who is told about the daemon's peers (the management interface, through control.c). */
struct vpn_events {
	/* Peer P's state changed to p->state; WHY: why it closed (PEER_DEAD), else NULL. */
	void (*peer_changed)(void *arg, const struct peer *p, const char *why);
};

struct vpn {
	struct config *cfg;
	struct tls_ctx *tls;
	bool server;
	int epfd;

	struct tb_tap tap;
	struct watch tap_watch;
	uint32_t max_frame; /* largest plain Ethernet frame we accept/send */
	size_t max_payload; /* largest message payload we accept */
	bool vnet;          /* the tap speaks vnet headers (tap-offload yes) */
	unsigned offloads;  /* TUNSETOFFLOAD bits in force */

	struct listener {
		struct watch watch;
		struct vpn *vpn;
	} listeners[2];
	int n_listeners;

	struct peer *peers;
	unsigned n_peers;
	unsigned peers_freed; /* since the last malloc_trim() */
	uint64_t last_trim;
	uint64_t inactive_since;  /* start of the current `inactive` period (0: not started) */
	uint64_t inactive_mark;   /* tap bytes (read + written) when it started */
	struct portmap *ports;    /* server: switch port numbers of the sites that are up */
	struct peer **port_peers; /* server: the peer holding each port (NULL: free) */
	size_t n_port_peers;
	struct preauth_state preauth; /* server: unauthenticated connections */

	struct mactable *macs;       /* server: learned source MACs per port */
	struct storm_port tap_storm; /* storm control on frames from the tap */
	struct comp *comp;           /* LZO contexts (shared: one thread) */
	/* Frame buffers hold [vnet header][frame]: every frame has its header in front. */
	uint8_t *frame_buf; /* one frame read from the tap */
	uint8_t *plain_buf; /* a frame from a link without vnet headers, given one */
	uint8_t *unzip_buf; /* a decompressed frame */
	uint8_t *csum_buf;  /* a frame whose checksum is completed for a plain link */
	uint8_t *zip_buf;   /* compressor output */
	size_t zip_buf_len;

	struct client_state client;
	struct vpn_counters counters;
	uint64_t now;           /* monotonic seconds, refreshed each loop turn */
	uint64_t next_status;   /* when to rewrite the status file */
	uint64_t last_flap_log; /* rate limit for MAC move/flap warnings */
	unsigned flaps_suppressed;
	uint64_t last_full_log; /* rate limit for "MAC table full" */

	int sigfd;
	struct watch sig_watch;
	enum { RUN, STOP, RESTART, RELOAD } run;
	int exit_code;        /* with STOP: 0, or 1 for a runtime failure */
	struct notify notify; /* systemd: readiness, status, watchdog */

	struct control *control;         /* management interface, metrics file (control.h) */
	const struct vpn_events *events; /* NULL: nobody listens */
	void *events_arg;
};

/* Monotonic seconds. */
uint64_t vpn_now(void);
/* Monotonic milliseconds (for waits that must not be cut short by a second boundary). */
uint64_t vpn_now_ms(void);

/* (Re-)register W with the loop for EVENTS; EVENTS 0 removes it. 0 or -errno. */
int vpn_watch(struct vpn *vpn, struct watch *w, uint32_t events);

/* Tell whoever listens (vpn->events) that P's state changed; WHY: why it closed, or NULL. */
static inline void vpn_peer_changed(const struct peer *p, const char *why)
{
	const struct vpn *vpn = p->vpn;

	if (vpn->events && vpn->events->peer_changed)
		vpn->events->peer_changed(vpn->events_arg, p, why);
}

#endif
