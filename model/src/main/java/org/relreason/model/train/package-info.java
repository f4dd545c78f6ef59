/**
 * Pre-training in one process: the seam every method implements ({@link
 * org.relreason.model.train.PretrainModel}: views in, loss and one flat gradient out), the
 * relational model with one flat parameter vector ({@link
 * org.relreason.model.train.RelationalModel}), the relational objective and its pair scorers (the
 * relation head and the dot-product ablations), Adam and SGD ({@link
 * org.relreason.model.train.Optimizer}), the stateless minibatch schedule, checkpoints, and the
 * {@link org.relreason.model.run.Trainer} loop that a distributed run must reproduce; {@link
 * org.relreason.model.run.TrainJob} adds the evaluation.
 */
package org.relreason.model.train;
