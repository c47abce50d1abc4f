// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * mgmt: the management interface over a real unix socket, its event loop played by the test
 * (every registered descriptor that poll() says is ready gets its event), the daemon played by
 * callbacks that record what they were asked. Replies, notifications, the password, the
 * client limit, bounded output and garbage input, line by line.
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include "log.h"
#include "mgmt.h"

#define MAX_WATCHES 32

/* ---- the daemon, played ------------------------------------------------------------------- */

static struct {
	struct watch *watches[MAX_WATCHES];
	int n_watches;
	int status_version;
	char kill_cn[64];
	struct sockaddr_storage kill_addr;
	unsigned long kill_cid;
	int kill_result;
	int signo;
	int releases;
	int bytecounts;
} fake;

static int fake_watch(void *arg, struct watch *w, uint32_t events)
{
	(void)arg;
	if (!events) {
		for (int i = 0; i < fake.n_watches; i++)
			if (fake.watches[i] == w)
				fake.watches[i] = fake.watches[--fake.n_watches];
	} else if (!w->events) {
		assert_true(fake.n_watches < MAX_WATCHES);
		fake.watches[fake.n_watches++] = w;
	}
	w->events = events;
	return 0;
}

static int fake_status(void *arg, int version, char **out)
{
	(void)arg;
	fake.status_version = version;
	*out = strdup("OpenVPN CLIENT LIST\nUpdated,x\nEND\n");
	return 0;
}

static int fake_json(void *arg, char **out)
{
	(void)arg;
	*out = strdup("{\"role\":\"server\"}\n");
	return 0;
}

static int fake_metrics(void *arg, char **out)
{
	(void)arg;
	(void)out;
	return -ENOMEM;
}

static void fake_load_stats(void *arg, unsigned *sites, uint64_t *in, uint64_t *out)
{
	(void)arg;
	*sites = 2;
	*in = 1000;
	*out = 2000;
}

static int fake_kill_cn(void *arg, const char *cn)
{
	(void)arg;
	snprintf(fake.kill_cn, sizeof(fake.kill_cn), "%s", cn);
	return fake.kill_result;
}

static int fake_kill_addr(void *arg, const struct sockaddr *sa)
{
	(void)arg;
	memcpy(&fake.kill_addr, sa,
	       sa->sa_family == AF_INET ? sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6));
	return fake.kill_result;
}

static int fake_kill_cid(void *arg, unsigned long cid)
{
	(void)arg;
	fake.kill_cid = cid;
	return fake.kill_result;
}

static int fake_signal(void *arg, int signo)
{
	(void)arg;
	fake.signo = signo;
	return 0;
}

static void fake_hold_release(void *arg)
{
	(void)arg;
	fake.releases++;
}

static void fake_bytecount(void *arg, struct mgmt_client *c)
{
	(void)arg;
	fake.bytecounts++;
	mgmt_printf(c, ">BYTECOUNT:%d,%d", 10, 20);
}

static const struct mgmt_ops ops = {
	.watch = fake_watch,
	.status = fake_status,
	.status_json = fake_json,
	.metrics = fake_metrics,
	.load_stats = fake_load_stats,
	.kill_cn = fake_kill_cn,
	.kill_addr = fake_kill_addr,
	.kill_cid = fake_kill_cid,
	.signal = fake_signal,
	.hold_release = fake_hold_release,
	.bytecount = fake_bytecount,
};

/* ---- the event loop, played --------------------------------------------------------------- */

