# Installs Debian's gnome-keyring and a D-Bus session daemon for the keyring
# driver's tests, when they are missing (started in the background by
# .ci/run; see README.md here). Another build may run apt-get at the same
# time: wait for dpkg's lock rather than fail.
set -euo pipefail
missing=()
command -v gnome-keyring-daemon >/dev/null 2>&1 || missing+=(gnome-keyring)
command -v dbus-daemon >/dev/null 2>&1 || missing+=(dbus-daemon)
command -v dbus-send >/dev/null 2>&1 || missing+=(dbus-bin)
if [ "${#missing[@]}" -gt 0 ]; then
	echo "installing Debian's ${missing[*]}"
	apt-get -o DPkg::Lock::Timeout=600 update -qq
	DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq "${missing[@]}" >/dev/null
fi
gnome-keyring-daemon --version
