// Unit tests of miriamc's core pieces that need no parse: the edit set, the
// template renderer, line-marker resolution and the build-flag filter.
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>

#include "CloneBuilder.h"
#include "Driver.h"
#include "EditSet.h"
#include "PassRegistry.h"
#include "TemplateRenderer.h"

using namespace miriam;

TEST_CASE("edits apply in offset order, insertions before a replacement at the same offset") {
  EditSet edits;
  CHECK(edits.add({6, 5, "there", "a"}));
  CHECK(edits.add({0, 0, "<", "b"}));
  CHECK(edits.add({6, 0, "[", "c"}));
  CHECK(edits.add({11, 0, "!", "d"}));
  CHECK_FALSE(edits.has_conflicts());
  CHECK(edits.apply("hello world") == "<hello [there!");
}

TEST_CASE("insertions at one offset keep the order they were added in") {
  EditSet edits;
  CHECK(edits.add({1, 0, "1", "a"}));
  CHECK(edits.add({1, 0, "2", "b"}));
  CHECK(edits.apply("ab") == "a12b");
}

TEST_CASE("an identical edit is recorded once") {
  EditSet edits;
  CHECK(edits.add({2, 1, "X", "a"}));
  CHECK(edits.add({2, 1, "X", "b"}));
  CHECK(edits.edits().size() == 1);
  CHECK(edits.apply("abcd") == "abXd");
}

TEST_CASE("overlapping replacements are reported, never dropped silently") {
  EditSet edits;
  CHECK(edits.add({2, 4, "X", "first"}));
  CHECK_FALSE(edits.add({4, 4, "Y", "second"}));
  REQUIRE(edits.conflicts().size() == 1);
  CHECK(edits.conflicts()[0].describe().find("second") != std::string::npos);
  CHECK(edits.conflicts()[0].describe().find("first") != std::string::npos);
  // An insertion strictly inside a replaced range conflicts too...
  CHECK_FALSE(edits.add({3, 0, "Z", "third"}));
  // ...but one at its edges does not.
  CHECK(edits.add({2, 0, "<", "edge"}));
  CHECK(edits.add({6, 0, ">", "edge"}));
}

TEST_CASE("templates fill every placeholder and reject unknown ones") {
  CHECK(render_template("a {{x}} b {{y}}{{x}}", {{"x", "1"}, {"y", "2"}}) == "a 1 b 21");
  CHECK_THROWS_AS(render_template("{{missing}}", {}), std::logic_error);
  CHECK_THROWS_AS(render_template("{{open", {}), std::logic_error);
}

TEST_CASE("output line markers become the number of the line after them") {
  std::string text = std::string("one\n#line ") + kOutputLineMarker + " \"x\"\nthree\n#line " + kOutputLineMarker +
                     " \"x\"\n";
  CHECK(resolve_line_markers(text) == "one\n#line 3 \"x\"\nthree\n#line 5 \"x\"\n");
}

TEST_CASE("nvcc build commands keep only flags clang understands alike") {
  std::vector<std::string> command = {"/usr/local/cuda/bin/nvcc", "-forward-unknown-to-host-compiler",
                                      "-DFOO=1", "-I/inc", "-isystem", "/sys", "--generate-code=arch=compute_90",
                                      "-std=c++17", "-x", "cu", "-c", "a.cu", "-o", "a.o", "-D", "BAR", "-Xcompiler",
                                      "-fPIC"};
  std::vector<std::string> kept = portable_flags(command);
  std::vector<std::string> expected = {"-DFOO=1", "-I/inc", "-isystem", "/sys", "-std=c++17", "-D", "BAR"};
  CHECK(kept == expected);
  CHECK(portable_flags({"nvcc", "-std", "c++20"}) == std::vector<std::string>{"-std=c++20"});
}

TEST_CASE("passes are chosen by name; an unknown name is an error listing the known ones") {
  std::string error;
  auto passes = make_passes({"sliced"}, error);
  REQUIRE(passes.size() == 1);
  CHECK(std::string(passes[0]->kind()) == "sliced");
  CHECK(make_passes({"sliced", "bogus"}, error).empty());
  CHECK(error.find("bogus") != std::string::npos);
  CHECK(error.find("sliced") != std::string::npos);
  CHECK(error.find("shrunk") != std::string::npos);
  auto shrink = make_passes({"shrunk"}, error);
  REQUIRE(shrink.size() == 1);
  CHECK(std::string(shrink[0]->kind()) == "shrunk");
}