/* Give every ready descriptor its event until none is ready. */
static void pump(void)
{
	for (int round = 0; round < 1000; round++) {
		struct pollfd pfd[MAX_WATCHES];
		struct watch *w[MAX_WATCHES];
		int n = fake.n_watches, ready;

		for (int i = 0; i < n; i++) {
			w[i] = fake.watches[i];
			pfd[i].fd = w[i]->fd;
			pfd[i].events = (short)((w[i]->events & EPOLLIN ? POLLIN : 0) |
			                        (w[i]->events & EPOLLOUT ? POLLOUT : 0));
		}
		ready = poll(pfd, (nfds_t)n, 0);
		assert_true(ready >= 0);
		if (ready == 0)
			return;
		for (int i = 0; i < n; i++) {
			uint32_t ev = (pfd[i].revents & POLLIN ? EPOLLIN : 0) |
			              (pfd[i].revents & POLLOUT ? EPOLLOUT : 0) |
			              (pfd[i].revents & POLLHUP ? EPOLLHUP : 0) |
			              (pfd[i].revents & POLLERR ? EPOLLERR : 0);
			bool still = false;

			for (int j = 0; j < fake.n_watches; j++)
				still = still || fake.watches[j] == w[i];
			if (ev && still)
				w[i]->on_event(w[i], ev);
		}
	}
	fail_msg("the loop never went idle");
}

/* ---- a management client, played ----------------------------------------------------------- */

static char dir[] = "/tmp/l2vpn-test-mgmt.XXXXXX";
static char path[128];

static struct mgmt *open_mgmt(const char *password, bool hold)
{
	struct mgmt_config cfg = {
		.address = path,
		.owner = (uid_t)-1,
		.group = (gid_t)-1,
		.history = 3,
		.hold = hold,
		.password = password,
		.version = "9.9.9",
	};
	struct mgmt *m = NULL;

	memset(&fake, 0, sizeof(fake));
	assert_int_equal(mgmt_open(&m, &cfg, &ops, NULL), 0);
	return m;
}

