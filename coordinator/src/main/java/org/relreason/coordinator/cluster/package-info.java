/**
 * The clustered roles ({@code coordinator}, {@code worker}, one JVM each) and the clustered Vert.x
 * they run on: Hazelcast joining only configured members (TCP-IP list or Kubernetes DNS discovery),
 * and an event bus that can require TLS client certificates.
 */
package org.relreason.coordinator.cluster;
