// SPDX-License-Identifier: GPL-2.0-or-later
/* control: the management interface's commands and notifications over struct vpn, and the
 * metrics file (see control.h). */
#include "control.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config-build.h"
#include "log.h"
#include "metrics.h"
#include "metrics_file.h"
#include "mgmt.h"
#include "mktun.h"
#include "peer.h"
#include "pwfile.h"
#include "report.h"
#include "roles.h"
#include "snapshot.h"

#define KILL_REASON "closed by the management interface"

struct control {
	struct vpn *vpn;
	struct mgmt *mgmt;     /* NULL: no management interface */
	bool held;             /* waiting for `hold release` */
	uint64_t started;      /* monotonic seconds, for the uptime */
	const char *reason;    /* the last signal's name: why the next RECONNECTING/EXITING */
	uint64_t next_metrics; /* when the metrics file is due (monotonic seconds) */
	struct metrics_file metrics;
	char *settings; /* the management settings in force, see mgmt_settings() */
};

/* CFG's management settings in one string (NULL: out of memory), to notice a reload that
 * changes them: they are taken at start only. */
static char *mgmt_settings(const struct config *cfg)
{
	char *s = NULL;

	if (asprintf(&s, "%s %u %d %s %s %s %d %u", cfg->management ? cfg->management : "-",
	             cfg->management_port, cfg->management_unix,
	             cfg->management_pwfile ? cfg->management_pwfile : "-",
	             cfg->management_user ? cfg->management_user : "-",
	             cfg->management_group ? cfg->management_group : "-", cfg->management_hold,
	             cfg->management_log_cache) < 0)
		return NULL;
	return s;
}

/* ---- states ------------------------------------------------------------------------------ */

/* The numeric address and port of SA (a v4-mapped IPv6 address as IPv4). */
static void ip_port(const struct sockaddr_storage *sa, char ip[INET6_ADDRSTRLEN], char port[8])
{
	struct sockaddr_storage v4;
	const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)sa;

	ip[0] = port[0] = '\0';
	if (sa->ss_family == AF_INET6 && IN6_IS_ADDR_V4MAPPED(&in6->sin6_addr)) {
		struct sockaddr_in *in = (struct sockaddr_in *)&v4;

		memset(&v4, 0, sizeof(v4));
		in->sin_family = AF_INET;
		in->sin_port = in6->sin6_port;
		memcpy(&in->sin_addr, &in6->sin6_addr.s6_addr[12], 4);
		sa = &v4;
	}
	if (getnameinfo((const struct sockaddr *)sa, sizeof(*sa), ip, INET6_ADDRSTRLEN, port, 8,
	                NI_NUMERICHOST | NI_NUMERICSERV) != 0)
		ip[0] = port[0] = '\0';
}

static void state(struct control *c, const char *name, const char *desc)
{
	struct mgmt_state st = { .name = name, .desc = desc };
	time_t now = time(NULL); /* wall clock: only the text of the stamp */

	if (c->mgmt)
		mgmt_state(c->mgmt, now, &st);
}

/* CONNECTED with the addresses of socket FD: the remote one (PEER, NULL for a server's
 * listening socket) and the local one. */
static void connected(struct control *c, int fd, const struct sockaddr_storage *peer)
{
	struct sockaddr_storage local;
	socklen_t len = sizeof(local);
	char rip[INET6_ADDRSTRLEN] = "", rport[8] = "", lip[INET6_ADDRSTRLEN] = "", lport[8] = "";
	struct mgmt_state st = { .name = "CONNECTED", .desc = "SUCCESS" };
	time_t now = time(NULL); /* wall clock: only the text of the stamp */

	if (!c->mgmt)
		return;
	if (peer)
		ip_port(peer, rip, rport);
	if (fd >= 0 && getsockname(fd, (struct sockaddr *)&local, &len) == 0)
		ip_port(&local, lip, lport);
	st.remote_ip = rip;
	st.remote_port = rport;
	st.local_ip = lip;
	st.local_port = lport;
	mgmt_state(c->mgmt, now, &st);
}

