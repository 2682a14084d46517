# Builds Vault for the vault driver's tests (started in the background by
# .ci/run; see README.md here). The server is the published
# github.com/hashicorp/vault release that .ci/tools/vault/go.mod requires,
# built unmodified by the go command (v1.19.0 is the newest that compiles
# against its published sdk; see ../shared/design/backends.md). A cold build
# takes about a quarter of an hour and some 3 GB of modules; the binary is
# cached by version. VAULT_BUILD_PROCS (default 1) is go build's -p.
set -euo pipefail
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
	start=$SECONDS
	(cd "$vault_tools" && GOWORK=off go build -p "${VAULT_BUILD_PROCS:-1}" -trimpath -ldflags='-s -w' \
		-o "$vault_bin.tmp" github.com/hashicorp/vault)
	mv "$vault_bin.tmp" "$vault_bin"
	echo "built in $((SECONDS - start)) s"
fi
