# etcd, for the etcd driver's tests (sourced by .ci/run, which provides
# $cache, $tmp and the pids array).
#
# The server is Debian's etcd-server package (3.4.23 on bookworm), installed
# by .ci/builds/etcd.sh when no etcd is on PATH; the driver's client (go.etcd.io/etcd/
# client/v3 v3.5) speaks the v3 API that 3.4 serves. A THREE-member cluster
# runs on free 127.0.0.1 ports with its data under $tmp, so that the tests
# prove the driver against a real cluster, not a single node. Exports
# ETCD_ENDPOINTS (comma-separated host:port) and ETCD_BIN (the server, for
# tests that start a cluster of their own to kill members of).

ci_wait_build etcd # .ci/builds/etcd.sh installs it when missing
etcd_bin=$(command -v etcd)
"$etcd_bin" --version | sed -n 1p

etcd_port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
etcd_up=
for etcd_try in 1 2 3 4 5; do
	# Member i listens for clients on base+2i and for peers on base+2i+1.
	# Below the ephemeral range (32768 and up on Linux), so that outgoing
	# connections (the members' own) cannot take one of them meanwhile.
	etcd_base=$((20000 + RANDOM % 12000))
	etcd_free=1
	for etcd_off in 0 1 2 3 4 5; do
		etcd_port_free "$((etcd_base + etcd_off))" || etcd_free=
	done
	[ -n "$etcd_free" ] || continue
	etcd_cluster=
	for etcd_i in 0 1 2; do
		etcd_cluster+="${etcd_cluster:+,}m$etcd_i=http://127.0.0.1:$((etcd_base + 2 * etcd_i + 1))"
	done
	etcd_token="ci-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"
	etcd_pids=()
	ETCD_ENDPOINTS=
	for etcd_i in 0 1 2; do
		etcd_c=$((etcd_base + 2 * etcd_i))
		etcd_p=$((etcd_c + 1))
		"$etcd_bin" --name "m$etcd_i" --data-dir "$tmp/etcd-$etcd_try-m$etcd_i" \
			--listen-client-urls "http://127.0.0.1:$etcd_c" --advertise-client-urls "http://127.0.0.1:$etcd_c" \
			--listen-peer-urls "http://127.0.0.1:$etcd_p" --initial-advertise-peer-urls "http://127.0.0.1:$etcd_p" \
			--initial-cluster "$etcd_cluster" --initial-cluster-token "$etcd_token" --initial-cluster-state new \
			>"$tmp/etcd-m$etcd_i.log" 2>&1 &
		etcd_pids+=("$!")
		pids+=("$!")
		ETCD_ENDPOINTS+="${ETCD_ENDPOINTS:+,}127.0.0.1:$etcd_c"
	done
	# Healthy when every member's /health says true (it has a leader): at
	# most 30 s, less if a member dies (a port taken meanwhile).
	for _ in $(seq 1 300); do
		etcd_ok=1
		for etcd_i in 0 1 2; do
			curl -fsS --max-time 2 "http://127.0.0.1:$((etcd_base + 2 * etcd_i))/health" 2>/dev/null | grep '"health":"true"' >/dev/null || etcd_ok=
		done
		if [ -n "$etcd_ok" ]; then
			etcd_up=1
			break
		fi
		etcd_dead=
		for etcd_pid in "${etcd_pids[@]}"; do kill -0 "$etcd_pid" 2>/dev/null || etcd_dead=1; done
		[ -z "$etcd_dead" ] || break
		sleep 0.1
	done
	[ -n "$etcd_up" ] && break
	for etcd_pid in "${etcd_pids[@]}"; do kill "$etcd_pid" 2>/dev/null || true; done
	echo "etcd cluster did not start on ports $etcd_base-$((etcd_base + 5)) (try $etcd_try):"
	tail -n 5 "$tmp"/etcd-m*.log || true
done
if [ -z "$etcd_up" ]; then
	echo "etcd: no cluster could be started"
	exit 1
fi
echo "etcd: three-member cluster on $ETCD_ENDPOINTS (pids ${etcd_pids[*]})"
export ETCD_ENDPOINTS ETCD_BIN="$etcd_bin"
