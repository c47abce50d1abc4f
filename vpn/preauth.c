// SPDX-License-Identifier: GPL-2.0-or-later
#include "preauth.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <unistd.h>

#include "log.h"
#include "peer.h"

#define REFUSAL_LOG_MS 10000 /* one line per refusal reason per 10 s */
#define CONN_LOG_BURST 10    /* lines about single pending connections: 10 at once, */
#define CONN_LOG_MS    1000  /* then one a second */
#define BACKOFF_MIN_MS 50    /* first pause of the listeners when accept fails */
#define BACKOFF_MAX_MS 1000
#define FIXED_FDS      32   /* stdio, epoll, signalfd, tap, listeners, log, status, spare, CRL */
#define EVICT_GRACE_MS 1000 /* a connection this young is not judged by its silence yet */

static const char *const refusal_text[REFUSED_N] = {
	[REFUSED_SOURCE] = "too many pending connections from that address "
	                   "(preauth-max-per-source)",
	[REFUSED_EVICTED] = "pre-authentication table full (preauth-max): the longest quiet "
	                    "pending connection was closed to make room",
	[REFUSED_FD_LIMIT] = "out of file descriptors: a waiting connection was shed",
	[REFUSED_MAX_CLIENTS] = "max-clients sites are connected: refused after authentication",
	[REFUSED_TIMEOUT] = "no working link within preauth-timeout",
};

int preauth_init(struct vpn *vpn)
{
	struct preauth_state *pa = &vpn->preauth;

	memset(pa, 0, sizeof(*pa));
	for (int i = 0; i < REFUSED_N; i++)
		ratelimit_init(&pa->refusal_log[i], 1, REFUSAL_LOG_MS);
	ratelimit_init(&pa->conn_log, CONN_LOG_BURST, CONN_LOG_MS);
	ratelimit_init(&pa->accept_error_log, 1, REFUSAL_LOG_MS);
	pa->backoff_ms = BACKOFF_MIN_MS;
	pa->reserve_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (pa->reserve_fd < 0) {
		log_error(errno, "open /dev/null (spare descriptor)");
		return -errno;
	}
	return 0;
}

void preauth_free(struct vpn *vpn)
{
	if (vpn->preauth.reserve_fd >= 0)
		close(vpn->preauth.reserve_fd);
	vpn->preauth.reserve_fd = -1;
	free(vpn->preauth.candidates);
	vpn->preauth.candidates = NULL;
	vpn->preauth.n_candidates = 0;
}

/* The bytes that identify a source: 4 for IPv4 (native or v4-mapped), the first 8 (/64) for
 * IPv6. Returns their count (0 for other families). */
static size_t source_key(const struct sockaddr_storage *ss, const uint8_t **key)
{
	if (ss->ss_family == AF_INET) {
		*key = (const uint8_t *)&((const struct sockaddr_in *)ss)->sin_addr;
		return 4;
	}
	if (ss->ss_family == AF_INET6) {
		const struct in6_addr *a = &((const struct sockaddr_in6 *)ss)->sin6_addr;
		if (IN6_IS_ADDR_V4MAPPED(a)) {
			*key = &a->s6_addr[12];
			return 4;
		}
		*key = a->s6_addr;
		return 8;
	}
	*key = NULL;
	return 0;
}

bool preauth_same_source(const struct sockaddr_storage *a, const struct sockaddr_storage *b)
{
	const uint8_t *ka, *kb;
	size_t la = source_key(a, &ka), lb = source_key(b, &kb);

	return la && la == lb && !memcmp(ka, kb, la);
}

/* Count a refusal for WHY; true when its line is due (*SUPPRESSED: how many were not). */
static bool count_refusal(struct vpn *vpn, enum preauth_refusal why, uint64_t *suppressed)
{
	struct preauth_state *pa = &vpn->preauth;

	pa->refused[why]++;
	return ratelimit_pass(&pa->refusal_log[why], vpn_now_ms(), suppressed);
}

static void log_refusal(struct vpn *vpn, enum preauth_refusal why, const char *addr,
                        uint64_t suppressed)
{
	const struct preauth_state *pa = &vpn->preauth;

	log_warnx("refused a connection from %s: %s (%llu more like it in the last %u s; %llu in "
	          "all)",
	          addr, refusal_text[why], (unsigned long long)suppressed, REFUSAL_LOG_MS / 1000,
	          (unsigned long long)pa->refused[why]);
}

