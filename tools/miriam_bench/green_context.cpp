#include "green_context.h"

#include <cuda.h>
#include <cudaTypedefs.h>

namespace miriam::bench {

struct GreenContext::Api {
  PFN_cuDeviceGet_v2000 device_get = nullptr;
  PFN_cuDeviceGetDevResource_v12040 get_resource = nullptr;
  PFN_cuDevSmResourceSplitByCount_v12040 split = nullptr;
  PFN_cuDevResourceGenerateDesc_v12040 generate_desc = nullptr;
  PFN_cuGreenCtxCreate_v12040 create = nullptr;
  PFN_cuGreenCtxDestroy_v12040 destroy = nullptr;
  PFN_cuGreenCtxStreamCreate_v12050 stream_create = nullptr;
  PFN_cuGetErrorString_v6000 error_string = nullptr;

  std::string text(CUresult r, const char* call) const {
    const char* s = nullptr;
    if (error_string) error_string(r, &s);
    return std::string(call) + " failed: " + (s ? s : "CUresult " + std::to_string(static_cast<int>(r)));
  }
};

namespace {

template <typename Fn>
bool entry(const char* symbol, unsigned version, Fn* fn, std::string* error) {
  cudaDriverEntryPointQueryResult found = cudaDriverEntryPointSymbolNotFound;
  void* p = nullptr;
  const cudaError_t e = cudaGetDriverEntryPointByVersion(symbol, &p, version, cudaEnableDefault, &found);
  if (e != cudaSuccess || found != cudaDriverEntryPointSuccess || !p) {
    if (error) *error = std::string("driver entry point ") + symbol + " not available (driver too old for green contexts?)";
    return false;
  }
  *fn = reinterpret_cast<Fn>(p);
  return true;
}

}  // namespace

std::unique_ptr<GreenContext> GreenContext::create(int device, int sms, std::string* error) {
  std::unique_ptr<GreenContext> g(new GreenContext());
  g->api_ = std::make_unique<Api>();
  Api& a = *g->api_;
  if (const cudaError_t e = cudaFree(nullptr); e != cudaSuccess) {  // the runtime initialises the driver
    if (error) *error = std::string("CUDA initialisation failed: ") + cudaGetErrorString(e);
    return nullptr;
  }
  if (!entry("cuDeviceGet", 2000, &a.device_get, error) ||
      !entry("cuDeviceGetDevResource", 12040, &a.get_resource, error) ||
      !entry("cuDevSmResourceSplitByCount", 12040, &a.split, error) ||
      !entry("cuDevResourceGenerateDesc", 12040, &a.generate_desc, error) ||
      !entry("cuGreenCtxCreate", 12040, &a.create, error) || !entry("cuGreenCtxDestroy", 12040, &a.destroy, error) ||
      !entry("cuGreenCtxStreamCreate", 12050, &a.stream_create, error) ||
      !entry("cuGetErrorString", 6000, &a.error_string, error))
    return nullptr;
  auto check = [&](CUresult r, const char* call) {
    if (r != CUDA_SUCCESS && error) *error = a.text(r, call);
    return r == CUDA_SUCCESS;
  };
  CUdevice dev = 0;
  CUdevResource all{}, part{}, rest{};
  if (!check(a.device_get(&dev, device), "cuDeviceGet") ||
      !check(a.get_resource(dev, &all, CU_DEV_RESOURCE_TYPE_SM), "cuDeviceGetDevResource"))
    return nullptr;
  if (sms <= 0 || static_cast<unsigned>(sms) > all.sm.smCount) {
    if (error) *error = "--sms " + std::to_string(sms) + ": the device has " + std::to_string(all.sm.smCount) + " SMs";
    return nullptr;
  }
  unsigned groups = 1;
  CUdevResourceDesc desc{};
  CUgreenCtx ctx = nullptr;
  if (!check(a.split(&part, &groups, &all, &rest, 0, static_cast<unsigned>(sms)), "cuDevSmResourceSplitByCount"))
    return nullptr;
  if (groups != 1) {
    if (error) *error = "cuDevSmResourceSplitByCount: no group of " + std::to_string(sms) + " SMs";
    return nullptr;
  }
  if (!check(a.generate_desc(&desc, &part, 1), "cuDevResourceGenerateDesc") ||
      !check(a.create(&ctx, desc, dev, CU_GREEN_CTX_DEFAULT_STREAM), "cuGreenCtxCreate"))
    return nullptr;
  g->context_ = ctx;
  g->sm_count_ = static_cast<int>(part.sm.smCount);
  return g;
}

GreenContext::~GreenContext() {
  if (context_ && api_ && api_->destroy) api_->destroy(static_cast<CUgreenCtx>(context_));
}

cudaError_t GreenContext::create_stream(int priority, cudaStream_t* stream) const {
  CUstream s = nullptr;
  const CUresult r = api_->stream_create(&s, static_cast<CUgreenCtx>(context_), CU_STREAM_NON_BLOCKING, priority);
  if (r != CUDA_SUCCESS) return cudaErrorUnknown;
  *stream = reinterpret_cast<cudaStream_t>(s);
  return cudaSuccess;
}

}  // namespace miriam::bench
