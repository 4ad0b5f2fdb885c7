#!/usr/bin/env python3
"""Solo latency of the benchmark's nine DNN architectures in PyTorch: the
reference point for the project's own models (test_kernels/dnn/models).

Same architectures and shapes as dnn::make_model: torchvision alexnet,
resnet18, resnet50, vgg16, squeezenet1_0, mobilenet_v2 (224x224, ending in a
softmax like ours), TF-slim's CifarNet (32x32), nn.LSTM / nn.GRU (time-major
input [seq_len][batch][input], zero initial state, output = last layer's last
hidden state). fp32 (TF32 off unless --allow-tf32), eval(), no_grad, eager
mode, random weights. Timing as dnn_gpu_models_check: CUDA events around one
forward, warm-up, median over --runs, batch 1 and --batch.

Usage: python3 tools/bench/torch_models_latency.py [--batch 8] [--runs 30]
           [--models resnet18,lstm] [--out torch_latency.json] [--ours models_check.json]
With --ours, each row also shows our model's median (same model and batch)
and ours / torch. With --ours and --check-outputs, each model is also run at
batch 1 with exactly our weights and input (regenerated here from the seed,
the way test_kernels/dnn/models/weights.cpp draws them; needs numpy) and its
output compared with ours: the check that our graphs compute the same
functions as torchvision's modules.
"""
import argparse
import json
import statistics
import sys
import time

MODELS = ["alexnet", "cifarnet", "resnet18", "resnet50", "vgg16", "squeezenet",
          "mobilenet_v2", "lstm", "gru"]
TORCHVISION = {"alexnet": "alexnet", "resnet18": "resnet18", "resnet50": "resnet50",
               "vgg16": "vgg16", "squeezenet": "squeezenet1_0", "mobilenet_v2": "mobilenet_v2"}


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--batch", type=int, default=8, help="timed at batch 1 and this batch")
    p.add_argument("--runs", type=int, default=30)
    p.add_argument("--warmup", type=int, default=5)
    p.add_argument("--models", default=",".join(MODELS))
    p.add_argument("--seq-len", type=int, default=32)
    p.add_argument("--rnn-input", type=int, default=256)
    p.add_argument("--rnn-hidden", type=int, default=512)
    p.add_argument("--rnn-layers", type=int, default=2)
    p.add_argument("--allow-tf32", action="store_true", help="let cuDNN/cuBLAS use TF32")
    p.add_argument("--no-cudnn-benchmark", action="store_true")
    p.add_argument("--out", help="write the results as JSON here")
    p.add_argument("--ours", help="dnn_gpu_models_check --out JSON: add our median and the ratio")
    p.add_argument("--check-outputs", action="store_true",
                   help="with --ours: compare outputs at batch 1 with our weights and input")
    args = p.parse_args()
    args.models = [m for m in args.models.split(",") if m]
    unknown = [m for m in args.models if m not in MODELS]
    if unknown:
        p.error(f"unknown models {unknown}; known: {MODELS}")
    return args


def build(name, args, torch, nn, torchvision):
    """Returns (module, input-maker) for one architecture."""

    class Softmaxed(nn.Module):  # torchvision classifiers return logits; ours end in a softmax
        def __init__(self, body):
            super().__init__()
            self.body = body

        def forward(self, x):
            return torch.softmax(self.body(x), dim=1)

    class CifarNet(nn.Module):  # TF-slim cifarnet.py
        def __init__(self):
            super().__init__()
            # tf.nn.lrn(depth_radius=4, alpha=0.001/9): window 9, PyTorch divides alpha by it.
            lrn = dict(size=9, alpha=0.001, beta=0.75, k=1.0)
            self.features = nn.Sequential(
                nn.Conv2d(3, 64, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2, 2),
                nn.LocalResponseNorm(**lrn),
                nn.Conv2d(64, 64, 5, padding=2), nn.ReLU(), nn.LocalResponseNorm(**lrn),
                nn.MaxPool2d(2, 2))
            self.classifier = nn.Sequential(
                nn.Flatten(), nn.Linear(64 * 8 * 8, 384), nn.ReLU(), nn.Linear(384, 192),
                nn.ReLU(), nn.Linear(192, 10))

        def forward(self, x):
            return self.classifier(self.features(x))

    class LastHidden(nn.Module):
        def __init__(self, rnn):
            super().__init__()
            self.rnn = rnn

        def forward(self, x):
            return self.rnn(x)[0][-1]

    if name in TORCHVISION:
        body = getattr(torchvision.models, TORCHVISION[name])(weights=None)
        return Softmaxed(body), lambda b: torch.randn(b, 3, 224, 224)
    if name == "cifarnet":
        return Softmaxed(CifarNet()), lambda b: torch.randn(b, 3, 32, 32)
    cell = nn.LSTM if name == "lstm" else nn.GRU
    rnn = cell(args.rnn_input, args.rnn_hidden, args.rnn_layers)
    return LastHidden(rnn), lambda b: torch.randn(args.seq_len, b, args.rnn_input)


