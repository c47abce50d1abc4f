#!/bin/bash
# l2vpn-ca export: the client configuration it writes is one the daemon accepts
# (`l2vpn --config FILE --test-config` loads the inline CA, certificate and key too), for each
# key type and remote form; it is 0600 under umask 022; a passphrase-protected key works when
# the daemon can ask on its terminal; without --remote the file is a template the daemon
# refuses until its remote line is set, and export says so.
. "$(dirname "$0")/../netns/lib.sh"
need_cmd openssl
need_cmd python3
cd "$WORK" || exit 1
umask 022
PTY="$L2VPN_SOURCE_ROOT/tests/pki/pty_run.py"
D="$WORK/keys"
CA() { "$L2VPN_CA_BIN" --batch --dir "$D" "$@"; }
daemon_ok() { "$L2VPN_BIN" --config "$1" --test-config </dev/null; }

ok "setup: clean-all, build-ca" sh -c "'$L2VPN_CA_BIN' --batch --dir '$D' clean-all && \
	'$L2VPN_CA_BIN' --batch --dir '$D' build-ca"
for algo in ec rsa ed25519; do
	KEY_ALGO=$algo KEY_SIZE=2048 ok "build-key cli-$algo ($algo)" CA build-key "cli-$algo"
	ok "export cli-$algo --remote vpn.example.com:1195" CA export "cli-$algo" \
		--remote vpn.example.com:1195 --out "$WORK/cli-$algo.conf"
	ok "cli-$algo.conf is 0600 under umask 022" test "$(stat -c %a "$WORK/cli-$algo.conf")" = 600
	expect_exit 0 "the daemon accepts cli-$algo.conf" daemon_ok "$WORK/cli-$algo.conf"
	expect_match "configuration OK" "and says configuration OK"
done
ok "the default output is KEY_DIR/NAME.conf, 0600" sh -c "'$L2VPN_CA_BIN' --batch --dir '$D' \
	export cli-ec --remote 192.0.2.1 >/dev/null && test \"\$(stat -c %a '$D/cli-ec.conf')\" = 600"
expect_exit 0 "the daemon accepts it" daemon_ok "$D/cli-ec.conf"
ok "a bare address gets port 1194" grep -qx "remote 192.0.2.1 1194" "$D/cli-ec.conf"

# Remote forms: IPv6 in brackets, a hostname with '_' and a port.
ok "export --remote [2001:db8::1]:443" CA export cli-ec --remote '[2001:db8::1]:443' \
	--out "$WORK/v6.conf"
ok "it writes remote 2001:db8::1 443" grep -qx "remote 2001:db8::1 443" "$WORK/v6.conf"
expect_exit 0 "the daemon accepts the IPv6 remote" daemon_ok "$WORK/v6.conf"
ok "export --remote vpn_gw.example.com:8443" CA export cli-ec \
	--remote vpn_gw.example.com:8443 --out "$WORK/us.conf"
expect_exit 0 "the daemon accepts it" daemon_ok "$WORK/us.conf"

# Negative twins: what the daemon refuses, export must not have produced silently.
sed '/^<key>/,/^<\/key>/s/^M/X/' "$WORK/cli-ec.conf" >"$WORK/broken.conf"
chmod 600 "$WORK/broken.conf" # it holds a private key: the daemon refuses it readable by others
expect_exit 1 "the daemon does load the inline blocks (a damaged key is refused)" \
	daemon_ok "$WORK/broken.conf"
expect_exit 0 "export without --remote" CA export cli-rsa --out "$WORK/template.conf"
expect_match "no --remote given" "export warns that the remote line must be set"
ok "the template has a commented remote line" grep -q "^# set the server: remote " \
	"$WORK/template.conf"
expect_exit 2 "the daemon refuses the template until the remote is set" \
	daemon_ok "$WORK/template.conf"
expect_match "remote" "naming the remote line"
sed 's/^# set the server: remote /remote /' "$WORK/template.conf" >"$WORK/filled.conf"
chmod 600 "$WORK/filled.conf"
expect_exit 0 "with the remote line set, the daemon accepts it" daemon_ok "$WORK/filled.conf"
ok "the template is 0600 too" test "$(stat -c %a "$WORK/template.conf")" = 600

# A passphrase-protected key: exported as is; the daemon asks for it on its terminal.
ok "build-key-pass pw" env PW="pw secret" "$L2VPN_CA_BIN" --batch --dir "$D" \
	--passout env:PW build-key-pass pw
expect_exit 0 "export pw" CA export pw --remote vpn.example.com --out "$WORK/pw.conf"
expect_match "passphrase-protected" "export says the key is passphrase-protected"
expect_exit 1 "the daemon refuses it without a terminal" daemon_ok "$WORK/pw.conf"
ok "the daemon accepts it with the passphrase typed on its terminal" sh -c "echo 'pw secret' | \
	python3 '$PTY' '$WORK/pw.tty' '$L2VPN_BIN' --config '$WORK/pw.conf' --test-config && \
	grep -q 'configuration OK' '$WORK/pw.tty'"
fails "and refuses a wrong passphrase" sh -c "echo 'wrong' | python3 '$PTY' '$WORK/pw2.tty' \
	'$L2VPN_BIN' --config '$WORK/pw.conf' --test-config"

done_testing
