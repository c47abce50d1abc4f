// SPDX-License-Identifier: GPL-2.0-or-later
/* peer: one link over a socketpair, a server-side and a client-side peer in one process, each
 * with its own context, epoll loop and a fake owner that records what the peer tells it. The
 * peer code knows its owner only through struct peer_owner, so no server, client or switch is
 * needed: TLS and HELLO come up (verified on the server side, up on both), frames of every
 * size cross byte for byte, an owner that refuses the peer keeps the link down, garbage from
 * the other end closes the peer without a frame, and a goodbye reaches the other owner. The
 * certificates are made here, in a temporary directory, with the CA tool's library. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "cert.h"
#include "config.h"
#include "context.h"
#include "keys.h"
#include "peer.h"
#include "tls.h"
#include "vnet.h"

struct fake_owner {
	struct peer_owner ops;
	bool refuse; /* verified() says no */
	unsigned verified, up, closed, frames;
	bool closed_was_up;
	uint8_t last[VNET_HDR_LEN + 2048];
	size_t last_len;
};

static struct fake_owner *owner_of(struct peer *p)
{
	return (struct fake_owner *)p->owner;
}

static bool fake_verified(struct peer *p)
{
	struct fake_owner *o = owner_of(p);

	o->verified++;
	if (o->refuse) {
		peer_goodbye(p, "refused by the test's owner");
		return false;
	}
	return true;
}

static void fake_up(struct peer *p)
{
	owner_of(p)->up++;
}

static void fake_frame(struct peer *p, uint8_t *vh, size_t len)
{
	struct fake_owner *o = owner_of(p);

	o->frames++;
	o->last_len = len;
	if (VNET_HDR_LEN + len <= sizeof(o->last))
		memcpy(o->last, vh, VNET_HDR_LEN + len);
}

static void fake_closed(struct peer *p, bool was_up)
{
	owner_of(p)->closed++;
	owner_of(p)->closed_was_up = was_up;
}

struct side {
	struct config cfg;
	struct vpn vpn;
	struct fake_owner owner;
	struct peer *peer;
};

static char dir[] = "/tmp/l2vpn-test-peer.XXXXXX";

/* Write PEM text to DIR/NAME with MODE. */
static void put(const char *name, const char *pem, size_t len, mode_t mode)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(fwrite(pem, 1, len, f), len);
	fclose(f);
	assert_int_equal(chmod(path, mode), 0);
}

static X509_NAME *name_of(const char *cn)
{
	X509_NAME *n = X509_NAME_new();

	assert_non_null(n);
	assert_int_equal(
	    X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1, 0),
	    1);
	return n;
}

/* NAME.crt and NAME.key signed by CA (CAKEY) with PROFILE; a self-signed CA when CA is NULL. */
static void issue(const char *name, enum cert_profile profile, X509 *ca, EVP_PKEY *cakey,
                  X509 **cert_out, EVP_PKEY **key_out)
{
	EVP_PKEY *key = key_generate(KEY_ALGO_EC, 0);
	X509_NAME *subject = name_of(name);
	BIGNUM *serial = serial_random();
	struct issue_params p = {
		.profile = profile,
		.subject = subject,
		.pubkey = key,
		.issuer = ca,
		.issuer_key = ca ? cakey : key,
		.serial = serial,
		.days = 30,
		.san_name = profile == PROFILE_SERVER ? name : NULL,
	};
	X509 *cert;
	char file[128], *pem = NULL;
	size_t len;

	assert_non_null(key);
	assert_non_null(serial);
	cert = cert_issue(&p);
	assert_non_null(cert);
	assert_int_equal(cert_to_pem(cert, &pem, &len), 0);
	snprintf(file, sizeof(file), "%s.crt", name);
	put(file, pem, len, 0644);
	free(pem);
	assert_int_equal(key_to_pem(key, "", &pem, &len), 0);
	snprintf(file, sizeof(file), "%s.key", name);
	put(file, pem, len, 0600);
	free(pem);
	X509_NAME_free(subject);
	BN_free(serial);
	if (cert_out)
		*cert_out = cert;
	else
		X509_free(cert);
	if (key_out)
		*key_out = key;
	else
		EVP_PKEY_free(key);
}

