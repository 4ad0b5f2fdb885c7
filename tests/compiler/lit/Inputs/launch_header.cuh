// A header's launch sites are never rewritten (only the processed file is).
#pragma once
__global__ void header_kernel(int* x) { x[threadIdx.x] = 1; }
inline void launch_from_header(int* x) { header_kernel<<<1, 32>>>(x); }
// Kernels of a header (not registered by the processed file), launched from it.
template <class T> __global__ void header_ov(T* x) { x[0] = 1; }
template <class T> __global__ void header_ov(T* x, int n) { x[0] = n; }
template <class T> __global__ void header_tk(T v, int* out) { out[0] = sizeof(T); }
