// SPDX-License-Identifier: GPL-2.0-or-later
#include "daemon.h"

#include <errno.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "comp.h"
#include "config-build.h"
#include "context.h"
#include "control.h"
#include "log.h"
#include "mactable.h"
#include "ownfile.h"
#include "peer.h"
#include "preauth.h"
#include "privs.h"
#include "report.h"
#include "roles.h"
#include "tls.h"
#include "tunnel.h"
#include "vnet.h"

#define MAC_TABLE_SIZE   65536
#define ETH_OVERHEAD     18 /* Ethernet header + one VLAN tag */
#define SHUTDOWN_SECONDS 3  /* time given to goodbyes at exit */
#define TRIM_SECONDS     10 /* at most this often, memory of closed peers goes back */

uint64_t vpn_now(void)
{
	return vpn_now_ms() / 1000;
}

uint64_t vpn_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

int vpn_watch(struct vpn *vpn, struct watch *w, uint32_t events)
{
	struct epoll_event ev = { .events = events, .data.ptr = w };
	int op = !events ? EPOLL_CTL_DEL : w->events ? EPOLL_CTL_MOD : EPOLL_CTL_ADD;

	if (epoll_ctl(vpn->epfd, op, w->fd, op == EPOLL_CTL_DEL ? NULL : &ev) < 0) {
		log_warn(errno, "epoll_ctl fd %d", w->fd);
		return -errno;
	}
	w->events = events;
	return 0;
}

static void on_tap_event(struct watch *w, uint32_t events)
{
	(void)events;
	tunnel_tap_readable(container_of(w, struct vpn, tap_watch));
}

static void on_signal(struct watch *w, uint32_t events)
{
	struct vpn *vpn = container_of(w, struct vpn, sig_watch);
	struct signalfd_siginfo si;

	(void)events;
	while (read(w->fd, &si, sizeof(si)) == sizeof(si)) {
		control_signal(vpn, (int)si.ssi_signo);
		switch (si.ssi_signo) {
		case SIGTERM:
		case SIGINT:
			log_notice("%s received, exiting", strsignal((int)si.ssi_signo));
			vpn->run = STOP;
			break;
		case SIGHUP:
			log_notice("SIGHUP received: re-reading the configuration");
			vpn->run = RELOAD;
			break;
		case SIGUSR1:
			log_notice("SIGUSR1 received: restarting connections (the tap stays)");
			vpn->run = RESTART;
			break;
		case SIGUSR2:
			report_log(vpn);
			break;
		default:
			break;
		}
	}
}

static int setup_signals(struct vpn *vpn)
{
	static const int handled[] = { SIGTERM, SIGINT, SIGHUP, SIGUSR1, SIGUSR2 };
	sigset_t set;

	sigemptyset(&set);
	for (size_t i = 0; i < sizeof(handled) / sizeof(handled[0]); i++) {
		/* An ignored signal is discarded before signalfd could read it, and a starter
		 * (ifupdown's hooks, some shells) may hand us SIGTERM or SIGHUP ignored. */
		signal(handled[i], SIG_DFL);
		sigaddset(&set, handled[i]);
	}
	if (sigprocmask(SIG_BLOCK, &set, NULL) < 0)
		return -errno;
	signal(SIGPIPE, SIG_IGN);
	vpn->sigfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	if (vpn->sigfd < 0)
		return -errno;
	vpn->sig_watch.fd = vpn->sigfd;
	vpn->sig_watch.on_event = on_signal;
	return vpn_watch(vpn, &vpn->sig_watch, EPOLLIN);
}

/* daemon(3), then the signalfd watched again: epoll registered it on the parent's signal
 * queue, so in the child it would never report a signal (SIGTERM would be lost). */
static int go_background(struct vpn *vpn)
{
	if (daemon(1, 0) < 0) {
		log_error(errno, "daemon");
		return -1;
	}
	if (vpn_watch(vpn, &vpn->sig_watch, 0) < 0 || vpn_watch(vpn, &vpn->sig_watch, EPOLLIN) < 0)
		return -1;
	return 0;
}

/* Open the tap (a persistent one made by --mktun is used as is), set its MTU and queue length,
 * attach it to `bridge` and bring it up. */
