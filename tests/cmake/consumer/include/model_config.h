// Found through target_include_directories($<BUILD_INTERFACE:...>) only.
#pragma once

constexpr int kModelBlockSize = 128;
