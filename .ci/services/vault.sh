# Vault, for the vault driver's tests (sourced by .ci/run, which provides
# $cache, $tmp and the pids array).
#
# The server is built (or found cached) by .ci/builds/vault.sh, which .ci/run
# started in the background; this waits for it.

ci_wait_build vault
vault_version=$(awk '$1 == "require" && $2 == "github.com/hashicorp/vault" { print $3 }
	$1 == "github.com/hashicorp/vault" { print $2 }' .ci/tools/vault/go.mod)
vault_bin="$cache/vault/$vault_version/vault"
"$vault_bin" version

# A dev server (in memory, unsealed, KV v2 at secret/) on a free port P of
# 127.0.0.1; it also listens on P+1 for cluster traffic. Its root token is
# random for this run. HOME is private: dev mode writes ~/.vault-token.
vault_token=$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')
vault_home="$tmp/vault-home"
mkdir -p "$vault_home"
vault_port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
vault_up=
for vault_try in 1 2 3 4 5; do
	vault_port=$((20000 + RANDOM % 40000))
	vault_port_free "$vault_port" && vault_port_free "$((vault_port + 1))" || continue
	HOME="$vault_home" "$vault_bin" server -dev -dev-root-token-id="$vault_token" \
		-dev-listen-address="127.0.0.1:$vault_port" >"$tmp/vault.log" 2>&1 &
	vault_pid=$!
	pids+=("$vault_pid")
	# Ready when /v1/sys/health answers 200 (initialized, unsealed, active):
	# at most 30 s, less if the process dies (a port taken meanwhile).
	for _ in $(seq 1 300); do
		if curl -fsS -o /dev/null "http://127.0.0.1:$vault_port/v1/sys/health" 2>/dev/null; then
			vault_up=1
			break
		fi
		kill -0 "$vault_pid" 2>/dev/null || break
		sleep 0.1
	done
	[ -n "$vault_up" ] && break
	kill "$vault_pid" 2>/dev/null || true
	echo "vault did not start on port $vault_port (try $vault_try):"
	grep -v -i 'token' "$tmp/vault.log" | tail -n 20 || true
done
if [ -z "$vault_up" ]; then
	echo "vault: no server could be started"
	exit 1
fi
echo "vault $vault_version dev server on 127.0.0.1:$vault_port (pid $vault_pid)"
export VAULT_ADDR="http://127.0.0.1:$vault_port" VAULT_TOKEN="$vault_token" VAULT_BIN="$vault_bin"
