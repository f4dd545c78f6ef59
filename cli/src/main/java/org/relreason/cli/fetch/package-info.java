/**
 * {@code relreason data fetch NAME}: the official files of a dataset, downloaded with HTTP Range
 * resume, checked against the checksums in {@link org.relreason.cli.fetch.DatasetSources}, and
 * unpacked into the layout the readers of {@code org.relreason.model.data} expect.
 */
package org.relreason.cli.fetch;
