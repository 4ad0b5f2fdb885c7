// Every construct the slicing pass cannot prove correct is refused with a
// diagnostic at the construct, and a `refused` manifest entry; the original
// kernel is kept and registered, and the kernels that can be sliced still are.
// RUN: rm -rf %t && %miriamc %s -o %t --passes=sliced,persistent -- -I%S/Inputs > %t.out 2> %t.err
// RUN: FileCheck %s < %t.err
// RUN: FileCheck --check-prefix=SUMMARY %s < %t.out
// RUN: FileCheck --check-prefix=CODE %s < %t/refusals.elastic.cu
// RUN: %validate %t/refusals.miriam.json

#include <cuda_runtime.h>
#include "header_helper.cuh"

__global__ void calls_header(int* out) { out[threadIdx.x] = header_block(); }
// CHECK-DAG: refusals.cu:13:61: warning: kernel 'calls_header' not sliced: 'header_block' reads blockIdx in a header ({{.*}}header_helper.cuh), which miriamc does not rewrite; move it into the .cu file [miriam-refused]

__global__ void asm_ctaid(int* out) {
  unsigned id;
  asm("mov.u32 %0, %%ctaid.x;" : "=r"(id));
  out[id] = 1;
}
// CHECK-DAG: refusals.cu:18:3: warning: kernel 'asm_ctaid' not sliced: inline asm in 'asm_ctaid' reads a grid special register

__device__ int reads_block() { return blockIdx.x; }
typedef int (*reader_fn)();
__global__ void takes_address(int* out) {
  reader_fn f = reads_block;
  out[threadIdx.x] = f();
}
// CHECK-DAG: refusals.cu:27:22: warning: kernel 'takes_address' not sliced: indirect call in 'takes_address'
// CHECK-DAG: refusals.cu:26:17: warning: kernel 'takes_address' not sliced: the address of 'reads_block', which reads blockIdx, is taken

#define BLOCK_OF() reads_block()
__global__ void call_in_macro(int* out) { out[threadIdx.x] = BLOCK_OF(); }
// CHECK-DAG: warning: kernel 'call_in_macro' not sliced: the call of 'reads_block' reads blockIdx is spelled inside a #define

__global__ void captureless(int* out) {
  auto f = []() { return blockIdx.x; };
  out[threadIdx.x] = f();
}
// CHECK-DAG: refusals.cu:37:26: warning: kernel 'captureless' not sliced: a lambda without a capture-default reads blockIdx

struct Indexer {
  __device__ unsigned block() const { return blockIdx.x; }
};
__global__ void member_reader(int* out) { out[Indexer().block()] = 1; }
// CHECK-DAG: refusals.cu:45:57: warning: kernel 'member_reader' not sliced: member function 'Indexer::block' reads blockIdx; miriamc clones free functions only

__device__ int shadowed(int gridDim) { return blockIdx.x + gridDim; }
__global__ void calls_shadowed(int* out) { out[threadIdx.x] = shadowed(3); }
// CHECK-DAG: refusals.cu:48:29: warning: kernel 'calls_shadowed' not sliced: 'shadowed' declares 'gridDim', which hides the builtin a clone must redefine

__device__ int with_default(int b = blockIdx.x) { return b; }
__global__ void default_arg(int* out) { out[threadIdx.x] = with_default(); }
// CHECK-DAG: refusals.cu:52:33: warning: kernel 'default_arg' not sliced: a default argument of 'with_default' reads a builtin index

__device__ int external_reader();
__global__ void calls_external(int* out) { out[threadIdx.x] = external_reader(); }
// CHECK-DAG: warning: kernel 'calls_external' not sliced: 'external_reader' has no definition visible here

template <typename T> __global__ void specialized(T* out) { out[blockIdx.x] = T(1); }
template <> __global__ void specialized<int>(int* out) { out[blockIdx.x] = 2; }
// CHECK-DAG: warning: kernel 'specialized' not sliced: kernel template 'specialized' has an explicit specialization with its own body (int)

template <typename T> __device__ int pick(T v) { return (int)v + blockIdx.x; }
template <typename T> __global__ void never_instantiated(T* out) { out[threadIdx.x] = pick(out[0]); }
// CHECK-DAG: warning: kernel 'never_instantiated' not sliced: template kernel 'never_instantiated' is not instantiated in this file

__global__ void fine(int* out) { out[blockIdx.x * blockDim.x + threadIdx.x] = 7; }
// CHECK-NOT: kernel 'fine' not sliced

// SUMMARY: 12 kernel(s), 1 with elastic variants
// SUMMARY: fine{{ +}}sliced

// CODE: __global__ void fine__miriam_sliced(
// CODE-NOT: calls_header{{__}}miriam_sliced
// CODE-NOT: asm_ctaid{{__}}miriam_sliced
// CODE: {{[{]}}"calls_header", "", "_Z12calls_headerPi", reinterpret_cast<const void*>(&::calls_header), nullptr, 0u},
