#!/usr/bin/env python3
"""Registers, spills and shared memory of every kernel and its elastic variants,
as ptxas reports them (nvcc -Xptxas -v), and the resident blocks per SM they
allow at the block size of the kernel's launch spec.

  persistent_registers.py measure --elastic-dir DIR --out FILE.json [--arch sm_90] [-I DIR ...]
      compiles every DIR/*.elastic.cu (miriamc's output; DIR/*.miriam.json map
      variants to kernels) to a cubin and records ptxas's numbers.
  persistent_registers.py report --before A.json --after B.json --specs DIR --out FILE.md
      the markdown table: original, persistent before, persistent after.

The committed table (results/persistent_registers.md, sm_90) came from:

  miriamc test_kernels/*.cu test_kernels/dnn/layers.cu -o OUT --quiet -- -Itest_kernels/dnn
  tools/persistent_registers.py measure --elastic-dir OUT --out results/persistent_registers/after.json \
      -I runtime/include -I test_kernels/dnn
  tools/persistent_registers.py report --before results/persistent_registers/d3127ed.json \
      --after results/persistent_registers/after.json --specs test_kernels --out results/persistent_registers.md \\
      --notes results/persistent_registers/notes.md

with d3127ed.json measured the same way from miriamc and runtime/include of commit d3127ed.

Nothing here runs a GPU: these are the compiler's numbers, the first thing to
check when a variant is slower than its original (fewer resident blocks).
"""
import argparse
import concurrent.futures
import glob
import json
import os
import re
import subprocess
import sys

# sm_90 (Hopper) limits, from the CUDA occupancy calculator.
SM90 = dict(regs_per_sm=65536, reg_alloc_unit=256, max_regs_per_thread=255, threads_per_sm=2048,
            blocks_per_sm=32, smem_per_sm=233472, smem_alloc_unit=128, smem_reserved_per_block=1024)

ENTRY = re.compile(r"Compiling entry function '([^']+)' for '(sm_\d+a?)'")
PROPS = re.compile(r"(\d+) bytes stack frame, (\d+) bytes spill stores, (\d+) bytes spill loads")
USED = re.compile(r"Used (\d+) registers(?:, used (\d+) barriers)?(?:, (\d+) bytes smem)?")


def parse_ptxas(text):
    """mangled name -> {regs, spill_stores, spill_loads, stack, smem} from `ptxas -v` output."""
    out, current = {}, None
    for line in text.splitlines():
        m = ENTRY.search(line)
        if m:
            current = out.setdefault(m.group(1), dict(regs=0, spill_stores=0, spill_loads=0, stack=0, smem=0))
            continue
        if current is None:
            continue
        m = PROPS.search(line)
        if m:
            current.update(stack=int(m.group(1)), spill_stores=int(m.group(2)), spill_loads=int(m.group(3)))
            continue
        m = USED.search(line)
        if m:
            current.update(regs=int(m.group(1)), smem=int(m.group(3) or 0))
            current = None
    return out


def compile_one(nvcc, source, arch, includes, workdir):
    cubin = os.path.join(workdir, os.path.basename(source) + ".cubin")
    cmd = [nvcc, "-cubin", f"-arch={arch}", "-O3", "-DNDEBUG", "-std=c++17", "-Xptxas", "-v", "-o", cubin, source]
    cmd += [f"-I{d}" for d in includes]
    done = subprocess.run(cmd, capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"persistent_registers: {' '.join(cmd)} failed:\n{done.stderr}")
    return parse_ptxas(done.stderr)


def kernels_of(manifest_path, usage):
    """Rows: one per instantiation of every kernel with a persistent or sliced variant."""
    rows = []
    manifest = json.load(open(manifest_path))
    for kernel in manifest["kernels"]:
        variants = {v["kind"]: v["mangled"] for v in kernel.get("variants", [])}
        for i, inst in enumerate(kernel["instantiations"]):
            row = dict(file=os.path.basename(manifest["source"]["path"]) if isinstance(manifest.get("source"), dict)
                       else os.path.basename(manifest_path).replace(".miriam.json", ".cu"),
                       kernel=kernel["qualified_name"], template_args=inst.get("template_args", ""),
                       original=usage.get(inst["mangled"]))
            for kind, mangled in variants.items():
                row[kind] = usage.get(mangled[i]) if i < len(mangled) else None
            rows.append(row)
    return rows


def measure(args):
    workdir = args.workdir or os.path.join(os.path.dirname(os.path.abspath(args.out)), "cubins")
    os.makedirs(workdir, exist_ok=True)
    sources = sorted(glob.glob(os.path.join(args.elastic_dir, "*.elastic.cu")))
    if not sources:
        sys.exit(f"persistent_registers: no *.elastic.cu in {args.elastic_dir}")
    with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as pool:
        usages = list(pool.map(lambda s: compile_one(args.nvcc, s, args.arch, args.include, workdir), sources))
    rows = []
    for source, usage in zip(sources, usages):
        rows += kernels_of(source.replace(".elastic.cu", ".miriam.json"), usage)
    json.dump(dict(arch=args.arch, nvcc=nvcc_version(args.nvcc), rows=rows), open(args.out, "w"), indent=1)


def nvcc_version(nvcc):
    text = subprocess.run([nvcc, "--version"], capture_output=True, text=True).stdout
    m = re.search(r"release [^\n]*", text)
    return m.group(0) if m else "unknown"


