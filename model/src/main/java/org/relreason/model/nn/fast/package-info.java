/**
 * Backbones computed directly with libnd4j's native ops instead of Deeplearning4j layers (issue 6):
 * {@link org.relreason.model.nn.fast.FastConv4Backbone} runs Conv-4 on {@code conv2d}/{@code
 * conv2d_bp}, {@code batchnorm}, {@code avgpool2d}/{@code avgpool2d_bp}, {@code relu_bp} and {@code
 * reduce_mean_bp}, bound once to buffers that are reused every step, with a batch-norm backward
 * built from row reductions and broadcasts on the NHWC activations seen as {@code [N H W, C]}
 * matrices. It has the DL4J Conv-4's flat parameter layout and statistics semantics, and is tested
 * against it. {@link org.relreason.model.nn.fast.BackboneBench} times both and prints an op-level
 * profile ({@link org.relreason.model.nn.fast.OpTimes}).
 *
 * <p>Build one with {@link org.relreason.model.nn.Backbones#buildFast}. With the {@code
 * linux-x86_64-onednn-avx2} natives (parent POM property {@code nd4j.classifier}) libnd4j runs the
 * convolutions, pooling and batch-norm forward through oneDNN, which roughly halves the step time
 * of this backbone here; the plain natives use im2col + GEMM.
 */
package org.relreason.model.nn.fast;
