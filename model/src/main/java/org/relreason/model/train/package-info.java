/**
 * Pre-training in one process: the model with one flat parameter vector ({@link
 * org.relreason.model.train.RelationalModel}), the relational objective, Adam, the stateless
 * minibatch schedule, checkpoints, and the {@link org.relreason.model.train.Trainer} loop that a
 * distributed run must reproduce; {@link org.relreason.model.train.TrainJob} adds the evaluation.
 */
package org.relreason.model.train;
