/**
 * Backbones computed directly with libnd4j's native ops instead of Deeplearning4j layers (issue 6):
 * {@link org.relreason.model.nn.fast.FastConv4Backbone} runs Conv-4 on {@code conv2d}/{@code
 * conv2d_bp}, {@code batchnorm}, {@code avgpool2d}/{@code avgpool2d_bp} and {@code reduce_mean_bp},
 * bound once to buffers that are reused every step, with a batch-norm backward built from row
 * reductions and broadcasts on the NHWC activations seen as {@code [N H W, C]} matrices, the ReLU
 * backward as a sign mask, and the first conv's weight gradient as one GEMM on an im2col matrix
 * ({@link org.relreason.model.nn.fast.ImageConvWeightGradient}, no image gradient). {@link
 * org.relreason.model.nn.fast.FastResNet} runs the CIFAR ResNet-8/32/56 and ResNet-34 on the same
 * pieces ({@link org.relreason.model.nn.fast.NativeBatchNorm}, and {@code maxpool2d}/{@code
 * maxpool2d_bp} for ResNet-34's pool). Both have the DL4J graphs' flat parameter layouts and
 * statistics semantics, and are tested against them. {@link
 * org.relreason.model.nn.fast.BackboneBench} times both and prints an op-level profile ({@link
 * org.relreason.model.nn.fast.OpTimes}).
 *
 * <p>Build one with {@link org.relreason.model.nn.Backbones#buildFast}. With the {@code
 * linux-x86_64-onednn-avx2} natives (parent POM property {@code nd4j.classifier}) libnd4j runs the
 * convolutions, pooling and batch-norm forward through oneDNN, which roughly halves the step time
 * of this backbone here; the plain natives use im2col + GEMM.
 */
package org.relreason.model.nn.fast;
