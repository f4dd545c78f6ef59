/**
 * Downstream evaluation of a frozen backbone, as in the paper's Section 4: features are computed
 * once ({@link org.relreason.model.features.FeatureExtractor}), then scored by the linear
 * evaluation protocol ({@link org.relreason.model.eval.LinearEvaluator}, the reported number) or by
 * the fast weighted kNN monitor of Wu et al. 2018 ({@link org.relreason.model.eval.KnnMonitor},
 * cheap enough to run during training).
 *
 * <p>The paper's other protocols have one entry point, {@link
 * org.relreason.model.eval.EvalProtocols#run}: a {@link org.relreason.model.eval.Protocol}, the
 * backbone, the images ({@link org.relreason.model.eval.EvalData}) and the settings ({@link
 * org.relreason.model.eval.ProtocolConfig}) give a {@link org.relreason.model.eval.ProtocolResult}:
 *
 * <pre>{@code
 * EvalData data = EvalData.load("fashion-mnist", EvalData.Geometry.of(probe), "mnist", dir, 0, 0);
 * ProtocolResult r = EvalProtocols.run(Protocol.TRANSFER, backbone, data, ProtocolConfig.defaults(seed));
 * }</pre>
 *
 * <p>Domain transfer and grain are the linear evaluation on another dataset (checked: same image
 * geometry, a different dataset; CIFAR-100 to its 20 coarse labels); fine-tuning is {@link
 * org.relreason.model.eval.FineTuner} with {@link org.relreason.model.train.Adam#forFineTuning};
 * label fractions come from {@link org.relreason.model.eval.LabelFractions}; retrieval from {@link
 * org.relreason.model.eval.ImageRetrieval}; the 2-D embedding from an exact t-SNE ({@link
 * org.relreason.model.eval.Embedding2d}); the pictures are drawn with Java2D ({@link
 * org.relreason.model.eval.Pictures}).
 *
 * <p>Everything here is deterministic for a given seed: the linear classifier runs single-threaded
 * in plain Java, the kNN and retrieval break ties by index, label fractions are per-class
 * permutations drawn from the seed.
 */
package org.relreason.model.eval;
