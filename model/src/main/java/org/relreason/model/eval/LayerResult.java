package org.relreason.model.eval;

/**
 * A probe on the pooled output of one block of a backbone ({@code --probe-layers all}).
 *
 * @param layer the block, 1 = the first
 * @param name what the block is in the network (the graph vertex read, e.g. {@code block2_relu} or
 *     {@code stage3_block1_relu}; {@code representation} for the representation layer)
 * @param featureSize the block's channels (its pooled feature size)
 * @param result the probe on those features
 */
public record LayerResult(int layer, String name, int featureSize, LinearResult result) {}
