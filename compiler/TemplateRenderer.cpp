#include "TemplateRenderer.h"

#include <stdexcept>

namespace miriam {

std::string render_template(std::string_view text, const TemplateValues& values) {
  std::string out;
  out.reserve(text.size() + 256);
  size_t cursor = 0;
  while (true) {
    size_t open = text.find("{{", cursor);
    if (open == std::string_view::npos) break;
    size_t close = text.find("}}", open + 2);
    if (close == std::string_view::npos) throw std::logic_error("unterminated template placeholder");
    out.append(text.substr(cursor, open - cursor));
    std::string name(text.substr(open + 2, close - open - 2));
    auto it = values.find(name);
    if (it == values.end()) throw std::logic_error("template placeholder without a value: " + name);
    out.append(it->second);
    cursor = close + 2;
  }
  out.append(text.substr(cursor));
  return out;
}

}  // namespace miriam