/* The daemon goes on: a server is CONNECTED once it listens, a client CONNECTING. */
static void go(struct control *c)
{
	struct vpn *vpn = c->vpn;

	if (!vpn->server) {
		state(c, "CONNECTING", NULL);
		return;
	}
	connected(c, vpn->n_listeners ? vpn->listeners[0].watch.fd : -1, NULL);
}

static void hold(struct control *c)
{
	c->held = true;
	if (c->vpn->server)
		server_accept(c->vpn, false);
	log_notice("waiting for `hold release` on the management interface");
	mgmt_set_held(c->mgmt, true);
}

static void peer_changed(void *arg, const struct peer *p, const char *why)
{
	struct control *c = arg;

	/* A server's states are its own, not its sites'; a closing daemon says why itself. */
	if (!c->mgmt || c->vpn->server || c->vpn->run != RUN)
		return;
	switch (p->state) {
	case PEER_CONNECTING:
		state(c, "TCP_CONNECT", NULL);
		break;
	case PEER_HANDSHAKE:
		state(c, "WAIT", NULL);
		break;
	case PEER_HELLO:
		state(c, "AUTH", NULL);
		break;
	case PEER_UP:
		connected(c, p->watch.fd, &p->addr);
		break;
	case PEER_DEAD:
		state(c, "RECONNECTING", why);
		break;
	default:
		break;
	}
}

static const struct vpn_events events = { .peer_changed = peer_changed };

/* ---- commands ---------------------------------------------------------------------------- */

static int op_watch(void *arg, struct watch *w, uint32_t ev)
{
	struct control *c = arg;

	return vpn_watch(c->vpn, w, ev);
}

static int op_status(void *arg, int version, char **out)
{
	struct control *c = arg;

	return report_format_version(c->vpn, version, out);
}

static int document(struct control *c, int (*format)(const struct metrics_snapshot *, char **),
                    char **out)
{
	struct snapshot snap;
	int ret = snapshot_take(c->vpn, c->vpn->now - c->started, &snap);

	if (ret == 0)
		ret = format(&snap.s, out);
	snapshot_free(&snap);
	return ret;
}

static int op_status_json(void *arg, char **out)
{
	return document(arg, metrics_json, out);
}

static int op_metrics(void *arg, char **out)
{
	return document(arg, metrics_prometheus, out);
}

/* Bytes of every link since the start, closed ones included. */
static void link_totals(const struct vpn *vpn, uint64_t *in, uint64_t *out)
{
	*in = vpn->counters.peer_link_read;
	*out = vpn->counters.peer_link_write;
	for (const struct peer *p = vpn->peers; p; p = p->next) {
		*in += p->stats.link_read;
		*out += p->stats.link_write;
	}
}

static void op_load_stats(void *arg, unsigned *sites, uint64_t *in, uint64_t *out)
{
	struct control *c = arg;

	*sites = 0;
	for (const struct peer *p = c->vpn->peers; p; p = p->next)
		*sites += p->state == PEER_UP;
	link_totals(c->vpn, in, out);
}

/* The site's address as one sockaddr family: a v4-mapped IPv6 one as IPv4. */
static bool same_addr(const struct sockaddr_storage *a, const struct sockaddr *b)
{
	char ip_a[INET6_ADDRSTRLEN], port_a[8], ip_b[INET6_ADDRSTRLEN], port_b[8];
	struct sockaddr_storage copy;

	memset(&copy, 0, sizeof(copy));
	memcpy(&copy, b,
	       b->sa_family == AF_INET ? sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6));
	ip_port(a, ip_a, port_a);
	ip_port(&copy, ip_b, port_b);
	return ip_a[0] && strcmp(ip_a, ip_b) == 0 && strcmp(port_a, port_b) == 0;
}

enum kill_by { BY_CN, BY_ADDR, BY_CID };

static int kill_sites(struct control *c, enum kill_by by, const void *what)
{
	struct vpn *vpn = c->vpn;
	int n = 0;

	if (!vpn->server)
		return -ENOTSUP;
	for (struct peer *p = vpn->peers; p; p = p->next) {
		bool match;

		if (p->state != PEER_UP)
			continue;
		if (by == BY_CN)
			match = strcmp(p->cn, what) == 0;
		else if (by == BY_ADDR)
			match = same_addr(&p->addr, what);
		else
			match =
			    p->port > 0 && (unsigned long)p->port == *(const unsigned long *)what;
		if (!match)
			continue;
		log_notice("%s: %s", p->label, KILL_REASON);
		peer_goodbye(p, KILL_REASON);
		n++;
	}
	return n;
}

