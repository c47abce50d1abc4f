// SPDX-License-Identifier: GPL-2.0-or-later
/* mgmt: the management interface's sockets, clients, output queues and notifications (see
 * mgmt.h; the commands are in mgmt_cmd.c). */
#include "mgmt_internal.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "escape.h"
#include "log.h"

#define LISTEN_BACKLOG  8
#define ACCEPT_ROUNDS   8     /* connections taken per listener event */
#define READ_CHUNK      4096  /* bytes per read */
#define READ_ROUNDS     8     /* reads per client event: a busy client cannot starve the loop */
#define OUT_LINE_MAX    2400  /* one formatted line: a log line (2048) and its prefix */
#define OUT_KEEP        65536 /* an empty output queue keeps at most this much memory */
#define LOG_INTERVAL_MS 10000 /* lines about refused or dropped clients: one per 10 s */

/* OpenVPN's message flags of a log line: I info, F fatal, N error, W warning, D debug. */
static const char *level_flags(int level)
{
	switch (level) {
	case LOG_LVL_FATAL:
		return "F";
	case LOG_LVL_ERROR:
		return "N";
	case LOG_LVL_WARN:
		return "W";
	case LOG_LVL_REPORT:
	case LOG_LVL_NOTICE:
	case LOG_LVL_INFO:
		return "I";
	default:
		return "D";
	}
}

/* ---- clients: closing, output ------------------------------------------------------------ */

static void client_events(struct mgmt_client *c)
{
	uint32_t ev = c->closing ? 0 : EPOLLIN;

	if (c->out_len > c->out_off)
		ev |= EPOLLOUT;
	if (ev != c->watch.events)
		c->m->ops.watch(c->m->arg, &c->watch, ev);
}

/* Close C now (its memory goes at the next mgmt_tick(): events of this loop turn may still
 * name it). WHY (may be NULL) is logged. */
static void client_close(struct mgmt_client *c, const char *why)
{
	struct mgmt *m = c->m;

	if (c->dead)
		return;
	if (c->watch.events)
		m->ops.watch(m->arg, &c->watch, 0);
	close(c->watch.fd);
	c->watch.fd = -1;
	c->dead = true;
	free(c->out);
	c->out = NULL;
	c->out_len = c->out_off = c->out_cap = 0;
	m->n_clients--;
	log_info("management: %s disconnected%s%s", c->label, why ? ": " : "", why ? why : "");
}

void mgmt_close_after_output(struct mgmt_client *c)
{
	if (c->dead)
		return;
	c->closing = true;
	if (c->out_len == c->out_off)
		client_close(c, NULL);
	else
		client_events(c);
}

/* C leaves its output unread: drop it, with a line in the log at most every 10 s. */
static void client_overflow(struct mgmt_client *c)
{
	struct mgmt *m = c->m;
	uint64_t suppressed = 0;
	size_t waiting = c->out_len - c->out_off;
	char label[sizeof(c->label)];

	memcpy(label, c->label, sizeof(label));
	client_close(c, NULL);
	if (!ratelimit_pass(&m->overflow_log, vpn_now_ms(), &suppressed))
		return;
	log_warnx("management: %s does not read its output (%zu bytes waiting, at most %d): "
	          "disconnected%s",
	          label, waiting, MGMT_OUT_MAX,
	          suppressed ? " (more such clients dropped since the last line)" : "");
}

/* Append LEN bytes of DATA to C's queue. false: out of memory. */
static bool queue_append(struct mgmt_client *c, const char *data, size_t len)
{
	size_t pending = c->out_len - c->out_off;

	if (c->out_off && (c->out_off >= c->out_cap / 2 || c->out_len + len > c->out_cap)) {
		memmove(c->out, c->out + c->out_off, pending);
		c->out_off = 0;
		c->out_len = pending;
	}
	if (c->out_len + len > c->out_cap) {
		size_t cap = c->out_cap ? c->out_cap : 4096;
		char *grown;

		while (cap < c->out_len + len)
			cap *= 2;
		grown = realloc(c->out, cap);
		if (!grown)
			return false;
		c->out = grown;
		c->out_cap = cap;
	}
	memcpy(c->out + c->out_len, data, len);
	c->out_len += len;
	return true;
}

