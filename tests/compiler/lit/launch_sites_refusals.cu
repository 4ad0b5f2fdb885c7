// --rewrite-launches refuses what it cannot rewrite safely: the site stays a
// plain <<<>>> launch (correct, not coordinated) with a warning saying why.
// RUN: rm -rf %t && %miriamc %s -o %t --quiet --rewrite-launches -- -I%S/Inputs 2> %t.stderr
// RUN: FileCheck %s < %t/launch_sites_refusals.elastic.cu
// RUN: FileCheck --check-prefix=WARN %s < %t.stderr

#include <cuda_runtime.h>

#include "launch_header.cuh"

__global__ void k(int* x) { x[0] = 1; }

#define KERNEL k
#define CONFIG 1, 32

template <class T> void overloaded_in_template(T* x) {
  header_ov<T><<<1, 1>>>(x);
}

void host(int* x) {
  KERNEL<<<1, 1>>>(x);
  void (*pointer)(int*) = k;
  pointer<<<1, 1>>>(x);
  struct { int v; } unnamed{1};
  header_tk<<<1, 1>>>(unnamed, x);
  k<<<CONFIG>>>(x);
  overloaded_in_template(x);
}

// CHECK: {{^  }}header_ov<T><<<1, 1>>>(x);
// CHECK: {{^  }}KERNEL<<<1, 1>>>(x);
// CHECK: {{^  }}pointer<<<1, 1>>>(x);
// CHECK: {{^  }}header_tk<<<1, 1>>>(unnamed, x);
// The configuration may come from a macro: only the name, '<<<' and '>>>' are edited.
// CHECK-NEXT: {{^  }}::miriam::detail::LaunchSite< int * >::make(&k, CONFIG)(x);

// WARN-DAG: launch_sites_refusals.cu:17:3: warning: launch of 'header_ov' not rewritten: several functions named 'header_ov' are visible
// WARN-DAG: launch_sites_refusals.cu:21:3: warning: launch of 'k' not rewritten: it is written inside the macro 'KERNEL'
// WARN-DAG: launch_sites_refusals.cu:23:3: warning: launch of 'pointer' not rewritten: the launched function is not named directly
// WARN-DAG: launch_sites_refusals.cu:25:3: warning: launch of 'header_tk' not rewritten: a parameter's type has no name
// WARN-NOT: launch_sites_refusals.cu:26