static int setup_tap(struct vpn *vpn)
{
	const struct config *cfg = vpn->cfg;
	struct tb_tap_config tc = { .owner = (uid_t)-1, .group = (gid_t)-1, .vnet_hdr = vpn->vnet };
	struct tb_err err = { { 0 } };
	struct tb_nl *nl = NULL;
	int ret;

	tc.name = strcmp(cfg->dev, "tap") ? cfg->dev : NULL;
	ret = tb_tap_open(&vpn->tap, &tc, &err);
	if (ret < 0) {
		log_errorx("cannot open tap %s: %s", cfg->dev, err.msg);
		if (ret == -EPERM || ret == -EACCES)
			log_errorx("opening a tap needs CAP_NET_ADMIN (or a tap pre-created with "
			           "l2vpn --mktun --dev %s --user U)",
			           cfg->dev);
		return ret;
	}
	log_notice("%s tap %s", vpn->tap.created ? "created" : "opened existing", vpn->tap.name);
	ret = tb_nl_open(&nl, &err);
	if (ret < 0)
		goto fail;
	if ((ret = tb_link_set_mtu(nl, vpn->tap.name, cfg->tun_mtu, &err)) < 0)
		goto fail;
	if (cfg->txqueuelen &&
	    (ret = tb_link_set_txqueuelen(nl, vpn->tap.name, cfg->txqueuelen, &err)) < 0)
		goto fail;
	if (cfg->bridge) {
		if ((ret = tb_bridge_find(nl, cfg->bridge, false, &err)) < 0 ||
		    (ret = tb_port_attach(nl, cfg->bridge, vpn->tap.name, &err)) < 0)
			goto fail;
		log_notice("tap %s is a port of bridge %s", vpn->tap.name, cfg->bridge);
	}
	if ((ret = tb_link_set_up(nl, vpn->tap.name, true, &err)) < 0)
		goto fail;
	tb_nl_close(nl);
	vpn->tap_watch.fd = vpn->tap.fd;
	vpn->tap_watch.on_event = on_tap_event;
	return vpn_watch(vpn, &vpn->tap_watch, EPOLLIN);
fail:
	log_errorx("tap %s: %s", vpn->tap.name, err.msg);
	tb_nl_close(nl);
	return ret;
}

/* tcp-congestion names an algorithm this kernel has (and allows): tried on a scratch socket at
 * start, so a typo stops the daemon with the kernel's word for it instead of a later warning. */
static int check_congestion(const struct config *cfg)
{
	int fd, ret;

	if (!cfg->tcp_congestion)
		return 0;
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		fd = socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		ret = -errno;
		log_error(ret, "tcp-congestion %s: socket", cfg->tcp_congestion);
		return ret;
	}
	ret = peer_set_congestion(fd, cfg->tcp_congestion);
	close(fd);
	if (ret < 0)
		log_error(ret,
		          "tcp-congestion %s (this kernel has those in "
		          "/proc/sys/net/ipv4/tcp_available_congestion_control)",
		          cfg->tcp_congestion);
	return ret;
}

/* The pid file is replaced (a temporary file renamed over it): a symlink planted at its path is
 * replaced itself, and no existing file is ever truncated. */
static int write_pidfile(const char *path)
{
	char buf[32];
	int len, ret;

	len = snprintf(buf, sizeof(buf), "%d\n", (int)getpid());
	ret = ownfile_replace(path, buf, (size_t)len, 0644);
	if (ret < 0)
		log_error(ret, "writepid %s", path);
	return ret;
}

static int open_logging(const struct config *cfg)
{
	struct log_target t = {
		.verb = cfg->verb,
		.file = cfg->log_file,
		.append = cfg->log_append,
		.syslog = cfg->syslog || (cfg->daemon && !cfg->log_file),
		.ident = cfg->syslog_ident,
		.timestamps = !cfg->suppress_timestamps,
		.mute = cfg->mute,
	};
	const char *why = NULL;
	int ret = log_open(&t, &why);

	if (ret < 0)
		log_errorx("%s %s: %s", cfg->log_append ? "log-append" : "log", cfg->log_file, why);
	return ret;
}

/* Everything that depends on the config but not on the tap: TLS (TLS, when given, is already
 * built for this config and is taken over), compression, switch. */