/* Strategy: write at once when nothing waits (most replies never touch the queue); queue the
 * rest. A queue that would pass MGMT_OUT_MAX drops the client, except that one reply of any
 * size may start an empty queue (a status of a full MAC table is larger than the bound). */
void mgmt_write(struct mgmt_client *c, const char *data, size_t len)
{
	size_t pending;

	if (c->dead || len == 0)
		return;
	pending = c->out_len - c->out_off;
	if (!pending) {
		ssize_t n = send(c->watch.fd, data, len, MSG_NOSIGNAL | MSG_DONTWAIT);

		if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
			client_close(c, strerror(errno));
			return;
		}
		if (n > 0) {
			data += n;
			len -= (size_t)n;
		}
		if (!len)
			return;
	} else if (pending + len > MGMT_OUT_MAX) {
		client_overflow(c);
		return;
	}
	if (!queue_append(c, data, len)) {
		client_close(c, "out of memory for its output");
		return;
	}
	client_events(c);
}

static void client_flush(struct mgmt_client *c)
{
	while (c->out_off < c->out_len) {
		ssize_t n = send(c->watch.fd, c->out + c->out_off, c->out_len - c->out_off,
		                 MSG_NOSIGNAL | MSG_DONTWAIT);

		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
			break;
		if (n <= 0) {
			client_close(c, n < 0 ? strerror(errno) : "write failed");
			return;
		}
		c->out_off += (size_t)n;
	}
	if (c->out_off == c->out_len) {
		c->out_off = c->out_len = 0;
		if (c->out_cap > OUT_KEEP) {
			free(c->out);
			c->out = NULL;
			c->out_cap = 0;
		}
		if (c->closing) {
			client_close(c, NULL);
			return;
		}
	}
	client_events(c);
}

void mgmt_printf(struct mgmt_client *c, const char *fmt, ...)
{
	char line[OUT_LINE_MAX];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line) - 2, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n > sizeof(line) - 3)
		n = (int)sizeof(line) - 3;
	memcpy(line + n, "\r\n", 2);
	mgmt_write(c, line, (size_t)n + 2);
}

void mgmt_write_text(struct mgmt_client *c, const char *text)
{
	size_t len = strlen(text), lines = 1, o = 0;
	char *buf;

	for (const char *p = text; (p = strchr(p, '\n')); p++)
		lines++;
	buf = malloc(len + lines + 2);
	if (!buf) {
		mgmt_printf(c, "ERROR: out of memory");
		return;
	}
	for (size_t i = 0; i < len; i++) {
		if (text[i] == '\n' && (i == 0 || text[i - 1] != '\r'))
			buf[o++] = '\r';
		buf[o++] = text[i];
	}
	if (o == 0 || buf[o - 1] != '\n') {
		buf[o++] = '\r';
		buf[o++] = '\n';
	}
	mgmt_write(c, buf, o);
	free(buf);
}

void mgmt_welcome(struct mgmt_client *c)
{
	mgmt_printf(c,
	            ">INFO:OpenVPN Management Interface Version %d (l2vpn %s) -- type 'help' for "
	            "more info",
	            MGMT_VERSION, c->m->version);
	if (c->m->held)
		mgmt_printf(c, ">HOLD:Waiting for hold release:0");
}

/* ---- clients: input ---------------------------------------------------------------------- */

static void client_feed(struct mgmt_client *c, const char *buf, size_t len)
{
	size_t pos = 0, used;

	while (pos < len && !c->dead && !c->closing) {
		enum mgmt_line_event ev = mgmt_line_feed(&c->in, buf + pos, len - pos, &used);

		pos += used;
		if (ev == MGMT_LINE_READY)
			mgmt_command(c, c->in.buf);
		else if (ev == MGMT_LINE_TOO_LONG)
			mgmt_printf(c, "ERROR: command longer than %d bytes: ignored up to its end",
			            MGMT_LINE_MAX);
		else if (ev == MGMT_LINE_HAS_NUL)
			mgmt_printf(c, "ERROR: command holds a NUL byte: ignored");
	}
}

