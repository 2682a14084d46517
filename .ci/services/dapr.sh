# Dapr sidecar (daprd) for the dapr driver's tests. Sourced by .ci/run, which
# provides $cache, $tmp, $root and the pids array (see README.md here).
#
# daprd is built once per version (cached as $cache/daprd-VERSION) by
# .ci/builds/dapr.sh, which .ci/run started in the background; this waits.
#
# It runs in standalone mode on 127.0.0.1, with no app, placement or
# scheduler, requiring an API token, with the components of
# dapr/internal/fixture (written by fixturegen, so they cannot drift from the
# tests). Exported for the tests: SECRETSTORE_DAPR_ENDPOINT,
# SECRETSTORE_DAPR_TOKEN_FILE, SECRETSTORE_DAPR_VAULT_ADDR.

ci_wait_build dapr
dapr_version=$(awk '$1 == "require" && $2 == "github.com/dapr/dapr" { print $3 }
	$1 == "github.com/dapr/dapr" { print $2 }' .ci/tools/dapr/go.mod)
daprd="$cache/daprd-$dapr_version"
"$daprd" --version

# dapr_free_port VAR sets VAR to a port on 127.0.0.1 that nothing listens on,
# below the kernel's ephemeral range and not already taken by this script.
dapr_taken=" "
dapr_free_port() {
	local p _
	for _ in $(seq 1 200); do
		p=$((20000 + RANDOM % 12000))
		case "$dapr_taken" in *" $p "*) continue ;; esac
		if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
			dapr_taken="$dapr_taken$p "
			printf -v "$1" '%s' "$p"
			return 0
		fi
	done
	echo "no free port found" >&2
	return 1
}
dapr_free_port dapr_http
dapr_free_port dapr_grpc
dapr_free_port dapr_internal
dapr_free_port dapr_vault

dapr_dir="$tmp/dapr"
go run ./dapr/internal/fixturegen -vault-addr "127.0.0.1:$dapr_vault" "$dapr_dir"
(umask 077 && od -An -N24 -tx1 /dev/urandom | tr -d ' \n' >"$dapr_dir/token")

# The token reaches daprd through its environment only.
DAPR_API_TOKEN="$(cat "$dapr_dir/token")" "$daprd" \
	--app-id t --mode standalone \
	--resources-path "$dapr_dir/components" \
	--dapr-listen-addresses 127.0.0.1 \
	--dapr-http-port "$dapr_http" --dapr-grpc-port "$dapr_grpc" \
	--dapr-internal-grpc-listen-address 127.0.0.1 --dapr-internal-grpc-port "$dapr_internal" \
	--enable-metrics=false --placement-host-address "" --scheduler-host-address "" \
	>"$dapr_dir/daprd.log" 2>&1 &
dapr_pid=$!
pids+=("$dapr_pid")

dapr_ready=
for _ in $(seq 1 300); do
	if ! kill -0 "$dapr_pid" 2>/dev/null; then
		break
	fi
	if curl -fs -o /dev/null --max-time 1 "http://127.0.0.1:$dapr_http/v1.0/healthz" 2>/dev/null; then
		dapr_ready=1
		break
	fi
	sleep 0.1
done
if [ -z "$dapr_ready" ]; then
	echo "daprd did not become healthy; its log:"
	cat "$dapr_dir/daprd.log"
	exit 1
fi
echo "daprd $dapr_version (pid $dapr_pid) ready at http://127.0.0.1:$dapr_http"

export SECRETSTORE_DAPR_ENDPOINT="http://127.0.0.1:$dapr_http"
export SECRETSTORE_DAPR_TOKEN_FILE="$dapr_dir/token"
export SECRETSTORE_DAPR_VAULT_ADDR="127.0.0.1:$dapr_vault"