# Our outputs vs PyTorch's on the same weights: relative L2 error allowed. Loose
# on purpose (fp32 in a different order, softmax over large logits): a wrong
# architecture gives errors of order 1.
OUTPUT_TOLERANCE = 1e-2
INPUT_STREAM = 2**64 - 1  # weights.cpp: kInputStream
U64 = 2**64 - 1
GOLDEN = 0x9E3779B97F4A7C15


def splitmix_mix(z, np):
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


def random_uniform(n, lo, hi, seed, stream, np):
    """weights.cpp random_uniform: n float32 values in [lo, hi) from stream (seed, stream)."""
    lo, hi = float(np.float32(lo)), float(np.float32(hi))
    first = int(splitmix_mix(np.array([(seed + GOLDEN) & U64], dtype=np.uint64), np)[0])
    state = np.uint64(first ^ ((stream * 0xD1B54A32D192ED03) & U64))
    out = np.empty(n, dtype=np.float32)
    chunk = 1 << 22
    with np.errstate(over="ignore"):
        for start in range(0, n, chunk):
            stop = min(n, start + chunk)
            steps = np.arange(start + 1, stop + 1, dtype=np.uint64)
            z = splitmix_mix(state + steps * np.uint64(GOLDEN), np)
            u = (z >> np.uint64(40)).astype(np.float64) * 2.0**-24
            out[start:stop] = (lo + (hi - lo) * u).astype(np.float32)
    return out


def weight_tensors(model, nn):
    """The tensors our graphs draw, in our order (module registration order)."""
    for m in model.modules():
        if isinstance(m, (nn.Conv2d, nn.Linear)):
            yield m.weight
            if m.bias is not None:
                yield m.bias
        elif isinstance(m, nn.BatchNorm2d):
            yield from (m.weight, m.bias, m.running_mean, m.running_var)
        elif isinstance(m, (nn.LSTM, nn.GRU)):
            for layer in range(m.num_layers):
                for part in ("weight_ih_l", "weight_hh_l", "bias_ih_l", "bias_hh_l"):
                    yield getattr(m, f"{part}{layer}")


def check_output(name, mine, args, torch, nn, torchvision, dev):
    """Runs `name` with our weights and input; returns (relative L2, max abs, same argmax)."""
    import numpy as np
    model, make_input = build(name, args, torch, nn, torchvision)
    tensors = list(weight_tensors(model, nn))
    params = mine["params"]
    if len(tensors) != len(params):
        raise SystemExit(f"{name}: {len(tensors)} torch tensors, {len(params)} of ours")
    with torch.no_grad():
        for index, (t, (pname, elements, lo, hi)) in enumerate(zip(tensors, params)):
            if t.numel() != elements:
                raise SystemExit(f"{name}: tensor {index} ({pname}) has {t.numel()} elements "
                                 f"in torch, {elements} in ours")
            values = random_uniform(elements, lo, hi, mine["seed"], index, np)
            t.copy_(torch.from_numpy(values).view_as(t))
        x = make_input(1)
        x.copy_(torch.from_numpy(random_uniform(x.numel(), -1.0, 1.0, mine["seed"],
                                                INPUT_STREAM, np)).view_as(x))
        y = model.eval().to(dev)(x.to(dev)).double().cpu().flatten()
    ours = torch.tensor(mine["output"], dtype=torch.float64)
    rel = float((y - ours).norm() / ours.norm())
    return rel, float((y - ours).abs().max()), int(y.argmax()) == int(ours.argmax())


