// The policy classes (internal; users get them through make_policy).
#pragma once

#include "miriam/policy.h"

namespace miriam::detail {

class SequentialPolicy final : public Policy {
 public:
  PolicyKind kind() const override { return PolicyKind::kSequential; }
  StreamAssignment stream_for(const TaskDesc& task) const override;
  LaunchDecision decide(const LaunchContext& context) const override;
};

class MultistreamPolicy final : public Policy {
 public:
  PolicyKind kind() const override { return PolicyKind::kMultistream; }
  StreamAssignment stream_for(const TaskDesc& task) const override;
  LaunchDecision decide(const LaunchContext& context) const override;
};

class PriorityPolicy final : public Policy {
 public:
  PolicyKind kind() const override { return PolicyKind::kPriority; }
  StreamAssignment stream_for(const TaskDesc& task) const override;
  LaunchDecision decide(const LaunchContext& context) const override;
};

class IbPolicy final : public Policy {
 public:
  PolicyKind kind() const override { return PolicyKind::kIb; }
  StreamAssignment stream_for(const TaskDesc& task) const override;
  LaunchDecision decide(const LaunchContext& context) const override;
};

class MiriamPolicy final : public Policy {
 public:
  MiriamPolicy(const GpuModel& gpu, const PolicyOptions& options)
      : planner_(gpu, options.planner), persistent_(gpu, options.persistent), options_(options) {}
  PolicyKind kind() const override { return PolicyKind::kMiriam; }
  StreamAssignment stream_for(const TaskDesc& task) const override;
  LaunchDecision decide(const LaunchContext& context) const override;
  bool plans_shards() const override { return true; }
  void choose_preemptions(const PreemptionContext& context, std::vector<std::size_t>* stop) const override;
  bool should_regrow(const PersistentRun& run, bool critical_in_flight) const override {
    return persistent_.should_regrow(run, critical_in_flight);
  }
  bool should_stop_ahead(double block_us, double us_until_due) const override;

 private:
  // A hold because the launch's blocks would be in a critical request's way.
  std::optional<LaunchDecision> hold_for_critical(const LaunchContext& context, bool sliced) const;
  // Held past a starvation bound (PolicyOptions::normal_max_hold_us / _wait_us).
  bool starved(const LaunchContext& context) const;
  // µs one block of the launch holds its slot: measured, else by the profile.
  std::optional<double> block_us(const LaunchContext& context) const;
  // A persistent launch for this normal kernel now, if the policy wants one.
  std::optional<LaunchDecision> decide_persistent(const LaunchContext& context) const;
  LaunchDecision decide_sliced(const LaunchContext& context) const;
  // Shortens an idle shard so it ends before a due periodic critical request.
  void cap_before_due(const LaunchContext& context, LaunchDecision* decision) const;

  ShardPlanner planner_;
  PersistentPlanner persistent_;
  PolicyOptions options_;
};

// Critical tasks on the highest-priority stream, normal ones on the lowest.
StreamAssignment prioritized_stream(const TaskDesc& task);

}  // namespace miriam::detail