static void client_read(struct mgmt_client *c)
{
	char buf[READ_CHUNK];

	for (int round = 0; round < READ_ROUNDS && !c->dead && !c->closing; round++) {
		ssize_t n = recv(c->watch.fd, buf, sizeof(buf), MSG_DONTWAIT);

		if (n == 0) {
			/* The client closed its side: what it asked for is still written. */
			mgmt_close_after_output(c);
			return;
		}
		if (n < 0) {
			if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
				client_close(c, strerror(errno));
			return;
		}
		client_feed(c, buf, (size_t)n);
	}
}

static void on_client_event(struct watch *w, uint32_t events)
{
	struct mgmt_client *c = container_of(w, struct mgmt_client, watch);

	if (c->dead)
		return;
	if (events & EPOLLERR) {
		client_close(c, "socket error");
		return;
	}
	if (events & EPOLLOUT)
		client_flush(c);
	if (c->dead)
		return;
	if (!c->closing && (events & (EPOLLIN | EPOLLHUP)))
		client_read(c);
	else if (events & EPOLLHUP)
		client_close(c, NULL);
	if (!c->dead)
		client_events(c);
}

/* ---- accepting clients ------------------------------------------------------------------- */

static void client_label(struct mgmt_client *c, const struct sockaddr_storage *ss)
{
	char host[INET6_ADDRSTRLEN], port[NI_MAXSERV];

	if (ss->ss_family == AF_UNIX) {
		struct ucred cred;
		socklen_t len = sizeof(cred);

		if (getsockopt(c->watch.fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) == 0)
			snprintf(c->label, sizeof(c->label), "unix socket client pid %d uid %u",
			         (int)cred.pid, (unsigned)cred.uid);
		else
			snprintf(c->label, sizeof(c->label), "unix socket client");
		return;
	}
	if (getnameinfo((const struct sockaddr *)ss, sizeof(*ss), host, sizeof(host), port,
	                sizeof(port), NI_NUMERICHOST | NI_NUMERICSERV) != 0)
		snprintf(c->label, sizeof(c->label), "client");
	else
		snprintf(c->label, sizeof(c->label), "client %s port %s", host, port);
}

static void client_new(struct mgmt *m, int fd, const struct sockaddr_storage *ss)
{
	struct mgmt_client *c = calloc(1, sizeof(*c));

	if (!c) {
		close(fd);
		return;
	}
	c->m = m;
	c->watch.fd = fd;
	c->watch.on_event = on_client_event;
	client_label(c, ss);
	if (m->ops.watch(m->arg, &c->watch, EPOLLIN) < 0) {
		close(fd);
		free(c);
		return;
	}
	c->next = m->clients;
	m->clients = c;
	m->n_clients++;
	log_info("management: %s connected", c->label);
	if (m->password) {
		/* As OpenVPN: the prompt without a line end. */
		mgmt_write(c, "ENTER PASSWORD:", 15);
		return;
	}
	c->authed = true;
	mgmt_welcome(c);
}

/* A client beyond MGMT_CLIENTS_MAX: told so and closed. */
static void refuse(struct mgmt *m, int fd)
{
	static const char msg[] = "ERROR: too many management clients (at most 8 at once): "
	                          "try again later\r\n";
	uint64_t suppressed = 0;

	if (send(fd, msg, sizeof(msg) - 1, MSG_NOSIGNAL | MSG_DONTWAIT) < 0)
		log_debug("management: could not tell a refused client why");
	close(fd);
	if (ratelimit_pass(&m->refused_log, vpn_now_ms(), &suppressed))
		log_warnx("management: a client was refused: %d are connected already%s",
		          MGMT_CLIENTS_MAX, suppressed ? " (and others since the last line)" : "");
}

