#!/bin/bash
# l2vpn-ca: 20 parallel sign-req runs serialise on the KEY_DIR lock: 20 distinct serials,
# an intact index that `openssl ca` still reads, and 20 verifying certificates.
. "$(dirname "$0")/../netns/lib.sh"
. "$(dirname "$0")/lib.sh"
need_cmd openssl
cd "$WORK" || exit 1
D="$WORK/keys"
CA() { "$L2VPN_CA_BIN" --batch --dir "$D" "$@"; }
N=20

ok "clean-all + build-ca" sh -c "'$L2VPN_CA_BIN' --batch --dir '$D' clean-all && \
	'$L2VPN_CA_BIN' --batch --dir '$D' build-ca"
for i in $(seq $N); do CA build-req "c$i" >/dev/null || fail "build-req c$i"; done
pids=()
for i in $(seq $N); do
	CA sign-req "c$i" >"$WORK/sign$i.log" 2>&1 &
	pids+=($!)
done
failed=0
for p in "${pids[@]}"; do wait "$p" || failed=$((failed + 1)); done
ok "all $N parallel sign-req succeeded" test "$failed" = 0
ok "index has $N rows" test "$(wc -l <"$D/index.txt")" = $N
ok "every row is well-formed (6 TAB fields, status V)" awk -F'\t' \
	'NF != 6 || $1 != "V" { bad = 1 } END { exit bad }' "$D/index.txt"
ok "$N distinct serials in the index" test "$(cut -f4 "$D/index.txt" | sort -u | wc -l)" = $N
ok "$N distinct CNs in the index" test "$(cut -f6 "$D/index.txt" | sort -u | wc -l)" = $N
ok "the certificates carry those serials" bash -c "for i in \$(seq $N); do openssl x509 \
	-in '$D/c'\$i.crt -noout -serial | cut -d= -f2; done | sort -u | \
	diff - <(cut -f4 '$D/index.txt' | sort -u)"
ok "every certificate verifies" sh -c "for i in \$(seq $N); do openssl verify -CAfile \
	'$D/ca.crt' -purpose sslclient '$D/c'\$i.crt >/dev/null || exit 1; done"
ok "no temporary files left" test -z "$(find "$D" -name '*.tmp-*')"
openssl_ca_cnf "$D" "$WORK/ca.cnf"
ok "openssl ca -updatedb reads the index" openssl ca -config "$WORK/ca.cnf" -updatedb
ok "list shows $N client certificates" test "$(CA list | grep -c ' client  valid')" = $N

done_testing
