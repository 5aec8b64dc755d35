#!/usr/bin/env bash
# Installs the Apache Kafka 4.4.0 broker (Scala 2.13 build) as plain jars from
# Maven Central, through the ordinary `mvn` client, into a cache outside the
# checkout (default ~/.cache/newsflow, override with NEWSFLOW_CACHE) so fresh
# clones and CI runs on the same machine reuse it. Needs a JDK (17+) and Maven.
#
# Layout of the install directory (the one path printed on stdout):
#   libs/*.jar      kafka_2.13 + runtime deps, kafka-tools (TopicCommand,
#                   ConsoleProducer, ...; without connect-runtime), and the
#                   log4j2 SLF4J 1.x binding the release tarball also ships
#   log4j2.yaml     WARN and above to stderr (plus the "Kafka Server started"
#                   line); pass -Dlog4j2.configurationFile=<dir>/log4j2.yaml
#   .installed      marker, written last; its presence makes this a no-op
#
# Main classes: kafka.Kafka (broker), kafka.tools.StorageTool (format),
# org.apache.kafka.tools.TopicCommand, org.apache.kafka.tools.ConsoleProducer.
# Progress goes to stderr; stdout carries only the install directory.
set -euo pipefail

KAFKA_VERSION=4.4.0
SCALA_BINARY=2.13
# log4j-core/log4j-api 2.25.5 come in through kafka-server; the binding must match.
LOG4J_VERSION=2.25.5
DEP_PLUGIN_VERSION=3.8.1

CACHE="${NEWSFLOW_CACHE:-$HOME/.cache/newsflow}"
ROOT="$CACHE/kafka-$KAFKA_VERSION"
MARKER="$ROOT/.installed"
MARKER_TEXT="kafka_$SCALA_BINARY:$KAFKA_VERSION log4j:$LOG4J_VERSION"

installed() {
  [ -f "$MARKER" ] && [ "$(cat "$MARKER")" = "$MARKER_TEXT" ] \
    && [ -f "$ROOT/libs/kafka_$SCALA_BINARY-$KAFKA_VERSION.jar" ]
}
if installed; then
  echo "$ROOT"
  exit 0
fi

for tool in mvn java; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "install-kafka: '$tool' not found (needs a JDK 17+ and Maven)" >&2
    exit 1
  fi
done

mkdir -p "$CACHE"
# Serialise concurrent installs (parallel test jobs); the loser of the race
# finds the marker once it gets the lock.
if command -v flock >/dev/null 2>&1; then
  exec 9>"$CACHE/.kafka-$KAFKA_VERSION.lock"
  flock 9
  if installed; then
    echo "$ROOT"
    exit 0
  fi
fi
WORK="$(mktemp -d "${TMPDIR:-/tmp}/install-kafka.XXXXXX")"
STAGE="$(mktemp -d "$CACHE/.kafka-$KAFKA_VERSION.staging.XXXXXX")"
cleanup() { rm -rf "$WORK" "$STAGE"; }
trap cleanup EXIT

echo "installing Apache Kafka $KAFKA_VERSION jars from Maven Central into $ROOT ..." >&2
start=$SECONDS

cat >"$WORK/pom.xml" <<EOF
<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>newsflow.tools</groupId>
  <artifactId>kafka-jars</artifactId>
  <version>1</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency>
      <groupId>org.apache.kafka</groupId>
      <artifactId>kafka_$SCALA_BINARY</artifactId>
      <version>$KAFKA_VERSION</version>
    </dependency>
    <!-- TopicCommand, ConsoleProducer/Consumer, ... live here in 4.x. Its
         connect-runtime dependency (Jetty, Jersey, ...) only serves the
         connect-plugin-path tool, so leave it out. -->
    <dependency>
      <groupId>org.apache.kafka</groupId>
      <artifactId>kafka-tools</artifactId>
      <version>$KAFKA_VERSION</version>
      <exclusions>
        <exclusion>
          <groupId>org.apache.kafka</groupId>
          <artifactId>connect-runtime</artifactId>
        </exclusion>
      </exclusions>
    </dependency>
    <!-- Kafka logs through slf4j-api 1.7; the published POM carries no
         binding (the release tarball adds this one), without it every log
         line is dropped with an SLF4J NOP warning. -->
    <dependency>
      <groupId>org.apache.logging.log4j</groupId>
      <artifactId>log4j-slf4j-impl</artifactId>
      <version>$LOG4J_VERSION</version>
    </dependency>
    <dependency>
      <groupId>org.apache.logging.log4j</groupId>
      <artifactId>log4j-core</artifactId>
      <version>$LOG4J_VERSION</version>
    </dependency>
  </dependencies>
  <build>
    <plugins>
      <plugin>
        <groupId>org.apache.maven.plugins</groupId>
        <artifactId>maven-dependency-plugin</artifactId>
        <version>$DEP_PLUGIN_VERSION</version>
      </plugin>
    </plugins>
  </build>
</project>
EOF

mkdir -p "$STAGE/libs"
# mvn writes its output to stdout; keep stdout for the path alone. Maven 3.8
# with -q still emits bare colour resets (ESC[0m): strip them.
mvn -q -B -Dstyle.color=never -f "$WORK/pom.xml" \
  dependency:copy-dependencies \
  -DincludeScope=runtime \
  -DoutputDirectory="$STAGE/libs" 2>&1 \
  | sed -e 's/\x1b\[[0-9;]*m//g' -e '/^$/d' >&2

for jar in "kafka_$SCALA_BINARY-$KAFKA_VERSION" "kafka-clients-$KAFKA_VERSION" \
           "kafka-tools-$KAFKA_VERSION" "log4j-core-$LOG4J_VERSION" \
           "log4j-slf4j-impl-$LOG4J_VERSION"; do
  if [ ! -f "$STAGE/libs/$jar.jar" ]; then
    echo "install-kafka: $jar.jar missing after download" >&2
    exit 1
  fi
done

cat >"$STAGE/log4j2.yaml" <<'EOF'
# Minimal log4j2 config for test brokers: WARN and above to stderr, plus the
# one INFO line that says the node is up ("... Kafka Server started").
Configuration:
  name: newsflow-kafka
  Appenders:
    Console:
      name: STDERR
      target: SYSTEM_ERR
      PatternLayout:
        pattern: "[%d] %p %m (%c)%n"
  Loggers:
    Root:
      level: WARN
      AppenderRef:
        - ref: STDERR
    Logger:
      - name: kafka.server.KafkaRaftServer
        level: INFO
        additivity: false
        AppenderRef:
          - ref: STDERR
EOF

rm -rf "$ROOT"
chmod 755 "$STAGE"
mv -T "$STAGE" "$ROOT"
echo "$MARKER_TEXT" >"$MARKER"

echo "installed $(ls "$ROOT/libs" | wc -l) jars ($(du -sh "$ROOT/libs" | cut -f1)) in $((SECONDS - start)) s" >&2
echo "$ROOT"
