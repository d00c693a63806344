# Shared by scripts/test, scripts/demo and bench/run (sourced, not run):
# installs the Debian packages attn needs when they are missing, then
# configures and builds (skipped when ATTN_NO_BUILD=1). Sets $ATTN_ROOT and
# $ATTN_BUILD. attn_install_missing PACKAGE... installs another list (the
# benchmark's, bench/run).
ATTN_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ATTN_BUILD=${ATTN_BUILD:-$ATTN_ROOT/build}

attn_packages=(libmlir-22-dev mlir-22-tools llvm-22 llvm-22-dev llvm-22-tools lld-22
               clang-22 ninja-build cmake catch2 libamdhip64-dev
               rocm-device-libs python3-numpy libomp-22-dev
               python3-onnx python3-torch python3-pybind11 pybind11-dev python3-dev
               python3-pytest)

attn_install_missing() {  # [PACKAGE...], default: attn_packages
  local missing=() p
  [ $# -gt 0 ] || set -- "${attn_packages[@]}"
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
      missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "attn: installing missing packages: ${missing[*]}" >&2
  local sudo=()
  [ "$(id -u)" -eq 0 ] || sudo=(sudo)
  "${sudo[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq \
    "${missing[@]}" >&2
}

attn_build() {
  if [ ! -f "$ATTN_BUILD/build.ninja" ]; then
    CC=clang-22 CXX=clang++-22 cmake -S "$ATTN_ROOT" -B "$ATTN_BUILD" -G Ninja \
      -DCMAKE_BUILD_TYPE=Release >&2
  fi
  cmake --build "$ATTN_BUILD" >&2
}

attn_install_missing
[ "${ATTN_NO_BUILD:-0}" = 1 ] || attn_build