static int make_pki(void **state)
{
	X509 *ca;
	EVP_PKEY *cakey;

	(void)state;
	assert_non_null(mkdtemp(dir));
	issue("ca", PROFILE_CA, NULL, NULL, &ca, &cakey);
	issue("server", PROFILE_SERVER, ca, cakey, NULL, NULL);
	issue("client", PROFILE_CLIENT, ca, cakey, NULL, NULL);
	X509_free(ca);
	EVP_PKEY_free(cakey);
	return 0;
}

static int remove_pki(void **state)
{
	static const char *const files[] = { "ca.crt",     "ca.key",     "server.crt",
		                             "server.key", "client.crt", "client.key" };
	char path[256];

	(void)state;
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, files[i]);
		unlink(path);
	}
	rmdir(dir);
	return 0;
}

static void side_init(struct side *s, bool server)
{
	char text[1024];
	struct config_error err = { { 0 } };

	memset(s, 0, sizeof(*s));
	snprintf(text, sizeof(text),
	         "%s\ndev tap0\nverb 0\nca %s/ca.crt\ncert %s/%s.crt\nkey %s/%s.key\n%s",
	         server ? "mode server\ntls-server" : "client\nremote vpn.example.com", dir, dir,
	         server ? "server" : "client", dir, server ? "server" : "client",
	         server ? "" : "verify-x509-name server name\n");
	config_init(&s->cfg);
	if (config_parse_buffer(&s->cfg, "test.conf", text, strlen(text), &err) < 0 ||
	    config_finish(&s->cfg, &err) < 0)
		fail_msg("config: %s", err.msg);
	s->vpn.cfg = &s->cfg;
	s->vpn.server = server;
	s->vpn.max_frame = 1518;
	s->vpn.vnet = true;
	s->vpn.max_payload = VNET_HDR_LEN + VNET_MAX_FRAME;
	s->vpn.frame_buf = malloc(VNET_HDR_LEN + VNET_MAX_FRAME);
	s->vpn.plain_buf = malloc(VNET_HDR_LEN + VNET_MAX_FRAME);
	s->vpn.unzip_buf = malloc(VNET_HDR_LEN + VNET_MAX_FRAME);
	s->vpn.csum_buf = malloc(VNET_MAX_FRAME);
	s->vpn.epfd = epoll_create1(EPOLL_CLOEXEC);
	s->vpn.now = vpn_now();
	assert_true(s->vpn.epfd >= 0);
	assert_int_equal(tls_ctx_new(&s->vpn.tls, &s->cfg, server), 0);
	s->owner.ops = (struct peer_owner){
		.verified = fake_verified,
		.up = fake_up,
		.frame = fake_frame,
		.closed = fake_closed,
	};
}

static void side_free(struct side *s)
{
	for (struct peer *p = s->vpn.peers; p; p = p->next)
		peer_close_quietly(p);
	peer_reap(&s->vpn);
	tls_ctx_free(s->vpn.tls);
	close(s->vpn.epfd);
	free(s->vpn.frame_buf);
	free(s->vpn.plain_buf);
	free(s->vpn.unzip_buf);
	free(s->vpn.csum_buf);
	config_free(&s->cfg);
}

/* One turn of a side's loop, as the daemon's: events, pending input, flushes, reaping. */
static void turn(struct side *s)
{
	struct epoll_event ev[8];
	int n = epoll_wait(s->vpn.epfd, ev, 8, 5);

	s->vpn.now = vpn_now();
	for (int i = 0; i < n; i++) {
		struct watch *w = ev[i].data.ptr;
		w->on_event(w, ev[i].events);
	}
	for (struct peer *p = s->vpn.peers; p; p = p->next)
		peer_read_pending(p);
	for (struct peer *p = s->vpn.peers; p; p = p->next)
		if (peer_wants_flush(p))
			peer_flush(p);
	peer_reap(&s->vpn);
}

/* Run both loops until DONE(a, b) or 5 seconds pass. */
static bool run_until(struct side *a, struct side *b, bool (*done)(struct side *, struct side *))
{
	uint64_t end = vpn_now_ms() + 5000;

	while (!done(a, b) && vpn_now_ms() < end) {
		turn(a);
		if (b)
			turn(b);
	}
	return done(a, b);
}

static bool both_up(struct side *a, struct side *b)
{
	return a->owner.up && b->owner.up;
}

static bool both_closed(struct side *a, struct side *b)
{
	return a->owner.closed && (!b || b->owner.closed);
}

