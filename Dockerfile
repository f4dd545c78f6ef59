# syntax=docker/dockerfile:1
# The relreason container image the Kubernetes manifests run (k8s/):
#   CPU:  docker build -t ghcr.io/relreason/relreason:0.1.0 .
#   CUDA: docker build --build-arg MAVEN_PROFILES=cuda \
#           --build-arg RUNTIME_BASE=nvidia/cuda:11.6.2-cudnn8-runtime-ubuntu20.04 \
#           -t ghcr.io/relreason/relreason:0.1.0-cuda .
# The entry point is the relreason command line: `docker run IMAGE coordinator --workers 2 ...`.
ARG RUNTIME_BASE=eclipse-temurin:17-jre-jammy

# 1. Build the command line and its runtime classpath (cli/target/relreason-cli.jar + lib/).
FROM maven:3.8.8-eclipse-temurin-17 AS build
ARG MAVEN_PROFILES=
WORKDIR /src
# Poms first, so the dependency download is cached while sources change. Every module the parent
# pom lists must be here (the reactor reads all of them): k8s/src/test/.../DockerfileCopyTest checks.
COPY pom.xml ./
COPY .mvn .mvn
COPY protocol/pom.xml protocol/
COPY model/pom.xml model/
COPY shard/pom.xml shard/
COPY observe/pom.xml observe/
COPY worker/pom.xml worker/
COPY coordinator/pom.xml coordinator/
COPY dashboard/pom.xml dashboard/
COPY cli/pom.xml cli/
COPY k8s/pom.xml k8s/
RUN mvn -B -q -pl cli -am ${MAVEN_PROFILES:+-P${MAVEN_PROFILES}} dependency:go-offline -DexcludeGroupIds=org.relreason || true
COPY protocol protocol
COPY model model
COPY shard shard
COPY observe observe
COPY worker worker
COPY coordinator coordinator
COPY dashboard dashboard
COPY cli cli
COPY k8s k8s
RUN mvn -B -q -pl cli -am ${MAVEN_PROFILES:+-P${MAVEN_PROFILES}} package -DskipTests

# 2. Fashion-MNIST from Debian's package, so the default run config works without a volume.
FROM debian:bookworm-slim AS data
RUN apt-get update \
 && apt-get install -y --no-install-recommends dataset-fashion-mnist \
 && rm -rf /var/lib/apt/lists/*

# 3. The runtime: a JRE 17 (installed when the base, e.g. the CUDA one, has none).
FROM ${RUNTIME_BASE}
RUN if ! command -v java >/dev/null; then \
      apt-get update \
      && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends openjdk-17-jre-headless \
      && rm -rf /var/lib/apt/lists/*; \
    fi \
 && groupadd --gid 10001 relreason \
 && useradd --uid 10001 --gid 10001 --no-create-home --home-dir /tmp relreason
COPY --from=data /usr/share/datasets/fashion-mnist /usr/share/datasets/fashion-mnist
COPY --from=build /src/cli/target/lib /opt/relreason/lib
COPY --from=build /src/cli/target/relreason-cli.jar /opt/relreason/relreason-cli.jar
# JavaCPP unpacks ND4J's native libraries (~400 MB) on first use: into /tmp, which the manifests
# mount as an emptyDir because the root filesystem is read-only there.
ENV JAVA_TOOL_OPTIONS="-Dorg.bytedeco.javacpp.cachedir=/tmp/javacpp" \
    OMP_NUM_THREADS=2
USER 10001:10001
WORKDIR /tmp
EXPOSE 5701 5800 8080 9400 9401
ENTRYPOINT ["java", "-jar", "/opt/relreason/relreason-cli.jar"]
