# The OS keyring, for the keyring driver's tests (sourced by .ci/run, which
# provides $cache, $tmp and the pids array).
#
# Debian's gnome-keyring (installed by .ci/builds/keyring.sh when missing)
# runs headless on a private D-Bus session bus of its own, never the
# desktop's: a dbus-daemon --session, then gnome-keyring-daemon with only
# its Secret Service component, whose login keyring is created and unlocked
# non-interactively from a password on stdin. Its files live under $tmp.
# Exports KEYRING_TEST_DBUS, the bus address; the tests talk to the keyring
# only through it (so a developer's own keychain is never written).

if declare -F ci_wait_build >/dev/null; then ci_wait_build keyring; else bash .ci/builds/keyring.sh; fi
keyring_dir="$tmp/keyring"
mkdir -p "$keyring_dir/home" "$keyring_dir/runtime"
chmod 700 "$keyring_dir/home" "$keyring_dir/runtime"
: >"$keyring_dir/address"
dbus-daemon --session --nofork --nopidfile --print-address=3 3>"$keyring_dir/address" >"$keyring_dir/dbus.log" 2>&1 &
pids+=("$!")
keyring_dbus_pid=$!
keyring_addr=
for _ in $(seq 1 100); do
	keyring_addr=$(head -n 1 "$keyring_dir/address")
	[ -n "$keyring_addr" ] && break
	kill -0 "$keyring_dbus_pid" 2>/dev/null || break
	sleep 0.1
done
if [ -z "$keyring_addr" ]; then
	echo "keyring: the D-Bus session daemon did not start:"; cat "$keyring_dir/dbus.log"; exit 1
fi
# The password only unlocks this throwaway keyring.
env HOME="$keyring_dir/home" XDG_RUNTIME_DIR="$keyring_dir/runtime" DBUS_SESSION_BUS_ADDRESS="$keyring_addr" \
	gnome-keyring-daemon --foreground --unlock --components=secrets \
	< <(printf '%s' "ci-keyring-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')") >"$keyring_dir/keyring.log" 2>&1 &
pids+=("$!")
keyring_pid=$!
keyring_up=
for _ in $(seq 1 100); do
	if DBUS_SESSION_BUS_ADDRESS="$keyring_addr" dbus-send --session --print-reply --dest=org.freedesktop.DBus \
		/org/freedesktop/DBus org.freedesktop.DBus.NameHasOwner string:org.freedesktop.secrets 2>/dev/null | grep -q 'boolean true'; then
		keyring_up=1
		break
	fi
	kill -0 "$keyring_pid" 2>/dev/null || break
	sleep 0.1
done
if [ -z "$keyring_up" ]; then
	echo "keyring: gnome-keyring-daemon did not take the Secret Service name:"; cat "$keyring_dir/keyring.log"; exit 1
fi
echo "keyring: gnome-keyring-daemon (pid $keyring_pid) on a private session bus (dbus-daemon pid $keyring_dbus_pid)"
export KEYRING_TEST_DBUS="$keyring_addr"
