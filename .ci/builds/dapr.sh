# Builds daprd for the dapr driver's tests (started in the background by
# .ci/run; see README.md here): the published github.com/dapr/dapr,
# unmodified, from the tools module .ci/tools/dapr (-tags stablecomponents,
# without which it panics at start), cached as $cache/daprd-VERSION. A cold
# build fetches ~1.9 GB of modules and takes 10-20 minutes.
set -euo pipefail
dapr_version=$(awk '$1 == "require" && $2 == "github.com/dapr/dapr" { print $3 }
	$1 == "github.com/dapr/dapr" { print $2 }' .ci/tools/dapr/go.mod)
daprd="$cache/daprd-$dapr_version"
if ! [ -x "$daprd" ]; then
	echo "building daprd $dapr_version (cold: ~1.9 GB of modules, 10-20 min)"
	start=$SECONDS
	(cd .ci/tools/dapr && GOWORK=off go build -tags stablecomponents -trimpath \
		-ldflags="-s -w -X github.com/dapr/dapr/pkg/buildinfo.version=$dapr_version" \
		-o "$daprd.tmp" github.com/dapr/dapr/cmd/daprd)
	mv "$daprd.tmp" "$daprd"
	echo "built daprd in $((SECONDS - start)) s"
fi
