# Installs Debian's etcd-server for the etcd driver's tests, when no etcd is
# on PATH (started in the background by .ci/run; see README.md here).
set -euo pipefail
if ! command -v etcd >/dev/null 2>&1; then
	echo "installing Debian's etcd-server"
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq etcd-server >/dev/null
fi
