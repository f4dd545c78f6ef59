/**
 * The run configuration: one table of keys (name, default, description, parser) that serves the
 * JSON config file, the command-line flags and {@code --help}, validated once into an immutable
 * record.
 */
package org.relreason.model.config;
