#include "json_reader.h"

#include <fmt/format.h>

namespace miriam::detail {

nlohmann::json parse_json(const std::string& text, const std::string& hint) {
  try {
    return nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error& e) {
    throw JsonInputError("(top level)", fmt::format("malformed JSON at byte {}: {}", e.byte, e.what()), hint);
  } catch (const nlohmann::json::exception& e) {
    throw JsonInputError("(top level)", fmt::format("malformed JSON: {}", e.what()), hint);
  }
}

JsonReader JsonReader::at(const char* key) const {
  expect_object();
  auto it = value_.find(key);
  const std::string child = path_.empty() ? key : path_ + "." + key;
  if (it == value_.end())
    throw JsonInputError(child, fmt::format("missing required field '{}'", key),
                         "regenerate the file with the tool that writes it, or add the field");
  return JsonReader(*it, child);
}

std::optional<JsonReader> JsonReader::find(const char* key) const {
  expect_object();
  auto it = value_.find(key);
  if (it == value_.end()) return std::nullopt;
  return JsonReader(*it, path_.empty() ? key : path_ + "." + key);
}

JsonReader JsonReader::at(std::size_t index) const {
  if (!value_.is_array()) wrong_type("an array");
  return JsonReader(value_.at(index), fmt::format("{}[{}]", path_, index));
}

std::size_t JsonReader::array_size() const {
  if (!value_.is_array()) wrong_type("an array");
  return value_.size();
}

void JsonReader::expect_object() const {
  if (!value_.is_object()) wrong_type("an object");
}

std::string JsonReader::as_string() const {
  if (!value_.is_string()) wrong_type("a string");
  return value_.get<std::string>();
}

std::int64_t JsonReader::as_int() const {
  if (!value_.is_number_integer()) wrong_type("an integer");
  // get<int64_t> would wrap an unsigned value above INT64_MAX to a negative one.
  if (value_.is_number_unsigned() && value_.get<std::uint64_t>() > std::uint64_t(INT64_MAX))
    fail(fmt::format("integer {} is too large", value_.get<std::uint64_t>()), "");
  return value_.get<std::int64_t>();
}

std::int64_t JsonReader::as_int_in(std::int64_t min, std::int64_t max) const {
  const std::int64_t v = as_int();
  if (v < min || v > max) fail(fmt::format("integer {} is out of range [{}, {}]", v, min, max), "");
  return v;
}

std::uint64_t JsonReader::as_uint() const {
  if (!value_.is_number_integer()) wrong_type("a non-negative integer");
  if (value_.is_number_unsigned()) return value_.get<std::uint64_t>();
  const std::int64_t v = value_.get<std::int64_t>();
  if (v < 0) fail(fmt::format("expected a non-negative integer, found {}", v), "");
  return static_cast<std::uint64_t>(v);
}

double JsonReader::as_number() const {
  if (!value_.is_number()) wrong_type("a number");
  return value_.get<double>();
}

bool JsonReader::as_bool() const {
  if (!value_.is_boolean()) wrong_type("true or false");
  return value_.get<bool>();
}

void JsonReader::fail(const std::string& problem, const std::string& hint) const {
  throw JsonInputError(path_.empty() ? "(top level)" : path_, problem, hint);
}

const char* JsonReader::type_name(const nlohmann::json& v) {
  switch (v.type()) {
    case nlohmann::json::value_t::null: return "null";
    case nlohmann::json::value_t::object: return "an object";
    case nlohmann::json::value_t::array: return "an array";
    case nlohmann::json::value_t::string: return "a string";
    case nlohmann::json::value_t::boolean: return "a boolean";
    case nlohmann::json::value_t::number_integer:
    case nlohmann::json::value_t::number_unsigned: return "an integer";
    case nlohmann::json::value_t::number_float: return "a floating-point number";
    default: return "an unsupported JSON value";
  }
}

void JsonReader::wrong_type(const char* expected) const {
  fail(fmt::format("expected {}, found {}", expected, type_name(value_)),
       "the file does not follow its schema; regenerate it");
}

}  // namespace miriam::detail