/* A connected pair: the server's peer accepted, the client's one connecting. */
static void connect_pair(struct side *srv, struct side *cli)
{
	int sv[2];
	struct sockaddr_in sa = { .sin_family = AF_INET };

	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv), 0);
	side_init(srv, true);
	side_init(cli, false);
	srv->peer =
	    peer_new(&srv->vpn, &srv->owner.ops, sv[0], (struct sockaddr *)&sa, sizeof(sa), false);
	cli->peer =
	    peer_new(&cli->vpn, &cli->owner.ops, sv[1], (struct sockaddr *)&sa, sizeof(sa), true);
	assert_non_null(srv->peer);
	assert_non_null(cli->peer);
}

static void test_link_comes_up_and_frames_cross(void **state)
{
	static const size_t sizes[] = { 14, 60, 61, 1000, 1514, 1518 };
	struct side srv, cli;
	uint8_t vh[VNET_HDR_LEN + 1518];

	(void)state;
	connect_pair(&srv, &cli);
	assert_true(run_until(&srv, &cli, both_up));
	assert_int_equal(srv.owner.verified, 1);
	assert_int_equal(cli.owner.verified, 1);
	assert_int_equal(srv.peer->state, PEER_UP);
	assert_string_equal(srv.peer->cn, "client");
	assert_string_equal(cli.peer->cn, "server");
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		struct side *from = i % 2 ? &srv : &cli, *to = i % 2 ? &cli : &srv;
		unsigned before = to->owner.frames;
		uint64_t end = vpn_now_ms() + 5000;

		memset(vh, 0, VNET_HDR_LEN);
		for (size_t k = 0; k < sizes[i]; k++)
			vh[VNET_HDR_LEN + k] = (uint8_t)(k * 7 + i);
		vh[VNET_HDR_LEN] = 0x02; /* a unicast destination */
		peer_send_frame(from->peer, vh, sizes[i]);
		while (to->owner.frames == before && vpn_now_ms() < end) {
			turn(from);
			turn(to);
		}
		assert_int_equal(to->owner.frames, before + 1);
		assert_int_equal(to->owner.last_len, sizes[i]);
		assert_memory_equal(to->owner.last + VNET_HDR_LEN, vh + VNET_HDR_LEN, sizes[i]);
	}
	assert_int_equal(srv.owner.closed + cli.owner.closed, 0);
	peer_goodbye(cli.peer, "test done");
	assert_true(run_until(&srv, &cli, both_closed));
	assert_true(srv.owner.closed_was_up);
	assert_true(cli.owner.closed_was_up);
	side_free(&srv);
	side_free(&cli);
}

static void test_refusing_owner_keeps_link_down(void **state)
{
	struct side srv, cli;

	(void)state;
	connect_pair(&srv, &cli);
	srv.owner.refuse = true;
	assert_true(run_until(&srv, &cli, both_closed));
	assert_int_equal(srv.owner.verified, 1);
	assert_int_equal(srv.owner.up, 0);
	assert_false(srv.owner.closed_was_up);
	assert_int_equal(srv.owner.frames + cli.owner.frames, 0);
	side_free(&srv);
	side_free(&cli);
}

static void test_garbage_closes_without_a_frame(void **state)
{
	struct side srv;
	int sv[2];
	struct sockaddr_in sa = { .sin_family = AF_INET };
	uint8_t junk[4096];

	(void)state;
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv), 0);
	side_init(&srv, true);
	srv.peer =
	    peer_new(&srv.vpn, &srv.owner.ops, sv[0], (struct sockaddr *)&sa, sizeof(sa), false);
	assert_non_null(srv.peer);
	for (size_t i = 0; i < sizeof(junk); i++)
		junk[i] = (uint8_t)(i * 131 + 17);
	assert_int_equal(write(sv[1], junk, sizeof(junk)), (ssize_t)sizeof(junk));
	assert_true(run_until(&srv, NULL, both_closed));
	assert_int_equal(srv.owner.verified + srv.owner.up + srv.owner.frames, 0);
	assert_false(srv.owner.closed_was_up);
	close(sv[1]);
	side_free(&srv);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_link_comes_up_and_frames_cross),
		cmocka_unit_test(test_refusing_owner_keeps_link_down),
		cmocka_unit_test(test_garbage_closes_without_a_frame),
	};

	return cmocka_run_group_tests(tests, make_pki, remove_pki);
}
