/**
 * Dataset readers for the official on-disk formats (CIFAR-10/100 binary, STL-10 binary, MNIST idx,
 * tiny-ImageNet, image folders) into {@link org.relreason.model.data.ImageSet}, with per-dataset
 * normalisation.
 */
package org.relreason.model.data;