static int setup_engine(struct vpn *vpn, struct tls_ctx *tls)
{
	const struct config *cfg = vpn->cfg;
	int ret;

	vpn->server = cfg->role == ROLE_SERVER;
	vpn->max_frame = cfg->tun_mtu + ETH_OVERHEAD;
	vpn->tls = tls;
	if (!vpn->tls && (ret = tls_ctx_new(&vpn->tls, cfg, vpn->server)) < 0)
		return ret;
	if (cfg->comp == COMP_YES || cfg->comp == COMP_ADAPTIVE || cfg->comp == COMP_NO) {
		vpn->comp = comp_new(cfg->comp == COMP_ADAPTIVE);
		if (!vpn->comp)
			return -ENOMEM;
	}
	vpn->vnet = !cfg->no_tap_offload;
	vpn->max_payload = vpn->vnet ? VNET_HDR_LEN + VNET_MAX_FRAME : vpn->max_frame;
	vpn->zip_buf_len = comp_bound(VNET_HDR_LEN + VNET_MAX_FRAME);
	vpn->zip_buf = malloc(vpn->zip_buf_len);
	vpn->frame_buf = malloc(VNET_HDR_LEN + VNET_MAX_FRAME);
	vpn->plain_buf = malloc(VNET_HDR_LEN + VNET_MAX_FRAME);
	vpn->unzip_buf = malloc(VNET_HDR_LEN + VNET_MAX_FRAME);
	vpn->csum_buf = malloc(VNET_MAX_FRAME);
	if (!vpn->zip_buf || !vpn->frame_buf || !vpn->plain_buf || !vpn->unzip_buf ||
	    !vpn->csum_buf)
		return -ENOMEM;
	storm_port_set(&vpn->tap_storm, cfg->policy.storm);
	if (vpn->server) {
		vpn->macs = mactable_new(MAC_TABLE_SIZE, cfg->policy.max_macs, cfg->policy.mac_age);
		if (!vpn->macs)
			return -ENOMEM;
	}
	return 0;
}

static void teardown_engine(struct vpn *vpn)
{
	tls_ctx_free(vpn->tls);
	vpn->tls = NULL;
	comp_free(vpn->comp);
	vpn->comp = NULL;
	free(vpn->zip_buf);
	free(vpn->frame_buf);
	free(vpn->plain_buf);
	free(vpn->unzip_buf);
	free(vpn->csum_buf);
	vpn->zip_buf = vpn->frame_buf = vpn->plain_buf = vpn->unzip_buf = vpn->csum_buf = NULL;
	mactable_free(vpn->macs);
	vpn->macs = NULL;
}

static int loop_timeout_ms(const struct vpn *vpn)
{
	int wait = control_held(vpn) ? -1 : client_wait_ms(vpn), resume = preauth_wait_ms(vpn);

	if (resume >= 0 && (wait < 0 || resume < wait))
		wait = resume;
	return wait >= 0 && wait < 1000 ? wait : 1000;
}

/* inactive N [BYTES]: a period ends (and a new one starts) once the tap has moved BYTES (at
 * least one) in both directions together; one that lasts N seconds stops the daemon. */
static void check_inactive(struct vpn *vpn)
{
	const struct config *cfg = vpn->cfg;
	uint64_t moved = vpn->counters.tap_read + vpn->counters.tap_write;
	uint64_t enough = cfg->inactive_bytes ? cfg->inactive_bytes : 1;

	if (!cfg->inactive)
		return;
	if (!vpn->inactive_since || moved - vpn->inactive_mark >= enough) {
		vpn->inactive_since = vpn->now;
		vpn->inactive_mark = moved;
		return;
	}
	if (vpn->now - vpn->inactive_since < cfg->inactive)
		return;
	if (cfg->inactive_bytes)
		log_notice("%llu bytes through %s in %u s, under %llu (inactive): exiting",
		           (unsigned long long)(moved - vpn->inactive_mark), vpn->tap.name,
		           cfg->inactive, (unsigned long long)enough);
	else
		log_notice("nothing through %s for %u s (inactive): exiting", vpn->tap.name,
		           cfg->inactive);
	vpn->run = STOP;
}

/* The link state in a few words, for systemd's STATUS=. */
static void status_line(const struct vpn *vpn, char *buf, size_t len)
{
	unsigned up = 0;
	const struct peer *link = NULL;

	for (const struct peer *p = vpn->peers; p; p = p->next)
		if (p->state == PEER_UP) {
			up++;
			link = p;
		}
	if (vpn->server)
		snprintf(buf, len, "%u site%s connected", up, up == 1 ? "" : "s");
	else if (link)
		snprintf(buf, len, "connected to %s", link->label);
	else
		snprintf(buf, len, "connecting (attempt %u)", vpn->client.attempts + 1);
}

