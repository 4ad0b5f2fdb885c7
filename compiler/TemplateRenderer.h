// Fills the {{placeholders}} of the code templates in templates/.
#pragma once

#include <map>
#include <string>
#include <string_view>

namespace miriam {

using TemplateValues = std::map<std::string, std::string>;

// Replaces every {{name}} with values.at(name). A placeholder without a value
// is a bug in miriamc, not in the user's code: it throws std::logic_error.
std::string render_template(std::string_view text, const TemplateValues& values);

}  // namespace miriam
