#!/usr/bin/env bash
# Installs what Miriam needs from Debian's packages, only if something is
# missing. CUDA 13 (nvcc) is expected at /usr/local/cuda, as on every machine
# of this project. Run as root (or with sudo).
set -euo pipefail
packages=(cmake ninja-build clang-22 libclang-22-dev libclang-cpp22-dev llvm-22-dev llvm-22-tools
          libclang-rt-22-dev
          nlohmann-json3-dev libfmt-dev doctest-dev python3-jsonschema python3-matplotlib time)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "installing: ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi
if ! command -v nvcc >/dev/null && [ ! -x /usr/local/cuda/bin/nvcc ]; then
  echo "error: CUDA 13 (nvcc) not found at /usr/local/cuda; install the CUDA toolkit first" >&2
  exit 1
fi
