#!/bin/bash
# The SFU benchmark of `make bench`: Parley's SFU (bench/cmd/sfuhost)
# against livekit-server, the load from bench/livekit (a Go module of its
# own, so that LiveKit's SDK stays out of Parley's build).
#
#   bench/sfubench.sh BIN_DIR [sfubench flags…]
#
# livekit-server is built once into $SFUBENCH_CACHE (a few minutes cold
# on 2 cores) and reused. The run happens in a network namespace of its
# own, with loopback and one veth pair (198.18.0.1, the benchmarking
# range): LiveKit's SDK gathers no loopback candidates, so its client
# needs an interface address, and in the namespace that address is the
# namespace's own and nothing leaves it.
set -euo pipefail
bin=$(cd "$1" && pwd); shift
here=$(cd "$(dirname "$0")" && pwd)
cache=${SFUBENCH_CACHE:-$HOME/.cache/parley-bench}
version=v1.9.11
livekit=$cache/livekit-server-$version
go=${GO:-go}

(cd "$here/.." && $go build -o "$bin/sfuhost" ./bench/cmd/sfuhost)
(cd "$here/livekit" && $go build -o "$bin/sfubench" .)

if [ ! -x "$livekit" ]; then
	echo "building livekit-server $version once into $cache (minutes)"
	mkdir -p "$cache"
	tmp=$(mktemp -d "$cache/build.XXXXXX")
	(cd "$tmp" && GOBIN="$tmp" GOFLAGS=-mod=mod $go install "github.com/livekit/livekit-server/cmd/server@$version")
	mv "$tmp/server" "$livekit"
	rm -rf "$tmp"
fi

run=("$bin/sfubench" -sfuhost "$bin/sfuhost" -livekit "$livekit" "$@")
netns='ip link set lo up && ip link add pb0 type veth peer name pb1 && ip addr add 198.18.0.1/24 dev pb0 && ip link set pb1 up && ip link set pb0 up && exec "$@"'
if unshare -n true 2>/dev/null; then
	exec unshare -n sh -c "$netns" sfubench "${run[@]}"
fi
echo "no network namespace (unshare -n needs root): Parley only, on loopback"
exec "${run[@]}" -targets parley
