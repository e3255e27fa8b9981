#!/usr/bin/env python3
"""The PyTorch side of `npm run bench` (bench/pytorch.ts starts it; never the test suite).

Answers one JSON request per line on stdin with one JSON line on stdout, timing the
work itself (time.perf_counter), so that the pipe between Node and Python is never
inside a measurement. The workload is gradscope's: SimpleNetwork 784-256-192-128-64-10
with ReLU, softmax cross-entropy, SGD with momentum 0.9 (lr 0.01), batch 128, from the
weights, inputs and labels the bench writes to a file (so both libraries compute the
same losses), and plain float32 matrix products A @ B.

Requests:
  {"op": "threads", "n": 2}                        torch.set_num_threads
  {"op": "matmul", "m", "k", "n", "warmup", "reps", "minSampleMs"}   -> timing
  {"op": "network", "file", "layers", "batch"}     load the network and data
  {"op": "steps", "warmup", "reps", "minSampleMs"} -> timing and the last loss
  {"op": "step"}                                   one step -> {"ms", "loss"}
"""

import json
import math
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F


def summarise(samples):
    s = sorted(samples)
    mid = len(s) // 2
    median = s[mid] if len(s) % 2 else (s[mid - 1] + s[mid]) / 2
    return {"median": median, "min": s[0], "max": s[-1], "reps": len(s)}


def timed(fn, warmup, reps, min_sample_ms):
    """bench/workloads.ts's time(): warm-ups, then reps samples of enough calls to last min_sample_ms."""
    for _ in range(warmup):
        fn()
    calls = 1
    if min_sample_ms > 0:
        start = time.perf_counter()
        fn()
        once = (time.perf_counter() - start) * 1000
        if once < min_sample_ms:
            calls = min(1000, math.ceil(min_sample_ms / max(once, 0.01)))
    samples = []
    for _ in range(reps):
        start = time.perf_counter()
        for _ in range(calls):
            fn()
        samples.append((time.perf_counter() - start) * 1000 / calls)
    return summarise(samples)


class Network:
    """The bench's SimpleNetwork; weights stored [in, out] in the file (nn.Linear keeps [out, in])."""

    def __init__(self, file, layers, batch):
        values = np.fromfile(file, dtype=np.float32)
        at = 0
        modules = []
        for i in range(len(layers) - 1):
            fan_in, fan_out = layers[i], layers[i + 1]
            linear = torch.nn.Linear(fan_in, fan_out)
            w = values[at : at + fan_in * fan_out].reshape(fan_in, fan_out)
            at += fan_in * fan_out
            with torch.no_grad():
                linear.weight.copy_(torch.from_numpy(w.T.copy()))
                linear.bias.zero_()
            modules.append(linear)
            if i + 2 < len(layers):
                modules.append(torch.nn.ReLU())
        self.model = torch.nn.Sequential(*modules)
        self.x = torch.from_numpy(values[at : at + batch * layers[0]].reshape(batch, layers[0]).copy())
        at += batch * layers[0]
        self.labels = torch.from_numpy(values[at : at + batch].view(np.int32).astype(np.int64))
        self.optimizer = torch.optim.SGD(self.model.parameters(), lr=0.01, momentum=0.9)
        self.loss = float("nan")

    def step(self):
        self.optimizer.zero_grad()
        loss = F.cross_entropy(self.model(self.x), self.labels)
        loss.backward()
        self.optimizer.step()
        self.loss = loss.item()


def main():
    network = None
    generator = torch.Generator().manual_seed(1)
    print(json.dumps({"ready": True, "torch": torch.__version__, "threads": torch.get_num_threads()}), flush=True)
    for line in sys.stdin:
        request = json.loads(line)
        op = request["op"]
        try:
            if op == "threads":
                torch.set_num_threads(request["n"])
                reply = {"threads": torch.get_num_threads()}
            elif op == "matmul":
                m, k, n = request["m"], request["k"], request["n"]
                a = torch.rand(m, k, generator=generator) * 2 - 1
                b = torch.rand(k, n, generator=generator) * 2 - 1
                with torch.no_grad():
                    reply = timed(lambda: a @ b, request["warmup"], request["reps"], request["minSampleMs"])
            elif op == "network":
                network = Network(request["file"], request["layers"], request["batch"])
                reply = {"ok": True}
            elif op == "steps":
                reply = timed(network.step, request["warmup"], request["reps"], request["minSampleMs"])
                reply["loss"] = network.loss
            elif op == "step":
                start = time.perf_counter()
                network.step()
                reply = {"ms": (time.perf_counter() - start) * 1000, "loss": network.loss}
            else:
                reply = {"error": f"unknown op {op!r}"}
        except Exception as error:  # reported to the bench, which notes it and goes on
            reply = {"error": f"{type(error).__name__}: {error}"}
        print(json.dumps(reply), flush=True)


if __name__ == "__main__":
    main()