static void on_listen_event(struct watch *w, uint32_t events)
{
	struct mgmt_listener *l = container_of(w, struct mgmt_listener, watch);
	struct mgmt *m = l->m;

	(void)events;
	for (int i = 0; i < ACCEPT_ROUNDS; i++) {
		struct sockaddr_storage ss;
		socklen_t len = sizeof(ss);
		int fd = accept4(w->fd, (struct sockaddr *)&ss, &len, SOCK_NONBLOCK | SOCK_CLOEXEC);

		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			if (errno != EAGAIN && errno != EWOULDBLOCK) {
				/* Out of descriptors, say: the listener rests until the next tick
				 * instead of waking the level-triggered loop again at once. */
				log_warn(errno, "management: accept");
				m->ops.watch(m->arg, w, 0);
			}
			return;
		}
		if (m->n_clients >= MGMT_CLIENTS_MAX) {
			refuse(m, fd);
			continue;
		}
		client_new(m, fd, &ss);
	}
}

/* ---- notifications ----------------------------------------------------------------------- */

enum note { NOTE_LOG, NOTE_STATE, NOTE_ECHO };

static void broadcast(struct mgmt *m, enum note kind, const char *line, size_t len)
{
	for (struct mgmt_client *c = m->clients; c; c = c->next) {
		bool on = kind == NOTE_LOG     ? c->log_on
		          : kind == NOTE_STATE ? c->state_on
		                               : c->echo_on;

		if (!c->dead && c->authed && on)
			mgmt_write(c, line, len);
	}
}

/* Keep TEXT in H and send ">PREFIX:TIME,TEXT" to the clients that asked for KIND. */
static void notify(struct mgmt *m, enum note kind, struct mgmt_history *h, const char *prefix,
                   time_t when, const char *text)
{
	char line[OUT_LINE_MAX];
	int n;

	if (mgmt_history_add(h, when, text) < 0)
		log_debug("management: out of memory for the %s history", prefix);
	n = snprintf(line, sizeof(line) - 2, ">%s:%lld,%s", prefix, (long long)when, text);
	if (n < 0)
		return;
	if ((size_t)n > sizeof(line) - 3)
		n = (int)sizeof(line) - 3;
	memcpy(line + n, "\r\n", 2);
	broadcast(m, kind, line, (size_t)n + 2);
}

/* TEXT with its line breaks turned into blanks: one notification is one line. */
static void one_line(char *text)
{
	for (char *p = text; *p; p++)
		if (*p == '\r' || *p == '\n')
			*p = ' ';
}

void mgmt_log(struct mgmt *m, int level, time_t when, const char *line)
{
	char text[OUT_LINE_MAX - 64];

	snprintf(text, sizeof(text), "%s,%s", level_flags(level), line);
	one_line(text);
	notify(m, NOTE_LOG, &m->log, "LOG", when, text);
}

void mgmt_state(struct mgmt *m, time_t when, const struct mgmt_state *st)
{
	char desc[256], text[512];

	/* time,STATE,DESC,TUN-IP,REMOTE-IP,REMOTE-PORT,LOCAL-IP,LOCAL-PORT: the description is
	 * one field (commas become '_'); a tap has no tunnel address of its own. */
	esc_printable(desc, sizeof(desc), st->desc ? st->desc : "", st->desc ? strlen(st->desc) : 0,
	              ESC_CSV);
	snprintf(text, sizeof(text), "%s,%s,,%s,%s,%s,%s", st->name, desc,
	         st->remote_ip ? st->remote_ip : "", st->remote_port ? st->remote_port : "",
	         st->local_ip ? st->local_ip : "", st->local_port ? st->local_port : "");
	notify(m, NOTE_STATE, &m->state, "STATE", when, text);
}

void mgmt_echo(struct mgmt *m, time_t when, const char *text)
{
	char copy[MGMT_LINE_MAX + 1];

	snprintf(copy, sizeof(copy), "%s", text);
	one_line(copy);
	notify(m, NOTE_ECHO, &m->echo, "ECHO", when, copy);
}

void mgmt_history_reply(struct mgmt_client *c, const struct mgmt_history *h, size_t n)
{
	size_t start = n && n < h->n ? h->n - n : 0;

	for (size_t i = start; i < h->n; i++) {
		const struct mgmt_entry *e = mgmt_history_get(h, i);
		mgmt_printf(c, "%lld,%s", (long long)e->when, e->text);
	}
	mgmt_printf(c, "END");
}

