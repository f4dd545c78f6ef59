/**
 * Downstream evaluation of a frozen backbone, as in the paper's Section 4: features are computed
 * once ({@link org.relreason.model.eval.FeatureExtractor}), then scored by the linear evaluation
 * protocol ({@link org.relreason.model.eval.LinearEvaluator}, the reported number) or by the fast
 * weighted kNN monitor of Wu et al. 2018 ({@link org.relreason.model.eval.KnnMonitor}, cheap enough
 * to run during training).
 *
 * <p>Everything here is deterministic for a given seed: the linear classifier runs single-threaded
 * in plain Java, and the kNN breaks ties by index.
 */
package org.relreason.model.eval;
