/** The {@code relreason} command line: {@code train}, {@code eval} and {@code bench}. */
package org.relreason.cli;