static int connect_client(void)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	assert_true(fd >= 0);
	strcpy(sun.sun_path, path);
	assert_int_equal(connect(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	pump();
	return fd;
}

/* Everything the daemon sent FD so far (NUL-terminated, static). */
static const char *drain(int fd)
{
	static char buf[1 << 16];
	size_t len = 0;
	ssize_t n;

	pump();
	while (len < sizeof(buf) - 1 &&
	       (n = recv(fd, buf + len, sizeof(buf) - 1 - len, MSG_DONTWAIT)) > 0)
		len += (size_t)n;
	buf[len] = '\0';
	return buf;
}

static const char *talk(int fd, const char *command)
{
	assert_int_equal(send(fd, command, strlen(command), MSG_NOSIGNAL),
	                 (ssize_t)strlen(command));
	return drain(fd);
}

/* The daemon closed FD's connection. */
static bool closed(int fd)
{
	char c;

	pump();
	return recv(fd, &c, 1, MSG_DONTWAIT) == 0;
}

#define BANNER                                                                                     \
	">INFO:OpenVPN Management Interface Version 5 (l2vpn 9.9.9) -- type 'help' for more "      \
	"info\r\n"

/* ---- the tests ------------------------------------------------------------------------------ */

static void test_banner_and_simple_replies(void **state)
{
	struct mgmt *m = open_mgmt(NULL, false);
	int fd = connect_client();
	char pid[64];
	struct stat st;

	(void)state;
	assert_int_equal(stat(path, &st), 0);
	assert_true(S_ISSOCK(st.st_mode));
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_string_equal(drain(fd), BANNER);
	snprintf(pid, sizeof(pid), "SUCCESS: pid=%d\r\n", (int)getpid());
	assert_string_equal(talk(fd, "pid\n"), pid);
	assert_string_equal(talk(fd, "load-stats\r\n"),
	                    "SUCCESS: nclients=2,bytesin=1000,bytesout=2000\r\n");
	assert_string_equal(talk(fd, "nclients\n"), "SUCCESS: nclients=2\r\n");
	assert_string_equal(talk(fd, "bogus\n"),
	                    "ERROR: unknown command, enter 'help' for more options\r\n");
	assert_string_equal(talk(fd, "\n  \n"), "");
	assert_non_null(strstr(talk(fd, "version\n"), "\r\nManagement Version: 5\r\nEND\r\n"));
	assert_string_equal(talk(fd, "signal SIGUSR2\n"), "SUCCESS: signal SIGUSR2 thrown\r\n");
	assert_int_equal(fake.signo, SIGUSR2);
	assert_string_equal(talk(fd, "signal KILL\n"),
	                    "ERROR: signal 'KILL' is not a known signal type\r\n");
	assert_string_equal(talk(fd, "signal\n"),
	                    "ERROR: the 'signal' command requires at least 1 parameter\r\n");
	assert_string_equal(talk(fd, "verb 4\n"), "SUCCESS: verb level changed\r\n");
	assert_int_equal(log_get_verb(), 4);
	assert_string_equal(talk(fd, "verb\n"), "SUCCESS: verb=4\r\n");
	assert_string_equal(talk(fd, "mute 5\nmute\n"), "SUCCESS: mute level changed\r\n"
	                                                "SUCCESS: mute=5\r\n");
	log_set_mute(0);
	log_set_verb(3);
	assert_string_equal(talk(fd, "quit\npid\n"), "");
	assert_true(closed(fd));
	assert_int_equal(mgmt_clients(m), 0);
	close(fd);
	mgmt_close(m);
	assert_int_equal(access(path, F_OK), -1);
}

static void test_status_documents(void **state)
{
	struct mgmt *m = open_mgmt(NULL, false);
	int fd = connect_client();

	(void)state;
	drain(fd);
	/* The status text ends with END already: no second one. */
	assert_string_equal(talk(fd, "status\n"), "OpenVPN CLIENT LIST\r\nUpdated,x\r\nEND\r\n");
	assert_int_equal(fake.status_version, 0);
	talk(fd, "status 3\n");
	assert_int_equal(fake.status_version, 3);
	assert_string_equal(talk(fd, "status 4\n"),
	                    "ERROR: status format '4' is not 1, 2, 3 or json\r\n");
	assert_string_equal(talk(fd, "status json\n"), "{\"role\":\"server\"}\r\nEND\r\n");
	assert_string_equal(talk(fd, "metrics\n"), "ERROR: metrics: Cannot allocate memory\r\n");
	close(fd);
	mgmt_close(m);
}

static void test_kill(void **state)
{
	struct mgmt *m = open_mgmt(NULL, false);
	int fd = connect_client();
	const struct sockaddr_in *in = (const struct sockaddr_in *)&fake.kill_addr;
	const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)&fake.kill_addr;
	struct in6_addr want6;

	(void)state;
	drain(fd);
	fake.kill_result = 1;
	assert_string_equal(talk(fd, "kill \"site b\"\n"),
	                    "SUCCESS: common name 'site b' found, 1 client(s) killed\r\n");
	assert_string_equal(fake.kill_cn, "site b");
	fake.kill_result = 0;
	assert_string_equal(talk(fd, "kill nosuch\n"), "ERROR: common name 'nosuch' not found\r\n");
	fake.kill_result = 2;
	assert_string_equal(talk(fd, "kill 192.0.2.7:40112\n"),
	                    "SUCCESS: 2 client(s) at address 192.0.2.7:40112 killed\r\n");
	assert_int_equal(in->sin_family, AF_INET);
	assert_int_equal(ntohs(in->sin_port), 40112);
	assert_int_equal(ntohl(in->sin_addr.s_addr), 0xc0000207);
	fake.kill_result = 1;
	talk(fd, "kill [2001:db8::1]:5\n");
	assert_int_equal(in6->sin6_family, AF_INET6);
	assert_int_equal(ntohs(in6->sin6_port), 5);
	inet_pton(AF_INET6, "2001:db8::1", &want6);
	assert_memory_equal(&in6->sin6_addr, &want6, sizeof(want6));
	/* Not an address and port: a common name with a colon. */
	talk(fd, "kill a:b\n");
	assert_string_equal(fake.kill_cn, "a:b");
	fake.kill_result = -ENOTSUP;
	assert_string_equal(
	    talk(fd, "kill x\n"),
	    "ERROR: The 'kill' command is not supported by the current daemon mode\r\n");
	fake.kill_result = 1;
	assert_string_equal(talk(fd, "client-kill 7\n"),
	                    "SUCCESS: client-kill command succeeded\r\n");
	assert_int_equal(fake.kill_cid, 7);
	assert_string_equal(talk(fd, "client-kill x\n"), "ERROR: cannot parse CID\r\n");
	close(fd);
	mgmt_close(m);
}

