// See async_launches.h.
#include "async_launches.h"

namespace {

__device__ unsigned long long global_ns() {
  unsigned long long t;
  asm volatile("mov.u64 %0, %%globaltimer;" : "=l"(t));
  return t;
}

}  // namespace

__global__ void spin(int* out, int value, unsigned long long ns) {
  const unsigned long long start = global_ns();
  while (global_ns() - start < ns) {
  }
  if (blockIdx.x == 0 && out) out[threadIdx.x] = value;
}

__global__ void affine(const int* in, int* out, int mul, int add, int n) {
  const int i = static_cast<int>(blockIdx.x * blockDim.x + threadIdx.x);
  // Unsigned: wraps, defined in C++ (the test's CPU reference computes the same).
  if (i < n) out[i] = static_cast<int>(static_cast<unsigned>(in[i]) * static_cast<unsigned>(mul) + static_cast<unsigned>(add));
}

__global__ void count(unsigned* counter, unsigned* seen, unsigned index) { seen[index] = atomicAdd(counter, 1u); }

__global__ void trap_after(unsigned long long ns) {
  const unsigned long long start = global_ns();
  while (global_ns() - start < ns) {
  }
  __trap();
}

void launch_spin(int* out, int value, unsigned long long ns, int blocks, cudaStream_t stream) {
  spin<<<blocks, 64, 0, stream>>>(out, value, ns);
}

void launch_affine(const int* in, int* out, int mul, int add, int n, cudaStream_t stream) {
  affine<<<(n + 255) / 256, 256, 0, stream>>>(in, out, mul, add, n);
}

void launch_affine_bad_block(const int* in, int* out, int n, cudaStream_t stream) {
  affine<<<1, dim3(1, 1, 128), 0, stream>>>(in, out, 1, 0, n);
}

void launch_count(unsigned* counter, unsigned* seen, unsigned index, cudaStream_t stream) {
  count<<<1, 1, 0, stream>>>(counter, seen, index);
}

void launch_trap(unsigned long long ns, cudaStream_t stream) { trap_after<<<1, 32, 0, stream>>>(ns); }

const void* affine_kernel() { return reinterpret_cast<const void*>(&affine); }
