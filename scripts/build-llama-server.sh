#!/usr/bin/env bash
# Builds llama.cpp's llama-server (CPU only) from the source bundled in the node-llama-cpp npm package,
# once per machine: the binary is cached outside the repository and a done-marker makes later runs instant.
# The package is fetched with `npm pack` into the cache, never into the project's node_modules.
# Prints the binary's path as the last line of stdout. Used by the real-engines vitest project.
set -euo pipefail

version="${NODE_LLAMA_CPP_VERSION:-3.21.1}"
cache="${INFERNODE_CACHE:-$HOME/.cache/infernode}/llama-server/${version}"
binary="${cache}/build/bin/llama-server"
marker="${cache}/done"
jobs="${LLAMA_BUILD_JOBS:-2}"
# Optimization level for the compiler. Release's -O3 by default; the tests' model is tiny, so on a
# busy shared machine LLAMA_BUILD_OPT=-O0 builds about three times faster and still serves it fast.
opt="${LLAMA_BUILD_OPT:-}"

if [[ -f "${marker}" && -x "${binary}" ]]; then
  echo "${binary}"
  exit 0
fi

mkdir -p "${cache}"
# One build at a time per cache dir: a second caller waits for the first instead of racing it.
exec 9>"${cache}/lock"
flock 9
if [[ -f "${marker}" && -x "${binary}" ]]; then
  echo "${binary}"
  exit 0
fi

cd "${cache}"
if [[ ! -d pkg/package/llama ]]; then
  rm -rf pkg && mkdir pkg
  echo "fetching node-llama-cpp@${version} into ${cache}/pkg" >&2
  (cd pkg && npm pack --silent "node-llama-cpp@${version}" >/dev/null && tar xzf "node-llama-cpp-${version}.tgz")
fi

# node-llama-cpp ships llama.cpp as a git bundle of one release; clone it to get the source tree.
if [[ ! -f src/CMakeLists.txt ]]; then
  rm -rf src
  git -c advice.detachedHead=false clone --quiet pkg/package/llama/gitRelease.bundle src >&2
fi

# Unset the flags when no level is given, so an earlier LLAMA_BUILD_OPT does not stick in the cache.
opt_flags=(-UCMAKE_C_FLAGS_RELEASE -UCMAKE_CXX_FLAGS_RELEASE)
[[ -n "${opt}" ]] && opt_flags=("-DCMAKE_C_FLAGS_RELEASE=${opt} -DNDEBUG" "-DCMAKE_CXX_FLAGS_RELEASE=${opt} -DNDEBUG")

echo "configuring llama.cpp (CPU only) in ${cache}/build" >&2
cmake -S src -B build \
  -DCMAKE_BUILD_TYPE=Release \
  "${opt_flags[@]}" \
  -DBUILD_SHARED_LIBS=OFF \
  -DLLAMA_CURL=OFF \
  -DLLAMA_BUILD_TESTS=OFF \
  -DLLAMA_BUILD_EXAMPLES=OFF \
  -DLLAMA_BUILD_SERVER=ON \
  -DGGML_NATIVE=OFF \
  -DGGML_CUDA=OFF \
  -DGGML_METAL=OFF \
  -DGGML_VULKAN=OFF \
  -DGGML_OPENMP=OFF >&2

echo "building llama-server with -j${jobs} (several minutes on 2 cores)" >&2
# bash's `time` reports wall and CPU seconds (children included) on stderr, for CI's time budget.
TIMEFORMAT='llama-server build: %0R s wall, %0U s user, %0S s sys'
time nice -n 19 cmake --build build --config Release --target llama-server -j "${jobs}" >&2

"${binary}" --version >&2
touch "${marker}"
echo "${binary}"
