#!/usr/bin/env python3
"""Writes the fixture of LbfgsProbeTest: the exact optimum of an L2-regularised multinomial
logistic regression on a small generated problem, found by SciPy's dense BFGS (not L-BFGS, and not
relreason's code), so the Java L-BFGS probe is checked against an independent solver.

Objective (the one LbfgsProbe minimises):
    mean_i CE(softmax(W x_i + b), y_i) + (l2 / 2) * ||W||^2      (the biases are not penalised)
which is scikit-learn's LogisticRegression(multi_class="multinomial", C=1 / (l2 * n)) objective
divided by C * n.

Needs python3-numpy and python3-scipy (Debian packages); only run by hand, never by CI:
    python3 bench/probe_lbfgs_fixture.py > model/src/test/resources/probe/lbfgs-fixture.json
"""
import json

import numpy as np
from scipy.optimize import minimize
from scipy.special import logsumexp

N, D, C, L2 = 90, 5, 3, 0.05

rng = np.random.default_rng(20190101)
true_w = rng.normal(size=(C, D))
# features are float32 in relreason: generate them as float32 so both sides see the same numbers
x = rng.normal(size=(N, D)).astype(np.float32).astype(np.float64)
logits = x @ true_w.T + rng.gumbel(size=(N, C))
y = logits.argmax(axis=1)


def objective(theta):
    w = theta[: C * D].reshape(C, D)
    b = theta[C * D :]
    z = x @ w.T + b
    lse = logsumexp(z, axis=1)
    loss = np.mean(lse - z[np.arange(N), y]) + 0.5 * L2 * np.sum(w * w)
    p = np.exp(z - lse[:, None])
    p[np.arange(N), y] -= 1
    p /= N
    gw = p.T @ x + L2 * w
    gb = p.sum(axis=0)
    return loss, np.concatenate([gw.ravel(), gb])


res = minimize(objective, np.zeros(C * D + C), jac=True, method="BFGS",
               options={"gtol": 1e-11, "maxiter": 10000})
loss, grad = objective(res.x)
assert np.max(np.abs(grad)) < 1e-9, np.max(np.abs(grad))
print(json.dumps({
    "generator": "bench/probe_lbfgs_fixture.py (scipy.optimize.minimize, method BFGS, gtol 1e-11)",
    "n": N, "d": D, "classes": C, "l2": L2,
    "features": [float(v) for v in x.ravel()],
    "labels": [int(v) for v in y],
    "weights": [float(v) for v in res.x[: C * D]],
    "biases": [float(v) for v in res.x[C * D :]],
    "loss": float(loss),
    "max_abs_gradient": float(np.max(np.abs(grad))),
}, indent=1))
