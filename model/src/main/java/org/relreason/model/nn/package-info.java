/**
 * Networks: backbones (Conv-4, CIFAR ResNets, ResNet-34) built as Deeplearning4j graphs behind the
 * {@link org.relreason.model.nn.Backbone} interface, and the relation head. A backbone may also
 * expose a local feature map ({@link org.relreason.model.nn.LocalFeatureBackbone}, Deep InfoMax's
 * input; the fast Conv-4 does).
 */
package org.relreason.model.nn;