void mgmt_set_held(struct mgmt *m, bool held)
{
	m->held = held;
	if (!held)
		return;
	for (struct mgmt_client *c = m->clients; c; c = c->next)
		if (!c->dead && c->authed)
			mgmt_printf(c, ">HOLD:Waiting for hold release:0");
}

bool mgmt_hold_flag(const struct mgmt *m)
{
	return m->hold_flag;
}

unsigned mgmt_clients(const struct mgmt *m)
{
	return m->n_clients;
}

/* ---- life cycle -------------------------------------------------------------------------- */

static void reap(struct mgmt *m)
{
	struct mgmt_client **pp = &m->clients;

	while (*pp) {
		struct mgmt_client *c = *pp;

		if (!c->dead) {
			pp = &c->next;
			continue;
		}
		*pp = c->next;
		free(c);
	}
}

void mgmt_tick(struct mgmt *m, uint64_t now)
{
	m->now = now;
	if (!m->listener.watch.events)
		m->ops.watch(m->arg, &m->listener.watch, EPOLLIN);
	for (struct mgmt_client *c = m->clients; c; c = c->next) {
		if (c->dead || !c->authed || !c->bytecount || now < c->next_bytecount)
			continue;
		c->next_bytecount = now + c->bytecount;
		m->ops.bytecount(m->arg, c);
	}
	reap(m);
}

/* A process listens on the unix socket SUN (a live daemon's, not a stale file). */
static bool socket_in_use(const struct sockaddr_un *sun)
{
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	bool used;

	if (fd < 0)
		return false;
	used = connect(fd, (const struct sockaddr *)sun, sizeof(*sun)) == 0 || errno == EAGAIN;
	close(fd);
	return used;
}

/* Bind FD to the unix socket PATH, mode 0600 (0660 with a group), owned as CFG says. */
static int bind_unix(struct mgmt *m, int fd, const struct mgmt_config *cfg)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	const char *path = cfg->address;
	struct stat st;
	mode_t old;
	int ret;

	if (strlen(path) >= sizeof(sun.sun_path)) {
		log_errorx("management %s: the path is too long for a unix socket", path);
		return -ENAMETOOLONG;
	}
	memcpy(sun.sun_path, path, strlen(path) + 1);
	if (lstat(path, &st) == 0) {
		if (!S_ISSOCK(st.st_mode)) {
			log_errorx(
			    "management %s: exists and is not a socket: refusing to replace it",
			    path);
			return -EEXIST;
		}
		if (socket_in_use(&sun)) {
			log_errorx("management %s: another process listens on this socket", path);
			return -EADDRINUSE;
		}
		if (unlink(path) < 0 && errno != ENOENT) {
			ret = -errno;
			log_error(ret, "management %s: cannot remove the old socket", path);
			return ret;
		}
	}
	/* The mode comes with the bind itself: nobody can connect before it is set. */
	old = umask(cfg->group != (gid_t)-1 ? 0117 : 0177);
	ret = bind(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0 ? -errno : 0;
	umask(old);
	if (ret < 0) {
		log_error(ret, "management: cannot bind the unix socket %s", path);
		return ret;
	}
	if ((cfg->owner != (uid_t)-1 || cfg->group != (gid_t)-1) &&
	    lchown(path, cfg->owner, cfg->group) < 0) {
		ret = -errno;
		log_error(ret, "management %s: cannot give the socket to its owner", path);
		unlink(path);
		return ret;
	}
	ret = lstat(path, &st) < 0 ? -errno : (m->unix_path = strdup(path)) ? 0 : -ENOMEM;
	if (ret < 0) {
		log_error(ret, "management %s", path);
		unlink(path);
		return ret;
	}
	m->unix_dev = st.st_dev;
	m->unix_ino = st.st_ino;
	return 0;
}

