#include "manifest_view.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace miriam::check {
namespace {

using nlohmann::json;

const json& field(const json& j, const char* key, const std::string& where) {
  if (!j.is_object() || !j.contains(key)) throw ManifestError(fmt::format("{}: missing \"{}\"", where, key));
  return j.at(key);
}

std::string string_field(const json& j, const char* key, const std::string& where) {
  const json& v = field(j, key, where);
  if (!v.is_string()) throw ManifestError(fmt::format("{}: \"{}\" must be a string", where, key));
  return v.get<std::string>();
}

const json& array_field(const json& j, const char* key, const std::string& where) {
  const json& v = field(j, key, where);
  if (!v.is_array()) throw ManifestError(fmt::format("{}: \"{}\" must be an array", where, key));
  return v;
}

std::optional<std::size_t> optional_size(const json& j, const char* key) {
  if (!j.contains(key) || j.at(key).is_null()) return std::nullopt;
  return j.at(key).get<std::size_t>();
}

bool ident_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

}  // namespace

std::string normalize_template_args(const std::string& args) {
  std::string out;
  bool pending_space = false;
  for (char c : args) {
    if (std::isspace(static_cast<unsigned char>(c))) {
      pending_space = true;
      continue;
    }
    if (pending_space && !out.empty() && ident_char(out.back()) && ident_char(c)) out.push_back(' ');
    pending_space = false;
    out.push_back(c);
  }
  return out;
}

void ManifestView::add_document(const std::string& text, const std::string& file) {
  json doc;
  try {
    doc = json::parse(text);
  } catch (const json::parse_error& e) {
    throw ManifestError(fmt::format("{}: {}", file, e.what()));
  }
  if (!doc.is_object() || !doc.contains("schema_version") || doc["schema_version"] != 1)
    throw ManifestError(fmt::format("{}: not a schema_version 1 Miriam manifest", file));
  ++manifests_;
  try {
    add_kernels(doc, file);
  } catch (const json::exception& e) {
    throw ManifestError(fmt::format("{}: {}", file, e.what()));
  }
}

void ManifestView::add_kernels(const nlohmann::json& doc, const std::string& file) {
  const json& kernels = array_field(doc, "kernels", file);
  for (std::size_t k = 0; k < kernels.size(); ++k) {
    const json& kernel = kernels[k];
    const std::string where = fmt::format("{}: kernels[{}]", file, k);
    const std::string qualified = string_field(kernel, "qualified_name", where);
    const json& instantiations = array_field(kernel, "instantiations", where);
    const json& variants = array_field(kernel, "variants", where);
    const json& refused = array_field(kernel, "refused", where);
    for (std::size_t i = 0; i < instantiations.size(); ++i) {
      const json& inst = instantiations[i];
      const std::string iwhere = fmt::format("{} ({}) instantiations[{}]", where, qualified, i);
      ManifestEntry e;
      e.manifest = file;
      e.qualified_name = qualified;
      e.template_args = string_field(inst, "template_args", iwhere);
      e.mangled = string_field(inst, "mangled", iwhere);
      e.static_shared_bytes = field(inst, "static_shared_bytes", iwhere).get<std::size_t>();
      for (const json& p : array_field(inst, "params", iwhere))
        e.params.push_back({string_field(p, "name", iwhere), string_field(p, "type", iwhere), optional_size(p, "size"),
                            optional_size(p, "alignment")});
      for (std::size_t v = 0; v < variants.size(); ++v) {
        const std::string vwhere = fmt::format("{} variants[{}]", where, v);
        ManifestVariant mv;
        mv.kind = string_field(variants[v], "kind", vwhere);
        mv.entry = string_field(variants[v], "entry", vwhere);
        const json& mangled = array_field(variants[v], "mangled", vwhere);
        if (i < mangled.size() && mangled[i].is_string()) mv.mangled = mangled[i].get<std::string>();
        e.variants.push_back(std::move(mv));
      }
      for (std::size_t r = 0; r < refused.size(); ++r) {
        const std::string rwhere = fmt::format("{} refused[{}]", where, r);
        ManifestRefusal mr;
        mr.kind = string_field(refused[r], "kind", rwhere);
        mr.reason = string_field(refused[r], "reason", rwhere);
        if (refused[r].contains("location")) {
          const json& loc = refused[r]["location"];
          mr.location = fmt::format("{}:{}:{}", loc.value("file", "?"), loc.value("line", 0), loc.value("column", 0));
        }
        e.refused.push_back(std::move(mr));
      }
      if (const ManifestEntry* dup = find(e.qualified_name, e.template_args)) {
        warnings_.push_back(fmt::format("{}<{}> appears in {} and {}; using {}", e.qualified_name, e.template_args,
                                        dup->manifest, file, dup->manifest));
        continue;
      }
      entries_.push_back(std::move(e));
    }
  }
}

ManifestView ManifestView::load_dir(const std::string& dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) throw ManifestError(fmt::format("{}: not a directory", dir));
  std::vector<fs::path> files;
  const std::string suffix = ".miriam.json";
  for (const auto& entry : fs::directory_iterator(dir)) {
    const std::string name = entry.path().filename().string();
    if (entry.is_regular_file() && name.size() > suffix.size() &&
        name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0)
      files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  ManifestView view;
  for (const fs::path& path : files) {
    std::ifstream in(path);
    if (!in) throw ManifestError(fmt::format("{}: cannot open", path.string()));
    std::stringstream text;
    text << in.rdbuf();
    view.add_document(text.str(), path.filename().string());
  }
  return view;
}

const ManifestEntry* ManifestView::find(const std::string& qualified_name, const std::string& template_args) const {
  const std::string wanted = normalize_template_args(template_args);
  for (const ManifestEntry& e : entries_)
    if (e.qualified_name == qualified_name && normalize_template_args(e.template_args) == wanted) return &e;
  return nullptr;
}

}  // namespace miriam::check