def blocks_per_sm(usage, threads, dynamic_smem, limits=SM90):
    """Resident blocks per SM (the occupancy calculator's rule), None without data."""
    if not usage or threads <= 0:
        return None
    warps = -(-threads // 32)
    by_threads = limits["threads_per_sm"] // (warps * 32)
    regs_per_warp = -(-usage["regs"] * 32 // limits["reg_alloc_unit"]) * limits["reg_alloc_unit"]
    by_regs = limits["regs_per_sm"] // (regs_per_warp * warps) if usage["regs"] else limits["blocks_per_sm"]
    smem = usage["smem"] + dynamic_smem
    smem_block = -(-smem // limits["smem_alloc_unit"]) * limits["smem_alloc_unit"] + limits["smem_reserved_per_block"]
    by_smem = limits["smem_per_sm"] // smem_block
    return min(limits["blocks_per_sm"], by_threads, by_regs, by_smem)


def launch_shapes(specs_dir):
    """(kernel, template args) -> (threads per block, dynamic shared bytes) of its first launch spec."""
    shapes = {}
    for path in sorted(glob.glob(os.path.join(specs_dir, "*.launch.json"))):
        for launch in json.load(open(path))["launches"]:
            key = (launch["kernel"], launch.get("template_args", ""))
            block = launch["block"]
            shapes.setdefault(key, (block[0] * block[1] * block[2], launch.get("dynamic_shared_bytes", 0)))
    return shapes


def cell(usage):
    if not usage:
        return "-"
    spills = usage["spill_stores"] + usage["spill_loads"]
    text = f"{usage['regs']}"
    if spills:
        text += f" (spills {usage['spill_stores']}/{usage['spill_loads']} B)"
    return text


def report(args):
    before = json.load(open(args.before))
    after = json.load(open(args.after))
    shapes = launch_shapes(args.specs)
    old = {(r["kernel"], r["template_args"]): r for r in before["rows"]}
    lines = [
        "# Registers of the persistent variants (ptxas, %s)" % after["arch"],
        "",
        "Produced by `tools/persistent_registers.py` (its header gives the commands), nvcc %s." % after["nvcc"],
        "Registers per thread as ptxas reports them (`-O3`, spills in bytes stored/loaded when nonzero),",
        "shared memory in bytes (static, the claim slots included), and resident blocks per SM at the block",
        "size of the kernel's first launch spec (occupancy calculator rule for %s: registers, threads,"
        % after["arch"],
        "shared memory). `before`: %s; `after`: %s." % (args.before_label, args.after_label),
        "",
        "| kernel | threads | original regs | persistent before | persistent after | smem orig/after | "
        "blocks/SM orig | before | after |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    summary = dict(kernels=0, same_occupancy_before=0, same_occupancy_after=0, spills_after=0)
    for r in after["rows"]:
        if not r.get("persistent"):
            continue
        key = (r["kernel"], r["template_args"])
        b = old.get(key, {}).get("persistent")
        threads, dyn = shapes.get(key, (0, 0))
        occ = [blocks_per_sm(u, threads, dyn) for u in (r["original"], b, r["persistent"])]
        name = r["kernel"] + (f"<{r['template_args']}>" if r["template_args"] else "")
        smem = f"{r['original']['smem']}/{r['persistent']['smem']}" if r["original"] else "-"
        fmt_occ = ["-" if o is None else str(o) for o in occ]
        lines.append(f"| {name} | {threads or '-'} | {cell(r['original'])} | {cell(b)} | {cell(r['persistent'])} | "
                     f"{smem} | {fmt_occ[0]} | {fmt_occ[1]} | {fmt_occ[2]} |")
        summary["kernels"] += 1
        if occ[0] is not None:
            summary["same_occupancy_before"] += occ[1] is not None and occ[1] >= occ[0]
            summary["same_occupancy_after"] += occ[2] is not None and occ[2] >= occ[0]
        summary["spills_after"] += (r["persistent"]["spill_stores"] + r["persistent"]["spill_loads"]) > 0
    lines += [
        "",
        "- %(kernels)d persistent variants; resident blocks per SM at least the original's: "
        "%(same_occupancy_before)d before, %(same_occupancy_after)d after; variants that spill after: "
        "%(spills_after)d." % summary,
    ]
    if args.notes:
        lines += ["", open(args.notes).read().rstrip()]
    open(args.out, "w").write("\n".join(lines) + "\n")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    m = sub.add_parser("measure")
    m.add_argument("--elastic-dir", required=True)
    m.add_argument("--out", required=True)
    m.add_argument("--arch", default="sm_90")
    m.add_argument("--nvcc", default="nvcc")
    m.add_argument("-I", "--include", action="append", default=[])
    m.add_argument("--jobs", type=int, default=2)
    m.add_argument("--workdir")
    r = sub.add_parser("report")
    r.add_argument("--before", required=True)
    r.add_argument("--after", required=True)
    r.add_argument("--before-label", default="before")
    r.add_argument("--after-label", default="after")
    r.add_argument("--specs", required=True)
    r.add_argument("--out", required=True)
    r.add_argument("--notes", help="markdown appended after the table (what the numbers show)")
    args = parser.parse_args()
    measure(args) if args.command == "measure" else report(args)


if __name__ == "__main__":
    main()
