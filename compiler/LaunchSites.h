// Host launch sites of the processed file, rewritten so that unchanged host
// code submits its kernels to the task current on its thread
// (miriamc --rewrite-launches; the runtime side is miriam/launch.h).
//
//   k<<<g, b, s, st>>>(a...)
//     -> ::miriam::detail::LaunchSite<P...>::make(&k, g, b, s, st)(a...)
//
// Only the text from the kernel's name to `<<<`, and the `>>>` token, are
// replaced: the configuration and the arguments stay the user's own text,
// and P... (the kernel's parameter types) make every argument convert as in
// the <<<>>> call. A site that cannot be rewritten safely stays as it was
// (still correct, just not coordinated) with a warning saying why.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "EditSet.h"

namespace clang {
class ASTContext;
class DiagnosticsEngine;
class FrontendAction;
}  // namespace clang

namespace miriam {

struct LaunchSiteRewrite {
  std::vector<TextEdit> edits;  // on the main file's buffer
  unsigned rewritten = 0;
  unsigned refused = 0;
  bool parsed = false;  // the host-side parse succeeded
  std::string source;   // the text the offsets refer to
};

// Runs on a host-side parse (device-side parses skip host-only code).
// Refusals are reported through `diags` as [miriam-launch-refused] warnings.
LaunchSiteRewrite rewrite_launch_sites(clang::ASTContext& ast, clang::DiagnosticsEngine& diags);

// The action of that host-side parse, filling `out`.
std::unique_ptr<clang::FrontendAction> make_launch_site_action(LaunchSiteRewrite& out);

}  // namespace miriam
