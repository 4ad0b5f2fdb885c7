// Kernels and launchers for the GPU test of asynchronous rewritten launches
// (tests/runtime/launch/async_launches_gpu_test.cpp). Every launcher is one
// `<<<>>>` launch that `miriamc --rewrite-launches` rewrites.
#pragma once

#include <cuda_runtime.h>

// Every thread of `blocks` blocks spins ~`ns` nanoseconds (GPU global timer),
// then block 0 writes out[threadIdx.x] = value.
void launch_spin(int* out, int value, unsigned long long ns, int blocks, cudaStream_t stream);
// out[i] = in[i] * mul + add (wrapping), n elements (a DNN-like layer: many blocks, sliceable).
void launch_affine(const int* in, int* out, int mul, int add, int n, cudaStream_t stream);
// The same kernel with a block CUDA rejects at launch (z = 128 > 64).
void launch_affine_bad_block(const int* in, int* out, int n, cudaStream_t stream);
// seen[index] = atomicAdd(counter, 1) from one thread: seen[i] == i for every
// launch i exactly when the launches ran one after another in launch order.
void launch_count(unsigned* counter, unsigned* seen, unsigned index, cudaStream_t stream);
// Spins ~`ns` nanoseconds, then traps (a device fault: the context is lost).
void launch_trap(unsigned long long ns, cudaStream_t stream);
// The affine kernel's host stub, for direct miriam::launch_kernel calls.
const void* affine_kernel();
