# Vault, for the vault driver's tests (sourced by .ci/run, which provides
# $cache, $tmp and the pids array).
#
# The server is the published github.com/hashicorp/vault release that
# .ci/tools/vault/go.mod requires, built unmodified by the go command (v1.19.0
# is the newest that compiles against its published sdk; see
# ../shared/design/backends.md). A cold build takes about a quarter of an
# hour and some 3 GB of modules; the binary is cached by version, so a warm
# machine skips it. VAULT_BUILD_PROCS (default 1) is go build's -p, to leave
# a shared machine's other cores alone.

vault_tools=.ci/tools/vault
vault_version=$(awk '$1 == "require" && $2 == "github.com/hashicorp/vault" { print $3 }
	$1 == "github.com/hashicorp/vault" { print $2 }' "$vault_tools/go.mod")
if [ -z "$vault_version" ]; then
	echo "vault: $vault_tools/go.mod requires no github.com/hashicorp/vault"
	exit 1
fi
vault_bin="$cache/vault/$vault_version/vault"
if ! [ -x "$vault_bin" ]; then
	echo "building vault $vault_version into $vault_bin (cold: ~15 min)"
	mkdir -p "$(dirname "$vault_bin")"
	vault_start=$SECONDS
	(cd "$vault_tools" && GOWORK=off go build -p "${VAULT_BUILD_PROCS:-1}" -trimpath -ldflags='-s -w' \
		-o "$vault_bin.tmp" github.com/hashicorp/vault)
	mv "$vault_bin.tmp" "$vault_bin"
	echo "built in $((SECONDS - vault_start)) s"
fi
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