static int open_unix(struct mgmt *m, const struct mgmt_config *cfg)
{
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	int ret;

	if (fd < 0) {
		ret = -errno;
		log_error(ret, "management: socket");
		return ret;
	}
	ret = bind_unix(m, fd, cfg);
	if (ret == 0 && listen(fd, LISTEN_BACKLOG) < 0) {
		ret = -errno;
		log_error(ret, "management: listen on %s", cfg->address);
	}
	if (ret < 0) {
		close(fd);
		return ret;
	}
	log_notice("management interface listening on unix socket %s", cfg->address);
	return fd;
}

static int open_tcp(const struct mgmt_config *cfg)
{
	struct addrinfo hints = {
		.ai_socktype = SOCK_STREAM,
		.ai_flags = AI_PASSIVE | AI_NUMERICSERV,
	};
	struct addrinfo *res = NULL;
	char port[16];
	int fd = -1, one = 1, ret;

	snprintf(port, sizeof(port), "%u", cfg->port);
	ret = getaddrinfo(cfg->address, port, &hints, &res);
	if (ret != 0) {
		log_errorx("management %s %s: %s", cfg->address, port, gai_strerror(ret));
		return -EADDRNOTAVAIL;
	}
	fd = socket(res->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		ret = -errno;
		goto out;
	}
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, res->ai_addr, res->ai_addrlen) < 0 || listen(fd, LISTEN_BACKLOG) < 0)
		ret = -errno;
out:
	freeaddrinfo(res);
	if (ret < 0) {
		log_error(ret, "management: cannot listen on TCP %s port %s", cfg->address, port);
		if (fd >= 0)
			close(fd);
		return ret;
	}
	log_notice("management interface listening on TCP %s port %s", cfg->address, port);
	return fd;
}

int mgmt_open(struct mgmt **out, const struct mgmt_config *cfg, const struct mgmt_ops *ops,
              void *arg)
{
	struct mgmt *m = calloc(1, sizeof(*m));
	int fd = -1, ret = -ENOMEM;

	if (!m)
		return -ENOMEM;
	m->ops = *ops;
	m->arg = arg;
	m->hold_flag = cfg->hold;
	m->listener.m = m;
	m->listener.watch.fd = -1;
	m->listener.watch.on_event = on_listen_event;
	ratelimit_init(&m->refused_log, 1, LOG_INTERVAL_MS);
	ratelimit_init(&m->overflow_log, 1, LOG_INTERVAL_MS);
	if (!(m->version = strdup(cfg->version)) ||
	    (cfg->password && !(m->password = strdup(cfg->password))) ||
	    mgmt_history_init(&m->log, cfg->history) < 0 ||
	    mgmt_history_init(&m->state, cfg->history) < 0 ||
	    mgmt_history_init(&m->echo, cfg->history) < 0)
		goto fail;
	fd = cfg->port ? open_tcp(cfg) : open_unix(m, cfg);
	if (fd < 0) {
		ret = fd;
		goto fail;
	}
	m->listener.watch.fd = fd;
	ret = ops->watch(arg, &m->listener.watch, EPOLLIN);
	if (ret < 0)
		goto fail;
	*out = m;
	return 0;
fail:
	mgmt_close(m);
	return ret;
}

void mgmt_close(struct mgmt *m)
{
	struct stat st;

	if (!m)
		return;
	for (struct mgmt_client *c = m->clients; c; c = c->next)
		client_close(c, NULL);
	reap(m);
	if (m->listener.watch.fd >= 0) {
		if (m->listener.watch.events)
			m->ops.watch(m->arg, &m->listener.watch, 0);
		close(m->listener.watch.fd);
	}
	/* Only the socket we made: not a file someone put at the path since. */
	if (m->unix_path && lstat(m->unix_path, &st) == 0 && st.st_dev == m->unix_dev &&
	    st.st_ino == m->unix_ino && unlink(m->unix_path) < 0)
		log_debug("management: could not remove %s", m->unix_path);
	free(m->unix_path);
	if (m->password)
		memset(m->password, 0, strlen(m->password));
	free(m->password);
	free(m->version);
	mgmt_history_free(&m->log);
	mgmt_history_free(&m->state);
	mgmt_history_free(&m->echo);
	free(m);
}
