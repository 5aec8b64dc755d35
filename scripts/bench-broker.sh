# Sourced by the benchmark scripts: starts one Apache Kafka node
# (scripts/kafka-broker.sh) on a free loopback port in the background, waits
# until it listens, stops it and removes its directory on exit (and the
# sourcing script's $WORK, whose own EXIT trap this one replaces). Sets PORT,
# and exports BENCH_BROKER_PID, the broker's JVM, whose CPU time
# examples/throughput.rs reports.
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
BROKER_DIR=$(mktemp -d)
scripts/kafka-broker.sh "$PORT" "$BROKER_DIR" >"$BROKER_DIR/broker.log" 2>&1 &
BROKER_PID=$!
trap 'kill $BROKER_PID 2>/dev/null || true; wait $BROKER_PID 2>/dev/null || true; rm -rf "$BROKER_DIR" ${WORK:+"$WORK"}' EXIT
export BENCH_BROKER_PID=$BROKER_PID
for _ in $(seq 600); do (exec 3<>/dev/tcp/127.0.0.1/$PORT) 2>/dev/null && break; sleep 0.1; done
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB, load $(cut -d' ' -f1-3 /proc/loadavg); Apache Kafka 4.4.0 (KRaft, 1 node) on 127.0.0.1:$PORT" >&2