/* Once a second: keepalive, deadlines, reconnects, MAC ageing, status file, and a changed CRL
 * checked against every authenticated peer (a revoked one is cut off at once). */
static void housekeeping(struct vpn *vpn, int status_fd)
{
	bool new_crl = tls_ctx_poll_crl(vpn->tls) > 0;
	char status[256];

	for (struct peer *p = vpn->peers; p; p = p->next) {
		char serial[80], why[128];

		if (new_crl && p->state != PEER_DEAD && p->ssl &&
		    tls_session_revoked(vpn->tls, p->ssl, serial, sizeof(serial))) {
			snprintf(why, sizeof(why), "certificate revoked (serial %s)", serial);
			peer_close(p, why);
			continue;
		}
		peer_tick(p);
	}
	if (vpn->macs)
		mactable_expire(vpn->macs, vpn->now);
	check_inactive(vpn);
	control_tick(vpn);
	status_line(vpn, status, sizeof(status));
	notify_status(&vpn->notify, status);
	/* After many short connections (a flood of strangers) the heap has free space the
	 * allocator keeps: give it back, so RSS returns to where it was. */
	if (vpn->peers_freed && vpn->now - vpn->last_trim >= TRIM_SECONDS) {
		malloc_trim(0);
		vpn->peers_freed = 0;
		vpn->last_trim = vpn->now;
	}
	if (vpn->cfg->status_file && vpn->now >= vpn->next_status) {
		report_write_file(vpn, status_fd);
		vpn->next_status =
		    vpn->now + (vpn->cfg->status_interval ? vpn->cfg->status_interval : 60);
	}
}

static bool peers_have_pending_input(const struct vpn *vpn)
{
	for (const struct peer *p = vpn->peers; p; p = p->next)
		if (peer_has_pending_input(p))
			return true;
	return false;
}

/* Strategy: one epoll loop; every handler only queues, and the send queues are flushed once
 * per turn, after all events, so frames that arrived together leave in few TLS writes. Input
 * a peer's bounded read left inside OpenSSL is read in the same turn, after the events, and
 * the loop does not sleep while some is left. */
static void run_loop(struct vpn *vpn, int status_fd)
{
	struct epoll_event events[64];
	uint64_t last_tick = 0;

	while (vpn->run == RUN) {
		int timeout = peers_have_pending_input(vpn) ? 0 : loop_timeout_ms(vpn);
		int watchdog =
		    vpn->notify.watchdog_ms ? notify_watchdog(&vpn->notify, vpn_now_ms()) : -1;
		int n;

		if (watchdog >= 0 && watchdog < timeout)
			timeout = watchdog;
		n = epoll_wait(vpn->epfd, events, 64, timeout);

		if (n < 0 && errno != EINTR) {
			log_error(errno, "epoll_wait");
			vpn->run = STOP;
			break;
		}
		vpn->now = vpn_now();
		for (int i = 0; i < n; i++) {
			struct watch *w = events[i].data.ptr;
			w->on_event(w, events[i].events);
		}
		for (struct peer *p = vpn->peers; p; p = p->next)
			peer_read_pending(p);
		for (struct peer *p = vpn->peers; p; p = p->next)
			if (peer_wants_flush(p))
				peer_flush(p);
		if (vpn->now != last_tick) {
			last_tick = vpn->now;
			housekeeping(vpn, status_fd);
		}
		if (!control_held(vpn))
			client_tick(vpn);
		preauth_tick(vpn);
		peer_reap(vpn);
	}
}

