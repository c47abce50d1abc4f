// SPDX-License-Identifier: GPL-2.0-or-later
/* Tap devices through /dev/net/tun: open/create, persistence, owner, offloads, deletion. */
#include "tapbridge.h"
#include "error.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/ethtool.h>
#include <linux/if_tun.h>
#include <linux/sockios.h>
#include <linux/virtio_net.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#define TUN_DEVICE "/dev/net/tun"

static void err_append(struct tb_err *err, const char *text)
{
	size_t len;

	if (!err)
		return;
	len = strlen(err->msg);
	snprintf(err->msg + len, sizeof(err->msg) - len, "%s", text);
}

int tb_tap_exists(const char *name, struct tb_err *err)
{
	struct ethtool_drvinfo info = { .cmd = ETHTOOL_GDRVINFO };
	struct ifreq ifr = { 0 };
	int ret = tb_name_check(name, err);
	int sock = -1;

	if (ret < 0)
		return ret;
	sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (sock < 0) {
		ret = tb_fail(err, -errno, "check %s: socket", name);
		goto out;
	}
	/* The tun driver names itself "tun" and reports "tap" or "tun" as its bus: this tells a
	 * tap from anything else in the caller's own namespace, without relying on sysfs. */
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	ifr.ifr_data = (char *)&info;
	if (ioctl(sock, SIOCETHTOOL, &ifr) < 0) {
		if (errno == ENODEV) {
			ret = 0;
		} else if (errno == EOPNOTSUPP) {
			ret = -EMEDIUMTYPE;
			if (err)
				snprintf(err->msg, sizeof(err->msg),
				         "%s exists and is not a tap device", name);
		} else {
			ret = tb_fail(err, -errno, "check %s", name);
		}
		goto out;
	}
	if (strcmp(info.driver, "tun") != 0 || strcmp(info.bus_info, "tap") != 0) {
		ret = -EMEDIUMTYPE;
		if (err)
			snprintf(err->msg, sizeof(err->msg),
			         "%s exists and is not a tap device (driver %.32s, %.32s)", name,
			         info.driver, info.bus_info);
		goto out;
	}
	ret = 1;
out:
	if (sock >= 0)
		close(sock);
	return ret;
}

/* Attach FD to the tap NAME (NULL: a new kernel-named tap) with FLAGS; the resulting name goes
 * to NAME_OUT. */
static int tap_attach(int fd, const char *name, short flags, char name_out[TB_NAME_MAX + 1],
                      struct tb_err *err)
{
	struct ifreq ifr = { 0 };

	ifr.ifr_flags = flags;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name ? name : "tap%d");
	if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
		int code = -errno;
		tb_fail(err, code, "open tap %s", ifr.ifr_name);
		if (code == -EPERM || code == -EACCES)
			err_append(err, " (CAP_NET_ADMIN is needed)");
		else if (code == -EBUSY)
			err_append(err, " (in use by another process)");
		return code;
	}
	snprintf(name_out, TB_NAME_MAX + 1, "%s", ifr.ifr_name);
	return 0;
}

static int tap_ioctl(int fd, unsigned long req, unsigned long arg, const char *what,
                     const char *name, struct tb_err *err)
{
	if (ioctl(fd, req, arg) < 0)
		return tb_fail(err, -errno, "%s %s", what, name);
	return 0;
}

static int tap_set_mac(int fd, const char *name, struct tb_err *err)
{
	struct ifreq ifr = { 0 };
	uint8_t mac[6];

	tb_tap_mac_for_name(name, mac);
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	ifr.ifr_hwaddr.sa_family = ARPHRD_ETHER;
	memcpy(ifr.ifr_hwaddr.sa_data, mac, sizeof(mac));
	if (ioctl(fd, SIOCSIFHWADDR, &ifr) < 0)
		return tb_fail(err, -errno, "set MAC address of %s", name);
	return 0;
}

/* Apply CFG's persistence, owner, vnet header size, offload reset and (for a new device) MAC
 * to the tap attached to TAP->fd. */
