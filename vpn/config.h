/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Configuration: OpenVPN-style directives from files (`directive args...` per line, `#`/`;`
 * comments, quoting, inline <ca>/<cert>/<key>/<dh> blocks, `config` includes) and from the
 * command line (`--directive args`). A pure module: it reads only config files (and only
 * through config_parse_file); it never touches devices, sockets or key files.
 *
 * Every error is "FILE:LINE: DIRECTIVE: reason" ("command line: ..." for argv).
 */
#ifndef L2VPN_CONFIG_H
#define L2VPN_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "storm.h"

#define CONFIG_ERR_MAX 512

/* Default reneg-bytes: 16 GiB, 1/22 of the ~2^38.5 bytes (2^24.5 full records) RFC 8446 5.5
 * allows one AES-GCM key. */
#define CONFIG_RENEG_BYTES (16ULL << 30)
/* Smallest non-zero reneg-bytes: key updates stay a small fraction of the records. */
#define CONFIG_RENEG_BYTES_MIN (1ULL << 20)

struct config_error {
	char msg[CONFIG_ERR_MAX];
};

enum config_action {
	ACTION_RUN = 0, /* the daemon */
	ACTION_MKTUN,   /* --mktun */
	ACTION_RMTUN,   /* --rmtun */
	ACTION_HELP,    /* --help */
	ACTION_VERSION, /* --version */
};

enum config_role {
	ROLE_UNSET = 0,
	ROLE_SERVER, /* server-bridge, mode server, tls-server, proto tcp-server */
	ROLE_CLIENT, /* client, tls-client, proto tcp-client */
};

enum config_comp {
	COMP_UNSET = 0, /* no compression directive: no compression */
	COMP_NO,        /* comp-lzo no */
	COMP_YES,       /* comp-lzo yes, compress lzo */
	COMP_ADAPTIVE,  /* comp-lzo, comp-lzo adaptive */
};

enum config_cert_purpose {
	PURPOSE_NONE = 0,
	PURPOSE_SERVER,
	PURPOSE_CLIENT,
};

enum config_x509_match {
	X509_MATCH_SUBJECT, /* verify-x509-name NAME subject: the whole DN, OpenSSL oneline form */
	X509_MATCH_NAME,    /* ... name (default): the CN equals NAME */
	X509_MATCH_PREFIX,  /* ... name-prefix: the CN starts with NAME */
};

/* PEM material named by a path (resolved to absolute) or given inline; at most one is set. */
struct config_pem {
	char *path;
	char *inline_pem;
	char *inline_source; /* the config file that held the inline block (absolute when read by
	                      * path); NULL without an inline block */
};

struct config_remote {
	char *host;
	unsigned port; /* 0: use config.remote_port */
	int family;    /* AF_UNSPEC, or AF_INET/AF_INET6 from `remote HOST PORT tcp4|tcp6` */
};

#define CONFIG_KU_MAX 8 /* remote-cert-ku values */

/* What a site may do on the switch (client-config-dir can set it per site). */
struct site_policy {
	struct storm_limit storm[STORM_N]; /* broadcast-limit and friends; rate 0: off */
	unsigned max_macs;                 /* max-routes-per-client (default 256) */
	unsigned mac_age;                  /* mac-age, seconds (default 300; 0: never) */
	bool disable;                      /* `disable` in the site's file: refused */
};

enum config_flap_action {
	FLAP_LOG,   /* a flapping MAC is logged (default) */
	FLAP_BLOCK, /* ... and the newer of its two sites is blocked for flap_hold seconds */
};

struct config {
	enum config_action action;
	bool test_config; /* --test-config */

	/* Role and transport. */
	enum config_role role;
	bool server_bridge;   /* server-bridge seen (any form) */
	int family;           /* AF_UNSPEC, AF_INET (tcp4), AF_INET6 (tcp6) */
	char *local;          /* local ADDR */
	unsigned local_port;  /* port / lport, default 1194 */
	unsigned remote_port; /* port / rport, default 1194 */
	struct config_remote *remotes;
	size_t n_remotes;
	bool remote_random;
	int resolv_retry;                /* seconds, -1 = infinite (default) */
	unsigned connect_retry;          /* first wait, seconds (default 1) */
	unsigned connect_retry_max_wait; /* cap of the doubling wait (default 60) */
	unsigned connect_retry_max;      /* attempts before giving up, 0 = unlimited */
	bool nobind;
	unsigned max_clients;        /* sites with a completed HELLO, default 64 */
	unsigned preauth_max;        /* connections not yet authenticated, default 128 */
	unsigned preauth_per_source; /* ... of them from one address (IPv6: one /64), default 8 */
	unsigned preauth_timeout;    /* seconds from accept to a working link, default 10 */
	bool client_to_client;
	bool duplicate_cn;
	/* Switch policy: the defaults of every site (and of the server's own tap, for the storm
	 * limits), which a client-config-dir file may override per site. */
	struct site_policy policy;
	char *client_config_dir; /* absolute path; NULL: none */
	bool ccd_exclusive;      /* refuse sites without a file there */
	enum config_flap_action flap_action;
	unsigned flap_hold; /* seconds a port stays blocked (flap-action block) */
	bool site_file;     /* parsing a client-config-dir file: per-site directives only */