/* Say goodbye to every peer and give the goodbyes a moment to leave. */
static void close_peers(struct vpn *vpn, const char *reason)
{
	uint64_t deadline = vpn_now() + SHUTDOWN_SECONDS;
	uint32_t tap_events = vpn->tap_watch.events, sig_events = vpn->sig_watch.events;

	/* Only peers matter now: frames from the tap and signals wait until the main loop runs
	 * again (left in the level-triggered set unread, they would wake this loop at once, over
	 * and over, until the deadline). */
	if (tap_events)
		vpn_watch(vpn, &vpn->tap_watch, 0);
	if (sig_events)
		vpn_watch(vpn, &vpn->sig_watch, 0);
	for (struct peer *p = vpn->peers; p; p = p->next)
		peer_goodbye(p, reason);
	while (vpn->peers && vpn_now() < deadline) {
		struct epoll_event events[16];
		int n;

		peer_reap(vpn);
		if (!vpn->peers)
			break;
		n = epoll_wait(vpn->epfd, events, 16, 100);
		vpn->now = vpn_now();
		for (int i = 0; i < n; i++) {
			struct watch *w = events[i].data.ptr;
			w->on_event(w, events[i].events);
		}
		for (struct peer *p = vpn->peers; p; p = p->next)
			peer_tick(p);
	}
	for (struct peer *p = vpn->peers; p; p = p->next)
		peer_close(p, reason);
	peer_reap(vpn);
	if (tap_events)
		vpn_watch(vpn, &vpn->tap_watch, tap_events);
	if (sig_events)
		vpn_watch(vpn, &vpn->sig_watch, sig_events);
}

static void log_warnings(const struct config *cfg)
{
	for (size_t i = 0; i < cfg->n_warnings; i++)
		log_warnx("%s", cfg->warnings[i]);
}

/* What a reload cannot change without a restart (the tap and the sockets are kept). */
static const char *needs_restart(const struct config *now, const struct config *fresh)
{
	if (now->role != fresh->role)
		return "the role (client/server)";
	if (strcmp(now->dev, fresh->dev))
		return "dev";
	if (now->tun_mtu != fresh->tun_mtu)
		return "tun-mtu";
	if (now->no_tap_offload != fresh->no_tap_offload)
		return "tap-offload";
	if ((now->bridge == NULL) != (fresh->bridge == NULL) ||
	    (now->bridge && strcmp(now->bridge, fresh->bridge)))
		return "bridge";
	if (now->local_port != fresh->local_port || now->family != fresh->family ||
	    (now->local == NULL) != (fresh->local == NULL) ||
	    (now->local && strcmp(now->local, fresh->local)))
		return "the listening address or port";
	return NULL;
}

/* SIGHUP: read the configuration again. It replaces the running one only when it loads
 * completely (certificates included); otherwise the daemon goes on as it was. */
static void reload_config(struct vpn *vpn, int argc, char **argv)
{
	struct config fresh;
	struct config_error err = { { 0 } };
	struct tls_ctx *tls = NULL;
	const char *change;

	config_init(&fresh);
	if (config_parse_argv(&fresh, argc, argv, &err) < 0 || config_finish(&fresh, &err) < 0) {
		log_errorx("reload failed, keeping the running configuration: %s", err.msg);
		goto discard;
	}
	if ((change = needs_restart(vpn->cfg, &fresh))) {
		log_errorx("reload failed, keeping the running configuration: changing %s needs "
		           "a restart",
		           change);
		goto discard;
	}
	if (tls_ctx_new(&tls, &fresh, fresh.role == ROLE_SERVER) < 0) {
		log_errorx("reload failed, keeping the running configuration: the certificates "
		           "above did not load (after dropping privileges, key files must stay "
		           "readable by the daemon's user)");
		goto discard;
	}
	teardown_engine(vpn);
	config_free(vpn->cfg);
	*vpn->cfg = fresh; /* moved: the running config owns it now */
	log_set_verb(vpn->cfg->verb);
	log_set_mute(vpn->cfg->mute);
	log_warnings(vpn->cfg);
	if (setup_engine(vpn, tls) < 0) {
		log_errorx("reload: out of memory");
		vpn->run = STOP;
	}
	log_notice("configuration reloaded");
	return;
discard:
	config_free(&fresh);
}

