#!/usr/bin/env python3
"""PyTorch's side of `npm run bench:core-time` (bench/core-time.mjs starts it; never the tests).

Trains the same comparison as `gradscope compare` on the same data (the arrays gradscope
loaded, written by core-time.mjs: normalised float32 features and int32 labels), with
the recipe of gradscope's comparison protocols: SimpleNetwork 784-256-192-128-64-10
(PyTorch's default init), SGD with momentum, shuffled batches, every epoch's loss read
per step (as loss.item() in the chapter's train_loop), the test set evaluated after
every epoch in batches of 512, the gradient statistics' two probe passes (one batch
before and one after training), dead units counted over the training set before and
after training in eval mode (as the chapter's calculate_disabled_neuron), and each
hidden layer's outputs over the test set as a 40-bin histogram (the chapter's
get_model_outputs): the work gradscope's run does around its steps. Every activation and the
baseline without activation, one after another, in this process.

Prints one JSON line: per run the test accuracy, final losses and seconds; the whole
comparison's CPU time (time.process_time: every thread of this process, user + system)
and wall time, data loading included.

  python3 bench/pytorch-compare.py REQUEST.json
"""

import json
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

ACTIVATIONS = {
    "relu": lambda: torch.nn.ReLU(),
    "leaky_relu": lambda: torch.nn.LeakyReLU(0.01),
    "gelu": lambda: torch.nn.GELU(),
    "tanh": lambda: torch.nn.Tanh(),
    "sigmoid": lambda: torch.nn.Sigmoid(),
    "elu": lambda: torch.nn.ELU(),
    "silu": lambda: torch.nn.SiLU(),
    "mish": lambda: torch.nn.Mish(),
    "none": None,
}


def network(layers, activation):
    modules = []
    for i in range(len(layers) - 1):
        modules.append(torch.nn.Linear(layers[i], layers[i + 1]))
        if i + 2 < len(layers) and ACTIVATIONS[activation] is not None:
            modules.append(ACTIVATIONS[activation]())
    return torch.nn.Sequential(*modules)


def probe_gradients(model, x, y):
    """The gradient statistics' pass: one forward/backward on the probe batch, per-layer norms."""
    model.zero_grad()
    F.cross_entropy(model(x), y).backward()
    return [p.grad.norm().item() for p in model.parameters()]


def evaluate(model, x, y, batch=512):
    model.eval()
    loss, correct = 0.0, 0
    with torch.no_grad():
        for start in range(0, len(y), batch):
            out = model(x[start : start + batch])
            loss += F.cross_entropy(out, y[start : start + batch], reduction="sum").item()
            correct += (out.argmax(dim=1) == y[start : start + batch]).sum().item()
    model.train()
    return loss / len(y), correct / len(y)


def hidden_activations(model):
    """(index, module) of each activation after a hidden layer: what the analyses hook."""
    return [(index, module) for index, module in enumerate(model) if not isinstance(module, torch.nn.Linear) and index + 1 < len(model)]


def dead_units(model, x, batch=512):
    """Hidden units whose output is exactly 0 on every training sample (eval mode)."""
    model.eval()
    alive = {}
    hooks = []
    for index, module in hidden_activations(model):
        hooks.append(module.register_forward_hook(lambda m, i, o, k=index: alive.__setitem__(k, alive.get(k, 0) + (o != 0).any(dim=0))))
    with torch.no_grad():
        for start in range(0, len(x), batch):
            model(x[start : start + batch])
    for h in hooks:
        h.remove()
    model.train()
    total = sum(v.numel() for v in alive.values())
    return 0.0 if total == 0 else sum((v == 0).sum().item() for v in alive.values()) / total


def layer_outputs(model, x, batch=512, bins=40):
    """Each hidden activation's outputs over the test set, as a histogram (eval mode)."""
    model.eval()
    outputs = {}
    hooks = []
    for index, module in hidden_activations(model):
        hooks.append(module.register_forward_hook(lambda m, i, o, k=index: outputs.setdefault(k, []).append(o)))
    with torch.no_grad():
        for start in range(0, len(x), batch):
            model(x[start : start + batch])
        histograms = [torch.histc(torch.cat(parts), bins=bins).tolist() for parts in outputs.values()]
    for h in hooks:
        h.remove()
    model.train()
    return histograms


def main():
    request = json.load(open(sys.argv[1]))
    cpu_start, wall_start = time.process_time(), time.perf_counter()
    torch.set_num_threads(request["threads"])
    n_train, n_test, features = request["train"], request["test"], request["features"]
    values = np.fromfile(request["data"], dtype=np.float32)
    at = 0
    x_train = torch.from_numpy(values[at : at + n_train * features].reshape(n_train, features).copy())
    at += n_train * features
    y_train = torch.from_numpy(values[at : at + n_train].view(np.int32).astype(np.int64))
    at += n_train
    x_test = torch.from_numpy(values[at : at + n_test * features].reshape(n_test, features).copy())
    at += n_test * features
    y_test = torch.from_numpy(values[at : at + n_test].view(np.int32).astype(np.int64))
    layers = [features, *request["hidden"], request["classes"]]
    batch = request["batch"]

    runs = []
    # "runs": the runs this process trains (core-time.mjs splits them over --pytorch-jobs
    # processes); by default every activation and the baseline.
    for activation in request.get("runs", [*request["activations"], "none"]):
        torch.manual_seed(request["seed"])
        model = network(layers, activation)
        optimizer = torch.optim.SGD(model.parameters(), lr=request["lr"], momentum=request["momentum"])
        started = time.perf_counter()
        probe_gradients(model, x_train[:batch], y_train[:batch])
        if activation != "none":
            dead_units(model, x_train)
        generator = torch.Generator().manual_seed(request["seed"])
        step_losses = []
        for _ in range(request["epochs"]):
            order = torch.randperm(n_train, generator=generator)
            for start in range(0, n_train, batch):
                rows = order[start : start + batch]
                optimizer.zero_grad()
                loss = F.cross_entropy(model(x_train[rows]), y_train[rows])
                loss.backward()
                optimizer.step()
                step_losses.append(loss.item())
            test_loss, test_accuracy = evaluate(model, x_test, y_test)
        probe_gradients(model, x_train[:batch], y_train[:batch])
        dead = dead_units(model, x_train) if activation != "none" else 0.0
        layer_outputs(model, x_test)
        runs.append(
            {
                "activation": activation,
                "testAccuracy": test_accuracy,
                "testLoss": test_loss,
                "finalTrainLoss": float(np.mean(step_losses[-(n_train // batch) :])),
                "deadRatio": dead,
                "seconds": time.perf_counter() - started,
            }
        )
    print(
        json.dumps(
            {
                "torch": torch.__version__,
                "threads": torch.get_num_threads(),
                "runs": runs,
                "cpuSeconds": time.process_time() - cpu_start,
                "wallSeconds": time.perf_counter() - wall_start,
            }
        ),
        flush=True,
    )


if __name__ == "__main__":
    main()