static void test_log_state_echo(void **state)
{
	struct mgmt *m = open_mgmt(NULL, false);
	int fd = connect_client();
	struct mgmt_state st = { "CONNECTED", "SUCCESS", "10.0.0.1", "1194", "10.0.0.2", "4000" };
	struct mgmt_state down = { "RECONNECTING", "closed, by peer", NULL, NULL, NULL, NULL };

	(void)state;
	drain(fd);
	mgmt_log(m, LOG_LVL_WARN, 100, "first");
	assert_string_equal(drain(fd), ""); /* log is off */
	assert_string_equal(talk(fd, "log on\n"),
	                    "SUCCESS: real-time log notification set to ON\r\n");
	mgmt_log(m, LOG_LVL_NOTICE, 101, "second\nline");
	mgmt_log(m, LOG_LVL_ERROR, 102, "third");
	mgmt_log(m, LOG_LVL_DEBUG, 103, "fourth");
	assert_string_equal(drain(fd), ">LOG:101,I,second line\r\n>LOG:102,N,third\r\n"
	                               ">LOG:103,D,fourth\r\n");
	talk(fd, "log off\n");
	/* A history of 3: the oldest went. */
	assert_string_equal(talk(fd, "log all\n"),
	                    "101,I,second line\r\n102,N,third\r\n103,D,fourth\r\nEND\r\n");
	assert_string_equal(talk(fd, "log 1\n"), "103,D,fourth\r\nEND\r\n");
	assert_string_equal(talk(fd, "log x\n"), "ERROR: log parameter must be 'on' or 'off' or "
	                                         "some number n or 'all'\r\n");
	assert_string_equal(talk(fd, "state\n"), "END\r\n");
	talk(fd, "state on\n");
	mgmt_state(m, 200, &st);
	mgmt_state(m, 201, &down);
	assert_string_equal(drain(fd),
	                    ">STATE:200,CONNECTED,SUCCESS,,10.0.0.1,1194,10.0.0.2,4000\r\n"
	                    ">STATE:201,RECONNECTING,closed_ by peer,,,,,\r\n");
	assert_string_equal(talk(fd, "state\n"),
	                    "201,RECONNECTING,closed_ by peer,,,,,\r\nEND\r\n");
	assert_string_equal(talk(fd, "state off all\n"),
	                    "SUCCESS: real-time state notification set to OFF\r\n"
	                    "200,CONNECTED,SUCCESS,,10.0.0.1,1194,10.0.0.2,4000\r\n"
	                    "201,RECONNECTING,closed_ by peer,,,,,\r\nEND\r\n");
	talk(fd, "echo on\n");
	assert_non_null(strstr(talk(fd, "echo hello  world\n"), "SUCCESS: echo text added\r\n"
	                                                        ">ECHO:"));
	assert_non_null(strstr(talk(fd, "echo all\n"), ",hello world\r\nEND\r\n"));
	close(fd);
	mgmt_close(m);
}

