// What a soak run recorded (all windows and the verdict), as JSON and as a
// markdown summary; and the line printed as each window closes.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "run_header.h"
#include "soak_verdict.h"
#include "workload.h"

namespace miriam::bench {

struct SoakReport : RunHeader {
  double soak_seconds = 0, window_seconds = 0, watchdog_seconds = 0;
  std::vector<TaskSpec> tasks;
  std::vector<double> solo_latency_us;  // calibration median per task (the reference run)
  std::vector<std::string> arrivals;    // resolved, per task ("poisson 3000us")
  std::vector<SoakWindow> windows;
  bool complete = false;         // false: written while running, or cut short
  std::string watchdog_message;  // why the watchdog stopped the run
  std::string watchdog_state;    // what could be read of the coordinator then
  SoakCriteria criteria;
  SoakVerdict verdict;
};

std::string soak_json(const SoakReport& report);
std::string soak_markdown(const SoakReport& report);
std::string soak_window_line(const SoakWindow& window);

}  // namespace miriam::bench
