/**
 * Tests of the deployment files under {@code k8s/}: the kustomize base and overlays are rendered
 * (by {@link org.relreason.k8s.MiniKustomize}, cross-checked against {@code kubectl kustomize} when
 * it is installed), parsed into fabric8's typed Kubernetes objects and checked for wiring against
 * the command-line contract of the clustered roles ({@link org.relreason.k8s.ClusterContract}); the
 * Grafana dashboard's PromQL is checked against the exported metric names.
 */
package org.relreason.k8s;