static void test_bytecount_and_hold(void **state)
{
	struct mgmt *m = open_mgmt(NULL, true);
	int fd = connect_client();

	(void)state;
	drain(fd);
	mgmt_tick(m, 100);
	assert_int_equal(fake.bytecounts, 0);
	assert_string_equal(talk(fd, "bytecount 2\n"), "SUCCESS: bytecount interval changed\r\n");
	mgmt_tick(m, 101);
	assert_int_equal(fake.bytecounts, 0);
	mgmt_tick(m, 102);
	assert_string_equal(drain(fd), ">BYTECOUNT:10,20\r\n");
	mgmt_tick(m, 103);
	mgmt_tick(m, 104);
	assert_int_equal(fake.bytecounts, 2);
	talk(fd, "bytecount 0\n");
	mgmt_tick(m, 110);
	assert_int_equal(fake.bytecounts, 2);
	drain(fd);

	assert_true(mgmt_hold_flag(m));
	assert_string_equal(talk(fd, "hold\n"), "SUCCESS: hold=1\r\n");
	mgmt_set_held(m, true);
	assert_string_equal(drain(fd), ">HOLD:Waiting for hold release:0\r\n");
	close(fd);
	mgmt_tick(m, 111);
	fd = connect_client();
	assert_string_equal(drain(fd), BANNER ">HOLD:Waiting for hold release:0\r\n");
	assert_string_equal(talk(fd, "hold release\n"), "SUCCESS: hold release succeeded\r\n");
	assert_int_equal(fake.releases, 1);
	assert_string_equal(talk(fd, "hold off\n"), "SUCCESS: hold flag set to OFF\r\n");
	assert_false(mgmt_hold_flag(m));
	close(fd);
	mgmt_close(m);
}

static void test_password(void **state)
{
	struct mgmt *m = open_mgmt("open sesame", false);
	int fd = connect_client();

	(void)state;
	assert_string_equal(drain(fd), "ENTER PASSWORD:");
	/* No notification before the password. */
	talk(fd, "");
	mgmt_log(m, LOG_LVL_NOTICE, 1, "secret");
	assert_string_equal(talk(fd, "open sesame\n"), "SUCCESS: password is correct\r\n" BANNER);
	assert_non_null(strstr(talk(fd, "pid\n"), "SUCCESS: pid="));
	close(fd);

	fd = connect_client();
	assert_string_equal(drain(fd), "ENTER PASSWORD:");
	assert_string_equal(talk(fd, "open sesame \npid\n"), "ERROR: bad password\r\n");
	assert_true(closed(fd));
	close(fd);
	mgmt_close(m);
}

static void test_client_limit(void **state)
{
	struct mgmt *m = open_mgmt(NULL, false);
	int fds[MGMT_CLIENTS_MAX + 1];

	(void)state;
	for (int i = 0; i < MGMT_CLIENTS_MAX; i++) {
		fds[i] = connect_client();
		assert_string_equal(drain(fds[i]), BANNER);
	}
	assert_int_equal(mgmt_clients(m), MGMT_CLIENTS_MAX);
	fds[MGMT_CLIENTS_MAX] = connect_client();
	assert_string_equal(drain(fds[MGMT_CLIENTS_MAX]),
	                    "ERROR: too many management clients (at most 8 at once): try again "
	                    "later\r\n");
	assert_true(closed(fds[MGMT_CLIENTS_MAX]));
	/* One goes: a newcomer is welcome again. */
	close(fds[0]);
	pump();
	mgmt_tick(m, 1);
	fds[0] = connect_client();
	assert_string_equal(drain(fds[0]), BANNER);
	for (int i = 0; i <= MGMT_CLIENTS_MAX; i++)
		close(fds[i]);
	mgmt_close(m);
}