	/* Device. */
	char *dev; /* tap name; "tap" = kernel-chosen */
	bool dev_type_tap;
	char *bridge;        /* l2vpn: attach the tap to this bridge at start */
	unsigned tun_mtu;    /* default 1500, 68..9000+ */
	unsigned txqueuelen; /* 0: leave the system default */
	bool no_tap_offload; /* tap-offload no: plain frames, no vnet header or GSO */

	/* TLS. */
	struct config_pem ca, cert, key, dh;
	bool dh_none;
	enum config_cert_purpose remote_cert_tls;
	enum config_cert_purpose ns_cert_type;
	char *remote_cert_eku; /* an extendedKeyUsage the peer's must name (OID or name) */
	/* remote-cert-ku: the peer's keyUsage must be present and, when values are given, hold
	 * every bit of one of them (OpenVPN's hex values, e.g. a0 = digitalSignature and
	 * keyEncipherment). */
	bool remote_cert_ku;
	uint16_t remote_cert_ku_values[CONFIG_KU_MAX];
	unsigned n_remote_cert_ku;
	char *verify_x509_name;
	enum config_x509_match verify_x509_match;
	char *crl_verify;    /* absolute path */
	char *askpass;       /* askpass FILE: the key's passphrase is its first line */
	int tls_version_min; /* TLS1_2_VERSION (0x0303, default) or TLS1_3_VERSION */
	bool tls_version_min_or_highest;
	char *tls_cipher;          /* TLS <= 1.2 cipher list */
	char *tls_ciphersuites;    /* TLS 1.3 suites */
	char *tls_groups;          /* key exchange groups, OpenSSL's list ("X25519:secp384r1") */
	int tls_version_max;       /* 0: the highest both ends speak; else TLS1_2/TLS1_3_VERSION */
	unsigned hand_window;      /* handshake deadline, seconds (default 60) */
	unsigned connect_timeout;  /* client: TCP connect deadline, seconds (default 10) */
	char *tcp_congestion;      /* the outer TCP's congestion control; NULL: the system's */
	bool allow_unmarked_certs; /* accept a peer certificate that names no role at all */
	/* TLS key lifetime: a TLS 1.3 link updates its keys when one is reached (0 = off). */
	unsigned reneg_sec;             /* seconds (default 3600, as OpenVPN) */
	unsigned long long reneg_bytes; /* bytes sent + received (default CONFIG_RENEG_BYTES) */
	unsigned long long reneg_pkts;  /* frames sent + received (default 0) */

	/* Keepalive: `keepalive I T` is stored as given; config_finish() derives ping and
	 * ping_restart from it (server: ping-restart 2*T, as OpenVPN). */
	unsigned keepalive_interval, keepalive_timeout;
	unsigned ping;         /* send a ping after this many idle seconds, 0 = off */
	unsigned ping_restart; /* restart after this many silent seconds, 0 = off */
	unsigned ping_exit;    /* exit after this many silent seconds, 0 = off */
	unsigned inactive;     /* exit when the tap moved under INACTIVE_BYTES in this many s */
	uint64_t inactive_bytes;

	/* Compression. */
	enum config_comp comp;
	bool allow_compression_set;
	bool allow_compression; /* allow-compression yes|asym: true; no: false */

	/* Process. */
	bool persist_key, persist_tun;
	char *status_file;        /* absolute path */
	unsigned status_interval; /* seconds (default 60) */
	int status_version;       /* 1 (default), 2 or 3 */
	int verb;                 /* 0..11 (default 1 like OpenVPN; seed configs say 3) */
	unsigned mute;            /* 0 = off */
	char *log_file;           /* absolute path */
	bool log_append;
	bool suppress_timestamps; /* log lines without the time (the journal adds its own) */
	bool syslog;
	char *syslog_ident;
	bool daemon;
	char *writepid; /* absolute path */
	char *user, *group;
	char *cd; /* directory relative paths resolve against */
	bool explicit_exit_notify;