void preauth_refused(struct vpn *vpn, enum preauth_refusal why, const char *addr)
{
	uint64_t suppressed;

	if (count_refusal(vpn, why, &suppressed))
		log_refusal(vpn, why, addr, suppressed);
}

/* How far a pending connection got, as eviction sees it: 0 silent since accept for more than
 * the grace time, 1 some bytes but no complete ClientHello after that time, 2 too young to tell,
 * 3 a ClientHello the handshake acted on, 4 TLS done (a certificate holder owing its HELLO). */
static int progress(const struct peer *p, uint64_t now_ms)
{
	if (p->state == PEER_HELLO)
		return 4;
	if (p->ssl && SSL_get_state(p->ssl) != TLS_ST_BEFORE)
		return 3;
	if (now_ms - p->started_ms < EVICT_GRACE_MS)
		return 2;
	return p->heard ? 1 : 0;
}

struct candidate {
	uint8_t key[8];
	size_t key_len;
	struct peer *peer;
	unsigned same; /* pending connections from its source */
	int progress;
};

static int by_source(const void *a, const void *b)
{
	const struct candidate *x = a, *y = b;

	if (x->key_len != y->key_len)
		return x->key_len < y->key_len ? -1 : 1;
	return memcmp(x->key, y->key, x->key_len);
}

/* Should A go before B? Connections that got far (a handshake under way, TLS done) go last;
 * before them, the source holding the most slots gives one up first, then the one that got
 * least far, then the quietest. */
static bool evict_first(const struct candidate *a, const struct candidate *b)
{
	bool a_far = a->progress >= 3, b_far = b->progress >= 3;

	if (a_far != b_far)
		return !a_far;
	if (!a_far && a->same != b->same)
		return a->same > b->same;
	if (a->progress != b->progress)
		return a->progress < b->progress;
	return a->peer->active_ms < b->peer->active_ms;
}

bool preauth_evict(struct vpn *vpn, enum preauth_refusal why)
{
	struct preauth_state *pa = &vpn->preauth;
	uint64_t now_ms = vpn_now_ms();
	struct candidate *victim = NULL;
	size_t n = 0;

	/* Strategy: collect the pending connections, sort them by source to count each
	 * source's slots, then take the one that should go first. A flood, however fast, first
	 * evicts itself: it holds many slots per source and its connections get nowhere, while
	 * a site holds one slot and its handshake moves on within a round trip. */
	for (struct peer *p = vpn->peers; p; p = p->next) {
		const uint8_t *key;

		if (!peer_pending(p))
			continue;
		if (n == pa->n_candidates) {
			size_t cap = pa->n_candidates ? pa->n_candidates * 2 : 256;
			struct candidate *c = realloc(pa->candidates, cap * sizeof(*c));
			if (!c)
				break;
			pa->candidates = c;
			pa->n_candidates = cap;
		}
		pa->candidates[n].key_len = source_key(&p->addr, &key);
		memcpy(pa->candidates[n].key, key, pa->candidates[n].key_len);
		pa->candidates[n].peer = p;
		pa->candidates[n].progress = progress(p, now_ms);
		n++;
	}
	if (!n)
		return false;
	qsort(pa->candidates, n, sizeof(*pa->candidates), by_source);
	for (size_t i = 0, j; i < n; i = j) {
		for (j = i + 1; j < n && !by_source(&pa->candidates[i], &pa->candidates[j]); j++)
			;
		for (size_t k = i; k < j; k++)
			pa->candidates[k].same = (unsigned)(j - i);
	}
	for (size_t i = 0; i < n; i++)
		if (!victim || evict_first(&pa->candidates[i], victim))
			victim = &pa->candidates[i];
	preauth_refused(vpn, why, victim->peer->addr_str);
	peer_close_quietly(victim->peer);
	return true;
}