static int op_kill_cn(void *arg, const char *cn)
{
	return kill_sites(arg, BY_CN, cn);
}

static int op_kill_addr(void *arg, const struct sockaddr *sa)
{
	return kill_sites(arg, BY_ADDR, sa);
}

static int op_kill_cid(void *arg, unsigned long cid)
{
	return kill_sites(arg, BY_CID, &cid);
}

/* The real signal: the signalfd takes it in the next loop turn, as if it came from outside. */
static int op_signal(void *arg, int signo)
{
	(void)arg;
	return kill(getpid(), signo) < 0 ? -errno : 0;
}

static void op_hold_release(void *arg)
{
	struct control *c = arg;

	if (!c->held)
		return;
	c->held = false;
	mgmt_set_held(c->mgmt, false);
	log_notice("hold released: %s", c->vpn->server ? "accepting sites" : "connecting");
	if (c->vpn->server && server_accept(c->vpn, true) < 0) {
		c->vpn->run = STOP;
		c->vpn->exit_code = 1;
		return;
	}
	go(c);
}

static void op_bytecount(void *arg, struct mgmt_client *mc)
{
	struct control *c = arg;
	uint64_t in, out;

	if (!c->vpn->server) {
		link_totals(c->vpn, &in, &out);
		mgmt_printf(mc, ">BYTECOUNT:%llu,%llu", (unsigned long long)in,
		            (unsigned long long)out);
		return;
	}
	for (const struct peer *p = c->vpn->peers; p; p = p->next)
		if (p->state == PEER_UP)
			mgmt_printf(mc, ">BYTECOUNT_CLI:%d,%llu,%llu", p->port,
			            (unsigned long long)p->stats.link_read,
			            (unsigned long long)p->stats.link_write);
}

static const struct mgmt_ops ops = {
	.watch = op_watch,
	.status = op_status,
	.status_json = op_status_json,
	.metrics = op_metrics,
	.load_stats = op_load_stats,
	.kill_cn = op_kill_cn,
	.kill_addr = op_kill_addr,
	.kill_cid = op_kill_cid,
	.signal = op_signal,
	.hold_release = op_hold_release,
	.bytecount = op_bytecount,
};

static void log_sink(void *arg, int level, time_t when, const char *line)
{
	struct control *c = arg;

	mgmt_log(c->mgmt, level, when, line);
}

/* ---- life cycle -------------------------------------------------------------------------- */

/* The management interface of CFG: password, socket owner, then the socket. */
static int open_mgmt(struct control *c, const struct config *cfg)
{
	struct mgmt_config mc = {
		.address = cfg->management,
		.port = cfg->management_unix ? 0 : cfg->management_port,
		.owner = (uid_t)-1,
		.group = (gid_t)-1,
		.history = cfg->management_log_cache ? cfg->management_log_cache : 100,
		.hold = cfg->management_hold,
		.version = L2VPN_VERSION,
	};
	char password[PWFILE_MAX + 1];
	const char *why = NULL;
	int ret = 0;

	if (cfg->management_pwfile) {
		ret = pwfile_read(cfg->management_pwfile, password, sizeof(password), &why);
		if (ret < 0) {
			log_errorx("management password file %s: %s", cfg->management_pwfile, why);
			return ret;
		}
		mc.password = password;
	}
	if (cfg->management_user && (ret = mktun_lookup_user(cfg->management_user, &mc.owner)) < 0)
		log_errorx("management-client-user %s: %s", cfg->management_user,
		           ret == -ENOENT ? "no such user" : strerror(-ret));
	else if (cfg->management_group &&
	         (ret = mktun_lookup_group(cfg->management_group, &mc.group)) < 0)
		log_errorx("management-client-group %s: %s", cfg->management_group,
		           ret == -ENOENT ? "no such group" : strerror(-ret));
	else
		ret = mgmt_open(&c->mgmt, &mc, &ops, c);
	explicit_bzero(password, sizeof(password));
	return ret;
}

