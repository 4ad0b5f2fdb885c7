// A checked walk over parsed JSON that knows where it is, so every error can
// name the field ("kernels[2].params[0].size") and what was expected there.
// Internal to the runtime: manifest and profile loaders share it.
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>

#include <nlohmann/json.hpp>

namespace miriam::detail {

// Thrown by JsonReader; loaders rethrow it as their own error type with the file name.
struct JsonInputError : std::runtime_error {
  JsonInputError(std::string path_, std::string problem_, std::string hint_)
      : std::runtime_error(problem_), path(std::move(path_)), problem(std::move(problem_)),
        hint(std::move(hint_)) {}
  std::string path, problem, hint;
};

// Parses JSON text. Whatever nlohmann rejects, bad syntax or a number beyond
// double ("1e400" throws out_of_range, not parse_error), is a JsonInputError
// at the top level with `hint`: no other exception leaves a loader.
nlohmann::json parse_json(const std::string& text, const std::string& hint);

class JsonReader {
 public:
  JsonReader(const nlohmann::json& value, std::string path) : value_(value), path_(std::move(path)) {}

  const std::string& path() const { return path_; }
  const nlohmann::json& json() const { return value_; }

  // A required member of an object.
  JsonReader at(const char* key) const;
  // An optional member; nullopt when absent (null counts as present).
  std::optional<JsonReader> find(const char* key) const;
  // An element of an array.
  JsonReader at(std::size_t index) const;

  bool is_null() const { return value_.is_null(); }
  std::size_t array_size() const;  // throws unless an array
  void expect_object() const;

  std::string as_string() const;
  std::int64_t as_int() const;
  std::uint64_t as_uint() const;  // non-negative integer
  // An integer in [min, max]: a value outside is an error, never truncated.
  std::int64_t as_int_in(std::int64_t min, std::int64_t max) const;
  double as_number() const;
  bool as_bool() const;

  [[noreturn]] void fail(const std::string& problem, const std::string& hint) const;

 private:
  static const char* type_name(const nlohmann::json& v);
  [[noreturn]] void wrong_type(const char* expected) const;

  const nlohmann::json& value_;
  std::string path_;
};

}  // namespace miriam::detail
