#include "stream_gate.h"

#include <cuda.h>

#include <chrono>
#include <map>
#include <mutex>
#include <thread>

namespace miriam::detail {

namespace {

using WaitValue32 = CUresult (*)(CUstream, CUdeviceptr, cuuint32_t, unsigned int);
using WriteValue32 = CUresult (*)(CUstream, CUdeviceptr, cuuint32_t, unsigned int);

// CUresult and cudaError_t share their numbers for the errors these calls return.
cudaError_t to_cuda(CUresult r) { return static_cast<cudaError_t>(r); }

void* entry_point(const char* name, std::string* missing) {
  void* fn = nullptr;
  cudaDriverEntryPointQueryResult found = cudaDriverEntryPointSymbolNotFound;
  // 12000: the v2 memory operations, the only ones since CUDA 12.
  const cudaError_t err = cudaGetDriverEntryPointByVersion(name, &fn, 12000, cudaEnableDefault, &found);
  if (err != cudaSuccess || found != cudaDriverEntryPointSuccess || !fn) {
    cudaGetLastError();
    if (missing->empty())
      *missing = std::string("the driver has no ") + name + " (" +
                 (err != cudaSuccess ? cudaGetErrorString(err) : "symbol not found or driver too old") + ")";
    return nullptr;
  }
  return fn;
}

// Writes 1 to a fresh word, then waits for it, on a stream of its own; a
// second of polling at most (the wait follows the write in one stream, so it
// can only hang if the operations do not work).
std::string probe(const StreamMemOps& ops, int device) {
  int current = 0;
  if (cudaGetDevice(&current) != cudaSuccess) current = device;
  if (cudaSetDevice(device) != cudaSuccess) return "cannot select the device";
  std::uint32_t* word = nullptr;
  cudaStream_t stream = nullptr;
  std::string why;
  cudaError_t err = cudaMalloc(&word, sizeof(*word));
  if (err == cudaSuccess) err = cudaStreamCreateWithFlags(&stream, cudaStreamNonBlocking);
  if (err == cudaSuccess) err = cudaMemsetAsync(word, 0, sizeof(*word), stream);
  if (err == cudaSuccess) err = ops.write(stream, word, 1);
  if (err == cudaSuccess) err = ops.wait_geq(stream, word, 1);
  if (err == cudaSuccess) {
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(1);
    while ((err = cudaStreamQuery(stream)) == cudaErrorNotReady && std::chrono::steady_clock::now() < until)
      std::this_thread::sleep_for(std::chrono::microseconds(50));
    if (err == cudaErrorNotReady) why = "a stream wait on a written word did not complete within 1 s";
  }
  if (err != cudaSuccess && why.empty())
    why = std::string("stream memory operations failed: ") + cudaGetErrorString(err);
  cudaGetLastError();
  if (why.empty()) {  // a hung stream or word must not be freed
    cudaStreamDestroy(stream);
    cudaFree(word);
  }
  cudaSetDevice(current);
  return why;
}

}  // namespace

StreamMemOps::StreamMemOps() {
  wait_ = entry_point("cuStreamWaitValue32", &missing_);
  write_ = entry_point("cuStreamWriteValue32", &missing_);
  if (!wait_ || !write_) wait_ = write_ = nullptr;
}

const StreamMemOps& StreamMemOps::get() {
  static const StreamMemOps ops;
  return ops;
}

bool StreamMemOps::usable_on(int device, std::string* why) const {
  if (!wait_) {
    if (why) *why = missing_;
    return false;
  }
  static std::mutex mu;
  static std::map<int, std::string> probed;  // device -> why not usable ("" : usable)
  std::lock_guard<std::mutex> lock(mu);
  auto it = probed.find(device);
  if (it == probed.end()) it = probed.emplace(device, probe(*this, device)).first;
  if (why) *why = it->second;
  return it->second.empty();
}

cudaError_t StreamMemOps::wait_geq(cudaStream_t stream, const std::uint32_t* gate, std::uint32_t value) const {
  if (!wait_) return cudaErrorNotSupported;
  return to_cuda(reinterpret_cast<WaitValue32>(wait_)(reinterpret_cast<CUstream>(stream),
                                                     reinterpret_cast<CUdeviceptr>(gate), value,
                                                     CU_STREAM_WAIT_VALUE_GEQ));
}

cudaError_t StreamMemOps::write(cudaStream_t stream, std::uint32_t* gate, std::uint32_t value) const {
  if (!write_) return cudaErrorNotSupported;
  // Default flags: a memory fence before the write, so the work before it is visible to whoever passes the gate.
  return to_cuda(reinterpret_cast<WriteValue32>(write_)(reinterpret_cast<CUstream>(stream),
                                                       reinterpret_cast<CUdeviceptr>(gate), value,
                                                       CU_STREAM_WRITE_VALUE_DEFAULT));
}

}  // namespace miriam::detail
