#!/usr/bin/env bash
# Starts a single-node Apache Kafka 4.4 (KRaft, combined controller and
# broker) on 127.0.0.1 for benchmarks and local runs, in the foreground.
# Installs Kafka first if needed (scripts/install-kafka.sh).
#
# Usage: scripts/kafka-broker.sh PORT DIR
#   PORT  the PLAINTEXT listener; the controller listens on PORT+1
#   DIR   a new or empty working directory (storage and server.properties)
# Extra broker properties may be appended through KAFKA_EXTRA_PROPERTIES.
# JVM options: KAFKA_JVM_OPTS (default: 1 GiB heap, G1).
set -euo pipefail
cd "$(dirname "$0")/.."
PORT="${1:?PORT}"
DIR="${2:?DIR}"
KAFKA_HOME="$(scripts/install-kafka.sh)"
CPORT=$((PORT + 1))
mkdir -p "$DIR"
cat >"$DIR/server.properties" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$CPORT
listeners=PLAINTEXT://127.0.0.1:$PORT,CONTROLLER://127.0.0.1:$CPORT
advertised.listeners=PLAINTEXT://127.0.0.1:$PORT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=$DIR/data
num.partitions=1
auto.create.topics.enable=false
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
group.initial.rebalance.delay.ms=0
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
${KAFKA_EXTRA_PROPERTIES:-}
PROPS
JVM=(${KAFKA_JVM_OPTS:--Xms1g -Xmx1g -XX:+UseG1GC})
CP="$KAFKA_HOME/libs/*"
LOG4J="-Dlog4j2.configurationFile=$KAFKA_HOME/log4j2.yaml"
if [ ! -f "$DIR/data/meta.properties" ]; then
  java "${JVM[@]}" "$LOG4J" -cp "$CP" kafka.tools.StorageTool format \
    -t "$(java -cp "$CP" kafka.tools.StorageTool random-uuid 2>/dev/null || echo bmV3c2Zsb3ctYmVuY2gxAA)" \
    -c "$DIR/server.properties" >&2
fi
exec java "${JVM[@]}" "$LOG4J" -cp "$CP" kafka.Kafka "$DIR/server.properties"
