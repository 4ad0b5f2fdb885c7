// How kernels, their parameters and their instantiations are named in the
// manifest, in the registry, and in emitted host code.
#pragma once

#include <string>
#include <vector>

#include "KernelModel.h"

namespace clang {
class ASTContext;
class FunctionDecl;
class MangleContext;
class QualType;
class SourceLocation;
class SourceManager;
}  // namespace clang

namespace miriam {

// "ns::inner::k": anonymous namespaces are left out, as a user writes it.
std::string qualified_name(const clang::FunctionDecl* fn);

// "::ns::inner::k": names the function from file scope in emitted code.
// Anonymous namespaces are reachable through their implicit using-directive.
std::string qualified_ref(const clang::FunctionDecl* fn);

// "float, 16" for a specialization; "" otherwise.
std::string template_args_of(const clang::FunctionDecl* fn, clang::ASTContext& ctx);

// "<::ns::Vec, 16>": the same arguments spelled for emitted host code.
std::string template_args_ref(const clang::FunctionDecl* fn, clang::ASTContext& ctx);

// "::ns::Vec<float> *": a type spelled from file scope for emitted host code.
std::string type_ref(const clang::QualType& type, clang::ASTContext& ctx);

std::string mangled_name(const clang::FunctionDecl* fn, clang::MangleContext& mangler);

std::vector<ParamInfo> param_infos(const clang::FunctionDecl* fn, clang::ASTContext& ctx);

SourcePosition position_of(clang::SourceLocation loc, const clang::SourceManager& sm);

}  // namespace miriam
