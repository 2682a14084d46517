# moto, the AWS emulator, for the command-line tool's end-to-end test
# against AWS Secrets Manager (sourced by .ci/run, which provides $tmp and
# the pids array).
#
# moto_server is not built here: it is a Python program installed on the
# machine (pip install 'moto[server]'). If it is missing, this prints a loud
# notice and the run goes on without it: the AWS part of the end-to-end test
# then skips, saying so (SECRETSTORE_CI_NO_MOTO=1), while the awssm driver's
# own tests still run against the in-process emulator. Exports MOTO_URL.

if ! command -v moto_server >/dev/null 2>&1 || ! moto_server --help >/dev/null 2>&1; then
	echo
	echo "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!"
	echo "!! moto_server is not installed: the CLI's end-to-end test against   !!"
	echo "!! AWS Secrets Manager (moto) is SKIPPED in this run.                 !!"
	echo "!! Install it with: pip install 'moto[server]'                        !!"
	echo "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!"
	echo
	export SECRETSTORE_CI_NO_MOTO=1
	unset MOTO_URL
else
	moto_port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
	moto_up=
	for moto_try in 1 2 3 4 5; do
		moto_port=$((20000 + RANDOM % 12000))
		moto_port_free "$moto_port" || continue
		moto_server -H 127.0.0.1 -p "$moto_port" >"$tmp/moto.log" 2>&1 &
		moto_pid=$!
		pids+=("$moto_pid")
		# Ready when its API answers: at most 30 s, less if it dies.
		for _ in $(seq 1 300); do
			if curl -fs -o /dev/null --max-time 1 "http://127.0.0.1:$moto_port/moto-api/" 2>/dev/null; then
				moto_up=1
				break
			fi
			kill -0 "$moto_pid" 2>/dev/null || break
			sleep 0.1
		done
		[ -n "$moto_up" ] && break
		kill "$moto_pid" 2>/dev/null || true
		echo "moto did not start on port $moto_port (try $moto_try):"
		tail -n 20 "$tmp/moto.log" || true
	done
	if [ -z "$moto_up" ]; then
		echo "moto: no server could be started"
		exit 1
	fi
	echo "moto_server on 127.0.0.1:$moto_port (pid $moto_pid)"
	export MOTO_URL="http://127.0.0.1:$moto_port"
fi
