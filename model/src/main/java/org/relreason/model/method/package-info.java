/**
 * The pre-training methods beside relational reasoning, as the paper compares them: supervised
 * ({@link org.relreason.model.method.SupervisedModel}), SimCLR ({@link
 * org.relreason.model.method.SimClrModel}, {@link org.relreason.model.method.NtXent}), RotationNet
 * ({@link org.relreason.model.method.RotationModel}, {@link org.relreason.model.method.Rotations})
 * DeepCluster ({@link org.relreason.model.method.DeepClusterModel}, {@link
 * org.relreason.model.method.Clustering} on Apache Commons Math) and Deep InfoMax ({@link
 * org.relreason.model.method.InfoMaxModel}: {@link org.relreason.model.method.InfoMaxLoss}, and the
 * local and prior discriminators of {@link org.relreason.model.method.InfoMaxHead} written on ND4J
 * matrix products, reading the backbone's local map through {@link
 * org.relreason.model.nn.LocalFeatureBackbone}). Each is a {@link
 * org.relreason.model.train.PretrainModel}: the same backbones, data, augmenter, trainer loop,
 * checkpoints and linear evaluation as relational reasoning; {@link
 * org.relreason.model.method.Methods} builds the one a configuration names. Objectives are written
 * on double arrays on the CPU (a step has at most a few hundred rows) and checked against hand
 * computations and finite differences.
 */
package org.relreason.model.method;
