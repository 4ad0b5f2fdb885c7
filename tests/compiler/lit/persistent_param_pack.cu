// A parameter pack read by the body cannot be given a fresh copy per logical
// block (the body may modify its elements): the persistent pass refuses it.
// (Only this pass runs here: the sliced launch helper does not expand packs yet.)
// RUN: rm -rf %t && %miriamc %s -o %t --passes=persistent > %t.out 2> %t.err
// RUN: FileCheck %s < %t.err
// RUN: FileCheck --check-prefix=MANIFEST %s < %t/persistent_param_pack.miriam.json
// RUN: %validate %t/persistent_param_pack.miriam.json

template <class... Ts>
__global__ void pack_params(float* out, Ts... values) {
  out[blockIdx.x] = (0.0f + ... + static_cast<float>(values));
}
template __global__ void pack_params<int, float>(float*, int, float);
// CHECK: persistent_param_pack.cu:[[@LINE-4]]:47: warning: kernel 'pack_params' not persistent: parameter pack 'values' of 'pack_params' is read by the body

// MANIFEST: "name": "pack_params"
// MANIFEST: "refused": [
// MANIFEST-NEXT: {
// MANIFEST-NEXT: "kind": "persistent",
// MANIFEST-NEXT: "reason": "parameter pack 'values' of 'pack_params' is read by the body