def time_model(model, x, args, torch):
    with torch.no_grad():
        for _ in range(args.warmup):
            model(x)
        torch.cuda.synchronize()
        start = torch.cuda.Event(enable_timing=True)
        stop = torch.cuda.Event(enable_timing=True)
        ms = []
        for _ in range(args.runs):
            start.record()
            y = model(x)
            stop.record()
            stop.synchronize()
            ms.append(start.elapsed_time(stop))
    ms.sort()
    return y, {"median_ms": statistics.median(ms), "min_ms": ms[0],
               "p90_ms": ms[min(len(ms) - 1, int(0.9 * len(ms)))], "max_ms": ms[-1]}


def main():
    args = parse_args()
    import torch
    import torch.nn as nn
    import torchvision
    if not torch.cuda.is_available():
        print("no CUDA device", file=sys.stderr)
        return 77
    torch.backends.cuda.matmul.allow_tf32 = args.allow_tf32
    torch.backends.cudnn.allow_tf32 = args.allow_tf32
    torch.backends.cudnn.benchmark = not args.no_cudnn_benchmark
    torch.manual_seed(1)
    dev = torch.device("cuda")
    card = torch.cuda.get_device_name(0)
    print(f"card: {card}, torch {torch.__version__}, torchvision {torchvision.__version__}, "
          f"tf32 {'on' if args.allow_tf32 else 'off'}")
    ours = {}
    if args.ours:
        with open(args.ours) as f:
            mine = json.load(f)
        if mine.get("card") != card:
            print(f"warning: --ours was measured on {mine.get('card')}, not {card}", file=sys.stderr)
        ours = {(r["model"], r["batch"]): r["median_ms"] for r in mine.get("latency", [])}
    print(f"{'model':13} {'batch':>5} {'params':>11} {'median_ms':>10} {'min_ms':>10} "
          f"{'p90_ms':>10} {'checksum_sum':>16}" + (f" {'ours_ms':>10} {'ours/torch':>10}" if ours else ""))
    results = []
    batches = [1] if args.batch == 1 else [1, args.batch]
    for name in args.models:
        model, make_input = build(name, args, torch, nn, torchvision)
        model = model.eval().to(dev)
        params = sum(p.numel() for p in model.parameters())
        for batch in batches:
            x = make_input(batch).to(dev)
            y, t = time_model(model, x, args, torch)
            checksum = float(y.double().sum())
            row = dict(model=name, batch=batch, parameters=params, runs=args.runs,
                       warmup_runs=args.warmup, checksum_sum=checksum, **t)
            extra = ""
            if (name, batch) in ours:
                row["ours_median_ms"] = ours[(name, batch)]
                row["ours_over_torch"] = ours[(name, batch)] / t["median_ms"]
                extra = f" {row['ours_median_ms']:10.3f} {row['ours_over_torch']:10.2f}"
            print(f"{name:13} {batch:5d} {params:11d} {t['median_ms']:10.3f} {t['min_ms']:10.3f} "
                  f"{t['p90_ms']:10.3f} {checksum:16.6e}{extra}", flush=True)
            results.append(row)
        del model
        torch.cuda.empty_cache()
    checks = []
    if args.check_outputs:
        mine = {r["model"]: r for r in json.load(open(args.ours)).get("latency", [])
                if r["batch"] == 1 and "output" in r} if args.ours else {}
        print(f"\nsame weights and input, batch 1: ours vs torch (relative L2 <= {OUTPUT_TOLERANCE})")
        print(f"{'model':13} {'rel_l2':>10} {'max_abs':>10} {'argmax':>7}")
        for name in args.models:
            if name not in mine:
                print(f"{name:13} (no batch-1 output in --ours)")
                continue
            rel, max_abs, same = check_output(name, mine[name], args, torch, nn, torchvision, dev)
            ok = rel <= OUTPUT_TOLERANCE
            print(f"{name:13} {rel:10.2e} {max_abs:10.2e} {'same' if same else 'DIFF':>7}"
                  f"  {'ok' if ok else 'FAIL'}", flush=True)
            checks.append(dict(model=name, relative_l2=rel, max_abs=max_abs, same_argmax=same,
                               passed=ok))
    if args.out:
        with open(args.out, "w") as f:
            json.dump({"card": card, "torch": torch.__version__,
                       "torchvision": torchvision.__version__, "tf32": args.allow_tf32,
                       "cudnn_benchmark": not args.no_cudnn_benchmark,
                       "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                       "latency": results, "output_checks": checks}, f, indent=2)
    return 0 if all(c["passed"] for c in checks) else 1


if __name__ == "__main__":
    sys.exit(main())