int daemon_main(struct config *cfg, int argc, char **argv)
{
	struct vpn vpn = { .cfg = cfg, .epfd = -1, .sigfd = -1 };
	bool pidfile_written = false;
	int status_fd = -1, rc = 1;
	struct privs privs;
	char status[256];

	vpn.tap.fd = -1;
	vpn.preauth.reserve_fd = -1;
	notify_init(&vpn.notify);
	/* Large temporary blocks (the status text and route list of a full MAC table) go back to
	 * the system when freed: with glibc's default threshold (128 KiB) fixed, they keep being
	 * served by mmap, where by default the first such free raises the threshold and later
	 * ones stay in the heap. */
	mallopt(M_MMAP_THRESHOLD, 128 * 1024);
	/* Before the log moves to a file or syslog and before `daemon` forks: a wrong user or
	 * group is an error on the terminal. */
	if (privs_resolve_config(cfg, &privs) < 0)
		return 1;
	if (open_logging(cfg) < 0)
		return 1;
	log_warnings(cfg);
	log_notice("l2vpn %s starting as %s, dev %s", L2VPN_VERSION,
	           cfg->role == ROLE_SERVER ? "server" : "client", cfg->dev);
	if (comp_global_init() < 0) {
		log_errorx("LZO initialisation failed");
		goto out;
	}
	vpn.epfd = epoll_create1(EPOLL_CLOEXEC);
	if (vpn.epfd < 0 || setup_signals(&vpn) < 0) {
		log_error(errno, "epoll/signalfd");
		goto out;
	}
	if (control_open(&vpn) < 0)
		goto out;
	if (check_congestion(cfg) < 0 || setup_engine(&vpn, NULL) < 0 || setup_tap(&vpn) < 0)
		goto out;
	preauth_raise_fd_limit(cfg);
	if (vpn.server) {
		vpn.ports = malloc(sizeof(*vpn.ports));
		if (!vpn.ports || preauth_init(&vpn) < 0)
			goto out;
		portmap_init(vpn.ports);
		if (server_listen(&vpn, !control_held(&vpn)) < 0)
			goto out;
	}
	if (!vpn.server)
		client_shuffle_remotes(&vpn);
	status_fd = report_open_status(cfg, privs.uid);
	if (cfg->cd && chdir(cfg->cd) < 0) {
		log_error(errno, "cd %s", cfg->cd);
		goto out;
	}
	if (cfg->daemon && go_background(&vpn) < 0)
		goto out;
	if (cfg->writepid) {
		if (write_pidfile(cfg->writepid) < 0)
			goto out;
		pidfile_written = true;
	}
	if (privs_drop(&privs) < 0)
		goto out;
	log_notice("initialisation sequence completed");
	control_start(&vpn);
	status_line(&vpn, status, sizeof(status));
	notify_ready(&vpn.notify, status);

	for (;;) {
		vpn.run = RUN;
		vpn.now = vpn_now();
		run_loop(&vpn, status_fd);
		if (vpn.run == STOP)
			break;
		if (vpn.run == RELOAD)
			notify_reloading();
		close_peers(&vpn, vpn.run == RELOAD ? "reloading" : "restarting");
		if (vpn.run == RELOAD) {
			reload_config(&vpn, argc, argv);
			notify_ready(&vpn.notify, NULL);
		}
		if (vpn.run == STOP)
			break;
		client_restart_now(&vpn);
		control_restarted(&vpn);
	}
	control_stopping(&vpn);
	notify_stopping();
	close_peers(&vpn, "shutting down");
	report_counters(&vpn, LOG_LVL_NOTICE);
	rc = vpn.exit_code;
out:
	while (vpn.peers) {
		peer_close(vpn.peers, "exiting");
		peer_reap(&vpn);
	}
	server_close(&vpn);
	control_close(&vpn);
	preauth_free(&vpn);
	free(vpn.ports);
	free(vpn.port_peers);
	if (vpn.tap.fd >= 0)
		tb_tap_close(&vpn.tap);
	teardown_engine(&vpn);
	if (status_fd >= 0)
		close(status_fd);
	if (vpn.sigfd >= 0)
		close(vpn.sigfd);
	if (vpn.epfd >= 0)
		close(vpn.epfd);
	if (pidfile_written && unlink(cfg->writepid) < 0)
		log_debug("could not remove pid file %s", cfg->writepid);
	log_notice("exiting with status %d", rc);
	log_close();
	return rc;
}

int daemon_test_config(const struct config *cfg)
{
	struct tls_ctx *tls = NULL;
	struct privs privs;
	int ret;

	log_warnings(cfg);
	ret = tls_ctx_new(&tls, cfg, cfg->role == ROLE_SERVER);
	tls_ctx_free(tls);
	/* `user` and `group` must exist: the daemon would refuse to start. */
	if (privs_resolve_config(cfg, &privs) < 0)
		ret = -ENOENT;
	if (control_test_config(cfg) < 0)
		ret = -EINVAL;
	if (ret < 0) {
		fprintf(stderr, "configuration has errors (see above)\n");
		return 1;
	}
	printf("configuration OK\n");
	return 0;
}
