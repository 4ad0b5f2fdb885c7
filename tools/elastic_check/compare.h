// Bitwise comparison of buffer images (buffer bytes + guard zone).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "init.h"
#include "report.h"
#include "spec.h"

namespace miriam::check {

// The first difference between `expected` and `actual` over all buffers, or
// nullopt when every byte, guard zones included, is equal.
std::optional<Mismatch> compare_images(const LaunchSpec& spec, const std::vector<HostImage>& expected,
                                       const std::vector<HostImage>& actual, unsigned run);

// One element of `type` at `p`, printed exactly (hex bits next to floats).
std::string format_element(ElemType type, const unsigned char* p);

}  // namespace miriam::check
