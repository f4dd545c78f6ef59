package org.relreason.model.data;

import java.util.Locale;

/**
 * Which part of a dataset to read. Not every dataset has every split; readers say which they do.
 */
public enum Split {
  /** The labelled training images. */
  TRAIN,
  /** The labelled held-out images (tiny-ImageNet: the official validation set). */
  TEST,
  /** Images without labels (STL-10's 100k unlabelled images). */
  UNLABELED;

  /** Lower-case name, as used in {@link ImageSet#name()} (e.g. {@code "cifar10/train"}). */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }
}