	/* Management interface and metrics file. */
	char *management;              /* TCP address, or the unix socket's path; NULL: none */
	unsigned management_port;      /* TCP port (0 with a unix socket) */
	bool management_unix;          /* management PATH unix */
	char *management_pwfile;       /* absolute path: its first line is the password */
	char *management_user;         /* management-client-user: the unix socket's owner */
	char *management_group;        /* management-client-group: the unix socket's group */
	bool management_hold;          /* wait for `hold release` before connecting/listening */
	unsigned management_log_cache; /* log and state lines kept (default 100) */
	char *metrics_file;            /* absolute path; NULL: none */
	unsigned metrics_interval;     /* seconds (default 10) */

	/* --mktun / --rmtun extras. */
	char *bridge_for_mktun; /* every `bridge NAME` sets both this and `bridge` */

	/* Warnings collected while parsing ("file:line: directive: text"), for the caller to log.
	 */
	/* Unknown directives that only warn: those named by ignore-unknown-option (" a b ", each
	 * name between spaces), or all with setenv FORWARD_COMPATIBLE 1, as in OpenVPN. */
	char *ignore_unknown;
	bool forward_compatible;
	char **warnings;
	size_t n_warnings;

	/* Internal. base_dir is reserved (the parser keeps the directory of the file being read
	 * in its own context; relative paths resolve against it, or against `cd`, or against
	 * the working directory on the command line). include_depth counts the files being read
	 * (at most 10 nested; 0 again once parsing returns). include_files and lines_read count
	 * the files included and the lines read since config_init(), bounded in total so a
	 * fan-out of includes cannot make the parse run for ever. */
	char *base_dir;
	int include_depth;
	unsigned include_files;
	unsigned lines_read;

	/* Parser bookkeeping (internal): where the role was decided ("FILE:LINE directive"),
	 * where a role-less `proto tcp` was given, whether ping/ping-restart were explicit, and
	 * the first configuration source (for errors found by config_finish). */
	char *role_origin;
	char *proto_origin;
	bool ping_set, ping_restart_set;
	char *source_name;
};

/* Read the client-config-dir file PATH of one site: its per-site directives (disable, the
 * storm limits, max-routes-per-client, mac-age) applied over DEFAULTS into *OUT; OpenVPN's
 * other client-config-dir directives (ifconfig-push, iroute, push, ...) are warnings, as
 * they mean nothing on a bridge; anything else is an error naming FILE:LINE. Returns 0
 * (warnings, if any, in *WARNINGS: a malloc'd text of lines, NULL when none), -ENOENT when
 * PATH does not exist, or -EINVAL / -errno with ERR filled. */
int config_parse_site_file(const char *path, const struct site_policy *defaults,
                           struct site_policy *out, char **warnings, struct config_error *err);

/* Fill CFG with defaults; always pair with config_free(). */
void config_init(struct config *cfg);

/* Free everything CFG owns and reset it to defaults. */
void config_free(struct config *cfg);

/* Apply the directives in TEXT (LEN bytes) as if read from a file named NAME whose directory
 * is the base for relative paths. Returns 0 or -EINVAL with ERR filled ("NAME:LINE: ...").
 * Pure: no file is opened except through `config` includes. This is what the fuzzer drives. */
int config_parse_buffer(struct config *cfg, const char *name, const char *text, size_t len,
                        struct config_error *err);

/* Read and apply config file PATH. -errno (unreadable, with ERR naming the file) or -EINVAL. */
int config_parse_file(struct config *cfg, const char *path, struct config_error *err);

/* Apply the command line: `l2vpn FILE`, `--config FILE`, `--directive args...`, `--mktun`,
 * `--rmtun`, `--test-config`, `--help`, `--version`. Returns 0 or -EINVAL with ERR. */
int config_parse_argv(struct config *cfg, int argc, char **argv, struct config_error *err);

/* Cross-directive checks and derived values once everything is read: role from client /
 * server-bridge / proto, keepalive expansion, required files for ACTION_RUN (ca, cert, key),
 * `dev` given, ranges. Returns 0 or -EINVAL with ERR. */
int config_finish(struct config *cfg, struct config_error *err);

#endif
