/**
 * K-view data augmentation for self-supervised relational reasoning (Patacchiola &amp; Storkey,
 * NeurIPS 2020): torchvision's {@code RandomResizedCrop}, {@code RandomHorizontalFlip}, {@code
 * ColorJitter} (applied with a probability) and {@code RandomGrayscale}, then per-channel
 * normalisation, written straight into float32 planar batches.
 *
 * <p>Every view is a pure function of {@code (seed, epoch, imageIndex, viewIndex)}: {@link
 * org.relreason.model.augment.ViewAugmenter} derives the view's random stream by hashing those four
 * values, so a view is the same on any machine, thread or computation order, and only indices and
 * seeds need to travel between the coordinator and the workers.
 *
 * <p>Defaults live in {@link org.relreason.model.augment.AugmentationConfig#paper()}; {@link
 * org.relreason.model.augment.AugmentationBench} measures throughput.
 */
package org.relreason.model.augment;