bool preauth_admit(struct vpn *vpn, const struct sockaddr_storage *ss)
{
	const struct config *cfg = vpn->cfg;
	unsigned pending = 0, same = 0;

	for (struct peer *p = vpn->peers; p; p = p->next) {
		if (!peer_pending(p))
			continue;
		pending++;
		if (preauth_same_source(&p->addr, ss))
			same++;
	}
	if (same >= cfg->preauth_per_source) {
		uint64_t suppressed;
		char addr[INET6_ADDRSTRLEN] = "?";

		/* A flood is refused here by the thousand: the address is formatted only for a
		 * line that is due. */
		if (count_refusal(vpn, REFUSED_SOURCE, &suppressed)) {
			getnameinfo((const struct sockaddr *)ss, sizeof(*ss), addr, sizeof(addr),
			            NULL, 0, NI_NUMERICHOST);
			log_refusal(vpn, REFUSED_SOURCE, addr, suppressed);
		}
		return false;
	}
	if (pending >= cfg->preauth_max)
		preauth_evict(vpn, REFUSED_EVICTED);
	vpn->preauth.accepted++;
	return true;
}

static void pause_listeners(struct vpn *vpn)
{
	struct preauth_state *pa = &vpn->preauth;

	if (!pa->paused) {
		for (int i = 0; i < vpn->n_listeners; i++)
			vpn_watch(vpn, &vpn->listeners[i].watch, 0);
		pa->paused = true;
	}
	pa->resume_ms = vpn_now_ms() + pa->backoff_ms;
	pa->backoff_ms = pa->backoff_ms * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : pa->backoff_ms * 2;
}

/* Accept one waiting connection with the spare descriptor and close it at once, so the peer
 * learns it was refused instead of waiting in the backlog. */
static void shed_one(struct vpn *vpn, int listen_fd)
{
	struct preauth_state *pa = &vpn->preauth;
	int fd;

	if (pa->reserve_fd < 0)
		return;
	close(pa->reserve_fd);
	fd = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC);
	if (fd >= 0) {
		close(fd);
		preauth_refused(vpn, REFUSED_FD_LIMIT, "a waiting client");
	}
	pa->reserve_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
}

bool preauth_accept_failed(struct vpn *vpn, int err)
{
	uint64_t suppressed;

	if ((err == EMFILE || err == ENFILE) && preauth_evict(vpn, REFUSED_FD_LIMIT))
		return true;
	if (err == EMFILE || err == ENFILE)
		for (int i = 0; i < vpn->n_listeners; i++)
			shed_one(vpn, vpn->listeners[i].watch.fd);
	if (ratelimit_pass(&vpn->preauth.accept_error_log, vpn_now_ms(), &suppressed))
		log_msg_err(LOG_LVL_WARN, err,
		            "accept failed, not accepting for %u ms (%llu more failures "
		            "suppressed)",
		            vpn->preauth.backoff_ms, (unsigned long long)suppressed);
	pause_listeners(vpn);
	return false;
}

void preauth_accept_ok(struct vpn *vpn)
{
	vpn->preauth.backoff_ms = BACKOFF_MIN_MS;
}

void preauth_tick(struct vpn *vpn)
{
	struct preauth_state *pa = &vpn->preauth;

	if (!pa->paused || vpn_now_ms() < pa->resume_ms)
		return;
	pa->paused = false;
	for (int i = 0; i < vpn->n_listeners; i++)
		vpn_watch(vpn, &vpn->listeners[i].watch, EPOLLIN);
}

int preauth_wait_ms(const struct vpn *vpn)
{
	uint64_t now;

	if (!vpn->preauth.paused)
		return -1;
	now = vpn_now_ms();
	return vpn->preauth.resume_ms > now ? (int)(vpn->preauth.resume_ms - now) : 0;
}

void preauth_raise_fd_limit(const struct config *cfg)
{
	struct rlimit rl;
	rlim_t need = FIXED_FDS;

	if (cfg->role == ROLE_SERVER)
		need += (rlim_t)cfg->max_clients + cfg->preauth_max;
	if (getrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur >= need)
		return;
	rl.rlim_cur = rl.rlim_max == RLIM_INFINITY || rl.rlim_max >= need ? need : rl.rlim_max;
	if (setrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur >= need) {
		log_info("open file limit raised to %llu", (unsigned long long)need);
		return;
	}
	log_warnx("open file limit %llu is below the %llu that max-clients %u and preauth-max %u "
	          "need: when descriptors run out, new connections are shed (raise LimitNOFILE= "
	          "or ulimit -n)",
	          (unsigned long long)rl.rlim_cur, (unsigned long long)need, cfg->max_clients,
	          cfg->preauth_max);
}
