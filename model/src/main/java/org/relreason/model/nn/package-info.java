/**
 * Networks: backbones (Conv-4, CIFAR ResNets, ResNet-34) built as Deeplearning4j graphs behind the
 * {@link org.relreason.model.nn.Backbone} interface, and the relation head.
 */
package org.relreason.model.nn;