int control_open(struct vpn *vpn)
{
	struct control *c = calloc(1, sizeof(*c));
	int ret;

	if (!c)
		return -ENOMEM;
	c->vpn = vpn;
	c->started = vpn_now();
	metrics_file_init(&c->metrics);
	vpn->control = c;
	vpn->events = &events;
	vpn->events_arg = c;
	c->settings = mgmt_settings(vpn->cfg);
	if (!vpn->cfg->management)
		return 0;
	ret = open_mgmt(c, vpn->cfg);
	if (ret < 0)
		return ret;
	log_set_sink(log_sink, c);
	c->held = mgmt_hold_flag(c->mgmt);
	return 0;
}

int control_start(struct vpn *vpn)
{
	struct control *c = vpn->control;

	if (c->held)
		hold(c);
	else
		go(c);
	return 0;
}

bool control_held(const struct vpn *vpn)
{
	return vpn->control && vpn->control->held;
}

void control_tick(struct vpn *vpn)
{
	struct control *c = vpn->control;
	const struct config *cfg = vpn->cfg;
	char *text = NULL;

	if (c->mgmt)
		mgmt_tick(c->mgmt, vpn->now);
	if (!cfg->metrics_file || vpn->now < c->next_metrics)
		return;
	c->next_metrics = vpn->now + (cfg->metrics_interval ? cfg->metrics_interval : 10);
	if (document(c, metrics_prometheus, &text) < 0) {
		log_warnx("metrics-file %s: out of memory", cfg->metrics_file);
		return;
	}
	metrics_file_write(&c->metrics, cfg->metrics_file, text, vpn_now_ms());
	free(text);
}

void control_signal(struct vpn *vpn, int signo)
{
	static const struct {
		int signo;
		const char *name;
	} names[] = {
		{ SIGHUP, "SIGHUP" },
		{ SIGTERM, "SIGTERM" },
		{ SIGINT, "SIGINT" },
		{ SIGUSR1, "SIGUSR1" },
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].signo == signo)
			vpn->control->reason = names[i].name;
}

void control_restarted(struct vpn *vpn)
{
	struct control *c = vpn->control;
	char *now = mgmt_settings(vpn->cfg);

	state(c, "RECONNECTING", c->reason ? c->reason : "restart");
	c->reason = NULL;
	if (now && c->settings && strcmp(now, c->settings) != 0)
		log_warnx("management: the changed management directives take effect at the next "
		          "start (the interface stays as it was)");
	free(now);
	if (c->mgmt && mgmt_hold_flag(c->mgmt))
		hold(c);
	else
		go(c);
}

void control_stopping(struct vpn *vpn)
{
	struct control *c = vpn->control;

	state(c, "EXITING", c->reason ? c->reason : "exit");
}

void control_close(struct vpn *vpn)
{
	struct control *c = vpn->control;

	if (!c)
		return;
	if (c->mgmt)
		log_set_sink(NULL, NULL);
	mgmt_close(c->mgmt);
	vpn->events = NULL;
	vpn->events_arg = NULL;
	vpn->control = NULL;
	free(c->settings);
	free(c);
}

int control_test_config(const struct config *cfg)
{
	char password[PWFILE_MAX + 1];
	const char *why = NULL;
	uid_t uid;
	gid_t gid;
	int ret = 0;

	if (cfg->management_pwfile) {
		ret = pwfile_read(cfg->management_pwfile, password, sizeof(password), &why);
		explicit_bzero(password, sizeof(password));
		if (ret < 0) {
			fprintf(stderr, "management password file %s: %s\n", cfg->management_pwfile,
			        why);
			return ret;
		}
	}
	if (cfg->management_user && (ret = mktun_lookup_user(cfg->management_user, &uid)) < 0)
		fprintf(stderr, "management-client-user %s: %s\n", cfg->management_user,
		        ret == -ENOENT ? "no such user" : strerror(-ret));
	else if (cfg->management_group &&
	         (ret = mktun_lookup_group(cfg->management_group, &gid)) < 0)
		fprintf(stderr, "management-client-group %s: %s\n", cfg->management_group,
		        ret == -ENOENT ? "no such group" : strerror(-ret));
	return ret < 0 ? ret : 0;
}