static void test_garbage(void **state)
{
	static char line[10 * 1024 + 1];
	struct mgmt *m = open_mgmt(NULL, false);
	int fd = connect_client();

	(void)state;
	drain(fd);
	memset(line, 'x', sizeof(line) - 1);
	line[sizeof(line) - 1] = '\n';
	assert_int_equal(send(fd, line, sizeof(line), 0), (ssize_t)sizeof(line));
	assert_string_equal(drain(fd), "ERROR: command longer than 1024 bytes: ignored up to its "
	                               "end\r\n");
	assert_int_equal(send(fd, "pi\0d\n", 5, 0), 5);
	assert_string_equal(drain(fd), "ERROR: command holds a NUL byte: ignored\r\n");
	assert_string_equal(talk(fd, "echo \"open\n"),
	                    "ERROR: unterminated quote or backslash at the end of the command\r\n");
	assert_string_equal(talk(fd, "a b c d e f g h i j k l m n o p q\n"),
	                    "ERROR: too many parameters (at most 15)\r\n");
	assert_non_null(strstr(talk(fd, "pid\n"), "SUCCESS: pid="));
	close(fd);
	mgmt_close(m);
}

/* A client that does not read: its output waits in a bounded queue, then it is dropped. */
static void test_unread_output_drops_the_client(void **state)
{
	struct mgmt *m = open_mgmt(NULL, false);
	int fd = connect_client(), other = connect_client();
	char text[1500];
	int i;

	(void)state;
	drain(fd);
	drain(other);
	talk(fd, "log on\n");
	memset(text, 'y', sizeof(text) - 1);
	text[sizeof(text) - 1] = '\0';
	for (i = 0; i < 100000 && mgmt_clients(m) == 2; i++) {
		mgmt_log(m, LOG_LVL_NOTICE, i, text);
		pump();
	}
	assert_int_equal(mgmt_clients(m), 1);
	/* Far less than 100000 lines: the socket's buffers and MGMT_OUT_MAX. */
	assert_true(i < 2000);
	assert_non_null(strstr(talk(other, "pid\n"), "SUCCESS: pid="));
	close(fd);
	close(other);
	mgmt_close(m);
}

static void test_socket_file(void **state)
{
	struct mgmt_config cfg = { .address = path,
		                   .owner = (uid_t)-1,
		                   .group = (gid_t)-1,
		                   .history = 1,
		                   .version = "1" };
	struct mgmt *m = NULL, *m2 = NULL;
	int fd;

	(void)state;
	/* Anything but a socket at the path stays, and the interface does not open. */
	fd = open(path, O_CREAT | O_WRONLY, 0600);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(mgmt_open(&m, &cfg, &ops, NULL), -EEXIST);
	assert_int_equal(access(path, F_OK), 0);
	unlink(path);
	/* A socket someone listens on is not taken over; a stale one is replaced. */
	assert_int_equal(mgmt_open(&m, &cfg, &ops, NULL), 0);
	assert_int_equal(mgmt_open(&m2, &cfg, &ops, NULL), -EADDRINUSE);
	mgmt_close(m);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	{
		struct sockaddr_un sun = { .sun_family = AF_UNIX };

		strcpy(sun.sun_path, path);
		assert_int_equal(bind(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	}
	close(fd);
	assert_int_equal(mgmt_open(&m, &cfg, &ops, NULL), 0);
	mgmt_close(m);
	assert_int_equal(access(path, F_OK), -1);
}

static int setup(void **state)
{
	(void)state;
	if (!mkdtemp(dir))
		return -1;
	snprintf(path, sizeof(path), "%s/mgmt.sock", dir);
	signal(SIGPIPE, SIG_IGN);
	log_set_verb(3);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	unlink(path);
	rmdir(dir);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_banner_and_simple_replies),
		cmocka_unit_test(test_status_documents),
		cmocka_unit_test(test_kill),
		cmocka_unit_test(test_log_state_echo),
		cmocka_unit_test(test_bytecount_and_hold),
		cmocka_unit_test(test_password),
		cmocka_unit_test(test_client_limit),
		cmocka_unit_test(test_garbage),
		cmocka_unit_test(test_unread_output_drops_the_client),
		cmocka_unit_test(test_socket_file),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
