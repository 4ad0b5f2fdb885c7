// The process's resident host memory (VmRSS of /proc/self/status), for the
// soak's leak check.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace miriam::bench {

// VmRSS in bytes from the text of a /proc/<pid>/status file; nullopt when absent or malformed.
std::optional<std::uint64_t> vm_rss_bytes(const std::string& proc_status);

// This process's VmRSS now; nullopt where /proc is not readable.
std::optional<std::uint64_t> current_vm_rss_bytes();

}  // namespace miriam::bench