static int tap_configure(struct tb_tap *tap, const struct tb_tap_config *cfg, struct tb_err *err)
{
	int ret = 0;

	if (cfg->owner != (uid_t)-1) {
		ret = tap_ioctl(tap->fd, TUNSETOWNER, (unsigned long)cfg->owner, "set owner of",
		                tap->name, err);
		if (ret < 0)
			return ret;
	}
	if (cfg->group != (gid_t)-1) {
		ret = tap_ioctl(tap->fd, TUNSETGROUP, (unsigned long)cfg->group, "set group of",
		                tap->name, err);
		if (ret < 0)
			return ret;
	}
	if (cfg->vnet_hdr) {
		int size = (int)sizeof(struct virtio_net_hdr);
		int le = 1;

		if (ioctl(tap->fd, TUNSETVNETHDRSZ, &size) < 0)
			return tb_fail(err, -errno, "set vnet header size of %s", tap->name);
		/* Little-endian headers whatever the host: the wire format, byte for byte. */
		if (ioctl(tap->fd, TUNSETVNETLE, &le) < 0)
			return tb_fail(err, -errno, "set little-endian vnet headers on %s",
			               tap->name);
	}
	ret = tb_tap_set_offload(tap, 0, err);
	if (ret < 0)
		return ret;
	if (tap->created) {
		ret = tap_set_mac(tap->fd, tap->name, err);
		if (ret < 0)
			return ret;
	}
	if (cfg->persist)
		ret = tap_ioctl(tap->fd, TUNSETPERSIST, 1, "make persistent", tap->name, err);
	return ret;
}

int tb_tap_open(struct tb_tap *tap, const struct tb_tap_config *cfg, struct tb_err *err)
{
	const char *name = cfg->name && *cfg->name ? cfg->name : NULL;
	short flags = IFF_TAP | IFF_NO_PI | (cfg->vnet_hdr ? IFF_VNET_HDR : 0);
	int ret = 0;

	memset(tap, 0, sizeof(*tap));
	tap->fd = -1;
	tap->created = true;
	if (name) {
		ret = tb_tap_exists(name, err);
		if (ret < 0)
			goto fail;
		tap->created = ret == 0;
	}
	tap->fd = open(TUN_DEVICE, O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (tap->fd < 0) {
		ret = tb_fail(err, -errno, "open %s", TUN_DEVICE);
		goto fail;
	}
	ret = tap_attach(tap->fd, name, flags, tap->name, err);
	if (ret < 0)
		goto fail;
	ret = tap_configure(tap, cfg, err);
	if (ret < 0)
		goto fail;
	return 0;
fail:
	/* A device this call created must not outlive the failure. */
	if (tap->fd >= 0 && tap->created && tap->name[0])
		(void)ioctl(tap->fd, TUNSETPERSIST, 0UL);
	tb_tap_close(tap);
	return ret;
}

void tb_tap_close(struct tb_tap *tap)
{
	if (tap->fd >= 0) {
		/* A persistent tap keeps its offloads: its next owner (OpenVPN after a rollback)
		 * reads no vnet header and would get 64 KB super-frames it drops. */
		ioctl(tap->fd, TUNSETOFFLOAD, 0UL);
		close(tap->fd);
	}
	tap->fd = -1;
}

int tb_tap_set_offload(struct tb_tap *tap, unsigned offloads, struct tb_err *err)
{
	unsigned long flags = 0;

	if (offloads & TB_OFFLOAD_CSUM)
		flags |= TUN_F_CSUM;
	if (offloads & TB_OFFLOAD_TSO4)
		flags |= TUN_F_TSO4;
	if (offloads & TB_OFFLOAD_TSO6)
		flags |= TUN_F_TSO6;
	if (offloads & TB_OFFLOAD_TSO_ECN)
		flags |= TUN_F_TSO_ECN;
	return tap_ioctl(tap->fd, TUNSETOFFLOAD, flags, "set offloads of", tap->name, err);
}

int tb_tap_delete(const char *name, struct tb_err *err)
{
	char attached[TB_NAME_MAX + 1];
	int ret = tb_tap_exists(name, err);
	int fd = -1;

	if (ret == 0)
		ret = tb_fail(err, -ENODEV, "delete tap %s", name);
	if (ret < 0)
		goto out;
	fd = open(TUN_DEVICE, O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		ret = tb_fail(err, -errno, "open %s", TUN_DEVICE);
		goto out;
	}
	/* Attaching to the existing device and clearing persistence deletes it on close. */
	ret = tap_attach(fd, name, IFF_TAP | IFF_NO_PI, attached, err);
	if (ret < 0)
		goto out;
	ret = tap_ioctl(fd, TUNSETPERSIST, 0, "delete tap", name, err);
out:
	if (fd >= 0)
		close(fd);
	return ret;
}
