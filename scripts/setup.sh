#!/usr/bin/env bash
#===- scripts/setup.sh - install, configure and build diffc ---------------===#
#
# Part of the diffc project, under the Apache License v2.0.
#
# Installs every Debian package the build and tests need (as root, on Debian
# 12), then configures and builds into build/. Idempotent: a second run on a
# set-up machine installs nothing and rebuilds only what changed.
#
#   scripts/setup.sh            # packages + configure + build
#   DIFFC_JOBS=1 scripts/setup.sh
#===-----------------------------------------------------------------------===#
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${DIFFC_BUILD_DIR:-$root/build}"
jobs="${DIFFC_JOBS:-2}"

packages=(
  # compiler toolchain (DESIGN.md decision 1)
  llvm-22-dev libmlir-22-dev mlir-22-tools llvm-22-tools
  flatbuffers-compiler libflatbuffers-dev
  # build
  cmake ninja-build ccache g++ pkg-config
  # tests
  googletest libgtest-dev libgmock-dev python3-numpy
  # reference models for the numerics tests (the PyTorch twin of the zoo)
  python3-torch
  # training: zlib for the data readers, the datasets (DESIGN.md)
  zlib1g-dev dataset-fashion-mnist python3-sklearn
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
    missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  if [ "$(id -u)" -ne 0 ]; then
    echo "setup: error: packages missing and not root; run as root" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# Configure once; ninja re-runs CMake itself when a CMakeLists.txt changes.
if [ ! -f "$build/build.ninja" ]; then
  launcher=()
  command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache
                                           -DCMAKE_C_COMPILER_LAUNCHER=ccache)
  cmake -S "$root" -B "$build" -G Ninja \
    -DCMAKE_BUILD_TYPE=Release \
    -DMLIR_DIR=/usr/lib/llvm-22/lib/cmake/mlir \
    -DLLVM_DIR=/usr/lib/llvm-22/lib/cmake/llvm \
    -DLLVM_EXTERNAL_LIT=/usr/lib/llvm-22/bin/lit \
    "${launcher[@]}" >/dev/null
fi
cmake --build "$build" -j "$jobs"
