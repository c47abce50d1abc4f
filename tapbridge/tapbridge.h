/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * tapbridge: the project's only door to /dev/net/tun and to rtnetlink (libnl-route-3).
 *
 * Every function returns 0 (or a non-negative value where stated) on success and a negative
 * errno-style code on failure. Where a `struct tb_err *` is passed (it may be NULL), a failure
 * also leaves a one-line message in it that names the object and carries the kernel's own text,
 * e.g. "attach tap0 to br0: Operation not permitted". Nothing here prints or exits.
 */
#ifndef L2VPN_TAPBRIDGE_H
#define L2VPN_TAPBRIDGE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#define TB_NAME_MAX 15 /* longest interface name, without the NUL */

struct tb_err {
	char msg[256];
};

/* 0 when NAME is a usable interface name; -EINVAL (empty, '/', whitespace, "." or "..") or
 * -ENAMETOOLONG (over TB_NAME_MAX bytes) otherwise, with the reason in ERR. */
int tb_name_check(const char *name, struct tb_err *err);

/* The locally administered unicast MAC l2vpn gives a tap it creates: fe:xx:xx:xx:xx:xx, a pure
 * function of NAME and HOST_ID. The high first octet keeps it from ever being the lowest port
 * MAC, so a bridge never adopts it (and never changes its own MAC when the tap comes or goes). */
void tb_tap_mac_for(const char *name, uint64_t host_id, uint8_t mac[6]);

/* This host's identity for tap MACs: /etc/machine-id mixed with the network namespace, so that
 * tap0 at two sites (or in two lab namespaces) differs while staying stable across re-creation. */
uint64_t tb_host_id(void);

/* tb_tap_mac_for(NAME, tb_host_id()): the MAC a tap named NAME gets here. */
void tb_tap_mac_for_name(const char *name, uint8_t mac[6]);

/* Offload bits for tb_tap_set_offload(), mirroring the kernel's TUN_F_* flags. */
enum tb_offload {
	TB_OFFLOAD_CSUM = 1 << 0,
	TB_OFFLOAD_TSO4 = 1 << 1,
	TB_OFFLOAD_TSO6 = 1 << 2,
	TB_OFFLOAD_TSO_ECN = 1 << 3,
};

struct tb_tap_config {
	const char *name; /* NULL or "" lets the kernel choose (tap%d) */
	bool persist;     /* make the device persistent (survives close) */
	bool vnet_hdr;    /* open with IFF_VNET_HDR (little-endian): every read/write starts with a
	                   * 10-byte struct virtio_net_hdr (TUNSETVNETHDRSZ) */
	uid_t owner;      /* (uid_t)-1: leave unset */
	gid_t group;      /* (gid_t)-1: leave unset */
};

struct tb_tap {
	int fd;                     /* non-blocking, close-on-exec */
	char name[TB_NAME_MAX + 1]; /* the device's name (as chosen by the kernel if asked) */
	bool created;               /* the device did not exist before this open */
};

/* Open (creating it if needed) the tap CFG names. A device of that name that is not a tap
 * fails with -EMEDIUMTYPE. A device it creates gets tb_tap_mac_for_name()'s MAC. Offloads are
 * reset to none (a persistent tap keeps its previous owner's state). */
int tb_tap_open(struct tb_tap *tap, const struct tb_tap_config *cfg, struct tb_err *err);

/* Close the tap's fd; a non-persistent tap disappears with it, a persistent one is left with
 * no offloads (for an owner that reads frames without a vnet header). */
void tb_tap_close(struct tb_tap *tap);

/* Set the tap's offloads (TUNSETOFFLOAD), 0 for none. Needs a tap opened with vnet_hdr for
 * anything but 0. */
int tb_tap_set_offload(struct tb_tap *tap, unsigned offloads, struct tb_err *err);

/* Delete a persistent tap by name: -ENODEV when no such device, -EMEDIUMTYPE when it is not a
 * tap, -EPERM without CAP_NET_ADMIN. */
int tb_tap_delete(const char *name, struct tb_err *err);

/* 1 when a tap of that name exists, 0 when no device of that name exists, -EMEDIUMTYPE when a
 * device of that name exists but is not a tap. */
int tb_tap_exists(const char *name, struct tb_err *err);

/* rtnetlink session (libnl-route-3). */
struct tb_nl;

int tb_nl_open(struct tb_nl **nl, struct tb_err *err);
void tb_nl_close(struct tb_nl *nl);

/* Look up bridge NAME, creating it when CREATE is set and it does not exist. -ENODEV: no such
 * device; -EMEDIUMTYPE: the device exists but is not a bridge. */
int tb_bridge_find(struct tb_nl *nl, const char *name, bool create, struct tb_err *err);

/* Delete bridge NAME (used by tests and tooling). */
int tb_bridge_delete(struct tb_nl *nl, const char *name, struct tb_err *err);

/* Make PORT a port of BRIDGE. Attaching a port that is already in BRIDGE succeeds. */
int tb_port_attach(struct tb_nl *nl, const char *bridge, const char *port, struct tb_err *err);

/* Take PORT out of whatever bridge it is in; a port in no bridge succeeds. */
int tb_port_detach(struct tb_nl *nl, const char *port, struct tb_err *err);

int tb_link_set_up(struct tb_nl *nl, const char *name, bool up, struct tb_err *err);
int tb_link_set_mtu(struct tb_nl *nl, const char *name, unsigned mtu, struct tb_err *err);
int tb_link_set_txqueuelen(struct tb_nl *nl, const char *name, unsigned qlen, struct tb_err *err);
int tb_link_set_mac(struct tb_nl *nl, const char *name, const uint8_t mac[6], struct tb_err *err);
int tb_link_get_mac(struct tb_nl *nl, const char *name, uint8_t mac[6], struct tb_err *err);

/* The ifindex of NAME (> 0), or -ENODEV. */
int tb_link_get_ifindex(struct tb_nl *nl, const char *name, struct tb_err *err);

/* Name of the bridge NAME is a port of into MASTER ("" when none). */
int tb_link_get_master(struct tb_nl *nl, const char *name, char master[TB_NAME_MAX + 1],
                       struct tb_err *err);

#endif
