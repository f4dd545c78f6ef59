/**
 * How a run is watched from outside: the {@code --metrics-*} and {@code --dashboard-*} options
 * shared by {@code train} and the clustered roles, the validated dashboard access (a non-loopback
 * bind needs a token), and the hook through which a launcher that has the dashboard module plugs it
 * into the clustered coordinator.
 */
package org.relreason.coordinator.observe;
