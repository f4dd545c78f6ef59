/**
 * Dataset readers for the official on-disk formats into {@link org.relreason.model.data.ImageSet},
 * with per-dataset normalisation.
 *
 * <p>Start at {@link org.relreason.model.data.Datasets}: {@code Datasets.load("cifar10", dataDir,
 * Split.TRAIN)} picks the reader and {@code Datasets.normalization("cifar10")} the constants. Each
 * format has its own small reader ({@link org.relreason.model.data.Cifar10Reader}, {@link
 * org.relreason.model.data.Cifar100Reader}, {@link org.relreason.model.data.Stl10Reader}, {@link
 * org.relreason.model.data.IdxReader} with {@link org.relreason.model.data.MnistReader}, {@link
 * org.relreason.model.data.TinyImageNetReader}, {@link
 * org.relreason.model.data.ImageFolderReader}), whose Javadoc gives the expected directory layout.
 *
 * <p>Every missing, truncated or malformed file is reported as a {@link
 * org.relreason.model.data.DatasetFormatException} naming the file, the byte offset, what was
 * expected and what was found, so a bad download is diagnosed from the message alone.
 *
 * <p>Fashion-MNIST and MNIST are 28x28 grayscale; {@link org.relreason.model.data.MnistReader#read}
 * pads them with a 2-pixel zero border to 32x32 and copies the gray channel to three, so the colour
 * backbones and colour jitter apply unchanged.
 */
package org.relreason.model.data;
