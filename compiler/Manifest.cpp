#include "Manifest.h"

namespace miriam {

using json = nlohmann::ordered_json;

namespace {

json optional_number(const std::optional<unsigned long long>& value) {
  return value ? json(*value) : json(nullptr);
}

json location_json(const SourcePosition& where) {
  return {{"file", where.file}, {"line", where.line == 0 ? 1 : where.line},
          {"column", where.column == 0 ? 1 : where.column}};
}

json params_json(const std::vector<ParamInfo>& params) {
  json out = json::array();
  for (const ParamInfo& p : params)
    out.push_back({{"name", p.name}, {"type", p.type}, {"size", optional_number(p.size)},
                   {"alignment", optional_number(p.alignment)}});
  return out;
}

json features_json(const KernelFeatures& f) {
  return {{"barriers", f.barriers},
          {"warp_level_ops", f.warp_level_ops},
          {"atomics", f.atomics},
          {"dynamic_shared_memory", f.dynamic_shared_memory},
          {"static_shared_memory", f.static_shared_memory},
          {"reads_block_idx", f.reads.block_idx},
          {"reads_grid_dim", f.reads.grid_dim},
          {"early_return", f.early_return},
          {"grid_sync", f.grid_sync},
          {"cooperative_groups", f.cooperative_groups},
          {"device_callees_reading_builtins", f.device_callees_reading_builtins}};
}

json kernel_json(const KernelOutcome& kernel) {
  const KernelInfo& info = kernel.info;
  json instantiations = json::array();
  for (const InstantiationInfo& inst : info.instantiations)
    instantiations.push_back({{"mangled", inst.mangled},
                              {"template_args", inst.template_args},
                              {"params", params_json(inst.params)},
                              {"static_shared_bytes", inst.static_shared_bytes}});
  json bounds = nullptr;
  if (info.has_launch_bounds) {
    bounds = {{"max_threads_per_block", info.max_threads_per_block ? json(*info.max_threads_per_block) : json()}};
    bounds["min_blocks_per_sm"] = info.min_blocks_per_sm ? json(*info.min_blocks_per_sm) : json();
  }
  json variants = json::array();
  for (const VariantRecord& v : kernel.variants) {
    json extra = json::array();
    for (const ExtraParam& p : v.extra_params)
      extra.push_back({{"name", p.name}, {"type", p.type}, {"position", p.position}});
    json entry = {{"kind", v.kind}, {"entry", v.entry}, {"mangled", v.mangled}, {"extra_params", extra}};
    if (!v.launch_helper.empty()) entry["launch_helper"] = v.launch_helper;
    if (!v.loop.empty()) entry["loop"] = v.loop;
    if (v.shrink)
      entry["shrink"] = {{"dimension", "outermost"},
                         {"max_factor", v.shrink->max_factor},
                         {"barrier_regions", v.shrink->barrier_regions},
                         {"barriers", v.shrink->barriers},
                         {"per_thread_values", v.shrink->per_thread_values},
                         {"combines_with", v.shrink->combines_with}};
    variants.push_back(entry);
  }
  json refused = json::array();
  for (const RefusalRecord& r : kernel.refused) {
    json entry = {{"kind", r.kind}, {"reason", r.reason}};
    if (!r.where.file.empty()) entry["location"] = location_json(r.where);
    refused.push_back(entry);
  }
  return {{"name", info.name},
          {"qualified_name", info.qualified_name},
          {"location", location_json(info.location)},
          {"is_template", info.is_template},
          {"params", params_json(info.params)},
          {"instantiations", instantiations},
          {"launch_bounds", bounds},
          {"features", features_json(info.features)},
          {"variants", variants},
          {"refused", refused}};
}

}  // namespace

json manifest_json(const ManifestHeader& header, const std::vector<KernelOutcome>& kernels) {
  json out;
  out["schema_version"] = kManifestSchemaVersion;
  out["tool"] = {{"name", "miriamc"}, {"version", header.tool_version}, {"clang_version", header.clang_version}};
  out["source"] = {{"path", header.source_path}, {"sha256", header.sha256}};
  out["output"] = header.output_name;
  out["arch"] = header.arch;
  out["kernels"] = json::array();
  for (const KernelOutcome& kernel : kernels) out["kernels"].push_back(kernel_json(kernel));
  return out;
}

}  // namespace miriam
